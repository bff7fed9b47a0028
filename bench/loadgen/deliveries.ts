import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hist, type SparseHist } from '../lib/hist.ts';
import type { Stamp } from '../lib/stamp.ts';

/** What one subscriber has received: a bitset over message indexes. */
export interface SubTrack {
  bits: Uint8Array;
  count: number;
}

export interface DeliveryReport {
  deliveries: number;
  unique: number;
  dups: number;
  /** Deliveries that came with the initial sync (step 2) rather than as a live update: no latency. */
  initial: number;
  outOfRange: number;
  subs: number;
  /** Fewest unique messages any one subscriber got. */
  minPerSub: number | null;
  /** Per step: latency histogram of live deliveries, and how many distinct messages this process saw. */
  steps: Record<string, { hist: SparseHist; distinct: number }>;
  /** Distinct message indexes seen by any subscriber of this process (for cross-process union). */
  seen?: number[];
}

/**
 * Delivery accounting of one load-generator process. Latency is `now - sentAt` of the first delivery
 * of a message to a subscriber; repeats count as dups and do not enter the histogram.
 */
export class Deliveries {
  readonly tracks: SubTrack[] = [];
  private readonly hists = new Map<number, Hist>();
  private readonly distinctPerStep = new Map<number, number>();
  private readonly seenAny: Uint8Array;
  deliveries = 0;
  unique = 0;
  dups = 0;
  initial = 0;
  outOfRange = 0;

  /** Diagnostics (`BENCH_PER_MESSAGE_DIR`): per message index, the sum and the worst of its live latencies. */
  private readonly perMessage?: { sum: Float64Array; max: Float64Array; count: Uint32Array; sentAt: Float64Array };

  constructor(readonly capacity: number) {
    this.seenAny = new Uint8Array(Math.ceil(capacity / 8) + 1);
    if (process.env.BENCH_PER_MESSAGE_DIR)
      this.perMessage = {
        sum: new Float64Array(capacity),
        max: new Float64Array(capacity),
        count: new Uint32Array(capacity),
        sentAt: new Float64Array(capacity),
      };
  }

  /**
   * Writes the per-message figures to `BENCH_PER_MESSAGE_DIR/<server>-<pid>.json` when that diagnostics
   * option is on: rows of [index, deliveries, latency sum ms, worst ms, sentAt]. Read with
   * `bench/tools/per-message.ts`.
   */
  dumpPerMessage(server: string): void {
    const dir = process.env.BENCH_PER_MESSAGE_DIR;
    if (!dir || !this.perMessage) return;
    const { sum, max, count, sentAt } = this.perMessage;
    const rows: [number, number, number, number, number][] = [];
    for (let i = 0; i < this.capacity; i++) if (count[i]) rows.push([i, count[i]!, sum[i]!, max[i]!, sentAt[i]!]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${server}-${process.pid}.json`), JSON.stringify(rows));
  }

  newTrack(): SubTrack {
    const t = { bits: new Uint8Array(Math.ceil(this.capacity / 8) + 1), count: 0 };
    this.tracks.push(t);
    return t;
  }

  record(track: SubTrack, stamp: Stamp, now: number, live: boolean): void {
    this.deliveries++;
    const i = stamp.index;
    if (i < 0 || i >= this.capacity) {
      this.outOfRange++;
      return;
    }
    const byte = i >> 3;
    const bit = 1 << (i & 7);
    if (track.bits[byte]! & bit) {
      this.dups++;
      return;
    }
    track.bits[byte]! |= bit;
    track.count++;
    this.unique++;
    if (!(this.seenAny[byte]! & bit)) {
      this.seenAny[byte]! |= bit;
      this.distinctPerStep.set(stamp.step, (this.distinctPerStep.get(stamp.step) ?? 0) + 1);
    }
    if (!live) {
      this.initial++;
      return;
    }
    let h = this.hists.get(stamp.step);
    if (!h) this.hists.set(stamp.step, (h = new Hist()));
    h.add(now - stamp.sentAt);
    if (this.perMessage) {
      const ms = now - stamp.sentAt;
      this.perMessage.sum[i] = this.perMessage.sum[i]! + ms;
      this.perMessage.count[i]!++;
      if (ms > this.perMessage.max[i]!) this.perMessage.max[i] = ms;
      this.perMessage.sentAt[i] = stamp.sentAt;
    }
  }

  distinctSeen(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.capacity; i++) if (this.seenAny[i >> 3]! & (1 << (i & 7))) out.push(i);
    return out;
  }

  report(withSeen: boolean): DeliveryReport {
    const steps: DeliveryReport['steps'] = {};
    const keys = new Set([...this.hists.keys(), ...this.distinctPerStep.keys()]);
    for (const k of keys) {
      steps[String(k)] = {
        hist: (this.hists.get(k) ?? new Hist()).sparse(),
        distinct: this.distinctPerStep.get(k) ?? 0,
      };
    }
    let minPerSub: number | null = null;
    for (const t of this.tracks) if (minPerSub === null || t.count < minPerSub) minPerSub = t.count;
    return {
      deliveries: this.deliveries,
      unique: this.unique,
      dups: this.dups,
      initial: this.initial,
      outOfRange: this.outOfRange,
      subs: this.tracks.length,
      minPerSub,
      steps,
      ...(withSeen ? { seen: this.distinctSeen() } : {}),
    };
  }
}

/** Unique messages a track holds among `indexes`. */
export function countHeld(track: SubTrack, indexes: readonly number[]): number {
  let n = 0;
  for (const i of indexes) if (track.bits[i >> 3]! & (1 << (i & 7))) n++;
  return n;
}
