import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAchievement } from './credential.ts';
import { buildOb2Assertion, buildOb2BadgeClass, buildOb2Issuer, verifyOb2Assertion } from './ob20.ts';
import { FIXTURES, mapFetcher } from './fixtures.test-support.ts';

const OB20 = join(FIXTURES, 'ob20-1edtech');

/**
 * The validator's test harness serves each asset by its file name on example.org (ids inside
 * some assets differ from the URLs that point at them), and each sample at its own id.
 */
function documentsFor(sample: Record<string, unknown> | undefined): Map<string, unknown> {
  const documents = new Map<string, unknown>();
  for (const name of readdirSync(join(OB20, 'assets')).filter((file) => file.endsWith('.json'))) {
    let asset: Record<string, unknown>;
    try {
      asset = JSON.parse(readFileSync(join(OB20, 'assets', name), 'utf8'));
    } catch {
      continue;
    }
    if (typeof asset.id === 'string' && !documents.has(asset.id)) documents.set(asset.id, asset);
  }
  for (const name of readdirSync(join(OB20, 'assets')).filter((file) => file.endsWith('.json'))) {
    try {
      const asset = JSON.parse(readFileSync(join(OB20, 'assets', name), 'utf8'));
      for (const origin of ['https://example.org/', 'http://example.org/']) documents.set(`${origin}${name}`, asset);
    } catch {
      // openbadges_context.json is a context dump, not a document the samples point to.
    }
  }
  if (sample && typeof sample.id === 'string') documents.set(sample.id, sample);
  return documents;
}

const VALID = [
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
const INVALID: Record<string, RegExp> = {
  'basic-assertion-expired.json': /expired/,
  'basic-assertion-in-future.json': /future/,
  'basic-assertion-expired-before-issued.json': /before the issue date/,
  'basic-assertion-invalid-context.json': /context/,
  'basic-assertion-invalid-type.json': /not of type Assertion/,
  'basic-assertion-with-allowed-origins-invalid-starts-with.json': /not hosted where the issuer allows/,
  'basic-assertion-with-allowed-origins-invalid-multiple-starts-with.json': /not hosted where the issuer allows/,
};

describe('1EdTech OB 2.0 hosted samples', () => {
  it.each(VALID.map((name) => [name]))('%s verifies', async (name) => {
    const sample = JSON.parse(readFileSync(join(OB20, name), 'utf8'));
    const result = await verifyOb2Assertion(sample, { fetchJson: mapFetcher(documentsFor(sample)) });
    expect(result.checks.filter((check) => !check.passed)).toEqual([]);
    expect(result.verified).toBe(true);
  });

  it.each(Object.keys(INVALID).map((name) => [name]))('%s fails', async (name) => {
    const sample = JSON.parse(readFileSync(join(OB20, name), 'utf8'));
    const result = await verifyOb2Assertion(sample, { fetchJson: mapFetcher(documentsFor(sample)) });
    expect(result.verified).toBe(false);
    expect(
      result.checks
        .filter((check) => !check.passed)
        .map((check) => check.message)
        .join(' '),
    ).toMatch(INVALID[name] as RegExp);
  });

  it('checks the hashed recipient email', async () => {
    const sample = JSON.parse(readFileSync(join(OB20, 'basic-assertion.json'), 'utf8'));
    const fetchJson = mapFetcher(documentsFor(sample));
    // The sample's identity is sha256("nobody@example.org" + "deadsea") in the validator's tests.
    const right = await verifyOb2Assertion(sample, { fetchJson, recipientEmail: 'nobody@example.org' });
    const wrong = await verifyOb2Assertion(sample, { fetchJson, recipientEmail: 'someone@example.org' });
    expect(right.checks.find((check) => check.id === 'recipient')?.passed).toBe(true);
    expect(wrong.verified).toBe(false);
  });
});

describe('1EdTech OB 2.0 signed samples', () => {
  const documents = documentsFor(undefined);
  const jws = (name: string) => readFileSync(join(OB20, name), 'utf8');
  it('simple.jwt and simple-not-revoked.jwt verify', async () => {
    for (const name of ['simple.jwt', 'simple-not-revoked.jwt']) {
      const result = await verifyOb2Assertion(jws(name), { fetchJson: mapFetcher(documents) });
      expect(
        result.checks.filter((check) => !check.passed),
        name,
      ).toEqual([]);
    }
  });
  it('simple-revoked.jwt fails as revoked', async () => {
    const result = await verifyOb2Assertion(jws('simple-revoked.jwt'), { fetchJson: mapFetcher(documents) });
    expect(result.verified).toBe(false);
    expect(result.checks.find((check) => !check.passed)?.message).toMatch(/revoked/);
  });
  it('a changed payload fails the signature', async () => {
    const [header, payload, signature] = jws('simple.jwt').trim().split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.issuedOn = '2017-01-01T00:00:00Z';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect((await verifyOb2Assertion(tampered, { fetchJson: mapFetcher(documents) })).verified).toBe(false);
  });
});

describe('OB 2.0 JSON from our inputs', () => {
  it('builds Issuer, BadgeClass and a hosted Assertion that our verifier accepts', async () => {
    const urls = {
      issuerUrl: 'https://learn.example.org/ob2/issuers/7',
      badgeClassUrl: 'https://learn.example.org/ob2/badges/3',
    };
    const achievement = {
      id: 'https://learn.example.org/badges/3',
      name: { en: 'Soldering', de: 'Löten' },
      description: 'Solders safely.',
      criteria: { narrative: 'Solder a kit.' },
      image: { id: 'https://learn.example.org/badges/3.png' },
    };
    expect(buildAchievement(achievement).type).toEqual(['Achievement']);
    const issuer = buildOb2Issuer(
      { id: 'did:web:learn.example.org:issuers:7', name: 'Makerspace', url: 'https://makerspace.example.org' },
      urls,
    );
    const badge = buildOb2BadgeClass(achievement, urls, 'de');
    expect(badge.name).toBe('Löten');
    const assertion = buildOb2Assertion({
      id: 'https://learn.example.org/ob2/assertions/1',
      badgeClassUrl: urls.badgeClassUrl,
      recipientEmail: 'a@example.org',
      salt: 's',
      issuedOn: '2025-01-01T00:00:00Z',
    });
    const fetchJson = mapFetcher(
      new Map<string, unknown>([
        [urls.issuerUrl, issuer],
        [urls.badgeClassUrl, badge],
        [assertion.id as string, assertion],
      ]),
    );
    const result = await verifyOb2Assertion(assertion.id as string, { fetchJson, recipientEmail: 'A@example.org ' });
    expect(result.checks.filter((check) => !check.passed)).toEqual([]);
    const revoked = buildOb2Assertion({
      id: 'https://learn.example.org/ob2/assertions/2',
      badgeClassUrl: urls.badgeClassUrl,
      recipientEmail: 'a@example.org',
      salt: 's',
      issuedOn: '2025-01-01T00:00:00Z',
      revocationReason: 'superseded',
    });
    const revokedFetch = mapFetcher(
      new Map<string, unknown>([
        [urls.issuerUrl, issuer],
        [urls.badgeClassUrl, badge],
        [revoked.id as string, revoked],
      ]),
    );
    expect(
      (await verifyOb2Assertion(revoked, { fetchJson: revokedFetch })).checks.find((check) => !check.passed)?.message,
    ).toMatch(/revoked.*superseded/);
  });
});
