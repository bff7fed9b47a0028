import type { SocketLike } from '../sync/sync-client.ts';

/** A browser WebSocket as the SyncClient wants it; a frame that cannot be applied is logged, not thrown. */
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
      socket.onmessage?.({ data: event.data });
    } catch (err) {
      // One unreadable frame must not take the app down; the doc catches up on the next sync.
      console.warn('sync frame could not be applied', err);
    }
  };
  return socket;
}
