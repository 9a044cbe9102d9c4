// connect(): node:tls.connect over hush. Same call shapes and the options hush supports; node
// options hush does not support throw a UsageError instead of being ignored. Works as node:http's
// `createConnection` and as undici's `connect` (see test/node).
import net from 'node:net';
import { createWriteStream } from 'node:fs';
import type { Duplex } from 'node:stream';
import { ClientConnection } from '../connection/client.js';
import type { ClientConfig } from '../handshake/config.js';
import type { SessionTicket } from '../handshake/events.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { nodeCryptoProvider } from '../crypto/node/index.js';
import { UsageError } from '../errors/errors.js';
import type { VerifyProfile } from '../x509/profile.js';
import { TrustStore } from '../x509/trust-store.js';
import { verifyServerChain } from '../x509/verify.js';
import type { Certificate } from '../x509/certificate.js';
import { isIP } from 'node:net';
import { defaultTrustStore, sharedSystemTrustStore } from './trust.js';
import { decodeSession } from './session.js';
import { badPort, invalidArgType } from './arg-errors.js';
import { TLSSocket, checkOnRead, type OnRead } from './socket.js';
import { SecureContext } from './secure-context.js';
import { NODE_CLIENT_TRANSPORT } from './alloc.js';
import { clientRevocationConfig, type ClientRevocationOptions } from './revocation-options.js';
import { pfxCertifiedKeys, type PfxInput } from './pkcs12.js';
import type { PeerCertificate } from './peer-certificate.js';
import {
  parseAlpn, parseCiphers, parseCurves, parseHandshakeTimeout, parseProfile, parseSigalgs, versionRange, noTicketOption, refuseOptions, toCertifiedKeys, toTrustStore, REFUSED_TLS_OPTIONS,
  type KeyInput, type PemInput,
} from './options.js';

export interface ConnectOptions extends ClientRevocationOptions {
  /** The server's host name or address (default 'localhost'). `hostname` wins when both are set. */
  host?: string | null;
  /** Like `host` (what node:http and undici pass). */
  hostname?: string | null;
  port?: number | string | null;
  /** Use this already-connected stream (a net.Socket or any Duplex) instead of opening one. */
  socket?: Duplex;
  /** Connect to a Unix socket instead of host:port. */
  socketPath?: string | null;
  /** Like node: a Unix socket path, preferred over host/port (socketPath wins when both are set). */
  path?: string | null;
  /** A context from hush's createSecureContext(): its ca (trust) and cert/key (client certificate). */
  secureContext?: SecureContext;
  /** OpenSSL method name (node's): 'TLS_method', 'TLSv1_2_method'...; see parseSecureProtocol(). */
  secureProtocol?: string;
  /** SSL_OP_* bits (node's crypto.constants): NO_TLSv1_2/NO_TLSv1_3 narrow the versions. */
  secureOptions?: number;
  /** Abort the connection (AbortError, code ABORT_ERR) when this signal aborts, like net.connect. */
  signal?: AbortSignal;
  /** SNI and the name verified; default `host` (an IP address is verified against IP SANs, not sent). */
  servername?: string | null;
  /**
   * Trust anchors (PEM/DER), or 'system' for the operating system's bundle (Debian:
   * /etc/ssl/certs/ca-certificates.crt; node 23's --use-system-ca). Default: Node's bundled
   * Mozilla roots plus NODE_EXTRA_CA_CERTS.
   */
  ca?: PemInput | TrustStore | 'system';
  /** Client certificate chain and key, for servers that ask. */
  cert?: PemInput;
  key?: KeyInput;
  passphrase?: string;
  /** PKCS#12 files (client key and certificate chain), like node's. */
  pfx?: PfxInput;
  /** Default true: fail the handshake when the server's chain or name does not verify. */
  rejectUnauthorized?: boolean;
  /**
   * Certificate validation profile: 'webpki' (default: RFC 5280 plus the CA/Browser Forum rules
   * for publicly trusted certificates) or 'rfc5280' (RFC 5280 rules only, for private PKIs).
   */
  profile?: VerifyProfile;
  ALPNProtocols?: readonly (string | Uint8Array)[] | Uint8Array;
  /** 'TLSv1.2' or 'TLSv1.3' (older versions throw). */
  minVersion?: string;
  maxVersion?: string;
  ciphers?: string;
  ecdhCurve?: string;
  sigalgs?: string;
  /** A Buffer from a 'session' event (or getSession()), or the SessionTicket itself. */
  session?: Uint8Array | SessionTicket;
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  /** Socket idle timeout (ms), as socket.setTimeout(). */
  timeout?: number;
  /** ms from connect() to a completed handshake, else ERR_TLS_HANDSHAKE_TIMEOUT (default 120000; 0 = none). */
  handshakeTimeout?: number;
  /** Print hush's narration of the handshake to stderr (node prints OpenSSL's trace). */
  enableTrace?: boolean;
  // hush extras
  /** Emit 'trace' events narrating the handshake. */
  trace?: boolean;
  /**
   * Encrypted Client Hello (RFC 9849): the server's ECHConfigList, as bytes or base64 (the `ech=`
   * of its DNS HTTPS record, or `hush ech`). `servername` then travels encrypted and the wire
   * names only the config's public name; when the server rejects ECH the socket fails with an
   * EchRejectedError whose `retryConfigs` (if any) are for a new connection. The encrypted hello
   * offers TLS 1.3 only (the outer one TLS 1.2 too, unless minVersion is TLSv1.3; a server answering
   * in TLS 1.2 has rejected ECH).
   */
  echConfigList?: Uint8Array | string;
  /** Send a GREASE ECH extension when there is no echConfigList (default true, as browsers do). */
  echGrease?: boolean;
  /**
   * Key logging: by default lines are produced and emitted as 'keylog' events for listeners
   * (like node); false turns them off; a path or writable stream also appends them there.
   */
  keyLog?: boolean | string | NodeJS.WritableStream;
  /**
   * TLS 1.2: refuse peers without the extended master secret (RFC 7627). Default true; false only
   * for old peers (e.g. Go before 1.21), whose sessions are then never resumed.
   */
  requireExtendedMasterSecret?: boolean;
  provider?: CryptoProvider;
  /** Destroy with ERR_TLS_TRUNCATED when TCP closes without close_notify (default: end, `truncated` set). */
  rejectTruncation?: boolean;
  // passed to net.connect / the Duplex
  localAddress?: string;
  localPort?: number;
  family?: number;
  hints?: number;
  lookup?: net.LookupFunction;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  autoSelectFamily?: boolean;
  autoSelectFamilyAttemptTimeout?: number;
  allowHalfOpen?: boolean;
  highWaterMark?: number;
  /** Like net.Socket's: data into your buffer and callback instead of 'data' events. */
  onread?: OnRead;
}

/** node:tls options hush refuses, with what to do instead. */
const REFUSED: Readonly<Record<string, string>> = REFUSED_TLS_OPTIONS;

type Callback = () => void;

function normalizeArgs(args: unknown[]): { options: ConnectOptions; cb: Callback | undefined } {
  let options: ConnectOptions = {};
  let cb: Callback | undefined;
  let i = 0;
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    options.port = Number(args[0]);
    i = 1;
    if (typeof args[1] === 'string') {
      options.host = args[1];
      i = 2;
    }
  } else if (typeof args[0] === 'string') {
    options.socketPath = args[0];
    i = 1;
  }
  if (args[i] !== null && typeof args[i] === 'object') {
    options = { ...(args[i] as ConnectOptions), ...options };
    i++;
  }
  if (typeof args[i] === 'function') cb = args[i] as Callback;
  return { options, cb };
}

function openKeyLog(target: string | NodeJS.WritableStream): (line: Buffer) => void {
  const stream = typeof target === 'string' ? createWriteStream(target, { flags: 'a', mode: 0o600 }) : target;
  return (line) => {
    stream.write(line);
  };
}

/**
 * Trust stores made from `ca`, by content: connect() is commonly called with the same `ca` for
 * every connection (an https.Agent passes its options to each one), and a store per connection
 * costs its index and parsed anchors for the connection's whole life. The few most recent are
 * kept; a store is never changed after it is made here.
 */
const TRUST_CACHE_SIZE = 8;
const trustCache = new Map<string, TrustStore>();

/** A key that identifies `ca` by content (undefined: not worth caching). */
function caKey(ca: PemInput): string | undefined {
  const items = Array.isArray(ca) ? (ca as readonly unknown[]) : [ca];
  let key = '';
  for (const item of items) {
    if (typeof item === 'string') key += `s${item.length}:${item}`;
    else if (item instanceof Uint8Array) key += `b${item.length}:${Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('latin1')}`;
    else return undefined; // toTrustStore reports it
  }
  return key;
}

function trustStoreFor(ca: PemInput): TrustStore {
  const key = caKey(ca);
  if (key === undefined) return toTrustStore(ca);
  const cached = trustCache.get(key);
  if (cached) {
    trustCache.delete(key); // most recently used last
    trustCache.set(key, cached);
    return cached;
  }
  const store = toTrustStore(ca);
  trustCache.set(key, store);
  if (trustCache.size > TRUST_CACHE_SIZE) trustCache.delete(trustCache.keys().next().value!);
  return store;
}

/**
 * `ciphers`, `ecdhCurve` and `sigalgs` parsed once per distinct string: the config of every
 * connection keeps the lists for life, and connections made with the same options share them.
 */
const parsedLists = new Map<string, readonly number[] | undefined>();

function parsedList(kind: string, value: unknown, parse: (v: unknown) => number[] | undefined): readonly number[] | undefined {
  if (typeof value !== 'string') return parse(value); // undefined, or the UsageError for a bad type
  const key = `${kind}\0${value}`;
  if (parsedLists.has(key)) return parsedLists.get(key);
  const list = parse(value);
  if (parsedLists.size >= 64) parsedLists.clear();
  parsedLists.set(key, list);
  return list;
}

let ipServernameWarned = false;

/** node's DEP0123, once per process. hush never sends an IP address as SNI (RFC 6066 §3). */
function warnIpServername(): void {
  if (ipServernameWarned) return;
  ipServernameWarned = true;
  process.emitWarning(
    'Setting the TLS ServerName to an IP address is not permitted by RFC 6066. This will be ignored in a future version.',
    'DeprecationWarning',
    'DEP0123',
  );
}

/** echConfigList as bytes: a Uint8Array, or base64 text (standard or URL-safe alphabet). */
function parseEchConfigList(v: Uint8Array | string | undefined | null): Uint8Array | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(v.trim())) throw new UsageError('echConfigList must be bytes or a base64 string');
  return new Uint8Array(Buffer.from(v.trim(), 'base64'));
}

/** The ClientConfig connect() would use (exported for the CLI and tests). */
export function clientConfigFromOptions(o: ConnectOptions): { config: ClientConfig; host: string; servername: string } {
  refuseOptions(o, REFUSED, 'connect()');
  const provider = o.provider ?? nodeCryptoProvider;
  const host = o.hostname || o.host || 'localhost';
  if (typeof host !== 'string' || host.length === 0) throw new UsageError('host must be a non-empty string');
  if (o.servername !== undefined && o.servername !== null && typeof o.servername !== 'string') throw invalidArgType('name', 'of type string', o.servername);
  // node: servername '' means "send no SNI"; hush sends none only for IP addresses (RFC 6066 §3),
  // so '' checks and sends the host, like an absent servername.
  const servername = o.servername || host;
  if (o.servername && isIP(o.servername) !== 0) warnIpServername();
  const rejectUnauthorized = o.rejectUnauthorized !== false;
  let trust: TrustStore;
  if (o.ca === undefined || o.ca === null) trust = defaultTrustStore();
  else if (o.ca instanceof TrustStore) trust = o.ca;
  else if (o.ca === 'system') trust = sharedSystemTrustStore();
  else trust = trustStoreFor(o.ca);
  let session: SessionTicket | undefined;
  if (o.session instanceof Uint8Array) session = decodeSession(o.session);
  else if (o.session !== undefined && o.session !== null) session = o.session as SessionTicket;
  const versions = versionRange(o);
  if (noTicketOption(o.secureOptions)) {
    throw new UsageError('secureOptions: SSL_OP_NO_TICKET is a server option in hush (a hush client always accepts tickets); drop it from connect()', 'ERR_HUSH_UNSUPPORTED_OPTION');
  }
  const ctx = o.secureContext;
  if (ctx !== undefined && !(ctx instanceof SecureContext)) throw new UsageError("secureContext must come from hush's createSecureContext()");
  if (ctx?.trust !== undefined && (o.ca === undefined || o.ca === null)) trust = ctx.trust;
  const certified =
    o.cert === undefined && o.key === undefined && o.pfx === undefined && ctx !== undefined
      ? ctx.certificates
      : [...toCertifiedKeys(provider, o.cert, o.key, o.passphrase), ...pfxCertifiedKeys(provider, o.pfx, o.passphrase)];
  if (certified.length > 1) throw new UsageError('a client presents one certificate: give one key and one cert chain');
  const config: ClientConfig = {
    provider,
    now: Date.now,
    serverName: servername,
    trust,
    // With checkServerIdentity the host name check is the application's (like node): the core
    // reports failures instead, and the socket decides (socket.ts #onHandshake).
    rejectUnauthorized: rejectUnauthorized && o.checkServerIdentity === undefined,
    verify: { profile: parseProfile(o.profile, 'connect()') ?? 'webpki' },
    cipherSuites: parsedList('ciphers', o.ciphers, parseCiphers),
    groups: parsedList('ecdhCurve', o.ecdhCurve, parseCurves),
    signatureSchemes: parsedList('sigalgs', o.sigalgs, parseSigalgs),
    minVersion: versions.minVersion,
    maxVersion: versions.maxVersion,
    alpnProtocols: parseAlpn(o.ALPNProtocols),
    keyLog: o.keyLog !== false,
    trace: o.trace === true || o.enableTrace === true,
    session,
    clientCertificate: certified[0],
    requireExtendedMasterSecret: o.requireExtendedMasterSecret,
    ...clientRevocationConfig(o),
    echConfigList: parseEchConfigList(o.echConfigList),
    echGrease: o.echGrease,
  };
  return { config, host, servername };
}

/** node's AbortError for a connection whose signal aborted. */
function abortError(signal: AbortSignal): Error {
  const e = new Error('The operation was aborted', { cause: signal.reason }) as Error & { code: string };
  e.name = 'AbortError';
  e.code = 'ABORT_ERR';
  return e;
}

/** Destroy `socket` with an AbortError when `signal` aborts (at once, a tick later, if it already has). */
function abortOn(socket: TLSSocket, signal: AbortSignal): void {
  if (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function') {
    throw new UsageError('signal must be an AbortSignal');
  }
  if (signal.aborted) {
    process.nextTick(() => socket.destroy(abortError(signal)));
    return;
  }
  const onAbort = (): void => {
    socket.destroy(abortError(signal));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', onAbort));
}

/** The peer's chain checked against the config's trust store, without the host name. */
function chainVerifier(config: ClientConfig): (chain: readonly Certificate[]) => Error | undefined {
  return (chain) => {
    if (chain.length === 0 || !config.trust) return undefined;
    const r = verifyServerChain({
      leaf: chain[0]!,
      intermediates: chain.slice(1),
      roots: config.trust,
      at: new Date(config.now()),
      provider: config.provider,
      purpose: 'serverAuth',
    });
    return r.ok ? undefined : r.error;
  };
}

/**
 * node:tls.connect over hush: connect(options[, cb]) or connect(port[, host][, options][, cb]).
 * `cb` is added as a 'secureConnect' listener. Throws UsageError for bad or unsupported options.
 */
export function connect(options: ConnectOptions, cb?: Callback): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, cb?: Callback): TLSSocket;
export function connect(port: number, options?: ConnectOptions, cb?: Callback): TLSSocket;
export function connect(...args: unknown[]): TLSSocket {
  const { options: o, cb } = normalizeArgs(args);
  const { config, host, servername } = clientConfigFromOptions(o);
  const handshakeTimeout = parseHandshakeTimeout(o.handshakeTimeout);
  const onread = checkOnRead(o.onread); // before a socket is opened
  const connection = new ClientConnection(config, NODE_CLIENT_TRANSPORT);

  let raw: Duplex;
  if (o.socket) {
    raw = o.socket;
  } else {
    const common = {
      allowHalfOpen: true, // TLSSocket decides when to end the transport
      ...(o.noDelay !== undefined ? { noDelay: o.noDelay } : {}),
      ...(o.keepAlive !== undefined ? { keepAlive: o.keepAlive } : {}),
      ...(o.keepAliveInitialDelay !== undefined ? { keepAliveInitialDelay: o.keepAliveInitialDelay } : {}),
    };
    const path = typeof o.socketPath === 'string' ? o.socketPath : typeof o.path === 'string' ? o.path : undefined;
    if (path !== undefined) {
      raw = net.connect({ ...common, path });
    } else {
      const port = Number(o.port ?? 443);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw badPort(o.port);
      raw = net.connect({
        ...common,
        host,
        port,
        ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
        ...(o.localPort !== undefined ? { localPort: o.localPort } : {}),
        ...(o.family !== undefined ? { family: o.family } : {}),
        ...(o.hints !== undefined ? { hints: o.hints } : {}),
        ...(o.lookup !== undefined ? { lookup: o.lookup } : {}),
        ...(o.autoSelectFamily !== undefined ? { autoSelectFamily: o.autoSelectFamily } : {}),
        ...(o.autoSelectFamilyAttemptTimeout !== undefined ? { autoSelectFamilyAttemptTimeout: o.autoSelectFamilyAttemptTimeout } : {}),
      });
    }
  }

  const socket = new TLSSocket(raw, {
    connection,
    servername,
    host,
    handshakeTimeout,
    rejectTruncation: o.rejectTruncation,
    rejectUnauthorized: o.rejectUnauthorized !== false,
    checkServerIdentity: o.checkServerIdentity,
    ...(o.checkServerIdentity !== undefined ? { verifyChain: chainVerifier(config) } : {}),
    localCertificate: config.clientCertificate?.chain[0],
    allowHalfOpen: o.allowHalfOpen,
    highWaterMark: o.highWaterMark,
    onread,
  });
  if (o.keyLog !== undefined && typeof o.keyLog !== 'boolean') socket.on('keylog', openKeyLog(o.keyLog));
  if (o.timeout !== undefined) socket.setTimeout(o.timeout);
  if (o.signal !== undefined) abortOn(socket, o.signal);
  if (o.enableTrace === true) socket.enableTrace();
  if (cb) socket.once('secureConnect', cb);
  return socket;
}
