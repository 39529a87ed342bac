import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { openDatabase } from '../../src/server/db/client.ts';
import { AppError } from '../../src/server/errors.ts';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { createTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';
import { testEngine } from '../helpers/test-db.ts';

describe(`HTTP basics on ${testEngine}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { BODY_LIMIT_BYTES: '2048' },
      // Routes that exist only in this test, to drive the shared error handling with real requests.
      configure(app) {
        app.post(
          '/api/v1/test-echo',
          {
            config: { access: 'public' },
            schema: {
              body: {
                type: 'object',
                required: ['name', 'age'],
                properties: { name: { type: 'string', minLength: 2 }, age: { type: 'integer', minimum: 0 } },
              },
            },
          },
          async (request) => request.body,
        );
        app.get('/api/v1/test-crash', { config: { access: 'public' } }, async () => {
          throw new Error('secret internal detail at /srv/app.ts:12');
        });
        app.get('/api/v1/test-conflict', { config: { access: 'public' } }, async () => {
          throw new AppError('CITY_SLUG_TAKEN', undefined, [{ field: '/slug', problem: 'taken' }]);
        });
      },
    });
    await seedDemo(t.db, { catalogue: false });
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz', async () => {
    const health = await t.app.inject('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: testEngine });
  });

  it('gives every response a request id, keeping a well-formed incoming one', async () => {
    const fresh = await t.app.inject('/healthz');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'lb-abc.123' } });
    expect(kept.headers['x-request-id']).toBe('lb-abc.123');
    const replaced = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers['x-request-id']).not.toBe('bad id <script>');
  });

  it('lists and gets cities', async () => {
    const list = await t.app.inject('/api/v1/cities');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((c: { slug: string }) => c.slug)).toEqual(['plymouth', 'torino', 'vilnius']);
    const one = await t.app.inject('/api/v1/cities/vilnius');
    expect(one.json()).toMatchObject({
      slug: 'vilnius',
      languages: ['lt', 'en'],
      timeZone: 'Europe/Vilnius',
      homeUrl: 'http://learnscape.test/c/vilnius',
    });
  });

  it('says which fields are invalid', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/test-echo', payload: { name: 'x' } });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: '/name', location: 'body' }),
        expect.objectContaining({ field: '/age', location: 'body' }),
      ]),
    );
    const badParam = await t.app.inject('/api/v1/cities/Not_A_Slug');
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().error.details[0]).toMatchObject({ field: '/slug', location: 'params' });
  });

  it('rejects malformed JSON, oversize bodies and unsupported content types with their codes', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/test-echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'MALFORMED_JSON']);

    const oversize = await t.app.inject({
      method: 'POST',
      url: '/api/v1/test-echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(5000), age: 1 }),
    });
    expect([oversize.statusCode, oversize.json().error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);

    const wrongType = await t.app.inject({
      method: 'POST',
      url: '/api/v1/test-echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<name>x</name>',
    });
    expect([wrongType.statusCode, wrongType.json().error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('maps service errors to their catalogue status and code', async () => {
    const response = await t.app.inject('/api/v1/test-conflict');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      error: {
        code: 'CITY_SLUG_TAKEN',
        message: 'Another city already uses this slug.',
        details: [{ field: '/slug', problem: 'taken' }],
      },
    });
    const missing = await t.app.inject('/api/v1/cities/atlantis');
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'CITY_NOT_FOUND']);
  });

  it('never leaks internal errors or stack traces', async () => {
    const response = await t.app.inject('/api/v1/test-crash');
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('INTERNAL');
    expect(response.body).not.toContain('secret internal detail');
    expect(response.body).not.toMatch(/\bat \S+:\d+/);
  });

  it('answers unknown routes with JSON for API clients and a page for browsers', async () => {
    const api = await t.app.inject('/api/v1/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('NOT_FOUND');
    const page = await t.app.inject({ url: '/no/such/page', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Page not found');
    const unknownCity = await t.app.inject({ url: '/c/atlantis', headers: { accept: 'text/html' } });
    expect(unknownCity.statusCode).toBe(404);
    expect(unknownCity.body).toContain('<html');
  });

  it('serves the OpenAPI document and its browsable UI without remote resources', async () => {
    const json = await t.app.inject('/api/docs/json');
    expect(json.statusCode).toBe(200);
    expect(json.json().paths['/api/v1/cities']).toBeDefined();
    const ui = await t.app.inject('/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
    expect(ui.body).not.toMatch(/src="https?:\/\//);
  });

  it('refuses to start with a route that does not say who may call it', async () => {
    const app = await buildApp({ config: testConfig(), db: t.db, logger: false });
    expect(() => app.get('/api/v1/unguarded', async () => 'oops')).toThrow(/declares no access rule/);
    await app.close();
  });

  it('records the access rule of every route', () => {
    const routes = t.app.routeAccess.filter((r) => r.method === 'GET').map((r) => `${r.url} ${r.access}`);
    expect(routes).toEqual(expect.arrayContaining(['/healthz public', '/api/v1/cities public', '/c/:slug public']));
  });
});

describe.runIf(testEngine === 'postgres')('readiness while PostgreSQL goes away and comes back', () => {
  it('is 503 while the database is unreachable and recovers when it returns', async () => {
    const { createTestDatabase } = await import('../helpers/test-db.ts');
    const database = await createTestDatabase();
    const target = new URL(database.databaseUrl as string);
    // A TCP relay we can cut, standing in for a network or server outage.
    const sockets = new Set<net.Socket>();
    let accepting = true;
    const relay = net.createServer((client) => {
      if (!accepting) return client.destroy();
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayUrl = new URL(target);
    relayUrl.host = `127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
    const db = await openDatabase({ databaseUrl: relayUrl.toString(), poolMax: 2 });
    const app = await buildApp({ config: testConfig(), db, logger: false });
    try {
      expect((await app.inject('/readyz')).statusCode).toBe(200);
      accepting = false;
      for (const socket of sockets) socket.destroy();
      const down = await app.inject('/readyz');
      expect(down.statusCode).toBe(503);
      expect(down.json().error.code).toBe('DATABASE_UNAVAILABLE');
      expect((await app.inject('/healthz')).statusCode).toBe(200);
      accepting = true;
      expect((await app.inject('/readyz')).statusCode).toBe(200);
    } finally {
      await app.close();
      await db.close();
      relay.close();
      await database.drop();
    }
  });
});
