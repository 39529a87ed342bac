import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { demoCities } from '../../demo/demo-cities.ts';
import { createCity } from '../cities/cities.service.ts';

describe(`offline map routes on ${testEngine}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    for (const city of demoCities) await createCity(t.db, city);
    await createCity(t.db, {
      slug: 'newtown',
      name: { en: 'Newtown' },
      languages: ['en'],
      timeZone: 'Europe/London',
      bounds: { west: -3.4, south: 52.4, east: -3.2, north: 52.6 },
      center: { lon: -3.3, lat: 52.5 },
      defaultZoom: 12,
    });
  });
  afterAll(() => t.close());

  it('serves a valid MapLibre style for each demo city that needs no network and no glyphs', async () => {
    for (const slug of ['plymouth', 'vilnius', 'torino']) {
      const response = await t.app.inject({ method: 'GET', url: `/c/${slug}/map/style.json` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.headers['cache-control']).toContain('public');
      expect(response.headers.etag).toMatch(/^"[\w-]+"$/);
      const style = response.json();
      expect(validateStyleMin(style)).toEqual([]);
      expect(style.version).toBe(8);
      expect(style.glyphs).toBeUndefined();
      expect(style.sprite).toBeUndefined();
      expect(style.layers.some((layer: { type: string }) => layer.type === 'symbol')).toBe(false);
      expect(Object.keys(style.sources)).toContain('boundary');
      expect(typeof style.metadata['learnscape:attribution']).toBe('string');
      // Every source is one of our own layers, and it answers.
      for (const source of Object.values(style.sources) as { type: string; data: string; attribution: string }[]) {
        expect(source.type).toBe('geojson');
        expect(source.data).toMatch(new RegExp(`^/c/${slug}/map/layers/\\w+\\.geojson$`));
        expect(source.attribution.length).toBeGreaterThan(10);
        const layer = await t.app.inject({ method: 'GET', url: source.data });
        expect(layer.statusCode).toBe(200);
        expect(layer.headers['content-type']).toContain('application/geo+json');
        expect(layer.json().type).toBe('FeatureCollection');
      }
    }
  });

  it('serves each bundled layer with an ETag and answers 304 to a matching If-None-Match', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/c/plymouth/map/layers/districts.geojson' });
    expect(first.statusCode).toBe(200);
    expect(first.json().features).toHaveLength(20);
    const again = await t.app.inject({
      method: 'GET',
      url: '/c/plymouth/map/layers/districts.geojson',
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const neighbourhoods = await t.app.inject({ method: 'GET', url: '/c/torino/map/layers/neighbourhoods.geojson' });
    expect(neighbourhoods.json().features.length).toBeGreaterThanOrEqual(18);
    const style = await t.app.inject({
      method: 'GET',
      url: '/c/vilnius/map/style.json',
      headers: { 'if-none-match': `W/${(await t.app.inject({ url: '/c/vilnius/map/style.json' })).headers.etag}` },
    });
    expect(style.statusCode).toBe(304);
  });

  it('answers 404 in JSON for a layer a city lacks, an unknown layer and an unknown city', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/c/vilnius/map/layers/districts.geojson' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const unknown = await t.app.inject({ method: 'GET', url: '/c/plymouth/map/layers/secrets.geojson' });
    expect(unknown.statusCode).toBe(404);
    const noCity = await t.app.inject({ method: 'GET', url: '/c/atlantis/map/style.json' });
    expect(noCity.statusCode).toBe(404);
    expect(noCity.json().error.code).toBe('CITY_NOT_FOUND');
  });

  it('gives a city created at runtime a background-only style and no layers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/c/newtown/map/style.json' });
    expect(response.statusCode).toBe(200);
    const style = response.json();
    expect(validateStyleMin(style)).toEqual([]);
    expect(style.sources).toEqual({});
    expect(style.center).toEqual([-3.3, 52.5]);
    const layer = await t.app.inject({ method: 'GET', url: '/c/newtown/map/layers/boundary.geojson' });
    expect(layer.statusCode).toBe(404);
  });
});
