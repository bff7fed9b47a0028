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
  type Loadgen,
} from '../lib/harness.ts';
import { openFileLimit, procStatusKb } from '../lib/procs.ts';
import type { ScenarioOutcome } from '../lib/report.ts';
import { BENCH_HOST_SECRET, memSnapshot, startServer, type RunningServer, type ServerKind } from '../lib/servers.ts';

export interface ConnectionsResult {
  server: ServerKind;
  requested: number;
  connected: number;
  synced: number;
  failed: number;
  errors: string[];
  docsPerConnection: number;
  connectSec: number;
  connectionsPerSec: number | null;
  serverRssIdleMiB: number | null;
  serverRssConnectedMiB: number | null;
  serverPeakRssMiB: number | null;
  /** (RSS with every connection idle − RSS before the first) / connections, both read right after a full GC. */
  kbPerConnection: number | null;
  /** The same for the V8 heap (heapUsed) and for memory outside it (external: socket and Yjs buffers). */
  heapKbPerConnection: number | null;
  externalKbPerConnection: number | null;
  /** RSS difference without forcing a GC first (garbage included), for comparison. */
  kbPerConnectionNoGc: number | null;
  serverCpuUsPerConnection: number | null;
  pgCpuSec: number;
}

/**
 * N idle authenticated connections, each a distinct member subscribed as the app is when a room is
 * open (private, inbox, the room's meta doc and head segment, over the five seeded rooms); the peers get
 * N connections to five docs. RSS is read after the connections have been idle for 3 s.
 */
export async function connectionsOne(kind: ServerKind, ctx: BenchContext): Promise<ConnectionsResult> {
  const N = ctx.sizes.connections.count;
  const limit = openFileLimit();
  if (Number.isFinite(limit.soft) && N + 1000 > limit.soft) {
    throw new Error(`open-file limit ${limit.soft} is too low for ${N} connections (raise ulimit -n)`);
  }
  let server: RunningServer | undefined;
  const lgs: Loadgen[] = [];
  try {
    const started = await Promise.all([
      startServer(kind, {
        databaseUrl: ctx.db.url,
        redisUrl: ctx.redisUrl,
        cpuProfDir: ctx.profileDir,
        label: 'connections',
      }),
      Promise.all(Array.from({ length: ctx.sizes.procs }, (_, i) => spawnLoadgen(`conn${i}`, 600, ctx.log))),
    ]);
    server = started[0];
    const procs = started[1];
    lgs.push(...procs);
    await pause(ctx, 1500);
    const rssIdle = procStatusKb(server.pid, 'VmRSS');
    const memIdle = await memSnapshot(server.pid);
    const meter = new Meter(
      server.pid,
      lgs.map((l) => l.pid),
    );
    const t0 = Date.now();
    let readies;
    let docsPerConnection: number;
    if (kind === 'lounge') {
      const { rows } = await ctx.db.pool.query<{ id: string }>(
        "SELECT r.id FROM rooms r JOIN lounges l ON l.id = r.lounge_id WHERE l.slug = 'the-lounge' AND r.is_default ORDER BY r.position",
      );
      const rooms = rows.map((r) => r.id);
      const members = Array.from({ length: N }, (_, i) => ({
        sub: `bench:conn:${i}`,
        handle: `cn_${i}`,
        roomId: rooms[i % rooms.length],
        watch: true,
      }));
      docsPerConnection = 4;
      readies = await Promise.all(
        split(members, procs.length).map((m, i) =>
          ask(
            procs[i]!,
            {
              cmd: 'lounge-connect',
              baseUrl: server!.baseUrl,
              wsUrl: server!.wsUrl,
              hostSecret: BENCH_HOST_SECRET,
              members: m,
              capacity: 1,
              concurrency: 48,
              syncTimeoutMs: 120_000,
            },
            900_000,
          ),
        ),
      );
    } else {
      const members = Array.from({ length: N }, (_, i) => ({ doc: `conn-room-${i % 5}` }));
      docsPerConnection = 1;
      readies = await Promise.all(
        split(members, procs.length).map((m, i) =>
          ask(
            procs[i]!,
            {
              cmd: 'peer-connect',
              kind,
              wsUrl: server!.wsUrl,
              members: m,
              capacity: 1,
              concurrency: 48,
              syncTimeoutMs: 120_000,
            },
            900_000,
          ),
        ),
      );
    }
    const connectSec = (Date.now() - t0) / 1000;
    const cpu = meter.read();
    await pause(ctx, 3000);
    const rssConnected = procStatusKb(server.pid, 'VmRSS');
    const memConnected = await memSnapshot(server.pid);
    const per = (key: 'rss' | 'heapUsed' | 'external') =>
      memIdle && memConnected && synced ? round((memConnected[key] - memIdle[key]) / 1024 / synced, 1) : null;
    const connected = readies.reduce((a, r) => a + Number(r.connected), 0);
    const synced = readies.reduce((a, r) => a + Number(r.synced), 0);
    const result: ConnectionsResult = {
      server: kind,
      requested: N,
      connected,
      synced,
      failed: readies.reduce((a, r) => a + Number(r.failed), 0),
      errors: readies.flatMap((r) => (r.errors as string[]) ?? []).slice(0, 5),
      docsPerConnection,
      connectSec: round(connectSec, 2)!,
      connectionsPerSec: connectSec ? round(connected / connectSec, 0) : null,
      serverRssIdleMiB: round(rssIdle / 1024),
      serverRssConnectedMiB: round(rssConnected / 1024),
      serverPeakRssMiB: round(procStatusKb(server.pid, 'VmHWM') / 1024),
      kbPerConnection: per('rss'),
      heapKbPerConnection: per('heapUsed'),
      externalKbPerConnection: per('external'),
      kbPerConnectionNoGc: synced ? round((rssConnected - rssIdle) / synced, 1) : null,
      serverCpuUsPerConnection: connected ? round((cpu.serverCpuSec * 1e6) / connected, 0) : null,
      pgCpuSec: cpu.pgCpuSec,
    };
    ctx.log(
      `  [connections/${kind}] ${synced}/${N} connected and synced in ${result.connectSec} s; RSS ${result.serverRssIdleMiB} -> ${result.serverRssConnectedMiB} MiB = ${result.kbPerConnectionNoGc} KB/conn; after a full GC ${result.kbPerConnection} KB/conn RSS, ${result.heapKbPerConnection} KB heap, ${result.externalKbPerConnection} KB external`,
    );
    return result;
  } finally {
    await stopLoadgens(lgs);
    await server?.stop();
  }
}

export async function runConnections(ctx: BenchContext): Promise<ScenarioOutcome> {
  const results: Record<string, ConnectionsResult | { error: string }> = {};
  for (const kind of serversFor(ctx, 'connections')) {
    try {
      results[kind] = await connectionsOne(kind, ctx);
    } catch (err) {
      ctx.log(`  [connections/${kind}] FAILED: ${(err as Error).message}`);
      results[kind] = { error: (err as Error).message };
    }
  }
  return { status: 'ok', results };
}
