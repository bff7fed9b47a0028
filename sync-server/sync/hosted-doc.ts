import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { encodeFrame, FrameType } from '../../shared/protocol/frames.ts';
import type { DocName } from '../../shared/sync/doc-names.ts';
import { SlicedBroadcast, updatePayload, type BroadcastPace } from './sliced-broadcast.ts';
import type { SyncPeer } from './sync-peer.ts';

// Subscribers served in one go; a bigger room's server updates go out in time slices.
const BROADCAST_SLICE_PEERS = 256;

/**
 * A big room's meta doc changes reach its subscribers spread over a second. Those changes are
 * bookkeeping — the head moving on every 256 messages, a pin, a thread's state — and the head move lands
 * with the first message of the new segment. Sent at once, every device would apply it in the same
 * instant as that message: on a host running many clients (the fan-out benchmark's load generators: a
 * meta update costs each replica 50–200 µs there) that is a burst of CPU that delayed the messages after
 * each segment boundary by 50–150 ms, the benchmark's worst latencies; and the server would write two
 * frames per member for that message. Spread, it is a trickle. Devices hold the next segment before the
 * head moves (nextSegmentPoint), so no message waits for it; a pin shows within a second.
 */
const META_PACE: BroadcastPace = { spreadMs: 1000, gapMs: 10 };

/** Origin of changes that came from another node over the fan-out. */
export const FANOUT_ORIGIN = Symbol('fanout');

/**
 * A doc this node holds in memory, with its subscribers. The registry is its only owner: it is created
 * by a load and destroyed by an unload, never anywhere else.
 */
export class HostedDoc {
  readonly peers = new Set<SyncPeer>();
  /** Channel docs: every channel change up to this change_seq has been applied. */
  changeSeq = 0;
  /** Channel docs: the room that governs access (the thread's room for a thread), for revocations. */
  roomId: string | null = null;
  /** Private docs: roughly how large the doc is, to enforce the size cap without encoding it often. */
  approxBytes = 0;
  readonly awareness: awarenessProtocol.Awareness | undefined;
  /** Server-written updates waiting for the end of this event-loop turn (see updated). */
  private pending: Uint8Array[] = [];
  /**
   * The doc's update listener. Assigned in the constructor, not written as a field initializer: the
   * server runs under tsx, whose esbuild `keepNames` defines `name` on every named function, and that
   * turns each per-instance closure into a dictionary-mode object (~250 bytes; two docs per connection).
   * An arrow assigned to a member gets no name, so it stays small. The same holds in doc-hosts.ts.
   */
  private readonly onUpdate: (update: Uint8Array, origin: unknown) => void;

  private updated(update: Uint8Array, origin: unknown): void {
    // A peer's own write (private docs) is never echoed back to it, so it cannot be merged with others.
    if (origin !== undefined && origin !== null && typeof origin === 'object') {
      this.broadcast([update], origin);
      return;
    }
    // Server writes (channel changes, verdicts) that land in one turn go out as one merged update:
    // a burst of changes costs each subscriber one frame instead of one per change.
    this.pending.push(update);
    if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.destroyed) return;
    const updates = this.pending;
    this.pending = [];
    if (updates.length === 0) return;
    if (this.peers.size > BROADCAST_SLICE_PEERS || this.sliced.sending) this.sliced.send(updates);
    else this.broadcast(updates, undefined);
  }

  private broadcast(updates: Uint8Array[], except: unknown): void {
    const payload = updatePayload(updates);
    const encoded = lazyFrame(this.name, payload);
    for (const peer of this.peers) if (peer !== except) peer.sendSync(this.name, payload, encoded);
  }

  /** A big room's server updates go out in time slices (see SlicedBroadcast). */
  private readonly sliced: SlicedBroadcast;
  private destroyed = false;

  constructor(
    readonly name: string,
    readonly parsed: DocName,
    readonly doc: Y.Doc,
    options: { awareness: boolean },
  ) {
    this.sliced = new SlicedBroadcast(name, () => this.peers, parsed.kind === 'channel-meta' ? META_PACE : undefined);
    this.onUpdate = (update, origin) => this.updated(update, origin);
    doc.on('update', this.onUpdate);
    if (options.awareness) {
      this.awareness = new awarenessProtocol.Awareness(doc);
      // The server has no presence of its own.
      this.awareness.setLocalState(null);
    }
  }

  broadcastAwareness(payload: Uint8Array): void {
    for (const peer of this.peers) peer.sendAwareness(this.name, payload);
  }

  destroy(): void {
    this.destroyed = true;
    this.sliced.stop();
    this.doc.off('update', this.onUpdate);
    this.awareness?.destroy();
    this.doc.destroy();
    this.peers.clear();
  }
}

/**
 * The doc's frame, encoded once for every subscriber whatever their number, on first use. Returned
 * anonymous: a named arrow made on every broadcast would pay tsx's keepNames `name` definition each time.
 */
function lazyFrame(docName: string, payload: Uint8Array): () => Uint8Array {
  let frame: Uint8Array | undefined;
  return () => (frame ??= encodeFrame(FrameType.sync, docName, payload));
}
