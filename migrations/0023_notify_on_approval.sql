-- A message Layer 1 flagged when it was posted notified nobody (migration 0020's trigger skips flagged
-- messages). When a moderator approves it, the members it mentions, answers or replies to in their thread
-- are told then: the same function runs when the flag is cleared. ON CONFLICT DO NOTHING in it keeps a
-- member from being told twice (a message flagged later, by Layer 2, had notified them already).
CREATE TRIGGER messages_notify_approved AFTER UPDATE OF is_flagged ON messages FOR EACH ROW
  WHEN (OLD.is_flagged AND NOT NEW.is_flagged
        AND NEW.room_id IS NOT NULL AND NEW.author_id IS NOT NULL
        AND (NEW.mentions <> '[]'::jsonb OR NEW.channel_id <> NEW.room_id OR NEW.reply_to_id IS NOT NULL)
        AND NOT NEW.is_hidden AND NOT NEW.is_deleted AND NEW.message_type <> 'system')
  EXECUTE FUNCTION notify_new_message();
