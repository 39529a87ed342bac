import type { Database } from '../../db/client.ts';
import type { JobHandler } from '../../jobs/worker.ts';
import { enqueueJob } from '../jobs/jobs.service.ts';
import { refreshPassedNextStarts } from './activities.repo.ts';
import { scheduleFeedSyncs } from './feeds.service.ts';
import { scheduleSavedSearchDigests } from './saved-searches.service.ts';
import { scheduleSignupReminders } from './signups.service.ts';

export const REFRESH_NEXT_DATES = 'activities.refresh-next-dates';

/** Moves each activity whose next session has ended on to the following one, so "soonest first" stays true. */
export const refreshNextDatesHandler: JobHandler = async (_job, { db }) => ({
  moved: await refreshPassedNextStarts(db),
});

/**
 * The catalogue's recurring work, enqueued by the server's hourly maintenance timer: next dates, due calendar feeds,
 * reminders a day before sessions and each city's morning digest of saved searches. Every job carries an idempotency
 * key for its time slot, so several servers calling this at once enqueue each job once.
 */
export async function scheduleCatalogueJobs(db: Database, publicUrl: string, now = new Date()): Promise<void> {
  await enqueueJob(db, null, {
    type: REFRESH_NEXT_DATES,
    payload: {},
    idempotencyKey: now.toISOString().slice(0, 13),
  });
  await scheduleFeedSyncs(db, now);
  await scheduleSignupReminders(db, now, publicUrl);
  await scheduleSavedSearchDigests(db, now, publicUrl);
}
