// The sans-I/O TLS client. Creating it queues the ClientHello; the owner then shuttles bytes:
//
//   const conn = new ClientConnection({ provider, now: Date.now, serverName, trust });
//   socket.write(concat(...conn.takeOutput()));
//   socket.on('data', (b) => { conn.receive(b); send(conn.takeOutput()); handle(conn.takeEvents()); });
import { BaseConnection, type TransportOptions } from './base.js';
import { startClientHandshake } from '../handshake/client/client13.js';
import type { ClientConfig } from '../handshake/config.js';
import type { HandshakeState } from '../handshake/state.js';

/** A placeholder state for the instant between construction and the ClientHello. */
const STARTING: HandshakeState = {
  name: 'Start',
  handle() {
    throw new Error('unreachable: the client handshake has not started');
  },
};

export class ClientConnection extends BaseConnection {
  readonly side = 'client' as const;
  readonly config: ClientConfig;

  /** `transport`: set by the adapter that drives the connection (see TransportOptions). */
  constructor(config: ClientConfig, transport?: TransportOptions) {
    super(config, STARTING, undefined, transport);
    this.config = config;
    // Option errors surface here as UsageError, before anything is sent.
    this.handshakeState = startClientHandshake(this, config);
  }
}
