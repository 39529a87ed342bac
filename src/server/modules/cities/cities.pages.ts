import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { languageName } from '../../../web/i18n.ts';
import { cityHomePage } from '../../../web/pages/home.ts';
import { networkHomePage } from '../../../web/pages/network-home.ts';
import { pageContext, sendPage } from '../../plugins/web.ts';
import { CitySlugParams } from './cities.schemas.ts';
import type { CityRecord } from './cities.repo.ts';
import { cityLanguages, cityName, findCityByHostName, getCity, listCities } from './cities.service.ts';

export function cityHomePath(city: Pick<CityRecord, 'slug'>): string {
  return `/c/${city.slug}`;
}

function renderCityHome(request: FastifyRequest, reply: FastifyReply, city: CityRecord) {
  const languages = cityLanguages(city);
  const fallback = languages[0] ?? 'en';
  // The name shown depends on the page language, which pageContext resolves first.
  const context = pageContext(request, reply, {
    languages,
    defaultLanguage: fallback,
    city: { slug: city.slug, name: cityName(city, fallback), homePath: cityHomePath(city), status: city.status },
  });
  const name = cityName(city, context.language);
  const brand = { colour: city.primaryColour, logoUrl: city.logoUrl };
  context.city = { slug: city.slug, name, homePath: cityHomePath(city), status: city.status, brand };
  return sendPage(
    reply,
    cityHomePage(context, {
      name,
      status: city.status,
      languageNames: languages.map(languageName),
      timeZone: city.timeZone,
      bounds: { west: city.boundsWest, south: city.boundsSouth, east: city.boundsEast, north: city.boundsNorth },
    }),
  );
}

export async function citiesPages(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    // A city with its own host name is served at that host's root.
    const hostCity = await findCityByHostName(app.db, request.hostname.replace(/:\d+$/, ''));
    if (hostCity) return renderCityHome(request, reply, hostCity);
    const cities = await listCities(app.db);
    const context = pageContext(request, reply);
    return sendPage(
      reply,
      networkHomePage(
        context,
        cities.map((city) => ({
          name: cityName(city, context.language),
          homePath: cityHomePath(city),
          status: city.status,
          languageNames: cityLanguages(city).map(languageName),
          timeZone: city.timeZone,
        })),
      ),
    );
  });

  app.get(
    '/c/:slug',
    { config: { access: 'public' }, schema: { hide: true, params: CitySlugParams } },
    async (request, reply) => renderCityHome(request, reply, await getCity(app.db, request.params.slug)),
  );
}
