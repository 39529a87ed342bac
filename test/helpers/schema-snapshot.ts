import type { SqlRunner } from '../../src/server/db/client.ts';

/**
 * A normalised description of the public schema: tables, columns, constraints and indexes. NOT NULL constraints are
 * compared through the columns: PostgreSQL 18 (PGlite) also lists them in pg_constraint, PostgreSQL 15 does not.
 */
export async function schemaSnapshot(db: SqlRunner): Promise<Record<string, string[]>> {
  const columns = await db.query<{ line: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || udt_name || ')', '') ||
            CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END || coalesce(' default ' || column_default, '') AS line
     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
  );
  const constraints = await db.query<{ line: string }>(
    `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
     FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n' ORDER BY 1`,
  );
  const indexes = await db.query<{ line: string }>(
    `SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`,
  );
  const triggers = await db.query<{ line: string }>(
    `SELECT pg_get_triggerdef(t.oid) AS line FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace ORDER BY 1`,
  );
  const functions = await db.query<{ line: string }>(
    `SELECT p.proname || ' ' || md5(p.prosrc) AS line FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1`,
  );
  return {
    triggers: triggers.map((row) => row.line),
    functions: functions.map((row) => row.line),
    columns: columns.map((row) => row.line),
    constraints: constraints.map((row) => row.line),
    indexes: indexes.map((row) => row.line),
  };
}
