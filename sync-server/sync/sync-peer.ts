import type { NoticeCode } from '../../shared/protocol/frames.ts';

/**
 * One subscriber of hosted docs: a multiplexed app connection, or a stock y-websocket connection that
 * holds a single doc. Hosted docs talk to peers only through this, whatever the wire format.
 */
export interface SyncPeer {
  readonly id: string;
  readonly userId: string;
  sendSync(docName: string, payload: Uint8Array): void;
  sendAwareness(docName: string, payload: Uint8Array): void;
  notice(docName: string, code: NoticeCode, message: string): void;
  /** The server ends this peer's subscription (access lost, doc unloaded). */
  dropDoc(docName: string): void;
}
