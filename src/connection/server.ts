// The sans-I/O TLS server, and the Acceptor that reads a ClientHello before the server config is
// chosen (like rustls's Acceptor or node's SNICallback):
//
//   const acceptor = new Acceptor();
//   socket.on('data', (b) => {
//     const accepted = acceptor.receive(b);          // undefined until the ClientHello is complete
//     if (accepted) conn = accepted.intoConnection(configFor(accepted.clientHello.serverName));
//   });
//
// or directly: `const conn = new ServerConnection(config)` and shuttle bytes as with the client.
import { BaseConnection } from './base.js';
import { TlsError, UsageError, internalError, unexpectedMessage } from '../errors/errors.js';
import { AlertLevel } from '../errors/alert.js';
import { ContentType, HandshakeType, ProtocolVersion } from '../wire/enums.js';
import { RecordDeframer } from '../record/deframer.js';
import { writePlaintextRecords } from '../record/plaintext.js';
import { HandshakeJoiner } from '../handshake/messages/handshake.js';
import { decodeClientHello } from '../handshake/messages/client-hello.js';
import { startServerHandshake } from '../handshake/server13.js';
import { parseClientHello } from '../handshake/server-client-hello.js';
import type { ServerConfig } from '../handshake/config.js';
import type { ClientHelloInfo } from '../handshake/client-hello-info.js';
import type { HandshakeState } from '../handshake/state.js';
import type { HandshakeInfo } from '../handshake/events.js';
import type { Established12, Established13 } from '../handshake/context.js';

/** A placeholder state for the instant between construction and the first state. */
const STARTING: HandshakeState = {
  name: 'Start',
  handle() {
    throw new Error('unreachable: the server handshake has not started');
  },
};

export class ServerConnection extends BaseConnection {
  readonly side = 'server' as const;
  readonly config: ServerConfig;
  private hello: ClientHelloInfo | undefined;

  constructor(config: ServerConfig) {
    super(config, STARTING);
    this.config = config;
    // Option errors surface here as UsageError, before anything is received.
    this.handshakeState = startServerHandshake(this, config, { onClientHello: (info) => (this.hello = info) });
  }

  /** What the client offered in its latest ClientHello (undefined until one arrived). */
  get clientHello(): ClientHelloInfo | undefined {
    return this.hello;
  }

  /**
   * An established connection keeps its ClientHelloInfo for life (here and in the info). Clients of
   * one kind send the same lists every time, so equal infos are shared between connections.
   */
  override handshakeComplete(info: HandshakeInfo, secrets: Established13 | Established12): void {
    const hello = info.clientHello;
    if (hello) {
      const shared = sharedClientHello(hello);
      if (shared !== hello) {
        this.hello = shared;
        info = { ...info, clientHello: shared };
      }
    }
    super.handshakeComplete(info, secrets);
  }
}

const SHARED_HELLOS = 64;
const sharedHellos = new Map<string, ClientHelloInfo>();

/** An equal ClientHelloInfo seen recently (frozen, shared), or `hello` itself, now shared. */
function sharedClientHello(hello: ClientHelloInfo): ClientHelloInfo {
  const key = JSON.stringify([
    hello.serverName ?? null, hello.alpnProtocols, hello.cipherSuites, hello.groups, hello.keyShareGroups,
    hello.signatureSchemes, hello.versions, hello.extensions, hello.pskOffered,
  ]);
  const seen = sharedHellos.get(key);
  if (seen) return seen;
  const shared: ClientHelloInfo = Object.freeze({
    serverName: hello.serverName,
    alpnProtocols: Object.freeze([...hello.alpnProtocols]),
    cipherSuites: Object.freeze([...hello.cipherSuites]),
    groups: Object.freeze([...hello.groups]),
    keyShareGroups: Object.freeze([...hello.keyShareGroups]),
    signatureSchemes: Object.freeze([...hello.signatureSchemes]),
    versions: Object.freeze([...hello.versions]),
    extensions: Object.freeze([...hello.extensions]),
    pskOffered: hello.pskOffered,
  });
  // Bounded: start over rather than track ages (clients sending ever-new lists gain nothing).
  if (sharedHellos.size >= SHARED_HELLOS) sharedHellos.clear();
  sharedHellos.set(key, shared);
  return shared;
}

export interface AcceptorOptions {
  /** Largest ClientHello accepted (bytes). Default 64 KiB. */
  readonly maxHandshakeMessageSize?: number;
}

/** The ClientHello is complete: look at it, choose a config, and continue as a ServerConnection. */
export interface Accepted {
  readonly clientHello: ClientHelloInfo;
  /** The connection, fed every byte received so far. Call once. */
  intoConnection(config: ServerConfig): ServerConnection;
}

/**
 * Reads records until the first ClientHello is complete, keeping every received byte so the
 * ServerConnection can replay them exactly (fragmentation included). Buffering is bounded by the
 * handshake message size bound (each record carries at least one byte of it).
 */
export class Acceptor {
  private readonly deframer = new RecordDeframer();
  private readonly joiner: HandshakeJoiner;
  private readonly received: Uint8Array[] = [];
  private output: Uint8Array[] = [];
  private failure: TlsError | undefined;
  private done: Accepted | undefined;
  private used = false;

  constructor(options: AcceptorOptions = {}) {
    this.joiner = new HandshakeJoiner(
      options.maxHandshakeMessageSize === undefined ? {} : { maxMessageSize: options.maxHandshakeMessageSize },
    );
  }

  /** Set once the bytes failed; its alert is in takeOutput(). */
  get error(): TlsError | undefined {
    return this.failure;
  }

  /** The accepted ClientHello, once complete. */
  get accepted(): Accepted | undefined {
    return this.done;
  }

  /** Alert bytes to send after a failure. */
  takeOutput(): Uint8Array[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  /**
   * Feed received bytes. Returns the Accepted once the ClientHello is complete (and on later
   * calls, which then only append bytes for the connection). Throws the TlsError for bad bytes
   * (the alert to send is in takeOutput()); later calls throw it again.
   */
  receive(data: Uint8Array): Accepted | undefined {
    if (this.failure) throw this.failure;
    if (this.used) throw new UsageError('Acceptor.receive() after intoConnection(): feed the connection instead');
    this.received.push(data.slice());
    if (this.done) return this.done;
    try {
      this.deframer.push(this.received[this.received.length - 1]!);
      for (;;) {
        const record = this.deframer.next();
        if (!record) break;
        // RFC 8446 §5: before the ClientHello only a plaintext handshake record is acceptable.
        if (record.type !== ContentType.handshake) {
          throw unexpectedMessage(`expected a ClientHello, but the first record has content type ${record.type}`);
        }
        this.joiner.push(record.fragment);
        const msg = this.joiner.next();
        if (!msg) continue;
        if (msg.type !== HandshakeType.client_hello) {
          throw unexpectedMessage(`expected a ClientHello, but the client sent handshake message type ${msg.type}`);
        }
        const info = parseClientHello(decodeClientHello(msg.body, msg.raw)).info;
        this.done = { clientHello: info, intoConnection: (config) => this.intoConnection(config) };
        return this.done;
      }
    } catch (e) {
      const err = e instanceof TlsError ? e : internalError(`internal error: ${e instanceof Error ? e.message : String(e)}`, e);
      this.failure = err;
      this.output.push(writePlaintextRecords(ContentType.alert, ProtocolVersion.TLSv1_2, new Uint8Array([AlertLevel.fatal, err.alert])));
      throw err;
    }
    return undefined;
  }

  private intoConnection(config: ServerConfig): ServerConnection {
    if (this.used) throw new UsageError('intoConnection() may be called once');
    this.used = true;
    const conn = new ServerConnection(config);
    for (const chunk of this.received) {
      if (conn.receive(chunk)) break;
    }
    this.received.length = 0;
    return conn;
  }
}
