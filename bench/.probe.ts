import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { readFileSync } from 'node:fs';
import { contextDocumentLoader } from '../src/credentials/contexts.ts';
const tv = JSON.parse(readFileSync('/work/shared/conformance/test-vectors/ob30-ldp-test-vector.json', 'utf8'));
const kp = await Ed25519Multikey.from({ type: 'Multikey', id: tv.proofOptions.verificationMethod, controller: 'https://example.edu/issuers/565049', publicKeyMultibase: tv.publicKeyMultibase, secretKeyMultibase: tv.secretKeyMultibase });
const suite = new DataIntegrityProof({ signer: kp.signer(), date: tv.proofOptions.created, cryptosuite });
const signed = await vc.issue({ credential: structuredClone(tv.credential), suite, documentLoader: contextDocumentLoader });
console.log((signed.proof as any).proofValue === tv.proofValue, JSON.stringify(signed.proof));
let n = 0; const t0 = performance.now();
while (performance.now() - t0 < 3000) { const s = new DataIntegrityProof({ signer: kp.signer(), date: tv.proofOptions.created, cryptosuite }); await vc.issue({ credential: structuredClone(tv.credential), suite: s, documentLoader: contextDocumentLoader }); n++; }
console.log('vc.issue/s', n / 3);
n = 0; const t1 = performance.now();
const c = structuredClone(tv.credential);
while (performance.now() - t1 < 3000) { await cryptosuite.canonize(c, { documentLoader: contextDocumentLoader }); n++; }
console.log('canonize doc/s', n / 3);
