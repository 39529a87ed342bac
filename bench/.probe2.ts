import jsonld from 'jsonld';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { readFileSync } from 'node:fs';
import { contextDocumentLoader } from '../src/credentials/contexts.ts';
const tv = JSON.parse(readFileSync('/work/shared/conformance/test-vectors/ob30-ldp-test-vector.json', 'utf8'));
const c = tv.credential;
async function rate(name: string, fn: () => Promise<unknown>) { let n = 0; const t = performance.now(); while (performance.now() - t < 2000) { await fn(); n++; } console.log(name, Math.round(n / 2)); }
const opts = { documentLoader: contextDocumentLoader, safe: true, base: null };
const expanded = await jsonld.expand(c, opts);
await rate('expand', () => jsonld.expand(c, opts));
await rate('toRDF(doc)', () => jsonld.toRDF(c, { ...opts, rdfDirection: 'i18n-datatype', produceGeneralizedRdf: false }));
await rate('toRDF(expanded)', () => jsonld.toRDF(expanded, { ...opts, rdfDirection: 'i18n-datatype', produceGeneralizedRdf: false }));
await rate('canonize(expanded)', () => cryptosuite.canonize(expanded, { documentLoader: contextDocumentLoader }));
await rate('canonize(doc)', () => cryptosuite.canonize(c, { documentLoader: contextDocumentLoader }));
const proof = { '@context': c['@context'], ...tv.proofOptions };
await rate('canonize(proof)', () => cryptosuite.canonize(proof, { documentLoader: contextDocumentLoader }));
