import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { HostedDoc } from './hosted-doc.ts';
import type { SyncPeer } from './sync-peer.ts';

type ReplicaPeer = SyncPeer & { doc: Y.Doc; frames: number; log: string[] };

/** A subscriber that applies what it receives to its own replica, as a client would. */
function replicaPeer(id: number, received: Array<{ peer: number; keys: string[] }>): ReplicaPeer {
  const doc = new Y.Doc();
  const peer = {
    id: `peer-${id}`,
    userId: `user-${id}`,
    doc,
    frames: 0,
    log: [] as string[],
    sendSync(_name: string, payload: Uint8Array) {
      peer.frames++;
      const decoder = decoding.createDecoder(payload);
      expect(decoding.readVarUint(decoder)).toBe(syncProtocol.messageYjsUpdate);
      const before = new Set(doc.getMap('messages').keys());
      Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
      // In order: nothing arrives that depends on something not received yet.
      expect(doc.store.pendingStructs).toBeNull();
      const keys = [...doc.getMap('messages').keys()].filter((k) => !before.has(k));
      received.push({ peer: id, keys });
    },
    sendAwareness() {},
    notice() {},
    dropDoc() {},
  };
  return peer as unknown as ReplicaPeer;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const settle = async () => {
  for (let i = 0; i < 400; i++) await turn();
};

function bigRoom(count: number, kind: 'channel-segment' | 'channel-meta' = 'channel-segment') {
  const doc = new Y.Doc();
  const hosted =
    kind === 'channel-segment'
      ? new HostedDoc('ch.x.seg.0', { kind, channelId: 'x', segment: 0 }, doc, { awareness: false })
      : new HostedDoc('ch.x.meta', { kind, channelId: 'x' }, doc, { awareness: false });
  const received: Array<{ peer: number; keys: string[] }> = [];
  const peers = Array.from({ length: count }, (_, i) => replicaPeer(i, received));
  for (const p of peers) hosted.peers.add(p);
  return { doc, hosted, peers, received, messages: doc.getMap<string>('messages') };
}

// Thousands of replica docs applying every frame: seconds of CPU on a loaded two-core machine, not a timing.
describe('broadcasting server changes to a big room', { timeout: 30_000 }, () => {
  it('reaches everyone with every message; a new message does not wait for the last one to reach everybody', async () => {
    const { hosted, peers, received, messages } = bigRoom(3000);
    messages.set('m1', 'first');
    await turn(); // the first slice of m1 goes out
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = peers.at(-1)!.frames === 0));
    messages.set('m2', 'second');
    await turn();
    messages.set('m3', 'third');
    await settle();

    // The broadcast yields: other work got a turn before the last subscriber had the first message.
    expect(otherWorkRan).toBe(true);
    for (const p of peers) {
      expect(p.doc.getMap('messages').toJSON()).toEqual({ m1: 'first', m2: 'second', m3: 'third' });
      expect(p.frames).toBeLessThanOrEqual(3);
    }
    // m2 reached the first subscribers before m1 had reached the last one…
    const firstM2 = received.findIndex((r) => r.keys.includes('m2'));
    const lastM1 = received.findLastIndex((r) => r.keys.includes('m1'));
    expect(firstM2).toBeLessThan(lastM1);
    // …and the subscribers m1 had not reached yet got m1 and m2 in one frame.
    expect(received.some((r) => r.keys.includes('m1') && r.keys.includes('m2'))).toBe(true);
    hosted.destroy();
  });

  it('converges for subscribers that join and leave while messages keep coming', async () => {
    const { doc, hosted, peers, received, messages } = bigRoom(1500);
    const joined: ReplicaPeer[] = [];
    const left = new Set<ReplicaPeer>();
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 40; i++) {
      messages.set(`m${i}`, `message ${i}`);
      if (random() < 0.3) {
        // A new subscriber gets the doc's state now (its sync answer), then updates.
        const peer = replicaPeer(10_000 + i, received);
        Y.applyUpdate(peer.doc, Y.encodeStateAsUpdate(doc));
        hosted.peers.add(peer);
        joined.push(peer);
      }
      if (random() < 0.3) {
        const leaving = peers[Math.floor(random() * peers.length)]!;
        hosted.peers.delete(leaving);
        left.add(leaving);
      }
      const turns = Math.floor(random() * 4);
      for (let t = 0; t < turns; t++) await turn();
    }
    await settle();
    const expected = doc.getMap('messages').toJSON();
    for (const p of [...peers, ...joined]) {
      if (left.has(p)) continue;
      expect(p.doc.getMap('messages').toJSON()).toEqual(expected);
      // Never a message twice: merged frames replace separate ones, they are not added to them.
      expect(p.frames).toBeLessThanOrEqual(40);
    }
    hosted.destroy();
  });

  it("spreads the meta doc's changes over time, and every subscriber ends with all of them, in order", async () => {
    // Only the pauses between paced slices are faked: event-loop turns stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { doc, hosted, peers } = bigRoom(1000, 'channel-meta');
      const meta = doc.getMap<number>('meta');
      const headOf = (p: ReplicaPeer) => p.doc.getMap<number>('meta').get('head');
      meta.set('head', 1);
      for (let i = 0; i < 5; i++) await turn();
      // The head moving on is bookkeeping: a hundredth of the devices has it, the rest over the next second.
      expect(peers.filter((p) => headOf(p) === 1)).toHaveLength(10);
      meta.set('head', 2);
      for (let i = 0; i < 200 && peers.some((p) => headOf(p) !== 2); i++) {
        vi.advanceTimersByTime(10);
        await turn();
      }
      for (const p of peers) {
        expect(headOf(p)).toBe(2);
        expect(p.frames).toBeLessThanOrEqual(2);
      }
      // Those the first change had not reached yet got both in one frame.
      expect(peers.filter((p) => p.frames === 1).length).toBeGreaterThan(800);
      hosted.destroy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends nothing more to a subscriber that left while a broadcast was going out', async () => {
    const { hosted, peers, messages } = bigRoom(3000);
    messages.set('m1', 'first');
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
