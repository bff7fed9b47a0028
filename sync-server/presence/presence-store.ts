/**
 * Who is online, and who is typing, in which room. The sync server's awareness handling writes it;
 * room lists and member lists read it. Embedded: one process, Maps. Production (spec layout): a Redis
 * sorted set per room (score = last seen) and a hash per room of typing members (value = when), so
 * every node sees the same answers and stale entries expire by time.
 */
export interface PresenceStore {
  touch(roomId: string, userId: string, now?: number): Promise<void>;
  /** Leaving a room also stops typing there. */
  leave(roomId: string, userId: string): Promise<void>;
  /** Typing expires by itself after LIMITS.realtime.typingExpirySeconds unless set again. */
  setTyping(roomId: string, userId: string, typing: boolean, now?: number): Promise<void>;
  typingUsers(roomId: string, now?: number): Promise<string[]>;
  onlineCounts(roomIds: readonly string[], now?: number): Promise<Map<string, number>>;
  onlineUsers(roomId: string, now?: number): Promise<string[]>;
}
