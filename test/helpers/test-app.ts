import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig, type Config } from '../../src/server/config.ts';
import { createJobWorker } from '../../src/server/jobs/registry.ts';
import type { JobWorker } from '../../src/server/jobs/worker.ts';
import { DevInbox } from '../../src/server/mail/dev-inbox.ts';
import { createMailer } from '../../src/server/mail/mailer.ts';
import { createTestDatabase, type TestDatabase } from './test-db.ts';

export interface TestApp extends TestDatabase {
  app: FastifyInstance;
  config: Config;
  /** A real in-process SMTP server receiving everything the app sends. */
  inbox: DevInbox;
  /** The job worker with every handler; `await t.worker.drain()` runs queued jobs (e.g. sends queued email). */
  worker: JobWorker;
  close(): Promise<void>;
}

/** A random key-encryption key per test process: issuers' secret keys are really encrypted in tests too. */
const testKeyEncryptionKey = randomBytes(32).toString('base64');

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: 'http://learnscape.test',
    CREDENTIAL_KEY_ENCRYPTION_KEY: testKeyEncryptionKey,
    ...overrides,
  });
}

/** The whole app on a fresh database of the project's engine, ready for `app.inject`. */
export async function createTestApp(
  options: { env?: Record<string, string>; configure?: (app: FastifyInstance) => void } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(options.env);
  const inbox = new DevInbox();
  const mailer = createMailer(await inbox.start(), config.mailFrom);
  const worker = createJobWorker(database.db, { mailer, config });
  const app = await buildApp({ config, db: database.db, logger: false, devInbox: inbox });
  options.configure?.(app);
  await app.ready();
  return {
    ...database,
    app,
    config,
    inbox,
    worker,
    async close() {
      await app.close();
      mailer.close();
      await inbox.stop();
      await database.drop();
    },
  };
}
