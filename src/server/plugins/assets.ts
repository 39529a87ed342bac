import type { FastifyInstance } from 'fastify';
import { errorBody } from '../errors.ts';

/** Serves the hashed CSS and client-island files; their names change with their content, so they cache for a year. */
export async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { config: { access: 'public' }, schema: { hide: true }, logLevel: 'warn' },
    async (request, reply) => {
      const asset = app.assets.get(request.params.file);
      if (!asset) return reply.code(404).send(errorBody('NOT_FOUND', 'No such asset.'));
      return reply
        .header('content-type', asset.contentType)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(asset.body);
    },
  );
}
