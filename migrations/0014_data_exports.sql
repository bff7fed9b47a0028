-- A member's data exports (GDPR: the right of access), made by the `export-user-data` job into the
-- attachment store and kept for a week (LIMITS.exports.keptDays; the `expire-data-exports` job removes
-- them). Migration 0006 made the table; this adds what the feature shows and sweeps by.
ALTER TABLE data_exports ADD COLUMN byte_size bigint CHECK (byte_size IS NULL OR byte_size >= 0);
-- Finished exports by age (the expiry sweep).
CREATE INDEX data_exports_completed_idx ON data_exports (completed_at) WHERE completed_at IS NOT NULL;
