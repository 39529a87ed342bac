import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/client.ts';
import {
  claimNextJob,
  markJobAttemptFailed,
  markJobSucceeded,
  requeueStaleJobs,
  updateJobProgress,
  type JobRecord,
} from '../modules/jobs/jobs.repo.ts';

export interface JobContext {
  db: Database;
  /** Reports progress for the progress bar; also the heartbeat for long jobs. */
  reportProgress(done: number, total?: number, message?: string): Promise<void>;
  /** Aborted when the worker is stopping; long jobs should stop at the next safe point and throw. */
  signal: AbortSignal;
}

export type JobHandler = (job: JobRecord, context: JobContext) => Promise<unknown>;

/** Thrown by a handler when retrying cannot help (bad input): the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface JobWorkerOptions {
  pollIntervalMs?: number;
  /** A running job with no heartbeat for this long is taken as abandoned by a crashed worker. */
  staleAfterMs?: number;
  logger?: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

/** Exponential back-off between attempts: 2 s, 4 s, 8 s … capped at one hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 1000 * 2 ** attempt);
}

/** Polls the jobs table and runs the handlers registered for each job type, one job at a time. */
export class JobWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private running: Promise<void> | undefined;
  private readonly pollIntervalMs: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly db: Database,
    private readonly options: JobWorkerOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.staleAfterMs = options.staleAfterMs ?? 5 * 60_000;
  }

  register(type: string, handler: JobHandler): this {
    this.handlers.set(type, handler);
    return this;
  }

  get types(): string[] {
    return [...this.handlers.keys()];
  }

  /** Claims and runs one due job; false when none was due. */
  async runOnce(): Promise<boolean> {
    const job = await claimNextJob(this.db, this.types, this.id);
    if (!job) return false;
    const handler = this.handlers.get(job.type);
    if (!handler) throw new Error(`No handler for claimed job type ${job.type}`);
    const context: JobContext = {
      db: this.db,
      signal: this.abort.signal,
      reportProgress: (done, total, message) =>
        updateJobProgress(this.db, job.id, this.id, done, total ?? null, message ?? null),
    };
    try {
      const result = await handler(job, context);
      await markJobSucceeded(this.db, job.id, this.id, result);
      this.options.logger?.info({ jobId: job.id, type: job.type }, 'job succeeded');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      await markJobAttemptFailed(this.db, job.id, this.id, message, permanent ? null : retryDelayMs(job.attempts));
      this.options.logger?.error(
        { jobId: job.id, type: job.type, attempt: job.attempts, err: error },
        'job attempt failed',
      );
    }
    return true;
  }

  /** Runs due jobs until none is left (tests and CLI use this). */
  async drain(): Promise<number> {
    let count = 0;
    while (await this.runOnce()) count++;
    return count;
  }

  /**
   * Starts polling. `recoverAll` requeues every running job at once — right for the embedded database, where this
   * process is the only possible worker, so a running job can only be left over from a crash.
   */
  async start({ recoverAll = false } = {}): Promise<void> {
    if (this.started || this.types.length === 0) return;
    this.started = true;
    await requeueStaleJobs(this.db, recoverAll ? 0 : this.staleAfterMs);
    const tick = async () => {
      try {
        await requeueStaleJobs(this.db, this.staleAfterMs);
        while (!this.abort.signal.aborted && (await this.runOnce())) {}
      } catch (error) {
        this.options.logger?.error({ err: error }, 'job worker poll failed');
      }
    };
    const loop = () => {
      this.running = tick().finally(() => {
        if (!this.abort.signal.aborted) this.timer = setTimeout(loop, this.pollIntervalMs);
      });
    };
    loop();
  }

  /** Stops polling and waits for the job in hand to finish. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
