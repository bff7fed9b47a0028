import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Queryable } from '../db/database.ts';
import type { InboxEntry } from '../intents/handler-context.ts';
import type { ChannelKinds } from '../sync/channel-kinds.ts';
import { NOTIFICATION_COLUMNS, notificationEntries, type NotificationRow } from './notification-rows.ts';

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
    const { rows } = await this.db.query<NotificationRow>(
      `SELECT ${NOTIFICATION_COLUMNS} FROM notifications n LEFT JOIN users a ON a.id = n.actor_id
        WHERE n.message_id = ANY($1::uuid[])`,
      [ids],
    );
    return notificationEntries(rows);
  }
}
