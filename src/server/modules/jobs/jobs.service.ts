import type { SqlRunner } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { findJob, insertJob, type JobRecord, type NewJob } from './jobs.repo.ts';

export interface JobStatusView {
  id: string;
  type: string;
  status: JobRecord['status'];
  progress: { done: number; total: number | null; percent: number | null; message: string | null };
  attempts: number;
  maxAttempts: number;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** Queues background work for a city (or the network with `cityId` null). */
export function enqueueJob(db: SqlRunner, cityId: string | null, job: NewJob): Promise<JobRecord> {
  return insertJob(db, cityId, job);
}

/** What a progress bar needs; never the payload or result, which may hold personal data. */
export async function getJobStatus(db: SqlRunner, jobId: string): Promise<JobStatusView> {
  const job = await findJob(db, jobId);
  if (!job) throw new AppError('JOB_NOT_FOUND');
  const total = job.progressTotal;
  const percent =
    total === null ? null : total === 0 ? 100 : Math.min(100, Math.round((job.progressDone / total) * 1000) / 10);
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    progress: { done: job.progressDone, total, percent, message: job.progressMessage },
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    error: job.lastError,
    createdAt: new Date(job.createdAt).toISOString(),
    updatedAt: new Date(job.updatedAt).toISOString(),
    finishedAt: job.finishedAt ? new Date(job.finishedAt).toISOString() : null,
  };
}
