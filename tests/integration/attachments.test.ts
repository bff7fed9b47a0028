import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentView, MessageView } from '../../shared/sync/channel-doc.ts';
import type { AttachmentStore } from '../../sync-server/attachments/attachment-store.ts';
import { createAttachmentStore } from '../../sync-server/attachments/create-attachment-store.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import {
  processBatch,
  processIntent,
  type IntentDeps,
  type IntentOutcome,
} from '../../sync-server/intents/process-intent.ts';
import { sweepAttachments } from '../../workers/handlers/sweep-attachments.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  seededDatabase,
  sendIntent,
  setRole,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import { startLocalS3, type LocalS3 } from '../support/local-s3.ts';
import { solidPng } from '../support/png.ts';
import type { TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken, testConfig } from '../support/test-app.ts';

/**
 * A member shares a screenshot in a room: it is uploaded to the S3-compatible store (a real local server),
 * sent with the message, and every reader of the room can open it — and nobody else, and nothing once the
 * message is deleted.
 */
describe('attachments (PostgreSQL + S3)', () => {
  let s3: LocalS3;
  let testDb: TestDatabase;
  let db: Database;
  let store: AttachmentStore;
  let app: Awaited<ReturnType<typeof createTestApp>>;
  let deps: IntentDeps;
  let general: string;
  let ada: UserRow;
  let bob: UserRow;
  let mod: UserRow;
  let newcomer: UserRow;
  let n = 1;

  const auth = async (u: UserRow) => ({ authorization: `Bearer ${await hostToken({ sub: u.host_user_id })}` });
  async function upload(u: UserRow, bytes: Buffer, name: string, contentType = 'application/octet-stream') {
    return app.inject({
      method: 'POST',
      url: `/api/attachments?name=${encodeURIComponent(name)}`,
      headers: { ...(await auth(u)), 'content-type': contentType },
      payload: bytes,
    });
  }
  async function uploaded(u: UserRow, bytes: Buffer, name: string): Promise<AttachmentView> {
    const res = await upload(u, bytes, name);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<AttachmentView>();
  }
  const fetchFile = async (u: UserRow, id: string) =>
    app.inject({ method: 'GET', url: `/api/attachments/${id}`, headers: await auth(u) });
  const send = (u: UserRow, channelId: string, body: string, attachmentIds: string[]): Promise<IntentOutcome> =>
    processIntent(deps, u.id, randomUUID(), sendIntent(channelId, body, { attachmentIds, n: n++ }));
  const messageOf = (out: IntentOutcome): MessageView => {
    const change = out.changes.find((c) => c.kind === 'message');
    if (change?.kind !== 'message') throw new Error(`no message change: ${JSON.stringify(out.verdict)}`);
    return change.message;
  };

  beforeAll(async () => {
    s3 = await startLocalS3();
    ({ testDb, db } = await seededDatabase());
    const config = testConfig({
      S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: 'lounge-test-files',
    });
    store = createAttachmentStore(config.attachments);
    app = await createTestApp(db, config, { attachments: store });
    deps = intentDeps(db, unlimitedRateLimiter);
    general = await loungeRoomId(db, 'general');
    ada = await createMember(db, 'att_ada');
    bob = await createMember(db, 'att_bob');
    mod = await createMember(db, 'att_mod');
    newcomer = await createMember(db, 'att_new', { daysAgo: 0, messagesSent: 0 });
    await setRole(db, general, mod.id, 'moderator');
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await testDb?.drop();
    await s3?.close();
  });

  it('a screenshot uploaded and sent reaches the room with its size, and every reader gets the same bytes', async () => {
    const png = solidPng(64, 48);
    const file = await uploaded(ada, png, 'C:\\Users\\ada\\Desktop\\error screenshot.png');
    expect(file).toEqual({
      id: expect.any(String),
      name: 'error screenshot.png',
      type: 'image/png',
      size: png.length,
      width: 64,
      height: 48,
    });

    const out = await send(ada, general, '', [file.id]);
    expect(out.verdict.status, JSON.stringify(out.verdict)).toBe('accepted');
    const message = messageOf(out);
    expect(message.body).toBe('');
    expect(message.attachments).toEqual([file]);

    // A history page shows what the channel doc shows.
    const page = await app.inject({
      method: 'GET',
      url: `/api/channels/${general}/messages?limit=5`,
      headers: await auth(bob),
    });
    expect(page.json<{ messages: MessageView[] }>().messages.find((m) => m.id === message.id)?.attachments).toEqual([
      file,
    ]);

    const res = await fetchFile(bob, file.id);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(png)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''error%20screenshot.png");
  });

  it('what a file is comes from its bytes: a page named cat.png is text, a binary blob is refused', async () => {
    const page = await uploaded(ada, Buffer.from('<html><script>alert(1)</script></html>'), 'cat.png');
    expect(page.type).toBe('text/plain');
    const served = await fetchFile(ada, page.id);
    expect(served.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(served.headers['content-disposition']).toMatch(/^attachment;/);

    const pdf = await uploaded(ada, Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n', 'latin1'), 'notes.pdf');
    expect(pdf.type).toBe('application/pdf');

    const blob = await upload(ada, Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0xff, 0xfe]), 'setup.exe');
    expect(blob.statusCode).toBe(415);
    expect(blob.json()).toEqual({
      error: { code: 'unsupported_file', message: expect.stringContaining('PNG, JPEG, GIF, WebP') },
    });

    const empty = await upload(ada, Buffer.alloc(0), 'empty.txt');
    expect(empty.statusCode).toBe(400);
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM attachments WHERE uploader_id = $1 AND filename IN ('setup.exe', 'empty.txt')`,
      [ada.id],
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('a file over 10 MB is refused with its size, and nothing is stored', async () => {
    const res = await upload(ada, Buffer.alloc(10 * 1024 * 1024 + 1, 0x61), 'huge.log');
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toBe(
      'Files can be at most 10 MB; this one is 10 MB.',
    );
    const { rows } = await db.query(`SELECT 1 FROM attachments WHERE filename = 'huge.log'`);
    expect(rows).toHaveLength(0);
  });

  it('a member who shared 250 MB in the last day is told to wait; older uploads do not count', async () => {
    const heavy = await createMember(db, 'att_heavy');
    // 25 files of 10 MB in the last day (rows only: the quota reads sizes, not bytes).
    await db.query(
      `INSERT INTO attachments (uploader_id, storage_key, filename, content_type, byte_size)
       SELECT $1::uuid, 'attachments/quota-' || $1::text || '-' || g, 'big.png', 'image/png', 10485760 FROM generate_series(1, 25) g`,
      [heavy.id],
    );
    const res = await upload(heavy, solidPng(4, 4), 'one-more.png');
    expect(res.statusCode).toBe(429);
    expect(res.json()).toEqual({
      error: {
        code: 'quota_exceeded',
        message: 'You have shared 250 MB of files in the last day; try again tomorrow.',
      },
    });
    await db.query(`UPDATE attachments SET created_at = now() - interval '25 hours' WHERE uploader_id = $1`, [
      heavy.id,
    ]);
    expect((await upload(heavy, solidPng(4, 4), 'one-more.png')).statusCode).toBe(201);
  });

  it('a new member cannot upload (spec: new members share no images) until trusted by a room role', async () => {
    const res = await upload(newcomer, solidPng(4, 4), 'first.png');
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(
      /^You can share images and files once you have sent 10 messages/,
    );
    await setRole(db, general, newcomer.id, 'trusted');
    expect((await upload(newcomer, solidPng(4, 4), 'first.png')).statusCode).toBe(201);
  });

  it("a file is its uploader's until sent, goes on one message only, and not on someone else's", async () => {
    const file = await uploaded(ada, solidPng(8, 8), 'mine.png');
    // Before a message has it, nobody else even learns it exists.
    expect((await fetchFile(bob, file.id)).statusCode).toBe(404);
    expect((await fetchFile(ada, file.id)).statusCode).toBe(200);

    const stolen = await send(bob, general, 'look what I made', [file.id]);
    expect(stolen.verdict).toMatchObject({ status: 'rejected', code: 'attachment_missing' });

    expect((await send(ada, general, 'first', [file.id])).verdict.status).toBe('accepted');
    const again = await send(ada, general, 'second', [file.id]);
    expect(again.verdict).toMatchObject({
      status: 'rejected',
      reason: 'One of the files is already on another message; attach it again.',
    });

    // Two sends of one batch naming the same file: the first gets it, the second is told.
    const other = await uploaded(ada, solidPng(8, 8), 'twice.png');
    const outcomes = (
      await processBatch(deps, [
        {
          userId: ada.id,
          intents: [
            { intentId: randomUUID(), raw: sendIntent(general, 'one', { attachmentIds: [other.id], n: n++ }) },
            { intentId: randomUUID(), raw: sendIntent(general, 'two', { attachmentIds: [other.id], n: n++ }) },
          ],
        },
      ])
    ).flat();
    expect(outcomes.map((o) => o.verdict.status)).toEqual(['accepted', 'rejected']);
    const { rows } = await db.query<{ body: string }>(
      `SELECT m.body FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1`,
      [other.id],
    );
    expect(rows).toEqual([{ body: 'one' }]);
  });

  it('a new member cannot send a file in a room, even one uploaded for them', async () => {
    const late = await createMember(db, 'att_late', { daysAgo: 0, messagesSent: 0 });
    await setRole(db, general, late.id, 'trusted');
    const file = await uploaded(late, solidPng(4, 4), 'ok.png');
    await setRole(db, general, late.id, 'member');
    const out = await send(late, general, 'here', [file.id]);
    expect(out.verdict).toMatchObject({ status: 'rejected', code: 'new_user_restricted' });
  });

  it('in a DM only its participants can open the file', async () => {
    const eve = await createMember(db, 'att_eve');
    const dm = await processIntent(deps, ada.id, randomUUID(), {
      kind: 'start_dm',
      participantIds: [bob.id],
      n: n++,
      createdAt: Date.now(),
    });
    if (dm.verdict.status !== 'accepted' || !dm.verdict.channelId) throw new Error(JSON.stringify(dm.verdict));
    const dmId = dm.verdict.channelId;
    const file = await uploaded(
      ada,
      Buffer.from('Traceback (most recent call last):\n  File "app.py", line 3\n'),
      'trace.log',
    );
    expect((await send(ada, dmId, 'this is what I get', [file.id])).verdict.status).toBe('accepted');
    expect((await fetchFile(bob, file.id)).statusCode).toBe(200);
    expect([403, 404]).toContain((await fetchFile(eve, file.id)).statusCode);
  });

  it("search finds a message by its file's name, as typed or by a part of it, and names the files", async () => {
    const log = await uploaded(ada, Buffer.from('step 3 failed: exit code 137\n'), 'nightly_build-output.log');
    const message = messageOf(await send(ada, general, 'the crash from last night', [log.id]));
    for (const q of ['nightly_build-output.log', 'nightly', 'output log']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/search?q=${encodeURIComponent(q)}`,
        headers: await auth(bob),
      });
      expect(res.statusCode, res.body).toBe(200);
      const hit = res
        .json<{ results: Array<{ messageId: string; files: string[] }> }>()
        .results.find((r) => r.messageId === message.id);
      expect(hit, q).toMatchObject({ files: ['nightly_build-output.log'] });
    }
    // Words of neither the message nor its file find nothing.
    const none = await app.inject({ method: 'GET', url: '/api/search?q=nightlies%20zebra', headers: await auth(bob) });
    expect(none.json<{ results: unknown[] }>().results).toEqual([]);
  });

  it("a hidden message's files reach its room's moderators only; a deleted message's nobody, and the sweep deletes the bytes", async () => {
    const file = await uploaded(ada, solidPng(16, 16), 'hide-me.png');
    const message = messageOf(await send(ada, general, 'see', [file.id]));
    const hide = await processIntent(deps, mod.id, randomUUID(), {
      kind: 'hide',
      messageId: message.id,
      hidden: true,
      reason: 'Spam',
      n: n++,
      createdAt: Date.now(),
    });
    expect(messageOf(hide).attachments).toEqual([]);
    expect((await fetchFile(bob, file.id)).statusCode).toBe(403);
    expect((await fetchFile(mod, file.id)).statusCode).toBe(200);
    const asMod = await app.inject({
      method: 'GET',
      url: `/api/channels/${general}/messages?limit=5`,
      headers: await auth(mod),
    });
    expect(asMod.json<{ messages: MessageView[] }>().messages.find((m) => m.id === message.id)?.attachments).toEqual([
      file,
    ]);

    const del = await processIntent(deps, ada.id, randomUUID(), {
      kind: 'delete',
      messageId: message.id,
      n: n++,
      createdAt: Date.now(),
    });
    expect(del.verdict.status).toBe('accepted');
    expect((await fetchFile(mod, file.id)).statusCode).toBe(404);
    expect((await fetchFile(ada, file.id)).statusCode).toBe(404);

    // An upload abandoned two days ago goes too; one from a minute ago stays (its composer may be open).
    const abandoned = await uploaded(bob, solidPng(4, 4), 'abandoned.png');
    const fresh = await uploaded(bob, solidPng(4, 4), 'fresh.png');
    await db.query(`UPDATE attachments SET created_at = now() - interval '2 days' WHERE id = $1`, [abandoned.id]);
    const keyOf = async (id: string) =>
      (await db.query<{ storage_key: string }>('SELECT storage_key FROM attachments WHERE id = $1', [id])).rows[0]!
        .storage_key;
    const [deletedKey, abandonedKey, freshKey] = [
      await keyOf(file.id),
      await keyOf(abandoned.id),
      await keyOf(fresh.id),
    ];

    const { deleted } = await sweepAttachments({ db, store, logger: pino({ level: 'silent' }) }, {});
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect(await store.get(deletedKey)).toBeNull();
    expect(await store.get(abandonedKey)).toBeNull();
    expect(await store.get(freshKey)).not.toBeNull();
    const left = await db.query<{ id: string }>('SELECT id FROM attachments WHERE id = ANY($1::uuid[])', [
      [file.id, abandoned.id, fresh.id],
    ]);
    expect(left.rows.map((r) => r.id)).toEqual([fresh.id]);
    // Sending the abandoned upload now is refused in words, not with an error.
    const late = await send(bob, general, 'late', [abandoned.id]);
    expect(late.verdict).toMatchObject({ status: 'rejected', code: 'attachment_missing' });
  });

  it("a help room's question needs words besides its files (it is titled by them); an answer does not", async () => {
    const coding = await loungeRoomId(db, 'coding');
    const shot = await uploaded(ada, solidPng(8, 8), 'error.png');
    const bare = await send(ada, coding, '  ', [shot.id]);
    expect(bare.verdict).toMatchObject({
      status: 'rejected',
      code: 'empty',
      reason: 'A question needs some words: say what you need help with, then attach the files.',
    });
    const asked = messageOf(await send(ada, coding, 'Why does this fail?', [shot.id]));
    expect(asked.attachments).toEqual([shot]);
    const thread = (
      await db.query<{ id: string; title: string }>('SELECT id, title FROM threads WHERE parent_message_id = $1', [
        asked.id,
      ])
    ).rows[0]!;
    expect(thread.title).toBe('Why does this fail?');
    const answer = await uploaded(bob, solidPng(8, 8), 'fixed.png');
    expect((await send(bob, thread.id, '', [answer.id])).verdict.status).toBe('accepted');
  });

  it('without text and without files a message is still refused as empty', async () => {
    const out = await send(ada, general, '   ', []);
    expect(out.verdict).toMatchObject({ status: 'rejected', code: 'empty' });
  });
});
