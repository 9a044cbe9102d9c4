// Certificate revocation lists (RFC 5280 §5): a strict DER parser and the checks of §6.3 that
// decide whether one CRL speaks for one certificate. The decision over a whole path lives in
// revocation.ts.
//
// Decisions:
// - Only complete, direct CRLs: a delta CRL (deltaCRLIndicator) and an indirect CRL
//   (issuingDistributionPoint indirectCRL, or an entry's certificateIssuer) are refused as
//   unsupported — they are critical by definition, and half-supporting them would let a CRL
//   speak for certificates it does not cover.
// - Any other unknown critical extension, in the CRL or in an entry, makes the CRL unusable
//   (§5.2, §5.3).
// - Entries are keyed by serial; a serial listed twice is malformed.
import { DerReader, Tag, encodePem, type DerElement } from '../asn1/index.js';
import { equal, toHex } from '../bytes/util.js';
import { TlsError } from '../errors/errors.js';
import { readSignatureAlgorithm, type SignatureAlgorithmInfo } from './algorithm.js';
import type { Certificate } from './certificate.js';
import { readExtensionList } from './extensions.js';
import { parsePemOrDer } from './pem-or-der.js';
import { readGeneralNames, type GeneralName } from './general-name.js';
import { readName, type Name } from './name.js';
import { OID } from './oids.js';

/** CRLReason (RFC 5280 §5.3.1); 7 is unused, removeFromCRL only appears in delta CRLs. */
export const CRL_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type CrlReason = keyof typeof CRL_REASONS;

const REASON_NAMES: ReadonlyMap<number, CrlReason> = new Map(
  (Object.entries(CRL_REASONS) as [CrlReason, number][]).map(([k, v]) => [v, k]),
);

/** The name of a CRLReason value, or undefined for 7 and values above 10. */
export function crlReasonName(v: number): CrlReason | undefined {
  return REASON_NAMES.get(v);
}

export const CRL_OID = {
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  freshestCRL: '2.5.29.46',
} as const;

export interface RevokedEntry {
  /** Serial number magnitude as lowercase hex (as Certificate.serialHex). */
  readonly serialHex: string;
  /** ms since the epoch. */
  readonly revocationDate: number;
  /** Absent when the entry has no reasonCode (which means unspecified). */
  readonly reason?: CrlReason;
  readonly invalidityDate?: number;
}

export interface IssuingDistributionPoint {
  /** fullName of the distributionPoint, when it has one. */
  readonly fullName?: readonly GeneralName[];
  /** True when the distributionPoint is a nameRelativeToCRLIssuer (not matched: unsupported). */
  readonly relativeName: boolean;
  readonly onlyContainsUserCerts: boolean;
  readonly onlyContainsCACerts: boolean;
  readonly onlyContainsAttributeCerts: boolean;
  /** ReasonFlags bit numbers; undefined: all reasons. */
  readonly onlySomeReasons?: readonly number[];
  readonly indirectCRL: boolean;
}

export interface Crl {
  readonly raw: Uint8Array;
  /** The DER of tbsCertList: the signed bytes. */
  readonly tbs: Uint8Array;
  readonly version: 1 | 2;
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  readonly signature: Uint8Array;
  readonly issuer: Name;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
  /** Entries by serial hex. */
  readonly revoked: ReadonlyMap<string, RevokedEntry>;
  readonly crlNumber?: string;
  readonly authorityKeyIdentifier?: Uint8Array;
  readonly issuingDistributionPoint?: IssuingDistributionPoint;
  /** Why the CRL cannot be used even though it parsed (delta, indirect, unknown critical extension). */
  readonly unsupported?: string;
}

/** Accepted CRL inputs: PEM ("X509 CRL") text, DER bytes, or a parsed CRL. */
export type CrlInput = string | Uint8Array | Crl;

const MAX_CRL_SIZE = 16 * 1024 * 1024;

function readReasonFlags(r: DerReader, el: DerElement): number[] {
  const bs = r.child(el, 'ReasonFlags');
  // [n] IMPLICIT BIT STRING: validate via a re-tagged reader.
  const c = el.contents;
  if (c.length === 0) bs.fail('ReasonFlags is empty');
  const unused = c[0]!;
  if (unused > 7 || (c.length === 1 && unused !== 0)) bs.fail('ReasonFlags has bad unused bits');
  if (unused && (c[c.length - 1]! & ((1 << unused) - 1)) !== 0) bs.fail('ReasonFlags unused bits are not zero');
  const out: number[] = [];
  for (let bit = 0; bit < (c.length - 1) * 8; bit++) if (c[1 + (bit >> 3)]! & (0x80 >> (bit & 7))) out.push(bit);
  return out;
}

function implicitBoolean(r: DerReader, el: DerElement | undefined, field: string): boolean {
  if (!el) return false;
  const c = el.contents;
  if (c.length !== 1 || (c[0] !== 0xff && c[0] !== 0x00)) r.fail(`${field}: not a DER BOOLEAN`);
  // X.690 §11.5: FALSE is the DEFAULT and must be absent.
  if (c[0] === 0x00) r.fail(`${field}: FALSE is the DEFAULT and must be absent in DER`);
  return true;
}

/** DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] RDN }. */
function readDistributionPointName(r: DerReader, el: DerElement): { fullName?: GeneralName[]; relativeName: boolean } {
  const inner = r.child(el, 'distributionPoint');
  const choice = inner.next('DistributionPointName');
  inner.expectEnd();
  if (choice.tag === 0xa0) return { fullName: readGeneralNames(inner.child(choice, 'fullName')), relativeName: false };
  if (choice.tag === 0xa1) return { relativeName: true };
  return inner.fail(`DistributionPointName: unexpected tag 0x${choice.tag.toString(16)}`);
}

function readIdp(v: DerReader): IssuingDistributionPoint {
  const s = v.sequence('IssuingDistributionPoint');
  const dp = s.optional(0xa0, 'distributionPoint');
  const u = implicitBoolean(s, s.optional(0x81, 'onlyContainsUserCerts'), 'onlyContainsUserCerts');
  const ca = implicitBoolean(s, s.optional(0x82, 'onlyContainsCACerts'), 'onlyContainsCACerts');
  const someEl = s.optional(0x83, 'onlySomeReasons');
  const indirect = implicitBoolean(s, s.optional(0x84, 'indirectCRL'), 'indirectCRL');
  const attr = implicitBoolean(s, s.optional(0x85, 'onlyContainsAttributeCerts'), 'onlyContainsAttributeCerts');
  s.expectEnd();
  v.expectEnd();
  // §5.2.5: at most one of the only* booleans may be TRUE; and the extension must not be empty.
  if ([u, ca, attr].filter(Boolean).length > 1) s.fail('more than one of onlyContainsUserCerts/CACerts/AttributeCerts is TRUE');
  if (!dp && !u && !ca && !someEl && !indirect && !attr) s.fail('IssuingDistributionPoint is empty');
  const name = dp ? readDistributionPointName(s, dp) : { relativeName: false };
  return {
    ...(name.fullName ? { fullName: name.fullName } : {}),
    relativeName: name.relativeName,
    onlyContainsUserCerts: u,
    onlyContainsCACerts: ca,
    onlyContainsAttributeCerts: attr,
    ...(someEl ? { onlySomeReasons: readReasonFlags(s, someEl) } : {}),
    indirectCRL: indirect,
  };
}

function readEntry(r: DerReader, crlVersion: number): { entry: RevokedEntry; unsupported?: string } {
  const s = r.sequence('revokedCertificate');
  // §5.1.2.6 uses CertificateSerialNumber; like certificates, positive and at most 20 octets.
  const serial = s.unsignedInteger('userCertificate', 20);
  const revocationDate = s.time('revocationDate');
  let reason: CrlReason | undefined;
  let invalidityDate: number | undefined;
  let unsupported: string | undefined;
  if (!s.atEnd) {
    if (crlVersion !== 2) s.fail('crlEntryExtensions in a v1 CRL');
    for (const x of readExtensionList(s, 'crlEntryExtensions').list) {
      const v = new DerReader(x.value, `${s.what}.${x.oid}`, s.alert);
      if (x.oid === CRL_OID.reasonCode) {
        const c = v.expect(Tag.ENUMERATED, 'CRLReason').contents;
        v.expectEnd();
        if (c.length !== 1) v.fail('CRLReason out of range');
        const name = crlReasonName(c[0]!);
        if (!name) v.fail(`CRLReason ${c[0]} is not defined`);
        // §5.3.1: removeFromCRL is only for delta CRLs.
        if (name === 'removeFromCRL') v.fail('removeFromCRL in a complete CRL (only delta CRLs may carry it)');
        reason = name;
      } else if (x.oid === CRL_OID.invalidityDate) {
        const t = v.expect(Tag.GeneralizedTime, 'invalidityDate');
        v.expectEnd();
        invalidityDate = new DerReader(t.raw, 'invalidityDate', s.alert).time('invalidityDate');
      } else if (x.oid === CRL_OID.certificateIssuer) {
        unsupported = 'it is an indirect CRL (an entry has a certificateIssuer), which hush does not support';
      } else if (x.critical) {
        unsupported = `an entry has an unsupported critical extension ${x.oid}`;
      }
    }
  }
  s.expectEnd();
  return {
    entry: {
      serialHex: toHex(serial),
      revocationDate,
      ...(reason !== undefined ? { reason } : {}),
      ...(invalidityDate !== undefined ? { invalidityDate } : {}),
    },
    ...(unsupported ? { unsupported } : {}),
  };
}

/** Parse one DER CRL (RFC 5280 §5.1). Throws TlsError('bad_certificate') naming the failing field. */
export function parseCrl(der: Uint8Array): Crl {
  if (der.length > MAX_CRL_SIZE) throw new TlsError('bad_certificate', `CRL of ${der.length} bytes is larger than ${MAX_CRL_SIZE}`);
  const top = new DerReader(der, 'CRL', 'bad_certificate');
  const el = top.expect(Tag.SEQUENCE, 'CertificateList');
  top.expectEnd();
  const c = top.child(el, 'CertificateList');
  const tbsEl = c.expect(Tag.SEQUENCE, 'tbsCertList');
  const signatureAlgorithm = readSignatureAlgorithm(c, 'signatureAlgorithm');
  const signature = c.bitStringBytes('signatureValue');
  c.expectEnd();

  const t = c.child(tbsEl, 'tbsCertList');
  let version: 1 | 2 = 1;
  if (t.peekTag() === Tag.INTEGER) {
    // §5.1.2.1: when present, the version MUST be v2 (1).
    const v = t.smallInteger('version', 10);
    if (v !== 1) t.fail(`version ${v + 1} is not v2`);
    version = 2;
  }
  const inner = readSignatureAlgorithm(t, 'signature');
  // §5.1.1.2: signatureAlgorithm MUST be the same as tbsCertList.signature.
  if (!equal(inner.raw, signatureAlgorithm.raw)) t.fail('signatureAlgorithm differs from tbsCertList.signature');
  const issuer = readName(t, 'issuer');
  // §5.1.2.3: the issuer field MUST contain a non-empty name.
  if (issuer.rdns.length === 0) t.fail('issuer is an empty name');
  const thisUpdate = t.time('thisUpdate');
  let nextUpdate: number | undefined;
  const nt = t.peekTag();
  if (nt === Tag.UTCTime || nt === Tag.GeneralizedTime) nextUpdate = t.time('nextUpdate');
  const revoked = new Map<string, RevokedEntry>();
  let unsupported: string | undefined;
  if (t.peekTag() === Tag.SEQUENCE) {
    const list = t.sequence('revokedCertificates');
    // X.690 / §5.1.2.6: when there are no revoked certificates the list MUST be absent.
    if (list.atEnd) list.fail('revokedCertificates is present but empty');
    while (!list.atEnd) {
      const { entry, unsupported: u } = readEntry(list, version);
      if (revoked.has(entry.serialHex)) list.fail(`serial ${entry.serialHex} is listed twice`);
      revoked.set(entry.serialHex, entry);
      unsupported ??= u;
    }
  }
  let crlNumber: string | undefined;
  let authorityKeyIdentifier: Uint8Array | undefined;
  let idp: IssuingDistributionPoint | undefined;
  const extEl = t.optional(0xa0, 'crlExtensions');
  t.expectEnd();
  if (extEl) {
    if (version !== 2) t.fail('crlExtensions in a v1 CRL');
    for (const x of readExtensionList(t.child(extEl, 'crlExtensions'), 'Extensions').list) {
      const v = new DerReader(x.value, `CRL.${x.oid}`, 'bad_certificate');
      switch (x.oid) {
        case CRL_OID.cRLNumber:
          // §5.2.3: a non-negative integer of at most 20 octets.
          crlNumber = toHex(v.unsignedInteger('CRLNumber', 20));
          v.expectEnd();
          break;
        case OID.authorityKeyIdentifier: {
          const s = v.sequence('AuthorityKeyIdentifier');
          authorityKeyIdentifier = s.optional(0x80, 'keyIdentifier')?.contents;
          s.optional(0xa1, 'authorityCertIssuer');
          s.optional(0x82, 'authorityCertSerialNumber');
          s.expectEnd();
          v.expectEnd();
          break;
        }
        case CRL_OID.issuingDistributionPoint:
          idp = readIdp(v);
          if (idp.indirectCRL) unsupported ??= 'it is an indirect CRL (issuingDistributionPoint indirectCRL), which hush does not support';
          break;
        case CRL_OID.deltaCRLIndicator:
          unsupported ??= 'it is a delta CRL, which hush does not support (pass the complete CRL)';
          break;
        default:
          if (x.critical) unsupported ??= `it has an unsupported critical extension ${x.oid}`;
      }
    }
  }
  return {
    raw: der,
    tbs: tbsEl.raw,
    version,
    signatureAlgorithm,
    signature,
    issuer,
    thisUpdate,
    ...(nextUpdate !== undefined ? { nextUpdate } : {}),
    revoked,
    ...(crlNumber !== undefined ? { crlNumber } : {}),
    ...(authorityKeyIdentifier ? { authorityKeyIdentifier } : {}),
    ...(idp ? { issuingDistributionPoint: idp } : {}),
    ...(unsupported ? { unsupported } : {}),
  };
}

function isCrl(x: unknown): x is Crl {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && 'tbs' in x && 'revoked' in x;
}

/** Every CRL in PEM text (blocks labelled "X509 CRL") or DER bytes (one or several concatenated). */
export function parseCrls(input: string | Uint8Array): Crl[] {
  return parsePemOrDer(input, { label: 'X509 CRL', what: 'CRL', element: 'CertificateList', parse: parseCrl });
}

export function toCrls(input: CrlInput): Crl[] {
  return isCrl(input) ? [input] : parseCrls(input);
}

export function crlToPem(crl: Crl | Uint8Array): string {
  return encodePem('X509 CRL', crl instanceof Uint8Array ? crl : crl.raw);
}

/** The fullNames of a certificate's cRLDistributionPoints (§4.2.1.13), or undefined when absent. */
export function crlDistributionPointNames(cert: Certificate): GeneralName[] | undefined {
  const ext = cert.extensions.find((e) => e.oid === OID.crlDistributionPoints);
  if (!ext) return undefined;
  const v = new DerReader(ext.value, 'cRLDistributionPoints', 'bad_certificate');
  const s = v.sequence('CRLDistributionPoints');
  v.expectEnd();
  const out: GeneralName[] = [];
  while (!s.atEnd) {
    const dp = s.sequence('DistributionPoint');
    const name = dp.optional(0xa0, 'distributionPoint');
    dp.optional(0x81, 'reasons');
    dp.optional(0xa2, 'cRLIssuer');
    dp.expectEnd();
    if (name) out.push(...(readDistributionPointName(dp, name).fullName ?? []));
  }
  return out;
}

function sameGeneralName(a: GeneralName, b: GeneralName): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'dns':
    case 'email':
    case 'uri':
      return a.value === (b as typeof a).value;
    case 'ip':
      return equal(a.bytes, (b as typeof a).bytes);
    case 'directoryName':
      return equal(a.name.raw, (b as typeof a).name.raw);
    case 'other':
      return equal(a.raw, (b as typeof a).raw);
  }
}

/**
 * Whether the CRL's scope (§5.2.5, §6.3.3(b)(2)) covers `cert`: the only* flags against the
 * certificate's kind, and the distribution point against the certificate's cRLDistributionPoints.
 * Returns the reason it does not, or undefined when it does. The issuer name is matched by the caller.
 */
export function crlScopeMismatch(crl: Crl, cert: Certificate): string | undefined {
  const idp = crl.issuingDistributionPoint;
  if (!idp) return undefined;
  const isCa = cert.basicConstraints?.ca === true;
  if (idp.onlyContainsUserCerts && isCa) return 'the CRL only covers end-entity certificates';
  if (idp.onlyContainsCACerts && !isCa) return 'the CRL only covers CA certificates';
  if (idp.onlyContainsAttributeCerts) return 'the CRL only covers attribute certificates';
  if (idp.relativeName) return 'the CRL names its distribution point relative to the issuer, which hush does not match';
  if (idp.fullName) {
    const dps = crlDistributionPointNames(cert) ?? [];
    if (!idp.fullName.some((n) => dps.some((d) => sameGeneralName(n, d)))) {
      return "the CRL's distribution point is not one of the certificate's cRLDistributionPoints";
    }
  }
  return undefined;
}
