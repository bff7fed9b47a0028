import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { memberIdOf } from '../../auth/auth-plugin.ts';
import { readsHiddenBodies, readWhenReadable } from '../threads/channel-read.ts';
import { decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { errorBodySchema } from '../../http/errors.ts';
import { apiMessageSchema, MESSAGE_COLUMNS, toApiMessage, type MessageRow } from './message-schema.ts';

const cursorKeySchema = z.strictObject({ seq: z.number().int().positive() });

/**
 * Room history by seq cursor, newest first: a keyset query on (channel_id, seq), so page 1,000 costs
 * what page 1 costs. The cursor is opaque to clients.
 */
export async function historyRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/rooms/:roomId/messages',
    {
      config: { memberIdOnly: true },
      schema: {
        tags: ['history'],
        summary: 'A page of a room’s messages before the cursor (newest first)',
        params: z.strictObject({ roomId: z.uuid() }),
        querystring: z.strictObject({
          cursor: z.string().max(512).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: {
          200: z.object({ messages: z.array(apiMessageSchema), nextCursor: z.string().nullable() }),
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request) => {
      const memberId = memberIdOf(request);
      const { roomId } = request.params;
      const { limit } = request.query;
      const before = request.query.cursor ? decodeCursor(request.query.cursor, cursorKeySchema).seq : null;
      const {
        access,
        result: { rows },
      } = await readWhenReadable(db, roomId, memberId, 'room', () =>
        db.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages
            WHERE channel_id = $1 AND ($2::bigint IS NULL OR seq < $2)
            ORDER BY seq DESC LIMIT $3`,
          [roomId, before, limit],
        ),
      );
      // Moderators of the room see hidden words (greyed, with the reason); everyone else only the reason.
      const viewerIsModerator = readsHiddenBodies(access);
      const last = rows.at(-1);
      return {
        messages: rows.map((row) => toApiMessage(row, { viewerIsModerator })),
        nextCursor: rows.length === limit && last && last.seq > 1 ? encodeCursor({ seq: last.seq }) : null,
      };
    },
  );
}
