import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../plugins/openapi.ts';
import { keyByIpAnd } from '../../plugins/rate-limit.ts';
import type { UserActor } from './actor.ts';
import { LoginBody, LogoutEverywhereResult, SessionInfo } from './auth.schemas.ts';
import { describeSession, signInWithPassword } from './auth.service.ts';
import { endAllSessions, endSession, SESSION_COOKIE, type NewSession } from './sessions.service.ts';

/** Sign-in attempts: per address and email, and per address overall. */
export const loginRateLimit = { max: 10, timeWindow: '1 minute', keyGenerator: keyByIpAnd('email') };

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: NewSession): void {
  reply.setCookie(SESSION_COOKIE, session.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.server.config.publicUrl.startsWith('https:'),
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', secure: request.server.config.publicUrl.startsWith('https:') });
}

export function requestMeta(request: FastifyRequest) {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
}

export async function authRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(SessionInfo);

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public', rateLimit: loginRateLimit },
      schema: {
        operationId: 'login',
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the session cookie',
        body: LoginBody,
        response: { 200: Type.Ref('SessionInfo'), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { session, actor } = await signInWithPassword(app.db, request.body, requestMeta(request));
      setSessionCookie(request, reply, session);
      return { signedIn: true, user: await describeSession(app.db, actor), csrfToken: session.csrfToken };
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getSession',
        tags: ['auth'],
        summary: 'Who is signed in, and the CSRF token for state-changing requests',
        response: { 200: Type.Ref('SessionInfo') },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const actor = request.actor;
      if (actor?.kind !== 'user') return { signedIn: false, user: null, csrfToken: null };
      return { signedIn: true, user: await describeSession(app.db, actor), csrfToken: actor.csrfToken };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'logout',
        tags: ['auth'],
        summary: 'End this session',
        response: { 204: Type.Null(), ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      await endSession(app.db, (request.actor as UserActor).sessionId);
      clearSessionCookie(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/logout-everywhere',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'logoutEverywhere',
        tags: ['auth'],
        summary: 'End every session of the signed-in person, on every device',
        response: { 200: LogoutEverywhereResult, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const endedSessions = await endAllSessions(app.db, (request.actor as UserActor).userId);
      clearSessionCookie(request, reply);
      return { endedSessions };
    },
  );
}
