import { createSignal } from 'solid-js';
import { rankMentionCandidates, type MentionCandidate } from '../../../../shared/mentions/mentions.ts';
import { fetchMembersPage } from '../../api/community.ts';
import type { MemberInfo } from '../../replica/members.ts';
import type { Replica } from '../../replica/replica.ts';

/** Pages of 100 members read from a room's member list at most (staff and recent joiners come first). */
const MAX_MEMBER_PAGES = 5;
const RETRY_AFTER_MS = 30_000;
const MAX_SUGGESTIONS = 8;

/** Where the composer's @-suggestions come from. */
export interface MentionSource {
  /** Reactive: members to suggest for what was typed after the `@`. */
  suggest: (query: string) => MentionCandidate[];
  /** The list is about to open: read the room's members from the server if not done yet (online only). */
  prepare: () => void;
}

/**
 * Suggestions for one conversation: members present in the room now first, then the room's members (from
 * `GET /api/rooms/:id/members` while online; a DM's participants), then everyone else this device knows
 * (the member cache, which is all there is offline). Never the member themself nor members they block.
 */
export function createMentionSource(options: {
  replica: Replica;
  token: () => string;
  me: string;
  /** The room whose member list to read (a thread's room); null for DMs. */
  roomId: () => string | null;
  channelId: () => string;
  present: () => readonly MemberInfo[];
}): MentionSource {
  const { replica } = options;
  const [roomMembers, setRoomMembers] = createSignal<{ roomId: string; members: MentionCandidate[] } | null>(null);
  const asked = new Map<string, number>();

  const load = async (roomId: string) => {
    const found: MentionCandidate[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_MEMBER_PAGES; page++) {
      const result = await fetchMembersPage(options.token(), roomId, cursor);
      for (const m of result.members) {
        if (m.user.deleted || !m.user.handle || m.role === 'banned') continue;
        const member = { id: m.user.id, handle: m.user.handle, name: m.user.displayName || m.user.handle };
        replica.members.remember(member);
        found.push(member);
      }
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    if (options.roomId() === roomId) setRoomMembers({ roomId, members: found });
  };

  return {
    prepare: () => {
      const roomId = options.roomId();
      if (!roomId || replica.displayState() !== 'online') return;
      if (roomMembers()?.roomId === roomId) return;
      const last = asked.get(roomId);
      if (last !== undefined && Date.now() - last < RETRY_AFTER_MS) return;
      asked.set(roomId, Date.now());
      // Offline or refused: the cache answers, and the next opening after a while asks again.
      load(roomId).catch(() => undefined);
    },
    suggest: (query) => {
      const roomId = options.roomId();
      const listed = roomMembers();
      const inRoom = listed && listed.roomId === roomId ? listed.members : [];
      const dm = roomId ? undefined : replica.dms().find((d) => d.channelId === options.channelId());
      const participants = (dm?.participantIds ?? []).flatMap((id) => {
        const known = replica.members.get(id);
        return known ? [known] : [];
      });
      return rankMentionCandidates(
        query,
        [options.present(), participants, inRoom, replica.members.all()],
        (id) => id === options.me || replica.blocks(id),
        MAX_SUGGESTIONS,
      );
    },
  };
}
