import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import type { BatchRecord } from './bulk-issue.repo.ts';
import {
  BulkIdempotencyHeaders,
  BulkIssueList,
  BulkIssueSchema,
  BulkListQuery,
  BulkPreviewSchema,
  BulkUploadBody,
  BulkUploadQuery,
  BatchParams,
  OrganisationParams,
} from './bulk-issue.schemas.ts';
import {
  batchCounts,
  type BulkPreview,
  type BulkRowInput,
  type BulkSource,
  bulkIssueReportCsv,
  createBulkIssue,
  getBulkIssue,
  listBulkIssues,
  MAX_BULK_BYTES,
  previewBulkIssue,
} from './bulk-issue.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const tags = ['badges'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export const bulkIssuePaths = {
  api: (citySlug: string, organisationId: string) =>
    `/api/v1/cities/${citySlug}/organisations/${organisationId}/bulk-issues`,
  report: (citySlug: string, organisationId: string, batchId: string) =>
    `/api/v1/cities/${citySlug}/organisations/${organisationId}/bulk-issues/${batchId}/report.csv`,
  pages: (citySlug: string, organisationId: string) => `/c/${citySlug}/manage/${organisationId}/bulk-issues`,
  page: (citySlug: string, organisationId: string, batchId: string) =>
    `/c/${citySlug}/manage/${organisationId}/bulk-issues/${batchId}`,
};

export function toBulkIssueJson(city: CityRecord, batch: BatchRecord) {
  return {
    id: batch.id,
    fileName: batch.fileName,
    status: batch.status,
    counts: batchCounts(batch),
    createdAt: iso(batch.createdAt) as string,
    finishedAt: iso(batch.finishedAt),
    reportUrl: bulkIssuePaths.report(city.slug, batch.organisationId, batch.id),
    pageUrl: bulkIssuePaths.page(city.slug, batch.organisationId, batch.id),
  };
}

export function toPreviewJson(preview: BulkPreview) {
  const problem = (p: { code: string; problem: string; column?: string }) => ({
    code: p.code,
    problem: p.problem,
    ...(p.column ? { column: p.column } : {}),
  });
  return {
    fileName: preview.fileName,
    counts: preview.counts,
    fatal: preview.fatal.map(problem),
    ignoredColumns: preview.ignoredColumns,
    rows: preview.rows.map((row) => ({
      line: row.line,
      email: row.email,
      name: row.name,
      badge: row.badge,
      badgeId: row.badgeId,
      evidenceUrl: row.evidenceUrl,
      narrative: row.narrative,
      valid: row.problems.length === 0,
      alreadyIssuedCredentialId: row.alreadyIssuedId,
      problems: row.problems.map(problem),
    })),
  };
}

type UploadQuery = { fileName?: string; badge?: string; skipInvalid?: boolean };

/** The file of a request: the CSV body itself, or the JSON rows; options from the JSON or the query. */
function sourceOf(request: FastifyRequest): { source: BulkSource; skipInvalid: boolean } {
  const query = request.query as UploadQuery;
  const body = request.body as
    | string
    | { rows: BulkRowInput[]; badge?: string; fileName?: string; skipInvalid?: boolean };
  if (typeof body === 'string') {
    return {
      source: { fileName: query.fileName ?? 'upload.csv', csv: body, badge: query.badge },
      skipInvalid: query.skipInvalid === true,
    };
  }
  return {
    source: {
      fileName: body.fileName ?? query.fileName ?? 'api.json',
      rows: body.rows,
      badge: body.badge ?? query.badge,
    },
    skipInvalid: (body.skipInvalid ?? query.skipInvalid) === true,
  };
}

/** Bulk issuing over the API: preview a file, start a batch, follow it, download its report. */
export async function bulkIssueRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const config: Config = app.config;
  app.addSchema(BulkIssueSchema);
  app.addSchema(BulkPreviewSchema);
  const bodyLimit = MAX_BULK_BYTES + 256 * 1024;
  app.addContentTypeParser(
    ['text/csv', 'application/csv', 'text/plain'],
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => done(null, body),
  );

  const base = '/api/v1/cities/:citySlug/organisations/:organisationId/bulk-issues';

  app.post(
    `${base}/preview`,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      bodyLimit,
      schema: {
        operationId: 'previewBulkIssue',
        tags,
        summary: 'Check a CSV file (or JSON rows) of badges to issue, without issuing anything',
        description:
          'Each row’s problems (bad email, unknown or unpublished badge, a row repeated in the file …), what would be ' +
          'issued, and which rows an earlier upload already issued.',
        params: OrganisationParams,
        querystring: BulkUploadQuery,
        body: BulkUploadBody,
        security,
        response: { 200: Type.Ref('BulkIssuePreview'), ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      const { source } = sourceOf(request);
      return toPreviewJson(
        await previewBulkIssue(app.db, cityOf(request), request.params.organisationId, source, callerOf(request)),
      );
    },
  );

  app.post(
    base,
    {
      config: { access: 'organisation_staff', scope: 'badges:issue' },
      bodyLimit,
      schema: {
        operationId: 'createBulkIssue',
        tags,
        summary: 'Issue badges from a CSV file or JSON rows (up to 10,000) as a background batch',
        description:
          'The file is checked first: when a row has a problem nothing is issued (`BULK_ISSUE_HAS_ERRORS`, each row in ' +
          '`details`) unless `skipInvalid` is set. Then a batch is stored and issued in the background; follow it at ' +
          'the returned URL. Rows issued before (same badge, email, evidence link and narrative — in this city) are ' +
          'skipped, so uploading the same file again issues nothing twice. Send an `Idempotency-Key` to make a retried ' +
          'upload return the same batch.',
        params: OrganisationParams,
        querystring: BulkUploadQuery,
        headers: BulkIdempotencyHeaders,
        body: BulkUploadBody,
        security,
        response: {
          200: Type.Ref('BulkIssue'),
          202: Type.Ref('BulkIssue'),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const { source, skipInvalid } = sourceOf(request);
      const { batch, created } = await createBulkIssue(
        app.db,
        city,
        request.params.organisationId,
        source,
        callerOf(request),
        { skipInvalid, idempotencyKey: request.headers['idempotency-key'] },
      );
      return reply
        .code(created ? 202 : 200)
        .header('location', bulkIssuePaths.api(city.slug, batch.organisationId) + `/${batch.id}`)
        .send(toBulkIssueJson(city, batch));
    },
  );

  app.get(
    base,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'listBulkIssues',
        tags,
        summary: "The organisation's bulk issues, newest first",
        params: OrganisationParams,
        querystring: BulkListQuery,
        security,
        response: { 200: BulkIssueList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const page = await listBulkIssues(app.db, city, request.params.organisationId, callerOf(request), request.query);
      return { items: page.items.map((batch) => toBulkIssueJson(city, batch)), next: page.next };
    },
  );

  app.get(
    `${base}/:batchId`,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'getBulkIssue',
        tags,
        summary: 'A bulk issue: its status and counts (issued, skipped, failed, pending)',
        params: BatchParams,
        security,
        response: { 200: Type.Ref('BulkIssue'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const batch = await getBulkIssue(
        app.db,
        city,
        request.params.organisationId,
        request.params.batchId,
        callerOf(request),
      );
      reply.header('cache-control', 'no-store');
      return toBulkIssueJson(city, batch);
    },
  );

  app.get(
    `${base}/:batchId/report.csv`,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'getBulkIssueReport',
        tags,
        summary: 'The per-row report of a bulk issue (CSV): line, email, badge, outcome, credential URL, error',
        description:
          'Outcomes: `issued`, `already_issued` (an earlier upload issued it; its credential is given), `invalid` ' +
          '(skipped on purpose), `failed` (refused when issued, e.g. a missing prerequisite), `pending`.',
        params: BatchParams,
        security,
        produces: ['text/csv'],
        response: {
          200: { description: 'The report', content: { 'text/csv': { schema: Type.String() } } },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const batch = await getBulkIssue(
        app.db,
        city,
        request.params.organisationId,
        request.params.batchId,
        callerOf(request),
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="bulk-issue-${batch.id.slice(0, 8)}-report.csv"`)
        .header('cache-control', 'no-store')
        .send(await bulkIssueReportCsv(app.db, config, city, batch));
    },
  );
}
