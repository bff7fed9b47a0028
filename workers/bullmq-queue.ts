import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  DEFAULT_RETRY,
  parseJobData,
  type EnqueueOptions,
  type JobData,
  type JobName,
  type JobQueue,
  type RetryPolicy,
} from './job-queue.ts';

export interface BullmqConnectionOptions {
  redisUrl: string;
  /** Namespaces every key of the queues (one deployment, or one test run, per prefix). */
  prefix: string;
}

/** One BullMQ queue per job name, so a flood of one kind never delays another. */
export const queueNameOf = (name: JobName): string => name;

/** Job options shared by producers: retries with exponential backoff, bounded history in Redis. */
export function bullmqJobOptions(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    // BullMQ's exponential backoff is delay × 2^(retry − 1), the same curve as retryDelayMs.
    backoff: { type: 'exponential', delay: retry.backoffMs },
    // Finished jobs are kept a while for inspection only; dedup does not depend on them (see enqueue).
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
  };
}

/**
 * The production queue. The producer side only: sync nodes enqueue here, `workers/main.ts` runs the jobs.
 */
export class BullmqQueue implements JobQueue {
  private readonly connection: Redis;
  private readonly queues = new Map<JobName, Queue>();
  private readonly jobOptions: JobsOptions;

  constructor(
    private readonly options: BullmqConnectionOptions & { retry?: RetryPolicy },
    private readonly logger: Logger,
  ) {
    // Producers fail fast when Redis is away (the caller logs it; Postgres stays the truth) rather than
    // queueing commands forever as the workers' blocking connections must.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
    this.connection.on('error', (err: Error) => logger.warn({ err }, 'job queue redis error'));
    this.jobOptions = bullmqJobOptions(options.retry ?? DEFAULT_RETRY);
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>, opts: EnqueueOptions = {}): Promise<void> {
    const valid = parseJobData(name, data);
    await this.queue(name).add(name, valid, {
      ...this.jobOptions,
      ...(opts.delayMs ? { delay: opts.delayMs } : {}),
      // The key goes to BullMQ's deduplication, not its jobId: a jobId stays taken while the finished
      // job is kept (or forever, once failed), and a job that is already running would swallow a new
      // one. With keepLastIfActive a key has at most one running and one pending job.
      ...(opts.jobId !== undefined ? { deduplication: { id: `${name}:${opts.jobId}`, keepLastIfActive: true } } : {}),
    });
  }

  async repeat<N extends JobName>(name: N, data: JobData<N>, everyMs: number): Promise<void> {
    const valid = parseJobData(name, data);
    // A job scheduler is an upsert: every process may register it at start without stacking schedules.
    await this.queue(name).upsertJobScheduler(
      `every:${name}`,
      { every: everyMs },
      { name, data: valid, opts: this.jobOptions },
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private queue(name: JobName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(queueNameOf(name), { connection: this.connection, prefix: this.options.prefix });
      queue.on('error', (err: Error) => this.logger.warn({ err, queue: name }, 'job queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
