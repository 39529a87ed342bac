import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { testEngine } from '../../../../test/helpers/test-db.ts';
import { openDatabase } from '../../db/client.ts';
import { PURGE_FINISHED_JOBS, purgeFinishedJobs, scheduleDailyMaintenance } from '../../jobs/maintenance.ts';
import { JobWorker, PermanentJobError, retryDelayMs } from '../../jobs/worker.ts';
import { requeueStaleJobs } from './jobs.repo.ts';
import { enqueueJob, getJobStatus } from './jobs.service.ts';

describe(`background jobs on ${testEngine}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.query('DELETE FROM jobs');
  });

  it('runs a job, reports progress and stores its result', async () => {
    const seen: number[] = [];
    const worker = new JobWorker(t.db).register('count', async (job, context) => {
      const { upTo } = job.payload as { upTo: number };
      for (let i = 1; i <= upTo; i++) {
        await context.reportProgress(i, upTo, `row ${i}`);
        seen.push((await getJobStatus(t.db, job.id)).progress.done);
      }
      return { counted: upTo };
    });
    const job = await enqueueJob(t.db, null, { type: 'count', payload: { upTo: 3 } });
    expect((await getJobStatus(t.db, job.id)).status).toBe('queued');
    expect(await worker.drain()).toBe(1);
    expect(seen).toEqual([1, 2, 3]);
    const status = await getJobStatus(t.db, job.id);
    expect(status).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      progress: { done: 3, total: 3, percent: 100, message: 'row 3' },
      error: null,
    });
    expect(status.finishedAt).not.toBeNull();
    const [row] = await t.db.query<{ result: unknown }>('SELECT result FROM jobs WHERE id = $1', [job.id]);
    expect(row?.result).toEqual({ counted: 3 });
  });

  it('retries a failing job with back-off, then fails it after its last attempt', async () => {
    let calls = 0;
    const worker = new JobWorker(t.db).register('flaky', async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    });
    const job = await enqueueJob(t.db, null, { type: 'flaky', payload: {}, maxAttempts: 2 });
    await worker.drain();
    let status = await getJobStatus(t.db, job.id);
    expect(status).toMatchObject({ status: 'queued', attempts: 1, error: 'boom 1' });
    const [due] = await t.db.query<{ waitMs: number }>(
      'SELECT extract(epoch FROM (run_at - now())) * 1000 AS "waitMs" FROM jobs WHERE id = $1',
      [job.id],
    );
    expect(Number(due?.waitMs)).toBeGreaterThan(retryDelayMs(1) - 1000);
    // Not due yet: nothing runs.
    expect(await worker.drain()).toBe(0);
    await t.db.query('UPDATE jobs SET run_at = now() WHERE id = $1', [job.id]);
    await worker.drain();
    status = await getJobStatus(t.db, job.id);
    expect(status).toMatchObject({ status: 'failed', attempts: 2, error: 'boom 2' });
    expect(calls).toBe(2);
  });

  it('fails at once on a permanent error', async () => {
    const worker = new JobWorker(t.db).register('bad-input', async () => {
      throw new PermanentJobError('row 3 has no email');
    });
    const job = await enqueueJob(t.db, null, { type: 'bad-input', payload: {} });
    await worker.drain();
    expect(await getJobStatus(t.db, job.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'row 3 has no email',
    });
  });

  it('enqueues once per idempotency key', async () => {
    const first = await enqueueJob(t.db, null, { type: 'import', payload: { file: 'a' }, idempotencyKey: 'upload-1' });
    const again = await enqueueJob(t.db, null, { type: 'import', payload: { file: 'a' }, idempotencyKey: 'upload-1' });
    const other = await enqueueJob(t.db, null, { type: 'import', payload: { file: 'b' }, idempotencyKey: 'upload-2' });
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
  });

  it('puts jobs of a crashed worker back in the queue', async () => {
    const job = await enqueueJob(t.db, null, { type: 'long', payload: {} });
    await t.db.query(
      "UPDATE jobs SET status = 'running', locked_by = 'dead-worker', locked_at = now() - interval '10 minutes' WHERE id = $1",
      [job.id],
    );
    expect(await requeueStaleJobs(t.db, 5 * 60_000)).toBe(1);
    const worker = new JobWorker(t.db).register('long', async () => 'finished');
    await worker.drain();
    expect((await getJobStatus(t.db, job.id)).status).toBe('succeeded');
  });

  it('runs in the background once started, and stops cleanly', async () => {
    const worker = new JobWorker(t.db, { pollIntervalMs: 20 }).register('bg', async () => 'ok');
    const job = await enqueueJob(t.db, null, { type: 'bg', payload: {} });
    await worker.start();
    for (let i = 0; i < 200 && (await getJobStatus(t.db, job.id)).status !== 'succeeded'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await worker.stop();
    expect((await getJobStatus(t.db, job.id)).status).toBe('succeeded');
  });

  it('purges finished jobs after the retention period, once a day', async () => {
    const old = await enqueueJob(t.db, null, { type: 'old', payload: {} });
    await t.db.query("UPDATE jobs SET status = 'succeeded', finished_at = now() - interval '40 days' WHERE id = $1", [
      old.id,
    ]);
    await scheduleDailyMaintenance(t.db, new Date('2026-11-28T10:00:00Z'));
    await scheduleDailyMaintenance(t.db, new Date('2026-11-28T22:00:00Z'));
    const [count] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE type = $1`, [
      PURGE_FINISHED_JOBS,
    ]);
    expect(count?.n).toBe(1);
    await new JobWorker(t.db).register(PURGE_FINISHED_JOBS, purgeFinishedJobs).drain();
    expect(await t.db.query('SELECT id FROM jobs WHERE id = $1', [old.id])).toEqual([]);
  });

  it('exposes status through the API, and 404/400 for unknown or malformed ids', async () => {
    const job = await enqueueJob(t.db, null, { type: 'api', payload: { secret: 'not shown' } });
    const response = await t.app.inject(`/api/v1/jobs/${job.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toMatchObject({
      id: job.id,
      type: 'api',
      status: 'queued',
      progress: { done: 0, total: null },
    });
    expect(response.body).not.toContain('not shown');
    const unknown = await t.app.inject('/api/v1/jobs/00000000-0000-4000-8000-000000000000');
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'JOB_NOT_FOUND']);
    const malformed = await t.app.inject('/api/v1/jobs/42');
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it.runIf(testEngine === 'postgres')('never gives one job to two workers at once', async () => {
    // Two workers on separate connection pools, as on two app servers.
    const otherPool = await openDatabase({ databaseUrl: t.databaseUrl, poolMax: 4 });
    try {
      const ran: string[] = [];
      const handler = async (job: { id: string }) => {
        ran.push(job.id);
        await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const workers = [new JobWorker(t.db), new JobWorker(otherPool), new JobWorker(t.db), new JobWorker(otherPool)];
      for (const worker of workers) worker.register('parallel', handler);
      for (let i = 0; i < 40; i++) await enqueueJob(t.db, null, { type: 'parallel', payload: { i } });
      await Promise.all(workers.map((worker) => worker.drain()));
      expect(ran).toHaveLength(40);
      expect(new Set(ran).size).toBe(40);
    } finally {
      await otherPool.close();
    }
  });
});
