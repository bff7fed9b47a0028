import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLE_RANK, ROLES } from '../../../shared/rules/roles.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { cursorQuerySchema, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { errorBodySchema } from '../../http/errors.ts';
import { readsHiddenBodies, requireReadable } from '../threads/channel-read.ts';
import { timestampKeySchema, timestampKeySql } from '../threads/keyset.ts';
import { publicUserColumns, publicUserSchema, toPublicUser, type PublicUserRow } from '../users/public-user.ts';

const memberSchema = z.object({
  user: publicUserSchema,
  /** Staff see `muted` and `banned` members as such; everyone else sees muted members as `member` and no banned ones. */
  role: z.enum(ROLES),
  joinedAt: z.string(),
  online: z.boolean(),
  /** Typing in this room right now (any node; expires 10 s after the last keystroke signal). */
  typing: z.boolean(),
});

/**
 * Order: staff first (owner, admin, moderator), then trusted, then members, each group by who joined
 * first. A muted member sorts as a member for everyone, so the order does not reveal a mute to members
 * who cannot see it. The cursor carries the sort key of the last row of a page.
 */
const cursorKeySchema = z.strictObject({ r: z.number().int().min(0).max(6), t: timestampKeySchema, id: z.uuid() });

const RANK_SQL = `CASE mm.role ${(['owner', 'admin', 'moderator', 'trusted', 'member', 'banned'] as const)
  .map((role) => `WHEN '${role}' THEN ${ROLE_RANK[role]}`)
  .join(' ')} WHEN 'muted' THEN ${ROLE_RANK.member} END`;

const MEMBERS_SQL = `
  SELECT * FROM (
    SELECT mm.role, mm.joined_at, ${RANK_SQL} AS rank, ${timestampKeySql('mm.joined_at')} AS joined_key,
           ${publicUserColumns('u')}
      FROM room_memberships mm
      JOIN users u ON u.id = mm.user_id
     WHERE mm.room_id = $1 AND ($2::boolean OR mm.role <> 'banned')
  ) x
   WHERE $3::int IS NULL
      OR x.rank < $3
      OR (x.rank = $3 AND (x.joined_at > $4::timestamptz OR (x.joined_at = $4::timestamptz AND x.user_id > $5::uuid)))
   ORDER BY x.rank DESC, x.joined_at, x.user_id
   LIMIT $6`;

interface MemberRow extends PublicUserRow {
  role: (typeof ROLES)[number];
  joined_at: Date;
  rank: number;
  joined_key: string;
}

/** Who is in a room, with their role and whether they are online now (presence). */
export async function membersRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, presence } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/rooms/:roomId/members',
    {
      schema: {
        tags: ['members'],
        summary: 'A page of a room’s members (staff first), with role and online state',
        description:
          'Lists membership rows: everyone in a private room; in a public Lounge room, everyone who joined or has ' +
          'posted there (readers who never posted are not members). `onlineCount` counts everyone present in the ' +
          'room now, members or not.',
        params: z.strictObject({ roomId: z.uuid() }),
        querystring: z.strictObject({
          cursor: cursorQuerySchema,
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: {
          200: z.object({
            members: z.array(memberSchema),
            onlineCount: z.number().int(),
            nextCursor: z.string().nullable(),
          }),
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { roomId } = request.params;
      const { limit } = request.query;
      const after = request.query.cursor ? decodeCursor(request.query.cursor, cursorKeySchema) : null;
      const access = await requireReadable(db, roomId, member.id, 'room');
      const staff = readsHiddenBodies(access);
      const { rows } = await db.query<MemberRow>(MEMBERS_SQL, [
        roomId,
        staff,
        after?.r ?? null,
        after?.t ?? null,
        after?.id ?? null,
        limit + 1,
      ]);
      const [onlineIds, typingIds] = await Promise.all([presence.onlineUsers(roomId), presence.typingUsers(roomId)]);
      const online = new Set(onlineIds);
      const typing = new Set(typingIds);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        members: page.map((row) => ({
          user: toPublicUser(row),
          role: !staff && row.role === 'muted' ? 'member' : row.role,
          joinedAt: row.joined_at.toISOString(),
          online: online.has(row.user_id),
          typing: typing.has(row.user_id),
        })),
        onlineCount: online.size,
        nextCursor:
          rows.length > limit && last ? encodeCursor({ r: last.rank, t: last.joined_key, id: last.user_id }) : null,
      };
    },
  );
}
