// TLSSocket: a node:tls-like Duplex that drives a sans-I/O TlsConnection over a byte stream
// (a net.Socket or any Duplex). It only moves bytes and translates events; every protocol
// decision is the connection's.
//
// Backpressure, both ways:
//  - writes: the WritePump (write-pump.ts) hands application data to the connection in slices,
//    coalesces small writes, and sends the records to the underlying socket; when socket.write()
//    returns false the _write callback waits for 'drain', so buffering stays bounded;
//  - reads: when push() returns false the underlying socket is paused until _read().
//
// End of stream:
//  - end() sends close_notify once all writes went out, then ends the underlying socket;
//  - destroy() first seals and sends what was written (node:http answers a malformed request
//    with write(400) then destroy()), and on an established connection whose writes all went
//    out it sends close_notify (RFC 8446 §6.1: each party MUST send close_notify before closing
//    its write side, unless it sent an error alert);
//  - after our close_notify or fatal alert the transport is ended (FIN) and then read and
//    discarded until the peer's EOF, at most LINGER_MS / LINGER_BYTES (a lingering close):
//    closing a TCP socket with unread data makes the kernel send a reset, which can reach the
//    peer before it read our alert, or make its pending write fail first;
//  - the peer's close_notify ends the readable side ('end');
//  - a TCP EOF without close_notify after the handshake is a truncation: `truncated` is set to
//    true before 'end' (node:tls behaves the same and sets nothing); with `rejectTruncation: true`
//    the socket is destroyed with an Error whose code is ERR_TLS_TRUNCATED instead;
//  - EOF before the handshake completes: an ECONNRESET error, as node:tls reports it.
import { Duplex } from 'node:stream';
import { Socket } from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { TlsConnection } from '../connection/api.js';
import { ClientConnection } from '../connection/client.js';
import type { ClientHelloInfo } from '../handshake/client-hello-info.js';
import type { HandshakeInfo } from '../handshake/events.js';
import type { ConnectionEvent } from '../connection/events.js';
import type { TraceEvent } from '../handshake/trace.js';
import type { Certificate } from '../x509/certificate.js';
import { suiteById } from '../crypto/suites.js';
import { EchRejectedError } from '../errors/ech-rejected.js';
import { NamedGroup } from '../wire/enums.js';
import { resolveSignatureSchemes } from '../handshake/shared/negotiation-options.js';
import { sharedSigalgNames } from './sigalgs.js';
import { decodeSession, encodeSession } from './session.js';
import type { SessionTicket } from '../handshake/events.js';
import { UsageError } from '../errors/errors.js';
import { VerifyError } from '../x509/verify-error.js';
import { authorizationCode, toNodeError } from './node-errors.js';
import { peerCertificateObject, type PeerCertificate } from './peer-certificate.js';
import { invalidArgType, outOfRange } from './arg-errors.js';
import { WritePump, canWrite, failSocket, isDestroyed, rawWritable, type WritePumpOwner } from './write-pump.js';

/** Default handshake timeout, like node:tls (120 s). */
export const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;

/** How long a socket ending after close_notify or an alert lingers (flushing, discarding input) at most. */
const LINGER_MS = 2_000;

/** How much input a lingering socket discards before it is destroyed anyway. */
const LINGER_BYTES = 256 * 1024;

export interface TLSSocketOptions {
  /**
   * The connection to drive; its `side` says whether this is a client or a server socket.
   * Without it the options are node:tls's (`isServer`, `secureContext`, `ALPNProtocols`...), see
   * NodeTLSSocketOptions.
   */
  readonly connection: TlsConnection;
  /** Client: the name that was asked for (SNI / the name verified). */
  readonly servername?: string | undefined;
  /** Client: the host name passed to checkServerIdentity (default servername). */
  readonly host?: string | undefined;
  /** ms before an unfinished handshake destroys the socket (ERR_TLS_HANDSHAKE_TIMEOUT). 0 = none. */
  readonly handshakeTimeout?: number | undefined;
  /** Destroy with ERR_TLS_TRUNCATED instead of ending when TCP closes without close_notify. */
  readonly rejectTruncation?: boolean | undefined;
  /** Client: fail the connection when checkServerIdentity returns an Error (default true). */
  readonly rejectUnauthorized?: boolean | undefined;
  /**
   * Client: called like node calls it, instead of the host name check, with (servername || host,
   * getPeerCertificate(true)) after a verified, fresh (not resumed) handshake; a returned Error
   * fails the connection (unless rejectUnauthorized is false). The connection must then be made
   * with the core's rejectUnauthorized off, and `verifyChain` given.
   */
  readonly checkServerIdentity?: ((hostname: string, cert: PeerCertificate) => Error | undefined) | undefined;
  /**
   * Client with checkServerIdentity: the peer's chain verified without the host name (the core
   * checked the name, which checkServerIdentity replaces). Returns the failure, or undefined.
   */
  readonly verifyChain?: ((chain: readonly Certificate[]) => Error | undefined) | undefined;
  /** Server: whether a client certificate was requested (requestCert), for authorizationError. */
  readonly requestCert?: boolean | undefined;
  /** Client: our own certificate (DER), for getX509Certificate(). */
  readonly localCertificate?: Uint8Array | undefined;
  /** Like net.Socket: keep the writable side open after the peer ended (default false). */
  readonly allowHalfOpen?: boolean | undefined;
  readonly highWaterMark?: number | undefined;
  /**
   * Like net.Socket's: decrypted data is copied into `buffer` (or the buffer it returns) and
   * handed to `callback(nread, buffer)` instead of 'data' events; returning false pauses reading
   * until resume().
   */
  readonly onread?: OnRead | undefined;
}

/** net.Socket's `onread` option. */
export interface OnRead {
  readonly buffer: Uint8Array | (() => Uint8Array);
  readonly callback: (bytesWritten: number, buffer: Uint8Array) => boolean | void;
}

export function checkOnRead(v: unknown): OnRead | undefined {
  if (v === undefined || v === null) return undefined;
  const o = v as Partial<OnRead>;
  if (typeof v !== 'object') throw invalidArgType('options.onread', 'of type object', v);
  if (typeof o.callback !== 'function') throw invalidArgType('options.onread.callback', 'of type function', o.callback);
  if (!(o.buffer instanceof Uint8Array) && typeof o.buffer !== 'function') {
    throw invalidArgType('options.onread.buffer', 'an instance of Buffer, TypedArray, or DataView, or of type function', o.buffer);
  }
  return o as OnRead;
}

/**
 * `new TLSSocket(socket, options)` the node:tls way: a client (default) or, with `isServer`, a
 * server over an existing socket or any Duplex. The other options are connect()'s (client) or
 * createServer()'s (server); like node's bare TLSSocket, a client does not reject an unverified
 * peer (it reads `authorized`), nor does a server unless `rejectUnauthorized` is true.
 */
export interface NodeTLSSocketOptions {
  readonly isServer?: boolean;
  readonly connection?: undefined;
  readonly [option: string]: unknown;
}

/** What `new TLSSocket(raw, nodeOptions)` resolves to (set up by tls-socket-setup.ts). */
export interface ResolvedSocketSetup {
  readonly options: TLSSocketOptions;
  /** Called once the socket exists (e.g. to resume a connection that chose its config). */
  readonly attach?: ((socket: TLSSocket) => void) | undefined;
}

export type SocketSetup = (raw: Duplex, options: NodeTLSSocketOptions) => ResolvedSocketSetup;

let socketSetup: SocketSetup | undefined;

/** Installed by tls-socket-setup.ts (which imports connect() and the server: no import cycle). */
export function registerSocketSetup(setup: SocketSetup): void {
  socketSetup = setup;
}

/** node:tls getCipher() shape. */
export interface CipherNameAndProtocol {
  readonly name: string;
  readonly standardName: string;
  readonly version: string;
}

/** node:tls getEphemeralKeyInfo() shape. */
export interface EphemeralKeyInfo {
  readonly type?: string;
  readonly name?: string;
  readonly size?: number;
}

/** An Error with a node-style `code`. */
function codedError(code: string, message: string): Error & { code: string } {
  const e = new Error(message) as Error & { code: string };
  e.code = code;
  return e;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The TLSSocket driving a raw socket, stored on the raw socket itself: the raw socket's listeners
 * are shared functions (below, in the class) that find their TLSSocket through it, instead of
 * six closures per connection (~350 heap bytes).
 */
const kOwner = Symbol('hush.tlsSocket');

type OwnedRaw = Duplex & { [kOwner]?: TLSSocket };

const EPHEMERAL: Readonly<Record<number, EphemeralKeyInfo>> = {
  [NamedGroup.x25519]: { type: 'ECDH', name: 'X25519', size: 253 },
  [NamedGroup.secp256r1]: { type: 'ECDH', name: 'prime256v1', size: 256 },
  [NamedGroup.secp384r1]: { type: 'ECDH', name: 'secp384r1', size: 384 },
  [NamedGroup.secp521r1]: { type: 'ECDH', name: 'secp521r1', size: 521 },
  // Node 24 (OpenSSL 3.5) reports the ML-KEM hybrids as { type: 'TLSGroup', name } with no size.
  [NamedGroup.X25519MLKEM768]: { type: 'TLSGroup', name: 'X25519MLKEM768' },
  [NamedGroup.SecP256r1MLKEM768]: { type: 'TLSGroup', name: 'SecP256r1MLKEM768' },
  [NamedGroup.SecP384r1MLKEM1024]: { type: 'TLSGroup', name: 'SecP384r1MLKEM1024' },
};

export class TLSSocket extends Duplex implements WritePumpOwner {
  /** Always true, like node:tls. */
  readonly encrypted = true;
  /** Whether the peer's certificate chain was verified (and checkServerIdentity passed). */
  authorized = false;
  /** Why the peer is not authorized: a stable code (e.g. ERR_TLS_BAD_CERTIFICATE), like node's string. */
  authorizationError: string | null = null;
  /** The full error behind `authorizationError` (our message says what went wrong). */
  authorizationFailure: Error | null = null;
  /** The negotiated ALPN protocol; false when none was agreed, null before the handshake (like node). */
  alpnProtocol: string | false | null = null;
  /** Client: the name asked for; server: the SNI the client sent, or false. */
  servername: string | false | null;
  /** True when the transport closed after the handshake without a close_notify. */
  truncated = false;
  /** The underlying stream. */
  readonly socket: Duplex;
  /** The sans-I/O connection this socket drives. */
  readonly connection: TlsConnection;

  #raw: Duplex;
  #conn: TlsConnection;
  /** Until the handshake completes (what it needs: servername, host, checkServerIdentity...). */
  #opts: TLSSocketOptions | undefined;
  #rejectTruncation: boolean;
  #info: HandshakeInfo | undefined;
  #established = false;
  #writes: WritePump;
  #finalCb: ((err?: Error | null) => void) | undefined;
  #readPaused = false;
  #rawReadEnded = false;
  #rawEnding = false;
  #session: Buffer | undefined;
  #ticket: SessionTicket | undefined;
  /** Client, before its ClientHello: the session setSession() gave, offered instead of connect()'s. */
  #pendingSession: SessionTicket | undefined;
  /** Client, before its ClientHello: the SNI setServername() gave, sent instead of connect()'s. */
  #pendingServername: string | undefined;
  #localCertificate: Uint8Array | undefined;
  /** A TLS error was surfaced after the handshake (node emits it once, then the socket ends). */
  #tlsErrorEmitted = false;
  #timer: NodeJS.Timeout | undefined;
  #timeoutForwarded = false;
  /** Destroyed by us for a reason the peer must not read as a clean end (no close_notify then). */
  #aborted = false;
  #tracePrinting = false;
  #onread: OnRead | undefined;
  /** The idle timeout set with setTimeout() (node's socket.timeout); undefined when none. */
  timeout: number | undefined;
  /** Made by `new TLSSocket(socket, nodeOptions)`: a client emits 'secure' (node's bare socket), not 'secureConnect'. */
  #bare = false;

  constructor(socket: Duplex, options: TLSSocketOptions);
  constructor(socket?: Duplex | null, options?: NodeTLSSocketOptions);
  constructor(socketArg?: Duplex | null, nodeOptions: TLSSocketOptions | NodeTLSSocketOptions = {}) {
    if (socketArg !== undefined && socketArg !== null && !(socketArg instanceof Duplex)) {
      throw invalidArgType('socket', 'an instance of stream.Duplex', socketArg);
    }
    if (nodeOptions === null || typeof nodeOptions !== 'object') throw invalidArgType('options', 'of type object', nodeOptions);
    const socket: Duplex = socketArg ?? new Socket({ allowHalfOpen: true });
    let options: TLSSocketOptions;
    let attach: ((s: TLSSocket) => void) | undefined;
    let bare = false;
    if (nodeOptions.connection !== undefined) {
      options = nodeOptions as TLSSocketOptions;
    } else {
      if (socketSetup === undefined) throw new UsageError("new TLSSocket(socket, options) needs hush/node's index (import from 'hush/node')");
      const resolved = socketSetup(socket, nodeOptions as NodeTLSSocketOptions);
      options = resolved.options;
      attach = resolved.attach;
      bare = true;
    }
    super({ allowHalfOpen: options.allowHalfOpen ?? false, highWaterMark: options.highWaterMark, decodeStrings: true });
    this.#bare = bare;
    this.#onread = checkOnRead(options.onread);
    this.socket = this.#raw = socket;
    this.connection = this.#conn = options.connection;
    this.#opts = options;
    this.#rejectTruncation = options.rejectTruncation === true;
    this.servername = this.#conn.side === 'client' ? (options.servername ?? null) : null;
    this.#localCertificate = options.localCertificate;
    this.#writes = new WritePump(this.#conn, socket, this);

    const ms = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    if (ms > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#established && !this.destroyed) {
          this.destroy(codedError('ERR_TLS_HANDSHAKE_TIMEOUT', `TLS handshake timeout: no completed handshake within ${ms} ms`));
        }
      }, ms);
      this.#timer.unref?.();
    }

    (socket as OwnedRaw)[kOwner] = this;
    socket.on('data', TLSSocket.#rawData);
    socket.on('end', TLSSocket.#rawEnd);
    socket.on('drain', TLSSocket.#rawDrain);
    socket.on('error', TLSSocket.#rawError);
    socket.on('close', TLSSocket.#rawClose);
    socket.on('connect', TLSSocket.#rawConnect);

    // A client made by connect() or new TLSSocket() builds its ClientHello like node:tls, once
    // the transport is connected: at the net.Socket's 'connect' (#rawConnect), or a tick from now
    // for a connected socket or another Duplex; setSession() may change the session until then.
    // Anything else the connection already wants to say goes out now; its events wait a tick so
    // that listeners can be attached. A net.Socket that is not connected yet (nor connecting)
    // would refuse the write (ERR_SOCKET_CLOSED): that waits for its 'connect'.
    if (this.#conn instanceof ClientConnection && !this.#conn.started) {
      if (!(socket instanceof Socket && socket.pending)) process.nextTick(() => this.#start());
    } else if ((socket as Partial<Socket>).pending === true && (socket as Partial<Socket>).connecting !== true && socket instanceof Socket) {
      socket.once('connect', () => {
        if (!this.destroyed) this.#flush();
      });
    } else {
      this.#flush();
    }
    attach?.(this);
    // onread: no 'data' events, but the readable side flows so that 'end' is emitted.
    if (this.#onread) super.resume();
    process.nextTick(() => this.#processEvents());
  }

  // The raw socket's listeners: called with `this` = the raw socket (EventEmitter does so).
  static #rawData(this: OwnedRaw, chunk: Buffer): void {
    const owner = this[kOwner];
    if (owner !== undefined) owner.#onRawData(chunk);
  }
  static #rawEnd(this: OwnedRaw): void {
    const owner = this[kOwner];
    if (owner !== undefined) owner.#onRawEnd();
  }
  static #rawDrain(this: OwnedRaw): void {
    const owner = this[kOwner];
    if (owner === undefined) return;
    owner.#writes.drained();
  }
  static #rawError(this: OwnedRaw, err: Error): void {
    const owner = this[kOwner];
    if (owner !== undefined && !owner.destroyed) owner.destroy(err);
  }
  static #rawClose(this: OwnedRaw): void {
    const owner = this[kOwner];
    if (owner !== undefined) owner.#onRawClose();
  }
  static #rawConnect(this: OwnedRaw): void {
    const owner = this[kOwner];
    if (owner === undefined) return;
    owner.emit('connect');
    owner.#start();
  }

  /** 'close' carries `hadError` like net.Socket's: whether the socket was destroyed with an error. */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'close' && args.length === 0) return super.emit('close', this.errored !== null);
    return super.emit(event, ...args);
  }

  // ---- node:tls-like API ----------------------------------------------------------------

  /** The negotiated version ('TLSv1.3' | 'TLSv1.2'), null before the handshake. */
  getProtocol(): string | null {
    return this.#info?.version ?? null;
  }

  getCipher(): CipherNameAndProtocol | undefined {
    const info = this.#info;
    if (!info) return undefined;
    const suite = suiteById(info.cipherSuite);
    const name = suite && suite.version === 'TLSv1.2' ? suite.opensslName : info.cipherName;
    return { name, standardName: info.cipherName, version: info.version };
  }

  /** Client only, like node: the key exchange group; {} when none; null on a server socket. */
  getEphemeralKeyInfo(): EphemeralKeyInfo | null {
    if (this.#conn.side === 'server') return null;
    const g = this.#info?.group;
    if (g === undefined) return {};
    return EPHEMERAL[g] ?? { type: 'ECDH', name: this.#info?.groupName ?? String(g) };
  }

  /** node-style certificate object of the peer; {} when it sent none, null before the handshake. */
  getPeerCertificate(detailed = false): PeerCertificate | Record<string, never> | null {
    const info = this.#info;
    if (!info) return null;
    const chain = info.peerCertificates.map(certificateDer);
    if (chain.length === 0) return {};
    const anchors = info.verifiedChain.map(certificateDer);
    return peerCertificateObject(chain, anchors, detailed);
  }

  /**
   * The peer's chain as DER, leaf first (hush extra). Copies, as node's raw certificates are:
   * the parsed chain is shared by connections that received the same one, so the caller must not
   * be able to write into it.
   */
  getPeerCertificateChain(): Buffer[] {
    return (this.#info?.peerCertificates ?? []).map((c) => Buffer.from(certificateDer(c)));
  }

  /** The peer's leaf certificate as node:crypto's X509Certificate; undefined when it sent none. */
  getPeerX509Certificate(): X509Certificate | undefined {
    const der = this.#info?.peerCertificates[0]?.raw;
    return der === undefined ? undefined : new X509Certificate(asBuffer(der));
  }

  /** Our own certificate as node:crypto's X509Certificate; undefined when we presented none. */
  getX509Certificate(): X509Certificate | undefined {
    const der = this.#conn.side === 'server' ? this.#info?.localCertificates?.[0] : this.#localCertificate;
    return der === undefined ? undefined : new X509Certificate(asBuffer(der));
  }

  isSessionReused(): boolean {
    return this.#info?.resumed ?? false;
  }

  /** The last session received (client), serialised for `connect({ session })`. */
  getSession(): Buffer | undefined {
    return this.#session;
  }

  /**
   * Client: the session ticket the server sent last (its opaque bytes, as node's getTLSTicket());
   * undefined when none arrived (TLS 1.2 resumption by session ID has no ticket).
   */
  getTLSTicket(): Buffer | undefined {
    const t = this.#ticket?.ticket;
    return t === undefined || t.length === 0 ? undefined : Buffer.from(t);
  }

  /**
   * Like node's: the session to resume (from 'session' or getSession(); hush's encoding), set
   * after connect() and before the handshake starts: the ClientHello is built when the transport
   * connects. Afterwards this throws (node would accept it and break the connection).
   */
  setSession(session: Uint8Array | string): void {
    const buf = typeof session === 'string' ? Buffer.from(session, 'latin1') : session;
    const ticket = decodeSession(buf); // a UsageError for anything hush did not produce
    const conn = this.#conn;
    if (!(conn instanceof ClientConnection)) throw new UsageError('setSession() is for client sockets: a server resumes the sessions its clients offer');
    if (conn.started) {
      throw new UsageError(
        'setSession(): the handshake already started (the ClientHello was sent), so the session to resume must be set before: ' +
          'call setSession() right after connect(), before the socket connects, or pass connect({ session })',
      );
    }
    this.#pendingSession = ticket;
  }

  /** RFC 5705 / RFC 8446 §7.5 exporter. */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    return asBuffer(this.#conn.exportKeyingMaterial(length, label, context));
  }

  /** Server: what the client offered in its ClientHello (hush extra, for inspectors and logs). */
  get clientHello(): ClientHelloInfo | undefined {
    return (this.#conn as { clientHello?: ClientHelloInfo }).clientHello;
  }

  /** The handshake parameters as the core reports them (hush extra). */
  get handshakeInfo(): HandshakeInfo | undefined {
    return this.#info;
  }

  /**
   * Encrypted Client Hello (hush extra, RFC 9849): 'accepted' (the server name travelled
   * encrypted), 'grease' (a decoy extension was sent), 'none'; 'rejected' once the handshake
   * failed with EchRejectedError (the 'error' event carries its `retryConfigs`); null before
   * the handshake completed.
   */
  get ech(): 'accepted' | 'rejected' | 'grease' | 'none' | null {
    if (this.#info) return this.#info.ech ?? 'none';
    return this.#conn.error instanceof EchRejectedError ? 'rejected' : null;
  }

  /**
   * Like node's: records sent from now on carry at most `size` bytes of plaintext, 512..16384
   * (true); false, and nothing changes, outside that range.
   */
  setMaxSendFragment(size: number): boolean {
    if (typeof size !== 'number') throw invalidArgType('size', 'of type number', size);
    if (!Number.isInteger(size) || size < -(2 ** 31) || size > 2 ** 31 - 1) {
      throw outOfRange('size', 'an integer >= -2147483648 && <= 2147483647', size);
    }
    if (size < 512 || size > 16384) return false;
    this.#conn.setMaxSendFragment(size);
    return true;
  }

  /**
   * Like node's (which prints OpenSSL's trace): prints hush's narration of the handshake to stderr,
   * one line per step. The core narrates only connections made with `trace: true` or
   * `enableTrace: true` (connect(), createServer()); on any other socket this says so once.
   */
  enableTrace(): void {
    if (this.#tracePrinting) return;
    this.#tracePrinting = true;
    if (!(this.#conn as { tracing?: boolean }).tracing) {
      process.stderr.write("hush: enableTrace(): this connection was not made with enableTrace: true (or trace: true), so there is no narration to print\n");
      return;
    }
    const side = this.#conn.side;
    this.on('trace', (ev: TraceEvent) => {
      process.stderr.write(`hush ${side} [${ev.event}] ${ev.message}\n`);
    });
  }

  /** Our own certificate as node's certificate object; {} when we presented none, null once destroyed. */
  getCertificate(): PeerCertificate | Record<string, never> | null {
    if (this.destroyed) return null;
    const der = this.#conn.side === 'server' ? this.#info?.localCertificates?.[0] : this.#localCertificate;
    return der === undefined ? {} : peerCertificateObject([der], [], false);
  }

  /**
   * Like node's: the signature schemes both sides accept, with OpenSSL's names ('ECDSA+SHA256',
   * 'RSA-PSS+SHA256', 'Ed25519+UNDEF'...). Server: the ClientHello's list and ours, in our order
   * (honorCipherOrder, node's default) or the client's. Client: [] unless the server asked for a
   * certificate, then the CertificateRequest's list and ours, in the server's order.
   */
  getSharedSigalgs(): string[] {
    const config = (this.#conn as { config?: { signatureSchemes?: readonly number[]; preferServerCiphers?: boolean } }).config;
    const peer = this.#conn.side === 'server' ? this.clientHello?.signatureSchemes : this.#info?.certificateRequestSchemes;
    if (config === undefined || peer === undefined) return [];
    const ownOrder = this.#conn.side === 'server' && config.preferServerCiphers !== false;
    return sharedSigalgNames(resolveSignatureSchemes(config.signatureSchemes), peer, ownOrder, this.#info?.version === 'TLSv1.2');
  }

  /** hush never renegotiates (TLS 1.3 has no renegotiation; hush refuses it in TLS 1.2 by design). */
  renegotiate(_options: object, callback: (err: Error | null) => void): boolean | undefined {
    const e = new Error('hush does not support TLS renegotiation (TLS 1.3 removed it; use updateKeys() for new keys)') as Error & { code: string };
    e.code = 'ERR_TLS_RENEGOTIATION_DISABLED';
    process.nextTick(callback, e);
    return false;
  }

  /**
   * Like node's: the verify_data of the Finished message we sent (12 bytes in TLS 1.2, the hash
   * length in TLS 1.3); undefined before the handshake completed, null once the socket is
   * destroyed (node 20 and 24 alike: its handle is gone). The peer's getPeerFinished().
   */
  getFinished(): Buffer | null | undefined {
    if (this.destroyed) return null;
    const f = this.#info?.finished.local; // a copy
    return f === undefined ? undefined : asBuffer(f);
  }

  /** Like node's: the verify_data of the peer's Finished message; undefined before the handshake completed, null once destroyed. */
  getPeerFinished(): Buffer | null | undefined {
    if (this.destroyed) return null;
    const f = this.#info?.finished.peer; // a copy
    return f === undefined ? undefined : asBuffer(f);
  }

  /** node's per-socket certificate switch: hush chooses the certificate per server name instead. */
  setKeyCert(_context: unknown): void {
    throw new UsageError('setKeyCert(): hush chooses the certificate per server name: use the server\'s SNICallback or addContext()', 'ERR_HUSH_UNSUPPORTED_OPTION');
  }

  /** A no-op: hush never renegotiates. */
  disableRenegotiation(): void {}

  /** net.Socket's connect(): a TLSSocket is connected through hush's connect() or its socket. */
  connect(..._args: unknown[]): this {
    throw new UsageError("TLSSocket#connect(): connect the underlying socket (or use hush's connect()); a TLSSocket does not dial", 'ERR_HUSH_UNSUPPORTED_OPTION');
  }

  /** Like net.Socket's: reset the TCP connection (RST) and destroy. */
  resetAndDestroy(): this {
    this.#aborted = true;
    const raw = this.#raw as Partial<Socket>;
    if (typeof raw.resetAndDestroy === 'function') raw.resetAndDestroy();
    this.destroy();
    return this;
  }

  get pending(): boolean {
    return (this.#raw as Partial<Socket>).pending ?? false;
  }

  get readyState(): Socket['readyState'] {
    const raw = this.#raw as Partial<Socket>;
    return raw.readyState ?? (this.destroyed ? 'closed' : 'open');
  }

  get autoSelectFamilyAttemptedAddresses(): string[] {
    return (this.#raw as Partial<Socket>).autoSelectFamilyAttemptedAddresses ?? [];
  }

  /** node's deprecated alias of writableLength. */
  get bufferSize(): number {
    return this.writableLength;
  }

  /**
   * Like node's: the SNI to send, until the ClientHello leaves (right after connect(), or in a
   * 'connect' listener). Only the SNI changes: the certificate is still checked against connect()'s
   * `servername` (else `host`), as node does. An IP address sends no SNI; '' sends the host.
   */
  setServername(name: string): void {
    if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
    const conn = this.#conn;
    if (!(conn instanceof ClientConnection)) {
      const e = new Error('Cannot issue SNI from a TLS server-side socket') as Error & { code: string };
      e.code = 'ERR_TLS_SNI_FROM_SERVER';
      throw e;
    }
    if (this.destroyed) throw new UsageError('setServername(): the socket is closed');
    // node aborts the process here (an assertion in its TLSWrap); hush says what to do instead.
    if (conn.started) {
      throw new UsageError(
        'setServername(): the handshake already started (the ClientHello was sent), so the name must be set before: ' +
          'call setServername() right after connect(), before the socket connects, or pass connect({ servername })',
      );
    }
    // node: '' sends no SNI; hush's rule for servername '' is the host (see clientConfigFromOptions).
    const sent = name === '' ? this.#opts?.host : name;
    this.#pendingServername = sent;
    this.servername = sent ?? conn.config.serverName ?? null;
  }

  /** Update our traffic keys; `requestPeer` asks the peer to update too (TLS 1.3 KeyUpdate). */
  updateKeys(requestPeer = false): void {
    this.#writes.commitStaged();
    this.#conn.updateKeys(requestPeer);
    this.#flush();
  }

  // ---- net.Socket passthrough (node:http and undici call these) --------------------------

  get remoteAddress(): string | undefined {
    return (this.#raw as Partial<import('node:net').Socket>).remoteAddress;
  }
  get remotePort(): number | undefined {
    return (this.#raw as Partial<import('node:net').Socket>).remotePort;
  }
  get remoteFamily(): string | undefined {
    return (this.#raw as Partial<import('node:net').Socket>).remoteFamily;
  }
  get localAddress(): string | undefined {
    return (this.#raw as Partial<import('node:net').Socket>).localAddress;
  }
  get localFamily(): string | undefined {
    return (this.#raw as Partial<import('node:net').Socket>).localFamily;
  }
  get localPort(): number | undefined {
    return (this.#raw as Partial<import('node:net').Socket>).localPort;
  }
  get connecting(): boolean {
    return (this.#raw as Partial<import('node:net').Socket>).connecting ?? false;
  }
  get bytesRead(): number {
    return (this.#raw as Partial<import('node:net').Socket>).bytesRead ?? 0;
  }
  get bytesWritten(): number {
    return (this.#raw as Partial<import('node:net').Socket>).bytesWritten ?? 0;
  }

  address(): ReturnType<import('node:net').Socket['address']> | Record<string, never> {
    const raw = this.#raw as Partial<import('node:net').Socket>;
    return typeof raw.address === 'function' ? raw.address() : {};
  }

  setTimeout(ms: number, cb?: () => void): this {
    const raw = this.#raw as Partial<import('node:net').Socket>;
    if (!this.#timeoutForwarded) {
      this.#timeoutForwarded = true;
      this.#raw.on('timeout', () => this.emit('timeout'));
    }
    if (cb) {
      if (ms === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    raw.setTimeout?.(ms);
    this.timeout = ms === 0 ? undefined : ms;
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    (this.#raw as Partial<import('node:net').Socket>).setNoDelay?.(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    (this.#raw as Partial<import('node:net').Socket>).setKeepAlive?.(enable, initialDelay);
    return this;
  }

  ref(): this {
    (this.#raw as Partial<import('node:net').Socket>).ref?.();
    return this;
  }

  unref(): this {
    (this.#raw as Partial<import('node:net').Socket>).unref?.();
    return this;
  }

  /** Like net.Socket#destroySoon (node:http calls it): end, then destroy once flushed. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  // ---- Duplex implementation --------------------------------------------------------------

  override _read(): void {
    if (this.#readPaused) {
      this.#readPaused = false;
      this.#raw.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#writes.start([chunk], cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.#writes.start(chunks.map((c) => c.chunk), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.#established) {
      // Nothing may be sent before keys exist; close once the handshake completes.
      this.#finalCb = cb;
      return;
    }
    this.#sendCloseNotify();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#clearTimer();
    if (!this.#aborted) this.#closeOnDestroy();
    const raw = this.#raw;
    if (this.#rawEnding && !raw.destroyed) this.#linger(raw);
    else raw.destroy();
    cb(err);
  }

  // ---- internals ----------------------------------------------------------------------------

  /**
   * destroy() on a connection that is still fine: what the application wrote (and was called
   * back for) is sealed and sent, like node:tls, which encrypts in write(); node:http answers a
   * malformed request or oversized headers with write(400/431) and destroy(). When every write
   * went out, close_notify follows (RFC 8446 §6.1); a write still in progress is cut off, and then
   * the missing close_notify tells the peer so.
   */
  #closeOnDestroy(): void {
    if (!this.#established || this.#conn.state !== 'established' || !this.#rawWritable()) return;
    const complete = this.#writes.idle && this.writableLength === 0;
    if (complete) {
      this.#sendCloseNotify();
      return;
    }
    this.#flush();
    this.#endRaw();
  }

  /**
   * A lingering close: our close_notify or alert and the FIN go out; what the peer still sends
   * (the rest of a request, garbage after a bad record) is read and discarded until its EOF, so
   * that our kernel does not answer it with a reset that may reach the peer before it read our
   * last record. Bounded by LINGER_MS and LINGER_BYTES; the timer does not keep the process alive.
   */
  #linger(raw: Duplex): void {
    let discarded = 0;
    const done = (): void => {
      clearTimeout(timer);
      raw.destroy();
    };
    const timer = setTimeout(done, LINGER_MS);
    timer.unref?.();
    raw.once('close', () => clearTimeout(timer));
    const finishedThenDone = (): void => {
      if (raw.writableFinished) done();
      else raw.once('finish', done);
    };
    if (this.#rawReadEnded) {
      finishedThenDone();
      return;
    }
    raw.on('data', (chunk: Uint8Array) => {
      discarded += chunk.length;
      if (discarded > LINGER_BYTES) done();
    });
    raw.once('end', finishedThenDone);
    raw.resume();
  }

  /** Destroy for a reason the peer must not take for a clean end: no close_notify. */
  #abort(err: Error): void {
    this.#aborted = true;
    this.destroy(err);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // WritePumpOwner: the pump asks the socket through these (no per-socket closures).
  [canWrite](): boolean {
    return this.#established && !this.destroyed;
  }

  [isDestroyed](): boolean {
    return this.destroyed;
  }

  [rawWritable](): boolean {
    return this.#rawWritable();
  }

  [failSocket](err: Error): void {
    this.#fail(err);
  }

  #rawWritable(): boolean {
    const raw = this.#raw;
    if (raw.destroyed || raw.writableEnded) return false;
    // A net.Socket without allowHalfOpen refuses writes once the peer's FIN arrived.
    if (this.#rawReadEnded && (raw as { allowHalfOpen?: boolean }).allowHalfOpen === false) return false;
    return true;
  }

  /**
   * A client that waited for its transport: build the ClientHello now, offering the session
   * setSession() gave (else connect()'s), and send it. Once only; nothing after destroy().
   */
  #start(): void {
    const conn = this.#conn;
    if (this.destroyed || !(conn instanceof ClientConnection) || conn.started) return;
    const session = this.#pendingSession;
    const servername = this.#pendingServername;
    this.#pendingSession = undefined;
    this.#pendingServername = undefined;
    try {
      conn.start(session, servername);
    } catch (e) {
      this.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.#flush();
    this.#processEvents();
  }

  /** Send what the connection has to say (see WritePump.flush). False when the socket is full. */
  #flush(): boolean {
    return this.#writes.flush();
  }

  #endRaw(): void {
    if (this.#rawEnding) return;
    this.#rawEnding = true;
    if (this.#rawWritable()) this.#raw.end();
  }

  #sendCloseNotify(): void {
    this.#writes.commitStaged();
    const s = this.#conn.state;
    if (s === 'established' || s === 'handshaking') {
      try {
        this.#conn.close();
      } catch {
        // already closed: nothing to send
      }
    }
    this.#flush();
    this.#endRaw();
  }

  /**
   * A fatal error: flush the alert the connection queued, end the transport, then destroy with
   * the error in node:tls's words (node-errors.ts). After the handshake node:tls instead emits
   * 'error' and lets the socket end: 'error', 'end', then 'close' with hadError false.
   */
  #fail(err: Error): void {
    if (this.destroyed) return;
    this.#flush();
    this.#endRaw();
    const e = this.#nodeError(err);
    if (!this.#established) {
      // node:tls completes the handshake, then rejects the chain: its socket reports why.
      if (err instanceof VerifyError && this.#conn.side === 'client') {
        this.authorizationError = authorizationCode(e);
        this.authorizationFailure = e;
      }
      this.destroy(e);
      return;
    }
    if (this.#tlsErrorEmitted) return;
    this.#tlsErrorEmitted = true;
    this.emit('error', e);
    if (this.destroyed) return;
    if (!this.readableEnded) this.push(null);
    // The socket closes once the reader saw 'end' (or now, when nobody reads).
    if (this.readableFlowing === true && this.readableLength === 0) this.once('end', () => this.destroy());
    else this.destroy();
  }

  #nodeError(err: Error): Error {
    // A client's certificate is checked against the configured name, even after setServername().
    const conn = this.#conn;
    const host = conn instanceof ClientConnection ? conn.config.serverName : typeof this.servername === 'string' ? this.servername : undefined;
    const e = toNodeError(err, { host, peerChain: this.#info?.peerCertificates });
    // The parsed path served the translation; an established connection need not keep it.
    if (err instanceof VerifyError) delete err.chain;
    return e;
  }

  #onRawData(chunk: Buffer): void {
    if (this.destroyed) return;
    // Corked until the events were handled: what the connection answers (e.g. session tickets)
    // and what the application writes from its 'secure'/'data' handlers leave in one segment.
    // Two small writes in a row would otherwise wait on Nagle + the peer's delayed ACK (~40 ms).
    const raw = this.#raw;
    raw.cork();
    try {
      const err = this.#conn.receive(chunk);
      this.#flush();
      this.#processEvents();
      if (err && !this.destroyed) this.#fail(err);
      // What the handlers wrote goes out with the connection's answer, not a turn later.
      else if (!this.destroyed && this.#writes.hasUnflushed) this.#flush();
    } finally {
      raw.uncork();
    }
  }

  /** Drive the connection again (e.g. after an accept step outside this class finished). */
  resumeConnection(): void {
    if (this.destroyed) return;
    this.#flush();
    this.#processEvents();
    if (this.#conn.error && !this.destroyed) this.#fail(this.#conn.error);
  }

  #processEvents(): void {
    for (const ev of this.#conn.takeEvents()) {
      if (this.destroyed) return;
      this.#onEvent(ev);
    }
  }

  #onEvent(ev: ConnectionEvent): void {
    switch (ev.type) {
      case 'handshake':
        this.#onHandshake(ev.info);
        return;
      case 'data':
        if (this.readableEnded || ev.data.length === 0) return;
        if (this.#onread) {
          this.#deliverOnRead(this.#onread, ev.data);
          return;
        }
        if (!this.push(asBuffer(ev.data)) && !this.#readPaused) {
          this.#readPaused = true;
          this.#raw.pause();
        }
        return;
      case 'session': {
        const buf = encodeSession(ev.ticket);
        this.#session = buf;
        this.#ticket = ev.ticket;
        this.emit('session', buf);
        return;
      }
      case 'closed':
        this.push(null);
        return;
      case 'error':
        this.#fail(ev.error);
        return;
      case 'keylog':
        if (this.listenerCount('keylog') > 0) this.emit('keylog', Buffer.from(ev.line + '\n', 'latin1'));
        return;
      case 'trace':
        this.emit('trace', ev.trace satisfies TraceEvent);
        return;
      case 'keyUpdate':
        this.emit('keyUpdate', ev.direction);
        return;
    }
  }

  /** onread: copy `data` into the caller's buffer, as many times as it takes. */
  #deliverOnRead(onread: OnRead, data: Uint8Array): void {
    let off = 0;
    while (off < data.length && !this.destroyed) {
      const buf = typeof onread.buffer === 'function' ? onread.buffer() : onread.buffer;
      const n = Math.min(buf.length, data.length - off);
      if (n === 0) throw new UsageError('onread.buffer is empty');
      buf.set(data.subarray(off, off + n));
      off += n;
      if (onread.callback(n, buf) === false && !this.#readPaused) {
        this.#readPaused = true;
        this.#raw.pause();
      }
    }
  }

  /** Readable#resume(); with onread, also resumes reading that the callback paused. */
  override resume(): this {
    if (this.#onread && this.#readPaused) {
      this.#readPaused = false;
      this.#raw.resume();
    }
    return super.resume();
  }

  #onHandshake(info: HandshakeInfo): void {
    this.#clearTimer();
    const opts = this.#opts ?? ({} as Partial<TLSSocketOptions>);
    this.#opts = undefined; // nothing after the handshake needs the options
    this.#info = info;
    this.#established = true;
    this.alpnProtocol = info.alpn ?? false;
    this.authorized = info.authorized;
    let failure: Error | undefined = info.authorized ? undefined : info.authorizationError;
    if (this.#conn.side === 'server') {
      this.servername = info.serverName ?? false;
    } else if (opts.checkServerIdentity && !info.resumed) {
      // node:tls calls checkServerIdentity instead of its own host name check, and only for a
      // chain that verified: a failure of hush's host name check is replaced by the chain's
      // verdict without it, then by what checkServerIdentity says.
      let chainVerified = info.authorized;
      if (failure instanceof VerifyError && failure.check === 'hostname' && opts.verifyChain) {
        failure = opts.verifyChain(info.peerCertificates);
        chainVerified = failure === undefined;
      }
      if (chainVerified) {
        const host = opts.servername || opts.host || 'localhost';
        try {
          failure = opts.checkServerIdentity(host, this.getPeerCertificate(true) as PeerCertificate) ?? undefined;
        } catch (e) {
          // node lets a throwing checkServerIdentity crash the process; we fail the connection.
          failure = e instanceof Error ? e : new Error(String(e));
        }
      }
      this.authorized = chainVerified && failure === undefined;
    }
    if (!this.authorized) {
      if (failure) {
        const e = this.#nodeError(failure);
        this.authorizationError = authorizationCode(e);
        this.authorizationFailure = e;
      } else if (this.#conn.side === 'client') {
        this.authorizationError = 'ERR_TLS_CERT_NOT_VERIFIED';
      } else if (opts.requestCert && info.peerCertificates.length === 0) {
        // What node:tls reports when the client sent no certificate (OpenSSL's verify result).
        this.authorizationError = 'UNABLE_TO_GET_ISSUER_CERT';
      }
      // With checkServerIdentity the core let an unverified chain through (see connect.ts): refuse
      // it here, before 'secureConnect' and before any data is read or written.
      if (this.#conn.side === 'client' && opts.checkServerIdentity && opts.rejectUnauthorized !== false) {
        this.#abort(this.authorizationFailure ?? codedError(this.authorizationError ?? 'ERR_TLS_CERT_NOT_VERIFIED', 'the server certificate was not verified'));
        return;
      }
    }
    // node:tls: 'OCSPResponse' (the stapled response, already verified by the core) before 'secureConnect' (#15).
    if (info.ocspResponse) this.emit('OCSPResponse', Buffer.from(info.ocspResponse));
    this.emit(this.#conn.side === 'client' && !this.#bare ? 'secureConnect' : 'secure');
    if (this.destroyed) return;
    this.#writes.pump();
    const fin = this.#finalCb;
    if (fin && this.#writes.idle) {
      this.#finalCb = undefined;
      this.#sendCloseNotify();
      fin();
    }
  }

  #onRawEnd(): void {
    this.#rawReadEnded = true;
    if (this.destroyed || this.readableEnded || this.#conn.peerClosed) return;
    if (this.#conn.state === 'failed') return;
    if (!this.#established) {
      // Like node:tls: the EOF ends the readable side ('end'), then the socket is destroyed with
      // ECONNRESET ('error', 'close'(true)).
      const err = this.#resetBeforeHandshake();
      this.push(null);
      if (this.readableFlowing === true && this.readableLength === 0) this.once('end', () => this.destroy(err));
      else this.destroy(err);
      return;
    }
    this.truncated = true;
    if (this.#rejectTruncation) {
      this.#abort(
        codedError('ERR_TLS_TRUNCATED', 'the peer closed the connection without close_notify: the data may be truncated'),
      );
      return;
    }
    this.push(null);
  }

  /** node's words for a transport that ended before the handshake completed (ECONNRESET). */
  #resetBeforeHandshake(): Error {
    return codedError(
      'ECONNRESET',
      this.#conn.side === 'client' ? 'Client network socket disconnected before secure TLS connection was established' : 'socket hang up',
    );
  }

  #onRawClose(): void {
    if (this.destroyed) return;
    if (!this.#established) {
      this.destroy(this.#resetBeforeHandshake());
      return;
    }
    if (!this.readableEnded && !this.#conn.peerClosed) this.truncated = true;
    this.destroy();
  }
}

function certificateDer(c: Certificate): Uint8Array {
  return c.raw;
}
