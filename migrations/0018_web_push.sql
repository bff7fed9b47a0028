-- Web Push (the browser's push service: FCM for Chrome, Mozilla's for Firefox, Apple's for Safari): a
-- member's subscriptions, one per browser, and which notifications a push already carried.
CREATE TABLE push_subscriptions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The push service's address for this browser; the same browser subscribing again replaces its row.
  endpoint     text NOT NULL UNIQUE CHECK (char_length(endpoint) <= 2048),
  -- The browser's keys the payload is encrypted to (RFC 8291).
  p256dh       text NOT NULL CHECK (char_length(p256dh) <= 256),
  auth         text NOT NULL CHECK (char_length(auth) <= 64),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_sent_at timestamptz
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

ALTER TABLE notifications ADD COLUMN pushed_at timestamptz;
