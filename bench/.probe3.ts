import jsonld from 'jsonld';
import { readFileSync } from 'node:fs';
import { contextDocumentLoader } from '../src/credentials/contexts.ts';
const tv = JSON.parse(readFileSync('/work/shared/conformance/test-vectors/ob30-ldp-test-vector.json', 'utf8'));
const c = tv.credential;
async function rate(name: string, fn: () => Promise<unknown>) { let n = 0; const t = performance.now(); while (performance.now() - t < 2000) { await fn(); n++; } console.log(name, Math.round(n / 2)); }
const opts = { documentLoader: contextDocumentLoader, safe: true, base: null };
const skel = { '@context': c['@context'], id: c.id, type: c.type, issuer: { id: c.issuer.id }, validFrom: c.validFrom, name: c.name, credentialSubject: { id: c.credentialSubject.id, type: ['AchievementSubject'], achievement: { id: 'urn:x' } } };
await rate('expand full', () => jsonld.expand(c, opts));
await rate('expand skeleton', () => jsonld.expand(skel, opts));
await rate('expand ctx only', () => jsonld.expand({ '@context': c['@context'], id: 'urn:a' }, opts));
console.log(JSON.stringify(await jsonld.expand(skel, opts), null, 1));
