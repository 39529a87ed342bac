import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { wantsHtml } from '../../plugins/web.ts';
import { parseMultipart } from '../accounts/multipart.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import type { BadgeClassInput } from './badge-classes.model.ts';
import {
  BadgeClassList,
  BadgeClassSchema,
  BadgeClassSummarySchema,
  BadgeDirectoryPage,
  BadgeParams,
  CityParams,
  CreateBadgeBody,
  DesignSchema,
  DirectoryQuery,
  ImageQuery,
  ListQuery,
  OrganisationParams,
  PublicBadgeParams,
  StatusChangeQuery,
  UpdateBadgeBody,
  VersionParams,
} from './badge-classes.schemas.ts';
import {
  type BadgeClassDetails,
  type BadgeClassSummary,
  achievementDocument,
  achievementOfVersion,
  achievementUrl,
  archiveBadgeClass,
  badgeDirectory,
  badgePagePath,
  createBadgeClass,
  currentBadgeImage,
  currentImagePath,
  getOrganisationBadgeClass,
  listOrganisationBadges,
  ob2BadgeClassDocument,
  publishBadgeClass,
  setBadgeImage,
  uploadedTypeOf,
  updateBadgeClass,
  versionImageFiles,
} from './badge-classes.service.ts';
import { MAX_UPLOAD_BYTES } from './badge-image.ts';
import { cityOf } from '../../plugins/auth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** The API's view of a badge class. */
export function toBadgeJson(badge: BadgeClassDetails, config: Config, citySlug: string) {
  const hasSvg = badge.imageSource === 'generated' || badge.imageIsSvg;
  return {
    id: badge.id,
    slug: badge.slug,
    status: badge.status,
    kind: badge.kind,
    organisation: { id: badge.organisation.id, slug: badge.organisation.slug, name: badge.organisation.name },
    name: badge.name,
    description: badge.description,
    criteria: badge.criteria,
    requirements: badge.requirements,
    image: {
      source: badge.imageSource,
      contentType: uploadedTypeOf(badge),
      design: badge.design,
      alt: badge.imageAlt,
      pngUrl: `${config.publicUrl}${currentImagePath(citySlug, badge, 'png')}`,
      svgUrl: hasSvg ? `${config.publicUrl}${currentImagePath(citySlug, badge, 'svg')}` : null,
    },
    tags: badge.tags,
    validityMonths: badge.validityMonths,
    skills: badge.skills,
    prerequisites: badge.prerequisites,
    activities: badge.activities,
    evidenceClaimsOpen: badge.evidenceClaimsOpen,
    peerConfirmationsRequired: badge.peerConfirmationsRequired,
    version: badge.version,
    rowVersion: badge.rowVersion,
    achievementUrl: achievementUrl(config, citySlug, badge.id, badge.version),
    pageUrl: `${config.publicUrl}${badgePagePath(citySlug, badge.slug)}`,
    createdAt: iso(badge.createdAt) as string,
    updatedAt: iso(badge.updatedAt) as string,
    publishedAt: iso(badge.publishedAt),
    archivedAt: iso(badge.archivedAt),
  };
}

export function toBadgeSummaryJson(summary: BadgeClassSummary, config: Config, citySlug: string) {
  return {
    id: summary.id,
    slug: summary.slug,
    status: summary.status,
    kind: summary.kind,
    name: summary.name,
    organisation: summary.organisation,
    version: summary.version,
    rowVersion: summary.rowVersion,
    imageUrl: `${config.publicUrl}${currentImagePath(citySlug, summary, 'png')}`,
    imageAlt: summary.imageAlt,
    pageUrl: `${config.publicUrl}${badgePagePath(citySlug, summary.slug)}`,
    updatedAt: iso(summary.updatedAt) as string,
    publishedAt: iso(summary.publishedAt),
  };
}

/** The input fields of a create/update body, without the request-only ones. */
function inputOf(body: Record<string, unknown>): BadgeClassInput {
  const { expectedRowVersion: _version, ...input } = body;
  return input as unknown as BadgeClassInput;
}

const tags = ['badges'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

/** Stored SVGs are sanitised; served on their own they still may not run or load anything. */
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function sendBadgeImage(
  reply: FastifyReply,
  files: { png: Uint8Array; svg: string | null },
  ext: 'png' | 'svg',
  cacheControl: string,
): FastifyReply {
  if (ext === 'svg') {
    if (files.svg === null) throw new AppError('NOT_FOUND', 'This badge image is a PNG; it has no SVG form.');
    return reply
      .header('content-type', 'image/svg+xml; charset=utf-8')
      .header('content-security-policy', SVG_POLICY)
      .header('cache-control', cacheControl)
      .send(files.svg);
  }
  return reply.header('content-type', 'image/png').header('cache-control', cacheControl).send(Buffer.from(files.png));
}

export async function badgeClassesRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [DesignSchema, BadgeClassSchema, BadgeClassSummarySchema]) app.addSchema(schema);
  // Images are sent as the raw body (or as multipart form data); the bytes decide what they really are.
  const uploadLimit = MAX_UPLOAD_BYTES * 2;
  app.addContentTypeParser(
    ['image/png', 'image/svg+xml', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: uploadLimit },
    (_request, body, done) => done(null, body),
  );
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: uploadLimit + 64 * 1024 },
    (request, body, done) => {
      try {
        const parts = parseMultipart(body as Buffer, request.headers['content-type'] ?? '');
        const file = Object.values(parts).find((part) => typeof part === 'object' && part !== null);
        done(null, file && typeof file === 'object' ? file.bytes : undefined);
      } catch {
        done(new AppError('BAD_REQUEST'), undefined);
      }
    },
  );

  const orgBase = '/api/v1/cities/:citySlug/organisations/:organisationId/badges';
  const orgOne = `${orgBase}/:badgeId`;
  const json = (request: FastifyRequest, badge: BadgeClassDetails) =>
    toBadgeJson(badge, app.config, cityOf(request).slug);
  /** The badge of the organisation in the path, or 404. */
  const own = (request: FastifyRequest, params: { organisationId: string; badgeId: string }) =>
    getOrganisationBadgeClass(app.db, cityOf(request), params.organisationId, params.badgeId, request.actor);

  app.get(
    orgBase,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'listOrganisationBadges',
        tags,
        summary: "The organisation's badges in the city, most recently changed first",
        params: OrganisationParams,
        querystring: ListQuery,
        security,
        response: { 200: BadgeClassList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const page = await listOrganisationBadges(
        app.db,
        city,
        request.params.organisationId,
        request.actor,
        request.query,
      );
      return {
        items: page.items.map((item) => toBadgeSummaryJson(item, app.config, city.slug)),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    orgBase,
    {
      config: { access: 'organisation_staff', scope: 'badges:write' },
      schema: {
        operationId: 'createBadge',
        tags,
        summary: 'Create a draft badge (an OB 3.0 Achievement)',
        description:
          'Texts are per language and need at least the city’s main language, as does the image’s text alternative. ' +
          'Without `image` the badge gets a generated design made from its name; upload an image with PUT …/image.',
        params: OrganisationParams,
        body: CreateBadgeBody,
        security,
        response: { 201: Type.Ref('BadgeClass'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const created = await createBadgeClass(
        app.db,
        cityOf(request),
        request.params.organisationId,
        inputOf(request.body),
        callerOf(request),
      );
      return reply.code(201).send(json(request, created));
    },
  );

  app.get(
    orgOne,
    {
      config: { access: 'organisation_staff', scope: 'badges:read' },
      schema: {
        operationId: 'getBadge',
        tags,
        summary: 'One badge of the organisation (drafts included)',
        params: BadgeParams,
        security,
        response: { 200: Type.Ref('BadgeClass'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => json(request, await own(request, request.params)),
  );

  app.put(
    orgOne,
    {
      config: { access: 'organisation_staff', scope: 'badges:write' },
      schema: {
        operationId: 'updateBadge',
        tags,
        summary: 'Replace a badge’s content',
        description:
          'When credentials of the current version exist and the change alters what they carry, the badge moves to ' +
          'a new version (earlier credentials keep theirs); otherwise it is changed in place. Leave `image` out to ' +
          'keep the image.',
        params: BadgeParams,
        body: UpdateBadgeBody,
        security,
        response: { 200: Type.Ref('BadgeClass'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      await own(request, request.params);
      const updated = await updateBadgeClass(
        app.db,
        cityOf(request),
        request.params.badgeId,
        inputOf(request.body),
        callerOf(request),
        { expectedRowVersion: request.body.expectedRowVersion },
      );
      return json(request, updated);
    },
  );

  for (const [action, summary, run] of [
    ['publish', 'Publish a badge (its content must be complete and its organisation approved)', publishBadgeClass],
    ['archive', 'Archive a badge: it can no longer be issued and stays visible for its earners', archiveBadgeClass],
  ] as const) {
    app.post(
      `${orgOne}/${action}`,
      {
        config: { access: 'organisation_staff', scope: 'badges:write' },
        schema: {
          operationId: `${action}Badge`,
          tags,
          summary,
          params: BadgeParams,
          querystring: StatusChangeQuery,
          security,
          response: { 200: Type.Ref('BadgeClass'), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        await own(request, request.params);
        return json(
          request,
          await run(app.db, cityOf(request), request.params.badgeId, callerOf(request), {
            expectedRowVersion: request.query.expectedRowVersion,
          }),
        );
      },
    );
  }

  app.put(
    `${orgOne}/image`,
    {
      config: { access: 'organisation_staff', scope: 'badges:write' },
      bodyLimit: uploadLimit + 64 * 1024,
      schema: {
        operationId: 'setBadgeImage',
        tags,
        summary: 'Upload the badge image: PNG or SVG up to 2 MB, as the raw body or as multipart form data',
        description:
          'A PNG is decoded and re-encoded (metadata dropped, at most 1024 px); an SVG with scripts, event handlers, ' +
          'external references or foreignObject is refused, others are rebuilt from an allow-list.',
        params: BadgeParams,
        querystring: ImageQuery,
        security,
        response: { 200: Type.Ref('BadgeClass'), ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      await own(request, request.params);
      if (!Buffer.isBuffer(request.body)) throw new AppError('BADGE_IMAGE_INVALID');
      const city = cityOf(request);
      const { alt, language, expectedRowVersion } = request.query;
      const updated = await setBadgeImage(
        app.db,
        city,
        request.params.badgeId,
        { bytes: request.body, alt: alt ? { [language ?? city.defaultLanguage]: alt } : undefined },
        callerOf(request),
        { expectedRowVersion },
      );
      return json(request, updated);
    },
  );

  // Public: the directory, and the documents and images credentials point at.

  app.get(
    '/api/v1/cities/:citySlug/badges',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listBadgeDirectory',
        tags,
        summary: "The city's published badges: search names and tags, filter by kind, skill or organisation",
        params: CityParams,
        querystring: DirectoryQuery,
        response: { 200: BadgeDirectoryPage, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const { q, kind, skill, organisation, lang, page, pageSize } = request.query;
      const result = await badgeDirectory(app.db, city, {
        query: q,
        kind,
        skillId: skill,
        organisationId: organisation,
        language: lang,
        page,
        pageSize,
      });
      return { ...result, items: result.items.map((item) => toBadgeSummaryJson(item, app.config, city.slug)) };
    },
  );

  const versionBase = '/c/:citySlug/badges/:badgeClassId/versions/:version';

  app.get(
    versionBase,
    { config: { access: 'public' }, schema: { hide: true, params: VersionParams } },
    async (request, reply) => {
      const city = cityOf(request);
      const found = await achievementOfVersion(
        app.db,
        app.config,
        city,
        request.params.badgeClassId,
        request.params.version,
      );
      if (!found) throw new AppError('BADGE_NOT_FOUND', 'This badge has no such version.');
      // A person following the achievement's id in a browser gets the badge page.
      if (wantsHtml(request)) return reply.redirect(badgePagePath(city.slug, found.badge.slug), 303);
      return reply
        .header('content-type', 'application/ld+json; charset=utf-8')
        .header('cache-control', found.immutable ? 'public, max-age=3600' : 'public, max-age=60')
        .header('access-control-allow-origin', '*')
        .send(JSON.stringify(achievementDocument(found.achievement)));
    },
  );

  app.get(
    `${versionBase}/ob2`,
    { config: { access: 'public' }, schema: { hide: true, params: VersionParams } },
    async (request, reply) => {
      const city = cityOf(request);
      const found = await achievementOfVersion(
        app.db,
        app.config,
        city,
        request.params.badgeClassId,
        request.params.version,
      );
      if (!found) throw new AppError('BADGE_NOT_FOUND', 'This badge has no such version.');
      return reply
        .header('content-type', 'application/ld+json; charset=utf-8')
        .header('cache-control', found.immutable ? 'public, max-age=3600' : 'public, max-age=60')
        .header('access-control-allow-origin', '*')
        .send(JSON.stringify(ob2BadgeClassDocument(app.config, city, found.badge, found.achievement)));
    },
  );

  for (const ext of ['png', 'svg'] as const) {
    app.get(
      `${versionBase}/image.${ext}`,
      { config: { access: 'public' }, schema: { hide: true, params: VersionParams } },
      async (request, reply) => {
        const files = await versionImageFiles(
          app.db,
          cityOf(request),
          request.params.badgeClassId,
          request.params.version,
        );
        if (!files) throw new AppError('BADGE_NOT_FOUND', 'This badge has no such version.');
        return sendBadgeImage(
          reply.header('access-control-allow-origin', '*'),
          files,
          ext,
          files.immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
        );
      },
    );

    app.get(
      `/c/:citySlug/badges/:slug/image.${ext}`,
      {
        config: { access: 'public' },
        schema: {
          hide: true,
          params: PublicBadgeParams,
          querystring: Type.Object({ v: Type.Optional(Type.String()) }),
        },
      },
      async (request, reply) => {
        const image = await currentBadgeImage(app.db, cityOf(request), request.params.slug, request.actor);
        return sendBadgeImage(
          reply,
          image,
          ext,
          image.badge.status === 'draft' ? 'private, no-cache' : 'public, max-age=300',
        );
      },
    );
  }
}
