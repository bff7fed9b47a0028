import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can, canCreateLoungeRoom } from '../../../shared/rules/permissions.ts';
import { LOUNGE_SEED } from '../../../shared/seed/lounge-rooms.ts';
import type { ChannelChange } from '../../../shared/sync/channel-doc.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import type { Queryable } from '../../db/database.ts';
import { badRequest, conflict, errorBodySchema, forbidden, notFound } from '../../http/errors.ts';
import { PERMISSION_LEVELS } from '../../../shared/rules/roles.ts';
import { revokeLostReaders } from '../memberships/revoke-readers.ts';
import { publishCommitted } from './publish.ts';
import {
  adminRoomSchema,
  logRoomMeta,
  ROOM_SETTINGS_COLUMNS,
  roomSettingsFields as f,
  toAdminRoom,
  type RoomSettingsRow,
} from './room-settings.ts';

const createBodySchema = z.strictObject({
  name: f.name,
  slug: f.slug,
  emoji: f.emoji.default(''),
  description: f.description.default(''),
  contextType: f.contextType.default('text'),
  /** Defaults to true for help rooms (each question becomes a thread), false otherwise. */
  autoThread: f.autoThread.optional(),
  readPermissionLevel: f.readPermissionLevel.default('everyone'),
  writePermissionLevel: f.writePermissionLevel.default('everyone'),
  minTrustLevel: f.minTrustLevel.default('new'),
  slowModeSeconds: f.slowModeSeconds.default(0),
  /** Defaults to after the last room. */
  position: f.position.optional(),
});

const patchBodySchema = z
  .strictObject({
    name: f.name,
    slug: f.slug,
    emoji: f.emoji,
    description: f.description,
    contextType: f.contextType,
    autoThread: f.autoThread,
    readPermissionLevel: f.readPermissionLevel,
    writePermissionLevel: f.writePermissionLevel,
    minTrustLevel: f.minTrustLevel,
    slowModeSeconds: f.slowModeSeconds,
    position: f.position,
    archived: f.archived,
    isPrivate: f.isPrivate,
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'give at least one setting to change');

/** API field → column, for the edit's UPDATE (a fixed list: never built from client keys). */
const COLUMNS = {
  name: 'name',
  slug: 'slug',
  emoji: 'emoji',
  description: 'description',
  contextType: 'context_type',
  autoThread: 'auto_thread',
  readPermissionLevel: 'read_permission_level',
  writePermissionLevel: 'write_permission_level',
  minTrustLevel: 'min_trust_level',
  slowModeSeconds: 'slow_mode_seconds',
  position: 'position',
  archived: 'archived',
  isPrivate: 'is_private',
} as const satisfies Record<keyof z.infer<typeof patchBodySchema>, string>;

async function slugTaken(tx: Queryable, loungeId: string, slug: string, exceptRoomId: string | null): Promise<boolean> {
  const { rows } = await tx.query(
    'SELECT 1 FROM rooms WHERE lounge_id = $1 AND slug = $2 AND ($3::uuid IS NULL OR id <> $3)',
    [loungeId, slug, exceptRoomId],
  );
  return rows.length > 0;
}

/**
 * Why an edit may have taken the room from some of its readers — made private, or a higher read level —
 * as the sentence they are told; null when it cannot have.
 */
function narrowedReason(before: RoomSettingsRow, after: RoomSettingsRow): string | null {
  if (after.is_private && !before.is_private) return 'This room is now private: only its members can read it.';
  const level = (row: RoomSettingsRow) => PERMISSION_LEVELS.indexOf(row.read_permission_level);
  if (level(after) > level(before)) return 'This room is now read by fewer people, and you are no longer one of them.';
  return null;
}

const slugTakenError = (slug: string) =>
  conflict(`Another room in The Lounge already uses the address "${slug}"; pick another slug.`, 'slug_taken');

/**
 * Room administration: platform admins create Lounge rooms; a room's settings, archiving and order are
 * changed by whoever `can(…, 'manage_room')` — global admins and the room's owner and admins. Every
 * change members see is logged on the room's channel as a `meta` change and published after commit.
 */
export async function roomsAdminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/admin/rooms',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Create a topic room in The Lounge (platform admins)',
        body: createBodySchema,
        response: {
          201: z.object({ room: adminRoomSchema }),
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      const allowed = canCreateLoungeRoom({ isGlobalAdmin: member.is_global_admin });
      if (!allowed.allowed) throw forbidden(allowed.reason, allowed.code);
      const body = request.body;
      const { room, changes } = await db.transaction(async (tx) => {
        const lounge = await tx.query<{ id: string }>('SELECT id FROM lounges WHERE slug = $1', [LOUNGE_SEED.slug]);
        const loungeId = lounge.rows[0]?.id;
        if (!loungeId) throw notFound('The Lounge has not been set up on this server.');
        // Serializes creations, so two admins choosing the same slug get a clear 409, not a constraint error.
        await tx.query('SELECT id FROM lounges WHERE id = $1 FOR UPDATE', [loungeId]);
        if (await slugTaken(tx, loungeId, body.slug, null)) throw slugTakenError(body.slug);
        const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
        const inserted = await tx.query<RoomSettingsRow>(
          `INSERT INTO rooms (id, lounge_id, room_type, slug, name, description, emoji, context_type, auto_thread,
                              read_permission_level, write_permission_level, min_trust_level, slow_mode_seconds,
                              position, created_by)
           VALUES ($1, $2, 'lounge', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                   COALESCE($13, (SELECT COALESCE(max(position), -1) + 1 FROM rooms WHERE lounge_id = $2)), $14)
           RETURNING ${ROOM_SETTINGS_COLUMNS}`,
          [
            channel.rows[0]!.id,
            loungeId,
            body.slug,
            body.name,
            body.description,
            body.emoji,
            body.contextType,
            body.autoThread ?? body.contextType === 'help',
            body.readPermissionLevel,
            body.writePermissionLevel,
            body.minTrustLevel,
            body.slowModeSeconds,
            body.position ?? null,
            member.id,
          ],
        );
        const created = inserted.rows[0]!;
        return { room: created, changes: await logRoomMeta(tx, null, created) };
      });
      await publishCommitted(deps, changes, request.log);
      reply.code(201);
      return { room: toAdminRoom(room) };
    },
  );

  r.patch(
    '/api/rooms/:roomId',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Change a room’s settings, archive or unarchive it, or move it (room owners and admins)',
        params: z.strictObject({ roomId: z.uuid() }),
        body: patchBodySchema,
        response: {
          200: z.object({ room: adminRoomSchema }),
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { roomId } = request.params;
      const body = request.body;
      const { room, changes, narrowed } = await db.transaction(async (tx) => {
        const locked = await tx.query<RoomSettingsRow>(
          `SELECT ${ROOM_SETTINGS_COLUMNS} FROM rooms WHERE id = $1 FOR UPDATE`,
          [roomId],
        );
        const before = locked.rows[0];
        if (!before) throw notFound('That room does not exist.');
        const access = await loadChannelAccess(tx, roomId, member.id);
        if (!access) throw notFound('That room does not exist.');
        const decision = can(access.actor, 'manage_room', { room: access.room });
        if (!decision.allowed) throw forbidden(decision.reason, decision.code);
        if (body.slug !== undefined && body.slug !== before.slug) {
          if (before.lounge_id === null) {
            throw badRequest(
              'Only Lounge rooms have an address to change; this room’s comes from the host platform.',
              'slug_fixed',
            );
          }
          if (await slugTaken(tx, before.lounge_id, body.slug, roomId)) throw slugTakenError(body.slug);
        }
        if (body.isPrivate === false && before.room_type === 'circle') {
          throw badRequest('A Thrive Circle room is always private: its cohort talks there.', 'circle_private');
        }
        const entries = Object.entries(body).filter(([, value]) => value !== undefined) as Array<
          [keyof typeof COLUMNS, unknown]
        >;
        const sets = entries.map(([key], i) => `${COLUMNS[key]} = $${i + 2}`);
        const updated = await tx.query<RoomSettingsRow>(
          `UPDATE rooms SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${ROOM_SETTINGS_COLUMNS}`,
          [roomId, ...entries.map(([, value]) => value)],
        );
        const after = updated.rows[0]!;
        const changes: ChannelChange[] = await logRoomMeta(tx, before, after);
        return { room: after, changes, narrowed: narrowedReason(before, after) };
      });
      await publishCommitted(deps, changes, request.log);
      // A room that turned private (or that fewer roles may read) is taken from whoever can no longer read it.
      if (narrowed) await revokeLostReaders(deps, roomId, narrowed, request.log);
      return { room: toAdminRoom(room) };
    },
  );
}
