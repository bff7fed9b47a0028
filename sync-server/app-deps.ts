import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { TokenService } from './auth/tokens.ts';
import type { PresenceStore } from './presence/presence-store.ts';
import type { RateLimiter } from './rate-limit/rate-limiter.ts';
import type { SyncService } from './sync/sync-service.ts';
import type { JobQueue } from '../workers/job-queue.ts';
import type { AttachmentStore } from './attachments/attachment-store.ts';
import type { PushSender } from './push/web-push-sender.ts';

/** Everything a request handler may use, chosen once at start-up by `createAdapters`. */
export interface AppDeps {
  config: Config;
  db: Database;
  tokens: TokenService;
  presence: PresenceStore;
  rateLimiter: RateLimiter;
  sync: SyncService;
  /** Web Push, when the server has VAPID keys: the sender and the push services it may post to. */
  push?: { sender: PushSender; allowedHosts: string[] };
  /** FCM is configured (a Firebase service account): members' app devices may register for pushes. */
  appDevicePush?: boolean;
  /** Where uploaded files' bytes live. */
  attachments: AttachmentStore;
  /** Background jobs (workers/); optional so hand-built test deps need not supply a queue. */
  jobs?: JobQueue;
  /** Extra readiness checks (Redis ping in production). */
  readinessChecks: Array<{ name: string; check: () => Promise<void> }>;
  logger: Logger;
}
