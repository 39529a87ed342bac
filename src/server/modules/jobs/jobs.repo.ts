import type { JobStatus } from '../../db/schema.ts';
import type { SqlRunner } from '../../db/client.ts';

/** A job row as the worker and the status API see it. */
export interface JobRecord {
  id: string;
  cityId: string | null;
  type: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  progressDone: number;
  progressTotal: number | null;
  progressMessage: string | null;
  result: unknown;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

const columns = `id, city_id AS "cityId", type, payload, status, attempts, max_attempts AS "maxAttempts", run_at AS "runAt",
  progress_done AS "progressDone", progress_total AS "progressTotal", progress_message AS "progressMessage", result,
  last_error AS "lastError", created_at AS "createdAt", updated_at AS "updatedAt", finished_at AS "finishedAt"`;

export interface NewJob {
  type: string;
  payload: unknown;
  maxAttempts?: number;
  runAt?: Date;
  idempotencyKey?: string;
  createdBy?: string;
}

/**
 * Inserts a job for a city (or for the network when `cityId` is null). With an idempotency key, a second enqueue of the
 * same type and key returns the existing job instead of a new one.
 */
export async function insertJob(db: SqlRunner, cityId: string | null, job: NewJob): Promise<JobRecord> {
  const rows = await db.query<JobRecord>(
    `INSERT INTO jobs (city_id, type, payload, max_attempts, run_at, idempotency_key, created_by)
     VALUES ($1, $2, $3, $4, coalesce($5, now()), $6, $7)
     ON CONFLICT (type, idempotency_key) DO NOTHING
     RETURNING ${columns}`,
    [
      cityId,
      job.type,
      JSON.stringify(job.payload ?? {}),
      job.maxAttempts ?? 5,
      job.runAt ?? null,
      job.idempotencyKey ?? null,
      job.createdBy ?? null,
    ],
  );
  if (rows[0]) return rows[0];
  const [existing] = await db.query<JobRecord>(`SELECT ${columns} FROM jobs WHERE type = $1 AND idempotency_key = $2`, [
    job.type,
    job.idempotencyKey,
  ]);
  if (!existing) throw new Error('A job with this idempotency key vanished while being enqueued.');
  return existing;
}

/**
 * Inserts many new jobs of one type for a city in one statement (no idempotency keys: each payload is a job of its own,
 * e.g. the emails of a bulk issue's chunk). Same defaults as `insertJob`.
 */
export async function insertJobs(
  db: SqlRunner,
  cityId: string | null,
  type: string,
  payloads: unknown[],
  options: { maxAttempts?: number } = {},
): Promise<void> {
  if (payloads.length === 0) return;
  await db.query(
    `INSERT INTO jobs (city_id, type, payload, max_attempts)
     SELECT $1, $2, p.payload, $4 FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS p(payload, n) ORDER BY p.n`,
    [cityId, type, JSON.stringify(payloads.map((payload) => payload ?? {})), options.maxAttempts ?? 5],
    { name: 'jobs_insert_many' },
  );
}

export async function findJob(db: SqlRunner, jobId: string): Promise<JobRecord | undefined> {
  const [row] = await db.query<JobRecord>(`SELECT ${columns} FROM jobs WHERE id = $1`, [jobId]);
  return row;
}

/** Claims the next due job of the given types; concurrent workers never get the same row. */
export async function claimNextJob(db: SqlRunner, types: string[], workerId: string): Promise<JobRecord | undefined> {
  const [row] = await db.query<JobRecord>(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_at = now(), locked_by = $2, updated_at = now()
     WHERE id = (
       SELECT id FROM jobs WHERE status = 'queued' AND run_at <= now() AND type = ANY($1::text[])
       ORDER BY run_at, created_at FOR UPDATE SKIP LOCKED LIMIT 1
     )
     RETURNING ${columns}`,
    [types, workerId],
  );
  return row;
}

/** Records progress; doubles as the heartbeat that keeps a long job from being taken as stale. */
export async function updateJobProgress(
  db: SqlRunner,
  jobId: string,
  workerId: string,
  done: number,
  total: number | null,
  message: string | null,
): Promise<void> {
  await db.query(
    `UPDATE jobs SET progress_done = $3, progress_total = coalesce($4, progress_total), progress_message = coalesce($5, progress_message),
       locked_at = now(), updated_at = now()
     WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
    [jobId, workerId, Math.max(0, Math.floor(done)), total, message],
  );
}

export async function markJobSucceeded(db: SqlRunner, jobId: string, workerId: string, result: unknown): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = 'succeeded', result = $3, last_error = NULL, locked_at = NULL, locked_by = NULL,
       progress_done = coalesce(progress_total, progress_done), finished_at = now(), updated_at = now()
     WHERE id = $1 AND locked_by = $2`,
    [jobId, workerId, result === undefined ? null : JSON.stringify(result)],
  );
}

/** Puts a failed attempt back in the queue after `retryInMs`, or fails the job for good when `retryInMs` is null. */
export async function markJobAttemptFailed(
  db: SqlRunner,
  jobId: string,
  workerId: string,
  error: string,
  retryInMs: number | null,
): Promise<void> {
  await db.query(
    `UPDATE jobs SET
       status = CASE WHEN $4::bigint IS NULL THEN 'failed' ELSE 'queued' END,
       run_at = CASE WHEN $4::bigint IS NULL THEN run_at ELSE now() + ($4::bigint * interval '1 millisecond') END,
       finished_at = CASE WHEN $4::bigint IS NULL THEN now() ELSE NULL END,
       last_error = $3, locked_at = NULL, locked_by = NULL, updated_at = now()
     WHERE id = $1 AND locked_by = $2`,
    [jobId, workerId, error.slice(0, 4000), retryInMs],
  );
}

/** Returns running jobs whose worker stopped sending heartbeats to the queue; counts them. */
export async function requeueStaleJobs(db: SqlRunner, staleAfterMs: number): Promise<number> {
  const rows = await db.query(
    `UPDATE jobs SET status = 'queued', locked_at = NULL, locked_by = NULL, updated_at = now()
     WHERE status = 'running' AND locked_at <= now() - ($1::bigint * interval '1 millisecond')
     RETURNING id`,
    [staleAfterMs],
  );
  return rows.length;
}

/** Deletes finished jobs older than the given age; returns how many. */
export async function deleteFinishedJobs(db: SqlRunner, olderThanDays: number): Promise<number> {
  const rows = await db.query(
    `DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < now() - ($1::int * interval '1 day')
     RETURNING id`,
    [olderThanDays],
  );
  return rows.length;
}
