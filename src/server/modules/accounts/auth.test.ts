import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signIn, TEST_PASSWORD } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { seedDemo } from '../../demo/seed.ts';
import { queueEmail } from '../../mail/email-jobs.ts';
import { ensureUser } from './accounts.service.ts';
import { hashSecret } from './sessions.service.ts';

function cookieFrom(setCookie: string | string[] | undefined, name: string): string | undefined {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return all.find((c) => c.startsWith(`${name}=`))?.split(';')[0];
}

describe(`sign-in, sessions and access rules on ${testEngine}`, () => {
  let t: TestApp;
  let organisationId: string;
  beforeAll(async () => {
    t = await createTestApp({
      configure(app) {
        // Probe routes for each access rule, exercising the real hooks.
        app.get('/api/v1/cities/:citySlug/probe/curator', { config: { access: 'city_curator' } }, async () => ({
          ok: true,
        }));
        app.post('/api/v1/cities/:citySlug/probe/curator', { config: { access: 'city_curator' } }, async () => ({
          ok: true,
        }));
        app.get('/api/v1/probe/admin', { config: { access: 'network_admin' } }, async () => ({ ok: true }));
        app.get(
          '/api/v1/cities/:citySlug/organisations/:organisationId/probe',
          { config: { access: 'organisation_staff', scope: 'probe:read' } },
          async () => ({ ok: true }),
        );
        app.get(
          '/api/v1/cities/:citySlug/organisations/:organisationId/probe-admin',
          { config: { access: 'organisation_admin' } },
          async () => ({ ok: true }),
        );
      },
    });
    await seedDemo(t.db, { catalogue: false });
    const [org] = await t.db.query<{ id: string }>(
      "INSERT INTO organisations (slug, name, kinds) VALUES ('probe-org', 'Probe Org', '{provider}') RETURNING id",
    );
    organisationId = (org as { id: string }).id;
    await t.db.query(
      "INSERT INTO organisation_cities (city_id, organisation_id, status) SELECT id, $1, 'approved' FROM cities WHERE slug = 'vilnius'",
      [organisationId],
    );
  });
  afterAll(() => t.close());

  const login = (email: string, password: string, ip = '10.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });

  it('signs in with email and password and sets a secure session cookie', async () => {
    await ensureUser(t.db, {
      email: 'ada@example.org',
      displayName: 'Ada',
      password: TEST_PASSWORD,
      emailVerified: true,
    });
    const response = await login('ADA@example.org', TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      signedIn: true,
      user: { email: 'ada@example.org', displayName: 'Ada', status: 'active' },
    });
    const cookie = response.cookies.find((c) => c.name === 'ls_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // Only the token's hash is stored.
    const stored = await t.db.query('SELECT id FROM sessions WHERE token_hash = $1', [hashSecret(cookie?.value ?? '')]);
    expect(stored).toHaveLength(1);
    const session = await t.app.inject({ url: '/api/v1/auth/session', cookies: { ls_session: cookie?.value ?? '' } });
    expect(session.json()).toMatchObject({ signedIn: true, csrfToken: body.csrfToken });
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const unknown = await login('nobody@example.org', 'whatever-password', '10.0.0.2');
    const wrong = await login('ada@example.org', 'not the password', '10.0.0.2');
    expect([unknown.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(unknown.json()).toEqual(wrong.json());
    expect(unknown.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses unverified addresses', async () => {
    await ensureUser(t.db, { email: 'new@example.org', displayName: 'New', password: TEST_PASSWORD });
    const response = await login('new@example.org', TEST_PASSWORD, '10.0.0.3');
    expect([response.statusCode, response.json().error.code]).toEqual([403, 'EMAIL_NOT_VERIFIED']);
  });

  it('limits sign-in attempts with 429 and Retry-After', async () => {
    let last = await login('ada@example.org', 'wrong', '10.9.9.9');
    for (let i = 0; i < 10; i++) last = await login('ada@example.org', 'wrong', '10.9.9.9');
    expect(last.statusCode).toBe(429);
    expect(last.json().error.code).toBe('RATE_LIMITED');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await login('ada@example.org', TEST_PASSWORD, '10.9.9.10')).statusCode).toBe(200);
  });

  it('needs the CSRF token for state-changing requests made with the session cookie', async () => {
    const person = await signIn(t.app, t.db, { role: 'learner' });
    const withoutToken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: person.headers.cookie },
    });
    expect([withoutToken.statusCode, withoutToken.json().error.code]).toEqual([403, 'CSRF_FAILED']);
    const wrongToken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: person.headers.cookie, 'x-csrf-token': 'forged' },
    });
    expect(wrongToken.json().error.code).toBe('CSRF_FAILED');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: person.headers });
    expect(ok.statusCode).toBe(204);
    const after = await t.app.inject({ url: '/api/v1/auth/session', headers: person.headers });
    expect(after.json().signedIn).toBe(false);
  });

  it('logs out everywhere', async () => {
    const first = await signIn(t.app, t.db, { role: 'learner' }, 'many@example.org');
    const second = await signIn(t.app, t.db, { role: 'learner' }, 'many@example.org');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout-everywhere',
      headers: second.headers,
    });
    expect(response.json()).toEqual({ endedSessions: 2 });
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: first.headers })).json().signedIn).toBe(false);
  });

  it('applies the city curator rule per city', async () => {
    const url = '/api/v1/cities/vilnius/probe/curator';
    const curator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'vilnius' });
    const otherCurator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'plymouth' });
    const admin = await signIn(t.app, t.db, { role: 'network_admin' });
    const learner = await signIn(t.app, t.db, { role: 'learner' });
    const status = async (headers?: Record<string, string>) => (await t.app.inject({ url, headers })).statusCode;
    expect(await status()).toBe(401);
    expect(await status(learner.headers)).toBe(403);
    expect(await status(otherCurator.headers)).toBe(403);
    expect(await status(curator.headers)).toBe(200);
    expect(await status(admin.headers)).toBe(200);
    const unknownCity = await t.app.inject({ url: '/api/v1/cities/atlantis/probe/curator', headers: admin.headers });
    expect([unknownCity.statusCode, unknownCity.json().error.code]).toEqual([404, 'CITY_NOT_FOUND']);
    expect((await t.app.inject({ url: '/api/v1/probe/admin', headers: curator.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/probe/admin', headers: admin.headers })).statusCode).toBe(200);
  });

  it('drops a cached signed-in person as soon as the database says their roles or sessions changed', async () => {
    const url = '/api/v1/cities/vilnius/probe/curator';
    const curator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'vilnius' });
    expect((await t.app.inject({ url, headers: curator.headers })).statusCode).toBe(200);
    expect(t.app.actorCache.size).toBeGreaterThan(0);
    // Another app server (or an admin) removes the role: the trigger's notification reaches this process.
    await t.db.query("DELETE FROM role_assignments WHERE user_id = $1 AND role = 'city_curator'", [curator.userId]);
    await vi.waitFor(async () => expect((await t.app.inject({ url, headers: curator.headers })).statusCode).toBe(403), {
      timeout: 3000,
    });
    await t.db.query('DELETE FROM sessions WHERE user_id = $1', [curator.userId]);
    await vi.waitFor(async () => expect((await t.app.inject({ url, headers: curator.headers })).statusCode).toBe(401), {
      timeout: 3000,
    });
  });

  it('takes no changes in an archived city', async () => {
    const curator = await signIn(t.app, t.db, { role: 'city_curator', citySlug: 'torino' });
    await t.db.query("UPDATE cities SET status = 'archived' WHERE slug = 'torino'");
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cities/torino/probe/curator',
      headers: curator.headers,
    });
    expect([write.statusCode, write.json().error.code]).toEqual([409, 'CITY_ARCHIVED']);
    expect(
      (await t.app.inject({ url: '/api/v1/cities/torino/probe/curator', headers: curator.headers })).statusCode,
    ).toBe(200);
    await t.db.query("UPDATE cities SET status = 'active' WHERE slug = 'torino'");
  });

  it('applies organisation rules to members and to API tokens of that organisation and city', async () => {
    const base = `/api/v1/cities/vilnius/organisations/${organisationId}`;
    const staff = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' });
    const owner = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'owner' });
    expect((await t.app.inject({ url: `${base}/probe`, headers: staff.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `${base}/probe-admin`, headers: staff.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `${base}/probe-admin`, headers: owner.headers })).statusCode).toBe(200);

    const token = 'lsk_test_0123456789abcdefghijklmnop';
    await t.db.query(
      `INSERT INTO api_tokens (city_id, organisation_id, name, token_prefix, token_hash, scopes, expires_at)
       SELECT id, $1, 'probe', 'lsk_test', $2, $3, now() + interval '1 day' FROM cities WHERE slug = 'vilnius'`,
      [organisationId, hashSecret(token), ['probe:read']],
    );
    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: `${base}/probe`, headers: bearer })).statusCode).toBe(200);
    // Tokens are scoped: no scope for this route, another city, a user-only rule.
    const noScope = await t.app.inject({ url: `${base}/probe-admin`, headers: bearer });
    expect(noScope.statusCode).toBe(200);
    const otherCity = await t.app.inject({
      url: `/api/v1/cities/plymouth/organisations/${organisationId}/probe`,
      headers: bearer,
    });
    expect(otherCity.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/auth/logout', method: 'POST', headers: bearer })).statusCode).toBe(403);
    await t.db.query('UPDATE api_tokens SET scopes = $1', [['other:scope']]);
    const wrongScope = await t.app.inject({ url: `${base}/probe`, headers: bearer });
    expect([wrongScope.statusCode, wrongScope.json().error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    await t.db.query('UPDATE api_tokens SET revoked_at = now()');
    const revoked = await t.app.inject({ url: `${base}/probe`, headers: bearer });
    expect([revoked.statusCode, revoked.json().error.code]).toEqual([401, 'INVALID_API_TOKEN']);
  });

  it('signs in through the HTML form with the anonymous CSRF token and returns to the page asked for', async () => {
    const form = await t.app.inject({ url: '/login?next=/c/vilnius', headers: { accept: 'text/html' } });
    const csrfCookie = cookieFrom(form.headers['set-cookie'], 'ls_csrf') as string;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] as string;
    expect(csrfCookie.split('=')[1]).toBe(csrf);

    const forged = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        email: 'ada@example.org',
        password: TEST_PASSWORD,
        next: '/c/vilnius',
      }).toString(),
    });
    expect(forged.statusCode).toBe(403);

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
      payload: new URLSearchParams({
        email: 'ada@example.org',
        password: 'nope',
        next: '/c/vilnius',
        _csrf: csrf,
      }).toString(),
      remoteAddress: '10.1.1.1',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('class="field-error"');
    expect(wrong.body).toContain('value="ada@example.org"');

    const right = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
      payload: new URLSearchParams({
        email: 'ada@example.org',
        password: TEST_PASSWORD,
        next: '//evil.example/x',
        _csrf: csrf,
      }).toString(),
      remoteAddress: '10.1.1.2',
    });
    expect(right.statusCode).toBe(303);
    // Off-site "next" values are ignored.
    expect(right.headers.location).toBe('/');
    expect(cookieFrom(right.headers['set-cookie'], 'ls_session')).toBeDefined();
  });

  it('sends a browser that must sign in to the sign-in page', async () => {
    const response = await t.app.inject({ url: '/api/v1/probe/admin', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(401);
    const page = await t.app.inject({ method: 'POST', url: '/logout', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2F');
  });

  it('delivers queued email over real SMTP to the development inbox', async () => {
    await queueEmail(t.db, null, {
      to: 'inbox@example.org',
      subject: 'Hello over SMTP',
      text: 'Open http://learnscape.test/x',
      html: '<p>Hi</p>',
    });
    await t.worker.drain();
    const mail = await t.inbox.waitFor((m) => m.subject === 'Hello over SMTP');
    expect(mail.to).toEqual(['inbox@example.org']);
    const list = await t.app.inject({ url: '/dev/mail', headers: { accept: 'text/html' } });
    expect(list.body).toContain('Hello over SMTP');
    const one = await t.app.inject({ url: `/dev/mail/${mail.id}`, headers: { accept: 'text/html' } });
    expect(one.body).toContain('<a href="http://learnscape.test/x">');
  });
});
