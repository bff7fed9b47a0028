-- Email of mentions and replies (SES): a member who has not read a notification within a few minutes
-- gets one email for everything that waited (workers/handlers/email-notifications.ts). `emailed_at`
-- marks what an email already carried, so nothing is sent twice.
ALTER TABLE notifications ADD COLUMN emailed_at timestamptz;
