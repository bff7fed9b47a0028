import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { enqueueIntent, settleVerdicts } from '../../client/src/sync/outbox.ts';
import { decodeFrame, decodeNotice, encodeFrame, FrameType } from '../../shared/protocol/frames.ts';
import { inboxDocName, metaDocName, privateDocName, segmentDocName } from '../../shared/sync/doc-names.ts';
import { nextSegmentPoint, wantsNextSegment } from '../../shared/sync/segments.ts';
import type { Verdict } from '../../shared/sync/intents.ts';
import { stampBody, stampsInUpdate, type Stamp } from '../lib/stamp.ts';
import type { Deliveries, SubTrack } from './deliveries.ts';

export interface LoungeMemberSpec {
  sub: string;
  handle: string;
  /** The room this member writes to and, with `watch`, reads. */
  roomId?: string;
  /** Subscribe to the room's meta doc and head segment (as the app does when a room is open). */
  watch?: boolean;
  segment?: number;
  /** Keeps real Yjs docs for `private.<me>` and `inbox.<me>` and may send messages through the outbox. */
  writer?: boolean;
}

/** Process-wide counters shared by every member of a load generator. */
export interface MemberContext {
  deliveries: Deliveries;
  notices: Record<string, number>;
  verdicts: { accepted: number; held: number; rejected: number; waiting: number; codes: Record<string, number> };
  frameErrors: number;
  closes: number;
  bytesIn: number;
}

const REMOTE = Symbol('remote');
const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());
const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());

/**
 * A lightweight Lounge client on one raw WebSocket, speaking the multiplexed protocol the way
 * `SyncClient` does (subscribe + sync step 1 per doc; step 2 answers for the private doc; updates of
 * the private doc as sync updates), but keeping real Yjs docs only where it writes (private, inbox).
 * Segment docs are not kept: each update of a segment doc is parsed with `Y.decodeUpdate` and the
 * message bodies read for their stamps. The meta doc (tiny, it changes only when the head segment
 * moves) is kept; like the app, a member takes the next segment at its own point in the head segment
 * (`nextSegmentPoint`) and any head it does not hold yet as soon as the meta doc names it.
 */
export class LoungeMember {
  userId = '';
  private ws: WebSocket | undefined;
  private readonly docNames: string[] = [];
  private readonly synced = new Set<string>();
  private syncedWaiters: Array<() => void> = [];
  /** Segments of the room subscribed so far: the head at subscribe time and every one after it. */
  private readonly segNames = new Set<string>();
  private metaName = '';
  private roomId = '';
  private head = 0;
  /** The highest segment subscribed (the head, or the one after it once taken ahead). */
  private highestSegment = 0;
  private highestSeq = 0;
  private nextPoint = nextSegmentPoint();
  private privateName = '';
  private inboxName = '';
  readonly track: SubTrack | undefined;
  privateDoc: Y.Doc | undefined;
  inboxDoc: Y.Doc | undefined;
  /** The room's meta doc (small, changes only when the head segment moves): followed like the app does. */
  metaDoc: Y.Doc | undefined;
  sent = 0;
  closed = false;
  private readonly stamps: Stamp[] = [];

  constructor(
    readonly spec: LoungeMemberSpec,
    private readonly ctx: MemberContext,
  ) {
    if (spec.roomId && spec.watch) this.track = ctx.deliveries.newTrack();
  }

  /** Opens the socket with a connection token and subscribes; resolves when the socket is open. */
  open(wsUrl: string, token: string, userId: string): Promise<void> {
    this.userId = userId;
    this.privateName = privateDocName(userId);
    this.inboxName = inboxDocName(userId);
    this.docNames.push(this.privateName, this.inboxName);
    if (this.spec.roomId && this.spec.watch) {
      const roomId = this.spec.roomId;
      this.roomId = roomId;
      this.head = this.spec.segment ?? 0;
      this.highestSegment = this.head;
      const seg = segmentDocName(roomId, this.head);
      this.segNames.add(seg);
      this.metaName = metaDocName(roomId);
      this.docNames.push(this.metaName, seg);
      this.metaDoc = new Y.Doc();
      // When the head segment moves on (every 256 messages), hold the new head if not yet, as the app does.
      this.metaDoc.getMap('meta').observe(() => {
        const head = Number(this.metaDoc!.getMap('meta').get('head') ?? 0);
        if (head <= this.head) return;
        this.head = head;
        this.nextPoint = nextSegmentPoint();
        while (this.highestSegment < head) this.subscribeSegment(this.highestSegment + 1);
        this.maybeTakeNext();
      });
    }
    if (this.spec.writer) {
      this.privateDoc = new Y.Doc();
      this.inboxDoc = new Y.Doc();
      settleVerdicts(this.privateDoc, this.inboxDoc);
      this.privateDoc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === REMOTE) return;
        const encoder = encoding.createEncoder();
        syncProtocol.writeUpdate(encoder, update);
        this.send(encodeFrame(FrameType.sync, this.privateName, encoding.toUint8Array(encoder)));
      });
      this.inboxDoc.getMap<Verdict>('verdicts').observe((event) => {
        for (const [key, change] of event.changes.keys) {
          if (change.action !== 'add') continue;
          const v = this.inboxDoc!.getMap<Verdict>('verdicts').get(key);
          if (!v) continue;
          this.ctx.verdicts[v.status]++;
          if (v.status === 'rejected') this.ctx.verdicts.codes[v.code] = (this.ctx.verdicts.codes[v.code] ?? 0) + 1;
        }
      });
    }
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${wsUrl}/sync?token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
      this.ws = ws;
      ws.binaryType = 'nodebuffer';
      ws.once('open', () => {
        for (const name of this.docNames) this.subscribeDoc(name);
        resolve();
      });
      ws.once('error', (err) => reject(err));
      ws.on('message', (data: Buffer) => this.onMessage(data));
      ws.on('close', () => {
        if (!this.closed) this.ctx.closes++;
        this.closed = true;
      });
    });
  }

  whenSynced(): Promise<void> {
    if (this.synced.size >= this.docNames.length) return Promise.resolve();
    return new Promise((resolve) => this.syncedWaiters.push(resolve));
  }

  get isSynced(): boolean {
    return this.synced.size >= this.docNames.length;
  }

  /** Sends a message the way the app does: an intent in the outbox of the private doc. */
  sendMessage(index: number, step: number): void {
    if (!this.privateDoc || !this.spec.roomId) throw new Error('not a writer');
    this.sent++;
    enqueueIntent(this.privateDoc, {
      kind: 'send',
      channelId: this.spec.roomId,
      body: stampBody(index, step, Date.now()),
    });
  }

  close(): void {
    this.closed = true;
    this.ws?.close(1000, 'bench done');
  }

  terminate(): void {
    this.closed = true;
    this.ws?.terminate();
  }

  private subscribeSegment(segment: number): void {
    this.highestSegment = segment;
    const name = segmentDocName(this.roomId, segment);
    this.segNames.add(name);
    this.subscribeDoc(name);
  }

  private maybeTakeNext(): void {
    if (this.highestSegment === this.head && wantsNextSegment(this.head, this.highestSeq, this.nextPoint))
      this.subscribeSegment(this.head + 1);
  }

  private subscribeDoc(name: string): void {
    this.send(encodeFrame(FrameType.subscribe, name));
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep1);
    const doc = this.docFor(name);
    encoding.writeVarUint8Array(encoder, doc ? Y.encodeStateVector(doc) : EMPTY_STATE_VECTOR);
    this.send(encodeFrame(FrameType.sync, name, encoding.toUint8Array(encoder)));
  }

  private docFor(name: string): Y.Doc | undefined {
    if (name === this.privateName) return this.privateDoc;
    if (name === this.inboxName) return this.inboxDoc;
    if (name === this.metaName) return this.metaDoc;
    return undefined;
  }

  private send(frame: Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  private onMessage(data: Buffer): void {
    const ctx = this.ctx;
    ctx.bytesIn += data.byteLength;
    let frame;
    try {
      frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch {
      ctx.frameErrors++;
      return;
    }
    if (frame.type === FrameType.notice) {
      const { code } = decodeNotice(frame.payload);
      ctx.notices[code] = (ctx.notices[code] ?? 0) + 1;
      return;
    }
    if (frame.type !== FrameType.sync) return;
    const decoder = decoding.createDecoder(frame.payload);
    const type = decoding.readVarUint(decoder);
    if (type === syncProtocol.messageYjsSyncStep1) {
      // The server asks for what it lacks: only the private doc has anything to give (as SyncClient).
      if (frame.docName !== this.privateName) return;
      const sv = decoding.readVarUint8Array(decoder);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
      encoding.writeVarUint8Array(encoder, this.privateDoc ? Y.encodeStateAsUpdate(this.privateDoc, sv) : EMPTY_UPDATE);
      this.send(encodeFrame(FrameType.sync, this.privateName, encoding.toUint8Array(encoder)));
      return;
    }
    const update = decoding.readVarUint8Array(decoder);
    if (this.track && this.segNames.has(frame.docName)) {
      const now = Date.now();
      const stamps = stampsInUpdate(update, this.stamps);
      for (const s of stamps) {
        ctx.deliveries.record(this.track, s, now, type === syncProtocol.messageYjsUpdate);
        if (s.seq !== undefined && s.seq > this.highestSeq) this.highestSeq = s.seq;
      }
      this.stamps.length = 0;
      this.maybeTakeNext();
    } else {
      const doc = this.docFor(frame.docName);
      if (doc) Y.applyUpdate(doc, update, REMOTE);
    }
    if (type === syncProtocol.messageYjsSyncStep2 && !this.synced.has(frame.docName)) {
      this.synced.add(frame.docName);
      if (this.isSynced) for (const r of this.syncedWaiters.splice(0)) r();
    }
  }
}
