import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedIn, signIn } from '../../../../test/helpers/auth.ts';
import { createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createApiToken } from '../organisations/organisations.service.ts';
import { createBadgeClass, publishBadgeClass } from './badge-classes.service.ts';
import {
  CLAIM_CODE_ALPHABET,
  claimCodeUrl,
  formatClaimCode,
  generateClaimCode,
  normaliseClaimCode,
} from './claims.service.ts';

/** The dark modules an SVG from qrcode draws (`M x y.5 h n m dx 0 …` per row), as indexes into the QR matrix. */
function darkModules(svg: string, margin: number): number[] {
  const viewBox = /viewBox="0 0 (\d+) \d+"/.exec(svg);
  const path = /<path stroke="#000000" d="([^"]+)"/.exec(svg);
  if (!viewBox || !path) throw new Error('not a qrcode SVG');
  const size = Number(viewBox[1]) - 2 * margin;
  const dark: number[] = [];
  let x = 0;
  let y = 0;
  for (const [, command, a, b] of (path[1] as string).matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    if (command === 'M') [x, y] = [Number(a), Math.floor(Number(b))];
    else if (command === 'm') [x, y] = [x + Number(a), y + Number(b ?? 0)];
    else {
      for (let i = 0; i < Number(a); i++) dark.push((y - margin) * size + (x + i - margin));
      x += Number(a);
    }
  }
  return dark.sort((p, q) => p - q);
}

describe('claim code helpers', () => {
  it('draws codes from an alphabet without 0, O, 1 or I, and reads them back however they are typed', () => {
    expect(CLAIM_CODE_ALPHABET).not.toMatch(/[01OI]/);
    expect(CLAIM_CODE_ALPHABET).toHaveLength(32);
    const codes = new Set(Array.from({ length: 200 }, () => generateClaimCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(normaliseClaimCode(' k7qx-m3pa ')).toBe('K7QXM3PA');
    expect(normaliseClaimCode('K7QX M3PA')).toBe('K7QXM3PA');
    expect(normaliseClaimCode('K7QX-M3P0')).toBeNull();
    expect(normaliseClaimCode('short')).toBeNull();
    expect(formatClaimCode('K7QXM3PA')).toBe('K7QX-M3PA');
  });
});

describe(`claim codes on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  let organisationId: string;
  let otherOrganisationId: string;
  let badgeId: string;
  let draftBadgeId: string;
  let staff: SignedIn;
  let otherStaff: SignedIn;
  let address = 0;

  const api = (path: string) => `/api/v1/cities/${city.slug}/organisations/${organisationId}/badges/${badgeId}${path}`;
  const learner = () => signIn(t.app, t.db, { role: 'learner' });
  /** Each claim from its own address, so the per-address rate limit never decides a test. */
  const claim = (who: SignedIn, code: string, citySlug = city.slug) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/${citySlug}/claim-codes/${encodeURIComponent(code)}/claim`,
      headers: who.headers,
      remoteAddress: `10.1.${Math.floor(++address / 250)}.${address % 250}`,
    });
  const createCode = async (body: Record<string, unknown>, who: SignedIn = staff) => {
    const response = await t.app.inject({
      method: 'POST',
      url: api('/claim-codes'),
      headers: who.headers,
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; code: string; display: string; claimUrl: string; uses: number };
  };
  const credentialsOf = (userId: string, badge = badgeId) =>
    t.db.query<{ id: string; claim_route: string; issued_by: string | null }>(
      'SELECT id, claim_route, issued_by FROM badge_credentials WHERE recipient_user_id = $1 AND badge_class_id = $2',
      [userId, badge],
    );
  const usesOf = async (codeId: string) =>
    (await t.db.query<{ uses: number }>('SELECT uses FROM badge_claim_codes WHERE id = $1', [codeId]))[0]?.uses;

  async function makeBadge(name: string, publish = true, inCity = city, orgId = organisationId) {
    const created = await createBadgeClass(
      t.db,
      inCity,
      orgId,
      {
        kind: 'participation',
        name: { [inCity.defaultLanguage]: name },
        description: { [inCity.defaultLanguage]: `${name}: came to the harbour festival.` },
        criteria: { [inCity.defaultLanguage]: 'Be at the festival.' },
        imageAlt: { [inCity.defaultLanguage]: `${name}: a boat on a blue circle` },
      },
      systemCaller,
    );
    if (publish) await publishBadgeClass(t.db, inCity, created.id, systemCaller);
    return created.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const fixture = await createCatalogueCity(t.db);
    city = fixture.city;
    otherCity = fixture.otherCity;
    organisationId = fixture.organisationId;
    otherOrganisationId = fixture.trustedOrganisationId;
    badgeId = await makeBadge('Harbour festival');
    draftBadgeId = await makeBadge('Harbour draft', false);
    staff = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' });
    otherStaff = await signIn(t.app, t.db, {
      role: 'organisation',
      organisationId: otherOrganisationId,
      membership: 'admin',
    });
  }, 240_000);
  afterAll(() => t?.close());

  it('a single-use code issues once; the same learner again gets their credential; the next person is refused', async () => {
    const code = await createCode({ maxUses: 1, label: 'Stand 4' });
    expect(code).toMatchObject({ uses: 0, display: formatClaimCode(code.code), label: 'Stand 4', state: 'active' });
    expect(code.claimUrl).toBe(`${t.config.publicUrl}/c/${city.slug}/claim-code/${code.code}`);
    const ada = await learner();
    // Typed in lower case with a dash, as people do.
    const first = await claim(ada, formatClaimCode(code.code).toLowerCase());
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ badgeClassId: badgeId, created: true });
    const [credential] = await credentialsOf(ada.userId);
    expect(credential).toMatchObject({ id: first.json().credentialId, claim_route: 'claim_code' });
    // The organiser who made the code issued the badge.
    expect(credential?.issued_by).toBe(staff.userId);

    const again = await claim(ada, code.code);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ credentialId: first.json().credentialId, created: false });
    expect(await usesOf(code.id)).toBe(1);
    expect(await credentialsOf(ada.userId)).toHaveLength(1);

    const ben = await learner();
    const refused = await claim(ben, code.code);
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'CLAIM_CODE_USED_UP']);
    expect(await credentialsOf(ben.userId)).toHaveLength(0);
  });

  it('a multi-use code issues exactly its limit under ten concurrent claims', async () => {
    const code = await createCode({ maxUses: 3 });
    const people = await Promise.all(Array.from({ length: 10 }, () => learner()));
    const answers = await Promise.all(people.map((person) => claim(person, code.code)));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.statusCode === 409))
      expect(answer.json().error.code).toBe('CLAIM_CODE_USED_UP');
    expect(await usesOf(code.id)).toBe(3);
    const [row] = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM badge_credentials WHERE idempotency_key LIKE $1',
      [`code:${code.id}:%`],
    );
    expect(row?.n).toBe(3);
  });

  it('the same person claiming concurrently gets one credential and uses the code once', async () => {
    const code = await createCode({ maxUses: 5 });
    const cleo = await learner();
    const answers = await Promise.all(Array.from({ length: 4 }, () => claim(cleo, code.code)));
    expect(answers.filter((answer) => answer.statusCode === 201)).toHaveLength(1);
    expect(answers.every((answer) => [200, 201].includes(answer.statusCode))).toBe(true);
    expect(new Set(answers.map((answer) => answer.json().credentialId)).size).toBe(1);
    expect(await usesOf(code.id)).toBe(1);
    expect(await credentialsOf(cleo.userId)).toHaveLength(1);
  });

  it('expired and switched-off codes answer 410; unknown codes 404; a held badge costs no use', async () => {
    const expiring = await createCode({ maxUses: 10, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await t.db.query("UPDATE badge_claim_codes SET expires_at = now() - interval '1 minute' WHERE id = $1", [
      expiring.id,
    ]);
    const dan = await learner();
    const expired = await claim(dan, expiring.code);
    expect([expired.statusCode, expired.json().error.code]).toEqual([410, 'CLAIM_CODE_EXPIRED']);

    const open = await createCode({ maxUses: 10 });
    const disabled = await t.app.inject({
      method: 'POST',
      url: api(`/claim-codes/${open.id}/disable`),
      headers: staff.headers,
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ state: 'disabled' });
    const off = await claim(dan, open.code);
    expect([off.statusCode, off.json().error.code]).toEqual([410, 'CLAIM_CODE_EXPIRED']);
    expect(off.json().error.details[0]).toMatchObject({ reason: 'disabled' });

    for (const unknown of ['ZZZZZZZZ', 'not a code', '0000-0000']) {
      const answer = await claim(dan, unknown);
      expect([answer.statusCode, answer.json().error.code]).toEqual([404, 'CLAIM_CODE_INVALID']);
    }
    expect(await credentialsOf(dan.userId)).toHaveLength(0);

    // Someone who already holds the badge gets it back from any code, without using it.
    const another = await createCode({ maxUses: 10 });
    const first = await claim(dan, (await createCode({ maxUses: 1 })).code);
    expect(first.statusCode).toBe(201);
    const repeat = await claim(dan, another.code);
    expect(repeat.json()).toMatchObject({ created: false, credentialId: first.json().credentialId });
    expect(await usesOf(another.id)).toBe(0);

    // A code of this city is unknown in another city.
    const elsewhere = await claim(await learner(), another.code, otherCity.slug);
    expect(elsewhere.statusCode).toBe(404);
  });

  it('checks new codes and keeps them to the organisation’s published badges', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: api('/claim-codes'),
      headers: staff.headers,
      payload: { maxUses: 2, expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect([bad.statusCode, bad.json().error.details[0].field]).toEqual([400, '/expiresAt']);
    const zero = await t.app.inject({
      method: 'POST',
      url: api('/claim-codes'),
      headers: staff.headers,
      payload: { maxUses: 0 },
    });
    expect(zero.statusCode).toBe(400);
    const draft = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/${city.slug}/organisations/${organisationId}/badges/${draftBadgeId}/claim-codes`,
      headers: staff.headers,
      payload: { maxUses: 2 },
    });
    expect([draft.statusCode, draft.json().error.code]).toEqual([409, 'BADGE_NOT_PUBLISHED']);
    // Another organisation's staff: refused by the access rule, and not found through their own organisation.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: api('/claim-codes'),
          headers: otherStaff.headers,
          payload: { maxUses: 1 },
        })
      ).statusCode,
    ).toBe(403);
    const viaOther = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cities/${city.slug}/organisations/${otherOrganisationId}/badges/${badgeId}/claim-codes`,
      headers: otherStaff.headers,
      payload: { maxUses: 1 },
    });
    expect([viaOther.statusCode, viaOther.json().error.code]).toEqual([404, 'BADGE_NOT_FOUND']);
    // A learner is refused; an API token needs badges:issue to make codes and badges:read to list them.
    expect(
      (await t.app.inject({ method: 'GET', url: api('/claim-codes'), headers: (await learner()).headers })).statusCode,
    ).toBe(403);
    const { secret } = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'codes', scopes: ['badges:read'] },
      systemCaller,
    );
    const token = { authorization: `Bearer ${secret}` };
    const listed = await t.app.inject({ method: 'GET', url: api('/claim-codes'), headers: token });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.length).toBeGreaterThan(3);
    const noScope = await t.app.inject({
      method: 'POST',
      url: api('/claim-codes'),
      headers: token,
      payload: { maxUses: 1 },
    });
    expect([noScope.statusCode, noScope.json().error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    const audit = await t.db.query("SELECT 1 FROM audit_log WHERE action = 'badge_claim_code.create'");
    expect(audit.length).toBeGreaterThan(3);
  });

  it('serves the QR code of the claim URL as SVG and PNG, and a printable poster', async () => {
    const code = await createCode({ maxUses: 50, label: 'Festival gate' });
    const base = `/c/${city.slug}/manage/${organisationId}/badges/${badgeId}/claim-codes/${code.id}`;
    const svg = await t.app.inject({ url: `${base}/qr.svg`, headers: staff.headers });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg.body).toContain('<path');
    const url = claimCodeUrl(t.config, city.slug, code.code);
    // The same QR code qrcode draws for the claim URL, and its modules encode that URL.
    expect(svg.body).toBe(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    const matrix = QRCode.create(url, { errorCorrectionLevel: 'M' });
    const text = (data: unknown) =>
      typeof data === 'string' ? data : Buffer.from(data as Uint8Array).toString('utf8');
    expect(matrix.segments.map((segment) => text(segment.data)).join('')).toBe(url);
    // Read the dark modules back out of the SVG path and compare them with the QR matrix of the URL.
    expect(darkModules(svg.body, 2)).toEqual(
      [...matrix.modules.data].map((dark, index) => (dark ? index : -1)).filter((index) => index >= 0),
    );

    const png = await t.app.inject({ url: `${base}/qr.png`, headers: staff.headers });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    const poster = await t.app.inject({ url: `${base}/poster`, headers: { ...staff.headers, accept: 'text/html' } });
    expect(poster.statusCode).toBe(200);
    expect(poster.body).toContain(code.display);
    expect(poster.body).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(poster.body).toContain(url);
    expect(poster.body).toContain('@media print');
    expect(poster.body).toContain('Get the badge “Harbour festival”');
    // Other organisations' people cannot open it; nor can they reach it through their own organisation.
    expect((await t.app.inject({ url: `${base}/poster`, headers: otherStaff.headers })).statusCode).toBe(403);
    expect(
      (
        await t.app.inject({
          url: `${base}/qr.svg`.replace(organisationId, otherOrganisationId),
          headers: otherStaff.headers,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('the code pages: QR target, typing a code, signed-out visitors sent to sign in and back', async () => {
    const code = await createCode({ maxUses: 10 });
    const target = `/c/${city.slug}/claim-code/${code.code}`;
    const anonymous = await t.app.inject({ url: target, headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(target)}`);

    const eve = await learner();
    const html = { ...eve.headers, accept: 'text/html' };
    const page = await t.app.inject({ url: target, headers: html });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Claim the badge “Harbour festival”');
    expect(page.body).toContain(`value="${code.display}"`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const wrong = await t.app.inject({
      method: 'POST',
      url: `/c/${city.slug}/claim-code`,
      headers: html,
      payload: { code: 'WXYZ-2345', _csrf: eve.headers['x-csrf-token'] },
    });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.body).toContain('This code is not known here');
    expect(wrong.body).toContain('value="WXYZ-2345"');

    const claimed = await t.app.inject({
      method: 'POST',
      url: `/c/${city.slug}/claim-code`,
      headers: html,
      payload: { code: code.display, _csrf: eve.headers['x-csrf-token'] },
    });
    expect(claimed.statusCode).toBe(303);
    expect(claimed.headers.location).toBe(`/c/${city.slug}/my/badges?done=claimed`);
    expect(await credentialsOf(eve.userId)).toHaveLength(1);
    const held = await t.app.inject({ url: target, headers: html });
    expect(held.body).toContain('You already hold this badge.');

    const used = await createCode({ maxUses: 1 });
    await claim(await learner(), used.code);
    const usedPage = await t.app.inject({
      url: `/c/${city.slug}/claim-code/${used.code}`,
      headers: { ...(await learner()).headers, accept: 'text/html' },
    });
    expect(usedPage.statusCode).toBe(409);
    expect(usedPage.body).toContain('used as many times as it allows');
  });

  it('the organiser pages list codes, make one, and switch one off after confirming', async () => {
    const list = `/c/${city.slug}/manage/${organisationId}/badges/${badgeId}/claim-codes`;
    const html = { ...staff.headers, accept: 'text/html' };
    const page = await t.app.inject({ url: list, headers: html });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Claim codes for “Harbour festival”');
    const csrf = staff.headers['x-csrf-token'];
    const bad = await t.app.inject({
      method: 'POST',
      url: list,
      headers: html,
      payload: { maxUses: '0', label: 'Kept label', expiresAt: '', _csrf: csrf },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a whole number from 1 to 100000.');
    expect(bad.body).toContain('value="Kept label"');
    const made = await t.app.inject({
      method: 'POST',
      url: list,
      headers: html,
      payload: { maxUses: '25', label: 'Pier entrance', expiresAt: '2099-06-14T18:00', _csrf: csrf },
    });
    expect(made.statusCode).toBe(303);
    const [row] = await t.db.query<{ id: string; expires_at: Date; max_uses: number }>(
      "SELECT id, expires_at, max_uses FROM badge_claim_codes WHERE label = 'Pier entrance'",
    );
    expect(row?.max_uses).toBe(25);
    // 18:00 in Plymouth (British Summer Time) is 17:00 UTC.
    expect(new Date(row?.expires_at as Date).toISOString()).toBe('2099-06-14T17:00:00.000Z');
    const confirm = await t.app.inject({ url: `${list}/${row?.id}/disable`, headers: html });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Switch the code off');
    const off = await t.app.inject({
      method: 'POST',
      url: `${list}/${row?.id}/disable`,
      headers: html,
      payload: { confirmed: 'yes', _csrf: csrf },
    });
    expect([off.statusCode, off.headers.location]).toEqual([303, `${list}?done=disabled`]);
    const [after] = await t.db.query<{ disabled_at: Date | null }>(
      'SELECT disabled_at FROM badge_claim_codes WHERE id = $1',
      [row?.id],
    );
    expect(after?.disabled_at).not.toBeNull();
  });
});
