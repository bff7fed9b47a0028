import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { trustLevelOf } from '../../../shared/rules/trust.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { errorBodySchema } from '../../http/errors.ts';
import { apiRoomSchema, ROOM_ROW_COLUMNS, toApiRoom, type RoomRow } from '../lounge/room-schema.ts';
import { readableRoomSql } from '../search/readable-sql.ts';

/** A Thrive Circle as its members' list shows it: a room, plus who is in it and when the cohort began. */
export const apiCircleSchema = apiRoomSchema.extend({
  roomType: z.literal('circle'),
  /** Members of the circle, banned ones not counted. */
  memberCount: z.number().int(),
  /** When the host platform created the circle: the cohort's start, newest first in the list. */
  createdAt: z.string(),
});
export type ApiCircle = z.infer<typeof apiCircleSchema>;

/**
 * A member sees one circle per weekly cohort they joined; a year of weeks is about 52. The list is
 * bounded rather than paged: beyond this many, the oldest (archived first) are left out.
 */
export const CIRCLE_LIST_LIMIT = 100;

// Only circles the member has a membership row in (the host's member sync writes them) and may read
// (`can(read)` as SQL: a banned member reads nothing of the room). Active circles first, then archived
// ones; newest cohort first within each.
const CIRCLE_LIST_SQL = `
  SELECT ${ROOM_ROW_COLUMNS}, r.created_at,
         (SELECT count(*) FROM room_memberships x WHERE x.room_id = r.id AND x.role <> 'banned')::int AS member_count
    FROM room_memberships mm
    JOIN rooms r ON r.id = mm.room_id AND r.room_type = 'circle'
    JOIN channels c ON c.id = r.id
    LEFT JOIN read_markers m ON m.channel_id = r.id AND m.user_id = $1
   WHERE mm.user_id = $1
     AND ${readableRoomSql({ room: 'r', membership: 'mm', isGlobalAdmin: '$2::boolean', isTrusted: '$3::boolean' })}
   ORDER BY r.archived, r.created_at DESC, r.id
   LIMIT ${CIRCLE_LIST_LIMIT}`;

type CircleRow = RoomRow & { created_at: Date; member_count: number };

export async function circleRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, presence } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/circles',
    {
      schema: {
        tags: ['circles'],
        summary: 'My Thrive Circles, with online and unread counts',
        description:
          'The private rooms of the weekly cohorts the signed-in member belongs to (the host platform creates ' +
          'them with PUT /api/integration/circles/:circleHostId). Active circles first, then archived ones; ' +
          `newest cohort first within each; at most ${CIRCLE_LIST_LIMIT}.`,
        response: { 200: z.object({ circles: z.array(apiCircleSchema) }), 401: errorBodySchema },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const trusted =
        trustLevelOf({ messagesSent: member.messages_sent, joinedAt: member.joined_at }, new Date()) === 'trusted';
      const { rows } = await db.query<CircleRow>(CIRCLE_LIST_SQL, [member.id, member.is_global_admin, trusted]);
      const online = rows.length > 0 ? await presence.onlineCounts(rows.map((row) => row.id)) : new Map();
      return {
        circles: rows.map((row) => ({
          ...toApiRoom(row, online.get(row.id) ?? 0),
          roomType: 'circle' as const,
          memberCount: row.member_count,
          createdAt: row.created_at.toISOString(),
        })),
      };
    },
  );
}
