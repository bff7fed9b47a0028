-- Phrase search ("message history") without reading every message that holds the phrase's words.
--
-- The GIN index on search_vector stores which messages hold a lexeme, not where in the message, so for a
-- phrase it hands over every message holding all of its words and PostgreSQL rechecks each row's
-- positions. For a phrase of very common words that are rarely next to each other that is (nearly) every
-- message: 0.4-0.9 s per million messages, measured in bench/history-search.ts (bench/FINDINGS.md).
--
-- This index keys each message by its pairs of lexemes at most 2 positions apart, with their distance
-- ('messag histori 1'), so a phrase's pairs narrow the candidates to messages where those words stand in
-- that order at that distance; the tsquery still decides the match exactly. Distance 2 covers one
-- stopword inside a phrase ("proof of concept" is 'proof' <2> 'concept'); a phrase whose words are all
-- further apart ("state of the art") gets no pairs and is searched as before. The query side computes a
-- phrase's pairs with this same function over to_tsvector of the quoted text
-- (sync-server/features/search/phrase-pairs.ts).
--
-- Cost: one more GIN entry per word pair (about 3-4 times the word index), written with the message.
CREATE FUNCTION message_lexeme_pairs(v tsvector) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  lexemes text[];
  positions int[];
  pairs text[] := '{}';
  n int;
BEGIN
  SELECT array_agg(u.lexeme ORDER BY p), array_agg(p ORDER BY p)
    INTO lexemes, positions
    FROM unnest(v) AS u, unnest(u.positions) AS p;
  n := coalesce(array_length(positions, 1), 0);
  -- Positions are sorted, so every pair within distance 2 is at most 2 entries apart.
  FOR i IN 1 .. n - 1 LOOP
    FOR j IN i + 1 .. least(i + 2, n) LOOP
      EXIT WHEN positions[j] - positions[i] > 2;
      pairs := pairs || (lexemes[i] || ' ' || lexemes[j] || ' ' || (positions[j] - positions[i]));
    END LOOP;
  END LOOP;
  RETURN pairs;
END
$$;

CREATE INDEX messages_search_pairs_idx ON messages USING gin (message_lexeme_pairs(search_vector));
