import { Type } from 'typebox';
import { badgeClassKinds, badgeClassStatuses } from '../../db/schema.ts';
import { BADGE_LIMITS, badgeIcons, badgeShapes, requirementKinds } from './badge-classes.model.ts';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const PerLanguage = (description: string, examples?: unknown[]) =>
  Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), Type.String(), { description, examples });
const DateTime = Type.String({ format: 'date-time' });
const Colour = (description: string, example: string) =>
  Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description, examples: [example] });

export const CityParams = Type.Object({ citySlug: CitySlug });
export const OrganisationParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid });
export const BadgeParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, badgeId: Uuid });
export const VersionParams = Type.Object({
  citySlug: CitySlug,
  badgeClassId: Uuid,
  version: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});
export const PublicBadgeParams = Type.Object({
  citySlug: CitySlug,
  slug: Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9-]+$', description: 'The badge slug or id' }),
});

export const DesignSchema = Type.Object(
  {
    shape: literals(badgeShapes),
    background: Colour('Background colour', '#0b5cad'),
    foreground: Colour('Text and icon colour; needs a contrast of at least 4.5:1 against the background', '#ffffff'),
    accent: Colour('Border colour', '#f2b705'),
    icon: literals(badgeIcons),
    text: Type.String({ maxLength: BADGE_LIMITS.designText, examples: ['Maker'] }),
  },
  { additionalProperties: false, $id: 'BadgeDesign', title: 'BadgeDesign' },
);

const ImageInputSchema = Type.Union([
  Type.Object(
    { source: Type.Literal('generated'), design: Type.Ref('BadgeDesign') },
    { additionalProperties: false, description: 'A design the server draws (SVG and PNG)' },
  ),
  Type.Object(
    { source: Type.Literal('upload') },
    { additionalProperties: false, description: 'Keep the uploaded image (upload one with PUT …/image)' },
  ),
]);

const inputFields = {
  slug: Type.Optional(
    Nullable(Type.String({ maxLength: 80, description: 'Short name in the URL; made from the name if left out' })),
  ),
  kind: literals(badgeClassKinds),
  name: PerLanguage('Name per language (at least the city’s main language)', [{ en: 'Young maker' }]),
  description: PerLanguage('Description per language (plain text)', [{ en: 'Built and shared a project.' }]),
  criteria: PerLanguage('What earns the badge, per language (the OB criteria narrative)', [
    { en: 'Finish a project in the makerspace and show it to the group.' },
  ]),
  requirements: Type.Optional(
    Type.Array(
      Type.Object(
        { kind: literals(requirementKinds), instructions: PerLanguage('Instructions per language') },
        { additionalProperties: false },
      ),
      { maxItems: BADGE_LIMITS.requirements },
    ),
  ),
  image: Type.Optional(ImageInputSchema),
  imageAlt: PerLanguage('Text alternative of the image per language (required in the main language)', [
    { en: 'A blue circle with a star' },
  ]),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: BADGE_LIMITS.tagLength }), { maxItems: BADGE_LIMITS.tags })),
  validityMonths: Type.Optional(
    Nullable(Type.Integer({ minimum: 1, maximum: BADGE_LIMITS.validityMonthsMax, description: 'null: never expires' })),
  ),
  skills: Type.Optional(
    Type.Array(
      Type.Object(
        { skillId: Uuid, level: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 8 }))) },
        { additionalProperties: false },
      ),
      { maxItems: BADGE_LIMITS.skills },
    ),
  ),
  prerequisites: Type.Optional(
    Type.Array(Uuid, { maxItems: BADGE_LIMITS.prerequisites, description: 'Badges of the city required first' }),
  ),
  activities: Type.Optional(
    Type.Array(
      Type.Object(
        {
          activityId: Uuid,
          awardOnAttendance: Type.Optional(
            Type.Boolean({ description: 'Issue the badge on attendance (own activities only)' }),
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: BADGE_LIMITS.activities },
    ),
  ),
  evidenceClaimsOpen: Type.Optional(Type.Boolean({ description: 'Learners may submit evidence for review' })),
  peerConfirmationsRequired: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: BADGE_LIMITS.peerConfirmationsMax,
        description: 'Earners who must confirm a peer check; null: no peer checks',
      }),
    ),
  ),
};

export const CreateBadgeBody = Type.Object(inputFields, { additionalProperties: false });

export const UpdateBadgeBody = Type.Object(
  {
    ...inputFields,
    expectedRowVersion: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'The rowVersion you loaded; a newer one answers BADGE_VERSION_CONFLICT',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StatusChangeQuery = Type.Object({
  expectedRowVersion: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const ImageQuery = Type.Object({
  alt: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'New text alternative' })),
  language: Type.Optional(
    Type.String({ pattern: '^[a-z]{2,3}$', description: 'Language of `alt`; the city’s main language' }),
  ),
  expectedRowVersion: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const ListQuery = Type.Object({
  status: Type.Optional(literals(badgeClassStatuses)),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

export const DirectoryQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Search names and tags' })),
  kind: Type.Optional(literals(badgeClassKinds)),
  skill: Type.Optional(Type.String({ format: 'uuid', description: 'Only badges aligned to this skill' })),
  organisation: Type.Optional(Type.String({ format: 'uuid', description: 'Only badges of this organisation' })),
  lang: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}$', description: 'Sort names in this language' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

const OrganisationRef = Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() });

export const BadgeClassSchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    status: literals(badgeClassStatuses),
    kind: literals(badgeClassKinds),
    organisation: OrganisationRef,
    name: PerLanguage('Name per language'),
    description: PerLanguage('Description per language'),
    criteria: PerLanguage('Criteria narrative per language'),
    requirements: Type.Array(
      Type.Object({ kind: literals(requirementKinds), instructions: PerLanguage('Instructions per language') }),
    ),
    image: Type.Object({
      source: literals(['generated', 'upload']),
      contentType: Type.String({ description: 'What is stored: image/png, or image/svg+xml for an SVG upload' }),
      design: Nullable(Type.Ref('BadgeDesign')),
      alt: PerLanguage('Text alternative per language'),
      pngUrl: Type.String(),
      svgUrl: Nullable(Type.String()),
    }),
    tags: Type.Array(Type.String()),
    validityMonths: Nullable(Type.Integer()),
    skills: Type.Array(
      Type.Object({
        skillId: Uuid,
        level: Nullable(Type.Integer()),
        code: Type.String(),
        label: PerLanguage('Skill label per language'),
        framework: Type.String(),
      }),
    ),
    prerequisites: Type.Array(
      Type.Object({ id: Uuid, slug: Type.String(), status: Type.String(), name: PerLanguage('Name per language') }),
    ),
    activities: Type.Array(Type.Object({ activityId: Uuid, awardOnAttendance: Type.Boolean() })),
    evidenceClaimsOpen: Type.Boolean(),
    peerConfirmationsRequired: Nullable(Type.Integer()),
    version: Type.Integer({ description: 'Content version: a change after credentials were issued makes a new one' }),
    rowVersion: Type.Integer({ description: 'Send back as expectedRowVersion when editing' }),
    achievementUrl: Type.String({ description: 'The OB 3.0 Achievement JSON of the current version' }),
    pageUrl: Type.String(),
    createdAt: DateTime,
    updatedAt: DateTime,
    publishedAt: Nullable(DateTime),
    archivedAt: Nullable(DateTime),
  },
  { $id: 'BadgeClass', title: 'BadgeClass' },
);

export const BadgeClassSummarySchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    status: literals(badgeClassStatuses),
    kind: literals(badgeClassKinds),
    name: PerLanguage('Name per language'),
    organisation: OrganisationRef,
    version: Type.Integer(),
    rowVersion: Type.Integer(),
    imageUrl: Type.String(),
    imageAlt: PerLanguage('Text alternative per language'),
    pageUrl: Type.String(),
    updatedAt: DateTime,
    publishedAt: Nullable(DateTime),
  },
  { $id: 'BadgeClassSummary', title: 'BadgeClassSummary' },
);

export const BadgeClassList = Type.Object({
  items: Type.Array(Type.Ref('BadgeClassSummary')),
  nextCursor: Nullable(Type.String()),
});

export const BadgeDirectoryPage = Type.Object({
  items: Type.Array(Type.Ref('BadgeClassSummary')),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  total: Type.Integer(),
});
