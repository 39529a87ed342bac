import { Type } from 'typebox';
import {
  activityFormats,
  activityRevisionActions,
  activityStatuses,
  costKinds,
  scheduleKinds,
  signupModes,
} from '../../db/schema.ts';
import { accessibilityFeatures } from './activities.model.ts';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const PerLanguage = (description: string, examples?: unknown[]) =>
  Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), Type.String(), { description, examples });
const DateTime = Type.String({ format: 'date-time' });

export const CityParams = Type.Object({ citySlug: CitySlug });
export const OrganisationParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid });
export const PublicActivityParams = Type.Object({
  citySlug: CitySlug,
  activityId: Type.String({ minLength: 1, maxLength: 80, description: 'The activity id or its slug' }),
});
export const ActivityParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, activityId: Uuid });
export const ModerationParams = Type.Object({ citySlug: CitySlug, activityId: Uuid });
export const ImageParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, activityId: Uuid, imageId: Uuid });
export const ImagePageParams = Type.Object({
  citySlug: CitySlug,
  slug: Type.String({ minLength: 1, maxLength: 80 }),
  imageId: Uuid,
});

const VenueInputSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200, examples: ['Central Library'] })),
    street: Type.Optional(Type.String({ maxLength: 200 })),
    postcode: Type.Optional(Type.String({ maxLength: 20 })),
    locality: Type.Optional(Type.String({ maxLength: 120 })),
    district: Type.Optional(Nullable(Type.String({ maxLength: 120 }))),
    lat: Type.Number({ minimum: -90, maximum: 90, examples: [54.6872] }),
    lon: Type.Number({ minimum: -180, maximum: 180, examples: [25.2797] }),
  },
  { additionalProperties: false },
);

const inputFields = {
  slug: Type.Optional(
    Type.String({ maxLength: 80, description: 'Short name in the URL; made from the title if left out' }),
  ),
  title: PerLanguage('Title per language (at least one of the city’s languages)', [{ en: 'Coding club' }]),
  description: Type.Optional(
    PerLanguage('Description per language: HTML (p, br, strong, em, ul, ol, li, h3, h4, blockquote, a) or plain text'),
  ),
  format: literals(activityFormats),
  onlineUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  venues: Type.Optional(Type.Array(VenueInputSchema, { maxItems: 10 })),
  scheduleKind: literals(scheduleKinds),
  startsAt: Type.Optional(Nullable(DateTime)),
  endsAt: Type.Optional(Nullable(DateTime)),
  allDay: Type.Optional(Type.Boolean()),
  rrule: Type.Optional(
    Nullable(
      Type.String({
        maxLength: 500,
        description: 'RFC 5545 RRULE with COUNT or UNTIL',
        examples: ['FREQ=WEEKLY;COUNT=10'],
      }),
    ),
  ),
  exdates: Type.Optional(Type.Array(DateTime, { maxItems: 400 })),
  ageMin: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 120 }))),
  ageMax: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 120 }))),
  costKind: Type.Optional(literals(costKinds)),
  priceCents: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  currency: Type.Optional(Nullable(Type.String({ maxLength: 3, examples: ['EUR'] }))),
  concessions: Type.Optional(Type.String({ maxLength: 500 })),
  languages: Type.Optional(Type.Array(Type.String({ maxLength: 3 }), { maxItems: 12 })),
  accessibility: Type.Optional(Type.Array(literals(accessibilityFeatures), { maxItems: accessibilityFeatures.length })),
  accessibilityNotes: Type.Optional(Type.String({ maxLength: 2000 })),
  capacity: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100000 }))),
  signupMode: Type.Optional(literals(signupModes)),
  signupUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  skills: Type.Optional(
    Type.Array(
      Type.Object({ skillId: Uuid, level: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 8 }))) }),
      { maxItems: 30 },
    ),
  ),
  externalUid: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
};

export const CreateActivityBody = Type.Object(
  {
    ...inputFields,
    submit: Type.Optional(
      Type.Boolean({ description: 'Submit for review at once (published at once for a trusted organisation)' }),
    ),
  },
  { additionalProperties: false },
);

export const UpdateActivityBody = Type.Object(
  {
    ...inputFields,
    expectedVersion: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'The version you loaded; a newer one answers ACTIVITY_VERSION_CONFLICT',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ReturnBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 2000, examples: ['Please add the venue’s step-free access.'] }) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object({
  status: Type.Optional(literals(activityStatuses)),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

export const ModerationQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

export const SessionsQuery = Type.Object({
  from: Type.Optional(DateTime),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export const ImageQuery = Type.Object({
  alt: Type.String({ minLength: 1, maxLength: 300, description: 'Text alternative for the image' }),
  language: Type.Optional(
    Type.String({ pattern: '^[a-z]{2,3}$', description: 'Language of `alt`; the city’s default' }),
  ),
});

const OrganisationRef = Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() });

export const ImageSchema = Type.Object(
  {
    id: Uuid,
    position: Type.Integer(),
    contentType: Type.String(),
    width: Type.Integer(),
    height: Type.Integer(),
    alt: PerLanguage('Text alternative per language'),
    url: Type.String(),
  },
  { $id: 'ActivityImage', title: 'ActivityImage' },
);

export const SessionSchema = Type.Object(
  {
    id: Uuid,
    startsAt: DateTime,
    endsAt: DateTime,
    allDay: Type.Boolean(),
    capacity: Nullable(Type.Integer()),
    confirmedCount: Type.Integer(),
    placesLeft: Nullable(Type.Integer({ description: 'null when places are unlimited' })),
    cancelled: Type.Boolean(),
  },
  { $id: 'ActivitySession', title: 'ActivitySession' },
);

export const ActivitySchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    status: literals(activityStatuses),
    moderationNote: Nullable(Type.String()),
    organisation: OrganisationRef,
    title: PerLanguage('Title per language'),
    description: PerLanguage('Sanitised HTML per language'),
    format: literals(activityFormats),
    onlineUrl: Nullable(Type.String()),
    venues: Type.Array(
      Type.Object({
        id: Uuid,
        name: Type.String(),
        street: Type.String(),
        postcode: Type.String(),
        locality: Type.String(),
        district: Nullable(Type.String()),
        lat: Type.Number(),
        lon: Type.Number(),
      }),
    ),
    district: Nullable(Type.String()),
    scheduleKind: literals(scheduleKinds),
    startsAt: Nullable(DateTime),
    endsAt: Nullable(DateTime),
    allDay: Type.Boolean(),
    rrule: Nullable(Type.String()),
    exdates: Type.Array(DateTime),
    nextStartAt: Nullable(DateTime),
    ageMin: Nullable(Type.Integer()),
    ageMax: Nullable(Type.Integer()),
    costKind: literals(costKinds),
    priceCents: Nullable(Type.Integer()),
    currency: Nullable(Type.String()),
    concessions: Type.String(),
    languages: Type.Array(Type.String()),
    accessibility: Type.Array(Type.String()),
    accessibilityNotes: Type.String(),
    capacity: Nullable(Type.Integer()),
    signupMode: literals(signupModes),
    signupUrl: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    skills: Type.Array(
      Type.Object({
        skillId: Uuid,
        level: Nullable(Type.Integer()),
        code: Type.String(),
        label: PerLanguage('Skill label per language'),
        framework: Type.String(),
      }),
    ),
    images: Type.Array(Type.Ref('ActivityImage')),
    source: Type.String(),
    externalUid: Nullable(Type.String()),
    version: Type.Integer(),
    createdAt: DateTime,
    updatedAt: DateTime,
    publishedAt: Nullable(DateTime),
    pageUrl: Type.String(),
  },
  { $id: 'Activity', title: 'Activity' },
);

export const ActivitySummarySchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    status: literals(activityStatuses),
    title: PerLanguage('Title per language'),
    organisation: OrganisationRef,
    nextStartAt: Nullable(DateTime),
    district: Nullable(Type.String()),
    format: literals(activityFormats),
    updatedAt: DateTime,
    submittedAt: Nullable(DateTime),
    moderationNote: Nullable(Type.String()),
  },
  { $id: 'ActivitySummary', title: 'ActivitySummary' },
);

export const ActivitySummaryList = Type.Object({
  items: Type.Array(Type.Ref('ActivitySummary')),
  nextCursor: Nullable(Type.String()),
});

export const SessionList = Type.Object({ items: Type.Array(Type.Ref('ActivitySession')) });

export const RevisionList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Uuid,
      action: Type.String({ description: activityRevisionActions.join(', '), examples: ['updated'] }),
      note: Nullable(Type.String()),
      changes: Type.Record(Type.String(), Type.Object({ before: Type.Unknown(), after: Type.Unknown() })),
      actorName: Nullable(Type.String()),
      createdAt: DateTime,
    }),
  ),
});
