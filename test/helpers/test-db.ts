import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/server/db/client.ts';
import { migrate } from '../../src/server/db/migrate.ts';
import { databaseUrlFor, uniqueName, withAdminClient } from './postgres.ts';

export type TestEngine = 'pglite' | 'postgres';

/** The engine this test project runs on (set per Vitest project). */
export const testEngine: TestEngine = process.env.LEARNSCAPE_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

export interface TestDatabase {
  db: Database;
  /** Set for PostgreSQL: the URL of this test's own database. */
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file, on the project's engine: an embedded PGlite, or a fresh PostgreSQL
 * database. `migrated: false` gives an empty database (for migration tests).
 *
 * Migrating costs a few seconds per database, so it happens once per run: PostgreSQL clones a migrated template
 * database (postgres-global-setup.ts); PGlite copies a migrated, closed data directory (pglite-global-setup.ts) into a
 * temporary directory of its own. An empty PGlite database is in memory.
 */
export async function createTestDatabase({ migrated = true } = {}): Promise<TestDatabase> {
  if (testEngine === 'pglite') {
    const template = migrated ? await migratedPgliteTemplate() : undefined;
    if (!template) {
      const db = await openDatabase({});
      if (migrated) await migrate(db);
      return { db, databaseUrl: undefined, drop: () => db.close() };
    }
    const dataDir = await pgliteDataDir();
    const db = await openDatabase({ dataDir });
    return {
      db,
      databaseUrl: undefined,
      async drop() {
        try {
          await db.close();
        } finally {
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  }
  const name = uniqueName('ls_test');
  await withAdminClient((client) =>
    client.query(
      migrated ? `CREATE DATABASE ${name} TEMPLATE ${inject('postgresTemplate')}` : `CREATE DATABASE ${name}`,
    ),
  );
  const databaseUrl = databaseUrlFor(name);
  const db = await openDatabase({ databaseUrl, poolMax: 5 });
  return {
    db,
    databaseUrl,
    async drop() {
      await db.close();
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * A new embedded-database data directory of its own, for tests that open PGlite on disk: a copy of this run's migrated
 * template in the pglite project (so opening it skips initdb and `migrate` finds nothing to do), else empty.
 */
export async function pgliteDataDir(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-test-db-'));
  const template = await migratedPgliteTemplate();
  if (template) {
    fs.cpSync(template, dataDir, { recursive: true, filter: (source) => path.basename(source) !== 'learnscape.lock' });
  }
  return dataDir;
}

let pgliteTemplate: Promise<string | undefined> | undefined;

/**
 * The migrated PGlite data directory of this run, made by the first test file that needs it: migrated in a directory
 * of its own, closed, then renamed into place (atomic, so parallel workers never see half of one; the slower one
 * discards its copy). Undefined outside the pglite project.
 */
function migratedPgliteTemplate(): Promise<string | undefined> {
  pgliteTemplate ??= (async () => {
    const root = inject('pgliteTemplateRoot') as string | undefined;
    if (!root) return undefined;
    const template = path.join(root, 'migrated');
    if (fs.existsSync(template)) return template;
    const building = fs.mkdtempSync(path.join(root, 'building-'));
    try {
      const db = await openDatabase({ dataDir: building });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
      fs.renameSync(building, template);
    } catch (error) {
      fs.rmSync(building, { recursive: true, force: true });
      if (!fs.existsSync(template)) throw error;
    }
    return template;
  })();
  return pgliteTemplate;
}
