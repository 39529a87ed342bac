import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { BULK_ISSUE_JOB, bulkIssueHandler } from '../modules/badges/bulk-issue.service.ts';
import {
  REFRESH_NEXT_DATES,
  REORDER_SEARCH_ROWS,
  refreshNextDatesHandler,
  reorderSearchRowsHandler,
} from '../modules/activities/catalogue.jobs.ts';
import { SEND_EMAIL, sendEmailHandler } from '../mail/email-jobs.ts';
import type { Mailer } from '../mail/mailer.ts';
import {
  EXPORT_PERSONAL_DATA,
  exportPersonalDataHandler,
  PURGE_EXPIRED_EXPORTS,
  purgeExpiredExportsHandler,
} from '../modules/accounts/gdpr.service.ts';
import { SAVED_SEARCH_DIGEST, savedSearchDigestHandler } from '../modules/activities/saved-searches.service.ts';
import { SIGNUP_REMINDERS, signupRemindersHandler } from '../modules/activities/signups.service.ts';
import { FEED_SYNC, feedSyncHandler } from '../modules/activities/feeds.service.ts';
import { PURGE_FINISHED_JOBS, purgeFinishedJobs } from './maintenance.ts';
import { JobWorker, type JobWorkerOptions } from './worker.ts';

export interface JobServices {
  mailer: Mailer;
  /** Jobs that sign (bulk badge issuing) need the configuration for the issuers' keys and public URLs. */
  config?: Config;
}

/** The one place every background job type is registered, for the server and the tests alike. */
export function createJobWorker(db: Database, services: JobServices, options: JobWorkerOptions = {}): JobWorker {
  const worker = new JobWorker(db, options)
    .register(PURGE_FINISHED_JOBS, purgeFinishedJobs)
    .register(SEND_EMAIL, sendEmailHandler(services.mailer))
    .register(EXPORT_PERSONAL_DATA, exportPersonalDataHandler)
    .register(PURGE_EXPIRED_EXPORTS, purgeExpiredExportsHandler)
    .register(REFRESH_NEXT_DATES, refreshNextDatesHandler)
    .register(REORDER_SEARCH_ROWS, reorderSearchRowsHandler)
    .register(FEED_SYNC, feedSyncHandler())
    .register(SAVED_SEARCH_DIGEST, savedSearchDigestHandler)
    .register(SIGNUP_REMINDERS, signupRemindersHandler);
  if (services.config) worker.register(BULK_ISSUE_JOB, bulkIssueHandler(services.config));
  return worker;
}
