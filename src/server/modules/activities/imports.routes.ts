import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { parseMultipart } from '../accounts/multipart.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import { allProblemKeys, importNote, keyedRecord } from './activities.problems.ts';
import { OrganisationParams } from './activities.schemas.ts';
import { addFeed, changeFeed, listFeeds, removeFeed, requestFeedSync } from './feeds.service.ts';
import type { FeedRecord } from './imports.repo.ts';
import {
  commitImport,
  createImport,
  getImport,
  type ImportReport,
  type ImportView,
  MAX_IMPORT_BYTES,
  updateMapping,
} from './imports.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Uuid = Type.String({ format: 'uuid' });
const ImportParams = Type.Object({ ...OrganisationParams.properties, importId: Uuid });
const FeedParams = Type.Object({ ...OrganisationParams.properties, feedId: Uuid });
const UploadQuery = Type.Object({
  fileName: Type.Optional(Type.String({ maxLength: 200, description: 'The file name, when the body is the raw file' })),
});

const ProblemKey = Type.String({
  enum: [...allProblemKeys],
  description:
    'Stable key of the problem, to say it in any language: the file readers’ and calendar feeds’ own ' +
    '(`imports:problems.<key>`, e.g. `csv_quote_not_closed`, `ical_bad_date`, `feed_http_status`) or the ' +
    'catalogue’s validation (`activities:problems.<key>`, e.g. `ends_before_start`); `recorded_problem` is a problem stored before problems had keys (its text is `params.text`)',
});
const ProblemParams = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
  description: 'The values the message names (a line, a column, the value that could not be read …)',
});
const Note = Type.Object(
  {
    problem: Type.String({ description: 'In English' }),
    key: ProblemKey,
    params: ProblemParams,
  },
  { $id: 'ActivityImportNote', description: 'A problem or note of an import: its English text, key and params' },
);
const Problem = Type.Object(
  {
    column: Type.Optional(Type.String({ description: 'The CSV column' })),
    field: Type.Optional(Type.String({ description: 'The activity field, as a JSON pointer (`/startsAt`)' })),
    problem: Type.String({ description: 'In English' }),
    key: ProblemKey,
    params: ProblemParams,
  },
  { $id: 'ActivityImportProblem' },
);

const ImportReportSchema = Type.Object(
  {
    created: Type.Integer(),
    updated: Type.Integer(),
    skipped: Type.Integer({ description: 'Unchanged rows plus events left out on purpose (cancelled)' }),
    unchanged: Type.Integer(),
    failed: Type.Integer(),
    items: Type.Array(
      Type.Object({
        line: Type.Integer(),
        externalUid: Type.Union([Type.String(), Type.Null()]),
        outcome: Type.Union(['created', 'updated', 'unchanged', 'skipped', 'failed'].map((o) => Type.Literal(o))),
        activityId: Type.Union([Type.String(), Type.Null()]),
        slug: Type.Union([Type.String(), Type.Null()]),
        problems: Type.Array(Type.String(), {
          description: 'Why the row failed, or why the event was left out, in English',
        }),
        problemDetails: Type.Array(Type.Ref('ActivityImportProblem'), {
          description: 'The same, each with its stable key and params (empty for rows written)',
        }),
      }),
    ),
  },
  { $id: 'ActivityImportReport' },
);

const ImportSchema = Type.Object(
  {
    id: Uuid,
    fileName: Type.String(),
    kind: Type.Union([Type.Literal('csv'), Type.Literal('ical')]),
    status: Type.Union([Type.Literal('uploaded'), Type.Literal('committed')]),
    createdAt: Type.String({ format: 'date-time' }),
    committedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    headers: Type.Array(Type.String(), { description: 'The CSV columns' }),
    mapping: Type.Record(Type.String(), Type.String(), {
      description: 'Column → field (`title`, `title:lt`, `start`, …); an empty string ignores the column',
    }),
    fields: Type.Array(Type.String(), { description: 'The fields a column can be mapped to' }),
    preview: Type.Array(Type.Object({ line: Type.Integer(), cells: Type.Array(Type.String()) })),
    fatal: Type.Array(Type.Ref('ActivityImportNote'), {
      description: 'Problems that stop the whole file (not CSV or iCalendar, no title column …)',
    }),
    warnings: Type.Array(Type.String(), { description: 'Notes about the whole file, in English' }),
    warningDetails: Type.Array(Type.Ref('ActivityImportNote'), { description: 'The same notes with their keys' }),
    rows: Type.Array(
      Type.Object({
        line: Type.Integer(),
        externalUid: Type.Union([Type.String(), Type.Null()]),
        title: Type.String(),
        valid: Type.Boolean(),
        problems: Type.Array(Type.Ref('ActivityImportProblem')),
        warnings: Type.Array(Type.String(), { description: 'Notes that do not stop the row, in English' }),
        warningDetails: Type.Array(Type.Ref('ActivityImportNote'), { description: 'The same notes with their keys' }),
      }),
    ),
    counts: Type.Object({
      rows: Type.Integer(),
      valid: Type.Integer(),
      invalid: Type.Integer(),
      skipped: Type.Integer(),
    }),
    report: Type.Union([Type.Ref('ActivityImportReport'), Type.Null()]),
  },
  { $id: 'ActivityImport' },
);

const MappingBody = Type.Object({
  mapping: Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 60 })),
});

const FeedSchema = Type.Object(
  {
    id: Uuid,
    url: Type.String(),
    syncIntervalMinutes: Type.Integer(),
    enabled: Type.Boolean(),
    lastSyncedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastStatus: Type.Union([Type.String(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()], {
      description: 'Why the last sync failed, or which events it could not import, in English; null when it went well',
    }),
    lastErrorKey: Type.Union([ProblemKey, Type.Null()], {
      description:
        'The stable key of `lastError`, to say it in any language (`imports:problems.<key>`): `feed_http_status`, ' +
        '`feed_unreachable`, `feed_timeout`, `feed_too_large`, `feed_private_address` … when the feed could not be ' +
        'fetched, the iCalendar reader’s own (`file_not_ical`, `ical_unreadable` …) when it is not a calendar, ' +
        '`feed_events_failed` when some events could not be imported (see `lastErrorEvents`); `recorded_problem` for ' +
        'a failure recorded before failures had keys (its text is `params.text`); null when the sync went well',
    }),
    lastErrorParams: Type.Union([ProblemParams, Type.Null()]),
    lastErrorEvents: Type.Array(
      Type.Object({
        line: Type.Integer({ description: 'The line of the feed the event starts on' }),
        externalUid: Type.Union([Type.String(), Type.Null()]),
        problems: Type.Array(Type.Ref('ActivityImportProblem')),
      }),
      { description: 'The events the last sync could not import (at most five), each with its keyed problems' },
    ),
    lastCounts: Type.Union([Type.Record(Type.String(), Type.Integer()), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'IcalFeed' },
);
const FeedBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2000, description: 'An http(s) or webcal address' }),
  syncIntervalMinutes: Type.Optional(Type.Integer({ minimum: 15, maximum: 10080, default: 360 })),
});
const FeedChangeBody = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  syncIntervalMinutes: Type.Optional(Type.Integer({ minimum: 15, maximum: 10080 })),
});

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function toImportJson(view: ImportView) {
  return { ...view, createdAt: iso(view.createdAt) as string, committedAt: iso(view.committedAt) };
}

/**
 * A feed as the API gives it. A failure recorded before failures had keys answers with `recorded_problem` and its
 * English text, so every failure has a key.
 */
export function toFeedJson(feed: FeedRecord) {
  const error =
    feed.lastError === null
      ? null
      : keyedRecord({
          problem: feed.lastError,
          key: feed.lastErrorKey,
          params: feed.lastErrorParams,
        });
  return {
    id: feed.id,
    url: feed.url,
    syncIntervalMinutes: feed.syncIntervalMinutes,
    enabled: feed.enabled,
    lastSyncedAt: iso(feed.lastSyncedAt),
    lastStatus: feed.lastStatus,
    lastError: feed.lastError,
    lastErrorKey: error?.key ?? null,
    lastErrorParams: error?.params ?? null,
    lastErrorEvents: (feed.lastErrorEvents ?? []).map((event) => ({
      line: event.line,
      externalUid: event.externalUid,
      problems: event.problems.map((problem) => ({
        ...(typeof problem.field === 'string' ? { field: problem.field } : {}),
        ...keyedRecord(problem),
      })),
    })),
    lastCounts: feed.lastCounts,
    createdAt: iso(feed.createdAt) as string,
  };
}

const tags = ['activities'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

/** The uploaded file from a multipart form (field `file`) or a raw CSV/iCalendar body. */
function uploadedFile(request: FastifyRequest, fileName: string | undefined): { fileName: string; content: string } {
  const body = request.body as unknown;
  if (typeof body === 'string') {
    const type = request.headers['content-type'] ?? '';
    return { fileName: fileName ?? (type.includes('calendar') ? 'upload.ics' : 'upload.csv'), content: body };
  }
  if (body && typeof body === 'object') {
    const file = (body as Record<string, unknown>).file;
    if (file && typeof file === 'object' && 'bytes' in file) {
      const part = file as { fileName: string; bytes: Buffer };
      return { fileName: fileName ?? part.fileName, content: part.bytes.toString('utf8') };
    }
  }
  throw new AppError('VALIDATION_FAILED', undefined, [{ field: '/file', ...importNote('file_missing') }]);
}

export async function importsRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(Note);
  app.addSchema(Problem);
  app.addSchema(ImportReportSchema);
  app.addSchema(ImportSchema);
  app.addSchema(FeedSchema);
  const limit = MAX_IMPORT_BYTES + 256 * 1024;
  app.addContentTypeParser(
    ['text/csv', 'text/calendar', 'text/plain', 'application/csv', 'application/vnd.ms-excel'],
    { parseAs: 'string', bodyLimit: limit },
    (_request, body, done) => done(null, body),
  );
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: limit }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
    } catch {
      done(new AppError('BAD_REQUEST'), undefined);
    }
  });

  const base = '/api/v1/cities/:citySlug/organisations/:organisationId/activity-imports';
  const one = `${base}/:importId`;

  app.post(
    base,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      bodyLimit: limit,
      schema: {
        operationId: 'uploadActivityImport',
        tags,
        summary: 'Upload a CSV or iCalendar file of activities: the suggested mapping, a preview and a report per row',
        description:
          'Send `multipart/form-data` with a `file` field, or the file itself as `text/csv` / `text/calendar` (name it ' +
          'with `?fileName=`). Nothing is written until the import is committed. Files over 5 MB: `PAYLOAD_TOO_LARGE`.',
        params: OrganisationParams,
        querystring: UploadQuery,
        security,
        response: { 201: Type.Ref('ActivityImport'), ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const view = await createImport(
        app.db,
        cityOf(request),
        request.params.organisationId,
        uploadedFile(request, request.query.fileName),
        callerOf(request),
      );
      return reply.code(201).send(toImportJson(view));
    },
  );

  app.get(
    one,
    {
      config: { access: 'organisation_staff', scope: 'activities:read' },
      schema: {
        operationId: 'getActivityImport',
        tags,
        summary: 'An import with its mapping, preview, per-row report and, once committed, its result',
        params: ImportParams,
        security,
        response: { 200: Type.Ref('ActivityImport'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      toImportJson(
        await getImport(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.params.importId,
          callerOf(request),
        ),
      ),
  );

  app.put(
    `${one}/mapping`,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'mapActivityImport',
        tags,
        summary:
          'Change which column holds which field (CSV; columns not named keep theirs); every row is checked again',
        params: ImportParams,
        body: MappingBody,
        security,
        response: { 200: Type.Ref('ActivityImport'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toImportJson(
        await updateMapping(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.params.importId,
          request.body.mapping,
          callerOf(request),
        ),
      ),
  );

  app.post(
    `${one}/commit`,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'commitActivityImport',
        tags,
        summary: 'Write every row in one transaction (matched on the external id); nothing is written if any row fails',
        description:
          'Activities are submitted for review, or published at once for a trusted organisation. A file with errors: ' +
          '`IMPORT_HAS_ERRORS` (422) with each problem in `details` (its `line`, `column`, English `problem`, stable ' +
          '`key` and `params`, as in `ActivityImportProblem`). Committing again: `IMPORT_ALREADY_COMMITTED` (409) with ' +
          'the stored report in `details[0].report`.',
        params: ImportParams,
        security,
        response: { 200: Type.Ref('ActivityImportReport'), ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request): Promise<ImportReport> =>
      commitImport(app.db, cityOf(request), request.params.organisationId, request.params.importId, callerOf(request)),
  );

  // ── Calendar feeds ──────────────────────────────────────────────────────────────────────────────────────────────

  const feeds = '/api/v1/cities/:citySlug/organisations/:organisationId/ical-feeds';
  const feed = `${feeds}/:feedId`;

  app.get(
    feeds,
    {
      config: { access: 'organisation_staff', scope: 'activities:read' },
      schema: {
        operationId: 'listIcalFeeds',
        tags,
        summary: "The organisation's calendar feeds with the result of their last sync",
        params: OrganisationParams,
        security,
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('IcalFeed')) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      items: (await listFeeds(app.db, cityOf(request), request.params.organisationId, callerOf(request))).map(
        toFeedJson,
      ),
    }),
  );

  app.post(
    feeds,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'addIcalFeed',
        tags,
        summary: 'Add an iCalendar feed, re-read on a schedule (events matched on their UID)',
        description:
          'Private and loopback addresses are refused unless the server allows them (ALLOW_PRIVATE_FEED_URLS).',
        params: OrganisationParams,
        body: FeedBody,
        security,
        response: { 201: Type.Ref('IcalFeed'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const created = await addFeed(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.body,
        callerOf(request),
        {
          allowPrivateUrls: app.config.allowPrivateFeedUrls,
        },
      );
      return reply.code(201).send(toFeedJson(created));
    },
  );

  app.patch(
    feed,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'changeIcalFeed',
        tags,
        summary: 'Pause or resume a feed, or change how often it is read',
        params: FeedParams,
        body: FeedChangeBody,
        security,
        response: { 200: Type.Ref('IcalFeed'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      toFeedJson(
        await changeFeed(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.params.feedId,
          request.body,
          callerOf(request),
        ),
      ),
  );

  app.delete(
    feed,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'removeIcalFeed',
        tags,
        summary: 'Remove a feed (its activities stay as they are)',
        params: FeedParams,
        security,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeFeed(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.params.feedId,
        callerOf(request),
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${feed}/sync`,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'syncIcalFeed',
        tags,
        summary: 'Read the feed now (queued as a job; follow it at /api/v1/jobs/{jobId})',
        params: FeedParams,
        security,
        response: { 202: Type.Object({ jobId: Uuid }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const job = await requestFeedSync(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.params.feedId,
        callerOf(request),
      );
      return reply.code(202).send({ jobId: job.id });
    },
  );
}
