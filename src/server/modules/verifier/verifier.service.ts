import {
  CredentialError,
  detectImageKind,
  type FetchJson,
  isBundledContext,
  OB2_CONTEXT,
  readText,
  unbake,
  VC_V1_CONTEXT,
  VC_V2_CONTEXT,
  type VerificationResult,
  verifyCredential,
  verifyCredentialJwt,
  verifyOb2Assertion,
} from '../../../credentials/index.ts';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { type FetchedResource, FetchRefusedError, type SafeFetchOptions, safeFetch } from '../../net/safe-fetch.ts';

/**
 * The verifier for anyone's badges: decides what was given (an OB 3.0 / VC 2.0 credential or endorsement as JSON, a
 * VC-JWT, an OB 2.0 assertion, a baked PNG or SVG, or a URL to any of these), hands it to the credentials engine with
 * a fetcher that only reaches public addresses (or our own deployment, answered in-process), and sums up the result.
 * A credential that fails is a normal answer (`verified: false` with the failed checks); only input that cannot be
 * used at all is an error.
 */

export const MAX_INPUT_BYTES = 2 * 1024 * 1024;
/** Documents a credential points to (DID documents, status lists, OB 2.0 badge classes): JSON, 1 MB, 10 s each. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
export const FETCH_TIMEOUT_MS = 10_000;
/** No verification may fetch more than this many documents or take longer than this overall. */
const MAX_FETCHES = 20;
const OVERALL_TIMEOUT_MS = 30_000;
const MAX_JSON_DEPTH = 64;
const MAX_URL_LENGTH = 2000;

const INPUT_ACCEPT =
  'application/vc+ld+json, application/ld+json, application/json;q=0.9, application/jwt;q=0.8, image/png;q=0.7, image/svg+xml;q=0.7, text/plain;q=0.5, */*;q=0.1';
const DOCUMENT_ACCEPT = 'application/ld+json, application/json;q=0.9, */*;q=0.1';

export type VerifyKind = 'ob3' | 'ob3-jwt' | 'ob2' | 'unknown';
export type CredentialStatusSummary = 'active' | 'revoked' | 'suspended' | 'expired' | 'not_yet_valid' | 'unknown';

export interface VerifierCheck {
  id: string;
  passed: boolean;
  message: string;
}

export interface RecipientSummary {
  /** `did`, `id` (another URI), or the identity type of a hashed or plain identifier (e.g. `emailAddress`). */
  type: string;
  /** The DID / URI, or the identity exactly as the credential states it (a `sha256$…` hash when hashed). */
  identity: string;
  hashed: boolean;
}

export interface VerifierSummary {
  badgeName: string | null;
  issuerName: string | null;
  issuerId: string | null;
  recipient: RecipientSummary | null;
  issuedOn: string | null;
  expires: string | null;
  status: CredentialStatusSummary;
}

export interface VerifierResult {
  verified: boolean;
  kind: VerifyKind;
  checks: VerifierCheck[];
  summary: VerifierSummary;
}

/** What was given: pasted text, a JSON value the API already parsed, an uploaded file, or a URL. */
export type VerifierInput =
  | { type: 'text'; text: string }
  | { type: 'json'; value: unknown }
  | { type: 'file'; bytes: Uint8Array; fileName?: string }
  | { type: 'url'; url: string };

/** GETs a path of our own deployment in-process and returns its JSON (undefined when it is not a 200 JSON answer). */
export type LocalFetch = (path: string) => Promise<unknown | undefined>;
/** GETs a path of our own deployment in-process in whatever representation it has (for a URL given as input). */
export type LocalResourceFetch = (path: string, accept: string) => Promise<FetchedResource | undefined>;
/** The remote fetcher: `safeFetch` unless a caller (a test with fixture hosts) gives another with the same contract. */
export type RemoteFetch = (url: string, options: SafeFetchOptions) => Promise<FetchedResource>;

export interface VerifyInputOptions {
  localFetch?: LocalFetch;
  localResource?: LocalResourceFetch;
  fetchRemote?: RemoteFetch;
  /** The language to read language-tagged names in. */
  language?: string;
  now?: Date;
}

// ── Small helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.id === 'string') return value.id;
  return undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function inputInvalid(field: string, reason: string, problem: string): AppError {
  return new AppError('VERIFY_INPUT_INVALID', undefined, [{ field, problem, reason }]);
}

function tooLarge(field: string): AppError {
  return new AppError('VERIFY_INPUT_TOO_LARGE', undefined, [
    { field, problem: `At most ${MAX_INPUT_BYTES / 1024 / 1024} MB can be verified.`, limit: MAX_INPUT_BYTES },
  ]);
}

/** The depth of a JSON value, walked without recursion; stops counting once past the limit. */
function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > MAX_JSON_DEPTH) return true;
    if (node !== null && typeof node === 'object')
      for (const child of Object.values(node as object))
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function jwtPayload(jwt: string): JsonObject | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return isObject(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

function isOb2Node(value: JsonObject): boolean {
  const contexts = asArray(value['@context']);
  if (contexts.includes(OB2_CONTEXT)) return true;
  const isW3c = contexts.includes(VC_V1_CONTEXT) || contexts.includes(VC_V2_CONTEXT);
  return !isW3c && asArray(value.type).includes('Assertion');
}

function looksLikeW3c(value: JsonObject): boolean {
  return (
    '@context' in value ||
    'proof' in value ||
    'credentialSubject' in value ||
    asArray(value.type).includes('VerifiableCredential')
  );
}

function unknownResult(check: VerifierCheck): VerifierResult {
  return {
    verified: false,
    kind: 'unknown',
    checks: [check],
    summary: {
      badgeName: null,
      issuerName: null,
      issuerId: null,
      recipient: null,
      issuedOn: null,
      expires: null,
      status: 'unknown',
    },
  };
}

// ── What was given ────────────────────────────────────────────────────────────────────────────────────────────────

/** One thing to verify, once its wrapping (image, URL, text) is removed. */
type Decided =
  | { kind: 'ob3'; credential: JsonObject }
  | { kind: 'ob3-jwt'; jwt: string }
  | { kind: 'ob2'; assertion: JsonObject | string }
  | { kind: 'unknown'; check: VerifierCheck }
  | { kind: 'url'; url: string; field: string };

function decideJson(value: unknown): Decided {
  if (tooDeep(value))
    return {
      kind: 'unknown',
      check: { id: 'parse', passed: false, message: `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep.` },
    };
  if (typeof value === 'string') return decideText(value, '/credential', false);
  if (isObject(value)) {
    if (isOb2Node(value)) return { kind: 'ob2', assertion: value };
    if (looksLikeW3c(value)) return { kind: 'ob3', credential: value };
  }
  return {
    kind: 'unknown',
    check: {
      id: 'format',
      passed: false,
      message: 'The JSON is neither a Verifiable Credential (Open Badges 3.0) nor an Open Badges 2.0 assertion.',
    },
  };
}

function decideJwt(jwt: string): Decided {
  const payload = jwtPayload(jwt);
  if (payload && !('vc' in payload) && isOb2Node(payload)) return { kind: 'ob2', assertion: jwt };
  return { kind: 'ob3-jwt', jwt };
}

/** Pasted or downloaded text: JSON, a compact JWS / VC-JWT, or (when allowed) a URL. */
function decideText(raw: string, field: string, urlAllowed: boolean): Decided {
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (text === '') throw inputInvalid(field, 'empty', 'Nothing was given to verify.');
  if (Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES) throw tooLarge(field);
  if (text.startsWith('{') || text.startsWith('[') || text.startsWith('"')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return {
        kind: 'unknown',
        check: { id: 'parse', passed: false, message: `The text is not valid JSON (${(error as Error).message}).` },
      };
    }
    // A JSON string holding a JWT (as some wallets export it).
    if (typeof value === 'string') return decideText(value, field, false);
    return decideJson(value);
  }
  if (JWS.test(text)) return decideJwt(text);
  if (urlAllowed && /^https?:\/\//i.test(text)) return { kind: 'url', url: text, field };
  return {
    kind: 'unknown',
    check: { id: 'parse', passed: false, message: 'The text is neither JSON nor a JWT.' },
  };
}

/** An uploaded or downloaded file: a baked PNG or SVG, or a JSON / JWT text file. */
function decideFile(bytes: Uint8Array, field: string): Decided {
  if (bytes.byteLength > MAX_INPUT_BYTES) throw tooLarge(field);
  if (bytes.byteLength === 0) throw inputInvalid(field, 'noFile', 'The file is empty.');
  let isImage = true;
  try {
    detectImageKind(bytes);
  } catch {
    isImage = false;
  }
  if (isImage) {
    let baked: ReturnType<typeof unbake>;
    try {
      baked = unbake(bytes);
    } catch (error) {
      if (error instanceof CredentialError && error.code === 'IMAGE_HAS_NO_CREDENTIAL')
        throw inputInvalid(field, 'no_baked_credential', 'The image carries no baked badge.');
      throw inputInvalid(field, 'broken_image', `The image cannot be read: ${(error as Error).message}`);
    }
    if (baked.payloadType === 'url') {
      // OB 2.0 hosted: the engine fetches the assertion from its URL and checks it there.
      if (baked.version === 'ob2') return { kind: 'ob2', assertion: baked.payload };
      return { kind: 'url', url: baked.payload, field };
    }
    return decideText(baked.payload, field, false);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw inputInvalid(field, 'unsupported_file', 'The file is neither a PNG or SVG badge nor a JSON or JWT file.');
  }
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('"') && !JWS.test(trimmed))
    throw inputInvalid(field, 'unsupported_file', 'The file is neither a PNG or SVG badge nor a JSON or JWT file.');
  return decideText(trimmed, field, false);
}

function isHtml(resource: FetchedResource): boolean {
  if (resource.contentType === 'text/html' || resource.contentType === 'application/xhtml+xml') return true;
  const head = resource.bytes.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

function checkedInputUrl(raw: string, field: string): URL {
  const text = raw.trim();
  if (text === '') throw inputInvalid(field, 'bad_url', 'Give the address of the badge.');
  if (text.length > MAX_URL_LENGTH) throw inputInvalid(field, 'bad_url', 'The address is too long.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw inputInvalid(field, 'bad_url', 'This is not a web address (it must start with https:// or http://).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw inputInvalid(field, 'bad_url', 'Only http:// and https:// addresses can be fetched.');
  return url;
}

// ── Fetching ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** The path on our own deployment a URL names: the public origin, or its https form (did:web always uses https). */
export function localPathOf(config: Config, url: string): string | undefined {
  let target: URL;
  let own: URL;
  try {
    target = new URL(url);
    own = new URL(config.publicUrl);
  } catch {
    return undefined;
  }
  const ours = target.origin === own.origin || (target.protocol === 'https:' && target.host === own.host);
  return ours ? `${target.pathname}${target.search}` : undefined;
}

function refused(error: FetchRefusedError, field: string): AppError {
  return new AppError('VERIFY_FETCH_REFUSED', `The address could not be fetched: ${error.message}.`, [
    {
      field,
      problem: `The address could not be fetched: ${error.message}.`,
      reason: error.reason,
      url: error.url,
      ...(error.detail.status ? { status: error.detail.status } : {}),
    },
  ]);
}

interface FetchBudget {
  count: number;
  deadline: number;
}

function remoteOptions(config: Config, budget: FetchBudget, maxBytes: number, accept: string): SafeFetchOptions {
  return {
    allowPrivateHosts: config.verifierAllowedPrivateHosts,
    maxBytes,
    timeoutMs: Math.max(1, Math.min(FETCH_TIMEOUT_MS, budget.deadline - Date.now())),
    accept,
  };
}

/**
 * The fetcher handed to the engine: JSON only, 1 MB, 10 s, each URL fetched once per verification, at most
 * MAX_FETCHES documents, our own URLs answered in-process. `documents` keeps what was read (for the summary).
 */
function engineFetcher(
  config: Config,
  options: VerifyInputOptions,
  budget: FetchBudget,
  documents: Map<string, unknown>,
): FetchJson {
  const pending = new Map<string, Promise<unknown>>();
  const fetchRemote = options.fetchRemote ?? safeFetch;
  const load = async (url: string): Promise<unknown> => {
    const path = localPathOf(config, url);
    if (path !== undefined && options.localFetch) {
      const local = await options.localFetch(path);
      if (local === undefined) throw new FetchRefusedError('not_found', url);
      return local;
    }
    budget.count += 1;
    if (budget.count > MAX_FETCHES) throw new Error(`more than ${MAX_FETCHES} documents would have to be fetched`);
    if (Date.now() >= budget.deadline) throw new FetchRefusedError('timeout', url);
    const resource = await fetchRemote(url, remoteOptions(config, budget, MAX_DOCUMENT_BYTES, DOCUMENT_ACCEPT));
    if (isHtml(resource)) throw new Error(`${url} is a web page, not a JSON document`);
    const value = JSON.parse(resource.bytes.toString('utf8')) as unknown;
    if (tooDeep(value)) throw new Error(`the document at ${url} is nested too deeply`);
    return value;
  };
  return (url: string) => {
    let promise = pending.get(url);
    if (!promise) {
      promise = load(url).then((value) => {
        documents.set(url, value);
        return value;
      });
      pending.set(url, promise);
    }
    // Each caller gets its own copy: the engine may add to what it reads.
    return promise.then((value) => structuredClone(value));
  };
}

async function fetchInput(
  config: Config,
  options: VerifyInputOptions,
  budget: FetchBudget,
  url: URL,
  field: string,
): Promise<FetchedResource> {
  const path = localPathOf(config, url.toString());
  if (path !== undefined && options.localResource) {
    const local = await options.localResource(path, INPUT_ACCEPT);
    if (!local) throw refused(new FetchRefusedError('not_found', url.toString()), field);
    return local;
  }
  budget.count += 1;
  try {
    return await (options.fetchRemote ?? safeFetch)(
      url.toString(),
      remoteOptions(config, budget, MAX_INPUT_BYTES, INPUT_ACCEPT),
    );
  } catch (error) {
    if (error instanceof FetchRefusedError) throw refused(error, field);
    throw error;
  }
}

/** What a fetched input URL holds: a badge image, JSON, a JWT — or a web page, which is politely refused. */
function decideResource(resource: FetchedResource, field: string): Decided {
  let isImage = true;
  try {
    detectImageKind(resource.bytes);
  } catch {
    isImage = false;
  }
  if (isImage) return decideFile(resource.bytes, field);
  if (isHtml(resource))
    throw inputInvalid(
      field,
      'html_page',
      'The address leads to a web page, not to a badge. Look on that page for a link to the badge itself (a JSON file or a badge image), or download the badge and upload it here.',
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(resource.bytes);
  } catch {
    throw inputInvalid(field, 'unsupported_response', 'The address holds neither a badge image nor JSON or a JWT.');
  }
  const decided = decideText(text, field, false);
  if (decided.kind === 'unknown' && decided.check.id === 'parse' && !text.trimStart().startsWith('{'))
    throw inputInvalid(field, 'unsupported_response', 'The address holds neither a badge image nor JSON or a JWT.');
  return decided;
}

// ── The summary ───────────────────────────────────────────────────────────────────────────────────────────────────

function statusOf(checks: VerifierCheck[]): CredentialStatusSummary {
  const failed = checks.filter((check) => !check.passed);
  if (failed.some((check) => check.id === 'status' && /has revoked/.test(check.message))) return 'revoked';
  if (failed.some((check) => check.id === 'status' && /has suspended/.test(check.message))) return 'suspended';
  if (failed.some((check) => check.id === 'validity' && /expired/.test(check.message))) return 'expired';
  if (failed.some((check) => check.id === 'validity' && /not valid yet|in the future/.test(check.message)))
    return 'not_yet_valid';
  if (failed.some((check) => check.id === 'parse' || check.id === 'format')) return 'unknown';
  if (failed.some((check) => check.id === 'status')) return 'unknown';
  return checks.some((check) => check.id === 'validity' && check.passed) ? 'active' : 'unknown';
}

function ob3Summary(credential: JsonObject, checks: VerifierCheck[], language?: string): VerifierSummary {
  const subject = asArray(credential.credentialSubject).find(isObject);
  const achievement = subject && isObject(subject.achievement) ? subject.achievement : undefined;
  const issuer = credential.issuer;
  let recipient: RecipientSummary | null = null;
  if (subject && typeof subject.id === 'string') {
    recipient = { type: subject.id.startsWith('did:') ? 'did' : 'id', identity: subject.id, hashed: false };
  } else {
    const identifier = asArray(subject?.identifier).find(isObject);
    if (identifier && typeof identifier.identityHash === 'string')
      recipient = {
        type: typeof identifier.identityType === 'string' ? identifier.identityType : 'identifier',
        identity: identifier.identityHash,
        hashed: identifier.hashed === true,
      };
  }
  return {
    badgeName: readText(achievement?.name, language) ?? readText(credential.name, language) ?? null,
    issuerName: isObject(issuer) ? (readText(issuer.name, language) ?? null) : null,
    issuerId: idOf(issuer) ?? null,
    recipient,
    issuedOn:
      stringOrNull(credential.validFrom) ??
      stringOrNull(credential.issuanceDate) ??
      stringOrNull(subject?.awardedDate) ??
      null,
    expires: stringOrNull(credential.validUntil) ?? stringOrNull(credential.expirationDate),
    status: statusOf(checks),
  };
}

function ob2Summary(
  assertion: JsonObject,
  documents: Map<string, unknown>,
  checks: VerifierCheck[],
  language?: string,
): VerifierSummary {
  const lookup = (reference: unknown): JsonObject | undefined => {
    if (isObject(reference)) return reference;
    const found = typeof reference === 'string' ? documents.get(reference) : undefined;
    return isObject(found) ? found : undefined;
  };
  const badge = lookup(assertion.badge);
  const issuer = lookup(badge?.issuer);
  const recipient = isObject(assertion.recipient) ? assertion.recipient : undefined;
  return {
    badgeName: readText(badge?.name, language) ?? null,
    issuerName: readText(issuer?.name, language) ?? null,
    issuerId: idOf(issuer) ?? (typeof badge?.issuer === 'string' ? badge.issuer : null),
    recipient:
      recipient && typeof recipient.identity === 'string'
        ? {
            type: typeof recipient.type === 'string' ? recipient.type : 'identity',
            identity: recipient.identity,
            hashed: recipient.hashed === true,
          }
        : null,
    issuedOn: stringOrNull(assertion.issuedOn),
    expires: stringOrNull(assertion.expires),
    status: statusOf(checks),
  };
}

function finish(
  kind: Exclude<VerifyKind, 'unknown'>,
  result: VerificationResult,
  summary: (checks: VerifierCheck[]) => VerifierSummary,
): VerifierResult {
  const checks = result.checks.map(({ id, passed, message }) => ({ id, passed, message }));
  return { verified: result.verified && checks.length > 0, kind, checks, summary: summary(checks) };
}

// ── Verifying ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** The JSON-LD contexts a credential names that we do not bundle: such a credential is never read further. */
function hasUnknownContext(credential: JsonObject): boolean {
  return asArray(credential['@context']).some((context) => typeof context === 'string' && !isBundledContext(context));
}

/**
 * Verifies what was given. Throws AppError VERIFY_INPUT_INVALID / VERIFY_FETCH_REFUSED / VERIFY_INPUT_TOO_LARGE only
 * when nothing verifiable could be found; every verification outcome, failures included, is a result.
 */
export async function verifyInput(
  config: Config,
  input: VerifierInput,
  options: VerifyInputOptions = {},
): Promise<VerifierResult> {
  const budget: FetchBudget = { count: 0, deadline: Date.now() + OVERALL_TIMEOUT_MS };
  let decided: Decided;
  switch (input.type) {
    case 'text':
      decided = decideText(input.text, '/credential', true);
      break;
    case 'json':
      if (Buffer.byteLength(JSON.stringify(input.value) ?? '', 'utf8') > MAX_INPUT_BYTES) throw tooLarge('/credential');
      decided = decideJson(input.value);
      break;
    case 'file':
      decided = decideFile(input.bytes, '/file');
      break;
    case 'url':
      decided = { kind: 'url', url: input.url, field: '/url' };
      break;
  }
  // A URL (given, or baked into an image) is fetched once; what it holds may not send us to yet another URL.
  if (decided.kind === 'url') {
    const url = checkedInputUrl(decided.url, decided.field);
    decided = decideResource(await fetchInput(config, options, budget, url, decided.field), decided.field);
    if (decided.kind === 'url') throw inputInvalid('/url', 'unsupported_response', 'The address holds another URL.');
  }

  try {
    return await verifyDecided(config, decided, options, budget);
  } catch (error) {
    // The engine reports what it finds as checks; anything it throws on a stranger's input is a reading failure too.
    return unknownResult({
      id: 'format',
      passed: false,
      message: `The credential could not be read (${(error as Error).message}).`,
    });
  }
}

async function verifyDecided(
  config: Config,
  decided: Exclude<Decided, { kind: 'url' }>,
  options: VerifyInputOptions,
  budget: FetchBudget,
): Promise<VerifierResult> {
  const documents = new Map<string, unknown>();
  const fetchJson = engineFetcher(config, options, budget, documents);
  const now = options.now;
  const language = options.language;
  switch (decided.kind) {
    case 'unknown':
      return unknownResult(decided.check);
    case 'ob3': {
      const credential = decided.credential;
      // Unknown contexts make the credential unreadable: nothing it points to is fetched.
      const checkStatus = !hasUnknownContext(credential);
      const result = await verifyCredential(credential, { fetchJson, now, checkStatus });
      return finish('ob3', result, (checks) => ob3Summary(credential, checks, language));
    }
    case 'ob3-jwt': {
      const payload = jwtPayload(decided.jwt);
      const checkStatus = !(isObject(payload?.vc) && hasUnknownContext(payload.vc));
      const result = await verifyCredentialJwt(decided.jwt, { fetchJson, now, checkStatus });
      const credential = isObject(result.credential) ? result.credential : isObject(payload?.vc) ? payload.vc : {};
      return finish('ob3-jwt', result, (checks) => {
        const summary = ob3Summary(credential, checks, language);
        const date = (seconds: unknown) =>
          typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null;
        return {
          ...summary,
          issuedOn: summary.issuedOn ?? date(payload?.nbf) ?? date(payload?.iat),
          expires: summary.expires ?? date(payload?.exp),
        };
      });
    }
    case 'ob2': {
      const result = await verifyOb2Assertion(decided.assertion, { fetchJson, now });
      const assertion = isObject(result.credential)
        ? result.credential
        : typeof decided.assertion === 'string'
          ? (jwtPayload(decided.assertion) ?? {})
          : decided.assertion;
      return finish('ob2', result, (checks) => ob2Summary(assertion, documents, checks, language));
    }
  }
}
