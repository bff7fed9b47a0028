-- A send refused only by a limit that runs out (the message rate, slow mode, the hourly question limit)
-- waits instead: its row says when it may go, it stays in the member's outbox, and the server decides it
-- again then. Written offline, twelve messages are not twelve refusals on reconnect; they go out paced.
ALTER TABLE client_intents DROP CONSTRAINT client_intents_status_check;
ALTER TABLE client_intents
  ADD CONSTRAINT client_intents_status_check CHECK (status IN ('accepted', 'held', 'rejected', 'waiting'));
