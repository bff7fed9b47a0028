import { z } from 'zod';
import { LIMITS } from '../rules/limits.ts';
import { REPORT_REASON_VALUES } from '../rules/report-reasons.ts';

/**
 * Every write a member makes is an intent with a client-made id, written to the outbox of their private
 * doc. The server validates each one against these schemas at the edge before anything else looks at it.
 */

const uuid = z.uuid();
const emoji = z
  .string()
  .min(1)
  .max(32)
  .refine((v) => /^(\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f|:[a-z0-9_+-]{1,30}:)+$/u.test(v), {
    message: 'must be an emoji',
  });
/** Text a member typed: PostgreSQL cannot store NUL characters, so they are refused at the edge. */
const text = () => z.string().refine((v) => !v.includes('\u0000'), { message: 'must not contain NUL characters' });
// Over-long bodies pass the schema so the handler can refuse them with the length in words a member reads.
const body = text().pipe(z.string().max(LIMITS.text.messageBodyMaxChars + 1000));

const common = {
  /** Client order: intents of one member are processed in increasing n. */
  n: z.number().int().nonnegative(),
  createdAt: z.number().int().nonnegative(),
};

export const intentSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('send'),
    channelId: uuid,
    body,
    replyToId: uuid.nullish(),
    /** Uploads (POST /api/attachments) of the sender's that no message has yet, in the order shown. */
    attachmentIds: z.array(uuid).max(LIMITS.attachments.perMessage).optional(),
    ...common,
  }),
  z.strictObject({ kind: z.literal('edit'), messageId: uuid, body, ...common }),
  z.strictObject({
    kind: z.literal('delete'),
    messageId: uuid,
    // A moderator's reason, told to the author and kept in the moderation log (ignored for one's own).
    reason: text().pipe(z.string().trim().max(500)).optional(),
    ...common,
  }),
  z.strictObject({ kind: z.literal('react'), messageId: uuid, emoji, ...common }),
  z.strictObject({ kind: z.literal('unreact'), messageId: uuid, emoji, ...common }),
  z.strictObject({ kind: z.literal('pin'), messageId: uuid, pinned: z.boolean(), ...common }),
  z.strictObject({
    kind: z.literal('approve'),
    messageId: uuid,
    reason: text().pipe(z.string().trim().max(1000)).default(''),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('hide'),
    messageId: uuid,
    hidden: z.boolean(),
    reason: text().pipe(z.string().trim().max(500)).default(''),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('create_thread'),
    roomId: uuid,
    title: text().pipe(z.string().max(300)),
    body,
    parentMessageId: uuid.nullish(),
    /** Archived after this many hours without a message (default 72). */
    autoArchiveAfterHours: z
      .number()
      .int()
      .min(LIMITS.threads.autoArchiveHoursMin)
      .max(LIMITS.threads.autoArchiveHoursMax)
      .optional(),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('report'),
    messageId: uuid,
    reason: z.enum(REPORT_REASON_VALUES),
    details: text().pipe(z.string().trim().max(1000)).default(''),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('moderate_member'),
    roomId: uuid,
    userId: uuid,
    action: z.enum(['warn', 'mute', 'unmute', 'ban', 'unban']),
    /** For mutes; without it a mute lasts until a moderator lifts it. */
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 365)
      .nullish(),
    reason: text().pipe(z.string().trim().max(1000)).default(''),
    ...common,
  }),
  /** Leaves a group conversation: its words stay for the others; the member no longer reads or writes it. */
  z.strictObject({ kind: z.literal('leave_dm'), channelId: uuid, ...common }),
  /** Names a group conversation (or, with an empty or null title, unnames it: it is called by its people). */
  z.strictObject({
    kind: z.literal('rename_dm'),
    channelId: uuid,
    title: text().pipe(z.string().trim().max(100)).nullable(),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('start_dm'),
    /** The other participants: one for a 1:1 conversation, up to nine for a group (the handler says why past that). */
    participantIds: z.array(uuid).min(1).max(49),
    title: text().pipe(z.string().trim().max(100)).nullish(),
    ...common,
  }),
  /**
   * A thread's state, set by those `can()` allows: `pinned` (moderators: `pin_thread`), `locked` (moderators:
   * `lock_thread`), `resolved` (its starter or a moderator: `resolve_thread`). Each field present is the value
   * wanted (so `false` undoes); absent fields stay as they are; at least one is required.
   */
  z
    .strictObject({
      kind: z.literal('thread_state'),
      threadId: uuid,
      pinned: z.boolean().optional(),
      locked: z.boolean().optional(),
      resolved: z.boolean().optional(),
      ...common,
    })
    .refine((v) => v.pinned !== undefined || v.locked !== undefined || v.resolved !== undefined, {
      message: 'must set at least one of pinned, locked or resolved',
    }),
  /**
   * Follows (`true`) or unfollows (`false`) a thread the member can read: its followers are told of new
   * replies. Writing in a thread follows it by itself; its starter follows it until they unfollow.
   */
  z.strictObject({ kind: z.literal('follow_thread'), threadId: uuid, following: z.boolean(), ...common }),
  z.strictObject({ kind: z.literal('mark_read'), channelId: uuid, seq: z.number().int().nonnegative(), ...common }),
  /** Notifications the member has seen: these ids, or with `all` every one of theirs. */
  z
    .strictObject({
      kind: z.literal('read_notifications'),
      ids: z.array(uuid).min(1).max(200).optional(),
      all: z.literal(true).optional(),
      ...common,
    })
    .refine((v) => (v.ids === undefined) !== (v.all === undefined), { message: 'must give either ids or all' }),
]);

export type Intent = z.infer<typeof intentSchema>;
export type IntentKind = Intent['kind'];

/** What the server answers to each intent, written to the member's inbox doc under the intent id. */
/**
 * Refusals that can pass on a later try of the very same intent (a limit or a mute that runs out, a fault
 * of the server). The others (no links yet, a blocked word, who may post) refuse it again whatever the
 * moment: the member edits or discards it, and a "Retry" would only fail again.
 */
export const PASSING_REFUSALS: ReadonlySet<string> = new Set(['rate_limited', 'slow_mode', 'muted', 'internal']);

export type Verdict =
  | { status: 'accepted'; at: number; messageId?: string; channelId?: string; seq?: number }
  | { status: 'held'; at: number; reason: string; messageId?: string; channelId?: string; seq?: number }
  | { status: 'rejected'; at: number; code: string; reason: string; retryAfterMs?: number }
  /**
   * Not decided yet: a limit that runs out (the message rate, slow mode, the hourly question limit) holds
   * it until `retryAt` (server clock, epoch ms), when the server decides it again by itself. It stays in
   * the outbox meanwhile (the member may still discard it); `reason` says which limit, without a "try again".
   */
  | { status: 'waiting'; at: number; code: string; reason: string; retryAt: number };

/** A verdict that ends the intent's life in the outbox: accepted, held or refused (not waiting). */
export type FinalVerdict = Exclude<Verdict, { status: 'waiting' }>;

export const isFinalVerdict = (verdict: Verdict): verdict is FinalVerdict => verdict.status !== 'waiting';
