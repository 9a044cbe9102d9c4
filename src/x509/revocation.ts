// Revocation over a validated path (RFC 5280 §6.3 for CRLs, RFC 6960 for OCSP, RFC 7633 for
// must-staple). Called by verifyServerChain once a path to a trust anchor is found; the anchor
// itself is never checked (it is trusted by being in the store).
//
// Rules:
// - Every certificate of the path below the anchor is checked against the CRLs given: a CRL
//   speaks for a certificate when its issuer name is the certificate's issuer, its
//   authorityKeyIdentifier (if any) is the issuer's key, and its scope covers the certificate.
//   Such a CRL must then be usable — signed by the issuer (whose keyUsage, when present, has
//   cRLSign), within thisUpdate..nextUpdate (with the clock skew), complete and direct — or the
//   path fails ("crl"), as OpenSSL does with -crl_check. A usable CRL listing the serial: revoked.
// - `crlCheck` says which certificates must have a usable CRL: 'none' (default: check what the
//   CRLs cover), 'leaf' (like openssl verify -crl_check) or 'chain' (-crl_check_all).
// - The OCSP response (a staple or one fetched) is about the leaf: when given it must be valid
//   for the leaf (ocsp.ts), 'revoked' fails, 'unknown' fails unless `ocspUnknown: 'allow'`.
// - Must-staple (RFC 7633 §4.2.3): with `enforceMustStaple`, a leaf whose TLS feature extension
//   lists status_request fails without a valid OCSP response.
import type { CryptoProvider } from '../crypto/provider.js';
import type { Certificate } from './certificate.js';
import { crlScopeMismatch, toCrls, type Crl, type CrlInput, type CrlReason } from './crl.js';
import { checkOcspResponse, DEFAULT_OCSP_SKEW, hasMustStaple, type OcspResponse } from './ocsp.js';
import { equal } from '../bytes/util.js';
import { VerifyError, isoTime } from './verify-error.js';

export interface RevocationOptions {
  /** CRLs (PEM text with one or more "X509 CRL" blocks, DER, or parsed). */
  readonly crls?: readonly CrlInput[];
  /** Which certificates must be covered by a usable CRL: 'none' (default), 'leaf' or 'chain'. */
  readonly crlCheck?: 'none' | 'leaf' | 'chain';
  /** An OCSP response for the leaf (DER OCSPResponse: a TLS staple or one fetched). */
  readonly ocspResponse?: Uint8Array;
  /** A valid OCSP response saying 'unknown': 'reject' (default) or 'allow'. */
  readonly ocspUnknown?: 'reject' | 'allow';
  /** Reject a must-staple leaf (RFC 7633) that comes without a valid ocspResponse. Default false. */
  readonly enforceMustStaple?: boolean;
  /** Clock skew allowed on CRL and OCSP times, in ms (default 5 minutes). */
  readonly revocationClockSkew?: number;
}

/** A certificate of the path is revoked: the error names the date and the reason. */
export class RevokedError extends VerifyError {
  readonly revocationDate: number;
  /** The CRL/OCSP reason code; 'unspecified' when the source gave none (`reason` is the rule: 'revoked'). */
  readonly revocationReason: CrlReason;
  readonly source: 'crl' | 'ocsp';

  constructor(cert: Certificate, role: string, date: number, reason: CrlReason, source: 'crl' | 'ocsp') {
    super(
      'certificate_revoked',
      'revoked',
      `${role} '${cert.subject.text || `serial ${cert.serialHex}`}' (serial ${cert.serialHex}) was revoked on ${isoTime(date)}, reason ${reason} (${source === 'crl' ? 'CRL' : 'OCSP'})`,
      cert,
    );
    this.name = 'RevokedError';
    this.revocationDate = date;
    this.revocationReason = reason;
    this.source = source;
  }

  override toJSON(): ReturnType<VerifyError['toJSON']> & { revocationDate: string; revocationReason: CrlReason } {
    return { ...super.toJSON(), revocationDate: isoTime(this.revocationDate), revocationReason: this.revocationReason };
  }
}

export function hasRevocationOptions(o: RevocationOptions): boolean {
  return (o.crls !== undefined && o.crls.length > 0) || o.ocspResponse !== undefined || o.enforceMustStaple === true || (o.crlCheck ?? 'none') !== 'none';
}

/** Parse the CRL inputs; throws TlsError on a CRL that does not parse. */
export function parseCrlInputs(inputs: readonly CrlInput[]): Crl[] {
  const out: Crl[] = [];
  for (const x of inputs) out.push(...toCrls(x));
  return out;
}

/**
 * Memo of CRL signature checks (a pure function of the CRL, the key and the provider): a server
 * or client checks the same parsed CRL on every handshake, and the signature is most of the cost.
 */
const crlSignatures = new WeakMap<Crl, { provider: CryptoProvider; spki: Uint8Array; ok: boolean }[]>();

function crlSignedBy(crl: Crl, issuer: Certificate, provider: CryptoProvider): boolean {
  let seen = crlSignatures.get(crl);
  const hit = seen?.find((x) => x.provider === provider && equal(x.spki, issuer.spki.raw));
  if (hit) return hit.ok;
  let ok = false;
  try {
    ok = provider.verify(provider.importPublicKey(issuer.spki.raw), crl.signatureAlgorithm.algorithm!, crl.tbs, crl.signature);
  } catch {
    ok = false;
  }
  if (!seen) crlSignatures.set(crl, (seen = []));
  // Bounded: a CRL is checked against its issuer's key (a few candidates at most).
  if (seen.length >= 8) seen.shift();
  seen.push({ provider, spki: issuer.spki.raw, ok });
  return ok;
}

function crlUsableError(crl: Crl, issuer: Certificate, at: number, skew: number, provider: CryptoProvider): string | undefined {
  if (crl.unsupported) return crl.unsupported;
  // §6.3.3(f): the CRL issuer's key must be allowed to sign CRLs.
  if (issuer.keyUsage && !issuer.keyUsage.includes('cRLSign')) {
    return `its issuer '${issuer.subject.text}' keyUsage does not include cRLSign`;
  }
  const alg = crl.signatureAlgorithm.algorithm;
  if (!alg) return `it is signed with ${crl.signatureAlgorithm.name}, which hush does not accept`;
  if (!crlSignedBy(crl, issuer, provider)) return `its signature does not verify with the public key of '${issuer.subject.text}'`;
  if (crl.thisUpdate > at + skew) return `it is not valid yet (thisUpdate ${isoTime(crl.thisUpdate)})`;
  // §5.1.2.5: conforming CRL issuers MUST include nextUpdate; without it we cannot tell it is current.
  if (crl.nextUpdate === undefined) return 'it has no nextUpdate, so hush cannot tell whether it is current';
  if (crl.nextUpdate + skew < at) return `it has expired (nextUpdate ${isoTime(crl.nextUpdate)})`;
  return undefined;
}

/** The CRL decision for one certificate of the path. */
function crlError(
  cert: Certificate,
  issuer: Certificate,
  role: string,
  crls: readonly Crl[],
  required: boolean,
  at: number,
  skew: number,
  provider: CryptoProvider,
): VerifyError | undefined {
  let covered = false;
  let firstBad: string | undefined;
  for (const crl of crls) {
    if (!equal(crl.issuer.raw, cert.issuer.raw)) continue;
    // A CRL for another key of a same-named CA (key rollover) does not speak for this one.
    if (crl.authorityKeyIdentifier && issuer.subjectKeyIdentifier && !equal(crl.authorityKeyIdentifier, issuer.subjectKeyIdentifier)) continue;
    if (crlScopeMismatch(crl, cert)) continue;
    const bad = crlUsableError(crl, issuer, at, skew, provider);
    if (bad) {
      firstBad ??= bad;
      continue;
    }
    const entry = crl.revoked.get(cert.serialHex);
    if (entry) return new RevokedError(cert, role, entry.revocationDate, entry.reason ?? 'unspecified', 'crl');
    // §6.3.3(d)/(j): a CRL limited to some reasons does not by itself show the certificate is good.
    if (!crl.issuingDistributionPoint?.onlySomeReasons) covered = true;
  }
  if (covered) return undefined;
  if (firstBad) {
    return new VerifyError('bad_certificate', 'crl', `the CRL of '${issuer.subject.text}' for ${role} '${cert.subject.text}' cannot be used: ${firstBad}`, cert);
  }
  if (required) {
    return new VerifyError('bad_certificate', 'crl', `no CRL from '${issuer.subject.text}' covers ${role} '${cert.subject.text}' (a CRL is required)`, cert);
  }
  return undefined;
}

export interface RevocationCheckInput extends RevocationOptions {
  /** A validated path: leaf first, trust anchor last. */
  readonly path: readonly Certificate[];
  readonly at: number;
  readonly provider: CryptoProvider;
  /** Parsed CRLs (the caller parses `crls` once). */
  readonly parsedCrls?: readonly Crl[];
}

/** The staple decision for the leaf alone (TLS 1.2 delivers the staple after the chain was checked). */
export function ocspError(
  leaf: Certificate,
  issuer: Certificate | undefined,
  o: RevocationOptions & { readonly at: number; readonly provider: CryptoProvider },
): VerifyError | undefined {
  const skew = o.revocationClockSkew ?? DEFAULT_OCSP_SKEW;
  const must = o.enforceMustStaple === true && hasMustStaple(leaf);
  if (o.ocspResponse === undefined) {
    if (must) {
      return new VerifyError(
        'bad_certificate_status_response',
        'ocsp',
        `certificate '${leaf.subject.text}' requires a stapled OCSP response (must-staple, RFC 7633) but none was sent`,
        leaf,
      );
    }
    return undefined;
  }
  if (!issuer) {
    // A leaf trusted by itself (pinned): no issuer to check a response against. Only must-staple
    // makes that fatal; otherwise the response is not used.
    return must
      ? new VerifyError('bad_certificate_status_response', 'ocsp', `cannot check the OCSP response for '${leaf.subject.text}' (must-staple): it is trusted by itself, without its issuer`, leaf)
      : undefined;
  }
  const r = checkOcspResponse({ response: o.ocspResponse, cert: leaf, issuer, at: o.at, provider: o.provider, clockSkew: skew });
  if (!r.ok) {
    return new VerifyError('bad_certificate_status_response', 'ocsp', `the OCSP response for '${leaf.subject.text}' cannot be used: ${r.why}`, leaf);
  }
  const st = r.single.certStatus;
  if (st.status === 'revoked') return new RevokedError(leaf, 'certificate', st.revocationTime, st.reason ?? 'unspecified', 'ocsp');
  if (st.status === 'unknown' && o.ocspUnknown !== 'allow') {
    return new VerifyError('bad_certificate_status_response', 'ocsp', `the OCSP responder does not know certificate '${leaf.subject.text}' (status unknown)`, leaf);
  }
  return undefined;
}

/** The first revocation failure on the path, or undefined. */
export function revocationError(o: RevocationCheckInput): VerifyError | undefined {
  const { path, at, provider } = o;
  const skew = o.revocationClockSkew ?? DEFAULT_OCSP_SKEW;
  const crls = o.parsedCrls ?? parseCrlInputs(o.crls ?? []);
  const mode = o.crlCheck ?? 'none';
  // The anchor (last) is trusted as is; a one-certificate path is a pinned leaf.
  for (let i = 0; i + 1 < path.length; i++) {
    const required = mode === 'chain' || (mode === 'leaf' && i === 0);
    if (crls.length === 0 && !required) break;
    const e = crlError(path[i]!, path[i + 1]!, i === 0 ? 'certificate' : 'issuer', crls, required, at, skew, provider);
    if (e) return e;
  }
  return ocspError(path[0]!, path[1], o);
}

/** Shorthand for callers that hold an OcspResponse already parsed. */
export type { OcspResponse };
