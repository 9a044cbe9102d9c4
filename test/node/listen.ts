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

/**
 * Wait for a socket's 'close' whatever came before it. (events.once rejects when 'error' is emitted
 * first: a peer that destroys a connection with our bytes unread makes the kernel send a reset, and
 * ECONNRESET then arrives before 'close'.)
 */
export function closed(socket: { once(event: 'close', listener: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
