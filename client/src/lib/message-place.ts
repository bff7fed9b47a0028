import type { DmSummary } from '../../../shared/sync/inbox.ts';
import { paths } from '../router.ts';

/** Where a message was written, as a search hit or a notification names it. */
export interface MessageRef {
  channelId: string;
  roomId: string | null;
  threadId: string | null;
  /** Without one, the place is the conversation itself. */
  messageId: string | null;
}

/** The rooms and conversations this device knows, to name and link a place. */
export interface KnownPlaces {
  dms: readonly DmSummary[];
  rooms: ReadonlyMap<string, { name: string; slug: string }>;
  circles: ReadonlyMap<string, { name: string; slug: string }>;
}

/**
 * Where a message is: the room's (or circle's) name, whether it is in a thread or a direct message, and the
 * address that opens the conversation at the message (it pages history back to it and highlights it).
 * A place this device does not know (a room not listed here yet) has no name and no address.
 */
export interface MessagePlace {
  kind: 'dm' | 'room' | 'thread' | 'unknown';
  name: string | null;
  href: string | null;
}

export function placeOfMessage(ref: MessageRef, known: KnownPlaces): MessagePlace {
  const at = ref.messageId ? `#message-${ref.messageId}` : '';
  if (known.dms.some((d) => d.channelId === ref.channelId))
    return { kind: 'dm', name: null, href: paths.conversation(ref.channelId) + at };
  const roomId = ref.roomId ?? ref.channelId;
  const room = known.rooms.get(roomId);
  if (room && ref.threadId)
    return { kind: 'thread', name: room.name, href: paths.thread(room.slug, ref.threadId) + at };
  if (room) return { kind: 'room', name: room.name, href: paths.room(room.slug) + at };
  const circle = known.circles.get(roomId);
  if (circle && ref.threadId)
    return { kind: 'thread', name: circle.name, href: paths.circleThread(circle.slug, ref.threadId) + at };
  if (circle) return { kind: 'room', name: circle.name, href: paths.circle(circle.slug) + at };
  return { kind: 'unknown', name: null, href: null };
}
