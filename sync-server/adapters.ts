import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AppDeps } from './app-deps.ts';
import { loadOrCreateEmbeddedSecrets } from './auth/embedded-secrets.ts';
import { createTokenService } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { createPgDatabase } from './db/pg-database.ts';
import { createPgliteDatabase } from './db/pglite-database.ts';
import { createMemoryPresenceStore } from './presence/memory-presence-store.ts';
import { createRedisPresenceStore } from './presence/redis-presence-store.ts';
import type { Fanout } from './fanout/fanout.ts';
import { createMemoryFanoutBus } from './fanout/memory-fanout.ts';
import { createRedisFanout } from './fanout/redis-fanout.ts';
import { createMemoryRateLimiter } from './rate-limit/memory-rate-limiter.ts';
import { createRedisRateLimiter } from './rate-limit/redis-rate-limiter.ts';
import type { RateLimiter } from './rate-limit/rate-limiter.ts';
import { SyncService } from './sync/sync-service.ts';
import { createModerationDeps } from './moderation/moderation-deps.ts';
import { createOpenAiModerator } from './moderation/ai-moderation.ts';
import { createJobs } from '../workers/jobs-adapter.ts';
import { createAttachmentStore } from './attachments/create-attachment-store.ts';
import { createSesEmailSender } from './email/email-sender.ts';
import { createTwilioSmsSender } from './sms/sms-sender.ts';
import { outOfAppDelivery } from './notifications/out-of-app.ts';
import { createWebPushSender } from './push/web-push-sender.ts';
import { createFcmSender } from './push/fcm-sender.ts';
import { linkPreviewReaderFor } from './link-previews/link-preview-reader.ts';
import { loadOrCreateVapidKeys } from './push/embedded-vapid.ts';

export interface Adapters extends AppDeps {
  close(): Promise<void>;
}

/**
 * The one place that chooses implementations: production adapters when DATABASE_URL / REDIS_URL are
 * set, embedded ones (PGlite on disk, in-memory presence and fan-out) otherwise.
 */
export async function createAdapters(
  config: Config,
  logger: Logger,
  testHooks: { afterCommitHook?: (() => void) | undefined } = {},
): Promise<Adapters> {
  const closers: Array<() => Promise<void>> = [];
  const readinessChecks: AppDeps['readinessChecks'] = [];

  let db: Database;
  if (config.database.kind === 'postgres') {
    db = createPgDatabase(config.database.url, { max: config.database.poolSize });
  } else {
    db = await createPgliteDatabase(config.database.dataDir);
  }
  closers.push(() => db.close());

  let hostJwtSecret = config.auth.hostJwtSecret;
  let signingSecret = config.auth.signingSecret;
  if (config.mode === 'embedded' && (!signingSecret || (!hostJwtSecret && !config.auth.jwksUrl))) {
    const generated = await loadOrCreateEmbeddedSecrets(config.dataDir);
    signingSecret ??= generated.signingSecret;
    if (!config.auth.jwksUrl) hostJwtSecret ??= generated.hostJwtSecret;
  }
  if (!signingSecret) throw new Error('LOUNGE_SIGNING_SECRET is required');
  const tokens = createTokenService({
    hostJwtSecret,
    jwksUrl: config.auth.jwksUrl,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    signingSecret,
    acceptDemoTokens: config.auth.demoSignIn,
  });

  let presence = createMemoryPresenceStore();
  let rateLimiter: RateLimiter = createMemoryRateLimiter();
  let fanout: Fanout = createMemoryFanoutBus().connect();
  if (config.redisUrl) {
    const connect = (role: string) => {
      // Auto-pipelining: the commands a tick issues (a batch's rate-limit checks, its publishes) go out
      // as one write instead of one system call each, which was a visible share of CPU per message.
      const redis = new Redis(config.redisUrl as string, {
        maxRetriesPerRequest: 3,
        enableAutoPipelining: role !== 'subscribe',
      });
      redis.on('error', (err: Error) => logger.warn({ err, role }, 'redis connection error'));
      closers.push(async () => void (await redis.quit().catch(() => redis.disconnect())));
      return redis;
    };
    const redis = connect('commands');
    presence = createRedisPresenceStore(redis);
    rateLimiter = createRedisRateLimiter(redis);
    // Pub/sub needs connections of its own: a subscribed connection can issue no other command.
    fanout = createRedisFanout(connect('publish'), connect('subscribe'), logger);
    readinessChecks.push({ name: 'redis', check: async () => void (await redis.ping()) });
  }
  const attachments = createAttachmentStore(config.attachments);
  if (config.attachments.kind === 's3') readinessChecks.push({ name: 'attachments', check: () => attachments.check() });
  else if (config.mode === 'production')
    logger.warn(
      { dir: config.attachments.dir },
      'attachments are stored on this node only; set S3_ENDPOINT when running more than one node',
    );
  // Jobs (workers/): BullMQ producer when REDIS_URL is set, in-process otherwise. In-process job
  // results (archived threads) reach live clients through this node's ChannelSync.
  const moderator = config.moderation.ai ? createOpenAiModerator(config.moderation.ai) : undefined;
  const email = config.email ? createSesEmailSender(config.email) : undefined;
  // Web Push: configured keys, or in the embedded default keys of its own (kept in DATA_DIR).
  const vapid =
    config.push.vapid ??
    (config.mode === 'embedded'
      ? { ...(await loadOrCreateVapidKeys(config.dataDir)), subject: 'mailto:lounge@localhost' }
      : undefined);
  const push = vapid ? createWebPushSender(vapid) : undefined;
  const fcm = config.push.fcmKeyFile ? createFcmSender(config.push.fcmKeyFile) : undefined;
  if (fcm) closers.push(() => fcm.close());
  const pushing = push !== undefined || fcm !== undefined;
  const jobs = await createJobs(config, {
    db,
    attachments,
    email,
    push: { web: push, fcm },
    sms: config.sms ? createTwilioSmsSender(config.sms) : undefined,
    appUrl: config.appUrl,
    logger,
    moderator,
    linkPreview: config.linkPreviews ? linkPreviewReaderFor(config.linkPreviews, attachments, logger) : undefined,
    onChanges: (changes) => sync.channels.committed(changes),
  });
  const outOfApp = outOfAppDelivery(config, jobs.queue, pushing);
  const sync = new SyncService({
    db,
    fanout,
    presence,
    intents: { db, rateLimiter, moderation: createModerationDeps(config.moderation) },
    logger,
    snapshots: jobs.snapshots,
    // Layer 2 runs after commit, as a job: it never delays delivery, and a down endpoint only delays it.
    ...(moderator
      ? {
          moderateMessages: async (ids: string[]) => {
            for (const messageId of ids)
              await jobs.queue.enqueue('moderate-message', { messageId }, { jobId: `moderate:${messageId}` });
          },
        }
      : {}),
    ...(config.linkPreviews
      ? {
          unfurlMessages: async (ids: string[]) => {
            for (const messageId of ids)
              await jobs.queue.enqueue('unfurl-message', { messageId }, { jobId: `unfurl:${messageId}` });
          },
        }
      : {}),
    ...(outOfApp ? { onNotified: outOfApp } : {}),
    ...(pushing
      ? {
          onDirectMessages: async (messageIds: string[]) => {
            for (const messageId of messageIds)
              await jobs.queue.enqueue('push-direct-message', { messageId }, { jobId: `push-dm:${messageId}` });
          },
        }
      : {}),
    ...(testHooks.afterCommitHook ? { afterCommitHook: testHooks.afterCommitHook } : {}),
  });
  closers.push(async () => {
    await sync.close();
    await fanout.close();
  });
  // Pushed last so it runs first: running jobs finish while the sync service and database still exist.
  closers.push(() => jobs.close());

  return {
    config,
    db,
    tokens,
    presence,
    rateLimiter,
    sync,
    attachments,
    ...(push ? { push: { sender: push, allowedHosts: config.push.allowedHosts } } : {}),
    appDevicePush: fcm !== undefined,
    jobs: jobs.queue,
    readinessChecks,
    logger,
    async close() {
      for (const close of closers.reverse())
        await close().catch((err: unknown) => logger.error({ err }, 'close failed'));
    },
  };
}
