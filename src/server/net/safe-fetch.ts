import { lookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Fetching URLs that strangers give us (calendar feeds, badges to verify, the documents a credential points to)
 * without letting them reach our own network (SSRF): http(s) only, every redirect checked again (at most five),
 * private, loopback and link-local addresses refused — by name before connecting, and by the socket's own DNS
 * look-up so a rebinding DNS cannot answer differently the second time — a size limit enforced while the body
 * streams in, and one time limit for the whole fetch, redirects included.
 */

export const MAX_REDIRECTS = 5;

export type FetchRefusedReason =
  | 'bad_scheme'
  | 'private_address'
  | 'too_large'
  | 'timeout'
  | 'http_status'
  | 'not_found'
  | 'too_many_redirects'
  | 'unreachable';

const reasonMessages: Record<FetchRefusedReason, string> = {
  bad_scheme: 'the address is not an http(s) URL',
  private_address: 'the address points at a private or local network',
  too_large: 'the response is too large',
  timeout: 'the server did not answer in time',
  http_status: 'the server answered with an error',
  not_found: 'nothing was found at the address',
  too_many_redirects: 'the address redirects too many times',
  unreachable: 'the server could not be reached',
};

/** Why a fetch was refused or failed, as a stable reason code, with the URL concerned and any detail. */
export class FetchRefusedError extends Error {
  override name = 'FetchRefusedError';

  constructor(
    readonly reason: FetchRefusedReason,
    readonly url: string,
    readonly detail: { status?: number; limit?: number; code?: string } = {},
  ) {
    super(
      reason === 'http_status' || (reason === 'not_found' && detail.status)
        ? `the server answered HTTP ${detail.status}`
        : reason === 'unreachable' && detail.code
          ? `${reasonMessages.unreachable} (${detail.code})`
          : reasonMessages[reason],
    );
  }
}

export interface SafeFetchOptions {
  /** Private or local hosts (names or addresses) that may be fetched anyway, or 'all' (tests, intranets). */
  allowPrivateHosts: readonly string[] | 'all';
  maxBytes: number;
  /** One limit for the whole fetch, redirects included. */
  timeoutMs: number;
  /** The Accept header. */
  accept: string;
  userAgent?: string;
}

export interface FetchedResource {
  /** The final URL, after redirects. */
  url: string;
  /** The media type without parameters, lower-cased ('' when the server sent none). */
  contentType: string;
  bytes: Buffer;
}

// ── Address classification ────────────────────────────────────────────────────────────────────────────────────────

/** Addresses nobody outside may make us call: loopback, private, link-local, carrier-grade NAT, multicast, unspecified. */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** IPv4 written inside IPv6 (`::ffff:10.0.0.1`, `::ffff:a00:1`, NAT64 `64:ff9b::a00:1`) — judged as the IPv4 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (dotted) return dotted;
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = Number.parseInt(hex[1] as string, 16);
  const low = Number.parseInt(hex[2] as string, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** True for an address we must not connect to on a stranger's behalf. Anything that is not an IP address counts. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = embeddedIpv4(bare);
  if (mapped) return isPrivateAddress(mapped);
  const family = isIP(bare);
  if (family === 0) return true;
  return blocked.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** True when the host is written as a private address or a local name (checked before any DNS look-up). */
export function isPrivateHostName(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host)) return isPrivateAddress(host);
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal');
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Whether the allow-list lets a private host (by its name, or the address it resolved to) through. */
function allowed(allowList: SafeFetchOptions['allowPrivateHosts'], host: string): boolean {
  if (allowList === 'all') return true;
  const bare = bareHost(host);
  return allowList.some((entry) => bareHost(entry) === bare);
}

/**
 * A DNS look-up that refuses private addresses, given to the socket itself so a rebinding DNS cannot slip past the
 * check made on the name. Addresses (or the name) on the allow-list pass.
 */
export function guardedLookup(allowList: SafeFetchOptions['allowPrivateHosts']): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as unknown as { address: string; family: number }[];
      const usable = allowed(allowList, hostname)
        ? list
        : list.filter((entry) => !isPrivateAddress(entry.address) || allowed(allowList, entry.address));
      const first = usable[0];
      if (!first)
        return callback(
          Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EPRIVATE' }),
          '',
          4,
        );
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
      callback(null, first.address, first.family);
    });
  };
}

// ── Fetching ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** Parses and checks one hop's URL: http(s), no user:password, and a host that is not private (unless allowed). */
function checkedUrl(raw: string, options: SafeFetchOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchRefusedError('bad_scheme', raw);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
    throw new FetchRefusedError('bad_scheme', raw);
  if (isPrivateHostName(url.hostname) && !allowed(options.allowPrivateHosts, url.hostname))
    throw new FetchRefusedError('private_address', url.toString());
  url.hash = '';
  return url;
}

type Hop = { location: string } | FetchedResource;

function fetchOnce(target: URL, options: SafeFetchOptions, deadline: number): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    const client = target.protocol === 'https:' ? https : http;
    const url = target.toString();
    let settled = false;
    const settle = (error: Error | null, value?: Hop) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value as Hop);
    };
    const request = client.get(
      target,
      {
        // A socket of our own: a pooled one may have been opened by code that did not guard its look-up.
        agent: false,
        lookup: guardedLookup(options.allowPrivateHosts),
        headers: { accept: options.accept, 'user-agent': options.userAgent ?? 'Learnscape' },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400 && response.headers.location) {
          response.resume();
          let location: string;
          try {
            location = new URL(response.headers.location, target).toString();
          } catch {
            settle(new FetchRefusedError('bad_scheme', response.headers.location));
            return;
          }
          settle(null, { location });
          request.destroy();
          return;
        }
        if (status < 200 || status >= 300) {
          response.resume();
          settle(
            new FetchRefusedError(status === 404 || status === 410 ? 'not_found' : 'http_status', url, { status }),
          );
          request.destroy();
          return;
        }
        const declared = Number(response.headers['content-length'] ?? 0);
        if (declared > options.maxBytes) {
          settle(new FetchRefusedError('too_large', url, { limit: options.maxBytes }));
          request.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            settle(new FetchRefusedError('too_large', url, { limit: options.maxBytes }));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          settle(null, {
            url,
            contentType: (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '',
            bytes: Buffer.concat(chunks),
          }),
        );
        response.on('error', (error) => settle(error));
        response.on('aborted', () => settle(new FetchRefusedError('unreachable', url, { code: 'ECONNRESET' })));
      },
    );
    const timer = setTimeout(
      () => {
        settle(new FetchRefusedError('timeout', url));
        request.destroy();
      },
      Math.max(1, deadline - Date.now()),
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPRIVATE') settle(new FetchRefusedError('private_address', url));
      else if (error.code === 'ENOTFOUND') settle(new FetchRefusedError('not_found', url, { code: error.code }));
      else settle(new FetchRefusedError('unreachable', url, { code: error.code ?? error.message }));
    });
  });
}

/**
 * Fetches a URL within the limits: http(s) only, at most five redirects (each checked again), private addresses
 * refused unless allowed, the size limit enforced while streaming, one time limit overall. Throws FetchRefusedError.
 */
export async function safeFetch(rawUrl: string, options: SafeFetchOptions): Promise<FetchedResource> {
  const deadline = Date.now() + options.timeoutMs;
  let next = rawUrl.trim();
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const target = checkedUrl(next, options);
    if (Date.now() >= deadline) throw new FetchRefusedError('timeout', target.toString());
    const result = await fetchOnce(target, options, deadline);
    if (!('location' in result)) return result;
    next = result.location;
  }
  throw new FetchRefusedError('too_many_redirects', rawUrl);
}
