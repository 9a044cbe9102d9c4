// hush errors in node:tls's words. Code written for node:tls branches on `err.code`: certificate
// failures carry OpenSSL's verify codes (X509_V_ERR_* names, as node exposes them, with
// X509_verify_cert_error_string's text as the message), a wrong host name is node's
// ERR_TLS_CERT_ALTNAME_INVALID (reason, host, cert), a received alert is node's ERR_SSL_<reason>
// (OpenSSL's SSL_R_*_ALERT_* names), and a local protocol failure gets the code node gives for the
// same situation where we know it. hush's own explanation stays on the error as `err.hush`.
// Codes come from structured data only (the alert, VerifyError's check and fault, TlsError's
// failure), never from a message's text: rewording a message cannot change a code.
import { alertName, AlertDescription } from '../errors/alert.js';
import type { TlsError } from '../errors/errors.js';
import type { Certificate } from '../x509/certificate.js';
import { VerifyError } from '../x509/verify-error.js';
import type { PeerCertificate as NodePeerCertificate } from 'node:tls';
import { peerCertificateObject } from './peer-certificate.js';

/** hush's explanation, kept on every translated error. */
export interface HushErrorDetail {
  /** The TLS alert name (e.g. 'unknown_ca'). */
  readonly alert: string;
  /** hush's code (e.g. 'ERR_TLS_UNKNOWN_CA'). */
  readonly code: string;
  /** The failed check for certificate errors ('trust', 'validity', 'hostname'...), else the alert name. */
  readonly reason: string;
  /** hush's message: what happened and what to do. */
  readonly message: string;
  /** True when the peer sent the alert. */
  readonly remote: boolean;
}

export type NodeTlsError = Error & {
  code: string;
  hush: HushErrorDetail;
  reason?: string;
  host?: string;
  cert?: NodePeerCertificate;
  library?: string;
};

/** OpenSSL 3's X509_verify_cert_error_string() for the codes hush produces. */
export const X509_MESSAGES: Readonly<Record<string, string>> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate revoked',
  INVALID_CA: 'invalid CA certificate',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  INVALID_PURPOSE: 'unsuitable certificate purpose',
  CERT_CHAIN_TOO_LONG: 'certificate chain too long',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'unable to decode issuer public key',
  UNSPECIFIED: 'unspecified certificate verification error',
};

/**
 * OpenSSL codes node has no name for: node reports them as UNSPECIFIED with OpenSSL's text,
 * which tells them apart.
 */
const UNSPECIFIED_MESSAGES: Readonly<Record<string, string>> = {
  keyCertSign: 'key usage does not include certificate signing',
  permitted: 'permitted subtree violation',
  excluded: 'excluded subtree violation',
  criticalExtension: 'unhandled critical extension',
};

function detail(err: TlsError, reason?: string): HushErrorDetail {
  return { alert: alertName(err.alert), code: err.code, reason: reason ?? alertName(err.alert), message: err.message, remote: err.remote };
}

function coded(code: string, message: string, hush: HushErrorDetail, cause: unknown): NodeTlsError {
  const e = new Error(message, { cause }) as NodeTlsError;
  e.code = code;
  e.hush = hush;
  return e;
}

/** The OpenSSL verify code for a failed path validation (not the host name). */
export function x509Code(err: VerifyError, now = Date.now()): string {
  // Revocation (CRL/OCSP) reports certificate_revoked, whatever its check is named.
  if (err.alert === AlertDescription.certificate_revoked) return 'CERT_REVOKED';
  const chain = err.chain ?? [];
  const last = chain[chain.length - 1];
  switch (err.check) {
    case 'trust':
      // RFC 5280 path building ended at `last` without reaching an anchor; OpenSSL tells apart
      // a lone self-signed leaf, a lone leaf, a self-signed root it was sent, and a missing issuer.
      if (chain.length <= 1) return last?.selfIssued ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
      return last?.selfIssued ? 'SELF_SIGNED_CERT_IN_CHAIN' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
    case 'validity': {
      const c = failing(err) ?? last;
      return c !== undefined && now < c.notBefore ? 'CERT_NOT_YET_VALID' : 'CERT_HAS_EXPIRED';
    }
    case 'signature':
      return 'CERT_SIGNATURE_FAILURE';
    case 'algorithm':
      return err.fault === 'issuerPublicKey' ? 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY' : 'CERT_SIGNATURE_FAILURE';
    case 'basicConstraints':
      // OpenSSL flags both INVALID_CA and then INVALID_PURPOSE (the issuer is no CA for the TLS
      // purpose); node's verify callback lets the check go on, and reports the last (measured).
      return 'INVALID_PURPOSE';
    case 'keyUsage':
      // An issuer without keyCertSign: OpenSSL's X509_V_ERR_KEYUSAGE_NO_CERTSIGN, which node has no name for.
      return err.fault === 'issuerKeyCertSign' ? 'UNSPECIFIED' : 'INVALID_PURPOSE';
    case 'extKeyUsage':
      return 'INVALID_PURPOSE';
    case 'pathLen':
      return 'PATH_LENGTH_EXCEEDED';
    case 'depth':
    case 'workLimit':
      return 'CERT_CHAIN_TOO_LONG';
    default:
      // nameConstraints, criticalExtension, parse: OpenSSL codes node has no name for.
      return 'UNSPECIFIED';
  }
}

/** X509_verify_cert_error_string() for the failure x509Code() named. */
export function x509Message(err: VerifyError, code: string): string {
  if (code === 'UNSPECIFIED') {
    if (err.check === 'keyUsage') return UNSPECIFIED_MESSAGES.keyCertSign!;
    if (err.check === 'nameConstraints') return err.fault === 'excludedSubtree' ? UNSPECIFIED_MESSAGES.excluded! : UNSPECIFIED_MESSAGES.permitted!;
    if (err.check === 'criticalExtension') return UNSPECIFIED_MESSAGES.criticalExtension!;
  }
  return X509_MESSAGES[code] ?? X509_MESSAGES.UNSPECIFIED!;
}

/** The certificate of the path the check failed on (by subject). */
function failing(err: VerifyError): Certificate | undefined {
  return err.chain?.find((c) => c.subject.text === err.certificate);
}

/**
 * node's ERR_TLS_CERT_ALTNAME_INVALID for a host name the certificate does not cover, with node's
 * reason text; when the certificate has no subjectAltName at all, the reason says that hush does
 * not fall back to the common name (RFC 9525 §6.3) and how to fix the certificate.
 */
export function altNameError(host: string, leaf: Certificate | undefined, cert: NodePeerCertificate | undefined, hush: HushErrorDetail, cause?: unknown): NodeTlsError {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  const isIp = /^[0-9.]+$/.test(h) || h.includes(':');
  let reason: string;
  const sans = cert?.subjectaltname;
  if (leaf !== undefined && !(leaf.subjectAltName ?? []).some((n) => n.type === 'dns' || n.type === 'ip')) {
    const cn = cert?.subject?.CN;
    reason =
      `${isIp ? `IP: ${h}` : `Host: ${h}.`} is not in the cert's altnames: the certificate has no subjectAltName` +
      (cn ? ` and hush does not fall back to its common name (CN=${String(cn)})` : '') +
      ` (RFC 9525); reissue the certificate with a subjectAltName ${isIp ? `IP:${h}` : `DNS:${h}`}`;
  } else if (isIp) {
    const ips = (sans ?? '').split(', ').filter((n) => n.startsWith('IP Address:')).map((n) => n.slice(11));
    reason = `IP: ${h} is not in the cert's list: ${ips.join(', ')}`;
  } else {
    reason = `Host: ${h}. is not in the cert's altnames: ${sans ?? ''}`;
  }
  const e = coded('ERR_TLS_CERT_ALTNAME_INVALID', `Hostname/IP does not match certificate's altnames: ${reason}`, hush, cause);
  e.reason = reason;
  e.host = h;
  if (cert !== undefined) e.cert = cert;
  return e;
}

/** OpenSSL's SSL_R_* reason for a received alert (the suffix of node's ERR_SSL_ code, lower case with spaces). */
const ALERT_REASONS: Readonly<Record<number, string>> = {
  [AlertDescription.close_notify]: 'sslv3 alert close notify',
  [AlertDescription.unexpected_message]: 'sslv3 alert unexpected message',
  [AlertDescription.bad_record_mac]: 'sslv3 alert bad record mac',
  21: 'tlsv1 alert decryption failed',
  [AlertDescription.record_overflow]: 'tlsv1 alert record overflow',
  30: 'sslv3 alert decompression failure',
  [AlertDescription.handshake_failure]: 'sslv3 alert handshake failure',
  41: 'sslv3 alert no certificate',
  [AlertDescription.bad_certificate]: 'sslv3 alert bad certificate',
  [AlertDescription.unsupported_certificate]: 'sslv3 alert unsupported certificate',
  [AlertDescription.certificate_revoked]: 'sslv3 alert certificate revoked',
  [AlertDescription.certificate_expired]: 'sslv3 alert certificate expired',
  [AlertDescription.certificate_unknown]: 'sslv3 alert certificate unknown',
  [AlertDescription.illegal_parameter]: 'sslv3 alert illegal parameter',
  [AlertDescription.unknown_ca]: 'tlsv1 alert unknown ca',
  [AlertDescription.access_denied]: 'tlsv1 alert access denied',
  [AlertDescription.decode_error]: 'tlsv1 alert decode error',
  [AlertDescription.decrypt_error]: 'tlsv1 alert decrypt error',
  60: 'tlsv1 alert export restriction',
  [AlertDescription.protocol_version]: 'tlsv1 alert protocol version',
  [AlertDescription.insufficient_security]: 'tlsv1 alert insufficient security',
  [AlertDescription.internal_error]: 'tlsv1 alert internal error',
  [AlertDescription.inappropriate_fallback]: 'tlsv1 alert inappropriate fallback',
  [AlertDescription.user_canceled]: 'tlsv1 alert user cancelled',
  [AlertDescription.no_renegotiation]: 'tlsv1 alert no renegotiation',
  [AlertDescription.missing_extension]: 'tlsv13 alert missing extension',
  [AlertDescription.unsupported_extension]: 'tlsv1 unsupported extension',
  111: 'tlsv1 certificate unobtainable',
  [AlertDescription.unrecognized_name]: 'tlsv1 unrecognized name',
  [AlertDescription.bad_certificate_status_response]: 'tlsv1 bad certificate status response',
  114: 'tlsv1 bad certificate hash value',
  [AlertDescription.unknown_psk_identity]: 'tlsv1 alert unknown psk identity',
  [AlertDescription.certificate_required]: 'tlsv13 alert certificate required',
  [AlertDescription.no_application_protocol]: 'tlsv1 alert no application protocol',
};

/** node's code for an OpenSSL SSL_R_* reason: 'tlsv1 alert unknown ca' → ERR_SSL_TLSV1_ALERT_UNKNOWN_CA. */
function sslCode(reason: string): string {
  return 'ERR_SSL_' + reason.toUpperCase().replace(/ /g, '_');
}

/** node's code for an alert received from the peer, e.g. ERR_SSL_TLSV1_ALERT_UNKNOWN_CA. */
export function receivedAlertCode(alert: number): string | undefined {
  const r = ALERT_REASONS[alert];
  return r === undefined ? undefined : sslCode(r);
}

function sslError(reason: string, packed: number, suffix: string, hush: HushErrorDetail, cause: unknown): NodeTlsError {
  // node's message is OpenSSL's ERR_error_string_n line ("<thread>:error:0A000418:SSL routines:
  // ssl3_read_bytes:tlsv1 alert unknown ca:<file>:<line>:SSL alert number 48"), without the
  // thread id and source position here.
  const hex = (0x0a000000 | packed).toString(16).toUpperCase().padStart(8, '0');
  const e = coded(sslCode(reason), `error:${hex}:SSL routines::${reason}${suffix}`, hush, cause);
  e.library = 'SSL routines';
  e.reason = reason;
  return e;
}

/**
 * OpenSSL's reason for failures hush detects itself, where node's code for the same situation is
 * known (measured against node:tls): by alert, refined by the error's `failure` (set where it is
 * raised; see TlsFailure).
 */
function localReason(err: TlsError): [reason: string, packed: number] | undefined {
  const f = err.failure;
  switch (err.alert) {
    case AlertDescription.protocol_version:
      // A record header that is not TLS framing: OpenSSL reads it as a record version.
      if (f === 'recordNotTls') return ['wrong version number', 267];
      return ['unsupported protocol', 258];
    case AlertDescription.bad_record_mac:
      return ['decryption failed or bad record mac', 281];
    case AlertDescription.record_overflow:
      // hush sends record_overflow only for a record over its size limit (RFC 8446 §5.2, RFC 5246 §6.2).
      return ['packet length too long', 198];
    case AlertDescription.handshake_failure:
      if (f === 'noClientCertificate') return ['peer did not return a certificate', 199];
      if (f === 'noSharedCipherSuite') return ['no shared cipher', 193];
      if (f === 'noSharedGroup') return ['no suitable key share', 101];
      return undefined;
    case AlertDescription.no_application_protocol:
      return ['no application protocol', 235];
    case AlertDescription.certificate_required:
      return ['peer did not return a certificate', 199];
    case AlertDescription.unexpected_message:
      // Plain HTTP where TLS was expected (src/record/deframer.ts says which way).
      if (f === 'plainHttpRequest') return ['http request', 156];
      if (f === 'plainHttpResponse' || f === 'unknownContentType') return ['wrong version number', 267];
      return ['unexpected message', 244];
    default:
      return undefined;
  }
}

/** Context for translating a certificate error: what node's ALTNAME error carries. */
export interface VerifyContext {
  /** The name checked (servername or host). */
  readonly host?: string | undefined;
  /** The peer's chain when known (rejectUnauthorized: false), leaf first. */
  readonly peerChain?: readonly Certificate[] | undefined;
}

/**
 * Translate any error a hush connection produced into node:tls's code and message. Errors that
 * are not TlsErrors (socket errors, ERR_TLS_HANDSHAKE_TIMEOUT...) are returned unchanged; so are
 * TlsErrors with no node equivalent, which keep their ERR_TLS_<alert> code but get `hush`.
 */
export function toNodeError(err: Error, ctx: VerifyContext = {}): Error {
  if ((err as Partial<NodeTlsError>).hush !== undefined) return err;
  const t = err as Partial<TlsError>;
  if (typeof t.alert !== 'number' || typeof t.code !== 'string') return err;
  const tls = err as TlsError;
  if (tls instanceof VerifyError) {
    const hush = detail(tls, tls.check);
    if (tls.check === 'hostname') {
      const leaf = tls.chain?.[0] ?? ctx.peerChain?.[0];
      const cert = leaf === undefined ? undefined : peerCertificateObject([leaf.raw], [], true);
      return altNameError(ctx.host ?? '', leaf, cert, hush, err);
    }
    const code = x509Code(tls);
    return coded(code, x509Message(tls, code), hush, err);
  }
  const hush = detail(tls);
  if (tls.remote) {
    const r = ALERT_REASONS[tls.alert];
    if (r !== undefined) return sslError(r, 1000 + tls.alert, `:SSL alert number ${tls.alert}`, hush, err);
    return attach(err, hush);
  }
  const local = localReason(tls);
  if (local) return sslError(local[0], local[1], '', hush, err);
  return attach(err, hush);
}

function attach(err: Error, hush: HushErrorDetail): Error {
  (err as Partial<NodeTlsError>).hush = hush;
  return err;
}

/**
 * The error hush produced behind a translated one (its TlsError, whose message and alert say more
 * than OpenSSL's words), else `err` itself: for hush's own tools (the CLI), not for node code.
 */
export function hushErrorOf(err: Error): Error {
  const cause = (err as { cause?: unknown }).cause;
  if ((err as Partial<NodeTlsError>).hush !== undefined && cause instanceof Error && typeof (cause as Partial<TlsError>).alert === 'number') return cause;
  return err;
}

/** The `authorizationError` string node reports for a translated error. */
export function authorizationCode(err: Error): string {
  return (err as { code?: string }).code ?? err.message;
}
