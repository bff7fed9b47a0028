import type { Queryable } from '../../db/database.ts';

/**
 * The quoted phrases of a web-search query (`websearch_to_tsquery` syntax) that every match must
 * contain, so their word pairs can narrow the candidates through `messages_search_pairs_idx`
 * (migrations/0011_search_phrase_pairs.sql).
 *
 * Leaving a phrase out only makes the narrowing weaker; keeping one that a match need not contain would
 * lose results. So anything in doubt is left out:
 * - a query with `or` outside quotes has no required phrase at all (any part may be the one that matched);
 * - a phrase preceded by `-` (with or without a space: PostgreSQL reads both as "not") is excluded.
 */
export function requiredPhrases(q: string): string[] {
  const phrases: string[] = [];
  const outside: string[] = [];
  let at = 0;
  while (at < q.length) {
    const open = q.indexOf('"', at);
    if (open < 0) {
      outside.push(q.slice(at));
      break;
    }
    const before = q.slice(at, open);
    outside.push(before);
    const close = q.indexOf('"', open + 1);
    const end = close < 0 ? q.length : close;
    const negated = /-\s*$/.test(q.slice(0, open));
    const text = q.slice(open + 1, end).trim();
    if (!negated && text) phrases.push(text);
    at = end + 1;
  }
  // Any standalone "or" (also next to punctuation) counts, whether or not PostgreSQL would read it as one.
  if (outside.some((part) => /(^|[^\p{L}\p{N}_])or([^\p{L}\p{N}_]|$)/iu.test(part))) return [];
  return phrases;
}

/**
 * The lexeme pairs the phrases require, computed by the same SQL function the index is built with, or
 * null when they require none (stopwords only, single words, words further apart than the index keeps).
 */
export async function requiredPairs(db: Queryable, phrases: readonly string[]): Promise<string[] | null> {
  if (phrases.length === 0) return null;
  const { rows } = await db.query<{ pairs: string[] | null }>(
    `SELECT array_agg(DISTINCT p) AS pairs
       FROM unnest($1::text[]) AS ph, unnest(message_lexeme_pairs(to_tsvector('english', ph))) AS p`,
    [phrases],
  );
  const pairs = rows[0]?.pairs ?? null;
  return pairs && pairs.length > 0 ? pairs : null;
}
