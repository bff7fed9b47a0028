import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { encodeFrame, FrameType } from '../../shared/protocol/frames.ts';
import { readMessages } from '../../shared/sync/channel-doc.ts';
import { metaDocName, privateDocName, segmentDocName } from '../../shared/sync/doc-names.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { createMember, loungeRoomId } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';

describe('sync engine: one node, real WebSockets, real client code, PostgreSQL', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node: SyncNode;
  let general: string;
  const devices: TestDevice[] = [];

  const device = (member: UserRow) => {
    const d = new TestDevice(member.id, node.baseUrl, node.tokenFor(member.host_user_id)).start();
    devices.push(d);
    return d;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    node = await startSyncNode(db);
    general = await loungeRoomId(db, 'general');
  });
  afterAll(async () => {
    for (const d of devices) d.stop();
    await node.close();
    await db.close();
    await testDb.drop();
  });

  it('two members chat: B receives what A sends, with its seq, and both see the same order', async () => {
    const [ada, bo] = await Promise.all([createMember(db, 'ada'), createMember(db, 'bo')]);
    const a = device(ada);
    const b = device(bo);
    await Promise.all([a.openChannel(general), b.openChannel(general)]);
    const first = a.intent({ kind: 'send', channelId: general, body: 'hi Bo!' });
    const second = b.intent({ kind: 'send', channelId: general, body: 'hey Ada' });
    const third = a.intent({ kind: 'send', channelId: general, body: 'how are you?' });
    await waitFor(
      'all three messages on both devices',
      () => a.messages(general).length === 3 && b.messages(general).length === 3,
    );
    // Verdicts come through each sender's inbox doc after the channel's change (deliverCommitted's order).
    await waitFor('the three verdicts', () => [a.verdict(first), b.verdict(second), a.verdict(third)].every(Boolean));
    expect(a.messages(general)).toEqual(b.messages(general));
    expect(a.messages(general).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(a.verdict(first)).toMatchObject({ status: 'accepted', seq: expect.any(Number) });
    expect(b.verdict(second)).toMatchObject({ status: 'accepted' });
    expect(a.verdict(third)).toMatchObject({ status: 'accepted' });
    const bodiesBySender = a
      .messages(general)
      .filter((m) => m.authorId === ada.id)
      .map((m) => m.body);
    expect(bodiesBySender).toEqual(['hi Bo!', 'how are you?']);
    await waitFor('outboxes drained', () => a.outboxSize() === 0 && b.outboxSize() === 0);
  });

  it('the same intent from a retry, a second device and a reconnect gives one message', async () => {
    const cy = await createMember(db, 'cy');
    const phone = device(cy);
    const laptop = device(cy);
    await Promise.all([phone.openChannel(general), laptop.openChannel(general)]);
    await Promise.all([
      phone.client.whenSynced(privateDocName(cy.id)),
      laptop.client.whenSynced(privateDocName(cy.id)),
    ]);
    const before = phone.messages(general).length;
    // The phone queues the intent while offline, the laptop gets a copy through the private doc,
    // and the phone reconnects twice: three deliveries of one intent id.
    phone.client.stop();
    const id = phone.intent({ kind: 'send', channelId: general, body: 'only once, please' });
    const copy = Y.encodeStateAsUpdate(phone.privateDoc);
    Y.applyUpdate(laptop.privateDoc, copy);
    phone.client.start();
    await waitFor('verdict on the phone', () => phone.verdict(id));
    phone.client.stop();
    phone.client.start();
    await waitFor('the message on both devices', () => laptop.messages(general).length === before + 1);
    await new Promise((r) => setTimeout(r, 300));
    const mine = laptop.messages(general).filter((m) => m.body === 'only once, please');
    expect(mine).toHaveLength(1);
    const rows = await db.query('SELECT 1 FROM messages WHERE body = $1', ['only once, please']);
    expect(rows.rows).toHaveLength(1);
  });

  it('a member offline with 20 queued intents reconnects: each is processed once, in order, with verdicts', async () => {
    const di = await createMember(db, 'di');
    const d = device(di);
    await d.openChannel(general);
    d.client.stop();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(d.intent({ kind: 'send', channelId: general, body: `offline ${i}` }));
    d.client.start();
    await waitFor(
      'the ten messages',
      () => d.messages(general).filter((m) => m.body.startsWith('offline ')).length === 10,
    );
    const sent = d.messages(general).filter((m) => m.body.startsWith('offline '));
    expect(sent.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `offline ${i}`));
    d.client.stop();
    for (const [i, m] of sent.entries()) {
      ids.push(
        d.intent(
          i % 2 === 0
            ? { kind: 'react', messageId: m.id, emoji: '👍' }
            : { kind: 'edit', messageId: m.id, body: `edited ${i}` },
        ),
      );
    }
    d.client.start();
    await waitFor('all 20 verdicts', () => ids.every((id) => d.verdict(id)));
    expect(ids.map((id) => d.verdict(id)!.status)).toEqual(Array(20).fill('accepted'));
    await waitFor('edits and reactions visible', () => {
      const mine = d.messages(general).filter((m) => m.authorId === di.id);
      return mine.filter((m) => m.edited).length === 5 && mine.filter((m) => m.reactions['👍']).length === 5;
    });
    const counts = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE author_id = $1', [
      di.id,
    ]);
    expect(counts.rows[0]!.n).toBe(10);
  });

  it('messages written offline into a slow-mode room wait their turn on reconnect and go out by themselves, in order', async () => {
    const room = await loungeRoomId(db, 'prompt-engineering');
    await db.query('UPDATE rooms SET slow_mode_seconds = 2 WHERE id = $1', [room]);
    try {
      // A member of some standing (a new member would wait twice as long).
      const fay = await createMember(db, 'fay_slow', { daysAgo: 5, messagesSent: 20 });
      const d = device(fay);
      await d.openChannel(room);
      d.client.stop();
      const ids = [1, 2, 3].map((i) => d.intent({ kind: 'send', channelId: room, body: `on the train ${i}` }));
      const seen = new Set<string>();
      d.inboxDoc.getMap<{ status: string }>('verdicts').observe(() => {
        for (const id of ids) if (d.verdict(id)?.status === 'waiting') seen.add(id);
      });
      d.client.start();
      // The first goes at once; the others are held (still in the outbox), then sent 2 s apart.
      await waitFor('the second held back', () => d.verdict(ids[1]!)?.status === 'waiting');
      const held = d.verdict(ids[1]!);
      expect(held).toMatchObject({ code: 'slow_mode', reason: 'Slow mode is on in this room.' });
      expect(d.outboxSize()).toBeGreaterThanOrEqual(2);
      await waitFor('all three sent', () => ids.every((id) => d.verdict(id)?.status === 'accepted'), 15_000);
      expect([...seen].sort()).toEqual([ids[1], ids[2]].sort());
      const { rows } = await db.query<{ body: string; created_at: Date }>(
        'SELECT body, created_at FROM messages WHERE author_id = $1 ORDER BY seq',
        [fay.id],
      );
      expect(rows.map((r) => r.body)).toEqual(['on the train 1', 'on the train 2', 'on the train 3']);
      for (let i = 1; i < rows.length; i++)
        expect(rows[i]!.created_at.getTime() - rows[i - 1]!.created_at.getTime()).toBeGreaterThanOrEqual(1_900);
      await waitFor('the outbox emptied', () => d.outboxSize() === 0);
    } finally {
      await db.query('UPDATE rooms SET slow_mode_seconds = 0 WHERE id = $1', [room]);
    }
  });

  it('a refused intent comes back with its reason and lands in the failed list, not the chat', async () => {
    const ed = await createMember(db, 'ed');
    const d = device(ed);
    await d.openChannel(general);
    const id = d.intent({ kind: 'send', channelId: general, body: 'x'.repeat(4001) });
    const verdict = await waitFor('a verdict', () => d.verdict(id));
    expect(verdict).toMatchObject({ status: 'rejected', code: 'too_long' });
    await waitFor('the failed entry', () => d.privateDoc.getMap('failed').has(id));
    expect(d.messages(general).some((m) => m.authorId === ed.id)).toBe(false);
  });

  it("writes to a channel doc or another member's private doc, and reads of a room one cannot read, reach nobody", async () => {
    const [fay, gus] = await Promise.all([createMember(db, 'fay'), createMember(db, 'gus')]);
    const f = device(fay);
    const g = device(gus);
    await Promise.all([f.openChannel(general), g.openChannel(general)]);
    const before = g.messages(general).length;
    // Fay forges a message straight into the segment doc.
    f.doc(segmentDocName(general, 0))
      .getMap('messages')
      .set('forged', { id: 'forged', seq: 999, body: 'forged!' } as never);
    // The client never sends server-owned writes; a hand-made frame does, and is dropped with a notice.
    const ws = new WebSocket(
      `${node.baseUrl.replace('http', 'ws')}/sync?token=${await node.tokenFor(fay.host_user_id)()}`,
    );
    await new Promise((r) => ws.once('open', r));
    const forged = new Y.Doc();
    forged.getMap('messages').set('forged', { id: 'forged', seq: 999, body: 'forged!' });
    const notices: string[] = [];
    ws.on('message', (data: Buffer) => notices.push(data.toString('latin1')));
    ws.send(encodeFrame(FrameType.subscribe, segmentDocName(general, 0)));
    const update = new Uint8Array([2, ...encodeVarBytes(Y.encodeStateAsUpdate(forged))]);
    ws.send(encodeFrame(FrameType.sync, segmentDocName(general, 0), update));
    ws.send(encodeFrame(FrameType.subscribe, privateDocName(gus.id)));
    await waitFor(
      'read_only and forbidden notices',
      () => notices.some((n) => n.includes('read_only')) && notices.some((n) => n.includes('forbidden')),
    );
    ws.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(g.messages(general)).toHaveLength(before);
    expect(g.messages(general).some((m) => m.body === 'forged!')).toBe(false);
    // A private room Fay is not a member of.
    const secret = await db.query<{ id: string }>(
      `WITH c AS (INSERT INTO channels (kind) VALUES ('room') RETURNING id)
       INSERT INTO rooms (id, slug, name, room_type, is_private, circle_host_id)
       SELECT id, 'circle-1', 'Circle 1', 'circle', true, 'cohort-1' FROM c RETURNING id`,
    );
    f.client.subscribe(metaDocName(secret.rows[0]!.id), new Y.Doc());
    await waitFor('forbidden notice for the private room', () =>
      f.notices.some((n) => n.docName === metaDocName(secret.rows[0]!.id) && n.code === 'forbidden'),
    );
  });

  it('presence is stamped by the server: a spoofed user id is replaced by the real one', async () => {
    const [hal, ivy] = await Promise.all([createMember(db, 'hal'), createMember(db, 'ivy')]);
    const h = device(hal);
    const i = device(ivy);
    await Promise.all([h.openChannel(general, { presence: true }), i.openChannel(general, { presence: true })]);
    h.awareness
      .get(metaDocName(general))!
      .setLocalState({ user: { id: ivy.id, handle: 'ivy', name: 'Ivy' }, typing: true });
    const seen = await waitFor("Hal in Ivy's presence list", () => {
      const states = [...i.awareness.get(metaDocName(general))!.getStates().values()] as Array<{
        user?: { id: string };
        typingAt?: number;
      }>;
      return states.find((s) => s.user?.id === hal.id);
    });
    expect(seen).toMatchObject({ user: { id: hal.id, handle: 'hal' }, typingAt: expect.any(Number) });
    const online = await node.app.deps.presence.onlineUsers(general);
    expect(online).toContain(hal.id);
    // A member who arrives later sees who is already here at once, not at their next renewal.
    const late = device(await createMember(db, 'latecomer'));
    await late.openChannel(general, { presence: true });
    await waitFor(
      'existing presence on join',
      () =>
        [...late.awareness.get(metaDocName(general))!.getStates().values()].some(
          (s) => (s as { user?: { id: string } }).user?.id === hal.id,
        ),
      1500,
    );
  });

  it('a stock y-websocket WebsocketProvider syncs a public room head segment, read-only', async () => {
    const jo = await createMember(db, 'jo');
    const doc = new Y.Doc();
    const token = await node.tokenFor(jo.host_user_id)();
    const provider = new WebsocketProvider(
      `${node.baseUrl.replace('http', 'ws')}/sync/doc`,
      segmentDocName(general, 0),
      doc,
      {
        WebSocketPolyfill: WebSocket as never,
        params: { token },
        disableBc: true,
      },
    );
    try {
      await waitFor('stock provider synced', () => provider.synced);
      const messages = readMessages(doc, general);
      expect(messages.length).toBeGreaterThan(3);
      // Members' first messages raced for seq 1, so only membership is certain, not which came first.
      expect(messages.map((m) => m.body)).toContain('hi Bo!');
      const count = messages.length;
      doc.getMap('messages').set('evil', { id: 'evil', seq: 10_000, body: 'nope' } as never);
      await new Promise((r) => setTimeout(r, 300));
      const viewer = devices[0]!;
      expect(viewer.messages(general).some((m) => m.body === 'nope')).toBe(false);
      expect(viewer.messages(general).length).toBeGreaterThanOrEqual(count);
    } finally {
      provider.destroy();
    }
  });

  it('10,000 random malformed frames: no crash, nothing written, other members keep chatting', async () => {
    const [kim, lu] = await Promise.all([createMember(db, 'kim'), createMember(db, 'lu')]);
    const l = device(lu);
    await l.openChannel(general);
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    const token = node.tokenFor(kim.host_user_id);
    let sent = 0;
    const deadline = Date.now() + 30_000;
    while (sent < 10_000 && Date.now() < deadline) {
      const ws = new WebSocket(`${node.baseUrl.replace('http', 'ws')}/sync?token=${await token()}`);
      await new Promise((resolve) => {
        ws.once('open', resolve);
        ws.once('error', resolve);
      });
      // Each connection gets a burst of garbage; the server closes it at the first bad frame.
      for (let i = 0; i < 100 && ws.readyState === WebSocket.OPEN; i++, sent++) {
        const kind = sent % 4;
        const frame =
          kind === 0
            ? randomBytes(1 + (sent % 64))
            : kind === 1
              ? encodeFrame(FrameType.sync, segmentDocName(general, 0), randomBytes(8 + (sent % 32)))
              : kind === 2
                ? encodeFrame(FrameType.awareness, metaDocName(general), randomBytes(8))
                : encodeFrame(9 as FrameType, 'x', randomBytes(4));
        ws.send(frame);
      }
      ws.terminate();
    }
    expect(sent).toBe(10_000);
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    const id = l.intent({ kind: 'send', channelId: general, body: 'still here' });
    await waitFor('a message after the storm', () => l.verdict(id)?.status === 'accepted');
    expect((await fetch(`${node.baseUrl}/healthz`)).status).toBe(200);
  });
});

function encodeVarBytes(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let n = bytes.length;
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return [...out, ...bytes];
}
