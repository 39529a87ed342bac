import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { negotiateLanguage, translatorFor, type Language } from '../../../web/i18n.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import type { UserActor } from '../accounts/actor.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import {
  type AttendeeList,
  cancelOwnSignup,
  emailLanguageFor,
  listAttendees,
  listMySignups,
  markAttendance,
  type MySignupRow,
  type SessionContext,
  type SignupRecord,
  signUp,
  titleIn,
} from './signups.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const Uuid = Type.String({ format: 'uuid' });
const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });

const SignupParams = Type.Object({ citySlug: CitySlug, activityId: Uuid, sessionId: Uuid });
const OwnSignupParams = Type.Object({ citySlug: CitySlug, signupId: Uuid });
const CityParams = Type.Object({ citySlug: CitySlug });
const AttendeeParams = Type.Object({ citySlug: CitySlug, organisationId: Uuid, activityId: Uuid, sessionId: Uuid });
const AttendanceParams = Type.Object({
  citySlug: CitySlug,
  organisationId: Uuid,
  activityId: Uuid,
  sessionId: Uuid,
  signupId: Uuid,
});
const AttendanceBody = Type.Object(
  {
    attended: Type.Union([Type.Boolean(), Type.Null()], {
      description: 'true: came; false: did not come; null: clear the mark.',
      examples: [true],
    }),
  },
  { additionalProperties: false },
);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

const SignupSessionSchema = Type.Object(
  {
    id: Uuid,
    startsAt: DateTime,
    endsAt: DateTime,
    allDay: Type.Boolean(),
    capacity: Nullable(Type.Integer()),
    confirmedCount: Type.Integer(),
    waitlistCount: Type.Integer(),
    cancelled: Type.Boolean(),
  },
  { $id: 'SignupSession', title: 'SignupSession' },
);

const SignupSchema = Type.Object(
  {
    id: Uuid,
    status: Type.Union([Type.Literal('confirmed'), Type.Literal('waitlisted'), Type.Literal('cancelled')]),
    waitlistPosition: Nullable(Type.Integer({ description: '1-based place on the waiting list.' })),
    attended: Nullable(Type.Boolean()),
    createdAt: DateTime,
    cancelledAt: Nullable(DateTime),
    activity: Type.Object({ id: Uuid, slug: Type.String(), title: Type.String(), url: Type.String() }),
    session: Type.Ref('SignupSession'),
  },
  { $id: 'Signup', title: 'Signup' },
);
type SignupJson = Static<typeof SignupSchema>;

const SignupList = Type.Object(
  { upcoming: Type.Array(Type.Ref('Signup')), past: Type.Array(Type.Ref('Signup')) },
  { $id: 'SignupList', title: 'SignupList' },
);

const AttendeeSchema = Type.Object(
  {
    signupId: Uuid,
    userId: Uuid,
    displayName: Type.String(),
    email: Nullable(Type.String({ description: 'Not shared for accounts awaiting guardian consent.' })),
    status: Type.Union([Type.Literal('confirmed'), Type.Literal('waitlisted')]),
    waitlistPosition: Nullable(Type.Integer()),
    attended: Nullable(Type.Boolean()),
    attendanceMarkedAt: Nullable(DateTime),
    signedUpAt: DateTime,
  },
  { $id: 'Attendee', title: 'Attendee' },
);

const AttendeeListSchema = Type.Object(
  { session: Type.Ref('SignupSession'), items: Type.Array(Type.Ref('Attendee')) },
  { $id: 'AttendeeList', title: 'AttendeeList' },
);

const iso = (value: Date | string) => new Date(value).toISOString();

export function toSessionJson(session: SessionContext): Static<typeof SignupSessionSchema> {
  return {
    id: session.sessionId,
    startsAt: iso(session.startsAt),
    endsAt: iso(session.endsAt),
    allDay: session.allDay,
    capacity: session.capacity,
    confirmedCount: session.confirmedCount,
    waitlistCount: session.waitlistCount,
    cancelled: session.cancelledAt !== null,
  };
}

function toSignupJson(
  signup: SignupRecord,
  session: SessionContext,
  city: CityRecord,
  language: Language,
  publicUrl: string,
): SignupJson {
  return {
    id: signup.id,
    status: signup.status,
    waitlistPosition: signup.waitlistPosition,
    attended: signup.attended,
    createdAt: iso(signup.createdAt),
    cancelledAt: signup.cancelledAt ? iso(signup.cancelledAt) : null,
    activity: {
      id: session.activityId,
      slug: session.activitySlug,
      title: titleIn(session.activityTitle, language, city.defaultLanguage),
      url: `${publicUrl}/c/${city.slug}/activities/${session.activitySlug}`,
    },
    session: toSessionJson(session),
  };
}

function toAttendeeListJson(list: AttendeeList) {
  return {
    session: toSessionJson(list.session),
    items: list.attendees.map((a) => ({
      signupId: a.signupId,
      userId: a.userId,
      displayName: a.displayName,
      email: a.email || null,
      status: a.status,
      waitlistPosition: a.waitlistPosition,
      attended: a.attended,
      attendanceMarkedAt: a.attendanceMarkedAt ? iso(a.attendanceMarkedAt) : null,
      signedUpAt: iso(a.signedUpAt),
    })),
  };
}

/** The attendee list as CSV, with headers in the reader's language (spreadsheets open it as it is). */
export function attendeesCsv(list: AttendeeList, language: Language): string {
  const t = translatorFor(language);
  const rows = list.attendees.map((a) => [
    a.displayName,
    a.email,
    t(`signups:status.${a.status}`, { position: a.waitlistPosition ?? '' }),
    a.waitlistPosition ?? '',
    iso(a.signedUpAt),
    a.attended === null ? '' : a.attended ? t('signups:csv.yes') : t('signups:csv.no'),
  ]);
  return stringify(rows, {
    header: true,
    columns: ['name', 'email', 'status', 'position', 'signedUpAt', 'attended'].map((key) => t(`signups:csv.${key}`)),
    bom: true,
  });
}

const languageOf = (request: FastifyRequest): Language => {
  const city = cityOf(request);
  return (negotiateLanguage(request.headers['accept-language'], city.languages) ??
    emailLanguageFor(city, { languages: [] })) as Language;
};
const tags = ['signups'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

/** Sign-ups for activity sessions, "my sign-ups", and the organiser's attendee lists and attendance. */
export async function signupsRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [SignupSessionSchema, SignupSchema, SignupList, AttendeeSchema, AttendeeListSchema]) {
    app.addSchema(schema);
  }
  const publicUrl = app.config.publicUrl;

  app.post(
    '/api/v1/cities/:citySlug/activities/:activityId/sessions/:sessionId/signups',
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
      schema: {
        operationId: 'signUpForSession',
        tags,
        summary: 'Sign up for a session: a confirmed place while there is room, else the waiting list',
        description:
          'For published activities whose sign-up mode is `internal`, and sessions that have not started or been cancelled. ' +
          'The confirmation (or waiting-list notice) is emailed with a link that cancels without signing in.',
        params: SignupParams,
        security: [{ session: [] }],
        response: { 201: Type.Ref('Signup'), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const language = languageOf(request);
      const result = await signUp(
        app.db,
        city,
        { id: request.params.activityId },
        request.params.sessionId,
        request.actor as UserActor,
        { publicUrl, language },
      );
      return reply.code(201).send(toSignupJson(result.signup, result.session, city, language, publicUrl));
    },
  );

  app.delete(
    '/api/v1/cities/:citySlug/signups/:signupId',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'cancelSignup',
        tags,
        summary: 'Cancel your sign-up; a freed place goes to the first person on the waiting list',
        params: OwnSignupParams,
        security: [{ session: [] }],
        response: { 200: Type.Ref('Signup'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const language = languageOf(request);
      const result = await cancelOwnSignup(app.db, city, request.params.signupId, request.actor as UserActor, {
        publicUrl,
        language,
      });
      return toSignupJson(result.signup, result.session, city, language, publicUrl);
    },
  );

  app.get(
    '/api/v1/cities/:citySlug/me/signups',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listMySignups',
        tags,
        summary: 'Your sign-ups in this city: upcoming (soonest first), then past and cancelled',
        params: CityParams,
        security: [{ session: [] }],
        response: { 200: Type.Ref('SignupList'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const language = languageOf(request);
      const mine = await listMySignups(app.db, city, (request.actor as UserActor).userId);
      const json = (row: MySignupRow) => toSignupJson(row, row.session, city, language, publicUrl);
      return { upcoming: mine.upcoming.map(json), past: mine.past.map(json) };
    },
  );

  const attendees =
    '/api/v1/cities/:citySlug/organisations/:organisationId/activities/:activityId/sessions/:sessionId/attendees';

  app.get(
    attendees,
    {
      config: { access: 'organisation_staff', scope: 'activities:read' },
      schema: {
        operationId: 'listSessionAttendees',
        tags,
        summary: "A session's attendee list: confirmed people, then the waiting list in order",
        params: AttendeeParams,
        security,
        response: { 200: Type.Ref('AttendeeList'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { organisationId, activityId, sessionId } = request.params;
      return toAttendeeListJson(await listAttendees(app.db, cityOf(request), organisationId, activityId, sessionId));
    },
  );

  app.get(
    `${attendees}.csv`,
    {
      config: { access: 'organisation_staff', scope: 'activities:read' },
      schema: {
        operationId: 'exportSessionAttendees',
        tags,
        summary: "A session's attendee list as CSV (UTF-8 with BOM)",
        params: AttendeeParams,
        security,
        produces: ['text/csv'],
        response: {
          200: { description: 'The attendee list', content: { 'text/csv': { schema: Type.String() } } },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { organisationId, activityId, sessionId } = request.params;
      const list = await listAttendees(app.db, cityOf(request), organisationId, activityId, sessionId);
      const date = new Date(list.session.startsAt).toISOString().slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="attendees-${list.session.activitySlug}-${date}.csv"`)
        .header('cache-control', 'no-store')
        .send(attendeesCsv(list, languageOf(request)));
    },
  );

  app.put(
    `${attendees}/:signupId/attendance`,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'markAttendance',
        tags,
        summary: 'Mark whether a person came to a session (once it has started)',
        params: AttendanceParams,
        body: AttendanceBody,
        security,
        response: { 200: Type.Ref('Attendee'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { organisationId, activityId, sessionId, signupId } = request.params;
      const list = await markAttendance(
        app.db,
        cityOf(request),
        organisationId,
        activityId,
        sessionId,
        [{ signupId, attended: request.body.attended }],
        callerOf(request),
        app.config,
      );
      const json = toAttendeeListJson(list).items.find((item) => item.signupId === signupId);
      if (!json) throw new Error('A marked sign-up vanished from its session.');
      return json;
    },
  );
}
