// Issue CRLs (RFC 5280 §5) and OCSP responses (RFC 6960 §4.2) signed by a provider key, and the
// certificate extensions revocation needs (AIA OCSP URL, cRLDistributionPoints, must-staple), for
// `hush` and for the tests — including deliberately broken ones (hence the overrides).
import { der } from '../asn1/index.js';
import { UsageError } from '../errors/errors.js';
import type { CryptoProvider, HashName, PrivateKey, SignatureAlgorithm } from '../crypto/provider.js';
import { defaultSignatureAlgorithm, encodeSignatureAlgorithm } from './algorithm.js';
import { toCertificates, type Certificate, type CertificateInput } from './certificate.js';
import { encodeName, type ExtraExtension, type NameInput } from './builder.js';
import { CRL_OID, CRL_REASONS, crlToPem, parseCrl, type Crl, type CrlReason } from './crl.js';
import { OCSP_OID, ocspCertId, parseOcspResponse, type OcspResponse } from './ocsp.js';
import { OID } from './oids.js';

const enc = new TextEncoder();

function ms(t: Date | number, what: string): number {
  const v = t instanceof Date ? t.getTime() : t;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`${what} must be a valid Date`);
  return v;
}

function ext(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value)) : der.sequence(der.oid(oid), der.octetString(value));
}

function serialOf(s: bigint | Uint8Array | Certificate | string): bigint | Uint8Array {
  if (typeof s === 'string') return BigInt('0x' + s);
  if (typeof s === 'bigint' || s instanceof Uint8Array) return s;
  return s.serialNumber;
}

function reasonEnum(r: CrlReason): Uint8Array {
  const v = CRL_REASONS[r];
  if (v === undefined) throw new UsageError(`unknown CRL reason '${r}'`);
  return Uint8Array.of(0x0a, 1, v);
}

/** The issuer and its key, as for issueCertificate. */
export interface Signer {
  readonly certificate: CertificateInput;
  readonly key: PrivateKey;
}

export interface RevokedInput {
  /** The certificate, or its serial (bigint, magnitude bytes, or hex). */
  readonly serial: bigint | Uint8Array | Certificate | string;
  readonly date: Date | number;
  readonly reason?: CrlReason;
}

export interface IssueCrlOptions {
  readonly provider: CryptoProvider;
  readonly issuer: Signer;
  readonly thisUpdate: Date | number;
  /** null: omit (RFC 5280 requires it; for tests). */
  readonly nextUpdate: Date | number | null;
  readonly revoked?: readonly RevokedInput[];
  /** Default 1. */
  readonly crlNumber?: bigint | number;
  /** issuingDistributionPoint (critical). */
  readonly scope?: {
    readonly distributionPointUri?: string;
    readonly onlyContainsUserCerts?: boolean;
    readonly onlyContainsCACerts?: boolean;
    readonly indirectCRL?: boolean;
  };
  /** Mark the CRL as a delta CRL of this base number (tests: hush refuses delta CRLs). */
  readonly deltaOf?: bigint | number;
  /** Default: the issuer's subjectKeyIdentifier. false: omit. */
  readonly authorityKeyIdentifier?: Uint8Array | false;
  readonly signatureAlgorithm?: SignatureAlgorithm;
  /** Override the issuer name (tests). */
  readonly issuerName?: NameInput;
  readonly extensions?: readonly ExtraExtension[];
}

export interface IssuedCrl {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly crl: Crl;
}

/** Build and sign a v2 CRL. */
export function issueCrl(o: IssueCrlOptions): IssuedCrl {
  const issuer = toCertificates(o.issuer.certificate)[0]!;
  const sigAlg = o.signatureAlgorithm ?? defaultSignatureAlgorithm(o.issuer.key);
  const algId = encodeSignatureAlgorithm(sigAlg);
  const entries = (o.revoked ?? []).map((r) =>
    der.sequence(
      der.integer(serialOf(r.serial)),
      der.time(ms(r.date, 'issueCrl: revoked date')),
      ...(r.reason ? [der.sequence(ext(CRL_OID.reasonCode, false, reasonEnum(r.reason)))] : []),
    ),
  );
  const exts: Uint8Array[] = [];
  const aki = o.authorityKeyIdentifier === false ? undefined : (o.authorityKeyIdentifier ?? issuer.subjectKeyIdentifier);
  if (aki) exts.push(ext(OID.authorityKeyIdentifier, false, der.sequence(der.contextPrimitive(0, aki))));
  exts.push(ext(CRL_OID.cRLNumber, false, der.integer(BigInt(o.crlNumber ?? 1))));
  if (o.deltaOf !== undefined) exts.push(ext(CRL_OID.deltaCRLIndicator, true, der.integer(BigInt(o.deltaOf))));
  if (o.scope) {
    const s = o.scope;
    const parts: Uint8Array[] = [];
    if (s.distributionPointUri) {
      // distributionPoint [0] { fullName [0] GeneralNames }
      parts.push(der.explicit(0, der.implicit(0, der.sequence(der.contextPrimitive(6, enc.encode(s.distributionPointUri))))));
    }
    if (s.onlyContainsUserCerts) parts.push(der.contextPrimitive(1, Uint8Array.of(0xff)));
    if (s.onlyContainsCACerts) parts.push(der.contextPrimitive(2, Uint8Array.of(0xff)));
    if (s.indirectCRL) parts.push(der.contextPrimitive(4, Uint8Array.of(0xff)));
    exts.push(ext(CRL_OID.issuingDistributionPoint, true, der.sequence(...parts)));
  }
  for (const x of o.extensions ?? []) exts.push(ext(x.oid, x.critical ?? false, x.value));
  const tbs = der.sequence(
    der.integer(1),
    algId,
    o.issuerName !== undefined ? encodeName(o.issuerName) : issuer.subject.raw,
    der.time(ms(o.thisUpdate, 'issueCrl: thisUpdate')),
    ...(o.nextUpdate === null ? [] : [der.time(ms(o.nextUpdate, 'issueCrl: nextUpdate'))]),
    ...(entries.length ? [der.sequence(...entries)] : []),
    der.explicit(0, der.sequence(...exts)),
  );
  const sig = o.provider.sign(o.issuer.key, sigAlg, tbs);
  const crlDer = der.sequence(tbs, algId, der.bitString(sig));
  return { der: crlDer, pem: crlToPem(crlDer), crl: parseCrl(crlDer) };
}

export type OcspStatusInput =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly date: Date | number; readonly reason?: CrlReason }
  | { readonly status: 'unknown' };

export interface IssueOcspResponseOptions {
  readonly provider: CryptoProvider;
  /** The certificate the response is about. */
  readonly certificate: CertificateInput;
  /** Its issuer (the CertID is computed from it). */
  readonly issuer: CertificateInput;
  /** Who signs: the issuer itself, or a delegated responder (included in `certs`). */
  readonly signer: Signer;
  readonly status: OcspStatusInput;
  readonly thisUpdate: Date | number;
  /** null: omit. */
  readonly nextUpdate: Date | number | null;
  /** Default: thisUpdate. */
  readonly producedAt?: Date | number;
  /** CertID hash; default sha1 (what responders use). */
  readonly hash?: HashName;
  /** Responder ID form; default byKey. */
  readonly responderId?: 'byName' | 'byKey';
  /** Include the signer's certificate (default: when the signer is not the issuer). */
  readonly includeSigner?: boolean;
  /** Override the CertID's certificate serial (tests: a response for another certificate). */
  readonly serial?: bigint | Uint8Array;
  readonly signatureAlgorithm?: SignatureAlgorithm;
}

export interface IssuedOcspResponse {
  readonly der: Uint8Array;
  readonly response: OcspResponse;
}

/** ResponderID byKey: SHA-1 of the signer's subjectPublicKey (RFC 6960 §4.2.1), as a CertID's key hash is. */
function spkiBits(provider: CryptoProvider, c: Certificate): Uint8Array {
  return ocspCertId(provider, c, c, 'sha1').issuerKeyHash;
}

/** Build and sign a successful basic OCSP response for one certificate. */
export function issueOcspResponse(o: IssueOcspResponseOptions): IssuedOcspResponse {
  const { provider } = o;
  const cert = toCertificates(o.certificate)[0]!;
  const issuer = toCertificates(o.issuer)[0]!;
  const signerCert = toCertificates(o.signer.certificate)[0]!;
  const id = ocspCertId(provider, cert, issuer, o.hash ?? 'sha1');
  const certId =
    o.serial === undefined
      ? id.raw
      : der.sequence(
          der.sequence(der.oid({ sha1: OID.sha1, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 }[o.hash ?? 'sha1']), der.nullValue()),
          der.octetString(id.issuerNameHash),
          der.octetString(id.issuerKeyHash),
          der.integer(o.serial),
        );
  let status: Uint8Array;
  if (o.status.status === 'good') status = der.contextPrimitive(0, new Uint8Array(0));
  else if (o.status.status === 'unknown') status = der.contextPrimitive(2, new Uint8Array(0));
  else {
    const parts = [der.generalizedTime(ms(o.status.date, 'issueOcspResponse: revocation date'))];
    if (o.status.reason) parts.push(der.explicit(0, reasonEnum(o.status.reason)));
    status = der.implicit(1, der.sequence(...parts));
  }
  const thisUpdate = ms(o.thisUpdate, 'issueOcspResponse: thisUpdate');
  const single = der.sequence(
    certId,
    status,
    der.generalizedTime(thisUpdate),
    ...(o.nextUpdate === null ? [] : [der.explicit(0, der.generalizedTime(ms(o.nextUpdate, 'issueOcspResponse: nextUpdate')))]),
  );
  const responderId =
    (o.responderId ?? 'byKey') === 'byName'
      ? der.explicit(1, signerCert.subject.raw)
      : der.explicit(2, der.octetString(spkiBits(provider, signerCert)));
  const tbs = der.sequence(
    responderId,
    der.generalizedTime(o.producedAt !== undefined ? ms(o.producedAt, 'producedAt') : thisUpdate),
    der.sequence(single),
  );
  const sigAlg = o.signatureAlgorithm ?? defaultSignatureAlgorithm(o.signer.key);
  const algId = encodeSignatureAlgorithm(sigAlg);
  const sig = provider.sign(o.signer.key, sigAlg, tbs);
  const include = o.includeSigner ?? !(signerCert.raw.length === issuer.raw.length && signerCert.raw.every((b, i) => b === issuer.raw[i]));
  const basic = der.sequence(tbs, algId, der.bitString(sig), ...(include ? [der.explicit(0, der.sequence(signerCert.raw))] : []));
  const out = der.sequence(
    Uint8Array.of(0x0a, 1, 0),
    der.explicit(0, der.sequence(der.oid(OCSP_OID.basic), der.octetString(basic))),
  );
  return { der: out, response: parseOcspResponse(out) };
}

/** An OCSPResponse with an error status and no body (tryLater, unauthorized...). */
export function ocspErrorResponse(status: 1 | 2 | 3 | 5 | 6): Uint8Array {
  return der.sequence(Uint8Array.of(0x0a, 1, status));
}

/** authorityInfoAccess with an OCSP responder URL (RFC 5280 §4.2.2.1), for issueCertificate's `extensions`. */
export function ocspAiaExtension(url: string): ExtraExtension {
  return {
    oid: OID.authorityInfoAccess,
    value: der.sequence(der.sequence(der.oid(OID.adOcsp), der.contextPrimitive(6, enc.encode(url)))),
  };
}

/** cRLDistributionPoints with one URI (RFC 5280 §4.2.1.13). */
export function crlDistributionPointsExtension(url: string): ExtraExtension {
  return {
    oid: OID.crlDistributionPoints,
    value: der.sequence(der.sequence(der.explicit(0, der.implicit(0, der.sequence(der.contextPrimitive(6, enc.encode(url))))))),
  };
}

/** The RFC 7633 TLS feature extension asking for status_request (must-staple). */
export function mustStapleExtension(): ExtraExtension {
  return { oid: OCSP_OID.tlsFeature, value: der.sequence(der.integer(5)) };
}
