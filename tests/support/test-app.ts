import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../sync-server/app-deps.ts';
import { buildApp } from '../../sync-server/app.ts';
import { createTokenService } from '../../sync-server/auth/tokens.ts';
import { loadConfig, type Config } from '../../sync-server/config.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createModerationDeps } from '../../sync-server/moderation/moderation-deps.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { createMemoryPresenceStore } from '../../sync-server/presence/memory-presence-store.ts';
import type { PresenceStore } from '../../sync-server/presence/presence-store.ts';
import type { Fanout } from '../../sync-server/fanout/fanout.ts';
import { createMemoryFanoutBus } from '../../sync-server/fanout/memory-fanout.ts';
import { createMemoryRateLimiter } from '../../sync-server/rate-limit/memory-rate-limiter.ts';
import type { RateLimiter } from '../../sync-server/rate-limit/rate-limiter.ts';
import { SyncService, type SyncServiceOptions } from '../../sync-server/sync/sync-service.ts';
import type { AttachmentStore } from '../../sync-server/attachments/attachment-store.ts';
import type { JobQueue } from '../../workers/job-queue.ts';
import { createDiskAttachmentStore } from '../../sync-server/attachments/disk-attachment-store.ts';

export const TEST_HOST_SECRET = 'test-host-platform-secret-0123456789abcdef';
export const TEST_SIGNING_SECRET = 'test-lounge-signing-secret-0123456789abcdef';

/** A store in a fresh temporary folder, for tests whose files nobody looks at afterwards. */
export const scratchAttachmentStore = (): AttachmentStore =>
  createDiskAttachmentStore(mkdtempSync(join(tmpdir(), 'lounge-attachments-')));

/** Production-like config over a given database; `env` overrides any variable. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused@127.0.0.1:5432/unused',
    AUTH_JWT_SECRET: TEST_HOST_SECRET,
    LOUNGE_SIGNING_SECRET: TEST_SIGNING_SECRET,
    CLIENT_DIST_DIR: '/nonexistent',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export interface TestAppOptions {
  fanout?: Fanout;
  presence?: PresenceStore;
  rateLimiter?: RateLimiter;
  sync?: Partial<SyncServiceOptions>;
  /** Default: a fresh temporary folder. */
  attachments?: AttachmentStore;
  /** Background jobs (data exports); none by default. */
  jobs?: JobQueue;
  /** Web Push; off by default. */
  push?: AppDeps['push'];
  /** App devices may register FCM tokens; off by default. */
  appDevicePush?: boolean;
}

/** The real app over a real database, with in-process adapters unless the test passes others. */
export async function createTestApp(
  db: Database,
  config: Config = testConfig(),
  options: TestAppOptions = {},
): Promise<FastifyInstance & { deps: AppDeps }> {
  await migrate(db);
  await seedLounge(db);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const presence = options.presence ?? createMemoryPresenceStore();
  const rateLimiter = options.rateLimiter ?? createMemoryRateLimiter();
  const fanout = options.fanout ?? createMemoryFanoutBus().connect();
  const sync = new SyncService({
    db,
    fanout,
    presence,
    intents: { db, rateLimiter, moderation: createModerationDeps(config.moderation) },
    logger,
    ...options.sync,
  });
  const deps: AppDeps = {
    config,
    db,
    tokens: createTokenService({
      hostJwtSecret: config.auth.hostJwtSecret ?? TEST_HOST_SECRET,
      jwksUrl: undefined,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      signingSecret: config.auth.signingSecret ?? TEST_SIGNING_SECRET,
      acceptDemoTokens: config.auth.demoSignIn,
    }),
    presence,
    rateLimiter,
    sync,
    attachments: options.attachments ?? scratchAttachmentStore(),
    readinessChecks: [],
    logger,
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.push ? { push: options.push } : {}),
    ...(options.appDevicePush ? { appDevicePush: true } : {}),
  };
  const app = await buildApp(deps);
  app.addHook('onClose', async () => {
    await sync.close();
  });
  return Object.assign(app, { deps });
}

/** A token as the host platform would sign it for a member. */
export async function hostToken(
  claims: { sub: string; handle?: string; name?: string },
  options: { secret?: string; audience?: string; expiresIn?: string | number; issuer?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({ handle: claims.handle, name: claims.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setAudience(options.audience ?? 'lounge')
    .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
    .setExpirationTime(options.expiresIn ?? '1h');
  if (options.issuer) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_HOST_SECRET));
}
