import { readFileSync } from 'node:fs';
import { createCredentialSigner, signCredentialReference } from '../src/credentials/sign.ts';
import { sharedCanonicalizer } from '../src/credentials/canonicalize.ts';
const tv = JSON.parse(readFileSync('/work/shared/conformance/test-vectors/ob30-ldp-test-vector.json', 'utf8'));
const key = { publicKeyMultibase: tv.publicKeyMultibase, secretKeyMultibase: tv.secretKeyMultibase, verificationMethod: tv.proofOptions.verificationMethod };
const signer = await createCredentialSigner(key);
const a = await signer.sign(tv.credential, { created: tv.proofOptions.created });
const b = await signer.sign(tv.credential, { created: tv.proofOptions.created });
const r = await signCredentialReference(tv.credential, key, { created: tv.proofOptions.created });
console.log(a.proof.proofValue === tv.proofValue, b.proof.proofValue === tv.proofValue, r.proof.proofValue === tv.proofValue, sharedCanonicalizer.stats());
let n = 0; const t = performance.now();
while (performance.now() - t < 3000) { const c = structuredClone(tv.credential); c.id = 'urn:uuid:' + crypto.randomUUID(); c.credentialSubject.id = 'did:example:' + n; await signer.sign(c); n++; }
console.log('fast/s', n / 3, sharedCanonicalizer.stats());
