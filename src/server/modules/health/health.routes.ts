import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pendingMigrations } from '../../db/migrate.ts';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../plugins/openapi.ts';

const Liveness = Type.Object({ status: Type.Literal('ok') }, { title: 'Liveness' });
const Readiness = Type.Object(
  { status: Type.Literal('ready'), database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]) },
  { title: 'Readiness' },
);

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      logLevel: 'warn',
      schema: {
        operationId: 'liveness',
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: Liveness },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      logLevel: 'warn',
      schema: {
        operationId: 'readiness',
        tags: ['health'],
        summary: 'The database is reachable and every migration is applied',
        response: { 200: Readiness, ...errorResponses(503) },
      },
    },
    async (request) => {
      let pending: string[];
      try {
        pending = await pendingMigrations(app.db);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new AppError('DATABASE_UNAVAILABLE');
      }
      if (pending.length > 0) {
        throw new AppError(
          'NOT_READY',
          'Database migrations are pending.',
          pending.map((id) => ({ problem: `pending migration ${id}` })),
        );
      }
      return { status: 'ready' as const, database: app.db.engine };
    },
  );
}
