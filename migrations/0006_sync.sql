-- Every write arrives as an intent with a client-made id; the primary key makes processing exactly-once.
CREATE TABLE client_intents (
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  intent_id   uuid NOT NULL,
  kind        text NOT NULL CHECK (char_length(kind) <= 40),
  channel_id  uuid REFERENCES channels (id) ON DELETE SET NULL,
  status      text NOT NULL CHECK (status IN ('accepted', 'held', 'rejected')),
  -- Human-readable reason for held and rejected intents.
  reason      text CHECK (reason IS NULL OR char_length(reason) <= 500),
  -- What the client needs to reconcile its pending item: message id, seq, retry-after.
  result      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, intent_id)
);
CREATE INDEX client_intents_created_idx ON client_intents (created_at);

-- Every visible change to a channel (new, edit, delete, hide, reaction, pin, thread state), in order.
-- A doc is rebuilt from its snapshot plus the rows after the snapshot's change_seq; a returning replica
-- catches up from its last change_seq.
CREATE TABLE channel_changes (
  channel_id  uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  change_seq  bigint NOT NULL CHECK (change_seq > 0),
  kind        text NOT NULL CHECK (kind IN ('message', 'meta', 'thread')),
  -- The log segment a message change belongs to (NULL for meta and thread changes), so a segment doc
  -- loads only its own changes.
  segment     integer CHECK (segment >= 0),
  message_id  uuid,
  payload     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, change_seq)
);
CREATE INDEX channel_changes_segment_idx ON channel_changes (channel_id, segment, change_seq) WHERE segment IS NOT NULL;

-- Persisted Yjs state of a server-owned doc, covering channel_changes up to change_seq.
CREATE TABLE doc_snapshots (
  doc_name    text PRIMARY KEY CHECK (char_length(doc_name) <= 200),
  state       bytea NOT NULL,
  change_seq  bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Per-user notifications (mentions, replies, DMs, moderation notices) that feed the inbox, push and email.
CREATE TABLE notifications (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('mention', 'reply', 'dm', 'moderation', 'system')),
  channel_id uuid REFERENCES channels (id) ON DELETE CASCADE,
  message_id uuid REFERENCES messages (id) ON DELETE CASCADE,
  payload    jsonb NOT NULL DEFAULT '{}'::jsonb,
  read_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;

CREATE TABLE data_exports (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  object_key   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX data_exports_user_idx ON data_exports (user_id, created_at DESC);
