import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateMaps } from '../../client/src/sync/outbox.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { createMember, loungeRoomId, seededDatabase } from '../support/fixtures.ts';
import type { TestDatabase } from '../support/postgres.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';

/**
 * Messages a limit holds back (slow mode here: seconds, where the rate limit takes a minute) go out by
 * themselves, in the order written, whatever the member's devices do meanwhile — even once they have
 * closed the app and the doc their outbox lives in has left the server's memory.
 */
describe('held sends go out by themselves (real WebSockets, PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node: SyncNode;
  const devices: TestDevice[] = [];
  const device = (member: { id: string; host_user_id: string }) => {
    const d = new TestDevice(member.id, node.baseUrl, node.tokenFor(member.host_user_id)).start();
    devices.push(d);
    return d;
  };
  const bodiesOf = async (authorId: string) =>
    (
      await db.query<{ body: string }>('SELECT body FROM messages WHERE author_id = $1 ORDER BY seq', [authorId])
    ).rows.map((r) => r.body);
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    ({ testDb } = await seededDatabase().then(async (seeded) => {
      await seeded.db.close();
      return seeded;
    }));
    db = createPgDatabase(testDb.url);
    // Docs nobody subscribes to leave memory fast here, as after 30 s in production.
    node = await startSyncNode(db, { sync: { idleUnloadMs: 200 } });
  });
  afterAll(async () => {
    for (const d of devices) d.stop();
    await node.close();
    await db.close();
    await testDb.drop();
  });

  it('in the order written, though each was held from a different moment', async () => {
    const room = await loungeRoomId(db, 'general');
    await db.query('UPDATE rooms SET slow_mode_seconds = 3 WHERE id = $1', [room]);
    const bo = await createMember(db, 'held_bo', { daysAgo: 5, messagesSent: 20 });
    const d = device(bo);
    await d.openChannel(room);
    const ids: string[] = [];
    for (const [i, gap] of [0, 1500, 500, 700].entries()) {
      await pause(gap);
      ids.push(d.intent({ kind: 'send', channelId: room, body: `in order ${i + 1}` }));
    }
    await waitFor('all four sent', () => ids.every((id) => d.verdict(id)?.status === 'accepted'), 20_000);
    expect(await bodiesOf(bo.id)).toEqual(['in order 1', 'in order 2', 'in order 3', 'in order 4']);
  });

  it('one device takes back the last held message: the other still goes out on time', async () => {
    const room = await loungeRoomId(db, 'newcomers');
    await db.query('UPDATE rooms SET slow_mode_seconds = 3 WHERE id = $1', [room]);
    const cy = await createMember(db, 'held_cy', { daysAgo: 5, messagesSent: 20 });
    const laptop = device(cy);
    const phone = device(cy);
    await Promise.all([laptop.openChannel(room), phone.openChannel(room)]);
    const ids = ['slow 1', 'slow 2', 'slow 3'].map((body) => laptop.intent({ kind: 'send', channelId: room, body }));
    await waitFor('the last held on the phone', () => phone.verdict(ids[2]!)?.status === 'waiting');
    privateMaps(phone.privateDoc).outbox.delete(ids[2]!);
    await waitFor('the second sent', () => laptop.verdict(ids[1]!)?.status === 'accepted', 10_000);
    await pause(3_500);
    expect(await bodiesOf(cy.id)).toEqual(['slow 1', 'slow 2']);
  });

  it('the member closes the app: held messages still go out when the limit allows', async () => {
    const room = await loungeRoomId(db, 'prompt-engineering');
    await db.query('UPDATE rooms SET slow_mode_seconds = 3 WHERE id = $1', [room]);
    const di = await createMember(db, 'held_di', { daysAgo: 5, messagesSent: 20 });
    const d = device(di);
    await d.openChannel(room);
    const ids = ['gone 1', 'gone 2', 'gone 3'].map((body) => d.intent({ kind: 'send', channelId: room, body }));
    await waitFor(
      'two held',
      () => d.verdict(ids[2]!)?.status === 'waiting' && d.verdict(ids[1]!)?.status === 'waiting',
    );
    d.stop();
    await waitFor('all three posted with nobody connected', async () => (await bodiesOf(di.id)).length === 3, 15_000);
    expect(await bodiesOf(di.id)).toEqual(['gone 1', 'gone 2', 'gone 3']);
  });

  it('the server restarts while messages are held: they still go out, with nobody connected', async () => {
    const room = await loungeRoomId(db, 'ai-art');
    await db.query('UPDATE rooms SET slow_mode_seconds = 3 WHERE id = $1', [room]);
    const ed = await createMember(db, 'held_ed', { daysAgo: 5, messagesSent: 20 });
    const first = await startSyncNode(db, { sync: { idleUnloadMs: 200 } });
    const d = new TestDevice(ed.id, first.baseUrl, first.tokenFor(ed.host_user_id)).start();
    try {
      await d.openChannel(room);
      const ids = ['restart 1', 'restart 2'].map((body) => d.intent({ kind: 'send', channelId: room, body }));
      await waitFor('one held', () => d.verdict(ids[1]!)?.status === 'waiting');
    } finally {
      d.stop();
      await first.close();
    }
    // A new process: no timer of the old one survives; the held row in PostgreSQL is all there is.
    const second = await startSyncNode(db, { sync: { idleUnloadMs: 200 } });
    try {
      await waitFor('the held one posted', async () => (await bodiesOf(ed.id)).length === 2, 15_000);
      expect(await bodiesOf(ed.id)).toEqual(['restart 1', 'restart 2']);
    } finally {
      await second.close();
    }
  });
});
