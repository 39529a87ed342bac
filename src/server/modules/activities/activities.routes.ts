import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import type { ActivityInput } from './activities.model.ts';
import type { ActivitySummary } from './activities.repo.ts';
import { fillFreePlacesOfActivity } from './signups.service.ts';
import {
  ActivityParams,
  ActivitySchema,
  ActivitySummaryList,
  ActivitySummarySchema,
  CityParams,
  CreateActivityBody,
  ImagePageParams,
  ImageParams,
  ImageQuery,
  ImageSchema,
  ListQuery,
  ModerationParams,
  ModerationQuery,
  OrganisationParams,
  PublicActivityParams,
  ReturnBody,
  RevisionList,
  SessionList,
  SessionSchema,
  SessionsQuery,
  UpdateActivityBody,
} from './activities.schemas.ts';
import {
  type ActivityDetails,
  addActivityImage,
  approveActivity,
  archiveActivity,
  createActivity,
  getActivity,
  getActivityImage,
  listActivityRevisions,
  listModerationQueue,
  listOrganisationActivities,
  listSessions,
  MAX_IMAGE_BYTES,
  removeActivityImage,
  returnActivity,
  type SessionRecord,
  submitActivity,
  updateActivity,
} from './activities.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** The API's view of an activity (dates as ISO strings, the public page's address). */
export function toActivityJson(activity: ActivityDetails, publicUrl: string, citySlug: string) {
  return {
    id: activity.id,
    slug: activity.slug,
    status: activity.status,
    moderationNote: activity.moderationNote,
    organisation: activity.organisation,
    title: activity.title,
    description: activity.description,
    format: activity.format,
    onlineUrl: activity.onlineUrl,
    venues: activity.venues.map(({ position: _position, ...venue }) => venue),
    district: activity.district,
    scheduleKind: activity.scheduleKind,
    startsAt: iso(activity.startsAt),
    endsAt: iso(activity.endsAt),
    allDay: activity.allDay,
    rrule: activity.rrule,
    exdates: activity.exdates.map((d) => new Date(d).toISOString()),
    nextStartAt: iso(activity.nextStartAt),
    ageMin: activity.ageMin,
    ageMax: activity.ageMax,
    costKind: activity.costKind,
    priceCents: activity.priceCents,
    currency: activity.currency,
    concessions: activity.concessions,
    languages: activity.languages,
    accessibility: activity.accessibility,
    accessibilityNotes: activity.accessibilityNotes,
    capacity: activity.capacity,
    signupMode: activity.signupMode,
    signupUrl: activity.signupUrl,
    tags: activity.tags,
    skills: activity.skills.map((s) => ({
      skillId: s.skillId,
      level: s.level,
      code: s.code,
      label: s.label,
      framework: s.frameworkSlug,
    })),
    images: activity.images.map((image) => ({ ...image, url: `${publicUrl}${image.url}` })),
    source: activity.source,
    externalUid: activity.externalUid,
    version: activity.version,
    createdAt: iso(activity.createdAt) as string,
    updatedAt: iso(activity.updatedAt) as string,
    publishedAt: iso(activity.publishedAt),
    pageUrl: `${publicUrl}/c/${citySlug}/activities/${activity.slug}`,
  };
}

export const toSessionJson = (session: SessionRecord) => ({
  id: session.id,
  startsAt: iso(session.startsAt) as string,
  endsAt: iso(session.endsAt) as string,
  allDay: session.allDay,
  capacity: session.capacity,
  confirmedCount: session.confirmedCount,
  placesLeft: session.capacity === null ? null : Math.max(0, session.capacity - session.confirmedCount),
  cancelled: session.cancelledAt !== null,
});

const toSummaryJson = (summary: ActivitySummary) => ({
  ...summary,
  nextStartAt: iso(summary.nextStartAt),
  updatedAt: iso(summary.updatedAt) as string,
  submittedAt: iso(summary.submittedAt),
});

/** The input fields of a create/update body, without the request-only flags. */
function inputOf(body: Record<string, unknown>): ActivityInput {
  const { submit: _submit, expectedVersion: _version, ...input } = body;
  return input as unknown as ActivityInput;
}

const tags = ['activities'];
const security: { [label: string]: string[] }[] = [{ session: [] }, { apiToken: [] }];

/** The activity of the organisation in the path, or 404 (an id of another organisation is not found here). */
async function ownActivity(app: FastifyInstance, request: FastifyRequest, organisationId: string, activityId: string) {
  const activity = await getActivity(app.db, cityOf(request), activityId, request.actor);
  if (activity.organisationId !== organisationId) throw new AppError('ACTIVITY_NOT_FOUND');
  return activity;
}

export async function activitiesRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [ImageSchema, SessionSchema, ActivitySchema, ActivitySummarySchema]) app.addSchema(schema);
  // Images are sent as the raw body; the bytes decide what they really are.
  app.addContentTypeParser(
    ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: MAX_IMAGE_BYTES + 1024 },
    (_request, body, done) => done(null, body),
  );
  const orgBase = '/api/v1/cities/:citySlug/organisations/:organisationId/activities';
  const orgOne = `${orgBase}/:activityId`;
  const json = (request: FastifyRequest, activity: ActivityDetails) =>
    toActivityJson(activity, app.config.publicUrl, cityOf(request).slug);

  app.get(
    '/api/v1/cities/:citySlug/activities/:activityId',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getActivity',
        tags,
        summary: 'One activity by id or slug',
        description:
          'Published activities are public; drafts and submissions only for their organisation and curators.',
        params: PublicActivityParams,
        response: { 200: Type.Ref('Activity'), ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      json(request, await getActivity(app.db, cityOf(request), request.params.activityId, request.actor)),
  );

  app.get(
    '/api/v1/cities/:citySlug/activities/:activityId/sessions',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listActivitySessions',
        tags,
        summary: 'The dated sessions of an activity with places left (from now unless `from` is given)',
        params: PublicActivityParams,
        querystring: SessionsQuery,
        response: { 200: SessionList, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const activity = await getActivity(app.db, cityOf(request), request.params.activityId, request.actor);
      const from = request.query.from ? new Date(request.query.from) : new Date();
      const sessions = await listSessions(app.db, activity.cityId, activity.id, { from, limit: request.query.limit });
      return { items: sessions.map(toSessionJson) };
    },
  );

  app.get(
    orgBase,
    {
      config: { access: 'organisation_staff', scope: 'activities:read' },
      schema: {
        operationId: 'listOrganisationActivities',
        tags,
        summary: "The organisation's activities in the city, most recently changed first",
        params: OrganisationParams,
        querystring: ListQuery,
        security,
        response: { 200: ActivitySummaryList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const page = await listOrganisationActivities(
        app.db,
        cityOf(request),
        request.params.organisationId,
        request.actor,
        request.query,
      );
      return { items: page.items.map(toSummaryJson), nextCursor: page.nextCursor };
    },
  );

  app.post(
    orgBase,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'createActivity',
        tags,
        summary: 'Create an activity (a draft, or submitted for review with `submit: true`)',
        description:
          'Venues must lie inside the city; a repeating schedule must end (COUNT or UNTIL); descriptions are sanitised. ' +
          'A trusted organisation’s submissions are published at once.',
        params: OrganisationParams,
        body: CreateActivityBody,
        security,
        response: { 201: Type.Ref('Activity'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const created = await createActivity(
        app.db,
        cityOf(request),
        request.params.organisationId,
        inputOf(request.body),
        callerOf(request),
        { submit: request.body.submit === true },
      );
      return reply.code(201).send(json(request, created));
    },
  );

  app.put(
    orgOne,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'updateActivity',
        tags,
        summary: 'Replace an activity’s content (a published one stays live; the change is kept in its history)',
        params: ActivityParams,
        body: UpdateActivityBody,
        security,
        response: { 200: Type.Ref('Activity'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { organisationId, activityId } = request.params;
      await ownActivity(app, request, organisationId, activityId);
      const updated = await updateActivity(
        app.db,
        cityOf(request),
        activityId,
        inputOf(request.body),
        callerOf(request),
        {
          expectedVersion: request.body.expectedVersion,
          publicUrl: app.config.publicUrl,
        },
      );
      // A larger capacity gives waiting people their places at once.
      await fillFreePlacesOfActivity(app.db, cityOf(request), activityId, app.config.publicUrl);
      return json(request, updated);
    },
  );

  for (const [action, summary, run] of [
    ['submit', 'Submit a draft for review (published at once for a trusted organisation)', submitActivity],
    ['archive', 'Archive an activity: it leaves the catalogue and keeps its history', archiveActivity],
  ] as const) {
    app.post(
      `${orgOne}/${action}`,
      {
        config: { access: 'organisation_staff', scope: 'activities:write' },
        schema: {
          operationId: `${action}Activity`,
          tags,
          summary,
          params: ActivityParams,
          security,
          response: { 200: Type.Ref('Activity'), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const { organisationId, activityId } = request.params;
        await ownActivity(app, request, organisationId, activityId);
        return json(request, await run(app.db, cityOf(request), activityId, callerOf(request)));
      },
    );
  }

  app.get(
    `${orgOne}/revisions`,
    {
      config: { access: 'organisation_staff', scope: 'activities:read' },
      schema: {
        operationId: 'listActivityRevisions',
        tags,
        summary: 'The change history of an activity, newest first',
        params: ActivityParams,
        security,
        response: { 200: RevisionList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { organisationId, activityId } = request.params;
      await ownActivity(app, request, organisationId, activityId);
      const revisions = await listActivityRevisions(app.db, cityOf(request), activityId, request.actor);
      return { items: revisions.map((r) => ({ ...r, createdAt: iso(r.createdAt) as string })) };
    },
  );

  app.post(
    `${orgOne}/images`,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'addActivityImage',
        tags,
        summary: 'Add an image (PNG, JPEG or WebP, up to 2 MB, sent as the raw body) with its text alternative',
        params: ActivityParams,
        querystring: ImageQuery,
        security,
        response: { 201: Type.Ref('ActivityImage'), ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { organisationId, activityId } = request.params;
      await ownActivity(app, request, organisationId, activityId);
      if (!Buffer.isBuffer(request.body)) throw new AppError('IMAGE_INVALID');
      const city = cityOf(request);
      const image = await addActivityImage(
        app.db,
        city,
        activityId,
        { bytes: request.body, alt: { [request.query.language ?? city.defaultLanguage]: request.query.alt } },
        callerOf(request),
      );
      return reply.code(201).send({ ...image, url: `${app.config.publicUrl}${image.url}` });
    },
  );

  app.delete(
    `${orgOne}/images/:imageId`,
    {
      config: { access: 'organisation_staff', scope: 'activities:write' },
      schema: {
        operationId: 'removeActivityImage',
        tags,
        summary: 'Remove an image',
        params: ImageParams,
        security,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { organisationId, activityId, imageId } = request.params;
      await ownActivity(app, request, organisationId, activityId);
      await removeActivityImage(app.db, cityOf(request), activityId, imageId, callerOf(request));
      return reply.code(204).send(null);
    },
  );

  // The image files, on the city's site next to the activity page.
  app.get(
    '/c/:citySlug/activities/:slug/images/:imageId',
    {
      config: { access: 'public' },
      schema: { hide: true, params: ImagePageParams },
    },
    async (request, reply) => {
      const image = await getActivityImage(
        app.db,
        cityOf(request),
        request.params.slug,
        request.params.imageId,
        request.actor,
      );
      return reply
        .header('content-type', image.contentType)
        .header('cache-control', 'public, max-age=86400')
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(image.bytes));
    },
  );

  // Curators: the moderation queue and decisions.
  app.get(
    '/api/v1/cities/:citySlug/activity-moderation',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'listActivityModerationQueue',
        tags,
        summary: 'Submitted activities awaiting review, oldest first',
        params: CityParams,
        querystring: ModerationQuery,
        security: [{ session: [] }],
        response: { 200: ActivitySummaryList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const page = await listModerationQueue(app.db, cityOf(request), request.actor, request.query);
      return { items: page.items.map(toSummaryJson), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/cities/:citySlug/activity-moderation/:activityId/approve',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'approveActivity',
        tags,
        summary: 'Publish a submitted activity',
        params: ModerationParams,
        security: [{ session: [] }],
        response: { 200: Type.Ref('Activity'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      json(request, await approveActivity(app.db, cityOf(request), request.params.activityId, callerOf(request))),
  );

  app.post(
    '/api/v1/cities/:citySlug/activity-moderation/:activityId/return',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'returnActivity',
        tags,
        summary: 'Return a submitted activity to its organisation as a draft, with comments',
        params: ModerationParams,
        body: ReturnBody,
        security: [{ session: [] }],
        response: { 200: Type.Ref('Activity'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      json(
        request,
        await returnActivity(app.db, cityOf(request), request.params.activityId, request.body.note, callerOf(request)),
      ),
  );
}
