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
import { BaseConnection, type TransportOptions } from './base.js';
import { TlsError, UsageError, internalError, unexpectedMessage } from '../errors/errors.js';
import { AlertLevel } from '../errors/alert.js';
import { ContentType, ExtensionType, HandshakeType, ProtocolVersion } from '../wire/enums.js';
import { RecordDeframer } from '../record/deframer.js';
import { writePlaintextRecords } from '../record/plaintext.js';
import {
  DEFAULT_MAX_CLIENT_HELLO_RECORDS,
  HandshakeJoiner,
  MAX_CLIENT_HELLO_SIZE,
  MAX_HANDSHAKE_MESSAGE_LIMIT,
} from '../handshake/messages/handshake.js';
import { checkHelloLegacyVersion } from '../handshake/shared/hello-version.js';
import { concat } from '../bytes/util.js';
import { decodeClientHello } from '../handshake/messages/client-hello.js';
import { startServerHandshake } from '../handshake/server/server13.js';
import { parseClientHello, type ParsedClientHello } from '../handshake/server/server-client-hello.js';
import { decodeSessionTicketExt } from '../handshake/messages/ext-misc.js';
import type { ExternalSessions } from '../handshake/session/external-sessions.js';
import { resolveServerConfig } from '../handshake/server/server-options.js';
import type { ServerConfig } from '../handshake/config.js';
import type { ClientHelloInfo } from '../handshake/client-hello-info.js';
import type { HandshakeState } from '../handshake/state.js';
import type { HandshakeInfo } from '../handshake/events.js';
import type { Established12, Established13 } from '../handshake/context.js';

/** Per-connection options of a ServerConnection (besides its shared config). */
export interface ServerConnectionOptions {
  /** Sessions go through the application's store (node's 'newSession'/'resumeSession'). */
  readonly sessions?: ExternalSessions;
}

/**
 * The session identifiers a ClientHello carries, for an application store to look up before the
 * connection processes the hello (see ExternalSessions).
 */
export interface OfferedSessions {
  /** legacy_session_id (0..32 bytes): a TLS 1.2 session ID, or TLS 1.3's compatibility value. */
  readonly sessionId: Uint8Array;
  /** RFC 5077 session_ticket: undefined when absent, empty when asking for a ticket. */
  readonly ticket: Uint8Array | undefined;
  /** RFC 8446 §4.2.11 pre_shared_key identities (TLS 1.3 tickets), in the client's order. */
  readonly pskIdentities: readonly Uint8Array[];
  /** The client offers TLS 1.3 (supported_versions). */
  readonly offersTls13: boolean;
}

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

  /**
   * `transport`: set by the adapter that drives the connection (see TransportOptions).
   * `options.sessions`: an application's session store for this connection (see ExternalSessions).
   */
  constructor(config: ServerConfig, transport?: TransportOptions, options: ServerConnectionOptions = {}) {
    super(config, STARTING, clientHelloLimits(config), transport);
    this.config = config;
    // Option errors surface here as UsageError, before anything is received.
    this.handshakeState = startServerHandshake(this, config, {
      onClientHello: (info) => (this.hello = info),
      ...(options.sessions ? { sessions: options.sessions } : {}),
    });
  }

  /** What the client offered in its latest ClientHello (undefined until one arrived). */
  get clientHello(): ClientHelloInfo | undefined {
    return this.hello;
  }

  /**
   * An established connection keeps its ClientHelloInfo for life (here and in the info). Clients of
   * one kind send the same lists every time, so equal infos are shared between the connections of
   * one config (per-config state: see handshake/shared-client-hellos.ts).
   */
  override handshakeComplete(info: HandshakeInfo, secrets: Established13 | Established12): void {
    const hello = info.clientHello;
    if (hello) {
      const shared = resolveServerConfig(this.config.provider, this.config).clientHellos.share(hello);
      if (shared !== hello) {
        this.hello = shared;
        info = { ...info, clientHello: shared };
      }
    }
    super.handshakeComplete(info, secrets);
  }
}

/** A server's bounds on the ClientHello, defaults applied (UsageError for bad values). */
function clientHelloLimits(o: { readonly maxClientHelloSize?: number; readonly maxClientHelloRecords?: number }): {
  maxClientHelloSize: number;
  maxClientHelloRecords: number;
} {
  const size = o.maxClientHelloSize ?? MAX_CLIENT_HELLO_SIZE;
  const records = o.maxClientHelloRecords ?? DEFAULT_MAX_CLIENT_HELLO_RECORDS;
  if (!Number.isInteger(size) || size < 1 || size > MAX_HANDSHAKE_MESSAGE_LIMIT) {
    throw new UsageError(`maxClientHelloSize must be an integer in 1..${MAX_HANDSHAKE_MESSAGE_LIMIT} (the largest legal ClientHello has ${MAX_CLIENT_HELLO_SIZE} bytes), got ${size}`);
  }
  if (!Number.isInteger(records) || records < 1) throw new UsageError(`maxClientHelloRecords must be a positive integer, got ${records}`);
  return { maxClientHelloSize: size, maxClientHelloRecords: records };
}

function offeredSessions(p: ParsedClientHello): OfferedSessions {
  const st = p.hello.extension(ExtensionType.session_ticket);
  return {
    sessionId: p.hello.legacySessionId,
    ticket: st === undefined ? undefined : decodeSessionTicketExt(st),
    pskIdentities: p.psk ? p.psk.identities.map((i) => i.identity) : [],
    offersTls13: p.versions?.includes(ProtocolVersion.TLSv1_3) ?? false,
  };
}

export interface AcceptorOptions {
  /** Largest ClientHello accepted (body bytes). Default MAX_CLIENT_HELLO_SIZE (131 396): every legal one. */
  readonly maxClientHelloSize?: number;
  /** Most records the ClientHello may span. Default DEFAULT_MAX_CLIENT_HELLO_RECORDS (4096). */
  readonly maxClientHelloRecords?: number;
  /** Former name of maxClientHelloSize (used when that is not given). */
  readonly maxHandshakeMessageSize?: number;
}

/**
 * Bytes the client may send after its ClientHello while the Acceptor waits for intoConnection():
 * the early data a server skips (64 KiB, MAX_SKIPPED_EARLY_DATA) and a compat ChangeCipherSpec,
 * with room for record headers. A TLS 1.2 client sends nothing there.
 */
const MAX_BYTES_AFTER_HELLO = 128 * 1024;

/** The ClientHello is complete: look at it, choose a config, and continue as a ServerConnection. */
export interface Accepted {
  readonly clientHello: ClientHelloInfo;
  /** The session IDs and tickets the ClientHello offers (for an external session store). */
  readonly offeredSessions: OfferedSessions;
  /** The connection, fed every byte received so far. Call once. */
  intoConnection(config: ServerConfig, transport?: TransportOptions, options?: ServerConnectionOptions): ServerConnection;
}

/**
 * Reads records until the first ClientHello is complete. Memory is bounded: the records' bytes go
 * into one HandshakeJoiner (at most maxClientHelloSize + one record), the ClientHello may span at
 * most maxClientHelloRecords records, and what follows it is kept up to MAX_BYTES_AFTER_HELLO.
 * The ServerConnection then gets the ClientHello as full-size records followed by every byte that
 * came after it, so it sees the same handshake bytes, in the same order, with no other record
 * type in between (all the record-boundary rules of RFC 8446 §5.1 turn on).
 * Like ServerConnection.receive(), it may keep references to the chunks it is given: do not
 * modify a chunk after passing it.
 */
export class Acceptor {
  private readonly deframer = new RecordDeframer();
  private readonly joiner: HandshakeJoiner;
  /** The ClientHello message (header + body), once complete. */
  private hello: Uint8Array | undefined;
  private output: Uint8Array[] = [];
  private failure: TlsError | undefined;
  private done: Accepted | undefined;
  private used = false;

  constructor(options: AcceptorOptions = {}) {
    const limits = clientHelloLimits({
      maxClientHelloSize: options.maxClientHelloSize ?? options.maxHandshakeMessageSize,
      maxClientHelloRecords: options.maxClientHelloRecords,
    });
    // Only a ClientHello is accepted here, so every other message type gets the same bound.
    this.joiner = new HandshakeJoiner({ maxMessageSize: limits.maxClientHelloSize, ...limits });
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
    try {
      this.deframer.push(data);
      if (this.done) {
        if (this.deframer.bufferedBytes > MAX_BYTES_AFTER_HELLO) {
          throw unexpectedMessage(`the client sent more than ${MAX_BYTES_AFTER_HELLO} bytes after its ClientHello before the server answered`);
        }
        return this.done;
      }
      for (;;) {
        const record = this.deframer.next();
        if (!record) break;
        // RFC 8446 §5: before the ClientHello only a plaintext handshake record is acceptable.
        if (record.type !== ContentType.handshake) {
          throw unexpectedMessage(`expected a ClientHello, but the first record has content type ${record.type}`);
        }
        if (this.joiner.isEmpty && record.fragment[0] !== HandshakeType.client_hello) {
          throw unexpectedMessage(`expected a ClientHello, but the client sent handshake message type ${record.fragment[0]}`);
        }
        this.joiner.push(record.fragment);
        const msg = this.joiner.next();
        if (!msg) continue;
        checkHelloLegacyVersion(msg.body, 'ClientHello');
        const parsed = parseClientHello(decodeClientHello(msg.body, msg.raw));
        this.hello = msg.raw;
        this.done = {
          clientHello: parsed.info,
          offeredSessions: offeredSessions(parsed),
          intoConnection: (config, transport, options) => this.intoConnection(config, transport, options),
        };
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

  private intoConnection(config: ServerConfig, transport?: TransportOptions, options?: ServerConnectionOptions): ServerConnection {
    if (this.used) throw new UsageError('intoConnection() may be called once');
    this.used = true;
    const conn = new ServerConnection(config, transport, options);
    // The ClientHello and any handshake bytes that shared its last record, as full-size records
    // (contiguous handshake data either way), then the records that followed, as received.
    const handshake = concat(this.hello!, this.joiner.takeBuffered());
    this.hello = undefined;
    if (!conn.receive(writePlaintextRecords(ContentType.handshake, ProtocolVersion.TLSv1_2, handshake))) {
      const rest = this.deframer.takeBuffered();
      if (rest.length > 0) conn.receive(rest);
    }
    return conn;
  }
}
