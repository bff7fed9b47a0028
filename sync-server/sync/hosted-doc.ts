import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import type * as Y from 'yjs';
import type { DocName } from '../../shared/sync/doc-names.ts';
import type { SyncPeer } from './sync-peer.ts';

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
  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    const encoder = encoding.createEncoder();
    syncProtocol.writeUpdate(encoder, update);
    const payload = encoding.toUint8Array(encoder);
    for (const peer of this.peers) if (peer !== origin) peer.sendSync(this.name, payload);
  };

  constructor(
    readonly name: string,
    readonly parsed: DocName,
    readonly doc: Y.Doc,
    options: { awareness: boolean },
  ) {
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
    this.doc.off('update', this.onUpdate);
    this.awareness?.destroy();
    this.doc.destroy();
    this.peers.clear();
  }
}
