import type { RateWindow } from '../../shared/rules/limits.ts';
import type { RateLimiter } from './rate-limiter.ts';

export function createMemoryRateLimiter(): RateLimiter {
  const events = new Map<string, Array<{ at: number; id: string }>>();
  return {
    async consume(key: string, windows: readonly RateWindow[], eventId: string, now = Date.now()) {
      const longest = Math.max(...windows.map((w) => w.windowSeconds * 1000));
      const recorded = (events.get(key) ?? []).filter((e) => e.at > now - longest);
      // The same event again (an intent checked a second time) is allowed and counted once.
      if (recorded.some((e) => e.id === eventId)) return { allowed: true, recorded: false };
      const times = recorded.map((e) => e.at);
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
        events.set(key, recorded);
        return { allowed: false, retryAfterMs };
      }
      recorded.push({ at: now, id: eventId });
      events.set(key, recorded);
      return { allowed: true, recorded: true };
    },
    async release(key: string, _windows: readonly RateWindow[], eventId: string) {
      const recorded = events.get(key);
      if (recorded)
        events.set(
          key,
          recorded.filter((e) => e.id !== eventId),
        );
    },
  };
}
