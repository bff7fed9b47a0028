-- Every place messages live (a room's main chat, a thread, a DM) is a channel with its own gapless seq.
-- rooms.id, threads.id and dm_threads.id are the id of their channel.
CREATE TABLE channels (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        text NOT NULL CHECK (kind IN ('room', 'thread', 'dm')),
  -- Highest message seq; incremented by UPDATE ... RETURNING in the inserting transaction (gapless).
  last_seq    bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  -- Highest channel_changes.change_seq: a returning replica asks for changes after its cursor.
  change_seq  bigint NOT NULL DEFAULT 0 CHECK (change_seq >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lounges (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{1,64}$'),
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
  is_active   boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rooms (
  id                     uuid PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  lounge_id              uuid REFERENCES lounges (id) ON DELETE CASCADE,
  slug                   text NOT NULL CHECK (slug ~ '^[a-z0-9-]{1,64}$'),
  name                   text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  description            text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
  emoji                  text NOT NULL DEFAULT '' CHECK (char_length(emoji) <= 16),
  room_type              text NOT NULL CHECK (room_type IN ('lounge', 'circle', 'project', 'dm')),
  context_type           text NOT NULL DEFAULT 'text'
                         CHECK (context_type IN ('text', 'announcement', 'help', 'showcase', 'voice')),
  auto_thread            boolean NOT NULL DEFAULT false,
  -- Lowest role that may read / write; 'everyone' means any signed-in member.
  read_permission_level  text NOT NULL DEFAULT 'everyone'
                         CHECK (read_permission_level IN ('everyone', 'member', 'trusted', 'moderator', 'admin')),
  write_permission_level text NOT NULL DEFAULT 'everyone'
                         CHECK (write_permission_level IN ('everyone', 'member', 'trusted', 'moderator', 'admin')),
  min_trust_level        text NOT NULL DEFAULT 'new' CHECK (min_trust_level IN ('new', 'member', 'trusted')),
  slow_mode_seconds      integer NOT NULL DEFAULT 0 CHECK (slow_mode_seconds BETWEEN 0 AND 21600),
  position               integer NOT NULL DEFAULT 0,
  is_default             boolean NOT NULL DEFAULT false,
  is_private             boolean NOT NULL DEFAULT false,
  archived               boolean NOT NULL DEFAULT false,
  -- Host-platform ids of what the room belongs to (a weekly cohort, a project, a learning path).
  circle_host_id         text,
  project_host_id        text,
  learning_path_host_id  text,
  message_count          integer NOT NULL DEFAULT 0 CHECK (message_count >= 0),
  last_message_at        timestamptz,
  created_by             uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (room_type <> 'lounge' OR lounge_id IS NOT NULL)
);
CREATE UNIQUE INDEX rooms_lounge_slug_key ON rooms (lounge_id, slug) WHERE lounge_id IS NOT NULL;
CREATE UNIQUE INDEX rooms_circle_key ON rooms (circle_host_id) WHERE circle_host_id IS NOT NULL;
CREATE UNIQUE INDEX rooms_project_key ON rooms (project_host_id) WHERE project_host_id IS NOT NULL;
CREATE UNIQUE INDEX rooms_learning_path_key ON rooms (learning_path_host_id) WHERE learning_path_host_id IS NOT NULL;
CREATE INDEX rooms_lounge_position_idx ON rooms (lounge_id, position) WHERE NOT archived;

CREATE TABLE room_memberships (
  room_id         uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            text NOT NULL DEFAULT 'member'
                  CHECK (role IN ('owner', 'admin', 'moderator', 'trusted', 'member', 'muted', 'banned')),
  trust_score     integer NOT NULL DEFAULT 0,
  messages_sent   integer NOT NULL DEFAULT 0 CHECK (messages_sent >= 0),
  warnings_count  integer NOT NULL DEFAULT 0 CHECK (warnings_count >= 0),
  muted_until     timestamptz,
  -- Slow mode reads this: the time of the member's last accepted message in the room.
  last_posted_at  timestamptz,
  joined_at       timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_memberships_user_idx ON room_memberships (user_id);

CREATE TABLE threads (
  id                       uuid PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  room_id                  uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  -- The message the thread hangs off; set after that message exists (help rooms: the question).
  parent_message_id        uuid,
  title                    text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  creator_id               uuid REFERENCES users (id) ON DELETE SET NULL,
  is_locked                boolean NOT NULL DEFAULT false,
  is_pinned                boolean NOT NULL DEFAULT false,
  is_resolved              boolean NOT NULL DEFAULT false,
  auto_archive_after_hours integer NOT NULL DEFAULT 72 CHECK (auto_archive_after_hours BETWEEN 1 AND 10080),
  archived_at              timestamptz,
  -- Battle threads and profile "ask me" threads are addressed by the host's ids.
  host_context_type        text CHECK (host_context_type IN ('battle', 'ask_me')),
  host_context_id          text,
  message_count            integer NOT NULL DEFAULT 0 CHECK (message_count >= 0),
  last_message_at          timestamptz,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  CHECK ((host_context_type IS NULL) = (host_context_id IS NULL))
);
-- Thread list per room: pinned first, then by activity.
CREATE INDEX threads_room_activity_idx ON threads (room_id, is_pinned DESC, last_message_at DESC NULLS LAST, id);
CREATE UNIQUE INDEX threads_host_context_key ON threads (host_context_type, host_context_id)
  WHERE host_context_type IS NOT NULL;
-- The auto-archive job scans only live threads.
CREATE INDEX threads_archive_scan_idx ON threads (last_message_at) WHERE archived_at IS NULL;
