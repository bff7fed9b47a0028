import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/lib/scenario.ts';

/**
 * A reduced `npm run chaos`: two real sync-server processes and real clients (SyncClient + outbox)
 * against a PRIVATE PostgreSQL and a PRIVATE Redis started for this test alone (the shared ones on
 * 5432/6379 are never touched), with a node SIGKILLed and Redis restarted mid-traffic. Nothing accepted
 * may be lost or duplicated on any replica or in Postgres (architecture invariant 7).
 */
describe('chaos smoke: node SIGKILL and Redis restart mid-traffic', () => {
  it('loses nothing accepted and duplicates nothing', { timeout: 90_000 }, async () => {
    const lines: string[] = [];
    const report = await runChaos({
      devices: 12,
      sendIntervalMs: 4_000,
      trafficMs: 9_000,
      faultAtMs: 3_500,
      quiescenceTimeoutMs: 20_000,
      faults: ['node-sigkill', 'redis-restart'],
      worker: false,
      baseline: false,
      phaseGapMs: 0,
      log: (line) => lines.push(line),
    });
    const summary = report.phases.map((p) => ({
      fault: p.fault,
      sent: p.counts.sent,
      accepted: p.counts.accepted,
      lost: p.counts.lost,
      duplicated: p.counts.duplicated,
      noVerdict: p.counts.noVerdict,
      diverged: p.replicas.diverged,
      problems: p.problems.slice(0, 5),
    }));
    const context = `${JSON.stringify(summary, null, 2)}\n${lines.join('\n')}`;
    expect(
      report.phases.map((p) => p.fault),
      context,
    ).toEqual(['node-sigkill', 'redis-restart']);
    for (const p of report.phases) {
      expect(p.counts.sent, `${p.fault}: traffic happened\n${context}`).toBeGreaterThan(0);
      expect(p.counts.accepted, `${p.fault}: messages were accepted\n${context}`).toBeGreaterThan(0);
      expect(p.counts.lost, `${p.fault}: lost\n${context}`).toBe(0);
      expect(p.counts.duplicated, `${p.fault}: duplicated\n${context}`).toBe(0);
      expect(p.replicas.diverged, `${p.fault}: replicas equal to Postgres\n${context}`).toBe(0);
    }
    expect(report.totals.lost + report.totals.duplicated).toBe(0);
  });
});
