import { z } from 'zod';
import { MAX_DOC_NAME_LENGTH, parseDocName } from '../shared/sync/doc-names.ts';

/**
 * The jobs adapter: one interface, two implementations (BullMQ in production, in-process in the
 * embedded default). Job data crosses a process boundary in production (JSON in Redis), so every job
 * has a zod schema and is validated when it is enqueued and again when it runs.
 */

const channelDocName = z
  .string()
  .max(MAX_DOC_NAME_LENGTH)
  .refine((name) => {
    const kind = parseDocName(name)?.kind;
    return kind === 'channel-meta' || kind === 'channel-segment';
  }, 'a channel meta or segment doc name');

export const jobSchemas = {
  /** Rebuilds one channel doc from Postgres and stores it as its newest snapshot. */
  'snapshot-channel-doc': z.strictObject({ docName: channelDocName }),
  /** Archives threads idle for longer than their auto_archive_after_hours. */
  'archive-idle-threads': z.strictObject({}),
  /** Deletes the bytes and rows of removed files and of uploads no message claimed in time. */
  'sweep-attachments': z.strictObject({}),
  /** Builds one requested data export (GDPR) into the attachment store. */
  'export-user-data': z.strictObject({ exportId: z.uuid() }),
  /** Deletes data exports past their week. */
  'expire-data-exports': z.strictObject({}),
  /** Emails a member the mentions and replies they have not read in the app (SES). */
  'email-notifications': z.strictObject({ userId: z.uuid() }),
  /** Sends the daily and weekly email digests that are due. */
  'email-digests': z.strictObject({}),
  /** Pushes one notification to the member's subscribed browsers (Web Push). */
  'push-notification': z.strictObject({ notificationId: z.uuid() }),
  /** Pushes a new direct message to the other participants' browsers. */
  'push-direct-message': z.strictObject({ messageId: z.uuid() }),
  /** Texts a member a critical moderation notice (ban, mute) through Twilio. */
  'sms-alert': z.strictObject({ notificationId: z.uuid() }),
  /** Layer-2 (AI) moderation of one message's current words. */
  'moderate-message': z.strictObject({ messageId: z.uuid() }),
  /** Erases the words of messages deleted long enough ago (LIMITS.privacy.deletedWordsKeptDays). */
  'purge-deleted-words': z.strictObject({}),
  /** The link preview of a new or edited message's first web address. */
  'unfurl-message': z.strictObject({ messageId: z.uuid() }),
};

export type JobName = keyof typeof jobSchemas;
export type JobData<N extends JobName> = z.infer<(typeof jobSchemas)[N]>;

export const JOB_NAMES = Object.keys(jobSchemas) as JobName[];

export interface EnqueueOptions {
  /**
   * Deduplication key: while a job with this key is pending (waiting, delayed or waiting to retry), the
   * same key enqueued again is dropped. A job already running does not absorb new ones, so a change made
   * while it runs still gets a run of its own afterwards.
   */
  jobId?: string;
  delayMs?: number;
}

export interface JobQueue {
  enqueue<N extends JobName>(name: N, data: JobData<N>, opts?: EnqueueOptions): Promise<void>;
  /** Runs the job every `everyMs`; registering the same job again replaces the earlier schedule. */
  repeat<N extends JobName>(name: N, data: JobData<N>, everyMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Retries with exponential backoff, shared by both implementations so they fail the same way. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/**
 * A run that is not a failure but must happen later (it waits for something else to finish): retried with
 * the usual backoff, logged as information rather than as a failure.
 */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 1000 };

/** Delay before retry number `attempt` (1 = the first retry): backoff, 2×backoff, 4×backoff, … */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return policy.backoffMs * 2 ** Math.max(0, attempt - 1);
}

/** Jobs that run on a clock rather than on an event. */
export const RECURRING_JOBS = [
  { name: 'archive-idle-threads', data: {}, everyMs: 10 * 60_000 },
  { name: 'sweep-attachments', data: {}, everyMs: 60 * 60_000 },
  { name: 'expire-data-exports', data: {}, everyMs: 60 * 60_000 },
  { name: 'email-digests', data: {}, everyMs: 60 * 60_000 },
  { name: 'purge-deleted-words', data: {}, everyMs: 60 * 60_000 },
] as const satisfies ReadonlyArray<{
  name: JobName;
  data: JobData<JobName>;
  everyMs: number;
}>;

export function parseJobData<N extends JobName>(name: N, raw: unknown): JobData<N> {
  return jobSchemas[name].parse(raw) as JobData<N>;
}

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(jobSchemas, name);
}
