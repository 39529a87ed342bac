import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { seedDemo } from '../../demo/seed.ts';
import { ensureUser } from './accounts.service.ts';

const PUBLIC_URL = 'http://localhost:3999';

/** People known to the provider: any login name works in its development interactions. */
const accounts: Record<string, { email: string; email_verified: boolean; name: string }> = {
  grace: { email: 'grace@example.org', email_verified: true, name: 'Grace Hopper' },
  linus: { email: 'linus.new@example.org', email_verified: true, name: 'Linus New' },
  mallory: { email: 'ada.sso@example.org', email_verified: false, name: 'Mallory' },
};

/** Minimal browser for the provider's own pages: a cookie jar and its login/consent forms. */
async function authorizeAtProvider(startUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = startUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const index = pair.indexOf('=');
      jar.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url).href;
      if (next.startsWith(PUBLIC_URL)) return next;
      [url, method, body] = [next, 'GET', undefined];
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (!action || !prompt) throw new Error(`Unexpected provider page (${response.status}): ${page.slice(0, 300)}`);
    [url, method] = [new URL(action.replace(/&amp;/g, '&'), url).href, 'POST'];
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }).toString();
  }
  throw new Error('The provider never redirected back.');
}

describe(`single sign-on with OpenID Connect against a real provider on ${testEngine}`, () => {
  let t: TestApp;
  let server: http.Server;

  beforeAll(async () => {
    let handler: http.RequestListener = (_req, res) => res.end();
    server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'learnscape',
          client_secret: 'learnscape-test-secret',
          redirect_uris: [`${PUBLIC_URL}/auth/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      findAccount: async (_ctx, id) => ({
        accountId: id,
        claims: async () => ({
          sub: id,
          ...(accounts[id] ?? { email: `${id}@example.org`, email_verified: true, name: id }),
        }),
      }),
      features: { devInteractions: { enabled: true } },
      conformIdTokenClaims: false,
      cookies: { keys: ['a-test-only-cookie-key'] },
    });
    handler = provider.callback();
    t = await createTestApp({
      env: {
        PUBLIC_URL,
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: 'learnscape',
        OIDC_CLIENT_SECRET: 'learnscape-test-secret',
        OIDC_PROVIDER_NAME: 'City ID',
      },
    });
    await seedDemo(t.db, { catalogue: false });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function signInThroughProvider(login: string, query = '') {
    const start = await t.app.inject({ url: `/auth/oidc/start${query}` });
    expect(start.statusCode).toBe(303);
    const authorizeUrl = new URL(start.headers.location as string);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const attempt = start.cookies.find((c) => c.name === 'ls_oidc')?.value as string;
    const callback = new URL(await authorizeAtProvider(authorizeUrl.href, login));
    return t.app.inject({ url: `${callback.pathname}${callback.search}`, cookies: { ls_oidc: attempt } });
  }

  it('shows the button on the login page', async () => {
    const page = await t.app.inject({ url: '/login', headers: { accept: 'text/html' } });
    expect(page.body).toContain('Sign in with City ID');
  });

  it('links an existing account by its verified email and signs in', async () => {
    const { user } = await ensureUser(t.db, {
      email: 'grace@example.org',
      displayName: 'Grace',
      password: TEST_PASSWORD,
      emailVerified: true,
    });
    const done = await signInThroughProvider('grace', '?next=/c/plymouth');
    expect([done.statusCode, done.headers.location]).toEqual([303, '/c/plymouth']);
    const session = done.cookies.find((c) => c.name === 'ls_session')?.value as string;
    const me = await t.app.inject({ url: '/api/v1/account', cookies: { ls_session: session } });
    expect(me.json()).toMatchObject({ id: user.id, identities: [{ provider: t.config.oidc?.issuer }] });
    // The second time, the identity itself finds the account.
    expect((await signInThroughProvider('grace')).statusCode).toBe(303);
    expect(await t.db.query('SELECT 1 FROM user_identities WHERE user_id = $1', [user.id])).toHaveLength(1);
  });

  it('creates a new account that stays limited until the person gives a date of birth', async () => {
    const done = await signInThroughProvider('linus', '?city=torino');
    expect(done.headers.location).toBe('/account');
    const cookies = { ls_session: done.cookies.find((c) => c.name === 'ls_session')?.value as string };
    const me = (await t.app.inject({ url: '/api/v1/account', cookies })).json();
    expect(me).toMatchObject({
      email: 'linus.new@example.org',
      displayName: 'Linus New',
      emailVerified: true,
      status: 'limited',
      hasPassword: false,
      dateOfBirth: null,
      homeCity: { slug: 'torino' },
    });
    const csrf = (await t.app.inject({ url: '/api/v1/auth/session', cookies })).json().csrfToken;
    const completed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/date-of-birth',
      cookies,
      headers: { 'x-csrf-token': csrf },
      payload: { dateOfBirth: '1990-05-01' },
    });
    expect(completed.json()).toMatchObject({ status: 'active', dateOfBirth: '1990-05-01' });
  });

  it('refuses to link an address the provider has not verified', async () => {
    await ensureUser(t.db, {
      email: 'ada.sso@example.org',
      displayName: 'Ada',
      password: TEST_PASSWORD,
      emailVerified: true,
    });
    const done = await signInThroughProvider('mallory');
    expect([done.statusCode, done.json().error.code]).toEqual([400, 'SSO_FAILED']);
    expect(await t.db.query(`SELECT 1 FROM user_identities WHERE subject = 'mallory'`)).toHaveLength(0);
  });

  it('rejects a callback whose state does not match', async () => {
    const start = await t.app.inject({ url: '/auth/oidc/start' });
    const attempt = start.cookies.find((c) => c.name === 'ls_oidc')?.value as string;
    const forged = await t.app.inject({
      url: '/auth/oidc/callback?code=abc&state=forged',
      cookies: { ls_oidc: attempt },
    });
    expect(forged.json().error.code).toBe('SSO_FAILED');
    const noCookie = await t.app.inject({ url: '/auth/oidc/callback?code=abc&state=x' });
    expect(noCookie.json().error.code).toBe('SSO_FAILED');
  });
});
