import type { NoticeCode } from '../../shared/protocol/frames.ts';

/**
 * One subscriber of hosted docs: a multiplexed app connection, or a stock y-websocket connection that
 * holds a single doc. Hosted docs talk to peers only through this, whatever the wire format.
 */
export interface SyncPeer {
  readonly id: string;
  readonly userId: string;
  /**
   * `frame`, when given, returns this payload already encoded as a multiplexed frame, shared by every
   * subscriber of the doc so a broadcast encodes once.
   */
  sendSync(docName: string, payload: Uint8Array, frame?: () => Uint8Array): void;
  sendAwareness(docName: string, payload: Uint8Array): void;
  notice(docName: string, code: NoticeCode, message: string): void;
  /** The server ends this peer's subscription (access lost, doc unloaded). */
  dropDoc(docName: string): void;
}
