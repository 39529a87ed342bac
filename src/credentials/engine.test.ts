import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildEndorsementCredential,
  buildOpenBadgeCredential,
  hashEmail,
  type OpenBadgeCredentialInput,
} from './credential.ts';
import {
  buildDidWebDocument,
  didKeyFor,
  didKeyVerificationMethod,
  didWebDocumentUrl,
  didWebForIssuer,
  generateIssuerKey,
  verificationMethodIdFor,
} from './keys.ts';
import { createCredentialSigner, signCredential, signCredentialJwt, signCredentialReference } from './sign.ts';
import { BitstringStatusList, buildStatusListCredential } from './status-list.ts';
import { verifyCredential, verifyCredentialJwt } from './verify.ts';
import { mapFetcher } from './fixtures.test-support.ts';
import { createShapeCachingCanonicalizer } from './canonicalize.ts';

const HOST = 'learn.example.org';
const ISSUER_DID = didWebForIssuer(HOST, 'org-7');
const STATUS_URL = `https://${HOST}/status/org-7/revocation/1`;

async function issuerSetup() {
  const key = await generateIssuerKey();
  const verificationMethod = verificationMethodIdFor(ISSUER_DID, key);
  const documents = new Map<string, unknown>([
    [didWebDocumentUrl(ISSUER_DID), buildDidWebDocument({ did: ISSUER_DID, activeKey: key })],
  ]);
  return { key, signingKey: { ...key, verificationMethod }, documents, fetchJson: mapFetcher(documents) };
}

function badgeInput(overrides: Partial<OpenBadgeCredentialInput> = {}): OpenBadgeCredentialInput {
  return {
    id: `urn:uuid:${randomUUID()}`,
    issuer: {
      id: ISSUER_DID,
      name: { en: 'Youth Makerspace', de: 'Jugend-Makerspace' },
      url: 'https://makerspace.example.org',
    },
    achievement: {
      id: `https://${HOST}/badges/soldering`,
      name: { en: 'Soldering basics', de: 'Löten für Einsteiger' },
      description: 'Can solder a simple circuit safely.',
      criteria: { narrative: { en: 'Solder a blinking LED kit.', de: 'Einen Blink-LED-Bausatz löten.' } },
      image: { id: `https://${HOST}/badges/soldering.png`, caption: 'A soldering iron over a circuit board' },
      achievementType: 'Badge',
      alignments: [
        {
          targetName: 'Digital content creation',
          targetUrl: 'https://example.org/digcomp/3.1',
          targetCode: '3.1',
          targetFramework: 'DigComp 2.2',
          targetType: 'ext:DigComp',
        },
      ],
    },
    subject: { email: 'learner@example.org', salt: 'pepper' },
    validFrom: '2025-03-01T10:00:00Z',
    evidence: [
      {
        id: `https://${HOST}/evidence/1`,
        name: 'Photo of the finished kit',
        narrative: 'Done in the Saturday workshop.',
      },
    ],
    status: [{ statusListCredential: STATUS_URL, statusListIndex: 17, statusPurpose: 'revocation' }],
    defaultLanguage: 'en',
    ...overrides,
  };
}

describe('building Open Badges 3.0 credentials', () => {
  it('uses VC 2.0 + pinned OB 3.0.3 contexts, language-tagged text and a salted email identity', () => {
    const credential = buildOpenBadgeCredential(badgeInput()) as Record<string, any>;
    expect(credential['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ]);
    expect(credential.credentialSubject.achievement.name).toEqual([
      { '@value': 'Soldering basics', '@language': 'en' },
      { '@value': 'Löten für Einsteiger', '@language': 'de' },
    ]);
    expect(credential.credentialSubject.identifier).toEqual([
      {
        type: 'IdentityObject',
        identityHash: hashEmail('learner@example.org', 'pepper'),
        identityType: 'emailAddress',
        hashed: true,
        salt: 'pepper',
      },
    ]);
    expect(credential.credentialSubject.identifier[0].identityHash).toMatch(/^sha256\$[0-9a-f]{64}$/);
    expect(credential.credentialSubject.achievement.alignment[0]).toMatchObject({
      type: ['Alignment'],
      targetCode: '3.1',
      targetFramework: 'DigComp 2.2',
      targetType: 'ext:DigComp',
    });
    expect(credential.credentialStatus).toMatchObject({
      type: 'BitstringStatusListEntry',
      statusListIndex: '17',
      id: `${STATUS_URL}#17`,
    });
  });

  it('rejects bad input with clear errors', () => {
    expect(() => buildOpenBadgeCredential(badgeInput({ subject: { email: 'not-an-email' } }))).toThrow(/not an email/);
    expect(() => buildOpenBadgeCredential(badgeInput({ validUntil: '2020-01-01T00:00:00Z' }))).toThrow(
      /after validFrom/,
    );
    expect(() => buildOpenBadgeCredential(badgeInput({ id: 'no scheme' }))).toThrow(/absolute URL/);
  });
});

describe('sign and verify', () => {
  it('signs with did:web, verifies with an injected fetcher, and reports each check', async () => {
    const { signingKey, fetchJson, documents } = await issuerSetup();
    documents.set(
      STATUS_URL,
      await signCredential(
        buildStatusListCredential({
          id: STATUS_URL,
          issuer: ISSUER_DID,
          statusPurpose: 'revocation',
          list: BitstringStatusList.create(),
          validFrom: '2025-01-01T00:00:00Z',
        }),
        signingKey,
      ),
    );
    const signed = await signCredential(buildOpenBadgeCredential(badgeInput()), signingKey);
    const result = await verifyCredential(signed, { fetchJson });
    expect(result.checks.filter((check) => !check.passed)).toEqual([]);
    expect(result.verified).toBe(true);
    expect(result.checks.map((check) => check.id)).toEqual([
      'context',
      'open-badges',
      'signature',
      'validity',
      'status',
    ]);
  });

  it('verifies did:key credentials without any fetcher', async () => {
    const key = await generateIssuerKey();
    const did = didKeyFor(key);
    const signed = await signCredential(
      buildOpenBadgeCredential(badgeInput({ issuer: { id: did, name: 'Library' }, status: [] })),
      { ...key, verificationMethod: didKeyVerificationMethod(key) },
    );
    expect((await verifyCredential(signed)).verified).toBe(true);
  });

  it('keeps old credentials verifying after key rotation', async () => {
    const { key: oldKey, signingKey: oldSigningKey, documents, fetchJson } = await issuerSetup();
    const oldCredential = await signCredential(buildOpenBadgeCredential(badgeInput({ status: [] })), oldSigningKey);
    const newKey = await generateIssuerKey();
    documents.set(
      didWebDocumentUrl(ISSUER_DID),
      buildDidWebDocument({ did: ISSUER_DID, activeKey: newKey, retiredKeys: [oldKey] }),
    );
    const newCredential = await signCredential(buildOpenBadgeCredential(badgeInput({ status: [] })), {
      ...newKey,
      verificationMethod: verificationMethodIdFor(ISSUER_DID, newKey),
    });
    expect((await verifyCredential(oldCredential, { fetchJson })).verified).toBe(true);
    expect((await verifyCredential(newCredential, { fetchJson })).verified).toBe(true);
    // Dropping the retired key from the document breaks the old credential: that is why we keep it.
    documents.set(didWebDocumentUrl(ISSUER_DID), buildDidWebDocument({ did: ISSUER_DID, activeKey: newKey }));
    expect((await verifyCredential(oldCredential, { fetchJson })).verified).toBe(false);
  });

  it('fails revoked and suspended credentials, and forged status lists', async () => {
    const { signingKey, documents, fetchJson } = await issuerSetup();
    const suspensionUrl = `https://${HOST}/status/org-7/suspension/1`;
    const revocations = BitstringStatusList.create();
    const suspensions = BitstringStatusList.create();
    revocations.set(17, true);
    suspensions.set(18, true);
    const publish = async (url: string, purpose: 'revocation' | 'suspension', list: BitstringStatusList) =>
      documents.set(
        url,
        await signCredential(
          buildStatusListCredential({
            id: url,
            issuer: ISSUER_DID,
            statusPurpose: purpose,
            list,
            validFrom: '2025-01-01T00:00:00Z',
          }),
          signingKey,
        ),
      );
    await publish(STATUS_URL, 'revocation', revocations);
    await publish(suspensionUrl, 'suspension', suspensions);
    const withStatus = (index: number) =>
      signCredential(
        buildOpenBadgeCredential(
          badgeInput({
            status: [
              { statusListCredential: STATUS_URL, statusListIndex: index, statusPurpose: 'revocation' },
              { statusListCredential: suspensionUrl, statusListIndex: index, statusPurpose: 'suspension' },
            ],
          }),
        ),
        signingKey,
      );
    const revoked = await verifyCredential(await withStatus(17), { fetchJson });
    expect(revoked.verified).toBe(false);
    expect(revoked.checks.find((check) => !check.passed)?.message).toBe('The issuer has revoked this credential.');
    const suspended = await verifyCredential(await withStatus(18), { fetchJson });
    expect(suspended.checks.find((check) => !check.passed)?.message).toBe('The issuer has suspended this credential.');
    expect((await verifyCredential(await withStatus(19), { fetchJson })).verified).toBe(true);

    // A list whose bits were changed after signing must not be trusted.
    const forged = structuredClone(documents.get(STATUS_URL)) as Record<string, any>;
    forged.credentialSubject.encodedList = BitstringStatusList.create().encode();
    documents.set(STATUS_URL, forged);
    const result = await verifyCredential(await withStatus(17), { fetchJson });
    expect(result.verified).toBe(false);
    expect(result.checks.find((check) => !check.passed)?.message).toMatch(/not trustworthy/);
  });

  it('fails expired and not-yet-valid credentials', async () => {
    const { signingKey, fetchJson } = await issuerSetup();
    const expired = await signCredential(
      buildOpenBadgeCredential(badgeInput({ status: [], validUntil: '2025-04-01T00:00:00Z' })),
      signingKey,
    );
    expect((await verifyCredential(expired, { fetchJson, now: new Date('2025-03-15T00:00:00Z') })).verified).toBe(true);
    expect(
      (await verifyCredential(expired, { fetchJson, now: new Date('2025-05-01T00:00:00Z') })).checks.find(
        (check) => !check.passed,
      )?.message,
    ).toMatch(/expired/);
    expect(
      (await verifyCredential(expired, { fetchJson, now: new Date('2025-01-01T00:00:00Z') })).checks.find(
        (check) => !check.passed,
      )?.message,
    ).toMatch(/not valid yet/);
  });

  it('signs and verifies endorsements, also embedded in a badge', async () => {
    const { signingKey, fetchJson } = await issuerSetup();
    const endorsement = await signCredential(
      buildEndorsementCredential({
        id: `urn:uuid:${randomUUID()}`,
        issuer: { id: ISSUER_DID, name: 'City employers' },
        endorsedId: `https://${HOST}/badges/soldering`,
        name: 'Endorsed by employers',
        comment: 'We hire people with this badge.',
        validFrom: '2025-01-01T00:00:00Z',
      }),
      signingKey,
    );
    expect((await verifyCredential(endorsement, { fetchJson })).verified).toBe(true);
    const input = badgeInput({ status: [] });
    input.achievement.endorsements = [endorsement];
    expect(
      (await verifyCredential(await signCredential(buildOpenBadgeCredential(input), signingKey), { fetchJson }))
        .verified,
    ).toBe(true);
  });
});

describe('tampering', () => {
  function stringLeaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
    if (typeof value === 'string') return [path];
    if (Array.isArray(value)) return value.flatMap((item, index) => stringLeaves(item, [...path, index]));
    if (value && typeof value === 'object')
      return Object.entries(value).flatMap(([key, child]) =>
        key === '@context' ? [] : stringLeaves(child, [...path, key]),
      );
    return [];
  }

  it('any changed signed field, the proof value, or the key makes verification fail', async () => {
    const { signingKey, fetchJson, documents } = await issuerSetup();
    const list = BitstringStatusList.create();
    documents.set(
      STATUS_URL,
      await signCredential(
        buildStatusListCredential({
          id: STATUS_URL,
          issuer: ISSUER_DID,
          statusPurpose: 'revocation',
          list,
          validFrom: '2025-01-01T00:00:00Z',
        }),
        signingKey,
      ),
    );
    const signed = await signCredential(buildOpenBadgeCredential(badgeInput()), signingKey);
    const { proof, ...unsigned } = signed;
    const leaves = stringLeaves(unsigned);
    expect(leaves.length).toBeGreaterThan(25);
    for (const path of leaves) {
      const tampered = structuredClone(signed) as Record<string, any>;
      let node = tampered;
      for (const key of path.slice(0, -1)) node = node[key as string];
      const last = path[path.length - 1] as string;
      const original = node[last] as string;
      // Keep IRIs IRIs and dates dates, so only the signature can catch the change.
      node[last] = /^\d{4}-/.test(original)
        ? original.replace(/^\d{4}/, '2024')
        : /^[a-z]+:/.test(original)
          ? `${original}x`
          : `${original}!`;
      const result = await verifyCredential(tampered, { fetchJson });
      expect(result.verified, `changing ${path.join('.')} must fail`).toBe(false);
    }
    const badValue = structuredClone(signed) as Record<string, any>;
    badValue.proof.proofValue = `${proof.proofValue.slice(0, -2)}${proof.proofValue.endsWith('1') ? '22' : '11'}`;
    expect((await verifyCredential(badValue, { fetchJson })).verified).toBe(false);
    const badCreated = structuredClone(signed) as Record<string, any>;
    badCreated.proof.created = '2001-01-01T00:00:00Z';
    expect((await verifyCredential(badCreated, { fetchJson })).verified).toBe(false);
    // Signed by another key that claims to be the issuer's key.
    const otherKey = await generateIssuerKey();
    const impostor = await signCredential(buildOpenBadgeCredential(badgeInput()), {
      ...otherKey,
      verificationMethod: signingKey.verificationMethod,
    });
    const impostorResult = await verifyCredential(impostor, { fetchJson });
    expect(impostorResult.verified).toBe(false);
    expect(impostorResult.checks.find((check) => check.id === 'signature')?.message).toMatch(/does not match/);
  });

  it('rejects unknown contexts without fetching them', async () => {
    const { signingKey, fetchJson } = await issuerSetup();
    const credential = buildOpenBadgeCredential(badgeInput({ status: [] }));
    (credential['@context'] as string[]).push('https://evil.example/context.json');
    await expect(signCredential(credential, signingKey)).rejects.toMatchObject({ code: 'UNKNOWN_CONTEXT' });
    const log: string[] = [];
    const result = await verifyCredential(
      { ...credential, proof: { type: 'DataIntegrityProof' } },
      { fetchJson: mapFetcher(new Map(), log) },
    );
    expect(result.checks[0]).toMatchObject({ id: 'context', passed: false });
    expect(log).toEqual([]);
    void fetchJson;
  });
});

describe('VC-JWT', () => {
  it('signs and verifies the JWT form; tampering fails', async () => {
    const { signingKey, fetchJson } = await issuerSetup();
    const jwt = await signCredentialJwt(buildOpenBadgeCredential(badgeInput({ status: [] })), signingKey);
    const result = await verifyCredentialJwt(jwt, { fetchJson });
    expect(result.checks.filter((check) => !check.passed)).toEqual([]);
    expect(result.verified).toBe(true);
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.vc.name = 'Changed';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect((await verifyCredentialJwt(tampered, { fetchJson })).verified).toBe(false);
    const otherKey = await generateIssuerKey();
    const forged = await signCredentialJwt(buildOpenBadgeCredential(badgeInput({ status: [] })), {
      ...otherKey,
      verificationMethod: signingKey.verificationMethod,
    });
    expect((await verifyCredentialJwt(forged, { fetchJson })).verified).toBe(false);
  });
});

describe('fast signing path', () => {
  const words = [
    'maker',
    'ciencia',
    'Käse',
    'naïve',
    'coding',
    '"quoted"',
    'line\nbreak',
    'tab\tstop',
    '🙂',
    'back\\slash',
  ];
  const pick = <T>(items: T[]) => items[randomInt(items.length)] as T;
  const text = () => Array.from({ length: 1 + randomInt(4) }, () => pick(words)).join(' ');

  function randomInput(): OpenBadgeCredentialInput {
    const multilingual = randomInt(2) === 0;
    return badgeInput({
      id: pick([`urn:uuid:${randomUUID()}`, `https://${HOST}/credentials/${randomUUID()}`]),
      issuer: {
        id: pick([ISSUER_DID, 'did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi']),
        name: text(),
        ...(randomInt(2) ? { url: `https://${randomInt(1000)}.example.org` } : {}),
      },
      achievement: {
        id: `https://${HOST}/badges/${randomInt(50)}`,
        name: multilingual ? { en: text(), fr: text() } : text(),
        description: text(),
        criteria: randomInt(2)
          ? { narrative: text() }
          : { id: `https://${HOST}/criteria/${randomInt(9)}`, narrative: text() },
        achievementType: pick(['Badge', 'Competency', 'Certificate', 'ext:Workshop']),
        ...(randomInt(2) ? { image: { id: `https://${HOST}/img/${randomInt(99)}.png`, caption: text() } } : {}),
        ...(randomInt(2)
          ? {
              alignments: [
                {
                  targetName: text(),
                  targetUrl: `https://esco.example/${randomInt(999)}`,
                  targetCode: String(randomInt(99)),
                  targetFramework: 'ESCO',
                },
              ],
            }
          : {}),
        ...(randomInt(3) === 0 ? { tags: [text(), text()] } : {}),
      },
      subject: randomInt(2)
        ? { did: `did:example:${randomBytes(6).toString('hex')}` }
        : { email: `p${randomInt(1e6)}@example.org`, salt: randomBytes(4).toString('hex') },
      validFrom: new Date(Date.UTC(2020 + randomInt(5), randomInt(12), 1 + randomInt(28), randomInt(24))),
      ...(randomInt(2) ? { validUntil: new Date(Date.UTC(2030, randomInt(12), 1)) } : {}),
      evidence: randomInt(2)
        ? [{ narrative: text(), ...(randomInt(2) ? { id: `https://${HOST}/e/${randomInt(99)}` } : {}) }]
        : [],
      status: randomInt(2)
        ? [{ statusListCredential: STATUS_URL, statusListIndex: randomInt(131072), statusPurpose: 'revocation' }]
        : [],
    });
  }

  it('produces byte-identical proofs to the @digitalbazaar/vc reference on 1,000 random credentials', async () => {
    const key = await generateIssuerKey();
    const signingKey = { ...key, verificationMethod: verificationMethodIdFor(ISSUER_DID, key) };
    const canonicalizer = createShapeCachingCanonicalizer();
    const signer = await createCredentialSigner(signingKey, canonicalizer);
    for (let index = 0; index < 1000; index++) {
      const credential = buildOpenBadgeCredential(randomInput());
      const created = new Date(Date.UTC(2025, 0, 1, 0, 0, randomInt(86_400)));
      const [ours, reference] = await Promise.all([
        signer.sign(credential, { created }),
        signCredentialReference(credential, signingKey, { created }),
      ]);
      expect(JSON.stringify(ours), `credential ${index}`).toBe(JSON.stringify(reference));
    }
    // The shape cache must actually have been used, or this test proves nothing.
    expect(canonicalizer.stats().templateHits).toBeGreaterThan(1500);
  }, 120_000);

  it('stays byte-identical for credentials as bulk issuing makes them: many per second, one issuer, one shape', async () => {
    // What the fast path caches on this workload: the proof options of one second (shared by the credentials signed in
    // it) and the expanded template of the shape (canonicalized without a second expansion).
    const key = await generateIssuerKey();
    const signingKey = { ...key, verificationMethod: verificationMethodIdFor(ISSUER_DID, key) };
    const canonicalizer = createShapeCachingCanonicalizer();
    const signer = await createCredentialSigner(signingKey, canonicalizer);
    const profile = {
      id: ISSUER_DID,
      name: text(),
      url: `https://${HOST}/issuers/org-7`,
      otherIdentifiers: [{ identifier: `https://${HOST}/issuers/org-7`, identifierType: 'identifier' }],
    };
    const second = Date.UTC(2025, 5, 1, 9, 0, 0);
    for (let index = 0; index < 200; index++) {
      const credential = buildOpenBadgeCredential({
        id: `https://${HOST}/c/plymouth/credentials/${randomUUID()}`,
        issuer: profile,
        achievement: {
          id: `https://${HOST}/c/plymouth/badges/${randomInt(3)}/versions/1`,
          name: text(),
          description: text(),
          criteria: { narrative: text() },
          image: { id: `https://${HOST}/c/plymouth/badges/1/versions/1/image.png`, caption: text() },
          achievementType: 'Badge',
          creator: profile,
          inLanguage: 'en',
          version: '1',
        },
        subject: randomInt(5) ? { email: `p${index}@example.org` } : { did: `did:example:${index}` },
        validFrom: new Date(second),
        evidence: [{ id: `https://example.org/evidence/${index}`, narrative: text() }],
        status: [
          { statusListCredential: STATUS_URL, statusListIndex: randomInt(131072), statusPurpose: 'revocation' },
          { statusListCredential: `${STATUS_URL}-s`, statusListIndex: randomInt(131072), statusPurpose: 'suspension' },
        ],
        defaultLanguage: 'en',
      });
      const subject = credential.credentialSubject as { identifier?: unknown[] };
      subject.identifier = [
        ...(subject.identifier ?? []),
        { type: 'IdentityObject', identityHash: text(), identityType: 'name', hashed: false },
      ];
      // Bursts of 40 credentials in one second, as a chunk of a bulk issue.
      const created = new Date(second + Math.floor(index / 40) * 1000);
      const [ours, reference] = await Promise.all([
        signer.sign(credential, { created }),
        signCredentialReference(credential, signingKey, { created }),
      ]);
      expect(JSON.stringify(ours), `credential ${index}`).toBe(JSON.stringify(reference));
    }
    expect(canonicalizer.stats().fullExpansions).toBe(0);
  }, 120_000);
});

describe('independent verifier', () => {
  it('@digitalcredentials/verifier-core verifies credentials our engine signed (did:key, no network)', async () => {
    const { verifyCredential: verifyWithDcc } = await import('@digitalcredentials/verifier-core');
    const key = await generateIssuerKey();
    const did = didKeyFor(key);
    const signed = await signCredential(
      buildOpenBadgeCredential(
        badgeInput({
          issuer: { id: did, name: 'Learnscape test issuer' },
          subject: { did: 'did:example:learner' },
          status: [],
        }),
      ),
      { ...key, verificationMethod: didKeyVerificationMethod(key) },
    );
    // verifier-core fetches only two things here: the issuer registry we name (served below)
    // and OB JSON schemas (network-bound, skipped by failing the fetch). Nothing else may be requested.
    const registryUrl = 'https://registry.learnscape.test/registry.json';
    const requested: string[] = [];
    const originalFetch = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      requested.push(url);
      if (url === registryUrl) {
        const body = JSON.stringify({
          meta: { created: '2025-01-01' },
          registry: { [did]: { name: 'Learnscape test issuer', location: 'Test', url: 'https://learn.example.org' } },
        });
        return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
      }
      throw new TypeError(`network disabled in tests: ${url}`);
    }) as typeof fetch;
    try {
      const result = (await verifyWithDcc({
        credential: signed as never,
        knownDIDRegistries: [{ name: 'Learnscape test registry', type: 'dcc-legacy', url: registryUrl }],
      })) as { log?: { id: string; valid: boolean }[]; errors?: unknown[] };
      expect(result.errors).toBeUndefined();
      const log = Object.fromEntries((result.log ?? []).map((entry) => [entry.id, entry.valid]));
      expect(log.valid_signature).toBe(true);
      expect(log.expiration).toBe(true);
      expect(log.registered_issuer).toBe(true);
      expect(requested.filter((url) => url !== registryUrl).every((url) => url.includes('/schema/'))).toBe(true);
    } finally {
      globalThis.fetch = originalFetch;
    }
  });
});
