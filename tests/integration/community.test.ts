import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { intentDeps, createMember, loungeRoomId, sendIntent, setRole } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken } from '../support/test-app.ts';

const common = () => ({ n: 1, createdAt: Date.now() });

describe('community rules through the intent pipeline (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let app: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db);
    deps = intentDeps(db);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  const startDm = (from: UserRow, to: UserRow[]) =>
    processIntent(deps, from.id, randomUUID(), { kind: 'start_dm', participantIds: to.map((u) => u.id), ...common() });
  const authFor = async (u: UserRow) => ({ authorization: `Bearer ${await hostToken({ sub: u.host_user_id })}` });

  it('a help-room question opens a thread titled from its first line', async () => {
    const coding = await loungeRoomId(db, 'coding');
    const asker = await createMember(db, 'asker');
    const out = await processIntent(
      deps,
      asker.id,
      randomUUID(),
      sendIntent(coding, 'Why does my loop never end?\nHere is the code…'),
    );
    expect(out.verdict.status).toBe('accepted');
    const thread = await db.query<{ title: string; parent_message_id: string }>(
      'SELECT title, parent_message_id FROM threads WHERE room_id = $1',
      [coding],
    );
    expect(thread.rows).toEqual([
      {
        title: 'Why does my loop never end?',
        parent_message_id: out.verdict.status === 'accepted' ? out.verdict.messageId : '',
      },
    ]);
    const last = out.changes.filter((c) => c.kind === 'message').at(-1);
    expect(last?.kind === 'message' && last.message.threadId).toBeTruthy();
    expect(out.changes.some((c) => c.kind === 'thread')).toBe(true);
  });

  it("an announcement room refuses a member's post but takes their reaction; a moderator may post", async () => {
    const general = await loungeRoomId(db, 'general');
    await db.query(`UPDATE rooms SET context_type = 'announcement' WHERE id = $1`, [general]);
    try {
      const [member, mod] = await Promise.all([createMember(db, 'reader1'), createMember(db, 'announcer')]);
      await setRole(db, general, mod.id, 'moderator');
      const post = await processIntent(deps, member.id, randomUUID(), sendIntent(general, 'can I post?'));
      expect(post.verdict).toMatchObject({ status: 'rejected', code: 'announcement_only' });
      expect(post.verdict.status === 'rejected' && post.verdict.reason).toMatch(/announcement/);
      const news = await processIntent(deps, mod.id, randomUUID(), sendIntent(general, 'Big news!'));
      expect(news.verdict.status).toBe('accepted');
      const messageId = news.verdict.status === 'accepted' ? news.verdict.messageId! : '';
      const reaction = await processIntent(deps, member.id, randomUUID(), {
        kind: 'react',
        messageId,
        emoji: '🎉',
        ...common(),
      });
      expect(reaction.verdict.status).toBe('accepted');
    } finally {
      await db.query(`UPDATE rooms SET context_type = 'text' WHERE id = $1`, [general]);
    }
  });

  describe('DM settings decide who may start a conversation', () => {
    const cases: Array<{
      setting: string;
      relation: 'none' | 'connection' | 'recipient_follows' | 'sender_follows';
      allowed: boolean;
    }> = [
      { setting: 'everyone', relation: 'none', allowed: true },
      { setting: 'connections', relation: 'none', allowed: false },
      { setting: 'connections', relation: 'connection', allowed: true },
      { setting: 'connections', relation: 'sender_follows', allowed: true },
      { setting: 'following', relation: 'none', allowed: false },
      { setting: 'following', relation: 'sender_follows', allowed: false },
      { setting: 'following', relation: 'recipient_follows', allowed: true },
      { setting: 'none', relation: 'connection', allowed: false },
    ];
    for (const c of cases) {
      it(`${c.setting}, ${c.relation === 'none' ? 'strangers' : c.relation.replace('_', ' ')}: ${c.allowed ? 'allowed' : 'refused'}`, async () => {
        const [sender, recipient] = await Promise.all([
          createMember(db, `s${randomUUID().slice(0, 8)}`),
          createMember(db, `r${randomUUID().slice(0, 8)}`),
        ]);
        await db.query('UPDATE user_settings SET dm_permission = $2 WHERE user_id = $1', [recipient.id, c.setting]);
        if (c.relation === 'connection') {
          await db.query(
            'INSERT INTO user_connections (user_a, user_b) VALUES (LEAST($1::uuid, $2::uuid), GREATEST($1::uuid, $2::uuid))',
            [sender.id, recipient.id],
          );
        }
        if (c.relation === 'recipient_follows')
          await db.query('INSERT INTO user_follows VALUES ($1, $2)', [recipient.id, sender.id]);
        if (c.relation === 'sender_follows')
          await db.query('INSERT INTO user_follows VALUES ($1, $2)', [sender.id, recipient.id]);
        const out = await startDm(sender, [recipient]);
        if (c.allowed) {
          expect(out.verdict.status).toBe('accepted');
          const again = await startDm(sender, [recipient]);
          expect(again.verdict.status === 'accepted' && again.verdict.channelId).toBe(
            out.verdict.status === 'accepted' && out.verdict.channelId,
          );
          expect(out.inbox.map((e) => e.userId).sort()).toEqual([sender.id, recipient.id].sort());
        } else {
          expect(out.verdict.status).toBe('rejected');
          expect(out.verdict.status === 'rejected' && out.verdict.reason).toMatch(new RegExp(`@${recipient.handle}`));
          const dms = await db.query('SELECT 1 FROM dm_participants WHERE user_id = $1', [recipient.id]);
          expect(dms.rows).toHaveLength(0);
        }
      });
    }
  });

  it('a block stops DMs both ways, in new and existing conversations, and mentions', async () => {
    const [a, b] = await Promise.all([createMember(db, 'blocker'), createMember(db, 'blockee')]);
    const dm = await startDm(a, [b]);
    const channelId = dm.verdict.status === 'accepted' ? dm.verdict.channelId! : '';
    expect((await processIntent(deps, b.id, randomUUID(), sendIntent(channelId, 'hi!'))).verdict.status).toBe(
      'accepted',
    );
    const res = await app.inject({ method: 'PUT', url: `/api/me/blocks/${b.id}`, headers: await authFor(a) });
    expect(res.statusCode).toBe(204);
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const send = await processIntent(deps, from.id, randomUUID(), sendIntent(channelId, 'hello?'));
      expect(send.verdict).toMatchObject({ status: 'rejected', code: 'blocked' });
      const start = await startDm(from, [to]);
      expect(start.verdict).toMatchObject({ status: 'rejected', code: 'blocked' });
    }
    const general = await loungeRoomId(db, 'general');
    const mention = await processIntent(deps, b.id, randomUUID(), sendIntent(general, `hey @${a.handle}`));
    const mentions = await db.query<{ mentions: string[] }>('SELECT mentions FROM messages WHERE id = $1', [
      mention.verdict.status === 'accepted' ? mention.verdict.messageId : '',
    ]);
    expect(mentions.rows[0]!.mentions).toEqual([]);
    const unblock = await app.inject({ method: 'DELETE', url: `/api/me/blocks/${b.id}`, headers: await authFor(a) });
    expect(unblock.statusCode).toBe(204);
    expect(
      (await processIntent(deps, b.id, randomUUID(), sendIntent(channelId, 'friends again?'))).verdict.status,
    ).toBe('accepted');
  });

  it('a group DM takes at most 10 people and only its participants can read or write it', async () => {
    const members = await Promise.all(
      Array.from({ length: 11 }, (_, i) => createMember(db, `g${i}${randomUUID().slice(0, 6)}`)),
    );
    const [owner, ...rest] = members as [UserRow, ...UserRow[]];
    const tooMany = await startDm(owner, rest);
    expect(tooMany.verdict).toMatchObject({ status: 'rejected', code: 'group_too_large' });
    const group = await startDm(owner, rest.slice(0, 9));
    expect(group.verdict.status).toBe('accepted');
    const channelId = group.verdict.status === 'accepted' ? group.verdict.channelId! : '';
    const outsider = rest[9]!;
    const send = await processIntent(deps, outsider.id, randomUUID(), sendIntent(channelId, 'let me in'));
    expect(send.verdict.status).toBe('rejected');
    expect(
      (await processIntent(deps, rest[0]!.id, randomUUID(), sendIntent(channelId, 'hello group'))).verdict.status,
    ).toBe('accepted');
  });

  it('settings: a member changes their DM setting; bad values change nothing', async () => {
    const m = await createMember(db, 'settler');
    const headers = await authFor(m);
    const patch = (payload: Record<string, unknown>) =>
      app.inject({ method: 'PATCH', url: '/api/me/settings', headers, payload });
    const ok = await patch({ dmPermission: 'following' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ dmPermission: 'following' });
    for (const payload of [{ dmPermission: 'friends' }, { smsCritical: true }, { nope: 1 }, {}]) {
      const bad = await patch(payload);
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().error.message.length).toBeGreaterThan(5);
    }
    // A phone number that is not in international format is refused with an example of one.
    const phone = await patch({ phoneE164: '12345' });
    expect(phone.statusCode).toBe(400);
    expect(phone.json().error.message).toMatch(/international format, e\.g\. \+14155550123/);
    const after = await app.inject({ method: 'GET', url: '/api/me/settings', headers });
    expect(after.json()).toMatchObject({ dmPermission: 'following', smsCritical: false, phoneE164: null });
  });
});
