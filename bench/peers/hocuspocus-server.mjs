/* global process, setTimeout */
// Hocuspocus 4.7 as the transport floor: no extensions, no persistence, defaults unchanged
// (flushDelay 0: updates arriving in one event-loop turn are merged). Plain JS, no loader, so its
// memory is the server's own. Usage: node bench/peers/hocuspocus-server.mjs <port>
import { Server } from '@hocuspocus/server';

const port = Number(process.argv[2]);
const server = new Server({ port, address: '127.0.0.1', quiet: true, extensions: [] });
await server.listen();
process.stdout.write(`hocuspocus listening on 127.0.0.1:${port}\n`);
const stop = () => {
  void server.destroy().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
