// The sans-I/O TLS client. Creating it queues the ClientHello; the owner then shuttles bytes:
//
//   const conn = new ClientConnection({ provider, now: Date.now, serverName, trust });
//   socket.write(concat(...conn.takeOutput()));
//   socket.on('data', (b) => { conn.receive(b); send(conn.takeOutput()); handle(conn.takeEvents()); });
//
// An owner whose transport is not connected yet passes `startLater` and calls `start()` once it
// is (node:tls builds its ClientHello at the socket's 'connect'): until then the session to offer
// may still change, and nothing is sent.
import { BaseConnection, type TransportOptions } from './base.js';
import { prepareClientHello, startClientHandshake, type ClientHelloPrep } from '../handshake/client/client13.js';
import type { ClientConfig } from '../handshake/config.js';
import type { SessionTicket } from '../handshake/events.js';
import type { HandshakeState } from '../handshake/state.js';
import { UsageError, unexpectedMessage } from '../errors/errors.js';

/** A placeholder state until the ClientHello is sent: the server speaks second. */
const STARTING: HandshakeState = {
  name: 'Start',
  handle() {
    throw unexpectedMessage('the server sent a handshake message before our ClientHello');
  },
};

/** TransportOptions, and for a client whether the owner starts the handshake itself. */
export interface ClientTransportOptions extends TransportOptions {
  /** Do not send the ClientHello yet: the owner calls `start()` (default false: the constructor starts). */
  readonly startLater?: boolean;
}

export class ClientConnection extends BaseConnection {
  readonly side = 'client' as const;
  readonly config: ClientConfig;
  /** What the ClientHello needs besides the session (lists, key shares), until start(): only with startLater. */
  private pendingStart: ClientHelloPrep | undefined;

  /** `transport`: set by the adapter that drives the connection (see ClientTransportOptions). */
  constructor(config: ClientConfig, transport?: ClientTransportOptions) {
    super(config, STARTING, undefined, transport);
    this.config = config;
    // Option errors surface here as UsageError, before anything is sent (also with startLater);
    // with startLater the key shares are made now too, so that start() only builds the hello.
    const prep = prepareClientHello(this, config, transport?.startLater === true);
    if (transport?.startLater === true) this.pendingStart = prep;
    else this.handshakeState = startClientHandshake(this, config, prep);
  }

  /** False until the ClientHello was built and queued (only a `startLater` connection waits). */
  get started(): boolean {
    return this.pendingStart === undefined;
  }

  /**
   * Build and queue the ClientHello of a `startLater` connection, offering `session` to resume
   * (default: config.session). `serverName` replaces config.serverName in the server_name
   * extension only (an IP literal sends none, RFC 6066 §3): the certificate is still verified
   * against config.serverName (node's setServername()). Throws UsageError when it was already
   * sent, or the connection was closed or failed meanwhile.
   */
  start(session: SessionTicket | undefined = this.config.session, serverName: string | undefined = this.config.serverName): void {
    const prep = this.pendingStart;
    if (prep === undefined) throw new UsageError('start(): the ClientHello was already sent');
    if (this.state !== 'handshaking') throw new UsageError(`start(): the connection is ${this.state}`);
    if (serverName === '') throw new UsageError('start(): the server name to send is empty (RFC 6066 §3: a HostName has at least one byte)');
    this.pendingStart = undefined;
    this.handshakeState = startClientHandshake(this, this.config, prep, session, serverName);
  }
}
