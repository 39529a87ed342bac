import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/main.ts';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/test-db.ts';

describe(`starting the server on ${testEngine}`, () => {
  let database: TestDatabase | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = {
      NODE_ENV: 'test',
      PORT: '0',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ls-start-')),
      JOB_POLL_INTERVAL_MS: '50',
    };
    if (testEngine === 'postgres') {
      database = await createTestDatabase({ migrated: false });
      env.DATABASE_URL = database.databaseUrl as string;
    }
  });
  afterAll(() => database?.drop());

  it('migrates, seeds the demo once, serves over HTTP and prints the URL and logins', async () => {
    const lines: string[] = [];
    const first = await startServer(loadConfig(env), (line) => lines.push(line));
    try {
      expect(first.seeded?.citiesCreated).toEqual(['plymouth', 'vilnius', 'torino']);
      expect(lines.join('\n')).toMatch(/Learnscape is running on http:\/\/localhost:\d+/);
      expect(lines.join('\n')).toContain('admin@demo.learnscape.test');
      const response = await fetch(`${first.url}/c/plymouth`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Plymouth');
      // The same city at its own host name, as printed on start.
      expect(lines.join('\n')).toContain('/c/vilnius or http://vilnius.localhost:');
      const byHost = await first.app.inject({
        url: '/',
        headers: { host: 'vilnius.localhost:3000', accept: 'text/html' },
      });
      expect(byHost.body).toContain('<span class="brand-city">Vilnius</span>');
    } finally {
      await first.stop();
    }

    const again: string[] = [];
    const second = await startServer(loadConfig(env), (line) => again.push(line));
    try {
      expect(second.seeded?.citiesCreated).toEqual([]);
      // Logins are printed on every start of a demo database.
      expect(again.join('\n')).toContain('curator.vilnius@demo.learnscape.test');
      const cities = await second.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cities');
      expect(cities[0]?.n).toBe(3);
      const maintenance = await second.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM jobs WHERE type = 'maintenance.purge-finished-jobs'",
      );
      expect(maintenance[0]?.n).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('does not seed when SEED_DEMO=false', async () => {
    const fresh: Record<string, string> = {
      ...env,
      SEED_DEMO: 'false',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ls-noseed-')),
    };
    let extra: TestDatabase | undefined;
    if (testEngine === 'postgres') {
      extra = await createTestDatabase({ migrated: false });
      fresh.DATABASE_URL = extra.databaseUrl as string;
    }
    const server = await startServer(loadConfig(fresh), () => {});
    try {
      expect(server.seeded).toBeUndefined();
      expect(await server.db.query('SELECT id FROM cities')).toEqual([]);
    } finally {
      await server.stop();
      await extra?.drop();
    }
  });

  it.runIf(testEngine === 'postgres')(
    'retries an unreachable PostgreSQL with back-off, then gives a clear error',
    async () => {
      // A port with nothing listening: take a free one and close it again.
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as net.AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      const retries: string[] = [];
      const config = loadConfig({
        ...env,
        DATABASE_URL: `postgres://learnscape:secret@127.0.0.1:${port}/nowhere`,
        DATABASE_CONNECT_TIMEOUT_SECONDS: '2',
      });
      await expect(startServer(config, (line) => retries.push(line))).rejects.toThrow(
        /Could not reach PostgreSQL at postgres:\/\/learnscape:\*\*\*@127\.0\.0\.1:\d+\/nowhere after \d+ attempts/,
      );
      expect(retries.length).toBeGreaterThanOrEqual(2);
      expect(retries.join('\n')).not.toContain('secret');
    },
  );
});
