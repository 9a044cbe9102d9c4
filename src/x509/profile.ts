// Validation profiles (#15). 'webpki' (the default for server certificates) enforces every rule
// below: RFC 5280's path validation plus what the CA/Browser Forum Baseline Requirements (BR)
// demand of publicly trusted TLS certificates. 'rfc5280' (private PKIs, and the default for
// client certificates) enforces only the rules marked 'both': RFC 5280 §6 path validation and the
// RFC 5280 MUSTs about extensions that validation reads (name constraints, key identifier and
// policy constraints criticality, SAN criticality for an empty subject, serial numbers).
//
// Each rule has a stable code (VerifyRule): a failure names it in VerifyError.reason.
import type { AlertName } from '../errors/alert.js';
import type { Certificate } from './certificate.js';
import { VerifyError, type VerifyCheck, type VerifyFault, type VerifyRule } from './verify-error.js';

export type VerifyProfile = 'webpki' | 'rfc5280';

export const PROFILES: readonly VerifyProfile[] = ['webpki', 'rfc5280'];

export interface RuleInfo {
  readonly check: VerifyCheck;
  readonly alert: AlertName;
  /** 'both': enforced by 'rfc5280' too; 'webpki': by the Web PKI profile only. */
  readonly profiles: 'both' | 'webpki';
  /** What the rule requires, for docs and `hush verify --help`. */
  readonly text: string;
}

const bad = 'bad_certificate' as const;
const unsupported = 'unsupported_certificate' as const;

export const RULES: Readonly<Record<VerifyRule, RuleInfo>> = {
  nameConstraintsExcluded: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'no name of a certificate below a CA falls in its excluded subtrees (SANs and subject, intermediates included)' },
  nameConstraintsNotPermitted: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'every name of that form falls in a permitted subtree' },
  nameConstraintsWildcard: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'a wildcard SAN is permitted and not excluded for every name it can match' },
  nameConstraintsInEndEntity: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'nameConstraints only in CA certificates' },
  nameConstraintsNotCritical: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'nameConstraints is critical' },
  nameConstraintsMalformed: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'constraint names are well formed (dNSName: no leading period, no wildcard; iPAddress: address and CIDR mask)' },
  nameConstraintsInvalidName: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'a DNS SAN checked against a DNS constraint is a valid DNS name' },
  nameConstraintsUnsupportedForm: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'a constrained name form hush cannot evaluate (rfc822Name, URI, other) does not occur below the constraint' },
  nameConstraintsWorkLimit: { check: 'nameConstraints', alert: bad, profiles: 'both', text: 'names × constraints on a path stays at most 65,536 (fails before comparing)' },
  subjectKeyIdentifierMissing: { check: 'keyIdentifier', alert: bad, profiles: 'webpki', text: 'CA certificates carry subjectKeyIdentifier' },
  authorityKeyIdentifierMissing: { check: 'keyIdentifier', alert: bad, profiles: 'webpki', text: 'certificates other than a self-signed root carry authorityKeyIdentifier with keyIdentifier' },
  authorityKeyIdentifierCritical: { check: 'keyIdentifier', alert: bad, profiles: 'both', text: 'authorityKeyIdentifier is not critical' },
  rootAuthorityKeyIdentifierIssuerSerial: { check: 'keyIdentifier', alert: bad, profiles: 'webpki', text: "a root's authorityKeyIdentifier has no authorityCertIssuer/SerialNumber" },
  rootAuthorityKeyIdentifierMismatch: { check: 'keyIdentifier', alert: bad, profiles: 'webpki', text: "a root's authorityKeyIdentifier equals its subjectKeyIdentifier" },
  basicConstraintsNotCritical: { check: 'basicConstraints', alert: bad, profiles: 'webpki', text: 'basicConstraints is critical in CA certificates (roots included)' },
  endEntityIsCa: { check: 'basicConstraints', alert: bad, profiles: 'webpki', text: 'the end-entity certificate does not assert cA' },
  endEntityKeyCertSign: { check: 'keyUsage', alert: bad, profiles: 'both', text: 'keyCertSign only with cA asserted (RFC 5280 §4.2.1.3)' },
  policyConstraintsNotCritical: { check: 'policyConstraints', alert: bad, profiles: 'both', text: 'policyConstraints is critical' },
  policyConstraintsMalformed: { check: 'policyConstraints', alert: bad, profiles: 'both', text: 'policyConstraints is a non-empty SEQUENCE of [0]/[1] INTEGERs' },
  keyUsageRequired: { check: 'keyUsage', alert: unsupported, profiles: 'both', text: 'the leaf has keyUsage with the bits of the requiredKeyUsage option' },
  extKeyUsageMissing: { check: 'extKeyUsage', alert: unsupported, profiles: 'webpki', text: 'the end-entity certificate has extendedKeyUsage' },
  extKeyUsageAnyInLeaf: { check: 'extKeyUsage', alert: unsupported, profiles: 'webpki', text: 'no anyExtendedKeyUsage in the end-entity certificate' },
  extKeyUsageCriticalInLeaf: { check: 'extKeyUsage', alert: unsupported, profiles: 'webpki', text: "the end-entity certificate's extendedKeyUsage is not critical" },
  extKeyUsageOnRoot: { check: 'extKeyUsage', alert: unsupported, profiles: 'webpki', text: 'no extendedKeyUsage on a root' },
  extKeyUsageRequired: { check: 'extKeyUsage', alert: unsupported, profiles: 'both', text: 'the leaf lists every purpose of the requiredExtKeyUsage option (issuers with extendedKeyUsage too, or anyExtendedKeyUsage)' },
  subjectAltNameMissing: { check: 'subjectAltName', alert: bad, profiles: 'webpki', text: 'a server certificate has subjectAltName (and any certificate with an empty subject)' },
  subjectAltNameNotCritical: { check: 'subjectAltName', alert: bad, profiles: 'both', text: 'subjectAltName is critical when the subject is empty' },
  subjectAltNameCritical: { check: 'subjectAltName', alert: bad, profiles: 'webpki', text: 'subjectAltName is not critical when the subject is not empty' },
  dnsNameSyntax: { check: 'subjectAltName', alert: bad, profiles: 'webpki', text: "a server certificate's DNS SANs are LDH names (no '_', no trailing dot; '*.' only as the whole leftmost label)" },
  commonNameNotInSubjectAltName: { check: 'commonName', alert: bad, profiles: 'webpki', text: "a server certificate's common name, when present, is one of its SANs (BR 7.1.4.3)" },
  commonNameIpForm: { check: 'commonName', alert: bad, profiles: 'webpki', text: 'an IP address in the common name is in canonical form (dotted decimal; RFC 5952)' },
  wildcardOnPublicSuffix: { check: 'subjectAltName', alert: bad, profiles: 'webpki', text: "no wildcard directly on a public suffix ('*.com', '*.co.uk', '*.github.io'; Public Suffix List)" },
  serialNumberZero: { check: 'serialNumber', alert: bad, profiles: 'webpki', text: 'serial number is not zero' },
  serialNumberNegative: { check: 'serialNumber', alert: bad, profiles: 'both', text: 'serial number is positive' },
  serialNumberTooLong: { check: 'serialNumber', alert: bad, profiles: 'both', text: 'serial number is at most 20 octets' },
  rsaKeyTooSmall: { check: 'publicKey', alert: unsupported, profiles: 'webpki', text: 'RSA moduli have at least 2048 bits' },
  rsaKeySizeNotMultipleOf8: { check: 'publicKey', alert: unsupported, profiles: 'webpki', text: 'RSA modulus sizes are a multiple of 8 bits' },
  curveNotAllowed: { check: 'publicKey', alert: unsupported, profiles: 'webpki', text: 'EC keys are on P-256, P-384 or P-521 (no P-192, no other curve)' },
  dsaKey: { check: 'publicKey', alert: unsupported, profiles: 'webpki', text: 'no DSA keys' },
  sha1Signature: { check: 'algorithm', alert: unsupported, profiles: 'both', text: 'no SHA-1 (or MD5) signatures' },
  signatureAlgorithmNotAllowed: { check: 'algorithm', alert: unsupported, profiles: 'both', text: 'every signature on the path uses an algorithm of the signatureAlgorithms option' },
  authorityInfoAccessMalformed: { check: 'authorityInfoAccess', alert: bad, profiles: 'webpki', text: 'authorityInfoAccess is a well-formed, non-empty list of access descriptions, OCSP and caIssuers locations absolute URIs' },
};

export function enforces(profile: VerifyProfile, rule: VerifyRule): boolean {
  return profile === 'webpki' || RULES[rule].profiles === 'both';
}

/** The error for `rule`, or undefined when `profile` does not enforce it. */
export function ruleError(profile: VerifyProfile, rule: VerifyRule, message: string, cert?: Certificate, fault?: VerifyFault): VerifyError | undefined {
  if (!enforces(profile, rule)) return undefined;
  const info = RULES[rule];
  return new VerifyError(info.alert, info.check, message, cert, undefined, rule, fault);
}
