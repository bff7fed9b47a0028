import type { Logger } from 'pino';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { moderateMessageWithAi, type AiModerator } from '../../sync-server/moderation/ai-moderation.ts';
import type { JobData } from '../job-queue.ts';
import type { AttachmentStore } from '../../sync-server/attachments/attachment-store.ts';

export interface ModerateMessageDeps {
  db: Database;
  moderator: AiModerator;
  /** Where the message's images are read from (they are judged too). */
  store: AttachmentStore;
  logger: Logger;
  onChanges: (changes: ChannelChange[]) => Promise<void>;
}

/**
 * Layer-2 moderation of one message. A failing or slow endpoint throws, and the queue retries with
 * backoff; until then the message stays as Layer 1 decided — nothing is lost or left in limbo.
 */
export async function moderateMessage(deps: ModerateMessageDeps, data: JobData<'moderate-message'>): Promise<void> {
  const { outcome, changes, judgedBody } = await moderateMessageWithAi(deps, data.messageId);
  // Judged, or nothing left to judge (deleted, hidden, no words or images): pushes waiting for the verdict
  // may go — unless the words changed meanwhile (their own job judges them).
  await deps.db.query('UPDATE messages SET ai_checked_at = now() WHERE id = $1 AND ($2::text IS NULL OR body = $2)', [
    data.messageId,
    judgedBody ?? null,
  ]);
  deps.logger.info({ messageId: data.messageId, outcome }, 'layer-2 moderation');
  if (changes.length > 0) {
    await deps
      .onChanges(changes)
      .catch((err: unknown) => deps.logger.warn({ err }, 'publishing a moderation change failed; catch-up repairs it'));
  }
}
