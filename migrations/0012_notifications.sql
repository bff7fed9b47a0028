-- In-app notifications: "@ada mentioned you", "ben replied to your thread". Decided by triggers on
-- messages, so every way a message is written (one by one, set-wise, the one-statement send path, a
-- thread's first message) notifies in the statement that writes it: a message and its notifications
-- commit together or not at all, and a resent intent (answered from client_intents) writes neither again.

ALTER TABLE notifications ADD COLUMN actor_id uuid REFERENCES users (id) ON DELETE SET NULL;

-- One notification per member and message (a mention in a reply to your thread is one mention), and the
-- look-up by message after a commit, a hide or a delete.
CREATE UNIQUE INDEX notifications_message_user_key ON notifications (message_id, user_id) WHERE message_id IS NOT NULL;
-- A member's newest notifications, read or not (their inbox doc keeps the latest ones).
CREATE INDEX notifications_user_recent_idx ON notifications (user_id, created_at DESC);

-- Who a new message notifies: members it mentions (already resolved at send time to members who can read
-- the channel and have no block either way with the author), and whoever started the thread it is written
-- in — the author of the message the thread hangs off (a help room's asker) and the member who opened the
-- thread (the same person, or someone who made a thread of another's message) —, if they can still read the
-- room.
-- Never the author, never a member who muted or blocked the author (or was blocked), never for a message
-- held for review, hidden or deleted, never in direct messages (their own unread marks say it).
--
-- A row trigger whose WHEN leaves out every message that can notify no one (no mention, not in a thread:
-- a thread's messages are the ones whose channel is not their room) without calling the function: a plain
-- chat line costs nothing measurable. (A statement trigger over the inserted rows cost ~100 µs of
-- PostgreSQL CPU per INSERT statement, every chat line included: +8% per message sent one by one.)
CREATE FUNCTION notify_new_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH thread AS (
    SELECT t.id, t.creator_id, (SELECT p.author_id FROM messages p WHERE p.id = t.parent_message_id) AS asker
      FROM threads t WHERE t.id = NEW.channel_id
  ), target AS (
    SELECT mentioned::uuid AS user_id, 'mention' AS kind FROM jsonb_array_elements_text(NEW.mentions) AS mentioned
    UNION ALL
    SELECT asker, 'reply' FROM thread WHERE asker IS NOT NULL
    UNION ALL
    SELECT creator_id, 'reply' FROM thread WHERE creator_id IS NOT NULL
  )
  INSERT INTO notifications (user_id, kind, channel_id, message_id, actor_id, payload, created_at)
  SELECT DISTINCT ON (t.user_id)
         t.user_id, t.kind, NEW.channel_id, NEW.id, NEW.author_id,
         jsonb_build_object('seq', NEW.seq, 'roomId', NEW.room_id, 'threadId', (SELECT id FROM thread)), NEW.created_at
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
   ORDER BY t.user_id, (t.kind = 'mention') DESC
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER messages_notify AFTER INSERT ON messages FOR EACH ROW
  WHEN (NEW.room_id IS NOT NULL AND NEW.author_id IS NOT NULL
        AND (NEW.mentions <> '[]'::jsonb OR NEW.channel_id <> NEW.room_id)
        AND NOT NEW.is_flagged AND NOT NEW.is_hidden AND NOT NEW.is_deleted AND NEW.message_type <> 'system')
  EXECUTE FUNCTION notify_new_message();

-- A message taken away (hidden by a moderator or Layer 2, deleted by its author) no longer calls for the
-- member's attention: its notifications count as read. They stay in the list — without words, like the
-- message itself.
CREATE FUNCTION settle_notifications_of_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE notifications SET read_at = now()
   WHERE message_id = NEW.id AND read_at IS NULL;
  RETURN NULL;
END $$;

CREATE TRIGGER messages_removed_settle_notifications AFTER UPDATE OF is_hidden, is_deleted ON messages
  FOR EACH ROW WHEN ((NEW.is_hidden AND NOT OLD.is_hidden) OR (NEW.is_deleted AND NOT OLD.is_deleted))
  EXECUTE FUNCTION settle_notifications_of_removed();
