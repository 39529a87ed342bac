import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import type { UserActor } from '../accounts/actor.ts';
import { type MultipartBody, parseMultipart } from '../accounts/multipart.ts';
import { auditContext } from '../audit/audit.http.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import {
  ApproveBody,
  CityParams,
  EvidenceBody,
  FeedbackBody,
  LearnerBadgeParams,
  OrganisationParams,
  PageOnlyQuery,
  PeerConfirmationSchema,
  PeerRequestBody,
  PeerRequestParams,
  QueueQuery,
  SubmissionFileParams,
  SubmissionListSchema,
  SubmissionParams,
  SubmissionSchema,
} from './evidence.schemas.ts';
import {
  confirmPeerRequest,
  decideSubmission,
  type EvidenceFileRecord,
  type EvidenceItemInput,
  evidenceFile,
  evidencePaths,
  getReview,
  listMyEvidence,
  MAX_EVIDENCE_TOTAL_BYTES,
  peerRequestsFor,
  type ReviewDecision,
  requestPeerCheck,
  reviewQueue,
  type SubmissionRecord,
  submitEvidence,
} from './evidence.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const tags = ['evidence'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

/** Multipart bodies with every file, and base64 JSON (a third larger), fit under this. */
export const EVIDENCE_BODY_LIMIT = Math.ceil(MAX_EVIDENCE_TOTAL_BYTES * 1.4) + 1024 * 1024;

export function toSubmissionJson(
  config: Config,
  submission: SubmissionRecord,
  files: EvidenceFileRecord[],
  fileUrl: (file: EvidenceFileRecord) => string,
  options: { learnerEmail?: boolean } = {},
) {
  return {
    id: submission.id,
    badge: { id: submission.badgeClassId, slug: submission.badgeSlug, name: submission.badgeName },
    organisationId: submission.organisationId,
    learner: {
      userId: submission.userId,
      name: submission.learnerName,
      email: options.learnerEmail === false ? '' : submission.learnerEmail,
    },
    review: submission.review,
    status: submission.status,
    items: submission.items,
    files: files
      .filter((file) => file.submissionId === submission.id)
      .map((file) => ({
        id: file.id,
        requirement: file.requirement,
        name: file.fileName,
        contentType: file.contentType,
        size: file.size,
        url: `${config.publicUrl}${fileUrl(file)}`,
      })),
    feedback: submission.feedback,
    confirmations: submission.confirmations,
    credentialId: submission.credentialId,
    createdAt: iso(submission.createdAt) as string,
    updatedAt: iso(submission.updatedAt) as string,
    reviewedAt: iso(submission.reviewedAt),
  };
}

/** The answers of a multipart form: `item-<n>` (a text or a link) and `file-<n>` for requirement n. */
export function itemsFromMultipart(body: MultipartBody): EvidenceItemInput[] {
  const items = new Map<number, EvidenceItemInput>();
  const item = (requirement: number) => {
    let entry = items.get(requirement);
    if (!entry) {
      entry = { requirement };
      items.set(requirement, entry);
    }
    return entry;
  };
  for (const [name, value] of Object.entries(body)) {
    const match = /^(item|file)-(\d{1,2})$/.exec(name);
    if (!match || value === undefined) continue;
    const entry = item(Number(match[2]));
    if (match[1] === 'item' && typeof value === 'string') {
      // The requirement's kind decides which one counts.
      entry.text = value;
      entry.url = value;
    } else if (match[1] === 'file' && typeof value === 'object' && value.bytes.length > 0) {
      entry.file = { fileName: value.fileName, bytes: value.bytes };
    }
  }
  return [...items.values()].sort((a, b) => a.requirement - b.requirement);
}

export function sendEvidenceFile(reply: FastifyReply, file: EvidenceFileRecord & { bytes: Buffer }): FastifyReply {
  const ascii = file.fileName.replace(/[^\w.-]/g, '_');
  return reply
    .header(
      'content-disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    )
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .type(file.contentType)
    .send(file.bytes);
}

/** Evidence and peer checks: the learner's API, the organisation's review API and the earners' confirmations. */
export async function evidenceRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [SubmissionSchema, SubmissionListSchema, PeerConfirmationSchema]) app.addSchema(schema);
  const config = app.config;
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: EVIDENCE_BODY_LIMIT },
    (request, body, done) => {
      try {
        const parts = parseMultipart(body as Buffer, request.headers['content-type'] ?? '');
        // The CSRF check reads `_csrf` from the top of the body, as for any form.
        done(null, { multipart: parts, _csrf: typeof parts._csrf === 'string' ? parts._csrf : undefined });
      } catch {
        done(new AppError('BAD_REQUEST'), undefined);
      }
    },
  );

  // ── Learners ────────────────────────────────────────────────────────────────────────────────────────────────────

  app.post(
    '/api/v1/cities/:citySlug/badges/:badgeId/evidence',
    {
      config: { access: 'authenticated', rateLimit: { max: 20, timeWindow: '1 minute' } },
      bodyLimit: EVIDENCE_BODY_LIMIT,
      schema: {
        operationId: 'submitEvidence',
        tags,
        summary: 'Send evidence for a badge (or send it again when the organisation asked for more)',
        description:
          'Answer every requirement of the badge: a text, a link (http/https) or a file (PNG, JPEG, WebP or PDF of at ' +
          'most 5 MB; photos: images only; 20 MB in all). The file type is read from its bytes. Send JSON (files as ' +
          'base64) or multipart/form-data. A resubmission keeps files that are not sent again. The organisation is ' +
          'told by email.',
        params: LearnerBadgeParams,
        // JSON is checked against its schema; a multipart form is checked field by field by the service.
        body: {
          content: {
            'application/json': { schema: EvidenceBody },
            'multipart/form-data': { schema: Type.Object({}, { additionalProperties: true }) },
          },
        },
        security: [{ session: [] }],
        response: {
          200: Type.Ref('EvidenceSubmission'),
          201: Type.Ref('EvidenceSubmission'),
          ...errorResponses(400, 401, 403, 404, 409, 413),
        },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const userId = (request.actor as UserActor).userId;
      const body = request.body as { multipart?: MultipartBody; items?: unknown };
      let items: EvidenceItemInput[];
      if (body.multipart) items = itemsFromMultipart(body.multipart);
      else {
        const json = body as {
          items?: { requirement: number; text?: string; url?: string; file?: { name: string; data: string } }[];
        };
        if (!Array.isArray(json.items))
          throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/items', problem: 'required' }]);
        items = json.items.map((item) => ({
          requirement: item.requirement,
          text: item.text,
          url: item.url,
          ...(item.file ? { file: { fileName: item.file.name, bytes: Buffer.from(item.file.data, 'base64') } } : {}),
        }));
      }
      const { submission, resubmitted } = await submitEvidence(
        app.db,
        config,
        city,
        auditContext(request),
        request.params.badgeId,
        userId,
        items,
      );
      const { files } = await listMyEvidence(app.db, city, userId);
      return reply
        .code(resubmitted ? 200 : 201)
        .send(
          toSubmissionJson(config, submission, files, (file) =>
            evidencePaths.myFile(city.slug, file.submissionId, file.id),
          ),
        );
    },
  );

  app.get(
    '/api/v1/cities/:citySlug/me/evidence',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listMyEvidence',
        tags,
        summary: 'The signed-in learner’s evidence submissions and peer-check requests in the city',
        params: CityParams,
        security: [{ session: [] }],
        response: { 200: Type.Ref('EvidenceSubmissionList'), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const { submissions, files } = await listMyEvidence(app.db, city, (request.actor as UserActor).userId);
      return {
        items: submissions.map((submission) =>
          toSubmissionJson(config, submission, files, (file) =>
            evidencePaths.myFile(city.slug, file.submissionId, file.id),
          ),
        ),
      };
    },
  );

  // ── Organisations ───────────────────────────────────────────────────────────────────────────────────────────────

  const orgBase = '/api/v1/cities/:citySlug/organisations/:organisationId/evidence';
  const apiFileUrl = (city: CityRecord, organisationId: string) => (file: EvidenceFileRecord) =>
    `/api/v1/cities/${city.slug}/organisations/${organisationId}/evidence/${file.submissionId}/files/${file.id}`;

  app.get(
    orgBase,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'listEvidenceQueue',
        tags,
        summary:
          'The evidence sent for the organisation’s badges: waiting first, then waiting on the learner, then decided',
        params: OrganisationParams,
        querystring: QueueQuery,
        security,
        response: { 200: Type.Ref('EvidenceSubmissionList'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const { organisationId } = request.params;
      const queue = await reviewQueue(app.db, city, organisationId, {
        badgeClassId: request.query.badgeId,
        status: request.query.status,
        page: request.query.page,
      });
      return {
        items: queue.items.map((submission) =>
          toSubmissionJson(config, submission, [], apiFileUrl(city, organisationId)),
        ),
        total: queue.total,
        page: queue.page,
        next: queue.page * queue.pageSize < queue.total ? queue.page + 1 : null,
      };
    },
  );

  app.get(
    `${orgBase}/:submissionId`,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'getEvidenceSubmission',
        tags,
        summary: 'One submission with its answers and files',
        params: SubmissionParams,
        security,
        response: { 200: Type.Ref('EvidenceSubmission'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const { organisationId, submissionId } = request.params;
      const review = await getReview(app.db, city, organisationId, submissionId);
      return toSubmissionJson(config, review.submission, review.files, apiFileUrl(city, organisationId));
    },
  );

  app.get(
    `${orgBase}/:submissionId/files/:fileId`,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'downloadEvidenceFile',
        tags,
        summary: 'Download a file of a submission (always as an attachment)',
        params: SubmissionFileParams,
        security,
      },
    },
    async (request, reply) => {
      const { organisationId, submissionId, fileId } = request.params;
      const file = await evidenceFile(app.db, cityOf(request), { organisationId }, submissionId, fileId);
      return sendEvidenceFile(reply, file);
    },
  );

  for (const [decision, summary, body, code] of [
    [
      'approve',
      'Approve: the badge is issued with the learner’s texts and links as evidence (the note becomes its narrative)',
      ApproveBody,
      200,
    ],
    ['reject', 'Reject with feedback to the learner', FeedbackBody, 200],
    ['request-more', 'Ask the learner for more: they edit their evidence and send it again', FeedbackBody, 200],
  ] as const) {
    app.post(
      `${orgBase}/:submissionId/${decision}`,
      {
        config: { access: 'organisation_staff', scope: 'badges:issue' },
        schema: {
          operationId: `${decision === 'request-more' ? 'requestMore' : decision}Evidence`,
          tags,
          summary,
          params: SubmissionParams,
          body,
          security,
          response: { [code]: Type.Ref('EvidenceSubmission'), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const city = cityOf(request);
        const { organisationId, submissionId } = request.params;
        const feedback = (request.body as { feedback?: string } | undefined)?.feedback;
        await decideSubmission(
          app.db,
          config,
          city,
          auditContext(request),
          organisationId,
          submissionId,
          decision as ReviewDecision,
          feedback,
        );
        const review = await getReview(app.db, city, organisationId, submissionId);
        return toSubmissionJson(config, review.submission, review.files, apiFileUrl(city, organisationId));
      },
    );
  }

  // ── Peer checks ─────────────────────────────────────────────────────────────────────────────────────────────────

  const peerBase = '/api/v1/cities/:citySlug/badges/:badgeId/peer-requests';
  const noFiles = () => '';

  app.post(
    peerBase,
    {
      config: { access: 'authenticated', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        operationId: 'requestPeerCheck',
        tags,
        summary: 'Ask the people who hold a badge to confirm that the signed-in learner has earned it too',
        params: LearnerBadgeParams,
        body: PeerRequestBody,
        security: [{ session: [] }],
        response: { 201: Type.Ref('EvidenceSubmission'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const submission = await requestPeerCheck(
        app.db,
        city,
        auditContext(request),
        request.params.badgeId,
        (request.actor as UserActor).userId,
        request.body,
      );
      return reply.code(201).send(toSubmissionJson(config, submission, [], noFiles));
    },
  );

  app.get(
    peerBase,
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listPeerRequests',
        tags,
        summary: 'Open peer-check requests of a badge, for people who hold it (others: 403 PEER_NOT_EARNER)',
        params: LearnerBadgeParams,
        querystring: PageOnlyQuery,
        security: [{ session: [] }],
        response: { 200: Type.Ref('EvidenceSubmissionList'), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const result = await peerRequestsFor(app.db, city, request.params.badgeId, (request.actor as UserActor).userId, {
        page: request.query.page,
      });
      return {
        items: result.items.map((row) => toSubmissionJson(config, row, [], noFiles, { learnerEmail: false })),
        page: result.page,
        next: result.hasNext ? result.page + 1 : null,
      };
    },
  );

  app.post(
    `${peerBase}/:submissionId/confirm`,
    {
      config: { access: 'authenticated', rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        operationId: 'confirmPeerRequest',
        tags,
        summary: 'Confirm a peer-check request as someone who holds the badge; the last confirmation needed issues it',
        params: PeerRequestParams,
        security: [{ session: [] }],
        response: { 200: Type.Ref('PeerConfirmation'), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const result = await confirmPeerRequest(
        app.db,
        config,
        city,
        auditContext(request),
        request.params.badgeId,
        request.params.submissionId,
        (request.actor as UserActor).userId,
      );
      return {
        submission: toSubmissionJson(config, result.submission, [], noFiles, { learnerEmail: false }),
        required: result.required,
        credentialId: result.credentialId,
      };
    },
  );
}
