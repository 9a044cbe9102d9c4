import { internalError } from '../errors/errors.js';

/**
 * A growable buffer for building wire messages. Length-prefixed vectors are written with
 * `vector(prefixBytes, body)`, which back-patches the length and checks it fits the prefix.
 */
export class Writer {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf[this.len++] = (v >>> 24) & 0xff;
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /**
   * Write a length-prefixed vector whose body is produced by `body` (a callback that writes
   * into this same writer) or given as bytes.
   */
  vector(prefixBytes: 1 | 2 | 3, body: Uint8Array | ((w: this) => void)): this {
    const start = this.len;
    this.ensure(prefixBytes);
    this.len += prefixBytes;
    if (typeof body === 'function') body(this);
    else this.bytes(body);
    const n = this.len - start - prefixBytes;
    if (n >= 2 ** (8 * prefixBytes)) {
      throw internalError(`vector of ${n} bytes does not fit a ${prefixBytes}-byte length`);
    }
    for (let i = 0; i < prefixBytes; i++) {
      this.buf[start + i] = (n >>> (8 * (prefixBytes - 1 - i))) & 0xff;
    }
    return this;
  }

  /** A vector of u16 values with a 1- or 2-byte length prefix. */
  u16List(prefixBytes: 1 | 2, values: readonly number[]): this {
    return this.vector(prefixBytes, (w) => {
      for (const v of values) w.u16(v);
    });
  }

  /** A copy of the written bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** A view of the written bytes (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
