// ClientHello (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2 for TLS 1.2 peers).
import { equal, Reader, Writer } from '../../bytes/index.js';
import { decodeError, illegalParameter, internalError } from '../../errors/index.js';
import { ExtensionType, HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

export interface ClientHello {
  /** legacy_version: 0x0303 from TLS 1.3 clients. */
  readonly legacyVersion: number;
  /** 32 bytes. */
  readonly random: Uint8Array;
  /** legacy_session_id<0..32>. */
  readonly legacySessionId: Uint8Array;
  /** CipherSuite cipher_suites<2..2^16-2>, in the client's order; unknown values kept. */
  readonly cipherSuites: readonly number[];
  /** legacy_compression_methods<1..2^8-1>; always contains 0 after decoding. */
  readonly compressionMethods: readonly number[];
  /** In wire order, no duplicates; empty when the block was absent (old TLS 1.2 hellos). */
  readonly extensions: readonly Extension[];
}

/** A decoded ClientHello with quick lookups and its transcript bytes. */
export interface ClientHelloView extends ClientHello {
  /** The full handshake message (header + body), for the transcript and for binder checks. */
  readonly raw: Uint8Array;
  /** The body as received (a view). */
  readonly body: Uint8Array;
  /** True when the hello had no extensions block at all (only legal before TLS 1.3). */
  readonly extensionsAbsent: boolean;
  /** Extensions by type. */
  readonly extensionsByType: ReadonlyMap<number, Extension>;
  /** The body of the extension of `type`, or undefined. */
  extension(type: number): Uint8Array | undefined;
  has(type: number): boolean;
  /** RFC 8446 §4.1.2: a TLS 1.3 ClientHello must offer exactly [null]; the state machine enforces it. */
  readonly onlyNullCompression: boolean;
}

export function encodeClientHello(msg: ClientHello): Uint8Array {
  return encodeHandshake(HandshakeType.client_hello, (w: Writer) => {
    w.u16(msg.legacyVersion);
    w.bytes(msg.random);
    w.vector(1, msg.legacySessionId);
    w.u16List(2, msg.cipherSuites);
    w.vector(1, (w2) => {
      for (const c of msg.compressionMethods) w2.u8(c);
    });
    writeExtensions(w, msg.extensions);
  });
}

/**
 * `body` is the message body (after the 4-byte header). Pass `raw` (the full message, e.g.
 * `HandshakeMessage.raw` from the joiner) to reuse it; otherwise the header is rebuilt (one copy).
 */
export function decodeClientHello(body: Uint8Array, raw?: Uint8Array): ClientHelloView {
  const r = new Reader(body, 'ClientHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const legacySessionId = r.vector(1, 'legacy_session_id', 0, 32);
  const cipherSuites = r.u16List(2, 'cipher_suites', 1);
  const compressionMethods = [...r.vector(1, 'legacy_compression_methods', 1)];
  // RFC 5246 §7.4.1.2: the list MUST contain null. Treated as a malformed hello (as OpenSSL does).
  if (!compressionMethods.includes(0)) {
    throw decodeError('ClientHello: legacy_compression_methods does not contain null (0)');
  }
  // RFC 5246 §7.4.1.2: a TLS 1.2 hello may end here, with no extensions block.
  const extensionsAbsent = r.atEnd;
  const extensions = extensionsAbsent ? [] : readExtensions(r);
  r.expectEnd();
  // RFC 8446 §4.2.11: pre_shared_key "MUST be the last extension in the ClientHello"
  // → "servers MUST check that it is the last extension and otherwise fail the handshake with an
  // illegal_parameter alert".
  const pskIndex = extensions.findIndex((e) => e.type === ExtensionType.pre_shared_key);
  if (pskIndex !== -1 && pskIndex !== extensions.length - 1) {
    throw illegalParameter('ClientHello: pre_shared_key is not the last extension (RFC 8446 §4.2.11)');
  }
  const byType = new Map(extensions.map((e) => [e.type, e]));
  if (raw !== undefined && (raw.length !== body.length + 4 || raw[0] !== HandshakeType.client_hello || !equal(raw.subarray(4), body))) {
    throw internalError('decodeClientHello: raw is not the message whose body was given');
  }
  raw ??= encodeHandshake(HandshakeType.client_hello, body);
  return {
    legacyVersion,
    random,
    legacySessionId,
    cipherSuites,
    compressionMethods,
    extensions,
    raw,
    body,
    extensionsAbsent,
    extensionsByType: byType,
    extension: (type) => byType.get(type)?.data,
    has: (type) => byType.has(type),
    onlyNullCompression: compressionMethods.length === 1 && compressionMethods[0] === 0,
  };
}
