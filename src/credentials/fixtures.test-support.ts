/**
 * Test support: paths to the copied conformance fixtures and in-memory fetchers that serve
 * what the fixtures point to (no network in tests).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { didWebDocumentUrl } from './keys.ts';
import type { FetchJson } from './verify.ts';

export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/conformance/', import.meta.url));

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as Record<string, unknown>;
}

export function listFiles(directory: string, extension: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(join(FIXTURES, relative))) {
      const path = join(relative, name);
      if (statSync(join(FIXTURES, path)).isDirectory()) walk(path);
      else if (name.endsWith(extension)) found.push(path);
    }
  };
  walk(directory);
  return found.sort();
}

/** A fetcher over a URL → document map; anything else fails like a 404. */
export function mapFetcher(documents: Map<string, unknown>, log?: string[]): FetchJson {
  return async (url) => {
    log?.push(url);
    if (!documents.has(url)) throw new Error(`404 Not Found: ${url}`);
    return structuredClone(documents.get(url));
  };
}

/**
 * The 1EdTech samples' issuers publish no controller documents. As the fixture notes say,
 * we build one per controller from the proofs' verification methods (`<controller>#<multibase key>`).
 */
export function synthesizedControllerDocuments(credentials: Record<string, unknown>[]): Map<string, unknown> {
  const keysByController = new Map<string, Set<string>>();
  for (const credential of credentials) {
    const proofs = Array.isArray(credential.proof) ? credential.proof : credential.proof ? [credential.proof] : [];
    for (const proof of proofs as Record<string, unknown>[]) {
      const method = proof.verificationMethod;
      if (typeof method !== 'string' || !method.includes('#')) continue;
      const [controller, key] = method.split('#') as [string, string];
      if (!key.startsWith('z6Mk')) continue;
      if (!keysByController.has(controller)) keysByController.set(controller, new Set());
      keysByController.get(controller)?.add(key);
    }
  }
  const documents = new Map<string, unknown>();
  for (const [controller, keys] of keysByController) {
    const methods = [...keys].map((key) => ({
      id: `${controller}#${key}`,
      type: 'Multikey',
      controller,
      publicKeyMultibase: key,
    }));
    const document = {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: controller,
      verificationMethod: methods,
      assertionMethod: methods.map((method) => method.id),
    };
    documents.set(controller.startsWith('did:web:') ? didWebDocumentUrl(controller) : controller, document);
  }
  return documents;
}

/** What the DCC fixtures point to, served from their `dids/` and `statusLists/` folders. */
export function dccDocuments(): Map<string, unknown> {
  const documents = new Map<string, unknown>();
  for (const name of ['legacy', 'oidf']) {
    documents.set(
      `https://digitalcredentials.github.io/vc-test-fixtures/dids/${name}/did.json`,
      readJson(`dcc-vc-test-fixtures/dids/${name}/did.json`),
    );
  }
  const lists = 'dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020';
  for (const name of readdirSync(join(FIXTURES, lists))) {
    documents.set(
      `https://digitalcredentials.github.io/vc-test-fixtures/statusLists/didkey-ed25519Signature2020/${name}`,
      readJson(`${lists}/${name}`),
    );
  }
  // Some fixtures point at verifier-core's copy of the same list (same key, bits 2, 6 and 8 set);
  // that copy is not in the fixture set, so the DCC copy stands in for it.
  documents.set(
    'https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/src/test-fixtures/status/e5WK8CbZ1GjycuPombrj',
    readJson(`${lists}/e5WK8CbZ1GjycuPombrj`),
  );
  return documents;
}
