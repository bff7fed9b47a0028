import { describe, expect, it } from 'vitest';
import { runFuzz } from '../fuzz/lib/fuzzer.ts';

/**
 * A reduced `npm run fuzz`: 20,000 random and mutated frames over the sync WebSocket (plus invalid REST
 * requests built from /openapi.json) against one real server process, while a legitimate member chats.
 */
describe('fuzz smoke: 20,000 hostile frames against a real server', () => {
  it(
    'does not crash, writes nothing for the fuzzer, stays bounded, and keeps serving a legit member',
    { timeout: 60_000 },
    async () => {
      const lines: string[] = [];
      const report = await runFuzz({
        frames: 20_000,
        requests: 1_000,
        maxMs: 35_000,
        sockets: 16,
        legitIntervalMs: 7_000,
        log: (line) => lines.push(line),
      });
      const context = `seed ${report.seed}\n${report.failures.join('\n')}\n${lines.join('\n')}`;
      expect(report.frames.sent, context).toBeGreaterThanOrEqual(20_000);
      expect(report.health.aliveAtEnd, context).toBe(true);
      expect(report.health.healthyAtEnd, context).toBe(true);
      expect(report.health.failures, context).toBe(0);
      expect(report.writes.fuzzerIntents, context).toBe(0);
      expect(report.writes.fuzzerMessages, context).toBe(0);
      expect(report.writes.messagesDelta, context).toBe(report.writes.expectedMessagesDelta);
      expect(report.writes.intentsDelta, context).toBe(report.writes.expectedIntentsDelta);
      expect(report.writes.changesDelta, context).toBe(report.writes.expectedChangesDelta);
      expect(report.rss.growthMb, context).toBeLessThan(100);
      expect(report.legit.afterFuzzOk, context).toBe(true);
      expect(report.legit.problems, context).toEqual([]);
      expect(report.rest.serverErrors, context).toEqual([]);
    },
  );
});
