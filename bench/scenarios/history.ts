import { SEGMENT_SIZE } from '../../shared/sync/segments.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { persistChannelSnapshot } from '../../sync-server/sync/channel-doc-store.ts';
import { appendHistory, createAuthor, createRooms } from '../lib/db.ts';
import {
  ask,
  pause,
  Meter,
  round,
  spawnLoadgen,
  stopLoadgens,
  type BenchContext,
  type Loadgen,
} from '../lib/harness.ts';
import { procStatusKb, type IpcReply } from '../lib/procs.ts';
import type { ScenarioOutcome } from '../lib/report.ts';
import { BENCH_HOST_SECRET, startLounge, type RunningServer } from '../lib/servers.ts';

export interface HistoryProbe {
  room: 'small' | 'big' | 'big-no-meta-snapshot';
  messages: number;
  expectedHead: number;
  head: number;
  headCorrect: boolean;
  lastSeqInHead: number | null;
  metaSynced: boolean;
  segSynced: boolean;
  metaMs: number;
  segMs: number;
  metaBytes: number;
  segBytes: number;
  segMessages: number;
  serverRssBeforeMiB: number | null;
  serverRssAfterMiB: number | null;
  serverRssDeltaMiB: number | null;
  serverPeakRssMiB: number | null;
  serverCpuSec: number;
  pgCpuSec: number;
  trueSeg?: { ms: number; bytes: number; messages: number; synced: boolean };
  frameErrors: string[];
}

export interface HistoryResult {
  server: 'lounge';
  insert: { small: number; big: number; bigInsertSec: number; snapshots: number };
  probes: HistoryProbe[];
  /** ΔRSS and loaded doc bytes of the big room over the small one (≈ 1 when bounded). */
  rssRatio: number | null;
  docBytesRatio: number | null;
}

/**
 * A room with `big` messages against one with `small`: rows inserted straight into `messages` and
 * `channel_changes` (the payload shape of the intent pipeline), the meta-doc snapshot written by the
 * snapshot job's own function after every `chunk` messages as the periodic job would have, then a fresh
 * server per room and the app's own open-a-room sequence (meta doc, then the head segment it names).
 * A third probe drops the big room's meta snapshot to show what a cold meta load costs.
 */
export async function runHistory(ctx: BenchContext): Promise<ScenarioOutcome> {
  if (!ctx.servers.includes('lounge')) return { status: 'skipped', reason: 'Lounge not among --servers' };
  const H = ctx.sizes.history;
  // The schema and the seed come from a first start of the server.
  const { rows: schema } = await ctx.db.pool.query<{ t: string | null }>(
    "SELECT to_regclass('public.lounges')::text AS t",
  );
  if (!schema[0]?.t) {
    const first = await startLounge({ databaseUrl: ctx.db.url, redisUrl: ctx.redisUrl });
    await first.stop();
  }
  const [small, big] = await createRooms(ctx.db.pool, 'hist', 2);
  const author = await createAuthor(ctx.db.pool, 'historian');
  const db = createPgDatabase(ctx.db.url, { max: 2 });
  let snapshots = 0;
  const t0 = Date.now();
  try {
    await appendHistory(ctx.db.pool, small!, author, H.small);
    await persistChannelSnapshot(db, { kind: 'channel-meta', channelId: small! });
    for (let done = 0; done < H.big;) {
      const n = Math.min(H.chunk, H.big - done);
      await appendHistory(ctx.db.pool, big!, author, n);
      await persistChannelSnapshot(db, { kind: 'channel-meta', channelId: big! });
      snapshots++;
      done += n;
      ctx.log(
        `  [history] big room: ${done.toLocaleString('en')} / ${H.big.toLocaleString('en')} messages inserted (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
    await ctx.db.pool.query('ANALYZE messages, channel_changes, doc_snapshots');
  } finally {
    await db.close();
  }
  const bigInsertSec = (Date.now() - t0) / 1000;

  const probes: HistoryProbe[] = [];
  const probe = async (room: HistoryProbe['room'], channelId: string, messages: number): Promise<HistoryProbe> => {
    let server: RunningServer | undefined;
    const lgs: Loadgen[] = [];
    try {
      const started = await Promise.all([
        startLounge({
          databaseUrl: ctx.db.url,
          redisUrl: ctx.redisUrl,
          cpuProfDir: ctx.profileDir,
          label: `history-${room}`,
        }),
        spawnLoadgen('history', 600, ctx.log),
      ]);
      server = started[0];
      const lg = started[1];
      lgs.push(lg);
      await pause(ctx, 1500);
      const before = procStatusKb(server.pid, 'VmRSS');
      const meter = new Meter(server.pid, [lg.pid]);
      const expectedHead = Math.floor((messages - 1) / SEGMENT_SIZE);
      const r = await ask<IpcReply & Omit<HistoryProbe, 'room'>>(
        lg,
        {
          cmd: 'history-probe',
          baseUrl: server.baseUrl,
          wsUrl: server.wsUrl,
          hostSecret: BENCH_HOST_SECRET,
          sub: `bench:history:${room}`,
          handle: `hi_${room.replace(/-/g, '_')}`,
          channelId,
          trueHead: expectedHead,
          timeoutMs: 120_000,
        },
        300_000,
      );
      await pause(ctx, 1000);
      const cpu = meter.read();
      const after = procStatusKb(server.pid, 'VmRSS');
      const p: HistoryProbe = {
        room,
        messages,
        expectedHead,
        head: r.head,
        headCorrect: r.head === expectedHead,
        lastSeqInHead: r.lastSeqInHead,
        metaSynced: r.metaSynced,
        segSynced: r.segSynced,
        metaMs: r.metaMs,
        segMs: r.segMs,
        metaBytes: r.metaBytes,
        segBytes: r.segBytes,
        segMessages: r.segMessages,
        serverRssBeforeMiB: round(before / 1024),
        serverRssAfterMiB: round(after / 1024),
        serverRssDeltaMiB: round((after - before) / 1024),
        serverPeakRssMiB: round(procStatusKb(server.pid, 'VmHWM') / 1024),
        serverCpuSec: cpu.serverCpuSec,
        pgCpuSec: cpu.pgCpuSec,
        ...(r.trueSeg ? { trueSeg: r.trueSeg } : {}),
        frameErrors: r.frameErrors ?? [],
      };
      ctx.log(
        `  [history] ${room} (${messages.toLocaleString('en')} msgs): meta ${p.metaMs} ms ${p.metaBytes} B, head ${p.head} (expected ${expectedHead}), ` +
          `segment ${p.segMs} ms ${p.segBytes} B ${p.segMessages} msgs; server RSS +${p.serverRssDeltaMiB} MiB (peak ${p.serverPeakRssMiB})`,
      );
      return p;
    } finally {
      await stopLoadgens(lgs);
      await server?.stop();
    }
  };
  probes.push(await probe('small', small!, H.small));
  probes.push(await probe('big', big!, H.big));
  if (H.coldProbe) {
    await ctx.db.pool.query('DELETE FROM doc_snapshots WHERE doc_name = $1', [`ch.${big}.meta`]);
    probes.push(await probe('big-no-meta-snapshot', big!, H.big));
  }
  const [ps, pb] = probes;
  const rssRatio =
    ps && pb && ps.serverRssDeltaMiB && pb.serverRssDeltaMiB !== null
      ? round(Math.max(pb.serverRssDeltaMiB, 0.1) / Math.max(ps.serverRssDeltaMiB, 0.1), 2)
      : null;
  const docBytesRatio =
    ps && pb ? round((pb.metaBytes + pb.segBytes) / Math.max(1, ps.metaBytes + ps.segBytes), 2) : null;
  const result: HistoryResult = {
    server: 'lounge',
    insert: { small: H.small, big: H.big, bigInsertSec: round(bigInsertSec, 1)!, snapshots },
    probes,
    rssRatio,
    docBytesRatio,
  };
  return { status: 'ok', results: { lounge: result } };
}
