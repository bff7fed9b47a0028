-- A DM conversation (1:1 or group of up to 10) is a channel of its own.
CREATE TABLE dm_threads (
  id         uuid PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  is_group   boolean NOT NULL DEFAULT false,
  title      text CHECK (title IS NULL OR char_length(title) BETWEEN 1 AND 100),
  -- For 1:1 conversations: the two user ids sorted and joined, so a pair has exactly one conversation.
  pair_key   text UNIQUE,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (is_group OR pair_key IS NOT NULL)
);

CREATE TABLE dm_participants (
  dm_thread_id uuid NOT NULL REFERENCES dm_threads (id) ON DELETE CASCADE,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  joined_at    timestamptz NOT NULL DEFAULT now(),
  left_at      timestamptz,
  PRIMARY KEY (dm_thread_id, user_id)
);
CREATE INDEX dm_participants_user_idx ON dm_participants (user_id) WHERE left_at IS NULL;
