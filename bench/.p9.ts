import { generateIssuerKey, importIssuerKey, secretKeyToJwk } from '../src/credentials/keys.ts';
const k = await generateIssuerKey(); const j = await secretKeyToJwk(k); console.log(k, await importIssuerKey({ jwk: j }).catch(e=>e.message));
