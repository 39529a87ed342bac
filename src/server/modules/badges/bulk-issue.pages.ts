import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { PageContext } from '../../../web/layout.ts';
import {
  type BulkPreviewView,
  type BulkProblemView,
  bulkBatchPage,
  bulkHomePage,
  bulkPreviewPage,
} from '../../../web/pages/bulk-issue.ts';
import { AppError } from '../../errors.ts';
import { sendPage } from '../../plugins/web.ts';
import { type MultipartBody, parseMultipart } from '../accounts/multipart.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityPageContext } from '../organisations/form-body.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import { getOrganisation } from '../organisations/organisations.service.ts';
import { listOrganisationBadges } from './bulk-issue.repo.ts';
import { bulkIssuePaths } from './bulk-issue.routes.ts';
import {
  batchCounts,
  batchRows,
  type BulkPreview,
  createBulkIssue,
  getBulkIssue,
  listBulkIssues,
  MAX_BULK_BYTES,
  previewBulkIssue,
} from './bulk-issue.service.ts';
import { textIn } from './credentials.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ citySlug: Slug, organisationId: Uuid });
const BatchParams = Type.Object({ citySlug: Slug, organisationId: Uuid, batchId: Uuid });
const HomeQuery = Type.Object({
  lang: Type.Optional(Type.String()),
  after: Type.Optional(Type.String({ maxLength: 200 })),
});
const BatchQuery = Type.Object({ lang: Type.Optional(Type.String()), done: Type.Optional(Type.String()) });

const hide = true;
const locales: Record<string, string> = { en: 'en-GB', lt: 'lt-LT', it: 'it-IT' };
/** Rows shown in the preview: the first ones, and every row with a problem (the report has them all). */
const PREVIEW_FIRST_ROWS = 100;
const PREVIEW_MAX_ROWS = 600;

function formatDateTime(value: Date | string, city: CityRecord, language: string): string {
  return new Intl.DateTimeFormat(locales[language] ?? 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: city.timeZone,
  }).format(new Date(value));
}

/** A text field of a multipart form. */
function textField(body: MultipartBody, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

/** The organiser's screens at /c/:city/manage/:organisation/bulk-issues (multipart forms carrying _csrf). */
export async function bulkIssuePages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  // The preview sends the file back with the confirmation, so both forms are multipart with the upload's limit.
  const bodyLimit = 2 * MAX_BULK_BYTES + 256 * 1024;
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
    } catch {
      done(new AppError('BAD_REQUEST'), undefined);
    }
  });

  const base = '/c/:citySlug/manage/:organisationId/bulk-issues';
  const paths = (request: FastifyRequest) => {
    const { citySlug, organisationId } = request.params as { citySlug: string; organisationId: string };
    const home = bulkIssuePaths.pages(citySlug, organisationId);
    return { home, preview: `${home}/preview`, manage: `/c/${citySlug}/manage/${organisationId}` };
  };

  async function badgeChoices(city: CityRecord, organisationId: string, language: string) {
    return (await listOrganisationBadges(app.db, city.id, organisationId))
      .filter((badge) => badge.status === 'published')
      .map((badge) => ({ value: badge.id, label: `${textIn(badge.name, language, city)} (${badge.slug})` }));
  }

  async function renderHome(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { uploadErrors?: BulkProblemView[]; chosenBadge?: string } = {},
    status = 200,
  ) {
    const city = cityOf(request);
    const { organisationId } = request.params as { organisationId: string };
    const after = (request.query as { after?: string } | undefined)?.after;
    const context = cityPageContext(request, reply, city);
    const organisation = await getOrganisation(app.db, city, organisationId, request.actor);
    const page = await listBulkIssues(app.db, city, organisationId, callerOf(request), { after });
    const p = paths(request);
    return sendPage(
      reply,
      bulkHomePage(context, {
        organisation: { name: organisation.name, manageUrl: p.manage },
        uploadUrl: p.preview,
        badges: await badgeChoices(city, organisationId, context.language),
        chosenBadge: extra.chosenBadge ?? '',
        uploadErrors: extra.uploadErrors ?? [],
        batches: page.items.map((batch) => ({
          fileName: batch.fileName,
          createdAt: formatDateTime(batch.createdAt, city, context.language),
          status: batch.status,
          counts: batchCounts(batch),
          url: bulkIssuePaths.page(city.slug, organisationId, batch.id),
        })),
        nextUrl: page.next ? `${p.home}?after=${encodeURIComponent(page.next)}` : null,
        firstUrl: after ? p.home : null,
      }),
      status,
    );
  }

  async function renderPreview(
    request: FastifyRequest,
    reply: FastifyReply,
    context: PageContext,
    preview: BulkPreview,
    form: { csv: string; badge: string; idempotencyKey: string; confirmError?: string },
    status: number,
  ) {
    const city = cityOf(request);
    const { organisationId } = request.params as { organisationId: string };
    const organisation = await getOrganisation(app.db, city, organisationId, request.actor);
    const p = paths(request);
    const rows = preview.rows
      .filter((row, index) => index < PREVIEW_FIRST_ROWS || row.problems.length > 0)
      .slice(0, PREVIEW_MAX_ROWS);
    const view: BulkPreviewView = {
      organisation: { name: organisation.name, manageUrl: p.manage },
      homeUrl: p.home,
      confirmUrl: p.home,
      uploadUrl: p.preview,
      fileName: preview.fileName,
      csv: form.csv,
      badge: form.badge,
      idempotencyKey: form.idempotencyKey,
      badges: await badgeChoices(city, organisationId, context.language),
      fatal: preview.fatal,
      ignoredColumns: preview.ignoredColumns,
      counts: preview.counts,
      rows: rows.map((row) => ({
        line: row.line,
        email: row.email,
        name: row.name,
        badge: row.badgeName ? `${textIn(row.badgeName, context.language, city)} (${row.badge})` : row.badge,
        problems: row.problems,
        alreadyIssued: row.alreadyIssuedId !== null,
      })),
      confirmError: form.confirmError,
    };
    return sendPage(reply, bulkPreviewPage(context, view), status);
  }

  app.get(
    base,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: { hide, params: OrgParams, querystring: HomeQuery },
    },
    async (request, reply) => renderHome(request, reply),
  );

  // Upload → the check of every row; nothing is stored yet.
  app.post(
    `${base}/preview`,
    { config: { access: 'organisation_staff', scope: 'badges:issue' }, bodyLimit, schema: { hide, params: OrgParams } },
    async (request, reply) => {
      const city = cityOf(request);
      const body = (request.body ?? {}) as MultipartBody;
      const file = body.file;
      const badge = textField(body, 'badge');
      if (!file || typeof file === 'string' || file.bytes.length === 0) {
        return renderHome(request, reply, { uploadErrors: [{ code: 'file_missing' }], chosenBadge: badge }, 400);
      }
      const csv = file.bytes.toString('utf8');
      const preview = await previewBulkIssue(
        app.db,
        city,
        request.params.organisationId,
        { fileName: file.fileName || 'upload.csv', csv, badge },
        callerOf(request),
      );
      const context = cityPageContext(request, reply, city);
      // A file that cannot be read goes back to the upload form with its problem beside the file field.
      if (preview.fatal.length > 0)
        return renderHome(request, reply, { uploadErrors: preview.fatal, chosenBadge: badge }, 400);
      return renderPreview(request, reply, context, preview, { csv, badge, idempotencyKey: randomUUID() }, 200);
    },
  );

  // Confirm → the batch and its job; then its progress page.
  app.post(
    base,
    { config: { access: 'organisation_staff', scope: 'badges:issue' }, bodyLimit, schema: { hide, params: OrgParams } },
    async (request, reply) => {
      const city = cityOf(request);
      const body = (request.body ?? {}) as MultipartBody;
      const csv = textField(body, 'csv');
      const badge = textField(body, 'badge');
      const fileName = textField(body, 'fileName') || 'upload.csv';
      const idempotencyKey = textField(body, 'idempotencyKey').slice(0, 200) || undefined;
      const source = { fileName, csv, badge };
      try {
        const { batch } = await createBulkIssue(
          app.db,
          city,
          request.params.organisationId,
          source,
          callerOf(request),
          {
            skipInvalid: textField(body, 'skipInvalid') === '1',
            idempotencyKey,
          },
        );
        return reply.redirect(`${bulkIssuePaths.page(city.slug, batch.organisationId, batch.id)}?done=started`, 303);
      } catch (error) {
        const codes = [
          'BULK_ISSUE_HAS_ERRORS',
          'BULK_ISSUE_FILE_INVALID',
          'BULK_ISSUE_NOTHING_TO_ISSUE',
          'BULK_ISSUE_KEY_REUSED',
        ];
        if (!(error instanceof AppError) || !codes.includes(error.code)) throw error;
        // Something changed since the preview (a badge was archived …): show the check again, with the reason.
        const context = cityPageContext(request, reply, city);
        const preview = await previewBulkIssue(app.db, city, request.params.organisationId, source, callerOf(request));
        return renderPreview(
          request,
          reply,
          context,
          preview,
          { csv, badge, idempotencyKey: randomUUID(), confirmError: context.t(`bulk:confirm.refused.${error.code}`) },
          error.status,
        );
      }
    },
  );

  app.get(
    `${base}/:batchId`,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: { hide, params: BatchParams, querystring: BatchQuery },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const { organisationId, batchId } = request.params;
      const batch = await getBulkIssue(app.db, city, organisationId, batchId, callerOf(request));
      const context = cityPageContext(request, reply, city);
      const failed = await batchRows(app.db, city, batch, { status: 'failed', limit: 50 });
      reply.header('cache-control', 'no-store');
      return sendPage(
        reply,
        bulkBatchPage(context, {
          homeUrl: bulkIssuePaths.pages(city.slug, organisationId),
          statusUrl: `${bulkIssuePaths.api(city.slug, organisationId)}/${batch.id}`,
          reportUrl: bulkIssuePaths.report(city.slug, organisationId, batch.id),
          fileName: batch.fileName,
          createdAt: formatDateTime(batch.createdAt, city, context.language),
          finishedAt: batch.finishedAt ? formatDateTime(batch.finishedAt, city, context.language) : null,
          status: batch.status,
          counts: batchCounts(batch),
          failedRows: failed.map((row) => ({ line: row.line, email: row.input.email, error: row.error ?? '' })),
          notice: request.query.done === 'started' ? context.t('bulk:batch.started') : undefined,
        }),
      );
    },
  );
}
