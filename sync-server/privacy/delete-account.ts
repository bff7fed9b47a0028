import { inboxDocName, privateDocName } from '../../shared/sync/doc-names.ts';
import type { AppDeps } from '../app-deps.ts';
import type { Database } from '../db/database.ts';
import { DELETED_USER_NAME } from '../features/users/public-user.ts';

export interface DeletedAccount {
  /** Stored export archives of the member, to delete from the attachment store after the commit. */
  exportKeys: string[];
}

/**
 * Deletes a member's account the way the spec asks (GDPR: delete/anonymize, keeping thread context).
 *
 * Kept, so conversations still read: their messages, reactions and files on messages, under "Deleted
 * user" (the row stays with its id; every read shows an anonymized account under that name), and what
 * other members or moderators own (their notifications about them, reports, moderation records).
 * Erased: everything that names or describes them — handle, display name, avatar, the link to the host
 * account (a later sign-in is a new account), settings with email and phone, memberships, follows and
 * connections, the threads they follow, their blocks and mutes, devices, read positions, notifications,
 * intent history, drafts and outbox (their private doc), their inbox, uploads no message carries, and
 * their data exports.
 * They leave their direct-message conversations, which stay for the others.
 *
 * One transaction; answers undefined when there is no such live account (deleted already).
 */
export async function deleteAccount(db: Database, userId: string): Promise<DeletedAccount | undefined> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE users
          SET handle = 'deleted_' || substr(replace(id::text, '-', ''), 1, 12),
              display_name = $2, avatar_url = NULL, host_user_id = 'deleted:' || id::text,
              anonymized_at = now(), updated_at = now()
        WHERE id = $1 AND anonymized_at IS NULL
        RETURNING id`,
      [userId, DELETED_USER_NAME],
    );
    if (rows.length === 0) return undefined;
    const exports = await tx.query<{ object_key: string | null }>(
      'DELETE FROM data_exports WHERE user_id = $1 RETURNING object_key',
      [userId],
    );
    await tx.query(
      `WITH settings AS (DELETE FROM user_settings WHERE user_id = $1),
            follows AS (DELETE FROM user_follows WHERE follower_id = $1 OR followee_id = $1),
            threads AS (DELETE FROM thread_follows WHERE user_id = $1),
            connections AS (DELETE FROM user_connections WHERE user_a = $1 OR user_b = $1),
            blocks AS (DELETE FROM user_blocks WHERE blocker_id = $1),
            mutes AS (DELETE FROM user_mutes WHERE muter_id = $1),
            devices AS (DELETE FROM device_tokens WHERE user_id = $1),
            browsers AS (DELETE FROM push_subscriptions WHERE user_id = $1),
            markers AS (DELETE FROM read_markers WHERE user_id = $1),
            notes AS (DELETE FROM notifications WHERE user_id = $1),
            intents AS (DELETE FROM client_intents WHERE user_id = $1),
            memberships AS (DELETE FROM room_memberships WHERE user_id = $1),
            dms AS (UPDATE dm_participants SET left_at = now() WHERE user_id = $1 AND left_at IS NULL),
            uploads AS (UPDATE attachments SET removed_at = now()
                         WHERE uploader_id = $1 AND message_id IS NULL AND removed_at IS NULL),
            docs AS (DELETE FROM doc_snapshots WHERE doc_name = ANY($2::text[]))
       SELECT 1`,
      [userId, [privateDocName(userId), inboxDocName(userId)]],
    );
    return { exportKeys: exports.rows.flatMap((r) => (r.object_key ? [r.object_key] : [])) };
  });
}

export const ACCOUNT_DELETED_REASON = 'Your Lounge account was deleted.';

/**
 * The whole deletion, as both ways in ask for it (the member in Settings, the host platform deleting the
 * account): the transaction above, then — once committed — the export archives, and every device of
 * the member told and disconnected on every node. Answers whether there was a live account to delete.
 */
export async function deleteMember(
  deps: Pick<AppDeps, 'db' | 'attachments' | 'sync' | 'logger'>,
  userId: string,
): Promise<boolean> {
  const deleted = await deleteAccount(deps.db, userId);
  if (!deleted) return false;
  await deps.attachments
    .delete(deleted.exportKeys)
    .catch((err: unknown) =>
      deps.logger.error({ err, userId }, 'could not delete the data exports of a deleted account'),
    );
  await deps.sync.endSessions(userId, ACCOUNT_DELETED_REASON);
  return true;
}
