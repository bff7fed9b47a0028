import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { encodeFrame, FrameType } from '../../../shared/protocol/frames.ts';
import type { Corpus } from './corpus.ts';

/** A small, fast, seedable PRNG (mulberry32), so a failing run can be replayed with its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly random: () => number) {}
  int(max: number): number {
    return Math.floor(this.random() * max);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** varUint encodings of lengths that no real frame has: past the buffer, past 2^32, past 2^53. */
const HUGE_VARUINTS: Uint8Array[] = [
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f),
  Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
  Uint8Array.of(0xff, 0xff, 0xff, 0x7f),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
];

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x02, 0x03, 0x04, 0x05];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function syncPayload(type: number, update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

function awarenessPayload(
  entries: Array<{ clientId: number; clock: number; json: string }>,
  count = entries.length,
): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, count);
  for (const e of entries) {
    encoding.writeVarUint(inner, e.clientId);
    encoding.writeVarUint(inner, e.clock);
    encoding.writeVarString(inner, e.json);
  }
  const outer = encoding.createEncoder();
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
  return encoding.toUint8Array(outer);
}

export type Strategy =
  | 'replay'
  | 'bitflip'
  | 'bytes'
  | 'truncate'
  | 'extend'
  | 'huge-varint'
  | 'doc-name'
  | 'frame-type'
  | 'invalid-yjs'
  | 'mutated-yjs'
  | 'splice'
  | 'random'
  | 'oversize'
  | 'out-of-order'
  | 'awareness'
  | 'server-frame';

const STRATEGIES: Array<[Strategy, number]> = [
  ['replay', 14],
  ['bitflip', 12],
  ['bytes', 6],
  ['truncate', 8],
  ['extend', 5],
  ['huge-varint', 5],
  ['doc-name', 10],
  ['frame-type', 3],
  ['invalid-yjs', 8],
  ['mutated-yjs', 8],
  ['splice', 4],
  ['random', 4],
  ['oversize', 0.3],
  ['out-of-order', 8],
  ['awareness', 6],
  ['server-frame', 4],
];
/** Frames the server handles without closing the socket (answers with a notice, or drops them). */
const SAFE: ReadonlySet<Strategy> = new Set(['replay', 'doc-name', 'out-of-order']);
const pool = (safe: boolean) => STRATEGIES.filter(([s]) => SAFE.has(s) === safe);
const POOLS = { safe: pool(true), risky: pool(false) };
const weight = (list: Array<[Strategy, number]>) => list.reduce((n, [, w]) => n + w, 0);

/**
 * Produces one fuzz frame for the multiplexed /sync socket, and says how it was made. `safe` frames are
 * well-formed but hostile (replays, wrong or foreign doc names, frames out of order); `risky` ones are
 * mutated and usually make the server close the socket.
 */
export function nextFrame(g: Gen, corpus: Corpus, kind: 'safe' | 'risky'): { strategy: Strategy; frame: Uint8Array } {
  const list = POOLS[kind];
  let r = g.random() * weight(list);
  let strategy: Strategy = list[0]![0];
  for (const [s, w] of list) {
    r -= w;
    if (r <= 0) {
      strategy = s;
      break;
    }
  }
  return { strategy, frame: make(g, corpus, strategy, kind === 'safe') };
}

function make(g: Gen, corpus: Corpus, strategy: Strategy, safe = false): Uint8Array {
  const base = () => g.pick(corpus.client);
  const docs = () => (g.chance(0.6) ? g.pick(corpus.ownDocs) : g.pick(corpus.foreignDocs));
  switch (strategy) {
    case 'replay':
      return base();
    case 'bitflip': {
      const f = base().slice();
      const flips = 1 + g.int(8);
      for (let i = 0; i < flips && f.length > 0; i++) f[g.int(f.length)]! ^= 1 << g.int(8);
      return f;
    }
    case 'bytes': {
      const f = base().slice();
      const n = 1 + g.int(4);
      for (let i = 0; i < n && f.length > 0; i++) f[g.int(f.length)] = g.pick(INTERESTING_BYTES);
      return f;
    }
    case 'truncate': {
      const f = base();
      return f.subarray(0, g.int(f.length));
    }
    case 'extend': {
      const f = base();
      return g.chance(0.5) ? concat(f, g.bytes(1 + g.int(64))) : concat(f, f.subarray(g.int(f.length)));
    }
    case 'huge-varint': {
      // Replace the doc-name length, the payload's inner length, or a random position with a huge varUint.
      const f = base();
      const at = g.pick([1, Math.min(f.length, 2 + g.int(70)), g.int(f.length + 1)]);
      return concat(f.subarray(0, at), g.pick(HUGE_VARUINTS), f.subarray(Math.min(f.length, at + 1 + g.int(3))));
    }
    case 'doc-name': {
      const type = g.pick([FrameType.subscribe, FrameType.sync, FrameType.awareness, FrameType.unsubscribe]);
      const names = [
        ...corpus.foreignDocs,
        'é'.repeat(40),
        '\u{1F600}'.repeat(20),
        `ch.${crypto.randomUUID()}.seg.${g.int(2 ** 31)}`,
        `ch.${crypto.randomUUID()}.meta`,
        `inbox.${crypto.randomUUID()}`,
        `private.${crypto.randomUUID()}`,
        'a'.repeat(g.int(300)),
      ].filter((n) => !safe || (n.length > 0 && n.length <= 64));
      const payload =
        type === FrameType.sync
          ? syncPayload(g.int(3), g.pick(corpus.yjsUpdates))
          : g.chance(0.5)
            ? new Uint8Array()
            : g.bytes(g.int(40));
      return encodeFrame(type, g.pick(names), payload);
    }
    case 'frame-type': {
      const f = base();
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, g.pick([4, 5, 6, 127, 128, 255, 65_535, 2 ** 31]));
      return concat(encoding.toUint8Array(e), f.subarray(1));
    }
    case 'invalid-yjs': {
      // A well-formed frame whose Yjs update is garbage (or a garbage sync message type).
      const garbage = g.chance(0.5) ? g.bytes(g.int(200)) : concat(g.pick(HUGE_VARUINTS), g.bytes(g.int(20)));
      const type = g.chance(0.85)
        ? g.pick([syncProtocol.messageYjsUpdate, syncProtocol.messageYjsSyncStep2, syncProtocol.messageYjsSyncStep1])
        : 3 + g.int(300);
      return encodeFrame(FrameType.sync, docs(), syncPayload(type, garbage));
    }
    case 'mutated-yjs': {
      // A real Yjs update with bits flipped, truncated or extended, wrapped in a valid frame.
      const u = g.pick(corpus.yjsUpdates).slice();
      const how = g.int(3);
      let update: Uint8Array = u;
      if (how === 0) for (let i = 0; i < 1 + g.int(6) && u.length > 0; i++) u[g.int(u.length)]! ^= 1 << g.int(8);
      else if (how === 1) update = u.subarray(0, g.int(u.length));
      else update = concat(u, g.bytes(1 + g.int(16)));
      return encodeFrame(
        FrameType.sync,
        docs(),
        syncPayload(g.pick([syncProtocol.messageYjsUpdate, syncProtocol.messageYjsSyncStep2]), update),
      );
    }
    case 'splice': {
      const a = base();
      const b = base();
      return concat(a.subarray(0, g.int(a.length + 1)), b.subarray(g.int(b.length + 1)));
    }
    case 'random':
      return g.bytes(g.int(g.chance(0.9) ? 64 : 4096));
    case 'oversize':
      // Past SYNC_LIMITS.maxFrameBytes (256 KiB) but under the WebSocket maxPayload, or past both.
      return concat(encodeFrame(FrameType.sync, docs()), g.bytes(g.chance(0.5) ? 257 * 1024 : 300 * 1024));
    case 'out-of-order': {
      // Valid frames in an order the protocol does not expect: sync before subscribe, unsubscribe of
      // something never subscribed, double subscribe, a notice from the client, step 2 unasked.
      let doc = docs();
      if (safe && (doc.length === 0 || doc.length > 64)) doc = g.pick(corpus.ownDocs);
      const variants = [
        () =>
          encodeFrame(FrameType.sync, doc, syncPayload(syncProtocol.messageYjsSyncStep2, g.pick(corpus.yjsUpdates))),
        () => encodeFrame(FrameType.unsubscribe, doc),
        () => encodeFrame(FrameType.subscribe, doc),
        () => encodeFrame(FrameType.sync, doc, syncPayload(syncProtocol.messageYjsSyncStep1, Uint8Array.of(0))),
      ];
      if (!safe) {
        variants.push(
          () => encodeFrame(FrameType.notice, doc, g.bytes(g.int(20))),
          () => encodeFrame(FrameType.awareness, doc, g.bytes(g.int(30))),
        );
      }
      return g.pick(variants)();
    }
    case 'awareness': {
      const doc = g.chance(0.8) ? (g.pick(corpus.ownDocs.filter((d) => d.endsWith('.meta'))) ?? docs()) : docs();
      const n = g.int(7);
      const entries = Array.from({ length: n }, () => ({
        clientId: g.chance(0.5) ? g.int(2 ** 31) : g.pick([0, 1, 2 ** 53 - 1]),
        clock: g.chance(0.5) ? g.int(100) : 2 ** 53 - 1,
        json: g.pick([
          'null',
          '{"typing":true}',
          '{"user":{"id":"someone-else","name":"admin"},"typing":true}',
          '{',
          '"x"',
          `{"big":"${'y'.repeat(g.int(5000))}"}`,
          '[1,2,3]',
          '{"__proto__":{"polluted":true}}',
        ]),
      }));
      return encodeFrame(
        FrameType.awareness,
        doc,
        awarenessPayload(entries, g.chance(0.9) ? n : g.pick([2 ** 31, 5, 1000])),
      );
    }
    case 'server-frame': {
      // What the server sends, sent back to it (its own step 2 with real messages, its notices).
      const f = g.pick(corpus.server.length > 0 ? corpus.server : corpus.client);
      return g.chance(0.7) ? f : f.subarray(0, g.int(f.length));
    }
  }
}

/** Frames for the stock one-doc endpoint (`/sync/doc/<name>`): `varUint type · y-protocols payload`. */
export function nextStockFrame(g: Gen, corpus: Corpus): Uint8Array {
  const update = g.pick(corpus.yjsUpdates);
  const e = encoding.createEncoder();
  switch (g.int(6)) {
    case 0:
      encoding.writeVarUint(e, 0);
      encoding.writeUint8Array(e, syncPayload(syncProtocol.messageYjsUpdate, update));
      return encoding.toUint8Array(e);
    case 1: {
      encoding.writeVarUint(e, 0);
      const u = update.slice();
      for (let i = 0; i < 3 && u.length > 0; i++) u[g.int(u.length)]! ^= 1 << g.int(8);
      encoding.writeUint8Array(e, syncPayload(g.pick([0, 1, 2]), u));
      return encoding.toUint8Array(e);
    }
    case 2:
      encoding.writeVarUint(e, 1);
      encoding.writeUint8Array(e, g.bytes(g.int(50)));
      return encoding.toUint8Array(e);
    case 3:
      return g.bytes(g.int(100));
    case 4:
      return concat(Uint8Array.of(0), g.pick(HUGE_VARUINTS), g.bytes(g.int(10)));
    default:
      encoding.writeVarUint(e, g.int(1000));
      return encoding.toUint8Array(e);
  }
}
