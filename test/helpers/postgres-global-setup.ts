import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/server/db/client.ts';
import { migrate } from '../../src/server/db/migrate.ts';
import { databaseUrlFor, testDatabaseUrl, uniqueName, withAdminClient } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresTemplate: string;
  }
}

/**
 * Migrates one template database; each test file clones it (CREATE DATABASE … TEMPLATE), which is much faster than
 * migrating per file. An unreachable server fails the run — it is never skipped silently.
 */
export default async function setup(project: TestProject) {
  const template = uniqueName('ls_template');
  try {
    await withAdminClient(async (client) => {
      await client.query(`CREATE DATABASE ${template}`);
    });
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${testDatabaseUrl} (${(error as Error).message}). ` +
        'Start PostgreSQL 15 or set TEST_DATABASE_URL; the PostgreSQL test project cannot run without it.',
    );
  }
  const db = await openDatabase({ databaseUrl: databaseUrlFor(template), poolMax: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  project.provide('postgresTemplate', template);

  return async () => {
    await withAdminClient(async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'ls\\_%' AND datname LIKE $1`,
        [`%\\_${process.pid}\\_%`],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    });
  };
}
