import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { auditLogPage } from '../../../web/pages/curation.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import { cityPageContext } from '../organisations/form-body.ts';
import { type AuditEntryRecord, cityAuditLog, networkAuditLog } from './audit.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const AuditEntry = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    citySlug: Type.Union([Type.String(), Type.Null()]),
    actor: Type.Object({
      label: Type.String({ description: '`user:<email>`, `token:<name>` or `cli`' }),
      userId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
      apiTokenId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    }),
    action: Type.String({ description: 'e.g. `organisation.approve`, `city.archive`, `api_token.create`' }),
    targetType: Type.String(),
    targetId: Type.Union([Type.String(), Type.Null()]),
    before: Type.Unknown(),
    after: Type.Unknown(),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'AuditEntry', title: 'AuditEntry' },
);

const AuditPage = Type.Object(
  {
    items: Type.Array(Type.Ref('AuditEntry')),
    page: Type.Integer(),
    pageSize: Type.Integer(),
    total: Type.Integer(),
  },
  { $id: 'AuditPage', title: 'AuditPage' },
);

const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  lang: Type.Optional(Type.String()),
});
const CityParams = Type.Object({ citySlug: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' }) });

function toJson(entry: AuditEntryRecord) {
  return {
    id: entry.id,
    citySlug: entry.citySlug,
    actor: { label: entry.actorLabel, userId: entry.actorUserId, apiTokenId: entry.actorApiTokenId },
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before,
    after: entry.after,
    ip: entry.ip,
    userAgent: entry.userAgent,
    requestId: entry.requestId,
    createdAt: new Date(entry.createdAt).toISOString(),
  };
}

/** The audit log: curators read their city's (API and page), network admins every city's. */
export async function auditRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(AuditEntry);
  app.addSchema(AuditPage);

  app.get(
    '/api/v1/cities/:citySlug/audit-log',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'getCityAuditLog',
        tags: ['audit'],
        summary: "The city's audit log of privileged actions, newest first",
        params: CityParams,
        querystring: PageQuery,
        security: [{ session: [] }],
        response: { 200: Type.Ref('AuditPage'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const page = await cityAuditLog(app.db, cityOf(request).id, request.query.page, request.query.pageSize);
      return { ...page, items: page.items.map(toJson) };
    },
  );

  app.get(
    '/api/v1/audit-log',
    {
      config: { access: 'network_admin' },
      schema: {
        operationId: 'getNetworkAuditLog',
        tags: ['audit'],
        summary: 'The whole deployment’s audit log (network admins), newest first',
        querystring: PageQuery,
        security: [{ session: [] }],
        response: { 200: Type.Ref('AuditPage'), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const page = await networkAuditLog(app.db, request.query.page, request.query.pageSize);
      return { ...page, items: page.items.map(toJson) };
    },
  );

  app.get(
    '/c/:citySlug/curate/audit-log',
    { config: { access: 'city_curator' }, schema: { hide: true, params: CityParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const page = await cityAuditLog(app.db, city.id, request.query.page);
      return sendPage(
        reply.header('cache-control', 'no-store'),
        auditLogPage(cityPageContext(request, reply, city), {
          ...page,
          basePath: `/c/${city.slug}/curate/audit-log`,
          showCity: false,
        }),
      );
    },
  );

  app.get(
    '/admin/audit-log',
    { config: { access: 'network_admin' }, schema: { hide: true, querystring: PageQuery } },
    async (request, reply) => {
      const page = await networkAuditLog(app.db, request.query.page);
      return sendPage(
        reply.header('cache-control', 'no-store'),
        auditLogPage(pageContext(request, reply), { ...page, basePath: '/admin/audit-log', showCity: true }),
      );
    },
  );
}
