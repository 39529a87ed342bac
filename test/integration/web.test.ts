import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { testEngine } from '../helpers/test-db.ts';

describe(`web pages on ${testEngine}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await seedDemo(t.db, { catalogue: false });
  });
  afterAll(() => t.close());

  const page = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url, headers: { accept: 'text/html', ...headers } });

  it('renders the network home with every city', async () => {
    const response = await page('/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const name of ['Plymouth', 'Vilnius', 'Turin']) expect(response.body).toContain(name);
    expect(response.body).toContain('href="/c/vilnius"');
  });

  it("renders a city's home page in its default language with the shell around it", async () => {
    const response = await page('/c/vilnius');
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain('<html lang="lt">');
    expect(body).toContain('class="skip-link" href="#main"');
    expect(body).toContain('<main id="main"');
    expect(body).toContain('<span class="brand-city">Vilnius</span>');
    expect(body).toContain('Europe/Vilnius');
    expect(body).toMatch(/<footer/);
    expect(response.headers.vary).toContain('Accept-Language');
  });

  it('switches language with ?lang=, remembers it in a cookie, and offers only the city languages', async () => {
    const switched = await page('/c/vilnius?lang=en');
    expect(switched.body).toContain('<html lang="en">');
    expect(switched.body).toContain('Welcome to Vilnius');
    const cookie = switched.cookies.find((c) => c.name === 'lang');
    expect(cookie).toMatchObject({ value: 'en', httpOnly: true, sameSite: 'Lax', path: '/' });

    const remembered = await page('/c/vilnius', { cookie: 'lang=en' });
    expect(remembered.body).toContain('<html lang="en">');

    // Italian is not a Vilnius language, so it is ignored.
    const refused = await page('/c/vilnius?lang=it');
    expect(refused.body).toContain('<html lang="lt">');
    expect(refused.body).not.toContain('hreflang="it"');
  });

  it("follows the browser's Accept-Language among the offered languages", async () => {
    const italianVisitor = await page('/c/torino', { 'accept-language': 'it-IT,it;q=0.9,en;q=0.5' });
    expect(italianVisitor.body).toContain('<html lang="it">');
    expect(italianVisitor.body).toContain('Benvenuti a Torino');
    const englishVisitor = await page('/c/torino', { 'accept-language': 'de-DE,en;q=0.5' });
    expect(englishVisitor.body).toContain('<html lang="en">');
    expect(englishVisitor.body).toContain('Welcome to Turin');
  });

  it('serves a city at the root of its own host name', async () => {
    await t.db.query("UPDATE cities SET host_name = 'learn.plymouth.test' WHERE slug = 'plymouth'");
    const response = await page('/', { host: 'learn.plymouth.test' });
    expect(response.body).toContain('<span class="brand-city">Plymouth</span>');
  });

  it('serves hashed assets with long cache headers, and 404 for unknown ones', async () => {
    const home = await page('/c/plymouth');
    const css = /href="(\/assets\/main\.[0-9a-f]{12}\.css)"/.exec(home.body)?.[1];
    const js = /src="(\/assets\/enhance\.[0-9a-f]{12}\.js)"/.exec(home.body)?.[1];
    expect(css).toBeDefined();
    expect(js).toBeDefined();
    const cssResponse = await t.app.inject(css as string);
    expect(cssResponse.statusCode).toBe(200);
    expect(cssResponse.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(cssResponse.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await t.app.inject(js as string)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await t.app.inject('/assets/main.000000000000.css')).statusCode).toBe(404);
  });

  it('escapes what it shows', async () => {
    await t.db.query(`UPDATE cities SET name = '{"en": "<script>alert(1)</script>"}' WHERE slug = 'plymouth'`);
    const response = await page('/c/plymouth');
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
