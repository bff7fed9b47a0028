import WebSocket from 'ws';
import * as Y from 'yjs';
import { SyncClient, type SocketLike } from '../../client/src/sync/sync-client.ts';
import { enqueueIntent, settleVerdicts } from '../../client/src/sync/outbox.ts';
import { inboxDocName, metaDocName, privateDocName, segmentDocName } from '../../shared/sync/doc-names.ts';
import type { StoredMessage } from '../../shared/sync/channel-doc.ts';
import { nextSegmentPoint, wantsNextSegment } from '../../shared/sync/segments.ts';
import type { Verdict } from '../../shared/sync/intents.ts';
import { parseStamp, stampBody } from '../lib/stamp.ts';
import { connectionToken } from './tokens.ts';

/**
 * A member's device running the app's own client code: `SyncClient` (reconnect with full jitter, a
 * fresh connection token from POST /api/auth/connection-token before every connect, state-vector
 * exchange on resubscribe) and the outbox (`enqueueIntent` / `settleVerdicts`), with real Yjs docs.
 * Used where reconnecting and catching up is what is measured (the reconnect storm, the crash).
 */
export class AppDevice {
  readonly client: SyncClient;
  readonly privateDoc = new Y.Doc();
  readonly inboxDoc = new Y.Doc();
  readonly metaDoc = new Y.Doc();
  /** Segment docs subscribed so far (the head at start and every later head). */
  readonly segDocs = new Map<number, Y.Doc>();
  /** The current head segment's doc name. */
  segName: string;
  private head = 0;
  /** Message indexes held in the segment doc. */
  readonly bits: Uint8Array;
  /** All indexes below this are held. */
  contiguous = 0;
  /** advanceAt[i]: when `contiguous` passed i (ms epoch). */
  readonly advanceAt: Float64Array;
  online = false;
  onlineCount = 0;
  lastOnlineAt = 0;
  /** When the segment doc was last synced after a (re)connect. */
  segSyncedAt = 0;
  sent = 0;
  verdicts = { accepted: 0, held: 0, rejected: 0, waiting: 0 };
  readonly role: 'reader' | 'writer';
  private readonly sockets = new Set<WebSocket>();

  constructor(
    readonly userId: string,
    readonly roomId: string,
    baseUrl: string,
    wsUrl: string,
    firstToken: string,
    hostJwt: string,
    capacity: number,
    options: { role: 'reader' | 'writer'; reconnectMs: number },
  ) {
    this.role = options.role;
    const subscribeRoom = options.role === 'reader';
    this.bits = new Uint8Array(capacity);
    this.advanceAt = new Float64Array(capacity + 1);
    this.segName = segmentDocName(roomId, 0);
    let cached: string | undefined = firstToken;
    this.client = new SyncClient({
      url: `${wsUrl}/sync`,
      getToken: async () => {
        if (cached) {
          const t = cached;
          cached = undefined;
          return t;
        }
        return (await connectionToken(baseUrl, hostJwt)).token;
      },
      createSocket: (url) => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        ws.on('error', () => {});
        return ws as unknown as SocketLike;
      },
      onState: (state) => {
        const was = this.online;
        this.online = state === 'online';
        if (this.online && !was) {
          this.onlineCount++;
          this.lastOnlineAt = Date.now();
          if (subscribeRoom) {
            void this.client.whenSynced(this.segName).then(() => {
              this.segSyncedAt = Date.now();
            });
          }
        }
      },
      // Every (re)connect attempt is spread uniformly over [0, reconnectMs): full jitter with min = max.
      minReconnectMs: options.reconnectMs,
      maxReconnectMs: options.reconnectMs,
    });
    this.client.subscribe(privateDocName(userId), this.privateDoc);
    this.client.subscribe(inboxDocName(userId), this.inboxDoc);
    settleVerdicts(this.privateDoc, this.inboxDoc);
    this.inboxDoc.getMap<Verdict>('verdicts').observe((event) => {
      for (const [key, change] of event.changes.keys) {
        if (change.action !== 'add') continue;
        const v = this.inboxDoc.getMap<Verdict>('verdicts').get(key);
        if (v) this.verdicts[v.status]++;
      }
    });
    if (subscribeRoom) {
      this.client.subscribe(metaDocName(roomId), this.metaDoc);
      this.openSegment(0);
      // The app follows the meta doc: when the head segment moves on, it holds the new head (if it did
      // not take it ahead already) and takes the next one at its own point of the head (RoomSession).
      this.metaDoc.getMap('meta').observe(() => {
        const head = Number(this.metaDoc.getMap('meta').get('head') ?? 0);
        if (head <= this.head) return;
        this.head = head;
        this.nextPoint = nextSegmentPoint();
        for (let n = 0; n <= head; n++) if (!this.segDocs.has(n)) this.openSegment(n);
        this.segName = segmentDocName(roomId, this.head);
        this.maybeTakeNext();
      });
    }
  }

  private nextPoint = nextSegmentPoint();
  private highestSeq = 0;

  private maybeTakeNext(): void {
    if (!this.segDocs.has(this.head + 1) && wantsNextSegment(this.head, this.highestSeq, this.nextPoint))
      this.openSegment(this.head + 1);
  }

  private openSegment(n: number): void {
    const doc = new Y.Doc();
    this.segDocs.set(n, doc);
    this.client.subscribe(segmentDocName(this.roomId, n), doc);
    const map = doc.getMap<StoredMessage>('messages');
    map.observe((event) => {
      const now = Date.now();
      for (const key of event.keysChanged) {
        const value = map.get(key);
        if (value && value.seq > this.highestSeq) this.highestSeq = value.seq;
        const stamp = parseStamp(value?.body);
        if (!stamp || stamp.index >= this.bits.length) continue;
        this.bits[stamp.index] = 1;
      }
      while (this.contiguous < this.bits.length && this.bits[this.contiguous]) {
        this.contiguous++;
        this.advanceAt[this.contiguous] = now;
      }
      this.maybeTakeNext();
    });
  }

  start(): void {
    this.client.start();
  }

  sendMessage(index: number, step: number): void {
    this.sent++;
    enqueueIntent(this.privateDoc, { kind: 'send', channelId: this.roomId, body: stampBody(index, step, Date.now()) });
  }

  outboxSize(): number {
    return this.privateDoc.getMap('outbox').size;
  }

  /** Drops the connection abruptly (a network blip); the client reconnects by itself. */
  dropSocket(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  held(indexes: readonly number[]): number {
    let n = 0;
    for (const i of indexes) if (this.bits[i]) n++;
    return n;
  }

  stop(): void {
    this.client.stop();
  }
}
