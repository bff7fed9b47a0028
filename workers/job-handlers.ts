import type { Logger } from 'pino';
import type { ChannelChange } from '../shared/sync/channel-doc.ts';
import type { Database } from '../sync-server/db/database.ts';
import { archiveIdleThreads } from './handlers/archive-idle-threads.ts';
import { snapshotChannelDoc } from './handlers/snapshot-channel-doc.ts';
import { moderateMessage } from './handlers/moderate-message.ts';
import { sweepAttachments } from './handlers/sweep-attachments.ts';
import { exportUserData } from './handlers/export-user-data.ts';
import { expireDataExports } from './handlers/expire-data-exports.ts';
import { emailNotifications } from './handlers/email-notifications.ts';
import type { EmailSender } from '../sync-server/email/email-sender.ts';
import type { SmsSender } from '../sync-server/sms/sms-sender.ts';
import { smsAlert } from './handlers/sms-alert.ts';
import { emailDigests } from './handlers/email-digests.ts';
import { pushNotification } from './handlers/push-notification.ts';
import { pushDirectMessage } from './handlers/push-direct-message.ts';
import { pushConfigured, type PushChannels } from '../sync-server/push/push-to-devices.ts';
import type { AttachmentStore } from '../sync-server/attachments/attachment-store.ts';
import type { AiModerator } from '../sync-server/moderation/ai-moderation.ts';
import { parseJobData, type JobData, type JobName } from './job-queue.ts';
import { unfurlMessage } from './handlers/unfurl-message.ts';
import { purgeDeletedWords } from './handlers/purge-deleted-words.ts';
import type { LinkPreview } from '../shared/sync/channel-doc.ts';

/** What a queue tells the handler about the run: the logger carries the job's name and id. */
export interface JobContext {
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** No retry follows this run if it fails. */
  lastAttempt: boolean;
  logger: Logger;
}

export type JobHandlers = { [N in JobName]: (data: JobData<N>, ctx: JobContext) => Promise<void> };

export interface HandlerDeps {
  db: Database;
  /** Where uploaded files' bytes live (the sweep deletes from it). */
  attachments: AttachmentStore;
  /** Where committed channel changes go so live clients see them (see ArchiveDeps.onChanges). */
  onChanges: (changes: ChannelChange[]) => Promise<void>;
  /** Notification email; undefined when it is off (then such jobs are never enqueued). */
  email?: EmailSender | undefined;
  /** Web Push and FCM; with neither on, such jobs are never enqueued. */
  push?: PushChannels | undefined;
  /** Critical alerts by SMS; undefined when off (then such jobs are never enqueued). */
  sms?: SmsSender | undefined;
  /** The app's public address, for links in emails. */
  appUrl?: string;
  /** Layer 2; undefined when no AI endpoint is configured (then such jobs are never enqueued). */
  moderator?: AiModerator | undefined;
  /** Reads a linked page for its preview; undefined when previews are off (then such jobs are never enqueued). */
  linkPreview?: ((url: string) => Promise<LinkPreview | null>) | undefined;
}

/** Binds every handler to its dependencies; both queue implementations run this same table. */
export function createJobHandlers(deps: HandlerDeps): JobHandlers {
  /** What both push jobs need; with Layer 2 on, they wait for the message's verdict (see layer2-gate.ts). */
  const pushDeps = (ctx: JobContext) => {
    if (!deps.push || !pushConfigured(deps.push))
      throw new Error('push is not configured (VAPID keys or FIREBASE_SERVICE_ACCOUNT_FILE)');
    return {
      db: deps.db,
      push: deps.push,
      appUrl: deps.appUrl ?? '',
      logger: ctx.logger,
      layer2: deps.moderator ? { lastAttempt: ctx.lastAttempt } : undefined,
    };
  };
  return {
    'snapshot-channel-doc': (data, ctx) => snapshotChannelDoc({ db: deps.db, logger: ctx.logger }, data),
    'archive-idle-threads': async (data, ctx) =>
      void (await archiveIdleThreads({ db: deps.db, logger: ctx.logger, onChanges: deps.onChanges }, data)),
    'sweep-attachments': async (data, ctx) =>
      void (await sweepAttachments({ db: deps.db, store: deps.attachments, logger: ctx.logger }, data)),
    'export-user-data': (data, ctx) =>
      exportUserData({ db: deps.db, store: deps.attachments, logger: ctx.logger }, data),
    'expire-data-exports': async (data, ctx) =>
      void (await expireDataExports({ db: deps.db, store: deps.attachments, logger: ctx.logger }, data)),
    'email-notifications': async (data, ctx) => {
      if (!deps.email) throw new Error('notification email is not configured (EMAIL_FROM)');
      await emailNotifications({ db: deps.db, email: deps.email, appUrl: deps.appUrl ?? '', logger: ctx.logger }, data);
    },
    'email-digests': async (data, ctx) => {
      // Scheduled whether or not email is set up: without it there is nothing to do.
      if (!deps.email) return;
      await emailDigests({ db: deps.db, email: deps.email, appUrl: deps.appUrl ?? '', logger: ctx.logger }, data);
    },
    'push-notification': async (data, ctx) => void (await pushNotification(pushDeps(ctx), data)),
    'push-direct-message': async (data, ctx) => void (await pushDirectMessage(pushDeps(ctx), data)),
    'sms-alert': async (data, ctx) => {
      if (!deps.sms) throw new Error('SMS alerts are not configured (TWILIO_ACCOUNT_SID)');
      await smsAlert({ db: deps.db, sms: deps.sms, logger: ctx.logger }, data);
    },
    'purge-deleted-words': async (data, ctx) =>
      void (await purgeDeletedWords({ db: deps.db, logger: ctx.logger }, data)),
    'unfurl-message': async (data, ctx) => {
      if (!deps.linkPreview) return;
      await unfurlMessage(
        { db: deps.db, logger: ctx.logger, preview: deps.linkPreview, onChanges: deps.onChanges },
        data,
      );
    },
    'moderate-message': async (data, ctx) => {
      if (!deps.moderator) throw new Error('Layer-2 moderation is not configured (OPENAI_API_KEY)');
      await moderateMessage(
        {
          db: deps.db,
          moderator: deps.moderator,
          store: deps.attachments,
          logger: ctx.logger,
          onChanges: deps.onChanges,
        },
        data,
      );
    },
  };
}

/** Validates raw job data (it may come from Redis) and runs the matching handler. */
export async function runJob<N extends JobName>(
  handlers: JobHandlers,
  name: N,
  raw: unknown,
  ctx: JobContext,
): Promise<void> {
  const handler: (data: JobData<N>, ctx: JobContext) => Promise<void> = handlers[name];
  return handler(parseJobData(name, raw), ctx);
}
