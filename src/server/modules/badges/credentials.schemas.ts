import { Type } from 'typebox';
import { claimRoutes } from '../../db/schema.ts';
import { MAX_AWARD_RECIPIENTS, MAX_NARRATIVE_LENGTH, MAX_REASON_LENGTH } from './credentials.service.ts';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const HttpUrl = Type.String({ maxLength: 2000, pattern: '^https?://', examples: ['https://example.org/portfolio/42'] });

export const CityParams = Type.Object({ citySlug: CitySlug });
export const BadgeParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, badgeId: Uuid });
export const OrganisationCredentialParams = Type.Object({
  citySlug: CitySlug,
  organisationId: Uuid,
  credentialId: Uuid,
});
export const PublicCredentialParams = Type.Object({ citySlug: CitySlug, credentialId: Uuid });
export const StatusListParams = Type.Object({ citySlug: CitySlug, listId: Uuid });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'Makes a retried request safe: the same key in the city returns the credentials issued the first time. ' +
        'Recipient n is stored under `<key>:<n>`.',
    }),
  ),
});

const RecipientSchema = Type.Union([
  Type.Object(
    {
      email: Type.String({ maxLength: 254, examples: ['ada@example.org'] }),
      name: Type.Optional(Type.String({ maxLength: 200, description: 'The name the badge shows; else the account’s' })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ userId: Uuid }, { additionalProperties: false }),
]);

export const AwardBody = Type.Object(
  {
    recipients: Type.Array(RecipientSchema, {
      minItems: 1,
      maxItems: MAX_AWARD_RECIPIENTS,
      description:
        'People to award the badge to, by email (an account with that address gets it directly; anyone else gets a ' +
        'claim link by email) or by account id.',
    }),
    evidenceUrl: Type.Optional(HttpUrl),
    narrative: Type.Optional(
      Type.String({ maxLength: MAX_NARRATIVE_LENGTH, description: 'Why the badge is awarded; carried as evidence' }),
    ),
  },
  { additionalProperties: false },
);

export const AwardResultSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        index: Type.Integer({ description: 'The recipient’s position in the request (0-based)' }),
        credentialId: Uuid,
        created: Type.Boolean({ description: 'false when an earlier request with the same key issued it' }),
        url: Type.String(),
      }),
    ),
  },
  { $id: 'AwardResult', title: 'AwardResult' },
);

export const CredentialSchema = Type.Object(
  {
    id: Uuid,
    url: Type.String({ description: 'The credential’s public page; also its JSON-LD (Accept: application/ld+json)' }),
    badge: Type.Object({
      id: Uuid,
      slug: Type.String(),
      name: Type.Record(Type.String(), Type.String()),
      version: Type.Integer(),
    }),
    organisationId: Uuid,
    recipient: Type.Object({
      userId: Nullable(Uuid),
      email: Type.String(),
      name: Type.String(),
      claimPending: Type.Boolean({ description: 'A claim link was emailed and has not been used yet' }),
    }),
    status: literals(['active', 'suspended', 'revoked', 'expired']),
    statusReason: Nullable(Type.String()),
    statusChangedAt: Nullable(DateTime),
    route: literals(claimRoutes),
    validFrom: DateTime,
    validUntil: Nullable(DateTime),
    issuedAt: DateTime,
    supersedesId: Nullable(Uuid),
    supersededById: Nullable(Uuid),
    document: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'The signed OpenBadgeCredential (OB 3.0)' }),
    ),
  },
  { $id: 'Credential', title: 'Credential' },
);

export const CredentialListSchema = Type.Object(
  {
    items: Type.Array(Type.Ref('Credential')),
    next: Nullable(Type.String({ description: 'Pass as `after` for the next page; null on the last page' })),
  },
  { $id: 'CredentialList', title: 'CredentialList' },
);

export const MyCredentialListSchema = Type.Object(
  { items: Type.Array(Type.Ref('Credential')) },
  { $id: 'MyCredentialList', title: 'MyCredentialList' },
);

export const CredentialListQuery = Type.Object({
  status: Type.Optional(literals(['active', 'suspended', 'revoked', 'expired'])),
  after: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
});

export const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: MAX_REASON_LENGTH, examples: ['Awarded by mistake'] }) },
  { additionalProperties: false },
);

export const OptionalReasonBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: MAX_REASON_LENGTH })) },
  { additionalProperties: false },
);

export const CorrectionBody = Type.Object(
  {
    recipientName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, examples: ['Ada Lovelace'] })),
    validFrom: Type.Optional(Type.String({ format: 'date-time', description: 'The corrected issue date' })),
    evidenceUrl: Type.Optional(Nullable(HttpUrl)),
    narrative: Type.Optional(Nullable(Type.String({ maxLength: MAX_NARRATIVE_LENGTH }))),
  },
  { additionalProperties: false },
);

export const CorrectionResultSchema = Type.Object(
  {
    credentialId: Uuid,
    url: Type.String(),
    supersedesId: Uuid,
  },
  { $id: 'CorrectionResult', title: 'CorrectionResult' },
);
