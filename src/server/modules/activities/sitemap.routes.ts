import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { badgeSitemapSource } from '../badges/badge-classes.repo.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { findCityByHostName, listCities } from '../cities/cities.service.ts';
import { cityOf } from '../../plugins/auth.ts';

/**
 * `sitemap.xml` and `robots.txt`, so search engines find the catalogue. Each city has a sitemap at
 * `/c/:citySlug/sitemap.xml` and, on a city's own host name, at `/sitemap.xml`. Past {@link SITEMAP_MAX_URLS} URLs
 * the sitemap becomes a sitemap index whose chunks are `sitemap.xml?page=N`.
 */

/** The sitemaps protocol's limit of URLs per file. */
export const SITEMAP_MAX_URLS = 50_000;

export interface SitemapEntry {
  /** Path on the site, e.g. `/c/vilnius/activities/robotics-club`. */
  path: string;
  lastmod: Date | null;
}

/**
 * One kind of public page listed in a city's sitemap. Sources are concatenated in order and paged through as one
 * list, so a new kind of page (playlists, badges) is one more source with a count and a page query.
 */
export interface SitemapSource {
  count(db: SqlRunner, city: CityRecord): Promise<number>;
  list(db: SqlRunner, city: CityRecord, offset: number, limit: number): Promise<SitemapEntry[]>;
}

const cityPages: SitemapSource = {
  count: async () => 3,
  list: async (_db, city, offset, limit) =>
    [`/c/${city.slug}`, `/c/${city.slug}/activities`, `/c/${city.slug}/organisations`]
      .map((path) => ({ path, lastmod: null }))
      .slice(offset, offset + limit),
};

const organisationPages: SitemapSource = {
  async count(db, city) {
    const [row] = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM organisation_cities WHERE city_id = $1 AND status = 'approved'`,
      [city.id],
    );
    return row?.count ?? 0;
  },
  async list(db, city, offset, limit) {
    const rows = await db.query<{ slug: string; updatedAt: Date }>(
      `SELECT o.slug, greatest(o.updated_at, coalesce(oc.decided_at, oc.created_at)) AS "updatedAt"
         FROM organisation_cities oc JOIN organisations o ON o.id = oc.organisation_id
        WHERE oc.city_id = $1 AND oc.status = 'approved'
        ORDER BY o.slug LIMIT $2 OFFSET $3`,
      [city.id, limit, offset],
    );
    return rows.map((row) => ({ path: `/c/${city.slug}/organisations/${row.slug}`, lastmod: row.updatedAt }));
  },
};

const activityPages: SitemapSource = {
  async count(db, city) {
    const [row] = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM activities WHERE city_id = $1 AND status = 'published'`,
      [city.id],
    );
    return row?.count ?? 0;
  },
  async list(db, city, offset, limit) {
    const rows = await db.query<{ slug: string; updatedAt: Date }>(
      `SELECT slug, updated_at AS "updatedAt" FROM activities
        WHERE city_id = $1 AND status = 'published'
        ORDER BY slug LIMIT $2 OFFSET $3`,
      [city.id, limit, offset],
      { name: 'sitemap_activities' },
    );
    return rows.map((row) => ({ path: `/c/${city.slug}/activities/${row.slug}`, lastmod: row.updatedAt }));
  },
};

/**
 * The kinds of pages a city's sitemap lists, in order. Playlists join here as one more source once they exist.
 */
export const sitemapSources: SitemapSource[] = [cityPages, organisationPages, activityPages, badgeSitemapSource];

export type CitySitemap =
  | { kind: 'urlset'; entries: SitemapEntry[] }
  | { kind: 'index'; pages: number }
  | { kind: 'missing' };

/**
 * The city's sitemap: every URL when they fit in one file; otherwise the index (no `page`) or one chunk of it.
 */
export async function citySitemap(
  db: SqlRunner,
  city: CityRecord,
  options: { page?: number; chunkSize?: number; sources?: SitemapSource[] } = {},
): Promise<CitySitemap> {
  const chunkSize = options.chunkSize ?? SITEMAP_MAX_URLS;
  const sources = options.sources ?? sitemapSources;
  const counts = await Promise.all(sources.map((source) => source.count(db, city)));
  const total = counts.reduce((sum, count) => sum + count, 0);
  const pages = Math.max(1, Math.ceil(total / chunkSize));
  if (options.page === undefined && pages > 1) return { kind: 'index', pages };
  const page = options.page ?? 1;
  if (page > pages) return { kind: 'missing' };
  // Walk the sources as one list: skip whole sources before the chunk, then take from each until the chunk is full.
  let skip = (page - 1) * chunkSize;
  let wanted = chunkSize;
  const entries: SitemapEntry[] = [];
  for (const [index, source] of sources.entries()) {
    const count = counts[index] ?? 0;
    if (wanted === 0) break;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    const taken = await source.list(db, city, skip, Math.min(wanted, count - skip));
    entries.push(...taken);
    wanted -= taken.length;
    skip = 0;
  }
  return { kind: 'urlset', entries };
}

const xmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const xml = (value: string) => value.replace(/[&<>"']/g, (char) => xmlEscapes[char] ?? char);

export function renderUrlset(origin: string, entries: SitemapEntry[]): string {
  const urls = entries.map(
    (entry) =>
      `<url><loc>${xml(origin + entry.path)}</loc>${
        entry.lastmod ? `<lastmod>${new Date(entry.lastmod).toISOString()}</lastmod>` : ''
      }</url>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`;
}

export function renderSitemapIndex(sitemapUrl: string, pages: number): string {
  const items = Array.from(
    { length: pages },
    (_, index) => `<sitemap><loc>${xml(`${sitemapUrl}?page=${index + 1}`)}</loc></sitemap>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${items.join('\n')}\n</sitemapindex>\n`;
}

/** Paths no crawler should read: accounts, organisers' and curators' screens, forms and the API. */
export const robotsDisallowed = [
  '/account',
  '/admin',
  '/api/',
  '/login',
  '/logout',
  '/signup',
  '/forgot-password',
  '/reset-password',
  '/verify-email',
  '/invitations/',
  '/auth/',
  '/dev/',
  '/c/*/manage',
  '/c/*/curate',
  '/c/*/signup',
  '/c/*/saved-searches',
  '/c/*/organisations/new',
  '/c/*/activities/*/sign-up',
  '/c/*/activities/*/calendar.ics',
];

export function renderRobots(sitemaps: string[]): string {
  return [
    'User-agent: *',
    ...robotsDisallowed.map((path) => `Disallow: ${path}`),
    'Allow: /',
    '',
    ...sitemaps.map((url) => `Sitemap: ${url}`),
    '',
  ].join('\n');
}

/** The scheme and host the request came in on (behind a proxy, as the proxy says when `trustProxy` is set). */
export function requestOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function hostCity(request: FastifyRequest): Promise<CityRecord | undefined> {
  return findCityByHostName(request.server.db, request.hostname.replace(/:\d+$/, ''));
}

async function sendSitemap(
  request: FastifyRequest,
  reply: FastifyReply,
  city: CityRecord,
  origin: string,
  sitemapPath: string,
  page: number | undefined,
): Promise<FastifyReply> {
  const sitemap = await citySitemap(request.server.db, city, page === undefined ? {} : { page });
  if (sitemap.kind === 'missing') throw new AppError('NOT_FOUND', 'This sitemap has no such page.');
  const body =
    sitemap.kind === 'index'
      ? renderSitemapIndex(origin + sitemapPath, sitemap.pages)
      : renderUrlset(origin, sitemap.entries);
  return reply
    .header('content-type', 'application/xml; charset=utf-8')
    .header('cache-control', 'public, max-age=3600')
    .send(body);
}

const citySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const SitemapQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) });

export async function sitemapRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/c/:citySlug/sitemap.xml',
    {
      config: { access: 'public' },
      schema: { hide: true, params: Type.Object({ citySlug }), querystring: SitemapQuery },
    },
    async (request, reply) => {
      const city = cityOf(request);
      return sendSitemap(request, reply, city, app.config.publicUrl, `/c/${city.slug}/sitemap.xml`, request.query.page);
    },
  );

  // On a city's own host name the sitemap is at the root, and lists URLs on that host (the protocol requires it).
  // The network's own host lists the network home and each city's home page.
  app.get(
    '/sitemap.xml',
    { config: { access: 'public' }, schema: { hide: true, querystring: SitemapQuery } },
    async (request, reply) => {
      const city = await hostCity(request);
      if (city) return sendSitemap(request, reply, city, requestOrigin(request), '/sitemap.xml', request.query.page);
      if (request.query.page !== undefined && request.query.page > 1) {
        throw new AppError('NOT_FOUND', 'This sitemap has no such page.');
      }
      const cities = await listCities(app.db);
      return reply
        .header('content-type', 'application/xml; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(
          renderUrlset(app.config.publicUrl, [
            { path: '/', lastmod: null },
            ...cities.map((c) => ({ path: `/c/${c.slug}`, lastmod: null })),
          ]),
        );
    },
  );

  app.get('/robots.txt', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const city = await hostCity(request);
    const sitemaps = city
      ? [`${requestOrigin(request)}/sitemap.xml`]
      : [
          `${app.config.publicUrl}/sitemap.xml`,
          ...(await listCities(app.db)).map((c) => `${app.config.publicUrl}/c/${c.slug}/sitemap.xml`),
        ];
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(renderRobots(sitemaps));
  });
}
