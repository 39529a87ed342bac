import { type Static, Type } from 'typebox';
import { apiTokenScopes } from './organisations.service.ts';

const Uuid = Type.String({ format: 'uuid' });
const slugPattern = '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$';
export const Slug = Type.String({ pattern: slugPattern });
const CitySlug = Type.String({ pattern: slugPattern, examples: ['vilnius'] });

export const CityParams = Type.Object({ citySlug: CitySlug });
export const OrganisationParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid });
export const MemberParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, userId: Uuid });
export const AddressParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, addressId: Uuid });
export const TokenParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, tokenId: Uuid });
export const InvitationParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, invitationId: Uuid });

export const OrganisationKindSchema = Type.Union(
  [Type.Literal('provider'), Type.Literal('employer'), Type.Literal('endorser')],
  { description: 'provider (issuer), employer, endorser' },
);
export const MembershipRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('staff')]);
export const ApplicationStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('suspended'),
]);
export const ApiTokenScopeSchema = Type.Union(apiTokenScopes.map((scope) => Type.Literal(scope)));

export const AddressInputSchema = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 120, description: 'e.g. "Main site"' })),
    street: Type.String({ minLength: 1, maxLength: 200, examples: ['Gedimino pr. 9'] }),
    postcode: Type.Optional(Type.String({ maxLength: 20 })),
    locality: Type.Optional(Type.String({ maxLength: 120, description: 'Neighbourhood or district' })),
    lat: Type.Number({ minimum: -90, maximum: 90, examples: [54.6872] }),
    lon: Type.Number({ minimum: -180, maximum: 180, examples: [25.2797] }),
  },
  { additionalProperties: false },
);

export const AddressSchema = Type.Object(
  {
    id: Uuid,
    label: Type.String(),
    street: Type.String(),
    postcode: Type.String(),
    locality: Type.String(),
    lat: Type.Number(),
    lon: Type.Number(),
  },
  { $id: 'OrganisationAddress', title: 'OrganisationAddress' },
);

const profileFields = {
  name: Type.String({ minLength: 2, maxLength: 120, examples: ['Žirmūnai Youth Makerspace'] }),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  kinds: Type.Array(OrganisationKindSchema, { minItems: 1, maxItems: 3, examples: [['provider']] }),
  website: Type.Optional(Type.Union([Type.String({ format: 'uri', maxLength: 500 }), Type.Null()])),
  contactEmail: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
};

export const CreateOrganisationBody = Type.Object(
  {
    ...profileFields,
    slug: Type.Optional(Type.String({ pattern: slugPattern, examples: ['makerspace'] })),
    applicationNote: Type.Optional(Type.String({ maxLength: 2000, description: 'A note for the city curator.' })),
    addresses: Type.Optional(Type.Array(AddressInputSchema, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type CreateOrganisationBody = Static<typeof CreateOrganisationBody>;

export const UpdateOrganisationBody = Type.Object(profileFields, { additionalProperties: false });

export const ApplyBody = Type.Object(
  { applicationNote: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

export const TrustBody = Type.Object(
  { trusted: Type.Boolean({ description: 'Publish its activities without review' }) },
  { additionalProperties: false },
);

export const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    reason: Type.Optional(
      Type.String({ maxLength: 2000, description: 'Required when rejecting; emailed to the applicant.' }),
    ),
    verify: Type.Optional(Type.Boolean({ description: 'Also mark the organisation as verified.' })),
  },
  { additionalProperties: false },
);

export const OrganisationSchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    kinds: Type.Array(OrganisationKindSchema),
    website: Type.Union([Type.String(), Type.Null()]),
    contactEmail: Type.Union([Type.String(), Type.Null()]),
    verified: Type.Boolean(),
    trusted: Type.Boolean({ description: 'Its activities are published without review' }),
    status: ApplicationStatusSchema,
    applicationNote: Type.Optional(Type.String()),
    decisionReason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    appliedAt: Type.String({ format: 'date-time' }),
    decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    addresses: Type.Optional(Type.Array(Type.Ref('OrganisationAddress'))),
    profileUrl: Type.String(),
  },
  { $id: 'Organisation', title: 'Organisation' },
);
export type OrganisationSchema = Static<typeof OrganisationSchema>;

export const OrganisationList = Type.Object(
  { items: Type.Array(Type.Ref('Organisation')) },
  { $id: 'OrganisationList', title: 'OrganisationList' },
);

export const ListQuery = Type.Object({ kind: Type.Optional(OrganisationKindSchema) });
export const ApplicationsQuery = Type.Object({ status: Type.Optional(ApplicationStatusSchema) });

export const MemberSchema = Type.Object(
  {
    userId: Uuid,
    email: Type.String(),
    displayName: Type.String(),
    role: MembershipRoleSchema,
    since: Type.String({ format: 'date-time' }),
  },
  { $id: 'OrganisationMember', title: 'OrganisationMember' },
);
export const MemberList = Type.Object({ items: Type.Array(Type.Ref('OrganisationMember')) });
export const RoleBody = Type.Object({ role: MembershipRoleSchema }, { additionalProperties: false });

export const InviteBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254, examples: ['new.colleague@example.org'] }),
    role: MembershipRoleSchema,
    language: Type.Optional(
      Type.String({ description: 'Language of the invitation email; the city default otherwise.' }),
    ),
  },
  { additionalProperties: false },
);
export const InvitationSchema = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    role: MembershipRoleSchema,
    expiresAt: Type.String({ format: 'date-time' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'OrganisationInvitation', title: 'OrganisationInvitation' },
);
export const InvitationList = Type.Object({ items: Type.Array(Type.Ref('OrganisationInvitation')) });
export const AcceptInvitationBody = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 200, examples: ['an-invitation-token-from-the-email-link'] }) },
  { additionalProperties: false },
);
export const AcceptedInvitation = Type.Object({
  organisationId: Uuid,
  citySlug: Type.String(),
  role: MembershipRoleSchema,
});

export const CreateApiTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80, examples: ['Booking system sync'] }),
    scopes: Type.Array(ApiTokenScopeSchema, { minItems: 1, examples: [['activities:write']] }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 90 })),
  },
  { additionalProperties: false },
);
export const ApiTokenSchema = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the token, to recognise it.' }),
    scopes: Type.Array(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'ApiToken', title: 'ApiToken' },
);
export const ApiTokenList = Type.Object({ items: Type.Array(Type.Ref('ApiToken')) });
export const CreatedApiToken = Type.Object({
  token: Type.Ref('ApiToken'),
  secret: Type.String({
    description: 'The token itself: shown this once, never again. Send it as `Authorization: Bearer …`.',
  }),
});
