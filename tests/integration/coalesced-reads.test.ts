import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateDocName } from '../../shared/sync/doc-names.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { readUserById, type UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent } from '../../sync-server/intents/process-intent.ts';
import { loadInboxDoc } from '../../sync-server/sync/inbox-doc.ts';
import { loadPrivateDoc, persistPrivateDoc } from '../../sync-server/sync/private-doc-store.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { createMember, intentDeps, loungeRoomId, sendIntent } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

/**
 * A reconnect storm: many members' connections load their member row, private doc and inbox at the same
 * moment, and those reads are coalesced into shared queries. Each member must still get exactly their
 * own data — never a neighbour's drafts, verdicts or blocks.
 */
describe('reads of many connections at once', () => {
  let testDb: TestDatabase;
  let db: Database;
  let members: UserRow[];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    await migrate(db);
    await seedLounge(db);
    members = await Promise.all(Array.from({ length: 24 }, (_, i) => createMember(db, `storm${i}`)));
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('every member gets their own member row, drafts, verdicts, blocks and mutes', async () => {
    const general = await loungeRoomId(db);
    const deps = intentDeps(db);
    const n = members.length;
    const intentOf = new Map<string, string>();
    for (const [i, m] of members.entries()) {
      const next = members[(i + 1) % n]!;
      const other = members[(i + 2) % n]!;
      await db.query('INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1, $2)', [m.id, next.id]);
      await db.query('INSERT INTO user_mutes (muter_id, muted_id) VALUES ($1, $2)', [m.id, other.id]);
      const doc = new Y.Doc();
      doc.getMap('drafts').set(general, `draft of ${m.handle}`);
      await persistPrivateDoc(db, privateDocName(m.id), doc);
      const intentId = randomUUID();
      intentOf.set(m.id, intentId);
      await processIntent(deps, m.id, intentId, sendIntent(general, `hello from ${m.handle}`));
    }

    // Everyone at once, as after a server restart.
    const [rows, privates, inboxes] = await Promise.all([
      Promise.all(members.map((m) => readUserById(db, m.id))),
      Promise.all(members.map((m) => loadPrivateDoc(db, privateDocName(m.id)))),
      Promise.all(members.map((m) => loadInboxDoc(db, m.id))),
    ]);
    for (const [i, m] of members.entries()) {
      expect(rows[i]!.handle).toBe(m.handle);
      expect(privates[i]!.getMap('drafts').get(general)).toBe(`draft of ${m.handle}`);
      const inbox = inboxes[i]!;
      expect([...inbox.getMap('blocked').keys()]).toEqual([members[(i + 1) % n]!.id]);
      expect([...inbox.getMap('muted').keys()]).toEqual([members[(i + 2) % n]!.id]);
      expect([...inbox.getMap('verdicts').keys()]).toEqual([intentOf.get(m.id)]);
    }
    // Someone unknown (a deleted account) gets nothing, and an empty private doc is simply empty.
    const [ghost, fresh] = await Promise.all([
      readUserById(db, randomUUID()),
      loadPrivateDoc(db, privateDocName(randomUUID())),
    ]);
    expect(ghost).toBeUndefined();
    expect(fresh.getMap('drafts').size).toBe(0);
  });
});
