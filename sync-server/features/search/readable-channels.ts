import type { Queryable } from '../../db/database.ts';
import { readableRoomSql } from './readable-sql.ts';

/** The rooms and DM conversations a member may read: what a search may return, as ids. */
export interface ReadableChannels {
  /** Rooms (their threads' messages carry the room's id in `messages.room_id`). */
  rooms: string[];
  /** DM conversations they take part in (`messages.room_id` is null there). */
  dms: string[];
}

const READABLE_SQL = `
  SELECT COALESCE((SELECT array_agg(r.id)
                     FROM rooms r
                     LEFT JOIN room_memberships mm ON mm.room_id = r.id AND mm.user_id = $1
                    WHERE ${readableRoomSql({ room: 'r', membership: 'mm', isGlobalAdmin: '$2::boolean', isTrusted: '$3::boolean' })}),
                  '{}') AS rooms,
         COALESCE((SELECT array_agg(p.dm_thread_id) FROM dm_participants p
                    WHERE p.user_id = $1 AND p.left_at IS NULL), '{}') AS dms`;

/**
 * Listed once per search from the small `rooms` table, so the search over messages can hand them to
 * PostgreSQL as an index condition: when the caller cannot read a big share of the messages (banned from
 * a busy room, outside busy private rooms), the planner intersects the word index with the rooms' index
 * before reading any message, instead of reading every message with the words and dropping the
 * unreadable ones afterwards. When the caller reads nearly everything, the planner skips it.
 */
export async function readableChannels(
  db: Queryable,
  member: { id: string; isGlobalAdmin: boolean; trusted: boolean },
): Promise<ReadableChannels> {
  const { rows } = await db.query<ReadableChannels>(READABLE_SQL, [member.id, member.isGlobalAdmin, member.trusted]);
  return rows[0] ?? { rooms: [], dms: [] };
}
