import { LIMITS } from '../../shared/rules/limits.ts';
import { readMessages } from '../../shared/sync/channel-doc.ts';
import { segmentOf } from '../../shared/sync/segments.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { encodeCursor } from '../../sync-server/http/cursor.ts';
import { loadChannelDoc } from '../../sync-server/sync/channel-doc-store.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  sendIntent,
  setRole,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken } from '../support/test-app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };
/** These stories are about reading; rate limits have their own tests. */

async function authFor(user: UserRow) {
  return { authorization: `Bearer ${await hostToken({ sub: user.host_user_id })}` };
}

/** `count` messages appended to a channel the way the pipeline numbers them (seq after the last one). */
async function appendMessages(
  db: Database,
  channelId: string,
  roomId: string | null,
  authorId: string,
  count: number,
  body = (n: number) => `message ${n}`,
) {
  for (let n = 1; n <= count; n++) {
    const seq = await db.query<{ last_seq: number }>(
      'UPDATE channels SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq',
      [channelId],
    );
    await db.query('INSERT INTO messages (channel_id, seq, room_id, author_id, body) VALUES ($1, $2, $3, $4, $5)', [
      channelId,
      seq.rows[0]!.last_seq,
      roomId,
      authorId,
      body(seq.rows[0]!.last_seq),
    ]);
  }
}

async function privateCircle(db: Database, name: string): Promise<string> {
  const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
  const id = channel.rows[0]!.id;
  await db.query(`INSERT INTO rooms (id, slug, name, room_type, is_private) VALUES ($1, $2, $3, 'circle', true)`, [
    id,
    name,
    name,
  ]);
  return id;
}

describe('threads and channel history, as members read them (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: App;
  let intents: IntentDeps;
  let general: string;
  let ada: UserRow; // writes most things
  let ben: UserRow; // an ordinary reader
  let mo: UserRow; // moderator of General
  let bo: UserRow; // banned from General
  let cy: UserRow; // member of the private circle
  let circle: string;

  async function send(user: UserRow, intent: Record<string, unknown>) {
    const outcome = await processIntent(intents, user.id, randomUUID(), intent);
    expect(outcome.verdict.status, JSON.stringify(outcome.verdict)).toBe('accepted');
    return outcome.verdict as { messageId: string; channelId: string; seq: number };
  }
  async function get(user: UserRow, url: string) {
    return app.inject({ method: 'GET', url, headers: await authFor(user) });
  }
  async function snapshot() {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM threads)::int AS threads,
              (SELECT count(*) FROM channel_changes)::int AS changes, (SELECT count(*) FROM room_memberships)::int AS memberships`,
    );
    return rows[0];
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db, undefined, { rateLimiter: unlimitedRateLimiter });
    intents = intentDeps(db, unlimitedRateLimiter);
    general = await loungeRoomId(db);
    ada = await createMember(db, 'ada');
    ben = await createMember(db, 'ben');
    mo = await createMember(db, 'mo');
    bo = await createMember(db, 'bo');
    cy = await createMember(db, 'cy');
    await setRole(db, general, mo.id, 'moderator');
    await setRole(db, general, bo.id, 'banned');
    circle = await privateCircle(db, 'circle-1');
    await setRole(db, circle, cy.id, 'member');
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('a room’s thread list shows pinned threads first, then the most recently active, each thread once across pages', async () => {
    const titles = [
      'Old question',
      'Fresh question',
      'Pinned rules',
      'Pinned FAQ',
      'Middle question',
      'Quiet announcement',
    ];
    const ids = new Map<string, string>();
    for (const title of titles) {
      const made = await send(ada, {
        kind: 'create_thread',
        roomId: general,
        title,
        body: `About ${title}`,
        n: 1,
        createdAt: Date.now(),
      });
      ids.set(title, made.channelId);
    }
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
    const activity: Record<string, Date | null> = {
      'Old question': at(300),
      'Fresh question': at(1),
      'Pinned rules': at(500),
      'Pinned FAQ': at(10),
      'Middle question': at(60),
      'Quiet announcement': null, // e.g. a battle thread nobody has written in yet
    };
    for (const [title, lastMessageAt] of Object.entries(activity)) {
      await db.query('UPDATE threads SET last_message_at = $2, is_pinned = $3 WHERE id = $1', [
        ids.get(title),
        lastMessageAt,
        title.startsWith('Pinned'),
      ]);
    }
    const seen: Array<{ title: string; pinned: boolean; creator: { handle: string } | null; messageCount: number }> =
      [];
    let cursor: string | null = null;
    const totals: Array<number | undefined> = [];
    for (let page = 0; page < 10; page++) {
      const res = await get(ben, `/api/rooms/${general}/threads?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().threads);
      totals.push(res.json().total);
      cursor = res.json().nextCursor;
      if (!cursor) break;
    }
    // The first page says how many there are in all (the list's header count); later pages need not.
    expect(totals).toEqual([6, undefined, undefined]);
    expect((await get(ben, `/api/rooms/${general}/threads?limit=50`)).json()).toMatchObject({
      total: 6,
      nextCursor: null,
    });
    expect(seen.map((t) => t.title)).toEqual([
      'Pinned FAQ',
      'Pinned rules',
      'Fresh question',
      'Middle question',
      'Old question',
      'Quiet announcement',
    ]);
    expect(seen[0]).toMatchObject({ pinned: true, locked: false, resolved: false, archived: false, messageCount: 1 });
    expect(seen[0]!.creator).toMatchObject({ handle: 'ada', displayName: 'ada', deleted: false });
  });

  it('threads stay private to who can read the room: outsiders of a private circle, banned members, unknown rooms', async () => {
    const before = await snapshot();
    const outsider = await get(ben, `/api/rooms/${circle}/threads`);
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json()).toEqual({ error: { code: 'private_room', message: expect.stringMatching(/private/) } });
    expect((await get(cy, `/api/rooms/${circle}/threads`)).statusCode).toBe(200);
    const banned = await get(bo, `/api/rooms/${general}/threads`);
    expect(banned.statusCode).toBe(403);
    expect(banned.json().error).toEqual({ code: 'banned', message: 'You are banned from this room.' });
    const unknown = await get(ben, `/api/rooms/${randomUUID()}/threads`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual(errorShape);
    const thread = await db.query<{ id: string }>('SELECT id FROM threads LIMIT 1');
    expect((await get(ben, `/api/rooms/${thread.rows[0]!.id}/threads`)).statusCode).toBe(404);
    for (const url of [
      `/api/rooms/${general}/threads?cursor=abc`,
      `/api/rooms/${general}/threads?cursor=${encodeCursor({ seq: 3 })}`,
    ]) {
      const res = await get(ben, url);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('bad_cursor');
    }
    expect((await get(ben, `/api/rooms/${general}/threads?limit=0`)).statusCode).toBe(400);
    expect((await get(ben, `/api/rooms/${general}/threads?sort=title`)).json().error.message).toMatch(/sort/);
    expect(await snapshot()).toEqual(before);
  });

  it('a history page shows a message as its channel doc does: reactions, mentions, and its thread with activity', async () => {
    const asked = await send(ada, sendIntent(general, 'Which keyboard do you code on, @ben?'));
    await send(ben, { kind: 'react', messageId: asked.messageId, emoji: '👍', n: 1, createdAt: Date.now() });
    const made = await send(mo, {
      kind: 'create_thread',
      roomId: general,
      title: 'Keyboards',
      body: 'A split one.',
      parentMessageId: asked.messageId,
      n: 1,
      createdAt: Date.now(),
    });
    await send(ben, sendIntent(made.channelId, 'Whatever the laptop has.'));
    await send(ada, sendIntent(general, 'a later message'));

    const segment = await loadChannelDoc(db, {
      kind: 'channel-segment',
      channelId: general,
      segment: segmentOf(asked.seq),
    });
    const inDoc = readMessages(segment.doc, general).find((m) => m.id === asked.messageId);
    expect(inDoc).toMatchObject({
      threadId: made.channelId,
      threadReplies: 2,
      reactions: { '👍': [ben.id] },
      mentions: [ben.id],
    });

    // The room route, the channel route and the window around the message: each says what the doc says.
    const roomPage = (await get(ben, `/api/rooms/${general}/messages?limit=5`)).json();
    const channelPage = (await get(ben, `/api/channels/${general}/messages?limit=5`)).json();
    const around = (await get(ben, `/api/channels/${general}/messages/around/${asked.messageId}?limit=3`)).json();
    for (const page of [roomPage, channelPage, around]) {
      expect(page.messages.find((m: { id: string }) => m.id === asked.messageId)).toEqual(inDoc);
    }
  });

  it('jumping to a reply opens the window around it, with cursors to page either way', async () => {
    const made = await send(ada, {
      kind: 'create_thread',
      roomId: general,
      title: 'Long thread',
      body: 'reply 1',
      n: 1,
      createdAt: Date.now(),
    });
    const thread = made.channelId;
    await appendMessages(db, thread, general, ada.id, 29, (n) => `reply ${n}`);
    const target = await db.query<{ id: string }>('SELECT id FROM messages WHERE channel_id = $1 AND seq = 15', [
      thread,
    ]);
    const around = await get(ben, `/api/channels/${thread}/messages/around/${target.rows[0]!.id}?limit=5`);
    expect(around.statusCode, around.body).toBe(200);
    const page = around.json();
    expect(page.messages.map((m: { seq: number }) => m.seq)).toEqual([13, 14, 15, 16, 17]);
    expect(page.targetSeq).toBe(15);
    const older = (await get(ben, `/api/channels/${thread}/messages?before=${page.olderCursor}&limit=5`)).json();
    expect(older.messages.map((m: { seq: number }) => m.seq)).toEqual([8, 9, 10, 11, 12]);
    const newer = (await get(ben, `/api/channels/${thread}/messages?after=${page.newerCursor}&limit=5`)).json();
    expect(newer.messages.map((m: { seq: number }) => m.seq)).toEqual([18, 19, 20, 21, 22]);
    expect(newer.messages[0].body).toBe('reply 18');

    // Near the start the window fills from the other side, and says there is nothing older.
    const first = await db.query<{ id: string }>('SELECT id FROM messages WHERE channel_id = $1 AND seq = 2', [thread]);
    const start = (await get(ben, `/api/channels/${thread}/messages/around/${first.rows[0]!.id}?limit=10`)).json();
    expect(start.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(start.olderCursor).toBeNull();
    expect(start.newerCursor).not.toBeNull();

    // A message of another channel is not "around" anything here.
    const elsewhere = await send(ada, sendIntent(general, 'in the main chat'));
    const wrong = await get(ben, `/api/channels/${thread}/messages/around/${elsewhere.messageId}`);
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().error.message).toBe('That message is not in this conversation.');
  });

  it('a thread reads from its start to its end page by page, and back from the end, every message exactly once', async () => {
    const made = await send(ada, {
      kind: 'create_thread',
      roomId: general,
      title: 'Walk me',
      body: 'walk 1',
      n: 1,
      createdAt: Date.now(),
    });
    await appendMessages(db, made.channelId, general, ada.id, 22);
    const forward: number[] = [];
    let url: string | null = `/api/channels/${made.channelId}/messages?from=oldest&limit=10`;
    while (url) {
      const res = await get(ben, url);
      expect(res.statusCode, res.body).toBe(200);
      forward.push(...res.json().messages.map((m: { seq: number }) => m.seq));
      url = res.json().newerCursor
        ? `/api/channels/${made.channelId}/messages?after=${res.json().newerCursor}&limit=10`
        : null;
    }
    expect(forward).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    const backward: number[] = [];
    url = `/api/channels/${made.channelId}/messages?limit=10`;
    while (url) {
      const res = await get(ben, url);
      backward.unshift(...res.json().messages.map((m: { seq: number }) => m.seq));
      url = res.json().olderCursor
        ? `/api/channels/${made.channelId}/messages?before=${res.json().olderCursor}&limit=10`
        : null;
    }
    expect(backward).toEqual(forward);
  });

  it('the room history route keeps working, and its cursors continue on the channel route', async () => {
    for (let i = 1; i <= 7; i++) await send(ada, sendIntent(general, `general ${i}`));
    const room = await get(ben, `/api/rooms/${general}/messages?limit=3`);
    expect(room.statusCode).toBe(200);
    const channel = await get(ben, `/api/channels/${general}/messages?limit=3`);
    expect(channel.json().messages.map((m: { seq: number }) => m.seq)).toEqual(
      room
        .json()
        .messages.map((m: { seq: number }) => m.seq)
        .reverse(),
    );
    const next = await get(ben, `/api/channels/${general}/messages?before=${room.json().nextCursor}&limit=3`);
    expect(next.statusCode).toBe(200);
    expect(next.json().messages.at(-1).seq).toBe(room.json().messages.at(-1).seq - 1);
  });

  it('hidden words reach the room’s moderators only, deleted words nobody, and private channels stay private', async () => {
    const hidden = await send(ada, sendIntent(general, 'something rude'));
    const gone = await send(ada, sendIntent(general, 'oops, wrong room'));
    await send(mo, {
      kind: 'hide',
      messageId: hidden.messageId,
      hidden: true,
      reason: 'Be kind.',
      n: 1,
      createdAt: Date.now(),
    });
    await send(ada, { kind: 'delete', messageId: gone.messageId, n: 1, createdAt: Date.now() });
    const bySeq = async (user: UserRow) => {
      const res = await get(user, `/api/channels/${general}/messages?limit=5`);
      expect(res.statusCode).toBe(200);
      return new Map(res.json().messages.map((m: { id: string }) => [m.id, m])) as Map<string, Record<string, unknown>>;
    };
    const asMember = await bySeq(ben);
    expect(asMember.get(hidden.messageId)).toMatchObject({ body: '', hidden: true, hiddenReason: 'Be kind.' });
    expect(asMember.get(gone.messageId)).toMatchObject({ body: '', deleted: true, type: 'deleted' });
    const asModerator = await bySeq(mo);
    expect(asModerator.get(hidden.messageId)).toMatchObject({ body: 'something rude', hidden: true });
    expect(asModerator.get(gone.messageId)).toMatchObject({ body: '', deleted: true });
    const around = await get(ben, `/api/channels/${general}/messages/around/${hidden.messageId}?limit=3`);
    expect(around.json().messages.find((m: { id: string }) => m.id === hidden.messageId).body).toBe('');

    const before = await snapshot();
    for (const url of [
      `/api/channels/${circle}/messages`,
      `/api/channels/${circle}/messages/around/${hidden.messageId}`,
    ]) {
      const res = await get(ben, url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('private_room');
    }
    expect((await get(bo, `/api/channels/${general}/messages`)).json().error.code).toBe('banned');
    expect((await get(bo, `/api/channels/${general}/messages/around/${hidden.messageId}`)).json().error.code).toBe(
      'banned',
    );
    expect((await get(ben, `/api/channels/${randomUUID()}/messages`)).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it('bad paging input is a 400 in the error shape', async () => {
    const cases = [
      `/api/channels/${general}/messages?before=${encodeCursor({ seq: 5 })}&after=${encodeCursor({ seq: 1 })}`,
      `/api/channels/${general}/messages?from=oldest&before=${encodeCursor({ seq: 5 })}`,
      `/api/channels/${general}/messages?after=%%%`,
      `/api/channels/${general}/messages?before=${encodeCursor({ seq: -1 })}`,
      `/api/channels/${general}/messages?limit=${LIMITS.history.pageSizeMax + 1}`,
      `/api/channels/${general}/messages?offset=50`,
      `/api/channels/not-a-uuid/messages`,
      `/api/channels/${general}/messages/around/not-a-uuid`,
    ];
    for (const url of cases) {
      const res = await get(ben, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual(errorShape);
    }
  });
});
