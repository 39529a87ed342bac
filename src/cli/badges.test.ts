import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCaller } from '../../test/helpers/catalogue.ts';
import { type CliEnvironment, createCliEnvironment } from '../../test/helpers/cli.ts';
import { testEngine } from '../../test/helpers/test-db.ts';
import { didWebDocumentUrl, unbake, verifyCredential } from '../credentials/index.ts';
import { type Config, loadConfig } from '../server/config.ts';
import { type Database, openDatabase } from '../server/db/client.ts';
import { migrate } from '../server/db/migrate.ts';
import { createBadgeClass, publishBadgeClass } from '../server/modules/badges/badge-classes.service.ts';
import { issuerDidDocument } from '../server/modules/badges/issuer-keys.service.ts';
import { createCity } from '../server/modules/cities/cities.service.ts';

type Json = Record<string, unknown>;

/**
 * `learnscape badges list|issue|revoke|bulk`. The first command runs as its own process, as an operator would run it;
 * the others run in this process (the same commander program, with their own environment and captured output). The
 * database is prepared here; the commands sign with the issuer key kept under DATA_DIR/secrets (no key-encryption
 * key is set).
 */
describe(`the badges commands on ${testEngine}`, () => {
  let environment: CliEnvironment;
  let config: Config;
  let organisationId: string;
  let badgeId: string;
  let workDir: string;

  const withDb = async <T>(work: (db: Database) => Promise<T>): Promise<T> => {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  };
  const json = (stdout: string) => JSON.parse(stdout) as Json;

  beforeAll(async () => {
    environment = await createCliEnvironment({ PUBLIC_URL: 'https://learnscape.example' });
    config = loadConfig(environment.env as Record<string, string>);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-badges-cli-'));
    await withDb(async (db) => {
      await migrate(db);
      const city = await createCity(db, {
        slug: 'cli-city',
        name: { en: 'CLI City' },
        languages: ['en'],
        timeZone: 'Europe/London',
        bounds: { west: -4.2053, south: 50.3331, east: -4.0196, north: 50.4442 },
      });
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO organisations (slug, name, kinds) VALUES ('cli-makers', 'CLI Makers', '{provider}') RETURNING id`,
      );
      organisationId = (row as { id: string }).id;
      await db.query(`INSERT INTO organisation_cities (city_id, organisation_id, status) VALUES ($1, $2, 'approved')`, [
        city.id,
        organisationId,
      ]);
      const badge = await createBadgeClass(
        db,
        city,
        organisationId,
        {
          kind: 'skill',
          name: { en: 'Soldering basics' },
          description: { en: 'Can solder a simple circuit safely.' },
          criteria: { en: 'Solder a blinking LED kit in the workshop.' },
          imageAlt: { en: 'A soldering iron on an orange hexagon' },
        },
        systemCaller,
      );
      await publishBadgeClass(db, city, badge.id, systemCaller);
      badgeId = badge.id;
    });
  }, 180_000);
  afterAll(async () => {
    fs.rmSync(workDir, { recursive: true, force: true });
    await environment.drop();
  });

  it('issues a badge as JSON and as a baked PNG, signed with the issuer’s key under the public URL', async () => {
    const issued = await environment.run([
      'badges',
      'issue',
      '--badge',
      'soldering-basics',
      '--to',
      'Ada@example.org',
      '--name',
      'Ada Lovelace',
      '--json',
    ]);
    expect(issued.code, issued.stderr).toBe(0);
    const result = json(issued.stdout);
    expect(result).toMatchObject({ city: 'cli-city', badge: 'soldering-basics', recipient: 'Ada@example.org' });
    const credential = result.credential as Json;
    expect(credential.id).toBe(`https://learnscape.example/c/cli-city/credentials/${result.credentialId}`);
    const did = `did:web:learnscape.example:issuers:${organisationId}`;
    expect((credential.issuer as Json).id).toBe(did);
    const check = await withDb(async (db) => {
      const didDocument = await issuerDidDocument(db, config, organisationId);
      const stored = await db.query<{ claim_route: string; document: Json }>(
        'SELECT claim_route, document FROM badge_credentials WHERE id = $1',
        [result.credentialId],
      );
      expect(stored[0]?.claim_route).toBe('cli');
      expect(stored[0]?.document).toEqual(credential);
      return verifyCredential(credential, {
        checkStatus: false,
        fetchJson: async (url) => {
          if (url === didWebDocumentUrl(did)) return didDocument;
          throw new Error(`not found: ${url}`);
        },
      });
    });
    expect(check.verified, JSON.stringify(check.checks)).toBe(true);

    const png = path.join(workDir, 'badge.png');
    const baked = await environment.runInProcess([
      'badges',
      'issue',
      '--badge',
      badgeId,
      '--to',
      'grace@example.org',
      '--format',
      'png',
      '--out',
      png,
    ]);
    expect(baked.code, baked.stderr).toBe(0);
    expect(baked.stdout).toContain(`Wrote the PNG credential to ${png}`);
    const unbaked = unbake(fs.readFileSync(png));
    expect(unbaked).toMatchObject({ kind: 'png', version: 'ob3', payloadType: 'json' });
    expect((JSON.parse(unbaked.payload) as Json).credentialSubject).toMatchObject({ type: ['AchievementSubject'] });

    const binary = await environment.runInProcess([
      'badges',
      'issue',
      '--badge',
      badgeId,
      '--to',
      'x@example.org',
      '--format',
      'svg',
    ]);
    expect(binary.code).toBe(2);
    expect(binary.stderr).toContain('name a file with --out');
  }, 240_000);

  it('issues from a CSV file with progress on stderr, lists the counts, and revokes one credential', async () => {
    const file = path.join(workDir, 'people.csv');
    fs.writeFileSync(
      file,
      `\uFEFFEmail;Name;Badge\n${Array.from({ length: 60 }, (_, i) => `p${i}@example.org;Person ${i};soldering-basics`).join('\n')}\nnot-an-email;Broken;soldering-basics\n`,
    );
    const report = path.join(workDir, 'report.csv');
    const bulk = await environment.runInProcess([
      'badges',
      'bulk',
      '--city',
      'cli-city',
      '--org',
      'cli-makers',
      '--file',
      file,
      '--skip-invalid',
      '--report',
      report,
      '--json',
    ]);
    expect(bulk.code, bulk.stderr).toBe(0);
    expect(bulk.stderr).toContain('Issuing 61 rows of people.csv');
    expect(bulk.stderr).toMatch(/ {2}51 of 61 rows done\n {2}61 of 61 rows done/);
    expect(json(bulk.stdout)).toMatchObject({
      status: 'completed',
      counts: { total: 61, issued: 60, skipped: 1, failed: 0, pending: 0 },
      failures: [],
    });
    const rows = parse(fs.readFileSync(report, 'utf8')) as string[][];
    expect(rows).toHaveLength(62);
    expect(rows[61]).toEqual([
      '62',
      'not-an-email',
      'soldering-basics',
      'invalid',
      '',
      'the email address is not valid',
    ]);

    const listed = await environment.runInProcess(['badges', 'list', '--city', 'cli-city', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const [item] = json(listed.stdout).items as Json[];
    expect(item).toMatchObject({
      slug: 'soldering-basics',
      organisation: { slug: 'cli-makers' },
      status: 'published',
      credentials: { issued: 62, active: 62, suspended: 0, revoked: 0 },
    });

    const credentialId = await withDb(
      async (db) =>
        (await db.query<{ id: string }>(`SELECT id FROM badge_credentials WHERE recipient_email = 'p7@example.org'`))[0]
          ?.id as string,
    );
    const revoked = await environment.runInProcess([
      'badges',
      'revoke',
      '--credential',
      credentialId,
      '--reason',
      'Issued to the wrong person',
      '--json',
    ]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(json(revoked.stdout)).toMatchObject({ status: 'revoked', reason: 'Issued to the wrong person' });
    await withDb(async (db) => {
      const audit = await db.query<{ actor_label: string }>(
        `SELECT actor_label FROM audit_log WHERE action = 'badge_credential.revoke' AND target_id = $1`,
        [credentialId],
      );
      expect(audit).toEqual([{ actor_label: 'cli' }]);
    });
  }, 240_000);
});
