import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import {
  decodeFrame,
  encodeFrame,
  encodeNotice,
  FrameError,
  FrameType,
  NoticeCode,
  SYNC_LIMITS,
} from '../../shared/protocol/frames.ts';
import { parseDocName } from '../../shared/sync/doc-names.ts';
import type { PresenceState } from './awareness-stamp.ts';
import type { HostedDoc } from './hosted-doc.ts';
import { AccessRefused, type SyncService } from './sync-service.ts';
import type { SyncPeer } from './sync-peer.ts';
import { TokenBucket } from './token-bucket.ts';

/** Close codes the client reads to decide whether to reconnect. */
export const CloseCode = {
  protocolError: 4400,
  rateLimited: 4429,
  serverShutdown: 1001,
} as const;

// Frames queued behind a slow subscription load; past this the client is flooding us.
const MAX_QUEUED_FRAMES = 500;

// A counter that moves once per tick (one nextTick for the whole process, not one per connection).
let tickCounter = 0;
let tickScheduled = false;
function currentTick(): number {
  if (!tickScheduled) {
    tickScheduled = true;
    process.nextTick(() => {
      tickCounter++;
      tickScheduled = false;
    });
  }
  return tickCounter;
}

/**
 * One app connection multiplexing many docs. Frames are handled strictly in order (a sync frame for a
 * doc waits for that doc's subscription to finish loading). Anything malformed closes this connection
 * only, with a reason; nothing it sent is applied.
 */
export class MuxConnection implements SyncPeer {
  readonly id = randomUUID();
  private readonly docs = new Map<string, HostedDoc>();
  private readonly bucket = new TokenBucket(SYNC_LIMITS.maxFramesPerSecond, SYNC_LIMITS.frameBurst);
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private corked = false;
  private lastSendTick = -1;

  constructor(
    private readonly socket: WebSocket,
    readonly userId: string,
    private readonly user: PresenceState['user'],
    private readonly sync: SyncService,
    private readonly logger: Logger,
  ) {
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', (err) => {
      this.logger.debug({ err }, 'sync socket error');
      this.onClose();
    });
  }

  sendSync(docName: string, payload: Uint8Array, frame?: () => Uint8Array): void {
    this.send(frame ? frame() : encodeFrame(FrameType.sync, docName, payload));
  }

  sendAwareness(docName: string, payload: Uint8Array): void {
    this.send(encodeFrame(FrameType.awareness, docName, payload));
  }

  notice(docName: string, code: NoticeCode, message: string): void {
    this.send(encodeNotice(docName, code, message));
  }

  dropDoc(docName: string): void {
    const hosted = this.docs.get(docName);
    if (!hosted) return;
    this.docs.delete(docName);
    this.sync.unsubscribe(this, hosted);
  }

  private send(frame: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    const tick = currentTick();
    if (this.lastSendTick === tick) this.corkUntilNextTick();
    this.lastSendTick = tick;
    this.socket.send(frame);
  }

  /**
   * From its second frame in a tick on (a subscription's answers, a batch's updates of several docs,
   * a verdict), a connection's frames leave in one write at the end of the tick instead of one
   * syscall each. ws corks around each frame itself; the outer cork nests. A lone frame (the usual
   * fan-out delivery) goes out at once, with no cork at all.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    // `_socket` is ws's underlying net.Socket; ws has no public handle to it.
    const raw = (this.socket as unknown as { _socket?: Socket })._socket;
    if (!raw) return;
    this.corked = true;
    raw.cork();
    process.nextTick(() => {
      this.corked = false;
      raw.uncork();
    });
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.logger.info({ connection: this.id, userId: this.userId, code, reason }, 'closing sync connection');
    this.socket.close(code, reason.slice(0, 120));
    this.onClose();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) return this.close(CloseCode.protocolError, 'text frames are not part of the protocol');
    if (!this.bucket.take()) return this.close(CloseCode.rateLimited, 'too many frames; slow down');
    if (++this.queued > MAX_QUEUED_FRAMES) return this.close(CloseCode.rateLimited, 'too many frames queued');
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.queue = this.queue.then(async () => {
      this.queued -= 1;
      if (this.closed) return;
      try {
        await this.handle(bytes);
      } catch (err) {
        const reason = err instanceof FrameError ? err.message : `invalid message: ${(err as Error).message}`;
        this.close(CloseCode.protocolError, reason);
      }
    });
  }

  private async handle(bytes: Uint8Array): Promise<void> {
    const frame = decodeFrame(bytes);
    switch (frame.type) {
      case FrameType.subscribe:
        return this.subscribe(frame.docName);
      case FrameType.unsubscribe:
        return this.dropDoc(frame.docName);
      case FrameType.sync:
      case FrameType.awareness: {
        const hosted = this.docs.get(frame.docName);
        if (!hosted) return this.notice(frame.docName, NoticeCode.notSubscribed, 'Subscribe to this doc first.');
        if (frame.type === FrameType.sync) this.sync.handleSync(this, hosted, frame.payload);
        else this.sync.handleAwareness(this, hosted, frame.payload);
        return;
      }
      case FrameType.notice:
        throw new FrameError('notices are sent by the server only');
    }
  }

  private async subscribe(docName: string): Promise<void> {
    if (this.docs.has(docName)) return;
    const parsed = parseDocName(docName);
    if (!parsed) return this.notice(docName, NoticeCode.notFound, 'There is no doc with that name.');
    if (this.docs.size >= SYNC_LIMITS.maxDocsPerConnection) {
      return this.notice(
        docName,
        NoticeCode.tooManyDocs,
        `At most ${SYNC_LIMITS.maxDocsPerConnection} docs per connection.`,
      );
    }
    try {
      const hosted = await this.sync.subscribe(this, docName, parsed, this.user);
      if (this.closed) {
        this.sync.unsubscribe(this, hosted);
        return;
      }
      this.docs.set(docName, hosted);
    } catch (err) {
      if (err instanceof AccessRefused) return this.notice(docName, err.code, err.message);
      this.logger.error({ err, docName }, 'subscription failed');
      return this.notice(docName, NoticeCode.unavailable, 'This doc could not be loaded right now; try again.');
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.sync.peerClosed(this, this.docs.values());
    this.docs.clear();
  }

  shutdown(): void {
    this.close(CloseCode.serverShutdown, 'server shutting down');
  }
}
