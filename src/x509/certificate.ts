// The certificate model and parser (RFC 5280 §4.1). Parsing keeps views into the input (no
// copies) and fails with TlsError(bad_certificate) on anything that is not strict DER or not
// well-formed per the profile. Semantic checks that depend on use (critical extensions, times,
// CA flags) belong to validation (verify.ts).
import { DerReader, Tag, encodePem } from '../asn1/index.js';
import { equal, toHex } from '../bytes/util.js';
import { TlsError } from '../errors/errors.js';
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { readSignatureAlgorithm, type SignatureAlgorithmInfo } from './algorithm.js';
import { readExtensions, type ParsedExtensions } from './extensions.js';
import { parsePemOrDer } from './pem-or-der.js';
import { readName, type Name } from './name.js';
import { readSpki, type SubjectPublicKeyInfo } from './spki.js';

export interface Certificate extends ParsedExtensions {
  /** The whole certificate DER (the input, not a copy). */
  readonly raw: Uint8Array;
  /** The DER of tbsCertificate: the signed bytes. */
  readonly tbs: Uint8Array;
  readonly version: 1 | 2 | 3;
  /** Serial number magnitude (big-endian, no sign octet). */
  readonly serialNumber: Uint8Array;
  /** Serial number as lowercase hex (of the two's complement octets when it is negative). */
  readonly serialHex: string;
  /**
   * Set when the serial number breaks RFC 5280 §4.1.2.2 (positive, at most 20 octets). Such a
   * certificate parses; validation rejects it with a rule naming the problem (profile.ts).
   */
  readonly serialProblem?: 'zero' | 'negative' | 'tooLong';
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  readonly signature: Uint8Array;
  readonly issuer: Name;
  readonly subject: Name;
  /** ms since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly spki: SubjectPublicKeyInfo;
  /** True when subject and issuer are the same name (RFC 5280 §6.1: "self-issued"). */
  readonly selfIssued: boolean;
}

/** Accepted certificate inputs: PEM text, DER bytes, or an already parsed certificate. */
export type CertificateInput = string | Uint8Array | Certificate;

const MAX_CERTIFICATE_SIZE = 64 * 1024;
/** Longer serial numbers are refused while parsing (validation refuses more than 20). */
const MAX_SERIAL_OCTETS = 64;

/** Parse one DER certificate. Throws TlsError('bad_certificate') with the failing field. */
export function parseCertificate(der: Uint8Array): Certificate {
  if (der.length > MAX_CERTIFICATE_SIZE) {
    throw new TlsError('bad_certificate', `certificate of ${der.length} bytes is larger than ${MAX_CERTIFICATE_SIZE}`);
  }
  const top = new DerReader(der, 'certificate', 'bad_certificate');
  const certEl = top.expect(Tag.SEQUENCE, 'Certificate');
  top.expectEnd();
  const c = top.child(certEl, 'Certificate');
  const tbsEl = c.expect(Tag.SEQUENCE, 'tbsCertificate');
  const signatureAlgorithm = readSignatureAlgorithm(c, 'signatureAlgorithm');
  const signature = c.bitStringBytes('signatureValue');
  c.expectEnd();

  const t = c.child(tbsEl, 'tbsCertificate');
  let version: 1 | 2 | 3 = 1;
  const vEl = t.optional(0xa0, 'version');
  if (vEl) {
    const vr = t.child(vEl, 'version');
    const v = vr.smallInteger('version', 2);
    vr.expectEnd();
    // Version DEFAULT v1: an explicit v1 is not DER.
    if (v === 0) t.fail('version v1 is the DEFAULT and must be absent in DER');
    version = (v + 1) as 2 | 3;
  }
  // §4.1.2.2: positive, at most 20 octets — checked by validation (serialProblem), so that the
  // failure names the rule; parsing only bounds the length.
  const serialContents = t.integer('serialNumber');
  const negative = serialContents[0]! >= 0x80;
  const serialNumber = !negative && serialContents[0] === 0 && serialContents.length > 1 ? serialContents.subarray(1) : serialContents;
  if (serialNumber.length > MAX_SERIAL_OCTETS) t.fail(`serialNumber of ${serialNumber.length} octets is longer than ${MAX_SERIAL_OCTETS}`);
  const serialProblem = negative
    ? ('negative' as const)
    : serialNumber.length > 20
      ? ('tooLong' as const)
      : serialNumber.length === 1 && serialNumber[0] === 0
        ? ('zero' as const)
        : undefined;
  const inner = readSignatureAlgorithm(t, 'signature');
  // §4.1.1.2: signatureAlgorithm MUST be the same as the TBS signature field.
  if (!equal(inner.raw, signatureAlgorithm.raw)) {
    t.fail('signatureAlgorithm differs from tbsCertificate.signature');
  }
  const issuer = readName(t, 'issuer');
  const validity = t.sequence('validity');
  const notBefore = validity.time('notBefore');
  const notAfter = validity.time('notAfter');
  validity.expectEnd();
  const subject = readName(t, 'subject');
  const spki = readSpki(t, 'subjectPublicKeyInfo');
  // §4.1.2.8: unique identifiers only in v2/v3.
  if (t.optional(0x81, 'issuerUniqueID') && version === 1) t.fail('issuerUniqueID in a v1 certificate');
  if (t.optional(0x82, 'subjectUniqueID') && version === 1) t.fail('subjectUniqueID in a v1 certificate');
  let ext: ParsedExtensions = { extensions: [], unhandledCritical: [] };
  const eEl = t.optional(0xa3, 'extensions');
  if (eEl) {
    // §4.1.2.9: extensions only in v3.
    if (version !== 3) t.fail(`extensions in a v${version} certificate`);
    ext = readExtensions(t.child(eEl, 'extensions'));
  }
  t.expectEnd();
  return {
    raw: der,
    tbs: tbsEl.raw,
    version,
    serialNumber,
    serialHex: toHex(serialNumber),
    ...(serialProblem ? { serialProblem } : {}),
    signatureAlgorithm,
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    selfIssued: equal(issuer.raw, subject.raw),
    ...ext,
  };
}

function isCertificate(x: unknown): x is Certificate {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && 'tbs' in x && 'raw' in x;
}

/**
 * Every certificate in PEM text (blocks labelled CERTIFICATE; other blocks such as keys are
 * skipped) or in DER bytes (one certificate, or several concatenated). Bytes that start with
 * "-----" are read as PEM text. Fails when there is no certificate at all.
 */
export function parseCertificates(input: string | Uint8Array): Certificate[] {
  return parsePemOrDer(input, { label: 'CERTIFICATE', what: 'certificate', element: 'Certificate', parse: parseCertificate });
}

/** Normalise one input to certificates (a PEM text may hold several). */
export function toCertificates(input: CertificateInput): Certificate[] {
  return isCertificate(input) ? [input] : parseCertificates(input);
}

/** The certificate as PEM text. */
export function certificateToPem(cert: Certificate | Uint8Array): string {
  return encodePem('CERTIFICATE', cert instanceof Uint8Array ? cert : cert.raw);
}

/** Digest of the DER, e.g. the SHA-256 fingerprint. */
export function certificateFingerprint(cert: Certificate, provider: CryptoProvider, hash: HashName = 'sha256'): Uint8Array {
  return provider.digest(hash, cert.raw);
}

/** Fingerprint as colon-separated uppercase hex ("AB:CD:..."), as browsers and openssl show it. */
export function fingerprintHex(cert: Certificate, provider: CryptoProvider, hash: HashName = 'sha256'): string {
  return toHex(certificateFingerprint(cert, provider, hash)).toUpperCase().replace(/(..)(?!$)/g, '$1:');
}
