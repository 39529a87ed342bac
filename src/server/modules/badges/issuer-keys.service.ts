import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  buildDidWebDocument,
  buildIssuerProfile,
  buildOb2Issuer,
  type CredentialSigner,
  createCredentialSigner,
  decryptSecretKey,
  didWebForIssuer,
  encryptSecretKey,
  generateIssuerKey,
  importIssuerKey,
  type IssuerKeyMaterial,
  type IssuerProfileInput,
  isCredentialError,
  OB_V3_CONTEXT,
  type SigningKey,
  VC_V2_CONTEXT,
  verificationMethodIdFor,
} from '../../../credentials/index.ts';
import type { Config } from '../../config.ts';
import type { Database, SqlRunner } from '../../db/client.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { type AuditContext, recordAudit } from '../audit/audit.service.ts';
import {
  findActiveIssuerKey,
  findIssuerKey,
  findIssuerOrganisation,
  findKeyChangeByIdempotencyKey,
  findSigningIdentity,
  insertActiveIssuerKeyIfNone,
  insertIssuerKey,
  type IssuerKeyRecord,
  type IssuerKeySummary,
  type IssuerOrganisation,
  listIssuerKeys,
  type NewIssuerKey,
  lockIssuerKeys,
  publicKeyInUse,
  retireActiveIssuerKey,
  type SigningIdentity,
} from './issuer-keys.repo.ts';

/**
 * Issuers and their keys. Every organisation that issues is an OB 3.0 issuer with a `did:web` identifier whose DID
 * document Learnscape serves at `/issuers/:organisationId/did.json`, and a public profile at `/issuers/:id`.
 * Ed25519 keys are made on first use (or imported); their secret parts are AES-256-GCM envelopes made with the
 * key-encryption key and bound to the key's id. A rotation retires the active key — retired keys stay in the DID
 * document forever, so every credential they signed keeps verifying.
 */

export type { IssuerKeySummary } from './issuer-keys.repo.ts';

// ── Identifiers ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * `did:web:<host[%3Aport]>:issuers:<organisationId>`; a path in PUBLIC_URL (a deployment under a prefix) becomes path
 * segments, so the DID still resolves to `${PUBLIC_URL}/issuers/<id>/did.json`.
 */
export function issuerDid(config: Config, organisationId: string): string {
  const url = new URL(config.publicUrl);
  const did = didWebForIssuer(url.host, organisationId);
  const prefix = url.pathname
    .split('/')
    .filter(Boolean)
    .map((segment) => encodeURIComponent(decodeURIComponent(segment)));
  if (prefix.length === 0) return did;
  const [method, host, ...rest] = did.split(':').slice(1);
  return ['did', method, host, ...prefix, ...rest].join(':');
}

export function issuerProfileUrl(config: Config, organisationId: string): string {
  return `${config.publicUrl}/issuers/${organisationId}`;
}

export function issuerDidDocumentUrl(config: Config, organisationId: string): string {
  return `${issuerProfileUrl(config, organisationId)}/did.json`;
}

export function issuerOb2Url(config: Config, organisationId: string): string {
  return `${issuerProfileUrl(config, organisationId)}/ob2`;
}

// ── The key-encryption key ───────────────────────────────────────────────────────────────────────────────────────

const kekFiles = new Map<string, Promise<Uint8Array>>();

async function readKekFile(file: string): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = text.trim();
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== value) {
    throw new Error(
      `${file} does not hold a 32-byte key in base64; restore it from a backup (see docs/operations.md).`,
    );
  }
  return new Uint8Array(bytes);
}

/**
 * Creates the key file once, race-safe across processes: the key is written whole to a private temporary file and
 * hard-linked into place, which fails when another process got there first; everyone then reads the one file.
 */
async function loadOrCreateKekFile(file: string): Promise<Uint8Array> {
  const existing = await readKekFile(file);
  if (existing) return existing;
  const directory = path.dirname(file);
  const created = await fs.mkdir(directory, { recursive: true, mode: 0o700 });
  if (created !== undefined) await fs.chmod(directory, 0o700);
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await fs.chmod(temporary, 0o600);
    await fs.link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
  const key = await readKekFile(file);
  if (!key) throw new Error(`${file} vanished while it was being created.`);
  return key;
}

/**
 * The 32-byte key that encrypts issuers' secret keys: CREDENTIAL_KEY_ENCRYPTION_KEY, or — outside production only —
 * a random key kept in DATA_DIR/secrets/credential-kek (mode 0600, directory 0700), made the first time it is needed.
 */
export async function keyEncryptionKey(config: Config): Promise<Uint8Array> {
  if (config.credentialKeyEncryptionKey) return config.credentialKeyEncryptionKey;
  if (config.nodeEnv === 'production') {
    throw new Error('CREDENTIAL_KEY_ENCRYPTION_KEY is required in production; issuers cannot sign without it.');
  }
  const file = path.join(config.dataDir, 'secrets', 'credential-kek');
  let pending = kekFiles.get(file);
  if (!pending) {
    pending = loadOrCreateKekFile(file);
    kekFiles.set(file, pending);
    pending.catch(() => kekFiles.delete(file));
  }
  return pending;
}

// ── Signers ──────────────────────────────────────────────────────────────────────────────────────────────────────

export interface IssuerSigner {
  organisationId: string;
  did: string;
  /** issuer_keys.id of the key that signs. */
  keyId: string;
  /** verificationMethod = `${did}#${publicKeyMultibase}`. */
  signingKey: SigningKey;
  signer: CredentialSigner;
  /** id = did, name, url = website or profile page, email, description, otherIdentifiers (the profile URL). */
  profile: IssuerProfileInput;
}

/** Decrypted signers by key id; a signer is bound to the KEK and DID it was made for. */
const SIGNER_CACHE_SIZE = 100;
const signerCache = new Map<
  string,
  { kek: Uint8Array; did: string; signingKey: SigningKey; signer: CredentialSigner }
>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

async function signerForKey(
  config: Config,
  did: string,
  key: Pick<IssuerKeyRecord, 'id' | 'publicKeyMultibase' | 'secretKeyEnvelope'>,
): Promise<{ signingKey: SigningKey; signer: CredentialSigner }> {
  const kek = await keyEncryptionKey(config);
  const cached = signerCache.get(key.id);
  if (cached && cached.did === did && sameBytes(cached.kek, kek)) {
    // Least recently used goes first: re-inserting moves this one to the end.
    signerCache.delete(key.id);
    signerCache.set(key.id, cached);
    return cached;
  }
  let secretKeyMultibase: string;
  try {
    secretKeyMultibase = decryptSecretKey(key.secretKeyEnvelope, kek, key.id);
  } catch (error) {
    throw new Error(
      `The secret key ${key.id} cannot be decrypted: is CREDENTIAL_KEY_ENCRYPTION_KEY (or DATA_DIR/secrets/credential-kek) the one it was made with?`,
      { cause: error },
    );
  }
  const signingKey: SigningKey = {
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyMultibase,
    verificationMethod: verificationMethodIdFor(did, key),
  };
  const signer = await createCredentialSigner(signingKey);
  signerCache.set(key.id, { kek, did, signingKey, signer });
  while (signerCache.size > SIGNER_CACHE_SIZE) {
    const oldest = signerCache.keys().next().value;
    if (oldest === undefined) break;
    signerCache.delete(oldest);
  }
  return { signingKey, signer };
}

/** The OB 3.0 issuer profile input of an organisation. */
export function issuerProfileInput(
  config: Config,
  organisation: Pick<IssuerOrganisation, 'id' | 'name' | 'description' | 'website' | 'contactEmail'>,
): IssuerProfileInput {
  const profileUrl = issuerProfileUrl(config, organisation.id);
  return {
    id: issuerDid(config, organisation.id),
    name: organisation.name,
    url: organisation.website ?? profileUrl,
    ...(organisation.contactEmail ? { email: organisation.contactEmail } : {}),
    ...(organisation.description.trim() ? { description: organisation.description.trim() } : {}),
    otherIdentifiers: [{ identifier: profileUrl, identifierType: 'identifier' }],
  };
}

async function newKeyRow(
  config: Config,
  material: IssuerKeyMaterial,
  imported: boolean,
  createdBy: string | null,
): Promise<NewIssuerKey> {
  // The id is made here, not by the database, because it is the envelope's associated data.
  const id = randomUUID();
  return {
    id,
    publicKeyMultibase: material.publicKeyMultibase,
    secretKeyEnvelope: encryptSecretKey(material.secretKeyMultibase, await keyEncryptionKey(config), id),
    imported,
    createdBy,
  };
}

/** The organisation's active key, made on first use; concurrent first uses agree on one key. */
async function activeKeyOf(db: SqlRunner, config: Config, organisationId: string): Promise<IssuerKeyRecord> {
  const existing = await findActiveIssuerKey(db, organisationId);
  if (existing) return existing;
  const row = await newKeyRow(config, await generateIssuerKey(), false, null);
  await insertActiveIssuerKeyIfNone(db, organisationId, row);
  const key = await findActiveIssuerKey(db, organisationId);
  if (!key) throw new Error(`No active key for issuer ${organisationId} after creating one.`);
  return key;
}

/** The organisation's active key (created on first use, race-safe via the partial unique index). Works inside a transaction. */
export async function issuerSignerFor(db: SqlRunner, config: Config, organisationId: string): Promise<IssuerSigner> {
  let identity = await findSigningIdentity(db, organisationId);
  if (!identity) throw new AppError('ISSUER_NOT_FOUND');
  if (!identity.key) {
    await activeKeyOf(db, config, organisationId);
    identity = (await findSigningIdentity(db, organisationId)) as SigningIdentity;
  }
  const key = identity.key as NonNullable<SigningIdentity['key']>;
  const did = issuerDid(config, organisationId);
  const { signingKey, signer } = await signerForKey(config, did, key);
  return {
    organisationId,
    did,
    keyId: key.id,
    signingKey,
    signer,
    profile: issuerProfileInput(config, identity.organisation),
  };
}

// ── Rotation and import ──────────────────────────────────────────────────────────────────────────────────────────

export type ImportedKeyInput = IssuerKeyMaterial | { jwk: Record<string, unknown> };

/** Checks an imported key with the engine (it must sign and verify); problems name the field they concern. */
export async function validateImportedKey(input: ImportedKeyInput): Promise<IssuerKeyMaterial> {
  const problems: ErrorDetail[] = [];
  if ('jwk' in input) {
    const jwk = input.jwk;
    if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) {
      problems.push({ field: '/jwk', problem: 'Give the key as a JSON object (a JWK).' });
    } else if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
      problems.push({ field: '/jwk', problem: 'The JWK must be an Ed25519 key: "kty": "OKP" and "crv": "Ed25519".' });
    } else if (typeof jwk.d !== 'string' || typeof jwk.x !== 'string') {
      problems.push({
        field: '/jwk',
        problem: 'The JWK needs both its public part "x" and its private part "d" to sign.',
      });
    }
  } else {
    if (
      typeof input.publicKeyMultibase !== 'string' ||
      !/^z6Mk[1-9A-HJ-NP-Za-km-z]{40,50}$/.test(input.publicKeyMultibase)
    )
      problems.push({
        field: '/publicKeyMultibase',
        problem: 'Give the Ed25519 public key in Multikey form: it starts with "z6Mk".',
      });
    if (
      typeof input.secretKeyMultibase !== 'string' ||
      !/^z[1-9A-HJ-NP-Za-km-z]{40,120}$/.test(input.secretKeyMultibase)
    )
      problems.push({
        field: '/secretKeyMultibase',
        problem: 'Give the secret key in Multikey form: base58 text starting with "z".',
      });
  }
  if (problems.length > 0) throw new AppError('ISSUER_KEY_INVALID', undefined, problems);
  try {
    return await importIssuerKey(input);
  } catch (error) {
    if (!isCredentialError(error)) throw error;
    throw new AppError('ISSUER_KEY_INVALID', undefined, [
      { field: 'jwk' in input ? '/jwk' : '/secretKeyMultibase', problem: error.message },
    ]);
  }
}

export interface KeyChangeOptions {
  /** The city the change was made from (its audit log shows it); null from the command line. */
  cityId?: string | null;
  /** A retried request with the same key within 24 hours returns the first result instead of rotating again. */
  idempotencyKey?: string;
  createdBy?: string | null;
}

export interface KeyChangeResult {
  key: IssuerKeySummary;
  /** The key it replaced, if any. */
  retired: IssuerKeySummary | null;
  /** False when an earlier request with the same idempotency key already made this key. */
  created: boolean;
}

/**
 * Makes a new active key (generated, or imported and checked) and retires the previous one, in one transaction with
 * its audit entry. The retired key stays forever, so credentials it signed keep verifying.
 */
export async function rotateIssuerKey(
  db: Database,
  config: Config,
  audit: AuditContext,
  organisationId: string,
  imported?: ImportedKeyInput,
  options: KeyChangeOptions = {},
): Promise<KeyChangeResult> {
  const material = imported ? await validateImportedKey(imported) : await generateIssuerKey();
  const row = await newKeyRow(config, material, imported !== undefined, options.createdBy ?? null);
  return db.transaction(async (tx) => {
    await lockIssuerKeys(tx, organisationId);
    if (!(await findIssuerOrganisation(tx, organisationId))) throw new AppError('ISSUER_NOT_FOUND');
    if (options.idempotencyKey) {
      const earlierKeyId = await findKeyChangeByIdempotencyKey(tx, organisationId, options.idempotencyKey);
      const earlier = earlierKeyId ? await findIssuerKey(tx, organisationId, earlierKeyId) : undefined;
      if (earlier) return { key: earlier, retired: null, created: false };
    }
    if (await publicKeyInUse(tx, material.publicKeyMultibase)) {
      throw new AppError('ISSUER_KEY_EXISTS', undefined, [
        {
          field: 'jwk' in (imported ?? {}) ? '/jwk' : '/publicKeyMultibase',
          problem: 'This key is already used by an issuer.',
        },
      ]);
    }
    const retired = (await retireActiveIssuerKey(tx, organisationId)) ?? null;
    const key = await insertIssuerKey(tx, organisationId, row);
    await recordAudit(tx, audit, {
      cityId: options.cityId ?? null,
      action: imported ? 'issuer_key.import' : 'issuer_key.rotate',
      targetType: 'issuer',
      targetId: organisationId,
      before: retired ? { keyId: retired.id, publicKeyMultibase: retired.publicKeyMultibase } : null,
      after: {
        keyId: key.id,
        publicKeyMultibase: key.publicKeyMultibase,
        imported: key.imported,
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      },
    });
    return { key, retired, created: true };
  });
}

// ── Public documents ─────────────────────────────────────────────────────────────────────────────────────────────

/** An issuer is public once its organisation is approved in a city, or once it has keys (it signed something). */
async function publicIssuer(db: SqlRunner, organisationId: string): Promise<IssuerOrganisation> {
  const organisation = await findIssuerOrganisation(db, organisationId);
  if (!organisation || !(organisation.approved || organisation.keyCount > 0)) throw new AppError('ISSUER_NOT_FOUND');
  return organisation;
}

export interface IssuerOverview {
  organisation: IssuerOrganisation;
  did: string;
  profileUrl: string;
  didDocumentUrl: string;
  keys: IssuerKeySummary[];
}

/** The issuer identity and all its keys (never a secret), for the organisation's own pages and the API. */
export async function issuerOverview(db: SqlRunner, config: Config, organisationId: string): Promise<IssuerOverview> {
  const organisation = await findIssuerOrganisation(db, organisationId);
  if (!organisation) throw new AppError('ISSUER_NOT_FOUND');
  return {
    organisation,
    did: issuerDid(config, organisationId),
    profileUrl: issuerProfileUrl(config, organisationId),
    didDocumentUrl: issuerDidDocumentUrl(config, organisationId),
    keys: await listIssuerKeys(db, organisationId),
  };
}

/** The public issuer (404 unless approved somewhere or already signing), for its public page. */
export async function publicIssuerOverview(
  db: SqlRunner,
  config: Config,
  organisationId: string,
): Promise<IssuerOverview> {
  await publicIssuer(db, organisationId);
  return issuerOverview(db, config, organisationId);
}

/**
 * The did:web DID document: the active key and every retired key. An approved provider without a key gets one now
 * (it is about to issue); any other organisation without keys has no DID document.
 */
export async function issuerDidDocument(
  db: SqlRunner,
  config: Config,
  organisationId: string,
): Promise<Record<string, unknown>> {
  let keys = await listIssuerKeys(db, organisationId);
  if (!keys.some((key) => key.status === 'active')) {
    const organisation = await findIssuerOrganisation(db, organisationId);
    if (!organisation || !(keys.length > 0 || organisation.approvedProvider)) throw new AppError('ISSUER_NOT_FOUND');
    await activeKeyOf(db, config, organisationId);
    keys = await listIssuerKeys(db, organisationId);
  }
  const [activeKey, ...retiredKeys] = keys;
  return buildDidWebDocument({
    did: issuerDid(config, organisationId),
    activeKey: activeKey as IssuerKeySummary,
    retiredKeys,
    alsoKnownAs: [issuerProfileUrl(config, organisationId)],
  });
}

/** The OB 3.0 issuer `Profile` served at the profile URL. */
export async function issuerProfileJson(
  db: SqlRunner,
  config: Config,
  organisationId: string,
): Promise<Record<string, unknown>> {
  const organisation = await publicIssuer(db, organisationId);
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT],
    ...buildIssuerProfile(issuerProfileInput(config, organisation)),
  };
}

/** The OB 2.0 `Issuer` for tools that only read 2.0, served at `${profile url}/ob2`. */
export async function ob2IssuerJson(
  db: SqlRunner,
  config: Config,
  organisationId: string,
): Promise<Record<string, unknown>> {
  const organisation = await publicIssuer(db, organisationId);
  const issuerUrl = issuerOb2Url(config, organisationId);
  return buildOb2Issuer(issuerProfileInput(config, organisation), { issuerUrl, badgeClassUrl: issuerUrl });
}
