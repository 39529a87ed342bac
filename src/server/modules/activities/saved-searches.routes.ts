import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { isSupportedLanguage, translatorFor } from '../../../web/i18n.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import {
  createSavedSearch,
  deleteSavedSearch,
  listSavedSearches,
  type SavedSearchRecord,
  savedSearchPath,
  updateSavedSearch,
} from './saved-searches.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const CitySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', examples: ['vilnius'] });
const CityParams = Type.Object({ citySlug: CitySlug });
const SavedSearchParams = Type.Object({ citySlug: CitySlug, savedSearchId: Type.String({ format: 'uuid' }) });

// A string, or an array of strings for repeated parameters. Declared open because the validator's type coercion would
// turn one-element arrays into strings (or strings into arrays) on a union; the service keeps strings and string lists.
const QueryValue = Type.Unknown({ description: 'A string, or an array of strings for a repeated parameter.' });
const SearchParameters = Type.Record(Type.String({ maxLength: 40 }), QueryValue, {
  description:
    "The search's parameters as the search page and `GET /api/v1/cities/{citySlug}/activities` take them (q, format, age, cost, skill, organisation, district, language, accessibility, when, from, to, near, radiusKm, bbox, sort); others are dropped.",
  examples: [{ q: 'robotics', format: ['in_person'], age: 'teens' }],
});

export const SavedSearchSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    query: SearchParameters,
    alertDaily: Type.Boolean({ description: 'A daily email lists new activities that match.' }),
    lastAlertedAt: Type.String({ format: 'date-time', description: 'Activities published since then are "new".' }),
    createdAt: Type.String({ format: 'date-time' }),
    searchUrl: Type.String({ description: 'The search page that runs this search.' }),
  },
  { $id: 'SavedSearch' },
);

const CreateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 120, examples: ['Robotics for teens'] })),
    query: SearchParameters,
    alertDaily: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    alertDaily: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export function toSavedSearchJson(search: SavedSearchRecord, publicUrl: string, citySlug: string) {
  return {
    id: search.id,
    name: search.name,
    query: search.query,
    alertDaily: search.alertDaily,
    lastAlertedAt: new Date(search.lastAlertedAt).toISOString(),
    createdAt: new Date(search.createdAt).toISOString(),
    searchUrl: `${publicUrl}${savedSearchPath(citySlug, search.query)}`,
  };
}

const tags = ['saved searches'];
const security = [{ session: [] }];

/** A signed-in person's saved searches in a city, with daily email alerts; each person sees only their own. */
export async function savedSearchesRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(SavedSearchSchema);
  const base = '/api/v1/cities/:citySlug/saved-searches';

  app.get(
    base,
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listSavedSearches',
        tags,
        summary: 'Your saved searches in the city, newest first',
        params: CityParams,
        security,
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('SavedSearch')) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const items = await listSavedSearches(app.db, city, request.actor);
      return { items: items.map((item) => toSavedSearchJson(item, app.config.publicUrl, city.slug)) };
    },
  );

  app.post(
    base,
    {
      config: { access: 'authenticated', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        operationId: 'createSavedSearch',
        tags,
        summary: 'Save a search; with alerts on, new matching activities are emailed once a day',
        params: CityParams,
        body: CreateBody,
        security,
        response: { 201: Type.Ref('SavedSearch'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const city = cityOf(request);
      const defaultName = translatorFor(isSupportedLanguage(city.defaultLanguage) ? city.defaultLanguage : 'en')(
        'activity:savedSearches.defaultName',
      );
      const saved = await createSavedSearch(app.db, city, request.actor, request.body, defaultName);
      return reply.code(201).send(toSavedSearchJson(saved, app.config.publicUrl, city.slug));
    },
  );

  app.patch(
    `${base}/:savedSearchId`,
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'updateSavedSearch',
        tags,
        summary: 'Rename a saved search or turn its alerts on or off',
        description: 'Turning alerts back on counts activities as new from that moment.',
        params: SavedSearchParams,
        body: UpdateBody,
        security,
        response: { 200: Type.Ref('SavedSearch'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const updated = await updateSavedSearch(app.db, city, request.actor, request.params.savedSearchId, request.body);
      return toSavedSearchJson(updated, app.config.publicUrl, city.slug);
    },
  );

  app.delete(
    `${base}/:savedSearchId`,
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'deleteSavedSearch',
        tags,
        summary: 'Delete one of your saved searches',
        params: SavedSearchParams,
        security,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteSavedSearch(app.db, cityOf(request), request.actor, request.params.savedSearchId);
      return reply.code(204).send(null);
    },
  );
}
