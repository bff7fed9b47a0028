import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { createOpenAiModerator } from '../../sync-server/moderation/ai-moderation.ts';
import { deleteAccount } from '../../sync-server/privacy/delete-account.ts';
import { InProcessQueue } from '../../workers/in-process-queue.ts';
import { createJobHandlers } from '../../workers/job-handlers.ts';
import { createMember, loungeRoomId, setRole } from '../support/fixtures.ts';
import { startLocalOpenAi, type LocalOpenAi } from '../support/local-openai.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';
import { hostToken, scratchAttachmentStore } from '../support/test-app.ts';
import { solidPng } from '../support/png.ts';

describe('moderation: Layer 1, Layer 2 (real openai SDK against a local endpoint), review queue, propagation', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node: SyncNode;
  let openai: LocalOpenAi;
  let queue: InProcessQueue;
  let general: string;
  let coding: string;
  const devices: TestDevice[] = [];
  const device = (m: UserRow) => {
    const d = new TestDevice(m.id, node.baseUrl, node.tokenFor(m.host_user_id)).start();
    devices.push(d);
    return d;
  };
  const auth = async (m: UserRow) => ({ authorization: `Bearer ${await hostToken({ sub: m.host_user_id })}` });
  const send = async (d: TestDevice, channelId: string, body: string) => {
    const id = d.intent({ kind: 'send', channelId, body });
    return waitFor(`verdict for "${body.slice(0, 30)}"`, () => d.verdict(id));
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    openai = await startLocalOpenAi();
    const moderator = createOpenAiModerator({
      apiKey: 'sk-test-local',
      baseUrl: openai.baseUrl,
      model: 'omni-moderation-latest',
      timeoutMs: 500,
    });
    // The nodes keep files where the moderation job reads them, as a worker shares the nodes' bucket.
    const files = scratchAttachmentStore();
    queue = new InProcessQueue(
      createJobHandlers({
        db,
        attachments: files,
        moderator,
        onChanges: async (changes) => node.app.deps.sync.channels.committed(changes),
      }),
      pino({ level: 'silent' }),
      { concurrency: 2, retry: { attempts: 6, backoffMs: 100 } },
    );
    node = await startSyncNode(db, {
      attachments: files,
      sync: {
        moderateMessages: async (ids) => {
          for (const messageId of ids)
            await queue.enqueue('moderate-message', { messageId }, { jobId: `moderate:${messageId}` });
        },
      },
    });
    [general, coding] = await Promise.all([loungeRoomId(db, 'general'), loungeRoomId(db, 'prompt-engineering')]);
  });
  afterAll(async () => {
    for (const d of devices) d.stop();
    await queue.close();
    await node.close();
    await openai.close();
    await db.close();
    await testDb.drop();
  });

  it('Layer 1: a slur is refused with a readable reason; mild swearing is posted and queued; a new member cannot post links', async () => {
    const veteran = await createMember(db, 'veteran');
    const newbie = await createMember(db, 'newbie', { daysAgo: 0, messagesSent: 0 });
    const v = device(veteran);
    const n = device(newbie);
    await Promise.all([v.openChannel(general), n.openChannel(general)]);
    const blocked = await send(v, general, 'you are a fucking idiot');
    expect(blocked).toMatchObject({ status: 'rejected', code: 'profanity.blocked' });
    expect(blocked.status === 'rejected' && blocked.reason).toMatch(/aren't allowed here/);
    const flagged = await send(v, general, 'well shit, the build broke again');
    expect(flagged.status).toBe('accepted');
    const queued = await db.query<{ source: string }>('SELECT source FROM moderation_queue WHERE message_id = $1', [
      flagged.status === 'accepted' ? flagged.messageId : '',
    ]);
    expect(queued.rows).toEqual([{ source: 'system' }]);
    const link = await send(n, general, 'check out https://example.com/free-stuff');
    expect(link).toMatchObject({ status: 'rejected', code: 'links.new_member' });
    expect(link.status === 'rejected' && link.reason).toMatch(/after 10 messages and 3 days/);
    for (const trap of ['the Scunthorpe assessment went fine', 'const assert = require("assert")']) {
      expect((await send(v, general, trap)).status).toBe('accepted');
    }
  });

  it('a new thread is moderated like a message: its title by Layer 1 too, its first message by Layer 2', async () => {
    const author = await createMember(db, 'threader');
    const d = device(author);
    await d.openChannel(general);
    const start = async (title: string, body: string) => {
      const id = d.intent({ kind: 'create_thread', roomId: general, title, body });
      return waitFor(`verdict for thread "${title}"`, () => d.verdict(id));
    };
    const refused = await start('you are a fucking idiot', 'hello');
    expect(refused).toMatchObject({ status: 'rejected', code: 'profanity.blocked' });
    const queued = await start('well shit, the build broke', 'any ideas?');
    expect(queued.status).toBe('accepted');
    const review = await db.query<{ source: string; reason: string }>(
      'SELECT source, reason FROM moderation_queue WHERE message_id = $1',
      [queued.status === 'accepted' ? queued.messageId : ''],
    );
    expect(review.rows).toEqual([{ source: 'system', reason: expect.stringMatching(/^Title: /) as unknown as string }]);
    // Layer 2 reads the first message of a thread as it reads any new message: a 0.9 hides it.
    const scored = await start('A question', 'something nasty [score=0.9]');
    const firstId = scored.status === 'accepted' ? scored.messageId! : '';
    await waitFor('the thread opener hidden by Layer 2', async () => {
      const q = await db.query<{ is_hidden: boolean }>('SELECT is_hidden FROM messages WHERE id = $1', [firstId]);
      return q.rows[0]?.is_hidden;
    });
  });

  it('Layer 2: scores 0.1 / 0.5 / 0.9 give allow / flag / hide + queue, without delaying delivery', async () => {
    const author = await createMember(db, 'scored');
    const reader = await createMember(db, 'watcher');
    const a = device(author);
    const r = device(reader);
    await Promise.all([a.openChannel(coding), r.openChannel(coding)]);
    const ids: Record<string, string> = {};
    for (const score of ['0.1', '0.5', '0.9']) {
      const v = await send(a, coding, `opinion number ${score} [score=${score}]`);
      ids[score] = v.status === 'accepted' ? v.messageId! : '';
      // Delivered at once, before any AI verdict.
      await waitFor('delivered', () => r.messages(coding).some((m) => m.id === ids[score]));
    }
    await waitFor(
      'the 0.9 message hidden on the reader',
      () => r.messages(coding).find((m) => m.id === ids['0.9'])?.hidden,
    );
    // Every judged message is marked so (pushes of it waited for that), whatever the verdict.
    await waitFor('all three judged', async () => {
      const judged = await db.query('SELECT 1 FROM messages WHERE id = ANY($1::uuid[]) AND ai_checked_at IS NOT NULL', [
        Object.values(ids),
      ]);
      return judged.rows.length === 3;
    });
    const rows = await db.query<{ id: string; is_flagged: boolean; is_hidden: boolean }>(
      'SELECT id, is_flagged, is_hidden FROM messages WHERE id = ANY($1::uuid[])',
      [Object.values(ids)],
    );
    const state = Object.fromEntries(rows.rows.map((row) => [row.id, [row.is_flagged, row.is_hidden]]));
    await waitFor('0.5 flagged', async () => {
      const q = await db.query<{ is_flagged: boolean }>('SELECT is_flagged FROM messages WHERE id = $1', [ids['0.5']]);
      return q.rows[0]?.is_flagged;
    });
    expect(state[ids['0.1']!]).toEqual([false, false]);
    expect(state[ids['0.9']!]).toEqual([true, true]);
    const queue = await db.query<{
      message_id: string;
      source: string;
      ai_max_score: number;
      ai_categories: Record<string, number>;
    }>(
      `SELECT message_id, source, ai_max_score, ai_categories FROM moderation_queue WHERE message_id = ANY($1::uuid[]) ORDER BY ai_max_score`,
      [Object.values(ids)],
    );
    expect(queue.rows.map((q) => [q.message_id, q.source, q.ai_max_score])).toEqual([
      [ids['0.5'], 'ai', 0.5],
      [ids['0.9'], 'ai', 0.9],
    ]);
    expect(queue.rows[1]!.ai_categories.harassment).toBe(0.9);
    const hidden = r.messages(coding).find((m) => m.id === ids['0.9'])!;
    expect(hidden).toMatchObject({
      body: '',
      hidden: true,
      hiddenReason: expect.stringMatching(/automatic moderation/i),
    });
    expect(openai.requests.every((q) => q.authorization === 'Bearer sk-test-local')).toBe(true);
  });

  it('Layer 2 judges images too: a screenshot scored 0.92 hides its message (words and files) on every replica, and the queue says which file', async () => {
    const author = await createMember(db, 'imager');
    const reader = await createMember(db, 'imagewatcher');
    const a = device(author);
    const r = device(reader);
    await Promise.all([a.openChannel(coding), r.openChannel(coding)]);
    const upload = async (png: Buffer, name: string) => {
      const res = await node.app.inject({
        method: 'POST',
        url: `/api/attachments?name=${name}`,
        headers: { ...(await auth(author)), 'content-type': 'application/octet-stream' },
        payload: png,
      });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { id: string }).id;
    };
    const calm = await upload(solidPng(20, 20), 'calm.png');
    const nasty = await upload(solidPng(20, 20, [0, 0, 0], '[score=0.92]'), 'nasty.png');
    const sendFiles = async (body: string, attachmentIds: string[]) => {
      const id = a.intent({ kind: 'send', channelId: coding, body, attachmentIds });
      const v = await waitFor(`verdict for "${body}"`, () => a.verdict(id));
      return v.status === 'accepted' ? v.messageId! : '';
    };
    const fine = await sendFiles('my desk setup', [calm]);
    const bad = await sendFiles('', [nasty]);
    await waitFor('the image message hidden on the reader', () => r.messages(coding).find((m) => m.id === bad)?.hidden);
    expect(r.messages(coding).find((m) => m.id === bad)).toMatchObject({ body: '', attachments: [] });
    expect(r.messages(coding).find((m) => m.id === fine)).toMatchObject({
      hidden: false,
      attachments: [expect.objectContaining({ name: 'calm.png' })],
    });
    const queued = await db.query<{ reason: string; ai_max_score: number }>(
      'SELECT reason, ai_max_score FROM moderation_queue WHERE message_id = $1',
      [bad],
    );
    expect(queued.rows).toEqual([
      { reason: 'Automatic moderation: harassment (0.92) in image nasty.png.', ai_max_score: 0.92 },
    ]);
    // Each image was sent to the endpoint as an image (a data URL of its type); the empty text was not sent.
    expect(openai.requests.filter((q) => q.images.length > 0).map((q) => q.images)).toEqual([
      ['image/png'],
      ['image/png'],
    ]);
    const readerFetch = await node.app.inject({
      method: 'GET',
      url: `/api/attachments/${nasty}`,
      headers: await auth(reader),
    });
    expect(readerFetch.statusCode).toBe(403);
    // The room's moderator judges the file in the review queue, and may open it.
    const mod = await createMember(db, 'imagemod');
    await setRole(db, coding, mod.id, 'moderator');
    const review = await node.app.inject({
      method: 'GET',
      url: `/api/moderation/queue?roomId=${coding}`,
      headers: await auth(mod),
    });
    const item = (
      review.json() as { items: Array<{ message: { id: string; attachments: Array<{ id: string; name: string }> } }> }
    ).items.find((i) => i.message.id === bad);
    expect(item?.message.attachments).toEqual([
      expect.objectContaining({ id: nasty, name: 'nasty.png', type: 'image/png' }),
    ]);
    const modFetch = await node.app.inject({
      method: 'GET',
      url: `/api/attachments/${nasty}`,
      headers: await auth(mod),
    });
    expect(modFetch.statusCode).toBe(200);
  });

  it('Layer 2 down: 500s, then a timeout, then recovery — the job retries and the verdict lands; nothing is lost', async () => {
    const author = await createMember(db, 'unlucky');
    const a = device(author);
    await a.openChannel(coding);
    openai.failNext(2);
    openai.stallNext(0, 0);
    const failing = await send(a, coding, 'during an outage [score=0.95]');
    const messageId = failing.status === 'accepted' ? failing.messageId! : '';
    expect(failing.status).toBe('accepted'); // posted as Layer 1 decided
    await waitFor(
      'hidden after retries',
      async () => {
        const q = await db.query<{ is_hidden: boolean }>('SELECT is_hidden FROM messages WHERE id = $1', [messageId]);
        return q.rows[0]?.is_hidden;
      },
      15_000,
    );
    openai.stallNext(1, 2000);
    const slow = await send(a, coding, 'while the endpoint is slow [score=0.8]');
    const slowId = slow.status === 'accepted' ? slow.messageId! : '';
    await waitFor(
      'hidden after a timeout and a retry',
      async () => {
        const q = await db.query<{ is_hidden: boolean }>('SELECT is_hidden FROM messages WHERE id = $1', [slowId]);
        return q.rows[0]?.is_hidden;
      },
      15_000,
    );
    const attempts = openai.requests.filter((q) => q.input.includes('during an outage')).length;
    expect(attempts).toBe(3);
  });

  it('a moderator hides a message: a live member and an offline member (on reconnect) lose the body, the author sees why, the log has it', async () => {
    const [author, mod, live, away] = (await Promise.all(
      ['auth0r', 'modder', 'livey', 'awayy'].map((h) => createMember(db, h)),
    )) as [UserRow, UserRow, UserRow, UserRow];
    await setRole(db, general, mod.id, 'moderator');
    const [a, m, l, o] = [author, mod, live, away].map(device) as [TestDevice, TestDevice, TestDevice, TestDevice];
    await Promise.all([a, m, l, o].map((d) => d.openChannel(general)));
    const sent = await send(a, general, 'something off-topic and rude');
    const messageId = sent.status === 'accepted' ? sent.messageId! : '';
    await waitFor('everyone has it', () => [m, l, o].every((d) => d.messages(general).some((x) => x.id === messageId)));
    o.client.stop();
    const hide = m.intent({ kind: 'hide', messageId, hidden: true, reason: 'Please keep it kind' });
    await waitFor('hide accepted', () => m.verdict(hide)?.status === 'accepted');
    await waitFor('live member loses the body', () => l.messages(general).find((x) => x.id === messageId)?.hidden);
    expect(l.messages(general).find((x) => x.id === messageId)).toMatchObject({
      body: '',
      hiddenReason: 'Please keep it kind',
    });
    await waitFor(
      'author sees the notice',
      () => a.messages(general).find((x) => x.id === messageId)?.hiddenReason === 'Please keep it kind',
    );
    expect(o.messages(general).find((x) => x.id === messageId)?.body).toBe('something off-topic and rude');
    o.client.start();
    await waitFor(
      'offline member loses it on reconnect',
      () => o.messages(general).find((x) => x.id === messageId)?.hidden,
    );
    expect(o.messages(general).find((x) => x.id === messageId)?.body).toBe('');
    const log = await node.app.inject({
      method: 'GET',
      url: `/api/rooms/${general}/moderation-log`,
      headers: await auth(mod),
    });
    expect(log.statusCode).toBe(200);
    expect(log.json().entries[0]).toMatchObject({
      action: 'hide',
      source: 'admin',
      actorHandle: 'modder',
      targetHandle: 'auth0r',
      reason: 'Please keep it kind',
    });
  });

  it("a moderator's delete tells the author why (and logs it); deleting one's own message tells nobody", async () => {
    const [author, mod] = (await Promise.all(['deleted_author', 'deleting_mod'].map((h) => createMember(db, h)))) as [
      UserRow,
      UserRow,
    ];
    await setRole(db, general, mod.id, 'moderator');
    const [a, m] = [device(author), device(mod)];
    await Promise.all([a.openChannel(general), m.openChannel(general)]);
    const sent = await send(a, general, 'selling my old laptop, DM me');
    const messageId = sent.status === 'accepted' ? sent.messageId! : '';
    const del = m.intent({ kind: 'delete', messageId, reason: 'No sales posts in General' });
    await waitFor('delete accepted', () => m.verdict(del)?.status === 'accepted');
    const notices = await db.query<{ action: string; reason: string }>(
      `SELECT payload->>'action' AS action, payload->>'reason' AS reason FROM notifications
        WHERE user_id = $1 AND kind = 'moderation' AND message_id = $2`,
      [author.id, messageId],
    );
    expect(notices.rows).toEqual([{ action: 'delete', reason: 'No sales posts in General' }]);
    const log = await db.query<{ reason: string }>(
      `SELECT reason FROM moderation_actions WHERE message_id = $1 AND action = 'delete'`,
      [messageId],
    );
    expect(log.rows).toEqual([{ reason: 'No sales posts in General' }]);

    const own = await send(a, general, 'oops, wrong room');
    const ownId = own.status === 'accepted' ? own.messageId! : '';
    const mine = a.intent({ kind: 'delete', messageId: ownId });
    await waitFor('own delete accepted', () => a.verdict(mine)?.status === 'accepted');
    const none = await db.query('SELECT 1 FROM notifications WHERE message_id = $1', [ownId]);
    expect(none.rows).toHaveLength(0);
  });

  it('a held message notifies nobody until a moderator approves it; then the member it mentions is told, once', async () => {
    const [writer, mentioned, mod] = (await Promise.all(
      ['held_writer', 'held_mentioned', 'held_mod'].map((h) => createMember(db, h)),
    )) as [UserRow, UserRow, UserRow];
    await setRole(db, general, mod.id, 'moderator');
    const [w, m] = [device(writer), device(mentioned)];
    await Promise.all([w.openChannel(general), m.openChannel(general)]);
    const sent = await send(w, general, 'well shit @held_mentioned, the deploy broke');
    const messageId = sent.status === 'accepted' ? sent.messageId! : '';
    const notices = async () =>
      (await db.query('SELECT 1 FROM notifications WHERE message_id = $1 AND user_id = $2', [messageId, mentioned.id]))
        .rows.length;
    // Held (Layer 1 flagged it): no notification, no inbox entry.
    expect(await notices()).toBe(0);
    // Its author cannot approve it themselves: refused with a reason, nothing changes.
    const selfApproval = w.intent({ kind: 'approve', messageId, reason: '' });
    await waitFor('self-approval refused', () => w.verdict(selfApproval)?.status === 'rejected');
    expect(await notices()).toBe(0);
    const item = await db.query<{ id: string }>(
      `SELECT id FROM moderation_queue WHERE message_id = $1 AND status = 'pending'`,
      [messageId],
    );
    const approved = await node.app.inject({
      method: 'POST',
      url: `/api/moderation/queue/${item.rows[0]!.id}/actions`,
      headers: await auth(mod),
      payload: { action: 'approve', reason: 'Frustration, not abuse' },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toEqual({ status: 'approved' });
    expect(await notices()).toBe(1);
    // It reaches the member's devices through their inbox doc, as any notification does.
    await waitFor('the mention in the inbox', () =>
      [...m.inboxDoc.getMap<{ messageId?: string }>('notifications').values()].some((n) => n.messageId === messageId),
    );
    const log = await db.query<{ action: string; reason: string }>(
      `SELECT action, reason FROM moderation_actions WHERE message_id = $1`,
      [messageId],
    );
    expect(log.rows).toEqual([{ action: 'approve', reason: 'Frustration, not abuse' }]);
    const flagged = await db.query<{ is_flagged: boolean }>('SELECT is_flagged FROM messages WHERE id = $1', [
      messageId,
    ]);
    expect(flagged.rows[0]!.is_flagged).toBe(false);
  });

  it('review queue: members cannot see or act on it; a room moderator only in their rooms; a ban purges the room from the member', async () => {
    const [member, roomMod, offender] = (await Promise.all(
      ['plain', 'roommod', 'offender'].map((h) => createMember(db, h)),
    )) as [UserRow, UserRow, UserRow];
    await setRole(db, coding, roomMod.id, 'moderator');
    const off = device(offender);
    await off.openChannel(general);
    const bad = await send(off, general, 'buy cheap followers now [score=0.6]');
    const badId = bad.status === 'accepted' ? bad.messageId! : '';
    await waitFor(
      'queued by the AI',
      async () => (await db.query('SELECT 1 FROM moderation_queue WHERE message_id = $1', [badId])).rows.length,
    );
    const item = await db.query<{ id: string }>('SELECT id FROM moderation_queue WHERE message_id = $1', [badId]);
    const itemId = item.rows[0]!.id;
    const asMember = await node.app.inject({
      method: 'GET',
      url: '/api/moderation/queue',
      headers: await auth(member),
    });
    expect(asMember.statusCode).toBe(403);
    const actAsMember = await node.app.inject({
      method: 'POST',
      url: `/api/moderation/queue/${itemId}/actions`,
      headers: await auth(member),
      payload: { action: 'approve' },
    });
    expect(actAsMember.statusCode).toBe(403);
    // The coding moderator does not moderate General.
    const wrongRoom = await node.app.inject({
      method: 'POST',
      url: `/api/moderation/queue/${itemId}/actions`,
      headers: await auth(roomMod),
      payload: { action: 'ban' },
    });
    expect(wrongRoom.statusCode).toBe(403);
    const generalMod = await createMember(db, 'genmod');
    await setRole(db, general, generalMod.id, 'moderator');
    const list = await node.app.inject({
      method: 'GET',
      url: `/api/moderation/queue?roomId=${general}`,
      headers: await auth(generalMod),
    });
    expect(list.statusCode).toBe(200);
    const listed = list.json().items.find((i: { id: string }) => i.id === itemId);
    expect(listed).toMatchObject({
      source: 'ai',
      aiMaxScore: 0.6,
      message: { body: 'buy cheap followers now [score=0.6]' },
    });
    const ban = await node.app.inject({
      method: 'POST',
      url: `/api/moderation/queue/${itemId}/actions`,
      headers: await auth(generalMod),
      payload: { action: 'ban', reason: 'Spam' },
    });
    expect(ban.statusCode).toBe(200);
    await waitFor('purge notice', () => off.notices.some((n) => n.code === 'purge' && n.docName.includes(general)));
    const after = await send(off, general, 'let me back in');
    expect(after).toMatchObject({ status: 'rejected', code: 'banned' });
    // Following a link to the room, the banned member is told so, with the moderator's reason — not "no such room".
    const opening = await node.app.inject({
      method: 'GET',
      url: '/api/lounge/rooms/general',
      headers: await auth(offender),
    });
    expect(opening.statusCode).toBe(403);
    expect(opening.json().error).toEqual({ code: 'banned', message: 'You are banned from General Chat: Spam' });
    const others = await node.app.inject({
      method: 'GET',
      url: '/api/lounge/rooms/general',
      headers: await auth(member),
    });
    expect(others.json()).toEqual({ room: { id: general, slug: 'general', name: 'General Chat' } });
    const nowhere = await node.app.inject({
      method: 'GET',
      url: '/api/lounge/rooms/no-such-room',
      headers: await auth(member),
    });
    expect(nowhere.statusCode).toBe(404);
    // Not a room's address at all (the fuzzer sent a NUL, which reached PostgreSQL as a 500): a clear 400.
    const malformed = await node.app.inject({
      method: 'GET',
      url: '/api/lounge/rooms/%00%01',
      headers: await auth(member),
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toMatch(/room address/);
    // The moderator's rooms and who is restricted in them, in one answer each (project rooms and circles too).
    const rooms = await node.app.inject({
      method: 'GET',
      url: '/api/moderation/rooms',
      headers: await auth(generalMod),
    });
    expect(rooms.json().rooms).toEqual([
      expect.objectContaining({ id: general, name: 'General Chat', roomType: 'lounge' }),
    ]);
    const restricted = await node.app.inject({
      method: 'GET',
      url: '/api/moderation/restricted',
      headers: await auth(generalMod),
    });
    expect(restricted.json().entries).toEqual([
      {
        room: expect.objectContaining({ id: general, name: 'General Chat' }),
        member: { user: expect.objectContaining({ id: offender.id }), role: 'banned' },
      },
    ]);
    for (const url of ['/api/moderation/rooms', '/api/moderation/restricted'])
      expect((await node.app.inject({ method: 'GET', url, headers: await auth(member) })).statusCode, url).toBe(403);
    const again = await node.app.inject({
      method: 'POST',
      url: `/api/moderation/queue/${itemId}/actions`,
      headers: await auth(generalMod),
      payload: { action: 'approve' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('a room moderator escalates an item with a reason; the admins see who sent it up and why, with the room named', async () => {
    const [author, mod, admin] = (await Promise.all(
      ['esc_author', 'esc_mod', 'esc_admin'].map((h) => createMember(db, h, h === 'esc_admin' ? { admin: true } : {})),
    )) as [UserRow, UserRow, UserRow];
    await setRole(db, coding, mod.id, 'moderator');
    const d = device(author);
    await d.openChannel(coding);
    const sent = await send(d, coding, 'a borderline offer [score=0.6]');
    const messageId = sent.status === 'accepted' ? sent.messageId! : '';
    await waitFor(
      'queued by the AI',
      async () => (await db.query('SELECT 1 FROM moderation_queue WHERE message_id = $1', [messageId])).rows.length,
    );
    const queued = async (m: UserRow, status: string) =>
      (
        await node.app.inject({ method: 'GET', url: `/api/moderation/queue?status=${status}`, headers: await auth(m) })
      ).json().items as Array<{ id: string; roomName: string; escalation: unknown; message: { id: string } }>;
    const item = (await queued(mod, 'pending')).find((i) => i.message.id === messageId)!;
    const roomName = (await db.query<{ name: string }>('SELECT name FROM rooms WHERE id = $1', [coding])).rows[0]!.name;
    expect(item).toMatchObject({ roomName, escalation: null });
    const up = await node.app.inject({
      method: 'POST',
      url: `/api/moderation/queue/${item.id}/actions`,
      headers: await auth(mod),
      payload: { action: 'escalate', reason: 'Possible scam, needs an admin' },
    });
    expect(up.statusCode).toBe(200);
    const forAdmins = (await queued(admin, 'escalated')).find((i) => i.message.id === messageId);
    expect(forAdmins).toMatchObject({
      roomName,
      escalation: { reason: 'Possible scam, needs an admin', byHandle: 'esc_mod' },
    });
  });

  it('Layer 2 status says whether AI moderation is on', async () => {
    const m = await createMember(db, 'curious');
    const res = await node.app.inject({ method: 'GET', url: '/api/moderation/status', headers: await auth(m) });
    // This test server has no OPENAI_API_KEY in its config: the queue is wired by the test itself.
    expect(res.json()).toMatchObject({ layer2: 'off', message: expect.stringMatching(/AI moderation is off/) });
  });
});

describe("history shows hidden words to the room's moderators only", () => {
  it('a moderator reads the hidden body and its reason; a member only the reason', async () => {
    const testDb = await createTestDatabase();
    const db = createPgDatabase(testDb.url);
    const node = await startSyncNode(db);
    try {
      const general = await loungeRoomId(db, 'general');
      const [author, mod, member] = (await Promise.all(
        ['hauthor', 'hmod', 'hmember'].map((h) => createMember(db, h)),
      )) as [UserRow, UserRow, UserRow];
      await setRole(db, general, mod.id, 'moderator');
      const sent = await node.app.deps.sync.runIntent(author.id, {
        kind: 'send',
        channelId: general,
        body: 'regrettable words',
        n: 1,
        createdAt: Date.now(),
      });
      const messageId = sent.verdict.status === 'accepted' ? sent.verdict.messageId! : '';
      await node.app.deps.sync.runIntent(mod.id, {
        kind: 'hide',
        messageId,
        hidden: true,
        reason: 'Rude',
        n: 2,
        createdAt: Date.now(),
      });
      const page = async (m: UserRow) =>
        (
          await node.app.inject({
            method: 'GET',
            url: `/api/rooms/${general}/messages`,
            headers: { authorization: `Bearer ${await hostToken({ sub: m.host_user_id })}` },
          })
        ).json().messages[0];
      expect(await page(mod)).toMatchObject({ body: 'regrettable words', hidden: true, hiddenReason: 'Rude' });
      expect(await page(member)).toMatchObject({ body: '', hidden: true, hiddenReason: 'Rude' });
    } finally {
      await node.close();
      await db.close();
      await testDb.drop();
    }
  });
});

describe('what moderators read in the review queue and the log', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node: SyncNode;
  let general: string;
  let n = 0;
  const run = async (user: UserRow, intent: Record<string, unknown>) => {
    const out = await node.app.deps.sync.runIntent(user.id, { ...intent, n: ++n, createdAt: Date.now() });
    expect(out.verdict.status).toBe('accepted');
    return out.verdict.status === 'accepted' ? out.verdict.messageId! : '';
  };
  const queueOf = async (m: UserRow) => {
    const res = await node.app.inject({
      method: 'GET',
      url: '/api/moderation/queue',
      headers: { authorization: `Bearer ${await hostToken({ sub: m.host_user_id })}` },
    });
    expect(res.statusCode).toBe(200);
    return res.json().items as Array<{
      message: { id: string; body: string; bodyWhenFlagged: string | null };
      context: Array<{ body: string }>;
    }>;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    node = await startSyncNode(db);
    general = await loungeRoomId(db, 'general');
  });
  afterAll(async () => {
    await node.close();
    await db.close();
    await testDb.drop();
  });

  it('an insult edited into thanks after a report reads as reported, with the words it has now', async () => {
    const [sam, mo, admin] = (await Promise.all(
      ['eq_sam', 'eq_mo', 'eq_admin'].map((h) => createMember(db, h, { admin: h === 'eq_admin' })),
    )) as [UserRow, UserRow, UserRow];
    const messageId = await run(sam, {
      kind: 'send',
      channelId: general,
      body: 'your posts are worthless garbage, go away',
    });
    await run(mo, { kind: 'report', messageId, reason: 'harassment', details: '' });
    await run(sam, { kind: 'edit', messageId, body: 'thanks for the course!' });
    await run(sam, { kind: 'edit', messageId, body: 'thanks for the course!!' });
    const item = (await queueOf(admin)).find((i) => i.message.id === messageId);
    expect(item?.message).toMatchObject({
      body: 'thanks for the course!!',
      bodyWhenFlagged: 'your posts are worthless garbage, go away',
      editedAt: expect.any(String) as unknown as string,
    });
  });

  it('a message edited before it was reported reads as reported: nothing changed since', async () => {
    const [sam, mo, admin] = (await Promise.all(
      ['eq_sam2', 'eq_mo2', 'eq_admin2'].map((h) => createMember(db, h, { admin: h === 'eq_admin2' })),
    )) as [UserRow, UserRow, UserRow];
    const messageId = await run(sam, { kind: 'send', channelId: general, body: 'first words' });
    await run(sam, { kind: 'edit', messageId, body: 'your posts are worthless garbage, go away' });
    await run(mo, { kind: 'report', messageId, reason: 'harassment', details: '' });
    const item = (await queueOf(admin)).find((i) => i.message.id === messageId);
    expect(item?.message).toMatchObject({ body: 'your posts are worthless garbage, go away', bodyWhenFlagged: null });
  });

  it('each queue item and log entry says where its message is and links to it there; a DM only for its members', async () => {
    const [sam, mo, admin, dmAdmin] = (await Promise.all(
      ['pl_sam', 'pl_mo', 'pl_admin', 'pl_dmadmin'].map((h) => createMember(db, h, { admin: h.endsWith('admin') })),
    )) as [UserRow, UserRow, UserRow, UserRow];
    const act = async (user: UserRow, intent: Record<string, unknown>) => {
      const out = await node.app.deps.sync.runIntent(user.id, { ...intent, n: ++n, createdAt: Date.now() });
      if (out.verdict.status !== 'accepted') throw new Error(JSON.stringify(out.verdict));
      return out.verdict;
    };
    const flag = (messageId: string, roomId: string | null) =>
      db.query(`INSERT INTO moderation_queue (message_id, room_id, source, reason) VALUES ($1, $2, 'system', 'test')`, [
        messageId,
        roomId,
      ]);
    const inRoom = await run(sam, { kind: 'send', channelId: general, body: 'place: in the room' });
    await flag(inRoom, general);
    const thread = (await act(sam, { kind: 'create_thread', roomId: general, title: 'Place', body: 'first' }))
      .channelId!;
    const inThread = await run(sam, { kind: 'send', channelId: thread, body: 'place: in a thread' });
    await flag(inThread, general);
    const dm = (await act(sam, { kind: 'start_dm', participantIds: [mo.id] })).channelId!;
    const inDm = await run(sam, { kind: 'send', channelId: dm, body: 'place: in a DM' });
    await flag(inDm, null);
    const adminDm = (await act(sam, { kind: 'start_dm', participantIds: [dmAdmin.id] })).channelId!;
    const inAdminDm = await run(sam, { kind: 'send', channelId: adminDm, body: 'place: in a DM with an admin' });
    await flag(inAdminDm, null);
    // A project's discussion, as the host platform sets it up: it opens in its widget's page.
    const project = (await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`))
      .rows[0]!.id;
    await db.query(
      `INSERT INTO rooms (id, room_type, project_host_id, slug, name) VALUES ($1, 'project', 'p-42|x', 'p-42', 'Orbit')`,
      [project],
    );
    await setRole(db, project, sam.id, 'member');
    const inProject = await run(sam, { kind: 'send', channelId: project, body: 'place: in a project' });
    await flag(inProject, project);

    const items = (await queueOf(admin)) as unknown as Array<{ message: { id: string }; place: unknown }>;
    const placeOf = (id: string) => items.find((i) => i.message.id === id)?.place;
    expect(placeOf(inRoom)).toEqual({
      channelKind: 'room',
      roomSlug: 'general',
      roomType: 'lounge',
      threadId: null,
      path: `/lounge/general#message-${inRoom}`,
      opensAtMessage: true,
    });
    expect(placeOf(inThread)).toMatchObject({
      channelKind: 'thread',
      threadId: thread,
      path: `/lounge/general/thread/${thread}#message-${inThread}`,
    });
    // Direct messages are private even to admins: no address for one who is not in it.
    expect(placeOf(inDm)).toEqual({
      channelKind: 'dm',
      roomSlug: null,
      roomType: null,
      threadId: null,
      path: null,
      opensAtMessage: false,
    });
    expect(placeOf(inProject)).toMatchObject({
      roomType: 'project',
      path: `/embed/project/p-42%7Cx#message-${inProject}`,
    });
    const forDmAdmin = (await queueOf(dmAdmin)) as unknown as Array<{ message: { id: string }; place: unknown }>;
    expect(forDmAdmin.find((i) => i.message.id === inAdminDm)?.place).toMatchObject({
      channelKind: 'dm',
      path: `/messages/${adminDm}#message-${inAdminDm}`,
    });

    // The log links the message acted on; an action on a member alone has no place.
    await run(admin, { kind: 'hide', messageId: inThread, hidden: true, reason: 'Place test' });
    await run(admin, {
      kind: 'moderate_member',
      roomId: general,
      userId: sam.id,
      action: 'warn',
      reason: 'Place warn',
    });
    const log = await node.app.inject({
      method: 'GET',
      url: `/api/rooms/${general}/moderation-log`,
      headers: { authorization: `Bearer ${await hostToken({ sub: admin.host_user_id })}` },
    });
    expect(log.statusCode).toBe(200);
    const entries = log.json().entries as Array<{ reason: string; place: unknown }>;
    expect(entries.find((e) => e.reason === 'Place test')?.place).toMatchObject({
      path: `/lounge/general/thread/${thread}#message-${inThread}`,
    });
    expect(entries.find((e) => e.reason === 'Place warn')?.place).toBeNull();
  });

  it('the navigation counts what waits for review: a room moderator their rooms, an admin everything; a member is refused', async () => {
    const [sam, roomMod, admin, plain] = (await Promise.all(
      ['wt_sam', 'wt_mod', 'wt_admin', 'wt_plain'].map((h) => createMember(db, h, { admin: h === 'wt_admin' })),
    )) as [UserRow, UserRow, UserRow, UserRow];
    const coding = await loungeRoomId(db, 'coding');
    await setRole(db, coding, roomMod.id, 'moderator');
    const waiting = async (m: UserRow) =>
      node.app.inject({
        method: 'GET',
        url: '/api/moderation/waiting',
        headers: { authorization: `Bearer ${await hostToken({ sub: m.host_user_id })}` },
      });
    const before = (await waiting(admin)).json().waiting as number;
    expect((await waiting(roomMod)).json()).toEqual({ waiting: 0 });
    const messageId = await run(sam, { kind: 'send', channelId: coding, body: 'a line to count' });
    await db.query(
      `INSERT INTO moderation_queue (message_id, room_id, source, reason) VALUES ($1, $2, 'system', 't')`,
      [messageId, coding],
    );
    expect((await waiting(roomMod)).json()).toEqual({ waiting: 1 });
    expect((await waiting(admin)).json()).toEqual({ waiting: before + 1 });
    const refused = await waiting(plain);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toBe('Only moderators have a review queue.');
  });

  it('a deleted account is "Deleted user" in the queue and the log, never its placeholder handle', async () => {
    const [sam, mo, mod, admin] = (await Promise.all(
      ['dq_sam', 'dq_mo', 'dq_mod', 'dq_admin'].map((h) => createMember(db, h, { admin: h === 'dq_admin' })),
    )) as [UserRow, UserRow, UserRow, UserRow];
    await setRole(db, general, mod.id, 'moderator');
    await run(sam, { kind: 'send', channelId: general, body: 'a warm-up line' });
    const messageId = await run(sam, { kind: 'send', channelId: general, body: 'an unkind line' });
    await run(mo, { kind: 'report', messageId, reason: 'harassment', details: '' });
    await run(mod, { kind: 'moderate_member', roomId: general, userId: sam.id, action: 'warn', reason: 'Unkind' });
    await deleteAccount(db, sam.id);
    await deleteAccount(db, mod.id);

    const item = (await queueOf(admin)).find((i) => i.message.id === messageId);
    expect(item?.message).toMatchObject({ authorHandle: null, authorDeleted: true });
    expect(item?.context.find((c) => c.body === 'a warm-up line')).toEqual({
      seq: expect.any(Number) as unknown as number,
      authorHandle: null,
      authorDeleted: true,
      body: 'a warm-up line',
    });
    const log = await node.app.inject({
      method: 'GET',
      url: `/api/rooms/${general}/moderation-log`,
      headers: { authorization: `Bearer ${await hostToken({ sub: admin.host_user_id })}` },
    });
    expect(log.statusCode).toBe(200);
    const warned = (log.json().entries as Array<{ action: string; reason: string }>).find(
      (e) => e.action === 'warn' && e.reason === 'Unkind',
    );
    expect(warned).toMatchObject({ actorHandle: null, actorDeleted: true, targetHandle: null, targetDeleted: true });
    expect(JSON.stringify([item, warned])).not.toMatch(/deleted_/);
  });
});
