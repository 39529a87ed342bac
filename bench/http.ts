/**
 * HTTP throughput on this machine, loopback only, bounded in time: `/healthz` and one database-backed JSON route,
 * with the server in a child process, on the embedded PGlite and on PostgreSQL.
 *
 *   npm run bench:http                 # 10 s per measurement
 *   BENCH_SECONDS=5 npm run bench:http
 *
 * Targets (2 cores): /healthz ≥ 20,000 req/s; the database-backed route ≥ 3,000 req/s on PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connections, measure, seconds, startServerProcess, withScratchDatabase } from './lib.ts';

async function benchEngine(engine: string, env: Record<string, string>) {
  const server = await startServerProcess(env);
  try {
    for (const route of ['/healthz', '/api/v1/cities']) {
      const { rps, p99, errors } = await measure(`${server.url}${route}`);
      console.log(
        `${engine.padEnd(10)} ${route.padEnd(16)} ${String(rps).padStart(7)} req/s   p99 ${String(p99).padStart(4)} ms   errors ${errors}`,
      );
    }
  } finally {
    await server.stop();
  }
}

console.log(
  `Learnscape HTTP benchmark: ${connections} connections, ${seconds} s per route, ${os.cpus().length} cores, Node ${process.version}`,
);
await benchEngine('pglite', { DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ls-bench-')), DATABASE_URL: '' });
await withScratchDatabase((databaseUrl) =>
  benchEngine('postgres', { DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: '20' }),
);
