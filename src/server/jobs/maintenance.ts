import { deleteFinishedJobs, insertJob } from '../modules/jobs/jobs.repo.ts';
import type { Database } from '../db/client.ts';
import type { JobHandler } from './worker.ts';

export const PURGE_FINISHED_JOBS = 'maintenance.purge-finished-jobs';

/** Finished jobs are kept for this long so people can still read their reports. */
export const FINISHED_JOB_RETENTION_DAYS = 30;

export const purgeFinishedJobs: JobHandler = async (_job, { db }) => ({
  deleted: await deleteFinishedJobs(db, FINISHED_JOB_RETENTION_DAYS),
});

/** Enqueues today's purge once per day across all processes (the date is the idempotency key). */
export async function scheduleDailyMaintenance(db: Database, now = new Date()): Promise<void> {
  await insertJob(db, null, {
    type: PURGE_FINISHED_JOBS,
    payload: {},
    idempotencyKey: now.toISOString().slice(0, 10),
  });
}
