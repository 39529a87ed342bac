/**
 * HTTP throughput on this machine, loopback only, bounded in time.
 * Starts `learnscape serve` in a child process (so the load generator does not share its event loop), once on the
 * embedded PGlite and once on PostgreSQL, and measures `/healthz` and one database-backed JSON route.
 *
 *   npm run bench:http                 # 10 s per measurement
 *   BENCH_SECONDS=5 npm run bench:http
 *
 * Targets (2 cores): /healthz ≥ 20,000 req/s; the database-backed route ≥ 3,000 req/s on PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = fileURLToPath(new URL('../', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'bin/learnscape.mjs'), 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'development', SEED_DEMO: 'true', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Learnscape is running')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function measure(url: string): Promise<{ rps: number; p99: number; errors: number }> {
  // Warm up (JIT, connection pool) before the measured run.
  await autocannon({ url, connections, duration: 1 });
  const result = await autocannon({ url, connections, duration: seconds });
  return { rps: Math.round(result.requests.average), p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function benchEngine(engine: string, env: Record<string, string>) {
  const { url, child } = await startServer(env);
  try {
    for (const route of ['/healthz', '/api/v1/cities']) {
      const { rps, p99, errors } = await measure(`${url}${route}`);
      console.log(
        `${engine.padEnd(10)} ${route.padEnd(16)} ${String(rps).padStart(7)} req/s   p99 ${String(p99).padStart(4)} ms   errors ${errors}`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
  }
}

console.log(
  `Learnscape HTTP benchmark: ${connections} connections, ${seconds} s per route, ${os.cpus().length} cores, Node ${process.version}`,
);
await benchEngine('pglite', { DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ls-bench-')), DATABASE_URL: '' });

const database = `ls_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
try {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await benchEngine('postgres', { DATABASE_URL: url.toString(), DATABASE_POOL_MAX: '20' });
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}
