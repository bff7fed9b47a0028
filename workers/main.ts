import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { ChannelChange } from '../shared/sync/channel-doc.ts';
import { ConfigError, loadConfig, type Config } from '../sync-server/config.ts';
import { createPgDatabase } from '../sync-server/db/pg-database.ts';
import { topics } from '../sync-server/fanout/fanout.ts';
import { createRedisFanout } from '../sync-server/fanout/redis-fanout.ts';
import { BullmqQueue } from './bullmq-queue.ts';
import { startJobWorkers } from './bullmq-workers.ts';
import { createJobHandlers } from './job-handlers.ts';
import { createOpenAiModerator } from '../sync-server/moderation/ai-moderation.ts';
import { RECURRING_JOBS } from './job-queue.ts';
import { createAttachmentStore } from '../sync-server/attachments/create-attachment-store.ts';
import { createSesEmailSender } from '../sync-server/email/email-sender.ts';
import { createTwilioSmsSender } from '../sync-server/sms/sms-sender.ts';
import { createWebPushSender } from '../sync-server/push/web-push-sender.ts';
import { createFcmSender } from '../sync-server/push/fcm-sender.ts';
import { linkPreviewReaderFor } from '../sync-server/link-previews/link-preview-reader.ts';
import { JobSettingsError, readJobSettings, type JobSettings } from './job-settings.ts';

/** How long SIGTERM waits for running jobs before giving up (every job is safe to run again). */
const SHUTDOWN_GRACE_MS = 60_000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function loadSettings(): { config: Config; databaseUrl: string; redisUrl: string; jobs: JobSettings } {
  try {
    const config = loadConfig();
    const jobs = readJobSettings();
    if (config.database.kind !== 'postgres' || !config.redisUrl) {
      fail(
        'The worker needs DATABASE_URL and REDIS_URL: it shares Postgres and the BullMQ queues with the sync ' +
          'nodes. (Without them, `npm start` runs every job in-process and no worker is needed.)',
      );
    }
    return { config, databaseUrl: config.database.url, redisUrl: config.redisUrl, jobs };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof JobSettingsError) {
      fail(err.message);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const { config, databaseUrl, redisUrl, jobs } = loadSettings();
  const logger = pino({ level: config.logLevel, base: { service: 'lounge-worker', pid: process.pid } });
  const db = createPgDatabase(databaseUrl, { max: jobs.concurrency + 2 });

  // Publish-only fan-out: this process subscribes to nothing, so one connection serves both roles.
  const fanoutRedis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  fanoutRedis.on('error', (err: Error) => logger.warn({ err }, 'fan-out redis error'));
  const fanout = createRedisFanout(fanoutRedis, fanoutRedis, logger);
  const announce = async (changes: ChannelChange[]): Promise<void> => {
    const byChannel = new Map<string, ChannelChange[]>();
    for (const change of changes) byChannel.set(change.channelId, [...(byChannel.get(change.channelId) ?? []), change]);
    await Promise.all(
      [...byChannel].map(([channelId, list]) =>
        fanout.publish(topics.channel(channelId), { kind: 'changes', changes: list }),
      ),
    );
  };

  const attachments = createAttachmentStore(config.attachments);
  const queue = new BullmqQueue({ redisUrl, prefix: jobs.prefix }, logger);
  for (const job of RECURRING_JOBS) await queue.repeat(job.name, job.data, job.everyMs);
  const workers = startJobWorkers({
    redisUrl,
    prefix: jobs.prefix,
    concurrency: jobs.concurrency,
    lockMs: jobs.lockMs,
    logger,
    handlers: createJobHandlers({
      db,
      attachments,
      email: config.email ? createSesEmailSender(config.email) : undefined,
      sms: config.sms ? createTwilioSmsSender(config.sms) : undefined,
      push: {
        web: config.push.vapid ? createWebPushSender(config.push.vapid) : undefined,
        fcm: config.push.fcmKeyFile ? createFcmSender(config.push.fcmKeyFile) : undefined,
      },
      appUrl: config.appUrl,
      onChanges: announce,
      moderator: config.moderation.ai ? createOpenAiModerator(config.moderation.ai) : undefined,
      linkPreview: config.linkPreviews ? linkPreviewReaderFor(config.linkPreviews, attachments, logger) : undefined,
    }),
  });
  logger.info({ prefix: jobs.prefix, concurrency: jobs.concurrency }, 'worker started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping after its running jobs');
    const force = setTimeout(() => {
      logger.error('running jobs did not finish in time; exiting (their locks expire and they run again)');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    await workers.close();
    await queue.close();
    await fanout.close();
    await fanoutRedis.quit().catch(() => fanoutRedis.disconnect());
    await db.close();
    logger.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Lounge worker failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
