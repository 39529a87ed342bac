import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './client.ts';

export const defaultMigrationsDir = fileURLToPath(new URL('../../../db/migrations', import.meta.url));

// Any constant works; it only has to be the same for every Learnscape process sharing a database.
const MIGRATION_LOCK_KEY = 715_304_118;

export interface Migration {
  id: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(directory = defaultMigrationsDir): Promise<Migration[]> {
  const names = (await fs.readdir(directory)).filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(path.join(directory, name), 'utf8');
      return { id: name.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const createLedger = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id text PRIMARY KEY,
  checksum text NOT NULL,
  applied_at timestamp with time zone NOT NULL DEFAULT now()
)`;

async function appliedMigrations(db: Pick<Database, 'query'>): Promise<Map<string, string>> {
  const [{ exists } = { exists: false }] = await db.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  );
  if (!exists) return new Map();
  const rows = await db.query<{ id: string; checksum: string }>('SELECT id, checksum FROM schema_migrations');
  return new Map(rows.map((row) => [row.id, row.checksum]));
}

/** The ids of migrations not yet applied; throws if an applied migration's file has changed since. */
export async function pendingMigrations(db: Database, directory = defaultMigrationsDir): Promise<string[]> {
  const [migrations, applied] = await Promise.all([readMigrations(directory), appliedMigrations(db)]);
  for (const migration of migrations) {
    const checksum = applied.get(migration.id);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new Error(
        `Migration ${migration.id} was changed after it was applied. Restore the file and add a new migration instead.`,
      );
    }
  }
  return migrations.filter((migration) => !applied.has(migration.id)).map((migration) => migration.id);
}

/**
 * Applies pending migrations, each in its own transaction: a crash leaves the database before or after a migration,
 * never between. An advisory lock serialises app servers that start at the same time.
 */
export async function migrate(db: Database, directory = defaultMigrationsDir): Promise<string[]> {
  const migrations = await readMigrations(directory);
  const applied: string[] = [];
  for (const migration of migrations) {
    const didApply = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.exec(createLedger);
      const [existing] = await tx.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE id = $1', [
        migration.id,
      ]);
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          throw new Error(
            `Migration ${migration.id} was changed after it was applied. Restore the file and add a new migration instead.`,
          );
        }
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [
        migration.id,
        migration.checksum,
      ]);
      return true;
    });
    if (didApply) applied.push(migration.id);
  }
  return applied;
}
