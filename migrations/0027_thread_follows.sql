-- Following a thread (Slack, Discourse): a member who writes in a thread follows it, and anyone who can read
-- it may follow or unfollow it from the thread's header (the `follow_thread` intent). Followers are told of
-- every new reply there like its starter is (kind 'reply', payload `followed: true` so the app says "a thread
-- you follow"), with the same rules: never their own reply, never across a mute or block, only while they
-- can read the room, never for a held, hidden, deleted or system message.
--
-- A row is written only when something is decided: a member wrote in the thread (following), or said
-- Follow/Unfollow. The thread's starter (its creator and the author of the message it hangs off) follows it
-- without a row — threads started before this migration included — until they unfollow (`following = false`).
-- Writing in a thread again follows it again, as in Slack.
CREATE TABLE thread_follows (
  thread_id  uuid NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  following  boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_id, user_id)
);
-- A member's follows, newest first (their inbox doc, their data export, deleting their account).
CREATE INDEX thread_follows_user_idx ON thread_follows (user_id, updated_at DESC);

-- Migration 0020's function with the thread's followers added, and a thread's unfollowers taken out of its
-- starters. The trigger's WHEN is unchanged: a room's plain chat line still calls nothing; a thread message
-- pays one more index scan (the thread's follows) and, the first time its author writes there, one insert.
CREATE OR REPLACE FUNCTION notify_new_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH thread AS (
    SELECT t.id, t.creator_id, (SELECT p.author_id FROM messages p WHERE p.id = t.parent_message_id) AS asker
      FROM threads t WHERE t.id = NEW.channel_id
  ), follow AS (
    SELECT f.user_id, f.following FROM thread_follows f WHERE f.thread_id = (SELECT id FROM thread)
  ), target AS (
    SELECT mentioned::uuid AS user_id, 'mention' AS kind, false AS followed
      FROM jsonb_array_elements_text(NEW.mentions) AS mentioned
    UNION ALL
    SELECT q.author_id, 'message_reply', false FROM messages q WHERE q.id = NEW.reply_to_id AND q.author_id IS NOT NULL
    UNION ALL
    SELECT starter, 'reply', false
      FROM thread CROSS JOIN LATERAL (VALUES (thread.asker), (thread.creator_id)) AS s(starter)
     WHERE starter IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM follow f WHERE f.user_id = s.starter AND NOT f.following)
    UNION ALL
    SELECT f.user_id, 'reply', true FROM follow f WHERE f.following
  )
  INSERT INTO notifications (user_id, kind, channel_id, message_id, actor_id, payload, created_at)
  SELECT DISTINCT ON (t.user_id)
         t.user_id, t.kind, NEW.channel_id, NEW.id, NEW.author_id,
         jsonb_build_object('seq', NEW.seq, 'roomId', NEW.room_id, 'threadId', (SELECT id FROM thread))
           || CASE WHEN t.followed THEN '{"followed": true}'::jsonb ELSE '{}'::jsonb END,
         NEW.created_at
    FROM target t
    JOIN users u ON u.id = t.user_id AND u.anonymized_at IS NULL
    JOIN rooms r ON r.id = NEW.room_id
   WHERE t.user_id <> NEW.author_id
     AND NOT EXISTS (SELECT 1 FROM user_mutes x WHERE x.muter_id = t.user_id AND x.muted_id = NEW.author_id)
     AND NOT EXISTS (SELECT 1 FROM user_blocks b
                      WHERE (b.blocker_id = t.user_id AND b.blocked_id = NEW.author_id)
                         OR (b.blocker_id = NEW.author_id AND b.blocked_id = t.user_id))
     AND CASE
           WHEN r.is_private THEN EXISTS (SELECT 1 FROM room_memberships rm
                                           WHERE rm.room_id = r.id AND rm.user_id = t.user_id AND rm.role <> 'banned')
           ELSE NOT EXISTS (SELECT 1 FROM room_memberships rm
                             WHERE rm.room_id = r.id AND rm.user_id = t.user_id AND rm.role = 'banned')
         END
   -- A mention says most, then a reply to their message, then being the thread's starter, then following.
   ORDER BY t.user_id, (t.kind = 'mention') DESC, (t.kind = 'message_reply') DESC, t.followed
  ON CONFLICT DO NOTHING;

  -- Writing in a thread follows it (again). Already following: one index probe, nothing written.
  IF NEW.channel_id <> NEW.room_id
     AND NOT EXISTS (SELECT 1 FROM thread_follows
                      WHERE thread_id = NEW.channel_id AND user_id = NEW.author_id AND following)
     AND EXISTS (SELECT 1 FROM threads WHERE id = NEW.channel_id) THEN
    INSERT INTO thread_follows (thread_id, user_id, following) VALUES (NEW.channel_id, NEW.author_id, true)
    ON CONFLICT (thread_id, user_id) DO UPDATE SET following = true, updated_at = now();
  END IF;
  RETURN NULL;
END $$;
