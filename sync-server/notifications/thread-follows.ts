import type { ThreadFollow } from '../../shared/sync/inbox.ts';
import type { InboxEntry } from '../intents/handler-context.ts';

/** A row of `thread_follows` (migration 0027). */
export interface ThreadFollowRow {
  thread_id: string;
  user_id: string;
  following: boolean;
  updated_at: Date;
}

export const threadFollowFromRow = (row: ThreadFollowRow): ThreadFollow => ({
  following: row.following,
  at: row.updated_at.getTime(),
});

/** The row as its member's inbox entry (`follows`, keyed by thread). */
export const threadFollowEntry = (row: ThreadFollowRow): InboxEntry => ({
  userId: row.user_id,
  map: 'follows',
  key: row.thread_id,
  value: threadFollowFromRow(row),
});
