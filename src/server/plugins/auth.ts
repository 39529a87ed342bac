import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canActForOrganisation, isCityCurator, isNetworkAdmin, type Actor } from '../modules/accounts/actor.ts';
import {
  actorForApiToken,
  actorForSessionToken,
  newSecret,
  SESSION_COOKIE,
  secretsMatch,
} from '../modules/accounts/sessions.service.ts';
import { findCityBySlug, type CityRecord } from '../modules/cities/cities.repo.ts';
import { AppError } from '../errors.ts';
import type { AccessRule } from './access.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person or API token, or null for anonymous requests. */
    actor: Actor | null;
    /** The city named by `:citySlug`, resolved before the access check. */
    city: CityRecord | null;
  }
  interface FastifyContextConfig {
    /** For API tokens: the scope this route needs (e.g. `activities:write`). */
    scope?: string;
    /**
     * For public APIs meant for anyone (e.g. `curl -F file=@badge.png …/api/v1/verify`): an anonymous form or multipart
     * post that carries no session cookie needs no CSRF token, since it has no ambient authority to forge. A request
     * with a session cookie keeps the full check. Only for routes whose anonymous use changes nothing of anyone's.
     */
    csrfExemptWithoutSession?: boolean;
  }
}

/** Anonymous forms carry this double-submit token (cookie + hidden field) against login CSRF. */
/** The city of a `:citySlug` route: resolved here before the handler runs (an unknown city is answered 404 first). */
export const cityOf = (request: FastifyRequest): CityRecord => request.city as CityRecord;

export const ANONYMOUS_CSRF_COOKIE = 'ls_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function isFormSubmission(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

function submittedCsrfToken(request: FastifyRequest): string | undefined {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | undefined;
  const field = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  return typeof field === 'string' ? field : undefined;
}

/** The CSRF token a page must put in its forms: the session's, or an anonymous double-submit cookie's. */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
  if (request.actor?.kind === 'user') return request.actor.csrfToken;
  let token = request.cookies[ANONYMOUS_CSRF_COOKIE];
  if (!token || token.length < 20) {
    token = newSecret(24);
    reply.setCookie(ANONYMOUS_CSRF_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: request.server.config.publicUrl.startsWith('https:'),
    });
  }
  return token;
}

function checkCsrf(request: FastifyRequest): void {
  if (!unsafeMethods.has(request.method)) return;
  const actor = request.actor;
  // Bearer tokens are not sent by browsers on their own, so they carry no ambient authority to forge.
  if (actor?.kind === 'api_token') return;
  const submitted = submittedCsrfToken(request);
  if (actor?.kind === 'user') {
    if (!submitted || !secretsMatch(submitted, actor.csrfToken)) throw new AppError('CSRF_FAILED');
    return;
  }
  // Anonymous JSON needs a CORS preflight cross-site, so only anonymous forms need the double-submit check.
  if (isFormSubmission(request)) {
    // A public API open to anyone (the route says so): without a session cookie there is nothing to forge.
    if (request.routeOptions.config.csrfExemptWithoutSession === true && !request.cookies[SESSION_COOKIE]) return;
    const cookie = request.cookies[ANONYMOUS_CSRF_COOKIE];
    if (!submitted || !cookie || !secretsMatch(submitted, cookie)) throw new AppError('CSRF_FAILED');
  }
}

function requireUser(actor: Actor | null): void {
  if (!actor) throw new AppError('UNAUTHENTICATED');
}

/** Applies a route's access rule to the request's actor and city; throws 401/403/404 AppErrors. */
export function checkAccess(rule: AccessRule, request: FastifyRequest, scope: string | undefined): void {
  const { actor, city } = request;
  switch (rule) {
    case 'public':
      return;
    case 'authenticated':
      requireUser(actor);
      if (actor?.kind !== 'user') throw new AppError('FORBIDDEN', 'This needs a signed-in person, not an API token.');
      return;
    case 'network_admin':
      requireUser(actor);
      if (!isNetworkAdmin(actor)) throw new AppError('FORBIDDEN');
      return;
    case 'city_curator':
      requireUser(actor);
      if (!city || !isCityCurator(actor, city.id)) throw new AppError('FORBIDDEN');
      return;
    case 'organisation_staff':
    case 'organisation_admin': {
      requireUser(actor);
      const organisationId = (request.params as Record<string, string>).organisationId as string;
      if (actor?.kind === 'api_token') {
        if (!city || actor.cityId !== city.id || actor.organisationId !== organisationId)
          throw new AppError('FORBIDDEN');
        if (scope && !actor.scopes.includes(scope)) {
          throw new AppError('INSUFFICIENT_SCOPE', undefined, [{ problem: `needs scope ${scope}` }]);
        }
        return;
      }
      if (!canActForOrganisation(actor, organisationId, rule === 'organisation_admin' ? 'admin' : 'staff')) {
        throw new AppError('FORBIDDEN');
      }
      return;
    }
  }
}

/**
 * Resolves who is calling (session cookie or `Authorization: Bearer lsk_…`), then, before each handler, the city
 * of `:citySlug`, the route's access rule and CSRF. Archived cities take no changes.
 */
export function registerAuth(app: FastifyInstance): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('city', null);

  app.addHook('onRequest', async (request) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      request.actor = await actorForApiToken(app.db, authorization.slice(7).trim());
      if (!request.actor) throw new AppError('INVALID_API_TOKEN');
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.actor = await actorForSessionToken(app.db, token, app.actorCache);
  });

  // A person's own changes (sign-out, new password, roles they gave up) must show on their very next request, before
  // the database's change notification has travelled back: drop their cached view as the response goes out.
  app.addHook('onSend', async (request) => {
    if (request.actor?.kind === 'user' && unsafeMethods.has(request.method))
      app.actorCache.evictUser(request.actor.userId);
  });

  // Before schema validation, so a caller who may not use a route learns nothing from its validation errors.
  app.addHook('preValidation', async (request) => {
    const config = request.routeOptions.config as { access?: AccessRule; scope?: string };
    const citySlug = (request.params as Record<string, unknown> | undefined)?.citySlug;
    if (typeof citySlug === 'string') {
      request.city = (await findCityBySlug(app.db, citySlug)) ?? null;
      if (!request.city) throw new AppError('CITY_NOT_FOUND', `No city "${citySlug}" exists here.`);
    }
    checkAccess(config.access ?? 'public', request, config.scope);
    checkCsrf(request);
    if (request.city?.status === 'archived' && unsafeMethods.has(request.method)) throw new AppError('CITY_ARCHIVED');
  });
}
