-- Every moderation decision, by people and by machines, with who and why.
CREATE TABLE moderation_actions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  room_id        uuid REFERENCES rooms (id) ON DELETE CASCADE,
  message_id     uuid REFERENCES messages (id) ON DELETE SET NULL,
  target_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  actor_id       uuid REFERENCES users (id) ON DELETE SET NULL,
  source         text NOT NULL CHECK (source IN ('ai', 'community', 'admin', 'system')),
  action         text NOT NULL CHECK (action IN ('approve', 'flag', 'hide', 'unhide', 'delete', 'warn',
                                                 'mute', 'unmute', 'ban', 'unban', 'escalate')),
  reason         text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 1000),
  details        jsonb NOT NULL DEFAULT '{}'::jsonb,
  expires_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderation_actions_room_log_idx ON moderation_actions (room_id, created_at DESC, id);
CREATE INDEX moderation_actions_target_idx ON moderation_actions (target_user_id, created_at DESC);

CREATE TABLE moderation_queue (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id   uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  room_id      uuid REFERENCES rooms (id) ON DELETE CASCADE,
  source       text NOT NULL CHECK (source IN ('ai', 'community', 'admin', 'system')),
  status       text NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'approved', 'hidden', 'deleted', 'escalated')),
  reason       text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 1000),
  -- The AI's explanation: category -> score, and the highest score.
  ai_categories jsonb NOT NULL DEFAULT '{}'::jsonb,
  ai_max_score real CHECK (ai_max_score IS NULL OR ai_max_score BETWEEN 0 AND 1),
  report_count integer NOT NULL DEFAULT 0 CHECK (report_count >= 0),
  escalated    boolean NOT NULL DEFAULT false,
  resolved_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  resolved_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- The review queue reads only pending items; at most one pending item per message.
CREATE INDEX moderation_queue_pending_idx ON moderation_queue (room_id, created_at) WHERE status = 'pending';
CREATE UNIQUE INDEX moderation_queue_pending_message_key ON moderation_queue (message_id) WHERE status = 'pending';

CREATE TABLE reports (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id  uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  reporter_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  reason      text NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'sexual', 'violence',
                                                'self_harm', 'off_topic', 'other')),
  details     text NOT NULL DEFAULT '' CHECK (char_length(details) <= 1000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (message_id, reporter_id)
);
