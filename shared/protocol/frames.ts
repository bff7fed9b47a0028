import * as decoding from 'lib0/decoding';
import { LIMITS } from '../rules/limits.ts';
import * as encoding from 'lib0/encoding';

/**
 * The multiplexed sync protocol: many docs over one WebSocket. Every frame is
 *   varUint type · varString docName · payload
 * where the payload of `sync` and `awareness` frames is exactly what y-protocols writes for one doc.
 */
export const FrameType = {
  sync: 0,
  awareness: 1,
  subscribe: 2,
  unsubscribe: 3,
  notice: 4,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Server -> client notices: why something the client sent was not taken, or what it must do. */
export const NoticeCode = {
  readOnly: 'read_only',
  forbidden: 'forbidden',
  notFound: 'not_found',
  tooManyDocs: 'too_many_docs',
  notSubscribed: 'not_subscribed',
  /** Access was lost (ban, kick, leaving a private room, block): delete the doc from the local replica. */
  purge: 'purge',
  unavailable: 'unavailable',
  /** A private doc would grow past its size limit; the update was dropped. */
  tooLarge: 'too_large',
  /** The member's account was deleted (on another device, or by them here): sign out and wipe this device. */
  accountDeleted: 'account_deleted',
} as const;
export type NoticeCode = (typeof NoticeCode)[keyof typeof NoticeCode];

export const SYNC_LIMITS = {
  /** Largest frame a client may send; bigger frames close the connection. */
  maxFrameBytes: LIMITS.sync.wsFrameMaxBytes,
  /** Docs one connection may hold open at once. */
  maxDocsPerConnection: LIMITS.sync.docsPerConnection,
  /** Frames per second one connection may send, averaged over a burst window. */
  maxFramesPerSecond: 200,
  frameBurst: 400,
  /** A member's private doc (drafts, outbox, read markers) may not grow past this. */
  maxPrivateDocBytes: 2 * 1024 * 1024,
  /** Presence entries one channel doc holds at most, whatever clients announce. */
  maxAwarenessStatesPerDoc: 5000,
} as const;

export class FrameError extends Error {
  override name = 'FrameError';
}

export interface Frame {
  type: FrameType;
  docName: string;
  payload: Uint8Array;
}

export function encodeFrame(type: FrameType, docName: string, payload: Uint8Array = new Uint8Array()): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeVarString(encoder, docName);
  encoding.writeUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export function encodeNotice(docName: string, code: NoticeCode, message: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, code);
  encoding.writeVarString(encoder, message);
  return encodeFrame(FrameType.notice, docName, encoding.toUint8Array(encoder));
}

/** The payload of an awareness frame: one y-protocols awareness update, length-prefixed. */
export function encodeAwarenessPayload(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function decodeAwarenessPayload(payload: Uint8Array): Uint8Array {
  return decoding.readVarUint8Array(decoding.createDecoder(payload));
}

export function decodeNotice(payload: Uint8Array): { code: string; message: string } {
  const decoder = decoding.createDecoder(payload);
  return { code: decoding.readVarString(decoder), message: decoding.readVarString(decoder) };
}

const KNOWN_TYPES = new Set<number>(Object.values(FrameType));

/**
 * Decodes one frame, or throws FrameError: the caller closes the connection on any error. The size cap
 * protects the server from clients; a client reading the server's frames passes no cap (a segment of
 * 256 long messages is larger than any frame a client may send).
 */
export function decodeFrame(data: Uint8Array, maxBytes: number = SYNC_LIMITS.maxFrameBytes): Frame {
  if (data.byteLength > maxBytes) throw new FrameError('frame too large');
  try {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    if (!KNOWN_TYPES.has(type)) throw new FrameError(`unknown frame type ${type}`);
    const docName = decoding.readVarString(decoder);
    if (docName.length === 0 || docName.length > 64) throw new FrameError('bad doc name');
    const payload = data.subarray(decoder.pos);
    return { type: type as FrameType, docName, payload };
  } catch (err) {
    if (err instanceof FrameError) throw err;
    throw new FrameError(`malformed frame: ${(err as Error).message}`);
  }
}
