import type { RateWindow } from '../../shared/rules/limits.ts';
import type { RateLimiter } from './rate-limiter.ts';

export function createMemoryRateLimiter(): RateLimiter {
  const events = new Map<string, number[]>();
  return {
    async consume(key: string, windows: readonly RateWindow[], _eventId: string, now = Date.now()) {
      const longest = Math.max(...windows.map((w) => w.windowSeconds * 1000));
      const times = (events.get(key) ?? []).filter((t) => t > now - longest);
      let retryAfterMs = 0;
      for (const w of windows) {
        const windowMs = w.windowSeconds * 1000;
        const inWindow = times.filter((t) => t > now - windowMs);
        if (inWindow.length >= w.max) {
          // The attempt fits once enough of the oldest events in this window have slid out of it.
          const unlock = inWindow[inWindow.length - w.max]! + windowMs - now;
          retryAfterMs = Math.max(retryAfterMs, unlock);
        }
      }
      if (retryAfterMs > 0) {
        events.set(key, times);
        return { allowed: false, retryAfterMs };
      }
      times.push(now);
      events.set(key, times);
      return { allowed: true };
    },
  };
}
