import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, TEST_PASSWORD } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { seedDemo } from '../../demo/seed.ts';
import { createCity } from '../cities/cities.service.ts';
import type { UserActor } from './actor.ts';
import { purgeExpiredExportsHandler } from './gdpr.service.ts';
import { requireFullAccount } from './policies.ts';
import { actorForSessionToken } from './sessions.service.ts';

const PASSWORD = 'violet kettle under moonlight';
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
]);

function yearsAgo(years: number, extraDays = 30): string {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() - extraDays);
  return date.toISOString().slice(0, 10);
}

function tokenFrom(text: string, path: string): string {
  const match = new RegExp(`${path.replace(/[/?]/g, '\\$&')}\\?token=([\\w-]+)`).exec(text);
  if (!match?.[1]) throw new Error(`No ${path} link in: ${text}`);
  return match[1];
}

describe(`people: sign-up, verification, passwords, minors, profile and GDPR on ${testEngine}`, () => {
  let t: TestApp;
  let ip = 0;
  const nextIp = () => `10.20.${Math.floor(++ip / 250)}.${ip % 250}`;

  beforeAll(async () => {
    t = await createTestApp();
    await seedDemo(t.db, { catalogue: false });
  });
  afterAll(() => t.close());

  const signUp = (body: Record<string, unknown>, city = 'plymouth', headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/${city}/signup`,
      payload: { password: PASSWORD, displayName: 'Test Person', dateOfBirth: yearsAgo(30), ...body },
      headers,
      remoteAddress: nextIp(),
    });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers, remoteAddress: nextIp() });
  const login = (email: string, password: string) => post('/api/v1/auth/login', { email, password });
  async function mailTo(address: string, subject: string) {
    await t.worker.drain();
    return t.inbox.waitFor((m) => m.to.includes(address) && m.subject.includes(subject), 5000);
  }

  it('signs an adult up, verifies the address from the emailed link, then signs in', async () => {
    const response = await signUp({ email: 'nadia@example.org', displayName: 'Nadia' });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ status: 'check_email' });
    const [row] = await t.db.query<{ status: string; city: string; joined: number }>(
      `SELECT u.status, c.slug AS city, (SELECT count(*)::int FROM user_cities uc WHERE uc.user_id = u.id) AS joined
       FROM users u JOIN cities c ON c.id = u.home_city_id WHERE u.email = 'nadia@example.org'`,
    );
    expect(row).toEqual({ status: 'active', city: 'plymouth', joined: 1 });
    expect((await login('nadia@example.org', PASSWORD)).json().error.code).toBe('EMAIL_NOT_VERIFIED');

    const mail = await mailTo('nadia@example.org', 'Confirm your email');
    expect(mail.html).toContain('Hello Nadia,');
    const token = tokenFrom(mail.text, '/verify-email');
    // Only the token's hash is stored.
    expect(await t.db.query('SELECT 1 FROM one_time_tokens WHERE token_hash = $1', [token])).toHaveLength(0);
    const verified = await post('/api/v1/auth/verify-email', { token });
    expect(verified.json()).toEqual({ verified: true, status: 'active' });
    expect((await login('nadia@example.org', PASSWORD)).statusCode).toBe(200);
    const reused = await post('/api/v1/auth/verify-email', { token });
    expect([reused.statusCode, reused.json().error.code]).toEqual([410, 'TOKEN_USED']);
    const unknown = await post('/api/v1/auth/verify-email', { token: 'x'.repeat(43) });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, 'TOKEN_INVALID']);
  });

  it('writes the verification email in the city language the person asked for', async () => {
    await signUp({ email: 'jonas@example.org' }, 'vilnius', { 'accept-language': 'lt' });
    const mail = await mailTo('jonas@example.org', 'Patvirtinkite');
    expect(mail.text).toContain('Learnscape mieste Vilnius');
  });

  it('answers a sign-up with a known address exactly like a new one and tells the owner instead', async () => {
    const first = await signUp({ email: 'twice@example.org' });
    const again = await signUp({ email: 'TWICE@example.org', displayName: 'Someone else' });
    expect([again.statusCode, again.body]).toEqual([first.statusCode, first.body]);
    expect(await t.db.query(`SELECT id FROM users WHERE lower(email) = 'twice@example.org'`)).toHaveLength(1);
    const notice = await mailTo('twice@example.org', 'Someone tried to sign up');
    expect(notice.text).toContain('/forgot-password');
  });

  it('refuses weak passwords and bad fields with stable codes on the field', async () => {
    const short = await signUp({ email: 'weak@example.org', password: 'short' });
    expect([short.statusCode, short.json().error.code]).toEqual([400, 'PASSWORD_TOO_SHORT']);
    expect(short.json().error.details).toEqual([
      expect.objectContaining({ field: '/password', code: 'PASSWORD_TOO_SHORT' }),
    ]);
    const common = await signUp({ email: 'weak@example.org', password: 'password123' });
    expect(common.json().error.code).toBe('PASSWORD_TOO_COMMON');
    const personal = await signUp({ email: 'weak@example.org', password: 'weak@example.org' });
    expect(personal.json().error.code).toBe('PASSWORD_TOO_COMMON');
    const several = await signUp({ email: 'not-an-email', password: 'qwertyuiop', dateOfBirth: '2001-02-30' });
    expect(several.json().error.code).toBe('VALIDATION_FAILED');
    expect(
      several
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['/dateOfBirth', '/email', '/password']);
    expect(await t.db.query(`SELECT id FROM users WHERE email = 'weak@example.org'`)).toHaveLength(0);
  });

  it('takes no sign-ups in an archived city, limits attempts and needs the CSRF token on forms', async () => {
    await createCity(t.db, {
      slug: 'oldtown',
      name: { en: 'Oldtown' },
      languages: ['en'],
      timeZone: 'Europe/London',
      bounds: { west: 0, south: 50, east: 1, north: 51 },
    });
    await t.db.query(`UPDATE cities SET status = 'archived' WHERE slug = 'oldtown'`);
    const archived = await signUp({ email: 'late@example.org' }, 'oldtown');
    expect([archived.statusCode, archived.json().error.code]).toEqual([409, 'CITY_ARCHIVED']);
    const page = await t.app.inject({ url: '/c/oldtown/signup', headers: { accept: 'text/html' } });
    expect(page.body).toContain('takes no new sign-ups');

    const form = await t.app.inject({
      method: 'POST',
      url: '/c/plymouth/signup',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        email: 'f@example.org',
        displayName: 'F',
        password: PASSWORD,
        dateOfBirth: yearsAgo(30),
      }).toString(),
    });
    expect(form.statusCode).toBe(403);

    let last = await signUp({ email: 'spam@example.org' });
    for (let i = 0; i < 6; i++) {
      last = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cities/plymouth/signup',
        payload: { email: 'spam@example.org', password: PASSWORD, displayName: 'S', dateOfBirth: yearsAgo(30) },
        remoteAddress: '10.99.99.99',
      });
    }
    expect([last.statusCode, last.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('signs a minor up as limited and activates the account when the guardian consents; withdrawal limits it again', async () => {
    const missing = await signUp({ email: 'mia@example.org', displayName: 'Mia', dateOfBirth: yearsAgo(13) });
    expect(missing.json().error.details).toEqual([
      expect.objectContaining({ field: '/guardianEmail', reason: 'guardianRequired' }),
    ]);
    const response = await signUp({
      email: 'mia@example.org',
      displayName: 'Mia',
      dateOfBirth: yearsAgo(13),
      guardianEmail: 'parent.mia@example.org',
    });
    expect(response.statusCode).toBe(202);
    await post('/api/v1/auth/verify-email', {
      token: tokenFrom((await mailTo('mia@example.org', 'Confirm')).text, '/verify-email'),
    });
    const session = await login('mia@example.org', PASSWORD);
    expect(session.json().user.status).toBe('limited');
    const cookie = session.cookies.find((c) => c.name === 'ls_session')?.value as string;
    expect(() => requireFullAccount(null)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    const limitedActor = (await actorForSessionToken(t.db, cookie)) as UserActor;
    expect(() => requireFullAccount(limitedActor)).toThrow(expect.objectContaining({ code: 'ACCOUNT_LIMITED' }));
    const accountPage = await t.app.inject({
      url: '/account',
      headers: { accept: 'text/html', cookie: `ls_session=${cookie}` },
    });
    expect(accountPage.body).toContain('notice-limited');

    const request = await mailTo('parent.mia@example.org', 'asks for your consent');
    expect(request.text).toContain('Mia (13)');
    const consentToken = tokenFrom(request.text, '/guardian/consent');
    const page = await t.app.inject({
      url: `/guardian/consent?token=${consentToken}`,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mia (13) has signed up for Learnscape in Plymouth');
    const given = await post('/api/v1/guardian/consent', { token: consentToken });
    expect(given.json()).toEqual({ consentStatus: 'given', minorName: 'Mia', cityName: 'Plymouth' });
    const fullActor = (await actorForSessionToken(t.db, cookie)) as UserActor;
    expect(fullActor.status).toBe('active');
    expect(() => requireFullAccount(fullActor)).not.toThrow();

    const confirmation = await mailTo('parent.mia@example.org', 'You have given consent');
    const withdrawToken = tokenFrom(confirmation.text, '/guardian/withdraw');
    expect((await post('/api/v1/guardian/withdraw', { token: withdrawToken })).json().consentStatus).toBe('withdrawn');
    const [after] = await t.db.query<{ status: string; consent: string }>(
      `SELECT u.status, g.status AS consent FROM users u JOIN guardian_consents g ON g.user_id = u.id WHERE u.email = 'mia@example.org'`,
    );
    expect(after).toEqual({ status: 'limited', consent: 'withdrawn' });
    // The withdrawal email offers consent again.
    const again = await mailTo('parent.mia@example.org', 'You have withdrawn consent');
    expect(tokenFrom(again.text, '/guardian/consent')).toBeTruthy();
  });

  it('resets a forgotten password with the same answer for unknown addresses, and ends every session', async () => {
    const person = await signIn(t.app, t.db, { role: 'learner' }, 'forgetful@example.org');
    const unknown = await post('/api/v1/auth/password-reset', { email: 'nobody-here@example.org' });
    const known = await post('/api/v1/auth/password-reset', { email: 'forgetful@example.org' });
    expect([known.statusCode, known.body]).toEqual([unknown.statusCode, unknown.body]);
    const token = tokenFrom((await mailTo('forgetful@example.org', 'new Learnscape password')).text, '/reset-password');
    const weak = await post('/api/v1/auth/password-reset/confirm', { token, password: 'letmein' });
    expect(weak.json().error.code).toBe('PASSWORD_TOO_SHORT');
    const done = await post('/api/v1/auth/password-reset/confirm', { token, password: PASSWORD });
    expect(done.json()).toEqual({ endedSessions: 1 });
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: person.headers })).json().signedIn).toBe(false);
    expect((await login('forgetful@example.org', TEST_PASSWORD)).statusCode).toBe(401);
    expect((await login('forgetful@example.org', PASSWORD)).statusCode).toBe(200);
    await t.db.query(
      `UPDATE one_time_tokens SET expires_at = now() - interval '1 minute' WHERE purpose = 'reset_password'`,
    );
    await post('/api/v1/auth/password-reset', { email: 'forgetful@example.org' });
    await t.worker.drain();
    const fresh = t.inbox
      .list()
      .find(
        (m) =>
          m.to.includes('forgetful@example.org') &&
          m.text.includes(`/reset-password?token=`) &&
          !m.text.includes(token),
      );
    const freshToken = tokenFrom(fresh?.text ?? '', '/reset-password');
    await t.db.query(
      `UPDATE one_time_tokens SET expires_at = now() - interval '1 minute' WHERE purpose = 'reset_password'`,
    );
    const expired = await post('/api/v1/auth/password-reset/confirm', { token: freshToken, password: PASSWORD });
    expect([expired.statusCode, expired.json().error.code]).toEqual([410, 'TOKEN_EXPIRED']);
  });

  it('changes password (other sessions end) and email (new address confirms, old one is told)', async () => {
    const person = await signIn(t.app, t.db, { role: 'learner' }, 'changer@example.org');
    const other = await signIn(t.app, t.db, { role: 'learner' }, 'changer@example.org');
    const wrong = await post(
      '/api/v1/account/password',
      { currentPassword: 'nope', newPassword: PASSWORD },
      person.headers,
    );
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([403, 'PASSWORD_INCORRECT']);
    const missingCsrf = await post(
      '/api/v1/account/password',
      { currentPassword: TEST_PASSWORD, newPassword: PASSWORD },
      { cookie: person.headers.cookie },
    );
    expect(missingCsrf.json().error.code).toBe('CSRF_FAILED');
    const changed = await post(
      '/api/v1/account/password',
      { currentPassword: TEST_PASSWORD, newPassword: PASSWORD },
      person.headers,
    );
    expect(changed.json()).toEqual({ endedSessions: 1 });
    expect((await t.app.inject({ url: '/api/v1/account', headers: other.headers })).statusCode).toBe(401);
    await mailTo('changer@example.org', 'password was changed');

    const started = await post(
      '/api/v1/account/email',
      { newEmail: 'changed@example.org', password: PASSWORD },
      person.headers,
    );
    expect(started.statusCode).toBe(202);
    await mailTo('changer@example.org', 'change of your email address was requested');
    const token = tokenFrom(
      (await mailTo('changed@example.org', 'Confirm your new email')).text,
      '/account/email/confirm',
    );
    expect((await post('/api/v1/account/email/confirm', { token })).json()).toEqual({ email: 'changed@example.org' });
    await mailTo('changer@example.org', 'email address was changed');
    const account = await t.app.inject({ url: '/api/v1/account', headers: person.headers });
    expect(account.json()).toMatchObject({ email: 'changed@example.org', emailVerified: true });
    // Moving to an address someone else uses looks the same, and tells that address's owner.
    const taken = await post(
      '/api/v1/account/email',
      { newEmail: 'nadia@example.org', password: PASSWORD },
      person.headers,
    );
    expect(taken.statusCode).toBe(202);
    await mailTo('nadia@example.org', 'Someone tried to use your email address');
  });

  it('saves a profile with a coarse home area and validated avatar', async () => {
    const person = await signIn(t.app, t.db, { role: 'learner' });
    const patch = (payload: object) =>
      t.app.inject({ method: 'PATCH', url: '/api/v1/account/profile', payload, headers: person.headers });
    const saved = await patch({
      displayName: 'Robin',
      pronouns: 'they/them',
      languages: ['en', 'uk'],
      interests: ['coding', 'music', 'coding'],
      homeDistrict: 'Stonehouse',
    });
    expect(saved.json()).toMatchObject({
      displayName: 'Robin',
      pronouns: 'they/them',
      languages: ['en', 'uk'],
      interests: ['coding', 'music'],
      homeDistrict: 'Stonehouse',
    });
    const address = await patch({ displayName: 'Robin', homeDistrict: '12 Union Street' });
    expect(address.json().error.details).toEqual([expect.objectContaining({ field: '/homeDistrict' })]);
    expect((await patch({ displayName: 'Robin', languages: ['english'] })).json().error.details[0].field).toBe(
      '/languages',
    );

    const upload = (body: Buffer, type = 'image/png') =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/account/avatar',
        payload: body,
        headers: { ...person.headers, 'content-type': type },
      });
    expect((await upload(PNG)).statusCode).toBe(204);
    const avatar = await t.app.inject({ url: '/api/v1/account/avatar', headers: person.headers });
    expect([avatar.headers['content-type'], avatar.rawPayload.equals(PNG)]).toEqual(['image/png', true]);
    const fake = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'image/png');
    expect([fake.statusCode, fake.json().error.code]).toEqual([400, 'AVATAR_INVALID']);
    const tooBig = await upload(Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]));
    expect(tooBig.json().error.code).toBe('AVATAR_INVALID');
    expect((await upload(Buffer.concat([PNG, Buffer.alloc(3 * 1024 * 1024)]))).statusCode).toBe(413);

    // The page form uploads multipart/form-data.
    const boundary = 'xyzBoundary';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${person.headers['x-csrf-token']}\r\n`,
      ),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="me.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const form = await t.app.inject({
      method: 'POST',
      url: '/account/avatar',
      payload: body,
      headers: {
        cookie: person.headers.cookie,
        accept: 'text/html',
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    });
    expect([form.statusCode, form.headers.location]).toEqual([303, '/account?done=avatar']);
    const page = await t.app.inject({
      url: '/account?done=avatar',
      headers: { cookie: person.headers.cookie, accept: 'text/html' },
    });
    expect(page.body).toContain('Your picture has been updated.');
    expect(page.body).toContain('value="Stonehouse"');
  });

  it('exports everything about a person as a ZIP only they can download, and it expires', async () => {
    const person = await signIn(t.app, t.db, { role: 'learner' }, 'exporter@example.org');
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/account/avatar',
      payload: PNG,
      headers: { ...person.headers, 'content-type': 'image/png' },
    });
    const started = await post('/api/v1/account/exports', {}, person.headers);
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json();
    await mailTo('exporter@example.org', 'ready to download');
    const status = await t.app.inject({ url: `/api/v1/account/exports/${jobId}`, headers: person.headers });
    expect(status.json()).toMatchObject({ status: 'succeeded', ready: true, percent: 100 });
    expect((await t.app.inject({ url: `/api/v1/jobs/${jobId}` })).json().progress.percent).toBe(100);

    const download = await t.app.inject({ url: `/api/v1/account/exports/${jobId}/download`, headers: person.headers });
    expect(download.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(download.rawPayload));
    expect(Object.keys(files).sort()).toEqual(['avatar.png', 'learnscape-data.json']);
    const data = JSON.parse(strFromU8(files['learnscape-data.json'] as Uint8Array));
    expect(data.account).toMatchObject({ email: 'exporter@example.org' });
    expect(JSON.stringify(data)).not.toContain('argon2');

    const stranger = await signIn(t.app, t.db, { role: 'learner' });
    const refused = await t.app.inject({ url: `/api/v1/account/exports/${jobId}/download`, headers: stranger.headers });
    expect([refused.statusCode, refused.json().error.code]).toEqual([404, 'EXPORT_NOT_FOUND']);
    expect((await t.app.inject({ url: `/api/v1/account/exports/${jobId}/download` })).statusCode).toBe(401);

    await t.db.query(
      `UPDATE jobs SET result = jsonb_set(result, '{expiresAt}', to_jsonb((now() - interval '1 day')::text)) WHERE id = $1`,
      [jobId],
    );
    const purge = (await purgeExpiredExportsHandler({ id: jobId } as never, { db: t.db } as never)) as {
      purged: number;
    };
    expect(purge.purged).toBe(1);
    const gone = await t.app.inject({ url: `/api/v1/account/exports/${jobId}/download`, headers: person.headers });
    expect([gone.statusCode, gone.json().error.code]).toEqual([410, 'EXPORT_EXPIRED']);
  });

  it('deletes an account in one step after confirmation and says what was kept', async () => {
    const person = await signIn(t.app, t.db, { role: 'learner' }, 'leaver@example.org');
    await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/account/profile',
      payload: { displayName: 'Leaver', homeDistrict: 'Mutley' },
      headers: person.headers,
    });
    const unconfirmed = await post(
      '/api/v1/account/delete',
      { confirm: 'yes', password: TEST_PASSWORD },
      person.headers,
    );
    expect(unconfirmed.json().error.code).toBe('DELETE_NOT_CONFIRMED');
    const wrongPassword = await post('/api/v1/account/delete', { confirm: 'DELETE', password: 'nope' }, person.headers);
    expect(wrongPassword.json().error.code).toBe('PASSWORD_INCORRECT');
    const deleted = await post(
      '/api/v1/account/delete',
      { confirm: 'DELETE', password: TEST_PASSWORD },
      person.headers,
    );
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json().kept.map((k: { item: string }) => k.item)).toEqual([
      'placeholder',
      'auditLog',
      'organisationRecords',
    ]);
    const [row] = await t.db.query<Record<string, unknown>>(
      `SELECT email, display_name, home_district, status, password_hash,
         (SELECT count(*)::int FROM sessions WHERE user_id = users.id) AS sessions FROM users WHERE id = $1`,
      [person.userId],
    );
    expect(row).toEqual({
      email: `deleted-${person.userId}@deleted.invalid`,
      display_name: 'Deleted account',
      home_district: null,
      status: 'deleted',
      password_hash: null,
      sessions: 0,
    });
    expect((await login('leaver@example.org', TEST_PASSWORD)).statusCode).toBe(401);
    // The address is free again.
    expect((await signUp({ email: 'leaver@example.org' })).statusCode).toBe(202);
    expect(await t.db.query(`SELECT id FROM users WHERE email = 'leaver@example.org'`)).toHaveLength(1);
  });

  it('renders the sign-up page in the city language and shows field errors next to the fields', async () => {
    const page = await t.app.inject({
      url: '/c/vilnius/signup',
      headers: { accept: 'text/html', 'accept-language': 'lt' },
    });
    expect(page.body).toContain('Prisijunkite prie Vilnius');
    const csrfCookie = page.cookies.find((c) => c.name === 'ls_csrf')?.value as string;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const form = await t.app.inject({
      method: 'POST',
      url: '/c/vilnius/signup',
      headers: {
        accept: 'text/html',
        'accept-language': 'lt',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `ls_csrf=${csrfCookie}`,
      },
      payload: new URLSearchParams({
        email: 'form@example.org',
        displayName: 'Forma',
        password: 'password123',
        dateOfBirth: yearsAgo(25),
        _csrf: csrf,
      }).toString(),
      remoteAddress: nextIp(),
    });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('id="field-password-error"');
    expect(form.body).toContain('Šis slaptažodis per dažnas');
    expect(form.body).toContain('value="form@example.org"');
  });
});
