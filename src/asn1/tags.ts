// ASN.1 identifier octets (X.690 §8.1.2). hush only handles the low-tag-number form (tag
// numbers 0..30): every structure in X.509 and TLS fits it, and DER forbids encoding a small
// tag number in the high-tag-number form, so rejecting that form outright is strict and safe.

export const TagClass = { universal: 0x00, application: 0x40, context: 0x80, private: 0xc0 } as const;
export const CONSTRUCTED = 0x20;

/** Universal tags, as complete identifier octets (constructed bit included for SEQUENCE/SET). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  NumericString: 0x12,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** The identifier octet of a context-specific tag `[n]`. */
export function contextTag(n: number, constructed: boolean): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag [${n}] is out of range 0..30`);
  return TagClass.context | (constructed ? CONSTRUCTED : 0) | n;
}

/** A readable name for an identifier octet, for error messages. */
export function tagName(tag: number): string {
  for (const [k, v] of Object.entries(Tag)) if (v === tag) return k;
  const cls = tag & 0xc0;
  const n = tag & 0x1f;
  if (cls === TagClass.context) return `[${n}]${tag & CONSTRUCTED ? ' constructed' : ''}`;
  return `tag 0x${tag.toString(16).padStart(2, '0')}`;
}
