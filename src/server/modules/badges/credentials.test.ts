import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  didKeyFor,
  generateIssuerKey,
  unbake,
  verifyCredential,
  verifyCredentialJwt,
  verifyOb2Assertion,
} from '../../../credentials/index.ts';
import { type SignedIn, signIn } from '../../../../test/helpers/auth.ts';
import { createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { solidPng } from '../../../../test/helpers/images.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { AppError } from '../../errors.ts';
import { cliAuditContext } from '../audit/audit.service.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createApiToken } from '../organisations/organisations.service.ts';
import { badgeImageBytes, createBadgeClass, publishBadgeClass, setBadgeImage } from './badge-classes.service.ts';
import { parseRecipientLines, prefersJson } from './credentials.pages.ts';
import {
  addMonths,
  claimCredential,
  correctCredential,
  getCredential,
  type IssueRequest,
  issueCredential,
} from './credentials.service.ts';
import { statusBit } from './status-lists.service.ts';
import { injectFetch } from './issuers.test-support.ts';

type Json = Record<string, unknown>;

describe(`badge credentials on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  let organisationId: string;
  let otherOrganisationId: string;
  let badgeId: string;
  let advancedBadgeId: string;
  let expiringBadgeId: string;
  let staff: SignedIn;
  let otherStaff: SignedIn;
  let learner: SignedIn;

  /** Our own URLs (DID documents, status lists) answered through the app, as a verifier fetches them. */
  const fetchJson = (url: string) => injectFetch(t)(url);

  const audit = cliAuditContext();
  const issue = (request: IssueRequest, inCity = city) =>
    t.db.transaction((tx) => issueCredential(tx, t.config, inCity, audit, request));
  const documentOf = async (id: string) => (await getCredential(t.db, city, id)).document;
  const emailsTo = async (to: string) =>
    (
      await t.db.query<{ payload: { subject: string; text: string } }>(
        `SELECT payload FROM jobs WHERE type = 'email.send' AND lower(payload->>'to') = lower($1) ORDER BY created_at, id`,
        [to],
      )
    ).map((row) => row.payload);
  const claimTokenIn = (text: string) => /\/claim\/([\w-]+)/.exec(text)?.[1] as string;
  const api = (path: string) => `/api/v1/cities/${city.slug}/organisations/${organisationId}${path}`;

  async function makeBadge(
    inCity: CityRecord,
    orgId: string,
    name: string,
    extra: { prerequisites?: string[]; validityMonths?: number } = {},
  ) {
    const created = await createBadgeClass(
      t.db,
      inCity,
      orgId,
      {
        kind: 'participation',
        name: { [inCity.defaultLanguage]: name },
        description: { [inCity.defaultLanguage]: `${name}: helping at the monthly repair café.` },
        criteria: { [inCity.defaultLanguage]: 'Help at three repair cafés.' },
        imageAlt: { [inCity.defaultLanguage]: `${name} badge: a spanner on a green circle` },
        ...extra,
      },
      systemCaller,
    );
    await publishBadgeClass(t.db, inCity, created.id, systemCaller);
    return created.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const fixture = await createCatalogueCity(t.db);
    city = fixture.city;
    otherCity = fixture.otherCity;
    organisationId = fixture.organisationId;
    otherOrganisationId = fixture.trustedOrganisationId;
    badgeId = await makeBadge(city, organisationId, 'Repair Café helper');
    advancedBadgeId = await makeBadge(city, organisationId, 'Repair Café mentor', { prerequisites: [badgeId] });
    expiringBadgeId = await makeBadge(city, organisationId, 'First aid at events', { validityMonths: 12 });
    staff = await signIn(t.app, t.db, { role: 'organisation', organisationId, membership: 'staff' });
    otherStaff = await signIn(t.app, t.db, {
      role: 'organisation',
      organisationId: otherOrganisationId,
      membership: 'admin',
    });
    learner = await signIn(t.app, t.db, { role: 'learner' });
  });
  afterAll(() => t.close());

  it('issues a credential that verifies, with its status entries, and replays an idempotency key', async () => {
    const result = await issue({
      badgeClassId: badgeId,
      recipient: { email: 'Grace.Hopper@example.org', name: 'Grace Hopper' },
      route: 'award',
      idempotencyKey: 'first-issue',
      narrative: 'Fixed twelve toasters.',
    });
    expect(result.created).toBe(true);
    const document = await documentOf(result.credentialId);
    expect(document.id).toBe(`${t.config.publicUrl}/c/${city.slug}/credentials/${result.credentialId}`);
    expect(document.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    const subject = document.credentialSubject as Json;
    expect(subject.identifier).toEqual([
      expect.objectContaining({ type: 'IdentityObject', identityType: 'emailAddress', hashed: true }),
      { type: 'IdentityObject', identityHash: 'Grace Hopper', identityType: 'name', hashed: false },
    ]);
    expect(document.evidence).toEqual([{ type: ['Evidence'], narrative: 'Fixed twelve toasters.' }]);
    const status = document.credentialStatus as Json[];
    expect(status.map((entry) => entry.statusPurpose)).toEqual(['revocation', 'suspension']);

    const verified = await verifyCredential(document, { fetchJson });
    expect(verified.checks.filter((check) => !check.passed)).toEqual([]);
    expect(verified.verified).toBe(true);

    const replay = await issue({
      badgeClassId: badgeId,
      recipient: { email: 'grace.hopper@example.org' },
      route: 'award',
      idempotencyKey: 'first-issue',
    });
    expect(replay).toEqual({ credentialId: result.credentialId, created: false });
    await expect(
      issue({
        badgeClassId: expiringBadgeId,
        recipient: { email: 'x@example.org' },
        route: 'award',
        idempotencyKey: 'first-issue',
      }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });

    // No account yet: one email, with a claim link.
    const mails = await emailsTo('grace.hopper@example.org');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('Repair Café helper');
    expect(claimTokenIn(mails[0]?.text ?? '')).toMatch(/^[\w-]{40,}$/);
  });

  it('names an account holder by their DID when they have one, and sets validUntil from the badge', async () => {
    const did = didKeyFor(await generateIssuerKey());
    await t.db.query('UPDATE users SET did = $1 WHERE id = $2', [did, learner.userId]);
    const { credentialId } = await issue({
      badgeClassId: expiringBadgeId,
      recipient: { userId: learner.userId },
      route: 'award',
    });
    const document = await documentOf(credentialId);
    expect((document.credentialSubject as Json).id).toBe(did);
    const validFrom = new Date(document.validFrom as string);
    expect(document.validUntil).toBe(`${addMonths(validFrom, 12).toISOString().slice(0, 19)}Z`);
    expect((await verifyCredential(document, { fetchJson })).verified).toBe(true);
    const mails = await emailsTo(learner.email);
    expect(mails.at(-1)?.text).toContain(`/credentials/${credentialId}`);
    expect(mails.at(-1)?.text).not.toContain('/claim/');
  });

  it('gives 20 concurrent issues 40 distinct status slots', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        issue({ badgeClassId: badgeId, recipient: { email: `crowd-${n}@example.org` }, route: 'bulk' }),
      ),
    );
    const rows = await t.db.query<{ slot: string }>(
      `SELECT revocation_list_id || ':' || revocation_index AS slot FROM badge_credentials WHERE id = ANY($1::uuid[])
       UNION ALL
       SELECT suspension_list_id || ':' || suspension_index FROM badge_credentials WHERE id = ANY($1::uuid[])`,
      [results.map((r) => r.credentialId)],
    );
    expect(new Set(rows.map((row) => row.slot)).size).toBe(40);
  });

  it('enforces prerequisites, naming the missing badges', async () => {
    const attempt = issue({ badgeClassId: advancedBadgeId, recipient: { email: 'ada@example.org' }, route: 'award' });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: 'BADGE_PREREQUISITES_MISSING',
      details: [expect.objectContaining({ badgeName: 'Repair Café helper' })],
    });
    await issue({ badgeClassId: badgeId, recipient: { email: 'ada@example.org' }, route: 'award' });
    const { created } = await issue({
      badgeClassId: advancedBadgeId,
      recipient: { email: 'ADA@example.org' },
      route: 'award',
    });
    expect(created).toBe(true);
  });

  it('awards through the API all-or-nothing, with per-recipient results and idempotent retries', async () => {
    const body = {
      recipients: [{ email: 'lin@example.org', name: 'Lin' }, { email: 'mo@example.org' }, { userId: learner.userId }],
      narrative: 'Ran the stall.',
      evidenceUrl: 'https://example.org/photos/stall',
    };
    const headers = { ...staff.headers, 'idempotency-key': 'api-award-1' };
    const first = await t.app.inject({
      method: 'POST',
      url: api(`/badges/${badgeId}/credentials`),
      headers,
      payload: body,
    });
    expect(first.statusCode).toBe(201);
    const items = first.json().items as { index: number; credentialId: string; created: boolean }[];
    expect(items.map((item) => [item.index, item.created])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    const retry = await t.app.inject({
      method: 'POST',
      url: api(`/badges/${badgeId}/credentials`),
      headers,
      payload: body,
    });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().items.map((item: { credentialId: string }) => item.credentialId)).toEqual(
      items.map((item) => item.credentialId),
    );
    const evidence = (await documentOf(items[0]?.credentialId as string)).evidence;
    expect(evidence).toEqual([
      { id: 'https://example.org/photos/stall', type: ['Evidence'], narrative: 'Ran the stall.' },
    ]);

    // One recipient lacks the prerequisite: nothing is issued, and the error names them.
    const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM badge_credentials');
    const rejected = await t.app.inject({
      method: 'POST',
      url: api(`/badges/${advancedBadgeId}/credentials`),
      headers: staff.headers,
      payload: { recipients: [{ email: 'ada@example.org' }, { email: 'newcomer@example.org' }] },
    });
    expect(rejected.statusCode).toBe(422);
    expect(rejected.json().error).toMatchObject({
      code: 'AWARD_REJECTED',
      details: [expect.objectContaining({ field: '/recipients/1', code: 'BADGE_PREREQUISITES_MISSING' })],
    });
    expect(await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM badge_credentials')).toEqual(before);

    const invalid = await t.app.inject({
      method: 'POST',
      url: api(`/badges/${badgeId}/credentials`),
      headers: staff.headers,
      payload: { recipients: [{ email: 'not-an-email' }, { email: 'dup@example.org' }, { email: 'DUP@example.org' }] },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details.map((d: { field: string }) => d.field)).toEqual([
      '/recipients/0/email',
      '/recipients/2',
    ]);
  });

  it('revokes: the published status list marks it, verification fails, the pages still answer and say so', async () => {
    const { credentialId } = await issue({
      badgeClassId: badgeId,
      recipient: { email: 'rev@example.org' },
      route: 'award',
    });
    const record = await getCredential(t.db, city, credentialId);
    const missingReason = await t.app.inject({
      method: 'POST',
      url: api(`/credentials/${credentialId}/revoke`),
      headers: staff.headers,
      payload: { reason: ' ' },
    });
    expect(missingReason.statusCode).toBe(400);
    const revoked = await t.app.inject({
      method: 'POST',
      url: api(`/credentials/${credentialId}/revoke`),
      headers: staff.headers,
      payload: { reason: 'Awarded by mistake' },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ status: 'revoked', statusReason: 'Awarded by mistake' });
    expect(await statusBit(t.db, city.id, record.revocationListId, record.revocationIndex)).toBe(true);

    const result = await verifyCredential(record.document, { fetchJson });
    expect(result.verified).toBe(false);
    expect(result.checks).toContainEqual({
      id: 'status',
      passed: false,
      message: 'The issuer has revoked this credential.',
    });
    const page = await t.app.inject({
      method: 'GET',
      url: `/c/${city.slug}/credentials/${credentialId}`,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Revoked');
    expect(page.body).toContain('Awarded by mistake');
    const mails = await emailsTo('rev@example.org');
    expect(mails.at(-1)?.subject).toContain('withdrawn');
    expect(mails.at(-1)?.text).toContain('Awarded by mistake');

    const again = await t.app.inject({
      method: 'POST',
      url: api(`/credentials/${credentialId}/reinstate`),
      headers: staff.headers,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CREDENTIAL_STATUS_CONFLICT');
  });

  it('suspends, then reinstates', async () => {
    const { credentialId } = await issue({
      badgeClassId: badgeId,
      recipient: { email: 'sus@example.org' },
      route: 'award',
    });
    const document = await documentOf(credentialId);
    const suspend = await t.app.inject({
      method: 'POST',
      url: api(`/credentials/${credentialId}/suspend`),
      headers: staff.headers,
      payload: { reason: 'Under review' },
    });
    expect(suspend.json().status).toBe('suspended');
    const suspended = await verifyCredential(document, { fetchJson });
    expect(suspended.checks).toContainEqual({
      id: 'status',
      passed: false,
      message: 'The issuer has suspended this credential.',
    });
    const reinstate = await t.app.inject({
      method: 'POST',
      url: api(`/credentials/${credentialId}/reinstate`),
      headers: staff.headers,
      payload: {},
    });
    expect(reinstate.json()).toMatchObject({ status: 'active', statusReason: null });
    expect((await verifyCredential(document, { fetchJson })).verified).toBe(true);
    expect((await emailsTo('sus@example.org')).map((mail) => mail.subject)).toEqual([
      expect.stringContaining('You have been awarded'),
      expect.stringContaining('suspended'),
      expect.stringContaining('counts again'),
    ]);
  });

  it('corrects with a replacement of the same version; the old one is revoked "superseded" and linked; one email', async () => {
    const { credentialId } = await issue({
      badgeClassId: badgeId,
      recipient: { email: 'corr@example.org', name: 'Grase Hoper' },
      route: 'award',
      narrative: 'Helped on the day.',
    });
    const old = await getCredential(t.db, city, credentialId);
    const mailsBefore = (await emailsTo('corr@example.org')).length;
    const response = await t.app.inject({
      method: 'POST',
      url: api(`/credentials/${credentialId}/correct`),
      headers: staff.headers,
      payload: { recipientName: 'Grace Hopper', validFrom: '2024-05-01T10:00:00Z' },
    });
    expect(response.statusCode).toBe(201);
    const { credentialId: newId, supersedesId } = response.json();
    expect(supersedesId).toBe(credentialId);
    const replacement = await getCredential(t.db, city, newId);
    expect(replacement).toMatchObject({ supersedesId: credentialId, badgeVersion: old.badgeVersion, status: 'active' });
    expect(replacement.document.validFrom).toBe('2024-05-01T10:00:00Z');
    expect((replacement.document.credentialSubject as Json).achievement).toEqual(
      (old.document.credentialSubject as Json).achievement,
    );
    expect(JSON.stringify(replacement.document.credentialSubject)).toContain('Grace Hopper');
    expect(replacement.document.evidence).toEqual(old.document.evidence);
    expect((await verifyCredential(replacement.document, { fetchJson })).verified).toBe(true);

    const superseded = await getCredential(t.db, city, credentialId);
    expect(superseded).toMatchObject({ status: 'revoked', statusReason: 'superseded', supersededById: newId });
    const mails = await emailsTo('corr@example.org');
    expect(mails).toHaveLength(mailsBefore + 1);
    expect(mails.at(-1)?.subject).toContain('corrected');
    // Not claimed yet, so the one email carries the new credential's claim link.
    expect(claimTokenIn(mails.at(-1)?.text ?? '')).toBeTruthy();

    const page = await t.app.inject({ method: 'GET', url: `/c/${city.slug}/credentials/${credentialId}` });
    expect(page.body).toContain(`/c/${city.slug}/credentials/${newId}`);
    await expect(
      t.db.transaction((tx) => correctCredential(tx, t.config, city, audit, credentialId, { recipientName: 'X' })),
    ).rejects.toMatchObject({ code: 'CREDENTIAL_STATUS_CONFLICT' });
  });

  it('sends a claim link to an email without an account; after signing up the learner claims it', async () => {
    const email = 'claire.newcomer@example.org';
    const award = await t.app.inject({
      method: 'POST',
      url: api(`/badges/${badgeId}/credentials`),
      headers: staff.headers,
      payload: { recipients: [{ email }] },
    });
    const credentialId = award.json().items[0].credentialId as string;
    expect((await getCredential(t.db, city, credentialId)).claimPending).toBe(true);
    const token = claimTokenIn((await emailsTo(email))[0]?.text ?? '');
    const claimPath = `/c/${city.slug}/claim/${token}`;

    const anonymous = await t.app.inject({ method: 'GET', url: claimPath });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.headers['referrer-policy']).toBe('no-referrer');
    expect(anonymous.body).toContain(`/login?next=${encodeURIComponent(claimPath)}`);
    expect(anonymous.body).toContain(`/c/${city.slug}/signup`);

    const claire = await signIn(t.app, t.db, { role: 'learner' }, email);
    const signedIn = await t.app.inject({ method: 'GET', url: claimPath, headers: { cookie: claire.headers.cookie } });
    expect(signedIn.body).toContain('Add to my badges');
    const claimed = await t.app.inject({
      method: 'POST',
      url: claimPath,
      headers: claire.headers,
      payload: { _csrf: claire.headers['x-csrf-token'] },
    });
    expect(claimed.statusCode).toBe(303);
    expect(claimed.headers.location).toBe(`/c/${city.slug}/my/badges?done=claimed`);
    expect(await getCredential(t.db, city, credentialId)).toMatchObject({
      recipientUserId: claire.userId,
      claimPending: false,
    });

    const mine = await t.app.inject({ method: 'GET', url: `/c/${city.slug}/my/badges`, headers: claire.headers });
    expect(mine.body).toContain('Repair Café helper');
    expect(mine.body).toContain(`/c/${city.slug}/credentials/${credentialId}`);
    const mineApi = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cities/${city.slug}/me/badges`,
      headers: claire.headers,
    });
    expect(mineApi.json().items.map((item: { id: string }) => item.id)).toEqual([credentialId]);

    const used = await t.app.inject({ method: 'GET', url: claimPath });
    expect(used.statusCode).toBe(410);
    await expect(
      t.db.transaction((tx) => claimCredential(tx, t.config, city, cliAuditContext(), token, claire.userId)),
    ).rejects.toMatchObject({
      code: 'CLAIM_LINK_INVALID',
    });
    expect(
      (await t.app.inject({ method: 'GET', url: `/c/${city.slug}/claim/not-a-real-token-at-all-000` })).statusCode,
    ).toBe(410);
  });

  it('hosts an OB 2.0 assertion that verifies, and says revoked once revoked', async () => {
    const email = 'ob2@example.org';
    const { credentialId } = await issue({ badgeClassId: badgeId, recipient: { email }, route: 'award' });
    const url = `${t.config.publicUrl}/c/${city.slug}/credentials/${credentialId}/ob2`;
    const result = await verifyOb2Assertion(url, { fetchJson, recipientEmail: email });
    expect(result.checks.filter((check) => !check.passed)).toEqual([]);
    expect(result.verified).toBe(true);

    await t.app.inject({
      method: 'POST',
      url: api(`/credentials/${credentialId}/revoke`),
      headers: staff.headers,
      payload: { reason: 'Duplicate award' },
    });
    const assertion = await fetchJson(url);
    expect(assertion).toMatchObject({ revoked: true, revocationReason: 'Duplicate award' });
    const after = await verifyOb2Assertion(url, { fetchJson, recipientEmail: email });
    expect(after.verified).toBe(false);
    expect(after.checks.at(-1)).toMatchObject({ id: 'status', passed: false });
  });

  it('serves the JSON-LD, a VC-JWT and baked PNG/SVG (OB 3.0 and 2.0) that unbake to the same credential', async () => {
    const { credentialId } = await issue({
      badgeClassId: badgeId,
      recipient: { email: 'bake@example.org' },
      route: 'award',
    });
    const document = await documentOf(credentialId);
    const base = `/c/${city.slug}/credentials/${credentialId}`;

    const asJson = await t.app.inject({ method: 'GET', url: base, headers: { accept: 'application/ld+json' } });
    expect(asJson.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(asJson.json()).toEqual(document);
    const file = await t.app.inject({ method: 'GET', url: `${base}/credential.json` });
    expect(file.json()).toEqual(document);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `${base}/credential.json`,
          headers: { 'if-none-match': file.headers.etag as string },
        })
      ).statusCode,
    ).toBe(304);

    const jwt = await t.app.inject({ method: 'GET', url: `${base}/credential.jwt` });
    expect(jwt.statusCode).toBe(200);
    expect((await verifyCredentialJwt(jwt.body, { fetchJson })).verified).toBe(true);

    const png = await t.app.inject({ method: 'GET', url: `${base}/badge.png` });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="[\\w.-]+-${credentialId.slice(0, 8)}\\.png"$`),
    );
    const fromPng = unbake(png.rawPayload);
    expect(fromPng.version).toBe('ob3');
    expect(JSON.parse(fromPng.payload)).toEqual(document);

    const svg = await t.app.inject({ method: 'GET', url: `${base}/badge.svg` });
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const fromSvg = unbake(svg.rawPayload);
    expect(JSON.parse(fromSvg.payload)).toEqual(document);

    const ob2 = await t.app.inject({ method: 'GET', url: `${base}/ob2/badge.png` });
    const fromOb2 = unbake(ob2.rawPayload);
    expect(fromOb2.version).toBe('ob2');
    expect(JSON.parse(fromOb2.payload).id).toBe(`${t.config.publicUrl}${base}/ob2`);

    const html = await t.app.inject({ method: 'GET', url: base, headers: { accept: 'text/html' } });
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain(`/verify?url=${encodeURIComponent(`${t.config.publicUrl}${base}/credential.json`)}`);
  });

  it('bakes the image of the credential’s own version after the badge gets a new image', async () => {
    const bakedBadgeId = await makeBadge(city, organisationId, 'Soldering basics');
    const { credentialId } = await issue({
      badgeClassId: bakedBadgeId,
      recipient: { email: 'baked-version@example.org' },
      route: 'award',
    });
    const base = `/c/${city.slug}/credentials/${credentialId}`;
    const pixels = async (png: Uint8Array) => sharp(png).raw().toBuffer();
    const issued = await pixels((await t.app.inject({ method: 'GET', url: `${base}/badge.png` })).rawPayload);
    const issuedSvg = (await t.app.inject({ method: 'GET', url: `${base}/badge.svg` })).body;
    expect(issuedSvg).toContain('<text');

    const updated = await setBadgeImage(t.db, city, bakedBadgeId, { bytes: solidPng(64, 64) }, systemCaller);
    expect(updated.version).toBe(2);
    const current = await pixels((await badgeImageBytes(t.db, city, bakedBadgeId)).png);
    for (const suffix of ['badge.png', 'ob2/badge.png']) {
      const baked = await pixels((await t.app.inject({ method: 'GET', url: `${base}/${suffix}` })).rawPayload);
      expect(Buffer.compare(baked, issued), suffix).toBe(0);
      expect(Buffer.compare(baked, current), suffix).not.toBe(0);
    }
    const svg = (await t.app.inject({ method: 'GET', url: `${base}/badge.svg` })).body;
    expect(svg).toContain('<text');
    expect(svg).not.toContain('data:image/png');
  });

  it('keeps cities apart', async () => {
    const otherOrg = await t.db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ('altrove-club', 'Altrove Club', '{provider}') RETURNING id`,
    );
    const otherOrgId = otherOrg[0]?.id as string;
    await t.db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'approved')`, [
      otherCity.id,
      otherOrgId,
    ]);
    const otherBadge = await makeBadge(otherCity, otherOrgId, 'Badge di Altrove');
    const elsewhere = await issue(
      { badgeClassId: otherBadge, recipient: { email: 'iso@example.org' }, route: 'award' },
      otherCity,
    );
    const here = await issue({ badgeClassId: badgeId, recipient: { email: 'iso@example.org' }, route: 'award' });
    const record = await getCredential(t.db, city, here.credentialId);
    const attempts = [
      `/c/${otherCity.slug}/credentials/${here.credentialId}`,
      `/c/${city.slug}/credentials/${elsewhere.credentialId}/credential.json`,
      `/c/${otherCity.slug}/status-lists/${record.revocationListId}`,
      api(`/credentials/${elsewhere.credentialId}`),
      api(`/badges/${otherBadge}/credentials`),
    ];
    for (const url of attempts) {
      const response = await t.app.inject({
        method: 'GET',
        url,
        headers: { accept: 'application/json', ...staff.headers },
      });
      expect(response.statusCode, url).toBe(404);
    }
    // A badge of another city cannot be issued here, even by id.
    await expect(
      issue({ badgeClassId: otherBadge, recipient: { email: 'iso@example.org' }, route: 'award' }),
    ).rejects.toMatchObject({ code: 'BADGE_NOT_FOUND' });
    const revokeElsewhere = await t.app.inject({
      method: 'POST',
      url: api(`/credentials/${elsewhere.credentialId}/revoke`),
      headers: staff.headers,
      payload: { reason: 'not yours' },
    });
    expect(revokeElsewhere.statusCode).toBe(404);
    expect((await getCredential(t.db, otherCity, elsewhere.credentialId)).status).toBe('active');
  });

  it('lets staff of the organisation in, not other organisations, and learners only see their own', async () => {
    const { credentialId } = await issue({
      badgeClassId: badgeId,
      recipient: { userId: learner.userId },
      route: 'award',
    });
    for (const n of [1, 2])
      await issue({ badgeClassId: badgeId, recipient: { email: `page-${n}@example.org` }, route: 'award' });
    const list = await t.app.inject({
      method: 'GET',
      url: api(`/badges/${badgeId}/credentials?limit=2`),
      headers: staff.headers,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(2);
    const next = await t.app.inject({
      method: 'GET',
      url: api(`/badges/${badgeId}/credentials?limit=2&after=${list.json().next}`),
      headers: staff.headers,
    });
    expect(next.json().items[0].id).not.toBe(list.json().items[1].id);
    const revokedOnly = await t.app.inject({
      method: 'GET',
      url: api(`/badges/${badgeId}/credentials?status=revoked`),
      headers: staff.headers,
    });
    expect(revokedOnly.json().items.every((item: { status: string }) => item.status === 'revoked')).toBe(true);

    for (const headers of [otherStaff.headers, learner.headers]) {
      const denied = await t.app.inject({ method: 'GET', url: api(`/badges/${badgeId}/credentials`), headers });
      expect(denied.statusCode).toBe(403);
      const award = await t.app.inject({
        method: 'POST',
        url: api(`/badges/${badgeId}/credentials`),
        headers,
        payload: { recipients: [{ email: 'sneaky@example.org' }] },
      });
      expect(award.statusCode).toBe(403);
    }
    // Another organisation's staff cannot reach this badge through their own organisation either.
    const viaOwn = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cities/${city.slug}/organisations/${otherOrganisationId}/credentials/${credentialId}`,
      headers: otherStaff.headers,
    });
    expect(viaOwn.statusCode).toBe(404);

    const mine = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cities/${city.slug}/me/badges`,
      headers: learner.headers,
    });
    const ids = mine.json().items.map((item: { id: string; recipient: { userId: string } }) => item.recipient.userId);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids)).toEqual(new Set([learner.userId]));

    const reader = await createApiToken(
      t.db,
      city,
      organisationId,
      { name: 'reader', scopes: ['badges:read'] },
      systemCaller,
    );
    const token = { authorization: `Bearer ${reader.secret}` };
    expect(
      (await t.app.inject({ method: 'GET', url: api(`/badges/${badgeId}/credentials`), headers: token })).statusCode,
    ).toBe(200);
    const write = await t.app.inject({
      method: 'POST',
      url: api(`/badges/${badgeId}/credentials`),
      headers: token,
      payload: { recipients: [{ email: 'token@example.org' }] },
    });
    expect(write.json().error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('runs the organiser pages: award with a preview, the issued list, revoke behind a confirmation', async () => {
    const awardUrl = `/c/${city.slug}/manage/${organisationId}/badges/${badgeId}/award`;
    const form = (fields: Record<string, string>) => ({
      method: 'POST' as const,
      url: awardUrl,
      headers: { ...staff.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: staff.headers['x-csrf-token'], ...fields }).toString(),
    });
    expect((await t.app.inject({ method: 'GET', url: awardUrl, headers: staff.headers })).statusCode).toBe(200);

    const bad = await t.app.inject(form({ step: 'preview', recipients: 'page.one@example.org\nnot an email' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Line 2');
    expect(bad.body).toContain('page.one@example.org');

    const preview = await t.app.inject(
      form({ step: 'preview', recipients: 'page.one@example.org, Page One\nPage Two <page.two@example.org>' }),
    );
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('People on the list: 2');
    const key = /name="idempotencyKey" value="([0-9a-f-]{36})"/.exec(preview.body)?.[1] as string;
    const fields = {
      step: 'issue',
      recipients: 'page.one@example.org, Page One\nPage Two <page.two@example.org>',
      evidenceUrl: '',
      narrative: 'Helped at the stall',
      idempotencyKey: key,
    };
    const issued = await t.app.inject(form(fields));
    expect(issued.statusCode).toBe(200);
    expect(issued.body).toContain('New badges issued: 2');
    const twice = await t.app.inject(form(fields));
    expect(twice.body).toContain('New badges issued: 0');

    const listUrl = `/c/${city.slug}/manage/${organisationId}/badges/${badgeId}/credentials`;
    const list = await t.app.inject({ method: 'GET', url: `${listUrl}?status=active`, headers: staff.headers });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Page One');
    const [row] = await t.db.query<{ id: string }>(
      "SELECT id FROM badge_credentials WHERE recipient_email = 'page.one@example.org'",
    );
    const revokeUrl = `${listUrl}/${row?.id}/revoke`;
    const confirm = await t.app.inject({ method: 'GET', url: revokeUrl, headers: staff.headers });
    expect(confirm.body).toContain('Revoke the badge');
    const noReason = await t.app.inject({
      method: 'POST',
      url: revokeUrl,
      headers: { ...staff.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${staff.headers['x-csrf-token']}&reason=`,
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Give a reason');
    const done = await t.app.inject({
      method: 'POST',
      url: revokeUrl,
      headers: { ...staff.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${staff.headers['x-csrf-token']}&reason=Wrong+person`,
    });
    expect(done.statusCode).toBe(303);
    expect((await getCredential(t.db, city, row?.id as string)).status).toBe('revoked');

    const empty = await signIn(t.app, t.db, { role: 'learner' });
    const mine = await t.app.inject({ method: 'GET', url: `/c/${city.slug}/my/badges`, headers: empty.headers });
    expect(mine.body).toContain('You have no badges in Plymouth yet');
  });

  it('parses award lists and Accept headers', () => {
    const parsed = parseRecipientLines(
      'a@example.org\n\nB <b@example.org>\nc@example.org; C Name\nnope\na@example.org',
      (line, value, problem) => `${problem}:${line}:${value}`,
    );
    expect(parsed.people).toEqual([
      { email: 'a@example.org', name: '', line: 1 },
      { email: 'b@example.org', name: 'B', line: 3 },
      { email: 'c@example.org', name: 'C Name', line: 4 },
    ]);
    expect(parsed.problems).toEqual(['badLine:5:nope', 'duplicateLine:6:a@example.org']);
    expect(prefersJson('text/html,application/xhtml+xml,*/*;q=0.8')).toBe(false);
    expect(prefersJson('application/ld+json')).toBe(true);
    expect(prefersJson('application/json, text/html;q=0.5')).toBe(true);
    expect(prefersJson(undefined)).toBe(false);
  });
});
