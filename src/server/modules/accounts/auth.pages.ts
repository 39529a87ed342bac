import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { fieldErrorsFrom } from '../../../web/forms.ts';
import { loginPage } from '../../../web/pages/login.ts';
import { AppError } from '../../errors.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import type { UserActor } from './actor.ts';
import { clearSessionCookie, loginRateLimit, requestMeta, setSessionCookie } from './auth.routes.ts';
import { signInWithPassword } from './auth.service.ts';
import { endSession } from './sessions.service.ts';

/** Only same-site paths may be a redirect target after sign-in (no open redirects). */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

const LoginForm = Type.Object({
  email: Type.String({ maxLength: 254 }),
  password: Type.String({ maxLength: 256 }),
  next: Type.Optional(Type.String({ maxLength: 2000 })),
  _csrf: Type.Optional(Type.String()),
});

export async function authPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/login',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        querystring: Type.Object({ next: Type.Optional(Type.String()), lang: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      const context = pageContext(request, reply);
      return sendPage(
        reply,
        loginPage(context, { email: '', next: safeNextPath(request.query.next), errors: {}, sso: app.config.oidc }),
      );
    },
  );

  app.post(
    '/login',
    { config: { access: 'public', rateLimit: loginRateLimit }, schema: { hide: true, body: LoginForm } },
    async (request, reply) => {
      const next = safeNextPath(request.body.next);
      try {
        const { session } = await signInWithPassword(app.db, request.body, requestMeta(request));
        setSessionCookie(request, reply, session);
        return reply.redirect(next, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        const context = pageContext(request, reply);
        const errors = error.details.length > 0 ? fieldErrorsFrom(error.details) : { password: error.message };
        return sendPage(
          reply,
          loginPage(context, { email: request.body.email, next, errors, sso: app.config.oidc }),
          error.status,
        );
      }
    },
  );

  app.post('/logout', { config: { access: 'authenticated' }, schema: { hide: true } }, async (request, reply) => {
    await endSession(app.db, (request.actor as UserActor).sessionId);
    clearSessionCookie(request, reply);
    return reply.redirect('/', 303);
  });
}
