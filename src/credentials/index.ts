// Public API of the Open Badges credentials engine. A pure library: no server, no database.
export * from './errors.ts';
export {
  BITSTRING_STATUS_LIST_V1_CONTEXT,
  bundledContextUrls,
  contextDocumentLoader,
  DATA_INTEGRITY_V2_CONTEXT,
  DID_V1_CONTEXT,
  isBundledContext,
  MULTIKEY_V1_CONTEXT,
  OB_V3_CONTEXT,
  VC_V1_CONTEXT,
  VC_V2_CONTEXT,
  type DocumentLoader,
} from './contexts.ts';
export {
  buildDidWebDocument,
  decryptSecretKey,
  didKeyFor,
  didKeyVerificationMethod,
  didWebDocumentUrl,
  didWebForIssuer,
  encryptSecretKey,
  generateIssuerKey,
  importIssuerKey,
  publicKeyToJwk,
  verificationMethodIdFor,
  type DidWebDocumentInput,
  type IssuerKeyMaterial,
  type PublicKeyDescription,
} from './keys.ts';
export * from './credential.ts';
export {
  canonicalDocument,
  canonicalProofOptions,
  createCredentialSigner,
  signCredential,
  signCredentialJwt,
  signCredentialReference,
  type CredentialSigner,
  type DataIntegrityProofValue,
  type SignOptions,
  type SigningKey,
} from './sign.ts';
export {
  parseCredentialJson,
  resolveVerificationMethod,
  verifyCredential,
  verifyCredentialJwt,
  verifyW3cCredential,
  type FetchJson,
  type VerificationCheck,
  type VerificationResult,
  type VerifyOptions,
} from './verify.ts';
export {
  BitstringStatusList,
  buildStatusListCredential,
  MIN_STATUS_LIST_LENGTH,
  type StatusListCredentialInput,
} from './status-list.ts';
export {
  bakePng,
  bakeSvg,
  detectImageKind,
  unbake,
  type BadgeVersion,
  type ImageKind,
  type UnbakedBadge,
} from './baking.ts';
export * from './ob20.ts';
