import type { SqlRunner } from '../db/client.ts';
import { PermanentJobError, type JobHandler } from '../jobs/worker.ts';
import { insertJob, insertJobs } from '../modules/jobs/jobs.repo.ts';
import type { Mailer, OutgoingMail } from './mailer.ts';

export const SEND_EMAIL = 'email.send';

/**
 * Queues an email; a background job sends it and retries when the SMTP server is unreachable. Call it inside the
 * transaction that made the email necessary, so no email goes out for a change that was rolled back.
 */
export async function queueEmail(db: SqlRunner, cityId: string | null, mail: OutgoingMail): Promise<void> {
  await insertJob(db, cityId, { type: SEND_EMAIL, payload: mail, maxAttempts: 8 });
}

/** Queues many emails of a city in one statement (a bulk issue's chunk); same jobs as `queueEmail` makes one by one. */
export async function queueEmails(db: SqlRunner, cityId: string | null, mails: OutgoingMail[]): Promise<void> {
  await insertJobs(db, cityId, SEND_EMAIL, mails, { maxAttempts: 8 });
}

export function sendEmailHandler(mailer: Mailer): JobHandler {
  return async (job) => {
    const mail = job.payload as OutgoingMail;
    if (!mail?.to || !mail.subject) throw new PermanentJobError('The email has no recipient or subject.');
    await mailer.send(mail);
    return { sent: true };
  };
}
