import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../shared/sync/channel-doc.ts';
import { metaDocName, segmentDocName } from '../../shared/sync/doc-names.ts';
import { SEGMENT_SIZE } from '../../shared/sync/segments.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { loadChannelDoc, persistChannelSnapshot } from '../../sync-server/sync/channel-doc-store.ts';
import { fillChannelHistory } from '../support/bulk-history.ts';
import { createMember, loungeRoomId } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';
import { hostToken } from '../support/test-app.ts';

describe('a channel with 100,000 messages', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node: SyncNode;
  let big: string;
  let small: string;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    node = await startSyncNode(db, { sync: { idleUnloadMs: 50 } });
    [big, small] = await Promise.all([loungeRoomId(db, 'general'), loungeRoomId(db, 'coding')]);
    const author = await createMember(db, 'historian');
    await fillChannelHistory(db, big, author.id, 100_000);
    await fillChannelHistory(db, small, author.id, 1_000);
    // The snapshot job's work, so loading the meta doc does not replay 100,000 changes.
    await persistChannelSnapshot(db, { kind: 'channel-meta', channelId: big });
    await persistChannelSnapshot(db, { kind: 'channel-meta', channelId: small });
  }, 120_000);
  afterAll(async () => {
    for (const d of devices) d.stop();
    await node.close();
    await db.close();
    await testDb.drop();
  });

  it('initial sync carries only the head segment; older pages come by seq cursor', async () => {
    const reader = await createMember(db, 'reader');
    const d = new TestDevice(reader.id, node.baseUrl, node.tokenFor(reader.host_user_id)).start();
    devices.push(d);
    await d.openChannel(big);
    const meta = readMeta(d.doc(metaDocName(big)));
    const head = Math.floor((100_000 - 1) / SEGMENT_SIZE);
    expect(meta.head).toBe(head);
    const headMessages = d.messages(big, head);
    expect(headMessages.length).toBe(100_000 - head * SEGMENT_SIZE);
    expect(headMessages.at(-1)?.body).toBe('history message 100000');
    const loaded = [...node.app.deps.sync.registry.all()].map((h) => h.name).filter((n) => n.includes(big));
    expect(loaded.sort()).toEqual([metaDocName(big), segmentDocName(big, head)].sort());
    // Scrolling up: a page of older messages by cursor, over REST.
    const auth = { authorization: `Bearer ${await hostToken({ sub: reader.host_user_id })}` };
    const page = await node.app.inject({ method: 'GET', url: `/api/rooms/${big}/messages?limit=50`, headers: auth });
    const body = page.json() as { messages: Array<{ seq: number }>; nextCursor: string };
    expect(body.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 100_000 - i));
    const next = await node.app.inject({
      method: 'GET',
      url: `/api/rooms/${big}/messages?limit=50&cursor=${body.nextCursor}`,
      headers: auth,
    });
    expect((next.json() as { messages: Array<{ seq: number }> }).messages[0]!.seq).toBe(99_950);
    // An older segment, on demand, as the client does when the member scrolls far back.
    d.client.subscribe(segmentDocName(big, 3), d.doc(segmentDocName(big, 3)));
    await d.client.whenSynced(segmentDocName(big, 3));
    expect(d.messages(big, 3).map((m) => m.seq)).toEqual(Array.from({ length: SEGMENT_SIZE }, (_, i) => 3 * SEGMENT_SIZE + i + 1));
  });

  it('without a snapshot, the meta doc is rebuilt from the whole change log, page by page', async () => {
    await db.query('DELETE FROM doc_snapshots WHERE doc_name = $1', [metaDocName(big)]);
    const loaded = await loadChannelDoc(db, { kind: 'channel-meta', channelId: big });
    expect(loaded.replayed).toBe(100_000);
    expect(readMeta(loaded.doc).head).toBe(Math.floor((100_000 - 1) / SEGMENT_SIZE));
    loaded.doc.destroy();
    await persistChannelSnapshot(db, { kind: 'channel-meta', channelId: big });
  });

  it('the server holds about as much for that channel as for one with 1,000 messages', async () => {
    const reader = await createMember(db, 'sizer');
    const d = new TestDevice(reader.id, node.baseUrl, node.tokenFor(reader.host_user_id)).start();
    devices.push(d);
    await d.openChannel(big);
    await d.openChannel(small);
    const bytesOf = (channelId: string) => {
      const head = readMeta(d.doc(metaDocName(channelId))).head;
      return [...node.app.deps.sync.registry.all()]
        .filter((h) => h.name === metaDocName(channelId) || h.name === segmentDocName(channelId, head))
        .reduce((sum, h) => sum + Y.encodeStateAsUpdate(h.doc).byteLength, 0);
    };
    const bigBytes = bytesOf(big);
    const smallBytes = bytesOf(small);
    // Both are one meta doc plus one head segment of at most 256 messages: tens of KB, whatever the history.
    expect(bigBytes).toBeLessThan(100_000);
    expect(bigBytes).toBeLessThan(smallBytes * 3);
    // Unsubscribed docs are unloaded: memory follows subscriptions, not history.
    d.stop();
    for (const other of devices) other.stop();
    await waitFor('idle docs unloaded', () => node.app.deps.sync.registry.size === 0, 5000);
  });
});
