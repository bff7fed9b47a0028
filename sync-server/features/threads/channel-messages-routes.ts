import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LIMITS } from '../../../shared/rules/limits.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberIdOf } from '../../auth/auth-plugin.ts';
import { cursorQuerySchema, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { badRequest, errorBodySchema, notFound } from '../../http/errors.ts';
import { apiMessageSchema, MESSAGE_COLUMNS, toApiMessage, type MessageRow } from '../history/message-schema.ts';
import { readsHiddenBodies, readWhenReadable } from './channel-read.ts';

/**
 * A cursor names a seq: `before=<c>` pages to messages with a smaller seq, `after=<c>` to a greater
 * one. The key has the same shape as the room history route's, so its cursors work here as `before`.
 */
const cursorKeySchema = z.strictObject({ seq: z.number().int().nonnegative() });
const seqCursor = (seq: number) => encodeCursor({ seq });

const pageSchema = z.object({
  /** Always in reading order (ascending seq), whichever way the page was fetched. */
  messages: z.array(apiMessageSchema),
  /** Pass as `before` for the messages just before this page; null at the start of the channel. */
  olderCursor: z.string().nullable(),
  /** Pass as `after` for the messages just after this page; null when nothing newer exists yet. */
  newerCursor: z.string().nullable(),
});

/** A page row, or the one all-null row of an empty page, with whether more lies beyond the far side. */
type PageRow = (MessageRow | { [K in keyof MessageRow]: null }) & { beyond: boolean };

const limitSchema = z.coerce
  .number()
  .int()
  .min(1)
  .max(LIMITS.history.pageSizeMax)
  .default(LIMITS.history.pageSizeDefault);

/**
 * History of any channel — a room's main chat, a thread (a thread is a channel) or a DM — by seq, in
 * both directions, and the window around one message (jumping to a reply or a search hit). Keyset on
 * (channel_id, seq), served by `messages_channel_seq_key` both ways: page 10,000 costs what page 1 does.
 * Hidden bodies reach the room's moderators only; deleted bodies reach nobody.
 */
export async function channelMessagesRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/channels/:channelId/messages',
    {
      config: { memberIdOnly: true },
      schema: {
        tags: ['history'],
        summary: 'A page of a channel’s messages: before or after a cursor, or from either end',
        description:
          'Without a cursor, `from=newest` (default) answers the latest messages and `from=oldest` the first ones ' +
          '(read a thread from its start). Give `before` or `after` (not both) to continue; each page carries the ' +
          'cursors for both directions.',
        params: z.strictObject({ channelId: z.uuid() }),
        querystring: z.strictObject({
          before: cursorQuerySchema,
          after: cursorQuerySchema,
          from: z.enum(['newest', 'oldest']).optional(),
          limit: limitSchema,
        }),
        response: { 200: pageSchema, 400: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request) => {
      const memberId = memberIdOf(request);
      const { channelId } = request.params;
      const { before, after, from, limit } = request.query;
      if (before && after) throw badRequest('Give either `before` or `after`, not both.');
      if (from && (before || after)) throw badRequest('`from` starts a listing; it cannot be combined with a cursor.');
      const beforeSeq = before ? decodeCursor(before, cursorKeySchema).seq : null;
      const afterSeq = after ? decodeCursor(after, cursorKeySchema).seq : from === 'oldest' ? 0 : null;
      const forward = afterSeq !== null;

      // One round trip: the page, plus whether anything lies beyond its far side. The page's first row
      // after `after` is the smallest seq above it, so "older than the page" is "seq <= after"; likewise
      // "newer than a page before `before`" is "seq >= before". Asked as min/max, which PostgreSQL always
      // answers from one end of (channel_id, seq): an EXISTS may be planned as a table scan that reads a
      // million rows when nothing matches.
      const { access, result: found } = await readWhenReadable(db, channelId, memberId, 'any', () =>
        db.query<PageRow>(
          forward
            ? `SELECT p.*, b.beyond
               FROM (SELECT COALESCE((SELECT min(seq) FROM messages WHERE channel_id = $1) <= $2, false) AS beyond) b
               LEFT JOIN LATERAL (SELECT ${MESSAGE_COLUMNS} FROM messages
                                   WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3) p ON true`
            : `SELECT p.*, b.beyond
               FROM (SELECT COALESCE((SELECT max(seq) FROM messages WHERE channel_id = $1) >= $2::bigint, false)
                            AS beyond) b
               LEFT JOIN LATERAL (SELECT ${MESSAGE_COLUMNS} FROM messages
                                   WHERE channel_id = $1 AND ($2::bigint IS NULL OR seq < $2)
                                   ORDER BY seq DESC LIMIT $3) p ON true`,
          [channelId, forward ? afterSeq : beforeSeq, limit + 1],
        ),
      );
      const viewer = { viewerIsModerator: readsHiddenBodies(access) };
      const beyond = found.rows[0]?.beyond ?? false;
      const all = found.rows.filter((row) => row.id !== null).sort((x, y) => x.seq - y.seq);
      const more = all.length > limit;
      const rows = forward ? all.slice(0, limit) : all.slice(all.length - Math.min(all.length, limit));
      const hasOlder = forward ? beyond : more;
      const hasNewer = forward ? more : beyond;
      return {
        messages: rows.map((row) => toApiMessage(row, viewer)),
        olderCursor: hasOlder ? seqCursor(rows[0]?.seq ?? (afterSeq ?? 0) + 1) : null,
        newerCursor: hasNewer ? seqCursor(rows.at(-1)?.seq ?? (beforeSeq ?? 1) - 1) : null,
      };
    },
  );

  r.get(
    '/api/channels/:channelId/messages/around/:messageId',
    {
      config: { memberIdOnly: true },
      schema: {
        tags: ['history'],
        summary: 'The messages around one message (jump to a reply or a search hit)',
        description:
          'About half the page before the message and half after it (more on one side when the other runs out), ' +
          'in reading order, with cursors to keep paging either way.',
        params: z.strictObject({ channelId: z.uuid(), messageId: z.uuid() }),
        querystring: z.strictObject({ limit: limitSchema }),
        response: {
          200: pageSchema.extend({ targetId: z.uuid(), targetSeq: z.number().int() }),
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request) => {
      const memberId = memberIdOf(request);
      const { channelId, messageId } = request.params;
      const { limit } = request.query;
      // Up to `limit` + 1 on each side, so either side can fill the page when the other runs out and
      // we still know whether more lies beyond; the target is the first row of the newer side.
      const {
        access,
        result: { rows },
      } = await readWhenReadable(db, channelId, memberId, 'any', () =>
        db.query<MessageRow & { side: 'older' | 'newer' }>(
          `WITH target AS (SELECT seq FROM messages WHERE id = $2 AND channel_id = $1)
         (SELECT ${MESSAGE_COLUMNS}, 'older' AS side FROM messages
           WHERE channel_id = $1 AND seq < (SELECT seq FROM target) ORDER BY seq DESC LIMIT $3)
         UNION ALL
         (SELECT ${MESSAGE_COLUMNS}, 'newer' AS side FROM messages
           WHERE channel_id = $1 AND seq >= (SELECT seq FROM target) ORDER BY seq LIMIT $3)`,
          [channelId, messageId, limit + 1],
        ),
      );
      const older = rows.filter((row) => row.side === 'older'); // descending seq
      const newer = rows.filter((row) => row.side === 'newer'); // ascending seq, the target first
      const targetSeq = newer[0]?.id === messageId ? newer[0].seq : undefined;
      if (targetSeq === undefined) throw notFound('That message is not in this conversation.');
      const wantOlder = Math.floor((limit - 1) / 2);
      let nOlder = Math.min(older.length, wantOlder);
      const nNewer = Math.min(newer.length, limit - nOlder);
      nOlder = Math.min(older.length, limit - nNewer);
      const page = [...older.slice(0, nOlder).reverse(), ...newer.slice(0, nNewer)];
      const viewer = { viewerIsModerator: readsHiddenBodies(access) };
      return {
        messages: page.map(({ side: _side, ...row }) => toApiMessage(row, viewer)),
        olderCursor: older.length > nOlder ? seqCursor(page[0]!.seq) : null,
        newerCursor: newer.length > nNewer ? seqCursor(page.at(-1)!.seq) : null,
        targetId: messageId,
        targetSeq,
      };
    },
  );
}
