import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngine, type TestDatabase } from '../../../test/helpers/test-db.ts';
import { schemaSnapshot } from '../../../test/helpers/schema-snapshot.ts';
import { withAdminClient } from '../../../test/helpers/postgres.ts';
import { openDatabase } from './client.ts';
import { migrate, pendingMigrations, readMigrations } from './migrate.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = path.join(root, 'test/fixtures');

describe(`migrations on ${testEngine}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(() => database.drop());

  it('applies every migration once and then has nothing pending', async () => {
    const all = (await readMigrations()).map((m) => m.id);
    expect(await pendingMigrations(database.db)).toEqual(all);
    expect(await migrate(database.db)).toEqual(all);
    expect(await migrate(database.db)).toEqual([]);
    expect(await pendingMigrations(database.db)).toEqual([]);
    const tables = await database.db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['cities', 'jobs', 'role_assignments', 'schema_migrations', 'sessions', 'users']),
    );
  });

  it('refuses to run when an applied migration file was edited afterwards', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-migrations-'));
    fs.writeFileSync(path.join(directory, '0000_edit_me.sql'), 'CREATE TABLE edit_me (id int);');
    expect(await migrate(database.db, directory)).toEqual(['0000_edit_me']);
    fs.writeFileSync(path.join(directory, '0000_edit_me.sql'), 'CREATE TABLE edit_me (id bigint);');
    await expect(migrate(database.db, directory)).rejects.toThrow(/was changed after it was applied/);
    await expect(pendingMigrations(database.db, directory)).rejects.toThrow(/was changed after it was applied/);
  });

  it('rolls a failing migration back whole: no statement of it survives', async () => {
    await expect(migrate(database.db, path.join(fixtures, 'migrations-broken'))).rejects.toThrow();
    const [row] = await database.db.query<{ present: boolean }>(
      "SELECT to_regclass('broken_first') IS NOT NULL AS present",
    );
    expect(row?.present).toBe(false);
  });
});

describe(`a migration killed half-way on ${testEngine}`, () => {
  it('leaves the database before the migration, and a re-run completes it', async () => {
    // PGlite is single-process: the child owns a data directory of its own; PostgreSQL gets an empty database.
    const database = testEngine === 'postgres' ? await createTestDatabase({ migrated: false }) : undefined;
    const dataDir = testEngine === 'pglite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'ls-kill-')) : undefined;
    try {
      const env = { ...process.env, DATABASE_URL: database?.databaseUrl ?? '', DATA_DIR: dataDir ?? '' };
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'test/helpers/migrate-child.ts'), path.join(fixtures, 'migrations-slow')],
        { env, cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          // Opened; give it a moment to be inside the migration's pg_sleep, then kill it without warning.
          if (chunk.toString().includes('opened')) setTimeout(() => child.kill('SIGKILL'), 1500);
        });
        child.on('exit', () => resolve());
        child.on('error', reject);
      });

      if (database?.databaseUrl) {
        // The server would notice the vanished client at its next TCP keepalive; end its session now instead.
        await withAdminClient((client) =>
          client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
            new URL(database.databaseUrl as string).pathname.slice(1),
          ]),
        );
      }
      const db = await openDatabase(testEngine === 'pglite' ? { dataDir } : { databaseUrl: database?.databaseUrl });
      try {
        const [before] = await db.query<{ present: boolean }>(
          "SELECT to_regclass('first_step') IS NOT NULL AS present",
        );
        expect(before?.present).toBe(false);
        const fast = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-fast-'));
        fs.writeFileSync(
          path.join(fast, '0000_slow.sql'),
          fs
            .readFileSync(path.join(fixtures, 'migrations-slow/0000_slow.sql'), 'utf8')
            .replace('pg_sleep(30)', 'pg_sleep(0)'),
        );
        expect(await migrate(db, fast)).toEqual(['0000_slow']);
        const [after] = await db.query<{ present: boolean }>(
          "SELECT to_regclass('second_step') IS NOT NULL AS present",
        );
        expect(after?.present).toBe(true);
      } finally {
        await db.close();
      }
    } finally {
      await database?.drop();
    }
  });
});

describe.runIf(testEngine === 'postgres')('the same schema on both engines', () => {
  it('migrates PostgreSQL and PGlite to identical tables, columns, constraints and indexes', async () => {
    const onPostgres = await createTestDatabase();
    const onPglite = await openDatabase({});
    try {
      await migrate(onPglite);
      const [a, b] = await Promise.all([schemaSnapshot(onPostgres.db), schemaSnapshot(onPglite)]);
      expect(a.columns?.length).toBeGreaterThan(20);
      expect(b).toEqual(a);
    } finally {
      await onPglite.close();
      await onPostgres.drop();
    }
  });
});
