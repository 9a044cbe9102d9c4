// Certificate extensions (RFC 5280 §4.2). Known extensions are parsed strictly at parse time
// (a malformed one makes the certificate bad); unknown ones are kept raw. Whether an unknown
// extension is critical matters only at validation time (§4.2: a path with an unrecognised
// critical extension must be rejected).
import { DerReader, Tag, type DerElement } from '../asn1/index.js';
import { decodeGeneralName, readGeneralNames, type GeneralName } from './general-name.js';
import { OID } from './oids.js';

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** extnValue contents (the DER of the extension's own structure). */
  readonly value: Uint8Array;
}

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLen?: number;
}

/** KeyUsage bits (RFC 5280 §4.2.1.3), by bit number. */
export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

export interface NameConstraints {
  readonly permitted: readonly GeneralName[];
  readonly excluded: readonly GeneralName[];
}

export interface ParsedExtensions {
  /** Every extension in encoded order, raw. */
  readonly extensions: readonly Extension[];
  readonly basicConstraints?: BasicConstraints;
  readonly keyUsage?: readonly KeyUsageName[];
  /** Dotted OIDs. */
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltName?: readonly GeneralName[];
  readonly nameConstraints?: NameConstraints;
  readonly authorityKeyIdentifier?: Uint8Array;
  readonly subjectKeyIdentifier?: Uint8Array;
  /** OIDs of critical extensions hush does not process. */
  readonly unhandledCritical: readonly string[];
}

/** Extensions that hush processes (or deliberately recognises and ignores). */
const HANDLED: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.authorityKeyIdentifier,
  OID.subjectKeyIdentifier,
  // Recognised and ignored: hush does no policy processing (like Go and browsers); a critical
  // certificatePolicies extension does not make the certificate unusable.
  OID.certificatePolicies,
]);

const KU_NAMES = Object.keys(KEY_USAGE_BITS) as KeyUsageName[];

function readBasicConstraints(r: DerReader): BasicConstraints {
  const s = r.sequence('BasicConstraints');
  let ca = false;
  if (s.peekTag() === Tag.BOOLEAN) {
    ca = s.boolean('cA');
    // X.690 §11.5: a value equal to its DEFAULT (FALSE) is not encoded in DER.
    if (!ca) s.fail('cA FALSE is the DEFAULT and must be absent in DER');
  }
  let pathLen: number | undefined;
  if (!s.atEnd) {
    pathLen = s.smallInteger('pathLenConstraint', 1_000_000);
    // §4.2.1.9: pathLenConstraint only makes sense when cA is asserted.
    if (!ca) s.fail('pathLenConstraint without cA');
  }
  s.expectEnd();
  r.expectEnd();
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

function readKeyUsage(r: DerReader): KeyUsageName[] {
  const bs = r.bitString('KeyUsage');
  r.expectEnd();
  const out: KeyUsageName[] = [];
  for (let bit = 0; bit < bs.bytes.length * 8; bit++) {
    if (bs.bytes[bit >> 3]! & (0x80 >> (bit & 7))) {
      const name = KU_NAMES[bit];
      if (name) out.push(name);
    }
  }
  return out;
}

function readExtKeyUsage(r: DerReader): string[] {
  const s = r.sequence('ExtKeyUsageSyntax');
  if (s.atEnd) s.fail('ExtKeyUsageSyntax is empty');
  const out: string[] = [];
  while (!s.atEnd) out.push(s.oid('KeyPurposeId'));
  r.expectEnd();
  return out;
}

function readSubjectAltName(r: DerReader): GeneralName[] {
  const s = r.sequence('SubjectAltName');
  const out = readGeneralNames(s);
  r.expectEnd();
  return out;
}

/** GeneralSubtree (§4.2.1.10): minimum is DEFAULT 0 and maximum absent in this profile. */
function readSubtrees(r: DerReader): GeneralName[] {
  const out: GeneralName[] = [];
  if (r.atEnd) r.fail('GeneralSubtrees is empty');
  while (!r.atEnd) {
    const st = r.sequence('GeneralSubtree');
    out.push(decodeGeneralName(st, st.next('base')));
    if (!st.atEnd) st.fail('GeneralSubtree minimum/maximum must be absent (RFC 5280 §4.2.1.10)');
  }
  return out;
}

function readNameConstraints(r: DerReader): NameConstraints {
  const s = r.sequence('NameConstraints');
  const p = s.optional(0xa0, 'permittedSubtrees');
  const e = s.optional(0xa1, 'excludedSubtrees');
  s.expectEnd();
  r.expectEnd();
  // §4.2.1.10: "Conforming CAs MUST NOT issue certificates where name constraints is an empty sequence".
  if (!p && !e) s.fail('NameConstraints is empty');
  return {
    permitted: p ? readSubtrees(s.child(p, 'permittedSubtrees')) : [],
    excluded: e ? readSubtrees(s.child(e, 'excludedSubtrees')) : [],
  };
}

function readAuthorityKeyIdentifier(r: DerReader): Uint8Array | undefined {
  const s = r.sequence('AuthorityKeyIdentifier');
  const kid = s.optional(0x80, 'keyIdentifier');
  s.optional(0xa1, 'authorityCertIssuer');
  s.optional(0x82, 'authorityCertSerialNumber');
  s.expectEnd();
  r.expectEnd();
  return kid?.contents;
}

/**
 * `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` (RFC 5280 §4.1; CRLs §5.1 and OCSP reuse it)
 * from a reader over its wrapper: strict DER (critical FALSE is absent), not empty, no OID twice.
 * Returns the extensions in order and the reader of the SEQUENCE (for messages about them).
 */
export function readExtensionList(r: DerReader, name: string): { readonly list: Extension[]; readonly seq: DerReader } {
  const seq = r.sequence(name);
  r.expectEnd();
  if (seq.atEnd) seq.fail(`${name} is empty`);
  const list: Extension[] = [];
  const seen = new Set<string>();
  while (!seq.atEnd) {
    const e = seq.sequence('Extension');
    const oid = e.oid('extnID');
    let critical = false;
    if (e.peekTag() === Tag.BOOLEAN) {
      critical = e.boolean('critical');
      if (!critical) e.fail(`extension ${oid}: critical FALSE is the DEFAULT and must be absent in DER`);
    }
    const value = e.octetString('extnValue');
    e.expectEnd();
    // §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    if (seen.has(oid)) seq.fail(`duplicate extension ${oid}`);
    seen.add(oid);
    list.push({ oid, critical, value });
  }
  return { list, seq };
}

/** Read `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` from a reader over [3]'s contents. */
export function readExtensions(r: DerReader): ParsedExtensions {
  const { list: extensions, seq } = readExtensionList(r, 'extensions');
  const unhandledCritical: string[] = [];
  const out: {
    -readonly [K in keyof ParsedExtensions]?: ParsedExtensions[K];
  } = {};
  for (const { oid, critical, value } of extensions) {
    const v = new DerReader(value, `${seq.what}.${oid}`, seq.alert);
    switch (oid) {
      case OID.basicConstraints:
        out.basicConstraints = readBasicConstraints(v);
        break;
      case OID.keyUsage:
        out.keyUsage = readKeyUsage(v);
        break;
      case OID.extKeyUsage:
        out.extKeyUsage = readExtKeyUsage(v);
        break;
      case OID.subjectAltName:
        out.subjectAltName = readSubjectAltName(v);
        break;
      case OID.nameConstraints:
        out.nameConstraints = readNameConstraints(v);
        break;
      case OID.authorityKeyIdentifier: {
        const kid = readAuthorityKeyIdentifier(v);
        if (kid) out.authorityKeyIdentifier = kid;
        break;
      }
      case OID.subjectKeyIdentifier:
        out.subjectKeyIdentifier = v.octetString('SubjectKeyIdentifier');
        v.expectEnd();
        break;
      case OID.certificatePolicies:
        v.sequence('certificatePolicies');
        v.expectEnd();
        break;
      default:
        if (critical) unhandledCritical.push(oid);
    }
    if (critical && !HANDLED.has(oid) && !unhandledCritical.includes(oid)) unhandledCritical.push(oid);
  }
  return { ...out, extensions, unhandledCritical };
}

/**
 * authorityInfoAccess (RFC 5280 §4.2.2.1): SEQUENCE OF AccessDescription, as (accessMethod,
 * accessLocation) pairs with the GeneralName left undecoded; an empty list is returned as [] for
 * the caller to judge. Throws TlsError(bad_certificate) when the DER is malformed.
 */
export function readAccessDescriptions(value: Uint8Array): { readonly method: string; readonly location: DerElement }[] {
  const r = new DerReader(value, 'authorityInfoAccess', 'bad_certificate');
  const s = r.sequence('AuthorityInfoAccessSyntax');
  r.expectEnd();
  const out: { method: string; location: DerElement }[] = [];
  while (!s.atEnd) {
    const ad = s.sequence('AccessDescription');
    const method = ad.oid('accessMethod');
    const location = ad.next('accessLocation');
    ad.expectEnd();
    out.push({ method, location });
  }
  return out;
}
