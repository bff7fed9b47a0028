import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyToMetaDoc, readMeta } from '../../shared/sync/channel-doc.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import {
  createMember,
  intentDeps,
  seededDatabase,
  loungeRoomId,
  sendIntent,
  setRole,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import type { TestDatabase } from '../support/postgres.ts';

/** These stories are about thread states; rate limits have their own tests. */

describe('pinning, locking and resolving threads (thread_state intents, PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let general: string;
  let ada: UserRow; // starts threads
  let ben: UserRow; // an ordinary member
  let tia: UserRow; // a trusted member
  let mo: UserRow; // moderator of General
  let n = 0;

  const run = (user: UserRow, intent: Record<string, unknown>) =>
    processIntent(deps, user.id, randomUUID(), { n: ++n, createdAt: Date.now(), ...intent });
  async function accepted(user: UserRow, intent: Record<string, unknown>) {
    const outcome = await run(user, intent);
    expect(outcome.verdict.status, JSON.stringify(outcome.verdict)).toBe('accepted');
    return outcome;
  }
  async function refused(user: UserRow, intent: Record<string, unknown>, code: string) {
    const outcome = await run(user, intent);
    expect(outcome.verdict).toMatchObject({ status: 'rejected', code, reason: expect.any(String) });
    expect(outcome.changes).toEqual([]);
    return outcome.verdict as { reason: string };
  }
  async function newThread(roomId: string, title: string, by: UserRow = ada): Promise<string> {
    const made = await accepted(by, { kind: 'create_thread', roomId, title, body: `About ${title}` });
    return made.verdict.status === 'accepted' ? made.verdict.channelId! : '';
  }
  async function stateOf(threadId: string) {
    const { rows } = await db.query<{ is_pinned: boolean; is_locked: boolean; is_resolved: boolean }>(
      'SELECT is_pinned, is_locked, is_resolved FROM threads WHERE id = $1',
      [threadId],
    );
    return rows[0];
  }
  async function counts() {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM channel_changes)::int AS changes,
              (SELECT count(*) FROM threads WHERE is_pinned OR is_locked OR is_resolved)::int AS flagged`,
    );
    return rows[0];
  }

  beforeAll(async () => {
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    general = await loungeRoomId(db);
    ada = await createMember(db, 'ada');
    ben = await createMember(db, 'ben');
    tia = await createMember(db, 'tia');
    mo = await createMember(db, 'mo');
    await setRole(db, general, ben.id, 'member');
    await setRole(db, general, tia.id, 'trusted');
    await setRole(db, general, mo.id, 'moderator');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('the author resolves their own thread and reopens it; the room’s meta doc carries each state', async () => {
    const threadId = await newThread(general, 'How do I set up Node?');
    const resolve = await accepted(ada, { kind: 'thread_state', threadId, resolved: true });
    expect(resolve.verdict).toMatchObject({ status: 'accepted', channelId: threadId });
    expect(resolve.changes).toHaveLength(1);
    expect(resolve.changes[0]).toMatchObject({
      kind: 'thread',
      channelId: general,
      thread: { id: threadId, resolved: true, locked: false, pinned: false },
    });
    expect(await stateOf(threadId)).toEqual({ is_pinned: false, is_locked: false, is_resolved: true });

    // Every replica builds the same meta doc from the logged changes.
    const meta = new Y.Doc();
    for (const change of resolve.changes) applyToMetaDoc(meta, change);
    expect(readMeta(meta).threads.find((t) => t.id === threadId)).toMatchObject({ resolved: true, locked: false });

    const reopen = await accepted(ada, { kind: 'thread_state', threadId, resolved: false });
    for (const change of reopen.changes) applyToMetaDoc(meta, change);
    expect(readMeta(meta).threads.find((t) => t.id === threadId)).toMatchObject({ resolved: false });
    expect(await stateOf(threadId)).toMatchObject({ is_resolved: false });

    // Somebody else's thread is not theirs to resolve.
    const verdict = await refused(ben, { kind: 'thread_state', threadId, resolved: true }, 'not_thread_creator');
    expect(verdict.reason).toMatch(/started this thread or a moderator/);
  });

  it('a member cannot lock or pin; a trusted member cannot pin either (moderators only)', async () => {
    const threadId = await newThread(general, 'Open question');
    const before = await counts();
    const lock = await refused(ben, { kind: 'thread_state', threadId, locked: true }, 'not_moderator');
    expect(lock.reason).toBe('Only moderators can lock threads.');
    await refused(ada, { kind: 'thread_state', threadId, locked: true }, 'not_moderator');
    await refused(ben, { kind: 'thread_state', threadId, pinned: true }, 'not_moderator');
    const pin = await refused(tia, { kind: 'thread_state', threadId, pinned: true }, 'not_moderator');
    expect(pin.reason).toBe('Only moderators can pin threads.');
    // One refused field refuses the whole intent: the allowed part is not applied either.
    await refused(ada, { kind: 'thread_state', threadId, resolved: true, locked: true }, 'not_moderator');
    expect(await stateOf(threadId)).toEqual({ is_pinned: false, is_locked: false, is_resolved: false });
    expect(await counts()).toEqual(before);
  });

  it('a moderator locks a thread: a member’s reply is refused with a reason, the moderator may still reply; unlock reopens it', async () => {
    const threadId = await newThread(general, 'Heated debate');
    const lock = await accepted(mo, { kind: 'thread_state', threadId, locked: true });
    expect(lock.changes[0]).toMatchObject({
      kind: 'thread',
      channelId: general,
      thread: { id: threadId, locked: true },
    });

    const reply = await processIntent(deps, ben.id, randomUUID(), sendIntent(threadId, 'one more thing'));
    expect(reply.verdict).toMatchObject({
      status: 'rejected',
      code: 'thread_locked',
      reason: 'This thread is locked, so only moderators can reply in it.',
    });
    // Its starter cannot resolve it while it is locked; the moderator can.
    await refused(ada, { kind: 'thread_state', threadId, resolved: true }, 'thread_locked');
    const closing = await processIntent(deps, mo.id, randomUUID(), sendIntent(threadId, 'Closing this one.'));
    expect(closing.verdict.status).toBe('accepted');

    await accepted(mo, { kind: 'thread_state', threadId, locked: false });
    const again = await processIntent(deps, ben.id, randomUUID(), sendIntent(threadId, 'one more thing'));
    expect(again.verdict.status).toBe('accepted');
  });

  it('a moderator pins a thread (it lists first) and unpins it; several fields change in one intent', async () => {
    const older = await newThread(general, 'Pinned rules');
    const newer = await newThread(general, 'Busy chat');
    const pin = await accepted(mo, { kind: 'thread_state', threadId: older, pinned: true });
    expect(pin.changes[0]).toMatchObject({ thread: { id: older, pinned: true } });
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM threads WHERE room_id = $1 AND id = ANY($2::uuid[])
        ORDER BY is_pinned DESC, last_message_at DESC NULLS LAST, id`,
      [general, [older, newer]],
    );
    expect(rows.map((r) => r.id)).toEqual([older, newer]);

    const both = await accepted(mo, {
      kind: 'thread_state',
      threadId: older,
      pinned: false,
      locked: true,
      resolved: true,
    });
    expect(both.changes).toHaveLength(1);
    expect(both.changes[0]).toMatchObject({ thread: { pinned: false, locked: true, resolved: true } });
    expect(await stateOf(older)).toEqual({ is_pinned: false, is_locked: true, is_resolved: true });
  });

  it('the same value again is accepted and changes nothing (no change logged)', async () => {
    const threadId = await newThread(general, 'Idempotent');
    await accepted(mo, { kind: 'thread_state', threadId, pinned: true });
    const before = await counts();
    const same = await accepted(mo, { kind: 'thread_state', threadId, pinned: true });
    expect(same.changes).toEqual([]);
    // Asking for what already is needs no right: nothing changes.
    const unchanged = await accepted(ben, { kind: 'thread_state', threadId, pinned: true, resolved: false });
    expect(unchanged.changes).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('an archived room refuses pinning, locking and resolving', async () => {
    const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    const attic = channel.rows[0]!.id;
    await db.query(`INSERT INTO rooms (id, slug, name, room_type) VALUES ($1, 'attic', 'Attic', 'circle')`, [attic]);
    await setRole(db, attic, mo.id, 'moderator');
    await setRole(db, attic, ada.id, 'member');
    const threadId = await newThread(attic, 'Old times');
    await db.query('UPDATE rooms SET archived = true WHERE id = $1', [attic]);
    const before = await counts();
    for (const [user, field] of [
      [mo, 'pinned'],
      [mo, 'locked'],
      [mo, 'resolved'],
      [ada, 'resolved'],
    ] as const) {
      const verdict = await refused(user, { kind: 'thread_state', threadId, [field]: true }, 'archived');
      expect(verdict.reason).toBe('This room is archived: it can be read but no longer changed.');
    }
    expect(await stateOf(threadId)).toEqual({ is_pinned: false, is_locked: false, is_resolved: false });
    expect(await counts()).toEqual(before);
  });

  it('bad input is refused with a reason and changes nothing', async () => {
    const threadId = await newThread(general, 'Target');
    // Not a thread: an unknown id, a room's id, a message's id.
    await refused(mo, { kind: 'thread_state', threadId: randomUUID(), locked: true }, 'not_found');
    await refused(mo, { kind: 'thread_state', threadId: general, locked: true }, 'not_found');
    const sent = await accepted(ada, sendIntent(general, 'a plain message'));
    await refused(
      mo,
      {
        kind: 'thread_state',
        threadId: sent.verdict.status === 'accepted' ? sent.verdict.messageId : '',
        locked: true,
      },
      'not_found',
    );
    const afterSend = await counts();
    // Malformed at the edge: nothing to change, a forged extra field, a wrong type, a non-uuid id.
    const nothing = await refused(mo, { kind: 'thread_state', threadId }, 'invalid');
    expect(nothing.reason).toMatch(/at least one of pinned, locked or resolved/);
    await refused(mo, { kind: 'thread_state', threadId, locked: true, roomId: general }, 'invalid');
    await refused(mo, { kind: 'thread_state', threadId, creatorId: mo.id, resolved: true }, 'invalid');
    await refused(mo, { kind: 'thread_state', threadId, locked: 'yes' }, 'invalid');
    await refused(mo, { kind: 'thread_state', threadId, pinned: null }, 'invalid');
    await refused(mo, { kind: 'thread_state', threadId: 'not-a-uuid', locked: true }, 'invalid');
    // Somebody who cannot read the room's threads (banned) cannot touch them.
    const bo = await createMember(db, 'bo');
    await setRole(db, general, bo.id, 'banned');
    await refused(bo, { kind: 'thread_state', threadId, pinned: false }, 'banned');
    expect(await stateOf(threadId)).toEqual({ is_pinned: false, is_locked: false, is_resolved: false });
    expect(await counts()).toEqual(afterSend);
  });
});
