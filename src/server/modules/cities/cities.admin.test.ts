import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { seedDemo } from '../../demo/seed.ts';
import { brandColourProblems, contrastRatio } from './cities.admin.service.ts';

const form = (fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(key, v);
  return params.toString();
};

describe('brand colour contrast', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrastRatio('#0b5cad', '#ffffff')).toBeGreaterThan(4.5);
  });
  it('accepts dark colours and refuses light ones or bad syntax', () => {
    expect(brandColourProblems('#0b5cad')).toEqual([]);
    expect(brandColourProblems('#ffcc00')[0]?.problem).toMatch(/contrast of 1\.\d\d:1/);
    expect(brandColourProblems('blue')[0]?.problem).toMatch(/#rrggbb/);
  });
});

describe(`city administration on ${testEngine}`, () => {
  let t: TestApp;
  let admin: SignedIn;
  let curator: SignedIn;
  beforeAll(async () => {
    t = await createTestApp();
    await seedDemo(t.db, { catalogue: false });
    admin = await signIn(t.app, t.db, { role: 'network_admin' });
    curator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'torino' });
  });
  afterAll(() => t.close());

  it('network admins create cities with the same validation as the command line, and it is audited', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities',
      headers: admin.headers,
      payload: {
        slug: 'gent',
        name: { en: 'Ghent' },
        languages: ['xx'],
        timeZone: 'Mars/Base',
        bounds: { west: 5, south: 51, east: 3, north: 50 },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['/languages', '/timeZone', '/bounds']),
    );
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities',
      headers: admin.headers,
      payload: {
        slug: 'gent',
        name: { en: 'Ghent' },
        languages: ['en'],
        timeZone: 'Europe/Brussels',
        bounds: { west: 3.58, south: 50.98, east: 3.85, north: 51.19 },
      },
    });
    expect(created.statusCode).toBe(201);
    const byCurator = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities',
      headers: curator.headers,
      payload: {
        slug: 'brugge',
        name: { en: 'Bruges' },
        languages: ['en'],
        timeZone: 'Europe/Brussels',
        bounds: { west: 3.1, south: 51.1, east: 3.3, north: 51.3 },
      },
    });
    expect(byCurator.statusCode).toBe(403);
    const [entry] = await t.db.query<{ action: string; actor_label: string }>(
      "SELECT action, actor_label FROM audit_log WHERE action = 'city.create'",
    );
    expect(entry).toEqual({ action: 'city.create', actor_label: `user:${admin.email}` });
  });

  it('appoints and removes curators, who then can or cannot act for the city', async () => {
    const person = await signIn(t.app, t.db, { role: 'learner' }, 'new.curator@example.org');
    const appoint = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities/gent/curators',
      headers: admin.headers,
      payload: { email: 'new.curator@example.org' },
    });
    expect(appoint.statusCode).toBe(201);
    expect((await t.app.inject({ url: '/api/v1/cities/gent/audit-log', headers: person.headers })).statusCode).toBe(
      200,
    );
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities/gent/curators',
      headers: admin.headers,
      payload: { email: 'nobody@example.org' },
    });
    expect(unknown.json().error.code).toBe('USER_NOT_FOUND');
    const remove = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/cities/gent/curators/${person.userId}`,
      headers: admin.headers,
    });
    expect(remove.statusCode).toBe(204);
    // Other people's role changes reach the signed-in-person cache through the database's change notification.
    await expect
      .poll(
        async () => (await t.app.inject({ url: '/api/v1/cities/gent/audit-log', headers: person.headers })).statusCode,
        {
          timeout: 5_000,
        },
      )
      .toBe(403);
    const log = await t.app.inject({ url: '/api/v1/cities/gent/audit-log', headers: admin.headers });
    expect(log.json().items.map((e: { action: string }) => e.action)).toEqual([
      'city.curator_remove',
      'city.curator_appoint',
      'city.create',
    ]);
  });

  it('archives a city: pages stay readable, writes and new organisations are refused; unarchiving brings it back', async () => {
    const archived = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities/torino/archive',
      headers: admin.headers,
    });
    expect(archived.json().status).toBe('archived');
    expect((await t.app.inject({ url: '/c/torino/organisations', headers: { accept: 'text/html' } })).statusCode).toBe(
      200,
    );
    const learner = await signIn(t.app, t.db, { role: 'learner' });
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities/torino/organisations',
      headers: learner.headers,
      payload: { name: 'Too Late', kinds: ['provider'] },
    });
    expect([write.statusCode, write.json().error.code]).toEqual([409, 'CITY_ARCHIVED']);
    const back = await t.app.inject({ method: 'POST', url: '/api/v1/cities/torino/unarchive', headers: admin.headers });
    expect(back.json().status).toBe('active');
    const actions = (
      await t.db.query<{ action: string }>(
        "SELECT action FROM audit_log WHERE target_type = 'city' ORDER BY created_at",
      )
    ).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['city.archive', 'city.unarchive']));
  });

  it('curators change their city’s languages; a default outside the languages is refused', async () => {
    const bad = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/cities/torino/settings',
      headers: curator.headers,
      payload: { languages: ['it'], defaultLanguage: 'en', name: { it: 'Torino' } },
    });
    expect(bad.json().error.details[0].field).toBe('/defaultLanguage');
    const ok = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/cities/torino/settings',
      headers: curator.headers,
      payload: {
        languages: ['it', 'en', 'lt'],
        defaultLanguage: 'it',
        name: { it: 'Torino', en: 'Turin', lt: 'Turinas' },
      },
    });
    expect(ok.json()).toMatchObject({ languages: ['it', 'en', 'lt'], name: { lt: 'Turinas' } });
    const other = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/cities/vilnius/settings',
      headers: curator.headers,
      payload: { languages: ['en'], defaultLanguage: 'en', name: { en: 'x' } },
    });
    expect(other.statusCode).toBe(403);
  });

  it('curators set the branding: a light colour fails the contrast check, a dark one shows in the header and the API', async () => {
    const base = { languages: ['it', 'en'], defaultLanguage: 'it', name: { it: 'Torino', en: 'Turin' } };
    const light = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/cities/torino/settings',
      headers: curator.headers,
      payload: { ...base, primaryColour: '#f5d000', logoUrl: 'javascript:alert(1)' },
    });
    expect(light.statusCode).toBe(400);
    expect(light.json().error.details.map((d: { field: string }) => d.field)).toEqual(['/primaryColour', '/logoUrl']);
    const dark = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/cities/torino/settings',
      headers: curator.headers,
      payload: {
        ...base,
        primaryColour: '#7A1F2B',
        logoUrl: 'https://torino.example.org/logo.svg',
        contactEmail: 'team@torino.example.org',
      },
    });
    expect(dark.json().branding).toEqual({
      primaryColour: '#7a1f2b',
      logoUrl: 'https://torino.example.org/logo.svg',
      contactEmail: 'team@torino.example.org',
    });
    const home = await t.app.inject({ url: '/c/torino', headers: { accept: 'text/html' } });
    expect(home.body).toContain('style="background-color: #7a1f2b"');
    expect(home.body).toContain('src="https://torino.example.org/logo.svg"');
    const [entry] = await t.db.query<{ after: { primaryColour: string } }>(
      "SELECT after FROM audit_log WHERE action = 'city.settings_update' ORDER BY created_at DESC LIMIT 1",
    );
    expect(entry?.after.primaryColour).toBe('#7a1f2b');
    // The settings form shows the problem beside the field.
    const form = await t.app.inject({
      method: 'POST',
      url: '/c/torino/curate/settings',
      headers: { ...curator.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([
        ['_csrf', curator.headers['x-csrf-token']],
        ['languages', 'it'],
        ['defaultLanguage', 'it'],
        ['name_it', 'Torino'],
        ['primaryColour', '#ffff00'],
      ]).toString(),
    });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('id="field-primaryColour-error"');
  });

  it('curators set the age under which learners need a guardian’s consent', async () => {
    const base = { languages: ['it', 'en'], defaultLanguage: 'it', name: { it: 'Torino', en: 'Turin' } };
    const ok = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/cities/torino/settings',
      headers: curator.headers,
      payload: { ...base, consentAge: 14 },
    });
    expect(ok.json().consentAge).toBe(14);
    const tooHigh = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/cities/torino/settings',
      headers: curator.headers,
      payload: { ...base, consentAge: 21 },
    });
    expect([tooHigh.statusCode, tooHigh.json().error.details[0].field]).toEqual([400, '/consentAge']);
    const form = await t.app.inject({
      method: 'POST',
      url: '/c/torino/curate/settings',
      headers: { ...curator.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([
        ['_csrf', curator.headers['x-csrf-token']],
        ['languages', 'it'],
        ['languages', 'en'],
        ['defaultLanguage', 'it'],
        ['name_it', 'Torino'],
        ['consentAge', 'twelve'],
      ]).toString(),
    });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('id="field-consentAge-error"');
    const [city] = await t.db.query<{ consentAge: number }>(
      `SELECT consent_age AS "consentAge" FROM cities WHERE slug = 'torino'`,
    );
    expect(city?.consentAge).toBe(14);
  });

  it('network admins create cities and appoint curators through the pages', async () => {
    const headers = { ...admin.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
    const list = await t.app.inject({ url: '/admin/cities', headers: { ...admin.headers, accept: 'text/html' } });
    expect(list.body).toContain('Turin');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/admin/cities',
      headers,
      payload: form({
        _csrf: admin.headers['x-csrf-token'],
        slug: 'x!',
        nameEn: '',
        timeZone: 'Nowhere',
        west: '',
        south: '',
        east: '',
        north: '',
      }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="field-slug-error"');
    expect(bad.body).toContain('id="field-timeZone-error"');
    const good = await t.app.inject({
      method: 'POST',
      url: '/admin/cities',
      headers,
      payload: form({
        _csrf: admin.headers['x-csrf-token'],
        slug: 'kaunas',
        nameEn: 'Kaunas',
        nameLocal: 'Kaunas',
        languages: ['lt', 'en'],
        timeZone: 'Europe/Vilnius',
        west: '23.76',
        south: '54.83',
        east: '24.10',
        north: '54.98',
      }),
    });
    expect([good.statusCode, good.headers.location]).toEqual([303, '/admin/cities?done=created']);
    const appoint = await t.app.inject({
      method: 'POST',
      url: '/admin/cities/kaunas/curators',
      headers,
      payload: form({ _csrf: admin.headers['x-csrf-token'], email: 'nobody@example.org' }),
    });
    expect(appoint.statusCode).toBe(400);
    expect(appoint.body).toContain('id="field-email-error"');
  });
});
