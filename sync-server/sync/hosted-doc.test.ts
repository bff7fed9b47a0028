import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { HostedDoc } from './hosted-doc.ts';
import type { SyncPeer } from './sync-peer.ts';

/** A subscriber that applies what it receives to its own replica, as a client would. */
function replicaPeer(id: number): SyncPeer & { doc: Y.Doc; frames: number } {
  const doc = new Y.Doc();
  const peer = {
    id: `peer-${id}`,
    userId: `user-${id}`,
    doc,
    frames: 0,
    sendSync(_name: string, payload: Uint8Array) {
      peer.frames++;
      const decoder = decoding.createDecoder(payload);
      expect(decoding.readVarUint(decoder)).toBe(syncProtocol.messageYjsUpdate);
      Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
    },
    sendAwareness() {},
    notice() {},
    dropDoc() {},
  };
  return peer as unknown as SyncPeer & { doc: Y.Doc; frames: number };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const settle = async () => {
  for (let i = 0; i < 200; i++) await turn();
};

describe('broadcasting a server change to a big room', () => {
  it('reaches every subscriber with every message, lets other work run meanwhile, and merges what piled up', async () => {
    const doc = new Y.Doc();
    const hosted = new HostedDoc('ch.x.seg.0', { kind: 'channel-segment', channelId: 'x', segment: 0 }, doc, {
      awareness: false,
    });
    const peers = Array.from({ length: 3000 }, (_, i) => replicaPeer(i));
    for (const p of peers) hosted.peers.add(p);
    const messages = doc.getMap<string>('messages');

    messages.set('m1', 'first');
    let ranDuring = false;
    let broadcastDoneBefore = true;
    await turn(); // the flush starts the broadcast
    setImmediate(() => {
      ranDuring = true;
      broadcastDoneBefore = peers.at(-1)!.frames > 0;
    });
    // Two more messages while the first is still going out.
    messages.set('m2', 'second');
    await turn();
    messages.set('m3', 'third');
    await settle();

    expect(ranDuring).toBe(true);
    // Other work got a turn before the last subscriber had the first message: the broadcast yields.
    expect(broadcastDoneBefore).toBe(false);
    for (const p of peers) {
      expect(p.doc.getMap('messages').toJSON()).toEqual({ m1: 'first', m2: 'second', m3: 'third' });
    }
    // m2 and m3 piled up behind the first broadcast and went out as one frame.
    expect(Math.max(...peers.map((p) => p.frames))).toBe(2);
    hosted.destroy();
  });

  it('sends nothing more to a subscriber that left while a broadcast was going out', async () => {
    const doc = new Y.Doc();
    const hosted = new HostedDoc('ch.x.seg.0', { kind: 'channel-segment', channelId: 'x', segment: 0 }, doc, {
      awareness: false,
    });
    const peers = Array.from({ length: 3000 }, (_, i) => replicaPeer(i));
    for (const p of peers) hosted.peers.add(p);
    doc.getMap<string>('messages').set('m1', 'first');
    await turn();
    const leaver = peers.at(-1)!;
    hosted.peers.delete(leaver);
    await settle();
    expect(leaver.frames).toBe(0);
    expect(peers[0]!.doc.getMap('messages').get('m1')).toBe('first');
    expect(peers.at(-2)!.doc.getMap('messages').get('m1')).toBe('first');
    hosted.destroy();
  });
});
