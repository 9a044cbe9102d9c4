import { Tag } from './tags.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * PrintableString's alphabet (X.680 §41.4), plus '*', '&' and '@' which CAs have put in
 * PrintableString for decades (Go accepts the same three).
 */
function isPrintable(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x20 || c === 0x27 || c === 0x28 || c === 0x29 || c === 0x2b || c === 0x2c ||
    c === 0x2d || c === 0x2e || c === 0x2f || c === 0x3a || c === 0x3d || c === 0x3f ||
    c === 0x2a || c === 0x26 || c === 0x40
  );
}

/** Universal tags that hold character strings. */
export const STRING_TAGS: ReadonlySet<number> = new Set([
  Tag.UTF8String,
  Tag.NumericString,
  Tag.PrintableString,
  Tag.TeletexString,
  Tag.IA5String,
  Tag.VisibleString,
  Tag.UniversalString,
  Tag.BMPString,
]);

/** Decode a character string by its universal tag; `fail` throws on bad contents. */
export function decodeString(tag: number, b: Uint8Array, fail: (m: string) => never): string {
  switch (tag) {
    case Tag.UTF8String:
      try {
        return utf8Decoder.decode(b);
      } catch {
        return fail('UTF8String is not valid UTF-8');
      }
    case Tag.PrintableString:
      for (let i = 0; i < b.length; i++) if (!isPrintable(b[i]!)) fail('PrintableString has a character outside its alphabet');
      return latin1(b);
    case Tag.NumericString:
      for (let i = 0; i < b.length; i++) {
        const c = b[i]!;
        if (c !== 0x20 && (c < 0x30 || c > 0x39)) fail('NumericString has a non-digit');
      }
      return latin1(b);
    case Tag.IA5String:
      for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) fail('IA5String has a non-ASCII byte');
      return latin1(b);
    case Tag.VisibleString:
      for (let i = 0; i < b.length; i++) if (b[i]! < 0x20 || b[i]! > 0x7e) fail('VisibleString has a non-visible byte');
      return latin1(b);
    case Tag.TeletexString:
      // T.61 is effectively never used as T.61; like most implementations, read it as Latin-1.
      return latin1(b);
    case Tag.BMPString: {
      if (b.length % 2 !== 0) fail('BMPString has an odd length');
      let s = '';
      for (let i = 0; i < b.length; i += 2) {
        const u = (b[i]! << 8) | b[i + 1]!;
        if (u >= 0xd800 && u <= 0xdfff) fail('BMPString has a surrogate code unit');
        s += String.fromCharCode(u);
      }
      return s;
    }
    case Tag.UniversalString: {
      if (b.length % 4 !== 0) fail('UniversalString length is not a multiple of 4');
      let s = '';
      for (let i = 0; i < b.length; i += 4) {
        const cp = ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail('UniversalString has an invalid code point');
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return fail(`tag 0x${tag.toString(16)} is not a string type`);
  }
}
