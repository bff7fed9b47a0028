import { createRooms } from '../lib/db.ts';
import {
  ask,
  pause,
  Meter,
  round,
  spawnLoadgen,
  split,
  stopLoadgens,
  type BenchContext,
  type CpuWindow,
  type Loadgen,
} from '../lib/harness.ts';
import { sleep, type IpcReply } from '../lib/procs.ts';
import type { ScenarioOutcome } from '../lib/report.ts';
import { BENCH_HOST_SECRET, startLounge, type RunningServer } from '../lib/servers.ts';
import { parseStamp } from '../lib/stamp.ts';

export interface StormPhase {
  kind: 'blip' | 'crash';
  /** Readers that had to catch up. */
  readers: number;
  /** Messages every reader must hold: every message sent before the cut (blip) or the kill (crash). */
  required: number;
  /** From the drop (blip) or the kill (crash) until the last reader is online, synced and holds them all. */
  allCaughtUpMs: number | null;
  /** Crash only: from the restarted server answering /readyz until the last reader caught up. */
  caughtUpAfterRestartMs: number | null;
  restartMs: number | null;
  caughtUp: number;
  /** Spread of the reconnects (first to last socket open). */
  reconnectSpreadMs: number | null;
  cpu: CpuWindow;
}

export interface StormResult {
  server: 'lounge';
  clients: number;
  writers: number;
  writerRate: number;
  phases: StormPhase[];
  /** Intents the writers enqueued, messages Postgres holds for them, and what readers hold of those. */
  sent: number;
  accepted: number;
  duplicatesInDb: number;
  expected: number;
  held: number;
  lost: number;
  outboxLeft: number;
  reconnectsPerReader: number;
}

type Status = IpcReply & {
  readers: number;
  online: number;
  ready: number;
  maxReadyAt: number;
  reconnected: number;
  firstOnline: number | null;
  lastOnline: number | null;
};

/**
 * The reconnect storm, with the app's own client (SyncClient + outbox, real Yjs docs). Readers sit in
 * one room while writers send at a steady rate through their outboxes. Then:
 *  - blip: every reader's socket is cut at once; each reconnects after a uniform random 0–1 s delay
 *    (SyncClient full jitter with min = max = 1 s), fetching a fresh connection token first;
 *  - crash: the server is killed with SIGKILL and a new one started on the same port; every client
 *    (writers too) retries every 0–1 s until it is back.
 * Measured: time until every reader is online again, has re-synced the room (the state-vector exchange
 * brings whatever it missed) and holds every message sent before the outage (for the crash that
 * includes intents still in flight, which the writers' outboxes resend); at the end, lost = messages in Postgres a reader does not hold, and intents that never
 * became messages.
 */
export async function runStorm(ctx: BenchContext): Promise<ScenarioOutcome> {
  if (!ctx.servers.includes('lounge')) return { status: 'skipped', reason: 'Lounge not among --servers' };
  const S = ctx.sizes.storm;
  const P = ctx.sizes.procs;
  const maxSendSec = 20 + 2 * S.maxWaitSec + 30;
  const capacity = Math.ceil(S.writerRate * maxSendSec) + 50;
  const writersCount = Math.ceil(capacity / ctx.sizes.writerBudget);
  let server: RunningServer | undefined;
  const lgs: Loadgen[] = [];
  try {
    const started = await Promise.all([
      startLounge({ databaseUrl: ctx.db.url, redisUrl: ctx.redisUrl, cpuProfDir: ctx.profileDir, label: 'storm' }),
      Promise.all(Array.from({ length: P }, (_, i) => spawnLoadgen(`storm${i}`, maxSendSec + 300, ctx.log))),
      spawnLoadgen('storm-writer', maxSendSec + 300, ctx.log),
    ]);
    server = started[0];
    const readersP = started[1];
    const writerP = started[2];
    lgs.push(...readersP, writerP);
    const port = server.port;
    const [roomId] = await createRooms(ctx.db.pool, 'storm', 1);
    const base = {
      baseUrl: server.baseUrl,
      wsUrl: server.wsUrl,
      hostSecret: BENCH_HOST_SECRET,
      capacity,
      reconnectMs: S.reconnectMs,
      concurrency: 32,
    };
    const readers = Array.from({ length: S.clients }, (_, i) => ({
      sub: `bench:storm:r:${i}`,
      handle: `st_r_${i}`,
      roomId,
      role: 'reader',
    }));
    const t0 = Date.now();
    const readies = await Promise.all(
      split(readers, P).map((m, i) => ask(readersP[i]!, { cmd: 'app-connect', ...base, members: m }, 600_000)),
    );
    const writers = Array.from({ length: writersCount }, (_, i) => ({
      sub: `bench:storm:w:${i}`,
      handle: `st_w_${i}`,
      roomId,
      role: 'writer',
    }));
    await ask(writerP, { cmd: 'app-connect', ...base, members: writers }, 300_000);
    const synced = readies.reduce((a, r) => a + Number(r.synced), 0);
    ctx.log(
      `  [storm] ${synced}/${S.clients} readers (app SyncClient) and ${writersCount} writers ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    const sending = ask(
      writerP,
      {
        cmd: 'send',
        plan: {
          steps: [{ step: 0, rate: S.writerRate, durationMs: maxSendSec * 1000 }],
          startAt: Date.now() + 100,
          indexBase: 0,
          indexStride: 1,
          budget: ctx.sizes.writerBudget,
        },
      },
      (maxSendSec + 60) * 1000,
    );
    const sentNow = async () => Number((await ask(writerP, { cmd: 'stats' }, 10_000)).sent);
    const status = async (required: number, since: number) => {
      const all = await Promise.all(
        readersP.map((p) => ask<Status>(p, { cmd: 'storm-status', required, since }, 10_000)),
      );
      return {
        readers: all.reduce((a, s) => a + s.readers, 0),
        ready: all.reduce((a, s) => a + s.ready, 0),
        maxReadyAt: Math.max(...all.map((s) => s.maxReadyAt)),
        first: Math.min(...all.map((s) => s.firstOnline ?? Infinity)),
        last: Math.max(...all.map((s) => s.lastOnline ?? 0)),
      };
    };
    const waitCaughtUp = async (required: number, since: number) => {
      const until = Date.now() + S.maxWaitSec * 1000;
      let st = await status(required, since);
      while (st.ready < st.readers && Date.now() < until) {
        await sleep(100);
        st = await status(required, since);
      }
      return st;
    };
    await pause(ctx, 3000);
    const phases: StormPhase[] = [];

    // ---- blip: every reader's socket cut at once ----
    {
      const meter = new Meter(
        server.pid,
        lgs.map((l) => l.pid),
      );
      const at = Date.now() + 300;
      const dropping = Promise.all(readersP.map((p) => ask(p, { cmd: 'storm-drop', at }, 10_000)));
      await sleep(Math.max(0, at - Date.now()));
      const required = await sentNow();
      const drops = await dropping;
      const t = Math.min(...drops.map((d) => Number(d.droppedAt)));
      const st = await waitCaughtUp(required, t);
      phases.push({
        kind: 'blip',
        readers: st.readers,
        required,
        allCaughtUpMs: st.ready === st.readers ? st.maxReadyAt - t : null,
        caughtUpAfterRestartMs: null,
        restartMs: null,
        caughtUp: st.ready,
        reconnectSpreadMs: Number.isFinite(st.first) && st.last ? st.last - st.first : null,
        cpu: meter.read(),
      });
      ctx.log(
        `  [storm] blip: ${st.ready}/${st.readers} readers caught up (${required} messages) ${phases.at(-1)!.allCaughtUpMs} ms after the drop; reconnects spread over ${phases.at(-1)!.reconnectSpreadMs} ms`,
      );
    }
    await pause(ctx, 2000);

    // ---- crash: SIGKILL the server, start a new one on the same port ----
    {
      const required = await sentNow();
      const t = Date.now();
      await server.kill();
      const killedPid = server.pid;
      server = await startLounge({
        databaseUrl: ctx.db.url,
        redisUrl: ctx.redisUrl,
        port,
        cpuProfDir: ctx.profileDir,
        label: 'storm-restart',
      });
      const readyAt = Date.now();
      const meter = new Meter(
        server.pid,
        lgs.map((l) => l.pid),
      );
      ctx.log(`  [storm] crash: server ${killedPid} killed; new server ${server.pid} ready after ${readyAt - t} ms`);
      const st = await waitCaughtUp(required, t);
      phases.push({
        kind: 'crash',
        readers: st.readers,
        required,
        allCaughtUpMs: st.ready === st.readers ? st.maxReadyAt - t : null,
        caughtUpAfterRestartMs: st.ready === st.readers ? st.maxReadyAt - readyAt : null,
        restartMs: readyAt - t,
        caughtUp: st.ready,
        reconnectSpreadMs: Number.isFinite(st.first) && st.last ? st.last - st.first : null,
        cpu: meter.read(),
      });
      ctx.log(
        `  [storm] crash: ${st.ready}/${st.readers} readers caught up (${required} messages) ${phases.at(-1)!.allCaughtUpMs} ms after the kill, ${phases.at(-1)!.caughtUpAfterRestartMs} ms after the restart was ready`,
      );
    }

    // ---- stop writing, drain, count against Postgres ----
    await ask(writerP, { cmd: 'stop-send' }, 10_000);
    const sentReply = await sending;
    const sent = Number(sentReply.sent);
    const drainUntil = Date.now() + S.maxWaitSec * 1000;
    let accepted: number[] = [];
    let duplicatesInDb = 0;
    let finals: IpcReply[] = [];
    let outboxLeft = 0;
    for (;;) {
      const { rows } = await ctx.db.pool.query<{ body: string }>('SELECT body FROM messages WHERE channel_id = $1', [
        roomId,
      ]);
      const idx = rows.map((r) => parseStamp(r.body)?.index).filter((i): i is number => i !== undefined);
      accepted = [...new Set(idx)].sort((a, b) => a - b);
      duplicatesInDb = idx.length - accepted.length;
      finals = await Promise.all(readersP.map((p) => ask(p, { cmd: 'storm-final', accepted }, 30_000)));
      outboxLeft = Number((await ask(writerP, { cmd: 'stats' }, 10_000)).outbox);
      const held = finals.reduce((a, f) => a + Number(f.held), 0);
      const expected = finals.reduce((a, f) => a + Number(f.expected), 0);
      if ((held >= expected && accepted.length >= sent && outboxLeft === 0) || Date.now() > drainUntil) break;
      await sleep(500);
    }
    const expected = finals.reduce((a, f) => a + Number(f.expected), 0);
    const held = finals.reduce((a, f) => a + Number(f.held), 0);
    const result: StormResult = {
      server: 'lounge',
      clients: S.clients,
      writers: writersCount,
      writerRate: S.writerRate,
      phases,
      sent,
      accepted: accepted.length,
      duplicatesInDb,
      expected,
      held,
      // A message lost is one accepted that a reader lacks, or an intent that never became a message.
      lost: Math.max(0, expected - held) + Math.max(0, sent - accepted.length),
      outboxLeft,
      reconnectsPerReader: round(
        finals.reduce((a, f) => a + Number(f.reconnectsPerReader) * Number(f.readers), 0) / Math.max(1, S.clients),
        2,
      )!,
    };
    ctx.log(
      `  [storm] writers sent ${sent}, Postgres holds ${accepted.length} (dups ${duplicatesInDb}); readers hold ${held}/${expected}; lost ${result.lost}; outbox left ${outboxLeft}`,
    );
    return { status: 'ok', results: { lounge: result } };
  } finally {
    await stopLoadgens(lgs);
    await server?.stop();
  }
}
