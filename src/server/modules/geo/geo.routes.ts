import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { cityGeodata, type GeoLayer, geoLayers } from './geo.ts';
import { offlineMapStyle } from './geo.style.ts';

const CityParams = Type.Object({ citySlug: Type.String() });
const LayerParams = Type.Object({ citySlug: Type.String(), layer: Type.String() });

/** Map data changes only with a release or a city's settings; an hour's caching, revalidated by ETag, is plenty. */
const cacheControl = 'public, max-age=3600';

function cityOf(request: FastifyRequest): CityRecord {
  if (!request.city) throw new AppError('CITY_NOT_FOUND');
  return request.city;
}

/** Sends a JSON body with a strong ETag, answering 304 when the client already holds it. */
function sendCached(request: FastifyRequest, reply: FastifyReply, contentType: string, body: string) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  reply
    .header('cache-control', cacheControl)
    .header('etag', etag)
    .header('vary', 'accept-encoding')
    // Public data: maps embedded on another origin (a city's own site, a city host name) may load it too.
    .header('access-control-allow-origin', '*');
  const match = request.headers['if-none-match'];
  if (typeof match === 'string' && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return reply.code(304).send();
  }
  return reply.header('content-type', contentType).send(body);
}

/** The offline basemap: its style and the bundled GeoJSON layers it draws (see geo.style.ts and data/geo). */
export async function geoRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/c/:citySlug/map/style.json',
    { config: { access: 'public' }, schema: { hide: true, params: CityParams } },
    async (request, reply) => {
      const style = offlineMapStyle(cityOf(request), '');
      return sendCached(request, reply, 'application/json; charset=utf-8', JSON.stringify(style));
    },
  );

  app.get(
    '/c/:citySlug/map/layers/:layer.geojson',
    { config: { access: 'public' }, schema: { hide: true, params: LayerParams } },
    async (request, reply) => {
      const city = cityOf(request);
      const layer = request.params.layer as GeoLayer;
      const found = geoLayers.includes(layer) ? cityGeodata(city.slug)?.layers[layer] : undefined;
      if (!found) throw new AppError('NOT_FOUND', `The city has no "${request.params.layer}" map layer.`);
      return sendCached(request, reply, 'application/geo+json; charset=utf-8', found.text);
    },
  );
}
