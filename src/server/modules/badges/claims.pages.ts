import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { FieldErrors } from '../../../web/forms.ts';
import type { PageContext } from '../../../web/layout.ts';
import {
  type ClaimCodeForm,
  claimCodesPage,
  claimEntryPage,
  claimPosterPage,
  disableClaimCodePage,
} from '../../../web/pages/claims.ts';
import { AppError } from '../../errors.ts';
import { sendPage } from '../../plugins/web.ts';
import type { UserActor } from '../accounts/actor.ts';
import { parseInstant } from '../activities/time-zones.ts';
import { auditContext } from '../audit/audit.http.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityPageContext, FormBody, field, formErrors } from '../organisations/form-body.ts';
import { findOrganisationInCity } from '../organisations/organisations.repo.ts';
import { findBadgeClass } from './badge-classes.repo.ts';
import { badgePagePath, currentImagePath } from './badge-classes.service.ts';
import { claimRateLimit } from './claims.routes.ts';
import {
  type ClaimCodeDescription,
  type ClaimCodeRecord,
  claimCodeQr,
  claimCodeRefusal,
  claimCodeState,
  claimCodeUrl,
  claimPaths,
  claimWithCode,
  createClaimCode,
  describeClaimCode,
  disableClaimCode,
  formatClaimCode,
  getClaimCode,
  listClaimCodes,
} from './claims.service.ts';
import { credentialPaths, organiserBadge, textIn } from './credentials.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const Uuid = Type.String({ format: 'uuid' });
const CityParams = Type.Object({ citySlug: Slug });
const CodeParams = Type.Object({ citySlug: Slug, code: Type.String({ maxLength: 40 }) });
const BadgeParams = Type.Object({ citySlug: Slug, organisationId: Uuid, badgeId: Uuid });
const CodeIdParams = Type.Object({ citySlug: Slug, organisationId: Uuid, badgeId: Uuid, codeId: Uuid });
const PageQuery = Type.Object({
  lang: Type.Optional(Type.String()),
  done: Type.Optional(Type.String({ maxLength: 40 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});

const hide = true;
const locales: Record<string, string> = { en: 'en-GB', lt: 'lt-LT', it: 'it-IT' };

function formatWhen(value: Date | string, city: CityRecord, language: string): string {
  return new Intl.DateTimeFormat(locales[language] ?? 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: city.timeZone,
  }).format(new Date(value));
}

/** Claim codes: the learner's code page (and QR target), and the organiser's codes, poster and QR downloads. */
export async function claimsPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const config = app.config;

  // ── Learners ────────────────────────────────────────────────────────────────────────────────────────────────────

  async function badgeCard(city: CityRecord, description: ClaimCodeDescription, language: string) {
    const badge = (await findBadgeClass(app.db, city.id, description.badge.id)) ?? null;
    const organisation = await findOrganisationInCity(app.db, city.id, description.badge.organisationId);
    if (!badge) return null;
    return {
      name: textIn(badge.name, language, city),
      organisationName: organisation?.name ?? '',
      imageUrl: currentImagePath(city.slug, badge, 'png'),
      imageAlt: textIn(badge.imageAlt, language, city),
      pageUrl: badgePagePath(city.slug, badge.slug),
    };
  }

  /** The message of a refused claim in the page language (prerequisites name the badges still needed). */
  function claimError(context: PageContext, error: AppError): string {
    if (error.code === 'BADGE_PREREQUISITES_MISSING') {
      const badges = error.details.map((detail) => String(detail.badgeName ?? '')).filter(Boolean);
      return context.t('claims:errors.prerequisites', { badges: badges.join(', ') });
    }
    if (error.code === 'CLAIM_CODE_EXPIRED' && error.details.some((detail) => detail.reason === 'disabled'))
      return context.t('claims:errors.disabled');
    const known = ['CLAIM_CODE_INVALID', 'CLAIM_CODE_EXPIRED', 'CLAIM_CODE_USED_UP', 'BADGE_NOT_PUBLISHED'];
    return known.includes(error.code) ? context.t(`claims:errors.${error.code}`) : error.message;
  }

  async function renderEntry(request: FastifyRequest, reply: FastifyReply, code: string, refused?: AppError) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const userId = (request.actor as UserActor).userId;
    let description: ClaimCodeDescription | null = null;
    if (code) {
      try {
        description = await describeClaimCode(app.db, city, code, userId);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'CLAIM_CODE_INVALID') throw error;
      }
    }
    // A refused claim explains itself; otherwise a code that cannot be used says why before anyone presses the button.
    let error = refused;
    if (!error && code && !description) error = new AppError('CLAIM_CODE_INVALID');
    if (!error && description && !description.heldCredentialId && description.state !== 'active')
      error = claimCodeRefusal(description.state);
    return sendPage(
      reply,
      claimEntryPage(context, {
        formAction: claimPaths.enter(city.slug),
        code: description ? formatClaimCode(description.code.code) : code,
        error: error ? claimError(context, error) : undefined,
        badge: description ? await badgeCard(city, description, context.language) : null,
        heldUrl: description?.heldCredentialId ? credentialPaths.page(city.slug, description.heldCredentialId) : null,
        myBadgesUrl: credentialPaths.mine(city.slug),
      }),
      error?.status ?? 200,
    );
  }

  app.get(
    '/c/:citySlug/claim-code',
    {
      // A code in the query is looked up like a QR target, so it is limited alike (no guessing codes by the page).
      config: { access: 'authenticated', rateLimit: claimRateLimit },
      schema: {
        hide,
        params: CityParams,
        querystring: Type.Object({ lang: Type.Optional(Type.String()), code: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => renderEntry(request, reply, (request.query.code ?? '').slice(0, 40)),
  );

  app.get(
    '/c/:citySlug/claim-code/:code',
    {
      config: { access: 'authenticated', rateLimit: claimRateLimit },
      schema: { hide, params: CodeParams, querystring: PageQuery },
    },
    async (request, reply) => {
      // The code is a bearer of value: keep it out of other sites' Referer headers.
      reply.header('referrer-policy', 'no-referrer');
      return renderEntry(request, reply, request.params.code);
    },
  );

  app.post(
    '/c/:citySlug/claim-code',
    {
      config: { access: 'authenticated', rateLimit: claimRateLimit },
      schema: { hide, params: CityParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      const city = cityOf(request);
      const code = field(request.body, 'code');
      const userId = (request.actor as UserActor).userId;
      try {
        const result = await claimWithCode(app.db, config, city, auditContext(request), code, userId);
        if (!result.created) return reply.redirect(credentialPaths.page(city.slug, result.credentialId), 303);
        return reply.redirect(`${credentialPaths.mine(city.slug)}?done=claimed`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || [401, 403].includes(error.status)) throw error;
        return renderEntry(request, reply, code, error);
      }
    },
  );

  // ── Organisers ──────────────────────────────────────────────────────────────────────────────────────────────────

  interface ManageParams {
    organisationId: string;
    badgeId: string;
    codeId?: string;
  }

  async function organiserView(city: CityRecord, params: ManageParams, language: string) {
    const owned = await organiserBadge(app.db, city, params.organisationId, params.badgeId);
    const badge = await findBadgeClass(app.db, city.id, params.badgeId);
    const organisation = await findOrganisationInCity(app.db, city.id, params.organisationId);
    if (!badge) throw new AppError('BADGE_NOT_FOUND');
    return {
      name: textIn(owned.name, language, city),
      published: owned.status === 'published',
      manageUrl: credentialPaths.badgeManage(city.slug, params.organisationId, params.badgeId),
      listUrl: claimPaths.list(city.slug, params.organisationId, params.badgeId),
      organisationName: organisation?.name ?? '',
      imageUrl: currentImagePath(city.slug, badge, 'png'),
      imageAlt: textIn(badge.imageAlt, language, city),
    };
  }

  const listPath = '/c/:citySlug/manage/:organisationId/badges/:badgeId/claim-codes';
  const notices = ['created', 'disabled'];

  async function renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    params: ManageParams,
    options: { form?: ClaimCodeForm; errors?: FieldErrors; status?: number; page?: number; done?: string } = {},
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const badge = await organiserView(city, params, context.language);
    const page = await listClaimCodes(app.db, city, params.organisationId, params.badgeId, { page: options.page });
    const one = (record: ClaimCodeRecord) =>
      claimPaths.one(city.slug, params.organisationId, params.badgeId, record.id);
    return sendPage(
      reply,
      claimCodesPage(context, {
        badge,
        rows: page.items.map((record) => {
          const state = claimCodeState(record);
          return {
            display: formatClaimCode(record.code),
            label: record.label,
            uses: record.uses,
            maxUses: record.maxUses,
            expires: record.expiresAt ? formatWhen(record.expiresAt, city, context.language) : null,
            state,
            posterUrl: `${one(record)}/poster`,
            qrSvgUrl: `${one(record)}/qr.svg`,
            qrPngUrl: `${one(record)}/qr.png`,
            disableUrl: state === 'disabled' ? null : `${one(record)}/disable`,
          };
        }),
        form: options.form ?? { label: '', maxUses: '1', expiresAt: '' },
        errors: options.errors ?? {},
        notice:
          options.done && notices.includes(options.done) ? context.t(`claims:manage.done.${options.done}`) : undefined,
        timeZone: city.timeZone,
        previousUrl: page.page > 1 ? `${badge.listUrl}?page=${page.page - 1}` : null,
        nextUrl: page.hasNext ? `${badge.listUrl}?page=${page.page + 1}` : null,
      }),
      options.status ?? 200,
    );
  }

  app.get(
    listPath,
    { config: { access: 'organisation_staff' }, schema: { hide, params: BadgeParams, querystring: PageQuery } },
    async (request, reply) =>
      renderList(request, reply, request.params, { page: request.query.page, done: request.query.done }),
  );

  app.post(
    listPath,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: { hide, params: BadgeParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const form: ClaimCodeForm = {
        label: field(request.body, 'label'),
        maxUses: field(request.body, 'maxUses'),
        expiresAt: field(request.body, 'expiresAt'),
      };
      const errors: FieldErrors = {};
      const maxUses = /^\d{1,7}$/.test(form.maxUses) ? Number(form.maxUses) : Number.NaN;
      if (!Number.isInteger(maxUses) || maxUses < 1) errors.maxUses = context.t('claims:manage.badMaxUses');
      let expiresAt: Date | null = null;
      if (form.expiresAt) {
        expiresAt = parseInstant(form.expiresAt, city.timeZone);
        if (!expiresAt) errors.expiresAt = context.t('claims:manage.badExpiry');
        else if (expiresAt.getTime() <= Date.now()) errors.expiresAt = context.t('claims:manage.pastExpiry');
      }
      if (Object.keys(errors).length > 0)
        return renderList(request, reply, request.params, { form, errors, status: 400 });
      try {
        await createClaimCode(
          app.db,
          city,
          auditContext(request),
          request.params.organisationId,
          request.params.badgeId,
          {
            label: form.label,
            maxUses,
            expiresAt,
          },
        );
      } catch (error) {
        return renderList(request, reply, request.params, {
          form,
          errors: formErrors(error),
          status: (error as AppError).status,
        });
      }
      return reply.redirect(
        `${claimPaths.list(city.slug, request.params.organisationId, request.params.badgeId)}?done=created`,
        303,
      );
    },
  );

  const onePath = `${listPath}/:codeId`;

  app.get(
    `${onePath}/disable`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: CodeIdParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId, badgeId, codeId } = request.params;
      const badge = await organiserView(city, request.params, context.language);
      const record = await getClaimCode(app.db, city, organisationId, badgeId, codeId);
      return sendPage(
        reply,
        disableClaimCodePage(context, {
          badgeName: badge.name,
          display: formatClaimCode(record.code),
          label: record.label,
          uses: record.uses,
          maxUses: record.maxUses,
          formAction: `${claimPaths.one(city.slug, organisationId, badgeId, codeId)}/disable`,
          backUrl: badge.listUrl,
        }),
      );
    },
  );

  app.post(
    `${onePath}/disable`,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: { hide, params: CodeIdParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const { organisationId, badgeId, codeId } = request.params;
      await disableClaimCode(app.db, city, auditContext(request), organisationId, badgeId, codeId);
      return reply.redirect(`${claimPaths.list(city.slug, organisationId, badgeId)}?done=disabled`, 303);
    },
  );

  app.get(
    `${onePath}/poster`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: CodeIdParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId, badgeId, codeId } = request.params;
      const badge = await organiserView(city, request.params, context.language);
      const record = await getClaimCode(app.db, city, organisationId, badgeId, codeId);
      const one = claimPaths.one(city.slug, organisationId, badgeId, codeId);
      return sendPage(
        reply,
        claimPosterPage(context, {
          badgeName: badge.name,
          organisationName: badge.organisationName,
          imageUrl: badge.imageUrl,
          imageAlt: badge.imageAlt,
          display: formatClaimCode(record.code),
          qrSvg: (await claimCodeQr(config, city.slug, record.code, 'svg')) as string,
          claimUrl: claimCodeUrl(config, city.slug, record.code),
          enterUrl: `${config.publicUrl}${claimPaths.enter(city.slug)}`,
          expires: record.expiresAt ? formatWhen(record.expiresAt, city, context.language) : null,
          state: claimCodeState(record),
          backUrl: badge.listUrl,
          qrSvgUrl: `${one}/qr.svg`,
          qrPngUrl: `${one}/qr.png`,
        }),
      );
    },
  );

  for (const format of ['svg', 'png'] as const) {
    app.get(
      `${onePath}/qr.${format}`,
      { config: { access: 'organisation_staff', scope: 'badges:read' }, schema: { hide, params: CodeIdParams } },
      async (request, reply) => {
        const city = cityOf(request);
        const { organisationId, badgeId, codeId } = request.params;
        const record = await getClaimCode(app.db, city, organisationId, badgeId, codeId);
        const body = await claimCodeQr(config, city.slug, record.code, format);
        return reply
          .header('content-disposition', `attachment; filename="claim-code-${record.code}.${format}"`)
          .header('cache-control', 'private, no-cache')
          .type(format === 'svg' ? 'image/svg+xml' : 'image/png')
          .send(body);
      },
    );
  }
}
