import type { FastifyBaseLogger } from 'fastify';
import { can } from '../../../shared/rules/permissions.ts';
import { accessKey, loadChannelAccessMany } from '../../access/channel-access.ts';
import type { AppDeps } from '../../app-deps.ts';

/**
 * Everyone who may hold a room open or cached: members, anyone with a read marker on the room or one of
 * its threads (they opened it), and whoever is present in it now on any node (presence is cluster-wide).
 *
 * A reader who opened the room without presence and never marked anything read is not found here;
 * the sync layer's re-check of every subscriber on every node (recheckSubscribers) closes theirs.
 */
async function possibleReaders(deps: AppDeps, roomId: string): Promise<string[]> {
  const [stored, present] = await Promise.all([
    deps.db.query<{ user_id: string }>(
      `SELECT user_id FROM room_memberships WHERE room_id = $1
       UNION
       SELECT user_id FROM read_markers
        WHERE channel_id = $1 OR channel_id IN (SELECT id FROM threads WHERE room_id = $1)`,
      [roomId],
    ),
    deps.presence.onlineUsers(roomId),
  ]);
  return [...new Set([...stored.rows.map((row) => row.user_id), ...present])];
}

/**
 * After a change that can take a room away from people (it turned private, its read level rose, a member
 * left), finds who can no longer read it — by `can(read)` on their access as it is now, so members, staff
 * and global admins keep it — and revokes the room and its threads from them on every node: their
 * subscriptions close and their devices are told to purge. Call after commit; failures are logged, as
 * for any after-commit delivery.
 *
 * `only` limits the check to those users (a member who left); otherwise every possible reader is checked.
 * Returns the users who lost access.
 */
export async function revokeLostReaders(
  deps: AppDeps,
  roomId: string,
  reason: string,
  log: FastifyBaseLogger,
  only?: readonly string[],
): Promise<string[]> {
  // Room-wide: also every connection subscribed to it on any node, whoever they are.
  if (!only) await deps.sync.recheckSubscribers(roomId, reason).catch((err: unknown) => log.warn({ err, roomId }, 'subscriber re-check failed'));
  const candidates = only ?? (await possibleReaders(deps, roomId));
  // Every candidate's access in one query, however many readers a busy room has.
  const accesses = await loadChannelAccessMany(
    deps.db,
    candidates.map((userId) => ({ channelId: roomId, userId })),
  );
  const lost = candidates.filter((userId) => {
    const access = accesses.get(accessKey(roomId, userId));
    return access !== undefined && !can(access.actor, 'read', { room: access.room }).allowed;
  });
  if (lost.length === 0) return lost;
  const threads = await deps.db.query<{ id: string }>('SELECT id FROM threads WHERE room_id = $1', [roomId]);
  for (const userId of lost) {
    // The room first: that closes its threads' subscriptions on every node too; each thread is named as
    // well so a device purges the threads it cached.
    for (const channelId of [roomId, ...threads.rows.map((t) => t.id)]) {
      await deps.sync
        .revokeAccess(userId, channelId, reason)
        .catch((err: unknown) => log.warn({ err, userId, channelId }, 'revoking room access failed'));
    }
  }
  log.info({ roomId, users: lost.length }, 'room access revoked');
  return lost;
}
