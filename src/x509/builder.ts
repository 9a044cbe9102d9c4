// Issue X.509 v3 certificates signed by a provider key: local CAs and server certificates for
// `hush serve`, and every chain the tests need (including deliberately broken ones, hence the
// overrides for extensions, issuer names and signature algorithms).
import { DerReader, der } from '../asn1/index.js';
import { UsageError } from '../errors/errors.js';
import type { CryptoProvider, PrivateKey, PublicKey, SignatureAlgorithm } from '../crypto/provider.js';
import { defaultSignatureAlgorithm, encodeSignatureAlgorithm } from './algorithm.js';
import { certificateToPem, parseCertificate, toCertificates, type Certificate, type CertificateInput } from './certificate.js';
import { KEY_USAGE_BITS, type KeyUsageName } from './extensions.js';
import { parseIp } from './ip.js';
import { ATTRIBUTE_OIDS, OID } from './oids.js';
import { readSpki } from './spki.js';

/**
 * A distinguished name: RFC 4514-style text, most specific first ("CN=example.com, O=Example, C=US"),
 * or [type, value] pairs in encoded order (type: short name such as "CN" or a dotted OID).
 */
export type NameInput = string | readonly (readonly [string, string])[];

export interface ExtraExtension {
  readonly oid: string;
  readonly critical?: boolean;
  /** The extnValue contents (DER of the extension's structure). */
  readonly value: Uint8Array;
}

export interface NameConstraintsInput {
  /** Written as given (so tests can write malformed ones such as ".example.com"). */
  readonly permittedDns?: readonly string[];
  readonly excludedDns?: readonly string[];
  /** CIDR blocks, e.g. "10.0.0.0/8", "fd00::/8". */
  readonly permittedIps?: readonly string[];
  readonly excludedIps?: readonly string[];
  readonly permittedDirectoryNames?: readonly NameInput[];
  readonly excludedDirectoryNames?: readonly NameInput[];
  /** rfc822Name constraints ("example.com", "user@example.com"). */
  readonly permittedEmails?: readonly string[];
  readonly excludedEmails?: readonly string[];
  /** Default true (RFC 5280 §4.2.1.10: MUST be critical). */
  readonly critical?: boolean;
}

/** An authorityKeyIdentifier with every field under control (RFC 5280 §4.2.1.1). */
export interface AuthorityKeyIdentifierInput {
  /** Default: as for `authorityKeyIdentifier` omitted. false: no keyIdentifier field. */
  readonly keyIdentifier?: Uint8Array | false;
  /** authorityCertIssuer (a directoryName) and authorityCertSerialNumber. */
  readonly issuer?: NameInput;
  readonly serial?: bigint;
  readonly critical?: boolean;
}

/** policyConstraints (RFC 5280 §4.2.1.11). */
export interface PolicyConstraintsInput {
  readonly requireExplicitPolicy?: number;
  readonly inhibitPolicyMapping?: number;
  /** Default true (MUST be critical). */
  readonly critical?: boolean;
}

export interface IssueCertificateOptions {
  readonly provider: CryptoProvider;
  readonly subject: NameInput;
  /** The key being certified. For a self-signed certificate it must be the private key. */
  readonly key: PrivateKey | PublicKey;
  /** The issuing CA; omit for a self-signed certificate. */
  readonly issuer?: { readonly certificate: CertificateInput; readonly key: PrivateKey };
  /** Default: 16 random bytes (positive). */
  readonly serialNumber?: bigint | Uint8Array;
  readonly notBefore: Date | number;
  readonly notAfter: Date | number;
  /** Written as given, unchecked (tests write invalid names on purpose). */
  readonly dnsNames?: readonly string[];
  /** IPv4/IPv6 literals. */
  readonly ipAddresses?: readonly string[];
  /**
   * basicConstraints (critical): true or { pathLen } for a CA; false for an explicit end-entity
   * (empty SEQUENCE). Default: absent for end-entity certificates.
   */
  readonly ca?: boolean | { readonly pathLen: number };
  /** Default true (RFC 5280 §4.2.1.9, BR: critical in CA certificates). */
  readonly basicConstraintsCritical?: boolean;
  /** Default: keyCertSign + cRLSign for a CA; digitalSignature (+ keyEncipherment for RSA) otherwise. null: omit. */
  readonly keyUsage?: readonly KeyUsageName[] | null;
  /** Names ('serverAuth', 'clientAuth', 'anyExtendedKeyUsage', ...) or dotted OIDs. Default: serverAuth for end-entity, absent for a CA. null: omit. */
  readonly extKeyUsage?: readonly string[] | null;
  /** Default false (BR: not critical). */
  readonly extKeyUsageCritical?: boolean;
  /** Default: critical exactly when the subject is empty (RFC 5280 §4.2.1.6). */
  readonly subjectAltNameCritical?: boolean;
  readonly policyConstraints?: PolicyConstraintsInput;
  readonly nameConstraints?: NameConstraintsInput;
  /** Default: the first 160 bits of SHA-256 of the public key (RFC 7093 §2 method 1). false: omit. */
  readonly subjectKeyIdentifier?: Uint8Array | false;
  /** Default: the issuer's subjectKeyIdentifier (own for self-signed). false: omit. */
  readonly authorityKeyIdentifier?: Uint8Array | false | AuthorityKeyIdentifierInput;
  /** Appended after the standard extensions. */
  readonly extensions?: readonly ExtraExtension[];
  /** Default: by the signing key (ECDSA with the curve's hash, RSA PKCS#1 SHA-256, Ed25519, ML-DSA). */
  readonly signatureAlgorithm?: SignatureAlgorithm;
  /**
   * Tests of refused algorithms: the AlgorithmIdentifier DER written (both places) instead of the
   * one of `signatureAlgorithm`, and a function that signs the TBS bytes instead of the provider
   * (e.g. a SHA-1 signature, which the provider does not make).
   */
  readonly signatureAlgorithmIdentifier?: Uint8Array;
  readonly signer?: (tbs: Uint8Array) => Uint8Array;
  /** Override the issuer name written in the certificate (tests of name chaining). */
  readonly issuerName?: NameInput;
  /** 1 writes a v1 certificate (no extensions at all); default 3. */
  readonly version?: 1 | 3;
}

export interface IssuedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly certificate: Certificate;
}

const EKU_OIDS: Record<string, string> = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
  timeStamping: OID.timeStamping,
  OCSPSigning: OID.ocspSigning,
  anyExtendedKeyUsage: OID.anyExtendedKeyUsage,
};

/** Split RFC 4514 text on unescaped separators. */
function splitEscaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += s[++i]!;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function attributeOid(type: string): string {
  if (/^[0-9]+(\.[0-9]+)+$/.test(type)) return type;
  const oid = ATTRIBUTE_OIDS[type.toLowerCase()];
  if (!oid) throw new UsageError(`unknown name attribute '${type}'`);
  return oid;
}

/** The DER of a Name. */
export function encodeName(name: NameInput): Uint8Array {
  let pairs: (readonly [string, string])[];
  if (typeof name === 'string') {
    pairs = [];
    const rdns = name.trim() === '' ? [] : splitEscaped(name, ',');
    for (const rdn of rdns) {
      const eq = rdn.indexOf('=');
      if (eq <= 0) throw new UsageError(`'${rdn.trim()}' in name '${name}' is not TYPE=value`);
      pairs.push([rdn.slice(0, eq).trim(), rdn.slice(eq + 1).trim()]);
    }
    pairs.reverse(); // text is most specific first; DER is encoded root-first
  } else {
    pairs = [...name];
  }
  return der.sequence(
    ...pairs.map(([type, value]) => {
      const oid = attributeOid(type);
      // Country and DC have fixed string types (X.520: PrintableString, RFC 4519: IA5String).
      const v =
        oid === '2.5.4.6' ? der.printableString(value) : oid === '0.9.2342.19200300.100.1.25' ? der.ia5String(value) : der.utf8String(value);
      return der.set(der.sequence(der.oid(oid), v));
    }),
  );
}

function ext(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value)) : der.sequence(der.oid(oid), der.octetString(value));
}

function cidr(text: string): Uint8Array {
  const slash = text.lastIndexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) throw new UsageError(`'${text}' is not an IP address or CIDR block`);
  const bits = slash < 0 ? addr.length * 8 : Number(text.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > addr.length * 8) throw new UsageError(`'${text}' has a bad prefix length`);
  const out = new Uint8Array(addr.length * 2);
  out.set(addr);
  for (let i = 0; i < bits; i++) out[addr.length + (i >> 3)]! |= 0x80 >> (i & 7);
  for (let i = 0; i < addr.length; i++) out[i]! &= out[addr.length + i]!;
  return out;
}

function subtrees(dns: readonly string[] = [], ips: readonly string[] = [], dirs: readonly NameInput[] = [], emails: readonly string[] = []): Uint8Array[] {
  return [
    ...dns.map((d) => der.sequence(der.contextPrimitive(2, new TextEncoder().encode(d)))),
    ...ips.map((ip) => der.sequence(der.contextPrimitive(7, cidr(ip)))),
    ...dirs.map((n) => der.sequence(der.explicit(4, encodeName(n)))),
    ...emails.map((e) => der.sequence(der.contextPrimitive(1, new TextEncoder().encode(e)))),
  ];
}

function ms(t: Date | number, what: string): number {
  const v = t instanceof Date ? t.getTime() : t;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`issueCertificate: ${what} must be a valid Date`);
  return v;
}

/** Key identifier per RFC 7093 §2 method 1: leftmost 160 bits of SHA-256(subjectPublicKey). */
export function keyIdentifier(provider: CryptoProvider, spki: Uint8Array): Uint8Array {
  const info = readSpki(new DerReader(spki, 'SubjectPublicKeyInfo', 'bad_certificate'), 'SubjectPublicKeyInfo');
  return provider.digest('sha256', info.publicKey).slice(0, 20);
}

/** Build and sign a certificate. */
export function issueCertificate(o: IssueCertificateOptions): IssuedCertificate {
  const { provider } = o;
  if (!provider) throw new UsageError('issueCertificate: pass a CryptoProvider as `provider`');
  const subjectPublic: PublicKey = 'publicKey' in o.key ? o.key.publicKey : o.key;
  let signingKey: PrivateKey;
  let issuerCert: Certificate | undefined;
  if (o.issuer) {
    issuerCert = toCertificates(o.issuer.certificate)[0]!;
    signingKey = o.issuer.key;
  } else {
    if (!('publicKey' in o.key)) throw new UsageError('issueCertificate: a self-signed certificate needs the private key as `key`');
    signingKey = o.key;
  }
  const notBefore = ms(o.notBefore, 'notBefore');
  const notAfter = ms(o.notAfter, 'notAfter');
  const isCa = o.ca !== undefined && o.ca !== false;
  const sigAlg = o.signatureAlgorithm ?? defaultSignatureAlgorithm(signingKey);
  const algId = o.signatureAlgorithmIdentifier ?? encodeSignatureAlgorithm(sigAlg);

  let serial: bigint | Uint8Array;
  if (o.serialNumber !== undefined) serial = o.serialNumber;
  else {
    const r = provider.randomBytes(16);
    r[0] = (r[0]! & 0x7f) | 0x40; // positive, full length
    serial = r;
  }

  const subjectName = encodeName(o.subject);
  const issuerName = o.issuerName !== undefined ? encodeName(o.issuerName) : issuerCert ? issuerCert.subject.raw : subjectName;

  const exts: Uint8Array[] = [];
  if (o.ca !== undefined) {
    const parts: Uint8Array[] = [];
    if (isCa) parts.push(der.boolean(true));
    if (typeof o.ca === 'object') parts.push(der.integer(o.ca.pathLen));
    exts.push(ext(OID.basicConstraints, o.basicConstraintsCritical ?? true, der.sequence(...parts)));
  }
  const ku =
    o.keyUsage === null
      ? undefined
      : (o.keyUsage ??
        (isCa
          ? (['keyCertSign', 'cRLSign'] as KeyUsageName[])
          : subjectPublic.type === 'rsa'
            ? (['digitalSignature', 'keyEncipherment'] as KeyUsageName[])
            : (['digitalSignature'] as KeyUsageName[])));
  if (ku) exts.push(ext(OID.keyUsage, true, der.namedBits(ku.map((n) => KEY_USAGE_BITS[n]))));
  const eku = o.extKeyUsage === null ? undefined : (o.extKeyUsage ?? (isCa ? undefined : ['serverAuth']));
  if (eku) exts.push(ext(OID.extKeyUsage, o.extKeyUsageCritical ?? false, der.sequence(...eku.map((e) => der.oid(EKU_OIDS[e] ?? e)))));
  const sans = [
    ...(o.dnsNames ?? []).map((d) => der.contextPrimitive(2, new TextEncoder().encode(d))),
    ...(o.ipAddresses ?? []).map((ip) => {
      const b = parseIp(ip);
      if (!b) throw new UsageError(`'${ip}' is not an IP address`);
      return der.contextPrimitive(7, b);
    }),
  ];
  if (sans.length) exts.push(ext(OID.subjectAltName, o.subjectAltNameCritical ?? subjectName.length === 2, der.sequence(...sans)));
  if (o.nameConstraints) {
    const nc = o.nameConstraints;
    const p = subtrees(nc.permittedDns, nc.permittedIps, nc.permittedDirectoryNames, nc.permittedEmails);
    const e = subtrees(nc.excludedDns, nc.excludedIps, nc.excludedDirectoryNames, nc.excludedEmails);
    const parts: Uint8Array[] = [];
    if (p.length) parts.push(der.implicit(0, der.sequence(...p)));
    if (e.length) parts.push(der.implicit(1, der.sequence(...e)));
    exts.push(ext(OID.nameConstraints, nc.critical ?? true, der.sequence(...parts)));
  }
  if (o.policyConstraints) {
    const pc = o.policyConstraints;
    const parts: Uint8Array[] = [];
    if (pc.requireExplicitPolicy !== undefined) parts.push(der.implicit(0, der.integer(pc.requireExplicitPolicy)));
    if (pc.inhibitPolicyMapping !== undefined) parts.push(der.implicit(1, der.integer(pc.inhibitPolicyMapping)));
    exts.push(ext(OID.policyConstraints, pc.critical ?? true, der.sequence(...parts)));
  }
  const ski = o.subjectKeyIdentifier === false ? undefined : (o.subjectKeyIdentifier ?? keyIdentifier(provider, subjectPublic.spki));
  if (ski) exts.push(ext(OID.subjectKeyIdentifier, false, der.octetString(ski)));
  const akiIn = o.authorityKeyIdentifier;
  const akiOpts: AuthorityKeyIdentifierInput =
    akiIn === undefined || akiIn === false || akiIn instanceof Uint8Array ? { keyIdentifier: akiIn ?? undefined } : akiIn;
  const defaultKid = issuerCert ? issuerCert.subjectKeyIdentifier : ski;
  const kid = akiOpts.keyIdentifier === false ? undefined : (akiOpts.keyIdentifier ?? defaultKid);
  const akiParts: Uint8Array[] = [];
  if (kid) akiParts.push(der.contextPrimitive(0, kid));
  if (akiOpts.issuer !== undefined) akiParts.push(der.implicit(1, der.sequence(der.explicit(4, encodeName(akiOpts.issuer)))));
  if (akiOpts.serial !== undefined) akiParts.push(der.implicit(2, der.integer(akiOpts.serial)));
  if (akiIn !== false && akiParts.length) exts.push(ext(OID.authorityKeyIdentifier, akiOpts.critical ?? false, der.sequence(...akiParts)));
  for (const x of o.extensions ?? []) exts.push(ext(x.oid, x.critical ?? false, x.value));

  const v1 = o.version === 1;
  if (v1 && (o.extensions?.length || o.ca !== undefined || o.dnsNames?.length || o.ipAddresses?.length || o.nameConstraints)) {
    throw new UsageError('issueCertificate: a v1 certificate cannot have extensions');
  }
  const tbs = der.sequence(
    ...(v1 ? [] : [der.explicit(0, der.integer(2))]),
    der.integer(serial),
    algId,
    issuerName,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subjectName,
    subjectPublic.spki,
    ...(!v1 && exts.length ? [der.explicit(3, der.sequence(...exts))] : []),
  );
  const signature = o.signer ? o.signer(tbs) : provider.sign(signingKey, sigAlg, tbs);
  const certDer = der.sequence(tbs, algId, der.bitString(signature));
  return { der: certDer, pem: certificateToPem(certDer), certificate: parseCertificate(certDer) };
}
