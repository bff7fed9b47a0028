import { z } from 'zod';
import { PERMISSION_LEVELS } from '../../../shared/rules/roles.ts';
import { TRUST_LEVELS } from '../../../shared/rules/trust.ts';

export const contextTypeSchema = z.enum(['text', 'announcement', 'help', 'showcase', 'voice']);

export const apiRoomSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  emoji: z.string(),
  contextType: contextTypeSchema,
  autoThread: z.boolean(),
  position: z.number().int(),
  slowModeSeconds: z.number().int(),
  archived: z.boolean(),
  readPermissionLevel: z.enum(PERMISSION_LEVELS).describe('The lowest room role that reads the room.'),
  writePermissionLevel: z
    .enum(PERMISSION_LEVELS)
    .describe('The lowest room role that posts in the room (announcement rooms: moderators whatever it says).'),
  minTrustLevel: z.enum(TRUST_LEVELS).describe('The trust a member needs to post (staff are exempt).'),
  onlineCount: z.number().int(),
  unreadCount: z.number().int(),
  lastSeq: z
    .number()
    .int()
    .describe(
      "The seq of the room's newest message: with a read marker the member just moved, unread = lastSeq − marker.",
    ),
  messageCount: z.number().int(),
  lastMessageAt: z.string().nullable(),
});
export type ApiRoom = z.infer<typeof apiRoomSchema>;

/**
 * The columns a `RoomRow` is read from, over `rooms r JOIN channels c ON c.id = r.id` and the reader's
 * `read_markers m` (LEFT JOINed): unread = messages after the reader's marker, all of them when none.
 */
export const ROOM_ROW_COLUMNS = `r.id, r.slug, r.name, r.description, r.emoji, r.context_type, r.auto_thread, r.position,
         r.slow_mode_seconds, r.archived, r.read_permission_level, r.write_permission_level, r.min_trust_level,
         r.message_count, r.last_message_at,
         (c.last_seq - COALESCE(m.last_read_seq, 0))::int AS unread_count, c.last_seq::int AS last_seq`;

export interface RoomRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  emoji: string;
  context_type: z.infer<typeof contextTypeSchema>;
  auto_thread: boolean;
  position: number;
  slow_mode_seconds: number;
  archived: boolean;
  read_permission_level: ApiRoom['readPermissionLevel'];
  write_permission_level: ApiRoom['writePermissionLevel'];
  min_trust_level: ApiRoom['minTrustLevel'];
  message_count: number;
  last_message_at: Date | null;
  unread_count: number;
  last_seq: number;
}

export function toApiRoom(row: RoomRow, onlineCount: number): ApiRoom {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    emoji: row.emoji,
    contextType: row.context_type,
    autoThread: row.auto_thread,
    position: row.position,
    slowModeSeconds: row.slow_mode_seconds,
    archived: row.archived,
    readPermissionLevel: row.read_permission_level,
    writePermissionLevel: row.write_permission_level,
    minTrustLevel: row.min_trust_level,
    onlineCount,
    unreadCount: row.unread_count,
    lastSeq: row.last_seq,
    messageCount: row.message_count,
    lastMessageAt: row.last_message_at ? row.last_message_at.toISOString() : null,
  };
}
