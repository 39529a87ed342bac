import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { FieldErrors } from '../../../web/forms.ts';
import { isSupportedLanguage, languageName, type Translate } from '../../../web/i18n.ts';
import type { PageContext } from '../../../web/layout.ts';
import {
  type EndorsementFormValues,
  type EndorsementView,
  emptyImportForm,
  endorsementsManagePage,
  type ImportFormValues,
  issuerManagePage,
  publicIssuerPage,
  rotateConfirmPage,
  withdrawConfirmPage,
} from '../../../web/pages/issuers.ts';
import { AppError } from '../../errors.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import { canActForOrganisation } from '../accounts/actor.ts';
import { cityName } from '../cities/cities.service.ts';
import { cityPageContext, field, FormBody } from '../organisations/form-body.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import { organisationInCity } from '../organisations/organisations.service.ts';
import { type EndorsementRecord, listReceivedEndorsementsEverywhere } from './endorsements.repo.ts';
import {
  createEndorsement,
  endorsementTargets,
  endorsementUrl,
  getOwnEndorsement,
  listOrganisationEndorsements,
  withdrawEndorsement,
} from './endorsements.service.ts';
import { listPublishedBadgesOfOrganisation } from './issuer-keys.repo.ts';
import { type ImportedKeyInput, issuerOverview, publicIssuerOverview, rotateIssuerKey } from './issuer-keys.service.ts';
import { cityOf } from '../../plugins/auth.ts';

/**
 * Issuer pages: the public issuer page at `/issuers/:organisationId` (served by the issuers route when a browser asks
 * for HTML), and the organisation's own pages under `/c/:city/manage/:organisation/`: `issuer` (identity, keys,
 * rotation with a confirmation step, key import) and `endorsements` (endorse, list, withdraw with confirmation).
 */

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ citySlug: Slug, organisationId: Uuid });
const EndorsementParams = Type.Object({ citySlug: Slug, organisationId: Uuid, endorsementId: Uuid });
const PageQuery = Type.Object({
  lang: Type.Optional(Type.String()),
  done: Type.Optional(Type.String()),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  receivedPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});

const BADGES_PER_PAGE = 24;
const RECEIVED_ON_PUBLIC_PAGE = 50;

const manageBaseOf = (request: FastifyRequest) => {
  const { citySlug, organisationId } = request.params as { citySlug: string; organisationId: string };
  return `/c/${citySlug}/manage/${organisationId}`;
};
const pathOf = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
const pickText = (texts: Record<string, string>, language: string) =>
  texts[language] ?? texts[''] ?? Object.values(texts).find(Boolean) ?? '';

function endorsementView(record: EndorsementRecord & { citySlug?: string }, urlOf: (id: string) => string) {
  const citySlug = record.citySlug;
  return {
    id: record.id,
    url: pathOf(urlOf(record.id)),
    endorserName: record.endorserName,
    target: {
      kind: record.targetBadgeClassId ? ('badge' as const) : ('organisation' as const),
      name: record.targetName,
      href: record.targetBadgeClassId
        ? citySlug && record.targetBadgeSlug
          ? `/c/${citySlug}/badges/${record.targetBadgeSlug}`
          : null
        : `/issuers/${record.targetOrganisationId}`,
    },
    comment: record.comment,
    createdAt: record.createdAt,
    withdrawnAt: record.withdrawnAt,
  } satisfies EndorsementView;
}

/** Sends a page that also has a JSON form at the same URL: shared caches must keep the two apart. */
function sendNegotiatedPage(reply: FastifyReply, markup: string): FastifyReply {
  return reply
    .code(200)
    .header('content-type', 'text/html; charset=utf-8')
    .header('vary', 'Accept, Accept-Language, Cookie')
    .header('cache-control', 'no-cache')
    .send(markup);
}

/** The public issuer page (HTML); the issuers route calls it when the Accept header prefers HTML. */
export async function renderPublicIssuerPage(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  page: number,
): Promise<FastifyReply> {
  const { organisationId } = request.params as { organisationId: string };
  const overview = await publicIssuerOverview(app.db, app.config, organisationId);
  const context = pageContext(request, reply);
  const badges = await listPublishedBadgesOfOrganisation(app.db, organisationId, {
    limit: BADGES_PER_PAGE,
    offset: (page - 1) * BADGES_PER_PAGE,
  });
  const received = await listReceivedEndorsementsEverywhere(app.db, organisationId, RECEIVED_ON_PUBLIC_PAGE);
  const markup = publicIssuerPage(context, {
    name: overview.organisation.name,
    description: overview.organisation.description,
    website: overview.organisation.website,
    did: overview.did,
    profileUrl: overview.profileUrl,
    didDocumentUrl: pathOf(overview.didDocumentUrl),
    ob2Url: `${pathOf(overview.profileUrl)}/ob2`,
    keyCount: overview.keys.length,
    badges: {
      items: badges.items.map((badge) => ({
        name: badge.name,
        cityName: cityName({ name: badge.cityName, defaultLanguage: 'en' }, context.language),
        href: `/c/${badge.citySlug}/badges/${badge.slug}`,
        kind: badge.kind,
      })),
      page,
      pageSize: BADGES_PER_PAGE,
      total: badges.total,
    },
    endorsements: received.map((record) =>
      endorsementView(record, (id) => endorsementUrl(app.config, record.citySlug, id)),
    ),
  });
  return sendNegotiatedPage(reply, markup.value);
}

/** Translated messages for the problems the import form can have, by field. */
function importErrors(error: unknown, t: Translate): FieldErrors {
  if (!(error instanceof AppError)) throw error;
  if (error.code === 'ISSUER_KEY_EXISTS') return { _form: t('issuers:errors.keyExists') };
  if (error.code !== 'ISSUER_KEY_INVALID') throw error;
  const errors: FieldErrors = {};
  for (const detail of error.details) {
    const name = (detail.field ?? '').replace(/^\//, '');
    if (name === 'jwk') errors.jwk ??= t('issuers:errors.jwk');
    else if (name === 'publicKeyMultibase') errors.publicKeyMultibase ??= t('issuers:errors.publicKey');
    else errors.secretKeyMultibase ??= t('issuers:errors.secretKey');
  }
  return errors;
}

/** Translated messages for the endorsement form, by field (`comment-<language>` for a comment). */
function endorsementErrors(error: unknown, t: Translate, firstLanguage: string): FieldErrors {
  if (!(error instanceof AppError)) throw error;
  switch (error.code) {
    case 'ENDORSEMENT_SELF':
      return { target: t('issuers:errors.self') };
    case 'ENDORSEMENT_EXISTS':
      return { target: t('issuers:errors.exists') };
    case 'ENDORSEMENT_TARGET_NOT_FOUND':
      return { target: t('issuers:errors.targetNotFound') };
    case 'ENDORSER_NOT_APPROVED':
      return { _form: t('issuers:endorse.notApproved') };
    case 'VALIDATION_FAILED': {
      const errors: FieldErrors = {};
      for (const detail of error.details) {
        const [name, language] = (detail.field ?? '').replace(/^\//, '').split('/');
        if (name === 'target') errors.target ??= t('issuers:errors.target');
        else if (name === 'comment' && language) errors[`comment-${language}`] ??= t('issuers:errors.commentTooLong');
        else errors[`comment-${firstLanguage}`] ??= t('issuers:errors.comment');
      }
      return errors;
    }
    default:
      throw error;
  }
}

export async function issuersPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;
  const base = '/c/:citySlug/manage/:organisationId';

  // ── Issuer and keys ──
  const issuerNotices: Record<string, string> = {
    rotated: 'issuers:notices.rotated',
    imported: 'issuers:notices.imported',
  };

  async function renderIssuer(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { importForm?: ImportFormValues } = {},
    status = 200,
  ) {
    const city = cityOf(request);
    const { organisationId } = request.params as { organisationId: string };
    const organisation = await organisationInCity(app.db, city, organisationId);
    const overview = await issuerOverview(app.db, app.config, organisationId);
    const context = cityPageContext(request, reply, city);
    const done = (request.query as { done?: string } | undefined)?.done;
    // The import form may carry a secret key typed in: never keep this page in a cache.
    reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      issuerManagePage(context, {
        manageBase: manageBaseOf(request),
        organisation: { id: organisation.id, name: organisation.name },
        did: overview.did,
        profilePath: pathOf(overview.profileUrl),
        didDocumentPath: pathOf(overview.didDocumentUrl),
        ob2Path: `${pathOf(overview.profileUrl)}/ob2`,
        keys: overview.keys,
        canAdmin: canActForOrganisation(request.actor, organisationId, 'admin'),
        timeZone: city.timeZone,
        notice: done && issuerNotices[done] ? context.t(issuerNotices[done] as string) : undefined,
        importForm: extra.importForm ?? emptyImportForm,
      }),
      status,
    );
  }

  app.get(
    `${base}/issuer`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, querystring: PageQuery } },
    async (request, reply) => renderIssuer(request, reply),
  );

  async function renderRotateConfirm(request: FastifyRequest, reply: FastifyReply) {
    const city = cityOf(request);
    const { organisationId } = request.params as { organisationId: string };
    const organisation = await organisationInCity(app.db, city, organisationId);
    const overview = await issuerOverview(app.db, app.config, organisationId);
    const context = cityPageContext(request, reply, city);
    reply.header('cache-control', 'no-store');
    return sendPage(
      reply,
      rotateConfirmPage(context, {
        manageBase: manageBaseOf(request),
        organisationName: organisation.name,
        // A second submission of the same confirmation (a double click, a resend) rotates only once.
        requestId: randomUUID(),
        activeKey: overview.keys.find((key) => key.status === 'active')?.publicKeyMultibase ?? null,
      }),
    );
  }

  app.get(
    `${base}/issuer/rotate`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: OrgParams, querystring: PageQuery } },
    async (request, reply) => renderRotateConfirm(request, reply),
  );

  app.post(
    `${base}/issuer/rotate`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: OrgParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      // Only a confirmed form rotates; anything else shows the question first.
      if (field(request.body, 'confirmed') !== 'yes') return renderRotateConfirm(request, reply);
      const city = cityOf(request);
      await organisationInCity(app.db, city, request.params.organisationId);
      const caller = callerOf(request);
      const requestId = field(request.body, 'requestId');
      await rotateIssuerKey(app.db, app.config, caller.audit, request.params.organisationId, undefined, {
        cityId: city.id,
        createdBy: caller.audit.actorUserId,
        ...(/^[0-9a-f-]{36}$/.test(requestId) ? { idempotencyKey: `page:${requestId}` } : {}),
      });
      return reply.redirect(`${manageBaseOf(request)}/issuer?done=rotated`, 303);
    },
  );

  app.post(
    `${base}/issuer/import`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: OrgParams, body: FormBody } },
    async (request, reply) => {
      const city = cityOf(request);
      await organisationInCity(app.db, city, request.params.organisationId);
      const context = cityPageContext(request, reply, city);
      const { t } = context;
      const raw = (name: string) => {
        const value = request.body?.[name];
        return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
      };
      const form: ImportFormValues = {
        jwk: raw('jwk'),
        publicKeyMultibase: raw('publicKeyMultibase'),
        secretKeyMultibase: raw('secretKeyMultibase'),
        errors: {},
      };
      let input: ImportedKeyInput | undefined;
      if (form.jwk) {
        try {
          const parsed = JSON.parse(form.jwk) as unknown;
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
            input = { jwk: parsed as Record<string, unknown> };
          else form.errors.jwk = t('issuers:errors.jwkJson');
        } catch {
          form.errors.jwk = t('issuers:errors.jwkJson');
        }
      } else if (form.publicKeyMultibase || form.secretKeyMultibase) {
        input = { publicKeyMultibase: form.publicKeyMultibase, secretKeyMultibase: form.secretKeyMultibase };
      } else {
        form.errors.jwk = t('issuers:errors.importEmpty');
      }
      if (input) {
        try {
          const caller = callerOf(request);
          await rotateIssuerKey(app.db, app.config, caller.audit, request.params.organisationId, input, {
            cityId: city.id,
            createdBy: caller.audit.actorUserId,
          });
          return reply.redirect(`${manageBaseOf(request)}/issuer?done=imported`, 303);
        } catch (error) {
          form.errors = importErrors(error, t);
        }
      }
      return renderIssuer(request, reply, { importForm: form }, 400);
    },
  );

  // ── Endorsements ──
  const endorsementNotices: Record<string, string> = {
    created: 'issuers:notices.endorsed',
    withdrawn: 'issuers:notices.withdrawn',
  };

  async function renderEndorsements(
    request: FastifyRequest,
    reply: FastifyReply,
    form: EndorsementFormValues = { target: '', comment: {}, errors: {} },
    status = 200,
  ) {
    const city = cityOf(request);
    const { organisationId } = request.params as { organisationId: string };
    const query = (request.query ?? {}) as { done?: string; page?: number; receivedPage?: number };
    const organisation = await organisationInCity(app.db, city, organisationId);
    const context: PageContext = cityPageContext(request, reply, city);
    const canAdmin = canActForOrganisation(request.actor, organisationId, 'admin');
    const targets = canAdmin
      ? await endorsementTargets(app.db, city, organisationId)
      : { badges: [], organisations: [] };
    const given = await listOrganisationEndorsements(app.db, city, organisationId, 'given', query.page ?? 1);
    const received = await listOrganisationEndorsements(
      app.db,
      city,
      organisationId,
      'received',
      query.receivedPage ?? 1,
    );
    const view = (record: EndorsementRecord) =>
      endorsementView({ ...record, citySlug: city.slug }, (id) => endorsementUrl(app.config, city.slug, id));
    const languages = city.languages.filter(isSupportedLanguage);
    return sendPage(
      reply,
      endorsementsManagePage(context, {
        manageBase: manageBaseOf(request),
        organisation: { id: organisation.id, name: organisation.name },
        canAdmin,
        canEndorse: organisation.status === 'approved',
        languages: languages.map((code) => ({ code, name: languageName(code) })),
        targets: {
          badges: targets.badges.map((badge) => ({
            value: `badge:${badge.id}`,
            label: `${pickText(badge.name, context.language)} (${badge.organisationName})`,
          })),
          organisations: targets.organisations.map((o) => ({ value: `organisation:${o.id}`, label: o.name })),
        },
        form,
        given: { ...given, items: given.items.map(view) },
        received: { ...received, items: received.items.map(view) },
        timeZone: city.timeZone,
        notice:
          query.done && endorsementNotices[query.done]
            ? context.t(endorsementNotices[query.done] as string)
            : undefined,
      }),
      status,
    );
  }

  app.get(
    `${base}/endorsements`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, querystring: PageQuery } },
    async (request, reply) => renderEndorsements(request, reply),
  );

  app.post(
    `${base}/endorsements`,
    { config: { access: 'organisation_admin' }, schema: { hide, params: OrgParams, body: FormBody } },
    async (request, reply) => {
      const city = cityOf(request);
      const languages = city.languages;
      const target = field(request.body, 'target');
      const comment = Object.fromEntries(
        languages.map((language) => {
          const value = request.body?.[`comment-${language}`];
          return [language, (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).replace(/\r\n/g, '\n').trim()];
        }),
      );
      const form: EndorsementFormValues = { target, comment, errors: {} };
      const [kind, id] = target.split(':');
      try {
        await createEndorsement(
          app.db,
          app.config,
          city,
          request.params.organisationId,
          {
            targetBadgeClassId: kind === 'badge' ? (id ?? null) : null,
            targetOrganisationId: kind === 'organisation' ? (id ?? null) : null,
            comment,
          },
          callerOf(request),
        );
      } catch (error) {
        const { t } = cityPageContext(request, reply, city);
        form.errors = endorsementErrors(error, t, languages[0] ?? 'en');
        return renderEndorsements(request, reply, form, 400);
      }
      return reply.redirect(`${manageBaseOf(request)}/endorsements?done=created`, 303);
    },
  );

  async function renderWithdraw(request: FastifyRequest, reply: FastifyReply) {
    const city = cityOf(request);
    const { organisationId, endorsementId } = request.params as { organisationId: string; endorsementId: string };
    const organisation = await organisationInCity(app.db, city, organisationId);
    const endorsement = await getOwnEndorsement(app.db, city, organisationId, endorsementId);
    if (endorsement.withdrawnAt !== null) return reply.redirect(`${manageBaseOf(request)}/endorsements`, 303);
    const context = cityPageContext(request, reply, city);
    return sendPage(
      reply,
      withdrawConfirmPage(context, {
        manageBase: manageBaseOf(request),
        organisationName: organisation.name,
        endorsement: endorsementView({ ...endorsement, citySlug: city.slug }, (id) =>
          endorsementUrl(app.config, city.slug, id),
        ),
      }),
    );
  }

  app.get(
    `${base}/endorsements/:endorsementId/withdraw`,
    {
      config: { access: 'organisation_admin' },
      schema: { hide, params: EndorsementParams, querystring: PageQuery },
    },
    async (request, reply) => renderWithdraw(request, reply),
  );

  app.post(
    `${base}/endorsements/:endorsementId/withdraw`,
    {
      config: { access: 'organisation_admin' },
      schema: { hide, params: EndorsementParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      if (field(request.body, 'confirmed') !== 'yes') return renderWithdraw(request, reply);
      await withdrawEndorsement(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.params.endorsementId,
        callerOf(request),
      );
      return reply.redirect(`${manageBaseOf(request)}/endorsements?done=withdrawn`, 303);
    },
  );
}
