import { createEffect, on, onCleanup } from 'solid-js';
import { isUnauthorized } from '../api/http.ts';
import type { Room } from '../api/types.ts';
import { useReplica } from '../replica/context.ts';
import { endSession, SESSION_EXPIRED_NOTICE } from '../session.ts';
import type { Refreshable } from './refreshable.ts';

/** How often a visible, connected page asks for its room list again (unread counts of other rooms). */
export const ROOM_LIST_REFRESH_MS = 60_000;
/** How long after the member leaves a room its list entry is asked again (presence leaves with them). */
const LEFT_ROOM_REFRESH_MS = 1_500;
/**
 * After a reconnect the list is asked within this long, at a random point: when a node restarts, every
 * member reconnects at once, and their lists must not all be asked in the same second.
 */
const RECONNECT_SPREAD_MS = 5_000;

/**
 * A page's list of rooms (the Lounge's, the member's circles) kept current: the list's counts come from
 * the last REST answer, but a room's online count is live once the replica hears presence there, and
 * the open room counts as read. The list is asked again when the tab comes back (counts go stale while
 * it is hidden), soon after the connection comes back, and about once a minute while the page is seen
 * and online — the member's device holds no live feed of the rooms it does not show, so this is how a
 * message in another room gets its unread count; an answer saying the session is over ends it.
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
  const online = () => replica.displayState() === 'online';
  let afterReconnect: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(online, (now, before) => {
      if (!now || before !== false) return;
      clearTimeout(afterReconnect);
      afterReconnect = setTimeout(() => {
        if (online()) source.refresh();
      }, Math.random() * RECONNECT_SPREAD_MS);
    }),
  );
  // The room just left no longer counts this member, but the list's last answer did (a live count is only
  // kept for the room on screen): ask again once the server has seen them go.
  let afterLeave: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(
      openSlug,
      (now, before) => {
        if (!before || now === before) return;
        clearTimeout(afterLeave);
        afterLeave = setTimeout(() => {
          if (online()) source.refresh();
        }, LEFT_ROOM_REFRESH_MS);
      },
      { defer: true },
    ),
  );
  // Each page at its own phase, so members who opened Lounge together do not ask together forever.
  const timer = setInterval(
    () => {
      if (document.visibilityState === 'visible' && online()) source.refresh();
    },
    ROOM_LIST_REFRESH_MS * (0.8 + Math.random() * 0.4),
  );
  onCleanup(() => {
    clearInterval(timer);
    clearTimeout(afterReconnect);
    clearTimeout(afterLeave);
  });

  return () =>
    rooms().map((room) => {
      const live = replica.onlineIn(room.id);
      const open = room.slug === openSlug();
      // Read on this device (or another of the member's) since the answer: the marker says how far.
      const readHere =
        room.lastSeq === undefined
          ? room.unreadCount
          : Math.min(room.unreadCount, Math.max(0, room.lastSeq - replica.readMarker(room.id)));
      const unreadCount = open ? 0 : readHere;
      // Offline, this device sees nobody (the room's panel says so): the list's last answer would contradict it.
      const onlineCount = replica.displayState() === 'offline' ? 0 : (live ?? room.onlineCount);
      if (onlineCount === room.onlineCount && unreadCount === room.unreadCount) return room;
      return { ...room, onlineCount, unreadCount };
    });
}
