import { randomUUID } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { SYNC_LIMITS, type NoticeCode } from '../../shared/protocol/frames.ts';
import type { DocName } from '../../shared/sync/doc-names.ts';
import type { PresenceState } from './awareness-stamp.ts';
import type { HostedDoc } from './hosted-doc.ts';
import { AccessRefused, type SyncService } from './sync-service.ts';
import type { SyncPeer } from './sync-peer.ts';
import { TokenBucket } from './token-bucket.ts';

// The y-websocket wire format: varUint message type, then the y-protocols payload.
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;

/**
 * One doc per socket, in the stock y-websocket format, so third-party Yjs tooling can read any doc the
 * member may read. Server-owned docs stay read-only here: updates are dropped like on the app socket.
 */
export class StockConnection implements SyncPeer {
  readonly id = randomUUID();
  private hosted: HostedDoc | undefined;
  private readonly bucket = new TokenBucket(SYNC_LIMITS.maxFramesPerSecond, SYNC_LIMITS.frameBurst);
  private queue: Promise<void>;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    readonly userId: string,
    user: PresenceState['user'],
    private readonly docName: string,
    parsed: DocName,
    private readonly sync: SyncService,
    private readonly logger: Logger,
  ) {
    socket.binaryType = 'nodebuffer';
    socket.on('close', () => this.onClose());
    socket.on('error', (err) => {
      this.logger.debug({ err }, 'sync socket error');
      this.onClose();
    });
    // Messages that arrive while the doc loads are queued behind the subscription.
    this.queue = this.sync.subscribe(this, docName, parsed, user).then(
      (hosted) => {
        if (this.closed) this.sync.unsubscribe(this, hosted);
        else this.hosted = hosted;
      },
      (err: unknown) => {
        const reason = err instanceof AccessRefused ? err.message : 'this doc could not be loaded';
        this.close(err instanceof AccessRefused ? 4403 : 1011, reason);
      },
    );
    socket.on('message', (data: Buffer) => {
      if (!this.bucket.take()) return this.close(4429, 'too many messages');
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      this.queue = this.queue.then(() => this.handle(bytes));
    });
  }

  private handle(bytes: Uint8Array): void {
    if (this.closed || !this.hosted) return;
    try {
      const decoder = decoding.createDecoder(bytes);
      const type = decoding.readVarUint(decoder);
      const payload = bytes.subarray(decoder.pos);
      if (type === MESSAGE_SYNC) this.sync.handleSync(this, this.hosted, payload);
      else if (type === MESSAGE_AWARENESS) {
        // Read-only presence: a stock client is never shown as present; its awareness is dropped.
      } else throw new Error(`unknown message type ${type}`);
    } catch (err) {
      this.close(4400, `invalid message: ${(err as Error).message}`);
    }
  }

  sendSync(_docName: string, payload: Uint8Array): void {
    this.send(MESSAGE_SYNC, payload);
  }

  sendAwareness(_docName: string, payload: Uint8Array): void {
    this.send(MESSAGE_AWARENESS, payload);
  }

  notice(_docName: string, _code: NoticeCode, _message: string): void {
    // The stock protocol has no notices; dropped writes are simply not applied.
  }

  dropDoc(): void {
    this.close(4403, 'access to this doc was revoked');
  }

  private send(type: number, payload: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, type);
    encoding.writeUint8Array(encoder, payload);
    this.socket.send(encoding.toUint8Array(encoder));
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.logger.info({ connection: this.id, code, reason }, 'closing stock sync connection');
    this.socket.close(code, reason.slice(0, 120));
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.hosted) this.sync.peerClosed(this, [this.hosted]);
    this.hosted = undefined;
  }
}
