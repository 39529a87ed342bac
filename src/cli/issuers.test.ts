import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliEnvironment, type CliEnvironment } from '../../test/helpers/cli.ts';
import { testEngine } from '../../test/helpers/test-db.ts';
import { type Config, loadConfig } from '../server/config.ts';
import { type Database, openDatabase } from '../server/db/client.ts';
import { migrate } from '../server/db/migrate.ts';
import { issuerSignerFor } from '../server/modules/badges/issuer-keys.service.ts';
import { issuerReport } from './issuers.ts';

/**
 * `learnscape issuers rotate-key|show`. The database is prepared in this process and the command runs once as its own
 * process, as an operator would run it: with no key-encryption key configured, both use DATA_DIR/secrets.
 */
describe(`the issuers commands on ${testEngine}`, () => {
  let environment: CliEnvironment;
  let config: Config;
  let organisationId: string;
  let firstKeyId: string;

  const withDb = async <T>(work: (db: Database) => Promise<T>): Promise<T> => {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    environment = await createCliEnvironment({ PUBLIC_URL: 'https://learnscape.example' });
    config = loadConfig(environment.env as Record<string, string>);
    expect(config.credentialKeyEncryptionKey).toBeUndefined();
    await withDb(async (db) => {
      await migrate(db);
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO organisations (slug, name, kinds) VALUES ('key-keepers', 'Key Keepers', '{provider}') RETURNING id`,
      );
      organisationId = (row as { id: string }).id;
      firstKeyId = (await issuerSignerFor(db, config, organisationId)).keyId;
    });
  }, 120_000);
  afterAll(() => environment.drop());

  it('rotates a key from the command line; the old key stays, and the new one decrypts with the same KEK file', async () => {
    const run = await environment.run(['issuers', 'rotate-key', '--org', 'key-keepers', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.retiredKeyId).toBe(firstKeyId);
    expect(result.issuer.did).toBe(`did:web:learnscape.example:issuers:${organisationId}`);
    expect(result.issuer.keys.map((key: { id: string; status: string }) => [key.id, key.status])).toEqual([
      [result.key.id, 'active'],
      [firstKeyId, 'retired'],
    ]);
    expect(run.stdout).not.toMatch(/secret|lsk1\./i);

    await withDb(async (db) => {
      const report = await issuerReport(db, config, organisationId);
      expect(report.keys.map((key) => key.id)).toEqual([result.key.id, firstKeyId]);
      const signer = await issuerSignerFor(db, config, organisationId);
      expect([signer.keyId, signer.signingKey.publicKeyMultibase]).toEqual([
        result.key.id,
        result.key.publicKeyMultibase,
      ]);
      const audit = await db.query<{ actor_label: string; city_id: string | null }>(
        `SELECT actor_label, city_id FROM audit_log WHERE action = 'issuer_key.rotate' AND target_id = $1`,
        [organisationId],
      );
      expect(audit).toEqual([{ actor_label: 'cli', city_id: null }]);
      await expect(issuerReport(db, config, 'nobody-here')).rejects.toMatchObject({ code: 'ORGANISATION_NOT_FOUND' });
    });
  }, 240_000);
});
