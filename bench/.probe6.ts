import jsonld from 'jsonld';
import { readFileSync } from 'node:fs';
import { contextDocumentLoader } from '../src/credentials/contexts.ts';
const tv = JSON.parse(readFileSync('/work/shared/conformance/test-vectors/ob30-ldp-test-vector.json', 'utf8'));
const p = { '@context': tv.credential['@context'], ...tv.proofOptions, created: 'urn:learnscape-slot:0', verificationMethod: 'urn:learnscape-slot:1' };
console.log(JSON.stringify(await jsonld.expand(p, { base: null, safe: true, documentLoader: contextDocumentLoader }), null, 1));
