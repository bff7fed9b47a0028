-- Held intents (status 'waiting', migration 0026) are looked up by every node at start and every minute,
-- so a restart does not strand them: a partial index keeps that a look at the few held rows, not the table.
CREATE INDEX client_intents_waiting_idx ON client_intents (user_id) WHERE status = 'waiting';
