import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../server/config.ts';
import type { Database } from '../server/db/client.ts';
import { type Output, readStdin } from './output.ts';

/** Opens the configured database with migrations applied, runs `work`, and always closes it. */
export async function withDatabase<T>(config: Config, work: (db: Database) => Promise<T>): Promise<T> {
  const [{ openDatabase }, { migrate }] = await Promise.all([
    import('../server/db/client.ts'),
    import('../server/db/migrate.ts'),
  ]);
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

/** Serves until SIGINT or SIGTERM. Only the real process serves: it is the one command that ends the process. */
export async function serveCommand(out: Output): Promise<void> {
  const config = out.config();
  const { startServer } = await import('../server/main.ts');
  const say = (line: string) => out.io.stdout.write(`${line}\n`);
  const server = await startServer(config, say);
  const shutdown = (signal: string) => {
    say(`Received ${signal}; shutting down…`);
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
  const config = out.config();
  const [{ openDatabase }, { migrate }] = await Promise.all([
    import('../server/db/client.ts'),
    import('../server/db/migrate.ts'),
  ]);
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
  const config = out.config();
  const { seedDemo } = await import('../server/demo/seed.ts');
  const report = await withDatabase(config, (db) => seedDemo(db, { config }));
  out.result(report, () =>
    [
      report.citiesCreated.length > 0
        ? `Created cities: ${report.citiesCreated.join(', ')}`
        : 'The demo cities already exist.',
      ...report.logins.map(
        (login) => `  ${login.role} (${login.city ?? 'all cities'}): ${login.email} / ${login.password}`,
      ),
      ...report.claimCodes.map((claim) => `  badge claim code (${claim.city}, ${claim.badge}): ${claim.code}`),
    ].join('\n'),
  );
}

export interface CreateAdminOptions {
  email: string;
  name: string;
  passwordStdin?: boolean;
}

export async function createAdminCommand(options: CreateAdminOptions, out: Output): Promise<void> {
  // A password on the command line would end up in shell history; take it from stdin or generate one.
  const generated = !options.passwordStdin;
  const password = options.passwordStdin ? await readStdin(out.io) : randomBytes(18).toString('base64url');
  const config = out.config();
  const { assignRole, ensureUser } = await import('../server/modules/accounts/accounts.service.ts');
  const result = await withDatabase(config, async (db) =>
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
    out.io.stdout.write(document);
  }
}

/** The OpenAPI document as committed in docs/api/openapi.json (stable key order, trailing newline). */
export async function generateOpenApiDocument(): Promise<string> {
  const [{ buildApp }, { loadConfig }, { openDatabase }] = await Promise.all([
    import('../server/app.ts'),
    import('../server/config.ts'),
    import('../server/db/client.ts'),
  ]);
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
