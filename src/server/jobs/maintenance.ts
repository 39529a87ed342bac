import { deleteFinishedJobs, insertJob } from '../modules/jobs/jobs.repo.ts';
import type { Database } from '../db/client.ts';
import type { JobHandler } from './worker.ts';
import { PURGE_EXPIRED_EXPORTS } from '../modules/accounts/gdpr.service.ts';

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
  // Data exports past their 7 days and emailed links that can no longer be used.
  await insertJob(db, null, {
    type: PURGE_EXPIRED_EXPORTS,
    payload: {},
    idempotencyKey: now.toISOString().slice(0, 10),
  });
}
