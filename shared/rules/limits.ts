/**
 * THE table of limits and thresholds. The client explains with these numbers, the server enforces them and the
 * workers schedule by them, so a number that appears anywhere else in the code base is a bug waiting to happen:
 * import it from here. Numbers marked "spec" come from the seed design; the rest are our choices, with the reason
 * next to them. Where a migration also enforces a number (CHECK constraints), the two must agree, and the
 * comment says so.
 */

/** One sliding window: at most `max` events in any `windowSeconds`-long span. */
export interface RateWindow {
  readonly max: number;
  readonly windowSeconds: number;
}

export const LIMITS = {
  /**
   * Lengths are counted in Unicode code points (`charCount` in text.ts), because that is what Postgres'
   * `char_length` counts in the CHECK constraints; JS `.length` would count an emoji twice.
   */
  text: {
    /** Spec: message content max 4000 chars (migrations 0004, `messages.body`). */
    messageBodyMaxChars: 4000,
    /** Migration 0002: `threads.title` 1..200. */
    threadTitleMaxChars: 200,
    /** Migration 0002: `rooms.name` 1..80. */
    roomNameMaxChars: 80,
    /** Migration 0002: `rooms.description` <= 1000. */
    roomDescriptionMaxChars: 1000,
    /** Migration 0002: `rooms.emoji` <= 16 (a flag or a ZWJ sequence is several code points). */
    roomEmojiMaxChars: 16,
    /** Migration 0001: `users.display_name` 1..80. */
    displayNameMaxChars: 80,
    /** Migration 0003: `dm_threads.title` 1..100. */
    dmTitleMaxChars: 100,
    /** Migration 0005: `reports.details` and `moderation_actions.reason` <= 1000. */
    reportDetailsMaxChars: 1000,
    moderationReasonMaxChars: 1000,
    /** Migration 0004: `messages.hidden_reason` <= 500. */
    hiddenReasonMaxChars: 500,
    /** Migration 0004: `reactions.emoji` 1..32 (a ZWJ family emoji is several code points). */
    reactionEmojiMaxChars: 32,
    /** Migration 0006: `client_intents.reason` <= 500, so every refusal sentence must fit. */
    refusalReasonMaxChars: 500,
  },

  /**
   * Handles: 2–32 characters, starting with a letter, digit or underscore (so a handle never starts with `.` or
   * `-`, which read as punctuation after an `@`). Same pattern as the CHECK on `users.handle` (migration 0001);
   * uniqueness is case-insensitive there too.
   */
  handle: {
    minChars: 2,
    maxChars: 32,
    pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}$/,
  },

  /** A room's address (`/lounge/<slug>`): the CHECK on `rooms.slug` (migration 0002). */
  roomSlug: {
    maxChars: 64,
    pattern: /^[a-z0-9-]{1,64}$/,
    /** The rule in words, as the server refuses and the client explains. */
    rule: 'use 1–64 lowercase letters, digits and dashes (it becomes the room’s address)',
  },

  /**
   * Per user, across every room, thread and DM (spec: Redis key `rate_limit:room:{user_id}`, "sliding window
   * 10/min, 100/hour per user"). Every window of an action must have room for the event.
   */
  rate: {
    /** Spec: 10 messages per minute and 100 per hour. Thread replies and DMs are messages too. */
    messages: [
      { max: 10, windowSeconds: 60 },
      { max: 100, windowSeconds: 3600 },
    ],
    /** Spec: 30 reactions per minute. */
    reactions: [{ max: 30, windowSeconds: 60 }],
    /** Spec: 5 thread creates per hour. */
    threadCreates: [{ max: 5, windowSeconds: 3600 }],
    /**
     * Our choice: 10 reports per hour. Enough to report a raid message by message, few enough that one account
     * cannot flood the review queue; auto-hide needs distinct reporters anyway.
     */
    reports: [{ max: 10, windowSeconds: 3600 }],
    /**
     * Our choice: 30 edits per minute. An edit is re-broadcast to every replica like a message, so unbounded
     * edits would be a way around the message limit.
     */
    edits: [{ max: 30, windowSeconds: 60 }],
    /** Our choice: 20 new DM conversations per hour. Cold DMs are the classic spam vector. */
    dmStarts: [{ max: 20, windowSeconds: 3600 }],
    /**
     * Our choice: 30 uploads per hour. A help question with a few screenshots, many times over; an
     * account cannot fill the storage bucket (30 × 10 MiB an hour at most).
     */
    uploads: [{ max: 30, windowSeconds: 3600 }],
  },

  dm: {
    /** Spec: group DMs of up to 10 people, the creator included. */
    groupMaxParticipants: 10,
  },

  realtime: {
    /** Spec: typing HASH with a 10 s TTL per user; a client re-sends while still typing. */
    typingExpirySeconds: 10,
    /** Spec: presence entries live 60 s; a connected client heartbeats well within it. */
    presenceTtlSeconds: 60,
    /** Spec: stale presence entries are swept every 60 s. */
    presenceSweepIntervalSeconds: 60,
  },

  /** Spec: trust levels progress automatically; both conditions of a level must hold. */
  trust: {
    member: { minMessages: 10, minDays: 3 },
    trusted: { minMessages: 50, minDays: 14 },
  },

  slowMode: {
    /** Spec: `new` members wait twice a room's slow mode; `member` once; `trusted` and staff not at all. */
    newUserMultiplier: 2,
    /** Migration 0002: `rooms.slow_mode_seconds` 0..21600 (6 hours). */
    maxRoomSeconds: 21600,
  },

  moderation: {
    /** Spec: an AI score below 0.3 is allowed at once. */
    aiFlagAt: 0.3,
    /** Spec: 0.3 <= score < 0.7 is posted and flagged for human review; score >= 0.7 is hidden and queued. */
    aiHideAt: 0.7,
    /**
     * Reports from this many distinct trusted members hide a message until a moderator reviews it. Three, so one
     * grudge or one pair of friends cannot silence someone, while a real problem disappears quickly.
     */
    autoHideDistinctTrustedReports: 3,
  },

  threads: {
    /** Migration 0002: `threads.auto_archive_after_hours` defaults to 72 and lies in 1..10080 (a week). */
    autoArchiveHoursDefault: 72,
    autoArchiveHoursMin: 1,
    autoArchiveHoursMax: 10080,
  },

  sync: {
    /**
     * A live channel log doc holds a head segment of this many messages; older history is paged from Postgres.
     * This is what keeps a doc's memory bounded however long the channel's history grows.
     */
    segmentMessages: 256,
    /** Our choice: 256 KiB per WebSocket frame. A full 4,000-char message plus Yjs overhead fits many times. */
    wsFrameMaxBytes: 256 * 1024,
    /** Our choice: at most 200 docs subscribed per connection, so one socket cannot pin the server's memory. */
    docsPerConnection: 200,
  },

  privacy: {
    /**
     * Our choice: a deleted message's words (and their earlier versions) are kept this long for the
     * moderators — a report or an appeal about it — then erased; nobody but moderators reads them meanwhile.
     */
    deletedWordsKeptDays: 30,
  },

  exports: {
    /** Our choice: three data exports a day per member; each reads all of their history. */
    perDay: 3,
    /** Our choice: an export can be downloaded for a week, then it is deleted. */
    keptDays: 7,
  },

  attachments: {
    /** Our choice (Discord's free limit): 10 MiB per file. Migration 0013 checks the same. */
    maxBytes: 10 * 1024 * 1024,
    /** Our choice (as Discord): at most 10 files on one message. */
    perMessage: 10,
    /**
     * Our choice: 250 MB of uploads per member in any 24 hours. Plenty for screenshots and logs; it keeps
     * one account from filling the bucket within the upload rate (30 × 10 MB an hour).
     */
    dailyBytes: 250 * 1024 * 1024,
    /** Migration 0013: `attachments.filename` 1..255 code points (what file systems keep). */
    filenameMaxChars: 255,
    /** An upload no message claimed within a day is removed (the composer was abandoned). */
    unclaimedHours: 24,
  },

  history: {
    /**
     * Cursor (seq) pages: 50 by default, never more than 250 — under a segment, and big enough that a
     * device catching up on thousands of missed messages is not held up by one request per 100.
     */
    pageSizeDefault: 50,
    pageSizeMax: 250,
  },
} as const satisfies {
  text: Readonly<Record<string, number>>;
  handle: { minChars: number; maxChars: number; pattern: RegExp };
  roomSlug: { maxChars: number; pattern: RegExp; rule: string };
  rate: Readonly<Record<string, readonly RateWindow[]>>;
  dm: Readonly<Record<string, number>>;
  realtime: Readonly<Record<string, number>>;
  trust: Readonly<Record<'member' | 'trusted', { minMessages: number; minDays: number }>>;
  slowMode: Readonly<Record<string, number>>;
  moderation: Readonly<Record<string, number>>;
  threads: Readonly<Record<string, number>>;
  sync: Readonly<Record<string, number>>;
  attachments: Readonly<Record<string, number>>;
  privacy: Readonly<Record<string, number>>;
  exports: Readonly<Record<string, number>>;
  history: Readonly<Record<string, number>>;
};

/** An action the server rate-limits, keyed as in `LIMITS.rate`. */
export type RateLimitedAction = keyof typeof LIMITS.rate;
