import { z } from 'zod';
import { LIMITS } from '../../../shared/rules/limits.ts';
import { CONTEXT_TYPES, ROOM_TYPES } from '../../../shared/rules/permissions.ts';
import { PERMISSION_LEVELS } from '../../../shared/rules/roles.ts';
import { charCount } from '../../../shared/rules/text.ts';
import { TRUST_LEVELS } from '../../../shared/rules/trust.ts';
import type { ChannelChange } from '../../../shared/sync/channel-doc.ts';
import type { Queryable } from '../../db/database.ts';
import { appendChange } from '../../sync/change-log.ts';
import { NO_NUL_MESSAGE, noNul } from './text-input.ts';

/** Lengths in code points, as the CHECK constraints of migration 0002 count them. */
const text = (max: number, what: string) =>
  z
    .string()
    .trim()
    .refine(noNul, NO_NUL_MESSAGE)
    .refine((v) => charCount(v) <= max, `${what} can be at most ${max.toLocaleString('en')} characters`);

/** Every setting of a room an admin may set; one definition for create (with defaults) and edit (partial). */
export const roomSettingsFields = {
  name: text(LIMITS.text.roomNameMaxChars, 'a room name').pipe(z.string().min(1, 'a room needs a name')),
  slug: z.string().regex(LIMITS.roomSlug.pattern, LIMITS.roomSlug.rule),
  description: text(LIMITS.text.roomDescriptionMaxChars, 'a description'),
  emoji: text(LIMITS.text.roomEmojiMaxChars, 'the emoji'),
  contextType: z.enum(CONTEXT_TYPES),
  autoThread: z.boolean(),
  readPermissionLevel: z.enum(PERMISSION_LEVELS),
  writePermissionLevel: z.enum(PERMISSION_LEVELS),
  minTrustLevel: z.enum(TRUST_LEVELS),
  slowModeSeconds: z.number().int().min(0).max(LIMITS.slowMode.maxRoomSeconds),
  position: z.number().int().min(-1_000_000).max(1_000_000),
  archived: z.boolean(),
  /** Private: only members read it (circles always are; see the edit route for who may change it). */
  isPrivate: z.boolean(),
};

export const adminRoomSchema = z.object({
  id: z.uuid(),
  roomType: z.enum(ROOM_TYPES),
  isPrivate: z.boolean(),
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  emoji: z.string(),
  contextType: z.enum(CONTEXT_TYPES),
  autoThread: z.boolean(),
  readPermissionLevel: z.enum(PERMISSION_LEVELS),
  writePermissionLevel: z.enum(PERMISSION_LEVELS),
  minTrustLevel: z.enum(TRUST_LEVELS),
  slowModeSeconds: z.number().int(),
  position: z.number().int(),
  archived: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AdminRoom = z.infer<typeof adminRoomSchema>;

export const ROOM_SETTINGS_COLUMNS = `id, lounge_id, room_type, is_private, name, slug, description, emoji, context_type,
  auto_thread, read_permission_level, write_permission_level, min_trust_level, slow_mode_seconds, position, archived,
  created_at, updated_at`;

export interface RoomSettingsRow {
  id: string;
  lounge_id: string | null;
  room_type: AdminRoom['roomType'];
  is_private: boolean;
  name: string;
  slug: string;
  description: string;
  emoji: string;
  context_type: AdminRoom['contextType'];
  auto_thread: boolean;
  read_permission_level: AdminRoom['readPermissionLevel'];
  write_permission_level: AdminRoom['writePermissionLevel'];
  min_trust_level: AdminRoom['minTrustLevel'];
  slow_mode_seconds: number;
  position: number;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
}

export function toAdminRoom(row: RoomSettingsRow): AdminRoom {
  return {
    id: row.id,
    roomType: row.room_type,
    isPrivate: row.is_private,
    name: row.name,
    slug: row.slug,
    description: row.description,
    emoji: row.emoji,
    contextType: row.context_type,
    autoThread: row.auto_thread,
    readPermissionLevel: row.read_permission_level,
    writePermissionLevel: row.write_permission_level,
    minTrustLevel: row.min_trust_level,
    slowModeSeconds: row.slow_mode_seconds,
    position: row.position,
    archived: row.archived,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type RoomMetaPatch = Record<string, string | number | boolean | null>;

/**
 * What clients see of a room's settings, as it goes into the room channel's meta doc (`meta` map). The
 * keys are the API's names; `head` is the meta doc's own and never appears here.
 */
export function roomMeta(row: RoomSettingsRow): RoomMetaPatch {
  return {
    name: row.name,
    slug: row.slug,
    description: row.description,
    emoji: row.emoji,
    roomType: row.room_type,
    isPrivate: row.is_private,
    contextType: row.context_type,
    autoThread: row.auto_thread,
    readPermissionLevel: row.read_permission_level,
    writePermissionLevel: row.write_permission_level,
    minTrustLevel: row.min_trust_level,
    slowModeSeconds: row.slow_mode_seconds,
    position: row.position,
    archived: row.archived,
  };
}

/** The entries of `after` that differ from `before` (all of them when there is no `before`). */
export function metaDiff(before: RoomMetaPatch | null, after: RoomMetaPatch): RoomMetaPatch {
  return Object.fromEntries(Object.entries(after).filter(([key, value]) => before === null || before[key] !== value));
}

/**
 * Logs what changed in a room's settings on its channel as one `meta` change (none when nothing
 * changed), in the caller's transaction; the caller publishes it after commit.
 */
export async function logRoomMeta(
  tx: Queryable,
  before: RoomSettingsRow | null,
  after: RoomSettingsRow,
): Promise<ChannelChange[]> {
  const patch = metaDiff(before ? roomMeta(before) : null, roomMeta(after));
  if (Object.keys(patch).length === 0) return [];
  return [await appendChange(tx, after.id, { kind: 'meta', patch })];
}
