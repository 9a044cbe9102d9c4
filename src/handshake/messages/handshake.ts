// The handshake message framing (RFC 8446 §4, RFC 5246 §7.4): a 1-byte type, a 3-byte length, the body.
import { Reader, Writer } from '../../bytes/index.js';
import { decodeError, UsageError, unexpectedMessage } from '../../errors/index.js';

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
  private buf: Uint8Array = NO_BYTES;
  private start = 0;
  private end = 0;
  /** Offset of the first header not yet checked against the size bound. */
  private scanned = 0;

  constructor(options: HandshakeJoinerOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE;
    if (!Number.isInteger(max) || max < 0 || max > MAX_HANDSHAKE_MESSAGE_LIMIT) {
      throw new UsageError(`maxMessageSize must be an integer in 0..${MAX_HANDSHAKE_MESSAGE_LIMIT}, got ${max}`);
    }
    this.maxMessageSize = max;
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
    if (this.end + fragment.length > this.buf.length) {
      const need = have + fragment.length;
      if (need <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
        this.scanned -= this.start;
      } else {
        let cap = Math.max(256, this.buf.length);
        while (cap < need) cap *= 2;
        const next = new Uint8Array(cap);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
        this.scanned -= this.start;
      }
      this.start = 0;
      this.end = have;
    }
    this.buf.set(fragment, this.end);
    this.end += fragment.length;
    this.checkHeaders();
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
    while (this.end - p >= HANDSHAKE_HEADER_LENGTH) {
      const len = this.lengthAt(p);
      if (len > this.maxMessageSize) {
        // Our own bound, not an RFC limit: reported as decode_error naming the limit.
        throw decodeError(
          `handshake message type ${this.buf[p]} announces ${len} bytes, over the limit of ${this.maxMessageSize} bytes (maxMessageSize)`,
        );
      }
      p += HANDSHAKE_HEADER_LENGTH + len;
    }
    this.scanned = p;
  }
}

/** Fail with decode_error unless an empty-bodied message (ServerHelloDone, EndOfEarlyData, HelloRequest) is empty. */
export function expectEmptyBody(body: Uint8Array, what: string): void {
  if (body.length !== 0) throw decodeError(`${what}: body must be empty, has ${body.length} bytes`);
}
