-- Files members share: one row per upload. The bytes live in the attachment store (S3/MinIO in
-- production, a local folder in the embedded default) under `storage_key`; a message that carries files
-- copies their public description into `messages.attachments` (so its view needs no join), and this row
-- remembers who uploaded it and which message claimed it.
--
-- An upload belongs to its uploader until a send claims it (message_id set in the send's transaction,
-- only once: `message_id IS NULL` is the claim's condition). Deleting the message marks its files
-- `removed_at` in the same transaction (nobody can fetch them from then on); a periodic job
-- (workers/handlers/sweep-attachments.ts) deletes the bytes and the rows of removed files and of uploads
-- nobody claimed within a day.
-- Migration 0004 made the table; nothing wrote to it before this migration. It takes the names and
-- checks the code uses, and what the feature needs.
ALTER TABLE attachments RENAME COLUMN owner_id TO uploader_id;
ALTER TABLE attachments RENAME COLUMN object_key TO storage_key;
ALTER TABLE attachments RENAME COLUMN file_name TO filename;
ALTER TABLE attachments RENAME COLUMN size_bytes TO byte_size;
ALTER TABLE attachments ALTER COLUMN byte_size TYPE integer;
-- LIMITS.attachments / ATTACHMENT_TYPES in shared/: the type is the one found in the bytes.
ALTER TABLE attachments
  DROP CONSTRAINT attachments_content_type_check,
  DROP CONSTRAINT attachments_size_bytes_check,
  ADD CONSTRAINT attachments_content_type_check
    CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain')),
  ADD CONSTRAINT attachments_byte_size_check CHECK (byte_size BETWEEN 1 AND 10485760),
  ADD COLUMN width      integer CHECK (width > 0),
  ADD COLUMN height     integer CHECK (height > 0),
  ADD COLUMN removed_at timestamptz;
DROP INDEX attachments_owner_idx;
-- The sweep's look-ups (unclaimed uploads by age, removed files) and the files of a message.
CREATE INDEX attachments_unclaimed_idx ON attachments (created_at) WHERE message_id IS NULL;
CREATE INDEX attachments_removed_idx ON attachments (removed_at) WHERE removed_at IS NOT NULL;
CREATE INDEX attachments_message_idx ON attachments (message_id) WHERE message_id IS NOT NULL;
-- A member's uploads (GDPR export).
CREATE INDEX attachments_uploader_idx ON attachments (uploader_id, created_at);
