import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type Fanout, type FanoutEnvelope } from '../../sync-server/fanout/fanout.ts';
import { redisFanout } from '../support/redis.ts';

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
});
