import type { Database } from '../../db/client.ts';
import type { JobHandler } from '../../jobs/worker.ts';
import { enqueueJob } from '../jobs/jobs.service.ts';
import { refreshPassedNextStarts } from './activities.repo.ts';
import { scheduleFeedSyncs } from './feeds.service.ts';
import { scheduleSavedSearchDigests } from './saved-searches.service.ts';
import { reorderSearchRows } from './search-rows.repo.ts';
import { scheduleSignupReminders } from './signups.service.ts';

export const REFRESH_NEXT_DATES = 'activities.refresh-next-dates';
export const REORDER_SEARCH_ROWS = 'activities.reorder-search-rows';
/** The UTC hour of the nightly reorder: writes wait while it runs, so at night for most cities. */
export const REORDER_SEARCH_ROWS_HOUR = 2;

/** Moves each activity whose next session has ended on to the following one, so "soonest first" stays true. */
export const refreshNextDatesHandler: JobHandler = async (_job, { db }) => ({
  moved: await refreshPassedNextStarts(db),
});

/** The search's copy of the catalogue put back in place order (reorderSearchRows). */
export const reorderSearchRowsHandler: JobHandler = async (_job, { db }) => reorderSearchRows(db);

/**
 * The catalogue's recurring work, enqueued by the server's hourly maintenance timer: next dates, due calendar feeds,
 * reminders a day before sessions, each city's morning digest of saved searches and the nightly reorder of the
 * search's rows. Every job carries an idempotency key for its time slot, so several servers calling this at once
 * enqueue each job once.
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
  if (now.getUTCHours() === REORDER_SEARCH_ROWS_HOUR) {
    await enqueueJob(db, null, {
      type: REORDER_SEARCH_ROWS,
      payload: {},
      idempotencyKey: now.toISOString().slice(0, 10),
    });
  }
}
