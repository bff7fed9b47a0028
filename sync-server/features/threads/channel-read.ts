import { can } from '../../../shared/rules/permissions.ts';
import { loadChannelAccess, type ChannelAccess } from '../../access/channel-access.ts';
import type { Queryable } from '../../db/database.ts';
import { forbidden, notFound } from '../../http/errors.ts';

/**
 * The access of a member to a channel they want to read, or the refusal every read route answers:
 * 404 when the channel does not exist (or is not a room when a room was asked for), 403 with `can()`'s
 * code and sentence when they may not read it (private room, banned, read level).
 */
export async function requireReadable(
  db: Queryable,
  channelId: string,
  userId: string,
  expect: 'room' | 'any' = 'any',
): Promise<ChannelAccess> {
  const access = await loadChannelAccess(db, channelId, userId);
  if (!access) throw notFound(expect === 'room' ? 'That room does not exist.' : 'That conversation does not exist.');
  if (expect === 'room' && access.kind !== 'room') throw notFound('That room does not exist.');
  const decision = can(access.actor, 'read', { room: access.room });
  if (!decision.allowed) throw forbidden(decision.reason, decision.code);
  return access;
}

/**
 * Reads a channel's content beside the access check rather than after it: two round trips, one wait
 * (history pages have a latency goal at the server). What the read found is handed out only once access
 * is granted; a refused caller costs one wasted read.
 */
export async function readWhenReadable<R>(
  db: Queryable,
  channelId: string,
  userId: string,
  expect: 'room' | 'any',
  read: () => Promise<R>,
): Promise<{ access: ChannelAccess; result: R }> {
  const reading = read();
  // Refused before the read settles: its outcome is not wanted, nor reported as unhandled.
  reading.catch(() => undefined);
  const access = await requireReadable(db, channelId, userId, expect);
  return { access, result: await reading };
}

/** Moderators of the room (and global admins) read hidden bodies; in DMs nobody does. */
export function readsHiddenBodies(access: ChannelAccess): boolean {
  return can(access.actor, 'hide_message', { room: access.room }).allowed;
}
