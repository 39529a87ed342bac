import jsonld from 'jsonld';
import { readFileSync } from 'node:fs';
import { contextDocumentLoader } from '../src/credentials/contexts.ts';
import * as rdf from 'rdf-canonize';
const tv = JSON.parse(readFileSync('/work/shared/conformance/test-vectors/ob30-ldp-test-vector.json', 'utf8'));
async function rate(name: string, fn: () => Promise<unknown>) { let n = 0; const t = performance.now(); while (performance.now() - t < 2000) { await fn(); n++; } console.log(name, Math.round(n / 2)); }
const opts = { documentLoader: contextDocumentLoader, safe: true, base: null };
const expanded = await jsonld.expand(tv.credential, opts);
await rate('expand(expanded)', () => jsonld.expand(expanded, opts));
await rate('toRDF(expanded)', () => jsonld.toRDF(expanded, { ...opts, rdfDirection: 'i18n-datatype' }));
const ds = await jsonld.toRDF(expanded, { ...opts, rdfDirection: 'i18n-datatype' });
await rate('rdfc(dataset)', () => rdf.canonize(ds, { algorithm: 'RDFC-1.0', format: 'application/n-quads' }));
await rate('canonize(expanded)', () => jsonld.canonize(expanded, { ...opts, algorithm: 'RDFC-1.0', format: 'application/n-quads', rdfDirection: 'i18n-datatype' }));
