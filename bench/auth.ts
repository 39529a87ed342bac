/**
 * Sign-in and session cost on PostgreSQL, loopback only, bounded in time.
 * - logins per second: the sign-in service (argon2id at the configured cost + session insert), two at a time;
 * - the same database-backed JSON route (`GET /api/v1/cities`) anonymous and with a session cookie, server in a
 *   child process — the session lookup must keep the authenticated rate within 70% of the anonymous one.
 *
 *   npm run bench:auth     (BENCH_SECONDS, BENCH_CONNECTIONS)
 */
import os from 'node:os';
import { openDatabase } from '../src/server/db/client.ts';
import { migrate } from '../src/server/db/migrate.ts';
import { signInWithPassword } from '../src/server/modules/accounts/auth.service.ts';
import { ensureUser } from '../src/server/modules/accounts/accounts.service.ts';
import { connections, measure, seconds, startServerProcess, withScratchDatabase } from './lib.ts';

const password = 'bench password for sign-in';

console.log(
  `Learnscape auth benchmark: ${connections} connections, ${seconds} s per measurement, ${os.cpus().length} cores`,
);
await withScratchDatabase(async (databaseUrl) => {
  const db = await openDatabase({ databaseUrl, poolMax: 4 });
  await migrate(db);
  await ensureUser(db, { email: 'bench@example.org', displayName: 'Bench', password, emailVerified: true });

  const deadline = Date.now() + seconds * 1000;
  let logins = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await signInWithPassword(db, { email: 'bench@example.org', password }, { ip: '127.0.0.1', userAgent: 'bench' });
      logins++;
    }
  };
  const started = Date.now();
  await Promise.all([worker(), worker()]);
  console.log(
    `logins (argon2id m=19 MiB t=2, 2 concurrent)   ${(logins / ((Date.now() - started) / 1000)).toFixed(1)} /s`,
  );

  const { session } = await signInWithPassword(
    db,
    { email: 'bench@example.org', password },
    { ip: null, userAgent: null },
  );
  await db.close();

  const server = await startServerProcess({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: '20' });
  try {
    const anonymous = await measure(`${server.url}/api/v1/cities`);
    const signedIn = await measure(`${server.url}/api/v1/cities`, { cookie: `ls_session=${session.token}` });
    console.log(
      `GET /api/v1/cities anonymous                   ${anonymous.rps} req/s   p99 ${anonymous.p99} ms   errors ${anonymous.errors}`,
    );
    console.log(
      `GET /api/v1/cities with a session              ${signedIn.rps} req/s   p99 ${signedIn.p99} ms   errors ${signedIn.errors}`,
    );
    console.log(
      `authenticated / anonymous                      ${((signedIn.rps / anonymous.rps) * 100).toFixed(0)}% (target ≥ 70%)`,
    );
  } finally {
    await server.stop();
  }
});
