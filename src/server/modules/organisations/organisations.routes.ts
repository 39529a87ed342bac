import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../plugins/openapi.ts';
import type { UserActor } from '../accounts/actor.ts';
import { auditContext } from '../audit/audit.http.ts';
import type { Database } from '../../db/client.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import type { AddressRecord, ApiTokenRecord, InvitationRecord, MemberRecord } from './organisations.repo.ts';
import {
  AcceptedInvitation,
  AcceptInvitationBody,
  AddressInputSchema,
  AddressParams,
  AddressSchema,
  ApiTokenList,
  ApiTokenSchema,
  ApplicationsQuery,
  ApplyBody,
  CityParams,
  CreateApiTokenBody,
  CreatedApiToken,
  CreateOrganisationBody,
  DecisionBody,
  InvitationList,
  InvitationParams,
  InvitationSchema,
  InviteBody,
  ListQuery,
  MemberList,
  MemberParams,
  MemberSchema,
  OrganisationList,
  OrganisationParams,
  OrganisationSchema,
  RoleBody,
  TokenParams,
  TrustBody,
  UpdateOrganisationBody,
} from './organisations.schemas.ts';
import {
  acceptInvitation,
  addAddress,
  applyToCity,
  type Caller,
  changeMemberRole,
  createApiToken,
  createOrganisation,
  decideApplication,
  getOrganisation,
  inviteMember,
  listApplications,
  listInvitations,
  listOrganisationApiTokens,
  listOrganisationMembers,
  listPublicOrganisations,
  type OrganisationDetails,
  removeAddress,
  removeMember,
  revokeInvitation,
  revokeOrganisationApiToken,
  setOrganisationTrust,
  updateOrganisationProfile,
} from './organisations.service.ts';
import type { OrganisationInCity } from './organisations.repo.ts';
import { cityOf } from '../../plugins/auth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function toOrganisationJson(
  organisation: OrganisationInCity | OrganisationDetails,
  publicUrl: string,
  citySlug: string,
  withApplication = false,
): OrganisationSchema {
  return {
    id: organisation.id,
    slug: organisation.slug,
    name: organisation.name,
    description: organisation.description,
    kinds: organisation.kinds,
    website: organisation.website,
    contactEmail: organisation.contactEmail,
    verified: organisation.verifiedAt !== null,
    trusted: organisation.trusted,
    status: organisation.status,
    ...(withApplication
      ? { applicationNote: organisation.applicationNote, decisionReason: organisation.decisionReason }
      : {}),
    appliedAt: iso(organisation.appliedAt) as string,
    decidedAt: iso(organisation.decidedAt),
    ...('addresses' in organisation ? { addresses: organisation.addresses.map(toAddressJson) } : {}),
    profileUrl: `${publicUrl}/c/${citySlug}/organisations/${organisation.slug}`,
  };
}

const toAddressJson = (address: AddressRecord) => ({ ...address });
const toMemberJson = (member: MemberRecord) => ({ ...member, since: iso(member.since) as string });
const toInvitationJson = (invitation: InvitationRecord) => ({
  id: invitation.id,
  email: invitation.email,
  role: invitation.role,
  expiresAt: iso(invitation.expiresAt) as string,
  createdAt: iso(invitation.createdAt) as string,
});
export const toApiTokenJson = (token: ApiTokenRecord) => ({
  id: token.id,
  name: token.name,
  prefix: token.tokenPrefix,
  scopes: token.scopes,
  createdAt: iso(token.createdAt) as string,
  expiresAt: iso(token.expiresAt) as string,
  lastUsedAt: iso(token.lastUsedAt),
  revokedAt: iso(token.revokedAt),
});

export function callerOf(request: FastifyRequest): Caller {
  if (!request.actor) throw new Error('An access rule let an anonymous request through to a signed-in route.');
  return { actor: request.actor, audit: auditContext(request) };
}

/** A service acting as the caller on one thing (address, member, invitation, API token) of an organisation. */
type ItemAction<T> = (
  db: Database,
  city: CityRecord,
  organisationId: string,
  itemId: string,
  caller: Caller,
) => Promise<T>;

/** Runs the action on the organisation and the thing that the route's params name, in the request's city. */
export function actOnItem<K extends string, T>(
  request: FastifyRequest & { params: { organisationId: string } & Record<K, string> },
  itemParam: K,
  action: ItemAction<T>,
): Promise<T> {
  return action(
    request.server.db,
    cityOf(request),
    request.params.organisationId,
    request.params[itemParam],
    callerOf(request),
  );
}

const tags = ['organisations'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

export async function organisationsRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [
    AddressSchema,
    OrganisationSchema,
    OrganisationList,
    MemberSchema,
    InvitationSchema,
    ApiTokenSchema,
  ]) {
    app.addSchema(schema);
  }
  const base = '/api/v1/cities/:citySlug/organisations';
  const one = `${base}/:organisationId`;

  app.get(
    base,
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listOrganisations',
        tags,
        summary: "The city's approved organisations (providers, employers, endorsers)",
        params: CityParams,
        querystring: ListQuery,
        response: { 200: Type.Ref('OrganisationList'), ...errorResponses(400, 404) },
      },
    },
    async (request) => ({
      items: (await listPublicOrganisations(app.db, cityOf(request), request.query.kind)).map((o) =>
        toOrganisationJson(o, app.config.publicUrl, request.params.citySlug),
      ),
    }),
  );

  app.post(
    base,
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'createOrganisation',
        tags,
        summary: 'Create an organisation and apply to join the city; you become its owner',
        description: "The city's curators approve or reject the application; the organisation is public once approved.",
        params: CityParams,
        body: CreateOrganisationBody,
        security: [{ session: [] }],
        response: { 201: Type.Ref('Organisation'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const created = await createOrganisation(
        app.db,
        cityOf(request),
        request.body,
        caller,
        (request.actor as UserActor).userId,
      );
      return reply.code(201).send(toOrganisationJson(created, app.config.publicUrl, request.params.citySlug, true));
    },
  );

  app.get(
    one,
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getOrganisation',
        tags,
        summary: 'One organisation of the city with its addresses',
        description:
          'Approved organisations are public; pending or rejected ones are visible to their members and the city curators.',
        params: OrganisationParams,
        response: { 200: Type.Ref('Organisation'), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const organisation = await getOrganisation(app.db, cityOf(request), request.params.organisationId, request.actor);
      const insider = organisation.status !== 'approved' || request.actor !== null;
      return toOrganisationJson(
        organisation,
        app.config.publicUrl,
        request.params.citySlug,
        insider && organisation.status !== 'approved',
      );
    },
  );

  app.patch(
    one,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'updateOrganisation',
        tags,
        summary: "Edit the organisation's public profile",
        params: OrganisationParams,
        body: UpdateOrganisationBody,
        security,
        response: { 200: Type.Ref('Organisation'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toOrganisationJson(
        await updateOrganisationProfile(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.body,
          callerOf(request),
        ),
        app.config.publicUrl,
        request.params.citySlug,
      ),
  );

  app.post(
    `${one}/application`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'applyToCity',
        tags,
        summary: 'An organisation of another city applies to join this one',
        params: OrganisationParams,
        body: ApplyBody,
        security: [{ session: [] }],
        response: { 201: Type.Ref('Organisation'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const organisation = await applyToCity(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.body.applicationNote ?? '',
        callerOf(request),
      );
      return reply
        .code(201)
        .send(toOrganisationJson(organisation, app.config.publicUrl, request.params.citySlug, true));
    },
  );

  app.post(
    `${one}/addresses`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'addOrganisationAddress',
        tags,
        summary: 'Add an address (its coordinates must lie inside the city)',
        params: OrganisationParams,
        body: AddressInputSchema,
        security,
        response: { 201: Type.Ref('OrganisationAddress'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          toAddressJson(
            await addAddress(app.db, cityOf(request), request.params.organisationId, request.body, callerOf(request)),
          ),
        ),
  );

  app.delete(
    `${one}/addresses/:addressId`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'removeOrganisationAddress',
        tags,
        summary: 'Remove an address',
        params: AddressParams,
        security,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await actOnItem(request, 'addressId', removeAddress);
      return reply.code(204).send(null);
    },
  );

  // Curators: the application queue and decisions.
  app.get(
    '/api/v1/cities/:citySlug/organisation-applications',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'listOrganisationApplications',
        tags,
        summary: "The curator's queue: applications to join the city (pending unless another status is asked for)",
        params: CityParams,
        querystring: ApplicationsQuery,
        security: [{ session: [] }],
        response: { 200: Type.Ref('OrganisationList'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: (await listApplications(app.db, cityOf(request), request.query.status)).map((o) =>
        toOrganisationJson(o, app.config.publicUrl, request.params.citySlug, true),
      ),
    }),
  );

  app.post(
    '/api/v1/cities/:citySlug/organisation-applications/:organisationId/decision',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'decideOrganisationApplication',
        tags,
        summary: 'Approve or reject an application (a rejection needs a reason); the applicant is emailed',
        params: OrganisationParams,
        body: DecisionBody,
        security: [{ session: [] }],
        response: { 200: Type.Ref('Organisation'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toOrganisationJson(
        await decideApplication(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.body,
          callerOf(request),
          app.config.publicUrl,
        ),
        app.config.publicUrl,
        request.params.citySlug,
        true,
      ),
  );

  app.put(
    '/api/v1/cities/:citySlug/organisations/:organisationId/trust',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'setOrganisationTrust',
        tags,
        summary: 'Trust an approved organisation to publish activities without review, or take the trust away',
        params: OrganisationParams,
        body: TrustBody,
        security: [{ session: [] }],
        response: { 200: Type.Ref('Organisation'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toOrganisationJson(
        await setOrganisationTrust(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.body.trusted,
          callerOf(request),
        ),
        app.config.publicUrl,
        request.params.citySlug,
      ),
  );

  // Members and invitations.
  app.get(
    `${one}/members`,
    {
      config: { access: 'organisation_staff', scope: 'members:read' },
      schema: {
        operationId: 'listOrganisationMembers',
        tags,
        summary: "The organisation's members and their roles",
        params: OrganisationParams,
        security,
        response: { 200: MemberList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: (await listOrganisationMembers(app.db, cityOf(request), request.params.organisationId)).map(toMemberJson),
    }),
  );

  app.patch(
    `${one}/members/:userId`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'changeOrganisationMemberRole',
        tags,
        summary: "Change a member's role (only owners give or take the owner role; the last owner stays)",
        params: MemberParams,
        body: RoleBody,
        security: [{ session: [] }],
        response: { 200: Type.Ref('OrganisationMember'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toMemberJson(
        await changeMemberRole(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.params.userId,
          request.body.role,
          callerOf(request),
        ),
      ),
  );

  app.delete(
    `${one}/members/:userId`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'removeOrganisationMember',
        tags,
        summary: 'Remove a member',
        params: MemberParams,
        security: [{ session: [] }],
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await actOnItem(request, 'userId', removeMember);
      return reply.code(204).send(null);
    },
  );

  app.get(
    `${one}/invitations`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'listOrganisationInvitations',
        tags,
        summary: 'Open invitations (not used, not expired)',
        params: OrganisationParams,
        security: [{ session: [] }],
        response: { 200: InvitationList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: (await listInvitations(app.db, cityOf(request), request.params.organisationId)).map(toInvitationJson),
    }),
  );

  app.post(
    `${one}/invitations`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'inviteOrganisationMember',
        tags,
        summary: 'Invite someone by email; the link expires and works once',
        params: OrganisationParams,
        body: InviteBody,
        security: [{ session: [] }],
        response: { 201: Type.Ref('OrganisationInvitation'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { invitation } = await inviteMember(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.body,
        callerOf(request),
        app.config.publicUrl,
      );
      return reply.code(201).send(toInvitationJson(invitation));
    },
  );

  app.delete(
    `${one}/invitations/:invitationId`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'revokeOrganisationInvitation',
        tags,
        summary: 'Withdraw an open invitation',
        params: InvitationParams,
        security: [{ session: [] }],
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await actOnItem(request, 'invitationId', revokeInvitation);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/invitations/accept',
    {
      config: { access: 'authenticated', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        operationId: 'acceptInvitation',
        tags,
        summary: 'Accept an invitation with the token from the email link (signed in with the invited address)',
        body: AcceptInvitationBody,
        security: [{ session: [] }],
        response: { 200: AcceptedInvitation, ...errorResponses(400, 401, 403, 410, 429) },
      },
    },
    async (request) => {
      const view = await acceptInvitation(app.db, request.body.token, callerOf(request));
      return { organisationId: view.organisation.id, citySlug: view.citySlug, role: view.invitation.role };
    },
  );

  // API tokens.
  app.get(
    `${one}/api-tokens`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'listApiTokens',
        tags,
        summary: "The organisation's API tokens in this city (never the secrets)",
        params: OrganisationParams,
        security: [{ session: [] }],
        response: { 200: ApiTokenList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: (await listOrganisationApiTokens(app.db, cityOf(request), request.params.organisationId)).map(
        toApiTokenJson,
      ),
    }),
  );

  app.post(
    `${one}/api-tokens`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'createApiToken',
        tags,
        summary: 'Create a scoped, expiring API token; the secret is in this response only',
        params: OrganisationParams,
        body: CreateApiTokenBody,
        security: [{ session: [] }],
        response: { 201: CreatedApiToken, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { token, secret } = await createApiToken(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.body,
        callerOf(request),
      );
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ token: toApiTokenJson(token), secret });
    },
  );

  app.delete(
    `${one}/api-tokens/:tokenId`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        operationId: 'revokeApiToken',
        tags,
        summary: 'Revoke an API token (it stops working at once)',
        params: TokenParams,
        security: [{ session: [] }],
        response: { 200: Type.Ref('ApiToken'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => toApiTokenJson(await actOnItem(request, 'tokenId', revokeOrganisationApiToken)),
  );
}
