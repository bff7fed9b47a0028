/**
 * Who is online in which room. The sync server's awareness handling writes it; room lists read counts.
 * Embedded: one process, a Map. Production: a Redis sorted set per room (score = last seen), so every
 * node sees the same counts and stale entries expire by score.
 */
export interface PresenceStore {
  touch(roomId: string, userId: string, now?: number): Promise<void>;
  leave(roomId: string, userId: string): Promise<void>;
  onlineCounts(roomIds: readonly string[], now?: number): Promise<Map<string, number>>;
  onlineUsers(roomId: string, now?: number): Promise<string[]>;
}
