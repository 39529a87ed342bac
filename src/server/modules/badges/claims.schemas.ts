import { Type } from 'typebox';
import { MAX_CLAIM_CODE_LABEL, MAX_CLAIM_CODE_USES } from './claims.service.ts';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

export const BadgeClaimCodesParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, badgeId: Uuid });
export const ClaimCodeParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, badgeId: Uuid, codeId: Uuid });
export const LearnerClaimParams = Type.Object({
  citySlug: CitySlug,
  code: Type.String({ minLength: 1, maxLength: 40, examples: ['K7QX-M3PA'] }),
});

export const ClaimCodeBody = Type.Object(
  {
    label: Type.Optional(
      Type.String({
        maxLength: MAX_CLAIM_CODE_LABEL,
        description: 'For the organiser: where the code is used',
        examples: ['Repair café, 14 June'],
      }),
    ),
    maxUses: Type.Integer({
      minimum: 1,
      maximum: MAX_CLAIM_CODE_USES,
      description: '1 for a single-use code; more for a code many people use (e.g. everyone at an event)',
      examples: [30],
    }),
    expiresAt: Type.Optional(
      Nullable(Type.String({ format: 'date-time', description: 'When the code stops working; omit for never' })),
    ),
  },
  { additionalProperties: false },
);

export const ClaimCodeSchema = Type.Object(
  {
    id: Uuid,
    badgeClassId: Uuid,
    code: Type.String({ description: 'Eight characters without 0, O, 1 or I; shown as two groups of four' }),
    display: Type.String({ examples: ['K7QX-M3PA'] }),
    label: Type.String(),
    maxUses: Type.Integer(),
    uses: Type.Integer(),
    expiresAt: Nullable(DateTime),
    disabledAt: Nullable(DateTime),
    state: Type.Union([
      Type.Literal('active'),
      Type.Literal('expired'),
      Type.Literal('used_up'),
      Type.Literal('disabled'),
    ]),
    claimUrl: Type.String({ description: 'The address the QR code carries' }),
    qrSvgUrl: Type.String(),
    qrPngUrl: Type.String(),
    posterUrl: Type.String(),
    createdAt: DateTime,
  },
  { $id: 'ClaimCode', title: 'ClaimCode' },
);

export const ClaimCodeListSchema = Type.Object(
  {
    items: Type.Array(Type.Ref('ClaimCode')),
    page: Type.Integer(),
    next: Nullable(Type.Integer({ description: 'The next page number; null on the last page' })),
  },
  { $id: 'ClaimCodeList', title: 'ClaimCodeList' },
);

export const ClaimCodeListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
});

export const ClaimResultSchema = Type.Object(
  {
    credentialId: Uuid,
    badgeClassId: Uuid,
    created: Type.Boolean({ description: 'false when the person already held the badge (no use was counted)' }),
    url: Type.String({ description: 'The credential’s public page' }),
  },
  { $id: 'ClaimResult', title: 'ClaimResult' },
);
