CREATE TABLE messages (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel_id       uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  -- Server order: gapless per channel, assigned in the inserting transaction.
  seq              bigint NOT NULL CHECK (seq > 0),
  -- The room that governs permissions (a room's own chat or a thread of it); NULL for DMs.
  room_id          uuid REFERENCES rooms (id) ON DELETE CASCADE,
  author_id        uuid REFERENCES users (id) ON DELETE SET NULL,
  body             text NOT NULL CHECK (char_length(body) <= 4000),
  message_type     text NOT NULL DEFAULT 'text'
                   CHECK (message_type IN ('text', 'image', 'file', 'embed', 'system', 'deleted')),
  attachments      jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(attachments) = 'array'),
  embeds           jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(embeds) = 'array'),
  mentions         jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(mentions) = 'array'),
  reply_to_id      uuid REFERENCES messages (id) ON DELETE SET NULL,
  is_edited        boolean NOT NULL DEFAULT false,
  edited_at        timestamptz,
  is_flagged       boolean NOT NULL DEFAULT false,
  is_hidden        boolean NOT NULL DEFAULT false,
  hidden_reason    text CHECK (hidden_reason IS NULL OR char_length(hidden_reason) <= 500),
  is_pinned        boolean NOT NULL DEFAULT false,
  is_deleted       boolean NOT NULL DEFAULT false,
  deleted_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  search_vector    tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
  CONSTRAINT messages_channel_seq_key UNIQUE (channel_id, seq)
);
-- History by channel + seq is served by messages_channel_seq_key in both directions.
CREATE INDEX messages_author_created_idx ON messages (author_id, created_at DESC);
CREATE INDEX messages_room_created_idx ON messages (room_id, created_at DESC) WHERE room_id IS NOT NULL;
CREATE INDEX messages_search_idx ON messages USING gin (search_vector);
CREATE INDEX messages_flagged_idx ON messages (channel_id, seq) WHERE is_flagged;
CREATE INDEX messages_pinned_idx ON messages (channel_id, seq) WHERE is_pinned;
CREATE INDEX messages_reply_to_idx ON messages (reply_to_id) WHERE reply_to_id IS NOT NULL;

ALTER TABLE threads
  ADD CONSTRAINT threads_parent_message_fk FOREIGN KEY (parent_message_id) REFERENCES messages (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX threads_parent_message_key ON threads (parent_message_id) WHERE parent_message_id IS NOT NULL;

-- Every earlier body of an edited message, for moderators.
CREATE TABLE message_edits (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  editor_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  old_body   text NOT NULL,
  edited_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_edits_message_idx ON message_edits (message_id, id);

-- Counts are derived from these rows: one reaction per user per emoji per message.
CREATE TABLE reactions (
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  emoji      text NOT NULL CHECK (char_length(emoji) BETWEEN 1 AND 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, user_id, emoji)
);
CREATE INDEX reactions_message_emoji_idx ON reactions (message_id, emoji);

-- One read cursor per member per channel (room chat, thread or DM): unread = last_seq - last_read_seq.
-- Kept here rather than on memberships so rooms, threads and DMs share one unread mechanism.
CREATE TABLE read_markers (
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id    uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  last_read_seq bigint NOT NULL DEFAULT 0 CHECK (last_read_seq >= 0),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, channel_id)
);

CREATE TABLE attachments (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id     uuid REFERENCES users (id) ON DELETE SET NULL,
  message_id   uuid REFERENCES messages (id) ON DELETE SET NULL,
  object_key   text NOT NULL UNIQUE,
  file_name    text NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 255),
  content_type text NOT NULL CHECK (char_length(content_type) <= 255),
  size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_owner_idx ON attachments (owner_id);
