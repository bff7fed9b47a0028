-- When Layer 2 (AI moderation) last judged the message's current words. Pushes of a new message wait for
-- it when Layer 2 is on: a message it hides must not reach a lock screen first. Null: not judged yet (or
-- Layer 2 is off); an edit clears it, as the new words are judged again.
ALTER TABLE messages ADD COLUMN ai_checked_at timestamptz;
