import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type JsonObject, readText } from '../../../credentials/index.ts';
import type { FieldErrors } from '../../../web/forms.ts';
import type { PageContext } from '../../../web/layout.ts';
import {
  type AwardForm,
  type AwardResultView,
  awardPage,
  type BadgeImageView,
  claimInvalidPage,
  claimPage,
  type CorrectionForm,
  correctionPage,
  credentialPage,
  type CredentialSummaryView,
  type IssuedRowView,
  issuedListPage,
  myBadgesPage,
  type OrganiserBadgeView,
  statusActionPage,
} from '../../../web/pages/credentials.ts';
import type { Config } from '../../config.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { sendPage } from '../../plugins/web.ts';
import type { UserActor } from '../accounts/actor.ts';
import { localDateTime, parseInstant } from '../activities/time-zones.ts';
import { auditContext } from '../audit/audit.http.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { cityPageContext, field, FormBody, formErrors } from '../organisations/form-body.ts';
import { issuerProfileUrl } from './issuer-keys.service.ts';
import { JSON_LD, sendWithEtag, stableJson } from './credentials.routes.ts';
import {
  type AwardRecipient,
  awardBadge,
  claimCredential,
  type CorrectionChanges,
  correctCredential,
  type CredentialFilter,
  type CredentialRecord,
  credentialPaths,
  describeClaim,
  getCredential,
  isValidRecipientEmail,
  listCredentialsOfBadge,
  listCredentialsOfLearner,
  MAX_AWARD_RECIPIENTS,
  MAX_NARRATIVE_LENGTH,
  organiserBadge,
  reinstateCredential,
  revokeCredential,
  shownStatus,
  suspendCredential,
} from './credentials.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const Uuid = Type.String({ format: 'uuid' });
const Lang = { lang: Type.Optional(Type.String()) };
const CityParams = Type.Object({ citySlug: Slug });
const CredentialParams = Type.Object({ citySlug: Slug, credentialId: Uuid });
const TokenParams = Type.Object({ citySlug: Slug, token: Type.String({ maxLength: 200 }) });
const BadgeParams = Type.Object({ citySlug: Slug, organisationId: Uuid, badgeId: Uuid });
const ManageCredentialParams = Type.Object({
  citySlug: Slug,
  organisationId: Uuid,
  badgeId: Uuid,
  credentialId: Uuid,
});
interface ManageParams {
  organisationId: string;
  badgeId: string;
  credentialId: string;
}
const manageParams = (request: FastifyRequest) => request.params as ManageParams;
const PageQuery = Type.Object({ ...Lang, done: Type.Optional(Type.String({ maxLength: 40 })) });
const ListQuery = Type.Object({
  ...Lang,
  done: Type.Optional(Type.String({ maxLength: 40 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  after: Type.Optional(Type.String({ maxLength: 200 })),
});

const hide = true;
const locales: Record<string, string> = { en: 'en-GB', lt: 'lt-LT', it: 'it-IT' };

function formatDate(value: Date | string, city: CityRecord, language: string): string {
  return new Intl.DateTimeFormat(locales[language] ?? 'en-GB', { dateStyle: 'long', timeZone: city.timeZone }).format(
    new Date(value),
  );
}

/** Our own absolute URLs as paths, so pages work whichever host serves them. */
function localPath(config: Config, url: string): string {
  return url.startsWith(`${config.publicUrl}/`) ? url.slice(config.publicUrl.length) : url;
}

/** Prefers JSON(-LD) over HTML only when the Accept header ranks a JSON type higher (browsers send text/html). */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = -1;
  let json = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const q = Number(
      params
        .map((p) => p.trim())
        .find((p) => p.startsWith('q='))
        ?.slice(2) ?? 1,
    );
    const quality = Number.isNaN(q) ? 0 : q;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, quality);
    else if (/^application\/([\w.+-]+\+)?json$/.test(type) || type === 'application/vc') json = Math.max(json, quality);
  }
  return json > 0 && json > html;
}

/** The achievement the credential carries (its badge version), in the page language. */
function achievementView(config: Config, record: CredentialRecord, language: string) {
  const subject = record.document.credentialSubject as JsonObject | undefined;
  const achievement = (subject?.achievement ?? {}) as JsonObject;
  const criteria = (achievement.criteria ?? {}) as JsonObject;
  const image = achievement.image as JsonObject | undefined;
  const name = readText(achievement.name, language) ?? Object.values(record.badgeName)[0] ?? '';
  const imageView: BadgeImageView = {
    url: typeof image?.id === 'string' ? localPath(config, image.id) : null,
    alt: readText(image?.caption, language) ?? name,
  };
  return {
    name,
    description: readText(achievement.description, language) ?? '',
    criteria: readText(criteria.narrative, language) ?? '',
    image: imageView,
  };
}

function summaryOf(
  context: PageContext,
  config: Config,
  city: CityRecord,
  record: CredentialRecord,
): CredentialSummaryView {
  return {
    badgeName: achievementView(config, record, context.language).name,
    recipient: record.recipientName ? `${record.recipientName} <${record.recipientEmail}>` : record.recipientEmail,
    issuedOn: formatDate(record.validFrom, city, context.language),
    status: shownStatus(record),
  };
}

interface ParsedRecipients {
  people: { email: string; name: string; line: number }[];
  problems: string[];
}

/**
 * The award form's list: one person per line, as `email`, `email, name`, `name, email` or `Name <email>`. Blank lines
 * are skipped; every bad line is reported with its number.
 */
export function parseRecipientLines(
  text: string,
  describe: (line: number, value: string, problem: 'badLine' | 'duplicateLine') => string,
): ParsedRecipients {
  const people: ParsedRecipients['people'] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const value = raw.trim();
    if (!value) return;
    const angle = /^(.*)<([^>]+)>\s*$/.exec(value);
    let email: string;
    let name: string;
    if (angle) {
      email = (angle[2] ?? '').trim();
      name = (angle[1] ?? '').trim().replace(/^"|"$/g, '');
    } else {
      const parts = value.split(/[,;\t]/).map((part) => part.trim());
      // The part with an @ is the address (either order works); the rest is the name.
      const at = Math.max(
        parts.findIndex((part) => part.includes('@')),
        0,
      );
      email = parts[at] as string;
      name = parts
        .filter((_, i) => i !== at)
        .join(' ')
        .trim();
    }
    if (!isValidRecipientEmail(email)) problems.push(describe(index + 1, value, 'badLine'));
    else if (seen.has(email.toLowerCase())) problems.push(describe(index + 1, value, 'duplicateLine'));
    else {
      seen.add(email.toLowerCase());
      people.push({ email, name, line: index + 1 });
    }
  });
  return { people, problems };
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The evidence link and narrative of the award and correction forms, checked with messages in the page language. */
function evidenceErrors(context: PageContext, evidenceUrl: string, narrative: string): FieldErrors {
  const errors: FieldErrors = {};
  if (evidenceUrl && !isHttpUrl(evidenceUrl)) errors.evidenceUrl = context.t('credentials:award.badEvidenceUrl');
  if (narrative.length > MAX_NARRATIVE_LENGTH)
    errors.narrative = context.t('credentials:award.narrativeTooLong', { max: MAX_NARRATIVE_LENGTH });
  return errors;
}

/** The pages of issued badges: the credential page, the organiser's award and issued lists, claim links, "My badges". */
export async function credentialsPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const config = app.config;

  // ── The public credential page (JSON-LD for clients that ask for JSON) ───────────────────────────────────────────

  app.get(
    '/c/:citySlug/credentials/:credentialId',
    { config: { access: 'public' }, schema: { hide, params: CredentialParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const record = await getCredential(app.db, city, request.params.credentialId);
      if (prefersJson(request.headers.accept)) {
        return sendWithEtag(request, reply, stableJson(record.document), JSON_LD, 'public, max-age=3600');
      }
      const context = cityPageContext(request, reply, city);
      const achievement = achievementView(config, record, context.language);
      const base = credentialPaths.page(city.slug, record.id);
      const evidence = Array.isArray(record.document.evidence) ? (record.document.evidence as JsonObject[]) : [];
      return sendPage(
        reply,
        credentialPage(context, {
          badgeName: achievement.name,
          description: achievement.description,
          criteria: achievement.criteria,
          image: achievement.image,
          recipientName: record.recipientName,
          organisationName: record.organisationName,
          issuerUrl: localPath(config, issuerProfileUrl(config, record.organisationId)),
          issuedOn: formatDate(record.validFrom, city, context.language),
          validUntil: record.validUntil ? formatDate(record.validUntil, city, context.language) : null,
          status: shownStatus(record),
          statusReason: record.statusReason,
          statusDate: record.statusChangedAt ? formatDate(record.statusChangedAt, city, context.language) : null,
          replacementUrl: record.supersededById ? credentialPaths.page(city.slug, record.supersededById) : null,
          originalUrl: record.supersedesId ? credentialPaths.page(city.slug, record.supersedesId) : null,
          evidence: evidence.map((item) => ({
            url: typeof item.id === 'string' && /^https?:\/\//.test(item.id) ? item.id : null,
            narrative: readText(item.narrative, context.language) ?? null,
          })),
          verifyUrl: credentialPaths.verify(config, city.slug, record.id),
          downloads: {
            json: `${base}/credential.json`,
            jwt: `${base}/credential.jwt`,
            png: `${base}/badge.png`,
            svg: `${base}/badge.svg`,
            ob2Png: `${base}/ob2/badge.png`,
            ob2: `${base}/ob2`,
          },
        }),
      );
    },
  );

  // ── Organisers: award ─────────────────────────────────────────────────────────────────────────────────────────────

  async function badgeView(city: CityRecord, organisationId: string, badgeId: string, language: string) {
    const badge = await organiserBadge(app.db, city, organisationId, badgeId);
    const view: OrganiserBadgeView = {
      name: badge.name[language] || badge.name[city.defaultLanguage] || Object.values(badge.name)[0] || '',
      published: badge.status === 'published',
      manageUrl: credentialPaths.badgeManage(city.slug, organisationId, badgeId),
      awardUrl: credentialPaths.award(city.slug, organisationId, badgeId),
      issuedUrl: credentialPaths.issued(city.slug, organisationId, badgeId),
    };
    return view;
  }

  const awardPath = '/c/:citySlug/manage/:organisationId/badges/:badgeId/award';

  app.get(
    awardPath,
    { config: { access: 'organisation_staff' }, schema: { hide, params: BadgeParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId, badgeId } = request.params;
      const badge = await badgeView(city, organisationId, badgeId, context.language);
      return sendPage(
        reply,
        awardPage(context, {
          badge,
          form: { recipients: '', evidenceUrl: '', narrative: '' },
          errors: {},
          preview: null,
          results: null,
        }),
      );
    },
  );

  /** Refusals of an award (field `/recipients/<n>` is the n-th person) as messages beside the recipients field. */
  function awardErrors(context: PageContext, details: ErrorDetail[], people: ParsedRecipients['people']): FieldErrors {
    const errors: FieldErrors = {};
    const lines: string[] = [];
    for (const detail of details) {
      const match = /^\/recipients\/(\d+)/.exec(detail.field ?? '');
      const person = match ? people[Number(match[1])] : undefined;
      if (!person) {
        const name = (detail.field ?? '').replace(/^\//, '').split('/')[0] || '_form';
        errors[name] ??= detail.problem;
        continue;
      }
      const badges = Array.isArray(detail.badges) ? (detail.badges as string[]) : [];
      const problem =
        detail.code === 'BADGE_PREREQUISITES_MISSING'
          ? context.t('credentials:award.needsPrerequisites', { badges: badges.join(', ') })
          : detail.problem;
      lines.push(context.t('credentials:award.lineProblem', { line: person.line, email: person.email, problem }));
    }
    if (lines.length) errors.recipients = lines.join(' ');
    return errors;
  }

  app.post(
    awardPath,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: { hide, params: BadgeParams, querystring: PageQuery, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { t } = context;
      const { organisationId, badgeId } = request.params;
      const badge = await badgeView(city, organisationId, badgeId, context.language);
      const form: AwardForm = {
        recipients: field(request.body, 'recipients'),
        evidenceUrl: field(request.body, 'evidenceUrl'),
        narrative: field(request.body, 'narrative'),
      };
      const parsed = parseRecipientLines(form.recipients, (line, value, problem) =>
        t(`credentials:award.${problem}`, { line, value }),
      );
      const recipients: AwardRecipient[] = parsed.people.map((p) =>
        p.name ? { email: p.email, name: p.name } : { email: p.email },
      );
      const input = { recipients, evidenceUrl: form.evidenceUrl || undefined, narrative: form.narrative || undefined };
      let errors: FieldErrors = evidenceErrors(context, form.evidenceUrl, form.narrative);
      if (parsed.problems.length) errors.recipients = parsed.problems.join(' ');
      else if (parsed.people.length === 0) errors.recipients = t('credentials:award.noRecipients');
      else if (parsed.people.length > MAX_AWARD_RECIPIENTS)
        errors.recipients = t('credentials:award.tooMany', { max: MAX_AWARD_RECIPIENTS });
      const render = (extra: Partial<Parameters<typeof awardPage>[1]>, status = 200) =>
        sendPage(reply, awardPage(context, { badge, form, errors, preview: null, results: null, ...extra }), status);
      if (Object.keys(errors).length > 0) return render({}, 400);
      const idempotencyKey = field(request.body, 'idempotencyKey');
      if (field(request.body, 'step') !== 'issue' || !/^[0-9a-f-]{36}$/.test(idempotencyKey)) {
        return render({ preview: { people: parsed.people, idempotencyKey: randomUUID() } });
      }
      try {
        const outcomes = await awardBadge(app.db, config, city, auditContext(request), organisationId, badgeId, input, {
          idempotencyKey: `award-form:${idempotencyKey}`,
        });
        const results: AwardResultView[] = [];
        for (const outcome of outcomes) {
          const record = await getCredential(app.db, city, outcome.credentialId);
          results.push({
            email: record.recipientEmail,
            name: record.recipientName,
            created: outcome.created,
            claimPending: record.claimPending,
            url: credentialPaths.page(city.slug, record.id),
          });
        }
        return sendPage(
          reply,
          awardPage(context, {
            badge,
            form: { recipients: '', evidenceUrl: '', narrative: '' },
            errors: {},
            preview: null,
            results,
          }),
        );
      } catch (error) {
        if (error instanceof AppError && (error.code === 'AWARD_REJECTED' || error.code === 'VALIDATION_FAILED')) {
          errors = awardErrors(context, error.details, parsed.people);
          return render({}, error.status);
        }
        errors = formErrors(error);
        return render({}, (error as AppError).status);
      }
    },
  );

  // ── Organisers: the issued list and its actions ───────────────────────────────────────────────────────────────────

  const issuedPath = '/c/:citySlug/manage/:organisationId/badges/:badgeId/credentials';
  const filters = new Set(['active', 'suspended', 'revoked', 'expired']);

  app.get(
    issuedPath,
    { config: { access: 'organisation_staff' }, schema: { hide, params: BadgeParams, querystring: ListQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId, badgeId } = request.params;
      const badge = await badgeView(city, organisationId, badgeId, context.language);
      const filter = filters.has(request.query.status ?? '') ? (request.query.status as CredentialFilter) : undefined;
      const page = await listCredentialsOfBadge(app.db, city, organisationId, badgeId, {
        status: filter,
        after: request.query.after,
        limit: 25,
      });
      const manage = (credentialId: string, action: string) =>
        `${credentialPaths.issued(city.slug, organisationId, badgeId)}/${credentialId}/${action}`;
      const rows: IssuedRowView[] = page.items.map((record) => ({
        recipientName: record.recipientName,
        recipientEmail: record.recipientEmail,
        claimPending: record.claimPending,
        issuedOn: formatDate(record.validFrom, city, context.language),
        status: shownStatus(record),
        statusReason: record.statusReason,
        pageUrl: credentialPaths.page(city.slug, record.id),
        actions:
          record.status === 'active'
            ? {
                correct: manage(record.id, 'correct'),
                suspend: manage(record.id, 'suspend'),
                revoke: manage(record.id, 'revoke'),
              }
            : record.status === 'suspended'
              ? { reinstate: manage(record.id, 'reinstate'), revoke: manage(record.id, 'revoke') }
              : {},
      }));
      const query = (after?: string) => {
        const params = new URLSearchParams();
        if (filter) params.set('status', filter);
        if (after) params.set('after', after);
        return params.size ? `${badge.issuedUrl}?${params}` : badge.issuedUrl;
      };
      const done = request.query.done ?? '';
      return sendPage(
        reply,
        issuedListPage(context, {
          badge,
          filter: filter ?? '',
          rows,
          firstUrl: request.query.after ? query() : null,
          nextUrl: page.next ? query(page.next) : null,
          notice: ['revoke', 'suspend', 'reinstate', 'correct'].includes(done)
            ? context.t(`credentials:actions.${done}.done`)
            : undefined,
        }),
      );
    },
  );

  async function manageRecord(request: FastifyRequest) {
    const city = cityOf(request);
    const { organisationId, badgeId, credentialId } = manageParams(request);
    const record = await getCredential(app.db, city, credentialId);
    if (record.organisationId !== organisationId || record.badgeClassId !== badgeId)
      throw new AppError('CREDENTIAL_NOT_FOUND');
    return record;
  }

  const runners = { revoke: revokeCredential, suspend: suspendCredential, reinstate: reinstateCredential } as const;
  for (const action of ['revoke', 'suspend', 'reinstate'] as const) {
    const path = `${issuedPath}/:credentialId/${action}`;
    const renderAction = (
      request: FastifyRequest,
      reply: FastifyReply,
      record: CredentialRecord,
      reason: string,
      error?: { message: string; status: number },
    ) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId, badgeId } = manageParams(request);
      return sendPage(
        reply,
        statusActionPage(context, {
          action,
          summary: summaryOf(context, config, city, record),
          formAction: `${credentialPaths.issued(city.slug, organisationId, badgeId)}/${record.id}/${action}`,
          backUrl: credentialPaths.issued(city.slug, organisationId, badgeId),
          reason,
          error: error?.message,
        }),
        error?.status ?? 200,
      );
    };

    app.get(
      path,
      {
        config: { access: 'organisation_staff' },
        schema: { hide, params: ManageCredentialParams, querystring: PageQuery },
      },
      async (request, reply) => renderAction(request, reply, await manageRecord(request), ''),
    );

    app.post(
      path,
      {
        config: { access: 'organisation_staff', scope: 'badges:issue' },
        schema: { hide, params: ManageCredentialParams, body: Type.Optional(FormBody) },
      },
      async (request, reply) => {
        const city = cityOf(request);
        const { organisationId, badgeId } = request.params;
        const record = await manageRecord(request);
        const reason = field(request.body, 'reason');
        const context = cityPageContext(request, reply, city);
        try {
          await app.db.transaction((tx) =>
            runners[action](tx, config, city, auditContext(request), record.id, reason, { organisationId }),
          );
        } catch (error) {
          if (error instanceof AppError && error.code === 'VALIDATION_FAILED')
            return renderAction(request, reply, record, reason, {
              message: context.t('credentials:actions.reasonRequired'),
              status: 400,
            });
          if (error instanceof AppError && error.code === 'CREDENTIAL_STATUS_CONFLICT')
            return renderAction(request, reply, record, reason, { message: error.message, status: 409 });
          throw error;
        }
        return reply.redirect(`${credentialPaths.issued(city.slug, organisationId, badgeId)}?done=${action}`, 303);
      },
    );
  }

  const correctPath = `${issuedPath}/:credentialId/correct`;

  function currentCorrectionForm(city: CityRecord, record: CredentialRecord): CorrectionForm {
    const evidence = Array.isArray(record.document.evidence) ? (record.document.evidence as JsonObject[]) : [];
    const first = evidence[0] ?? {};
    return {
      recipientName: record.recipientName,
      issueDate: localDateTime(new Date(record.validFrom), city.timeZone).date,
      narrative: readText(first.narrative, city.defaultLanguage) ?? '',
      evidenceUrl: typeof first.id === 'string' ? first.id : '',
    };
  }

  const renderCorrection = (
    request: FastifyRequest,
    reply: FastifyReply,
    record: CredentialRecord,
    form: CorrectionForm,
    errors: FieldErrors,
    status = 200,
  ) => {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const { organisationId, badgeId } = manageParams(request);
    return sendPage(
      reply,
      correctionPage(context, {
        summary: summaryOf(context, config, city, record),
        formAction: `${credentialPaths.issued(city.slug, organisationId, badgeId)}/${record.id}/correct`,
        backUrl: credentialPaths.issued(city.slug, organisationId, badgeId),
        form,
        errors,
      }),
      status,
    );
  };

  app.get(
    correctPath,
    {
      config: { access: 'organisation_staff' },
      schema: { hide, params: ManageCredentialParams, querystring: PageQuery },
    },
    async (request, reply) => {
      const record = await manageRecord(request);
      return renderCorrection(request, reply, record, currentCorrectionForm(cityOf(request), record), {});
    },
  );

  app.post(
    correctPath,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: { hide, params: ManageCredentialParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId, badgeId } = request.params;
      const record = await manageRecord(request);
      const current = currentCorrectionForm(city, record);
      const form: CorrectionForm = {
        recipientName: field(request.body, 'recipientName'),
        issueDate: field(request.body, 'validFrom'),
        narrative: field(request.body, 'narrative'),
        evidenceUrl: field(request.body, 'evidenceUrl'),
      };
      const changes: CorrectionChanges = {};
      const errors: FieldErrors = evidenceErrors(context, form.evidenceUrl, form.narrative);
      if (!form.recipientName && current.recipientName)
        errors.recipientName = context.t('credentials:actions.correct.nameRequired');
      else if (form.recipientName.length > 200)
        errors.recipientName = context.t('credentials:actions.correct.nameTooLong');
      if (form.recipientName !== current.recipientName) changes.recipientName = form.recipientName;
      if (form.issueDate !== current.issueDate) {
        // The corrected date keeps the original time of day (in the city's time zone), and is never in the future.
        const time = localDateTime(new Date(record.validFrom), city.timeZone).time;
        const instant = /^\d{4}-\d{2}-\d{2}$/.test(form.issueDate)
          ? parseInstant(`${form.issueDate}T${time}`, city.timeZone)
          : null;
        if (!instant) errors.validFrom = context.t('credentials:actions.correct.badDate');
        else changes.validFrom = new Date(Math.min(instant.getTime(), Date.now()));
      }
      if (form.narrative !== current.narrative) changes.narrative = form.narrative || null;
      if (form.evidenceUrl !== current.evidenceUrl) changes.evidenceUrl = form.evidenceUrl || null;
      if (Object.keys(errors).length === 0 && Object.keys(changes).length === 0)
        errors._form = context.t('credentials:actions.correct.nothingChanged');
      if (Object.keys(errors).length > 0) return renderCorrection(request, reply, record, form, errors, 400);
      try {
        await app.db.transaction((tx) =>
          correctCredential(tx, config, city, auditContext(request), record.id, changes, { organisationId }),
        );
      } catch (error) {
        return renderCorrection(request, reply, record, form, formErrors(error), (error as AppError).status);
      }
      return reply.redirect(`${credentialPaths.issued(city.slug, organisationId, badgeId)}?done=correct`, 303);
    },
  );

  // ── Claim links ───────────────────────────────────────────────────────────────────────────────────────────────────

  const claimRateLimit = { max: 30, timeWindow: '1 minute' };

  app.get(
    '/c/:citySlug/claim/:token',
    {
      config: { access: 'public', rateLimit: claimRateLimit },
      schema: { hide, params: TokenParams, querystring: PageQuery },
    },
    async (request, reply) => {
      // The token must not leak to other sites through the Referer header.
      reply.header('referrer-policy', 'no-referrer');
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      let record: CredentialRecord;
      try {
        record = await describeClaim(app.db, city, request.params.token);
      } catch (error) {
        if (error instanceof AppError && error.code === 'CLAIM_LINK_INVALID')
          return sendPage(reply, claimInvalidPage(context, credentialPaths.mine(city.slug)), 410);
        throw error;
      }
      const achievement = achievementView(config, record, context.language);
      const here = credentialPaths.claim(city.slug, request.params.token);
      const actor = request.actor?.kind === 'user' ? (request.actor as UserActor) : null;
      return sendPage(
        reply,
        claimPage(
          context,
          {
            badgeName: achievement.name,
            organisationName: record.organisationName,
            description: achievement.description,
            image: achievement.image,
          },
          actor
            ? { kind: 'signedIn', formAction: here, accountEmail: actor.email }
            : {
                kind: 'anonymous',
                signInUrl: `/login?next=${encodeURIComponent(here)}`,
                signUpUrl: `/c/${city.slug}/signup`,
              },
        ),
      );
    },
  );

  app.post(
    '/c/:citySlug/claim/:token',
    {
      config: { access: 'authenticated', rateLimit: claimRateLimit },
      schema: { hide, params: TokenParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      const city = cityOf(request);
      const userId = (request.actor as UserActor).userId;
      try {
        await app.db.transaction((tx) =>
          claimCredential(tx, app.config, city, auditContext(request), request.params.token, userId),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'CLAIM_LINK_INVALID') {
          const context = cityPageContext(request, reply, city);
          return sendPage(reply, claimInvalidPage(context, credentialPaths.mine(city.slug)), 410);
        }
        throw error;
      }
      return reply.redirect(`${credentialPaths.mine(city.slug)}?done=claimed`, 303);
    },
  );

  // ── My badges ─────────────────────────────────────────────────────────────────────────────────────────────────────

  app.get(
    '/c/:citySlug/my/badges',
    { config: { access: 'authenticated' }, schema: { hide, params: CityParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const records = await listCredentialsOfLearner(app.db, city.id, (request.actor as UserActor).userId);
      return sendPage(
        reply,
        myBadgesPage(context, {
          cityName: cityName(city, context.language),
          badges: records.map((record) => {
            const achievement = achievementView(config, record, context.language);
            return {
              badgeName: achievement.name,
              organisationName: record.organisationName,
              image: achievement.image,
              issuedOn: formatDate(record.validFrom, city, context.language),
              status: shownStatus(record),
              pageUrl: credentialPaths.page(city.slug, record.id),
              pngUrl: `${credentialPaths.page(city.slug, record.id)}/badge.png`,
            };
          }),
          notice: request.query.done === 'claimed' ? context.t('credentials:mine.claimed') : undefined,
          activitiesUrl: `/c/${city.slug}/activities`,
        }),
      );
    },
  );
}
