import type { Redis } from 'ioredis';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { PresenceStore } from './presence-store.ts';

const key = (roomId: string) => `lounge:presence:${roomId}`;
const typingKey = (roomId: string) => `lounge:typing:${roomId}`;
const TYPING_MS = LIMITS.realtime.typingExpirySeconds * 1000;

/** Spec layout: a ZSET per room, member = user id, score = last seen (ms); stale scores are trimmed. */
export function createRedisPresenceStore(redis: Redis, ttlMs: number = LIMITS.realtime.presenceTtlSeconds * 1000): PresenceStore {
  return {
    async touch(roomId, userId, now = Date.now()) {
      await redis
        .multi()
        .zadd(key(roomId), now, userId)
        .pexpire(key(roomId), ttlMs * 2)
        .exec();
    },
    async leave(roomId, userId) {
      await redis.multi().zrem(key(roomId), userId).hdel(typingKey(roomId), userId).exec();
    },
    async setTyping(roomId, userId, typing, now = Date.now()) {
      if (!typing) {
        await redis.hdel(typingKey(roomId), userId);
        return;
      }
      // The hash expires with its last writer; each field carries its own time for the 10 s rule.
      await redis.multi().hset(typingKey(roomId), userId, now).pexpire(typingKey(roomId), TYPING_MS).exec();
    },
    async typingUsers(roomId, now = Date.now()) {
      const all = await redis.hgetall(typingKey(roomId));
      const stale = Object.keys(all).filter((id) => now - Number(all[id]) >= TYPING_MS);
      if (stale.length > 0) await redis.hdel(typingKey(roomId), ...stale);
      return Object.keys(all).filter((id) => now - Number(all[id]) < TYPING_MS);
    },
    async onlineCounts(roomIds, now = Date.now()) {
      if (roomIds.length === 0) return new Map();
      const pipeline = redis.pipeline();
      for (const id of roomIds) pipeline.zcount(key(id), now - ttlMs + 1, '+inf');
      const results = (await pipeline.exec()) ?? [];
      return new Map(roomIds.map((id, i) => [id, Number(results[i]?.[1] ?? 0)]));
    },
    async onlineUsers(roomId, now = Date.now()) {
      await redis.zremrangebyscore(key(roomId), '-inf', now - ttlMs);
      return redis.zrange(key(roomId), 0, -1);
    },
  };
}
