import { createRooms, messageCounts } from '../lib/db.ts';
import {
  ask,
  pause,
  serversFor,
  Meter,
  round,
  spawnLoadgen,
  stopLoadgens,
  type BenchContext,
  type CpuWindow,
  type Loadgen,
} from '../lib/harness.ts';
import { mergeHists, summary, type SparseHist } from '../lib/hist.ts';
import { sleep, type IpcReply } from '../lib/procs.ts';
import { BENCH_HOST_SECRET, startServer, type RunningServer, type ServerKind } from '../lib/servers.ts';
import type { DeliveryReport } from '../loadgen/deliveries.ts';
import type { ScenarioOutcome } from '../lib/report.ts';

export interface ThroughputStep {
  step: number;
  offeredPerSec: number;
  sent: number;
  /** Distinct messages delivered to the room's subscribers (every accepted message reaches them). */
  accepted: number;
  acceptedPerSec: number;
  latencyMs: ReturnType<typeof summary>;
  writerMaxLagMs: number;
  budgetExhausted: boolean;
  /** p99 ≤ gate and every message delivered within the settle time. */
  passed: boolean;
  /** Keeping up: p50 ≤ gate and every message delivered within the settle time (the ramp goes on while true). */
  keptUp: boolean;
  cpu: CpuWindow;
  serverCpuUsPerAccepted: number | null;
}

export interface ThroughputResult {
  server: ServerKind;
  rooms: number;
  subsPerRoom: number;
  members: number;
  synced: number;
  stepSec: number;
  p99GateMs: number;
  steps: ThroughputStep[];
  /** Highest accepted msg/s of a step whose p99 stayed within the gate with every message delivered. */
  sustainedPerSec: number | null;
  /** Highest accepted msg/s of a step where the server kept up (p50 within the gate, everything delivered). */
  keptUpPerSec: number | null;
  peakAcceptedPerSec: number | null;
  sentTotal: number;
  acceptedTotal: number;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  dups: number;
  rejected: Record<string, number>;
  serverPeakRssMiB: number | null;
  stoppedBecause: string;
}

type Final = IpcReply & { report?: DeliveryReport; verdicts?: { codes: Record<string, number> } };

/**
 * R rooms × M subscribers; the offered message rate climbs step by step (each step `stepSec` long,
 * messages spread over the rooms); a step passes when its p99 send→delivered stays within the gate and
 * every message it sent was delivered. The ramp stops at the first step that fails.
 */
export async function throughputOne(kind: ServerKind, ctx: BenchContext): Promise<ThroughputResult> {
  const S = ctx.sizes.throughput;
  const P = ctx.sizes.procs;
  const capacity =
    S.rates.reduce((a, r) => a + r * S.stepSec, 0) + S.rates[0]! * S.stepSec + P * (S.rates.length + 1) + 10;
  const maxLife = 300 + S.rates.length * (S.stepSec + S.settleSec + 10);
  let server: RunningServer | undefined;
  const lgs: Loadgen[] = [];
  try {
    const started = await Promise.all([
      startServer(kind, {
        databaseUrl: ctx.db.url,
        redisUrl: ctx.redisUrl,
        cpuProfDir: ctx.profileDir,
        label: 'throughput',
      }),
      Promise.all(Array.from({ length: P }, (_, i) => spawnLoadgen(`tp${i}`, maxLife, ctx.log))),
    ]);
    server = started[0];
    const procs = started[1];
    lgs.push(...procs);
    const t0 = Date.now();
    let rooms: string[] = [];
    let members = 0;
    let readies: IpcReply[];
    let writersPerProc: number[] = [];
    const sentPerProc: number[] = Array.from({ length: P }, () => 0);
    let extraWriters = 0;
    /** Adds writer-only members so that every process can send `perProc` more messages within the limit. */
    const provision = async (perProc: number) => {
      const adds = await Promise.all(
        procs.map(async (p, i) => {
          const available = writersPerProc[i]! * ctx.sizes.writerBudget - sentPerProc[i]!;
          const want = Math.ceil(perProc * 1.05) + ctx.sizes.writerBudget;
          if (available >= want) return 0;
          const n = Math.ceil((want - available) / ctx.sizes.writerBudget);
          const specs = Array.from({ length: n }, (_, k) => {
            const x = extraWriters + i * 1_000_000 + k;
            const r = (k * P + i) % S.rooms;
            return { sub: `bench:tp:w:${x}`, handle: `tp_w_${x}`, roomId: rooms[r], watch: false, writer: true };
          });
          const rr = await ask(
            p,
            {
              cmd: 'lounge-connect',
              baseUrl: server!.baseUrl,
              wsUrl: server!.wsUrl,
              hostSecret: BENCH_HOST_SECRET,
              members: specs,
              capacity,
              concurrency: 48,
            },
            600_000,
          );
          writersPerProc[i]! += Number(rr.synced);
          return n;
        }),
      );
      const added = adds.reduce((a, b) => a + b, 0);
      extraWriters += added;
      members += added;
      if (added)
        ctx.log(
          `  [throughput/${kind}] added ${added} writer-only members (${extraWriters} in all) to stay within 10 messages/min per member`,
        );
    };
    if (kind === 'lounge') {
      rooms = await createRooms(ctx.db.pool, 'tp', S.rooms);
      const perProc: Array<Array<Record<string, unknown>>> = Array.from({ length: P }, () => []);
      for (let j = 0; j < S.subsPerRoom; j++) {
        for (let r = 0; r < S.rooms; r++) {
          perProc[r % P]!.push({
            sub: `bench:tp:${r}:${j}`,
            handle: `tp_${r}_${j}`,
            roomId: rooms[r],
            watch: true,
            writer: true,
          });
        }
      }
      // Every member is also a writer. When a step needs more messages than the writers may still send
      // under the server's per-member limit, writer-only members are added before that step (never a
      // weaker limit); see provision() below.
      members = S.rooms * S.subsPerRoom;
      writersPerProc = perProc.map((m) => m.length);
      ctx.log(`  [throughput/${kind}] ${S.rooms} rooms × ${S.subsPerRoom} members, every one a writer`);
      readies = await Promise.all(
        perProc.map((m, i) =>
          ask(
            procs[i]!,
            {
              cmd: 'lounge-connect',
              baseUrl: server!.baseUrl,
              wsUrl: server!.wsUrl,
              hostSecret: BENCH_HOST_SECRET,
              members: m,
              capacity,
              concurrency: 48,
            },
            600_000,
          ),
        ),
      );
    } else {
      const perProc: Array<Array<Record<string, unknown>>> = Array.from({ length: P }, () => []);
      for (let r = 0; r < S.rooms; r++) {
        for (let j = 0; j < S.subsPerRoom; j++) perProc[r % P]!.push({ doc: `tp-room-${r}` });
        perProc[r % P]!.push({ doc: `tp-room-${r}`, writer: true });
      }
      members = S.rooms * (S.subsPerRoom + 1);
      readies = await Promise.all(
        perProc.map((m, i) =>
          ask(
            procs[i]!,
            { cmd: 'peer-connect', kind, wsUrl: server!.wsUrl, members: m, capacity, concurrency: 48 },
            600_000,
          ),
        ),
      );
    }
    const synced = readies.reduce((a, r) => a + Number(r.synced), 0);
    ctx.log(`  [throughput/${kind}] ${synced}/${members} members synced in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await pause(ctx, 1000);

    const steps: ThroughputStep[] = [];
    let base = 0;
    let warmupSent = 0;
    // Warm-up (not judged): every code path and connection pool is exercised once before the ramp.
    {
      const rate = S.rates[0]!;
      if (kind === 'lounge') await provision((rate / P) * S.stepSec);
      const startAt = Date.now() + 150;
      const replies = await Promise.all(
        procs.map((p, i) =>
          ask(
            p,
            {
              cmd: 'send',
              plan: {
                steps: [{ step: 999, rate: rate / P, durationMs: S.stepSec * 1000 }],
                startAt,
                indexBase: base + i,
                indexStride: P,
                budget: kind === 'lounge' ? ctx.sizes.writerBudget : Number.MAX_SAFE_INTEGER,
              },
            },
            (S.stepSec * 4 + 30) * 1000,
          ),
        ),
      );
      replies.forEach((r, i) => (sentPerProc[i]! += Number(r.sent)));
      warmupSent = replies.reduce((a, r) => a + Number(r.sent), 0);
      base += rate * S.stepSec + P;
      // The ramp starts only once the warm-up has been delivered (a slow server would otherwise carry
      // its warm-up backlog into the first step).
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        const stats = await Promise.all(procs.map((p) => ask(p, { cmd: 'stats' }, 10_000)));
        const got = stats.reduce((a, st) => a + Number((st.perStepDistinct as Record<string, number>)['999'] ?? 0), 0);
        if (got >= warmupSent) break;
        await sleep(200);
      }
      await pause(ctx, 1000);
    }
    let stoppedBecause = 'kept up at every step';
    const runMeter = new Meter(
      server.pid,
      lgs.map((l) => l.pid),
    );
    for (const [s, rate] of S.rates.entries()) {
      if (kind === 'lounge') await provision((rate / P) * S.stepSec);
      const meter = new Meter(
        server.pid,
        lgs.map((l) => l.pid),
      );
      const startAt = Date.now() + 150;
      const replies = await Promise.all(
        procs.map((p, i) =>
          ask(
            p,
            {
              cmd: 'send',
              plan: {
                steps: [{ step: s, rate: rate / P, durationMs: S.stepSec * 1000 }],
                startAt,
                indexBase: base + i,
                indexStride: P,
                budget: kind === 'lounge' ? ctx.sizes.writerBudget : Number.MAX_SAFE_INTEGER,
              },
            },
            (S.stepSec * 4 + 30) * 1000,
          ),
        ),
      );
      base += rate * S.stepSec + P;
      replies.forEach((r, i) => (sentPerProc[i]! += Number(r.sent)));
      const sent = replies.reduce((a, r) => a + Number(r.sent), 0);
      const settleEnd = Date.now() + S.settleSec * 1000;
      let accepted = 0;
      while (Date.now() < settleEnd) {
        const stats = await Promise.all(procs.map((p) => ask(p, { cmd: 'stats' }, 10_000)));
        accepted = stats.reduce(
          (a, st) => a + Number((st.perStepDistinct as Record<string, number>)[String(s)] ?? 0),
          0,
        );
        if (accepted >= sent) break;
        await sleep(100);
      }
      const cpu = meter.read();
      const finals = await Promise.all(procs.map((p) => ask<Final>(p, { cmd: 'final' }, 30_000)));
      const hist = mergeHists(finals.map((f) => f.report?.steps[String(s)]?.hist).filter((h): h is SparseHist => !!h));
      const lat = summary(hist);
      const exhausted = replies.some((r) => r.exhausted === true);
      const delivered = !exhausted && accepted >= sent && sent > 0;
      const passed = delivered && lat.p99 !== null && lat.p99 <= S.p99GateMs;
      const keptUp = delivered && lat.p50 !== null && lat.p50 <= S.p99GateMs;
      const step: ThroughputStep = {
        step: s,
        offeredPerSec: rate,
        sent,
        accepted,
        acceptedPerSec: round(accepted / S.stepSec, 0)!,
        latencyMs: lat,
        writerMaxLagMs: Math.max(...replies.map((r) => Number(r.maxLagMs))),
        budgetExhausted: exhausted,
        passed,
        keptUp,
        cpu,
        serverCpuUsPerAccepted: accepted ? round((cpu.serverCpuSec * 1e6) / accepted, 0) : null,
      };
      steps.push(step);
      ctx.log(
        `  [throughput/${kind}] step ${rate}/s: sent ${sent}, delivered ${accepted} within ${S.settleSec}s settle, p50 ${lat.p50} p99 ${lat.p99} ms, ` +
          `server ${cpu.serverCores} cores, pg ${round(cpu.pgCpuSec / cpu.wallSec, 2)} cores, load gens ${cpu.loadgenCores} cores -> ${passed ? 'pass' : keptUp ? 'p99 over the gate, but keeping up' : 'FAIL'}`,
      );
      // On a shared machine one scheduling stall puts a step's p99 over the gate; the ramp goes on
      // while the server keeps up (p50 within the gate, everything delivered) and stops at the first
      // step where it does not.
      if (!keptUp) {
        stoppedBecause = exhausted
          ? `writer budget exhausted at ${rate}/s (${members} members × ${ctx.sizes.writerBudget} messages)`
          : `stopped at ${rate}/s: not keeping up (p50 ${lat.p50} ms, p99 ${lat.p99} ms, delivered ${accepted}/${sent} within ${S.settleSec} s)`;
        break;
      }
    }
    // Drain whatever is still in flight, then count against Postgres (Lounge) or what was sent (peers).
    const sentTotal = warmupSent + steps.reduce((a, st) => a + st.sent, 0);
    const drainEnd = Date.now() + 15_000;
    let finals: Final[] = [];
    let acceptedTotal = sentTotal;
    for (;;) {
      finals = await Promise.all(procs.map((p) => ask<Final>(p, { cmd: 'final' }, 30_000)));
      if (kind === 'lounge')
        acceptedTotal = [...(await messageCounts(ctx.db.pool, rooms)).values()].reduce((a, b) => a + b, 0);
      const delivered = finals.reduce((a, f) => a + (f.report?.unique ?? 0), 0);
      if (delivered >= acceptedTotal * S.subsPerRoom || Date.now() > drainEnd) break;
      await sleep(500);
    }
    const runCpu = runMeter.read();
    // Final per-step latency (late deliveries included) and accepted counts.
    for (const st of steps) {
      const hist = mergeHists(
        finals.map((f) => f.report?.steps[String(st.step)]?.hist).filter((h): h is SparseHist => !!h),
      );
      st.latencyMs = summary(hist);
      st.accepted = finals.reduce((a, f) => a + (f.report?.steps[String(st.step)]?.distinct ?? 0), 0);
      st.acceptedPerSec = round(st.accepted / S.stepSec, 0)!;
    }
    const delivered = finals.reduce((a, f) => a + (f.report?.unique ?? 0), 0);
    const rejected: Record<string, number> = {};
    for (const f of finals)
      for (const [k, v] of Object.entries(f.verdicts?.codes ?? {})) rejected[k] = (rejected[k] ?? 0) + v;
    const passing = steps.filter((st) => st.passed);
    const keeping = steps.filter((st) => st.keptUp);
    return {
      server: kind,
      rooms: S.rooms,
      subsPerRoom: S.subsPerRoom,
      members,
      synced,
      stepSec: S.stepSec,
      p99GateMs: S.p99GateMs,
      steps,
      sustainedPerSec: passing.length ? Math.max(...passing.map((st) => st.acceptedPerSec)) : null,
      keptUpPerSec: keeping.length ? Math.max(...keeping.map((st) => st.acceptedPerSec)) : null,
      peakAcceptedPerSec: steps.length ? Math.max(...steps.map((st) => st.acceptedPerSec)) : null,
      sentTotal,
      acceptedTotal,
      expectedDeliveries: acceptedTotal * S.subsPerRoom,
      delivered,
      lost: Math.max(0, acceptedTotal * S.subsPerRoom - delivered),
      dups: finals.reduce((a, f) => a + (f.report?.dups ?? 0), 0),
      rejected,
      serverPeakRssMiB: round(runCpu.serverHwmKb / 1024),
      stoppedBecause,
    };
  } finally {
    await stopLoadgens(lgs);
    await server?.stop();
  }
}

export async function runThroughput(ctx: BenchContext): Promise<ScenarioOutcome> {
  const results: Record<string, ThroughputResult | { error: string }> = {};
  for (const kind of serversFor(ctx, 'throughput')) {
    try {
      results[kind] = await throughputOne(kind, ctx);
    } catch (err) {
      ctx.log(`  [throughput/${kind}] FAILED: ${(err as Error).message}`);
      results[kind] = { error: (err as Error).message };
    }
  }
  return { status: 'ok', results };
}
