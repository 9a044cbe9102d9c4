// DER encoding, as plain functions that return the encoding of one element. Used to build
// certificates (src/x509/builder.ts) and test fixtures; not on any hot path.
import { concat } from '../bytes/util.js';
import { encodeOid } from './oid.js';
import { CONSTRUCTED, Tag, contextTag } from './tags.js';
import { generalizedTimeText, utcTimeText } from './time.js';

const enc = new TextEncoder();

function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

/** identifier || length || contents. */
export function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const len = lengthOctets(contents.length);
  const out = new Uint8Array(1 + len.length + contents.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(contents, 1 + len.length);
  return out;
}


export function sequence(...children: readonly Uint8Array[]): Uint8Array {
  return tlv(Tag.SEQUENCE, concat(...children));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** SET OF: X.690 §11.6 orders the encodings of the elements. */
export function set(...children: readonly Uint8Array[]): Uint8Array {
  return tlv(Tag.SET, concat(...[...children].sort(compareBytes)));
}

/** INTEGER from a bigint/number (any sign) or from unsigned big-endian magnitude bytes. */
export function integer(value: bigint | number | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    const mag = value.length === 0 ? new Uint8Array(1) : value.subarray(i);
    return tlv(Tag.INTEGER, mag[0]! >= 0x80 ? concat(new Uint8Array(1), mag) : mag);
  }
  let v = BigInt(value);
  const out: number[] = [];
  if (v >= 0n) {
    do {
      out.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    if (out[0]! >= 0x80) out.unshift(0);
  } else {
    do {
      out.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v < -1n);
    if (out[0]! < 0x80) out.unshift(0xff);
  }
  return tlv(Tag.INTEGER, Uint8Array.from(out));
}

export function boolean(v: boolean): Uint8Array {
  return tlv(Tag.BOOLEAN, Uint8Array.of(v ? 0xff : 0x00));
}

export function nullValue(): Uint8Array {
  return Uint8Array.of(Tag.NULL, 0);
}

export function oid(dotted: string): Uint8Array {
  return tlv(Tag.OID, encodeOid(dotted));
}

export function octetString(b: Uint8Array): Uint8Array {
  return tlv(Tag.OCTET_STRING, b);
}

export function bitString(b: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(Tag.BIT_STRING, concat(Uint8Array.of(unusedBits), b));
}

/**
 * A named-bit BIT STRING (KeyUsage): bit 0 is the most significant bit of the first byte;
 * trailing zero bits are dropped as X.690 §11.2.2 requires.
 */
export function namedBits(bits: readonly number[]): Uint8Array {
  const max = bits.length ? Math.max(...bits) : -1;
  const bytes = new Uint8Array(max < 0 ? 0 : (max >> 3) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  let unused = 0;
  if (bytes.length) {
    const last = bytes[bytes.length - 1]!;
    while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  }
  return bitString(bytes, unused);
}

export function utcTime(ms: number): Uint8Array {
  return tlv(Tag.UTCTime, enc.encode(utcTimeText(ms)));
}

export function generalizedTime(ms: number): Uint8Array {
  return tlv(Tag.GeneralizedTime, enc.encode(generalizedTimeText(ms)));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(ms: number): Uint8Array {
  const y = new Date(ms).getUTCFullYear();
  return y >= 1950 && y <= 2049 ? utcTime(ms) : generalizedTime(ms);
}

export function utf8String(s: string): Uint8Array {
  return tlv(Tag.UTF8String, enc.encode(s));
}

export function printableString(s: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)) throw new RangeError(`'${s}' is not a PrintableString`);
  return tlv(Tag.PrintableString, enc.encode(s));
}

export function ia5String(s: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(s)) throw new RangeError(`'${s}' is not an IA5String`);
  return tlv(Tag.IA5String, enc.encode(s));
}

/** EXPLICIT [n]: a constructed context tag around a complete encoding. */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  return tlv(contextTag(n, true), inner);
}

/**
 * IMPLICIT [n]: replaces the identifier of a complete encoding, keeping its constructed bit
 * (so an IMPLICIT SEQUENCE stays constructed).
 */
export function implicit(n: number, encoded: Uint8Array): Uint8Array {
  const out = encoded.slice();
  out[0] = contextTag(n, (encoded[0]! & CONSTRUCTED) !== 0);
  return out;
}

/** IMPLICIT [n] primitive with the given contents (e.g. dNSName, iPAddress). */
export function contextPrimitive(n: number, contents: Uint8Array): Uint8Array {
  return tlv(contextTag(n, false), contents);
}
