import { derError, type DerAlert } from './errors.js';
import { decodeOid } from './oid.js';
import { decodeString, STRING_TAGS } from './string.js';
import { Tag, tagName } from './tags.js';
import { decodeGeneralizedTime, decodeUtcTime } from './time.js';

/** One TLV: views into the input, never copies. */
export interface DerElement {
  /** The identifier octet (low-tag-number form only). */
  readonly tag: number;
  /** The contents octets. */
  readonly contents: Uint8Array;
  /** The whole encoding: identifier, length and contents. */
  readonly raw: Uint8Array;
}

/** A BIT STRING's value. */
export interface BitString {
  readonly bytes: Uint8Array;
  /** Number of unused bits in the last byte (0..7). */
  readonly unusedBits: number;
}

/**
 * A strict DER reader (X.690 §10). It accepts only: low-tag-number identifiers, definite
 * lengths in the minimal form (§10.1), primitive encodings for primitive types, minimal
 * INTEGERs (§8.3.2), BOOLEAN 0x00/0xFF (§11.1), zero unused BIT STRING bits (§11.2.1), and
 * certificate times per RFC 5280 §4.1.2.5. Every failure is a TlsError with the reader's alert;
 * `expectEnd()` rejects trailing bytes.
 */
export class DerReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    readonly what = 'DER',
    readonly alert: DerAlert = 'decode_error',
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get atEnd(): boolean {
    return this.pos === this.end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throw this reader's error. */
  fail(message: string): never {
    throw derError(this.alert, this.what, message);
  }

  /** The next identifier octet, or undefined at the end. */
  peekTag(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  /** The next element, whatever its tag. */
  next(field = 'element'): DerElement {
    const b = this.buf;
    const start = this.pos;
    if (start >= this.end) this.fail(`${field} is missing`);
    const tag = b[start]!;
    if ((tag & 0x1f) === 0x1f) this.fail(`${field}: high-tag-number form is not supported`);
    if (tag === 0) this.fail(`${field}: tag 0 (end-of-contents) is not DER`);
    let p = start + 1;
    if (p >= this.end) this.fail(`${field}: length is missing`);
    let len = b[p++]!;
    if (len === 0x80) this.fail(`${field}: indefinite length is not DER`);
    if (len > 0x80) {
      const n = len & 0x7f;
      if (n > 4) this.fail(`${field}: length of ${n} octets is too long`);
      if (p + n > this.end) this.fail(`${field}: length runs past the end`);
      if (b[p] === 0) this.fail(`${field}: length is not minimally encoded`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
      // X.690 §10.1: the short form must be used for lengths below 128.
      if (len < 0x80) this.fail(`${field}: length is not minimally encoded`);
    }
    if (len > this.end - p) this.fail(`${field}: length ${len} runs past the end (${this.end - p} bytes left)`);
    this.pos = p + len;
    return { tag, contents: b.subarray(p, p + len), raw: b.subarray(start, p + len) };
  }

  /** The next element, which must have `tag`. */
  expect(tag: number, field: string): DerElement {
    const t = this.peekTag();
    if (t !== tag) {
      this.fail(t === undefined ? `${field} is missing` : `${field}: expected ${tagName(tag)}, found ${tagName(t)}`);
    }
    return this.next(field);
  }

  /** The next element if it has `tag`, else undefined (nothing consumed). */
  optional(tag: number, field = tagName(tag)): DerElement | undefined {
    return this.peekTag() === tag ? this.next(field) : undefined;
  }

  /** A reader over an element's contents, with the same alert. */
  child(el: DerElement, field: string): DerReader {
    const c = el.contents;
    return new DerReader(c, `${this.what}.${field}`, this.alert);
  }

  sequence(field: string): DerReader {
    return this.child(this.expect(Tag.SEQUENCE, field), field);
  }

  set(field: string): DerReader {
    return this.child(this.expect(Tag.SET, field), field);
  }

  /** INTEGER contents (two's complement, minimal per X.690 §8.3.2). */
  integer(field: string): Uint8Array {
    return integerContents(this.expect(Tag.INTEGER, field).contents, (m) => this.fail(`${field}: ${m}`));
  }

  /**
   * A non-negative INTEGER as its magnitude (the sign octet removed). Negative values fail.
   * `maxBytes` bounds the magnitude.
   */
  unsignedInteger(field: string, maxBytes = 1024): Uint8Array {
    return unsignedContents(this.expect(Tag.INTEGER, field).contents, maxBytes, (m) => this.fail(`${field}: ${m}`));
  }

  /** A small non-negative INTEGER as a number, at most `max`. */
  smallInteger(field: string, max = 2 ** 31 - 1): number {
    const mag = this.unsignedInteger(field, 6);
    let v = 0;
    for (const x of mag) v = v * 256 + x;
    if (v > max) this.fail(`${field}: ${v} is larger than ${max}`);
    return v;
  }

  boolean(field: string): boolean {
    return booleanContents(this.expect(Tag.BOOLEAN, field).contents, (m) => this.fail(`${field}: ${m}`));
  }

  null(field: string): void {
    if (this.expect(Tag.NULL, field).contents.length !== 0) this.fail(`${field}: NULL must be empty`);
  }

  oid(field: string): string {
    return decodeOid(this.expect(Tag.OID, field).contents, (m) => this.fail(`${field}: ${m}`));
  }

  /** OID contents without decoding (fast comparison against known encodings). */
  oidBytes(field: string): Uint8Array {
    const c = this.expect(Tag.OID, field).contents;
    decodeOid(c, (m) => this.fail(`${field}: ${m}`));
    return c;
  }

  bitString(field: string): BitString {
    return bitStringContents(this.expect(Tag.BIT_STRING, field).contents, (m) => this.fail(`${field}: ${m}`));
  }

  /** A BIT STRING that must hold whole bytes (signatures, public keys). */
  bitStringBytes(field: string): Uint8Array {
    const bs = this.bitString(field);
    if (bs.unusedBits !== 0) this.fail(`${field}: BIT STRING has ${bs.unusedBits} unused bits`);
    return bs.bytes;
  }

  octetString(field: string): Uint8Array {
    return this.expect(Tag.OCTET_STRING, field).contents;
  }

  /** UTCTime or GeneralizedTime, as ms since the epoch. */
  time(field: string): number {
    const t = this.peekTag();
    if (t === Tag.UTCTime) return decodeUtcTime(this.next(field).contents, (m) => this.fail(`${field}: ${m}`));
    if (t === Tag.GeneralizedTime) {
      return decodeGeneralizedTime(this.next(field).contents, (m) => this.fail(`${field}: ${m}`));
    }
    return this.fail(t === undefined ? `${field} is missing` : `${field}: expected a time, found ${tagName(t)}`);
  }

  /** Any character string type. */
  string(field: string): string {
    const t = this.peekTag();
    if (t === undefined || !STRING_TAGS.has(t)) {
      this.fail(t === undefined ? `${field} is missing` : `${field}: expected a string, found ${tagName(t)}`);
    }
    const el = this.next(field);
    return decodeString(el.tag, el.contents, (m) => this.fail(`${field}: ${m}`));
  }

  /** Fail unless every byte was consumed. */
  expectEnd(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected trailing bytes`);
  }
}

/** Validate INTEGER contents (X.690 §8.3.2: non-empty, no redundant leading 0x00/0xFF). */
export function integerContents(c: Uint8Array, fail: (m: string) => never): Uint8Array {
  if (c.length === 0) fail('INTEGER is empty');
  if (c.length > 1 && ((c[0] === 0x00 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) {
    fail('INTEGER is not minimally encoded');
  }
  return c;
}

export function unsignedContents(c: Uint8Array, maxBytes: number, fail: (m: string) => never): Uint8Array {
  integerContents(c, fail);
  if (c[0]! >= 0x80) fail('INTEGER is negative');
  const mag = c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
  if (mag.length > maxBytes) fail(`INTEGER of ${mag.length} bytes is longer than ${maxBytes}`);
  return mag;
}

export function booleanContents(c: Uint8Array, fail: (m: string) => never): boolean {
  if (c.length !== 1) fail('BOOLEAN must be one byte');
  // X.690 §11.1: DER encodes TRUE as 0xFF.
  if (c[0] === 0xff) return true;
  if (c[0] === 0x00) return false;
  return fail(`BOOLEAN 0x${c[0]!.toString(16)} is not DER (0x00 or 0xFF)`);
}

export function bitStringContents(c: Uint8Array, fail: (m: string) => never): BitString {
  if (c.length === 0) fail('BIT STRING is empty');
  const unused = c[0]!;
  if (unused > 7) fail(`BIT STRING has ${unused} unused bits`);
  if (c.length === 1 && unused !== 0) fail('empty BIT STRING with unused bits');
  // X.690 §11.2.1: unused bits are zero in DER.
  if (unused !== 0 && (c[c.length - 1]! & ((1 << unused) - 1)) !== 0) fail('BIT STRING unused bits are not zero');
  return { bytes: c.subarray(1), unusedBits: unused };
}

/** Parse exactly one DER element covering all of `der`. */
export function parseDer(der: Uint8Array, what = 'DER', alert: DerAlert = 'decode_error'): DerElement {
  const r = new DerReader(der, what, alert);
  const el = r.next(what);
  r.expectEnd();
  return el;
}
