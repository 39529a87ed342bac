import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../plugins/openapi.ts';
import { JobIdParams, JobStatusSchema } from './jobs.schemas.ts';
import { getJobStatus } from './jobs.service.ts';

export async function jobsRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(JobStatusSchema);

  app.get(
    '/api/v1/jobs/:jobId',
    {
      // A job id is a random UUID handed only to whoever started the job, and this view carries no payload or
      // result, so the id itself is the capability. Owner checks join this rule when sessions exist.
      config: { access: 'public' },
      schema: {
        operationId: 'getJobStatus',
        tags: ['jobs'],
        summary: 'Progress and status of a background job',
        params: JobIdParams,
        response: { 200: Type.Ref('JobStatus'), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return getJobStatus(app.db, request.params.jobId);
    },
  );
}
