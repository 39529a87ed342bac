import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { FetchedResource } from '../../net/safe-fetch.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { type MultipartBody, parseMultipart } from '../accounts/multipart.ts';
import { VerifyRequestBody, VerifyResult } from './verifier.schemas.ts';
import type { RemoteFetch, VerifierInput, VerifyInputOptions } from './verifier.service.ts';
import { verifyInput } from './verifier.service.ts';

/**
 * `POST /api/v1/verify`: verify anyone's badge. Public and rate-limited (each call may fetch from the web). A badge
 * that fails verification is a 200 with `verified: false`; a 400 means nothing verifiable was given. Anyone may post a
 * multipart upload without a CSRF token (`curl -F file=@badge.png`) as long as it carries no session cookie: verifying
 * changes nothing of anyone's. A request with a session cookie still needs the session's token.
 */

/** Room for a 2 MB credential once wrapped in JSON, a form or multipart; the service enforces the 2 MB itself. */
export const VERIFY_BODY_LIMIT = 6 * 1024 * 1024;
export const verifyRateLimit = { max: 20, timeWindow: '1 minute' };
/** Marks the verifier's own in-process requests, so a verifier page never verifies on their behalf (no loops). */
export const INTERNAL_FETCH_HEADER = 'x-learnscape-verifier-fetch';

const RAW_BINARY_TYPES = ['image/png', 'image/svg+xml', 'application/octet-stream'];
const RAW_TEXT_TYPES = [
  'application/jwt',
  'application/vc+jwt',
  'application/vc+ld+json',
  'application/ld+json',
  'application/vc',
  'text/plain',
];

export interface VerifierPluginOptions {
  /** Replaces the SSRF-safe fetch for remote URLs (same contract); tests use it for hosts they cannot run. */
  fetchRemote?: RemoteFetch;
}

/** Multipart forms and raw bodies (badge images, JWTs, credentials as text) for the verifier's routes only. */
export function addVerifierBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
    } catch {
      done(new AppError('BAD_REQUEST', 'The multipart body could not be read.'), undefined);
    }
  });
  app.addContentTypeParser(RAW_BINARY_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser(RAW_TEXT_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

const nothingGiven = () =>
  new AppError('VERIFY_INPUT_INVALID', undefined, [
    {
      field: '/credential',
      problem: 'Send `{ "credential": … }` or `{ "url": … }`, a multipart `file`, or the credential or image itself.',
      reason: 'empty',
    },
  ]);

/** What the request asks to verify, from whichever body it came in. */
export function verifierInputOf(request: FastifyRequest): VerifierInput {
  const body = request.body as unknown;
  if (Buffer.isBuffer(body)) return { type: 'file', bytes: body };
  if (typeof body === 'string') return { type: 'text', text: body };
  if (!isObject(body)) throw nothingGiven();
  const multipart = (request.headers['content-type'] ?? '').startsWith('multipart/form-data');
  const file = multipart ? (body as MultipartBody).file : undefined;
  if (file && typeof file === 'object' && file.bytes.length > 0)
    return { type: 'file', bytes: file.bytes, fileName: file.fileName };
  const credential = body.credential;
  const url = body.url;
  const hasCredential = credential !== undefined && credential !== '';
  const hasUrl = typeof url === 'string' && url.trim() !== '';
  if (hasCredential && hasUrl)
    throw new AppError('VERIFY_INPUT_INVALID', undefined, [
      { field: '/url', problem: 'Give either the credential or its URL, not both.', reason: 'both_given' },
    ]);
  if (hasCredential)
    return typeof credential === 'string' ? { type: 'text', text: credential } : { type: 'json', value: credential };
  if (hasUrl) return { type: 'url', url: url as string };
  if (!multipart && '@context' in body) return { type: 'json', value: body };
  throw nothingGiven();
}

/**
 * Our own deployment's documents (issuer DID documents, status lists, hosted assertions) answered in-process with
 * `app.inject`, following redirects within the site: no network, and no dependence on how the public URL resolves.
 */
export function inProcessFetchers(
  app: FastifyInstance,
): Required<Pick<VerifyInputOptions, 'localFetch' | 'localResource'>> {
  const get = async (path: string, accept: string) => {
    let current = path;
    for (let hop = 0; hop <= 5; hop++) {
      const response = await app.inject({
        method: 'GET',
        url: current,
        headers: { accept, [INTERNAL_FETCH_HEADER]: '1' },
      });
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
        const next = new URL(location, `${app.config.publicUrl}${current}`);
        if (next.origin !== new URL(app.config.publicUrl).origin) return undefined;
        current = `${next.pathname}${next.search}`;
        continue;
      }
      return response.statusCode === 200 ? { response, path: current } : undefined;
    }
    return undefined;
  };
  return {
    localFetch: async (path) => {
      const found = await get(path, 'application/json');
      if (!found) return undefined;
      try {
        return JSON.parse(found.response.body) as unknown;
      } catch {
        return undefined;
      }
    },
    localResource: async (path, accept): Promise<FetchedResource | undefined> => {
      const found = await get(path, accept);
      if (!found) return undefined;
      const type = found.response.headers['content-type'];
      return {
        url: `${app.config.publicUrl}${found.path}`,
        contentType: (typeof type === 'string' ? type : '').split(';')[0]?.trim().toLowerCase() ?? '',
        bytes: found.response.rawPayload,
      };
    },
  };
}

export async function verifierRoutes(instance: FastifyInstance, options: VerifierPluginOptions = {}): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  addVerifierBodyParsers(app);
  const fetchers = inProcessFetchers(app);

  app.post(
    '/api/v1/verify',
    {
      config: { access: 'public', rateLimit: verifyRateLimit, csrfExemptWithoutSession: true },
      bodyLimit: VERIFY_BODY_LIMIT,
      schema: {
        operationId: 'verifyCredential',
        tags: ['verifier'],
        summary: 'Verify an Open Badge (3.0 or 2.0) from any issuer: each check passed or failed',
        description:
          'Send `application/json` `{ "credential": … }` (a JSON object, or text: JSON, a VC-JWT, an OB 2.0 JWS) or ' +
          '`{ "url": … }`; or the credential or badge itself as the body (`image/png`, `image/svg+xml`, ' +
          '`application/jwt`, `application/ld+json`, `text/plain`); or `multipart/form-data` with a `file` ' +
          '(`curl -F file=@badge.png`). No CSRF token is needed without a session cookie; a request that carries ' +
          'the session cookie needs its `x-csrf-token` (or `_csrf` field) like every other. Inputs up ' +
          'to 2 MB. URLs and the documents a credential points to are fetched from public addresses only (1 MB, 10 s ' +
          'each). The answer is 200 whether or not the badge verifies; 400 (`VERIFY_INPUT_INVALID`, ' +
          '`VERIFY_FETCH_REFUSED`, `VERIFY_INPUT_TOO_LARGE`) means nothing verifiable was given. 20 calls a minute ' +
          'per address.',
        body: { content: { 'application/json': { schema: VerifyRequestBody } } },
        response: { 200: VerifyResult, ...errorResponses(400, 413, 415, 429) },
      },
    },
    async (request) =>
      verifyInput(app.config, verifierInputOf(request), { ...fetchers, fetchRemote: options.fetchRemote }),
  );
}
