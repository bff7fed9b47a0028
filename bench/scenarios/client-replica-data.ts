/**
 * The client scenario's synthetic replica content, shared by the browser scenario (client-replica.ts)
 * and the browserless search probe (bench/tools/local-search-probe.ts).
 */

/** Distinct words; drawn with a skewed frequency (a few words everywhere, most rare), as real chat is. */
export const VOCABULARY_SIZE = 3000;

/**
 * Inserts $2 messages into the replica's messages table, spread over the rooms $1 (uuid[]), with seqs
 * after $4 (rows already there) and bodies of 8–16 words of a $3-word vocabulary.
 */
export const seedReplicaSql = `WITH vocab AS (
             -- Consonant-only words: the english configuration keeps them as they are (no stemming, no
             -- numbers), so the words read back from ts_stat are the words searched for.
             SELECT array_agg('z' || translate(to_hex(i * 2654435761 % 4294967291), '0123456789abcdef', 'bcfhjkmpqrtvwxzl'))
                    AS words FROM generate_series(1, $3::int) i
           )
           INSERT INTO messages (id, channel_id, seq, author_id, body, type, edited, hidden, deleted, pinned, created_at)
           SELECT gen_random_uuid(), ($1::uuid[])[1 + g % cardinality($1::uuid[])], 100000 + $4::int + g, NULL,
                  -- k in the argument keeps the aggregate (and random()) per row of the inner series.
                  (SELECT string_agg(v.words[1 + floor(power(random(), 3) * $3::int)::int + 0 * k], ' ')
                     FROM generate_series(1, 8 + (g % 9)) k),
                  'text', false, false, false, false, now() - make_interval(secs => ($2::int - g))
             FROM generate_series(1, $2::int) g, vocab v`;

/** Search terms across frequencies: single words (common, middling, rare), two-word and phrase queries. */
export function pickQueries(words: ReadonlyArray<{ word: string; n: number }>, count: number): string[] {
  const usable = words.filter((w) => /^z[bcfhjkmpqrtvwxzl]+$/.test(w.word));
  if (usable.length === 0) return [];
  const at = (fraction: number) => usable[Math.min(usable.length - 1, Math.floor(fraction * usable.length))]!.word;
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const f = (i * 0.618034) % 1;
    switch (i % 4) {
      case 0:
        out.push(at(f * 0.05)); // among the most common words
        break;
      case 1:
        out.push(at(f)); // any word
        break;
      case 2:
        out.push(`${at(f * 0.2)} ${at((f + 0.5) % 1)}`); // both words
        break;
      default:
        out.push(`"${at(f * 0.1)} ${at((f * 0.3 + 0.1) % 1)}" -${at(0.99)}`); // a phrase, minus a word
    }
  }
  return out;
}
