import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type Fanout, type FanoutEnvelope } from '../../sync-server/fanout/fanout.ts';
import { connectRedis, redisFanout } from '../support/redis.ts';

/**
 * Two nodes on a real Redis. A reconnect storm makes a node subscribe to hundreds of topics at once
 * (they go to Redis together): each must still reach exactly its own handler, and a topic dropped stops
 * arriving while the others keep going.
 */
describe('Redis fan-out between nodes', () => {
  let a: { fanout: Fanout; close: () => Promise<void> };
  let b: { fanout: Fanout; close: () => Promise<void> };
  beforeAll(async () => {
    [a, b] = await Promise.all([redisFanout(), redisFanout()]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const waitFor = async (check: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for fan-out messages');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('topics subscribed at once each reach their own handler; unsubscribed ones stop, the rest go on', async () => {
    const users = Array.from({ length: 200 }, () => randomUUID());
    const received = new Map<string, string[]>();
    const unsubscribe = await Promise.all(
      users.map((u) =>
        a.fanout.subscribe(topics.user(u), (envelope: FanoutEnvelope) => {
          const e = envelope.event;
          if (e.kind === 'revoke') received.set(u, [...(received.get(u) ?? []), e.reason]);
        }),
      ),
    );
    const say = (reason: string) =>
      Promise.all(
        users.map((u) =>
          b.fanout.publish(topics.user(u), { kind: 'revoke', userId: u, channelId: u, reason: `${reason} ${u}` }),
        ),
      );
    const counts = await say('first');
    // Each publish reached exactly one other node.
    expect(counts.every((n) => n === 1)).toBe(true);
    await waitFor(() => users.every((u) => received.get(u)?.length === 1));
    for (const u of users) expect(received.get(u)).toEqual([`first ${u}`]);

    await Promise.all(unsubscribe.slice(0, 100).map((off) => off()));
    await say('second');
    await waitFor(() => users.slice(100).every((u) => received.get(u)?.length === 2));
    // Give a stray delivery to a dropped topic the time to show up, then check there was none.
    await new Promise((r) => setTimeout(r, 200));
    for (const u of users.slice(0, 100)) expect(received.get(u)).toEqual([`first ${u}`]);
    for (const u of users.slice(100)) expect(received.get(u)).toEqual([`first ${u}`, `second ${u}`]);
  });
  it("a node does not hear its own messages; it hears other nodes', an older node's envelope, and skips garbage", async () => {
    const topic = topics.user(randomUUID());
    const heardByA: string[] = [];
    const heardByB: string[] = [];
    const record = (into: string[]) => (envelope: FanoutEnvelope) => {
      if (envelope.event.kind === 'revoke')
        into.push(`${envelope.origin === a.fanout.nodeId ? 'a' : envelope.origin}:${envelope.event.reason}`);
    };
    const offA = await a.fanout.subscribe(topic, record(heardByA));
    const offB = await b.fanout.subscribe(topic, record(heardByB));
    const raw = await connectRedis();
    try {
      const revoke = (reason: string) => ({ kind: 'revoke' as const, userId: 'u', channelId: 'c', reason });
      // Each node's publish reaches the one other node (its own subscription is not counted).
      expect(await a.fanout.publish(topic, revoke('from a'))).toBe(1);
      // What a node of the previous release sends: a JSON envelope.
      await raw.publish(topic, JSON.stringify({ origin: 'old-node', event: revoke('from an old node') }));
      // Not a fan-out message at all: dropped with a warning, and what follows still arrives.
      await raw.publish(topic, 'not json at all');
      await raw.publish(topic, 'x|{broken');
      expect(await b.fanout.publish(topic, revoke('from b'))).toBe(1);
      await waitFor(() => heardByA.length === 2 && heardByB.length === 2);
      await new Promise((r) => setTimeout(r, 200));
      expect(heardByA).toEqual(['old-node:from an old node', `${b.fanout.nodeId}:from b`]);
      expect(heardByB).toEqual(['a:from a', 'old-node:from an old node']);
    } finally {
      raw.disconnect();
      await Promise.all([offA(), offB()]);
    }
  });
});
