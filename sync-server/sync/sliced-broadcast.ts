import { performance } from 'node:perf_hooks';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { encodeFrame, FrameType } from '../../shared/protocol/frames.ts';
import type { SyncPeer } from './sync-peer.ts';

const SLICE_MS = 1;

/**
 * A paced broadcast: each pass reaches its subscribers evenly over `spreadMs`, a share of them every
 * `gapMs`. For docs whose changes are bookkeeping rather than messages (a big room's meta doc: the head
 * moving on, pins, thread states).
 */
export interface BroadcastPace {
  readonly spreadMs: number;
  readonly gapMs: number;
}

/** One round of sending: these subscribers, from `next` on, are still owed `updates`. */
interface Pass {
  readonly peers: SyncPeer[];
  next: number;
  readonly updates: Uint8Array[];
  payload?: Uint8Array;
  frame?: Uint8Array;
  /** Hands out `frame`, encoding it on first use: one function per pass, not one per subscriber. */
  readonly encoded: () => Uint8Array;
}

/**
 * Sends a big room's server updates in slices of ~1 ms. A socket write costs ~10–15 µs here, so one update
 * to 1,000 subscribers is ~15 ms of writes; sent in one go it stalls everything else the node does (the
 * next message's database round trips, incoming frames) for the whole broadcast.
 *
 * An update that arrives while a broadcast is going out does not wait for it to finish: the subscribers
 * the broadcast has not reached yet get it merged into the frame they are about to receive (one write
 * instead of two), and everyone else — those already served, and anyone who subscribed meanwhile (their
 * sync answer held what came before) — gets it in a new pass that starts at once. Each subscriber is owed
 * by at most one pass at a time, so it receives its updates in order and never twice.
 */
export class SlicedBroadcast {
  private passes: Pass[] = [];
  private scheduled = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly docName: string,
    /** The doc's subscribers now (a subscriber that left is skipped). */
    private readonly subscribers: () => ReadonlySet<SyncPeer>,
    /** Spreads each pass over time at this many subscribers per gap instead of sending as fast as it can. */
    private readonly pace?: BroadcastPace,
  ) {}

  get sending(): boolean {
    return this.passes.length > 0;
  }

  send(updates: readonly Uint8Array[]): void {
    if (this.stopped || updates.length === 0) return;
    const subscribers = this.subscribers();
    if (this.passes.length === 0) {
      this.passes.push(this.pass([...subscribers], updates));
    } else {
      const owed = new Set<SyncPeer>();
      for (const pass of this.passes) {
        for (let i = pass.next; i < pass.peers.length; i++) owed.add(pass.peers[i]!);
        pass.updates.push(...updates);
        pass.payload = undefined;
        pass.frame = undefined;
      }
      const upToDate = [...subscribers].filter((peer) => !owed.has(peer));
      if (upToDate.length > 0) this.passes.push(this.pass(upToDate, updates));
    }
    if (!this.scheduled) this.slice();
  }

  private pass(peers: SyncPeer[], updates: readonly Uint8Array[]): Pass {
    const pass: Pass = { peers, next: 0, updates: [...updates], encoded: () => frameOf(pass, this.docName) };
    return pass;
  }

  stop(): void {
    this.stopped = true;
    this.passes = [];
    clearTimeout(this.timer);
  }

  private slice(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const until = performance.now() + SLICE_MS;
    const pace = this.pace;
    const budget = pace ? Math.ceil(this.passes[0]!.peers.length / (pace.spreadMs / pace.gapMs)) : Infinity;
    const subscribers = this.subscribers();
    let sent = 0;
    while (this.passes.length > 0 && sent < budget) {
      const pass = this.passes[0]!;
      while (pass.next < pass.peers.length) {
        const peer = pass.peers[pass.next++]!;
        // A subscriber that left or lost access between two slices gets nothing more.
        if (subscribers.has(peer)) peer.sendSync(this.docName, payloadOf(pass), pass.encoded);
        if (++sent >= budget || ((sent & 31) === 0 && performance.now() >= until)) break;
      }
      if (pass.next < pass.peers.length) break;
      this.passes.shift();
    }
    if (this.passes.length > 0) {
      this.scheduled = true;
      if (pace) this.timer = setTimeout(() => this.slice(), pace.gapMs);
      else setImmediate(() => this.slice());
    }
  }
}

/** One sync-update message carrying these server updates (merged when there are several). */
export function updatePayload(updates: readonly Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeUpdate(encoder, updates.length === 1 ? updates[0]! : Y.mergeUpdates([...updates]));
  return encoding.toUint8Array(encoder);
}

function payloadOf(pass: Pass): Uint8Array {
  return (pass.payload ??= updatePayload(pass.updates));
}

function frameOf(pass: Pass, docName: string): Uint8Array {
  return (pass.frame ??= encodeFrame(FrameType.sync, docName, payloadOf(pass)));
}
