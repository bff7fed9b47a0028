import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { trustLevelOf } from '../../../shared/rules/trust.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { cursorQuerySchema, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { ApiError, badRequest, errorBodySchema } from '../../http/errors.ts';
import { pgErrorCode, type Database, type Queryable } from '../../db/database.ts';
import { requireReadable } from '../threads/channel-read.ts';
import { isRealInstant, REAL_INSTANT_MESSAGE, timestampKeySchema, timestampKeySql } from '../threads/keyset.ts';
import { HEADLINE_OPTIONS, headlineSql, parseHeadline } from '../../../shared/search/headline.ts';
import { requiredPairs, requiredPhrases } from './phrase-pairs.ts';
import { readableChannels } from './readable-channels.ts';
import { readableRoomSql } from './readable-sql.ts';
import { NO_NUL_MESSAGE, noNul } from '../rooms-admin/text-input.ts';

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
  /** The names of the message's files (search looks at them too: a hit may be by a file's name). */
  files: z.array(z.string()),
});

/** The sort key of the last hit of a page: created_at (PostgreSQL's microseconds) and id. */
const cursorKeySchema = z.strictObject({ t: timestampKeySchema, id: z.uuid() });

const isoInstant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z' })
  .refine(isRealInstant, REAL_INSTANT_MESSAGE);

interface HitRow {
  id: string;
  channel_id: string;
  kind: 'room' | 'thread' | 'dm';
  room_id: string | null;
  seq: number;
  author_id: string | null;
  created_at: Date;
  rank: number;
  headline: string;
  files: string[];
}

/**
 * Order and paging. Results are the matches newest first, keyset-paged on (created_at, id). Relevance
 * cannot be the page order: `ts_rank` is a float computed per query, ties are common, and a message
 * edited between two page loads changes its rank, so a rank cursor would skip or repeat results;
 * (created_at, id) is immutable and unique. In a chat, recency is also what people look for first
 * ("what did we say about X last week"), as Slack's and Discord's default orders show. Each hit carries
 * its rank so a client can mark the best matches.
 *
 * Finding the newest matches fast, whatever the word (measured on 1,000,000 messages, see
 * bench/history-search.ts): the GIN index (`messages_search_idx`) finds a rare word's few rows at
 * once but hands a common word's hundreds of thousands of rows to a sort; walking messages newest first
 * (`messages_created_idx`, migration 0010) finds a common word's newest matches in a few rows but reads
 * the whole table for a rare one. PostgreSQL cannot tell which case it is in (a lexeme missing from its
 * statistics looks common enough to walk for), so the choice is made by trying:
 *
 * 1. the window: the newest SEARCH_WINDOW messages in scope (room, author, time, cursor), tested one by
 *    one. A word in more than ~0.4% of messages fills a page here, in a few milliseconds;
 * 2. otherwise the rest, older than the window, through the GIN index only (a MATERIALIZED CTE without
 *    ORDER BY/LIMIT, so the planner has no time-ordered plan to pick): a word that did not fill a page
 *    in the window is rare, so the index hands back few rows. A phrase is the exception: its words may
 *    each be common while the phrase is rare, and the word index knows nothing of positions, so a
 *    phrase's word pairs are looked up in `messages_search_pairs_idx` (migration 0011) as well.
 *
 * Visibility (rooms, threads, DMs the caller may read; never hidden or deleted) is applied in both
 * steps, before counting. `ts_rank` and `ts_headline` (which re-parses the body) run only on the
 * page's rows, in a last query.
 */
export const SEARCH_WINDOW = 5000;

const QUERY_SQL = `websearch_to_tsquery('english', $1)`;

/** Everything but the words: $2 room, $3 author, $4 from, $5 to, $6/$7 the cursor's (created_at, id). */
const SCOPE_SQL = `($2::uuid IS NULL OR m.room_id = $2)
       AND ($3::uuid IS NULL OR m.author_id = $3)
       AND ($4::timestamptz IS NULL OR m.created_at >= $4)
       AND ($5::timestamptz IS NULL OR m.created_at < $5)
       AND ($6::timestamptz IS NULL OR (m.created_at, m.id) < ($6, $7::uuid))`;

/** Readable by $8 (user id), given $9 (global admin) and $10 (trust level trusted); rooms `r`, memberships `mm`. */
const VISIBLE_SQL = `NOT m.is_hidden AND NOT m.is_deleted
       AND CASE
             WHEN m.room_id IS NULL THEN EXISTS (
               SELECT 1 FROM dm_participants p
                WHERE p.dm_thread_id = m.channel_id AND p.user_id = $8 AND p.left_at IS NULL)
             ELSE ${readableRoomSql({ room: 'r', membership: 'mm', isGlobalAdmin: '$9::boolean', isTrusted: '$10::boolean' })}
           END`;

const VISIBILITY_JOINS = `LEFT JOIN rooms r ON r.id = m.room_id
      LEFT JOIN room_memberships mm ON mm.room_id = m.room_id AND mm.user_id = $8`;

/** Step 1: the newest $11 messages in scope; the matches among them ($12 at most) and where the window ended. */
export const WINDOW_SQL = `
  WITH win AS (
    SELECT m.id, m.created_at, m.room_id, m.channel_id, m.is_hidden, m.is_deleted, m.search_vector
      FROM messages m
     WHERE ${SCOPE_SQL}
     ORDER BY m.created_at DESC, m.id DESC
     LIMIT $11
  ),
  hits AS (
    SELECT m.id, m.created_at
      FROM win m
      ${VISIBILITY_JOINS}
     WHERE m.search_vector @@ ${QUERY_SQL} AND ${VISIBLE_SQL}
     ORDER BY m.created_at DESC, m.id DESC
     LIMIT $12
  )
  SELECT (SELECT count(*)::int FROM win) AS scanned,
         (SELECT json_build_object('t', ${timestampKeySql('e.created_at')}, 'id', e.id)
            FROM (SELECT created_at, id FROM win ORDER BY created_at, id LIMIT 1) e) AS edge,
         COALESCE((SELECT json_agg(json_build_object('id', h.id, 't', ${timestampKeySql('h.created_at')})
                                   ORDER BY h.created_at DESC, h.id DESC) FROM hits h), '[]'::json) AS hits`;

/**
 * Step 2: matches older than the window's edge ($12, $13), through the GIN indexes; $11 at most. $14 is
 * the lexeme pairs the query's phrases require (phrase-pairs.ts) or null: a phrase of common words that
 * rarely stand together would otherwise send every message holding the words to a position recheck.
 * $15/$16 are the rooms and DMs the caller may read (readable-channels.ts), so a caller who cannot read
 * most of the words' messages has them skipped in the indexes; VISIBLE_SQL still decides each row.
 */
export const OLDER_SQL = `
  WITH cand AS MATERIALIZED (
    SELECT m.id, m.created_at, m.room_id, m.channel_id, m.is_hidden, m.is_deleted
      FROM messages m
     WHERE m.search_vector @@ ${QUERY_SQL}
       AND ($14::text[] IS NULL OR message_lexeme_pairs(m.search_vector) @> $14::text[])
       AND ${SCOPE_SQL}
       AND (m.created_at, m.id) < ($12::timestamptz, $13::uuid)
       AND (m.room_id = ANY($15::uuid[]) OR (m.room_id IS NULL AND m.channel_id = ANY($16::uuid[])))
  )
  SELECT m.id, ${timestampKeySql('m.created_at')} AS t
    FROM cand m
    ${VISIBILITY_JOINS}
   WHERE ${VISIBLE_SQL}
   ORDER BY m.created_at DESC, m.id DESC
   LIMIT $11`;

/** Step 3: what the page shows of each hit. */
const DETAILS_SQL = `
  SELECT m.id, m.channel_id, c.kind, m.room_id, m.seq, m.author_id, m.created_at,
         ts_rank(m.search_vector, q.query) AS rank,
         ${headlineSql('m.body', 'q.query', '$3')} AS headline,
         ARRAY(SELECT f ->> 'name' FROM jsonb_array_elements(m.attachments) AS f) AS files
    FROM messages m
    JOIN channels c ON c.id = m.channel_id
    CROSS JOIN (SELECT websearch_to_tsquery('english', $1) AS query) q
   WHERE m.id = ANY($2::uuid[])
     AND NOT m.is_hidden AND NOT m.is_deleted -- hidden in the meantime: its words stay out
   ORDER BY m.created_at DESC, m.id DESC`;

interface HitKey {
  id: string;
  t: string;
}

/**
 * The older-than-window step reads every row holding all of the query's words (and word pairs, for
 * phrases). For real searches that is few rows: a word common enough to need many would have filled the
 * page in the window. What can still read many is a query whose parts are each common but rarely
 * together in one visible message in scope (e.g. a phrase of words more than two positions apart, which
 * the pairs index does not key, or common words in a room the caller cannot read). On PostgreSQL the step
 * gets a time budget so such a search cannot hold a connection for long; it is answered with a sentence
 * saying what to change. (PGlite serves one process and has no statement timer.)
 */
const OLDER_STEP_BUDGET_MS = 2000;

async function withBudget<T>(db: Database, step: (q: Queryable) => Promise<T>): Promise<T> {
  if (db.kind !== 'postgres') return step(db);
  try {
    return await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(OLDER_STEP_BUDGET_MS)]);
      return step(tx);
    });
  } catch (err) {
    if (pgErrorCode(err) === QUERY_CANCELED) {
      throw new ApiError(
        503,
        'search_timeout',
        'That search took too long. Try other or more specific words, or search within one room.',
      );
    }
    throw err;
  }
}

const QUERY_CANCELED = '57014';

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
          q: z.string().trim().min(1, 'type something to search for').max(200).refine(noNul, NO_NUL_MESSAGE),
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
          503: errorBodySchema,
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
      const want = limit + 1;
      const params = [
        q,
        roomId ?? null,
        authorId ?? null,
        from ?? null,
        to ?? null,
        after?.t ?? null,
        after?.id ?? null,
        member.id,
        member.is_global_admin,
        trusted,
      ];
      const window = await db.query<{ scanned: number; edge: HitKey | null; hits: HitKey[] }>(WINDOW_SQL, [
        ...params,
        SEARCH_WINDOW,
        want,
      ]);
      const { scanned, edge } = window.rows[0]!;
      const keys = [...window.rows[0]!.hits];
      if (keys.length < want && scanned === SEARCH_WINDOW && edge) {
        const [pairs, readable] = await Promise.all([
          requiredPairs(db, requiredPhrases(q)),
          readableChannels(db, { id: member.id, isGlobalAdmin: member.is_global_admin, trusted }),
        ]);
        const older = await withBudget(db, (tx) =>
          tx.query<HitKey>(OLDER_SQL, [
            ...params,
            want - keys.length,
            edge.t,
            edge.id,
            pairs,
            readable.rooms,
            readable.dms,
          ]),
        );
        keys.push(...older.rows);
      }
      const page = keys.slice(0, limit);
      const last = page.at(-1);
      const { rows } = page.length
        ? await db.query<HitRow>(DETAILS_SQL, [q, page.map((k) => k.id), HEADLINE_OPTIONS])
        : { rows: [] as HitRow[] };
      return {
        results: rows.map((row) => ({
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
          files: row.files,
        })),
        nextCursor: keys.length > limit && last ? encodeCursor({ t: last.t, id: last.id }) : null,
      };
    },
  );
}
