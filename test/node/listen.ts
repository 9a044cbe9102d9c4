// Start and stop a server for the node adapter tests: listen on 127.0.0.1 with a port from the OS,
// close and wait for 'close'.
import type net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** Listen on 127.0.0.1:0; the port the OS gave. */
export async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** close() and wait until the server has closed. */
export async function shut(server: net.Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  await closed;
}
