import { LIMITS } from '../../shared/rules/limits.ts';
import type { PresenceStore } from './presence-store.ts';

export function createMemoryPresenceStore(ttlMs: number = LIMITS.realtime.presenceTtlSeconds * 1000): PresenceStore {
  const rooms = new Map<string, Map<string, number>>();
  const typists = new Map<string, Map<string, number>>();
  const typingMs = LIMITS.realtime.typingExpirySeconds * 1000;
  const live = (roomId: string, now: number): string[] => {
    const members = rooms.get(roomId);
    if (!members) return [];
    const out: string[] = [];
    for (const [userId, seenAt] of members) {
      if (now - seenAt < ttlMs) out.push(userId);
      else members.delete(userId);
    }
    if (members.size === 0) rooms.delete(roomId);
    return out;
  };
  return {
    async touch(roomId, userId, now = Date.now()) {
      let members = rooms.get(roomId);
      if (!members) rooms.set(roomId, (members = new Map()));
      members.set(userId, now);
    },
    async leave(roomId, userId) {
      rooms.get(roomId)?.delete(userId);
      typists.get(roomId)?.delete(userId);
    },
    async setTyping(roomId, userId, typing, now = Date.now()) {
      let room = typists.get(roomId);
      if (!typing) {
        room?.delete(userId);
        if (room?.size === 0) typists.delete(roomId);
        return;
      }
      if (!room) typists.set(roomId, (room = new Map()));
      room.set(userId, now);
    },
    async typingUsers(roomId, now = Date.now()) {
      const room = typists.get(roomId);
      if (!room) return [];
      for (const [id, at] of room) if (now - at >= typingMs) room.delete(id);
      if (room.size === 0) typists.delete(roomId);
      return [...room.keys()];
    },
    async onlineCounts(roomIds, now = Date.now()) {
      return new Map(roomIds.map((id) => [id, live(id, now).length]));
    },
    async onlineUsers(roomId, now = Date.now()) {
      return live(roomId, now);
    },
  };
}
