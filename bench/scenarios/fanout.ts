import { createRooms, messageCounts } from '../lib/db.ts';
import {
  ask,
  pause,
  serversFor,
  Meter,
  round,
  spawnLoadgen,
  split,
  stopLoadgens,
  type BenchContext,
  type CpuWindow,
  type Loadgen,
} from '../lib/harness.ts';
import { mergeHists, summary, type SparseHist } from '../lib/hist.ts';
import { procStatusKb, sleep, type IpcReply } from '../lib/procs.ts';
import { BENCH_HOST_SECRET, startServer, type RunningServer, type ServerKind } from '../lib/servers.ts';
import type { DeliveryReport } from '../loadgen/deliveries.ts';
import type { ScenarioOutcome } from '../lib/report.ts';

export interface FanoutResult {
  server: ServerKind;
  subs: number;
  synced: number;
  writers: number;
  rate: number;
  durationSec: number;
  sent: number;
  accepted: number;
  rejected: Record<string, number>;
  expected: number;
  delivered: number;
  lost: number;
  dups: number;
  drainSec: number;
  latencyMs: ReturnType<typeof summary>;
  latencyAfterWarmupMs: ReturnType<typeof summary>;
  serverCpuUsPerDelivery: number | null;
  serverCpuUsPerAccepted: number | null;
  cpu: CpuWindow;
  serverRssBeforeMiB: number | null;
  serverPeakRssMiB: number | null;
  connectSec: number;
  writerMaxLagMs: number;
  subsEventLoopDelayMaxMs: number;
  closes: number;
  notices: Record<string, number>;
  /** Bytes the subscribers received (initial sync included) per message delivered. */
  bytesPerDelivery: number | null;
  error?: string;
}

type Final = IpcReply & {
  report?: DeliveryReport;
  verdicts?: { accepted: number; rejected: number; codes: Record<string, number> };
  notices: Record<string, number>;
  closes: number;
  eventLoopDelayMaxMs: number;
};

/** One room, N subscribers, one stream of messages at R/s for D s: latency and server cost per delivery. */
export async function fanoutOne(kind: ServerKind, ctx: BenchContext): Promise<FanoutResult> {
  const S = ctx.sizes.fanout;
  const total = S.rate * S.durationSec;
  const maxLife = 180 + S.durationSec + S.drainSec;
  let server: RunningServer | undefined;
  const lgs: Loadgen[] = [];
  try {
    const started = await Promise.all([
      startServer(kind, {
        databaseUrl: ctx.db.url,
        redisUrl: ctx.redisUrl,
        cpuProfDir: ctx.profileDir,
        label: 'fanout',
      }),
      Promise.all(Array.from({ length: ctx.sizes.procs }, (_, i) => spawnLoadgen(`subs${i}`, maxLife, ctx.log))),
      spawnLoadgen('writer', maxLife, ctx.log),
    ]);
    server = started[0];
    const subProcs = started[1];
    const writerProc = started[2];
    lgs.push(...subProcs, writerProc);
    ctx.log(`  [fanout/${kind}] server pid ${server.pid} ready in ${server.startedMs} ms`);

    const t0 = Date.now();
    let writers = 1;
    let roomId = '';
    let synced = 0;
    if (kind === 'lounge') {
      roomId = (await createRooms(ctx.db.pool, 'fanout', 1))[0]!;
      const members = Array.from({ length: S.subs }, (_, i) => ({
        sub: `bench:fanout:sub:${i}`,
        handle: `fo_s_${i}`,
        roomId,
        watch: true,
      }));
      const readies = await Promise.all(
        split(members, subProcs.length).map((m, i) =>
          ask(
            subProcs[i]!,
            {
              cmd: 'lounge-connect',
              baseUrl: server!.baseUrl,
              wsUrl: server!.wsUrl,
              hostSecret: BENCH_HOST_SECRET,
              members: m,
              capacity: total,
            },
            300_000,
          ),
        ),
      );
      writers = Math.ceil(total / ctx.sizes.writerBudget);
      const wspecs = Array.from({ length: writers }, (_, i) => ({
        sub: `bench:fanout:writer:${i}`,
        handle: `fo_w_${i}`,
        roomId,
        writer: true,
      }));
      const wr = await ask(
        writerProc,
        {
          cmd: 'lounge-connect',
          baseUrl: server.baseUrl,
          wsUrl: server.wsUrl,
          hostSecret: BENCH_HOST_SECRET,
          members: wspecs,
          capacity: total,
        },
        300_000,
      );
      if (Number(wr.synced) !== writers)
        throw new Error(`writers synced ${String(wr.synced)}/${writers}: ${JSON.stringify(wr.errors)}`);
      synced = readies.reduce((a, r) => a + Number(r.synced), 0);
    } else {
      const doc = 'bench-fanout-room';
      const members = Array.from({ length: S.subs }, () => ({ doc }));
      const readies = await Promise.all(
        split(members, subProcs.length).map((m, i) =>
          ask(subProcs[i]!, { cmd: 'peer-connect', kind, wsUrl: server!.wsUrl, members: m, capacity: total }, 300_000),
        ),
      );
      await ask(writerProc, {
        cmd: 'peer-connect',
        kind,
        wsUrl: server.wsUrl,
        members: [{ doc, writer: true }],
        capacity: total,
      });
      synced = readies.reduce((a, r) => a + Number(r.synced), 0);
    }
    const connectSec = (Date.now() - t0) / 1000;
    ctx.log(
      `  [fanout/${kind}] ${synced}/${S.subs} subscribers synced in ${connectSec.toFixed(1)} s; sending ${total} messages at ${S.rate}/s`,
    );
    await pause(ctx, 1000);

    const rssBefore = procStatusKb(server.pid, 'VmRSS');
    const meter = new Meter(
      server.pid,
      lgs.map((l) => l.pid),
    );
    const plan = {
      steps: [
        { step: 0, rate: S.rate, durationMs: S.warmupSec * 1000 },
        { step: 1, rate: S.rate, durationMs: (S.durationSec - S.warmupSec) * 1000 },
      ],
      startAt: Date.now() + 200,
      indexBase: 0,
      indexStride: 1,
      budget: kind === 'lounge' ? ctx.sizes.writerBudget : Number.MAX_SAFE_INTEGER,
    };
    const sentReply = await ask(writerProc, { cmd: 'send', plan }, (S.durationSec * 3 + 30) * 1000);
    const sent = Number(sentReply.sent);
    const sendEnd = Date.now();
    const expected = sent * synced;
    let unique = 0;
    while (Date.now() - sendEnd < S.drainSec * 1000) {
      const stats = await Promise.all(subProcs.map((p) => ask(p, { cmd: 'stats' }, 10_000)));
      unique = stats.reduce((a, s) => a + Number(s.unique), 0);
      if (unique >= expected) break;
      await sleep(200);
    }
    const drainSec = (Date.now() - sendEnd) / 1000;
    const cpu = meter.read();
    const finals = await Promise.all(subProcs.map((p) => ask<Final>(p, { cmd: 'final' }, 30_000)));
    const wfinal = await ask<Final>(writerProc, { cmd: 'final' }, 30_000);
    const accepted = kind === 'lounge' ? ((await messageCounts(ctx.db.pool, [roomId])).get(roomId) ?? 0) : sent;
    const reports = finals.map((f) => f.report!).filter(Boolean);
    const delivered = reports.reduce((a, r) => a + r.unique, 0);
    const hists = (step: string) => reports.map((r) => r.steps[step]?.hist).filter((h): h is SparseHist => !!h);
    const all = mergeHists([...hists('0'), ...hists('1')]);
    const steady = mergeHists(hists('1'));
    const notices: Record<string, number> = {};
    for (const f of [...finals, wfinal])
      for (const [k, v] of Object.entries(f.notices ?? {})) notices[k] = (notices[k] ?? 0) + v;
    const result: FanoutResult = {
      server: kind,
      subs: S.subs,
      synced,
      writers,
      rate: S.rate,
      durationSec: S.durationSec,
      sent,
      accepted,
      rejected: wfinal.verdicts?.codes ?? {},
      expected: accepted * synced,
      delivered,
      lost: Math.max(0, accepted * synced - delivered),
      dups: reports.reduce((a, r) => a + r.dups, 0),
      drainSec: round(drainSec, 2)!,
      latencyMs: summary(all),
      latencyAfterWarmupMs: summary(steady),
      serverCpuUsPerDelivery: delivered ? round((cpu.serverCpuSec * 1e6) / delivered, 1) : null,
      serverCpuUsPerAccepted: accepted ? round((cpu.serverCpuSec * 1e6) / accepted, 0) : null,
      cpu,
      serverRssBeforeMiB: round(rssBefore / 1024),
      serverPeakRssMiB: round(cpu.serverHwmKb / 1024),
      connectSec: round(connectSec, 2)!,
      writerMaxLagMs: Number(sentReply.maxLagMs),
      subsEventLoopDelayMaxMs: Math.max(...finals.map((f) => Number(f.eventLoopDelayMaxMs))),
      closes: finals.reduce((a, f) => a + Number(f.closes), 0),
      notices,
      bytesPerDelivery: delivered ? round(finals.reduce((a, f) => a + Number(f.bytesIn), 0) / delivered, 0) : null,
    };
    ctx.log(
      `  [fanout/${kind}] delivered ${delivered}/${result.expected} lost ${result.lost}; p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms ` +
        `(after warm-up p99 ${result.latencyAfterWarmupMs.p99}); server ${cpu.serverCpuSec} CPU s = ${result.serverCpuUsPerDelivery} µs/delivery; peak RSS ${result.serverPeakRssMiB} MiB`,
    );
    return result;
  } finally {
    await stopLoadgens(lgs);
    await server?.stop();
  }
}

export async function runFanout(ctx: BenchContext): Promise<ScenarioOutcome> {
  const results: Record<string, FanoutResult | { error: string }> = {};
  for (const kind of serversFor(ctx, 'fanout')) {
    try {
      results[kind] = await fanoutOne(kind, ctx);
    } catch (err) {
      ctx.log(`  [fanout/${kind}] FAILED: ${(err as Error).message}`);
      results[kind] = { error: (err as Error).message };
    }
  }
  return { status: 'ok', results };
}
