import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { PageContext } from '../../../web/layout.ts';
import {
  type CatalogueSearchView,
  catalogueSearchFragment,
  catalogueSearchPage,
} from '../../../web/pages/catalogue-search.ts';
import { AppError } from '../../errors.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityLanguages, cityName, findCityByHostName } from '../cities/cities.service.ts';
import { mapStyleUrlFor } from '../geo/geo.style.ts';
import { EXPORT_CAP } from './search.routes.ts';
import { parseSearchParams, type RawSearchParams, searchActivities } from './search.service.ts';
import { cityOf } from '../../plugins/auth.ts';

const citySlug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });
/** `map=zoom/lat/lon`, as the island writes it. */
const mapStatePattern = /^\d{1,2}(?:\.\d{1,3})?\/-?\d{1,2}(?:\.\d{1,6})?\/-?\d{1,3}(?:\.\d{1,6})?$/;

export function searchPagePath(slug: string): string {
  return `/c/${slug}/activities`;
}

function cityContext(request: FastifyRequest, reply: FastifyReply, city: CityRecord): PageContext {
  const languages = cityLanguages(city);
  const fallback = languages[0] ?? 'en';
  const homePath = `/c/${city.slug}`;
  const brand = { colour: city.primaryColour, logoUrl: city.logoUrl };
  const context = pageContext(request, reply, {
    languages,
    defaultLanguage: fallback,
    city: { slug: city.slug, name: cityName(city, fallback), homePath, status: city.status, brand },
  });
  context.city = { slug: city.slug, name: cityName(city, context.language), homePath, status: city.status, brand };
  return context;
}

async function renderSearch(request: FastifyRequest, reply: FastifyReply, city: CityRecord) {
  const context = cityContext(request, reply, city);
  const raw = (request.query ?? {}) as RawSearchParams;
  const query = parseSearchParams(raw);
  const result = await searchActivities(request.server.db, city, query, { language: context.language });
  const mapState = typeof raw.map === 'string' && mapStatePattern.test(raw.map) ? raw.map : null;
  const view: CatalogueSearchView = {
    cityName: context.city?.name ?? city.slug,
    citySlug: city.slug,
    timeZone: city.timeZone,
    actionPath: searchPagePath(city.slug),
    query,
    result,
    mapState,
    exportBase: `/api/v1/cities/${city.slug}/activities/export`,
    exportCap: EXPORT_CAP,
    map: {
      styleUrl: mapStyleUrlFor(request.server.config, city.slug),
      dataUrl: `/api/v1/cities/${city.slug}/activities/map`,
      center: [city.centerLon, city.centerLat],
      zoom: city.defaultZoom,
      bounds: [city.boundsWest, city.boundsSouth, city.boundsEast, city.boundsNorth],
    },
    saveSearchAction: request.actor?.kind === 'user' ? `/c/${city.slug}/saved-searches` : null,
  };
  if (raw.fragment === 'results') return sendPage(reply, catalogueSearchFragment(context, view));
  return sendPage(reply, catalogueSearchPage(context, view));
}

export async function searchPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  // The search parameters are checked by parseSearchParams (a bad one answers 400 with the field named).
  app.get(
    '/c/:citySlug/activities',
    { config: { access: 'public' }, schema: { hide: true, params: Type.Object({ citySlug }) } },
    async (request, reply) => renderSearch(request, reply, cityOf(request)),
  );

  // A city with its own host name serves its search at /activities too.
  app.get('/activities', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const city = await findCityByHostName(app.db, request.hostname.replace(/:\d+$/, ''));
    if (!city) throw new AppError('NOT_FOUND');
    return renderSearch(request, reply, city);
  });
}
