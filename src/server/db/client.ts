import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import * as schema from './schema.ts';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Runs raw SQL on either engine; `exec` takes several statements without parameters. */
export interface SqlRunner {
  /**
   * Runs one statement. Give `options.name` for hot statements: PostgreSQL then plans them once per connection
   * (a named prepared statement) instead of on every call.
   */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[], options?: { name?: string }): Promise<Row[]>;
  exec(text: string): Promise<void>;
}

/** One database, embedded or server, behind the same interface. */
export interface Database extends SqlRunner {
  readonly engine: 'pglite' | 'postgres';
  readonly orm: Orm;
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /**
   * Subscribes to NOTIFY messages on a channel. `onGap` is called when messages may have been missed (the listening
   * connection was lost and re-made), so the subscriber can drop whatever it derived from them. Returns an unsubscribe.
   */
  listen(channel: string, onMessage: (payload: string) => void, onGap: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Directory for the embedded database; undefined keeps it in memory (tests). */
  dataDir?: string | undefined;
  poolMax?: number;
  connectTimeoutSeconds?: number;
  onRetry?: (attempt: number, error: Error) => void;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  let client: PGlite;
  try {
    client = dataDir ? await PGlite.create(path.join(dataDir, 'pglite')) : await PGlite.create();
  } catch (error) {
    release();
    throw error;
  }
  const runner = (target: Pick<PGlite, 'query' | 'exec'>): SqlRunner => ({
    async query<Row>(text: string, params: unknown[] = []) {
      return (await target.query<Row>(text, params)).rows;
    },
    async exec(text: string) {
      await target.exec(text);
    },
  });
  return {
    engine: 'pglite',
    orm: drizzlePglite(client, { schema }) as unknown as Orm,
    ...runner(client),
    transaction: (work) => client.transaction((tx) => work(runner(tx))),
    // One process holds the embedded database, so notifications cannot be missed.
    listen: async (channel, onMessage) => client.listen(channel, onMessage),
    async close() {
      try {
        if (!client.closed) await client.close();
      } finally {
        release();
      }
    },
  };
}

async function openPostgres(databaseUrl: string, options: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Our queries are short and indexed; JIT compilation only adds its own start-up time (~0.8 s on large facet
    // counts in bench/catalogue.ts).
    options: '-c jit=off',
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  await waitForServer(pool, options.connectTimeoutSeconds ?? 30, options.onRetry);

  const runner = (target: pg.Pool | pg.PoolClient): SqlRunner => ({
    async query<Row>(text: string, params: unknown[] = [], options: { name?: string } = {}) {
      return (
        await target.query(options.name ? { name: options.name, text, values: params } : { text, values: params })
      ).rows as Row[];
    },
    async exec(text: string) {
      await target.query(text);
    },
  });
  return {
    engine: 'postgres',
    orm: drizzlePg(pool, { schema }) as unknown as Orm,
    ...runner(pool),
    async transaction(work) {
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await work(runner(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
    listen: (channel, onMessage, onGap) => listenWithReconnect(databaseUrl, channel, onMessage, onGap),
    close: () => pool.end(),
  };
}

/** A dedicated connection for LISTEN (a pooled one would be handed to others); re-made after errors. */
async function listenWithReconnect(
  databaseUrl: string,
  channel: string,
  onMessage: (payload: string) => void,
  onGap: () => void,
): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Invalid channel name ${channel}`);
  let client: pg.Client | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    next.on('notification', (message) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    });
    next.on('error', () => {
      // The server went away: anything notified meanwhile is lost, so tell the subscriber and reconnect.
      onGap();
      next.end().catch(() => {});
      if (!stopped) retryTimer = setTimeout(() => void connect().catch(() => {}), 1_000);
    });
    await next.connect();
    await next.query(`LISTEN ${channel}`);
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await client?.end().catch(() => {});
  };
}

/** Retries with exponential back-off (capped at 5 s) until the server answers or the time is up. */
async function waitForServer(
  pool: pg.Pool,
  timeoutSeconds: number,
  onRetry: OpenDatabaseOptions['onRetry'],
): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (error) {
      const wait = Math.min(5_000, 250 * 2 ** (attempt - 1));
      if (Date.now() + wait > deadline) {
        await pool.end().catch(() => {});
        throw new Error(
          `Could not reach PostgreSQL at ${redactUrl(pool.options.connectionString ?? '')} after ${attempt} attempts: ${(error as Error).message}. ` +
            'Check DATABASE_URL and that the server is running.',
        );
      }
      onRetry?.(attempt, error as Error);
      await sleep(wait);
    }
  }
}

/** Hides the password of a connection string in messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
