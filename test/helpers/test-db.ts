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
 * A database of its own for one test file, on the project's engine: an in-memory PGlite, or a fresh PostgreSQL
 * database. `migrated: false` gives an empty database (for migration tests).
 */
export async function createTestDatabase({ migrated = true } = {}): Promise<TestDatabase> {
  if (testEngine === 'pglite') {
    const db = await openDatabase({});
    if (migrated) await migrate(db);
    return { db, databaseUrl: undefined, drop: () => db.close() };
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
