import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../plugins/openapi.ts';
import { CityList, CityPublic, CitySlugParams } from './cities.schemas.ts';
import { getCity, listCities } from './cities.service.ts';
import type { CityRecord } from './cities.repo.ts';

export function toCityPublic(city: CityRecord, publicUrl: string): CityPublic {
  return {
    slug: city.slug,
    name: city.name,
    defaultLanguage: city.defaultLanguage,
    languages: city.languages,
    timeZone: city.timeZone,
    bounds: { west: city.boundsWest, south: city.boundsSouth, east: city.boundsEast, north: city.boundsNorth },
    center: { lon: city.centerLon, lat: city.centerLat },
    defaultZoom: city.defaultZoom,
    consentAge: city.consentAge,
    status: city.status,
    homeUrl: `${publicUrl}/c/${city.slug}`,
    branding: { primaryColour: city.primaryColour, logoUrl: city.logoUrl, contactEmail: city.contactEmail },
  };
}

export async function citiesRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(CityPublic);
  app.addSchema(CityList);

  app.get(
    '/api/v1/cities',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listCities',
        tags: ['cities'],
        summary: 'List the cities of this deployment',
        response: { 200: Type.Ref('CityList'), ...errorResponses(500) },
      },
    },
    async () => ({ items: (await listCities(app.db)).map((city) => toCityPublic(city, app.config.publicUrl)) }),
  );

  app.get(
    '/api/v1/cities/:slug',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getCity',
        tags: ['cities'],
        summary: 'Get one city',
        params: CitySlugParams,
        response: { 200: Type.Ref('CityPublic'), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      return toCityPublic(await getCity(app.db, request.params.slug), app.config.publicUrl);
    },
  );
}
