// Distinguished names (RFC 5280 §4.1.2.4). Names are compared as raw DER bytes (what Go and
// most path builders do); `text` is for people (RFC 4514 order: most specific first).
import { DerReader, STRING_TAGS, Tag, decodeString } from '../asn1/index.js';
import { toHex } from '../bytes/util.js';
import { ATTRIBUTE_NAMES } from './oids.js';

export interface AttributeTypeAndValue {
  /** Dotted OID of the attribute type. */
  readonly type: string;
  /** The decoded value; a non-string value is "#" + hex of its DER (RFC 4514 §2.4). */
  readonly value: string;
  /** The value's universal tag (e.g. 0x13 PrintableString, 0x0c UTF8String). */
  readonly tag: number;
}

export type RelativeDistinguishedName = readonly AttributeTypeAndValue[];

export interface Name {
  /** The DER of the Name (SEQUENCE OF RDN), a view into the certificate. */
  readonly raw: Uint8Array;
  /** RDNs in encoded order (usually country first). */
  readonly rdns: readonly RelativeDistinguishedName[];
  /** e.g. "CN=example.com, O=Example, C=US". */
  readonly text: string;
}

/** Read a Name from `r`. Malformed names fail with the reader's alert. */
export function readName(r: DerReader, field: string): Name {
  const el = r.expect(Tag.SEQUENCE, field);
  const seq = r.child(el, field);
  const rdns: AttributeTypeAndValue[][] = [];
  while (!seq.atEnd) {
    const set = seq.set('RelativeDistinguishedName');
    const rdn: AttributeTypeAndValue[] = [];
    // RFC 5280 §4.1.2.4: RelativeDistinguishedName ::= SET SIZE (1..MAX).
    if (set.atEnd) set.fail('empty RelativeDistinguishedName');
    while (!set.atEnd) {
      const atv = set.sequence('AttributeTypeAndValue');
      const type = atv.oid('type');
      const t = atv.peekTag();
      let value: string;
      let tag: number;
      if (t !== undefined && STRING_TAGS.has(t)) {
        const v = atv.next('value');
        tag = v.tag;
        value = decodeString(v.tag, v.contents, (m) => atv.fail(`value: ${m}`));
      } else {
        const v = atv.next('value');
        tag = v.tag;
        value = '#' + toHex(v.raw);
      }
      atv.expectEnd();
      rdn.push({ type, value, tag });
    }
    rdns.push(rdn);
  }
  return { raw: el.raw, rdns, text: formatName(rdns) };
}

function escapeValue(v: string): string {
  if (v.startsWith('#') && /^#[0-9a-f]*$/.test(v)) return v;
  let s = v.replace(/[\\,+"<>;=]/g, (c) => '\\' + c);
  if (s.startsWith(' ') || s.startsWith('#')) s = '\\' + s;
  if (s.endsWith(' ') && s.length > 1) s = s.slice(0, -1) + '\\ ';
  // Control characters would let a name forge log lines or terminal output.
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** RFC 4514-style text: RDNs most specific first, multi-valued RDNs joined with '+'. */
export function formatName(rdns: readonly RelativeDistinguishedName[]): string {
  const parts: string[] = [];
  for (let i = rdns.length - 1; i >= 0; i--) {
    parts.push(rdns[i]!.map((a) => `${ATTRIBUTE_NAMES[a.type] ?? a.type}=${escapeValue(a.value)}`).join('+'));
  }
  return parts.join(', ');
}

/** Values of an attribute (e.g. '2.5.4.3' for CN), in encoded order. */
export function nameAttributes(name: Name, type: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) for (const a of rdn) if (a.type === type) out.push(a.value);
  return out;
}
