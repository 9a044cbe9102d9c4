// createServer(): node:tls.createServer over hush. A net.Server whose connections are wrapped in
// TLSSockets driving a ServerConnection (or, with SNICallback/addContext, the core's Acceptor so
// the certificate can be chosen by the ClientHello's server name).
// Events like node's: 'secureConnection' (socket), 'tlsClientError' (err, socket) for failures
// before the handshake completed, 'keylog' (line, socket), and 'connection' (the raw socket);
// with `trace: true` also 'trace' (event, socket); 'newSession' (id, data, cb) and
// 'resumeSession' (id, cb) for an external session cache, as node's (see SessionStore).
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { ClientHelloInfo } from '../handshake/client-hello-info.js';
import type { EchServerOptions, ServerConfig } from '../handshake/config.js';
import { ServerConnection } from '../connection/server.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { nodeCryptoProvider } from '../crypto/node/index.js';
import { TlsError, UsageError } from '../errors/errors.js';
import type { VerifyProfile } from '../x509/profile.js';
import { defaultTrustStore } from './trust.js';
import { AcceptingConnection, type SessionStore } from './accepting-connection.js';
import { SecureContext, createSecureContext } from './secure-context.js';
import { TLSSocket, type TLSSocketOptions } from './socket.js';
import { invalidArgType } from './arg-errors.js';
import type { TlsConnection } from '../connection/api.js';
import { NODE_TRANSPORT } from './alloc.js';
import { peerRevocationConfig, withOcspStaple, type ServerRevocationOptions } from './revocation-options.js';
import type { PfxInput } from './pkcs12.js';
import {
  parseAlpn, parseCiphers, parseCurves, parseHandshakeTimeout, parseProfile, parseSigalgs, versionRange, noTicketOption, refuseOptions, REFUSED_TLS_OPTIONS,
  type KeyInput, type PemInput,
} from './options.js';

export type SNICallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext | null) => void) => void;
export type ALPNCallback = (arg: { servername: string | undefined; protocols: string[] }) => string | undefined;

export interface ServerOptions extends ServerRevocationOptions {
  key?: KeyInput;
  cert?: PemInput;
  passphrase?: string;
  /** PKCS#12 files (key and certificate chain), like node's. */
  pfx?: PfxInput;
  /** CAs for client certificates (default Node's bundled roots when requestCert is set). */
  ca?: PemInput;
  /** A context from createSecureContext() instead of key/cert/ca. */
  secureContext?: SecureContext;
  /** Ask clients for a certificate. */
  requestCert?: boolean;
  /** With requestCert: refuse clients without a valid certificate (default true). */
  rejectUnauthorized?: boolean;
  /**
   * How client certificates are validated: 'rfc5280' (default: RFC 5280 rules, for the private
   * PKIs client certificates come from) or 'webpki' (also the CA/Browser Forum rules).
   */
  profile?: VerifyProfile;
  ALPNProtocols?: readonly (string | Uint8Array)[] | Uint8Array;
  /** Choose the protocol from the client's list; returning undefined rejects (no_application_protocol), like node. */
  ALPNCallback?: ALPNCallback;
  /** Choose a context by server name (node style, asynchronous). */
  SNICallback?: SNICallback;
  minVersion?: string;
  maxVersion?: string;
  /** OpenSSL method name (node's): 'TLS_method', 'TLSv1_2_method'... */
  secureProtocol?: string;
  /**
   * SSL_OP_* bits: NO_TLSv1_2/NO_TLSv1_3 narrow the versions, CIPHER_SERVER_PREFERENCE is
   * honorCipherOrder, NO_TICKET turns session tickets off (TLS 1.2 then resumes by session ID;
   * TLS 1.3 tickets are issued only with a 'resumeSession' listener, as IDs into that store).
   */
  secureOptions?: number;
  ciphers?: string;
  ecdhCurve?: string;
  sigalgs?: string;
  /** Choose the cipher suite by the server's order (true) or the client's (false). Default: hush's (server order). */
  honorCipherOrder?: boolean;
  /** 48 bytes like node (or a list of keys, the first sealing); default: random per server. */
  ticketKeys?: Uint8Array | readonly Uint8Array[];
  /** Session ticket lifetime in seconds. */
  sessionTimeout?: number;
  /**
   * ms from accepting a connection to a completed handshake (default 120000, like node:tls; 0 =
   * none). A client that is idle or drips its hello slowly is then destroyed and 'tlsClientError'
   * is emitted with an Error whose code is ERR_TLS_HANDSHAKE_TIMEOUT. A deadline, as in node:tls:
   * bytes received meanwhile do not restart it.
   */
  handshakeTimeout?: number;
  // hush extras
  /** Largest ClientHello accepted, in bytes (default 131 396: every legal one, RFC 8446 §4.1.2). */
  maxClientHelloSize?: number;
  /** Most records a ClientHello may span (default 4096); bounds what a slow-drip client makes us keep. */
  maxClientHelloRecords?: number;
  /**
   * TLS 1.2: refuse peers without the extended master secret (RFC 7627). Default true; false only
   * for old peers (e.g. Go before 1.21), whose sessions are then never resumed.
   */
  requireExtendedMasterSecret?: boolean;
  /**
   * Encrypted Client Hello (RFC 9849): `{ keys: [{ config, privateKey, sendAsRetry? }] }`, each an
   * encoded ECHConfig and its HPKE private key (see `hush ech`); the connection's `ech` says what happened.
   */
  ech?: EchServerOptions;
  provider?: CryptoProvider;
  trace?: boolean;
  /** Print hush's narration of each handshake to stderr (node prints OpenSSL's trace). */
  enableTrace?: boolean;
  /** Produce key log lines even without 'keylog' listeners on the server. */
  keyLog?: boolean;
  rejectTruncation?: boolean;
  // net.Server / socket options
  allowHalfOpen?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** net.Server's: accepted sockets start paused; the TLS handshake still runs, the application data waits for resume(). */
  pauseOnConnect?: boolean;
  highWaterMark?: number;
}

const REFUSED: Readonly<Record<string, string>> = {
  ...REFUSED_TLS_OPTIONS,
};

/** The TLS alert a server without any certificate answers with (node: no shared cipher). */
function noCertificateError(): TlsError {
  return new TlsError(
    'handshake_failure',
    'the server has no certificate yet: give key and cert (or secureContext) to createServer(), setSecureContext() or addContext()',
  );
}

function ticketKeyList(v: Uint8Array | readonly Uint8Array[] | undefined): Uint8Array[] {
  if (v === undefined) return [randomBytes(48)];
  const list = v instanceof Uint8Array ? [v] : [...v];
  for (const k of list) {
    if (!(k instanceof Uint8Array) || k.length < 16) throw new UsageError('ticketKeys must be a 48-byte Buffer (or a list of keys of at least 16 bytes)');
  }
  return list;
}

/** The same host-name matching node's addContext uses: exact, or '*.' for one label. */
function contextMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) {
    const rest = p.slice(1);
    return name.endsWith(rest) && name.indexOf('.') === name.length - rest.length;
  }
  return p === name;
}

/**
 * The listen backlog when listen() is given none: the kernel's limit (net.core.somaxconn, which
 * caps any backlog anyway), as Go's net.Listen does, not node's 511. A burst of handshakes keeps
 * the event loop busy for a while; with 511 the accept queue overflows meanwhile, Linux drops the
 * clients' ACKs and, after a few seconds, the half-open connections themselves, and answers the
 * clients' retransmitted ClientHellos with a reset (ECONNRESET right after TCP connect; see
 * scripts/handshake-burst.ts). Read once.
 */
let defaultBacklog: number | undefined;

export function listenBacklog(): number {
  if (defaultBacklog === undefined) {
    let n = 4096;
    try {
      const v = Number(readFileSync('/proc/sys/net/core/somaxconn', 'latin1').trim());
      if (Number.isInteger(v) && v > 0) n = v;
    } catch {
      // not Linux: the system caps the backlog itself
    }
    defaultBacklog = Math.min(Math.max(n, 511), 65535);
  }
  return defaultBacklog;
}

/** node's rule (net.js: toNumber(args[1]) || toNumber(args[2])): a positional backlog is a number > 0. */
function isBacklog(x: unknown): boolean {
  return Number(x) > 0;
}

/**
 * listen()'s arguments with our default backlog when the caller gave none, in a form node reads:
 * listen(options[, cb]), listen(port[, host][, backlog][, cb]), listen(path[, backlog][, cb]),
 * listen(handle[, backlog][, cb]).
 */
export function withDefaultBacklog(args: unknown[], backlog: number): unknown[] {
  const first = args[0];
  if (first !== null && typeof first === 'object' && !('_handle' in first) && !('fd' in first)) {
    const o = first as { backlog?: unknown };
    return o.backlog === undefined ? [{ ...o, backlog }, ...args.slice(1)] : args;
  }
  if (isBacklog(args[1]) || isBacklog(args[2])) return args;
  const cb = typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
  const positional = cb === undefined ? args : args.slice(0, -1);
  const tail = cb === undefined ? [] : [cb];
  const [target, host] = positional;
  if (target !== null && typeof target === 'object') return [target, backlog, ...tail]; // a handle
  if (typeof target === 'string' && !(Number(target) >= 0)) return [target, backlog, ...tail]; // a pipe path
  return [target, typeof host === 'string' ? host : undefined, backlog, ...tail];
}

/**
 * The server a socket was accepted by, stored on the socket: its listeners are the shared
 * functions below (called with `this` = the socket), not closures built per connection.
 */
const kServer = Symbol('hush.server');

type ServedSocket = TLSSocket & { [kServer]?: TLSServer };

// Like node: failures before the handshake completed go to 'tlsClientError'; later ones are the
// application's (its own 'error' listener on the socket).
function onSocketError(this: ServedSocket, err: Error): void {
  if (!this.handshakeInfo) this[kServer]?.emit('tlsClientError', err, this);
}

function onSocketSecure(this: ServedSocket): void {
  this.removeListener('secure', onSocketSecure); // once, without a wrapper per connection
  this[kServer]?.emit('secureConnection', this);
}

function onSocketKeylog(this: ServedSocket, line: Buffer): void {
  this[kServer]?.emit('keylog', line, this);
}

function onSocketTrace(this: ServedSocket, ev: unknown): void {
  this[kServer]?.emit('trace', ev, this);
}

/**
 * node:tls.Server over hush. Session events, when the application listens to either:
 * - `'resumeSession'(id, cb)`: before the handshake goes on, the session stored under `id` — a
 *   TLS 1.2 session ID, or a stateful TLS 1.3 ticket (32 bytes). `cb(null, data)` resumes when
 *   `data` is a session this server stored; `cb(null, null)` (or bad data) means a full handshake;
 *   `cb(err)` fails the connection ('tlsClientError'). Not asked for a TLS 1.3 legacy session ID
 *   (random bytes, never a hit) nor when a TLS 1.2 client offers a ticket we can open.
 * - `'newSession'(id, data, cb)`: store `data` (hush's serialized session; it holds the session's
 *   secret) under `id` (32 bytes): a TLS 1.2 session ID (issued when no ticket is: tickets off, or
 *   not asked for), or once per TLS 1.3 ticket — the ticket itself when tickets are stateful
 *   (`SSL_OP_NO_TICKET` and a 'resumeSession' listener), else a random ID the client never sees.
 *   The connection's output and events wait for `cb()`.
 * Without listeners TLS 1.2 sessions stay in hush's own bounded cache, and no event is emitted.
 */
export class TLSServer extends net.Server {
  #options: ServerOptions;
  #provider: CryptoProvider;
  #context!: SecureContext;
  #ticketKeys: Uint8Array[];
  #contexts: [string, SecureContext][] = [];
  /** ServerConfigs built per context and key-log setting (the core caches its checks per config object). */
  #configs = new WeakMap<SecureContext, Map<boolean, ServerConfig>>();
  #base!: Omit<ServerConfig, 'certificates' | 'clientTrust' | 'keyLog'>;
  /** SSL_OP_NO_TICKET: no ticket keys in the configs. */
  #noTickets = false;

  constructor(options?: ServerOptions | ((socket: TLSSocket) => void), secureConnectionListener?: (socket: TLSSocket) => void);
  constructor(optionsArg: ServerOptions | ((socket: TLSSocket) => void) = {}, listenerArg?: (socket: TLSSocket) => void) {
    // node: createServer(listener) and createServer(options, listener); options is an object.
    let options: ServerOptions;
    let secureConnectionListener = listenerArg;
    if (typeof optionsArg === 'function') {
      secureConnectionListener = optionsArg;
      options = {};
    } else if (optionsArg === undefined || optionsArg === null) {
      options = {};
    } else if (typeof optionsArg !== 'object') {
      throw invalidArgType('options', 'of type object', optionsArg);
    } else {
      options = optionsArg;
    }
    super({
      allowHalfOpen: true, // each TLSSocket decides when to end its transport
      ...(options.noDelay !== undefined ? { noDelay: options.noDelay } : {}),
      ...(options.keepAlive !== undefined ? { keepAlive: options.keepAlive } : {}),
      ...(options.keepAliveInitialDelay !== undefined ? { keepAliveInitialDelay: options.keepAliveInitialDelay } : {}),
      ...(options.pauseOnConnect !== undefined ? { pauseOnConnect: options.pauseOnConnect } : {}),
    });
    refuseOptions(options, REFUSED, 'createServer()');
    if (options.ALPNCallback && options.ALPNProtocols) {
      throw new UsageError('ALPNCallback and ALPNProtocols cannot both be set (as in node)');
    }
    this.#options = options;
    this.#provider = options.provider ?? nodeCryptoProvider;
    this.#ticketKeys = ticketKeyList(options.ticketKeys);
    this.setSecureContext(options);
    this.on('connection', (raw: Duplex) => this.#onConnection(raw));
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
  }

  /** net.Server#listen, with a larger default backlog (see listenBacklog()); a backlog you pass wins. */
  override listen(...args: unknown[]): this {
    return super.listen(...(withDefaultBacklog(args, listenBacklog()) as Parameters<net.Server['listen']>));
  }

  /** Replace key/cert/ca (and the other TLS options) for new connections, like node. */
  setSecureContext(options: ServerOptions): void {
    const o = { ...this.#options, ...options };
    refuseOptions(o, REFUSED, 'createServer()');
    if (o.secureContext !== undefined && !(o.secureContext instanceof SecureContext)) {
      throw new UsageError("secureContext must come from hush's createSecureContext()");
    }
    parseHandshakeTimeout(o.handshakeTimeout);
    const ctx = o.secureContext ?? createSecureContext({ key: o.key, cert: o.cert, pfx: o.pfx, passphrase: o.passphrase, ca: o.ca, provider: this.#provider });
    const requestCert = o.requestCert === true;
    const rejectUnauthorized = o.rejectUnauthorized !== false;
    const alpnCallback = o.ALPNCallback;
    const selectAlpn = alpnCallback
      ? (offered: readonly string[], hello: ClientHelloInfo): string | undefined => {
          const chosen = alpnCallback({ servername: hello.serverName, protocols: [...offered] });
          if (chosen === undefined) {
            throw new TlsError('no_application_protocol', `ALPNCallback chose none of the offered protocols (${offered.join(', ')})`);
          }
          return chosen;
        }
      : undefined;
    const versions = versionRange(o);
    const noTickets = noTicketOption(o.secureOptions);
    this.#options = o;
    this.#noTickets = noTickets;
    this.#context = ctx;
    this.#configs = new WeakMap();
    this.#base = {
      provider: this.#provider,
      now: Date.now,
      cipherSuites: parseCiphers(o.ciphers),
      groups: parseCurves(o.ecdhCurve),
      signatureSchemes: parseSigalgs(o.sigalgs),
      minVersion: versions.minVersion,
      maxVersion: versions.maxVersion,
      alpnProtocols: parseAlpn(o.ALPNProtocols),
      selectAlpn,
      trace: o.trace === true || o.enableTrace === true,
      preferServerCiphers: o.honorCipherOrder ?? versions.honorCipherOrder,
      clientAuth: requestCert ? (rejectUnauthorized ? 'required' : 'optional') : 'none',
      rejectUnauthorizedClients: rejectUnauthorized,
      clientVerify: { profile: parseProfile(o.profile, 'createServer()') ?? 'rfc5280' },
      ticketKeys: noTickets ? [] : this.#ticketKeys,
      ticketLifetime: o.sessionTimeout,
      requireExtendedMasterSecret: o.requireExtendedMasterSecret,
      maxClientHelloSize: o.maxClientHelloSize,
      maxClientHelloRecords: o.maxClientHelloRecords,
      ech: o.ech,
      ...peerRevocationConfig(o),
    };
    // Check the whole configuration now rather than on the first connection. Like node, a server
    // without key and cert is allowed until a connection arrives: setSecureContext(), addContext()
    // or an SNICallback may supply them; a handshake without any fails (handshake_failure).
    if (ctx.certificates.length > 0) new ServerConnection(this.#config(ctx, false));
  }

  /** Serve `context` for SNI names matching `hostname` ('example.com' or '*.example.com'). */
  addContext(hostname: string, context: SecureContext | Parameters<typeof createSecureContext>[0]): void {
    const ctx = context instanceof SecureContext ? context : createSecureContext({ ...context, provider: this.#provider });
    this.#contexts.unshift([hostname, ctx]);
  }

  /** The first ticket key (48 bytes unless you set others). */
  getTicketKeys(): Buffer {
    return Buffer.from(this.#ticketKeys[0]!);
  }

  /** Rotate ticket keys for new connections: a 48-byte Buffer like node, or a list (first seals). */
  setTicketKeys(keys: Uint8Array | readonly Uint8Array[]): void {
    this.#ticketKeys = ticketKeyList(keys);
    this.setSecureContext({ ticketKeys: this.#ticketKeys });
  }

  #config(ctx: SecureContext, keyLog: boolean): ServerConfig {
    let byKeyLog = this.#configs.get(ctx);
    if (!byKeyLog) this.#configs.set(ctx, (byKeyLog = new Map()));
    let config = byKeyLog.get(keyLog);
    if (!config) {
      const requestCert = this.#options.requestCert === true;
      const trust = ctx.trust ?? this.#context.trust ?? (requestCert ? defaultTrustStore() : undefined);
      config = {
        ...this.#base,
        certificates: withOcspStaple(ctx.certificates.length > 0 ? ctx.certificates : this.#context.certificates, this.#options.ocspStaple),
        clientTrust: trust,
        keyLog,
      };
      byKeyLog.set(keyLog, config);
    }
    return config;
  }

  /** Whether a handshake needs the ClientHello before its config is known. */
  #dynamic(): boolean {
    return this.#options.SNICallback !== undefined || this.#contexts.length > 0 || this.#context.certificates.length === 0;
  }

  /**
   * node's session events, when the application listens to either: sessions by ID (TLS 1.2) and
   * the TLS 1.3 tickets go through them. Undefined without listeners (hush's own cache and
   * stateless tickets, no events).
   */
  #sessionStore(): SessionStore | undefined {
    const resumeListeners = this.listenerCount('resumeSession');
    if (resumeListeners === 0 && this.listenerCount('newSession') === 0) return undefined;
    return {
      resume: (id, cb) => {
        if (!this.emit('resumeSession', id, cb)) cb(null, null);
      },
      store: (id, data, cb) => {
        if (!this.emit('newSession', id, data, cb)) cb();
      },
      statefulTickets: this.#noTickets && resumeListeners > 0,
      tickets: !this.#noTickets,
      tls13: this.#base.maxVersion !== 'TLSv1.2',
    };
  }

  /**
   * The connection for one accepted transport (also `new TLSSocket(raw, { isServer: true })`):
   * `resume` drives the socket once an asynchronous step (SNI, session store) finished; `closed`
   * says whether the socket is gone (late callbacks are then ignored).
   */
  connectionFor(keyLog: boolean, resume: () => void, closed: () => boolean = () => false): TlsConnection {
    const store = this.#sessionStore();
    if (!store && !this.#dynamic()) return new ServerConnection(this.#config(this.#context, keyLog), NODE_TRANSPORT);
    const limits = { maxClientHelloSize: this.#options.maxClientHelloSize, maxClientHelloRecords: this.#options.maxClientHelloRecords };
    const accepting = new AcceptingConnection((hello, done) => {
      this.#chooseContext(hello.serverName, (err, ctx) => {
        if (err) return done(err);
        if (ctx.certificates.length === 0 && this.#context.certificates.length === 0) return done(noCertificateError());
        try {
          done(null, this.#config(ctx, keyLog));
        } catch (e) {
          done(e as Error);
        }
      });
    }, limits, store);
    accepting.onReady = resume;
    accepting.isClosed = closed;
    return accepting;
  }

  /** The options of the sockets this server makes (requestCert...). */
  get socketOptions(): Pick<TLSSocketOptions, 'requestCert' | 'handshakeTimeout' | 'rejectTruncation' | 'allowHalfOpen' | 'highWaterMark'> {
    const o = this.#options;
    return { requestCert: o.requestCert === true, handshakeTimeout: o.handshakeTimeout, rejectTruncation: o.rejectTruncation, allowHalfOpen: o.allowHalfOpen, highWaterMark: o.highWaterMark };
  }

  #chooseContext(servername: string | undefined, done: (err: Error | null, ctx: SecureContext) => void): void {
    const name = (servername ?? '').toLowerCase();
    const fallback = (): void => {
      const match = name ? this.#contexts.find(([p]) => contextMatches(p, name)) : undefined;
      done(null, match ? match[1] : this.#context);
    };
    const cb = this.#options.SNICallback;
    if (!cb || !name) return fallback();
    cb(name, (err, ctx) => {
      if (err) return done(err, this.#context);
      if (ctx === null || ctx === undefined) return fallback();
      if (!(ctx instanceof SecureContext)) {
        return done(new UsageError("SNICallback must return a context from hush's createSecureContext()"), this.#context);
      }
      done(null, ctx);
    });
  }

  #onConnection(raw: Duplex): void {
    const keyLog = this.#options.keyLog === true || this.listenerCount('keylog') > 0;
    let socket: TLSSocket;
    try {
      const connection = this.connectionFor(keyLog, () => socket.resumeConnection(), () => socket?.destroyed !== false);
      // pauseOnConnect pauses the application's data, not the handshake: the TLSSocket reads.
      if (this.#options.pauseOnConnect === true) raw.resume();
      socket = new TLSSocket(raw, { connection, ...this.socketOptions });
      if (this.#options.pauseOnConnect === true) socket.pause();
    } catch (e) {
      raw.destroy();
      this.emit('error', e);
      return;
    }
    (socket as ServedSocket)[kServer] = this;
    socket.on('error', onSocketError);
    if (keyLog) socket.on('keylog', onSocketKeylog);
    if (this.#options.trace) socket.on('trace', onSocketTrace);
    if (this.#options.enableTrace === true) socket.enableTrace();
    socket.on('secure', onSocketSecure);
  }
}

/** node:tls.Server: a class that, like node's constructors, may also be called without `new`. */
export type Server = TLSServer;
export const Server = new Proxy(TLSServer, {
  apply: (target, _this, args: ConstructorParameters<typeof TLSServer>) => new target(...args),
}) as typeof TLSServer & ((...args: ConstructorParameters<typeof TLSServer>) => TLSServer);

/** node:tls.createServer over hush: createServer([options][, secureConnectionListener]). */
export function createServer(options?: ServerOptions | ((socket: TLSSocket) => void), secureConnectionListener?: (socket: TLSSocket) => void): Server {
  return new TLSServer(options, secureConnectionListener);
}

