import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LIMITS } from '../../../shared/rules/limits.ts';
import { charCount } from '../../../shared/rules/text.ts';
import type { ChannelChange } from '../../../shared/sync/channel-doc.ts';
import type { Queryable } from '../../db/database.ts';
import { badRequest } from '../../http/errors.ts';
import { NO_NUL_MESSAGE, noNul } from '../rooms-admin/text-input.ts';
import { logRoomMeta, ROOM_SETTINGS_COLUMNS, type RoomSettingsRow } from '../rooms-admin/room-settings.ts';

/** A host-platform id: what the host uses to address a user, cohort, project, path or battle. */
export const hostIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:@|-]{0,127}$/,
    'a host id is 1–128 letters, digits and _ . : @ | - (starting with a letter or digit)',
  );

export const roomNameSchema = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .refine(noNul, NO_NUL_MESSAGE)
  .refine((v) => charCount(v) <= LIMITS.text.roomNameMaxChars, `at most ${LIMITS.text.roomNameMaxChars} characters`);
export const roomDescriptionSchema = z
  .string()
  .trim()
  .refine(noNul, NO_NUL_MESSAGE)
  .refine(
    (v) => charCount(v) <= LIMITS.text.roomDescriptionMaxChars,
    `at most ${LIMITS.text.roomDescriptionMaxChars} characters`,
  );
export const emojiSchema = z
  .string()
  .trim()
  .refine(noNul, NO_NUL_MESSAGE)
  .refine((v) => charCount(v) <= 16, 'at most 16 characters');

/**
 * Serializes the host's calls about one record (a cohort, a project, …) for the transaction: two
 * concurrent identical PUTs then run one after the other, and the second finds what the first made.
 */
export async function lockHostRecord(tx: Queryable, kind: string, hostId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7420010, hashtext($1))', [`${kind}:${hostId}`]);
}

/** A readable room address from its name, made unique by the host id's hash (rooms outside The Lounge). */
export function slugFor(name: string, hostId: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(hostId).digest('hex').slice(0, 8);
  return `${base || 'room'}-${hash}`;
}

/** Our user ids for host user ids; every one must be mirrored already, or nothing is changed. */
export async function resolveHostUsers(
  tx: Queryable,
  hostUserIds: readonly string[],
  what: string,
): Promise<Map<string, string>> {
  const unique = [...new Set(hostUserIds)];
  if (unique.length === 0) return new Map();
  const { rows } = await tx.query<{ id: string; host_user_id: string }>(
    'SELECT id, host_user_id FROM users WHERE host_user_id = ANY($1::text[])',
    [unique],
  );
  const byHost = new Map(rows.map((row) => [row.host_user_id, row.id]));
  const unknown = unique.filter((id) => !byHost.has(id));
  if (unknown.length > 0) {
    const shown = unknown
      .slice(0, 10)
      .map((id) => `"${id}"`)
      .join(', ');
    throw badRequest(
      `Unknown ${what}: ${shown}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}. ` +
        'Mirror them first with PUT /api/integration/users/:hostUserId; nothing was changed.',
      'unknown_users',
    );
  }
  return byHost;
}

/** Where rooms behind embedded widgets live: a lounge of its own, so The Lounge's room list stays the topic rooms. */
export const CONTEXT_LOUNGE = {
  slug: 'contexts',
  name: 'Embedded contexts',
  description: 'Rooms behind embedded chat widgets (learning paths, profile "Ask me"); not listed in The Lounge.',
} as const;

export async function contextLoungeId(tx: Queryable): Promise<string> {
  await tx.query(`INSERT INTO lounges (slug, name, description) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING`, [
    CONTEXT_LOUNGE.slug,
    CONTEXT_LOUNGE.name,
    CONTEXT_LOUNGE.description,
  ]);
  const { rows } = await tx.query<{ id: string }>('SELECT id FROM lounges WHERE slug = $1', [CONTEXT_LOUNGE.slug]);
  return rows[0]!.id;
}

/** Settings of a room the host platform owns; absent optional fields keep their stored value. */
export interface HostRoomSpec {
  /** The column holding the host id: which kind of room this is. */
  key: 'circle_host_id' | 'project_host_id' | 'learning_path_host_id';
  hostId: string;
  roomType: 'circle' | 'project' | 'lounge';
  loungeId: string | null;
  name: string;
  description?: string | undefined;
  emoji?: string | undefined;
  /** Absent on an update: keep what is stored (false for a new room). */
  isPrivate?: boolean | undefined;
  contextType: 'text' | 'help';
  archived?: boolean | undefined;
}

/**
 * Creates or updates the room of a host record (idempotent by the host id) and logs what members see
 * of the change as a `meta` change on the room's channel. Call under `lockHostRecord`.
 */
export async function upsertHostRoom(
  tx: Queryable,
  spec: HostRoomSpec,
): Promise<{ room: RoomSettingsRow; created: boolean; changes: ChannelChange[] }> {
  const existing = await tx.query<RoomSettingsRow>(
    `SELECT ${ROOM_SETTINGS_COLUMNS} FROM rooms WHERE ${spec.key} = $1 FOR UPDATE`,
    [spec.hostId],
  );
  const before = existing.rows[0];
  if (before) {
    const { rows } = await tx.query<RoomSettingsRow>(
      `UPDATE rooms SET name = $2, description = COALESCE($3, description), emoji = COALESCE($4, emoji),
                        is_private = COALESCE($5, is_private), archived = COALESCE($6, archived),
                        updated_at = CASE WHEN (name, description, emoji, is_private, archived)
                                            IS DISTINCT FROM ($2, COALESCE($3, description), COALESCE($4, emoji),
                                                              COALESCE($5, is_private), COALESCE($6, archived))
                                          THEN now() ELSE updated_at END
        WHERE id = $1
        RETURNING ${ROOM_SETTINGS_COLUMNS}`,
      [
        before.id,
        spec.name,
        spec.description ?? null,
        spec.emoji ?? null,
        spec.isPrivate ?? null,
        spec.archived ?? null,
      ],
    );
    const after = rows[0]!;
    return { room: after, created: false, changes: await logRoomMeta(tx, before, after) };
  }
  const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
  const { rows } = await tx.query<RoomSettingsRow>(
    `INSERT INTO rooms (id, lounge_id, room_type, ${spec.key}, slug, name, description, emoji, is_private, context_type,
                        auto_thread, archived)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     RETURNING ${ROOM_SETTINGS_COLUMNS}`,
    [
      channel.rows[0]!.id,
      spec.loungeId,
      spec.roomType,
      spec.hostId,
      slugFor(spec.name, spec.hostId),
      spec.name,
      spec.description ?? '',
      spec.emoji ?? '',
      spec.isPrivate ?? false,
      spec.contextType,
      spec.contextType === 'help',
      spec.archived ?? false,
    ],
  );
  const room = rows[0]!;
  return { room, created: true, changes: await logRoomMeta(tx, null, room) };
}
