import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BitstringStatusList,
  bakePng,
  bakeSvg,
  buildDidWebDocument,
  buildOpenBadgeCredential,
  buildStatusListCredential,
  generateIssuerKey,
  signCredential,
  signCredentialJwt,
  unbake,
  VC_V2_CONTEXT,
} from '../../../credentials/index.ts';
import {
  dccDocuments,
  FIXTURES,
  listFiles,
  readJson,
  synthesizedControllerDocuments,
} from '../../../credentials/fixtures.test-support.ts';
import { signIn } from '../../../../test/helpers/auth.ts';
import { solidPng } from '../../../../test/helpers/images.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { FetchRefusedError } from '../../net/safe-fetch.ts';
import { verifierRoutes } from './verifier.routes.ts';
import { badgeFor, didKeySigner, signedDidKeyCredential } from './verifier.test-support.ts';

type Json = Record<string, any>;

// ── Fixture hosts ─────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The conformance fixtures point at https hosts we cannot run (example.com, 1edtech.edu, digitalcredentials.github.io).
 * A second copy of the API under /fixture-web gets a remote fetcher (same contract as safe-fetch) that serves what
 * `served` holds for those URLs; everything else about the API is the real thing.
 */
let served = new Map<string, unknown>();
const fixtureLog: string[] = [];
const fixtureFetch = async (url: string) => {
  fixtureLog.push(url);
  if (!served.has(url)) throw new FetchRefusedError('not_found', url);
  return { url, contentType: 'application/json', bytes: Buffer.from(JSON.stringify(served.get(url))) };
};

/** OB 2.0 samples: each asset under its file name on example.org and at its own id, and the sample at its id. */
const OB20 = join(FIXTURES, 'ob20-1edtech');
function ob2Documents(sample: Json | undefined): Map<string, unknown> {
  const documents = new Map<string, unknown>();
  const assets = readdirSync(join(OB20, 'assets')).filter((file) => file.endsWith('.json'));
  const parsed = new Map<string, Json>();
  for (const name of assets) {
    try {
      parsed.set(name, JSON.parse(readFileSync(join(OB20, 'assets', name), 'utf8')));
    } catch {
      // openbadges_context.json is a context dump, not a document the samples point to.
    }
  }
  for (const asset of parsed.values())
    if (typeof asset.id === 'string' && !documents.has(asset.id)) documents.set(asset.id, asset);
  for (const [name, asset] of parsed)
    for (const origin of ['https://example.org/', 'http://example.org/']) documents.set(`${origin}${name}`, asset);
  if (sample && typeof sample.id === 'string') documents.set(sample.id, sample);
  return documents;
}

/** The 1EdTech OB 3.0 samples that are not `-err-` but must fail, and why (EXPECTED.md, conformance.test.ts). */
const OB30_EXPECTED_FAILURES: Record<string, RegExp> = {
  'simple-did-key-method.json': /belongs to did:key:.*issued by urn:uuid/,
  'simple-eddsa-2022.json': /supported signature suite.*eddsa-2022/,
  'sd/derivedcredential.json': /supported signature suite.*ecdsa-sd-2023/,
  'simple-noproof.json': /not signed/,
  'complete_v1.json': /expired/,
  'bit-string-list/credential-status-revoked.json': /revoked this credential/,
  'bit-string-list/credential-status-revoked-blank-nodes.json': /revoked this credential/,
};

/** DCC fixtures that must fail, by the markers in their names (listOfTestVCs.md). */
function dccExpectedToFail(name: string): boolean {
  const base = name.toLowerCase();
  return [
    'revoked',
    'revokedstaus',
    'tampered',
    'baddidweb',
    'notyetvalid',
    'missingtypestatus',
    'expiredstatus',
    '-expired',
    'nonob',
  ].some((marker) => base.includes(marker));
}

const failures = (body: Json) =>
  (body.checks as Json[])
    .filter((check) => !check.passed)
    .map((check) => check.message)
    .join(' | ');

// ── The tests ─────────────────────────────────────────────────────────────────────────────────────────────────────

describe(`the verifier on ${testEngine}`, () => {
  let t: TestApp;
  let server: http.Server;
  let base: string;
  const hits: string[] = [];
  /** What the local web server answers, by path. */
  const pages = new Map<string, { status?: number; type?: string; body: string | Buffer; location?: string }>();
  /** Documents our own deployment serves (did:web under /test-issuers), answered in-process. */
  const ownDocuments = new Map<string, unknown>();
  let requestCount = 0;
  const csrf = 'verifier-test-csrf-token-0123456789';

  /** Each request from its own address, so the rate limit (20 a minute) does not trip the suite. */
  const verify = (options: {
    payload?: unknown;
    contentType?: string;
    prefix?: string;
    headers?: Record<string, string>;
  }) =>
    t.app.inject({
      method: 'POST',
      url: `${options.prefix ?? ''}/api/v1/verify`,
      remoteAddress: `10.20.${Math.floor(++requestCount / 250)}.${requestCount % 250}`,
      headers: {
        accept: 'application/json',
        ...(options.contentType ? { 'content-type': options.contentType } : {}),
        ...options.headers,
      },
      payload: options.payload as string,
    });

  const multipart = (name: string, fileName: string, type: string, bytes: Buffer) => {
    const boundary = '----verifier-test-boundary';
    return {
      contentType: `multipart/form-data; boundary=${boundary}`,
      payload: Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
      headers: { cookie: `ls_csrf=${csrf}` },
    };
  };

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      hits.push(request.url ?? '');
      const page = pages.get(request.url ?? '');
      if (!page) {
        response.writeHead(404);
        response.end();
        return;
      }
      response.writeHead(page.status ?? 200, {
        ...(page.type ? { 'content-type': page.type } : {}),
        ...(page.location ? { location: page.location } : {}),
      });
      response.end(page.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await createTestApp({
      env: { VERIFIER_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' },
      configure(app) {
        app.register(verifierRoutes, { prefix: '/fixture-web', fetchRemote: fixtureFetch });
        app.get('/test-issuers/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
          const document = ownDocuments.get(request.url.split('?')[0] as string);
          if (document === undefined) return reply.code(404).send({ error: { code: 'NOT_FOUND' } });
          return document;
        });
      },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  describe('every 1EdTech OB 3.0 sample behaves as EXPECTED.md says', () => {
    const files = listFiles('ob30-1edtech', '.json');
    const documents = synthesizedControllerDocuments(files.map((file) => readJson(file)));
    documents.set(
      'https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist',
      readJson('ob30-1edtech/bit-string-list/testlist'),
    );

    it.each(files.map((file) => [file.replace('ob30-1edtech/', '')]))('%s', async (name) => {
      served = documents;
      const response = await verify({
        prefix: '/fixture-web',
        payload: { credential: readJson(`ob30-1edtech/${name}`) },
      });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.kind).toBe('ob3');
      if (name.includes('-err-')) {
        expect(body.verified, 'an err sample must fail').toBe(false);
        expect(failures(body).length).toBeGreaterThan(0);
      } else if (OB30_EXPECTED_FAILURES[name]) {
        expect(body.verified).toBe(false);
        expect(failures(body)).toMatch(OB30_EXPECTED_FAILURES[name] as RegExp);
        if (/revoked/.test(name)) expect(body.summary.status).toBe('revoked');
      } else {
        expect(failures(body)).toBe('');
        expect(body.verified).toBe(true);
      }
    });

    it('reads the samples baked into PNG and SVG, and says why the RS256 JWT ones fail', async () => {
      served = documents;
      for (const [name, type] of [
        ['simple-json.png', 'image/png'],
        ['simple-json.svg', 'image/svg+xml'],
      ] as const) {
        const response = await verify({
          prefix: '/fixture-web',
          contentType: type,
          payload: readFileSync(join(FIXTURES, 'ob30-1edtech', name)),
        });
        expect(response.json(), name).toMatchObject({ verified: true, kind: 'ob3' });
      }
      const jwt = await verify({
        prefix: '/fixture-web',
        contentType: 'image/png',
        payload: readFileSync(join(FIXTURES, 'ob30-1edtech/simple-jwt.png')),
      });
      expect(jwt.json()).toMatchObject({ verified: false, kind: 'ob3-jwt' });
      expect(failures(jwt.json())).toMatch(/RS256 is not supported/);
    });
  });

  describe('every DCC fixture behaves as its name says', () => {
    const files = listFiles('dcc-vc-test-fixtures/verifiableCredentials', '.json');
    const documents = dccDocuments();

    it.each(files.map((file) => [file.replace('dcc-vc-test-fixtures/verifiableCredentials/', '')]))(
      '%s',
      async (name) => {
        served = documents;
        const text = readFileSync(join(FIXTURES, 'dcc-vc-test-fixtures/verifiableCredentials', name), 'utf8');
        // As text, exactly as a person would paste the file.
        const response = await verify({ prefix: '/fixture-web', payload: { credential: text } });
        if (text.trim() === '') {
          // Upstream ships this one file empty: refused as nothing to verify, not a crash.
          expect(response.statusCode).toBe(400);
          expect(response.json().error.code).toBe('VERIFY_INPUT_INVALID');
          return;
        }
        expect(response.statusCode).toBe(200);
        const body = response.json();
        if (dccExpectedToFail(name)) {
          expect(body.verified, 'expected to fail').toBe(false);
        } else {
          expect(failures(body)).toBe('');
          expect(body.verified).toBe(true);
        }
      },
    );

    it('refuses a DCC picture that carries no baked badge', async () => {
      const png = listFiles('dcc-vc-test-fixtures', '.png')[0] as string;
      const response = await verify({ contentType: 'image/png', payload: readFileSync(join(FIXTURES, png)) });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'VERIFY_INPUT_INVALID',
        details: [{ field: '/file', reason: 'no_baked_credential' }],
      });
    });
  });

  describe('OB 2.0 samples', () => {
    const valid = [
      'basic-assertion.json',
      'basic-assertion-with-language.json',
      'basic-assertion-no-public-key.json',
      'basic-assertion-with-allowed-origins.json',
      'basic-assertion-with-allowed-origins-valid-starts-with.json',
      'basic-assertion-with-allowed-origins-valid-multiple-starts-with.json',
      'assertion-with-data-image.json',
      'assertion-with-endorsements.json',
      'assertion-with-extension-node-basic.json',
      'assertion-with-multiple-extensions.json',
    ];
    const invalid: Record<string, RegExp> = {
      'basic-assertion-expired.json': /expired/,
      'basic-assertion-in-future.json': /future/,
      'basic-assertion-expired-before-issued.json': /before the issue date/,
      'basic-assertion-invalid-context.json': /context/,
      'basic-assertion-invalid-type.json': /not of type Assertion/,
      'basic-assertion-with-allowed-origins-invalid-starts-with.json': /not hosted where the issuer allows/,
      'basic-assertion-with-allowed-origins-invalid-multiple-starts-with.json': /not hosted where the issuer allows/,
    };

    it.each(valid.map((name) => [name]))('hosted %s verifies', async (name) => {
      const sample = JSON.parse(readFileSync(join(OB20, name), 'utf8'));
      served = ob2Documents(sample);
      const body = (await verify({ prefix: '/fixture-web', payload: { credential: sample } })).json();
      expect(failures(body)).toBe('');
      expect(body).toMatchObject({ verified: true, kind: 'ob2' });
    });

    it.each(Object.keys(invalid).map((name) => [name]))('hosted %s fails', async (name) => {
      const sample = JSON.parse(readFileSync(join(OB20, name), 'utf8'));
      served = ob2Documents(sample);
      const body = (await verify({ prefix: '/fixture-web', payload: { credential: sample } })).json();
      expect(body).toMatchObject({ verified: false, kind: 'ob2' });
      expect(failures(body)).toMatch(invalid[name] as RegExp);
    });

    it('sums up a hosted assertion with its badge class and issuer, and reads it baked in a PNG', async () => {
      const png = readFileSync(join(OB20, 'simple-badge.png'));
      const upload = () => verify({ prefix: '/fixture-web', contentType: 'image/png', payload: png });
      // The copy baked in the sample image has no evidence; the hosted basic-assertion.json has, so they differ.
      served = ob2Documents(JSON.parse(readFileSync(join(OB20, 'basic-assertion.json'), 'utf8')));
      const differs = (await upload()).json();
      expect(differs).toMatchObject({ verified: false, kind: 'ob2' });
      expect(failures(differs)).toMatch(/differs from the copy its issuer hosts/);
      served = ob2Documents(JSON.parse(unbake(png).payload));
      const body = (await upload()).json();
      expect(failures(body)).toBe('');
      expect(body).toMatchObject({ verified: true, kind: 'ob2' });
      expect(body.summary).toMatchObject({
        badgeName: expect.any(String),
        issuerName: expect.any(String),
        recipient: { type: 'email', hashed: true, identity: expect.stringMatching(/^sha256\$/) },
        issuedOn: '2016-12-31T23:59:59Z',
        status: 'active',
      });
    });

    it('verifies signed (JWS) assertions and finds the revoked one', async () => {
      served = ob2Documents(undefined);
      const jws = (name: string) => readFileSync(join(OB20, name), 'utf8');
      const good = (
        await verify({ prefix: '/fixture-web', contentType: 'application/jwt', payload: jws('simple.jwt') })
      ).json();
      expect(failures(good)).toBe('');
      expect(good).toMatchObject({ verified: true, kind: 'ob2' });
      const revoked = (
        await verify({ prefix: '/fixture-web', payload: { credential: jws('simple-revoked.jwt') } })
      ).json();
      expect(revoked).toMatchObject({ verified: false, kind: 'ob2', summary: { status: 'revoked' } });
    });
  });

  describe('credentials signed here', () => {
    it('verifies a did:key credential without fetching anything, with a summary', async () => {
      const { did, credential } = await signedDidKeyCredential({ validUntil: '2099-01-01T00:00:00Z' });
      const before = fixtureLog.length;
      const response = await verify({ payload: { credential } });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(failures(body)).toBe('');
      expect(body).toMatchObject({
        verified: true,
        kind: 'ob3',
        summary: {
          badgeName: 'Soldering basics',
          issuerName: 'Riverside Makerspace',
          issuerId: did,
          recipient: { type: 'emailAddress', hashed: true, identity: expect.stringMatching(/^sha256\$[0-9a-f]{64}$/) },
          issuedOn: '2025-03-01T10:00:00Z',
          expires: '2099-01-01T00:00:00Z',
          status: 'active',
        },
      });
      expect(body.checks.map((check: Json) => check.id)).toEqual(['context', 'open-badges', 'signature', 'validity']);
      expect(fixtureLog.length).toBe(before);
      // The credential posted directly (no envelope) and as raw JSON-LD reads the same.
      expect((await verify({ payload: credential })).json().verified).toBe(true);
      expect(
        (await verify({ contentType: 'application/ld+json', payload: JSON.stringify(credential) })).json().verified,
      ).toBe(true);
    });

    it('fails a credential changed by one character, naming the signature check', async () => {
      const { credential } = await signedDidKeyCredential();
      const tampered = JSON.stringify(credential).replace('Soldering basics', 'Soldering basicS');
      const body = (await verify({ contentType: 'text/plain', payload: tampered })).json();
      expect(body.verified).toBe(false);
      expect(body.checks.find((check: Json) => !check.passed)).toMatchObject({
        id: 'signature',
        message: expect.stringMatching(/changed after signing/),
      });
    });

    it('verifies the VC-JWT form, as JSON and as application/jwt', async () => {
      const { did, signingKey } = await didKeySigner();
      const jwt = await signCredentialJwt(buildOpenBadgeCredential(badgeFor(did)), signingKey);
      for (const response of [
        await verify({ payload: { credential: jwt } }),
        await verify({ contentType: 'application/jwt', payload: jwt }),
      ]) {
        const body = response.json();
        expect(failures(body)).toBe('');
        expect(body).toMatchObject({ verified: true, kind: 'ob3-jwt', summary: { badgeName: 'Soldering basics' } });
      }
    });

    it('reads baked PNG and SVG uploads (multipart and raw)', async () => {
      const { credential } = await signedDidKeyCredential();
      const png = bakePng(solidPng(8, 8), JSON.stringify(credential));
      const svg = bakeSvg(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>',
        { json: JSON.stringify(credential) },
      );
      const upload = multipart('file', 'badge.png', 'image/png', png);
      const viaForm = await verify({
        contentType: upload.contentType,
        payload: upload.payload,
        headers: upload.headers,
      });
      expect(viaForm.json()).toMatchObject({ verified: true, kind: 'ob3' });
      expect((await verify({ contentType: 'image/png', payload: png })).json().verified).toBe(true);
      const svgUpload = multipart('file', 'badge.svg', 'image/svg+xml', svg);
      expect(
        (
          await verify({ contentType: svgUpload.contentType, payload: svgUpload.payload, headers: svgUpload.headers })
        ).json(),
      ).toMatchObject({ verified: true, kind: 'ob3' });
      // A picture with nothing baked in is unusable input, said beside the file.
      const plain = await verify({ contentType: 'image/png', payload: solidPng(4, 4) });
      expect(plain.statusCode).toBe(400);
      expect(plain.json().error.details[0]).toMatchObject({ field: '/file', reason: 'no_baked_credential' });
    });

    it('takes an anonymous multipart upload without a CSRF token (curl -F), but not one that carries a session', async () => {
      const { credential } = await signedDidKeyCredential();
      const png = bakePng(solidPng(8, 8), JSON.stringify(credential));
      // What `curl -F file=@badge.png https://host/api/v1/verify` sends: one part, no token, no cookies.
      const boundary = '------------------------curl0123456789';
      const curl = {
        contentType: `multipart/form-data; boundary=${boundary}`,
        payload: Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="badge.png"\r\nContent-Type: image/png\r\n\r\n`,
          ),
          png,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
      };
      const anonymous = await verify(curl);
      expect(anonymous.statusCode, anonymous.body).toBe(200);
      expect(anonymous.json()).toMatchObject({ verified: true, kind: 'ob3' });

      // A signed-in browser's session cookie is ambient authority: without the session's token it is refused …
      const person = await signIn(t.app, t.db, { role: 'learner' });
      const withSession = await verify({ ...curl, headers: { cookie: person.headers.cookie as string } });
      expect([withSession.statusCode, withSession.json().error.code]).toEqual([403, 'CSRF_FAILED']);
      // … and so is a session cookie that no longer names a session, or one next to a mismatched token.
      const stale = await verify({ ...curl, headers: { cookie: 'ls_session=expired-or-unknown-session-token' } });
      expect([stale.statusCode, stale.json().error.code]).toEqual([403, 'CSRF_FAILED']);
      const wrongToken = await verify({
        ...curl,
        headers: { cookie: person.headers.cookie as string, 'x-csrf-token': 'not-the-session-token' },
      });
      expect(wrongToken.statusCode).toBe(403);
      // With the session's token it verifies like any other request.
      const withToken = await verify({ ...curl, headers: person.headers as Record<string, string> });
      expect(withToken.json()).toMatchObject({ verified: true, kind: 'ob3' });
      // The exemption is this API's own: the /verify page's form still needs its token.
      const page = await t.app.inject({
        method: 'POST',
        url: '/verify',
        remoteAddress: '10.99.0.1',
        headers: { 'content-type': curl.contentType, accept: 'text/html' },
        payload: curl.payload,
      });
      expect(page.statusCode).toBe(403);
    });

    it('checks the status list and reports a revoked credential', async () => {
      const { did, signingKey } = await didKeySigner();
      const listUrl = `${base}/status/1`;
      const list = BitstringStatusList.create();
      list.set(7, true);
      pages.set('/status/1', {
        type: 'application/json',
        body: JSON.stringify(
          await signCredential(
            buildStatusListCredential({
              id: listUrl,
              issuer: did,
              statusPurpose: 'revocation',
              list,
              validFrom: '2025-01-01T00:00:00Z',
            }),
            signingKey,
          ),
        ),
      });
      const signed = (index: number) =>
        signCredential(
          buildOpenBadgeCredential(
            badgeFor(did, {
              status: [{ statusListCredential: listUrl, statusListIndex: index, statusPurpose: 'revocation' }],
            }),
          ),
          signingKey,
        );
      const fine = (await verify({ payload: { credential: await signed(3) } })).json();
      expect(failures(fine)).toBe('');
      expect(fine.summary.status).toBe('active');
      const revoked = (await verify({ payload: { credential: await signed(7) } })).json();
      expect(revoked).toMatchObject({ verified: false, summary: { status: 'revoked' } });
      expect(failures(revoked)).toMatch(/revoked this credential/);
    });

    it('resolves our own deployment’s did:web in-process, without the network', async () => {
      const key = await generateIssuerKey();
      const did = 'did:web:learnscape.test:test-issuers:acme';
      ownDocuments.set('/test-issuers/acme/did.json', buildDidWebDocument({ did, activeKey: key }));
      const credential = await signCredential(buildOpenBadgeCredential(badgeFor(did)), {
        ...key,
        verificationMethod: `${did}#${key.publicKeyMultibase}`,
      });
      const body = (await verify({ payload: { credential } })).json();
      expect(failures(body)).toBe('');
      expect(body.verified).toBe(true);
      // A URL of our own site given as input is read in-process too.
      ownDocuments.set('/test-issuers/acme/credential-1', credential);
      const byUrl = await verify({ payload: { url: 'http://learnscape.test/test-issuers/acme/credential-1' } });
      expect(byUrl.json()).toMatchObject({ verified: true, kind: 'ob3' });
      const missing = await verify({ payload: { url: 'https://learnscape.test/test-issuers/acme/nothing' } });
      expect(missing.json().error).toMatchObject({ code: 'VERIFY_FETCH_REFUSED', details: [{ reason: 'not_found' }] });
    });
  });

  describe('URLs and SSRF', () => {
    it('fetches a URL from an allowed local server', async () => {
      const { credential } = await signedDidKeyCredential();
      pages.set('/badges/1.json', { type: 'application/json', body: JSON.stringify(credential) });
      const body = (await verify({ payload: { url: `${base}/badges/1.json` } })).json();
      expect(body).toMatchObject({ verified: true, kind: 'ob3' });
      pages.set('/badges/1.png', { type: 'image/png', body: bakePng(solidPng(4, 4), JSON.stringify(credential)) });
      expect((await verify({ payload: { url: `${base}/badges/1.png` } })).json()).toMatchObject({ verified: true });
    });

    it('refuses a redirect from an allowed host to 169.254.169.254', async () => {
      pages.set('/metadata', { status: 302, location: 'http://169.254.169.254/latest/meta-data/', body: '' });
      const response = await verify({ payload: { url: `${base}/metadata` } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'VERIFY_FETCH_REFUSED',
        details: [{ field: '/url', reason: 'private_address', url: expect.stringContaining('169.254.169.254') }],
      });
    });

    it('refuses a web page politely', async () => {
      pages.set('/profile', { type: 'text/html; charset=utf-8', body: '<!doctype html><html><body>Hi</body></html>' });
      const response = await verify({ payload: { url: `${base}/profile` } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details[0]).toMatchObject({ field: '/url', reason: 'html_page' });
      expect(response.json().error.details[0].problem).toMatch(/web page, not to a badge/);
    });

    it('never fetches for a credential with an unknown context', async () => {
      const { credential } = await signedDidKeyCredential();
      const before = hits.length;
      const strange = {
        ...credential,
        '@context': [VC_V2_CONTEXT, 'https://example.org/contexts/unknown.jsonld'],
        proof: { ...(credential.proof as Json), verificationMethod: `${base}/keys#key-1` },
        credentialStatus: {
          id: `${base}/status/9#1`,
          type: 'BitstringStatusListEntry',
          statusPurpose: 'revocation',
          statusListIndex: '1',
          statusListCredential: `${base}/status/9`,
        },
      };
      const body = (await verify({ payload: { credential: strange } })).json();
      expect(body.verified).toBe(false);
      expect(body.checks.find((check: Json) => check.id === 'context')).toMatchObject({
        passed: false,
        message: expect.stringMatching(/Unknown JSON-LD context.*never fetched/),
      });
      expect(hits.length).toBe(before);
    });
  });

  describe('bad input', () => {
    it('reports malformed JSON as a failed parse check, not an error', async () => {
      for (const response of [
        await verify({ payload: { credential: '{"@context": ["https://www.w3.org/ns/credentials/v2",' } }),
        await verify({ contentType: 'text/plain', payload: '{ not json' }),
      ]) {
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({
          verified: false,
          kind: 'unknown',
          checks: [{ id: 'parse', passed: false }],
          summary: { status: 'unknown' },
        });
      }
      const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
      expect((await verify({ payload: { credential: `{"a":${deep}}` } })).json().checks[0]).toMatchObject({
        id: 'parse',
        message: expect.stringMatching(/nested more than 64 levels/),
      });
      const envelope = await verify({ contentType: 'application/json', payload: '{"credential": ' });
      expect(envelope.statusCode).toBe(400);
      expect(envelope.json().error.code).toBe('MALFORMED_JSON');
    });

    it('answers input that trips the engine with a failed check, not a server error', async () => {
      const assertion = {
        '@context': 'https://w3id.org/openbadges/v2',
        type: 'Assertion',
        id: 'http://[',
        badge: { type: 'BadgeClass', issuer: { type: 'Issuer', verification: { allowedOrigins: 'example.org' } } },
      };
      const response = await verify({ payload: { credential: assertion } });
      expect(response.statusCode).toBe(200);
      // The engine now reports an id that is not a URL as a failed hosting check; either way no 500.
      const result = response.json();
      expect(result.verified).toBe(false);
      expect(result.checks.some((check: { passed: boolean }) => !check.passed)).toBe(true);
    });

    it('refuses inputs over 2 MB', async () => {
      const big = `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`;
      for (const response of [
        await verify({ payload: { credential: big } }),
        await verify({ contentType: 'image/png', payload: Buffer.alloc(2 * 1024 * 1024 + 10) }),
      ]) {
        expect(response.statusCode).toBe(400);
        expect(response.json().error.code).toBe('VERIFY_INPUT_TOO_LARGE');
      }
      const huge = await verify({ contentType: 'text/plain', payload: 'a'.repeat(7 * 1024 * 1024) });
      expect(huge.statusCode).toBe(413);
      pages.set('/big.json', { type: 'application/json', body: `{"x":"${'b'.repeat(2 * 1024 * 1024)}"}` });
      const fetched = await verify({ payload: { url: `${base}/big.json` } });
      expect(fetched.json().error).toMatchObject({ code: 'VERIFY_FETCH_REFUSED', details: [{ reason: 'too_large' }] });
    });

    it('refuses nothing, both at once, bad URLs and files that are not badges', async () => {
      const cases: [Parameters<typeof verify>[0], string, string][] = [
        [{ payload: {} }, '/credential', 'empty'],
        [{ payload: { credential: 'x', url: 'https://example.org/' } }, '/url', 'both_given'],
        [{ payload: { url: 'ftp://example.org/badge.json' } }, '/url', 'bad_url'],
        [{ payload: { url: 'not a url' } }, '/url', 'bad_url'],
        [
          { contentType: 'application/octet-stream', payload: Buffer.from([0, 1, 2, 3, 255]) },
          '/file',
          'unsupported_file',
        ],
      ];
      for (const [request, field, reason] of cases) {
        const response = await verify(request);
        expect(response.statusCode, reason).toBe(400);
        expect(response.json().error, reason).toMatchObject({
          code: 'VERIFY_INPUT_INVALID',
          details: [{ field, reason }],
        });
      }
    });

    it('limits each address to 20 verifications a minute', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++)
        statuses.push(
          (
            await t.app.inject({
              method: 'POST',
              url: '/api/v1/verify',
              remoteAddress: '10.99.99.99',
              payload: { credential: '{' },
            })
          ).statusCode,
        );
      expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
      expect(statuses[20]).toBe(429);
    });
  });

  describe('the /verify page', () => {
    const form = (fields: Record<string, string>) => ({
      method: 'POST' as const,
      url: '/verify',
      remoteAddress: `10.30.${Math.floor(++requestCount / 250)}.${requestCount % 250}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ls_csrf=${csrf}`, accept: 'text/html' },
      payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });

    it('offers three ways in, each labelled', async () => {
      const page = await t.app.inject({ method: 'GET', url: '/verify', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      for (const id of ['field-credential', 'field-file', 'field-url'])
        expect(page.body).toMatch(new RegExp(`<label for="${id}">`));
      expect(page.body).toContain('enctype="multipart/form-data"');
      expect(page.body).toContain('href="/verify"');
    });

    it('shows a verified badge with its checks in words', async () => {
      const { credential } = await signedDidKeyCredential();
      const page = await t.app.inject(form({ credential: JSON.stringify(credential) }));
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Verified: this badge is genuine');
      expect(page.body).toContain('Soldering basics');
      expect(page.body).toMatch(/<strong>Passed:<\/strong>\s*Signature — The signature is valid/);
      expect(page.body).not.toContain('<strong>Failed:</strong>');
    });

    it('shows a failed check when one character changed, keeping the pasted text', async () => {
      const { credential } = await signedDidKeyCredential();
      const tampered = JSON.stringify(credential).replace('Soldering basics', 'Soldering basicz');
      const page = await t.app.inject(form({ credential: tampered }));
      expect(page.body).toContain('Not verified');
      expect(page.body).toMatch(/<strong>Failed:<\/strong>\s*Signature — The signature does not match/);
      expect(page.body).toContain('Soldering basicz');
    });

    it('speaks Lithuanian and Italian', async () => {
      const { credential } = await signedDidKeyCredential();
      const lt = await t.app.inject({ ...form({ credential: JSON.stringify(credential) }), url: '/verify?lang=lt' });
      expect(lt.body).toContain('Patvirtinta: šis ženklelis tikras');
      expect(lt.body).toContain('Litavimo pagrindai');
      const it = await t.app.inject({ ...form({ credential: '{' }), url: '/verify?lang=it' });
      expect(it.body).toContain('Il testo non è JSON valido');
    });

    it('puts errors beside the field and keeps what was typed', async () => {
      const empty = await t.app.inject(form({ credential: '' }));
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toMatch(/id="field-credential-error">Paste the credential to verify\./);
      const url = 'http://169.254.169.254/latest/meta-data/';
      const refused = await t.app.inject({
        method: 'GET',
        url: `/verify?url=${encodeURIComponent(url)}`,
        remoteAddress: '10.40.0.1',
        headers: { accept: 'text/html' },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toMatch(/id="field-url-error">This address points to a private or local network/);
      expect(refused.body).toContain(`value="${url}"`);
    });

    it('runs ?url= at once', async () => {
      const { credential } = await signedDidKeyCredential();
      pages.set('/badges/2.json', { type: 'application/json', body: JSON.stringify(credential) });
      const page = await t.app.inject({
        method: 'GET',
        url: `/verify?url=${encodeURIComponent(`${base}/badges/2.json`)}`,
        remoteAddress: '10.40.0.2',
        headers: { accept: 'text/html' },
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Verified: this badge is genuine');
    });

    it('refuses a form without its CSRF token', async () => {
      const page = await t.app.inject({
        ...form({ credential: '{}' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(page.statusCode).toBe(403);
    });
  });
});

describe(`the verifier without an allow-list on ${testEngine}`, () => {
  let t: TestApp;
  let server: http.Server;
  let url: string;
  let hits = 0;

  beforeAll(async () => {
    const { credential } = await signedDidKeyCredential();
    server = http.createServer((_request, response) => {
      hits++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(credential));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/badge.json`;
    t = await createTestApp();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses the same local URL, saying it is a private address, and never connects', async () => {
    expect(t.config.verifierAllowedPrivateHosts).toEqual([]);
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/verify', payload: { url } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'VERIFY_FETCH_REFUSED',
      details: [
        { field: '/url', reason: 'private_address', problem: expect.stringMatching(/private or local network/) },
      ],
    });
    expect(hits).toBe(0);
  });
});
