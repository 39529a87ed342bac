import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import {
  FetchRefusedError,
  isPrivateAddress,
  isPrivateHostName,
  safeFetch,
  type SafeFetchOptions,
} from './safe-fetch.ts';

describe('address classification', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.1.2.3',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '[::1]',
    'not an address',
  ])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '100.128.0.0',
    '172.32.0.1',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '2001:db8::1',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('recognises local host names before any look-up', () => {
    for (const host of [
      'localhost',
      'api.localhost',
      'printer.local',
      'db.internal',
      '[::1]',
      '127.0.0.1',
      'LOCALHOST',
    ])
      expect(isPrivateHostName(host), host).toBe(true);
    for (const host of ['example.org', 'localhost.example.org', '8.8.8.8', '[2606:4700::1111]'])
      expect(isPrivateHostName(host), host).toBe(false);
  });
});

describe('safeFetch against a local server', () => {
  let server: http.Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      hits.push(request.url ?? '');
      const path = request.url ?? '/';
      if (path === '/doc.json') {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        response.end('{"ok":true}');
      } else if (path === '/redirect-private') {
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        response.end();
      } else if (path === '/redirect-ftp') {
        response.writeHead(302, { location: 'ftp://example.org/file' });
        response.end();
      } else if (path.startsWith('/loop')) {
        const n = Number(path.slice(5) || '0');
        response.writeHead(302, { location: `/loop${n + 1}` });
        response.end();
      } else if (path === '/redirect-doc') {
        response.writeHead(301, { location: '/doc.json' });
        response.end();
      } else if (path === '/big-declared') {
        response.writeHead(200, { 'content-length': String(5000) });
        response.end('x'.repeat(5000));
      } else if (path === '/big-streamed') {
        // No length announced: the limit must hold while the body streams in.
        response.writeHead(200, { 'content-type': 'text/plain' });
        let sent = 0;
        const more = () => {
          if (sent > 20) return response.end();
          sent++;
          response.write('y'.repeat(1000), () => setTimeout(more, 1));
        };
        more();
      } else if (path === '/slow') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => response.write('.'), 20);
        response.on('close', () => clearInterval(timer));
      } else if (path === '/missing') {
        response.writeHead(404);
        response.end();
      } else {
        response.writeHead(500);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const allowedHosts = loadConfig({ VERIFIER_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' }).verifierAllowedPrivateHosts;
  const options = (overrides: Partial<SafeFetchOptions> = {}): SafeFetchOptions => ({
    allowPrivateHosts: allowedHosts,
    maxBytes: 2048,
    timeoutMs: 2000,
    accept: 'application/json',
    ...overrides,
  });
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FetchRefusedError);
    return error as FetchRefusedError;
  };

  it('refuses a loopback server by default, without connecting', async () => {
    const before = hits.length;
    const error = await refusal(safeFetch(`${base}/doc.json`, options({ allowPrivateHosts: [] })));
    expect(error.reason).toBe('private_address');
    expect(hits.length).toBe(before);
    expect((await refusal(safeFetch('http://localhost:9/x', options({ allowPrivateHosts: [] })))).reason).toBe(
      'private_address',
    );
    expect((await refusal(safeFetch('http://[::1]:9/x', options({ allowPrivateHosts: [] })))).reason).toBe(
      'private_address',
    );
  });

  it('fetches it when the host is on the allow-list (VERIFIER_ALLOWED_PRIVATE_HOSTS)', async () => {
    expect(allowedHosts).toEqual(['127.0.0.1']);
    const fetched = await safeFetch(`${base}/doc.json`, options());
    expect(fetched).toMatchObject({ url: `${base}/doc.json`, contentType: 'application/json' });
    expect(JSON.parse(fetched.bytes.toString('utf8'))).toEqual({ ok: true });
  });

  it('refuses a name that resolves to a private address in the socket look-up (not on the allow-list)', async () => {
    // "localhost" passes no name check once allowed by address only, so the look-up itself must refuse it.
    const error = await refusal(
      safeFetch(`http://localhost.:${new URL(base).port}/doc.json`, options({ allowPrivateHosts: ['10.9.9.9'] })),
    );
    expect(['private_address', 'not_found']).toContain(error.reason);
  });

  it('follows redirects, checking each hop', async () => {
    const fetched = await safeFetch(`${base}/redirect-doc`, options());
    expect(fetched.url).toBe(`${base}/doc.json`);
    const error = await refusal(safeFetch(`${base}/redirect-private`, options()));
    expect(error.reason).toBe('private_address');
    expect(error.url).toContain('169.254.169.254');
    expect((await refusal(safeFetch(`${base}/redirect-ftp`, options()))).reason).toBe('bad_scheme');
    expect((await refusal(safeFetch(`${base}/loop0`, options()))).reason).toBe('too_many_redirects');
  });

  it('enforces the size limit, declared or streamed', async () => {
    expect((await refusal(safeFetch(`${base}/big-declared`, options()))).reason).toBe('too_large');
    expect((await refusal(safeFetch(`${base}/big-streamed`, options()))).reason).toBe('too_large');
  });

  it('enforces one time limit for the whole fetch', async () => {
    const started = Date.now();
    expect((await refusal(safeFetch(`${base}/slow`, options({ timeoutMs: 200 })))).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports HTTP errors and bad schemes with their reason', async () => {
    const missing = await refusal(safeFetch(`${base}/missing`, options()));
    expect(missing).toMatchObject({ reason: 'not_found', detail: { status: 404 } });
    expect(await refusal(safeFetch(`${base}/error`, options()))).toMatchObject({
      reason: 'http_status',
      message: 'the server answered HTTP 500',
    });
    for (const url of ['ftp://example.org/x', 'file:///etc/passwd', 'not a url', 'http://user:pw@example.org/'])
      expect((await refusal(safeFetch(url, options()))).reason, url).toBe('bad_scheme');
  });
});
