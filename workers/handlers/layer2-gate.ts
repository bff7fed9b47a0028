import { RetryLater } from '../job-queue.ts';

/** When Layer 2 (AI moderation) is on: pushes of a new message wait for its verdict. */
export interface Layer2Gate {
  /** No retry follows this run: push now, without the words nobody has judged. */
  lastAttempt: boolean;
}

/**
 * A push of a message Layer 2 has not judged yet runs again a little later (the queue's backoff: 1, 2,
 * 4, 8 s), since a message it hides must not reach a lock screen first.
 */
export const awaitingModeration = () =>
  new RetryLater('waiting for Layer-2 moderation of the message before pushing it');
