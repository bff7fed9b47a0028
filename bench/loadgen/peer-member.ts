import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { stampBody, stampsInUpdate, type Stamp } from '../lib/stamp.ts';
import type { SubTrack } from './deliveries.ts';
import type { MemberContext } from './lounge-member.ts';

export type PeerKind = 'hocuspocus' | 'y-websocket-server';

const REMOTE = Symbol('remote');
const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());
const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());

// y-websocket: varUint messageType · payload.  Hocuspocus: varString docName · varUint messageType · payload.
const MSG_SYNC = 0;
const HP_AUTH = 2;
const HP_AUTH_TOKEN = 0;
const HP_AUTH_DENIED = 1;
const HP_AWARENESS = 1;

/**
 * A lightweight client of a peer server on one raw WebSocket, doing what that server's own provider
 * does for one doc (Hocuspocus: auth message first; both: sync step 1, answer the server's step 1),
 * without awareness. A subscriber keeps no doc and reads stamps with `Y.decodeUpdate`, exactly like
 * the Lounge subscriber; a writer keeps a real Y.Doc and sets messages into Y.Map('messages') with the
 * same value shape as a Lounge segment doc (`{id, body, sentAt}` with the stamped body).
 */
export class PeerMember {
  private ws: WebSocket | undefined;
  readonly track: SubTrack | undefined;
  readonly doc: Y.Doc | undefined;
  private syncedFlag = false;
  private waiters: Array<() => void> = [];
  private keepAlive: NodeJS.Timeout | undefined;
  sent = 0;
  closed = false;
  private readonly stamps: Stamp[] = [];

  constructor(
    readonly kind: PeerKind,
    readonly docName: string,
    private readonly ctx: MemberContext,
    readonly writer: boolean,
  ) {
    if (writer) {
      this.doc = new Y.Doc();
      this.doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === REMOTE) return;
        this.sendSync((e) => syncProtocol.writeUpdate(e, update));
      });
    } else {
      this.track = ctx.deliveries.newTrack();
    }
  }

  get isSynced(): boolean {
    return this.syncedFlag;
  }

  whenSynced(): Promise<void> {
    if (this.syncedFlag) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  open(wsUrl: string): Promise<void> {
    const url = this.kind === 'y-websocket-server' ? `${wsUrl}/${this.docName}` : wsUrl;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      this.ws = ws;
      ws.binaryType = 'nodebuffer';
      ws.once('open', () => {
        if (this.kind === 'hocuspocus') {
          const e = encoding.createEncoder();
          encoding.writeVarString(e, this.docName);
          encoding.writeVarUint(e, HP_AUTH);
          encoding.writeVarUint(e, HP_AUTH_TOKEN);
          encoding.writeVarString(e, '');
          ws.send(encoding.toUint8Array(e));
          // Hocuspocus closes connections that send nothing for `timeout` (60 s); its provider keeps
          // talking. An empty awareness update is the cheapest message that counts.
          this.keepAlive = setInterval(() => {
            const k = encoding.createEncoder();
            encoding.writeVarString(k, this.docName);
            encoding.writeVarUint(k, HP_AWARENESS);
            encoding.writeVarUint8Array(k, new Uint8Array([0]));
            this.raw(encoding.toUint8Array(k));
          }, 20_000);
          this.keepAlive.unref();
        }
        this.sendSync((e) => {
          encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep1);
          encoding.writeVarUint8Array(e, this.doc ? Y.encodeStateVector(this.doc) : EMPTY_STATE_VECTOR);
        });
        resolve();
      });
      ws.once('error', (err) => reject(err));
      ws.on('message', (data: Buffer) => this.onMessage(data));
      ws.on('close', () => {
        clearInterval(this.keepAlive);
        if (!this.closed) this.ctx.closes++;
        this.closed = true;
      });
    });
  }

  write(index: number, step: number): void {
    if (!this.doc) throw new Error('not a writer');
    this.sent++;
    const sentAt = Date.now();
    this.doc.getMap('messages').set(`m${index}`, { id: index, sentAt, body: stampBody(index, step, sentAt) });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.keepAlive);
    this.ws?.close(1000, 'bench done');
  }

  terminate(): void {
    this.closed = true;
    clearInterval(this.keepAlive);
    this.ws?.terminate();
  }

  private raw(bytes: Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(bytes);
  }

  private sendSync(write: (e: encoding.Encoder) => void): void {
    const e = encoding.createEncoder();
    if (this.kind === 'hocuspocus') encoding.writeVarString(e, this.docName);
    encoding.writeVarUint(e, MSG_SYNC);
    write(e);
    this.raw(encoding.toUint8Array(e));
  }

  private onMessage(data: Buffer): void {
    const ctx = this.ctx;
    ctx.bytesIn += data.byteLength;
    try {
      const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (this.kind === 'hocuspocus') decoding.readVarString(d);
      const type = decoding.readVarUint(d);
      if (this.kind === 'hocuspocus' && type === HP_AUTH) {
        if (decoding.readVarUint(d) === HP_AUTH_DENIED) ctx.notices.denied = (ctx.notices.denied ?? 0) + 1;
        return;
      }
      if (type !== MSG_SYNC) return;
      const syncType = decoding.readVarUint(d);
      if (syncType === syncProtocol.messageYjsSyncStep1) {
        const sv = decoding.readVarUint8Array(d);
        this.sendSync((e) => {
          encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2);
          encoding.writeVarUint8Array(e, this.doc ? Y.encodeStateAsUpdate(this.doc, sv) : EMPTY_UPDATE);
        });
        return;
      }
      const update = decoding.readVarUint8Array(d);
      if (this.track) {
        const now = Date.now();
        const stamps = stampsInUpdate(update, this.stamps);
        for (const s of stamps) ctx.deliveries.record(this.track, s, now, syncType === syncProtocol.messageYjsUpdate);
        this.stamps.length = 0;
      } else if (this.doc) {
        Y.applyUpdate(this.doc, update, REMOTE);
      }
      if (syncType === syncProtocol.messageYjsSyncStep2 && !this.syncedFlag) {
        this.syncedFlag = true;
        for (const r of this.waiters.splice(0)) r();
      }
    } catch {
      ctx.frameErrors++;
    }
  }
}
