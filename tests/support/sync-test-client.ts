import * as awarenessProtocol from 'y-protocols/awareness';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { SyncClient, type Notice, type SocketLike } from '../../client/src/sync/sync-client.ts';
import { enqueueIntent, privateMaps, settleVerdicts } from '../../client/src/sync/outbox.ts';
import { readMessages, readMeta } from '../../shared/sync/channel-doc.ts';
import { inboxDocName, metaDocName, privateDocName, segmentDocName } from '../../shared/sync/doc-names.ts';
import type { Intent, Verdict } from '../../shared/sync/intents.ts';

/** Polls until `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

type IntentInput = Intent extends infer I ? (I extends Intent ? Omit<I, 'n' | 'createdAt'> : never) : never;

/**
 * A member's device as the real client code runs it (SyncClient + outbox), over a real WebSocket.
 * Each device has its own Yjs docs, like a browser tab with its own IndexedDB.
 */
export class TestDevice {
  readonly client: SyncClient;
  readonly privateDoc = new Y.Doc();
  readonly inboxDoc = new Y.Doc();
  readonly docs = new Map<string, Y.Doc>();
  readonly awareness = new Map<string, awarenessProtocol.Awareness>();
  readonly notices: Notice[] = [];
  private stopSettling: () => void;

  constructor(
    readonly userId: string,
    baseUrl: string,
    getToken: () => Promise<string>,
  ) {
    this.client = new SyncClient({
      url: `${baseUrl.replace(/^http/, 'ws')}/sync`,
      getToken,
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      onNotice: (notice) => this.notices.push(notice),
      minReconnectMs: 50,
      maxReconnectMs: 500,
    });
    this.client.subscribe(privateDocName(userId), this.privateDoc);
    this.client.subscribe(inboxDocName(userId), this.inboxDoc);
    this.stopSettling = settleVerdicts(this.privateDoc, this.inboxDoc);
  }

  start(): this {
    this.client.start();
    return this;
  }

  doc(name: string): Y.Doc {
    let doc = this.docs.get(name);
    if (!doc) {
      doc = new Y.Doc();
      this.docs.set(name, doc);
    }
    return doc;
  }

  /** Subscribes to a channel's meta doc (with presence) and its head segment, as the app does. */
  async openChannel(channelId: string, options: { presence?: boolean } = {}): Promise<void> {
    const metaName = metaDocName(channelId);
    const meta = this.doc(metaName);
    let awareness: awarenessProtocol.Awareness | undefined;
    if (options.presence) {
      awareness = new awarenessProtocol.Awareness(meta);
      this.awareness.set(metaName, awareness);
    }
    this.client.subscribe(metaName, meta, awareness);
    await this.client.whenSynced(metaName);
    const head = readMeta(meta).head;
    this.client.subscribe(segmentDocName(channelId, head), this.doc(segmentDocName(channelId, head)));
    await this.client.whenSynced(segmentDocName(channelId, head));
  }

  messages(channelId: string, segment = 0) {
    return readMessages(this.doc(segmentDocName(channelId, segment)), channelId);
  }

  intent(input: IntentInput): string {
    return enqueueIntent(this.privateDoc, input);
  }

  verdict(intentId: string): Verdict | undefined {
    return this.inboxDoc.getMap<Verdict>('verdicts').get(intentId);
  }

  outboxSize(): number {
    return privateMaps(this.privateDoc).outbox.size;
  }

  stop(): void {
    this.stopSettling();
    this.stopSettling = () => {};
    this.client.stop();
  }
}
