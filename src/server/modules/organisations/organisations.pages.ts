import type { SqlRunner } from '../../db/client.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { FieldErrors } from '../../../web/forms.ts';
import { applicationQueuePage, type ApplicationView, curatorHubPage } from '../../../web/pages/curation.ts';
import {
  emptyOrganisationForm,
  invitationInvalidPage,
  invitationPage,
  type ManageData,
  manageOrganisationPage,
  newOrganisationPage,
  type OrganisationCard,
  type OrganisationFormValues,
  organisationDirectoryPage,
  organisationProfilePage,
} from '../../../web/pages/organisations.ts';
import type { MembershipRole, OrganisationKind } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { activityPath, listOrganisationUpcomingActivities, textIn } from '../activities/activity-page.pages.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import {
  canActForOrganisation,
  canManageMembers,
  isCityCurator,
  isNetworkAdmin,
  type UserActor,
} from '../accounts/actor.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { cityPageContext, decimal, field, fields, FormBody, formErrors } from './form-body.ts';
import { listAddresses, type OrganisationInCity } from './organisations.repo.ts';
import { actOnItem, callerOf } from './organisations.routes.ts';
import { cityOf } from '../../plugins/auth.ts';
import {
  AddressParams,
  CityParams,
  InvitationParams,
  MemberParams,
  OrganisationParams,
  Slug,
  TokenParams,
} from './organisations.schemas.ts';
import {
  acceptInvitation,
  addAddress,
  apiTokenScopes,
  changeMemberRole,
  createApiToken,
  createOrganisation,
  decideApplication,
  describeInvitation,
  getOrganisation,
  getOrganisationBySlug,
  type InvitationView,
  inviteMember,
  listApplications,
  listInvitations,
  listOrganisationApiTokens,
  listOrganisationMembers,
  listPublicOrganisations,
  organisationInCity,
  removeAddress,
  removeMember,
  revokeInvitation,
  revokeOrganisationApiToken,
  setOrganisationTrust,
  updateOrganisationProfile,
} from './organisations.service.ts';

const InvitationLinkParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
const PageQuery = Type.Object({
  lang: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  done: Type.Optional(Type.String()),
});

async function card(app: FastifyInstance, city: CityRecord, o: OrganisationInCity): Promise<OrganisationCard> {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    description: o.description,
    kinds: o.kinds,
    verified: o.verifiedAt !== null,
    status: o.status,
    decisionReason: o.decisionReason,
    website: o.website,
    contactEmail: o.contactEmail,
    addresses: await listAddresses(app.db, city.id, o.id),
  };
}

export async function organisationsPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;

  app.get(
    '/c/:citySlug/organisations',
    { config: { access: 'public' }, schema: { hide, params: CityParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const kind = ['provider', 'employer', 'endorser'].includes(request.query.kind ?? '')
        ? (request.query.kind as OrganisationKind)
        : undefined;
      const organisations = await listPublicOrganisations(app.db, city, kind);
      const actor = request.actor;
      const mine =
        actor?.kind === 'user' && actor.memberships.length > 0
          ? await app.db.query<{ id: string; name: string }>(
              `SELECT o.id, o.name FROM organisation_cities oc JOIN organisations o ON o.id = oc.organisation_id
                 WHERE oc.city_id = $1 AND oc.organisation_id = ANY($2::uuid[]) ORDER BY lower(o.name)`,
              [city.id, actor.memberships.map((m) => m.organisationId)],
            )
          : [];
      return sendPage(
        reply,
        organisationDirectoryPage(cityPageContext(request, reply, city), {
          organisations: await Promise.all(organisations.map((o) => card(app, city, o))),
          kind,
          isCurator: isCityCurator(actor, city.id),
          isNetworkAdmin: isNetworkAdmin(actor),
          mine,
        }),
      );
    },
  );

  app.get(
    '/c/:citySlug/organisations/new',
    { config: { access: 'authenticated' }, schema: { hide, params: CityParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      if (city.status === 'archived') throw new AppError('CITY_ARCHIVED');
      return sendPage(
        reply,
        newOrganisationPage(cityPageContext(request, reply, city), emptyOrganisationForm, {}, bounds(city)),
      );
    },
  );

  app.post(
    '/c/:citySlug/organisations/new',
    { config: { access: 'authenticated' }, schema: { hide, params: CityParams, body: FormBody } },
    async (request, reply) => {
      const city = cityOf(request);
      const body = request.body;
      const form: OrganisationFormValues = {
        name: field(body, 'name'),
        kinds: fields(body, 'kinds'),
        description: field(body, 'description'),
        website: field(body, 'website'),
        contactEmail: field(body, 'contactEmail'),
        street: field(body, 'street'),
        postcode: field(body, 'postcode'),
        locality: field(body, 'locality'),
        lat: field(body, 'lat'),
        lon: field(body, 'lon'),
        applicationNote: field(body, 'applicationNote'),
      };
      const hasAddress = [form.street, form.lat, form.lon].some((v) => v !== '');
      try {
        const created = await createOrganisation(
          app.db,
          city,
          {
            name: form.name,
            kinds: form.kinds,
            description: form.description,
            website: form.website || null,
            contactEmail: form.contactEmail || null,
            applicationNote: form.applicationNote,
            addresses: hasAddress
              ? [
                  {
                    street: form.street,
                    postcode: form.postcode,
                    locality: form.locality,
                    lat: decimal(form.lat),
                    lon: decimal(form.lon),
                  },
                ]
              : [],
          },
          callerOf(request),
          (request.actor as UserActor).userId,
        );
        return reply.redirect(`/c/${city.slug}/manage/${created.id}?done=applied`, 303);
      } catch (error) {
        const errors = formErrors(error);
        // Address problems arrive as /addresses/0/street; show them on the address fields.
        for (const [key, problem] of Object.entries(errors)) if (key === 'addresses') errors.street ??= problem;
        const details = error instanceof AppError ? error.details : [];
        for (const detail of details) {
          const match = /^\/addresses\/\d+\/(\w+)$/.exec(detail.field ?? '');
          if (match) errors[match[1] as string] ??= detail.problem;
        }
        delete errors.addresses;
        return sendPage(
          reply,
          newOrganisationPage(cityPageContext(request, reply, city), form, errors, bounds(city)),
          400,
        );
      }
    },
  );

  app.get(
    '/c/:citySlug/organisations/:organisationSlug',
    {
      config: { access: 'public' },
      schema: {
        hide,
        params: Type.Object({ citySlug: Slug, organisationSlug: Slug }),
        querystring: Type.Object({
          lang: Type.Optional(Type.String()),
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        }),
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const organisation = await getOrganisationBySlug(app.db, city, request.params.organisationSlug, request.actor);
      const context = cityPageContext(request, reply, city);
      // The organisation's published activities with dates to come, a page at a time.
      const page = request.query.page ?? 1;
      const perPage = 20;
      const upcoming = await listOrganisationUpcomingActivities(app.db, city.id, organisation.id, {
        limit: perPage,
        offset: (page - 1) * perPage,
      });
      return sendPage(
        reply,
        organisationProfilePage(
          context,
          { ...(await card(app, city, organisation)), addresses: organisation.addresses },
          canActForOrganisation(request.actor, organisation.id, 'staff') && request.actor?.kind === 'user',
          {
            items: upcoming.items.map((item) => {
              const title = textIn(item.title, context.language, city);
              return {
                ...item,
                title: title.text,
                titleLanguage: title.language,
                href: activityPath(city.slug, item.slug),
              };
            }),
            timeZone: city.timeZone,
            page,
            pages: Math.max(1, Math.ceil(upcoming.total / perPage)),
            basePath: `/c/${city.slug}/organisations/${organisation.slug}`,
          },
        ),
      );
    },
  );

  // The members' page: staff see the members; owners and admins also invite, change roles and manage API tokens.
  // `extra` is what an action adds to it: a notice, a form's values and errors, a new secret.
  async function managePage(
    request: FastifyRequest & { params: { organisationId: string } },
    reply: FastifyReply,
    extra: Partial<ManageData>,
    context = cityPageContext(request, reply, cityOf(request)),
  ) {
    const city = cityOf(request);
    const organisationId = request.params.organisationId;
    const organisation = await getOrganisation(app.db, city, organisationId, request.actor);
    const canAdmin = canManageMembers(request.actor, organisationId);
    return manageOrganisationPage(context, {
      organisation: { ...(await card(app, city, organisation)), addresses: organisation.addresses },
      viewerUserId: request.actor?.kind === 'user' ? request.actor.userId : null,
      canAdmin,
      members: await listOrganisationMembers(app.db, city, organisationId),
      invitations: canAdmin ? await listInvitations(app.db, city, organisationId) : [],
      tokens: canAdmin
        ? (await listOrganisationApiTokens(app.db, city, organisationId)).map((token) => ({
            ...token,
            prefix: token.tokenPrefix,
          }))
        : [],
      scopes: apiTokenScopes,
      ...extra,
    } satisfies ManageData);
  }

  const notices: Record<string, string> = {
    applied: 'organisations:manage.applied',
    invited: 'organisations:manage.invited',
    role: 'organisations:manage.roleChanged',
    removed: 'organisations:manage.removed',
    withdrawn: 'organisations:manage.withdrawn',
    revoked: 'organisations:tokens.revokedNotice',
    joined: 'organisations:invitation.joined',
    address: 'organisations:manage.addressAdded',
    profile: 'organisations:manage.profileSaved',
    addressRemoved: 'organisations:manage.addressRemoved',
  };

  app.get(
    '/c/:citySlug/manage/:organisationId',
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrganisationParams, querystring: PageQuery } },
    async (request, reply) => {
      const context = cityPageContext(request, reply, cityOf(request));
      const notice =
        request.query.done && notices[request.query.done]
          ? context.t(notices[request.query.done] as string)
          : undefined;
      return sendPage(reply, await managePage(request, reply, { notice }, context));
    },
  );

  const manageBase = '/c/:citySlug/manage/:organisationId';
  const back = (request: { params: { citySlug: string; organisationId: string } }, done: string) =>
    `/c/${request.params.citySlug}/manage/${request.params.organisationId}?done=${done}`;

  /** A form of the members' page: the action, then back to the page with its notice, or the page again with errors. */
  async function submitManageForm(
    request: FastifyRequest & { params: { citySlug: string; organisationId: string } },
    reply: FastifyReply,
    done: string,
    action: () => Promise<unknown>,
    withErrors: (errors: FieldErrors) => Partial<ManageData>,
  ) {
    try {
      await action();
      return reply.redirect(back(request, done), 303);
    } catch (error) {
      return sendPage(reply, await managePage(request, reply, withErrors(formErrors(error))), 400);
    }
  }

  app.post(
    `${manageBase}/invitations`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: OrganisationParams, body: FormBody } },
    async (request, reply) => {
      const email = field(request.body, 'email');
      const role = (field(request.body, 'role') || 'staff') as MembershipRole;
      return submitManageForm(
        request,
        reply,
        'invited',
        () => {
          const context = cityPageContext(request, reply, cityOf(request));
          return inviteMember(
            app.db,
            cityOf(request),
            request.params.organisationId,
            { email, role, language: context.language },
            callerOf(request),
            app.config.publicUrl,
          );
        },
        (errors) => {
          if (errors._form) errors.email ??= errors._form;
          return { inviteForm: { email, role, errors } };
        },
      );
    },
  );

  app.post(
    `${manageBase}/invitations/:invitationId/revoke`,
    {
      config: { access: 'organisation_admin' },
      schema: { hide, params: InvitationParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      await actOnItem(request, 'invitationId', revokeInvitation);
      return reply.redirect(back(request, 'withdrawn'), 303);
    },
  );

  app.post(
    `${manageBase}/members/:userId`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: MemberParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      try {
        await changeMemberRole(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.params.userId,
          field(request.body, 'role') as MembershipRole,
          callerOf(request),
        );
        return reply.redirect(back(request, 'role'), 303);
      } catch (error) {
        if (!(error instanceof AppError) || !['LAST_OWNER', 'OWNER_ONLY', 'VALIDATION_FAILED'].includes(error.code))
          throw error;
        const memberError = error.details[0]?.problem ?? error.message;
        return sendPage(reply, await managePage(request, reply, { memberError }), error.status);
      }
    },
  );

  app.post(
    `${manageBase}/members/:userId/remove`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: MemberParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      try {
        await actOnItem(request, 'userId', removeMember);
        return reply.redirect(back(request, 'removed'), 303);
      } catch (error) {
        if (!(error instanceof AppError) || !['LAST_OWNER', 'OWNER_ONLY'].includes(error.code)) throw error;
        return sendPage(reply, await managePage(request, reply, { memberError: error.message }), error.status);
      }
    },
  );

  app.post(
    `${manageBase}/api-tokens`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: OrganisationParams, body: FormBody } },
    async (request, reply) => {
      const form = {
        name: field(request.body, 'name'),
        scopes: fields(request.body, 'scopes'),
        expiresInDays: field(request.body, 'expiresInDays') || '90',
      };
      const context = cityPageContext(request, reply, cityOf(request));
      try {
        const { secret } = await createApiToken(
          app.db,
          cityOf(request),
          request.params.organisationId,
          { name: form.name, scopes: form.scopes, expiresInDays: Number(form.expiresInDays) },
          callerOf(request),
        );
        // The secret is shown on this response only; it is never stored or shown again.
        reply.header('cache-control', 'no-store');
        return sendPage(reply, await managePage(request, reply, { newSecret: secret }, context), 201).header(
          'cache-control',
          'no-store',
        );
      } catch (error) {
        const errors = formErrors(error);
        return sendPage(reply, await managePage(request, reply, { tokenForm: { ...form, errors } }, context), 400);
      }
    },
  );

  app.post(
    `${manageBase}/profile`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: OrganisationParams, body: FormBody } },
    async (request, reply) => {
      const values = {
        name: field(request.body, 'profileName'),
        kinds: fields(request.body, 'kinds'),
        description: field(request.body, 'description'),
        website: field(request.body, 'website'),
        contactEmail: field(request.body, 'contactEmail'),
      };
      return submitManageForm(
        request,
        reply,
        'profile',
        () =>
          updateOrganisationProfile(
            app.db,
            cityOf(request),
            request.params.organisationId,
            { ...values, website: values.website || null, contactEmail: values.contactEmail || null },
            callerOf(request),
          ),
        (errors) => ({ profileForm: { values, errors } }),
      );
    },
  );

  app.post(
    `${manageBase}/addresses`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: OrganisationParams, body: FormBody } },
    async (request, reply) => {
      const values = Object.fromEntries(
        ['label', 'street', 'postcode', 'locality', 'lat', 'lon'].map((name) => [name, field(request.body, name)]),
      ) as Record<string, string>;
      return submitManageForm(
        request,
        reply,
        'address',
        () =>
          addAddress(
            app.db,
            cityOf(request),
            request.params.organisationId,
            { ...values, street: values.street ?? '', lat: decimal(values.lat ?? ''), lon: decimal(values.lon ?? '') },
            callerOf(request),
          ),
        (errors) => ({ addressForm: { values, errors } }),
      );
    },
  );

  app.post(
    `${manageBase}/addresses/:addressId/remove`,
    {
      config: { access: 'organisation_admin' },
      schema: {
        hide,
        params: AddressParams,
        body: Type.Optional(FormBody),
      },
    },
    async (request, reply) => {
      await actOnItem(request, 'addressId', removeAddress);
      return reply.redirect(back(request, 'addressRemoved'), 303);
    },
  );

  app.post(
    `${manageBase}/api-tokens/:tokenId/revoke`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: TokenParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      await actOnItem(request, 'tokenId', revokeOrganisationApiToken);
      return reply.redirect(back(request, 'revoked'), 303);
    },
  );

  // Invitations: the link from the email.
  app.get(
    '/invitations/:token',
    {
      config: { access: 'public' },
      schema: { hide, params: InvitationLinkParams, querystring: PageQuery },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      try {
        const view = await describeInvitation(app.db, request.params.token);
        const context = pageContext(request, reply);
        return sendPage(
          reply,
          invitationPage(context, {
            ...invitationData(request.params.token, view),
            cityName: await invitationCityName(app.db, view.citySlug, context.language),
            signedIn: request.actor?.kind === 'user',
          }),
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'INVITATION_INVALID') throw error;
        return sendPage(reply, invitationInvalidPage(pageContext(request, reply)), 410);
      }
    },
  );

  app.post(
    '/invitations/:token',
    {
      config: { access: 'authenticated', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: { hide, params: InvitationLinkParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      try {
        const view = await acceptInvitation(app.db, request.params.token, callerOf(request));
        return reply.redirect(`/c/${view.citySlug}/manage/${view.organisation.id}?done=joined`, 303);
      } catch (error) {
        if (error instanceof AppError && error.code === 'INVITATION_INVALID') {
          return sendPage(reply, invitationInvalidPage(pageContext(request, reply)), 410);
        }
        if (!(error instanceof AppError) || error.code !== 'INVITATION_EMAIL_MISMATCH') throw error;
        const view = await describeInvitation(app.db, request.params.token);
        const context = pageContext(request, reply);
        return sendPage(
          reply,
          invitationPage(context, {
            ...invitationData(request.params.token, view),
            cityName: await invitationCityName(app.db, view.citySlug, context.language),
            signedIn: true,
            error: context.t('organisations:invitation.emailMismatch'),
          }),
          403,
        );
      }
    },
  );

  // Curators: hub and application queue.
  app.get(
    '/c/:citySlug/curate',
    { config: { access: 'city_curator' }, schema: { hide, params: CityParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const pending = await listApplications(app.db, city, 'pending');
      return sendPage(reply, curatorHubPage(cityPageContext(request, reply, city), { pending: pending.length }));
    },
  );

  async function queueData(city: CityRecord) {
    const toView = async (o: OrganisationInCity): Promise<ApplicationView> => ({
      ...o,
      addresses: await listAddresses(app.db, city.id, o.id),
    });
    const pending = await Promise.all((await listApplications(app.db, city, 'pending')).map(toView));
    const decided = [
      ...(await listApplications(app.db, city, 'approved')),
      ...(await listApplications(app.db, city, 'rejected')),
    ]
      .sort((a, b) => new Date(b.decidedAt ?? 0).getTime() - new Date(a.decidedAt ?? 0).getTime())
      .slice(0, 50);
    return { pending, decided: await Promise.all(decided.map(toView)) };
  }

  app.get(
    '/c/:citySlug/curate/organisations',
    { config: { access: 'city_curator' }, schema: { hide, params: CityParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const notice =
        request.query.done === 'approve' || request.query.done === 'reject' || request.query.done === 'trust'
          ? context.t(`organisations:curate.done.${request.query.done}`)
          : undefined;
      return sendPage(
        reply,
        applicationQueuePage(context, { ...(await queueData(city)), errors: {}, values: {}, notice }),
      );
    },
  );

  app.post(
    '/c/:citySlug/curate/organisations/:organisationId/trust',
    { config: { access: 'city_curator' }, schema: { hide, params: OrganisationParams, body: FormBody } },
    async (request, reply) => {
      const city = cityOf(request);
      await setOrganisationTrust(
        app.db,
        city,
        request.params.organisationId,
        field(request.body, 'trusted') === 'true',
        callerOf(request),
      );
      return reply.redirect(`/c/${city.slug}/curate/organisations?done=trust`, 303);
    },
  );

  app.post(
    '/c/:citySlug/curate/organisations/:organisationId',
    { config: { access: 'city_curator' }, schema: { hide, params: OrganisationParams, body: FormBody } },
    async (request, reply) => {
      const city = cityOf(request);
      const decision = field(request.body, 'decision') === 'reject' ? 'reject' : 'approve';
      const reason = field(request.body, 'reason');
      try {
        await organisationInCity(app.db, city, request.params.organisationId);
        await decideApplication(
          app.db,
          city,
          request.params.organisationId,
          { decision, reason, verify: field(request.body, 'verify') === 'true' },
          callerOf(request),
          app.config.publicUrl,
        );
        return reply.redirect(`/c/${city.slug}/curate/organisations?done=${decision}`, 303);
      } catch (error) {
        const errors: FieldErrors = formErrors(error);
        if (errors._form) errors.reason ??= errors._form;
        return sendPage(
          reply,
          applicationQueuePage(cityPageContext(request, reply, city), {
            ...(await queueData(city)),
            errors: { [request.params.organisationId]: errors },
            values: { [request.params.organisationId]: reason },
          }),
          400,
        );
      }
    },
  );
}

/** The invited-to city's name in the page's language (its slug if the city has gone). */
async function invitationCityName(db: SqlRunner, citySlug: string, language: string): Promise<string> {
  const [city] = await db.query<CityRecord>(
    'SELECT name, default_language AS "defaultLanguage" FROM cities WHERE slug = $1',
    [citySlug],
  );
  return city ? cityName(city, language) : citySlug;
}

/** What the invitation page shows of the invitation behind a link. */
function invitationData(token: string, view: InvitationView) {
  return {
    token,
    citySlug: view.citySlug,
    organisationName: view.organisation.name,
    role: view.invitation.role,
    email: view.invitation.email,
  };
}

function bounds(city: CityRecord) {
  return { south: city.boundsSouth, north: city.boundsNorth, west: city.boundsWest, east: city.boundsEast };
}
