/**
 * Verification of Open Badges 3.0 / W3C credentials from any issuer. Remote documents
 * (did:web DID documents, controller documents, status list credentials) are reached only
 * through the fetchers the caller injects. Every step becomes a check with a plain-English
 * message for the verifier page.
 */
import { createHash } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { sharedCanonicalizer } from './canonicalize.ts';
import {
  isBundledContext,
  OB_V3_CONTEXT_3_0_0,
  OB_V3_CONTEXT_3_0_1,
  OB_V3_CONTEXT_3_0_2,
  OB_V3_CONTEXT_3_0_3,
  OB_V3_EXTENSIONS_CONTEXT,
  VC_V1_CONTEXT,
  VC_V2_CONTEXT,
} from './contexts.ts';
import { readText } from './credential.ts';
import { CredentialError, findCredentialError } from './errors.ts';
import { didWebDocumentUrl, publicKeyToJwk, resolveDidKey } from './keys.ts';
import { decodeMultibase } from './multibase.ts';
import { BitstringStatusList } from './status-list.ts';

export type JsonObject = Record<string, unknown>;
/** Fetches and parses JSON from a URL; the server passes an SSRF-safe implementation. */
export type FetchJson = (url: string) => Promise<unknown>;

export interface VerificationCheck {
  id: string;
  passed: boolean;
  message: string;
}

export interface VerificationResult {
  verified: boolean;
  checks: VerificationCheck[];
  credential?: JsonObject;
}

export interface VerifyOptions {
  /** Fetcher for did:web DID documents and https controller documents. Without it only did:key resolves. */
  fetchJson?: FetchJson;
  /** Fetcher for status list credentials; defaults to fetchJson. */
  fetchStatusList?: FetchJson;
  /** The time to check validity against (default: now). */
  now?: Date;
  /** Check credentialStatus entries (default true). */
  checkStatus?: boolean;
}

const OB_CREDENTIAL_TYPES = ['OpenBadgeCredential', 'AchievementCredential', 'EndorsementCredential'];
/** The official OB 3.0 JSON schemas; the structural checks below stand in for them. */
const KNOWN_OB_SCHEMAS = new Set([
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_anyachievementcredential_schema.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_anyendorsementcredential_schema.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/achievementcredential.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/endorsementcredential.json',
]);
const OB_CONTEXT_URLS = new Set([
  OB_V3_CONTEXT_3_0_0,
  OB_V3_CONTEXT_3_0_1,
  OB_V3_CONTEXT_3_0_2,
  OB_V3_CONTEXT_3_0_3,
  OB_V3_EXTENSIONS_CONTEXT,
]);
const MAX_DOCUMENT_BYTES = 1024 * 1024;

function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.id === 'string') return value.id;
  return undefined;
}

function hasType(node: unknown, type: string): boolean {
  return isObject(node) && asArray(node.type as string | string[]).includes(type);
}

class Checks {
  readonly list: VerificationCheck[] = [];
  add(id: string, passed: boolean, message: string): boolean {
    this.list.push({ id, passed, message });
    return passed;
  }
  get allPassed(): boolean {
    return this.list.every((check) => check.passed);
  }
}

// ---------------------------------------------------------------- structure

/** Where OB 3.0 requires a node of a given type; each rule yields one problem sentence. */
function structuralProblems(credential: JsonObject): string[] {
  const problems: string[] = [];
  const requireType = (node: unknown, type: string, where: string) => {
    if (node === undefined) return;
    if (typeof node === 'string') return; // a reference by id
    if (!hasType(node, type)) problems.push(`${where} must have type "${type}".`);
  };
  const types = asArray(credential.type as string | string[]);
  if (!types.includes('VerifiableCredential')) problems.push('type must include "VerifiableCredential".');
  const obType = OB_CREDENTIAL_TYPES.find((type) => types.includes(type));
  if (!obType)
    problems.push('type must include "OpenBadgeCredential" (or "AchievementCredential"/"EndorsementCredential").');
  if (typeof credential.id !== 'undefined' && typeof credential.id !== 'string') problems.push('id must be a URI.');

  const issuer = credential.issuer;
  if (!idOf(issuer)) problems.push('The issuer (with an id) is missing.');
  if (isObject(issuer)) {
    requireType(issuer, 'Profile', 'The issuer');
    asArray(issuer.otherIdentifier).forEach((entry, index) => {
      requireType(entry, 'IdentifierEntry', `issuer.otherIdentifier[${index}]`);
    });
    requireType(issuer.parentOrg, 'Profile', 'issuer.parentOrg');
    requireType(issuer.address, 'Address', 'issuer.address');
  }

  const isV2 = asArray(credential['@context']).includes(VC_V2_CONTEXT);
  if (isV2 && typeof credential.validFrom !== 'string' && typeof credential.issuanceDate !== 'string')
    problems.push('validFrom is missing.');
  if (!isV2 && typeof credential.issuanceDate !== 'string') problems.push('issuanceDate is missing.');

  const subjects = asArray(credential.credentialSubject as JsonObject | JsonObject[]);
  if (subjects.length === 0) problems.push('credentialSubject is missing.');
  for (const subject of subjects) {
    if (!isObject(subject)) {
      problems.push('credentialSubject must be an object.');
      continue;
    }
    if (obType === 'EndorsementCredential') {
      requireType(subject, 'EndorsementSubject', 'credentialSubject');
      continue;
    }
    requireType(subject, 'AchievementSubject', 'credentialSubject');
    asArray(subject.identifier).forEach((entry, index) => {
      requireType(entry, 'IdentityObject', `credentialSubject.identifier[${index}]`);
    });
    asArray(subject.result).forEach((entry, index) => {
      requireType(entry, 'Result', `credentialSubject.result[${index}]`);
    });
    requireType(subject.source, 'Profile', 'credentialSubject.source');
    const achievement = subject.achievement;
    if (!isObject(achievement)) {
      problems.push('credentialSubject.achievement is missing.');
      continue;
    }
    requireType(achievement, 'Achievement', 'credentialSubject.achievement');
    if (typeof achievement.id !== 'string') problems.push('credentialSubject.achievement.id is missing.');
    if (readText(achievement.name) === undefined) problems.push('credentialSubject.achievement.name is missing.');
    if (!isObject(achievement.criteria) && typeof achievement.criteria !== 'string')
      problems.push('credentialSubject.achievement.criteria is missing.');
    requireType(achievement.image, 'Image', 'credentialSubject.achievement.image');
    requireType(achievement.creator, 'Profile', 'credentialSubject.achievement.creator');
    asArray(achievement.alignment).forEach((entry, index) => {
      requireType(entry, 'Alignment', `credentialSubject.achievement.alignment[${index}]`);
    });
    asArray(achievement.resultDescription).forEach((entry, index) => {
      requireType(entry, 'ResultDescription', `credentialSubject.achievement.resultDescription[${index}]`);
    });
  }
  asArray(credential.evidence).forEach((entry, index) => {
    requireType(entry, 'Evidence', `evidence[${index}]`);
  });
  return problems;
}

// ---------------------------------------------------------------- keys and controllers

interface ResolvedMethod {
  method: JsonObject;
  /** The id of the document that lists the method (its controller). */
  controller: string;
  /** Whether the controller authorises the method for assertions (signing credentials). */
  assertion: boolean;
}

function findMethod(document: JsonObject, methodId: string): { method?: JsonObject; assertion: boolean } {
  const controllerId = typeof document.id === 'string' ? document.id : '';
  const matches = (candidate: unknown) => {
    const id = idOf(candidate);
    return id === methodId || (id?.startsWith('#') === true && `${controllerId}${id}` === methodId);
  };
  const listed = [
    ...asArray(document.verificationMethod),
    ...asArray(document.assertionMethod),
    ...asArray(document.publicKey),
  ];
  const method = listed.find((candidate) => isObject(candidate) && matches(candidate)) as JsonObject | undefined;
  const assertion = asArray(document.assertionMethod).some(matches);
  return { method, assertion };
}

async function fetchDocument(fetchJson: FetchJson | undefined, url: string, what: string): Promise<JsonObject> {
  if (!fetchJson)
    throw new CredentialError('DID_NOT_RESOLVED', `${what} ${url} needs a fetch, and no fetcher was given.`);
  let document: unknown;
  try {
    document = await fetchJson(url);
  } catch (error) {
    throw new CredentialError('FETCH_FAILED', `${what} could not be fetched from ${url}.`, { cause: error });
  }
  if (!isObject(document)) throw new CredentialError('DID_NOT_RESOLVED', `${what} at ${url} is not a JSON object.`);
  return document;
}

export async function resolveVerificationMethod(methodId: string, fetchJson?: FetchJson): Promise<ResolvedMethod> {
  const [base, fragment] = methodId.split('#', 2) as [string, string | undefined];
  if (methodId.startsWith('did:key:')) {
    const document = await resolveDidKey(base);
    const id = fragment ? methodId : `${base}#${base.slice('did:key:'.length)}`;
    const { method, assertion } = findMethod(document, id);
    if (!method) throw new CredentialError('DID_NOT_RESOLVED', `${methodId} names no key in its did:key document.`);
    return { method, controller: base, assertion };
  }
  if (methodId.startsWith('did:web:')) {
    if (!fragment)
      throw new CredentialError(
        'DID_NOT_RESOLVED',
        `${methodId} does not say which key of the DID signed (no #fragment).`,
      );
    const document = await fetchDocument(fetchJson, didWebDocumentUrl(base), 'The DID document');
    if (document.id !== base)
      throw new CredentialError(
        'DID_NOT_RESOLVED',
        `The DID document at ${didWebDocumentUrl(base)} is for ${String(document.id)}, not ${base}.`,
      );
    const { method, assertion } = findMethod(document, methodId);
    if (!method)
      throw new CredentialError('DID_NOT_RESOLVED', `The DID document of ${base} does not list the key ${methodId}.`);
    return { method, controller: base, assertion };
  }
  if (methodId.startsWith('did:')) {
    throw new CredentialError(
      'DID_NOT_RESOLVED',
      `The DID method of ${methodId} is not supported (did:key and did:web are).`,
    );
  }
  if (/^https?:\/\//.test(methodId)) {
    if (!fragment)
      throw new CredentialError(
        'DID_NOT_RESOLVED',
        `${methodId} does not name a key within a controller document (no #fragment).`,
      );
    const document = await fetchDocument(fetchJson, base, 'The controller document');
    if (document.id !== undefined && document.id !== base) {
      throw new CredentialError(
        'DID_NOT_RESOLVED',
        `The controller document at ${base} says it is ${String(document.id)}.`,
      );
    }
    const { method, assertion } = findMethod({ ...document, id: base }, methodId);
    if (!method)
      throw new CredentialError(
        'DID_NOT_RESOLVED',
        `The controller document at ${base} does not list the key ${methodId}.`,
      );
    return { method, controller: base, assertion };
  }
  throw new CredentialError(
    'DID_NOT_RESOLVED',
    `The verification method "${methodId}" is neither a DID URL nor an https URL.`,
  );
}

async function ed25519PublicKey(method: JsonObject): Promise<Ed25519Multikey.Ed25519MultikeyKeyPair> {
  const type = method.type;
  if ((type === 'Multikey' || type === 'Ed25519VerificationKey2020') && typeof method.publicKeyMultibase === 'string') {
    if (!method.publicKeyMultibase.startsWith('z6Mk'))
      throw new CredentialError('INVALID_KEY', 'The key is not an Ed25519 key.');
    return Ed25519Multikey.from({ type: 'Multikey', publicKeyMultibase: method.publicKeyMultibase });
  }
  if ((type === 'JsonWebKey' || type === 'JsonWebKey2020') && isObject(method.publicKeyJwk)) {
    return Ed25519Multikey.fromJwk({ jwk: method.publicKeyJwk });
  }
  throw new CredentialError(
    'INVALID_KEY',
    `Keys of type ${String(type)} are not supported (Ed25519 Multikey, Ed25519VerificationKey2020 and Ed25519 JWK are).`,
  );
}

// ---------------------------------------------------------------- proofs

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const SUPPORTED_PROOFS = 'DataIntegrityProof with eddsa-rdfc-2022, or Ed25519Signature2020';

function proofLabel(proof: JsonObject): string {
  return proof.type === 'DataIntegrityProof' ? `DataIntegrityProof (${String(proof.cryptosuite)})` : String(proof.type);
}

function isSupportedProof(proof: JsonObject): boolean {
  return (
    (proof.type === 'DataIntegrityProof' && proof.cryptosuite === 'eddsa-rdfc-2022') ||
    proof.type === 'Ed25519Signature2020'
  );
}

/** The hashed data each suite signs: sha256(c14n proof options) ‖ sha256(c14n document). */
async function proofVerifyData(document: JsonObject, proof: JsonObject): Promise<Uint8Array> {
  const { proof: _proof, ...unsigned } = document;
  const { proofValue: _value, jws: _jws, signatureValue: _signature, ...options } = proof;
  const rdfDirection = proof.type === 'DataIntegrityProof' ? ('i18n-datatype' as const) : undefined;
  const proofDocument = { '@context': document['@context'], ...options };
  const [proofCanon, documentCanon] = await Promise.all([
    sharedCanonicalizer.canonicalize(proofDocument, rdfDirection ? { rdfDirection } : {}),
    sharedCanonicalizer.canonicalize(unsigned, rdfDirection ? { rdfDirection } : {}),
  ]);
  return Buffer.concat([sha256(proofCanon), sha256(documentCanon)]);
}

interface ProofOutcome {
  passed: boolean;
  message: string;
  controller?: string;
}

async function verifyOneProof(
  document: JsonObject,
  proof: JsonObject,
  issuerId: string | undefined,
  fetchJson?: FetchJson,
): Promise<ProofOutcome> {
  const label = proofLabel(proof);
  if (proof.proofPurpose !== 'assertionMethod')
    return {
      passed: false,
      message: `The ${label} proof has purpose "${String(proof.proofPurpose)}", not assertionMethod.`,
    };
  const methodId = idOf(proof.verificationMethod);
  if (!methodId) return { passed: false, message: `The ${label} proof does not name its verification method.` };
  if (typeof proof.proofValue !== 'string') return { passed: false, message: `The ${label} proof has no proofValue.` };
  const signature = decodeMultibase(proof.proofValue);
  if (signature?.length !== 64)
    return { passed: false, message: `The ${label} proof value is not a well-formed Ed25519 signature.` };
  let resolved: ResolvedMethod;
  try {
    resolved = await resolveVerificationMethod(methodId, fetchJson);
  } catch (error) {
    return { passed: false, message: `The signing key could not be found: ${(error as Error).message}` };
  }
  if (!resolved.assertion)
    return {
      passed: false,
      message: `The key ${methodId} is not authorised by ${resolved.controller} to issue credentials.`,
    };
  const methodController =
    typeof resolved.method.controller === 'string' ? resolved.method.controller : resolved.controller;
  if (issuerId !== undefined && methodController !== issuerId) {
    return {
      passed: false,
      message: `The signing key belongs to ${methodController}, but the credential says it was issued by ${issuerId}.`,
    };
  }
  let keyPair: Ed25519Multikey.Ed25519MultikeyKeyPair;
  try {
    keyPair = await ed25519PublicKey(resolved.method);
  } catch (error) {
    return { passed: false, message: `The signing key cannot be used: ${(error as Error).message}` };
  }
  let verifyData: Uint8Array;
  try {
    verifyData = await proofVerifyData(document, proof);
  } catch (error) {
    const known = findCredentialError(error);
    return {
      passed: false,
      message: `The credential could not be read as JSON-LD: ${(known ?? (error as Error)).message}`,
    };
  }
  let valid = false;
  try {
    valid = await keyPair.verifier().verify({ data: verifyData, signature });
  } catch (error) {
    return {
      passed: false,
      message: `The signing key ${methodId} is not a valid Ed25519 key (${(error as Error).message}).`,
    };
  }
  return valid
    ? { passed: true, message: `The ${label} signature by ${methodId} is valid.`, controller: resolved.controller }
    : {
        passed: false,
        message: `The ${label} signature does not match: the credential was changed after signing, or signed with another key.`,
      };
}

async function checkProofs(credential: JsonObject, checks: Checks, fetchJson?: FetchJson): Promise<void> {
  const proofs = asArray(credential.proof as JsonObject | JsonObject[]).filter(isObject);
  if (proofs.length === 0) {
    checks.add('signature', false, 'The credential is not signed (it has no proof).');
    return;
  }
  const supported = proofs.filter(isSupportedProof);
  if (supported.length === 0) {
    checks.add(
      'signature',
      false,
      `No proof uses a supported signature suite (${SUPPORTED_PROOFS}); found ${proofs.map(proofLabel).join(', ')}.`,
    );
    return;
  }
  const issuerId = idOf(credential.issuer);
  const outcomes = await Promise.all(supported.map((proof) => verifyOneProof(credential, proof, issuerId, fetchJson)));
  const skipped = proofs.length - supported.length;
  for (const outcome of outcomes) checks.add('signature', outcome.passed, outcome.message);
  if (skipped > 0 && outcomes.every((outcome) => outcome.passed)) {
    checks.add('signature-other', true, `${skipped} other proof(s) of an unsupported type were not checked.`);
  }
}

// ---------------------------------------------------------------- dates

function checkDates(credential: JsonObject, checks: Checks, now: Date): void {
  const from = credential.validFrom ?? credential.issuanceDate;
  const until = credential.validUntil ?? credential.expirationDate;
  for (const [field, value] of [
    ['validFrom', from],
    ['validUntil', until],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      checks.add('validity', false, `${field} is not a valid date-time.`);
      return;
    }
  }
  if (typeof from === 'string' && Date.parse(from) > now.getTime()) {
    checks.add('validity', false, `The credential is not valid yet: it becomes valid on ${from}.`);
    return;
  }
  if (typeof until === 'string' && Date.parse(until) <= now.getTime()) {
    checks.add('validity', false, `The credential expired on ${until}.`);
    return;
  }
  checks.add(
    'validity',
    true,
    typeof until === 'string' ? `The credential is valid until ${until}.` : 'The credential has no expiry date.',
  );
}

// ---------------------------------------------------------------- status

async function checkStatusEntry(
  entry: JsonObject,
  checks: Checks,
  options: VerifyOptions,
  now: Date,
  depth: number,
): Promise<void> {
  const purpose = String(entry.statusPurpose ?? '');
  if (entry.type !== 'BitstringStatusListEntry' && entry.type !== 'StatusList2021Entry') {
    checks.add(
      'status',
      true,
      `The status method ${String(entry.type)} is not supported, so ${purpose || 'status'} was not checked.`,
    );
    return;
  }
  const listUrl = entry.statusListCredential;
  const index = Number(entry.statusListIndex);
  if (typeof listUrl !== 'string' || !Number.isInteger(index) || index < 0) {
    checks.add('status', false, 'The status entry has no valid statusListCredential and statusListIndex.');
    return;
  }
  const fetchStatusList = options.fetchStatusList ?? options.fetchJson;
  let listCredential: JsonObject;
  try {
    listCredential = await fetchDocument(fetchStatusList, listUrl, 'The status list');
  } catch (error) {
    checks.add('status', false, `The ${purpose} status could not be checked: ${(error as Error).message}`);
    return;
  }
  const listTypes = asArray(listCredential.type as string[]);
  if (!listTypes.includes('BitstringStatusListCredential') && !listTypes.includes('StatusList2021Credential')) {
    checks.add('status', false, `The status list at ${listUrl} is not a BitstringStatusListCredential.`);
    return;
  }
  const listResult = await verifyCredentialInternal(
    listCredential,
    { ...options, checkStatus: false, now },
    depth + 1,
    false,
  );
  if (!listResult.verified) {
    const reason = listResult.checks.find((check) => !check.passed)?.message ?? 'unknown reason';
    checks.add('status', false, `The status list at ${listUrl} is not trustworthy: ${reason}`);
    return;
  }
  const subject = listCredential.credentialSubject;
  if (!isObject(subject) || typeof subject.encodedList !== 'string') {
    checks.add('status', false, `The status list at ${listUrl} has no encodedList.`);
    return;
  }
  if (subject.statusPurpose !== undefined && !asArray(subject.statusPurpose as string[]).includes(purpose)) {
    checks.add(
      'status',
      false,
      `The status list at ${listUrl} is for ${String(subject.statusPurpose)}, not ${purpose}.`,
    );
    return;
  }
  let list: BitstringStatusList;
  try {
    list = BitstringStatusList.decode(subject.encodedList);
  } catch (error) {
    checks.add('status', false, `The status list at ${listUrl} cannot be decoded: ${(error as Error).message}`);
    return;
  }
  if (index >= list.length) {
    checks.add('status', false, `The status index ${index} is outside the status list.`);
    return;
  }
  const set = list.get(index);
  if (purpose === 'revocation')
    checks.add(
      'status',
      !set,
      set ? 'The issuer has revoked this credential.' : 'The credential has not been revoked.',
    );
  else if (purpose === 'suspension')
    checks.add('status', !set, set ? 'The issuer has suspended this credential.' : 'The credential is not suspended.');
  else checks.add('status', true, `The ${purpose} status bit is ${set ? 'set' : 'not set'}.`);
}

// ---------------------------------------------------------------- the pipeline

function checkContexts(credential: JsonObject, checks: Checks): boolean {
  const contexts = asArray(credential['@context'] as unknown[]);
  if (contexts[0] !== VC_V2_CONTEXT && contexts[0] !== VC_V1_CONTEXT) {
    return checks.add('context', false, 'The first @context is not the W3C Verifiable Credentials context.');
  }
  const unknown = contexts.filter((context) => typeof context === 'string' && !isBundledContext(context));
  if (unknown.length > 0)
    return checks.add(
      'context',
      false,
      `Unknown JSON-LD context(s): ${unknown.join(', ')}. Contexts are never fetched.`,
    );
  if (contexts.some((context) => typeof context !== 'string' && !isObject(context)))
    return checks.add('context', false, 'An @context entry is neither a URL nor an object.');
  return checks.add('context', true, 'The credential uses known JSON-LD contexts.');
}

/** A credential is held to the Open Badges rules when it uses an OB context or claims an OB type. */
function claimsOpenBadge(credential: JsonObject): boolean {
  const types = asArray(credential.type as string | string[]);
  const contexts = asArray(credential['@context'] as unknown[]);
  return (
    OB_CREDENTIAL_TYPES.some((type) => types.includes(type)) ||
    contexts.some((context) => typeof context === 'string' && OB_CONTEXT_URLS.has(context))
  );
}

function checkSchemas(credential: JsonObject, checks: Checks): void {
  for (const schema of asArray(credential.credentialSchema as JsonObject[])) {
    const id = idOf(schema);
    // Unknown schemas are reported, not failed: the OB rules above are what this verifier vouches for.
    if (id && !KNOWN_OB_SCHEMAS.has(id))
      checks.add('schema', true, `The schema ${id} was not checked; only the Open Badges 3.0 rules were.`);
  }
}

async function verifyCredentialInternal(
  credential: unknown,
  options: VerifyOptions,
  depth: number,
  requireOpenBadge: boolean,
): Promise<VerificationResult> {
  const checks = new Checks();
  if (depth > 2) {
    checks.add('status', false, 'Status lists nest too deeply.');
    return { verified: false, checks: checks.list };
  }
  if (!isObject(credential)) {
    checks.add('format', false, 'The credential is not a JSON object.');
    return { verified: false, checks: checks.list };
  }
  const contextsKnown = checkContexts(credential, checks);
  if (requireOpenBadge && !claimsOpenBadge(credential)) {
    checks.add(
      'open-badges',
      true,
      'This is a W3C Verifiable Credential, not an Open Badge: its signature, dates and status were checked.',
    );
  } else if (requireOpenBadge) {
    const problems = structuralProblems(credential);
    checks.add(
      'open-badges',
      problems.length === 0,
      problems.length === 0 ? 'The credential has the fields and types Open Badges 3.0 requires.' : problems.join(' '),
    );
    checkSchemas(credential, checks);
  } else if (!idOf(credential.issuer)) {
    checks.add('issuer', false, 'The credential has no issuer.');
  }
  if (contextsKnown) await checkProofs(credential, checks, options.fetchJson);
  const now = options.now ?? new Date();
  checkDates(credential, checks, now);
  if (options.checkStatus !== false) {
    for (const entry of asArray(credential.credentialStatus as JsonObject[])) {
      if (isObject(entry)) await checkStatusEntry(entry, checks, options, now, depth);
    }
  }
  return { verified: checks.allPassed, checks: checks.list, credential };
}

/** Verifies an Open Badges 3.0 credential secured with an embedded Data Integrity (or Ed25519Signature2020) proof. */
export async function verifyCredential(credential: unknown, options: VerifyOptions = {}): Promise<VerificationResult> {
  return verifyCredentialInternal(credential, options, 0, true);
}

/** Verifies any W3C credential (no Open Badges field checks), e.g. a status list credential. */
export async function verifyW3cCredential(
  credential: unknown,
  options: VerifyOptions = {},
): Promise<VerificationResult> {
  return verifyCredentialInternal(credential, options, 0, false);
}

/** Verifies the VC-JWT form: the JWS with the issuer's key, then the credential in its `vc` claim. */
export async function verifyCredentialJwt(jwt: string, options: VerifyOptions = {}): Promise<VerificationResult> {
  const checks = new Checks();
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(jwt.trim());
    kid = header.kid;
    if (header.alg !== 'EdDSA' && header.alg !== 'Ed25519') {
      checks.add('signature', false, `The JWT algorithm ${String(header.alg)} is not supported (EdDSA is).`);
      return { verified: false, checks: checks.list };
    }
  } catch {
    checks.add('format', false, 'The text is not a JSON Web Token.');
    return { verified: false, checks: checks.list };
  }
  let payload: JsonObject;
  try {
    const unverified = JSON.parse(
      Buffer.from(jwt.trim().split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as JsonObject;
    const credential = unverified.vc;
    const issuerId =
      idOf(isObject(credential) ? credential.issuer : undefined) ??
      (typeof unverified.iss === 'string' ? unverified.iss : undefined);
    const methodId = kid?.startsWith('#') && issuerId ? `${issuerId}${kid}` : (kid ?? issuerId);
    if (!methodId) throw new CredentialError('DID_NOT_RESOLVED', 'The JWT names no key (kid) and no issuer.');
    const resolved = await resolveVerificationMethod(
      methodId.includes('#') || !methodId.startsWith('did:key:')
        ? methodId
        : `${methodId}#${methodId.slice('did:key:'.length)}`,
      options.fetchJson,
    );
    const methodController =
      typeof resolved.method.controller === 'string' ? resolved.method.controller : resolved.controller;
    if (issuerId !== undefined && methodController !== issuerId) {
      throw new CredentialError(
        'DID_NOT_RESOLVED',
        `The signing key belongs to ${methodController}, but the credential says it was issued by ${issuerId}.`,
      );
    }
    const jwk =
      resolved.method.publicKeyJwk ??
      (await publicKeyToJwk({ publicKeyMultibase: String(resolved.method.publicKeyMultibase) }));
    const key = await importJWK(jwk as Parameters<typeof importJWK>[0], 'EdDSA');
    // Only the signature here: dates are checked below against the credential, with the same clock as the LDP form.
    const { payload: payloadBytes } = await compactVerify(jwt.trim(), key);
    payload = JSON.parse(Buffer.from(payloadBytes).toString('utf8')) as JsonObject;
    checks.add('signature', true, `The JWT signature by ${methodId} is valid.`);
  } catch (error) {
    const message =
      error instanceof CredentialError
        ? error.message
        : `The JWT signature is not valid (${(error as Error).message}).`;
    checks.add('signature', false, message);
    return { verified: false, checks: checks.list };
  }
  const credential = payload.vc;
  if (!isObject(credential)) {
    checks.add('format', false, 'The JWT has no vc claim.');
    return { verified: false, checks: checks.list };
  }
  if (payload.iss !== undefined && payload.iss !== idOf(credential.issuer))
    checks.add('jwt-claims', false, 'The JWT iss claim does not match the credential issuer.');
  if (payload.jti !== undefined && credential.id !== undefined && payload.jti !== credential.id)
    checks.add('jwt-claims', false, 'The JWT jti claim does not match the credential id.');
  checkContexts(credential, checks);
  const problems = structuralProblems(credential);
  checks.add(
    'open-badges',
    problems.length === 0,
    problems.length === 0 ? 'The credential has the fields and types Open Badges 3.0 requires.' : problems.join(' '),
  );
  const now = options.now ?? new Date();
  const withJwtDates = {
    ...credential,
    validFrom:
      credential.validFrom ??
      credential.issuanceDate ??
      (typeof payload.nbf === 'number' ? new Date(payload.nbf * 1000).toISOString() : undefined),
    validUntil:
      credential.validUntil ??
      credential.expirationDate ??
      (typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : undefined),
  };
  checkDates(withJwtDates, checks, now);
  if (options.checkStatus !== false) {
    for (const entry of asArray(credential.credentialStatus as JsonObject[])) {
      if (isObject(entry)) await checkStatusEntry(entry, checks, options, now, 0);
    }
  }
  return { verified: checks.allPassed, checks: checks.list, credential };
}

/** Parses untrusted JSON text with a size limit, for the verifier's paste box and uploads. */
export function parseCredentialJson(text: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES) {
    throw new CredentialError('DOCUMENT_TOO_LARGE', `The document is larger than ${MAX_DOCUMENT_BYTES / 1024} KiB.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CredentialError('INVALID_CREDENTIAL', 'The text is not valid JSON.', { cause: error });
  }
}
