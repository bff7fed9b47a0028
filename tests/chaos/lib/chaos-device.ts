import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  SyncClient,
  type ConnectionState,
  type Notice,
  type SocketLike,
} from '../../../client/src/sync/sync-client.ts';
import { enqueueIntent, privateMaps, settleVerdicts } from '../../../client/src/sync/outbox.ts';
import { readMessages, readMeta, type MessageView } from '../../../shared/sync/channel-doc.ts';
import { inboxDocName, metaDocName, privateDocName, segmentDocName } from '../../../shared/sync/doc-names.ts';
import type { Verdict } from '../../../shared/sync/intents.ts';
import { hostToken } from '../../support/test-app.ts';

/** A sync node as a client sees it: a base URL behind the load balancer. */
export interface Endpoint {
  name: string;
  url: string;
}

interface ChannelReplica {
  meta: Y.Doc;
  segments: Map<number, Y.Doc>;
  offMeta: () => void;
}

/**
 * A member's device running the real client code (SyncClient + outbox + verdict settling) over a real
 * WebSocket, behind a failover "load balancer": each (re)connect asks the preferred node for a
 * connection token and falls back to the other nodes, then opens the socket on whichever answered.
 *
 * `reload()` is a page reload: a fresh SyncClient and fresh Y.Docs filled from what the device had
 * stored (y-indexeddb keeps every doc of a browser replica: private, inbox, meta, segments).
 */
export class ChaosDevice {
  client!: SyncClient;
  privateDoc = new Y.Doc();
  inboxDoc = new Y.Doc();
  readonly channels = new Map<string, ChannelReplica>();
  readonly notices: Notice[] = [];
  /** Every verdict this device ever saw, by intent id (the inbox keeps only recent ones). */
  readonly verdicts = new Map<string, Verdict>();
  /** The node the current (or last) socket went to. */
  current: Endpoint | undefined;
  state: ConnectionState = 'offline';
  connects = 0;
  reloads = 0;
  private stopSettling: () => void = () => {};
  private offVerdicts: () => void = () => {};
  private hostJwt: { token: string; at: number } | undefined;
  private running = false;

  constructor(
    readonly index: number,
    readonly userId: string,
    readonly hostUserId: string,
    private readonly endpoints: () => Endpoint[],
    /** Index into endpoints() of the node this device's load balancer prefers. */
    public preferred: number,
  ) {
    this.build();
  }

  private build(): void {
    this.client = new SyncClient({
      url: 'ws://load-balancer/sync',
      getToken: () => this.connectionToken(),
      createSocket: (url) => {
        const target = new URL(url);
        const node = new URL(this.current!.url);
        target.protocol = 'ws:';
        target.host = node.host;
        this.connects += 1;
        return new WebSocket(target.toString(), { handshakeTimeout: 3000 }) as unknown as SocketLike;
      },
      onNotice: (notice) => this.notices.push(notice),
      onState: (state) => (this.state = state),
      minReconnectMs: 50,
      maxReconnectMs: 1000,
    });
    this.client.subscribe(privateDocName(this.userId), this.privateDoc);
    this.client.subscribe(inboxDocName(this.userId), this.inboxDoc);
    this.stopSettling = settleVerdicts(this.privateDoc, this.inboxDoc);
    const verdictMap = this.inboxDoc.getMap<Verdict>('verdicts');
    const record = () => {
      for (const [id, verdict] of verdictMap.entries()) if (!this.verdicts.has(id)) this.verdicts.set(id, verdict);
    };
    verdictMap.observe(record);
    record();
    this.offVerdicts = () => verdictMap.unobserve(record);
    for (const [channelId, replica] of this.channels) this.attachChannel(channelId, replica);
  }

  private async hostBearer(): Promise<string> {
    if (!this.hostJwt || Date.now() - this.hostJwt.at > 30 * 60_000) {
      this.hostJwt = { token: await hostToken({ sub: this.hostUserId }), at: Date.now() };
    }
    return this.hostJwt.token;
  }

  private async connectionToken(): Promise<string> {
    const list = this.endpoints();
    const order = [...list.slice(this.preferred), ...list.slice(0, this.preferred)];
    const bearer = await this.hostBearer();
    let lastError: unknown;
    for (const node of order) {
      try {
        const res = await fetch(`${node.url}/api/auth/connection-token`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}` },
          signal: AbortSignal.timeout(1500),
        });
        if (res.status !== 200) throw new Error(`connection token: HTTP ${res.status}`);
        const { token } = (await res.json()) as { token: string };
        this.current = node;
        return token;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('no node answered');
  }

  start(): this {
    this.running = true;
    this.client.start();
    return this;
  }

  /** Goes offline on purpose (airplane mode): the socket closes, nothing reconnects until goOnline(). */
  goOffline(): void {
    this.running = false;
    this.client.stop();
  }

  goOnline(): void {
    this.start();
  }

  /** Drops the socket and connects again through the load balancer (e.g. to move back to the preferred node). */
  reconnect(): void {
    this.client.stop();
    this.client.start();
    this.running = true;
  }

  get online(): boolean {
    return this.state === 'online';
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Subscribes to a room's meta doc and to every segment up to its head, following the head as it moves. */
  openChannel(channelId: string): void {
    if (this.channels.has(channelId)) return;
    const replica: ChannelReplica = { meta: new Y.Doc(), segments: new Map(), offMeta: () => {} };
    this.channels.set(channelId, replica);
    this.attachChannel(channelId, replica);
  }

  private attachChannel(channelId: string, replica: ChannelReplica): void {
    this.client.subscribe(metaDocName(channelId), replica.meta);
    for (const [segment, doc] of replica.segments) this.client.subscribe(segmentDocName(channelId, segment), doc);
    const follow = () => {
      const head = readMeta(replica.meta).head;
      for (let s = 0; s <= head; s++) {
        if (replica.segments.has(s)) continue;
        const doc = new Y.Doc();
        replica.segments.set(s, doc);
        this.client.subscribe(segmentDocName(channelId, s), doc);
      }
    };
    replica.meta.on('update', follow);
    replica.offMeta = () => replica.meta.off('update', follow);
    follow();
  }

  /** Everything this replica holds of a channel, in seq order. */
  messages(channelId: string): MessageView[] {
    const replica = this.channels.get(channelId);
    if (!replica) return [];
    return [...replica.segments.values()].flatMap((doc) => readMessages(doc, channelId)).sort((a, b) => a.seq - b.seq);
  }

  async whenSynced(timeoutMs: number): Promise<boolean> {
    const names = [privateDocName(this.userId), inboxDocName(this.userId)];
    for (const [channelId, replica] of this.channels) {
      names.push(metaDocName(channelId));
      for (const s of replica.segments.keys()) names.push(segmentDocName(channelId, s));
    }
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return Promise.race([Promise.all(names.map((n) => this.client.whenSynced(n))).then(() => true), timeout]);
  }

  send(channelId: string, body: (intentId: string) => string): string {
    // The body names the intent id, so every copy of the message can be traced back to its intent.
    const id = crypto.randomUUID();
    enqueueIntent(this.privateDoc, { kind: 'send', channelId, body: body(id) }, () => id);
    return id;
  }

  outboxSize(): number {
    return privateMaps(this.privateDoc).outbox.size;
  }

  /**
   * A page reload: the running client is dropped mid-whatever, and a new one starts from the docs the
   * browser had persisted (every update the old docs had applied, as y-indexeddb stores them).
   */
  reload(): void {
    const wasRunning = this.running;
    this.client.stop();
    this.stopSettling();
    this.offVerdicts();
    const stored = {
      private: Y.encodeStateAsUpdate(this.privateDoc),
      inbox: Y.encodeStateAsUpdate(this.inboxDoc),
      channels: [...this.channels].map(([id, r]) => ({
        id,
        meta: Y.encodeStateAsUpdate(r.meta),
        segments: [...r.segments].map(([s, doc]) => [s, Y.encodeStateAsUpdate(doc)] as const),
      })),
    };
    for (const r of this.channels.values()) {
      r.offMeta();
      r.meta.destroy();
      for (const d of r.segments.values()) d.destroy();
    }
    this.privateDoc.destroy();
    this.inboxDoc.destroy();
    this.channels.clear();
    this.privateDoc = new Y.Doc();
    this.inboxDoc = new Y.Doc();
    Y.applyUpdate(this.privateDoc, stored.private);
    Y.applyUpdate(this.inboxDoc, stored.inbox);
    for (const c of stored.channels) {
      const replica: ChannelReplica = { meta: new Y.Doc(), segments: new Map(), offMeta: () => {} };
      Y.applyUpdate(replica.meta, c.meta);
      for (const [s, update] of c.segments) {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, update);
        replica.segments.set(s, doc);
      }
      this.channels.set(c.id, replica);
    }
    this.reloads += 1;
    this.build();
    if (wasRunning) this.start();
  }

  close(): void {
    this.running = false;
    this.client.stop();
    this.stopSettling();
    this.offVerdicts();
    for (const r of this.channels.values()) r.offMeta();
  }
}
