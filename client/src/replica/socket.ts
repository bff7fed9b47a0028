import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { decodeFrame, encodeFrame, FrameType } from '../../../shared/protocol/frames.ts';
import type { SocketLike } from '../sync/sync-client.ts';

/**
 * True when an awareness frame's payload is the y-protocols update wrapped once more as a
 * length-prefixed byte array (what the protocol says), false when it is the bare update.
 */
function isWrapped(payload: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(payload);
    const length = decoding.readVarUint(decoder);
    return length === payload.byteLength - decoder.pos;
  } catch {
    return false;
  }
}

/**
 * The server sends the presence a subscriber finds on joining as a bare awareness update, while every
 * later awareness frame is length-prefixed (sync-server/sync/sync-service.ts, `subscribe`). The
 * SyncClient reads the prefixed form only, so the bare one is wrapped here before it sees it; a frame
 * this cannot read is dropped instead of throwing inside the socket's message handler.
 */
export function repairFrame(data: unknown): unknown {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : undefined;
  if (!bytes) return data;
  try {
    const frame = decodeFrame(bytes, Number.POSITIVE_INFINITY);
    if (frame.type !== FrameType.awareness || isWrapped(frame.payload)) return data;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint8Array(encoder, frame.payload);
    return encodeFrame(FrameType.awareness, frame.docName, encoding.toUint8Array(encoder));
  } catch {
    return data;
  }
}

/** A browser WebSocket as the SyncClient wants it, with incoming frames passed through `repairFrame`. */
export function createBrowserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const socket: SocketLike = {
    get binaryType() {
      return ws.binaryType;
    },
    set binaryType(value: string) {
      ws.binaryType = value as BinaryType;
    },
    get readyState() {
      return ws.readyState;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onopen: null,
    onclose: null,
    onmessage: null,
    onerror: null,
  };
  ws.onopen = (event) => socket.onopen?.(event);
  ws.onclose = (event) => socket.onclose?.({ code: event.code, reason: event.reason });
  ws.onerror = (event) => socket.onerror?.(event);
  ws.onmessage = (event: MessageEvent<unknown>) => {
    try {
      socket.onmessage?.({ data: repairFrame(event.data) });
    } catch (err) {
      // One unreadable frame must not take the app down; the doc catches up on the next sync.
      console.warn('sync frame could not be applied', err);
    }
  };
  return socket;
}
