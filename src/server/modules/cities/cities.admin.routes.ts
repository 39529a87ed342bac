import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../plugins/openapi.ts';
import { callerOf } from '../organisations/organisations.routes.ts';
import {
  appointCurator,
  createCityAudited,
  listCurators,
  removeCurator,
  setCityArchived,
  updateCitySettings,
} from './cities.admin.service.ts';
import type { CityRecord } from './cities.repo.ts';
import { toCityPublic } from './cities.routes.ts';
import { CityPublic, CitySlugParams } from './cities.schemas.ts';
import { cityOf } from '../../plugins/auth.ts';

const slug = { pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' };
const CityParams = Type.Object({ citySlug: Type.String({ ...slug, examples: ['vilnius'] }) });

export const CreateCityBody = Type.Object(
  {
    slug: Type.String({ ...slug, examples: ['gent'] }),
    name: Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 120 }), {
      examples: [{ en: 'Ghent', nl: 'Gent' }],
    }),
    languages: Type.Array(Type.String(), { minItems: 1, examples: [['en']] }),
    defaultLanguage: Type.Optional(Type.String()),
    timeZone: Type.String({ examples: ['Europe/Brussels'] }),
    bounds: Type.Object({
      west: Type.Number({ examples: [3.58] }),
      south: Type.Number({ examples: [50.98] }),
      east: Type.Number({ examples: [3.85] }),
      north: Type.Number({ examples: [51.19] }),
    }),
    center: Type.Optional(Type.Object({ lon: Type.Number(), lat: Type.Number() })),
    defaultZoom: Type.Optional(Type.Number({ minimum: 0, maximum: 22 })),
    hostName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
);

const Curator = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Type.String(),
  since: Type.String({ format: 'date-time' }),
});

const CitySettingsBody = Type.Object(
  {
    languages: Type.Array(Type.String(), { minItems: 1, examples: [['lt', 'en']] }),
    defaultLanguage: Type.String({ examples: ['lt'] }),
    name: Type.Record(Type.String(), Type.String({ maxLength: 120 }), { examples: [{ lt: 'Vilnius', en: 'Vilnius' }] }),
    primaryColour: Type.Optional(
      Type.Union([
        Type.String({
          maxLength: 7,
          description: '#rrggbb; white text on it needs 4.5:1 contrast (WCAG AA). Empty clears it.',
        }),
        Type.Null(),
      ]),
    ),
    logoUrl: Type.Optional(
      Type.Union([
        Type.String({ maxLength: 500, description: 'https:// address of the logo. Empty clears it.' }),
        Type.Null(),
      ]),
    ),
    contactEmail: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])),
    consentAge: Type.Optional(
      Type.Integer({ minimum: 13, maximum: 18, description: 'Under this age a learner needs a guardian’s consent.' }),
    ),
  },
  { additionalProperties: false },
);

const tags = ['cities'];
const security = [{ session: [] }];

/** City administration: network admins create and archive cities and appoint curators; curators edit settings. */
export async function citiesAdminRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  // Schemas are encapsulated per plugin; this one is shared with citiesRoutes under the same $id.
  app.addSchema(CityPublic);
  const toJson = (city: CityRecord) => toCityPublic(city, app.config.publicUrl);
  const curatorJson = (c: { userId: string; email: string; displayName: string; since: Date }) => ({
    ...c,
    since: new Date(c.since).toISOString(),
  });

  app.post(
    '/api/v1/cities',
    {
      config: { access: 'network_admin' },
      schema: {
        operationId: 'createCity',
        tags,
        summary: 'Create a city (network admins)',
        body: CreateCityBody,
        security,
        response: { 201: Type.Ref('CityPublic'), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(toJson(await createCityAudited(app.db, request.body, callerOf(request)))),
  );

  for (const [verb, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    app.post(
      `/api/v1/cities/:slug/${verb}`,
      {
        config: { access: 'network_admin' },
        schema: {
          operationId: `${verb}City`,
          tags,
          summary: archived
            ? 'Archive a city: its public pages stay readable, nothing can be changed and nobody can sign up'
            : 'Bring an archived city back',
          params: CitySlugParams,
          security,
          response: { 200: Type.Ref('CityPublic'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => toJson(await setCityArchived(app.db, request.params.slug, archived, callerOf(request))),
    );
  }

  app.get(
    '/api/v1/cities/:citySlug/curators',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'listCityCurators',
        tags,
        summary: "The city's curators",
        params: CityParams,
        security,
        response: { 200: Type.Object({ items: Type.Array(Curator) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: (await listCurators(app.db, cityOf(request))).map(curatorJson) }),
  );

  app.post(
    '/api/v1/cities/:citySlug/curators',
    {
      config: { access: 'network_admin' },
      schema: {
        operationId: 'appointCityCurator',
        tags,
        summary: 'Appoint an existing account as a curator of the city (network admins)',
        params: CityParams,
        body: Type.Object(
          { email: Type.String({ format: 'email', examples: ['curator@example.org'] }) },
          { additionalProperties: false },
        ),
        security,
        response: { 201: Curator, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(curatorJson(await appointCurator(app.db, cityOf(request), request.body.email, callerOf(request)))),
  );

  app.delete(
    '/api/v1/cities/:citySlug/curators/:userId',
    {
      config: { access: 'network_admin' },
      schema: {
        operationId: 'removeCityCurator',
        tags,
        summary: 'Remove a curator from the city (network admins)',
        params: Type.Object({ citySlug: Type.String(slug), userId: Type.String({ format: 'uuid' }) }),
        security,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeCurator(app.db, cityOf(request), request.params.userId, callerOf(request));
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/api/v1/cities/:citySlug/settings',
    {
      config: { access: 'city_curator' },
      schema: {
        operationId: 'updateCitySettings',
        tags,
        summary: "Change the city's languages, names and branding (curators); the brand colour is checked for contrast",
        params: CityParams,
        body: CitySettingsBody,
        security,
        response: { 200: Type.Ref('CityPublic'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => toJson(await updateCitySettings(app.db, cityOf(request), request.body, callerOf(request))),
  );
}
