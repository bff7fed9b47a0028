/**
 * The browser replica's SQL schema (PGlite). Everything here is derived from the synced docs and from
 * history pages, so a schema change needs no migration: a database whose version differs is emptied and
 * filled again from the docs the device holds (and catch-up), which is cheaper to get right than
 * migrations of a cache.
 *
 * - `messages`: one row per message id, the public view as the docs carry it. A hidden or deleted
 *   message keeps its row (context: replies, seq gaps) but never its words: the body is stored empty
 *   whatever the source said (a moderator's history page carries hidden bodies), so nothing hidden can be
 *   found or shown from here.
 * - `threads`: a room's threads as its meta doc holds them (room, title, states).
 * - `dms`: the member's DM conversations (inbox doc).
 * - `revocations`: revocations already applied, so a revocation purges once, not again at every start
 *   (a member who got access back keeps the rows synced since).
 *
 * Text search uses the same configuration as the server ('english', websearch syntax), so a query finds
 * the same words offline as online.
 */
export const SCHEMA_VERSION = 3;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS replica_schema (version integer NOT NULL);

-- A message is found by its files' names too, as on the server (migrations/0019_search_file_names.sql).
CREATE OR REPLACE FUNCTION attachment_search_text(files jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(n || ' ' || translate(n, '._-', '   '), ' '), '')
    FROM (SELECT f ->> 'name' AS n FROM jsonb_array_elements(files) AS f) AS names
   WHERE n IS NOT NULL
$$;

CREATE TABLE IF NOT EXISTS messages (
  id          uuid PRIMARY KEY,
  channel_id  uuid NOT NULL,
  seq         integer NOT NULL,
  author_id   uuid,
  body        text NOT NULL,
  type        text NOT NULL,
  reply_to_id uuid,
  thread_id   uuid,
  edited      boolean NOT NULL,
  hidden      boolean NOT NULL,
  deleted     boolean NOT NULL,
  pinned      boolean NOT NULL,
  created_at  timestamptz NOT NULL,
  edited_at   timestamptz,
  reactions   jsonb NOT NULL DEFAULT '{}',
  attachments jsonb NOT NULL DEFAULT '[]',
  search      tsvector GENERATED ALWAYS AS (to_tsvector('english', body || ' ' || attachment_search_text(attachments))) STORED,
  CONSTRAINT hidden_words_are_not_kept CHECK (NOT (hidden OR deleted) OR body = '')
);
CREATE INDEX IF NOT EXISTS messages_channel_seq ON messages (channel_id, seq);
CREATE INDEX IF NOT EXISTS messages_created ON messages (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS messages_search ON messages USING gin (search);

CREATE TABLE IF NOT EXISTS threads (
  id                uuid PRIMARY KEY,
  room_id           uuid NOT NULL,
  title             text NOT NULL,
  parent_message_id uuid,
  creator_id        uuid,
  locked            boolean NOT NULL,
  pinned            boolean NOT NULL,
  resolved          boolean NOT NULL,
  archived          boolean NOT NULL
);
CREATE INDEX IF NOT EXISTS threads_room ON threads (room_id);

CREATE TABLE IF NOT EXISTS dms (
  channel_id      uuid PRIMARY KEY,
  is_group        boolean NOT NULL,
  title           text,
  participant_ids uuid[] NOT NULL
);

CREATE TABLE IF NOT EXISTS revocations (
  channel_id uuid NOT NULL,
  at         bigint NOT NULL,
  PRIMARY KEY (channel_id, at)
);
`;

/** Tables dropped when the stored schema is of another version (all of it is derived data). */
export const DERIVED_TABLES = ['messages', 'threads', 'dms', 'revocations', 'replica_schema'];
