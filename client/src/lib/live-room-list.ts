import { createEffect, onCleanup } from 'solid-js';
import { isUnauthorized } from '../api/http.ts';
import type { Room } from '../api/types.ts';
import { useReplica } from '../replica/context.ts';
import { endSession, SESSION_EXPIRED_NOTICE } from '../session.ts';
import type { Refreshable } from './refreshable.ts';

/**
 * A page's list of rooms (the Lounge's, the member's circles) kept current: the list's counts come from
 * the last REST answer, but a room's online count is live once the replica hears presence there, and
 * the open room counts as read. The list is asked again when the tab comes back (counts go stale while
 * it is hidden), and an answer saying the session is over ends it.
 */
export function useLiveRoomList<R extends Room>(
  source: Refreshable<unknown>,
  rooms: () => readonly R[],
  openSlug: () => string | null,
): () => R[] {
  const replica = useReplica();
  createEffect(() => {
    if (isUnauthorized(source.error())) endSession(SESSION_EXPIRED_NOTICE);
  });
  const onVisible = (): void => {
    if (document.visibilityState === 'visible') source.refresh();
  };
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => document.removeEventListener('visibilitychange', onVisible));

  return () =>
    rooms().map((room) => {
      const live = replica.onlineIn(room.id);
      const open = room.slug === openSlug();
      if (live === undefined && !open) return room;
      return { ...room, onlineCount: live ?? room.onlineCount, unreadCount: open ? 0 : room.unreadCount };
    });
}
