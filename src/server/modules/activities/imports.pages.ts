import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  type ImportDetailData,
  type ImportsHomeData,
  importDetailPage,
  importsHomePage,
} from '../../../web/pages/activity-imports.ts';
import { AppError } from '../../errors.ts';
import { sendPage } from '../../plugins/web.ts';
import { type MultipartBody, parseMultipart } from '../accounts/multipart.ts';
import { cityPageContext, field, FormBody } from '../organisations/form-body.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import { getOrganisation } from '../organisations/organisations.service.ts';
import { problemText } from './activities.problems.ts';
import { addFeed, listFeeds, removeFeed, requestFeedSync } from './feeds.service.ts';
import {
  commitImport,
  createImport,
  getImport,
  listOrganisationImports,
  MAX_IMPORT_BYTES,
  updateMapping,
} from './imports.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ citySlug: Slug, organisationId: Uuid });
const ImportParams = Type.Object({ citySlug: Slug, organisationId: Uuid, importId: Uuid });
const FeedParams = Type.Object({ citySlug: Slug, organisationId: Uuid, feedId: Uuid });
const PageQuery = Type.Object({ lang: Type.Optional(Type.String()), done: Type.Optional(Type.String()) });

const notices: Record<string, string> = {
  committed: 'imports:notices.committed',
  feedAdded: 'imports:notices.feedAdded',
  feedRemoved: 'imports:notices.feedRemoved',
  syncQueued: 'imports:notices.syncQueued',
  mapped: 'imports:notices.mapped',
};

/** The organisation's import screens at /c/:city/manage/:organisation/imports (server-rendered forms with _csrf). */
export async function importsPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES + 256 * 1024 },
    (request, body, done) => {
      try {
        done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
      } catch {
        done(new AppError('BAD_REQUEST'), undefined);
      }
    },
  );

  const base = '/c/:citySlug/manage/:organisationId/imports';
  const home = (request: { params: { citySlug: string; organisationId: string } }, done?: string) =>
    `/c/${request.params.citySlug}/manage/${request.params.organisationId}/imports${done ? `?done=${done}` : ''}`;

  async function renderHome(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Partial<ImportsHomeData> = {},
    status = 200,
  ) {
    const city = cityOf(request);
    const caller = callerOf(request);
    const { organisationId } = request.params as { organisationId: string };
    const organisation = await getOrganisation(app.db, city, organisationId, request.actor);
    const context = cityPageContext(request, reply, city);
    const done = (request.query as { done?: string } | undefined)?.done;
    return sendPage(
      reply,
      importsHomePage(context, {
        organisation: { id: organisation.id, name: organisation.name },
        imports: (await listOrganisationImports(app.db, city, organisationId, caller)).map((item) => ({
          id: item.id,
          fileName: item.fileName,
          status: item.status,
          createdAt: item.createdAt,
          report: item.report as ImportsHomeData['imports'][number]['report'],
        })),
        feeds: await listFeeds(app.db, city, organisationId, caller),
        notice: done && notices[done] ? context.t(notices[done] as string) : undefined,
        ...extra,
      }),
      status,
    );
  }

  app.get(
    base,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, querystring: PageQuery } },
    async (request, reply) => renderHome(request, reply),
  );

  app.post(
    base,
    {
      config: { access: 'organisation_staff' },
      bodyLimit: MAX_IMPORT_BYTES + 256 * 1024,
      schema: { hide, params: OrgParams },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as MultipartBody;
      const file = body.file;
      const context = cityPageContext(request, reply, cityOf(request));
      if (!file || typeof file === 'string' || file.bytes.length === 0) {
        return renderHome(request, reply, { uploadError: context.t('imports:upload.missing') }, 400);
      }
      try {
        const view = await createImport(
          app.db,
          cityOf(request),
          request.params.organisationId,
          { fileName: file.fileName, content: file.bytes.toString('utf8') },
          callerOf(request),
        );
        return reply.redirect(`${home(request)}/${view.id}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 403) throw error;
        const detail = error.details[0];
        return renderHome(
          request,
          reply,
          { uploadError: detail ? problemText(detail, context.t) : error.message },
          error.status,
        );
      }
    },
  );

  async function renderDetail(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { commitError?: ImportDetailData['commitError'] } = {},
    status = 200,
  ) {
    const city = cityOf(request);
    const { organisationId, importId } = request.params as { organisationId: string; importId: string };
    const organisation = await getOrganisation(app.db, city, organisationId, request.actor);
    const view = await getImport(app.db, city, organisationId, importId, callerOf(request));
    const context = cityPageContext(request, reply, city);
    const done = (request.query as { done?: string } | undefined)?.done;
    return sendPage(
      reply,
      importDetailPage(context, {
        organisation: { id: organisation.id, name: organisation.name },
        view,
        notice: done && notices[done] ? context.t(notices[done] as string) : undefined,
        ...extra,
      }),
      status,
    );
  }

  app.get(
    `${base}/:importId`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: ImportParams, querystring: PageQuery } },
    async (request, reply) => renderDetail(request, reply),
  );

  app.post(
    `${base}/:importId/mapping`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: ImportParams, body: FormBody } },
    async (request, reply) => {
      // The form sends header0/field0, header1/field1, … (one select per column).
      const mapping: Record<string, string> = {};
      for (const key of Object.keys(request.body ?? {})) {
        const index = /^header(\d+)$/.exec(key)?.[1];
        if (index !== undefined) mapping[field(request.body, key)] = field(request.body, `field${index}`);
      }
      try {
        await updateMapping(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.params.importId,
          mapping,
          callerOf(request),
        );
      } catch (error) {
        if (!(error instanceof AppError) || !['VALIDATION_FAILED', 'IMPORT_ALREADY_COMMITTED'].includes(error.code))
          throw error;
        const context = cityPageContext(request, reply, cityOf(request));
        const detail = error.details[0];
        return renderDetail(
          request,
          reply,
          { commitError: { message: detail ? problemText(detail, context.t) : error.message } },
          error.status,
        );
      }
      return reply.redirect(`${home(request)}/${request.params.importId}?done=mapped`, 303);
    },
  );

  app.post(
    `${base}/:importId/commit`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: ImportParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      try {
        await commitImport(
          app.db,
          cityOf(request),
          request.params.organisationId,
          request.params.importId,
          callerOf(request),
        );
      } catch (error) {
        if (!(error instanceof AppError) || !['IMPORT_HAS_ERRORS', 'IMPORT_ALREADY_COMMITTED'].includes(error.code))
          throw error;
        if (error.code === 'IMPORT_ALREADY_COMMITTED') {
          return reply.redirect(`${home(request)}/${request.params.importId}`, 303);
        }
        // Rows the check let through but the catalogue refused (a short name taken meanwhile …), each in words.
        const context = cityPageContext(request, reply, cityOf(request));
        return renderDetail(
          request,
          reply,
          {
            commitError: {
              message: context.t('imports:commit.failed'),
              problems: error.details.map((detail) => ({
                problem: detail.problem,
                key: detail.key as string | undefined,
                params: detail.params as Record<string, string | number> | undefined,
                line: typeof detail.line === 'number' ? detail.line : undefined,
                column: typeof detail.column === 'string' ? detail.column : undefined,
              })),
            },
          },
          error.status,
        );
      }
      return reply.redirect(`${home(request)}/${request.params.importId}?done=committed`, 303);
    },
  );

  app.post(
    `${base}/feeds`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: OrgParams, body: FormBody } },
    async (request, reply) => {
      const url = field(request.body, 'url');
      const syncIntervalMinutes = field(request.body, 'syncIntervalMinutes') || '360';
      try {
        await addFeed(
          app.db,
          cityOf(request),
          request.params.organisationId,
          { url, syncIntervalMinutes: Number(syncIntervalMinutes) },
          callerOf(request),
          { allowPrivateUrls: app.config.allowPrivateFeedUrls },
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
        return renderHome(
          request,
          reply,
          { feedForm: { url, syncIntervalMinutes, error: error.details[0] ?? { problem: error.message } } },
          400,
        );
      }
      return reply.redirect(home(request, 'feedAdded'), 303);
    },
  );

  app.post(
    `${base}/feeds/:feedId/sync`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: FeedParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      await requestFeedSync(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.params.feedId,
        callerOf(request),
      );
      return reply.redirect(home(request, 'syncQueued'), 303);
    },
  );

  app.post(
    `${base}/feeds/:feedId/remove`,
    { config: { access: 'organisation_staff' }, schema: { hide, params: FeedParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      await removeFeed(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.params.feedId,
        callerOf(request),
      );
      return reply.redirect(home(request, 'feedRemoved'), 303);
    },
  );
}
