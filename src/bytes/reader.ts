import { decodeError } from '../errors/errors.js';

/**
 * A strict cursor over TLS wire bytes. Every read is bounds-checked and fails with a
 * `decode_error` TlsError (never a RangeError from a DataView). Sub-readers returned by the
 * vector helpers cover exactly the vector's bytes, so `expectEnd()` on them proves a decoder
 * consumed exactly what it was given.
 */
export class Reader {
  private pos: number;
  private readonly end: number;

  /** `what` names the structure being parsed, for error messages. */
  constructor(
    private readonly buf: Uint8Array,
    readonly what = 'message',
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  get atEnd(): boolean {
    return this.pos === this.end;
  }

  private need(n: number, field: string): void {
    if (n > this.end - this.pos) {
      throw decodeError(`${this.what}: ${field} needs ${n} bytes but only ${this.end - this.pos} remain`);
    }
  }

  u8(field = 'u8'): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field = 'u16'): number {
    this.need(2, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u24(field = 'u24'): number {
    this.need(3, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(field = 'u32'): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** The next `n` bytes, as a view (no copy). */
  bytes(n: number, field = 'bytes'): Uint8Array {
    this.need(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** All remaining bytes, as a view. */
  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return out;
  }

  /** Peek at a byte without consuming it. */
  peekU8(field = 'u8'): number {
    this.need(1, field);
    return this.buf[this.pos]!;
  }

  private lengthPrefix(prefixBytes: 1 | 2 | 3, field: string): number {
    return prefixBytes === 1 ? this.u8(field) : prefixBytes === 2 ? this.u16(field) : this.u24(field);
  }

  /**
   * A vector `opaque field<min..max>` with a 1-, 2- or 3-byte length prefix.
   * RFC 8446 §3.4: the length must lie within the bounds.
   */
  vector(prefixBytes: 1 | 2 | 3, field: string, min = 0, max = 2 ** (8 * prefixBytes) - 1): Uint8Array {
    const len = this.lengthPrefix(prefixBytes, field);
    if (len < min || len > max) {
      throw decodeError(`${this.what}: ${field} length ${len} is outside ${min}..${max}`);
    }
    return this.bytes(len, field);
  }

  /** Like `vector`, but returns a Reader over its contents. */
  sub(prefixBytes: 1 | 2 | 3, field: string, min = 0, max = 2 ** (8 * prefixBytes) - 1): Reader {
    const len = this.lengthPrefix(prefixBytes, field);
    if (len < min || len > max) {
      throw decodeError(`${this.what}: ${field} length ${len} is outside ${min}..${max}`);
    }
    this.need(len, field);
    const r = new Reader(this.buf, `${this.what}.${field}`, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  /** A vector of u16 values (cipher suites, groups, schemes); the byte length must be even. */
  u16List(prefixBytes: 1 | 2, field: string, minItems = 0, maxItems = 32767): number[] {
    const len = this.lengthPrefix(prefixBytes, field);
    if (len % 2 !== 0) throw decodeError(`${this.what}: ${field} has odd length ${len}`);
    const n = len / 2;
    if (n < minItems || n > maxItems) {
      throw decodeError(`${this.what}: ${field} has ${n} entries, outside ${minItems}..${maxItems}`);
    }
    this.need(len, field);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.u16(field);
    return out;
  }

  /** Fail with decode_error unless every byte was consumed. */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw decodeError(`${this.what}: ${this.end - this.pos} unexpected trailing bytes`);
    }
  }
}
