import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildApp } from '../server/app.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { openDatabase, type Database } from '../server/db/client.ts';
import { migrate } from '../server/db/migrate.ts';
import { seedDemo } from '../server/demo/seed.ts';
import { startServer } from '../server/main.ts';
import { assignRole, ensureUser } from '../server/modules/accounts/accounts.service.ts';
import type { Output } from './output.ts';

/** Opens the configured database with migrations applied, runs `work`, and always closes it. */
export async function withDatabase<T>(config: Config, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: 2,
    connectTimeoutSeconds: config.databaseConnectTimeoutSeconds,
  });
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

export async function serveCommand(): Promise<void> {
  const server = await startServer(loadConfig());
  const shutdown = (signal: string) => {
    console.log(`Received ${signal}; shutting down…`);
    server.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

export async function migrateCommand(out: Output): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 });
  try {
    const applied = await migrate(db);
    out.result({ applied }, () =>
      applied.length === 0
        ? 'The database is up to date.'
        : `Applied ${applied.length} migration(s): ${applied.join(', ')}`,
    );
  } finally {
    await db.close();
  }
}

export async function seedDemoCommand(out: Output): Promise<void> {
  const report = await withDatabase(loadConfig(), seedDemo);
  out.result(report, () =>
    [
      report.citiesCreated.length > 0
        ? `Created cities: ${report.citiesCreated.join(', ')}`
        : 'The demo cities already exist.',
      ...report.logins.map(
        (login) => `  ${login.role} (${login.city ?? 'all cities'}): ${login.email} / ${login.password}`,
      ),
    ].join('\n'),
  );
}

export interface CreateAdminOptions {
  email: string;
  name: string;
  passwordStdin?: boolean;
}

/** Reads all of standard input (e.g. a piped password), without its final line break. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function createAdminCommand(options: CreateAdminOptions, out: Output): Promise<void> {
  // A password on the command line would end up in shell history; take it from stdin or generate one.
  const generated = !options.passwordStdin;
  const password = options.passwordStdin ? await readStdin() : randomBytes(18).toString('base64url');
  const result = await withDatabase(loadConfig(), async (db) =>
    db.transaction(async (tx) => {
      const { user, created } = await ensureUser(tx, {
        email: options.email,
        displayName: options.name,
        password,
        emailVerified: true,
      });
      await assignRole(tx, user.id, 'network_admin', null);
      return { user, created };
    }),
  );
  out.result(
    {
      id: result.user.id,
      email: result.user.email,
      created: result.created,
      role: 'network_admin',
      ...(generated && result.created ? { password } : {}),
    },
    () =>
      result.created
        ? `Created network admin ${result.user.email}.${generated ? `\nPassword (shown once): ${password}` : ''}`
        : `${result.user.email} already existed; it is now a network admin (password unchanged).`,
  );
}

/** Writes the OpenAPI document generated from the route schemas. */
export async function openApiCommand(options: { out?: string }, out: Output): Promise<void> {
  const document = await generateOpenApiDocument();
  if (options.out) {
    await fs.mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
    await fs.writeFile(options.out, document);
    out.info(`Wrote ${options.out}`);
  } else {
    process.stdout.write(document);
  }
}

/** The OpenAPI document as committed in docs/api/openapi.json (stable key order, trailing newline). */
export async function generateOpenApiDocument(): Promise<string> {
  // Routes are registered without touching the database; an in-memory engine satisfies buildApp.
  const db = await openDatabase({});
  try {
    const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), db, logger: false });
    await app.ready();
    const document = `${JSON.stringify(app.swagger(), null, 2)}\n`;
    await app.close();
    return document;
  } finally {
    await db.close();
  }
}
