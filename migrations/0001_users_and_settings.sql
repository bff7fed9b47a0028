-- Members mirror the host platform's users; the host's id is the identity, our uuid the key.
CREATE TABLE users (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  host_user_id    text NOT NULL UNIQUE,
  handle          text NOT NULL CHECK (handle ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}$'),
  display_name    text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 80),
  avatar_url      text CHECK (avatar_url IS NULL OR char_length(avatar_url) <= 2048),
  is_global_admin boolean NOT NULL DEFAULT false,
  -- Trust progression (spec: member after 10 messages and 3 days, trusted after 50 and 14) reads these.
  messages_sent   integer NOT NULL DEFAULT 0 CHECK (messages_sent >= 0),
  joined_at       timestamptz NOT NULL DEFAULT now(),
  -- GDPR: an anonymized user keeps its row so thread context survives; personal fields are wiped.
  anonymized_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_handle_lower_key ON users (lower(handle));

CREATE TABLE user_settings (
  user_id               uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  dm_permission         text NOT NULL DEFAULT 'everyone'
                        CHECK (dm_permission IN ('everyone', 'connections', 'following', 'none')),
  notify_push           boolean NOT NULL DEFAULT true,
  notify_email_mentions boolean NOT NULL DEFAULT true,
  email_digest          text NOT NULL DEFAULT 'weekly' CHECK (email_digest IN ('off', 'daily', 'weekly')),
  sms_critical          boolean NOT NULL DEFAULT false,
  phone_e164            text CHECK (phone_e164 IS NULL OR phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
  email                 text CHECK (email IS NULL OR char_length(email) <= 320),
  ask_me_enabled        boolean NOT NULL DEFAULT false,
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- The host platform's social graph, mirrored by the integration API; DM permissions read it.
CREATE TABLE user_follows (
  follower_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  followee_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id),
  CHECK (follower_id <> followee_id)
);
CREATE INDEX user_follows_followee_idx ON user_follows (followee_id);

-- A connection is symmetric: stored once with the smaller id first.
CREATE TABLE user_connections (
  user_a     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_b     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_a, user_b),
  CHECK (user_a < user_b)
);
CREATE INDEX user_connections_b_idx ON user_connections (user_b);

CREATE TABLE user_blocks (
  blocker_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker_id, blocked_id),
  CHECK (blocker_id <> blocked_id)
);
CREATE INDEX user_blocks_blocked_idx ON user_blocks (blocked_id);

CREATE TABLE user_mutes (
  muter_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  muted_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (muter_id, muted_id),
  CHECK (muter_id <> muted_id)
);

-- FCM registration tokens, one per device.
CREATE TABLE device_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token        text NOT NULL UNIQUE CHECK (char_length(token) <= 4096),
  platform     text NOT NULL CHECK (platform IN ('web', 'android', 'ios')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_tokens_user_idx ON device_tokens (user_id);
