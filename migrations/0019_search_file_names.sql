-- Search finds a message by the names of its files too ("where was that build.log?"), online and, with the
-- same expression in the client's replica (client/src/replica/sql/schema.ts), offline. A name is indexed as
-- typed (build.log, which PostgreSQL's parser reads as one word) and split at dots, dashes and underscores
-- (build, log). Hidden and deleted messages have no files in `attachments`, so their names are not found.
--
-- A generated column's expression cannot be changed before PostgreSQL 17: the column and its two indexes
-- are made again, which rewrites the table once.
CREATE FUNCTION attachment_search_text(files jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(n || ' ' || translate(n, '._-', '   '), ' '), '')
    FROM (SELECT f ->> 'name' AS n FROM jsonb_array_elements(files) AS f) AS names
   WHERE n IS NOT NULL
$$;

DROP INDEX messages_search_pairs_idx;
DROP INDEX messages_search_idx;
ALTER TABLE messages DROP COLUMN search_vector;
ALTER TABLE messages ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english', body || ' ' || attachment_search_text(attachments))) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search_vector);
CREATE INDEX messages_search_pairs_idx ON messages USING gin (message_lexeme_pairs(search_vector));
