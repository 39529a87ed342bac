import { Type } from 'typebox';

export const JobIdParams = Type.Object({ jobId: Type.String({ format: 'uuid' }) });

export const JobStatusSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    type: Type.String(),
    status: Type.Union(['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s))),
    progress: Type.Object({
      done: Type.Integer({ minimum: 0 }),
      total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
      percent: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()]),
      message: Type.Union([Type.String(), Type.Null()]),
    }),
    attempts: Type.Integer(),
    maxAttempts: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()], { description: 'The last attempt’s error, if any.' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'JobStatus', title: 'JobStatus' },
);
