import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { FieldErrors } from '../../../web/forms.ts';
import type { Translate } from '../../../web/i18n.ts';
import { accountDeletedPage, accountPage, deleteAccountPage, exportPage } from '../../../web/pages/account.ts';
import { emailFormPage, guardianPage, messagePage, resetPasswordPage } from '../../../web/pages/people-flows.ts';
import { translatedErrors } from '../../../web/pages/people-forms.ts';
import { checkEmailPage, chooseCityPage, signUpPage } from '../../../web/pages/signup.ts';
import { AppError } from '../../errors.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import { cityHomePath } from '../cities/cities.pages.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityLanguages, cityName, listCities } from '../cities/cities.service.ts';
import type { UserActor } from './actor.ts';
import { clearSessionCookie } from './auth.routes.ts';
import {
  changePassword,
  confirmEmailChange,
  requestEmailChange,
  requestPasswordReset,
  resetPassword,
} from './credentials.service.ts';
import { deleteAccount, exportStatus, openExport, requestDataExport } from './gdpr.service.ts';
import { describeConsentLink, giveConsent, withdrawConsent } from './guardian.service.ts';
import { parseMultipart, type MultipartBody } from './multipart.ts';
import { CitySlugParam, JobIdParam } from './people.schemas.ts';
import { emailLinkRateLimit, sendOwnAvatar, signupRateLimit, tokenRateLimit } from './people.routes.ts';
import { accountView, AVATAR_MAX_BYTES, removeAvatar, saveProfile, sessionsOf, setAvatar } from './profile.service.ts';
import { endAllSessions } from './sessions.service.ts';
import { completeDateOfBirth, resendVerification, signUp, verifyEmail } from './signup.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Csrf = { _csrf: Type.Optional(Type.String()) };
const TokenQuery = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 200 })),
  lang: Type.Optional(Type.String()),
});
const TokenForm = Type.Object({ token: Type.String({ maxLength: 200 }), ...Csrf });
const EmailForm = Type.Object({ email: Type.String({ maxLength: 254 }), ...Csrf });

function user(request: FastifyRequest): UserActor {
  return request.actor as UserActor;
}

/** AppErrors below 500 become field errors on the page; anything else goes to the error handler. */
function asFormErrors(error: unknown, t: Translate): FieldErrors {
  if (
    !(error instanceof AppError) ||
    error.status >= 500 ||
    error.code === 'RATE_LIMITED' ||
    error.code === 'CSRF_FAILED'
  ) {
    throw error;
  }
  return translatedErrors(t, error.details, t(`accounts:errors.${error.code}`, { defaultValue: error.message }));
}

function cityContext(request: FastifyRequest, reply: FastifyReply, city: CityRecord) {
  const languages = cityLanguages(city);
  const context = pageContext(request, reply, { languages, defaultLanguage: languages[0] ?? 'en' });
  context.city = {
    slug: city.slug,
    name: cityName(city, context.language),
    homePath: cityHomePath(city),
    status: city.status,
  };
  return context;
}

/** A page for a link that cannot be used (unknown, expired, used), in the page language. */
function tokenErrorPage(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  if (!(error instanceof AppError) || !['TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_USED'].includes(error.code))
    throw error;
  const context = pageContext(request, reply);
  const { t } = context;
  return sendPage(
    reply,
    messagePage(context, t('accounts:tokenError.title'), [t(`accounts:tokenError.${error.code}`)], {
      href: '/login',
      label: t('accounts:login.title'),
    }),
    error.status,
  );
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export async function peoplePages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  // The avatar form posts multipart/form-data; fields become strings, the file a buffer.
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: AVATAR_MAX_BYTES + 64 * 1024 },
    (request, body, done) => {
      try {
        done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
      } catch {
        done(new AppError('BAD_REQUEST'), undefined);
      }
    },
  );

  async function renderAccount(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      form?: 'profile' | 'avatar' | 'email' | 'password' | 'dateOfBirth';
      errors?: FieldErrors;
      notice?: string;
      status?: number;
    } = {},
  ) {
    const context = pageContext(request, reply);
    const actor = user(request);
    const [view, sessions, cities] = await Promise.all([
      accountView(app.db, actor.userId),
      sessionsOf(app.db, actor.userId, actor.sessionId),
      listCities(app.db),
    ]);
    return sendPage(
      reply,
      accountPage(context, {
        ...view,
        pronouns: view.pronouns ?? '',
        languages: view.languages.join(', '),
        interests: view.interests.join(', '),
        homeDistrict: view.homeDistrict ?? '',
        homeCityName: view.homeCity
          ? cityName({ name: view.homeCity.name, defaultLanguage: 'en' }, context.language)
          : null,
        avatarUrl: '/account/avatar',
        sessions,
        cities: cities
          .filter((c) => c.status === 'active')
          .map((c) => ({ slug: c.slug, name: cityName(c, context.language) })),
        form: extra.form,
        errors: extra.errors ?? {},
        notice: extra.notice,
      }),
      extra.status ?? 200,
    );
  }

  // ── Sign-up ─────────────────────────────────────────────────────────────────────────────────────────────────────

  app.get('/signup', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const context = pageContext(request, reply);
    const cities = (await listCities(app.db)).filter((c) => c.status === 'active');
    return sendPage(
      reply,
      chooseCityPage(
        context,
        cities.map((c) => ({ slug: c.slug, name: cityName(c, context.language) })),
      ),
    );
  });

  const SignUpForm = Type.Object({
    email: Type.String({ maxLength: 254 }),
    displayName: Type.String({ maxLength: 200 }),
    password: Type.String({ maxLength: 256 }),
    dateOfBirth: Type.String({ maxLength: 20 }),
    guardianEmail: Type.Optional(Type.String({ maxLength: 254 })),
    ...Csrf,
  });

  app.get(
    '/c/:citySlug/signup',
    { config: { access: 'public' }, schema: { hide: true, params: CitySlugParam } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityContext(request, reply, city);
      const empty = { email: '', displayName: '', dateOfBirth: '', guardianEmail: '', errors: {} };
      return sendPage(
        reply,
        signUpPage(
          context,
          {
            slug: city.slug,
            name: context.city?.name ?? city.slug,
            archived: city.status === 'archived',
            consentAge: city.consentAge,
          },
          empty,
          app.config.oidc ?? null,
        ),
      );
    },
  );

  app.post(
    '/c/:citySlug/signup',
    {
      config: { access: 'public', rateLimit: signupRateLimit },
      schema: { hide: true, params: CitySlugParam, body: SignUpForm },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityContext(request, reply, city);
      try {
        await signUp(app.db, city, request.body, { publicUrl: app.config.publicUrl, language: context.language });
        return sendPage(reply, checkEmailPage(context), 202);
      } catch (error) {
        const errors = asFormErrors(error, context.t);
        const { email, displayName, dateOfBirth, guardianEmail = '' } = request.body;
        return sendPage(
          reply,
          signUpPage(
            context,
            { slug: city.slug, name: context.city?.name ?? city.slug, archived: false, consentAge: city.consentAge },
            { email, displayName, dateOfBirth, guardianEmail, errors },
            app.config.oidc ?? null,
          ),
          (error as AppError).status,
        );
      }
    },
  );

  // ── Email verification ──────────────────────────────────────────────────────────────────────────────────────────

  app.get(
    '/verify-email',
    { config: { access: 'public', rateLimit: tokenRateLimit }, schema: { hide: true, querystring: TokenQuery } },
    async (request, reply) => {
      try {
        const person = await verifyEmail(app.db, request.query.token ?? '');
        const context = pageContext(request, reply);
        const { t } = context;
        const paragraphs = [t('accounts:verify.doneBody')];
        if (person.status === 'limited') paragraphs.push(t('accounts:verify.limitedBody'));
        return sendPage(
          reply,
          messagePage(context, t('accounts:verify.doneTitle'), paragraphs, {
            href: '/login',
            label: t('accounts:login.title'),
          }),
        );
      } catch (error) {
        return tokenErrorPage(request, reply, error);
      }
    },
  );

  app.get('/verify-email/resend', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const context = pageContext(request, reply);
    const { t } = context;
    return sendPage(
      reply,
      emailFormPage(context, {
        title: t('accounts:verify.resendTitle'),
        intro: t('accounts:verify.resendIntro'),
        action: '/verify-email/resend',
        submit: t('accounts:verify.resendSubmit'),
        email: '',
        errors: {},
      }),
    );
  });

  app.post(
    '/verify-email/resend',
    { config: { access: 'public', rateLimit: emailLinkRateLimit }, schema: { hide: true, body: EmailForm } },
    async (request, reply) => {
      const context = pageContext(request, reply);
      await resendVerification(app.db, request.body.email, {
        publicUrl: app.config.publicUrl,
        language: context.language,
      });
      return sendPage(reply, checkEmailPage(context), 202);
    },
  );

  // ── Password reset ──────────────────────────────────────────────────────────────────────────────────────────────

  app.get('/forgot-password', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const context = pageContext(request, reply);
    const { t } = context;
    return sendPage(
      reply,
      emailFormPage(context, {
        title: t('accounts:forgot.title'),
        intro: t('accounts:forgot.intro'),
        action: '/forgot-password',
        submit: t('accounts:forgot.submit'),
        email: '',
        errors: {},
      }),
    );
  });

  app.post(
    '/forgot-password',
    { config: { access: 'public', rateLimit: emailLinkRateLimit }, schema: { hide: true, body: EmailForm } },
    async (request, reply) => {
      const context = pageContext(request, reply);
      await requestPasswordReset(app.db, request.body.email, {
        publicUrl: app.config.publicUrl,
        language: context.language,
      });
      const { t } = context;
      return sendPage(
        reply,
        messagePage(context, t('accounts:forgot.sentTitle'), [t('accounts:forgot.sentBody')]),
        202,
      );
    },
  );

  app.get(
    '/reset-password',
    { config: { access: 'public' }, schema: { hide: true, querystring: TokenQuery } },
    async (request, reply) =>
      sendPage(reply, resetPasswordPage(pageContext(request, reply), request.query.token ?? '', {})),
  );

  app.post(
    '/reset-password',
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: {
        hide: true,
        body: Type.Object({
          token: Type.String({ maxLength: 200 }),
          password: Type.String({ maxLength: 256 }),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      const context = pageContext(request, reply);
      const { t } = context;
      try {
        await resetPassword(app.db, request.body.token, request.body.password);
        clearSessionCookie(request, reply);
        return sendPage(
          reply,
          messagePage(context, t('accounts:reset.doneTitle'), [t('accounts:reset.doneBody')], {
            href: '/login',
            label: t('accounts:login.title'),
          }),
        );
      } catch (error) {
        if (error instanceof AppError && error.code.startsWith('TOKEN_')) return tokenErrorPage(request, reply, error);
        const errors = asFormErrors(error, t);
        return sendPage(reply, resetPasswordPage(context, request.body.token, errors), (error as AppError).status);
      }
    },
  );

  // ── Guardian consent ───────────────────────────────────────────────────────────────────────────────────────────

  for (const [path, action] of [
    ['consent', 'give'],
    ['withdraw', 'withdraw'],
  ] as const) {
    app.get(
      `/guardian/${path}`,
      { config: { access: 'public', rateLimit: tokenRateLimit }, schema: { hide: true, querystring: TokenQuery } },
      async (request, reply) => {
        const context = pageContext(request, reply);
        try {
          const token = request.query.token ?? '';
          const view = await describeConsentLink(app.db, action, token, context.language);
          return sendPage(reply, guardianPage(context, { ...view, token }));
        } catch (error) {
          return tokenErrorPage(request, reply, error);
        }
      },
    );

    app.post(
      `/guardian/${path}`,
      { config: { access: 'public', rateLimit: tokenRateLimit }, schema: { hide: true, body: TokenForm } },
      async (request, reply) => {
        const context = pageContext(request, reply);
        const { t } = context;
        try {
          const mail = { publicUrl: app.config.publicUrl, language: context.language };
          const result =
            action === 'give'
              ? await giveConsent(app.db, request.body.token, mail)
              : await withdrawConsent(app.db, request.body.token, mail);
          const vars = { minor: result.minorName, city: result.cityName };
          return sendPage(
            reply,
            action === 'give'
              ? messagePage(context, t('accounts:guardian.consentDoneTitle'), [
                  t('accounts:guardian.consentDone', vars),
                ])
              : messagePage(context, t('accounts:guardian.withdrawDoneTitle'), [
                  t('accounts:guardian.withdrawDone', vars),
                ]),
          );
        } catch (error) {
          return tokenErrorPage(request, reply, error);
        }
      },
    );
  }

  // ── The account page ───────────────────────────────────────────────────────────────────────────────────────────

  app.get('/account', { config: { access: 'authenticated' }, schema: { hide: true } }, async (request, reply) => {
    const notice = (request.query as { done?: string }).done;
    const { t } = pageContext(request, reply);
    const known = ['profile', 'avatar', 'emailSent', 'password', 'dateOfBirth', 'emailConfirmed'];
    return renderAccount(request, reply, {
      notice: notice && known.includes(notice) ? t(`accounts:account.done.${notice}`) : undefined,
    });
  });

  app.post(
    '/account/profile',
    {
      config: { access: 'authenticated' },
      schema: {
        hide: true,
        body: Type.Object({
          displayName: Type.String({ maxLength: 200 }),
          pronouns: Type.Optional(Type.String({ maxLength: 100 })),
          languages: Type.Optional(Type.String({ maxLength: 500 })),
          interests: Type.Optional(Type.String({ maxLength: 2000 })),
          homeDistrict: Type.Optional(Type.String({ maxLength: 200 })),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      try {
        await saveProfile(app.db, user(request).userId, {
          displayName: request.body.displayName,
          pronouns: request.body.pronouns,
          languages: splitList(request.body.languages),
          interests: splitList(request.body.interests),
          homeDistrict: request.body.homeDistrict,
        });
        return reply.redirect('/account?done=profile', 303);
      } catch (error) {
        const { t } = pageContext(request, reply);
        return renderAccount(request, reply, {
          form: 'profile',
          errors: asFormErrors(error, t),
          status: (error as AppError).status,
        });
      }
    },
  );

  app.post(
    '/account/avatar',
    { config: { access: 'authenticated' }, bodyLimit: AVATAR_MAX_BYTES + 64 * 1024, schema: { hide: true } },
    async (request, reply) => {
      const file = (request.body as MultipartBody | undefined)?.avatar;
      try {
        if (!file || typeof file === 'string' || file.bytes.length === 0)
          throw new AppError('AVATAR_INVALID', undefined, [{ field: '/avatar', problem: 'missing', reason: 'avatar' }]);
        await setAvatar(app.db, app.config.dataDir, user(request).userId, file.bytes);
        return reply.redirect('/account?done=avatar', 303);
      } catch (error) {
        const { t } = pageContext(request, reply);
        return renderAccount(request, reply, {
          form: 'avatar',
          errors: asFormErrors(error, t),
          status: (error as AppError).status,
        });
      }
    },
  );

  app.post(
    '/account/avatar/delete',
    { config: { access: 'authenticated' }, schema: { hide: true } },
    async (request, reply) => {
      await removeAvatar(app.db, app.config.dataDir, user(request).userId);
      return reply.redirect('/account?done=avatar', 303);
    },
  );

  app.get(
    '/account/avatar',
    { config: { access: 'authenticated' }, schema: { hide: true } },
    async (request, reply) => {
      return sendOwnAvatar(request, reply);
    },
  );

  app.post(
    '/account/email',
    {
      config: { access: 'authenticated', rateLimit: { max: 10, timeWindow: '15 minutes' } },
      schema: {
        hide: true,
        body: Type.Object({
          newEmail: Type.String({ maxLength: 254 }),
          password: Type.Optional(Type.String({ maxLength: 256 })),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      const context = pageContext(request, reply);
      try {
        await requestEmailChange(
          app.db,
          user(request).userId,
          { newEmail: request.body.newEmail, password: request.body.password ?? '' },
          { publicUrl: app.config.publicUrl, language: context.language },
        );
        return reply.redirect('/account?done=emailSent', 303);
      } catch (error) {
        return renderAccount(request, reply, {
          form: 'email',
          errors: asFormErrors(error, context.t),
          status: (error as AppError).status,
        });
      }
    },
  );

  app.get(
    '/account/email/confirm',
    { config: { access: 'public', rateLimit: tokenRateLimit }, schema: { hide: true, querystring: TokenQuery } },
    async (request, reply) => {
      const context = pageContext(request, reply);
      try {
        const { email } = await confirmEmailChange(app.db, request.query.token ?? '', {
          publicUrl: app.config.publicUrl,
          language: context.language,
        });
        const { t } = context;
        return sendPage(
          reply,
          messagePage(
            context,
            t('accounts:account.emailConfirmedTitle'),
            [t('accounts:account.emailConfirmedBody', { email })],
            {
              href: '/account',
              label: t('accounts:account.title'),
            },
          ),
        );
      } catch (error) {
        return tokenErrorPage(request, reply, error);
      }
    },
  );

  app.post(
    '/account/password',
    {
      config: { access: 'authenticated', rateLimit: { max: 10, timeWindow: '15 minutes' } },
      schema: {
        hide: true,
        body: Type.Object({
          currentPassword: Type.Optional(Type.String({ maxLength: 256 })),
          newPassword: Type.String({ maxLength: 256 }),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      const context = pageContext(request, reply);
      try {
        await changePassword(
          app.db,
          user(request),
          { currentPassword: request.body.currentPassword ?? '', newPassword: request.body.newPassword },
          { publicUrl: app.config.publicUrl, language: context.language },
        );
        return reply.redirect('/account?done=password', 303);
      } catch (error) {
        return renderAccount(request, reply, {
          form: 'password',
          errors: asFormErrors(error, context.t),
          status: (error as AppError).status,
        });
      }
    },
  );

  app.post(
    '/account/date-of-birth',
    {
      config: { access: 'authenticated' },
      schema: {
        hide: true,
        body: Type.Object({
          dateOfBirth: Type.String({ maxLength: 20 }),
          guardianEmail: Type.Optional(Type.String({ maxLength: 254 })),
          citySlug: Type.Optional(Type.String({ maxLength: 64 })),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      const context = pageContext(request, reply);
      try {
        await completeDateOfBirth(app.db, user(request).userId, request.body, {
          publicUrl: app.config.publicUrl,
          language: context.language,
        });
        return reply.redirect('/account?done=dateOfBirth', 303);
      } catch (error) {
        return renderAccount(request, reply, {
          form: 'dateOfBirth',
          errors: asFormErrors(error, context.t),
          status: (error as AppError).status,
        });
      }
    },
  );

  app.post(
    '/account/logout-everywhere',
    { config: { access: 'authenticated' }, schema: { hide: true } },
    async (request, reply) => {
      await endAllSessions(app.db, user(request).userId);
      clearSessionCookie(request, reply);
      return reply.redirect('/login', 303);
    },
  );

  // ── Download my data, delete my account ────────────────────────────────────────────────────────────────────────

  app.post(
    '/account/export',
    { config: { access: 'authenticated', rateLimit: { max: 5, timeWindow: '1 hour' } }, schema: { hide: true } },
    async (request, reply) => {
      const context = pageContext(request, reply);
      const { jobId } = await requestDataExport(app.db, user(request).userId, {
        language: context.language,
        publicUrl: app.config.publicUrl,
        dataDir: app.config.dataDir,
      });
      return reply.redirect(`/account/exports/${jobId}`, 303);
    },
  );

  app.get(
    '/account/exports/:jobId',
    { config: { access: 'authenticated' }, schema: { hide: true, params: JobIdParam } },
    async (request, reply) => {
      const status = await exportStatus(app.db, user(request).userId, request.params.jobId);
      return sendPage(reply, exportPage(pageContext(request, reply), status));
    },
  );

  app.get(
    '/account/exports/:jobId/download',
    { config: { access: 'authenticated' }, schema: { hide: true, params: JobIdParam } },
    async (request, reply) => {
      const file = await openExport(app.db, user(request).userId, request.params.jobId);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'private, no-store')
        .send(file.bytes);
    },
  );

  app.get(
    '/account/delete',
    { config: { access: 'authenticated' }, schema: { hide: true } },
    async (request, reply) => {
      const view = await accountView(app.db, user(request).userId);
      return sendPage(
        reply,
        deleteAccountPage(pageContext(request, reply), { hasPassword: view.hasPassword, errors: {} }),
      );
    },
  );

  app.post(
    '/account/delete',
    {
      config: { access: 'authenticated', rateLimit: { max: 10, timeWindow: '15 minutes' } },
      schema: {
        hide: true,
        body: Type.Object({
          confirm: Type.String({ maxLength: 50 }),
          password: Type.Optional(Type.String({ maxLength: 256 })),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      const userId = user(request).userId;
      try {
        await deleteAccount(app.db, app.config.dataDir, userId, request.body);
      } catch (error) {
        const context = pageContext(request, reply);
        const view = await accountView(app.db, userId);
        return sendPage(
          reply,
          deleteAccountPage(context, { hasPassword: view.hasPassword, errors: asFormErrors(error, context.t) }),
          (error as AppError).status,
        );
      }
      clearSessionCookie(request, reply);
      request.actor = null;
      return sendPage(reply, accountDeletedPage(pageContext(request, reply)));
    },
  );
}
