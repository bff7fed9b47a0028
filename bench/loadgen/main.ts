/**
 * A load-generator child process. The orchestrator (bench/run.ts) starts it with
 * `node --import tsx bench/loadgen/main.ts <max-life-seconds>` and drives it over IPC: every request
 * carries a reqId and gets exactly one reply with the same reqId. It exits when its parent goes away
 * (IPC disconnect) or when its maximum life is over, whatever it is doing.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import * as Y from 'yjs';
import { SyncClient, type SocketLike } from '../../client/src/sync/sync-client.ts';
import WebSocket from 'ws';
import { readMessages, readMeta } from '../../shared/sync/channel-doc.ts';
import { metaDocName, segmentDocName } from '../../shared/sync/doc-names.ts';
import { sleep } from '../lib/procs.ts';
import { AppDevice } from './app-device.ts';
import { Deliveries } from './deliveries.ts';
import { LoungeMember, type LoungeMemberSpec, type MemberContext } from './lounge-member.ts';
import { PeerMember, type PeerKind } from './peer-member.ts';
import { pgProbe } from './pgprobe.ts';
import { connectionToken, hostJwt, mapLimit } from './tokens.ts';

const maxLifeSec = Number(process.argv[2] ?? 900);
setTimeout(() => {
  process.stderr.write(`[loadgen ${process.pid}] maximum life of ${maxLifeSec}s reached; exiting\n`);
  process.exit(3);
}, maxLifeSec * 1000).unref();
process.on('disconnect', () => process.exit(0));
// An orderly exit on the orchestrator's SIGTERM, so that --cpu-prof (BENCH_LOADGEN_NODE_ARGS) writes its profile.
process.on('SIGTERM', () => process.exit(0));
process.setMaxListeners(0);

type Req = { cmd: string; reqId: number; [key: string]: unknown };

let ctx: MemberContext | undefined;
const lounge: LoungeMember[] = [];
const peers: PeerMember[] = [];
const devices: AppDevice[] = [];
let stopSending = false;
const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();

function context(capacity: number): MemberContext {
  ctx ??= {
    deliveries: new Deliveries(capacity),
    notices: {},
    verdicts: { accepted: 0, held: 0, rejected: 0, waiting: 0, codes: {} },
    frameErrors: 0,
    closes: 0,
    bytesIn: 0,
  };
  return ctx;
}

function reply(req: Req, body: Record<string, unknown>): void {
  process.send?.({ ...body, reqId: req.reqId });
}

function progress(label: string, done: number, total: number): void {
  process.send?.({ type: 'progress', label, done, total });
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- connecting ---------------------------------------------------------------------------------

async function loungeConnect(req: Req): Promise<void> {
  const { baseUrl, wsUrl, hostSecret, capacity } = req as unknown as {
    baseUrl: string;
    wsUrl: string;
    hostSecret: string;
    capacity: number;
  };
  const specs = req.members as LoungeMemberSpec[];
  const c = context(capacity);
  const errors: string[] = [];
  let failed = 0;
  let done = 0;
  const t0 = Date.now();
  const members: LoungeMember[] = [];
  await mapLimit(specs, Number(req.concurrency ?? 32), async (spec) => {
    const m = new LoungeMember(spec, c);
    try {
      const jwt = await hostJwt(hostSecret, spec.sub, spec.handle);
      const { token, userId } = await connectionToken(baseUrl, jwt);
      await m.open(wsUrl, token, userId);
      members.push(m);
      lounge.push(m);
    } catch (err) {
      failed++;
      if (errors.length < 5) errors.push((err as Error).message);
    }
    if (++done % 250 === 0) progress('connect', done, specs.length);
  });
  const connectMs = Date.now() - t0;
  await withTimeout(Promise.all(members.map((m) => m.whenSynced())), Number(req.syncTimeoutMs ?? 60_000));
  reply(req, {
    type: 'ready',
    connected: members.length,
    synced: members.filter((m) => m.isSynced).length,
    failed,
    errors,
    connectMs,
    readyMs: Date.now() - t0,
    userIds: req.returnUserIds ? members.map((m) => m.userId) : undefined,
  });
}

async function peerConnect(req: Req): Promise<void> {
  const { kind, wsUrl, capacity } = req as unknown as { kind: PeerKind; wsUrl: string; capacity: number };
  const specs = req.members as Array<{ doc: string; writer?: boolean }>;
  const c = context(capacity);
  const errors: string[] = [];
  let failed = 0;
  let done = 0;
  const t0 = Date.now();
  const members: PeerMember[] = [];
  await mapLimit(specs, Number(req.concurrency ?? 32), async (spec) => {
    const m = new PeerMember(kind, spec.doc, c, spec.writer === true);
    try {
      await m.open(wsUrl);
      members.push(m);
      peers.push(m);
    } catch (err) {
      failed++;
      if (errors.length < 5) errors.push((err as Error).message);
    }
    if (++done % 250 === 0) progress('connect', done, specs.length);
  });
  const connectMs = Date.now() - t0;
  await withTimeout(Promise.all(members.map((m) => m.whenSynced())), Number(req.syncTimeoutMs ?? 60_000));
  reply(req, {
    type: 'ready',
    connected: members.length,
    synced: members.filter((m) => m.isSynced).length,
    failed,
    errors,
    connectMs,
    readyMs: Date.now() - t0,
  });
}

async function appConnect(req: Req): Promise<void> {
  const { baseUrl, wsUrl, hostSecret, capacity, reconnectMs } = req as unknown as {
    baseUrl: string;
    wsUrl: string;
    hostSecret: string;
    capacity: number;
    reconnectMs: number;
  };
  const specs = req.members as Array<{ sub: string; handle: string; roomId: string; role: 'reader' | 'writer' }>;
  const errors: string[] = [];
  let failed = 0;
  let done = 0;
  const t0 = Date.now();
  const mine: AppDevice[] = [];
  await mapLimit(specs, Number(req.concurrency ?? 32), async (spec) => {
    try {
      const jwt = await hostJwt(hostSecret, spec.sub, spec.handle);
      const { token, userId } = await connectionToken(baseUrl, jwt);
      const d = new AppDevice(userId, spec.roomId, baseUrl, wsUrl, token, jwt, capacity, {
        role: spec.role,
        reconnectMs,
      });
      d.start();
      mine.push(d);
      devices.push(d);
    } catch (err) {
      failed++;
      if (errors.length < 5) errors.push((err as Error).message);
    }
    if (++done % 250 === 0) progress('connect', done, specs.length);
  });
  const waitAll = Promise.all(
    mine.map(async (d) => {
      await d.client.whenSynced(`private.${d.userId}`);
      if (d.role === 'reader') await d.client.whenSynced(d.segName);
    }),
  );
  await withTimeout(waitAll, Number(req.syncTimeoutMs ?? 60_000));
  reply(req, {
    type: 'ready',
    connected: mine.length,
    synced: mine.filter((d) => d.online && (d.segSyncedAt > 0 || d.role === 'writer')).length,
    failed,
    errors,
    readyMs: Date.now() - t0,
  });
}

// ---- sending ------------------------------------------------------------------------------------

interface Writer {
  sent: number;
  sendMessage(index: number, step: number): void;
}

interface SendPlan {
  steps: Array<{ step: number; rate: number; durationMs: number }>;
  startAt: number;
  indexBase: number;
  indexStride: number;
  /** Messages one writer may send in this plan (kept below the server's 10 per minute per member). */
  budget: number;
}

function writers(): Writer[] {
  const out: Writer[] = [];
  for (const m of lounge) if (m.privateDoc) out.push(m);
  for (const p of peers)
    if (p.writer)
      out.push({
        get sent() {
          return p.sent;
        },
        sendMessage: (i, s) => p.write(i, s),
      });
  for (const d of devices) if (d.role === 'writer') out.push(d);
  return out;
}

async function send(req: Req): Promise<void> {
  const plan = req.plan as SendPlan;
  const ws = writers();
  stopSending = false;
  let rr = 0;
  let k = 0;
  let maxLagMs = 0;
  let exhausted = false;
  const perStep: Record<string, number> = {};
  let stepStart = plan.startAt;
  const wait0 = plan.startAt - Date.now();
  if (wait0 > 0) await sleep(wait0);
  outer: for (const step of plan.steps) {
    const n = Math.round((step.rate * step.durationMs) / 1000);
    const interval = n > 0 ? step.durationMs / n : 0;
    perStep[String(step.step)] = 0;
    for (let j = 0; j < n; j++) {
      if (stopSending) break outer;
      const due = stepStart + j * interval;
      const wait = due - Date.now();
      if (wait >= 1) await sleep(wait);
      else {
        if (-wait > maxLagMs) maxLagMs = -wait;
        if (j % 16 === 0) await yieldToLoop();
      }
      let w: Writer | undefined;
      for (let tries = 0; tries < ws.length; tries++) {
        const cand = ws[rr++ % ws.length]!;
        if (cand.sent < plan.budget) {
          w = cand;
          break;
        }
      }
      if (!w) {
        exhausted = true;
        break outer;
      }
      w.sendMessage(plan.indexBase + k * plan.indexStride, step.step);
      k++;
      perStep[String(step.step)]!++;
    }
    stepStart += step.durationMs;
  }
  reply(req, { type: 'sent', sent: k, perStep, maxLagMs: Math.round(maxLagMs), exhausted, writers: ws.length });
}

// ---- reporting ----------------------------------------------------------------------------------

function stats(req: Req): void {
  const c = ctx;
  reply(req, {
    type: 'stats',
    unique: c?.deliveries.unique ?? 0,
    deliveries: c?.deliveries.deliveries ?? 0,
    closes: c?.closes ?? 0,
    verdicts: c?.verdicts,
    perStepDistinct: c
      ? Object.fromEntries(Object.entries(c.deliveries.report(false).steps).map(([k, v]) => [k, v.distinct]))
      : {},
    sent: writers().reduce((a, w) => a + w.sent, 0),
    devicesOnline: devices.filter((d) => d.online).length,
    deviceVerdicts: devices.reduce((a, d) => a + d.verdicts.accepted, 0),
    outbox: devices.reduce((a, d) => a + d.outboxSize(), 0),
  });
}

function final(req: Req): void {
  const c = ctx;
  c?.deliveries.dumpPerMessage(lounge.length > 0 ? 'lounge' : (peers[0]?.kind ?? 'app'));
  reply(req, {
    type: 'final',
    report: c?.deliveries.report(req.withSeen === true),
    notices: c?.notices ?? {},
    verdicts: c?.verdicts,
    frameErrors: c?.frameErrors ?? 0,
    closes: c?.closes ?? 0,
    bytesIn: c?.bytesIn ?? 0,
    members: lounge.length + peers.length + devices.length,
    eventLoopDelayMaxMs: Math.round(eld.max / 1e6),
    eventLoopDelayP99Ms: Math.round(eld.percentile(99) / 1e6),
  });
}

// ---- reconnect storm ----------------------------------------------------------------------------

async function stormDrop(req: Req): Promise<void> {
  const at = Number(req.at);
  const wait = at - Date.now();
  if (wait > 0) await sleep(wait);
  const droppedAt = Date.now();
  let n = 0;
  for (const d of devices) {
    if (d.role !== 'reader' && !req.includeWriters) continue;
    d.dropSocket();
    n++;
  }
  reply(req, { type: 'dropped', droppedAt, dropped: n });
}

function stormStatus(req: Req): void {
  const k = Number(req.required);
  const since = Number(req.since);
  const readers = devices.filter((d) => d.role === 'reader');
  let ready = 0;
  let maxReadyAt = 0;
  let reconnected = 0;
  let firstOnline = Infinity;
  let lastOnline = 0;
  for (const d of readers) {
    if (!d.online) continue;
    if (d.lastOnlineAt > since) {
      reconnected++;
      if (d.lastOnlineAt < firstOnline) firstOnline = d.lastOnlineAt;
      if (d.lastOnlineAt > lastOnline) lastOnline = d.lastOnlineAt;
    }
    if (d.segSyncedAt <= since || d.contiguous < k) continue;
    ready++;
    const at = Math.max(d.segSyncedAt, k > 0 ? d.advanceAt[k]! : 0);
    if (at > maxReadyAt) maxReadyAt = at;
  }
  reply(req, {
    type: 'storm-status',
    readers: readers.length,
    online: readers.filter((d) => d.online).length,
    ready,
    maxReadyAt,
    reconnected,
    firstOnline: Number.isFinite(firstOnline) ? firstOnline : null,
    lastOnline: lastOnline || null,
  });
}

function stormFinal(req: Req): void {
  const accepted = req.accepted as number[];
  let held = 0;
  let minHeld = Infinity;
  const readers = devices.filter((d) => d.role === 'reader');
  for (const d of readers) {
    const h = d.held(accepted);
    held += h;
    if (h < minHeld) minHeld = h;
  }
  reply(req, {
    type: 'storm-final',
    readers: readers.length,
    expected: readers.length * accepted.length,
    held,
    minHeld: Number.isFinite(minHeld) ? minHeld : null,
    reconnectsPerReader: readers.length ? readers.reduce((a, d) => a + d.onlineCount, 0) / readers.length : 0,
  });
}

// ---- history: what the app does when it opens a room ----------------------------------------------

async function historyProbe(req: Req): Promise<void> {
  const { baseUrl, wsUrl, hostSecret, sub, handle, channelId, trueHead, timeoutMs } = req as unknown as {
    baseUrl: string;
    wsUrl: string;
    hostSecret: string;
    sub: string;
    handle: string;
    channelId: string;
    trueHead: number;
    timeoutMs: number;
  };
  const jwt = await hostJwt(hostSecret, sub, handle);
  const client = new SyncClient({
    url: `${wsUrl}/sync`,
    getToken: async () => (await connectionToken(baseUrl, jwt)).token,
    createSocket: (url) =>
      new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 }) as unknown as SocketLike,
    minReconnectMs: 1000,
    maxReconnectMs: 5000,
  });
  const frameErrors: string[] = [];
  const onError = (err: Error) => frameErrors.push(err.message);
  process.on('uncaughtException', onError);
  try {
    client.start();
    const meta = new Y.Doc();
    const t0 = Date.now();
    client.subscribe(metaDocName(channelId), meta);
    const metaSynced = await withTimeout(client.whenSynced(metaDocName(channelId)), timeoutMs);
    const metaMs = Date.now() - t0;
    const m = readMeta(meta);
    const seg = new Y.Doc();
    const t1 = Date.now();
    client.subscribe(segmentDocName(channelId, m.head), seg);
    const segSynced = await withTimeout(client.whenSynced(segmentDocName(channelId, m.head)), timeoutMs);
    const segMs = Date.now() - t1;
    const msgs = readMessages(seg, channelId);
    let trueSeg: { ms: number; bytes: number; messages: number; synced: boolean } | undefined;
    if (m.head !== trueHead) {
      const doc = new Y.Doc();
      const t2 = Date.now();
      client.subscribe(segmentDocName(channelId, trueHead), doc);
      const ok = await withTimeout(client.whenSynced(segmentDocName(channelId, trueHead)), timeoutMs);
      trueSeg = {
        ms: Date.now() - t2,
        bytes: Y.encodeStateAsUpdate(doc).byteLength,
        messages: readMessages(doc, channelId).length,
        synced: ok !== 'timeout',
      };
    }
    reply(req, {
      type: 'history',
      metaSynced: metaSynced !== 'timeout',
      segSynced: segSynced !== 'timeout',
      metaMs,
      segMs,
      metaBytes: Y.encodeStateAsUpdate(meta).byteLength,
      segBytes: Y.encodeStateAsUpdate(seg).byteLength,
      head: m.head,
      lastSeqInHead: msgs.at(-1)?.seq ?? null,
      segMessages: msgs.length,
      lastBody: msgs.at(-1)?.body ?? null,
      trueSeg,
      frameErrors,
    });
  } finally {
    process.off('uncaughtException', onError);
    client.stop();
  }
}

async function layer1(req: Req): Promise<void> {
  let mod: { runLayer1Bench?: (o: { messages?: number; outFile?: string | null }) => unknown };
  try {
    mod = (await import('../layer1/bench-layer1.ts')) as typeof mod;
  } catch (err) {
    reply(req, { type: 'layer1', status: 'not-built', reason: (err as Error).message.split('\n')[0] });
    return;
  }
  if (typeof mod.runLayer1Bench !== 'function') {
    reply(req, {
      type: 'layer1',
      status: 'not-built',
      reason: 'bench/layer1/bench-layer1.ts exports no runLayer1Bench',
    });
    return;
  }
  const result = mod.runLayer1Bench({ messages: Number(req.messages), outFile: null });
  reply(req, { type: 'layer1', status: 'ok', result });
}

// ---- dispatch -----------------------------------------------------------------------------------

const handlers: Record<string, (req: Req) => Promise<void> | void> = {
  'lounge-connect': loungeConnect,
  'peer-connect': peerConnect,
  'app-connect': appConnect,
  send,
  'stop-send': (req) => {
    stopSending = true;
    reply(req, { type: 'ok' });
  },
  stats,
  final,
  'storm-drop': stormDrop,
  'storm-status': stormStatus,
  'storm-final': stormFinal,
  'history-probe': historyProbe,
  pgprobe: async (req) =>
    reply(req, {
      type: 'pgprobe',
      result: await pgProbe(String(req.url), Number(req.seconds), Number(req.connections ?? 8)),
    }),
  layer1,
  close: async (req) => {
    for (const m of lounge) m.close();
    for (const p of peers) p.close();
    for (const d of devices) d.stop();
    await sleep(200);
    reply(req, { type: 'ok' });
  },
};

process.on('message', (raw) => {
  const req = raw as Req;
  const handler = handlers[req.cmd];
  if (!handler) {
    reply(req, { type: 'error', error: `unknown command ${req.cmd}` });
    return;
  }
  Promise.resolve()
    .then(() => handler(req))
    .catch((err: unknown) => reply(req, { type: 'error', error: (err as Error).stack ?? String(err) }));
});

process.send?.({ type: 'hello', pid: process.pid });
