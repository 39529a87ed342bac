import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { safeNextPath } from './auth.pages.ts';
import { requestMeta, setSessionCookie } from './auth.routes.ts';
import { OidcClient, personForIdentity, type OidcAttempt } from './oidc.service.ts';
import { startSession } from './sessions.service.ts';

const ATTEMPT_COOKIE = 'ls_oidc';
const ATTEMPT_MAX_AGE_SECONDS = 600;

/**
 * Single sign-on with OpenID Connect (authorization code + PKCE), when OIDC_ISSUER is configured. The state, nonce
 * and PKCE verifier wait in a short-lived HttpOnly cookie; the state must come back unchanged from the provider.
 */
export async function oidcRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const settings = app.config.oidc;
  const client = settings ? new OidcClient(settings, app.config.publicUrl) : undefined;
  const secure = app.config.publicUrl.startsWith('https:');

  app.get(
    '/auth/oidc/start',
    {
      config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        hide: true,
        querystring: Type.Object({
          next: Type.Optional(Type.String({ maxLength: 2000 })),
          city: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,64}$' })),
        }),
      },
    },
    async (request, reply) => {
      if (!client) throw new AppError('SSO_NOT_CONFIGURED');
      const { url, attempt } = await client.start(safeNextPath(request.query.next), request.query.city ?? null);
      reply.setCookie(ATTEMPT_COOKIE, Buffer.from(JSON.stringify(attempt)).toString('base64url'), {
        path: '/auth/oidc',
        httpOnly: true,
        // Lax: the provider sends the browser back with a top-level GET, which carries Lax cookies.
        sameSite: 'lax',
        secure,
        maxAge: ATTEMPT_MAX_AGE_SECONDS,
      });
      return reply.redirect(url, 303);
    },
  );

  app.get(
    '/auth/oidc/callback',
    { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { hide: true } },
    async (request, reply) => {
      if (!client || !settings) throw new AppError('SSO_NOT_CONFIGURED');
      const raw = request.cookies[ATTEMPT_COOKIE];
      reply.clearCookie(ATTEMPT_COOKIE, { path: '/auth/oidc', secure });
      let attempt: OidcAttempt;
      try {
        attempt = JSON.parse(Buffer.from(raw ?? '', 'base64url').toString('utf8')) as OidcAttempt;
        if (typeof attempt.state !== 'string' || typeof attempt.codeVerifier !== 'string')
          throw new Error('bad attempt');
      } catch {
        throw new AppError('SSO_FAILED', 'The sign-in took too long or was started elsewhere. Try again.');
      }
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      const claims = await client.finish(query, attempt);
      const { userId, created } = await personForIdentity(app.db, settings.issuer, claims, attempt.citySlug);
      const session = await startSession(app.db, userId, requestMeta(request));
      setSessionCookie(request, reply, session);
      // A new account still needs a date of birth: the account page asks for it.
      return reply.redirect(created ? '/account' : safeNextPath(attempt.next), 303);
    },
  );
}
