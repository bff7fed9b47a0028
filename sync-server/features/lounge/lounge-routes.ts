import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LOUNGE_SEED } from '../../../shared/seed/lounge-rooms.ts';
import { trustLevelOf } from '../../../shared/rules/trust.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { errorBodySchema, notFound } from '../../http/errors.ts';
import { readableRoomSql } from '../search/readable-sql.ts';
import { apiRoomSchema, ROOM_ROW_COLUMNS, toApiRoom, type RoomRow } from './room-schema.ts';

const loungeSchema = z.object({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string() });

// Unread = messages after the member's read marker; a member who never opened a room has read nothing.
// Only rooms the member may read (`can(read)` as SQL): a room made private, or one only staff read, is
// not listed to others — the same answer its history gives them.
const ROOM_LIST_SQL = `
  SELECT ${ROOM_ROW_COLUMNS}
    FROM rooms r
    JOIN channels c ON c.id = r.id
    LEFT JOIN read_markers m ON m.channel_id = r.id AND m.user_id = $2
    LEFT JOIN room_memberships mm ON mm.room_id = r.id AND mm.user_id = $2
   WHERE r.lounge_id = $1 AND NOT r.archived
     AND ${readableRoomSql({ room: 'r', membership: 'mm', isGlobalAdmin: '$3::boolean', isTrusted: '$4::boolean' })}
   ORDER BY r.position, r.name`;

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
}
