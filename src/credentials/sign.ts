/**
 * Signing: eddsa-rdfc-2022 Data Integrity proofs (our fast path and the plain
 * @digitalbazaar/vc reference path, which must produce identical proofs) and VC-JWT.
 */
import { createHash, createPrivateKey, sign as signWithNodeCrypto } from 'node:crypto';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { SignJWT, importJWK } from 'jose';
import { canonicalizeReference, sharedCanonicalizer, type ShapeCachingCanonicalizer } from './canonicalize.ts';
import { DATA_INTEGRITY_V2_CONTEXT, VC_V1_CONTEXT, VC_V2_CONTEXT, contextDocumentLoader } from './contexts.ts';
import { CredentialError, findCredentialError } from './errors.ts';
import { keyPairFor, secretKeyToJwk, type IssuerKeyMaterial } from './keys.ts';
import { encodeMultibaseBase58btc } from './multibase.ts';

export type JsonObject = Record<string, unknown>;

export interface SigningKey extends IssuerKeyMaterial {
  /** The verification method id the proof names, e.g. `did:web:…#z6Mk…` or `did:key:z6Mk…#z6Mk…`. */
  verificationMethod: string;
}

export interface DataIntegrityProofValue {
  type: 'DataIntegrityProof';
  created?: string;
  verificationMethod: string;
  cryptosuite: 'eddsa-rdfc-2022';
  proofPurpose: string;
  proofValue: string;
}

export interface SignOptions {
  /** Proof creation time; defaults to now. */
  created?: Date | string;
}

export const EDDSA_RDFC_2022 = 'eddsa-rdfc-2022';

/** Same formatting as @digitalbazaar/data-integrity: UTC, seconds precision. */
function proofDate(created: Date | string | undefined): string {
  const date = created === undefined ? new Date() : new Date(created);
  if (Number.isNaN(date.getTime()))
    throw new CredentialError('INVALID_INPUT', `"${String(created)}" is not a valid proof date.`);
  return `${date.toISOString().slice(0, -5)}Z`;
}

function contextsOf(document: JsonObject): unknown[] {
  const context = document['@context'];
  return Array.isArray(context) ? context : context === undefined ? [] : [context];
}

function assertSignable(credential: JsonObject): void {
  const contexts = contextsOf(credential);
  if (contexts[0] !== VC_V2_CONTEXT && contexts[0] !== VC_V1_CONTEXT) {
    throw new CredentialError('INVALID_CREDENTIAL', 'The first @context must be the Verifiable Credentials context.');
  }
  const types = credential.type;
  if (!Array.isArray(types) || !types.includes('VerifiableCredential')) {
    throw new CredentialError('INVALID_CREDENTIAL', 'type must include "VerifiableCredential".');
  }
  if (!credential.issuer) throw new CredentialError('INVALID_CREDENTIAL', 'The credential has no issuer.');
  if (!credential.credentialSubject)
    throw new CredentialError('INVALID_CREDENTIAL', 'The credential has no credentialSubject.');
  if ('proof' in credential) throw new CredentialError('INVALID_CREDENTIAL', 'The credential is already signed.');
}

/**
 * The suite adds the Data Integrity context when neither it nor VC 2.0 (which includes it)
 * is present; we do the same so both paths sign the same document.
 */
function withSuiteContext(credential: JsonObject): JsonObject {
  const contexts = contextsOf(credential);
  if (contexts.includes(DATA_INTEGRITY_V2_CONTEXT) || contexts.includes(VC_V2_CONTEXT)) return credential;
  return { ...credential, '@context': [...contexts, DATA_INTEGRITY_V2_CONTEXT] };
}

function sha256(text: string): Uint8Array {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** proofHash ‖ documentHash, exactly as eddsa-rdfc-2022 defines the data to sign. */
export async function eddsaRdfc2022VerifyData(
  document: JsonObject,
  proofOptions: JsonObject,
  canonicalize: (input: unknown) => Promise<string>,
  canonicalizeProofOptions: (input: unknown) => Promise<string> = canonicalize,
): Promise<Uint8Array> {
  const { proof: _ignored, ...unsigned } = document;
  const { proofValue: _proofValue, ...options } = proofOptions;
  const [proofCanon, documentCanon] = await Promise.all([
    canonicalizeProofOptions({ '@context': document['@context'], ...options }),
    canonicalize(unsigned),
  ]);
  return Buffer.concat([sha256(proofCanon), sha256(documentCanon)]);
}

/** A signer bound to one issuer key, for issuing many credentials in a row. */
export interface CredentialSigner {
  readonly verificationMethod: string;
  sign<T extends JsonObject>(credential: T, options?: SignOptions): Promise<T & { proof: DataIntegrityProofValue }>;
}

export async function createCredentialSigner(
  key: SigningKey,
  canonicalizer: ShapeCachingCanonicalizer = sharedCanonicalizer,
): Promise<CredentialSigner> {
  // Validates the key pair, then keeps one Node KeyObject: the Multikey signer rebuilds it on
  // every call, which cost a third of the signing time. Ed25519 is deterministic, so the
  // signature bytes are the same either way.
  const controller = key.verificationMethod.split('#')[0] ?? key.verificationMethod;
  await keyPairFor(key, key.verificationMethod, controller);
  const privateKey = createPrivateKey({
    key: (await secretKeyToJwk(key)) as import('node:crypto').JsonWebKey,
    format: 'jwk',
  });
  const canonicalize = (input: unknown) => canonicalizer.canonicalize(input, { rdfDirection: 'i18n-datatype' });
  // The proof options of one signer differ only in their creation second (and the document's @context): credentials
  // signed in the same second share them, so the last canonical form is kept (canonicalization is a pure function of
  // its input, so the result is the same as canonicalizing again).
  let lastProofOptions: { key: string; canonical: Promise<string> } | undefined;
  const canonicalizeCached = (input: unknown) => {
    const key = JSON.stringify(input);
    if (!lastProofOptions || lastProofOptions.key !== key) {
      const canonical = canonicalize(input);
      canonical.catch(() => {
        if (lastProofOptions?.canonical === canonical) lastProofOptions = undefined;
      });
      lastProofOptions = { key, canonical };
    }
    return lastProofOptions.canonical;
  };
  return {
    verificationMethod: key.verificationMethod,
    async sign(credential, options = {}) {
      assertSignable(credential);
      const document = withSuiteContext(credential);
      const proof = {
        type: 'DataIntegrityProof' as const,
        created: proofDate(options.created),
        verificationMethod: key.verificationMethod,
        cryptosuite: 'eddsa-rdfc-2022' as const,
        proofPurpose: 'assertionMethod',
      };
      const verifyData = await eddsaRdfc2022VerifyData(document, proof, canonicalize, canonicalizeCached);
      const signature = signWithNodeCrypto(null, verifyData, privateKey);
      return { ...document, proof: { ...proof, proofValue: encodeMultibaseBase58btc(signature) } } as never;
    },
  };
}

/** Signs one credential with our engine. For many, create a signer once and reuse it. */
export async function signCredential<T extends JsonObject>(credential: T, key: SigningKey, options: SignOptions = {}) {
  return (await createCredentialSigner(key)).sign(credential, options);
}

/** The plain @digitalbazaar/vc path (full JSON-LD processing each time): the reference our fast path must match. */
export async function signCredentialReference<T extends JsonObject>(
  credential: T,
  key: SigningKey,
  options: SignOptions = {},
) {
  assertSignable(credential);
  const controller = key.verificationMethod.split('#')[0] ?? key.verificationMethod;
  const keyPair = await keyPairFor(key, key.verificationMethod, controller);
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(),
    date: proofDate(options.created),
    cryptosuite: eddsaRdfc2022,
  });
  try {
    return (await vc.issue({
      credential: structuredClone(credential),
      suite,
      documentLoader: contextDocumentLoader,
    })) as T & {
      proof: DataIntegrityProofValue;
    };
  } catch (error) {
    throw (
      findCredentialError(error) ??
      new CredentialError('SIGNING_FAILED', `Signing failed: ${(error as Error).message}`, { cause: error })
    );
  }
}

/** Canonical N-Quads of a document (without proof), e.g. to compare with a test vector. */
export async function canonicalDocument(document: JsonObject): Promise<string> {
  const { proof: _ignored, ...unsigned } = document;
  return canonicalizeReference(unsigned, { rdfDirection: 'i18n-datatype' });
}

export async function canonicalProofOptions(document: JsonObject, proofOptions: JsonObject): Promise<string> {
  const { proofValue: _ignored, ...options } = proofOptions;
  return canonicalizeReference({ '@context': document['@context'], ...options }, { rdfDirection: 'i18n-datatype' });
}

// ---------------------------------------------------------------- VC-JWT

function secondsOf(dateTime: unknown): number | undefined {
  if (typeof dateTime !== 'string') return undefined;
  const time = Date.parse(dateTime);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as JsonObject).id === 'string')
    return (value as JsonObject).id as string;
  return undefined;
}

/**
 * The OB 3.0 VC-JWT form: header `{alg: EdDSA, typ: JWT, kid}`, the credential in the `vc`
 * claim and the registered claims (iss, jti, sub, nbf, exp) taken from it.
 */
export async function signCredentialJwt(credential: JsonObject, key: SigningKey): Promise<string> {
  if ('proof' in credential)
    throw new CredentialError('INVALID_CREDENTIAL', 'A VC-JWT carries an unsigned credential; remove the proof.');
  const privateKey = await importJWK(await secretKeyToJwk(key), 'EdDSA');
  const subject = Array.isArray(credential.credentialSubject)
    ? credential.credentialSubject[0]
    : credential.credentialSubject;
  const claims: JsonObject = { vc: credential };
  const issuer = idOf(credential.issuer);
  if (issuer) claims.iss = issuer;
  if (typeof credential.id === 'string') claims.jti = credential.id;
  const subjectId = idOf(subject);
  if (subjectId) claims.sub = subjectId;
  const notBefore = secondsOf(credential.validFrom ?? credential.issuanceDate);
  if (notBefore !== undefined) claims.nbf = notBefore;
  const expires = secondsOf(credential.validUntil ?? credential.expirationDate);
  if (expires !== undefined) claims.exp = expires;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.verificationMethod })
    .setIssuedAt()
    .sign(privateKey);
}
