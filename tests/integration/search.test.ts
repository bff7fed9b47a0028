import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can } from '../../shared/rules/permissions.ts';
import { PERMISSION_LEVELS, ROLES } from '../../shared/rules/roles.ts';
import { trustLevelOf } from '../../shared/rules/trust.ts';
import { loadChannelAccess } from '../../sync-server/access/channel-access.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { createPgliteDatabase } from '../../sync-server/db/pglite-database.ts';
import { requiredPairs, requiredPhrases } from '../../sync-server/features/search/phrase-pairs.ts';
import { readableRoomSql } from '../../sync-server/features/search/readable-sql.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { encodeCursor } from '../../sync-server/http/cursor.ts';
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

interface Hit {
  messageId: string;
  channelId: string;
  channelKind: string;
  roomId: string | null;
  threadId: string | null;
  authorId: string | null;
  createdAt: string;
  rank: number;
  fragments: Array<{ text: string; highlights: Array<{ start: number; end: number }> }>;
}

async function authFor(user: UserRow) {
  return { authorization: `Bearer ${await hostToken({ sub: user.host_user_id })}` };
}

async function newRoom(
  db: Database,
  slug: string,
  values: { type?: string; isPrivate?: boolean; readLevel?: string; lounge?: boolean } = {},
) {
  const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
  const id = channel.rows[0]!.id;
  await db.query(
    `INSERT INTO rooms (id, lounge_id, slug, name, room_type, is_private, read_permission_level)
     VALUES ($1, CASE WHEN $6 THEN (SELECT id FROM lounges WHERE slug = 'the-lounge') END, $2, $2, $3, $4, $5)`,
    [
      id,
      slug,
      values.type ?? 'circle',
      values.isPrivate ?? false,
      values.readLevel ?? 'everyone',
      values.lounge ?? values.type === 'lounge',
    ],
  );
  return id;
}

async function newDm(db: Database, a: UserRow, b: UserRow) {
  const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('dm') RETURNING id`);
  const id = channel.rows[0]!.id;
  await db.query('INSERT INTO dm_threads (id, pair_key, created_by) VALUES ($1, $2, $3)', [
    id,
    [a.id, b.id].sort().join(':'),
    a.id,
  ]);
  await db.query('INSERT INTO dm_participants (dm_thread_id, user_id) VALUES ($1, $2), ($1, $3)', [id, a.id, b.id]);
  return id;
}

/**
 * The same story on both databases: search finds what a member may read, and nothing else.
 */
function searchStory(name: string, open: () => Promise<{ db: Database; close: () => Promise<void> }>) {
  describe(`search on ${name}: only what the caller may read, never hidden or deleted words`, () => {
    let db: Database;
    let close: () => Promise<void>;
    let app: App;
    let intents: IntentDeps;
    let general: string;
    let coding: string;
    let circle: string;
    let staffRoom: string;
    let dm: string;
    let circleThread: string;
    let ada: UserRow, ben: UserRow, cy: UserRow, bo: UserRow, dee: UserRow, mo: UserRow, root: UserRow;
    const ids: Record<string, string> = {};

    async function send(user: UserRow, intent: Record<string, unknown>) {
      const outcome = await processIntent(intents, user.id, randomUUID(), intent);
      expect(outcome.verdict.status, JSON.stringify(outcome.verdict)).toBe('accepted');
      return outcome.verdict as { messageId: string; channelId: string };
    }
    async function search(user: UserRow, query: string) {
      const res = await app.inject({ method: 'GET', url: `/api/search?${query}`, headers: await authFor(user) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { results: Hit[]; nextCursor: string | null };
    }
    const where = (hits: Hit[]) =>
      hits.map((h) => Object.entries(ids).find(([, id]) => id === h.messageId)?.[0] ?? h.messageId).sort();

    beforeAll(async () => {
      ({ db, close } = await open());
      app = await createTestApp(db, undefined, { rateLimiter: unlimitedRateLimiter });
      intents = intentDeps(db, unlimitedRateLimiter);
      general = await loungeRoomId(db);
      coding = await loungeRoomId(db, 'coding');
      ada = await createMember(db, 'ada');
      ben = await createMember(db, 'ben');
      cy = await createMember(db, 'cy');
      bo = await createMember(db, 'bo');
      dee = await createMember(db, 'dee');
      mo = await createMember(db, 'mo');
      root = await createMember(db, 'root', { admin: true });
      circle = await newRoom(db, 'circle-7', { type: 'circle', isPrivate: true });
      staffRoom = await newRoom(db, 'staff', { type: 'lounge', readLevel: 'moderator' });
      for (const u of [ada, cy]) await setRole(db, circle, u.id, 'member');
      await setRole(db, general, mo.id, 'moderator');
      await setRole(db, staffRoom, mo.id, 'moderator');
      await setRole(db, coding, bo.id, 'banned');
      dm = await newDm(db, ada, dee);

      ids.general = (await send(ada, sendIntent(general, 'Pineapple on pizza is a crime, change my mind'))).messageId;
      ids.coding = (
        await send(ada, sendIntent(coding, 'My pineapple parser throws on <b>bold</b> & friends'))
      ).messageId;
      ids.circle = (await send(cy, sendIntent(circle, 'Circle secret: the pineapple project ships Friday'))).messageId;
      const thread = await send(cy, {
        kind: 'create_thread',
        roomId: circle,
        title: 'Shipping',
        body: 'Thread reply about pineapple logistics',
        n: 1,
        createdAt: Date.now(),
      });
      ids.circleThread = thread.messageId;
      circleThread = thread.channelId;
      ids.dm = (await send(ada, sendIntent(dm, 'Private pineapple gossip between us two'))).messageId;
      ids.staff = (await send(mo, sendIntent(staffRoom, 'Staff notes on the pineapple incident'))).messageId;
      ids.hidden = (await send(ada, sendIntent(general, 'A rude pineapple remark'))).messageId;
      ids.deleted = (await send(ada, sendIntent(general, 'A regretted pineapple message'))).messageId;
      await send(mo, {
        kind: 'hide',
        messageId: ids.hidden,
        hidden: true,
        reason: 'Rude.',
        n: 1,
        createdAt: Date.now(),
      });
      await send(ada, { kind: 'delete', messageId: ids.deleted, n: 1, createdAt: Date.now() });
    });
    afterAll(async () => {
      await app.close();
      await close();
    });

    it('each member finds the pineapple messages of the rooms, threads and DMs they can read, and no others', async () => {
      expect(where((await search(ben, 'q=pineapple')).results)).toEqual(['coding', 'general']);
      expect(where((await search(cy, 'q=pineapple')).results)).toEqual(['circle', 'circleThread', 'coding', 'general']);
      expect(where((await search(bo, 'q=pineapple')).results)).toEqual(['general']); // banned from Coding
      expect(where((await search(dee, 'q=pineapple')).results)).toEqual(['coding', 'dm', 'general']);
      expect(where((await search(ada, 'q=pineapple')).results)).toEqual([
        'circle',
        'circleThread',
        'coding',
        'dm',
        'general',
      ]);
      expect(where((await search(mo, 'q=pineapple')).results)).toEqual(['coding', 'general', 'staff']);
      // Platform admins read every room, but DMs stay between their participants.
      expect(where((await search(root, 'q=pineapple')).results)).toEqual([
        'circle',
        'circleThread',
        'coding',
        'general',
        'staff',
      ]);
    });

    it('hidden and deleted messages are never found, not even by the moderator who hid them', async () => {
      for (const user of [ada, mo, root]) {
        const found = where((await search(user, 'q=pineapple')).results);
        expect(found).not.toContain('hidden');
        expect(found).not.toContain('deleted');
      }
      expect((await search(root, 'q=rude')).results).toEqual([]);
      expect((await search(ada, 'q=regretted')).results).toEqual([]);
    });

    it('highlights are plain-text fragments whose offsets land on the matched words, markup included as text', async () => {
      const { results } = await search(ben, 'q=pineapples');
      expect(results.length).toBe(2);
      for (const hit of results) {
        const marked = hit.fragments.flatMap((f) => f.highlights.map((h) => f.text.slice(h.start, h.end)));
        expect(marked.length).toBeGreaterThan(0);
        expect(marked.every((word) => word.toLowerCase() === 'pineapple')).toBe(true);
      }
      const parser = results.find((h) => h.messageId === ids.coding)!;
      // A chat message of a line or two reads whole: no word or mark dropped around the match.
      expect(parser.fragments.map((f) => f.text)).toEqual(['My pineapple parser throws on <b>bold</b> & friends']);
      expect(parser).toMatchObject({ channelKind: 'room', roomId: coding, threadId: null, authorId: ada.id });
      expect(parser.rank).toBeGreaterThan(0);
      const inThread = (await search(cy, 'q=logistics')).results;
      expect(inThread).toEqual([
        expect.objectContaining({ channelKind: 'thread', threadId: circleThread, roomId: circle }),
      ]);
      const phrase = (await search(ben, `q=${encodeURIComponent('"change my mind" -parser')}`)).results;
      expect(phrase.map((h) => h.messageId)).toEqual([ids.general]);
    });

    it('filters by room (its threads included), author and time', async () => {
      expect(where((await search(cy, `q=pineapple&roomId=${circle}`)).results)).toEqual(['circle', 'circleThread']);
      expect(where((await search(cy, `q=pineapple&authorId=${ada.id}`)).results)).toEqual(['coding', 'general']);
      await db.query(`UPDATE messages SET created_at = '2025-01-15T12:00:00Z' WHERE id = $1`, [ids.general]);
      expect(
        where((await search(ben, 'q=pineapple&from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z')).results),
      ).toEqual(['general']);
      expect(where((await search(ben, 'q=pineapple&from=2025-02-01T00:00:00Z')).results)).toEqual(['coding']);
    });

    it('pages newest first with a keyset cursor: every match exactly once', async () => {
      const sent: string[] = [];
      for (let i = 0; i < 23; i++)
        sent.push((await send(ben, sendIntent(general, `mango smoothie number ${i}`))).messageId);
      // Several messages share a timestamp: the id breaks the tie.
      await db.query(`UPDATE messages SET created_at = '2026-03-01T10:00:00.123456Z' WHERE id = ANY($1::uuid[])`, [
        sent.slice(5, 12),
      ]);
      const seen: Hit[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const res = await search(ben, `q=mango&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...res.results);
        cursor = res.nextCursor;
        if (!cursor) break;
      }
      expect(seen.map((h) => h.messageId).sort()).toEqual([...sent].sort());
      const keys = seen.map((h) => `${h.createdAt}|${h.messageId}`);
      expect(new Set(keys).size).toBe(23);
      for (let i = 1; i < seen.length; i++)
        expect(Date.parse(seen[i - 1]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(seen[i]!.createdAt));
    });

    it('finds old matches beyond the newest 5,000 messages, pages across that edge, and keeps hidden and private ones out', async () => {
      // A few kumquat messages from last month, then 6,000 newer messages burying them, then one more today.
      const insert = async (
        channelId: string,
        roomId: string | null,
        body: string,
        daysAgo: number,
        hidden = false,
      ) => {
        const seq = await db.query<{ last_seq: number }>(
          'UPDATE channels SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq',
          [channelId],
        );
        const { rows } = await db.query<{ id: string }>(
          `INSERT INTO messages (channel_id, seq, room_id, author_id, body, is_hidden, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, now() - make_interval(days => $7)) RETURNING id`,
          [channelId, seq.rows[0]!.last_seq, roomId, ada.id, body, hidden, daysAgo],
        );
        return rows[0]!.id;
      };
      const old = [
        await insert(general, general, 'Kumquat jam, first attempt', 30),
        await insert(general, general, 'Kumquat jam, second attempt', 29),
        await insert(general, general, 'Kumquat jam, third attempt', 28),
      ];
      await insert(general, general, 'A hidden kumquat rant', 27, true);
      const secret = await insert(circle, circle, 'Circle-only kumquat plans', 26);
      const whispered = await insert(dm, null, 'Kumquat gossip in a DM', 25);
      const base = await db.query<{ last_seq: number }>('SELECT last_seq FROM channels WHERE id = $1', [general]);
      await db.query(
        `INSERT INTO messages (channel_id, seq, room_id, author_id, body, created_at)
         SELECT $1, $2 + n, $1, $3, 'ordinary chatter number ' || n, now() - make_interval(days => 1) + make_interval(secs => n)
           FROM generate_series(1, 6000) AS n`,
        [general, base.rows[0]!.last_seq, ada.id],
      );
      await db.query('UPDATE channels SET last_seq = last_seq + 6000 WHERE id = $1', [general]);
      const fresh = await insert(general, general, 'Kumquat season is back', 0);

      const walk = async (user: UserRow, extra = '') => {
        const found: string[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 10; page++) {
          const res = await search(user, `q=kumquats&limit=2${extra}${cursor ? `&cursor=${cursor}` : ''}`);
          found.push(...res.results.map((h) => h.messageId));
          cursor = res.nextCursor;
          if (!cursor) break;
        }
        return found;
      };
      expect(await walk(ben)).toEqual([fresh, ...[...old].reverse()]);
      expect(await walk(ben, `&roomId=${general}`)).toEqual([fresh, ...[...old].reverse()]);
      expect(await walk(cy)).toEqual([fresh, secret, ...[...old].reverse()]);
      // Past the window the search asks the indexes for readable rooms and DMs only: a DM's own reader
      // still finds it there, others never.
      expect(await walk(dee)).toEqual([fresh, whispered, ...[...old].reverse()]);
    });

    it('a phrase beyond the newest 5,000 messages finds exactly what PostgreSQL’s own phrase match finds', async () => {
      // Phrases are narrowed by their word pairs (migration 0011) only past the window, so the phrase
      // messages are old and buried under newer ones holding the same words apart.
      const bodies = [
        'Our zebra giraffe parade',
        'giraffe then zebra',
        'zebra and the giraffe',
        'zebra of giraffe',
        'a well-known zebra-giraffe hybrid',
        "the zebra's giraffe",
        'ZEBRA GIRAFFE shouting',
        'zebra\ngiraffe on two lines',
        'write to zebra@giraffe.org by e-mail',
        'zebra 42 giraffe',
        'zebra, giraffe!',
      ];
      const old: Record<string, string> = {};
      for (const [i, body] of bodies.entries()) {
        const seq = await db.query<{ last_seq: number }>(
          'UPDATE channels SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq',
          [general],
        );
        const { rows } = await db.query<{ id: string }>(
          `INSERT INTO messages (channel_id, seq, room_id, author_id, body, created_at)
           VALUES ($1, $2, $1, $3, $4, now() - make_interval(days => 40 - $5)) RETURNING id`,
          [general, seq.rows[0]!.last_seq, ada.id, body, i],
        );
        old[rows[0]!.id] = body;
      }
      const base = await db.query<{ last_seq: number }>('SELECT last_seq FROM channels WHERE id = $1', [general]);
      await db.query(
        `INSERT INTO messages (channel_id, seq, room_id, author_id, body, created_at)
         SELECT $1, $2 + n, $1, $3, 'giraffe sighting ' || n || ', no zebra today', now() - make_interval(days => 2) + make_interval(secs => n)
           FROM generate_series(1, 5200) AS n`,
        [general, base.rows[0]!.last_seq, ada.id],
      );
      await db.query('UPDATE channels SET last_seq = last_seq + 5200 WHERE id = $1', [general]);

      expect(await requiredPairs(db, requiredPhrases('"zebra giraffe"'))).toEqual(['zebra giraff 1']);
      for (const q of [
        '"zebra giraffe"',
        '"giraffe zebra"',
        '"zebra of giraffe"',
        '"zebra and the giraffe"',
        '"zebra giraffe" parade',
        '"zebra giraffe" or hybrid',
        'shouting -"zebra giraffe"',
        '"well-known zebra"',
        '"zebra-giraffe hybrid"',
        '"zebra\'s giraffe"',
        '"zebra 42 giraffe"',
        '"zebra@giraffe.org by e-mail"',
        '"zebra, giraffe!"',
        '"two lines" "zebra giraffe"',
      ]) {
        const expected = await db.query<{ id: string }>(
          `SELECT id FROM messages
            WHERE room_id = $1 AND search_vector @@ websearch_to_tsquery('english', $2) AND id = ANY($3::uuid[])`,
          [general, q, Object.keys(old)],
        );
        const found: string[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 5; page++) {
          const res = await search(
            ben,
            `q=${encodeURIComponent(q)}&roomId=${general}&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
          );
          found.push(...res.results.map((h) => h.messageId));
          cursor = res.nextCursor;
          if (!cursor) break;
        }
        expect(found.map((id) => old[id] ?? id).sort(), q).toEqual(expected.rows.map((r) => old[r.id]!).sort());
      }
    });

    it('refusals and bad input: a room you cannot read, unknown rooms, empty or malformed queries', async () => {
      const before = await db.query(
        'SELECT (SELECT count(*) FROM messages)::int AS m, (SELECT count(*) FROM channel_changes)::int AS c',
      );
      const outsider = await app.inject({
        method: 'GET',
        url: `/api/search?q=pineapple&roomId=${circle}`,
        headers: await authFor(ben),
      });
      expect(outsider.statusCode).toBe(403);
      expect(outsider.json().error.code).toBe('private_room');
      const banned = await app.inject({
        method: 'GET',
        url: `/api/search?q=pineapple&roomId=${coding}`,
        headers: await authFor(bo),
      });
      expect(banned.json().error.code).toBe('banned');
      const unknown = await app.inject({
        method: 'GET',
        url: `/api/search?q=pineapple&roomId=${randomUUID()}`,
        headers: await authFor(ben),
      });
      expect(unknown.statusCode).toBe(404);
      for (const query of [
        'q=',
        'q=%20%20',
        `q=${'x'.repeat(201)}`,
        'q=pineapple&from=yesterday',
        'q=pineapple&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
        'q=pineapple&cursor=bad!',
        `q=pineapple&cursor=${encodeCursor({ t: '2026-01-01', id: 'x' })}`,
        'q=pineapple&limit=51',
        'q=pineapple&sort=rank',
        'q=pine%00apple',
        'q=pineapple&from=2026-02-30T00:00:00Z',
        'q=pineapple&to=0000-01-01T00:00:00Z',
        `q=pineapple&cursor=${encodeCursor({ t: '2026-02-30T10:00:00.000000Z', id: randomUUID() })}`,
      ]) {
        const res = await app.inject({ method: 'GET', url: `/api/search?${query}`, headers: await authFor(ben) });
        expect(res.statusCode, query).toBe(400);
        expect(res.json(), query).toEqual(errorShape);
      }
      expect((await search(ben, 'q=the')).results).toEqual([]); // stop words only
      const anonymous = await app.inject({ method: 'GET', url: '/api/search?q=pineapple' });
      expect(anonymous.statusCode).toBe(401);
      const after = await db.query(
        'SELECT (SELECT count(*) FROM messages)::int AS m, (SELECT count(*) FROM channel_changes)::int AS c',
      );
      expect(after.rows).toEqual(before.rows);
    });
  });
}

let pgTestDb: TestDatabase;
searchStory('PostgreSQL', async () => {
  pgTestDb = await createTestDatabase();
  const db = createPgDatabase(pgTestDb.url);
  return {
    db,
    close: async () => {
      await db.close();
      await pgTestDb.drop();
    },
  };
});
searchStory('PGlite', async () => {
  const db = await createPgliteDatabase(undefined);
  return { db, close: () => db.close() };
});

describe('the search visibility predicate agrees with can(read) for every kind of room and member', () => {
  let testDb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    await createTestApp(db).then((app) => app.close());
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('matches can() over room type × privacy × read level × role × trust, and for global admins', async () => {
    const rooms: string[] = [];
    for (const type of ['lounge', 'circle', 'project'])
      for (const isPrivate of [false, true])
        for (const readLevel of PERMISSION_LEVELS)
          rooms.push(await newRoom(db, `m-${type}-${isPrivate}-${readLevel}`, { type, isPrivate, readLevel }));
    const people: Array<{ user: UserRow; role: string | null }> = [];
    for (const role of [null, ...ROLES]) {
      for (const trusted of [false, true]) {
        const user = await createMember(
          db,
          `p-${role ?? 'none'}-${trusted ? 't' : 'n'}`,
          trusted ? { daysAgo: 30, messagesSent: 60 } : { daysAgo: 0, messagesSent: 0 },
        );
        if (role) for (const room of rooms) await setRole(db, room, user.id, role);
        people.push({ user, role });
      }
    }
    people.push({ user: await createMember(db, 'p-admin', { admin: true, daysAgo: 0, messagesSent: 0 }), role: null });
    const now = new Date();
    let compared = 0;
    for (const { user } of people) {
      // createMember ages the account after creating it: read the counters trust is computed from.
      const fresh = await db.query<{ messages_sent: number; joined_at: Date }>(
        'SELECT messages_sent, joined_at FROM users WHERE id = $1',
        [user.id],
      );
      const isTrusted =
        trustLevelOf({ messagesSent: fresh.rows[0]!.messages_sent, joinedAt: fresh.rows[0]!.joined_at }, now) ===
        'trusted';
      const { rows } = await db.query<{ id: string }>(
        `SELECT r.id FROM rooms r LEFT JOIN room_memberships mm ON mm.room_id = r.id AND mm.user_id = $1
          WHERE r.id = ANY($2::uuid[]) AND ${readableRoomSql({ room: 'r', membership: 'mm', isGlobalAdmin: '$3::boolean', isTrusted: '$4::boolean' })}`,
        [user.id, rooms, user.is_global_admin, isTrusted],
      );
      const bySql = new Set(rows.map((r) => r.id));
      for (const room of rooms) {
        const access = (await loadChannelAccess(db, room, user.id, now))!;
        const byCan = can(access.actor, 'read', { room: access.room }).allowed;
        expect(bySql.has(room), `${user.handle} in ${JSON.stringify(access.room)}`).toBe(byCan);
        compared += 1;
      }
    }
    expect(compared).toBe(30 * 17);
  });
});

describe('a search that would read too much is stopped with a sentence (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: App;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    // The older-than-window step is made slow on purpose: it sleeps past the step's time budget.
    const slow: Database = {
      ...db,
      transaction: (fn) =>
        db.transaction((tx) =>
          fn({
            exec: (sql) => tx.exec(sql),
            query: (sql, params) =>
              sql.includes('cand AS MATERIALIZED') ? tx.query('SELECT pg_sleep(5)') : tx.query(sql, params),
          }),
        ),
    };
    app = await createTestApp(slow);
    const general = await loungeRoomId(db);
    const author = await createMember(db, 'writer');
    await db.query(
      `INSERT INTO messages (channel_id, seq, room_id, author_id, body)
       SELECT $1, n, $1, $2, 'ordinary chatter ' || n FROM generate_series(1, 5001) AS n`,
      [general, author.id],
    );
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('answers 503 search_timeout after the budget instead of holding the database', async () => {
    const reader = await createMember(db, 'reader');
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/api/search?q=zeppelin', headers: await authFor(reader) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      error: {
        code: 'search_timeout',
        message: 'That search took too long. Try other or more specific words, or search within one room.',
      },
    });
    expect(Date.now() - started).toBeLessThan(4500);
  });
});
