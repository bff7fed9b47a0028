import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BullmqConnectionOptions } from './bullmq-queue.ts';
import { queueNameOf } from './bullmq-queue.ts';
import { runJob, type JobHandlers } from './job-handlers.ts';
import { JOB_NAMES, RetryLater, type JobName } from './job-queue.ts';

export interface JobWorkersOptions extends BullmqConnectionOptions {
  handlers: JobHandlers;
  logger: Logger;
  /** Jobs of one name run at once in this process. */
  concurrency: number;
  /**
   * How long a job's lock lives without renewal. A worker killed mid-job holds it until it expires;
   * then the stalled check of any live worker puts the job back in line.
   */
  lockMs: number;
  names?: readonly JobName[];
}

export interface JobWorkers {
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

/** Runs BullMQ workers for every job name with the shared handler table. */
export function startJobWorkers(options: JobWorkersOptions): JobWorkers {
  const { logger } = options;
  // Workers block on Redis; BullMQ requires such connections to retry commands forever.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', (err: Error) => logger.warn({ err }, 'worker redis error'));

  const workers = (options.names ?? JOB_NAMES).map((name) => {
    const worker = new Worker(
      queueNameOf(name),
      async (job: Job) => {
        if (job.name !== name) throw new Error(`unexpected job ${job.name} on queue ${name}`);
        const jobId = job.id ?? 'unknown';
        await runJob(options.handlers, name, job.data, {
          jobId,
          attempt: job.attemptsMade + 1,
          lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
          logger: logger.child({ job: name, jobId, attempt: job.attemptsMade + 1 }),
        });
      },
      {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        lockDuration: options.lockMs,
        stalledInterval: options.lockMs,
        // Every job is safe to run again, so a job whose worker died twice is still retried.
        maxStalledCount: 3,
      },
    );
    worker.on('completed', (job) => logger.info({ job: name, jobId: job.id }, 'job completed'));
    worker.on('failed', (job, err) => {
      const final = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
      if (!final && err instanceof RetryLater)
        return void logger.info({ job: name, jobId: job?.id, reason: err.message }, 'job runs again later');
      logger[final ? 'error' : 'warn'](
        { err, job: name, jobId: job?.id, attemptsMade: job?.attemptsMade },
        final ? 'job failed; no attempts left' : 'job failed; will retry',
      );
    });
    worker.on('stalled', (jobId) => logger.warn({ job: name, jobId }, 'job stalled (its worker died); queued again'));
    worker.on('error', (err) => logger.error({ err, job: name }, 'worker error'));
    return worker;
  });

  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
