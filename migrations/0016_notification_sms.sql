-- Text messages (Twilio) for what a member opted in to as critical: a moderator banning or muting them
-- (workers/handlers/sms-alert.ts). `texted_at` marks what a text already carried, so none goes twice.
ALTER TABLE notifications ADD COLUMN texted_at timestamptz;
