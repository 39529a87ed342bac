/**
 * Credentials engine benchmark: signs per second on one core for the plain @digitalbazaar/vc
 * reference path and for our engine (same credential shape, the shape cache warm as in bulk
 * issuing), and verifies per second. Each phase runs for a fixed time; the load average is
 * printed, since the machine may be shared.
 *
 * Then end-to-end bulk issuing: a fresh database (PGlite in a temporary directory, or a new
 * database on the PostgreSQL server of DATABASE_URL), a city, an organisation and a published
 * badge; a CSV of BENCH_BULK_ROWS rows (10,000) is uploaded through the API (preview, then
 * confirm) and the batch's job is run by a worker: every credential signed and stored with its
 * status entries, its learner's email queued. BENCH_BULK_ROWS=0 skips it.
 *
 * Run: npx tsx bench/credentials.ts [secondsPerPhase=5]
 *      DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/credentials.ts
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
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

const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
console.log(`Node ${process.version}, ${os.cpus().length} cores, load average ${load()}, ${seconds} s per phase\n`);
const reference = await rate('sign: @digitalbazaar/vc reference path', () =>
  signCredentialReference(nextCredential(), signingKey),
);
const signer = await createCredentialSigner(signingKey);
const ours = await rate('sign: Learnscape engine (one core)', () => signer.sign(nextCredential()));
const signed = await signer.sign(nextCredential());
const check = await verifyCredential(signed, { fetchJson, checkStatus: false });
if (!check.verified) throw new Error(`benchmark credential does not verify: ${JSON.stringify(check.checks)}`);
await rate('verify: Learnscape engine (did:web, status not fetched)', async () => {
  const result = await verifyCredential(signed, { fetchJson, checkStatus: false });
  if (!result.verified) throw new Error('verification failed during the benchmark');
});
console.log(`\nengine / reference signing: ${(ours / reference).toFixed(1)}x on one core (target ≥ 1x, stretch 3x)`);

// ── End-to-end bulk issuing ─────────────────────────────────────────────────────────────────────────────────────────

const bulkRows = Number(process.env.BENCH_BULK_ROWS ?? 10_000);

/** A database of its own: PGlite in a temporary directory, or a new database on DATABASE_URL's server. */
async function scratchDatabase(): Promise<{ databaseUrl: string | undefined; dataDir: string; drop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-bench-bulk-'));
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { databaseUrl: undefined, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true }) };
  const name = `ls_bench_bulk_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      fs.rmSync(dataDir, { recursive: true });
    },
  };
}

async function bulkIssuing(rows: number): Promise<void> {
  const [
    { loadConfig },
    { openDatabase },
    { migrate },
    { buildApp },
    { createCity },
    organisations,
    badges,
    bulk,
    jobs,
  ] = await Promise.all([
    import('../src/server/config.ts'),
    import('../src/server/db/client.ts'),
    import('../src/server/db/migrate.ts'),
    import('../src/server/app.ts'),
    import('../src/server/modules/cities/cities.service.ts'),
    import('../src/server/modules/organisations/organisations.service.ts'),
    import('../src/server/modules/badges/badge-classes.service.ts'),
    import('../src/server/modules/badges/bulk-issue.service.ts'),
    import('../src/server/jobs/worker.ts'),
  ]);
  const { cliAuditContext } = await import('../src/server/modules/audit/audit.service.ts');
  const scratch = await scratchDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: 'https://learn.example.org',
    DATA_DIR: scratch.dataDir,
    CREDENTIAL_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...(scratch.databaseUrl ? { DATABASE_URL: scratch.databaseUrl } : {}),
  });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    const city = await createCity(db, {
      slug: 'bench',
      name: { en: 'Bench City' },
      languages: ['en'],
      timeZone: 'Europe/London',
      bounds: { west: -4.2053, south: 50.3331, east: -4.0196, north: 50.4442 },
    });
    const [organisation] = await db.query<{ id: string }>(
      `INSERT INTO organisations (slug, name, kinds) VALUES ('bench-makers', 'Bench Makers', '{provider}') RETURNING id`,
    );
    const organisationId = (organisation as { id: string }).id;
    await db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'approved')`, [
      city.id,
      organisationId,
    ]);
    const system = { actor: 'system' as const, audit: cliAuditContext() };
    const badge = await badges.createBadgeClass(
      db,
      city,
      organisationId,
      {
        kind: 'participation',
        name: { en: 'Soldering basics' },
        description: { en: 'Can solder a simple circuit safely.' },
        criteria: { en: 'Solder a blinking LED kit in the workshop.' },
        imageAlt: { en: 'A soldering iron on a blue circle' },
      },
      system,
    );
    await badges.publishBadgeClass(db, city, badge.id, system);
    const token = await organisations.createApiToken(
      db,
      city,
      organisationId,
      { name: 'bench', scopes: ['badges:issue', 'badges:read'] },
      system,
    );
    const app = await buildApp({ config, db, logger: false });
    await app.ready();
    const lines = ['email,name,badge,evidence_url,narrative'];
    for (let i = 1; i <= rows; i++)
      lines.push(
        `learner${i}@example.org,Learner ${i},${badge.slug},https://example.org/evidence/${i},Took part in session ${i}`,
      );
    const csv = `${lines.join('\r\n')}\r\n`;
    const url = `/api/v1/cities/bench/organisations/${organisationId}/bulk-issues`;
    const headers = { authorization: `Bearer ${token.secret}`, 'content-type': 'text/csv' };

    const started = performance.now();
    const preview = await app.inject({ method: 'POST', url: `${url}/preview`, headers, payload: csv });
    if (preview.json().counts?.valid !== rows) throw new Error(`preview failed: ${preview.body.slice(0, 300)}`);
    const previewed = performance.now();
    const confirmed = await app.inject({ method: 'POST', url, headers, payload: csv });
    if (confirmed.statusCode !== 202) throw new Error(`confirm failed: ${confirmed.body.slice(0, 300)}`);
    const stored = performance.now();
    const worker = new jobs.JobWorker(db).register(bulk.BULK_ISSUE_JOB, bulk.bulkIssueHandler(config));
    await worker.drain();
    const finished = performance.now();

    const [result] = await db.query<{ issued: number; status: string }>(
      'SELECT issued_rows AS issued, status FROM badge_issue_batches WHERE id = $1',
      [confirmed.json().id],
    );
    const [counts] = await db.query<{ credentials: number; entries: number; emails: number }>(
      `SELECT (SELECT count(*)::int FROM badge_credentials) AS credentials,
              (SELECT coalesce(sum(allocated), 0)::int FROM status_lists) AS entries,
              (SELECT count(*)::int FROM jobs WHERE type = 'email.send') AS emails`,
    );
    if (result?.status !== 'completed' || counts?.credentials !== rows)
      throw new Error(`bulk issue ended ${JSON.stringify(result)} with ${JSON.stringify(counts)}`);
    const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(6);
    const total = (finished - started) / 1000;
    console.log(
      `\nbulk issuing of ${rows.toLocaleString('en')} badges from CSV on ${db.engine} (${os.cpus().length} cores, load average ${load()} at the end)`,
    );
    console.log(`  preview (parse and check every row)   ${seconds(previewed - started)} s`);
    console.log(`  confirm (store the batch, queue job)  ${seconds(stored - previewed)} s`);
    console.log(
      `  job: sign, store, status, email       ${seconds(finished - stored)} s  ${(rows / ((finished - stored) / 1000)).toFixed(0)} rows/s`,
    );
    console.log(
      `  total                                 ${seconds(finished - started)} s  ${(rows / total).toFixed(0)} rows/s (target < 40 s)`,
    );
    console.log(
      `  written: ${counts.credentials} credentials, ${counts.entries} status entries, ${counts.emails} emails queued`,
    );
    await app.close();
  } finally {
    await db.close();
    await scratch.drop();
  }
}

if (bulkRows > 0) await bulkIssuing(bulkRows);
