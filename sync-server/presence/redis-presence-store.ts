import type { Redis } from 'ioredis';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { PresenceStore } from './presence-store.ts';

const key = (roomId: string) => `lounge:presence:${roomId}`;

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
      await redis.zrem(key(roomId), userId);
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
