import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { createRedisPresenceStore } from '../../sync-server/presence/redis-presence-store.ts';
import { createMember, loungeRoomId, setRole } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { connectRedis, redisFanout } from '../support/redis.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';
import { privateDocName } from '../../shared/sync/doc-names.ts';
import { privateMaps } from '../../client/src/sync/outbox.ts';
import { TEST_HOST_SECRET, TEST_SIGNING_SECRET, hostToken } from '../support/test-app.ts';

describe('sync engine across two nodes sharing PostgreSQL and Redis', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node1: SyncNode;
  let node2: SyncNode;
  let general: string;
  const closers: Array<() => Promise<void>> = [];
  const devices: TestDevice[] = [];

  const device = (node: SyncNode, member: UserRow) => {
    const d = new TestDevice(member.id, node.baseUrl, node.tokenFor(member.host_user_id)).start();
    devices.push(d);
    return d;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    const redis = await connectRedis();
    closers.push(async () => void redis.disconnect());
    const nodes: SyncNode[] = [];
    for (let i = 0; i < 2; i++) {
      const { fanout, close } = await redisFanout();
      closers.push(close);
      nodes.push(await startSyncNode(db, { fanout, presence: createRedisPresenceStore(redis), sync: { catchUpIntervalMs: 500 } }));
    }
    [node1, node2] = nodes as [SyncNode, SyncNode];
    general = await loungeRoomId(db, 'general');
  });
  afterAll(async () => {
    for (const d of devices) d.stop();
    await node1.close();
    await node2.close();
    for (const close of closers) await close();
    await db.close();
    await testDb.drop();
  });

  it('a member on node 1 sends, a member on node 2 receives; presence counts agree', async () => {
    const [ada, bo] = await Promise.all([createMember(db, 'ada'), createMember(db, 'bo')]);
    const a = device(node1, ada);
    const b = device(node2, bo);
    await Promise.all([a.openChannel(general, { presence: true }), b.openChannel(general, { presence: true })]);
    a.intent({ kind: 'send', channelId: general, body: 'hello from node 1' });
    b.intent({ kind: 'send', channelId: general, body: 'hello from node 2' });
    await waitFor('both messages on both nodes', () => a.messages(general).length === 2 && b.messages(general).length === 2);
    expect(a.messages(general)).toEqual(b.messages(general));
    a.awareness.get(`ch.${general}.meta`)!.setLocalState({ typing: false });
    b.awareness.get(`ch.${general}.meta`)!.setLocalState({ typing: false });
    const counts = await waitFor('both members online on both nodes', async () => {
      const [c1, c2] = await Promise.all([
        node1.app.deps.presence.onlineCounts([general]),
        node2.app.deps.presence.onlineCounts([general]),
      ]);
      return c1.get(general) === 2 && c2.get(general) === 2 ? [c1.get(general), c2.get(general)] : undefined;
    });
    expect(counts).toEqual([2, 2]);
    // Each member sees the other's presence, although they are connected to different nodes.
    await waitFor('cross-node presence', () =>
      [...b.awareness.get(`ch.${general}.meta`)!.getStates().values()].some((s) => (s as { user?: { id: string } }).user?.id === ada.id),
    );
  });

  it('an edit and a moderator hide of the same old message, on two nodes at once: every replica ends hidden and edited', async () => {
    const [author, mod, reader] = await Promise.all([createMember(db, 'cy'), createMember(db, 'mo'), createMember(db, 'rea')]);
    await setRole(db, general, mod.id, 'moderator');
    const a = device(node1, author);
    const m = device(node2, mod);
    const r1 = device(node1, reader);
    const r2 = device(node2, reader);
    await Promise.all([a, m, r1, r2].map((d) => d.openChannel(general)));
    const sent = a.intent({ kind: 'send', channelId: general, body: 'original words' });
    const verdict = await waitFor('sent', () => a.verdict(sent));
    const messageId = verdict.status === 'accepted' ? verdict.messageId! : '';
    await waitFor('message everywhere', () => [m, r1, r2].every((d) => d.messages(general).some((x) => x.id === messageId)));
    const edit = a.intent({ kind: 'edit', messageId, body: 'edited words' });
    const hide = m.intent({ kind: 'hide', messageId, hidden: true, reason: 'Off-topic' });
    await waitFor('both verdicts', () => a.verdict(edit) && m.verdict(hide));
    expect(a.verdict(edit)?.status).toBe('accepted');
    expect(m.verdict(hide)?.status).toBe('accepted');
    for (const d of [a, m, r1, r2]) {
      const view = await waitFor('final state on a replica', () => {
        const x = d.messages(general).find((y) => y.id === messageId);
        return x?.hidden && x.edited ? x : undefined;
      });
      expect(view).toMatchObject({ hidden: true, edited: true, body: '', hiddenReason: 'Off-topic' });
    }
    const row = await db.query<{ body: string; is_hidden: boolean }>('SELECT body, is_hidden FROM messages WHERE id = $1', [messageId]);
    expect(row.rows[0]).toEqual({ body: 'edited words', is_hidden: true });
  });
  it('a moderator on node 1 mutes, then bans, a member connected to node 2: both are enforced there at once', async () => {
    const [mod, member] = await Promise.all([createMember(db, 'xmod'), createMember(db, 'xmember')]);
    await setRole(db, general, mod.id, 'moderator');
    const m = device(node1, mod);
    const x = device(node2, member);
    await Promise.all([m.openChannel(general), x.openChannel(general)]);
    const mute = m.intent({ kind: 'moderate_member', roomId: general, userId: member.id, action: 'mute', durationMinutes: 30, reason: 'Cool off' });
    await waitFor('mute accepted', () => m.verdict(mute)?.status === 'accepted');
    const muted = x.intent({ kind: 'send', channelId: general, body: 'can I still talk?' });
    const refusal = await waitFor('muted refusal on node 2', () => x.verdict(muted));
    expect(refusal).toMatchObject({ status: 'rejected', code: 'muted' });
    expect(refusal.status === 'rejected' && refusal.reason).toMatch(/muted in this room for 30 more minutes/);
    const ban = m.intent({ kind: 'moderate_member', roomId: general, userId: member.id, action: 'ban', reason: 'Spam' });
    await waitFor('ban accepted', () => m.verdict(ban)?.status === 'accepted');
    await waitFor('purge notice on node 2', () => x.notices.some((n) => n.code === 'purge' && n.docName.includes(general)));
    const banned = x.intent({ kind: 'send', channelId: general, body: 'hello?' });
    expect(await waitFor('banned refusal', () => x.verdict(banned))).toMatchObject({ status: 'rejected', code: 'banned' });
  });

  it('typing on node 1 shows in the typing hash on node 2 and in the member list, and stops when the member stops', async () => {
    const [tia, uma] = await Promise.all([createMember(db, 'tia'), createMember(db, 'uma')]);
    const t = device(node1, tia);
    const u = device(node2, uma);
    await Promise.all([t.openChannel(general, { presence: true }), u.openChannel(general, { presence: true })]);
    // Posting once makes Tia a member of the room (readers who never posted are not listed).
    const hello = t.intent({ kind: 'send', channelId: general, body: 'hi, typing more…' });
    await waitFor('accepted', () => t.verdict(hello)?.status === 'accepted');
    t.awareness.get(`ch.${general}.meta`)!.setLocalState({ typing: true });
    await waitFor('typing seen by node 2', async () => (await node2.app.deps.presence.typingUsers(general)).includes(tia.id));
    const list = await fetch(`${node2.baseUrl}/api/rooms/${general}/members?limit=100`, {
      headers: { authorization: `Bearer ${await hostToken({ sub: uma.host_user_id })}` },
    });
    const members = ((await list.json()) as { members: Array<{ user: { id: string }; typing: boolean }> }).members;
    expect(members.find((m) => m.user.id === tia.id)?.typing).toBe(true);
    expect(members.find((m) => m.user.id === uma.id)?.typing ?? false).toBe(false);
    t.awareness.get(`ch.${general}.meta`)!.setLocalState({ typing: false });
    await waitFor('typing cleared', async () => !(await node1.app.deps.presence.typingUsers(general)).includes(tia.id));
  });

  it("a member's drafts reach their other device on the other node, also when it joins after the edits", async () => {
    const dee = await createMember(db, 'dee');
    const drafts = (d: TestDevice) => privateMaps(d.privateDoc).drafts;
    // The phone is alone at first: node 1 learns nobody else holds the doc and stops publishing it.
    const phone = device(node1, dee);
    await phone.client.whenSynced(privateDocName(dee.id));
    for (let i = 1; i <= 5; i++) {
      drafts(phone).set(general, `draft ${i}`);
      await new Promise((r) => setTimeout(r, 30));
    }
    // Written before the laptop connects, and not persisted yet (the server writes private docs lazily).
    const laptop = device(node2, dee);
    await laptop.client.whenSynced(privateDocName(dee.id));
    await waitFor('the laptop has the newest draft', () => drafts(laptop).get(general) === 'draft 5');
    // Both devices online on different nodes: edits flow both ways, live.
    drafts(phone).set(general, 'typed on the phone');
    await waitFor('phone → laptop', () => drafts(laptop).get(general) === 'typed on the phone');
    drafts(laptop).set(general, 'finished on the laptop');
    await waitFor('laptop → phone', () => drafts(phone).get(general) === 'finished on the laptop');
  });
});

describe('a node killed with SIGKILL after commit and before broadcast', () => {
  let testDb: TestDatabase;
  let db: Database;
  let doomed: ServerProcess;
  let survivor: ServerProcess;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    await migrate(db);
    await seedLounge(db);
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: testDb.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_JWT_SECRET: TEST_HOST_SECRET,
      LOUNGE_SIGNING_SECRET: TEST_SIGNING_SECRET,
      LOG_LEVEL: 'warn',
    };
    [doomed, survivor] = await Promise.all([
      startServer({ env: { ...env, LOUNGE_FAULT_KILL_AFTER_COMMIT: '1' } }),
      startServer({ env }),
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const d of devices) d.stop();
    await Promise.all([doomed?.stop(), survivor?.stop()]);
    await db.close();
    await testDb.drop();
  });

  it('after the crash every client has the message exactly once, and the sender gets its verdict', async () => {
    const [ada, bo] = await Promise.all([createMember(db, 'ada'), createMember(db, 'bo')]);
    const general = await loungeRoomId(db, 'general');
    const tokenFor = (server: ServerProcess, member: UserRow) => async () => {
      const res = await fetch(`${server.url}/api/auth/connection-token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await hostToken({ sub: member.host_user_id })}` },
      });
      return ((await res.json()) as { token: string }).token;
    };
    const a = new TestDevice(ada.id, doomed.url, tokenFor(doomed, ada));
    const b = new TestDevice(bo.id, survivor.url, tokenFor(survivor, bo));
    devices.push(a, b);
    a.start();
    b.start();
    await Promise.all([a.openChannel(general), b.openChannel(general)]);
    const id = a.intent({ kind: 'send', channelId: general, body: 'survives the crash' });
    await waitFor('the doomed node to die', async () => {
      try {
        await fetch(`${doomed.url}/healthz`);
        return false;
      } catch {
        return true;
      }
    });
    const rows = await db.query('SELECT 1 FROM messages WHERE body = $1', ['survives the crash']);
    expect(rows.rows).toHaveLength(1); // committed before the kill
    // Bo's node never got a broadcast: its periodic catch-up finds the change in Postgres.
    await waitFor('Bo sees the message', () => b.messages(general).some((m) => m.body === 'survives the crash'), 15_000);
    // Ada comes back through the load balancer on the survivor, with her outbox (her device's IndexedDB):
    // the intent is answered from Postgres, not processed again.
    a.stop();
    const a2 = new TestDevice(ada.id, survivor.url, tokenFor(survivor, ada));
    devices.push(a2);
    const { applyUpdate, encodeStateAsUpdate } = await import('yjs');
    applyUpdate(a2.privateDoc, encodeStateAsUpdate(a.privateDoc));
    a2.start();
    await a2.openChannel(general);
    await waitFor('verdict after reconnect', () => a2.verdict(id));
    expect(a2.verdict(id)).toMatchObject({ status: 'accepted' });
    await waitFor('outbox drained', () => a2.outboxSize() === 0);
    for (const d of [a2, b]) expect(d.messages(general).filter((m) => m.body === 'survives the crash')).toHaveLength(1);
    const count = await db.query('SELECT 1 FROM messages WHERE body = $1', ['survives the crash']);
    expect(count.rows).toHaveLength(1);
  });

});
