import { createMemo, on, onCleanup, type Accessor } from 'solid-js';
import { useReplica } from '../../replica/context.ts';
import type { RoomSession } from '../../replica/room-session.ts';
import type { Standing } from '../../replica/standing.ts';

/**
 * The session of the thread on screen (a thread is a channel of its own), opened when the thread changes
 * and closed once the view has let go of it — after the microtask, so a thread reopened in the same
 * update keeps its session instead of closing and opening it again.
 */
export function useThreadSession(threadId: Accessor<string>): Accessor<RoomSession> {
  const replica = useReplica();
  return createMemo(
    on(threadId, (id) => {
      const opened = replica.openRoom(id);
      onCleanup(() => queueMicrotask(opened.close));
      return opened.session;
    }),
  );
}

/** Why this member may not reply in the thread (locked, or closed to them), or null when they may. */
export function threadReplyRefusal(
  standing: Standing,
  thread: { creatorId: string | null; locked: boolean } | null,
): string | null {
  if (!thread) return null;
  const decision = standing.decide('reply_in_thread', {
    thread: { creatorId: thread.creatorId, isLocked: thread.locked },
  });
  return decision.allowed ? null : decision.reason;
}
