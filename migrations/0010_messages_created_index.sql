-- Search walks messages newest first to find a common word's newest matches in a few rows instead of
-- sorting all of them (sync-server/features/search/search-routes.ts; measured in bench/history-search.ts).
-- (created_at DESC, id DESC) is the search order and keyset, so the walk needs no sort.
CREATE INDEX messages_created_idx ON messages (created_at DESC, id DESC);
