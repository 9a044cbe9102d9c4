// The error of a failed path validation: a TlsError (so a handshake can send its alert) that
// also names the check that failed and the certificate it failed on.
//
// Alerts, following RFC 8446 §6.2 and what OpenSSL/BoringSSL send:
//   parse, signature, basicConstraints, pathLen, keyUsage(issuer), nameConstraints, hostname
//                                             → bad_certificate
//   validity                                  → certificate_expired ("expired or not currently valid")
//   trust, depth, workLimit                   → unknown_ca
//   extKeyUsage, keyUsage(leaf), criticalExtension, algorithm, publicKey
//                                             → unsupported_certificate
//   keyIdentifier, serialNumber, subjectAltName, commonName, policyConstraints,
//   authorityInfoAccess                       → bad_certificate
//   revoked → certificate_revoked; crl → bad_certificate; ocsp → bad_certificate_status_response
//
// `check` names the family; `reason` is the stable code of the one rule that failed (the table
// of rules and the profiles that enforce them is in profile.ts). For the checks hush had before
// profiles existed, `reason` equals `check`.
import { TlsError } from '../errors/errors.js';
import type { AlertName } from '../errors/alert.js';
import type { Certificate } from './certificate.js';

export type VerifyCheck =
  | 'parse'
  | 'hostname'
  | 'validity'
  | 'signature'
  | 'algorithm'
  | 'trust'
  | 'basicConstraints'
  | 'pathLen'
  | 'keyUsage'
  | 'extKeyUsage'
  | 'nameConstraints'
  | 'criticalExtension'
  | 'depth'
  | 'workLimit'
  | 'keyIdentifier'
  | 'serialNumber'
  | 'publicKey'
  | 'subjectAltName'
  | 'commonName'
  | 'policyConstraints'
  | 'authorityInfoAccess'
  // Revocation (revocation.ts): a revoked certificate, an unusable CRL, an unusable OCSP response.
  | 'revoked'
  | 'crl'
  | 'ocsp';


/** Stable codes of the rules added with the profiles (#15); see RULES in profile.ts. */
export type VerifyRule =
  // name constraints (RFC 5280 §4.2.1.10, §6.1.3(b)(c))
  | 'nameConstraintsExcluded'
  | 'nameConstraintsNotPermitted'
  | 'nameConstraintsWildcard'
  | 'nameConstraintsInEndEntity'
  | 'nameConstraintsNotCritical'
  | 'nameConstraintsMalformed'
  | 'nameConstraintsInvalidName'
  | 'nameConstraintsUnsupportedForm'
  | 'nameConstraintsWorkLimit'
  // key identifiers (RFC 5280 §4.2.1.1-2, CA/B Forum BR 7.1.2)
  | 'subjectKeyIdentifierMissing'
  | 'authorityKeyIdentifierMissing'
  | 'authorityKeyIdentifierCritical'
  | 'rootAuthorityKeyIdentifierIssuerSerial'
  | 'rootAuthorityKeyIdentifierMismatch'
  // basic constraints, key usage, policy constraints
  | 'basicConstraintsNotCritical'
  | 'endEntityIsCa'
  | 'endEntityKeyCertSign'
  | 'policyConstraintsNotCritical'
  | 'policyConstraintsMalformed'
  | 'keyUsageRequired'
  // extended key usage (BR 7.1.2.7.10)
  | 'extKeyUsageMissing'
  | 'extKeyUsageAnyInLeaf'
  | 'extKeyUsageCriticalInLeaf'
  | 'extKeyUsageOnRoot'
  | 'extKeyUsageRequired'
  // names (RFC 5280 §4.2.1.6, BR 7.1.4.3)
  | 'subjectAltNameMissing'
  | 'subjectAltNameNotCritical'
  | 'subjectAltNameCritical'
  | 'dnsNameSyntax'
  | 'commonNameNotInSubjectAltName'
  | 'commonNameIpForm'
  | 'wildcardOnPublicSuffix'
  // serial numbers (RFC 5280 §4.1.2.2)
  | 'serialNumberZero'
  | 'serialNumberNegative'
  | 'serialNumberTooLong'
  // keys and algorithms (BR 6.1.5, 7.1.3)
  | 'rsaKeyTooSmall'
  | 'rsaKeySizeNotMultipleOf8'
  | 'curveNotAllowed'
  | 'dsaKey'
  | 'sha1Signature'
  | 'signatureAlgorithmNotAllowed'
  | 'authorityInfoAccessMalformed';

/**
 * Which of the cases that one check or rule covers failed, where programs tell them apart (the node
 * adapter picks OpenSSL's verify code by it): set where the error is raised, never read from the
 * message, so rewording a message cannot change it.
 */
export type VerifyFault =
  /** keyUsage: an issuer's keyUsage lacks keyCertSign (RFC 5280 §6.1.4(n)); a leaf's lacks what its key needs otherwise. */
  | 'issuerKeyCertSign'
  /** algorithm: an issuer's public key cannot be imported (not a refused signature algorithm). */
  | 'issuerPublicKey'
  /** nameConstraints: a name falls in an excluded subtree (RFC 5280 §6.1.3(b)). */
  | 'excludedSubtree'
  /** nameConstraints: a name is outside every permitted subtree of its form (RFC 5280 §6.1.3(b)). */
  | 'permittedSubtree';

/** A check name (for the checks without finer rules) or a rule code. */
export type VerifyReason = VerifyCheck | VerifyRule;

/** The JSON form of a VerifyError. */
export interface VerifyErrorJSON {
  readonly alert: string;
  readonly code: string;
  readonly check: VerifyCheck;
  /** The stable code of the rule that failed (equals `check` for checks without finer rules). */
  readonly reason: VerifyReason;
  readonly message: string;
  /** Subject of the certificate the check failed on, when there is one. */
  readonly certificate?: string;
}

export class VerifyError extends TlsError {
  readonly check: VerifyCheck;
  readonly reason: VerifyReason;
  readonly certificate?: string;
  /** The case that failed, for the checks that cover several (see VerifyFault). */
  readonly fault?: VerifyFault;
  /**
   * The path the check failed on, leaf first, when verifyServerChain reports it (set once, by
   * withChain): adapters derive OpenSSL-style codes from it (self-signed leaf, depth...).
   */
  chain?: readonly Certificate[];

  constructor(alert: AlertName, check: VerifyCheck, message: string, cert?: Certificate, cause?: unknown, reason?: VerifyRule, fault?: VerifyFault) {
    super(alert, message, cause === undefined ? undefined : { cause });
    this.name = 'VerifyError';
    this.check = check;
    this.reason = reason ?? check;
    if (cert) this.certificate = cert.subject.text;
    if (fault) this.fault = fault;
  }

  toJSON(): VerifyErrorJSON {
    return {
      alert: this.alertName,
      code: this.code,
      check: this.check,
      reason: this.reason,
      message: this.message,
      ...(this.certificate !== undefined ? { certificate: this.certificate } : {}),
    };
  }
}

/** Record the path `error` was found on (see VerifyError.chain); returns `error`. */
export function withChain(error: VerifyError, chain: readonly Certificate[]): VerifyError {
  error.chain ??= chain;
  return error;
}

/** "2024-05-01T12:00:00Z" */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
