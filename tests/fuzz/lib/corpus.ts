import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { SyncClient, type SocketLike } from '../../../client/src/sync/sync-client.ts';
import { privateMaps } from '../../../client/src/sync/outbox.ts';
import { decodeFrame, encodeFrame, FrameType } from '../../../shared/protocol/frames.ts';
import { SERVER_CLIENT_ID } from '../../../shared/sync/channel-doc.ts';
import { inboxDocName, metaDocName, privateDocName, segmentDocName } from '../../../shared/sync/doc-names.ts';

/** Real frames, captured from the real client code talking to the real server. */
export interface Corpus {
  /** client -> server frames as SyncClient wrote them (subscribe, sync step 1/2/update, awareness) */
  client: Uint8Array[];
  /** server -> client frames (step 2 of channel docs with real messages, notices, awareness) */
  server: Uint8Array[];
  /** Doc names the fuzzing member may subscribe to. */
  ownDocs: string[];
  /** Doc names that exist but belong to someone else, or do not exist. */
  foreignDocs: string[];
  /** A few raw Yjs updates (for re-wrapping as sync payloads). */
  yjsUpdates: Uint8Array[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs the real SyncClient as the fuzzing member for a moment, recording every frame in both
 * directions. The member edits drafts, read markers and presence only: it never writes its outbox,
 * so nothing it sends can ever become an intent.
 */
export async function captureCorpus(options: {
  baseUrl: string;
  userId: string;
  otherUserId: string;
  rooms: string[];
  getToken: () => Promise<string>;
}): Promise<Corpus> {
  const client: Uint8Array[] = [];
  const server: Uint8Array[] = [];
  const sync = new SyncClient({
    url: `${options.baseUrl.replace(/^http/, 'ws')}/sync`,
    getToken: options.getToken,
    createSocket: (url) => {
      const ws = new WebSocket(url);
      const send = ws.send.bind(ws);
      (ws as unknown as { send: (data: Uint8Array) => void }).send = (data: Uint8Array) => {
        client.push(new Uint8Array(data));
        send(data);
      };
      ws.on('message', (data: Buffer) => server.push(new Uint8Array(data)));
      return ws as unknown as SocketLike;
    },
  });
  const privateDoc = new Y.Doc();
  const inboxDoc = new Y.Doc();
  sync.subscribe(privateDocName(options.userId), privateDoc);
  sync.subscribe(inboxDocName(options.userId), inboxDoc);
  const metas = options.rooms.map((room) => {
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    sync.subscribe(metaDocName(room), doc, awareness);
    sync.subscribe(segmentDocName(room, 0), new Y.Doc());
    return { room, doc, awareness };
  });
  sync.start();
  await Promise.race([sync.whenSynced(privateDocName(options.userId)), sleep(5000)]);
  await Promise.race([Promise.all(options.rooms.map((r) => sync.whenSynced(segmentDocName(r, 0)))), sleep(5000)]);
  // Writes the member may make: drafts, read markers, presence. Never the outbox.
  const maps = privateMaps(privateDoc);
  for (let i = 0; i < 6; i++) {
    maps.drafts.set(options.rooms[i % options.rooms.length]!, `a draft, version ${i} ${'x'.repeat(i * 20)}`);
    maps.read.set(options.rooms[i % options.rooms.length]!, i);
    metas[i % metas.length]!.awareness.setLocalState({ typing: i % 2 === 0 });
    await sleep(30);
  }
  maps.drafts.delete(options.rooms[0]!);
  await sleep(300);
  sync.stop();
  for (const m of metas) m.awareness.destroy();

  // Hand-made frames the app never sends but a hostile client would: writes to server-owned docs.
  const yjsUpdates: Uint8Array[] = [Y.encodeStateAsUpdate(privateDoc)];
  const forged = new Y.Doc();
  forged.clientID = SERVER_CLIENT_ID; // pretending to be the server
  forged.getMap('messages').set('00000000-0000-4000-8000-000000000000', { body: 'forged', seq: 1 });
  forged.getMap('verdicts').set('00000000-0000-4000-8000-000000000001', { status: 'accepted', at: 0 });
  yjsUpdates.push(Y.encodeStateAsUpdate(forged));
  for (const frame of server) {
    try {
      const f = decodeFrame(frame, Number.POSITIVE_INFINITY);
      if (f.type === FrameType.sync && f.payload.length > 2 && f.payload[0] !== syncProtocol.messageYjsSyncStep1) {
        yjsUpdates.push(f.payload.subarray(1 + varUintLength(f.payload, 1)));
      }
    } catch {
      // ignore
    }
  }
  const write = (doc: string, update: Uint8Array) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, syncProtocol.messageYjsUpdate);
    encoding.writeVarUint8Array(e, update);
    return encodeFrame(FrameType.sync, doc, encoding.toUint8Array(e));
  };
  for (const room of options.rooms) {
    client.push(write(segmentDocName(room, 0), Y.encodeStateAsUpdate(forged)));
    client.push(write(metaDocName(room), Y.encodeStateAsUpdate(forged)));
  }
  client.push(write(inboxDocName(options.userId), Y.encodeStateAsUpdate(forged)));

  const ownDocs = [
    privateDocName(options.userId),
    inboxDocName(options.userId),
    ...options.rooms.flatMap((r) => [metaDocName(r), segmentDocName(r, 0), segmentDocName(r, 1)]),
  ];
  const foreignDocs = [
    privateDocName(options.otherUserId),
    inboxDocName(options.otherUserId),
    metaDocName('00000000-0000-4000-8000-00000000abcd'),
    segmentDocName(options.rooms[0]!, 999_999_999),
    'ch.not-a-uuid.meta',
    `private.${options.userId.toUpperCase()}`,
    `${privateDocName(options.userId)} `,
    'x'.repeat(64),
    'x'.repeat(65),
    '',
    '\u0000',
    'ch.é.meta',
    '../../etc/passwd',
  ];
  return { client, server, ownDocs, foreignDocs, yjsUpdates };
}

function varUintLength(bytes: Uint8Array, at: number): number {
  let n = 0;
  while (at + n < bytes.length && bytes[at + n]! >= 0x80) n++;
  return n + 1;
}
