import type { Redis } from 'ioredis';
import type { RateWindow } from '../../shared/rules/limits.ts';
import type { RateLimiter } from './rate-limiter.ts';

// Atomic check-then-record over every window of one action: one sorted set per window, scored by time.
// Returns 0 when recorded, -1 when recorded before, else the milliseconds until the attempt would fit.
const SLIDING_WINDOW_LUA = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
-- The same event again (an intent checked a second time) is allowed and counted once: still in any
-- window means it was counted when it happened (and a release must not take that back).
for _, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, member) then return -1 end
end
local retry = 0
for i, key in ipairs(KEYS) do
  local windowMs = tonumber(ARGV[1 + i * 2])
  local max = tonumber(ARGV[2 + i * 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - windowMs)
  local count = redis.call('ZCARD', key)
  if count >= max then
    local oldest = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
    local r = tonumber(oldest[2]) + windowMs - now
    if r > retry then retry = r end
  end
end
if retry > 0 then return retry end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, tonumber(ARGV[1 + i * 2]))
end
return 0`;

type WithSlidingWindow = Redis & {
  loungeSlidingWindow(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
};

export function createRedisRateLimiter(redis: Redis): RateLimiter {
  // A defined command is sent as EVALSHA (the script body crosses the wire once, not on every check).
  if (!('loungeSlidingWindow' in redis)) redis.defineCommand('loungeSlidingWindow', { lua: SLIDING_WINDOW_LUA });
  const client = redis as WithSlidingWindow;
  return {
    async consume(key: string, windows: readonly RateWindow[], eventId: string, now = Date.now()) {
      const keys = windows.map((w) => `rate_limit:${key}:${w.windowSeconds}`);
      const args: Array<string | number> = [now, eventId];
      for (const w of windows) args.push(w.windowSeconds * 1000, w.max);
      const retry = Number(await client.loungeSlidingWindow(keys.length, ...keys, ...args));
      if (retry > 0) return { allowed: false, retryAfterMs: Math.ceil(retry) };
      return { allowed: true, recorded: retry === 0 };
    },
    async release(key: string, windows: readonly RateWindow[], eventId: string) {
      await Promise.all(windows.map((w) => client.zrem(`rate_limit:${key}:${w.windowSeconds}`, eventId)));
    },
  };
}
