-- A reply to your message notifies you ("Ada replied to your message in General"), as on Discord: the
-- quoted message's author is one more member the new message is for (kind 'message_reply'), with the same
-- rules as the others (never the author themself, nor across a mute or block, only while they can read
-- the room, never in direct messages, held or hidden messages). One notification per member and message:
-- a mention outranks a reply to their message, which outranks a reply in their thread (it says more).

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('mention', 'reply', 'message_reply', 'dm', 'moderation', 'system'));

CREATE OR REPLACE FUNCTION notify_new_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH thread AS (
    SELECT t.id, t.creator_id, (SELECT p.author_id FROM messages p WHERE p.id = t.parent_message_id) AS asker
      FROM threads t WHERE t.id = NEW.channel_id
  ), target AS (
    SELECT mentioned::uuid AS user_id, 'mention' AS kind FROM jsonb_array_elements_text(NEW.mentions) AS mentioned
    UNION ALL
    SELECT q.author_id, 'message_reply' FROM messages q WHERE q.id = NEW.reply_to_id AND q.author_id IS NOT NULL
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
   ORDER BY t.user_id, (t.kind = 'mention') DESC, (t.kind = 'message_reply') DESC
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- The trigger's WHEN lets replies through too (still no call for a plain chat line).
DROP TRIGGER messages_notify ON messages;
CREATE TRIGGER messages_notify AFTER INSERT ON messages FOR EACH ROW
  WHEN (NEW.room_id IS NOT NULL AND NEW.author_id IS NOT NULL
        AND (NEW.mentions <> '[]'::jsonb OR NEW.channel_id <> NEW.room_id OR NEW.reply_to_id IS NOT NULL)
        AND NOT NEW.is_flagged AND NOT NEW.is_hidden AND NOT NEW.is_deleted AND NEW.message_type <> 'system')
  EXECUTE FUNCTION notify_new_message();
