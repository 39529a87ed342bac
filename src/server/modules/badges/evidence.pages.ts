import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { FieldErrors } from '../../../web/forms.ts';
import type { PageContext } from '../../../web/layout.ts';
import {
  type ApplyView,
  applyPage,
  type BadgeHeaderView,
  type FileView,
  myEvidencePage,
  peerPage,
  queuePage,
  rejectPage,
  type ReviewView,
  reviewPage,
} from '../../../web/pages/evidence.ts';
import type { ErrorDetail } from '../../errors.ts';
import { AppError } from '../../errors.ts';
import { sendPage } from '../../plugins/web.ts';
import type { UserActor } from '../accounts/actor.ts';
import { type MultipartBody, parseMultipart } from '../accounts/multipart.ts';
import { auditContext } from '../audit/audit.http.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityPageContext, FormBody, field, formErrors } from '../organisations/form-body.ts';
import { findOrganisationInCity } from '../organisations/organisations.repo.ts';
import type { BadgeClassRecord } from './badge-classes.repo.ts';
import { badgePagePath, currentImagePath } from './badge-classes.service.ts';
import { credentialPaths, textIn } from './credentials.service.ts';
import { EVIDENCE_BODY_LIMIT, itemsFromMultipart, sendEvidenceFile } from './evidence.routes.ts';
import {
  applicationFor,
  confirmPeerRequest,
  decideSubmission,
  type EvidenceFileRecord,
  evidenceFile,
  evidencePaths,
  getReview,
  isEarner,
  learnerBadge,
  listMyEvidence,
  myPeerRequest,
  peerRequestsFor,
  requestPeerCheck,
  type ReviewDecision,
  reviewQueue,
  submitEvidence,
} from './evidence.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const BadgeSlug = Type.String({ maxLength: 100 });
const Uuid = Type.String({ format: 'uuid' });
const CityParams = Type.Object({ citySlug: Slug });
const BadgeParams = Type.Object({ citySlug: Slug, slug: BadgeSlug });
const PeerParams = Type.Object({ citySlug: Slug, slug: BadgeSlug, submissionId: Uuid });
const MyFileParams = Type.Object({ citySlug: Slug, submissionId: Uuid, fileId: Uuid });
const OrgParams = Type.Object({ citySlug: Slug, organisationId: Uuid });
const SubmissionParams = Type.Object({ citySlug: Slug, organisationId: Uuid, submissionId: Uuid });
const FileParams = Type.Object({ citySlug: Slug, organisationId: Uuid, submissionId: Uuid, fileId: Uuid });
const PageQuery = Type.Object({
  lang: Type.Optional(Type.String()),
  done: Type.Optional(Type.String({ maxLength: 40 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
const QueueQuery = Type.Object({
  lang: Type.Optional(Type.String()),
  done: Type.Optional(Type.String({ maxLength: 40 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  badge: Type.Optional(Type.String({ maxLength: 40 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
});

const hide = true;
const userIdOf = (request: FastifyRequest) => (request.actor as UserActor).userId;
const locales: Record<string, string> = { en: 'en-GB', lt: 'lt-LT', it: 'it-IT' };

function formatDate(value: Date | string, city: CityRecord, language: string): string {
  return new Intl.DateTimeFormat(locales[language] ?? 'en-GB', { dateStyle: 'long', timeZone: city.timeZone }).format(
    new Date(value),
  );
}

function badgeHeaderOf(city: CityRecord, badge: BadgeClassRecord, language: string): BadgeHeaderView {
  return {
    name: textIn(badge.name, language, city),
    imageUrl: currentImagePath(city.slug, badge, 'png'),
    imageAlt: textIn(badge.imageAlt, language, city),
    pageUrl: badgePagePath(city.slug, badge.slug),
  };
}

/** Field errors of an evidence refusal (`/items/<n>`), as messages in the page language beside each answer. */
function evidenceErrors(context: PageContext, details: ErrorDetail[], kinds: string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const detail of details) {
    const match = /^\/items\/(\d+)$/.exec(detail.field ?? '');
    const index = match ? Number(match[1]) : -1;
    const kind = kinds[index];
    const reason = typeof detail.reason === 'string' ? detail.reason : 'invalid';
    if (!kind) {
      errors._form ??= reason === 'totalTooLarge' ? context.t('claims:apply.errors.totalTooLarge') : detail.problem;
      continue;
    }
    const name = kind === 'file' || kind === 'photo' ? `file-${index}` : `item-${index}`;
    errors[name] ??= context.t(`claims:apply.errors.${kind}.${reason}`, { defaultValue: detail.problem });
  }
  return errors;
}

/** Evidence pages: the learner's application and "My evidence", the organisation's queue and reviews, peer checks. */
export async function evidencePages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const config = app.config;
  // The application form posts multipart/form-data (this plugin only); text fields become strings, files buffers.
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: EVIDENCE_BODY_LIMIT },
    (request, body, done) => {
      try {
        done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
      } catch {
        done(new AppError('BAD_REQUEST'), undefined);
      }
    },
  );

  // ── The learner's application ─────────────────────────────────────────────────────────────────────────────────

  const applyPath = '/c/:citySlug/badges/:slug/apply';

  async function renderApply(
    request: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    options: { values?: Record<number, string>; errors?: FieldErrors; status?: number; notice?: string } = {},
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const application = await applicationFor(app.db, city, slug, userIdOf(request));
    const { badge, submission } = application;
    const open = submission && (submission.status === 'pending' || submission.status === 'more_info');
    const filesFor = (requirement: number): FileView[] =>
      submission && submission.status === 'more_info'
        ? application.files
            .filter((file) => file.requirement === requirement)
            .map((file) => ({
              name: file.fileName,
              size: file.size,
              url: evidencePaths.myFile(city.slug, file.submissionId, file.id),
            }))
        : [];
    const stored = (index: number) => {
      if (submission?.status !== 'more_info') return '';
      const item = submission.items.find((entry) => entry.requirement === index);
      return item?.text ?? item?.url ?? '';
    };
    const closed: ApplyView['closed'] = application.heldCredentialId
      ? 'held'
      : submission?.status === 'pending'
        ? 'pending'
        : badge.status !== 'published' || !badge.evidenceClaimsOpen
          ? 'notOpen'
          : null;
    return sendPage(
      reply,
      applyPage(context, {
        badge: badgeHeaderOf(city, badge, context.language),
        closed,
        heldUrl: application.heldCredentialId ? credentialPaths.page(city.slug, application.heldCredentialId) : null,
        status: submission && (open || submission.status === 'rejected') ? submission.status : null,
        feedback: submission && submission.status !== 'pending' ? submission.feedback : null,
        sentOn: submission ? formatDate(submission.updatedAt, city, context.language) : null,
        requirements: application.requirements.map((requirement, index) => ({
          kind: requirement.kind,
          instructions: textIn(requirement.instructions, context.language, city),
          value: options.values?.[index] ?? stored(index),
          files: filesFor(index),
        })),
        formAction: evidencePaths.apply(city.slug, badge.slug),
        errors: options.errors ?? {},
        notice: options.notice,
        myEvidenceUrl: evidencePaths.mine(city.slug),
      }),
      options.status ?? 200,
    );
  }

  app.get(
    applyPath,
    { config: { access: 'authenticated' }, schema: { hide, params: BadgeParams, querystring: PageQuery } },
    async (request, reply) => renderApply(request, reply, request.params.slug),
  );

  app.post(
    applyPath,
    {
      config: { access: 'authenticated', rateLimit: { max: 20, timeWindow: '1 minute' } },
      bodyLimit: EVIDENCE_BODY_LIMIT,
      schema: { hide, params: BadgeParams },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const body = (request.body ?? {}) as MultipartBody;
      const items = itemsFromMultipart(body);
      const values = Object.fromEntries(items.map((item) => [item.requirement, item.text ?? '']));
      try {
        const { submission, resubmitted } = await submitEvidence(
          app.db,
          config,
          city,
          auditContext(request),
          request.params.slug,
          userIdOf(request),
          items,
        );
        return reply.redirect(
          `${evidencePaths.mine(city.slug)}?done=${resubmitted ? 'resubmitted' : 'submitted'}#${submission.id}`,
          303,
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || [401, 403, 404].includes(error.status)) throw error;
        const badge = await learnerBadge(app.db, city, request.params.slug);
        const application = await applicationFor(app.db, city, badge.id, userIdOf(request));
        const kinds = application.requirements.map((requirement) => requirement.kind);
        const errors = error.details.some((detail) => /^\/items/.test(detail.field ?? ''))
          ? evidenceErrors(context, error.details, kinds)
          : { _form: context.t(`claims:errors.${error.code}`, { defaultValue: error.message }) };
        return renderApply(request, reply, request.params.slug, { values, errors, status: error.status });
      }
    },
  );

  // ── My evidence ───────────────────────────────────────────────────────────────────────────────────────────────

  app.get(
    '/c/:citySlug/my/evidence',
    { config: { access: 'authenticated' }, schema: { hide, params: CityParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { submissions, files } = await listMyEvidence(app.db, city, userIdOf(request));
      const required = new Map<string, number | null>();
      for (const submission of submissions) {
        if (submission.review === 'peer' && !required.has(submission.badgeClassId)) {
          const badge = await learnerBadge(app.db, city, submission.badgeClassId).catch(() => undefined);
          required.set(submission.badgeClassId, badge?.peerConfirmationsRequired ?? null);
        }
      }
      const done = request.query.done ?? '';
      return sendPage(
        reply,
        myEvidencePage(context, {
          rows: submissions.map((submission) => ({
            badgeName: textIn(submission.badgeName, context.language, city),
            kind: submission.review,
            status: submission.status,
            sentOn: formatDate(submission.updatedAt, city, context.language),
            feedback: submission.feedback,
            confirmations: submission.confirmations,
            required: required.get(submission.badgeClassId) ?? null,
            url:
              submission.review === 'peer'
                ? evidencePaths.peer(city.slug, submission.badgeSlug)
                : evidencePaths.apply(city.slug, submission.badgeSlug),
            credentialUrl: submission.credentialId ? credentialPaths.page(city.slug, submission.credentialId) : null,
            files: files
              .filter((file) => file.submissionId === submission.id)
              .map((file) => ({
                name: file.fileName,
                size: file.size,
                url: evidencePaths.myFile(city.slug, submission.id, file.id),
              })),
          })),
          notice: ['submitted', 'resubmitted'].includes(done) ? context.t(`claims:mine.done.${done}`) : undefined,
        }),
      );
    },
  );

  app.get(
    '/c/:citySlug/my/evidence/:submissionId/files/:fileId',
    { config: { access: 'authenticated' }, schema: { hide, params: MyFileParams } },
    async (request, reply) => {
      const { submissionId, fileId } = request.params;
      const file = await evidenceFile(app.db, cityOf(request), { userId: userIdOf(request) }, submissionId, fileId);
      return sendEvidenceFile(reply, file);
    },
  );

  // ── Organisers: queue, review, decisions, files ───────────────────────────────────────────────────────────────

  const queuePath = '/c/:citySlug/manage/:organisationId/evidence';
  const queueNotices = ['approve', 'reject', 'request-more'];

  app.get(
    queuePath,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, querystring: QueueQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId } = request.params;
      const organisation = await findOrganisationInCity(app.db, city.id, organisationId);
      if (!organisation) throw new AppError('ORGANISATION_NOT_FOUND');
      const query = request.query;
      const queue = await reviewQueue(app.db, city, organisationId, {
        badgeClassId: query.badge,
        status: query.status,
        page: query.page,
      });
      const base = evidencePaths.queue(city.slug, organisationId);
      const badgeFilter = queue.badges.some((badge) => badge.id === query.badge) ? (query.badge as string) : '';
      const statusFilter = ['pending', 'more_info', 'approved', 'rejected'].includes(query.status ?? '')
        ? (query.status as string)
        : '';
      const pageUrl = (page: number) => {
        const params = new URLSearchParams();
        if (badgeFilter) params.set('badge', badgeFilter);
        if (statusFilter) params.set('status', statusFilter);
        params.set('page', String(page));
        return `${base}?${params}`;
      };
      const done = query.done ?? '';
      return sendPage(
        reply,
        queuePage(context, {
          organisationName: organisation.name,
          rows: queue.items.map((submission) => ({
            learner: submission.learnerName,
            badgeName: textIn(submission.badgeName, context.language, city),
            status: submission.status,
            sentOn: formatDate(submission.updatedAt, city, context.language),
            reviewUrl: evidencePaths.review(city.slug, organisationId, submission.id),
          })),
          badges: queue.badges.map((badge) => ({ value: badge.id, label: textIn(badge.name, context.language, city) })),
          badgeFilter,
          statusFilter,
          formAction: base,
          total: queue.total,
          page: queue.page,
          previousUrl: queue.page > 1 ? pageUrl(queue.page - 1) : null,
          nextUrl: queue.page * queue.pageSize < queue.total ? pageUrl(queue.page + 1) : null,
          notice: queueNotices.includes(done) ? context.t(`claims:review.done.${done}`) : undefined,
        }),
      );
    },
  );

  const reviewPath = `${queuePath}/:submissionId`;

  async function renderReview(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { organisationId: string; submissionId: string },
    options: { errors?: FieldErrors; form?: ReviewView['form']; status?: number } = {},
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const { organisationId, submissionId } = params;
    const { submission, requirements, files } = await getReview(app.db, city, organisationId, submissionId);
    const review = evidencePaths.review(city.slug, organisationId, submission.id);
    const fileView = (file: EvidenceFileRecord): FileView => ({
      name: file.fileName,
      size: file.size,
      url: `${review}/files/${file.id}`,
    });
    return sendPage(
      reply,
      reviewPage(context, {
        learner: submission.learnerName,
        learnerEmail: submission.learnerEmail,
        badgeName: textIn(submission.badgeName, context.language, city),
        badgePageUrl: badgePagePath(city.slug, submission.badgeSlug),
        status: submission.status,
        sentOn: formatDate(submission.updatedAt, city, context.language),
        feedback: submission.feedback,
        answers: requirements.map((requirement, index) => {
          const item = submission.items.find((entry) => entry.requirement === index);
          return {
            kind: requirement.kind,
            instructions: textIn(requirement.instructions, context.language, city),
            text: item?.text ?? null,
            url: item?.url ?? null,
            files: files.filter((file) => file.requirement === index).map(fileView),
          };
        }),
        credentialUrl: submission.credentialId ? credentialPaths.page(city.slug, submission.credentialId) : null,
        backUrl: evidencePaths.queue(city.slug, organisationId),
        approveAction: `${review}/approve`,
        requestMoreAction: `${review}/request-more`,
        rejectUrl: `${review}/reject`,
        errors: options.errors ?? {},
        form: options.form ?? { note: '', feedback: '' },
      }),
      options.status ?? 200,
    );
  }

  app.get(
    reviewPath,
    { config: { access: 'organisation_staff' }, schema: { hide, params: SubmissionParams, querystring: PageQuery } },
    async (request, reply) => renderReview(request, reply, request.params),
  );

  app.get(
    `${reviewPath}/files/:fileId`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: FileParams } },
    async (request, reply) => {
      const { organisationId, submissionId, fileId } = request.params;
      const file = await evidenceFile(app.db, cityOf(request), { organisationId }, submissionId, fileId);
      return sendEvidenceFile(reply, file);
    },
  );

  async function decide(
    request: FastifyRequest,
    reply: FastifyReply,
    decision: ReviewDecision,
    text: string,
  ): Promise<{ ok: true } | { ok: false; error: AppError }> {
    const city = cityOf(request);
    const { organisationId, submissionId } = request.params as { organisationId: string; submissionId: string };
    try {
      await decideSubmission(app.db, config, city, auditContext(request), organisationId, submissionId, decision, text);
      return { ok: true };
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || [401, 403, 404].includes(error.status)) throw error;
      reply.code(error.status);
      return { ok: false, error };
    }
  }

  for (const decision of ['approve', 'request-more'] as const) {
    app.post(
      `${reviewPath}/${decision}`,
      {
        config: { access: 'organisation_staff', scope: 'badges:issue' },
        schema: { hide, params: SubmissionParams, body: Type.Optional(FormBody) },
      },
      async (request, reply) => {
        const city = cityOf(request);
        const context = cityPageContext(request, reply, city);
        const form = { note: field(request.body, 'note'), feedback: field(request.body, 'feedback') };
        const result = await decide(request, reply, decision, decision === 'approve' ? form.note : form.feedback);
        if (result.ok)
          return reply.redirect(
            `${evidencePaths.queue(city.slug, request.params.organisationId)}?done=${decision}`,
            303,
          );
        const errors: FieldErrors =
          result.error.code === 'VALIDATION_FAILED'
            ? { [decision === 'approve' ? 'note' : 'feedback']: context.t('claims:review.feedbackRequired') }
            : result.error.code === 'BADGE_PREREQUISITES_MISSING'
              ? {
                  _form: context.t('claims:errors.prerequisitesOf', {
                    badges: result.error.details.map((detail) => String(detail.badgeName ?? '')).join(', '),
                  }),
                }
              : formErrors(result.error);
        return renderReview(request, reply, request.params, { errors, form, status: result.error.status });
      },
    );
  }

  app.get(
    `${reviewPath}/reject`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: SubmissionParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId, submissionId } = request.params;
      const { submission } = await getReview(app.db, city, organisationId, submissionId);
      const review = evidencePaths.review(city.slug, organisationId, submissionId);
      return sendPage(
        reply,
        rejectPage(context, {
          learner: submission.learnerName,
          badgeName: textIn(submission.badgeName, context.language, city),
          formAction: `${review}/reject`,
          backUrl: review,
          feedback: '',
        }),
      );
    },
  );

  app.post(
    `${reviewPath}/reject`,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      schema: { hide, params: SubmissionParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { organisationId, submissionId } = request.params;
      const feedback = field(request.body, 'feedback');
      const result = await decide(request, reply, 'reject', feedback);
      if (result.ok) return reply.redirect(`${evidencePaths.queue(city.slug, organisationId)}?done=reject`, 303);
      const { submission } = await getReview(app.db, city, organisationId, submissionId);
      const review = evidencePaths.review(city.slug, organisationId, submissionId);
      return sendPage(
        reply,
        rejectPage(context, {
          learner: submission.learnerName,
          badgeName: textIn(submission.badgeName, context.language, city),
          formAction: `${review}/reject`,
          backUrl: review,
          feedback,
          error:
            result.error.code === 'VALIDATION_FAILED'
              ? context.t('claims:review.feedbackRequired')
              : context.t(`claims:errors.${result.error.code}`, { defaultValue: result.error.message }),
        }),
        result.error.status,
      );
    },
  );

  // ── Peer checks ───────────────────────────────────────────────────────────────────────────────────────────────

  const peerPath = '/c/:citySlug/badges/:slug/peer-requests';
  const peerNotices = ['requested', 'confirmed', 'issued'];

  async function renderPeer(
    request: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    options: { form?: { text: string; url: string }; errors?: FieldErrors; status?: number; page?: number } = {},
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const userId = userIdOf(request);
    const badge = await learnerBadge(app.db, city, slug);
    const required = badge.peerConfirmationsRequired ?? 0;
    const open = badge.status === 'published' && required > 0;
    const earner = open && (await isEarner(app.db, city, badge.id, userId));
    const base = evidencePaths.peer(city.slug, badge.slug);
    const list = earner ? await peerRequestsFor(app.db, city, badge.id, userId, { page: options.page }) : null;
    const mine = open && !earner ? await myPeerRequest(app.db, city, badge, userId) : null;
    const done = (request.query as { done?: string }).done ?? '';
    return sendPage(
      reply,
      peerPage(context, {
        badge: badgeHeaderOf(city, badge, context.language),
        required,
        mode: !open ? 'closed' : earner ? 'earner' : 'learner',
        requests: (list?.items ?? []).map((row) => ({
          learner: row.learnerName,
          sentOn: formatDate(row.createdAt, city, context.language),
          text: row.items[0]?.text ?? null,
          url: row.items[0]?.url ?? null,
          confirmations: row.confirmations,
          confirmedByMe: row.confirmedByMe,
          confirmAction: `${base}/${row.id}/confirm`,
        })),
        previousUrl: list && list.page > 1 ? `${base}?page=${list.page - 1}` : null,
        nextUrl: list?.hasNext ? `${base}?page=${list.page + 1}` : null,
        mine: mine
          ? {
              status: mine.status,
              confirmations: mine.confirmations,
              sentOn: formatDate(mine.createdAt, city, context.language),
              credentialUrl: mine.credentialId ? credentialPaths.page(city.slug, mine.credentialId) : null,
            }
          : null,
        formAction: base,
        form: options.form ?? { text: '', url: '' },
        errors: options.errors ?? {},
        notice: peerNotices.includes(done) ? context.t(`claims:peer.done.${done}`) : undefined,
      }),
      options.status ?? 200,
    );
  }

  app.get(
    peerPath,
    { config: { access: 'authenticated' }, schema: { hide, params: BadgeParams, querystring: PageQuery } },
    async (request, reply) => renderPeer(request, reply, request.params.slug, { page: request.query.page }),
  );

  app.post(
    peerPath,
    {
      config: { access: 'authenticated', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: { hide, params: BadgeParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const form = { text: field(request.body, 'text'), url: field(request.body, 'url') };
      try {
        const submission = await requestPeerCheck(
          app.db,
          city,
          auditContext(request),
          request.params.slug,
          userIdOf(request),
          form,
        );
        return reply.redirect(`${evidencePaths.peer(city.slug, submission.badgeSlug)}?done=requested`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || [401, 403, 404].includes(error.status)) throw error;
        const errors: FieldErrors = {};
        for (const detail of error.details) {
          const name = (detail.field ?? '').replace(/^\//, '');
          if (name === 'text' || name === 'url')
            errors[name] ??= context.t(`claims:peer.errors.${name}`, { defaultValue: detail.problem });
        }
        if (Object.keys(errors).length === 0)
          errors._form = context.t(`claims:errors.${error.code}`, { defaultValue: error.message });
        return renderPeer(request, reply, request.params.slug, { form, errors, status: error.status });
      }
    },
  );

  app.post(
    `${peerPath}/:submissionId/confirm`,
    {
      config: { access: 'authenticated', rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { hide, params: PeerParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const result = await confirmPeerRequest(
        app.db,
        config,
        city,
        auditContext(request),
        request.params.slug,
        request.params.submissionId,
        userIdOf(request),
      );
      return reply.redirect(
        `${evidencePaths.peer(city.slug, result.submission.badgeSlug)}?done=${result.credentialId ? 'issued' : 'confirmed'}`,
        303,
      );
    },
  );
}
