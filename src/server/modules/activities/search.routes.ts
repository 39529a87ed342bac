import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../plugins/openapi.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { activitiesToCsv, activitiesToICalendar, activitiesToJson } from './activities.export.ts';
import { accessibilityFeatures, ageBands } from './activities.model.ts';
import { exportActivitiesByIds } from './search.repo.ts';
import {
  MAX_SEARCH_LIMIT,
  type MapData,
  parseSearchParams,
  type RawSearchParams,
  type SearchHit,
  type SearchQuery,
  searchActivities,
  searchActivityIds,
  searchMap,
  searchWhens,
} from './search.service.ts';

const citySlug = Type.String({
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$',
  description: 'The city slug, e.g. `vilnius`.',
});
const list = (items: ReturnType<typeof Type.String>, description: string) =>
  Type.Optional(Type.Array(items, { maxItems: 50, description: `${description} Repeat the parameter for several.` }));
const literals = (values: readonly string[]) => Type.Union(values.map((value) => Type.Literal(value)));

/** The search parameters, shared by the list, the map and the exports (and the search page). */
const searchParameters = {
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Words to find (every word must match, as a prefix, in any of the city’s languages); "quoted words" match as a phrase.',
    }),
  ),
  format: Type.Optional(
    Type.Array(literals(['in_person', 'online', 'blended']), { description: 'Any of these formats.' }),
  ),
  age: Type.Optional(
    Type.Array(literals(ageBands.map((band) => band.id)), {
      description: `Age bands (${ageBands.map((b) => `${b.id} ${b.min}–${b.max}`).join(', ')}); an activity is in every band its age range overlaps.`,
    }),
  ),
  ageMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 120, description: 'The learner’s age range: lower end.' })),
  ageMax: Type.Optional(Type.Integer({ minimum: 0, maximum: 120, description: 'The learner’s age range: upper end.' })),
  cost: Type.Optional(literals(['free', 'paid'])),
  skill: list(Type.String({ format: 'uuid' }), 'Skill ids; narrower skills of each count too.'),
  framework: Type.Optional(
    Type.String({ maxLength: 64, description: 'Only activities with a skill of this framework.' }),
  ),
  organisation: list(Type.String({ maxLength: 64 }), 'Organisation slugs (or ids).'),
  district: list(Type.String({ maxLength: 120 }), 'Districts (neighbourhoods).'),
  language: list(Type.String({ pattern: '^[a-z]{2,3}$' }), 'Languages the activity is held in (any of them).'),
  accessibility: Type.Optional(
    Type.Array(literals(accessibilityFeatures), {
      description: 'Accessibility features; the activity has all of them.',
    }),
  ),
  when: Type.Optional(
    Type.Union(
      searchWhens.map((value) => Type.Literal(value)),
      {
        description:
          'now (a session under way), today, weekend, week (to the end of Sunday), in the city’s time zone. On-demand activities never match a date filter.',
      },
    ),
  ),
  from: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'First day (local date).' })),
  to: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Last day (local date).' })),
  near: Type.Optional(Type.String({ maxLength: 60, description: 'A point `lat,lon`, for distances and `radiusKm`.' })),
  radiusKm: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 500 })),
  bbox: Type.Optional(Type.String({ maxLength: 120, description: 'The map view `west,south,east,north` in degrees.' })),
  sort: Type.Optional(
    Type.Union([Type.Literal('relevance'), Type.Literal('date'), Type.Literal('distance')], {
      description: 'relevance (default with words), date (next session; default without), distance (needs `near`).',
    }),
  ),
  lang: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}$', description: 'Language of titles and labels.' })),
};

const ListQuery = Type.Object({
  ...searchParameters,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEARCH_LIMIT, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'The `nextCursor` of the previous page.' })),
  facets: Type.Optional(Type.Boolean({ default: true, description: 'Count facets (false for a lighter answer).' })),
});

const ExportQuery = Type.Object(searchParameters);

/** At most this many activities in one export. */
export const EXPORT_CAP = 5000;

const MapQuery = Type.Object({
  ...searchParameters,
  zoom: Type.Optional(
    Type.Number({ minimum: 0, maximum: 22, description: 'The map zoom; sets the cluster cell size.' }),
  ),
});

const Nullable = <
  T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Number>,
>(
  schema: T,
) => Type.Union([schema, Type.Null()]);

const FacetValueSchema = Type.Object({
  value: Type.String(),
  label: Type.Optional(Type.String()),
  count: Type.Integer(),
  selected: Type.Boolean(),
});

export const ActivitySearchHit = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    url: Type.String({ description: 'The public activity page.' }),
    title: Type.String(),
    titleLanguage: Type.String(),
    summary: Type.String({ description: 'The start of the description as plain text.' }),
    organisation: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
    format: Type.String(),
    scheduleKind: Type.String(),
    allDay: Type.Boolean(),
    nextSession: Type.Union([
      Type.Object({ startsAt: Type.String({ format: 'date-time' }), endsAt: Type.String({ format: 'date-time' }) }),
      Type.Null(),
    ]),
    lastEndAt: Nullable(Type.String({ format: 'date-time' })),
    ageMin: Nullable(Type.Integer()),
    ageMax: Nullable(Type.Integer()),
    costKind: Type.String(),
    priceCents: Nullable(Type.Integer()),
    currency: Nullable(Type.String()),
    languages: Type.Array(Type.String()),
    accessibility: Type.Array(Type.String()),
    district: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    lat: Nullable(Type.Number()),
    lon: Nullable(Type.Number()),
    distanceKm: Nullable(Type.Number()),
  },
  { $id: 'ActivitySearchHit', title: 'ActivitySearchHit' },
);

export const ActivitySearchResult = Type.Object(
  {
    items: Type.Array(Type.Ref('ActivitySearchHit')),
    total: Type.Integer({ description: 'Activities matching the whole search.' }),
    sort: Type.String(),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page.' }),
    facets: Type.Union([
      Type.Object(
        Object.fromEntries(
          ['format', 'age', 'cost', 'skill', 'organisation', 'district', 'language', 'accessibility'].map((name) => [
            name,
            Type.Array(FacetValueSchema),
          ]),
        ),
        {
          description:
            'Counts per facet value over the results; each facet ignores its own filter (accessibility, whose features add up, does not).',
        },
      ),
      Type.Null(),
    ]),
  },
  { $id: 'ActivitySearchResult', title: 'ActivitySearchResult' },
);

export const ActivityMap = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    total: Type.Integer({ description: 'Matching activities in view.' }),
    zoom: Type.Number(),
    features: Type.Array(
      Type.Object({
        type: Type.Literal('Feature'),
        geometry: Type.Object({ type: Type.Literal('Point'), coordinates: Type.Array(Type.Number()) }),
        properties: Type.Object(
          {
            cluster: Type.Boolean(),
            count: Type.Optional(Type.Integer()),
            expansionZoom: Type.Optional(Type.Number()),
            id: Type.Optional(Type.String()),
            slug: Type.Optional(Type.String()),
            title: Type.Optional(Type.String()),
            format: Type.Optional(Type.String()),
            url: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      }),
    ),
  },
  { $id: 'ActivityMap', title: 'ActivityMap', description: 'A GeoJSON FeatureCollection of clusters and activities.' },
);

/** The city resolved by the auth plugin from `:citySlug`. */
function cityOf(request: FastifyRequest): CityRecord {
  if (!request.city) throw new AppError('CITY_NOT_FOUND');
  return request.city;
}

/** The language of an answer: `lang` when the city offers it, else the city's default. */
export function answerLanguage(city: CityRecord, lang: string | undefined): string {
  return lang && city.languages.includes(lang) ? lang : city.defaultLanguage;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function searchHitJson(hit: SearchHit, citySlug: string) {
  return {
    ...hit,
    url: `/c/${citySlug}/activities/${hit.slug}`,
    nextSession: hit.nextSession
      ? { startsAt: hit.nextSession.startsAt.toISOString(), endsAt: hit.nextSession.endsAt.toISOString() }
      : null,
    lastEndAt: iso(hit.lastEndAt),
  };
}

/** Reads the shared search parameters of a request (after its schema checked their shapes). */
export function searchQueryOf(query: object): SearchQuery {
  return parseSearchParams(query as RawSearchParams);
}

export async function searchRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [ActivitySearchHit, ActivitySearchResult, ActivityMap]) app.addSchema(schema);
  const tags = ['activities'];
  const params = Type.Object({ citySlug });

  app.get(
    '/api/v1/cities/:citySlug/activities',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'searchActivities',
        tags,
        summary: 'Search a city’s published activities: words, facets, dates, place; facet counts; keyset pages',
        params,
        querystring: ListQuery,
        response: { 200: Type.Ref('ActivitySearchResult'), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const city = cityOf(request);
      const result = await searchActivities(app.db, city, searchQueryOf(request.query), {
        language: answerLanguage(city, request.query.lang),
        facets: request.query.facets !== false,
      });
      return {
        items: result.items.map((hit) => searchHitJson(hit, city.slug)),
        total: result.total,
        sort: result.sort,
        nextCursor: result.nextCursor,
        facets: result.facets,
      };
    },
  );

  app.get(
    '/api/v1/cities/:citySlug/activities/map',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'searchActivitiesMap',
        tags,
        summary: 'The map of a search: clusters and activities as GeoJSON, for the view in `bbox` at `zoom`',
        description:
          'Takes the search parameters of `searchActivities`. Clusters are grid cells (about 64 px at `zoom`) with `count`, their centroid and the `expansionZoom` that splits them; a cell with one activity, or any from zoom 15, is a single point.',
        params,
        querystring: MapQuery,
        response: { 200: Type.Ref('ActivityMap'), ...errorResponses(400, 404) },
      },
    },
    async (request, reply): Promise<MapData> => {
      const city = cityOf(request);
      const data = await searchMap(app.db, city, searchQueryOf(request.query), {
        language: answerLanguage(city, request.query.lang),
        zoom: request.query.zoom ?? city.defaultZoom,
      });
      reply.header('content-type', 'application/geo+json; charset=utf-8');
      return data;
    },
  );

  const exportFormats = {
    csv: { type: 'text/csv; charset=utf-8', summary: 'CSV (the columns the CSV import reads)' },
    ics: { type: 'text/calendar; charset=utf-8', summary: 'iCalendar (one event per activity, with its recurrence)' },
    json: { type: 'application/json; charset=utf-8', summary: 'JSON (`{ "items": [...] }`)' },
  } as const;
  for (const [format, { type, summary }] of Object.entries(exportFormats)) {
    app.get(
      `/api/v1/cities/:citySlug/activities/export.${format}`,
      {
        config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          operationId: `exportActivities${format[0]?.toUpperCase()}${format.slice(1)}`,
          tags,
          summary: `Export a search result as ${summary}`,
          description: `Takes the search parameters of \`searchActivities\`; at most ${EXPORT_CAP} activities, in the search's order.`,
          params,
          querystring: ExportQuery,
          response: {
            200: { description: summary, content: { [type.split(';')[0] as string]: { schema: { type: 'string' } } } },
            ...errorResponses(400, 404, 429),
          },
        },
      },
      async (request, reply) => {
        const city = cityOf(request);
        const language = answerLanguage(city, request.query.lang);
        const ids = await searchActivityIds(app.db, city, searchQueryOf(request.query), { language, cap: EXPORT_CAP });
        const activities = await exportActivitiesByIds(app.db, city.id, ids);
        const links = { publicUrl: app.config.publicUrl, citySlug: city.slug };
        const body =
          format === 'csv'
            ? activitiesToCsv(activities, language, links)
            : format === 'ics'
              ? activitiesToICalendar(activities, {
                  ...links,
                  language,
                  timeZone: city.timeZone,
                  calendarName: city.name[language] ?? city.name[city.defaultLanguage] ?? city.slug,
                })
              : activitiesToJson(activities, links);
        return reply
          .header('content-type', type)
          .header('content-disposition', `attachment; filename="activities-${city.slug}.${format}"`)
          .header('x-total-count', String(activities.length))
          .send(body);
      },
    );
  }
}
