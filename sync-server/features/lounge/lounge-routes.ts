import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LOUNGE_SEED } from '../../../shared/seed/lounge-rooms.ts';
import { trustLevelOf } from '../../../shared/rules/trust.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { errorBodySchema, forbidden, notFound } from '../../http/errors.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { can } from '../../../shared/rules/permissions.ts';
import { readableRoomSql } from '../search/readable-sql.ts';
import { apiRoomSchema, ROOM_ROW_COLUMNS, toApiRoom, type RoomRow } from './room-schema.ts';

const loungeSchema = z.object({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string() });

// Unread = messages after the member's read marker; a member who never opened a room has read nothing.
// Only rooms the member may read (`can(read)` as SQL): a room made private, or one only staff read, is
// not listed to others — the same answer its history gives them. Archived rooms stay listed (they are
// read-only, not gone: `can(read)` allows them, and an admin finds them there to unarchive), after the
// others and marked by their `archived` flag.
const ROOM_LIST_SQL = `
  SELECT ${ROOM_ROW_COLUMNS}
    FROM rooms r
    JOIN channels c ON c.id = r.id
    LEFT JOIN read_markers m ON m.channel_id = r.id AND m.user_id = $2
    LEFT JOIN room_memberships mm ON mm.room_id = r.id AND mm.user_id = $2
   WHERE r.lounge_id = $1
     AND ${readableRoomSql({ room: 'r', membership: 'mm', isGlobalAdmin: '$3::boolean', isTrusted: '$4::boolean' })}
   ORDER BY r.archived, r.position, r.name`;

export async function loungeRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, presence } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/lounge',
    {
      schema: {
        tags: ['lounge'],
        summary: 'The Lounge and its topic rooms, with online and unread counts',
        response: { 200: z.object({ lounge: loungeSchema, rooms: z.array(apiRoomSchema) }), 404: errorBodySchema },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const lounge = await db.query<{ id: string; slug: string; name: string; description: string }>(
        'SELECT id, slug, name, description FROM lounges WHERE slug = $1 AND is_active',
        [LOUNGE_SEED.slug],
      );
      const row = lounge.rows[0];
      if (!row) throw notFound('The Lounge has not been set up on this server.');
      const trusted =
        trustLevelOf({ messagesSent: member.messages_sent, joinedAt: member.joined_at }, new Date()) === 'trusted';
      const rooms = await db.query<RoomRow>(ROOM_LIST_SQL, [row.id, member.id, member.is_global_admin, trusted]);
      const online = await presence.onlineCounts(rooms.rows.map((room) => room.id));
      return { lounge: row, rooms: rooms.rows.map((room) => toApiRoom(room, online.get(room.id) ?? 0)) };
    },
  );

  r.get(
    '/api/lounge/rooms/:slug',
    {
      schema: {
        tags: ['lounge'],
        summary: 'Whether the member may open the Lounge room at this address, and if not why',
        description:
          'The room list leaves out rooms the member may not read; a member following a link to one is told ' +
          'why here (banned — with the moderator’s reason —, private) rather than "no such room". An archived ' +
          'room is listed and read like the others (read-only), so its address answers as theirs do.',
        // A room's address is lowercase letters, digits and dashes (rooms-admin's slug rule): anything else
        // is no room's, answered as a bad address before it reaches PostgreSQL (a NUL would fail there).
        params: z.strictObject({
          slug: z.string().regex(/^[a-z0-9-]{1,64}$/, 'a room address is 1–64 lowercase letters, digits and dashes'),
        }),
        response: {
          200: z.object({ room: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }) }),
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { rows } = await db.query<{ id: string; slug: string; name: string }>(
        `SELECT r.id, r.slug, r.name FROM rooms r JOIN lounges l ON l.id = r.lounge_id
          WHERE l.slug = $1 AND r.slug = $2`,
        [LOUNGE_SEED.slug, request.params.slug],
      );
      const room = rows[0];
      if (!room) throw notFound('There is no room at this address. It may have been renamed.');
      const access = await loadChannelAccess(db, room.id, member.id);
      const decision = access ? can(access.actor, 'read', { room: access.room }) : null;
      if (decision && !decision.allowed) {
        if (decision.code !== 'banned') throw forbidden(decision.reason, decision.code);
        const ban = await db.query<{ reason: string }>(
          `SELECT reason FROM moderation_actions
            WHERE room_id = $1 AND target_user_id = $2 AND action = 'ban' ORDER BY created_at DESC LIMIT 1`,
          [room.id, member.id],
        );
        const why = ban.rows[0]?.reason;
        throw forbidden(`You are banned from ${room.name}${why ? `: ${why}` : '.'}`, 'banned');
      }
      return { room: { id: room.id, slug: room.slug, name: room.name } };
    },
  );
}
