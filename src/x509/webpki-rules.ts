// The per-certificate rules of the validation profiles (profile.ts has the table: which rule,
// which profile). Each check returns the first rule the certificate breaks, as a VerifyError
// whose `reason` names it, or undefined. Path-wide rules (name constraints) are in
// name-constraints.ts.
//
// Kept from RFC 8446 §4.4.2.2 (and RFC 5246 §7.4.2) in verify.ts, not here: when the leaf has
// keyUsage it must allow what TLS does with the key (digitalSignature; keyEncipherment is
// enough for an RSA TLS 1.2 server key).
import { DerReader, Tag } from '../asn1/index.js';
import { equal } from '../bytes/util.js';
import type { Certificate } from './certificate.js';
import { readAccessDescriptions } from './extensions.js';
import { decodeGeneralName } from './general-name.js';
import { formatIp, parseIp } from './ip.js';
import { validDnsName } from './name-constraints.js';
import { nameAttributes } from './name.js';
import { OID } from './oids.js';
import { ruleError, type VerifyProfile } from './profile.js';
import { isPublicSuffix } from './public-suffix.js';
import type { VerifyError } from './verify-error.js';

export type CertificateRole = 'leaf' | 'intermediate' | 'anchor';

export interface RuleContext {
  readonly profile: VerifyProfile;
  readonly purpose: 'serverAuth' | 'clientAuth';
}

const OID_DSA = '1.2.840.10040.4.1';
const OID_P192 = '1.2.840.10045.3.1.1';
const OID_CN = '2.5.4.3';

function who(c: Certificate): string {
  if (c.subject.text !== '') return c.subject.text;
  const dns = c.subjectAltName?.find((n) => n.type === 'dns');
  return dns && dns.type === 'dns' ? dns.value : `serial ${c.serialHex}`;
}

/** ruleError for a condition that holds, as a candidate: `??` chains go on when the profile does not enforce it. */
function when(cond: boolean, p: VerifyProfile, rule: Parameters<typeof ruleError>[1], message: () => string, c: Certificate): VerifyError | undefined {
  return cond ? ruleError(p, rule, message(), c) : undefined;
}

function ext(c: Certificate, oid: string): { readonly critical: boolean; readonly value: Uint8Array } | undefined {
  return c.extensions.find((e) => e.oid === oid);
}

/** The modulus size of an RSA SubjectPublicKeyInfo's key, in bits (undefined if unreadable). */
export function rsaModulusBits(publicKey: Uint8Array): number | undefined {
  try {
    const r = new DerReader(publicKey, 'RSAPublicKey', 'bad_certificate');
    const s = r.sequence('RSAPublicKey');
    const n = s.unsignedInteger('modulus', 2048);
    s.unsignedInteger('publicExponent', 64);
    s.expectEnd();
    r.expectEnd();
    if (n.length === 0 || n[0] === 0) return undefined;
    return (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
  } catch {
    return undefined;
  }
}

function curveOid(spkiRaw: Uint8Array): string | undefined {
  try {
    const r = new DerReader(spkiRaw, 'SubjectPublicKeyInfo', 'bad_certificate');
    const alg = r.sequence('SubjectPublicKeyInfo').sequence('algorithm');
    alg.oid('algorithm');
    return alg.peekTag() === Tag.OID ? alg.oid('namedCurve') : undefined;
  } catch {
    return undefined;
  }
}

function keyError(c: Certificate, p: VerifyProfile): VerifyError | undefined {
  const spki = c.spki;
  const rsa = spki.keyType === 'rsa' || spki.keyType === 'rsa-pss';
  const bits = rsa ? rsaModulusBits(spki.publicKey) : undefined;
  const ecUnknown = spki.keyType === 'ec' && !spki.curve;
  return (
    when(spki.algorithmOid === OID_DSA, p, 'dsaKey', () => `certificate '${who(c)}' has a DSA key (DSA is not allowed)`, c) ??
    when(bits !== undefined && bits < 2048, p, 'rsaKeyTooSmall', () => `certificate '${who(c)}' has a ${bits}-bit RSA key (at least 2048 bits are required)`, c) ??
    when(bits !== undefined && bits % 8 !== 0, p, 'rsaKeySizeNotMultipleOf8', () => `certificate '${who(c)}' has a ${bits}-bit RSA modulus, not a multiple of 8 bits`, c) ??
    when(
      ecUnknown,
      p,
      'curveNotAllowed',
      () => {
        const oid = curveOid(spki.raw);
        return `certificate '${who(c)}' has an EC key on ${oid === OID_P192 ? 'P-192' : `curve ${oid ?? '(unreadable)'}`} (only P-256, P-384 and P-521 are allowed)`;
      },
      c,
    )
  );
}

function serialError(c: Certificate, p: VerifyProfile): VerifyError | undefined {
  switch (c.serialProblem) {
    case 'zero':
      return ruleError(p, 'serialNumberZero', `certificate '${who(c)}' has serial number 0 (RFC 5280 §4.1.2.2: positive)`, c);
    case 'negative':
      return ruleError(p, 'serialNumberNegative', `certificate '${who(c)}' has a negative serial number (RFC 5280 §4.1.2.2: positive)`, c);
    case 'tooLong':
      return ruleError(p, 'serialNumberTooLong', `certificate '${who(c)}' has a serial number of ${c.serialNumber.length} octets (RFC 5280 §4.1.2.2: at most 20)`, c);
    default:
      return undefined;
  }
}

interface AkiParts {
  readonly keyIdentifier: boolean;
  readonly issuerSerial: boolean;
}

function akiParts(value: Uint8Array): AkiParts {
  // The extension parsed strictly already (extensions.ts); only which fields are present is read here.
  const s = new DerReader(value, 'AuthorityKeyIdentifier', 'bad_certificate').sequence('AuthorityKeyIdentifier');
  const kid = s.optional(0x80, 'keyIdentifier');
  const issuer = s.optional(0xa1, 'authorityCertIssuer');
  const serial = s.optional(0x82, 'authorityCertSerialNumber');
  return { keyIdentifier: kid !== undefined, issuerSerial: issuer !== undefined || serial !== undefined };
}

function keyIdentifierError(c: Certificate, role: CertificateRole, p: VerifyProfile): VerifyError | undefined {
  const root = role === 'anchor' && c.selfIssued;
  const v1Anchor = role === 'anchor' && c.version === 1;
  const aki = ext(c, OID.authorityKeyIdentifier);
  const parts = aki ? akiParts(aki.value) : undefined;
  const kid = c.authorityKeyIdentifier;
  const ski = c.subjectKeyIdentifier;
  return (
    when(aki?.critical === true, p, 'authorityKeyIdentifierCritical', () => `certificate '${who(c)}' has a critical authorityKeyIdentifier (RFC 5280 §4.2.1.1: MUST be non-critical)`, c) ??
    when(c.basicConstraints?.ca === true && !ski && !v1Anchor, p, 'subjectKeyIdentifierMissing', () => `CA certificate '${who(c)}' has no subjectKeyIdentifier (RFC 5280 §4.2.1.2)`, c) ??
    when(
      !root && !parts?.keyIdentifier,
      p,
      'authorityKeyIdentifierMissing',
      () => `certificate '${who(c)}' has no authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1; only a self-signed root may omit it)`,
      c,
    ) ??
    when(root && parts?.issuerSerial === true, p, 'rootAuthorityKeyIdentifierIssuerSerial', () => `root '${who(c)}' has authorityCertIssuer/authorityCertSerialNumber in its authorityKeyIdentifier (BR 7.1.2.1.3)`, c) ??
    when(
      root && kid !== undefined && (!ski || !equal(kid, ski)),
      p,
      'rootAuthorityKeyIdentifierMismatch',
      () => `root '${who(c)}' has an authorityKeyIdentifier that differs from its subjectKeyIdentifier`,
      c,
    )
  );
}

function policyConstraintsError(c: Certificate, p: VerifyProfile): VerifyError | undefined {
  const pc = ext(c, OID.policyConstraints);
  if (!pc) return undefined;
  // §4.2.1.11: PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL,
  // inhibitPolicyMapping [1] SkipCerts OPTIONAL }, not empty.
  let ok = true;
  try {
    const r = new DerReader(pc.value, 'PolicyConstraints', 'bad_certificate');
    const s = r.sequence('PolicyConstraints');
    const a = s.optional(0x80, 'requireExplicitPolicy');
    const b = s.optional(0x81, 'inhibitPolicyMapping');
    s.expectEnd();
    r.expectEnd();
    if (!a && !b) ok = false;
    for (const x of [a, b]) if (x && (x.contents.length === 0 || x.contents.length > 4 || x.contents[0]! >= 0x80)) ok = false;
  } catch {
    ok = false;
  }
  return (
    when(!ok, p, 'policyConstraintsMalformed', () => `certificate '${who(c)}' has a malformed policyConstraints extension`, c) ??
    when(!pc.critical, p, 'policyConstraintsNotCritical', () => `certificate '${who(c)}' has a non-critical policyConstraints extension (RFC 5280 §4.2.1.11: MUST be critical)`, c)
  );
}

function aiaError(c: Certificate, p: VerifyProfile): VerifyError | undefined {
  const aia = ext(c, OID.authorityInfoAccess);
  if (!aia) return undefined;
  const bad = (why: string) => ruleError(p, 'authorityInfoAccessMalformed', `certificate '${who(c)}' has a malformed authorityInfoAccess extension: ${why}`, c);
  // §4.2.2.1: SEQUENCE SIZE (1..MAX) OF AccessDescription. (It MUST be non-critical: a critical
  // one is refused by both profiles as an unsupported critical extension, before this rule.)
  try {
    const descriptions = readAccessDescriptions(aia.value);
    if (descriptions.length === 0) return bad('it is empty');
    // decodeGeneralName reports through a reader: one that names where the name sits.
    const at = new DerReader(aia.value, 'authorityInfoAccess.AccessDescription', 'bad_certificate');
    for (const { method, location } of descriptions) {
      const loc = decodeGeneralName(at, location);
      if ((method === OID.adOcsp || method === OID.adCaIssuers) && loc.type !== 'uri') {
        return bad(`its ${method === OID.adOcsp ? 'OCSP' : 'caIssuers'} location is not a URI`);
      }
      if (loc.type === 'uri' && !/^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(loc.value)) return bad(`'${loc.value}' is not an absolute URI`);
    }
  } catch (e) {
    return bad(e instanceof Error ? e.message : String(e));
  }
  return undefined;
}

function sanCriticalityError(c: Certificate, p: VerifyProfile): VerifyError | undefined {
  const san = ext(c, OID.subjectAltName);
  const emptySubject = c.subject.rdns.length === 0;
  return (
    when(emptySubject && !san, p, 'subjectAltNameMissing', () => `certificate with serial ${c.serialHex} has an empty subject and no subjectAltName`, c) ??
    when(emptySubject && san !== undefined && !san.critical, p, 'subjectAltNameNotCritical', () => `certificate '${who(c)}' has an empty subject and a non-critical subjectAltName (RFC 5280 §4.2.1.6: MUST be critical)`, c) ??
    when(!emptySubject && san?.critical === true, p, 'subjectAltNameCritical', () => `certificate '${who(c)}' has a subject and a critical subjectAltName (RFC 5280 §4.2.1.6, BR 7.1.2.7.12: not critical)`, c)
  );
}

/** Looks like an IP address in some form ("10.1", "0x7f.0.0.1", "::FFFF:1"), canonical or not. */
function looksLikeIp(s: string): boolean {
  if (/^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){1,3}$/i.test(s)) return true;
  return s.includes(':') && /^\[?[0-9a-f:.]+\]?$/i.test(s);
}

/** Server leaf names: SAN present, DNS syntax, no wildcard on a public suffix, CN among the SANs. */
function serverNamesError(c: Certificate, p: VerifyProfile): VerifyError | undefined {
  const sans = c.subjectAltName ?? [];
  const missing = when(sans.length === 0 && c.subject.rdns.length > 0, p, 'subjectAltNameMissing', () => `server certificate '${who(c)}' has no subjectAltName (BR 7.1.2.7.12)`, c);
  if (missing) return missing;
  for (const n of sans) {
    if (n.type !== 'dns') continue;
    const valid = validDnsName(n.value, true);
    const e =
      when(!valid, p, 'dnsNameSyntax', () => `server certificate '${who(c)}' has DNS name '${n.value}', which is not a valid host name (letters, digits, hyphens; '*.' only as the whole first label)`, c) ??
      when(valid && n.value.startsWith('*.') && isPublicSuffix(n.value.slice(2)), p, 'wildcardOnPublicSuffix', () => `server certificate '${who(c)}' has wildcard '${n.value}' on the public suffix '${n.value.slice(2)}'`, c);
    if (e) return e;
  }
  for (const cn of nameAttributes(c.subject, OID_CN)) {
    let e: VerifyError | undefined;
    if (looksLikeIp(cn)) {
      const ip = parseIp(cn);
      const canonical = ip !== undefined && formatIp(ip) === cn;
      e =
        when(!canonical, p, 'commonNameIpForm', () => `server certificate '${who(c)}' has common name '${cn}', an IP address not in canonical form (BR 7.1.4.3: dotted decimal or RFC 5952)`, c) ??
        when(canonical && !sans.some((n) => n.type === 'ip' && equal(n.bytes, ip!)), p, 'commonNameNotInSubjectAltName', () => `server certificate '${who(c)}' has common name '${cn}', which is not one of its IP subjectAltNames (BR 7.1.4.3)`, c);
    } else {
      e = when(
        !sans.some((n) => n.type === 'dns' && n.value.toLowerCase() === cn.toLowerCase()),
        p,
        'commonNameNotInSubjectAltName',
        () => `server certificate '${who(c)}' has common name '${cn}', which is not one of its DNS subjectAltNames (BR 7.1.4.3)`,
        c,
      );
    }
    if (e) return e;
  }
  return undefined;
}

function leafUsageError(c: Certificate, p: VerifyProfile): VerifyError | undefined {
  const eku = ext(c, OID.extKeyUsage);
  return (
    when(c.basicConstraints?.ca === true, p, 'endEntityIsCa', () => `end-entity certificate '${who(c)}' asserts cA in basicConstraints`, c) ??
    when(c.keyUsage?.includes('keyCertSign') === true && !c.basicConstraints?.ca, p, 'endEntityKeyCertSign', () => `certificate '${who(c)}' asserts keyCertSign without cA (RFC 5280 §4.2.1.3)`, c) ??
    when(!eku, p, 'extKeyUsageMissing', () => `end-entity certificate '${who(c)}' has no extendedKeyUsage (BR 7.1.2.7.10)`, c) ??
    when(c.extKeyUsage?.includes(OID.anyExtendedKeyUsage) === true, p, 'extKeyUsageAnyInLeaf', () => `end-entity certificate '${who(c)}' lists anyExtendedKeyUsage (BR 7.1.2.7.10)`, c) ??
    when(eku?.critical === true, p, 'extKeyUsageCriticalInLeaf', () => `end-entity certificate '${who(c)}' has a critical extendedKeyUsage (BR 7.1.2.7.10)`, c)
  );
}

function caError(c: Certificate, role: CertificateRole, p: VerifyProfile): VerifyError | undefined {
  const bc = ext(c, OID.basicConstraints);
  return (
    when(bc !== undefined && !bc.critical && c.basicConstraints?.ca === true, p, 'basicConstraintsNotCritical', () => `CA certificate '${who(c)}' has a non-critical basicConstraints (RFC 5280 §4.2.1.9, BR 7.1.2.1: critical)`, c) ??
    when(role === 'anchor' && c.selfIssued && c.extKeyUsage !== undefined, p, 'extKeyUsageOnRoot', () => `root '${who(c)}' has an extendedKeyUsage extension (BR 7.1.2.1)`, c)
  );
}

/** The first profile rule `c` breaks in its role on the path, or undefined. */
export function certificateRuleError(c: Certificate, role: CertificateRole, ctx: RuleContext): VerifyError | undefined {
  const p = ctx.profile;
  return (
    serialError(c, p) ??
    keyError(c, p) ??
    keyIdentifierError(c, role, p) ??
    policyConstraintsError(c, p) ??
    aiaError(c, p) ??
    sanCriticalityError(c, p) ??
    (role === 'leaf' ? leafUsageError(c, p) : caError(c, role, p)) ??
    (role === 'leaf' && ctx.purpose === 'serverAuth' ? serverNamesError(c, p) : undefined)
  );
}
