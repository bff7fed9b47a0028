import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Queryable } from '../db/database.ts';
import type { InboxEntry } from '../intents/handler-context.ts';
import type { ChannelKinds } from '../sync/channel-kinds.ts';
import { NOTIFICATION_COLUMNS, notificationEntries, type NotificationRow } from './notification-rows.ts';
import { threadFollowEntry, type ThreadFollowRow } from './thread-follows.ts';

/**
 * After a batch commits: the notifications its messages made (the triggers of migration 0012 wrote them in
 * the same transaction), or settled (a hide or a delete marks them read), as entries of the notified
 * members' inboxes — that is how "@ada mentioned you" reaches every device of the member, live.
 *
 * Only messages that can have notifications are looked up: one that mentions someone, one written in a
 * thread, one hidden or deleted. A room's plain chat line costs no query.
 */
export class NotificationActivity {
  constructor(
    private readonly db: Queryable,
    private readonly kinds: ChannelKinds,
  ) {}

  async entriesFor(changes: readonly ChannelChange[]): Promise<InboxEntry[]> {
    const messages = changes.flatMap((c) => (c.kind === 'message' ? [c.message] : []));
    if (messages.length === 0) return [];
    const kinds = await this.kinds.of(messages.map((m) => m.channelId));
    const ids = [
      ...new Set(
        messages
          .filter(
            (m) =>
              m.mentions.length > 0 ||
              m.replyToId !== null ||
              m.hidden ||
              m.deleted ||
              kinds.get(m.channelId) === 'thread',
          )
          .map((m) => m.id),
      ),
    ];
    if (ids.length === 0) return [];
    const inThreads = messages.filter((m) => kinds.get(m.channelId) === 'thread' && m.authorId !== null);
    const [{ rows }, follows] = await Promise.all([
      this.db.query<NotificationRow>(
        `SELECT ${NOTIFICATION_COLUMNS} FROM notifications n LEFT JOIN users a ON a.id = n.actor_id
          WHERE n.message_id = ANY($1::uuid[])`,
        [ids],
      ),
      this.followsStartedBy(inThreads.map((m) => m.id)),
    ]);
    return [...notificationEntries(rows), ...follows];
  }

  /**
   * Writing in a thread follows it (the trigger of migration 0027): the follows these messages started, for
   * their authors' inboxes — only those decided by the message's own transaction, so a member's tenth reply
   * in a thread they already follow answers nothing.
   */
  private async followsStartedBy(messageIds: readonly string[]): Promise<InboxEntry[]> {
    if (messageIds.length === 0) return [];
    const { rows } = await this.db.query<ThreadFollowRow>(
      `SELECT f.thread_id, f.user_id, f.following, f.updated_at
         FROM messages m
         JOIN thread_follows f ON f.thread_id = m.channel_id AND f.user_id = m.author_id
        WHERE m.id = ANY($1::uuid[]) AND f.following AND f.updated_at >= m.created_at`,
      [messageIds],
    );
    return rows.map(threadFollowEntry);
  }
}
