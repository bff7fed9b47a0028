import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { trustLevelOf } from '../../../shared/rules/trust.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { cursorQuerySchema, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { badRequest, errorBodySchema } from '../../http/errors.ts';
import { requireReadable } from '../threads/channel-read.ts';
import { timestampKeySchema, timestampKeySql } from '../threads/keyset.ts';
import { HEADLINE_OPTIONS, headlineInputSql, parseHeadline } from './headline.ts';
import { readableRoomSql } from './readable-sql.ts';

const fragmentSchema = z.object({
  text: z.string(),
  highlights: z.array(z.object({ start: z.number().int(), end: z.number().int() })),
});

const hitSchema = z.object({
  messageId: z.uuid(),
  channelId: z.uuid(),
  channelKind: z.enum(['room', 'thread', 'dm']),
  /** The room the message belongs to (a thread's room for thread replies); null for DMs. */
  roomId: z.uuid().nullable(),
  /** The thread, when the message is a reply in one. */
  threadId: z.uuid().nullable(),
  seq: z.number().int(),
  authorId: z.uuid().nullable(),
  createdAt: z.string(),
  /** `ts_rank` of the message for the query: how well it matches, for display; results are ordered by time. */
  rank: z.number(),
  /** Up to three plain-text pieces of the message around the matches, with the matches' offsets. */
  fragments: z.array(fragmentSchema),
});

/** The sort key of the last hit of a page: created_at (PostgreSQL's microseconds) and id. */
const cursorKeySchema = z.strictObject({ t: timestampKeySchema, id: z.uuid() });

const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z',
});

interface HitRow {
  id: string;
  channel_id: string;
  kind: 'room' | 'thread' | 'dm';
  room_id: string | null;
  seq: number;
  author_id: string | null;
  created_at: Date;
  created_key: string;
  rank: number;
  headline: string;
}

/**
 * Order and paging. Results are the matches newest first, keyset-paged on (created_at, id). Relevance
 * cannot be the page order: `ts_rank` is a float computed per query, ties are common, and a message
 * edited between two page loads changes its rank, so a rank cursor would skip or repeat results;
 * (created_at, id) is immutable and unique. In a chat, recency is also what people look for first
 * ("what did we say about X last week"), as Slack's and Discord's default orders show. Each hit carries
 * its rank so a client can mark the best matches.
 *
 * The candidate messages are found by `search_vector @@ query` (GIN index `messages_search_idx`) or, for
 * very common words, by walking messages by time and testing each; PostgreSQL picks per query from its
 * statistics. `ts_headline` (which re-parses the body) runs only on the page's rows.
 */
const SEARCH_SQL = `
  WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query),
  hits AS (
    SELECT m.id, m.channel_id, m.room_id, m.seq, m.author_id, m.created_at, m.body, m.search_vector
      FROM messages m
      LEFT JOIN rooms r ON r.id = m.room_id
      LEFT JOIN room_memberships mm ON mm.room_id = m.room_id AND mm.user_id = $2
     WHERE m.search_vector @@ (SELECT query FROM q)
       AND NOT m.is_hidden AND NOT m.is_deleted
       AND ($5::uuid IS NULL OR m.room_id = $5)
       AND ($6::uuid IS NULL OR m.author_id = $6)
       AND ($7::timestamptz IS NULL OR m.created_at >= $7)
       AND ($8::timestamptz IS NULL OR m.created_at < $8)
       AND ($9::timestamptz IS NULL OR (m.created_at, m.id) < ($9, $10::uuid))
       AND CASE
             WHEN m.room_id IS NULL THEN EXISTS (
               SELECT 1 FROM dm_participants p
                WHERE p.dm_thread_id = m.channel_id AND p.user_id = $2 AND p.left_at IS NULL)
             ELSE ${readableRoomSql({ room: 'r', membership: 'mm', isGlobalAdmin: '$3::boolean', isTrusted: '$4::boolean' })}
           END
     ORDER BY m.created_at DESC, m.id DESC
     LIMIT $11
  )
  SELECT h.id, h.channel_id, c.kind, h.room_id, h.seq, h.author_id, h.created_at,
         ${timestampKeySql('h.created_at')} AS created_key,
         ts_rank(h.search_vector, q.query) AS rank,
         ts_headline('english', ${headlineInputSql('h.body')}, q.query, $12) AS headline
    FROM hits h
    JOIN channels c ON c.id = h.channel_id
    CROSS JOIN q
   ORDER BY h.created_at DESC, h.id DESC`;

/**
 * Full-text search over everything the caller may read: public rooms, private rooms they are a
 * (non-banned) member of, the threads of those rooms, and DMs they take part in; never hidden or
 * deleted messages, never anything of a room they are banned from.
 */
export async function searchRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Search messages you can read (newest first, with plain-text highlights)',
        description:
          '`q` uses web-search syntax: words, "quoted phrases", `or`, and `-word` to exclude. Results are ordered ' +
          'by time, newest first, and paged with `cursor`; each carries its relevance as `rank`. Highlights are ' +
          'plain text with [start, end) offsets (JavaScript string indices) of the matched words, never HTML.',
        querystring: z.strictObject({
          q: z.string().trim().min(1, 'type something to search for').max(200),
          roomId: z.uuid().optional(),
          authorId: z.uuid().optional(),
          from: isoInstant.optional(),
          to: isoInstant.optional(),
          cursor: cursorQuerySchema,
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: {
          200: z.object({ results: z.array(hitSchema), nextCursor: z.string().nullable() }),
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { q, roomId, authorId, from, to, limit } = request.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw badRequest('`from` must be before `to`.');
      const after = request.query.cursor ? decodeCursor(request.query.cursor, cursorKeySchema) : null;
      // Searching one room you cannot read is answered as reading it would be, not with an empty list.
      if (roomId) await requireReadable(db, roomId, member.id, 'room');
      const lexemes = await db.query<{ n: number }>(`SELECT numnode(websearch_to_tsquery('english', $1)) AS n`, [q]);
      if ((lexemes.rows[0]?.n ?? 0) === 0) return { results: [], nextCursor: null };

      const trusted =
        trustLevelOf({ messagesSent: member.messages_sent, joinedAt: member.joined_at }, new Date()) === 'trusted';
      const { rows } = await db.query<HitRow>(SEARCH_SQL, [
        q,
        member.id,
        member.is_global_admin,
        trusted,
        roomId ?? null,
        authorId ?? null,
        from ?? null,
        to ?? null,
        after?.t ?? null,
        after?.id ?? null,
        limit + 1,
        HEADLINE_OPTIONS,
      ]);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        results: page.map((row) => ({
          messageId: row.id,
          channelId: row.channel_id,
          channelKind: row.kind,
          roomId: row.room_id,
          threadId: row.kind === 'thread' ? row.channel_id : null,
          seq: row.seq,
          authorId: row.author_id,
          createdAt: row.created_at.toISOString(),
          rank: Number(row.rank),
          fragments: parseHeadline(row.headline),
        })),
        nextCursor: rows.length > limit && last ? encodeCursor({ t: last.created_key, id: last.id }) : null,
      };
    },
  );
}
