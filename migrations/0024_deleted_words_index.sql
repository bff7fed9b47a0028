-- Deleted messages still holding their words, by when they were deleted: the hourly purge reads this
-- small partial index instead of scanning every message.
CREATE INDEX messages_deleted_words_idx ON messages (deleted_at) WHERE is_deleted AND body <> '';
