import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, decodeNotice, encodeFrame, FrameType } from '../../shared/protocol/frames.ts';
import { metaDocName, privateDocName, segmentDocName } from '../../shared/sync/doc-names.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { createMember, loungeRoomId } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';

describe('what one connection can cost the server', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node: SyncNode;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    node = await startSyncNode(db, { sync: { idleUnloadMs: 100 } });
  });
  afterAll(async () => {
    await node.close();
    await db.close();
    await testDb.drop();
  });

  it('10,000 refused subscriptions load nothing, and 2,000 granted ones are all unloaded after the sockets close', { timeout: 120_000 }, async () => {
    const member = await createMember(db, 'subscriber');
    const general = await loungeRoomId(db, 'general');
    const secret = await db.query<{ id: string }>(
      `WITH c AS (INSERT INTO channels (kind) VALUES ('room') RETURNING id)
       INSERT INTO rooms (id, slug, name, room_type, is_private, project_host_id)
       SELECT id, 'secret', 'Secret', 'project', true, 'p-1' FROM c RETURNING id`,
    );
    const token = node.tokenFor(member.host_user_id);
    const registry = node.app.deps.sync.registry;
    const heapBefore = process.memoryUsage().heapUsed;
    const open = async () => {
      const ws = new WebSocket(`${node.baseUrl.replace('http', 'ws')}/sync?token=${await token()}`);
      await new Promise((r) => ws.once('open', r));
      return ws;
    };
    // Refused: another member's private doc, a private room, a room that does not exist, a bad name.
    let refused = 0;
    const other = await createMember(db, 'other');
    const names = [privateDocName(other.id), metaDocName(secret.rows[0]!.id), metaDocName('00000000-0000-4000-8000-000000000000'), 'nope'];
    // Ten connections in parallel, each kept under the per-connection frame rate the server enforces:
    // a burst of 150, then the next one only after the answers came back and a second has passed (a
    // fixed pause alone is not enough on a loaded machine, where late bursts arrive back to back).
    const answered = new Map<WebSocket, number>();
    const refusers = await Promise.all(Array.from({ length: 10 }, () => open()));
    for (const ws of refusers) {
      answered.set(ws, 0);
      ws.on('message', (data: Buffer) => {
        const frame = decodeFrame(new Uint8Array(data), Number.POSITIVE_INFINITY);
        if (frame.type !== FrameType.notice) return;
        answered.set(ws, answered.get(ws)! + 1);
        if (['forbidden', 'not_found'].includes(decodeNotice(frame.payload).code)) refused += 1;
      });
    }
    await Promise.all(
      refusers.map(async (ws) => {
        for (let i = 0; i < 1000; i++) {
          ws.send(encodeFrame(FrameType.subscribe, names[i % names.length]!));
          if (i % 150 === 149) {
            await new Promise((r) => setTimeout(r, 1000));
            await waitFor('the burst answered', () => answered.get(ws)! >= i + 1, 60_000);
          }
        }
      }),
    );
    await waitFor('10,000 refusals', () => refused === 10_000, 120_000);
    expect(registry.size).toBe(0);
    // Granted: 2,000 segment docs over 10 connections (200 each, the per-connection cap).
    const sockets: WebSocket[] = [];
    for (let c = 0; c < 10; c++) {
      const ws = await open();
      sockets.push(ws);
      for (let s = 0; s < 200; s++) ws.send(encodeFrame(FrameType.subscribe, segmentDocName(general, c * 200 + s)));
    }
    await waitFor('2,000 docs loaded', () => registry.size === 2000, 60_000);
    // One more is refused on a full connection.
    let tooMany = false;
    sockets[0]!.on('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data), Number.POSITIVE_INFINITY);
      if (frame.type === FrameType.notice && decodeNotice(frame.payload).code === 'too_many_docs') tooMany = true;
    });
    sockets[0]!.send(encodeFrame(FrameType.subscribe, segmentDocName(general, 99_999)));
    await waitFor('too_many_docs notice', () => tooMany);
    for (const ws of [...sockets, ...refusers]) ws.close();
    await waitFor('every doc unloaded', () => registry.size === 0, 10_000);
    global.gc?.();
    // Loose on purpose (no forced GC in every runner): what matters is that nothing stays referenced.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(150 * 1024 * 1024);
  });

  it("a private doc cannot be grown past its size cap: the update is dropped and the member is told", async () => {
    const member = await createMember(db, 'hoarder');
    const d = new TestDevice(member.id, node.baseUrl, node.tokenFor(member.host_user_id)).start();
    try {
      await d.client.whenSynced(privateDocName(member.id));
      d.privateDoc.getMap('drafts').set('huge', 'x'.repeat(200_000));
      await waitFor('a normal draft syncs', async () => {
        const hosted = node.app.deps.sync.registry.loaded(privateDocName(member.id));
        return hosted?.doc.getMap('drafts').has('huge');
      });
      for (let i = 0; i < 12; i++) d.privateDoc.getMap('drafts').set(`big${i}`, 'y'.repeat(200_000));
      await waitFor('too_large notice', () => d.notices.some((n) => n.code === 'too_large'));
      const hosted = node.app.deps.sync.registry.loaded(privateDocName(member.id))!;
      expect(hosted.doc.getMap('drafts').size).toBeLessThan(13);
    } finally {
      d.stop();
    }
  });
});
