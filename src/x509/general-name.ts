// GeneralName (RFC 5280 §4.2.1.6). dNSName and iPAddress are what TLS uses; the rest are kept.
import { DerReader, decodeString, Tag, type DerElement } from '../asn1/index.js';
import { formatIp } from './ip.js';
import { readName, type Name } from './name.js';

export type GeneralName =
  | { readonly type: 'dns'; readonly value: string }
  /** 4/16 bytes in a subjectAltName; 8/32 (address then mask) in name constraints. */
  | { readonly type: 'ip'; readonly bytes: Uint8Array; readonly text: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'directoryName'; readonly name: Name }
  /** otherName [0], x400Address [3], ediPartyName [5], registeredID [8]: kept raw. */
  | { readonly type: 'other'; readonly tag: number; readonly raw: Uint8Array };

/** Decode one GeneralName element read from `r` (used for error messages and its alert). */
export function decodeGeneralName(r: DerReader, el: DerElement): GeneralName {
  const fail = (m: string): never => r.fail(`GeneralName: ${m}`);
  switch (el.tag) {
    case 0x82: // [2] IMPLICIT IA5String
      return { type: 'dns', value: decodeString(Tag.IA5String, el.contents, fail) };
    case 0x81: // [1] rfc822Name
      return { type: 'email', value: decodeString(Tag.IA5String, el.contents, fail) };
    case 0x86: // [6] uniformResourceIdentifier
      return { type: 'uri', value: decodeString(Tag.IA5String, el.contents, fail) };
    case 0x87: // [7] iPAddress OCTET STRING
      return { type: 'ip', bytes: el.contents, text: formatIp(el.contents) };
    case 0xa4: {
      // [4] EXPLICIT Name (a CHOICE, so the tag is explicit)
      const inner = r.child(el, 'directoryName');
      const name = readName(inner, 'directoryName');
      inner.expectEnd();
      return { type: 'directoryName', name };
    }
    case 0xa0: // otherName
    case 0xa3: // x400Address
    case 0xa5: // ediPartyName
    case 0x88: // registeredID
      return { type: 'other', tag: el.tag, raw: el.raw };
    default:
      return fail(`unknown GeneralName tag 0x${el.tag.toString(16)}`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, from a reader over its contents. */
export function readGeneralNames(r: DerReader): GeneralName[] {
  const out: GeneralName[] = [];
  if (r.atEnd) r.fail('GeneralNames is empty');
  while (!r.atEnd) out.push(decodeGeneralName(r, r.next('GeneralName')));
  return out;
}

/** Text for messages: "DNS:example.com", "IP:10.0.0.1". */
export function generalNameText(n: GeneralName): string {
  switch (n.type) {
    case 'dns':
      return `DNS:${n.value}`;
    case 'ip':
      return `IP:${n.text}`;
    case 'email':
      return `email:${n.value}`;
    case 'uri':
      return `URI:${n.value}`;
    case 'directoryName':
      return `DirName:${n.name.text}`;
    case 'other':
      return `othername:[${n.tag & 0x1f}]`;
  }
}
