import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { runJob, type JobHandlers } from './job-handlers.ts';
import {
  DEFAULT_RETRY,
  RetryLater,
  parseJobData,
  retryDelayMs,
  type EnqueueOptions,
  type JobData,
  type JobName,
  type JobQueue,
  type RetryPolicy,
} from './job-queue.ts';

export interface InProcessQueueOptions {
  /** Jobs running at once; small, because they share the process (and PGlite's one connection). */
  concurrency?: number;
  retry?: RetryPolicy;
}

interface PendingJob {
  id: string;
  name: JobName;
  data: unknown;
  /** Dedup key (name + jobId), or undefined for a job enqueued without a jobId. */
  key: string | undefined;
  attempt: number;
}

/**
 * The embedded default: runs jobs in this process with the same handlers, dedup and retry policy as
 * the BullMQ queue. Jobs live in memory only — a restart loses pending ones, which is acceptable
 * because every job here can be recomputed from Postgres (a snapshot is scheduled again on the next
 * change, the archive job runs again on its clock).
 */
export class InProcessQueue implements JobQueue {
  private readonly ready: PendingJob[] = [];
  /** Keys of jobs that are waiting, delayed or waiting to retry (what dedup looks at). */
  private readonly pendingKeys = new Set<string>();
  /** Keys of running jobs: a second job with the same key waits for the first to finish. */
  private readonly runningKeys = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private delayed = 0;
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private closed = false;

  constructor(
    private readonly handlers: JobHandlers,
    private readonly logger: Logger,
    options: InProcessQueueOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 2;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>, opts: EnqueueOptions = {}): Promise<void> {
    if (this.closed) throw new Error('job queue is closed');
    const valid = parseJobData(name, data);
    const key = opts.jobId === undefined ? undefined : `${name}:${opts.jobId}`;
    if (key !== undefined) {
      if (this.pendingKeys.has(key)) return;
      this.pendingKeys.add(key);
    }
    const job: PendingJob = { id: opts.jobId ?? randomUUID(), name, data: valid, key, attempt: 1 };
    this.later(opts.delayMs ?? 0, job);
  }

  async repeat<N extends JobName>(name: N, data: JobData<N>, everyMs: number): Promise<void> {
    if (this.closed) throw new Error('job queue is closed');
    parseJobData(name, data);
    const timer = setInterval(() => {
      // A run still pending absorbs the next tick, as a BullMQ scheduler never stacks runs.
      void this.enqueue(name, data, { jobId: `repeat:${name}` }).catch(() => {});
    }, everyMs);
    // The clock must not keep a stopping process alive.
    timer.unref();
    this.timers.add(timer);
  }

  /** Jobs waiting or running (for tests and shutdown logs). */
  get size(): number {
    return this.ready.length + this.delayed + this.running.size;
  }

  /** Stops taking jobs, drops pending ones and waits for the running ones to finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.delayed = 0;
    this.pendingKeys.clear();
    await Promise.allSettled([...this.running]);
  }

  private later(delayMs: number, job: PendingJob): void {
    if (delayMs <= 0) {
      this.ready.push(job);
      this.pump();
      return;
    }
    this.delayed += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.delayed -= 1;
      this.ready.push(job);
      this.pump();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency) {
      const index = this.ready.findIndex((job) => job.key === undefined || !this.runningKeys.has(job.key));
      if (index < 0) return;
      const [job] = this.ready.splice(index, 1);
      if (job) this.start(job);
    }
  }

  private start(job: PendingJob): void {
    if (job.key !== undefined) {
      this.pendingKeys.delete(job.key);
      this.runningKeys.add(job.key);
    }
    const logger = this.logger.child({ job: job.name, jobId: job.id, attempt: job.attempt });
    const run = runJob(this.handlers, job.name, job.data, {
      jobId: job.id,
      attempt: job.attempt,
      lastAttempt: job.attempt >= this.retry.attempts,
      logger,
    })
      .then(
        () => logger.debug('job completed'),
        (err: unknown) => this.failed(job, err, logger),
      )
      .finally(() => {
        if (job.key !== undefined) this.runningKeys.delete(job.key);
        this.running.delete(run);
        this.pump();
      });
    this.running.add(run);
  }

  private failed(job: PendingJob, err: unknown, logger: Logger): void {
    if (this.closed) return;
    if (job.attempt >= this.retry.attempts) {
      logger.error({ err }, 'job failed; no attempts left');
      return;
    }
    // A newer job with the same key is already pending and will do the same work with fresher data.
    if (job.key !== undefined && this.pendingKeys.has(job.key)) {
      logger.warn({ err }, 'job failed; a newer pending job replaces the retry');
      return;
    }
    const delayMs = retryDelayMs(this.retry, job.attempt);
    if (err instanceof RetryLater) logger.info({ reason: err.message, retryInMs: delayMs }, 'job runs again later');
    else logger.warn({ err, retryInMs: delayMs }, 'job failed; retrying');
    if (job.key !== undefined) this.pendingKeys.add(job.key);
    this.later(delayMs, { ...job, attempt: job.attempt + 1 });
  }
}
