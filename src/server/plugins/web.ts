import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SafeHtml } from '../../web/html.ts';
import {
  isSupportedLanguage,
  negotiateLanguage,
  supportedLanguages,
  translatorFor,
  type Language,
} from '../../web/i18n.ts';
import type { CityView, PageContext } from '../../web/layout.ts';
import { csrfTokenFor } from './auth.ts';

export const LANGUAGE_COOKIE = 'lang';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The page language: an explicit `?lang=` choice (remembered in a cookie), then the cookie, then the browser's
 * Accept-Language, then the city's default. Only languages on offer are ever chosen.
 */
export function resolveLanguage(
  request: FastifyRequest,
  reply: FastifyReply,
  offered: readonly Language[],
  fallback: Language,
): Language {
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isSupportedLanguage(query) && offered.includes(query)) {
    reply.setCookie(LANGUAGE_COOKIE, query, {
      path: '/',
      maxAge: ONE_YEAR_SECONDS,
      sameSite: 'lax',
      httpOnly: true,
      secure: request.server.config.publicUrl.startsWith('https:'),
    });
    return query;
  }
  const cookie = request.cookies[LANGUAGE_COOKIE];
  if (isSupportedLanguage(cookie) && offered.includes(cookie)) return cookie;
  return negotiateLanguage(request.headers['accept-language'], offered) ?? fallback;
}

/** Builds the context every page render needs. Without a city, the network's languages are offered. */
export function pageContext(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { city?: CityView; languages?: readonly Language[]; defaultLanguage?: Language } = {},
): PageContext {
  const languages = options.languages ?? supportedLanguages;
  const language = resolveLanguage(request, reply, languages, options.defaultLanguage ?? languages[0] ?? 'en');
  return {
    t: translatorFor(language),
    language,
    languages,
    currentUrl: request.url,
    assets: request.server.assets,
    city: options.city,
    requestId: request.id,
    account:
      request.actor?.kind === 'user'
        ? { displayName: request.actor.displayName, limited: request.actor.status === 'limited' }
        : null,
    csrfToken: csrfTokenFor(request, reply),
  };
}

/** Sends a rendered page. Pages vary by language cookie and header, so shared caches must keep them apart. */
export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('vary', 'Accept-Language, Cookie')
    .header('cache-control', reply.hasHeader('cache-control') ? reply.getHeader('cache-control') : 'no-cache')
    .send(page.value);
}

/** True when the client is a browser asking for a page rather than an API client. */
export function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}
