import type { Logger } from 'pino';
import type { Config } from '../sync-server/config.ts';
import { BullmqQueue } from './bullmq-queue.ts';
import { InProcessQueue } from './in-process-queue.ts';
import { createJobHandlers, type HandlerDeps } from './job-handlers.ts';
import { RECURRING_JOBS, type JobQueue } from './job-queue.ts';
import { readJobSettings } from './job-settings.ts';
import { SnapshotScheduler } from './snapshot-scheduler.ts';

export interface Jobs {
  queue: JobQueue;
  /** Hooked into the sync service: turns changes to loaded channel docs into snapshot jobs. */
  snapshots: SnapshotScheduler;
  close(): Promise<void>;
}

/**
 * The jobs side of a sync node. With REDIS_URL it only produces (worker processes run the jobs and own
 * the recurring schedule); without it, the same handlers run here, in-process.
 */
export async function createJobs(
  config: Config,
  deps: HandlerDeps & { logger: Logger },
  env = process.env,
): Promise<Jobs> {
  const logger = deps.logger.child({ component: 'jobs' });
  let queue: JobQueue;
  if (config.redisUrl) {
    queue = new BullmqQueue({ redisUrl: config.redisUrl, prefix: readJobSettings(env).prefix }, logger);
  } else {
    queue = new InProcessQueue(createJobHandlers(deps), logger);
    for (const job of RECURRING_JOBS) await queue.repeat(job.name, job.data, job.everyMs);
  }
  const snapshots = new SnapshotScheduler({
    schedule: (docName) => queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName }),
    onError: (err, docName) =>
      logger.warn({ err, doc: docName }, 'could not schedule a snapshot; the next change retries'),
  });
  return {
    queue,
    snapshots,
    async close() {
      snapshots.close();
      await queue.close();
    },
  };
}
