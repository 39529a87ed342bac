/**
 * Open Badges 2.0 compatibility: hosted Issuer, BadgeClass and Assertion JSON built from the
 * same inputs as the OB 3.0 credential, and verification of OB 2.0 hosted and signed (JWS)
 * assertions from any issuer.
 */
import { compactVerify, decodeProtectedHeader, importSPKI } from 'jose';
import {
  hashEmail,
  readText,
  toDateTime,
  type AchievementInput,
  type IssuerProfileInput,
  type LocalizedText,
} from './credential.ts';
import { CredentialError } from './errors.ts';
import type { FetchJson, JsonObject, VerificationCheck, VerificationResult } from './verify.ts';

export const OB2_CONTEXT = 'https://w3id.org/openbadges/v2';

function firstText(text: LocalizedText | undefined, language?: string): string | undefined {
  if (text === undefined) return undefined;
  if (typeof text === 'string') return text;
  return (language ? text[language] : undefined) ?? Object.values(text)[0];
}

export interface Ob2Urls {
  /** Where the hosted Issuer JSON is served. */
  issuerUrl: string;
  /** Where the hosted BadgeClass JSON is served. */
  badgeClassUrl: string;
  /** Where the OB 2.0 revocation list is served (optional). */
  revocationListUrl?: string;
}

export function buildOb2Issuer(issuer: IssuerProfileInput, urls: Ob2Urls, language?: string): JsonObject {
  return {
    '@context': OB2_CONTEXT,
    type: 'Issuer',
    id: urls.issuerUrl,
    name: firstText(issuer.name, language),
    url: issuer.url ?? urls.issuerUrl,
    ...(issuer.email ? { email: issuer.email } : {}),
    ...(issuer.description ? { description: firstText(issuer.description, language) } : {}),
    ...(issuer.image ? { image: issuer.image.id } : {}),
    ...(urls.revocationListUrl ? { revocationList: urls.revocationListUrl } : {}),
  };
}

export function buildOb2BadgeClass(achievement: AchievementInput, urls: Ob2Urls, language?: string): JsonObject {
  if (!achievement.image) throw new CredentialError('INVALID_INPUT', 'An OB 2.0 BadgeClass needs an image.');
  return {
    '@context': OB2_CONTEXT,
    type: 'BadgeClass',
    id: urls.badgeClassUrl,
    name: firstText(achievement.name, language),
    description: firstText(achievement.description, language),
    image: achievement.image.id,
    criteria: {
      ...(achievement.criteria.id ? { id: achievement.criteria.id } : {}),
      ...(achievement.criteria.narrative ? { narrative: firstText(achievement.criteria.narrative, language) } : {}),
    },
    issuer: urls.issuerUrl,
    ...(achievement.alignments?.length
      ? {
          alignment: achievement.alignments.map((alignment) => ({
            targetName: firstText(alignment.targetName, language),
            targetUrl: alignment.targetUrl,
            ...(alignment.targetCode ? { targetCode: alignment.targetCode } : {}),
            ...(alignment.targetFramework ? { targetFramework: alignment.targetFramework } : {}),
            ...(alignment.targetDescription
              ? { targetDescription: firstText(alignment.targetDescription, language) }
              : {}),
          })),
        }
      : {}),
    ...(achievement.tags?.length ? { tags: achievement.tags } : {}),
  };
}

export interface Ob2AssertionInput {
  /** The hosted assertion URL (its id). */
  id: string;
  badgeClassUrl: string;
  recipientEmail: string;
  salt: string;
  issuedOn: Date | string;
  expires?: Date | string;
  evidenceUrls?: string[];
  image?: string;
  /** Set when the assertion is revoked (hosted revocation). */
  revocationReason?: string;
}

export function buildOb2Assertion(input: Ob2AssertionInput): JsonObject {
  return {
    '@context': OB2_CONTEXT,
    type: 'Assertion',
    id: input.id,
    recipient: { type: 'email', hashed: true, salt: input.salt, identity: hashEmail(input.recipientEmail, input.salt) },
    badge: input.badgeClassUrl,
    issuedOn: toDateTime(input.issuedOn, 'issuedOn'),
    ...(input.expires ? { expires: toDateTime(input.expires, 'expires') } : {}),
    ...(input.image ? { image: input.image } : {}),
    ...(input.evidenceUrls?.length
      ? { evidence: input.evidenceUrls.length === 1 ? input.evidenceUrls[0] : input.evidenceUrls }
      : {}),
    verification: { type: 'hosted' },
    ...(input.revocationReason !== undefined ? { revoked: true, revocationReason: input.revocationReason } : {}),
  };
}

// ---------------------------------------------------------------- verification

export interface Ob2VerifyOptions {
  fetchJson: FetchJson;
  now?: Date;
  /** When given, the recipient identity must match this email. */
  recipientEmail?: string;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function types(node: JsonObject): string[] {
  const type = node.type;
  return (Array.isArray(type) ? type : [type]).filter((item): item is string => typeof item === 'string');
}

function hasOb2Context(node: JsonObject): boolean {
  const context = node['@context'];
  return context === OB2_CONTEXT || (Array.isArray(context) && context.includes(OB2_CONTEXT));
}

async function fetchNode(fetchJson: FetchJson, reference: unknown, what: string): Promise<JsonObject> {
  if (isObject(reference)) return reference;
  if (typeof reference !== 'string') throw new CredentialError('INVALID_CREDENTIAL', `The ${what} is missing.`);
  let document: unknown;
  try {
    document = await fetchJson(reference);
  } catch (error) {
    throw new CredentialError('FETCH_FAILED', `The ${what} could not be fetched from ${reference}.`, { cause: error });
  }
  if (!isObject(document))
    throw new CredentialError('INVALID_CREDENTIAL', `The ${what} at ${reference} is not a JSON object.`);
  return document;
}

function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : isObject(value)
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, canonical(value[key])]),
          )
        : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * Verifies an OB 2.0 assertion given as JSON (hosted), as its URL, or as a JWS (signed).
 */
export async function verifyOb2Assertion(
  input: JsonObject | string,
  options: Ob2VerifyOptions,
): Promise<VerificationResult> {
  const checks: VerificationCheck[] = [];
  const add = (id: string, passed: boolean, message: string) => {
    checks.push({ id, passed, message });
    return passed;
  };
  const done = (assertion?: JsonObject): VerificationResult => ({
    verified: checks.every((check) => check.passed),
    checks,
    credential: assertion,
  });
  const now = options.now ?? new Date();

  let assertion: JsonObject;
  let signed: { jws: string } | undefined;
  try {
    if (typeof input === 'string' && /^https?:\/\//.test(input.trim())) {
      assertion = await fetchNode(options.fetchJson, input.trim(), 'assertion');
    } else if (typeof input === 'string') {
      const jws = input.trim();
      decodeProtectedHeader(jws);
      const payload = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
      if (!isObject(payload)) throw new CredentialError('INVALID_CREDENTIAL', 'The JWS payload is not an assertion.');
      assertion = payload;
      signed = { jws };
    } else {
      assertion = input;
    }
  } catch (error) {
    add(
      'format',
      false,
      error instanceof CredentialError ? error.message : 'The input is neither an assertion, its URL, nor a JWS.',
    );
    return done();
  }

  if (
    !add(
      'context',
      hasOb2Context(assertion),
      hasOb2Context(assertion)
        ? 'The assertion uses the Open Badges 2.0 context.'
        : 'The assertion does not use the Open Badges 2.0 context.',
    )
  )
    return done(assertion);
  if (
    !add(
      'open-badges',
      types(assertion).includes('Assertion'),
      types(assertion).includes('Assertion')
        ? 'The document is an Open Badges 2.0 Assertion.'
        : 'The document is not of type Assertion.',
    )
  )
    return done(assertion);

  const recipient = assertion.recipient;
  if (!isObject(recipient) || typeof recipient.identity !== 'string')
    add('recipient', false, 'The assertion names no recipient.');
  else if (options.recipientEmail !== undefined) {
    const expected = recipient.hashed
      ? hashEmail(options.recipientEmail, typeof recipient.salt === 'string' ? recipient.salt : '')
      : options.recipientEmail.trim().toLowerCase();
    const actual = recipient.hashed ? recipient.identity.toLowerCase() : recipient.identity.trim().toLowerCase();
    add(
      'recipient',
      expected === actual,
      expected === actual ? 'The badge was awarded to this email address.' : 'The badge was awarded to someone else.',
    );
  }

  const issuedOn = typeof assertion.issuedOn === 'string' ? Date.parse(assertion.issuedOn) : Number.NaN;
  const expires = typeof assertion.expires === 'string' ? Date.parse(assertion.expires) : undefined;
  if (Number.isNaN(issuedOn)) add('validity', false, 'issuedOn is missing or not a date.');
  else if (issuedOn > now.getTime())
    add('validity', false, `The assertion is dated in the future (${String(assertion.issuedOn)}).`);
  else if (expires !== undefined && (Number.isNaN(expires) || expires < issuedOn))
    add('validity', false, 'The expiry date is invalid or before the issue date.');
  else if (expires !== undefined && expires <= now.getTime())
    add('validity', false, `The badge expired on ${String(assertion.expires)}.`);
  else
    add(
      'validity',
      true,
      expires ? `The badge is valid until ${String(assertion.expires)}.` : 'The badge does not expire.',
    );

  let badgeClass: JsonObject;
  let issuer: JsonObject;
  try {
    badgeClass = await fetchNode(options.fetchJson, assertion.badge, 'BadgeClass');
    if (!types(badgeClass).includes('BadgeClass'))
      throw new CredentialError('INVALID_CREDENTIAL', 'The badge is not a BadgeClass.');
    issuer = await fetchNode(options.fetchJson, badgeClass.issuer, 'issuer');
    if (!types(issuer).some((type) => type === 'Issuer' || type === 'Profile'))
      throw new CredentialError('INVALID_CREDENTIAL', 'The badge issuer is not an Issuer profile.');
    add('badge', true, `Badge "${readText(badgeClass.name) ?? ''}" by ${readText(issuer.name) ?? String(issuer.id)}.`);
  } catch (error) {
    add('badge', false, (error as Error).message);
    return done(assertion);
  }

  const verification = isObject(assertion.verification) ? assertion.verification : {};
  const verificationType = String(verification.type ?? '').toLowerCase();
  if (signed || verificationType === 'signed' || verificationType === 'signedbadge') {
    if (!signed) {
      add('signature', false, 'The assertion says it is signed, but no signature (JWS) was given.');
      return done(assertion);
    }
    try {
      const key = await fetchNode(options.fetchJson, verification.creator, 'signing key');
      if (typeof key.publicKeyPem !== 'string')
        throw new CredentialError('INVALID_KEY', 'The signing key has no publicKeyPem.');
      if (key.owner !== issuer.id)
        throw new CredentialError(
          'INVALID_KEY',
          `The signing key is owned by ${String(key.owner)}, not the issuer ${String(issuer.id)}.`,
        );
      const issuerKeys = (Array.isArray(issuer.publicKey) ? issuer.publicKey : [issuer.publicKey]).map((item) =>
        isObject(item) ? item.id : item,
      );
      if (!issuerKeys.includes(key.id))
        throw new CredentialError('INVALID_KEY', 'The issuer profile does not list the signing key.');
      const { alg } = decodeProtectedHeader(signed.jws);
      await compactVerify(signed.jws, await importSPKI(key.publicKeyPem, alg ?? 'RS256'));
      add('signature', true, `The signature by ${String(key.id)} is valid.`);
    } catch (error) {
      add(
        'signature',
        false,
        error instanceof CredentialError ? error.message : `The signature is not valid (${(error as Error).message}).`,
      );
      return done(assertion);
    }
    if (typeof issuer.revocationList === 'string') {
      try {
        const list = await fetchNode(options.fetchJson, issuer.revocationList, 'revocation list');
        const revoked = (Array.isArray(list.revokedAssertions) ? list.revokedAssertions : []).some(
          (entry) =>
            (isObject(entry) ? entry.id : entry) === assertion.id ||
            (isObject(entry) && entry.uid !== undefined && entry.uid === assertion.uid),
        );
        add('status', !revoked, revoked ? 'The issuer has revoked this badge.' : 'The badge has not been revoked.');
      } catch (error) {
        add('status', false, `Revocation could not be checked: ${(error as Error).message}`);
      }
    }
    return done(assertion);
  }

  // Hosted: the copy at the assertion's id is authoritative.
  if (typeof assertion.id !== 'string' || !/^https?:\/\//.test(assertion.id)) {
    add('hosted', false, 'A hosted assertion must have an http(s) id.');
    return done(assertion);
  }
  const policy = isObject(issuer.verification)
    ? issuer.verification
    : isObject(badgeClass.verification)
      ? badgeClass.verification
      : {};
  const startsWith =
    policy.startsWith === undefined ? [] : Array.isArray(policy.startsWith) ? policy.startsWith : [policy.startsWith];
  const allowedOrigins =
    policy.allowedOrigins === undefined
      ? []
      : Array.isArray(policy.allowedOrigins)
        ? policy.allowedOrigins
        : [policy.allowedOrigins];
  if (
    startsWith.length > 0 &&
    !startsWith.some((prefix) => typeof prefix === 'string' && (assertion.id as string).startsWith(prefix))
  ) {
    add('hosted', false, `The assertion is not hosted where the issuer allows (${startsWith.join(', ')}).`);
    return done(assertion);
  }
  if (allowedOrigins.length > 0 && !allowedOrigins.includes(hostOf(assertion.id))) {
    add('hosted', false, `The assertion is not hosted on an origin the issuer allows (${allowedOrigins.join(', ')}).`);
    return done(assertion);
  }
  try {
    const hosted = await fetchNode(options.fetchJson, assertion.id, 'hosted assertion');
    if (!sameJson(hosted, assertion)) {
      add('hosted', false, 'The assertion differs from the copy its issuer hosts.');
      return done(assertion);
    }
    add('hosted', true, `The issuer hosts this assertion at ${assertion.id}.`);
  } catch (error) {
    add('hosted', false, (error as Error).message);
    return done(assertion);
  }
  if (assertion.revoked === true) {
    const reason = typeof assertion.revocationReason === 'string' ? ` Reason: ${assertion.revocationReason}` : '';
    add('status', false, `The issuer has revoked this badge.${reason}`);
  }
  return done(assertion);
}

/** The host of a URL, or '' when the text is not a URL (so an origin check fails instead of throwing). */
function hostOf(url: unknown): string {
  if (typeof url !== 'string' || !URL.canParse(url)) return '';
  return new URL(url).host;
}
