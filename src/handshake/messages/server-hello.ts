// ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4; RFC 5246 §7.4.1.3).
import { equal, Reader, Writer } from '../../bytes/index.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12, HandshakeType, HELLO_RETRY_REQUEST_RANDOM } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

export interface ServerHello {
  readonly legacyVersion: number;
  /** 32 bytes; HELLO_RETRY_REQUEST_RANDOM for a HelloRetryRequest. */
  readonly random: Uint8Array;
  /** legacy_session_id_echo<0..32>. */
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  /** legacy_compression_method; must be 0 (the client checks: it never offers another). */
  readonly compressionMethod: number;
  /** Wire order, no duplicates; empty when the block was absent (TLS 1.2 only). */
  readonly extensions: readonly Extension[];
}

export interface ServerHelloView extends ServerHello {
  /** RFC 8446 §4.1.3: a ServerHello whose random is the special HRR value is a HelloRetryRequest. */
  readonly isHelloRetryRequest: boolean;
  /** RFC 8446 §4.1.3: the last 8 bytes of random, if they are a downgrade sentinel. */
  readonly downgradeSentinel: 'tls12' | 'tls11' | undefined;
  readonly extensionsAbsent: boolean;
  readonly extensionsByType: ReadonlyMap<number, Extension>;
  extension(type: number): Uint8Array | undefined;
  has(type: number): boolean;
}

export function encodeServerHello(msg: ServerHello): Uint8Array {
  return encodeHandshake(HandshakeType.server_hello, (w: Writer) => {
    w.u16(msg.legacyVersion);
    w.bytes(msg.random);
    w.vector(1, msg.legacySessionIdEcho);
    w.u16(msg.cipherSuite);
    w.u8(msg.compressionMethod);
    writeExtensions(w, msg.extensions);
  });
}

/** A HelloRetryRequest is a ServerHello with the special random (RFC 8446 §4.1.4). */
export function encodeHelloRetryRequest(msg: Omit<ServerHello, 'random'>): Uint8Array {
  return encodeServerHello({ ...msg, random: HELLO_RETRY_REQUEST_RANDOM });
}

export function decodeServerHello(body: Uint8Array): ServerHelloView {
  const r = new Reader(body, 'ServerHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const legacySessionIdEcho = r.vector(1, 'legacy_session_id_echo', 0, 32);
  const cipherSuite = r.u16('cipher_suite');
  const compressionMethod = r.u8('legacy_compression_method');
  const extensionsAbsent = r.atEnd;
  const extensions = extensionsAbsent ? [] : readExtensions(r);
  r.expectEnd();
  const tail = random.subarray(24);
  const byType = new Map(extensions.map((e) => [e.type, e]));
  return {
    legacyVersion,
    random,
    legacySessionIdEcho,
    cipherSuite,
    compressionMethod,
    extensions,
    isHelloRetryRequest: equal(random, HELLO_RETRY_REQUEST_RANDOM),
    downgradeSentinel: equal(tail, DOWNGRADE_TLS12) ? 'tls12' : equal(tail, DOWNGRADE_TLS11) ? 'tls11' : undefined,
    extensionsAbsent,
    extensionsByType: byType,
    extension: (type) => byType.get(type)?.data,
    has: (type) => byType.has(type),
  };
}
