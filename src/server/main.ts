import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase, redactUrl, type Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { listCities } from './modules/cities/cities.repo.ts';
import { hasDemoData, isDatabaseEmpty, seedDemo, type SeedReport } from './demo/seed.ts';
import { scheduleDailyMaintenance } from './jobs/maintenance.ts';
import { scheduleCatalogueJobs } from './modules/activities/catalogue.jobs.ts';
import { createJobWorker } from './jobs/registry.ts';
import type { JobWorker } from './jobs/worker.ts';
import { DevInbox } from './mail/dev-inbox.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  worker: JobWorker;
  /** The in-process SMTP inbox, when no SMTP_URL is configured. */
  devInbox: DevInbox | undefined;
  url: string;
  seeded: SeedReport | undefined;
  stop(): Promise<void>;
}

/** Opens the database, applies migrations, seeds the demo when the database is empty, then listens. */
export async function startServer(config: Config, say: (line: string) => void = console.log): Promise<RunningServer> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    connectTimeoutSeconds: config.databaseConnectTimeoutSeconds,
    onRetry: (attempt, error) =>
      say(
        `PostgreSQL at ${redactUrl(config.databaseUrl ?? '')} is not reachable yet (attempt ${attempt}: ${error.message}); retrying…`,
      ),
  });
  let app: FastifyInstance | undefined;
  let worker: JobWorker | undefined;
  let maintenanceTimer: NodeJS.Timeout | undefined;
  let devInbox: DevInbox | undefined;
  let mailer: Mailer | undefined;
  try {
    if (!config.smtpUrl) devInbox = new DevInbox();
    mailer = createMailer(config.smtpUrl ?? (await (devInbox as DevInbox).start()), config.mailFrom);

    const applied = await migrate(db);
    if (applied.length > 0) say(`Applied ${applied.length} database migration(s): ${applied.join(', ')}`);

    // A demo database is topped up on every start (new capabilities add their demo data); any other database is
    // seeded only while it is empty, so a real city is never mixed with demo people.
    const seeded =
      config.seedDemo && ((await isDatabaseEmpty(db)) || (await hasDemoData(db)))
        ? await seedDemo(db, { config })
        : undefined;

    app = await buildApp({ config, db, devInbox });
    worker = createJobWorker(db, { mailer, config }, { pollIntervalMs: config.jobPollIntervalMs, logger: app.log });
    if (config.jobWorker) {
      const maintain = async () => {
        await scheduleDailyMaintenance(db);
        await scheduleCatalogueJobs(db, config.publicUrl);
      };
      await maintain();
      maintenanceTimer = setInterval(() => void maintain().catch(() => {}), 3_600_000).unref();
      await worker.start({ recoverAll: db.engine === 'pglite' });
    }

    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const loopbackOrAny = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(config.host);
    const url = `http://${loopbackOrAny ? 'localhost' : config.host}:${port}`;

    say(
      `Learnscape is running on ${url} (public URL ${config.publicUrl}; database: ${db.engine === 'pglite' ? `embedded in ${config.dataDir}` : 'PostgreSQL'})`,
    );
    if (devInbox) say(`No SMTP_URL set: emails are delivered to the development inbox at ${url}/dev/mail`);
    if (seeded) {
      for (const city of await listCities(db)) {
        const byHost = city.hostName ? ` or http://${city.hostName}:${port}/` : '';
        say(`  ${city.slug.padEnd(10)} ${url}/c/${city.slug}${byHost}`);
      }
      say('Demo network ready. Sign in with any of these demo logins:');
      const roleWidth = Math.max(...seeded.logins.map((login) => login.role.length));
      for (const login of seeded.logins) {
        say(
          `  ${login.role.padEnd(roleWidth)}  ${(login.city ?? 'all cities').padEnd(10)} ${login.email}  password: ${login.password}`,
        );
      }
      for (const claim of seeded.claimCodes) {
        say(`Demo badge claim code (${claim.city}, ${claim.badge}): ${claim.code} — or open ${claim.url}`);
      }
    }

    const runningApp = app;
    const runningWorker = worker;
    const runningMailer = mailer;
    let stopping: Promise<void> | undefined;
    return {
      app: runningApp,
      db,
      worker: runningWorker,
      devInbox,
      url,
      seeded,
      stop() {
        stopping ??= (async () => {
          clearInterval(maintenanceTimer);
          await runningWorker.stop();
          await runningApp.close();
          runningMailer.close();
          await devInbox?.stop();
          await db.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    clearInterval(maintenanceTimer);
    await worker?.stop().catch(() => {});
    await app?.close().catch(() => {});
    mailer?.close();
    await devInbox?.stop().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
}
