import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { cursorQuerySchema, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { errorBodySchema } from '../../http/errors.ts';
import { publicUserColumns, publicUserSchema, toPublicUser, type PublicUserRow } from '../users/public-user.ts';
import { requireReadable } from './channel-read.ts';
import { timestampKeySchema, timestampKeySql } from './keyset.ts';

export const apiThreadSchema = z.object({
  id: z.uuid(),
  roomId: z.uuid(),
  title: z.string(),
  parentMessageId: z.uuid().nullable(),
  locked: z.boolean(),
  pinned: z.boolean(),
  resolved: z.boolean(),
  archived: z.boolean(),
  messageCount: z.number().int(),
  lastMessageAt: z.string().nullable(),
  createdAt: z.string(),
  /** 'battle' and 'ask_me' threads are created by the host platform. */
  hostContextType: z.enum(['battle', 'ask_me']).nullable(),
  /** null when the thread was started by the platform or the account is gone entirely. */
  creator: publicUserSchema.nullable(),
});

/** The sort key of the last thread of a page: pinned (1/0), last activity (absent = none yet), id. */
const cursorKeySchema = z.strictObject({
  p: z.union([z.literal(0), z.literal(1)]),
  t: timestampKeySchema.optional(),
  id: z.uuid(),
});

interface ThreadRow extends Omit<PublicUserRow, 'user_id'> {
  id: string;
  room_id: string;
  title: string;
  parent_message_id: string | null;
  is_locked: boolean;
  is_pinned: boolean;
  is_resolved: boolean;
  archived: boolean;
  message_count: number;
  last_message_at: Date | null;
  created_at: Date;
  host_context_type: 'battle' | 'ask_me' | null;
  activity_key: string | null;
  user_id: string | null;
}

/**
 * Keyset over the order of `threads_room_activity_idx`: is_pinned DESC, last_message_at DESC NULLS LAST,
 * id. "After the cursor" spelled out, because a row comparison cannot mix directions or NULLS LAST:
 * a lower pinned group; or the same group and older activity (threads without any activity come
 * last); or the same activity and a greater id.
 */
const THREAD_PAGE_SQL = `
  SELECT t.id, t.room_id, t.title, t.parent_message_id, t.is_locked, t.is_pinned, t.is_resolved,
         t.archived_at IS NOT NULL AS archived, t.message_count, t.last_message_at, t.created_at,
         t.host_context_type, ${timestampKeySql('t.last_message_at')} AS activity_key,
         ${publicUserColumns('u')}
    FROM threads t
    LEFT JOIN users u ON u.id = t.creator_id
   WHERE t.room_id = $1
     AND ($2::boolean IS NULL
          OR t.is_pinned < $2
          OR (t.is_pinned = $2 AND CASE
                WHEN $3::timestamptz IS NULL THEN t.last_message_at IS NULL AND t.id > $4::uuid
                ELSE t.last_message_at < $3 OR t.last_message_at IS NULL OR (t.last_message_at = $3 AND t.id > $4::uuid)
              END))
   ORDER BY t.is_pinned DESC, t.last_message_at DESC NULLS LAST, t.id
   LIMIT $5`;

const THREAD_COUNT_SQL = 'SELECT count(*)::int AS n FROM threads WHERE room_id = $1';

/**
 * A room's threads, pinned first, then by activity: what a thread side panel or a help room's question
 * list shows. Readable by whoever can read the room.
 */
export async function threadsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/rooms/:roomId/threads',
    {
      schema: {
        tags: ['threads'],
        summary: 'A page of a room’s threads: pinned first, then most recently active',
        params: z.strictObject({ roomId: z.uuid() }),
        querystring: z.strictObject({
          cursor: cursorQuerySchema,
          limit: z.coerce.number().int().min(1).max(100).default(30),
        }),
        response: {
          200: z.object({
            threads: z.array(apiThreadSchema),
            nextCursor: z.string().nullable(),
            /** How many threads the room has, on the first page only (a list's header says "Threads 60"). */
            total: z.number().int().optional(),
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
      await requireReadable(db, roomId, member.id, 'room');
      const { rows } = await db.query<ThreadRow>(THREAD_PAGE_SQL, [
        roomId,
        after ? after.p === 1 : null,
        after?.t ?? null,
        after?.id ?? null,
        limit + 1,
      ]);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      // Counted only when there is more than the page, and only for the first one: an index-only count
      // over the room's prefix of threads_room_activity_idx.
      const total =
        after === null
          ? rows.length > limit
            ? (await db.query<{ n: number }>(THREAD_COUNT_SQL, [roomId])).rows[0]!.n
            : page.length
          : undefined;
      return {
        threads: page.map(toApiThread),
        ...(total === undefined ? {} : { total }),
        nextCursor:
          rows.length > limit && last
            ? encodeCursor({
                p: last.is_pinned ? 1 : 0,
                ...(last.activity_key ? { t: last.activity_key } : {}),
                id: last.id,
              })
            : null,
      };
    },
  );
}

function toApiThread(row: ThreadRow): z.infer<typeof apiThreadSchema> {
  return {
    id: row.id,
    roomId: row.room_id,
    title: row.title,
    parentMessageId: row.parent_message_id,
    locked: row.is_locked,
    pinned: row.is_pinned,
    resolved: row.is_resolved,
    archived: row.archived,
    messageCount: row.message_count,
    lastMessageAt: row.last_message_at ? row.last_message_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    hostContextType: row.host_context_type,
    creator: row.user_id === null ? null : toPublicUser({ ...row, user_id: row.user_id }),
  };
}
