import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityInput, createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { type ActivityDetails, createActivity } from './activities.service.ts';
import { citySitemap, renderRobots, renderSitemapIndex, type SitemapSource } from './sitemap.routes.ts';

const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((match) => match[1]);

describe(`sitemap.xml and robots.txt on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let published: ActivityDetails;
  let draft: ActivityDetails;

  beforeAll(async () => {
    t = await createTestApp();
    let organisationId: string;
    ({ city, organisationId } = await createCatalogueCity(t.db));
    published = await createActivity(t.db, city, organisationId, activityInput(), systemCaller, { publish: true });
    draft = await createActivity(t.db, city, organisationId, activityInput({ title: { en: 'Draft' } }), systemCaller);
    // A pending organisation is not public.
    const [pending] = await t.db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ('waiting-org', 'Waiting', '{provider}') RETURNING id`,
    );
    await t.db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'pending')`, [
      city.id,
      pending?.id,
    ]);
  });
  afterAll(() => t.close());

  it("lists the city's public pages with lastmod, and nothing private", async () => {
    const response = await t.app.inject({ method: 'GET', url: '/c/plymouth/sitemap.xml' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(response.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/,
    );
    const urls = locs(response.body);
    expect(urls).toContain(`http://learnscape.test/c/plymouth/activities/${published.slug}`);
    expect(urls).not.toContain(`http://learnscape.test/c/plymouth/activities/${draft.slug}`);
    expect(urls).toContain('http://learnscape.test/c/plymouth/organisations/plymouth-stonehouse-makers');
    expect(urls).toContain('http://learnscape.test/c/plymouth/organisations/plymouth-central-library');
    expect(urls).not.toContain('http://learnscape.test/c/plymouth/organisations/waiting-org');
    expect(urls).toContain('http://learnscape.test/c/plymouth');
    const entry = new RegExp(
      `<url><loc>http://learnscape.test/c/plymouth/activities/${published.slug}</loc><lastmod>([^<]+)</lastmod></url>`,
    ).exec(response.body);
    expect(new Date(entry?.[1] as string).getTime()).toBe(new Date(published.updatedAt).getTime());
    // Another city's sitemap does not list this one's pages.
    const other = await t.app.inject({ method: 'GET', url: '/c/plymouth-elsewhere/sitemap.xml' });
    expect(other.body).not.toContain('/c/plymouth/');
  });

  it('becomes a sitemap index with chunks past the per-file limit', async () => {
    const index = await citySitemap(t.db, city, { chunkSize: 2 });
    expect(index.kind).toBe('index');
    const pages = index.kind === 'index' ? index.pages : 0;
    // 3 city pages + 2 organisations + 1 activity.
    expect(pages).toBe(3);
    const all: string[] = [];
    for (let page = 1; page <= pages; page++) {
      const chunk = await citySitemap(t.db, city, { chunkSize: 2, page });
      expect(chunk.kind).toBe('urlset');
      if (chunk.kind === 'urlset') all.push(...chunk.entries.map((entry) => entry.path));
    }
    expect(all).toHaveLength(6);
    expect(new Set(all).size).toBe(6);
    expect(all).toContain(`/c/plymouth/activities/${published.slug}`);
    expect((await citySitemap(t.db, city, { chunkSize: 2, page: 4 })).kind).toBe('missing');
    expect(renderSitemapIndex('https://x.example/c/plymouth/sitemap.xml', 2)).toContain(
      '<sitemap><loc>https://x.example/c/plymouth/sitemap.xml?page=2</loc></sitemap>',
    );
    // Sources are paged through as one list, whatever their sizes.
    const numbers = (from: number, count: number): SitemapSource => ({
      count: async () => count,
      list: async (_db, _city, offset, limit) =>
        Array.from({ length: Math.min(limit, count - offset) }, (_, i) => ({
          path: `/${from + offset + i}`,
          lastmod: null,
        })),
    });
    const sources = [numbers(0, 5), numbers(100, 0), numbers(200, 7)];
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const chunk = await citySitemap(t.db, city, { chunkSize: 3, page, sources });
      if (chunk.kind === 'urlset') seen.push(...chunk.entries.map((entry) => entry.path));
    }
    expect(seen).toEqual(['/0', '/1', '/2', '/3', '/4', '/200', '/201', '/202', '/203', '/204', '/205', '/206']);
    // Over HTTP, page numbers past the end are 404.
    expect((await t.app.inject({ method: 'GET', url: '/c/plymouth/sitemap.xml?page=2' })).statusCode).toBe(404);
  });

  it("serves a city's sitemap and robots.txt at the root of its own host name, with that host's URLs", async () => {
    await t.db.query(`UPDATE cities SET host_name = 'learn.plymouth.example' WHERE id = $1`, [city.id]);
    const sitemap = await t.app.inject({
      method: 'GET',
      url: '/sitemap.xml',
      headers: { host: 'learn.plymouth.example' },
    });
    expect(sitemap.statusCode).toBe(200);
    expect(locs(sitemap.body)).toContain(`http://learn.plymouth.example/c/plymouth/activities/${published.slug}`);
    const robots = await t.app.inject({
      method: 'GET',
      url: '/robots.txt',
      headers: { host: 'learn.plymouth.example' },
    });
    expect(robots.statusCode).toBe(200);
    expect(robots.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(robots.body).toContain('Sitemap: http://learn.plymouth.example/sitemap.xml');
    expect(robots.body).not.toContain('/c/plymouth-elsewhere/');
  });

  it("serves the network's robots.txt pointing to every city's sitemap and keeping crawlers out of private paths", async () => {
    const robots = await t.app.inject({ method: 'GET', url: '/robots.txt', headers: { host: 'learnscape.test' } });
    expect(robots.statusCode).toBe(200);
    const lines = robots.body.split('\n');
    expect(lines[0]).toBe('User-agent: *');
    for (const path of ['/account', '/api/', '/c/*/manage', '/c/*/curate', '/c/*/saved-searches', '/login']) {
      expect(lines).toContain(`Disallow: ${path}`);
    }
    expect(lines).toContain('Sitemap: http://learnscape.test/c/plymouth/sitemap.xml');
    expect(lines).toContain('Sitemap: http://learnscape.test/c/plymouth-elsewhere/sitemap.xml');
    expect(renderRobots([])).not.toContain('Sitemap:');
    const network = await t.app.inject({ method: 'GET', url: '/sitemap.xml', headers: { host: 'learnscape.test' } });
    expect(locs(network.body)).toEqual([
      'http://learnscape.test/',
      'http://learnscape.test/c/plymouth',
      'http://learnscape.test/c/plymouth-elsewhere',
    ]);
  });
});
