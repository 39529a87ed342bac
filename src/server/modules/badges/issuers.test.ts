import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOpenBadgeCredential,
  decryptSecretKey,
  generateIssuerKey,
  verifyCredential,
} from '../../../credentials/index.ts';
import { loadConfig } from '../../config.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { createApiToken } from '../organisations/organisations.service.ts';
import { createCatalogueCity, systemCaller } from '../../../../test/helpers/catalogue.ts';
import { type SignedIn, signIn } from '../../../../test/helpers/auth.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { issuerDid, issuerProfileUrl, issuerSignerFor, keyEncryptionKey } from './issuer-keys.service.ts';
import { injectFetch, insertPublishedBadge } from './issuers.test-support.ts';

describe(`issuers and keys on ${testEngine}`, () => {
  let t: TestApp;
  let city: CityRecord;
  let otherCity: CityRecord;
  let orgId: string;
  let otherOrgId: string;
  let admin: SignedIn;
  let staff: SignedIn;
  let networkAdmin: SignedIn;
  const api = (organisationId: string, citySlug = 'plymouth') =>
    `/api/v1/cities/${citySlug}/organisations/${organisationId}/issuer`;

  beforeAll(async () => {
    t = await createTestApp();
    ({ city, otherCity, organisationId: orgId, trustedOrganisationId: otherOrgId } = await createCatalogueCity(t.db));
    admin = await signIn(t.app, t.db, { role: 'organisation', organisationId: orgId, membership: 'admin' });
    staff = await signIn(t.app, t.db, { role: 'organisation', organisationId: orgId, membership: 'staff' });
    networkAdmin = await signIn(t.app, t.db, { role: 'network_admin' });
  });
  afterAll(() => t.close());

  const sampleCredential = (issuer: Awaited<ReturnType<typeof issuerSignerFor>>) =>
    buildOpenBadgeCredential({
      id: `${t.config.publicUrl}/c/plymouth/credentials/${randomUUID()}`,
      issuer: issuer.profile,
      achievement: {
        id: `${t.config.publicUrl}/c/plymouth/badges/${randomUUID()}/versions/1`,
        name: { en: 'Welder', lt: 'Suvirintojas' },
        description: 'Welds safely.',
        criteria: { narrative: 'Weld two plates.' },
      },
      subject: { email: 'learner@example.org', salt: 'salt' },
      validFrom: new Date(Date.now() - 60_000),
    });

  it('makes the DID, profile URL and a did:web DID document with the active key for an approved provider', async () => {
    expect(issuerDid(t.config, orgId)).toBe(`did:web:learnscape.test:issuers:${orgId}`);
    expect(issuerProfileUrl(t.config, orgId)).toBe(`http://learnscape.test/issuers/${orgId}`);
    const withPort = loadConfig({ ...process.env, NODE_ENV: 'test', PUBLIC_URL: 'https://example.org:8443/ls' });
    expect(issuerDid({ ...withPort, credentialKeyEncryptionKey: t.config.credentialKeyEncryptionKey }, orgId)).toBe(
      `did:web:example.org%3A8443:ls:issuers:${orgId}`,
    );
    const response = await t.app.inject({ method: 'GET', url: `/issuers/${orgId}/did.json` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const document = response.json();
    expect(document.id).toBe(issuerDid(t.config, orgId));
    expect(document.alsoKnownAs).toEqual([issuerProfileUrl(t.config, orgId)]);
    expect(document.verificationMethod).toHaveLength(1);
    const didJson = await t.app.inject({
      method: 'GET',
      url: `/issuers/${orgId}/did.json`,
      headers: { accept: 'application/did+json' },
    });
    expect(didJson.headers['content-type']).toMatch(/^application\/did\+json/);
    // Unknown organisations and ones that are not approved anywhere and never signed have no DID document.
    expect((await t.app.inject({ method: 'GET', url: `/issuers/${randomUUID()}/did.json` })).json().error.code).toBe(
      'ISSUER_NOT_FOUND',
    );
    const [pending] = await t.db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ('pending-club', 'Pending Club', '{provider}') RETURNING id`,
    );
    await t.db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'pending')`, [
      city.id,
      pending?.id,
    ]);
    expect((await t.app.inject({ method: 'GET', url: `/issuers/${pending?.id}/did.json` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/issuers/${pending?.id}` })).statusCode).toBe(404);
  });

  it('keeps credentials signed before a rotation verifying against the served DID document', async () => {
    const before = await issuerSignerFor(t.db, t.config, orgId);
    const signedBefore = await before.signer.sign(sampleCredential(before));
    expect(signedBefore.proof.verificationMethod).toBe(`${before.did}#${before.signingKey.publicKeyMultibase}`);
    expect((await verifyCredential(signedBefore, { fetchJson: injectFetch(t) })).verified).toBe(true);

    const rotate = (key: string) =>
      t.app.inject({
        method: 'POST',
        url: `${api(orgId)}/keys/rotate`,
        headers: { ...admin.headers, 'idempotency-key': key },
      });
    const rotated = await rotate('rotation-1');
    expect(rotated.statusCode).toBe(201);
    const body = rotated.json();
    expect(body.created).toBe(true);
    expect(body.key.status).toBe('active');
    expect(body.issuer.keys.map((key: { status: string }) => key.status)).toEqual(['active', 'retired']);
    // The same idempotency key again: the first result, nothing rotated.
    const replay = await rotate('rotation-1');
    expect([replay.statusCode, replay.json().created, replay.json().key.id]).toEqual([200, false, body.key.id]);
    expect(replay.json().issuer.keys).toHaveLength(2);

    const document = (await t.app.inject({ method: 'GET', url: `/issuers/${orgId}/did.json` })).json();
    const methods = document.verificationMethod.map(
      (method: { publicKeyMultibase: string }) => method.publicKeyMultibase,
    );
    expect(methods).toEqual([body.key.publicKeyMultibase, before.signingKey.publicKeyMultibase]);
    expect(document.assertionMethod).toHaveLength(2);
    expect(document.authentication).toEqual([`${before.did}#${body.key.publicKeyMultibase}`]);

    const verified = await verifyCredential(signedBefore, { fetchJson: injectFetch(t) });
    expect(verified.checks.filter((check) => !check.passed)).toEqual([]);
    const after = await issuerSignerFor(t.db, t.config, orgId);
    expect(after.keyId).toBe(body.key.id);
    const signedAfter = await after.signer.sign(sampleCredential(after));
    expect((await verifyCredential(signedAfter, { fetchJson: injectFetch(t) })).verified).toBe(true);

    const [audit] = await t.db.query<{ city_id: string; actor_label: string; after: { keyId: string } }>(
      `SELECT city_id, actor_label, after FROM audit_log WHERE action = 'issuer_key.rotate' AND target_id = $1`,
      [orgId],
    );
    expect(audit).toMatchObject({
      city_id: city.id,
      actor_label: `user:${admin.email}`,
      after: { keyId: body.key.id },
    });
  });

  it('keeps secret keys encrypted at rest, bound to their row', async () => {
    const signer = await issuerSignerFor(t.db, t.config, orgId);
    const rows = await t.db.query<{ id: string; secret_key_envelope: string }>(
      'SELECT id, secret_key_envelope FROM issuer_keys WHERE organisation_id = $1',
      [orgId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const active = rows.find((row) => row.id === signer.keyId) as { id: string; secret_key_envelope: string };
    for (const row of rows) {
      expect(row.secret_key_envelope).toMatch(/^lsk1\./);
      expect(row.secret_key_envelope).not.toContain(signer.signingKey.secretKeyMultibase);
    }
    const kek = await keyEncryptionKey(t.config);
    expect(decryptSecretKey(active.secret_key_envelope, kek, active.id)).toBe(signer.signingKey.secretKeyMultibase);
    expect(() => decryptSecretKey(active.secret_key_envelope, new Uint8Array(randomBytes(32)), active.id)).toThrow(
      /could not be decrypted/,
    );
    const other = rows.find((row) => row.id !== active.id) as { id: string };
    expect(() => decryptSecretKey(active.secret_key_envelope, kek, other.id)).toThrow(/could not be decrypted/);
    // The API and pages never show a secret.
    const overview = await t.app.inject({ method: 'GET', url: api(orgId), headers: staff.headers });
    expect(overview.body).not.toContain(signer.signingKey.secretKeyMultibase);
    expect(overview.body).not.toMatch(/secret|lsk1\./i);
  });

  it('imports a JWK and Multikey pairs, and refuses keys that cannot sign with the field at fault', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const imported = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/import`,
      headers: admin.headers,
      payload: { jwk },
    });
    expect(imported.statusCode).toBe(201);
    expect(imported.json().key).toMatchObject({ status: 'active', imported: true });
    expect(imported.json().key.publicKeyMultibase).toMatch(/^z6Mk/);
    const signer = await issuerSignerFor(t.db, t.config, orgId);
    expect(signer.signingKey.publicKeyMultibase).toBe(imported.json().key.publicKeyMultibase);
    const signed = await signer.signer.sign(sampleCredential(signer));
    expect((await verifyCredential(signed, { fetchJson: injectFetch(t) })).verified).toBe(true);
    // Its public half matches the JWK's x.
    expect(jwk.x).toBe(publicKey.export({ format: 'jwk' }).x);

    const again = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/import`,
      headers: admin.headers,
      payload: { jwk },
    });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'ISSUER_KEY_EXISTS']);

    const mismatched = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    const bad = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/import`,
      headers: admin.headers,
      payload: { jwk: { ...jwk, d: mismatched.d } },
    });
    expect([bad.statusCode, bad.json().error.code, bad.json().error.details[0].field]).toEqual([
      400,
      'ISSUER_KEY_INVALID',
      '/jwk',
    ]);
    const notEd25519 = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/import`,
      headers: admin.headers,
      payload: { jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' } },
    });
    expect(notEd25519.json().error).toMatchObject({ code: 'ISSUER_KEY_INVALID', details: [{ field: '/jwk' }] });

    const pair = await generateIssuerKey();
    const otherPair = await generateIssuerKey();
    const wrongSecret = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/import`,
      headers: admin.headers,
      payload: { publicKeyMultibase: pair.publicKeyMultibase, secretKeyMultibase: otherPair.secretKeyMultibase },
    });
    expect(wrongSecret.json().error).toMatchObject({
      code: 'ISSUER_KEY_INVALID',
      details: [{ field: '/secretKeyMultibase' }],
    });
    const notMultikey = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/import`,
      headers: admin.headers,
      payload: { publicKeyMultibase: 'abc', secretKeyMultibase: pair.secretKeyMultibase },
    });
    expect(notMultikey.json().error.details.map((d: { field: string }) => d.field)).toEqual(['/publicKeyMultibase']);
    const multikey = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/import`,
      headers: admin.headers,
      payload: pair,
    });
    expect([multikey.statusCode, multikey.json().key.publicKeyMultibase]).toEqual([201, pair.publicKeyMultibase]);
  });

  it('keeps the key-encryption key in DATA_DIR/secrets when none is configured, made once with private modes', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-kek-'));
    try {
      const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, PUBLIC_URL: 'http://learnscape.test' });
      expect(config.credentialKeyEncryptionKey).toBeUndefined();
      const [first, second] = await Promise.all([keyEncryptionKey(config), keyEncryptionKey({ ...config })]);
      expect(first).toHaveLength(32);
      expect(Buffer.from(second as Uint8Array).equals(Buffer.from(first as Uint8Array))).toBe(true);
      const file = path.join(dataDir, 'secrets', 'credential-kek');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64').equals(Buffer.from(first as Uint8Array))).toBe(
        true,
      );
      expect(fs.readdirSync(path.dirname(file))).toEqual(['credential-kek']);
      await expect(keyEncryptionKey({ ...config, nodeEnv: 'production' })).rejects.toThrow(
        /CREDENTIAL_KEY_ENCRYPTION_KEY is required/,
      );
      // A configured key always wins over the file.
      const configured = new Uint8Array(randomBytes(32));
      expect(await keyEncryptionKey({ ...config, credentialKeyEncryptionKey: configured })).toBe(configured);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('lets staff read the issuer, only admins change keys, and nobody reach another city’s organisation', async () => {
    const read = await t.app.inject({ method: 'GET', url: api(orgId), headers: staff.headers });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      did: issuerDid(t.config, orgId),
      profileUrl: issuerProfileUrl(t.config, orgId),
    });
    const key = read.json().keys[0];
    expect(Object.keys(key).sort()).toEqual(
      ['createdAt', 'id', 'imported', 'publicKeyMultibase', 'retiredAt', 'status', 'verificationMethod'].sort(),
    );
    const staffRotate = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/rotate`,
      headers: staff.headers,
    });
    expect(staffRotate.statusCode).toBe(403);
    const onOther = await t.app.inject({
      method: 'POST',
      url: `${api(otherOrgId)}/keys/rotate`,
      headers: admin.headers,
    });
    expect(onOther.statusCode).toBe(403);
    // A network admin may act for any organisation, but only in a city it takes part in.
    const elsewhere = await t.app.inject({
      method: 'GET',
      url: api(orgId, otherCity.slug),
      headers: networkAdmin.headers,
    });
    expect([elsewhere.statusCode, elsewhere.json().error.code]).toEqual([404, 'ORGANISATION_NOT_FOUND']);
    const rotateElsewhere = await t.app.inject({
      method: 'POST',
      url: `${api(orgId, otherCity.slug)}/keys/rotate`,
      headers: networkAdmin.headers,
    });
    expect(rotateElsewhere.statusCode).toBe(404);

    const { secret: readToken } = await createApiToken(
      t.db,
      city,
      orgId,
      { name: 'r', scopes: ['badges:read'] },
      systemCaller,
    );
    const tokenRead = await t.app.inject({
      method: 'GET',
      url: api(orgId),
      headers: { authorization: `Bearer ${readToken}` },
    });
    expect(tokenRead.statusCode).toBe(200);
    const tokenRotate = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/rotate`,
      headers: { authorization: `Bearer ${readToken}` },
    });
    expect([tokenRotate.statusCode, tokenRotate.json().error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    const { secret: writeToken } = await createApiToken(
      t.db,
      city,
      orgId,
      { name: 'w', scopes: ['badges:write'] },
      systemCaller,
    );
    const tokenWrite = await t.app.inject({
      method: 'POST',
      url: `${api(orgId)}/keys/rotate`,
      headers: { authorization: `Bearer ${writeToken}` },
    });
    expect(tokenWrite.statusCode).toBe(201);
  });

  it('serves the profile as JSON-LD or as a page by the Accept header, and the OB 2.0 issuer', async () => {
    await t.db.query(
      `UPDATE organisations SET website = 'https://makers.example.org', description = 'We make things.' WHERE id = $1`,
      [orgId],
    );
    await insertPublishedBadge(t, city.id, orgId, 'welding-basics');
    await insertPublishedBadge(t, city.id, orgId, 'secret-draft', 'draft');
    const ld = await t.app.inject({
      method: 'GET',
      url: `/issuers/${orgId}`,
      headers: { accept: 'application/ld+json' },
    });
    expect(ld.statusCode).toBe(200);
    expect(ld.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(ld.headers.vary).toContain('Accept');
    const profile = ld.json();
    expect(profile).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2', expect.stringMatching(/ob\/v3p0\/context/)],
      id: issuerDid(t.config, orgId),
      type: ['Profile'],
      name: 'Stonehouse Makers',
      url: 'https://makers.example.org',
      description: 'We make things.',
      otherIdentifier: [
        { type: 'IdentifierEntry', identifier: issuerProfileUrl(t.config, orgId), identifierType: 'identifier' },
      ],
    });
    const json = await t.app.inject({
      method: 'GET',
      url: `/issuers/${orgId}`,
      headers: { accept: 'application/json' },
    });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(
      (
        await t.app.inject({ method: 'GET', url: `/issuers/${orgId}?format=json`, headers: { accept: 'text/html' } })
      ).json().id,
    ).toBe(profile.id);
    const page = await t.app.inject({
      method: 'GET',
      url: `/issuers/${orgId}`,
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers.vary).toContain('Accept');
    expect(page.body).toContain('<h1>Stonehouse Makers</h1>');
    expect(page.body).toContain(issuerDid(t.config, orgId));
    expect(page.body).toContain('href="/c/plymouth/badges/welding-basics"');
    expect(page.body).not.toContain('secret-draft');
    expect(page.body).toContain(`href="/issuers/${orgId}/did.json"`);

    const ob2 = (await t.app.inject({ method: 'GET', url: `/issuers/${orgId}/ob2` })).json();
    expect(ob2).toMatchObject({
      '@context': 'https://w3id.org/openbadges/v2',
      type: 'Issuer',
      id: `${issuerProfileUrl(t.config, orgId)}/ob2`,
      name: 'Stonehouse Makers',
      url: 'https://makers.example.org',
    });
  });

  it('rotates with a confirmation step and imports keys from the organiser page, errors beside the fields', async () => {
    const base = `/c/plymouth/manage/${orgId}/issuer`;
    const staffPage = await t.app.inject({ method: 'GET', url: base, headers: staff.headers });
    expect(staffPage.statusCode).toBe(200);
    expect(staffPage.body).toContain(issuerDid(t.config, orgId));
    expect(staffPage.body).not.toContain('Rotate key');
    const adminPage = await t.app.inject({ method: 'GET', url: base, headers: admin.headers });
    expect(adminPage.body).toContain(`href="${base}/rotate"`);
    const count = async () =>
      (await t.db.query('SELECT 1 FROM issuer_keys WHERE organisation_id = $1', [orgId])).length;
    const keysBefore = await count();

    const confirm = await t.app.inject({ method: 'GET', url: `${base}/rotate`, headers: admin.headers });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('keeps verifying');
    const requestId = /name="requestId" value="([^"]+)"/.exec(confirm.body)?.[1] as string;
    const unconfirmed = await t.app.inject({
      method: 'POST',
      url: `${base}/rotate`,
      headers: admin.headers,
      payload: { _csrf: admin.headers['x-csrf-token'] },
    });
    expect([unconfirmed.statusCode, await count()]).toEqual([200, keysBefore]);
    for (let submission = 0; submission < 2; submission++) {
      const confirmed = await t.app.inject({
        method: 'POST',
        url: `${base}/rotate`,
        headers: { ...admin.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ confirmed: 'yes', requestId }).toString(),
      });
      expect([confirmed.statusCode, confirmed.headers.location]).toEqual([303, `${base}?done=rotated`]);
    }
    expect(await count()).toBe(keysBefore + 1);
    expect((await t.app.inject({ method: 'GET', url: `${base}/rotate`, headers: staff.headers })).statusCode).toBe(403);

    const form = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `${base}/import`,
        headers: { ...admin.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      });
    const badJson = await form({ jwk: '{"kty": "OKP",' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.headers['cache-control']).toBe('no-store');
    expect(badJson.body).toContain('id="field-jwk-error"');
    expect(badJson.body).toContain('This is not valid JSON');
    expect(badJson.body).toContain('{&quot;kty&quot;: &quot;OKP&quot;,');
    const pair = await generateIssuerKey();
    const mismatch = await form({
      publicKeyMultibase: pair.publicKeyMultibase,
      secretKeyMultibase: (await generateIssuerKey()).secretKeyMultibase,
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('id="field-secretKeyMultibase-error"');
    expect(mismatch.body).toContain(pair.publicKeyMultibase);
    const good = await form({
      publicKeyMultibase: pair.publicKeyMultibase,
      secretKeyMultibase: pair.secretKeyMultibase,
    });
    expect([good.statusCode, good.headers.location]).toEqual([303, `${base}?done=imported`]);
    const after = await t.app.inject({ method: 'GET', url: `${base}?done=imported`, headers: admin.headers });
    expect(after.body).toContain(pair.publicKeyMultibase);
    expect(after.body).toContain('role="status"');
  });
});
