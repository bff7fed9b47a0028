-- Email digests (daily or weekly, user_settings.email_digest): when the member's last one went, so the
-- hourly `email-digests` job sends the next one a day or a week later, once.
ALTER TABLE user_settings ADD COLUMN last_digest_at timestamptz;
-- The job's look-up: members with an address and a digest chosen, least recently sent first.
CREATE INDEX user_settings_digest_due_idx ON user_settings (last_digest_at NULLS FIRST)
  WHERE email IS NOT NULL AND email_digest <> 'off';
