/**
 * Issuer keys: Ed25519 as Multikey, did:key and did:web identifiers, the did:web DID
 * document (active key plus every retired key, so old credentials keep verifying), and
 * encryption of secret keys at rest.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Ed25519MultikeyKeyPair } from '@digitalbazaar/ed25519-multikey';
import { driver as createDidKeyDriver } from '@digitalbazaar/did-method-key';
import { DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT } from './contexts.ts';
import { CredentialError } from './errors.ts';

export interface IssuerKeyMaterial {
  publicKeyMultibase: string;
  secretKeyMultibase: string;
}

export interface PublicKeyDescription {
  publicKeyMultibase: string;
}

/** An Ed25519 public key in Multikey form always starts with this multibase/multicodec prefix. */
const ED25519_MULTIKEY_PREFIX = 'z6Mk';

export async function generateIssuerKey(): Promise<IssuerKeyMaterial> {
  const keyPair = await Ed25519Multikey.generate();
  return { publicKeyMultibase: keyPair.publicKeyMultibase, secretKeyMultibase: keyPair.secretKeyMultibase as string };
}

function assertEd25519PublicKey(publicKeyMultibase: unknown): asserts publicKeyMultibase is string {
  if (typeof publicKeyMultibase !== 'string' || !publicKeyMultibase.startsWith(ED25519_MULTIKEY_PREFIX)) {
    throw new CredentialError(
      'INVALID_KEY',
      'Expected an Ed25519 public key in Multikey form (publicKeyMultibase starting with "z6Mk").',
    );
  }
}

/**
 * Imports an existing key (Multikey or an OKP/Ed25519 JWK) and proves that the secret key
 * belongs to the public key by signing and verifying a probe.
 */
export async function importIssuerKey(
  input: IssuerKeyMaterial | { jwk: Record<string, unknown> },
): Promise<IssuerKeyMaterial> {
  let keyPair: Ed25519MultikeyKeyPair;
  try {
    if ('jwk' in input) {
      // Rebuild from the 32-byte seed so an imported key has the same 64-byte secret encoding as a generated one.
      if (input.jwk.kty !== 'OKP' || input.jwk.crv !== 'Ed25519' || typeof input.jwk.d !== 'string')
        throw new Error('not an Ed25519 private JWK');
      const seed = Buffer.from(input.jwk.d, 'base64url').subarray(0, 32);
      keyPair = await Ed25519Multikey.generate({ seed: new Uint8Array(seed) });
      const publicPair = await Ed25519Multikey.fromJwk({ jwk: { kty: 'OKP', crv: 'Ed25519', x: input.jwk.x } });
      if (publicPair.publicKeyMultibase !== keyPair.publicKeyMultibase)
        throw new Error('the JWK "x" does not match its "d"');
    } else {
      keyPair = await Ed25519Multikey.from({
        type: 'Multikey',
        publicKeyMultibase: input.publicKeyMultibase,
        secretKeyMultibase: input.secretKeyMultibase,
      });
    }
  } catch (error) {
    throw new CredentialError('INVALID_KEY', 'The key could not be read as an Ed25519 key pair.', { cause: error });
  }
  assertEd25519PublicKey(keyPair.publicKeyMultibase);
  if (!keyPair.secretKeyMultibase)
    throw new CredentialError('INVALID_KEY', 'The key has no secret part, so it cannot sign.');
  const probe = randomBytes(32);
  const signature = await keyPair.signer().sign({ data: probe });
  if (!(await keyPair.verifier().verify({ data: probe, signature }))) {
    throw new CredentialError('INVALID_KEY', 'The secret key does not belong to the public key.');
  }
  return { publicKeyMultibase: keyPair.publicKeyMultibase, secretKeyMultibase: keyPair.secretKeyMultibase };
}

/** The public key as a JWK (for VC-JWT verification and for publishing). */
export async function publicKeyToJwk(key: PublicKeyDescription): Promise<Record<string, unknown>> {
  const keyPair = await Ed25519Multikey.from({ type: 'Multikey', publicKeyMultibase: key.publicKeyMultibase });
  return Ed25519Multikey.toJwk({ keyPair });
}

export async function secretKeyToJwk(key: IssuerKeyMaterial): Promise<Record<string, unknown>> {
  const keyPair = await Ed25519Multikey.from({ type: 'Multikey', ...key });
  const jwk = await Ed25519Multikey.toJwk({ keyPair, secretKey: true });
  // The Multikey secret is seed ‖ public key (64 bytes); RFC 8037 wants only the 32-byte seed as "d".
  const secret = Buffer.from(String(jwk.d), 'base64url');
  return { ...jwk, d: secret.subarray(0, 32).toString('base64url') };
}

/** A Multikey key pair object with signer()/verifier(), bound to its verification method id. */
export async function keyPairFor(
  key: PublicKeyDescription & { secretKeyMultibase?: string },
  verificationMethodId: string,
  controller: string,
): Promise<Ed25519MultikeyKeyPair> {
  assertEd25519PublicKey(key.publicKeyMultibase);
  try {
    return await Ed25519Multikey.from({ type: 'Multikey', id: verificationMethodId, controller, ...key });
  } catch (error) {
    throw new CredentialError('INVALID_KEY', 'The key could not be read as an Ed25519 Multikey.', { cause: error });
  }
}

// ---------------------------------------------------------------- did:key

export function didKeyFor(key: PublicKeyDescription): string {
  assertEd25519PublicKey(key.publicKeyMultibase);
  return `did:key:${key.publicKeyMultibase}`;
}

/** The verification method id a did:key issuer signs with: `did:key:z…#z…`. */
export function didKeyVerificationMethod(key: PublicKeyDescription): string {
  return `${didKeyFor(key)}#${key.publicKeyMultibase}`;
}

const didKeyDriver = createDidKeyDriver();
didKeyDriver.use({ multibaseMultikeyHeader: ED25519_MULTIKEY_PREFIX, fromMultibase: Ed25519Multikey.from });

/** Resolves a did:key DID or DID URL locally (no network); only Ed25519 keys are supported. */
export async function resolveDidKey(didOrUrl: string): Promise<Record<string, unknown>> {
  const did = didOrUrl.split('#')[0] ?? '';
  const methodSpecificId = did.slice('did:key:'.length);
  if (!did.startsWith('did:key:') || !methodSpecificId.startsWith(ED25519_MULTIKEY_PREFIX)) {
    throw new CredentialError('DID_NOT_RESOLVED', `${didOrUrl} is not an Ed25519 did:key.`);
  }
  try {
    return didOrUrl.includes('#') ? await didKeyDriver.get({ url: didOrUrl }) : await didKeyDriver.get({ did });
  } catch (error) {
    throw new CredentialError('DID_NOT_RESOLVED', `${didOrUrl} could not be resolved.`, { cause: error });
  }
}

// ---------------------------------------------------------------- did:web

/**
 * `did:web:<host>:issuers:<id>`. A port is percent-encoded as the did:web method requires;
 * the issuer id must be a URL-safe slug or UUID.
 */
export function didWebForIssuer(host: string, issuerId: string): string {
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host))
    throw new CredentialError('INVALID_INPUT', `"${host}" is not a host name.`);
  if (!/^[A-Za-z0-9._-]+$/.test(issuerId))
    throw new CredentialError('INVALID_INPUT', `"${issuerId}" is not a URL-safe issuer id.`);
  return `did:web:${host.replace(':', '%3A')}:issuers:${issuerId}`;
}

/** Where a did:web DID document lives: `https://host/path/did.json` (or `/.well-known/did.json`). */
export function didWebDocumentUrl(didOrUrl: string): string {
  const did = didOrUrl.split('#')[0] ?? '';
  if (!did.startsWith('did:web:')) throw new CredentialError('INVALID_INPUT', `${didOrUrl} is not a did:web DID.`);
  const segments = did
    .slice('did:web:'.length)
    .split(':')
    .map((segment) => decodeURIComponent(segment));
  const [host, ...path] = segments;
  if (!host || segments.some((segment) => segment === '' || segment.includes('/'))) {
    throw new CredentialError('INVALID_INPUT', `${didOrUrl} is not a valid did:web DID.`);
  }
  return path.length === 0 ? `https://${host}/.well-known/did.json` : `https://${host}/${path.join('/')}/did.json`;
}

/** Verification method ids use the key itself as fragment, so a key's id never changes. */
export function verificationMethodIdFor(controller: string, key: PublicKeyDescription): string {
  return `${controller}#${key.publicKeyMultibase}`;
}

export interface DidWebDocumentInput {
  did: string;
  activeKey: PublicKeyDescription;
  /** Keys that signed before a rotation. They stay listed so credentials they signed keep verifying. */
  retiredKeys?: PublicKeyDescription[];
  /** Extra ids the controller is also known by, for example the issuer profile URL. */
  alsoKnownAs?: string[];
}

export function buildDidWebDocument(input: DidWebDocumentInput): Record<string, unknown> {
  const keys = [input.activeKey, ...(input.retiredKeys ?? [])];
  const seen = new Set<string>();
  const verificationMethod = [];
  for (const key of keys) {
    assertEd25519PublicKey(key.publicKeyMultibase);
    if (seen.has(key.publicKeyMultibase)) continue;
    seen.add(key.publicKeyMultibase);
    verificationMethod.push({
      id: verificationMethodIdFor(input.did, key),
      type: 'Multikey',
      controller: input.did,
      publicKeyMultibase: key.publicKeyMultibase,
    });
  }
  const ids = verificationMethod.map((method) => method.id);
  const activeId = verificationMethodIdFor(input.did, input.activeKey);
  return {
    '@context': [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
    id: input.did,
    ...(input.alsoKnownAs?.length ? { alsoKnownAs: input.alsoKnownAs } : {}),
    verificationMethod,
    // Retired keys stay in assertionMethod: a verifier checks the proof purpose against it.
    assertionMethod: ids,
    // Only the active key may authenticate or delegate.
    authentication: [activeId],
    capabilityInvocation: [activeId],
  };
}

// ---------------------------------------------------------------- encryption at rest

/**
 * Envelope: `lsk1.<iv>.<tag>.<ciphertext>` (base64url parts). The version prefix names
 * the algorithm (v1 = AES-256-GCM, 96-bit IV), so a later algorithm can be added beside it.
 */
const ENVELOPE_V1 = 'lsk1';

function assertEncryptionKey(encryptionKey: Uint8Array): void {
  if (!(encryptionKey instanceof Uint8Array) || encryptionKey.length !== 32) {
    throw new CredentialError('INVALID_KEY', 'The key-encryption key must be exactly 32 bytes.');
  }
}

/**
 * Encrypts a secret key. `associatedData` (for example the key's database id) is
 * authenticated but not stored, so an envelope copied to another row fails to decrypt.
 */
export function encryptSecretKey(secretKeyMultibase: string, encryptionKey: Uint8Array, associatedData = ''): string {
  assertEncryptionKey(encryptionKey);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secretKeyMultibase, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [ENVELOPE_V1, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function decryptSecretKey(envelope: string, encryptionKey: Uint8Array, associatedData = ''): string {
  assertEncryptionKey(encryptionKey);
  const parts = envelope.split('.');
  if (parts[0] !== ENVELOPE_V1) {
    throw new CredentialError('UNSUPPORTED_ENVELOPE', `Unknown secret key envelope version "${parts[0] ?? ''}".`);
  }
  const [, ivPart, tagPart, ciphertextPart] = parts;
  if (parts.length !== 4 || !ivPart || !tagPart || ciphertextPart === undefined) {
    throw new CredentialError('KEY_DECRYPT_FAILED', 'The secret key envelope is malformed.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(ivPart, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tagPart, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertextPart, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    throw new CredentialError(
      'KEY_DECRYPT_FAILED',
      'The secret key could not be decrypted (wrong key-encryption key or altered data).',
      {
        cause: error,
      },
    );
  }
}
