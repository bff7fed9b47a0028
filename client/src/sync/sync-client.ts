import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
  decodeAwarenessPayload,
  decodeFrame,
  decodeNotice,
  encodeAwarenessPayload,
  encodeFrame,
  FrameType,
} from '../../../shared/protocol/frames.ts';
import { isServerOwned, parseDocName } from '../../../shared/sync/doc-names.ts';

/** The part of the WebSocket API the client uses; browsers and the `ws` package both provide it. */
export interface SocketLike {
  binaryType: string;
  readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface Notice {
  docName: string;
  code: string;
  message: string;
}

export interface SyncClientOptions {
  /** e.g. ws://localhost:3000/sync */
  url: string;
  /** A fresh connection token for every (re)connect. */
  getToken: () => Promise<string>;
  createSocket: SocketFactory;
  onNotice?: (notice: Notice) => void;
  onState?: (state: ConnectionState) => void;
  /** Backoff bounds for reconnects. */
  minReconnectMs?: number;
  maxReconnectMs?: number;
}

interface Subscription {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness | undefined;
  serverOwned: boolean;
  synced: boolean;
  syncedWaiters: Array<() => void>;
  offUpdate: () => void;
  offAwareness: () => void;
}

const OPEN = 1;
const REMOTE = Symbol('remote');

/**
 * The client side of the multiplexed sync protocol: many docs over one socket, re-subscribed on every
 * reconnect with a state-vector exchange, so whatever changed while offline flows both ways (private
 * docs) or server to client (everything else). Server-owned docs are never written from here.
 */
export class SyncClient {
  private socket: SocketLike | undefined;
  private readonly subs = new Map<string, Subscription>();
  private state: ConnectionState = 'offline';
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: SyncClientOptions) {}

  get connectionState(): ConnectionState {
    return this.state;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Closes the socket and stops reconnecting (sign-out, going offline on purpose, tests). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'client stopped');
    this.socket = undefined;
    // Whatever was synced before is stale until the next connection's exchange.
    for (const sub of this.subs.values()) sub.synced = false;
    this.setState('offline');
  }

  subscribe(docName: string, doc: Y.Doc, awareness?: awarenessProtocol.Awareness): void {
    if (this.subs.has(docName)) return;
    const parsed = parseDocName(docName);
    if (!parsed) throw new Error(`not a doc name: ${docName}`);
    const sub: Subscription = {
      doc,
      awareness,
      serverOwned: isServerOwned(parsed),
      synced: false,
      syncedWaiters: [],
      offUpdate: () => {},
      offAwareness: () => {},
    };
    if (!sub.serverOwned) {
      const onUpdate = (update: Uint8Array, origin: unknown) => {
        if (origin === REMOTE) return;
        const encoder = encoding.createEncoder();
        syncProtocol.writeUpdate(encoder, update);
        this.send(encodeFrame(FrameType.sync, docName, encoding.toUint8Array(encoder)));
      };
      doc.on('update', onUpdate);
      sub.offUpdate = () => doc.off('update', onUpdate);
    }
    if (awareness) {
      const onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        if (origin === REMOTE) return;
        const changed = [...added, ...updated, ...removed].filter((id) => id === doc.clientID);
        if (changed.length === 0) return;
        this.send(encodeFrame(FrameType.awareness, docName, encodeAwarenessPayload(awarenessProtocol.encodeAwarenessUpdate(awareness, changed))));
      };
      awareness.on('update', onAwareness);
      sub.offAwareness = () => awareness.off('update', onAwareness);
    }
    this.subs.set(docName, sub);
    if (this.state === 'online') this.sendSubscribe(docName, sub);
  }

  unsubscribe(docName: string): void {
    const sub = this.subs.get(docName);
    if (!sub) return;
    sub.offUpdate();
    sub.offAwareness();
    this.subs.delete(docName);
    this.send(encodeFrame(FrameType.unsubscribe, docName));
  }

  /** Resolves once the doc has received the server's state at least once since subscribing. */
  whenSynced(docName: string): Promise<void> {
    const sub = this.subs.get(docName);
    if (!sub) return Promise.reject(new Error(`not subscribed to ${docName}`));
    if (sub.synced) return Promise.resolve();
    return new Promise((resolve) => sub.syncedWaiters.push(resolve));
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState?.(state);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    let token: string;
    try {
      token = await this.options.getToken();
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const socket = this.options.createSocket(`${this.options.url}?token=${encodeURIComponent(token)}`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('online');
      for (const [name, sub] of this.subs) this.sendSubscribe(name, sub);
    };
    socket.onmessage = (event) => this.onMessage(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      for (const sub of this.subs.values()) sub.synced = false;
      this.setState('offline');
      this.scheduleReconnect();
    };
    socket.onerror = () => {};
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const min = this.options.minReconnectMs ?? 250;
    const max = this.options.maxReconnectMs ?? 10_000;
    // Full jitter, so a node restart does not bring every client back in the same millisecond.
    const delay = Math.random() * Math.min(max, min * 2 ** this.attempt);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private retrySubscribe(docName: string): void {
    const delay = 500 + Math.random() * 2000;
    setTimeout(() => {
      const sub = this.subs.get(docName);
      if (sub && this.state === 'online' && !sub.synced) this.sendSubscribe(docName, sub);
    }, delay);
  }

  private sendSubscribe(docName: string, sub: Subscription): void {
    this.send(encodeFrame(FrameType.subscribe, docName));
    const encoder = encoding.createEncoder();
    syncProtocol.writeSyncStep1(encoder, sub.doc);
    this.send(encodeFrame(FrameType.sync, docName, encoding.toUint8Array(encoder)));
    if (sub.awareness?.getLocalState()) {
      const update = awarenessProtocol.encodeAwarenessUpdate(sub.awareness, [sub.doc.clientID]);
      this.send(encodeFrame(FrameType.awareness, docName, encodeAwarenessPayload(update)));
    }
  }

  private send(frame: Uint8Array): void {
    if (this.socket?.readyState === OPEN) this.socket.send(frame);
  }

  private onMessage(data: unknown): void {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : undefined;
    if (!bytes) return;
    const frame = decodeFrame(bytes, Number.POSITIVE_INFINITY);
    if (frame.type === FrameType.notice) {
      const notice = { docName: frame.docName, ...decodeNotice(frame.payload) };
      // The server could not load the doc right now (e.g. its database is restarting): ask again later.
      if (notice.code === 'unavailable') this.retrySubscribe(frame.docName);
      this.options.onNotice?.(notice);
      return;
    }
    const sub = this.subs.get(frame.docName);
    if (!sub) return;
    if (frame.type === FrameType.awareness) {
      if (sub.awareness) {
        awarenessProtocol.applyAwarenessUpdate(sub.awareness, decodeAwarenessPayload(frame.payload), REMOTE);
      }
      return;
    }
    if (frame.type !== FrameType.sync) return;
    const decoder = decoding.createDecoder(frame.payload);
    const type = decoding.readVarUint(decoder);
    if (type === syncProtocol.messageYjsSyncStep1) {
      // The server asks for what it lacks: only private docs have anything to give.
      const stateVector = decoding.readVarUint8Array(decoder);
      if (sub.serverOwned) return;
      const encoder = encoding.createEncoder();
      syncProtocol.writeSyncStep2(encoder, sub.doc, stateVector);
      this.send(encodeFrame(FrameType.sync, frame.docName, encoding.toUint8Array(encoder)));
      return;
    }
    const update = decoding.readVarUint8Array(decoder);
    Y.applyUpdate(sub.doc, update, REMOTE);
    if (type === syncProtocol.messageYjsSyncStep2 && !sub.synced) {
      sub.synced = true;
      for (const resolve of sub.syncedWaiters.splice(0)) resolve();
    }
  }
}
