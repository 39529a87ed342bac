import { secretKeyToJwk } from '../src/credentials/keys.ts';
import { readFileSync } from 'node:fs';
const tv = JSON.parse(readFileSync('/work/shared/conformance/test-vectors/ob30-ldp-test-vector.json', 'utf8'));
console.log(await secretKeyToJwk(tv));
