// The handshake message framing (RFC 8446 §4, RFC 5246 §7.4): a 1-byte type, a 3-byte length, the body.
import { Reader, Writer } from '../../bytes/index.js';
import { decodeError, UsageError, unexpectedMessage } from '../../errors/index.js';
import { HandshakeType } from '../../wire/index.js';

/** One complete handshake message as it came off the wire. */
export interface HandshakeMessage {
  /** HandshakeType; unknown values stay numbers. */
  readonly type: number;
  /** The body, after the 4-byte header (a view into `raw`). */
  readonly body: Uint8Array;
  /** Header + body: exactly the bytes that go into the transcript hash. */
  readonly raw: Uint8Array;
}

export const HANDSHAKE_HEADER_LENGTH = 4;
/** The largest length a handshake header can express (u24). */
export const MAX_HANDSHAKE_MESSAGE_LIMIT = 0xffffff;
/** Default bound on one handshake message body (certificate chains rarely exceed it). */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 64 * 1024;
/**
 * The largest ClientHello body the wire format can express (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2):
 * legacy_version 2 + random 32 + legacy_session_id<0..32> (1 + 32)
 * + cipher_suites<2..2^16-2> (2 + 65534) + legacy_compression_methods<1..2^8-1> (1 + 255)
 * + extensions<8..2^16-1> (2 + 65535) = 131 396 bytes (OpenSSL's CLIENT_HELLO_MAX_LENGTH too).
 * The default bound for ClientHello: every legal ClientHello is accepted.
 */
export const MAX_CLIENT_HELLO_SIZE = 2 + 32 + (1 + 32) + (2 + 65534) + (1 + 255) + (2 + 65535);
/**
 * Default bound on the records one ClientHello may span: any ClientHello up to 4 KiB even when
 * sent a byte per record (test suites do that), the largest one in records of 32 bytes or more.
 */
export const DEFAULT_MAX_CLIENT_HELLO_RECORDS = 4096;

/**
 * Frame `body` as a handshake message of `type`: the full message, header included. A writer
 * callback may come with `sizeHint`, the expected body length, so the buffer is allocated once
 * (each doubling of a Writer is a new ArrayBuffer and a copy).
 */
export function encodeHandshake(type: number, body: Uint8Array | ((w: Writer) => void), sizeHint = 252): Uint8Array {
  const w = new Writer(typeof body === 'function' ? sizeHint + 4 : body.length + 4);
  w.u8(type);
  w.vector(3, body);
  return w.finish();
}

/**
 * Parse exactly one complete handshake message (header + body) from `raw`, which must hold
 * nothing else. For streams of fragments use `HandshakeJoiner`.
 */
export function parseHandshake(raw: Uint8Array): HandshakeMessage {
  const r = new Reader(raw, 'handshake');
  const type = r.u8('msg_type');
  const body = r.vector(3, 'body');
  r.expectEnd();
  return { type, body, raw };
}

export interface HandshakeJoinerOptions {
  /**
   * Largest accepted body length in bytes (default 64 KiB, at most 2^24-1). A header announcing
   * more fails with decode_error as soon as the header is seen, before buffering the body.
   */
  maxMessageSize?: number;
  /** The same bound for ClientHello messages (default: `maxMessageSize`; a server passes MAX_CLIENT_HELLO_SIZE). */
  maxClientHelloSize?: number;
  /**
   * A ClientHello still incomplete after this many pushed fragments (records) fails with
   * unexpected_message. Default: no bound (a server passes DEFAULT_MAX_CLIENT_HELLO_RECORDS).
   */
  maxClientHelloRecords?: number;
}

const NO_BYTES = new Uint8Array(0);

/**
 * Reassembles handshake messages from handshake-record fragments (RFC 8446 §5.1): one message may
 * span several records and one record may carry several messages. Messages come out whole, each a
 * fresh copy, so the caller may keep them. Buffering is bounded by `maxMessageSize` + 4 plus the
 * size of the complete messages not yet taken with `next()`.
 *
 * Record-boundary rules are the connection's: RFC 8446 §5.1 forbids a key change while a partial
 * message is buffered (unexpected_message); check `hasPartial`/`isEmpty` then, or call
 * `assertRecordBoundary`. Empty fragments are ignored here; the record layer rejects them.
 */
export class HandshakeJoiner {
  readonly maxMessageSize: number;
  readonly maxClientHelloSize: number;
  readonly maxClientHelloRecords: number;
  private buf: Uint8Array = NO_BYTES;
  private start = 0;
  private end = 0;
  /**
   * Offset of the first header not yet checked against the size bound: once checkHeaders() ran,
   * the end of the last complete message, or (when it is past `end`) of the partial one.
   */
  private scanned = 0;
  /** Offset of the message that `scanned` ends (the partial message, when scanned !== end). */
  private partialStart = 0;
  /** Fragments that carried part of the partial message so far. */
  private partialPieces = 0;

  constructor(options: HandshakeJoinerOptions = {}) {
    const check = (name: string, v: number, min: number, max: number) => {
      if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`${name} must be an integer in ${min}..${max}, got ${v}`);
      return v;
    };
    this.maxMessageSize = check('maxMessageSize', options.maxMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE, 0, MAX_HANDSHAKE_MESSAGE_LIMIT);
    this.maxClientHelloSize = check('maxClientHelloSize', options.maxClientHelloSize ?? this.maxMessageSize, 0, MAX_HANDSHAKE_MESSAGE_LIMIT);
    this.maxClientHelloRecords = check('maxClientHelloRecords', options.maxClientHelloRecords ?? Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
  }

  /** Bytes buffered (complete messages not yet taken plus any partial one). */
  get buffered(): number {
    return this.end - this.start;
  }

  /** True when nothing is buffered: the joiner sits on a message boundary with nothing queued. */
  get isEmpty(): boolean {
    return this.end === this.start;
  }

  /** True when the buffered bytes end in an incomplete message (after taking all complete ones). */
  get hasPartial(): boolean {
    let p = this.start;
    while (p < this.end) {
      if (this.end - p < HANDSHAKE_HEADER_LENGTH) return true;
      const len = this.lengthAt(p);
      if (this.end - p < HANDSHAKE_HEADER_LENGTH + len) return true;
      p += HANDSHAKE_HEADER_LENGTH + len;
    }
    return false;
  }

  /**
   * RFC 8446 §5.1: handshake messages that precede a key change must end at a record boundary.
   * Throws unexpected_message when anything is still buffered.
   */
  assertRecordBoundary(what = 'key change'): void {
    if (!this.isEmpty) {
      throw unexpectedMessage(`${this.buffered} bytes of handshake data are buffered across a ${what} (RFC 8446 §5.1)`);
    }
  }

  /** Add one record's handshake fragment. Checks every header it completes against the size bound. */
  push(fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    const have = this.end - this.start;
    const partialBefore = this.scanned !== this.end ? this.partialStart - this.start : -1;
    if (this.end + fragment.length > this.buf.length) {
      const need = have + fragment.length;
      if (need <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let cap = Math.max(256, this.buf.length);
        while (cap < need) cap *= 2;
        // Doubling stops at what one message and one record can need (not 256 KiB for a 129 KiB hello).
        cap = Math.max(need, Math.min(cap, Math.max(this.maxMessageSize, this.maxClientHelloSize) + HANDSHAKE_HEADER_LENGTH + 16384));
        const next = new Uint8Array(cap);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.scanned -= this.start;
      this.partialStart -= this.start;
      this.start = 0;
      this.end = have;
    }
    this.buf.set(fragment, this.end);
    this.end += fragment.length;
    this.checkHeaders();
    if (this.scanned === this.end) {
      this.partialPieces = 0;
      return;
    }
    // A partial message remains: count the fragments it has taken so far.
    this.partialPieces = this.partialStart - this.start === partialBefore ? this.partialPieces + 1 : 1;
    if (this.partialPieces >= this.maxClientHelloRecords && this.buf[this.partialStart] === HandshakeType.client_hello) {
      throw unexpectedMessage(`the ClientHello is still incomplete after ${this.partialPieces} records (maxClientHelloRecords)`);
    }
  }

  /**
   * Remove and return every buffered byte (complete messages not taken and any partial one), in
   * one copy: for the Acceptor, which hands them on to the connection it creates.
   */
  takeBuffered(): Uint8Array {
    const out = this.buf.slice(this.start, this.end);
    this.buf = NO_BYTES;
    this.start = this.end = this.scanned = this.partialStart = this.partialPieces = 0;
    return out;
  }

  /** The next complete message, or undefined when more bytes are needed. */
  next(): HandshakeMessage | undefined {
    const avail = this.end - this.start;
    if (avail < HANDSHAKE_HEADER_LENGTH) return undefined;
    const len = this.lengthAt(this.start);
    const total = HANDSHAKE_HEADER_LENGTH + len;
    if (avail < total) return undefined;
    const raw = this.buf.slice(this.start, this.start + total);
    this.start += total;
    if (this.start === this.end) {
      // Nothing pending: an idle connection keeps no buffer (the next message allocates one).
      this.start = this.end = this.scanned = 0;
      this.buf = NO_BYTES;
    }
    return { type: raw[0]!, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
  }

  private lengthAt(p: number): number {
    const b = this.buf;
    return (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  private checkHeaders(): void {
    let p = Math.max(this.scanned, this.start);
    let last = p === this.scanned ? this.partialStart : p;
    while (this.end - p >= HANDSHAKE_HEADER_LENGTH) {
      const len = this.lengthAt(p);
      const hello = this.buf[p] === HandshakeType.client_hello;
      const max = hello ? this.maxClientHelloSize : this.maxMessageSize;
      if (len > max) {
        // Our own bound, not an RFC limit: reported as decode_error naming the limit.
        throw decodeError(
          `handshake message type ${this.buf[p]} announces ${len} bytes, over the limit of ${max} bytes (${hello ? 'maxClientHelloSize' : 'maxMessageSize'})`,
        );
      }
      last = p;
      p += HANDSHAKE_HEADER_LENGTH + len;
    }
    // p is now the end of the last complete header's message, or a partial header's start.
    this.partialStart = p < this.end ? p : last;
    this.scanned = p;
  }
}

/** Fail with decode_error unless an empty-bodied message (ServerHelloDone, EndOfEarlyData, HelloRequest) is empty. */
export function expectEmptyBody(body: Uint8Array, what: string): void {
  if (body.length !== 0) throw decodeError(`${what}: body must be empty, has ${body.length} bytes`);
}
