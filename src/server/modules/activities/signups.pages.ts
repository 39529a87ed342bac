import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { describeVenue, formatSessionShort, formatSessionWhen } from '../../../web/emails/signups.ts';
import type { PageContext } from '../../../web/layout.ts';
import {
  activitySessionsPage,
  attendeesPage,
  cancelLinkInvalidPage,
  cancelLinkPage,
  chooseSessionPage,
  type MySignupView,
  myActivitiesPage,
  type SessionSummaryView,
  signUpPage,
  type SignUpState,
  signupResultPage,
} from '../../../web/pages/signups.ts';
import { AppError } from '../../errors.ts';
import { sendPage } from '../../plugins/web.ts';
import type { UserActor } from '../accounts/actor.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityName } from '../cities/cities.service.ts';
import { cityPageContext, field, FormBody } from '../organisations/form-body.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import {
  type AttendeeList,
  cancelByLink,
  cancelOwnSignup,
  describeCancelLink,
  describeSessionForSignup,
  getOwnSignup,
  listActivitySessionsForOrganiser,
  listAttendees,
  listMySignups,
  markAttendance,
  type MySignupRow,
  type SessionContext,
  signUp,
  signupClosedReason,
  signupPaths,
  titleIn,
  upcomingSessionsForSignup,
} from './signups.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
const Uuid = Type.String({ format: 'uuid' });
const ActivityPageParams = Type.Object({ citySlug: Slug, slug: Slug });
const SignupQuery = Type.Object({ lang: Type.Optional(Type.String()), session: Type.Optional(Type.String()) });
const PageQuery = Type.Object({ lang: Type.Optional(Type.String()), done: Type.Optional(Type.String()) });
const CityParams = Type.Object({ citySlug: Slug });
const ResultParams = Type.Object({ citySlug: Slug, signupId: Uuid });
const TokenParams = Type.Object({ citySlug: Slug, token: Type.String({ maxLength: 200 }) });
const ManageSessionParams = Type.Object({ citySlug: Slug, organisationId: Uuid, activityId: Uuid, sessionId: Uuid });
const ManageActivityParams = Type.Object({ citySlug: Slug, organisationId: Uuid, activityId: Uuid });
const CurateSessionParams = Type.Object({ citySlug: Slug, activityId: Uuid, sessionId: Uuid });

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function summaryView(context: PageContext, city: CityRecord, session: SessionContext): SessionSummaryView {
  return {
    activityTitle: titleIn(session.activityTitle, context.language, city.defaultLanguage),
    activityUrl: signupPaths.activity(city.slug, session.activitySlug),
    organisationName: session.organisationName,
    when: formatSessionWhen(session, city.timeZone, context.language),
    where: describeVenue(session, context.language),
    capacity: session.capacity,
    confirmedCount: session.confirmedCount,
    waitlistCount: session.waitlistCount,
  };
}

function mySignupView(context: PageContext, city: CityRecord, row: MySignupRow): MySignupView {
  const cancellable = row.status !== 'cancelled' && !row.session.started;
  return {
    id: row.id,
    activityTitle: titleIn(row.session.activityTitle, context.language, city.defaultLanguage),
    activityUrl: signupPaths.activity(city.slug, row.session.activitySlug),
    when: formatSessionWhen(row.session, city.timeZone, context.language),
    status: row.status,
    position: row.waitlistPosition,
    attended: row.attended,
    cancelAction: cancellable ? `${signupPaths.mine(city.slug)}/${row.id}/cancel` : null,
  };
}

/** Attendance marks from the bulk form: `attended_<signupId>` = yes | no | '' (not marked). */
export function attendanceMarksFrom(body: FormBody | undefined): { signupId: string; attended: boolean | null }[] {
  const marks: { signupId: string; attended: boolean | null }[] = [];
  for (const key of Object.keys(body ?? {})) {
    const match = /^attended_(.+)$/.exec(key);
    if (!match || !uuidPattern.test(match[1] as string)) continue;
    const value = field(body, key);
    marks.push({ signupId: match[1] as string, attended: value === 'yes' ? true : value === 'no' ? false : null });
  }
  return marks;
}

/** The pages of taking part: sign up, result, cancel link, "My activities", and the organiser's attendee lists. */
export async function signupsPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const hide = true;
  const publicUrl = app.config.publicUrl;

  async function renderSignUp(
    request: FastifyRequest,
    reply: FastifyReply,
    city: CityRecord,
    activitySlug: string,
    sessionId: string,
    error?: { message: string; status: number },
  ) {
    const context = cityPageContext(request, reply, city);
    const actor = request.actor?.kind === 'user' ? request.actor : null;
    const { session, existing } = await describeSessionForSignup(
      app.db,
      city,
      activitySlug,
      sessionId,
      actor?.userId ?? null,
    );
    const closed = signupClosedReason(session);
    const formAction = `/c/${city.slug}/activities/${activitySlug}/sign-up`;
    let state: SignUpState;
    if (existing) {
      state = {
        kind: 'exists',
        status: existing.status === 'waitlisted' ? 'waitlisted' : 'confirmed',
        position: existing.waitlistPosition,
        mineUrl: signupPaths.mine(city.slug),
      };
    } else if (closed) {
      state = { kind: 'closed', reason: closed };
    } else if (!actor) {
      const here = signupPaths.signUp(city.slug, activitySlug, session.sessionId);
      state = {
        kind: 'anonymous',
        signInUrl: `/login?next=${encodeURIComponent(here)}`,
        createAccountUrl: `/c/${city.slug}/signup`,
      };
    } else {
      state = {
        kind: 'open',
        formAction,
        sessionId: session.sessionId,
        limited: actor.status === 'limited',
        error: error?.message,
      };
    }
    return sendPage(
      reply,
      signUpPage(context, {
        session: summaryView(context, city, session),
        state,
        otherDatesUrl: `/c/${city.slug}/activities/${activitySlug}/sign-up`,
      }),
      error?.status ?? 200,
    );
  }

  app.get(
    '/c/:citySlug/activities/:slug/sign-up',
    { config: { access: 'public' }, schema: { hide, params: ActivityPageParams, querystring: SignupQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const sessionId = request.query.session ?? '';
      if (uuidPattern.test(sessionId)) return renderSignUp(request, reply, city, request.params.slug, sessionId);
      const context = cityPageContext(request, reply, city);
      const { activity, sessions } = await upcomingSessionsForSignup(app.db, city, request.params.slug);
      return sendPage(
        reply,
        chooseSessionPage(context, {
          activityTitle: titleIn(activity.title, context.language, city.defaultLanguage),
          activityUrl: signupPaths.activity(city.slug, activity.slug),
          sessions: sessions.map((session) => ({
            url: signupPaths.signUp(city.slug, activity.slug, session.sessionId),
            when: formatSessionWhen(session, city.timeZone, context.language),
            places: summaryView(context, city, session),
          })),
        }),
      );
    },
  );

  app.post(
    '/c/:citySlug/activities/:slug/sign-up',
    {
      config: {
        access: 'authenticated',
        rateLimit: {
          max: 20,
          timeWindow: '1 minute',
          keyGenerator: (request: FastifyRequest) =>
            request.actor?.kind === 'user' ? `user:${request.actor.userId}` : request.ip,
        },
      },
      schema: { hide, params: ActivityPageParams, querystring: PageQuery, body: FormBody },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const sessionId = field(request.body, 'session');
      if (!uuidPattern.test(sessionId)) throw new AppError('ACTIVITY_SESSION_NOT_FOUND');
      const context = cityPageContext(request, reply, city);
      try {
        const { signup } = await signUp(
          app.db,
          city,
          { slug: request.params.slug },
          sessionId,
          request.actor as UserActor,
          { publicUrl, language: context.language },
        );
        return reply.redirect(`${signupPaths.result(city.slug, signup.id)}?done=signed-up`, 303);
      } catch (error) {
        if (error instanceof AppError && (error.code === 'SIGNUP_EXISTS' || error.code === 'SIGNUP_NOT_OPEN')) {
          return renderSignUp(request, reply, city, request.params.slug, sessionId, {
            message: error.message,
            status: error.status,
          });
        }
        throw error;
      }
    },
  );

  app.get(
    '/c/:citySlug/sign-ups/:signupId',
    { config: { access: 'authenticated' }, schema: { hide, params: ResultParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const actor = request.actor as UserActor;
      const context = cityPageContext(request, reply, city);
      const { signup, session } = await getOwnSignup(app.db, city, request.params.signupId, actor.userId);
      return sendPage(
        reply,
        signupResultPage(context, {
          status: signup.status,
          position: signup.waitlistPosition,
          session: summaryView(context, city, session),
          email: actor.email,
          mineUrl: signupPaths.mine(city.slug),
          justSignedUp: request.query.done === 'signed-up',
        }),
      );
    },
  );

  const tokenRateLimit = { max: 30, timeWindow: '1 minute' };

  async function renderCancelLink(request: FastifyRequest, reply: FastifyReply, token: string) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    try {
      const { signup, session } = await describeCancelLink(app.db, city, token);
      const state = signup.status === 'cancelled' ? 'already' : session.started ? 'started' : 'confirm';
      return sendPage(
        reply,
        cancelLinkPage(context, {
          state,
          session: summaryView(context, city, session),
          formAction: signupPaths.cancel(city.slug, token),
        }),
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'SIGNUP_NOT_FOUND') {
        return sendPage(reply, cancelLinkInvalidPage(context), 404);
      }
      throw error;
    }
  }

  // Looking at the link never cancels (mail scanners open links); the page asks, and the form cancels.
  app.get(
    '/c/:citySlug/sign-ups/cancel/:token',
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: { hide, params: TokenParams, querystring: PageQuery },
    },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      return renderCancelLink(request, reply, request.params.token);
    },
  );

  app.post(
    '/c/:citySlug/sign-ups/cancel/:token',
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: { hide, params: TokenParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      try {
        const result = await cancelByLink(app.db, city, request.params.token, {
          publicUrl,
          language: context.language,
        });
        return sendPage(
          reply,
          cancelLinkPage(context, {
            state: result.changed ? 'done' : 'already',
            session: summaryView(context, city, result.session),
            formAction: signupPaths.cancel(city.slug, request.params.token),
          }),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'SIGNUP_NOT_FOUND') {
          return sendPage(reply, cancelLinkInvalidPage(context), 404);
        }
        if (error instanceof AppError && error.code === 'SIGNUP_SESSION_STARTED') {
          return renderCancelLink(request, reply, request.params.token);
        }
        throw error;
      }
    },
  );

  app.get(
    '/c/:citySlug/my/activities',
    { config: { access: 'authenticated' }, schema: { hide, params: CityParams, querystring: PageQuery } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const mine = await listMySignups(app.db, city, (request.actor as UserActor).userId);
      return sendPage(
        reply,
        myActivitiesPage(context, {
          cityName: cityName(city, context.language),
          upcoming: mine.upcoming.map((row) => mySignupView(context, city, row)),
          past: mine.past.map((row) => mySignupView(context, city, row)),
          notice: request.query.done === 'cancelled' ? context.t('signups:mine.cancelledNotice') : undefined,
          searchUrl: `/c/${city.slug}/activities`,
        }),
      );
    },
  );

  app.post(
    '/c/:citySlug/my/activities/:signupId/cancel',
    { config: { access: 'authenticated' }, schema: { hide, params: ResultParams, body: Type.Optional(FormBody) } },
    async (request, reply) => {
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      await cancelOwnSignup(app.db, city, request.params.signupId, request.actor as UserActor, {
        publicUrl,
        language: context.language,
      });
      return reply.redirect(`${signupPaths.mine(city.slug)}?done=cancelled`, 303);
    },
  );

  // The organiser's pages, beside the activity management pages (/c/:city/manage/:organisationId/activities/…).

  function renderAttendees(
    request: FastifyRequest,
    reply: FastifyReply,
    list: AttendeeList,
    options: { organisationId: string | null; notice?: string; error?: string; status?: number },
  ) {
    const city = cityOf(request);
    const context = cityPageContext(request, reply, city);
    const { session } = list;
    const path = options.organisationId
      ? signupPaths.attendees(city.slug, options.organisationId, session.activityId, session.sessionId)
      : null;
    return sendPage(
      reply,
      attendeesPage(context, {
        session: summaryView(context, city, session),
        sessionCancelled: session.cancelledAt !== null,
        started: session.started,
        attendees: list.attendees.map((a) => ({
          signupId: a.signupId,
          displayName: a.displayName,
          email: a.email,
          status: a.status,
          position: a.waitlistPosition,
          signedUpAt: formatSessionShort({ startsAt: a.signedUpAt, allDay: false }, city.timeZone, context.language),
          attended: a.attended,
        })),
        formAction: path,
        csvUrl: options.organisationId
          ? `/api/v1/cities/${city.slug}/organisations/${options.organisationId}/activities/${session.activityId}/sessions/${session.sessionId}/attendees.csv`
          : null,
        sessionsUrl: options.organisationId
          ? signupPaths.sessions(city.slug, options.organisationId, session.activityId)
          : null,
        notice: options.notice,
        error: options.error,
      }),
      options.status ?? 200,
    );
  }

  const manageSession = '/c/:citySlug/manage/:organisationId/activities/:activityId/sessions/:sessionId/attendees';

  app.get(
    manageSession,
    { config: { access: 'organisation_staff' }, schema: { hide, params: ManageSessionParams, querystring: PageQuery } },
    async (request, reply) => {
      const { organisationId, activityId, sessionId } = request.params;
      const list = await listAttendees(app.db, cityOf(request), organisationId, activityId, sessionId);
      const context = cityPageContext(request, reply, cityOf(request));
      return renderAttendees(request, reply, list, {
        organisationId,
        notice: request.query.done === 'attendance' ? context.t('signups:attendees.saved') : undefined,
      });
    },
  );

  app.post(
    manageSession,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: { hide, params: ManageSessionParams, body: Type.Optional(FormBody) },
    },
    async (request, reply) => {
      const { citySlug, organisationId, activityId, sessionId } = request.params;
      const city = cityOf(request);
      try {
        await markAttendance(
          app.db,
          city,
          organisationId,
          activityId,
          sessionId,
          attendanceMarksFrom(request.body),
          callerOf(request),
          app.config,
        );
      } catch (error) {
        if (error instanceof AppError && (error.code === 'ATTENDANCE_NOT_OPEN' || error.code === 'SIGNUP_NOT_FOUND')) {
          const list = await listAttendees(app.db, city, organisationId, activityId, sessionId);
          return renderAttendees(request, reply, list, { organisationId, error: error.message, status: error.status });
        }
        throw error;
      }
      return reply.redirect(
        `${signupPaths.attendees(citySlug, organisationId, activityId, sessionId)}?done=attendance`,
        303,
      );
    },
  );

  app.get(
    '/c/:citySlug/manage/:organisationId/activities/:activityId/sign-ups',
    {
      config: { access: 'organisation_staff' },
      schema: { hide, params: ManageActivityParams, querystring: PageQuery },
    },
    async (request, reply) => {
      const { organisationId, activityId } = request.params;
      const city = cityOf(request);
      const context = cityPageContext(request, reply, city);
      const { activity, sessions } = await listActivitySessionsForOrganiser(app.db, city, organisationId, activityId);
      return sendPage(
        reply,
        activitySessionsPage(context, {
          activityTitle: titleIn(activity.title, context.language, city.defaultLanguage),
          activityUrl: signupPaths.activity(city.slug, activity.slug),
          sessions: sessions.map((session) => ({
            when: formatSessionWhen(session, city.timeZone, context.language),
            cancelled: session.cancelledAt !== null,
            capacity: session.capacity,
            confirmedCount: session.confirmedCount,
            waitlistCount: session.waitlistCount,
            attendeesUrl: signupPaths.attendees(city.slug, organisationId, activityId, session.sessionId),
          })),
        }),
      );
    },
  );

  // Curators may read any attendee list of their city (no attendance form, no export).
  app.get(
    '/c/:citySlug/curate/activities/:activityId/sessions/:sessionId/attendees',
    { config: { access: 'city_curator' }, schema: { hide, params: CurateSessionParams, querystring: PageQuery } },
    async (request, reply) => {
      const { activityId, sessionId } = request.params;
      const list = await listAttendees(app.db, cityOf(request), null, activityId, sessionId);
      return renderAttendees(request, reply, list, { organisationId: null });
    },
  );
}
