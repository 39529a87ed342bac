import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig, type Config } from '../../src/server/config.ts';
import { createTestDatabase, type TestDatabase } from './test-db.ts';

export interface TestApp extends TestDatabase {
  app: FastifyInstance;
  config: Config;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'http://learnscape.test', ...overrides });
}

/** The whole app on a fresh database of the project's engine, ready for `app.inject`. */
export async function createTestApp(
  options: { env?: Record<string, string>; configure?: (app: FastifyInstance) => void } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(options.env);
  const app = await buildApp({ config, db: database.db, logger: false });
  options.configure?.(app);
  await app.ready();
  return {
    ...database,
    app,
    config,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
