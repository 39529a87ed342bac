/**
 * Credentials engine benchmark: signs per second on one core for the plain @digitalbazaar/vc
 * reference path and for our engine (same credential shape, the shape cache warm as in bulk
 * issuing), and verifies per second. Each phase runs for a fixed time.
 *
 * End-to-end bulk issuing (10,000 badges from CSV with database writes, status entries and
 * queued emails) needs the server and database and is not measured here yet.
 *
 * Run: npx tsx bench/credentials.ts [secondsPerPhase=5]
 */
import { randomUUID } from 'node:crypto';
import {
  buildDidWebDocument,
  buildOpenBadgeCredential,
  createCredentialSigner,
  didWebDocumentUrl,
  didWebForIssuer,
  generateIssuerKey,
  signCredentialReference,
  verificationMethodIdFor,
  verifyCredential,
  type OpenBadgeCredentialInput,
} from '../src/credentials/index.ts';

const seconds = Number(process.argv[2] ?? 5);
const did = didWebForIssuer('learn.example.org', 'org-1');
const key = await generateIssuerKey();
const signingKey = { ...key, verificationMethod: verificationMethodIdFor(did, key) };
const didDocument = buildDidWebDocument({ did, activeKey: key });
const fetchJson = async (url: string) => {
  if (url === didWebDocumentUrl(did)) return didDocument;
  throw new Error(`not found: ${url}`);
};

let serial = 0;
function nextCredential() {
  serial++;
  const input: OpenBadgeCredentialInput = {
    id: `urn:uuid:${randomUUID()}`,
    issuer: { id: did, name: 'Youth Makerspace', url: 'https://makerspace.example.org' },
    achievement: {
      id: 'https://learn.example.org/badges/soldering',
      name: 'Soldering basics',
      description: 'Can solder a simple circuit safely.',
      criteria: { narrative: 'Solder a blinking LED kit in the workshop.' },
      image: { id: 'https://learn.example.org/badges/soldering.png', caption: 'A soldering iron' },
      achievementType: 'Badge',
    },
    subject: { email: `learner${serial}@example.org` },
    validFrom: new Date(),
    status: [
      {
        statusListCredential: 'https://learn.example.org/status/1',
        statusListIndex: serial % 131072,
        statusPurpose: 'revocation',
      },
    ],
  };
  return buildOpenBadgeCredential(input);
}

async function rate(label: string, run: () => Promise<unknown>): Promise<number> {
  for (let warmup = 0; warmup < 20; warmup++) await run();
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await run();
    count++;
  }
  const perSecond = count / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(44)} ${perSecond.toFixed(0).padStart(7)} /s  (${count} in ${seconds} s)`);
  return perSecond;
}

console.log(`Node ${process.version}, one core, ${seconds} s per phase\n`);
const reference = await rate('sign: @digitalbazaar/vc reference path', () =>
  signCredentialReference(nextCredential(), signingKey),
);
const signer = await createCredentialSigner(signingKey);
const ours = await rate('sign: Learnscape engine', () => signer.sign(nextCredential()));
const signed = await signer.sign(nextCredential());
const check = await verifyCredential(signed, { fetchJson, checkStatus: false });
if (!check.verified) throw new Error(`benchmark credential does not verify: ${JSON.stringify(check.checks)}`);
await rate('verify: Learnscape engine (did:web, status not fetched)', async () => {
  const result = await verifyCredential(signed, { fetchJson, checkStatus: false });
  if (!result.verified) throw new Error('verification failed during the benchmark');
});
console.log(`\nengine / reference signing: ${(ours / reference).toFixed(1)}x (target ≥ 1x, stretch 3x)`);
