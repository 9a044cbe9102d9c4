// Splits the received byte stream into records (RFC 8446 §5.1, RFC 5246 §6.2.1).
//
// Chunks of any size are pushed; `next()` yields complete records. A record that lies inside one
// pushed chunk is returned as a view of that chunk (no copy); one that straddles chunks is
// assembled into a single internal buffer of at most one maximal record, reused for the next
// straddling record while bytes are pending (dropped once the deframer is empty). The deframer
// keeps references to pushed chunks until their bytes are consumed, so callers must not modify a
// chunk after pushing it; a yielded fragment is valid until the next call to `next()` (decrypt or
// copy it before asking for the next record). Small chunks pushed while a record is incomplete are
// copied into shared tail buffers instead, so a peer that sends a record a byte per packet costs
// about the record's size in memory, not an object per byte.
//
// What this layer checks, and what it leaves to the connection:
// * Content type must be 20..23 (change_cipher_spec, alert, handshake, application_data); any
//   other → unexpected_message. (RFC 8446 §5: unexpected types are handled per state; heartbeat
//   and unknown types are never valid for hush, so they are rejected here.) Which of 20..23 is
//   acceptable in the current state is the connection's business. A first record that is plain
//   HTTP gets a message that says so.
// * legacy_record_version: only its first byte is checked, which must be 3 (every SSL 3.0/TLS
//   record header has it; anything else is not TLS framing) → else protocol_version. The second
//   byte is not checked, on any record: RFC 8446 §5.1 says the field "MUST be ignored for all
//   purposes" (it is only authenticated, as part of the TLS 1.3 AAD); RFC 5246 Appendix E.1 says a
//   server "MUST accept any value {03,XX}" on a ClientHello, and RFC 5246 sets no receiver check
//   for later records (rustls checks no more than this; a TLS 1.2 record's version is in its MAC
//   input, so a changed byte fails authentication anyway). A first byte with the high bit set is an
//   SSLv2-format ClientHello, refused with a clear protocol_version message.
// * Length: records of types 20..22 are plaintext (≤ 2^14) until `protectAllTypes` is set
//   (TLS 1.2 after ChangeCipherSpec); application_data (23) is always allowed the ciphertext
//   limit, 2^14 + 256 by default (RFC 8446 §5.2). Longer → record_overflow, detected from the
//   header alone, before the body arrives.
// * Zero-length change_cipher_spec, alert and handshake records → unexpected_message (RFC 8446
//   §5.1, RFC 5246 §6.2.1 forbid sending them; no valid protected record is empty either).
import { TlsError } from '../errors/errors.js';
import { ContentType } from '../wire/enums.js';
import { MAX_CIPHERTEXT_LENGTH_13, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from './limits.js';

const EMPTY = new Uint8Array(0);
/** Never written: push() replaces it with a fresh array first. */
const EMPTY_CHUNKS: Uint8Array[] = [];
/** A chunk shorter than this that arrives while a record is incomplete is copied into a tail buffer. */
const SMALL_CHUNK = 1024;
/** Largest tail buffer (smaller ones when the pending record needs less). */
const TAIL_BYTES = 4096;
/** Smallest tail buffer (the record header is not complete yet, so its size is unknown). */
const MIN_TAIL_BYTES = 64;
/** Plain HTTP request methods (and a response's "HTTP/"), as the first 4 bytes of a stream. */
const HTTP_STARTS = ['GET ', 'POST', 'HEAD', 'PUT ', 'DELE', 'OPTI', 'PATC', 'CONN', 'TRAC', 'PRI ', 'HTTP'];

export interface TlsRecord {
  readonly type: number;
  /** legacy_record_version as received. */
  readonly version: number;
  /** The record body (a view; see the file comment for its lifetime). */
  readonly fragment: Uint8Array;
}

export interface DeframerOptions {
  /** Limit for protected records (type 23, and all types once `protectAllTypes`). Default 2^14 + 256. */
  maxCiphertextLength?: number;
  /** Limit for plaintext records. Default 2^14. */
  maxPlaintextLength?: number;
}

export class RecordDeframer {
  /**
   * Pushed chunks; chunks[first] is the oldest with unconsumed bytes (an index, not shift(): O(1)
   * for 1-byte feeds). Shared EMPTY_CHUNKS while none are held (an idle connection keeps no array).
   */
  private chunks: Uint8Array[] = EMPTY_CHUNKS;
  private first = 0;
  /** Offset of the first unconsumed byte in chunks[first]. */
  private head = 0;
  private available = 0;
  private assembly: Uint8Array | undefined;
  private maxCiphertext: number;
  private maxPlaintext: number;
  private allProtected = false;
  private failed: TlsError | undefined;
  /** A record was returned (the stream is TLS, not something else). */
  private started = false;
  /**
   * An owned buffer that small chunks are copied into (see SMALL_CHUNK); while set, the last entry
   * of `chunks` is its view [0, tailEnd). Bytes are only ever appended, so views handed out stay valid.
   */
  private tail: Uint8Array | undefined;
  private tailEnd = 0;

  constructor(options: DeframerOptions = {}) {
    this.maxCiphertext = options.maxCiphertextLength ?? MAX_CIPHERTEXT_LENGTH_13;
    this.maxPlaintext = options.maxPlaintextLength ?? MAX_PLAINTEXT_LENGTH;
  }

  /** Bytes received and not yet returned as records. */
  get bufferedBytes(): number {
    return this.available;
  }

  /** TLS 1.2: after ChangeCipherSpec every record type is protected (ciphertext limit applies). */
  set protectAllTypes(on: boolean) {
    this.allProtected = on;
  }

  /** Change the limits (TLS 1.2 needs 2^14 + 2048; record_size_limit lowers them). */
  setLimits(options: DeframerOptions): void {
    if (options.maxCiphertextLength !== undefined) this.maxCiphertext = options.maxCiphertextLength;
    if (options.maxPlaintextLength !== undefined) this.maxPlaintext = options.maxPlaintextLength;
  }

  /** Add received bytes. Throws the same error again if the stream already failed. */
  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    const n = chunk.length;
    if (n === 0) return;
    if (this.chunks === EMPTY_CHUNKS) {
      this.chunks = [chunk];
    } else if (n < SMALL_CHUNK) {
      // A record arriving in small pieces: copy them together (bounded by the record size)
      // rather than keep one array object per piece.
      let tail = this.tail;
      if (tail === undefined || tail.length - this.tailEnd < n) {
        tail = this.tail = new Uint8Array(Math.max(n, Math.min(TAIL_BYTES, this.missingBytes())));
        this.tailEnd = 0;
        this.chunks.push(tail.subarray(0, 0));
      }
      tail.set(chunk, this.tailEnd);
      this.tailEnd += n;
      this.chunks[this.chunks.length - 1] = tail.subarray(0, this.tailEnd);
    } else {
      this.chunks.push(chunk);
      this.tail = undefined;
    }
    this.available += n;
  }

  /**
   * Remove and return every byte not yet returned as a record (a copy, in one array): for the
   * Acceptor, which hands them on to the connection it creates.
   */
  takeBuffered(): Uint8Array {
    if (this.failed) throw this.failed;
    const out = new Uint8Array(this.available);
    this.copyFront(this.available, out);
    this.available = 0;
    this.assembly = undefined;
    return out;
  }

  /** Bytes still missing from the pending record (a guess while its header is incomplete). */
  private missingBytes(): number {
    if (this.available < RECORD_HEADER_LENGTH) return MIN_TAIL_BYTES;
    const length = (this.byteAt(3) << 8) | this.byteAt(4);
    return Math.max(MIN_TAIL_BYTES, RECORD_HEADER_LENGTH + length - this.available);
  }

  /** The error for a stream that starts like plain HTTP, else undefined. */
  private plainHttp(): TlsError | undefined {
    const n = Math.min(this.available, 24);
    let text = '';
    for (let i = 0; i < n; i++) {
      const c = this.byteAt(i);
      if (c < 0x20 || c > 0x7e) break;
      text += String.fromCharCode(c);
    }
    if (!HTTP_STARTS.some((m) => text.startsWith(m))) return undefined;
    return text.startsWith('HTTP')
      ? new TlsError('unexpected_message', `the peer answered in plain HTTP ("${text}…"), not TLS: it does not speak TLS on this port`, { failure: 'plainHttpResponse' })
      : new TlsError('unexpected_message', `the peer sent a plain HTTP request ("${text}…"), not TLS: it should connect with https://`, { failure: 'plainHttpRequest' });
  }

  /** The next complete record, or undefined when more bytes are needed. */
  next(): TlsRecord | undefined {
    if (this.failed) throw this.failed;
    if (this.available === 0) {
      // Nothing pending: an idle connection keeps no assembly buffer (up to 18 KiB off-heap). A
      // fragment handed out from it stays valid: it keeps its own reference.
      this.assembly = undefined;
      return undefined;
    }
    const first = this.byteAt(0);
    if (first & 0x80) {
      return this.fail(new TlsError('protocol_version', 'received an SSLv2-format ClientHello; hush speaks TLS 1.2 and 1.3 only'));
    }
    if (this.available < RECORD_HEADER_LENGTH) return undefined;

    const type = first;
    const version = (this.byteAt(1) << 8) | this.byteAt(2);
    const length = (this.byteAt(3) << 8) | this.byteAt(4);
    if (type < ContentType.change_cipher_spec || type > ContentType.application_data) {
      return this.fail((this.started ? undefined : this.plainHttp()) ?? new TlsError('unexpected_message', `record of unknown content type ${type}`, { failure: 'unknownContentType' }));
    }
    if (version >>> 8 !== 3) {
      // Not the {03,XX} of every SSL 3.0/TLS record (RFC 5246 Appendix E.1): not TLS framing.
      return this.fail(new TlsError('protocol_version', `record version 0x${version.toString(16).padStart(4, '0')} is not TLS framing (TLS records carry 0x03XX)`, { failure: 'recordNotTls' }));
    }
    const isProtected = this.allProtected || type === ContentType.application_data;
    const limit = isProtected ? this.maxCiphertext : this.maxPlaintext;
    if (length > limit) {
      return this.fail(new TlsError('record_overflow', `record of ${length} bytes exceeds the ${limit}-byte limit`));
    }
    if (length === 0 && type !== ContentType.application_data) {
      return this.fail(new TlsError('unexpected_message', `empty record of content type ${type}`));
    }
    const total = RECORD_HEADER_LENGTH + length;
    if (this.available < total) return undefined;

    let fragment: Uint8Array;
    const c0 = this.chunks[this.first]!;
    if (c0.length - this.head >= total) {
      fragment = c0.subarray(this.head + RECORD_HEADER_LENGTH, this.head + total);
      this.head += total;
      if (this.head === c0.length) this.dropFirst();
    } else {
      this.skip(RECORD_HEADER_LENGTH);
      fragment = this.take(length);
    }
    this.available -= total;
    this.started = true;
    return { type, version, fragment };
  }

  private fail(err: TlsError): never {
    this.failed = err;
    this.chunks = EMPTY_CHUNKS;
    this.first = 0;
    this.head = 0;
    this.available = 0;
    this.tail = undefined;
    throw err;
  }

  private dropFirst(): void {
    this.chunks[this.first++] = EMPTY;
    this.head = 0;
    if (this.first === this.chunks.length) {
      this.chunks = EMPTY_CHUNKS;
      this.first = 0;
      this.tail = undefined;
    } else if (this.first >= 64 && this.first * 2 >= this.chunks.length) {
      this.chunks.splice(0, this.first);
      this.first = 0;
    }
  }

  /** The i-th unconsumed byte (i < available). Only used for the 5 header bytes. */
  private byteAt(i: number): number {
    let idx = this.head + i;
    for (let k = this.first; k < this.chunks.length; k++) {
      const c = this.chunks[k]!;
      if (idx < c.length) return c[idx]!;
      idx -= c.length;
    }
    throw new RangeError('deframer: byteAt past the end');
  }

  /** Drop n bytes from the front (across chunks). */
  private skip(n: number): void {
    while (n > 0) {
      const c = this.chunks[this.first]!;
      const have = c.length - this.head;
      if (have > n) {
        this.head += n;
        return;
      }
      n -= have;
      this.dropFirst();
    }
  }

  /** Copy n bytes from the front into the reusable assembly buffer. */
  private take(n: number): Uint8Array {
    if (this.assembly === undefined || this.assembly.length < n) {
      // Sized for the largest record the current limits allow, so it is allocated once.
      this.assembly = new Uint8Array(Math.max(n, this.maxCiphertext, this.maxPlaintext));
    }
    const out = this.assembly.subarray(0, n);
    this.copyFront(n, out);
    return out;
  }

  /** Move n bytes from the front (across chunks) into `out` (n ≤ out.length). */
  private copyFront(n: number, out: Uint8Array): void {
    let o = 0;
    while (o < n) {
      const c = this.chunks[this.first]!;
      const m = Math.min(c.length - this.head, n - o);
      if (m === 1) out[o] = c[this.head]!;
      else out.set(c.subarray(this.head, this.head + m), o);
      o += m;
      this.head += m;
      if (this.head === c.length) this.dropFirst();
    }
  }
}
