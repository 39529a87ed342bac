import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isSupportedLanguage, negotiateLanguage, supportedLanguages, type Language } from '../../../web/i18n.ts';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { keyByIpAnd } from '../../plugins/rate-limit.ts';
import { cityLanguages } from '../cities/cities.service.ts';
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
import { giveConsent, withdrawConsent } from './guardian.service.ts';
import {
  AccountSchema,
  ChangeEmailBody,
  ChangePasswordBody,
  CheckEmailResult,
  CitySlugParam,
  ConsentResult,
  DateOfBirthBody,
  DeleteAccountBody,
  DeletionResultSchema,
  EmailBody,
  EndedSessionsResult,
  ExportStarted,
  ExportStatusSchema,
  JobIdParam,
  ProfileBody,
  ResetConfirmBody,
  SessionsResult,
  SignUpBody,
  TokenBody,
  VerifiedResult,
} from './people.schemas.ts';
import {
  accountView,
  AVATAR_MAX_BYTES,
  readAvatar,
  removeAvatar,
  saveProfile,
  sessionsOf,
  setAvatar,
} from './profile.service.ts';
import { completeDateOfBirth, resendVerification, signUp, verifyEmail, type MailContext } from './signup.service.ts';

/** Public writes that send email or guess at secrets: per address and submitted email, and per address overall. */
export const signupRateLimit = { max: 5, timeWindow: '10 minutes', keyGenerator: keyByIpAnd('email') };
export const emailLinkRateLimit = { max: 5, timeWindow: '15 minutes', keyGenerator: keyByIpAnd('email') };
export const tokenRateLimit = { max: 20, timeWindow: '15 minutes' };

/** The language emails are written in: an explicit choice, else the browser's, among those offered. */
export function mailLanguage(request: FastifyRequest, offered: readonly Language[] = supportedLanguages): Language {
  const body = request.body as { language?: unknown } | undefined;
  const explicit = body?.language;
  if (isSupportedLanguage(explicit) && offered.includes(explicit)) return explicit;
  return negotiateLanguage(request.headers['accept-language'], offered) ?? offered[0] ?? 'en';
}

export function mailContext(request: FastifyRequest, offered?: readonly Language[]): MailContext {
  return { publicUrl: request.server.config.publicUrl, language: mailLanguage(request, offered) };
}

function user(request: FastifyRequest): UserActor {
  return request.actor as UserActor;
}

/** The signed-in person's avatar, never cached by shared caches. Used by the API and the account page. */
export async function sendOwnAvatar(request: FastifyRequest, reply: FastifyReply) {
  const { db, config } = request.server;
  const avatar = await readAvatar(db, config.dataDir, user(request).userId);
  return reply
    .header('content-type', avatar.contentType)
    .header('cache-control', 'private, no-cache')
    .send(avatar.bytes);
}

export async function peopleRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(CheckEmailResult);
  app.addSchema(AccountSchema);
  // Avatars may be sent as the raw image body (any of these types; the bytes decide what it really is).
  app.addContentTypeParser(
    ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: AVATAR_MAX_BYTES + 1024 },
    (_request, body, done) => done(null, body),
  );
  const tags = ['accounts'];

  app.post(
    '/api/v1/cities/:citySlug/signup',
    {
      config: { access: 'public', rateLimit: signupRateLimit },
      schema: {
        operationId: 'signUp',
        tags,
        summary:
          'Create an account in a city; a verification link is emailed (and a consent link to a minor’s guardian)',
        description:
          'The answer is the same whether or not the address already has an account (its owner gets an email instead). ' +
          'Archived cities take no sign-ups (`CITY_ARCHIVED`). Weak passwords: `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_COMMON`.',
        params: CitySlugParam,
        body: SignUpBody,
        response: { 202: Type.Ref('CheckEmailResult'), ...errorResponses(400, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const city = request.city;
      if (!city) throw new AppError('CITY_NOT_FOUND');
      const result = await signUp(app.db, city, request.body, mailContext(request, cityLanguages(city)));
      return reply.code(202).send(result);
    },
  );

  app.post(
    '/api/v1/auth/verify-email',
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: {
        operationId: 'verifyEmail',
        tags,
        summary: 'Confirm an email address with the token from the emailed link',
        body: TokenBody,
        response: { 200: VerifiedResult, ...errorResponses(400, 410, 429) },
      },
    },
    async (request) => {
      const person = await verifyEmail(app.db, request.body.token);
      return { verified: true as const, status: person.status };
    },
  );

  app.post(
    '/api/v1/auth/verify-email/resend',
    {
      config: { access: 'public', rateLimit: emailLinkRateLimit },
      schema: {
        operationId: 'resendVerification',
        tags,
        summary: 'Send a new verification link (the same answer whether or not the address has an account)',
        body: EmailBody,
        response: { 202: Type.Ref('CheckEmailResult'), ...errorResponses(400, 429) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await resendVerification(app.db, request.body.email, mailContext(request))),
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      config: { access: 'public', rateLimit: emailLinkRateLimit },
      schema: {
        operationId: 'requestPasswordReset',
        tags,
        summary: 'Email a password reset link (the same answer whether or not the address has an account)',
        body: EmailBody,
        response: { 202: Type.Ref('CheckEmailResult'), ...errorResponses(400, 429) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await requestPasswordReset(app.db, request.body.email, mailContext(request))),
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: {
        operationId: 'resetPassword',
        tags,
        summary: 'Set a new password with the reset token; every session of the account ends',
        body: ResetConfirmBody,
        response: { 200: EndedSessionsResult, ...errorResponses(400, 410, 429) },
      },
    },
    async (request) => resetPassword(app.db, request.body.token, request.body.password),
  );

  for (const action of ['consent', 'withdraw'] as const) {
    app.post(
      `/api/v1/guardian/${action}`,
      {
        config: { access: 'public', rateLimit: tokenRateLimit },
        schema: {
          operationId: action === 'consent' ? 'giveGuardianConsent' : 'withdrawGuardianConsent',
          tags,
          summary:
            action === 'consent'
              ? 'A guardian consents to a minor’s account (token from the emailed link); the account becomes active'
              : 'A guardian withdraws consent (token from the confirmation email); the account is limited again',
          body: TokenBody,
          response: { 200: ConsentResult, ...errorResponses(400, 410, 429) },
        },
      },
      async (request) => {
        const run = action === 'consent' ? giveConsent : withdrawConsent;
        const result = await run(app.db, request.body.token, mailContext(request));
        return { consentStatus: result.consentStatus, minorName: result.minorName, cityName: result.cityName };
      },
    );
  }

  app.get(
    '/api/v1/account',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getAccount',
        tags,
        summary: 'The signed-in person’s account and profile',
        response: { 200: Type.Ref('Account'), ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return accountView(app.db, user(request).userId);
    },
  );

  app.patch(
    '/api/v1/account/profile',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'updateProfile',
        tags,
        summary: 'Change display name, pronouns, languages, interests and home area (a district, never an address)',
        body: ProfileBody,
        response: { 200: Type.Ref('Account'), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => saveProfile(app.db, user(request).userId, request.body),
  );

  app.post(
    '/api/v1/account/date-of-birth',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'setDateOfBirth',
        tags,
        summary:
          'Give a date of birth once (accounts made through single sign-on); under the consent age a guardian is asked',
        body: DateOfBirthBody,
        response: { 200: Type.Ref('Account'), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      await completeDateOfBirth(app.db, user(request).userId, request.body, mailContext(request));
      return accountView(app.db, user(request).userId);
    },
  );

  app.post(
    '/api/v1/account/password',
    {
      config: { access: 'authenticated', rateLimit: { max: 10, timeWindow: '15 minutes' } },
      schema: {
        operationId: 'changePassword',
        tags,
        summary: 'Change the password; every other session ends and the person is told by email',
        body: ChangePasswordBody,
        response: { 200: EndedSessionsResult, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => changePassword(app.db, user(request), request.body, mailContext(request)),
  );

  app.post(
    '/api/v1/account/email',
    {
      config: { access: 'authenticated', rateLimit: { max: 10, timeWindow: '15 minutes' } },
      schema: {
        operationId: 'changeEmail',
        tags,
        summary: 'Start changing the email address: the new address gets a confirmation link, the old one a notice',
        body: ChangeEmailBody,
        response: { 202: Type.Ref('CheckEmailResult'), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await requestEmailChange(app.db, user(request).userId, request.body, mailContext(request))),
  );

  app.post(
    '/api/v1/account/email/confirm',
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: {
        operationId: 'confirmEmailChange',
        tags,
        summary: 'Confirm a new email address with the token from the link sent to it',
        body: TokenBody,
        response: { 200: Type.Object({ email: Type.String() }), ...errorResponses(400, 409, 410, 429) },
      },
    },
    async (request) => confirmEmailChange(app.db, request.body.token, mailContext(request)),
  );

  app.get(
    '/api/v1/account/sessions',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listSessions',
        tags,
        summary: 'The signed-in person’s live sessions (devices)',
        response: { 200: SessionsResult, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ sessions: await sessionsOf(app.db, user(request).userId, user(request).sessionId) }),
  );

  app.put(
    '/api/v1/account/avatar',
    {
      config: { access: 'authenticated' },
      bodyLimit: AVATAR_MAX_BYTES + 1024,
      schema: {
        operationId: 'setAvatar',
        tags,
        summary: 'Upload an avatar as the raw body: PNG, JPEG or WebP (checked by content), at most 2 MB',
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new AppError('AVATAR_INVALID');
      await setAvatar(app.db, app.config.dataDir, user(request).userId, request.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/account/avatar',
    {
      config: { access: 'authenticated' },
      schema: { operationId: 'removeAvatar', tags, summary: 'Remove the avatar', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await removeAvatar(app.db, app.config.dataDir, user(request).userId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/account/avatar',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getAvatar',
        tags,
        summary: 'The signed-in person’s avatar image',
        response: errorResponses(401, 404),
      },
    },
    async (request, reply) => {
      return sendOwnAvatar(request, reply);
    },
  );

  app.post(
    '/api/v1/account/exports',
    {
      config: { access: 'authenticated', rateLimit: { max: 5, timeWindow: '1 hour' } },
      schema: {
        operationId: 'requestDataExport',
        tags,
        summary:
          'Start “download my data”: a job builds a ZIP of everything about you and emails the link (kept 7 days)',
        response: { 202: ExportStarted, ...errorResponses(401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { jobId } = await requestDataExport(app.db, user(request).userId, {
        language: mailLanguage(request),
        publicUrl: app.config.publicUrl,
        dataDir: app.config.dataDir,
      });
      return reply.code(202).send({ jobId, statusUrl: `/api/v1/account/exports/${jobId}` });
    },
  );

  app.get(
    '/api/v1/account/exports/:jobId',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getDataExport',
        tags,
        summary: 'Progress of one of your data exports',
        params: JobIdParam,
        response: { 200: ExportStatusSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return exportStatus(app.db, user(request).userId, request.params.jobId);
    },
  );

  app.get(
    '/api/v1/account/exports/:jobId/download',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'downloadDataExport',
        tags,
        summary: 'Download your data export (ZIP); only you can, and only for 7 days',
        params: JobIdParam,
        response: errorResponses(401, 403, 404, 409, 410),
      },
    },
    async (request, reply) => {
      const file = await openExport(app.db, user(request).userId, request.params.jobId);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'private, no-store')
        .send(file.bytes);
    },
  );

  app.post(
    '/api/v1/account/delete',
    {
      config: { access: 'authenticated', rateLimit: { max: 10, timeWindow: '15 minutes' } },
      schema: {
        operationId: 'deleteAccount',
        tags,
        summary:
          'Delete your account: personal data is removed or anonymised in one step; the answer says what was kept and why',
        body: DeleteAccountBody,
        response: { 200: DeletionResultSchema, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const result = await deleteAccount(app.db, app.config.dataDir, user(request).userId, request.body);
      clearSessionCookie(request, reply);
      return result;
    },
  );
}
