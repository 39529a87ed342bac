import { Type } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const DateTime = Type.String({ format: 'date-time' });
const PerLanguage = (description: string, examples?: unknown[]) =>
  Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), Type.String({ maxLength: 4000 }), { description, examples });

export const OrganisationParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid });
export const EndorsementParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, endorsementId: Uuid });
export const PublicEndorsementParams = Type.Object({ citySlug: CitySlug, endorsementId: Uuid });

export const EndorsementListQuery = Type.Object({
  direction: Type.Optional(
    Type.Union([Type.Literal('given'), Type.Literal('received')], {
      default: 'given',
      description: 'Endorsements the organisation gave (withdrawn ones too) or received (standing ones)',
    }),
  ),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const CreateEndorsementBody = Type.Object(
  {
    targetBadgeClassId: Type.Optional(Uuid),
    targetOrganisationId: Type.Optional(Uuid),
    comment: PerLanguage('Why you endorse it, per language of the city (at least one)', [
      { en: 'A well-run course with a fair assessment.' },
    ]),
  },
  {
    additionalProperties: false,
    description: 'Give exactly one of targetBadgeClassId (a published badge) or targetOrganisationId.',
  },
);

export const EndorsementSchema = Type.Object(
  {
    id: Uuid,
    url: Type.String({ description: 'The public signed EndorsementCredential' }),
    endorser: Type.Object({ id: Uuid, name: Type.String() }),
    target: Type.Object({
      type: Type.Union([Type.Literal('badge'), Type.Literal('organisation')]),
      id: Uuid,
      name: Type.Record(Type.String(), Type.String(), {
        description: 'Per language for a badge; under "" for an organisation',
      }),
    }),
    comment: Type.Record(Type.String(), Type.String()),
    createdAt: DateTime,
    withdrawnAt: Type.Union([DateTime, Type.Null()]),
    credential: Type.Object({}, { additionalProperties: true, description: 'The signed EndorsementCredential' }),
  },
  { $id: 'Endorsement', title: 'Endorsement' },
);

export const EndorsementList = Type.Object({
  items: Type.Array(Type.Ref('Endorsement')),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  total: Type.Integer(),
});
