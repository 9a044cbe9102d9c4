// Path validation for TLS (RFC 5280 §6, profiled the way TLS clients use it) and the identity
// check (RFC 9525). The result is a value, never an exception, except for API misuse.
//
// Decisions (documented here because they are easy to get wrong and differ between stacks):
// - Trust anchors are certificates in a TrustStore, matched by subject DER (and by key identifier
//   when the child has an authorityKeyIdentifier and the anchor a subjectKeyIdentifier). The
//   anchor's own signature is never checked (RFC 5280 §6.1.1(d): an anchor is just a name and a
//   key). Like OpenSSL and Go we still apply the anchor's validity period, basicConstraints
//   (a v1 anchor without extensions counts as a CA; a v3 anchor must assert cA), keyUsage,
//   pathLenConstraint, extendedKeyUsage, name constraints and critical extensions.
// - A leaf that is itself in the trust store (same DER) is accepted as a one-certificate chain
//   (Go does the same; it is how a pinned self-signed certificate works), checked with the
//   'rfc5280' rules whatever the profile. A self-signed leaf that
//   is not in the store fails with unknown_ca.
// - extendedKeyUsage: when the leaf has it, it must list the purpose (serverAuth or clientAuth)
//   explicitly; anyExtendedKeyUsage is not enough for a leaf (CA/Browser Forum BRs forbid it in
//   server certificates; OpenSSL refuses it too). Intermediates and anchors that carry the
//   extension must list the purpose or anyExtendedKeyUsage (Go's "EKU chaining").
// - keyUsage on the leaf, when present: for serverAuth, an ECDSA/Ed25519/ML-DSA/RSA-PSS key needs
//   digitalSignature, an RSA key digitalSignature or keyEncipherment (TLS 1.2 RSA key transport;
//   the handshake layer requires digitalSignature when it needs a signature). For clientAuth,
//   digitalSignature. Issuers with keyUsage need keyCertSign.
// - Unknown critical extensions are refused on every certificate of the path, anchor included.
// - Path building: depth-first from the leaf over the presented intermediates (any order,
//   duplicates and extra certificates ignored, cross-signed alternatives explored), trying
//   anchors before intermediates, never repeating a (subject, key) pair, at most `maxDepth`
//   certificates per path (leaf and anchor included, default 8) and at most 64 issuer
//   candidates examined in total. Among failed paths the error reported is the one that got
//   furthest: a path check failing at a trusted anchor or valid issuer beats a bad signature,
//   which beats "no trusted root".
// - Profiles (profile.ts): 'webpki' (default for serverAuth) adds the Web PKI rules of
//   webpki-rules.ts to every certificate of the path, anchor included; 'rfc5280' (default for
//   clientAuth) only the RFC 5280 ones. Name constraints (name-constraints.ts) apply in both.
import { UsageError } from '../errors/errors.js';
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import { equal, toHex } from '../bytes/util.js';
import { toCertificates, type Certificate, type CertificateInput } from './certificate.js';
import { hostnameMismatch, parseReferenceIdentity, type ReferenceIdentity } from './hostname.js';
import { KEY_USAGE_BITS, type KeyUsageName } from './extensions.js';
import { pathNameConstraintFailure } from './name-constraints.js';
import { EKU_NAMES, OID } from './oids.js';
import { PROFILES, ruleError, type VerifyProfile } from './profile.js';
import { TrustStore } from './trust-store.js';
import { VerifyError, isoTime, withChain } from './verify-error.js';
import { hasRevocationOptions, parseCrlInputs, revocationError, type RevocationOptions } from './revocation.js';
import type { Crl } from './crl.js';
import { certificateRuleError, type CertificateRole } from './webpki-rules.js';

export type Purpose = 'serverAuth' | 'clientAuth';

export interface VerifyChainOptions extends RevocationOptions {
  /** The end-entity certificate. A PEM text with several certificates: the rest are intermediates. */
  readonly leaf: CertificateInput;
  /** Certificates the peer sent after the leaf, in any order. */
  readonly intermediates?: CertificateInput | readonly CertificateInput[];
  /** The trust anchors. */
  readonly roots: TrustStore | CertificateInput | readonly CertificateInput[];
  /**
   * The name the client connected to (DNS name or IP literal). Omitted or null: no identity
   * check (for clientAuth, or when the caller checks identity itself). A TLS client must pass it.
   */
  readonly hostname?: string | null;
  /** The validation time. */
  readonly at: Date | number;
  /** Verifies signatures. Required in the portable entry; the Node entry defaults it. */
  readonly provider?: CryptoProvider;
  /** 'serverAuth' (default) or 'clientAuth' (a server checking client certificates). */
  readonly purpose?: Purpose;
  /** Maximum certificates in a path, leaf and anchor included (default 8). */
  readonly maxDepth?: number;
  /**
   * 'webpki': RFC 5280 plus the CA/Browser Forum rules for publicly trusted certificates (the
   * default for serverAuth); 'rfc5280': RFC 5280 rules only, for private PKIs (the default for
   * clientAuth). See RULES in profile.ts.
   */
  readonly profile?: VerifyProfile;
  /** Signature algorithms accepted on the path (names as in CERT_SIGNATURE_ALGORITHMS). Default: all hush verifies. */
  readonly signatureAlgorithms?: readonly CertSignatureAlgorithm[];
  /** keyUsage bits the leaf must have (the extension must be present). */
  readonly requiredKeyUsage?: readonly KeyUsageName[];
  /**
   * Extended key usages the leaf must list besides the purpose: names ('codeSigning',
   * 'emailProtection', 'timeStamping', 'OCSPSigning', 'serverAuth', 'clientAuth') or dotted OIDs.
   * Issuers with extendedKeyUsage must list them too (or anyExtendedKeyUsage).
   */
  readonly requiredExtKeyUsage?: readonly string[];
}

/** The options of verifyServerChain that set the validation policy (what a TLS config passes on). */
export type ChainPolicyOptions = Pick<VerifyChainOptions, 'profile' | 'maxDepth' | 'signatureAlgorithms' | 'requiredKeyUsage' | 'requiredExtKeyUsage'>;

/** Certificate signature algorithms by the names hush gives them (SignatureAlgorithmInfo.name, PSS without the salt). */
export const CERT_SIGNATURE_ALGORITHMS = [
  'ecdsa-with-SHA256',
  'ecdsa-with-SHA384',
  'ecdsa-with-SHA512',
  'sha256WithRSAEncryption',
  'sha384WithRSAEncryption',
  'sha512WithRSAEncryption',
  'rsassa-pss-sha256',
  'rsassa-pss-sha384',
  'rsassa-pss-sha512',
  'Ed25519',
] as const;
export type CertSignatureAlgorithm = (typeof CERT_SIGNATURE_ALGORITHMS)[number];

const EKU_BY_NAME: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(EKU_NAMES).map(([oid, name]) => [name, oid]));

/** Everything a check needs besides the certificates. */
interface Policy {
  readonly at: number;
  readonly purpose: Purpose;
  readonly profile: VerifyProfile;
  readonly maxDepth: number;
  readonly signatureAlgorithms?: ReadonlySet<string>;
  readonly requiredKeyUsage: readonly KeyUsageName[];
  /** Dotted OIDs. */
  readonly requiredExtKeyUsage: readonly string[];
}

/** The name of a certificate's signature algorithm in CERT_SIGNATURE_ALGORITHMS terms. */
function certSignatureAlgorithmName(c: Certificate): string {
  const a = c.signatureAlgorithm.algorithm;
  return a?.kind === 'rsa-pss' ? `rsassa-pss-${a.hash}` : c.signatureAlgorithm.name;
}

const SHA1_OR_MD5 = new Set(['1.2.840.113549.1.1.5', '1.2.840.10045.4.1', '1.2.840.113549.1.1.4', '1.2.840.10040.4.3']);

export type VerifyResult =
  | { readonly ok: true; readonly chain: readonly Certificate[] }
  /** `chain` is the path the error was found on, possibly only the leaf or empty. */
  | { readonly ok: false; readonly error: VerifyError; readonly chain: readonly Certificate[] };

const DEFAULT_MAX_DEPTH = 8;
const MAX_CANDIDATES = 64;

function who(c: Certificate): string {
  if (c.subject.text !== '') return c.subject.text;
  const dns = c.subjectAltName?.find((n) => n.type === 'dns');
  return dns && dns.type === 'dns' ? dns.value : `serial ${c.serialHex}`;
}

function purposeOid(p: Purpose): string {
  return p === 'serverAuth' ? OID.serverAuth : OID.clientAuth;
}

function ekuText(ekus: readonly string[]): string {
  return ekus.map((o) => EKU_NAMES[o] ?? o).join(', ');
}

/** The certificate's validity at `at`, for the leaf ("certificate") or an issuer ("issuer"). */
function validityError(c: Certificate, at: number, role: string): VerifyError | undefined {
  if (at < c.notBefore) {
    return new VerifyError('certificate_expired', 'validity', `${role} '${who(c)}' is not valid before ${isoTime(c.notBefore)}`, c);
  }
  if (at > c.notAfter) {
    return new VerifyError('certificate_expired', 'validity', `${role} '${who(c)}' expired on ${isoTime(c.notAfter)}`, c);
  }
  return undefined;
}

/** Critical extensions that the profile rules check (hush does no policy processing, see README). */
const RULE_HANDLED: ReadonlySet<string> = new Set([OID.policyConstraints]);

function criticalError(c: Certificate, role: string): VerifyError | undefined {
  const unhandled = c.unhandledCritical.filter((o) => !RULE_HANDLED.has(o));
  if (unhandled.length === 0) return undefined;
  const list = unhandled.join(', ');
  return new VerifyError(
    'unsupported_certificate',
    'criticalExtension',
    `${role} '${who(c)}' has an unsupported critical extension ${list}`,
    c,
  );
}

/** RFC 5280 §6.1.4 checks on the leaf itself, plus the TLS purpose (§4.2.1.3, §4.2.1.12). */
function leafError(leaf: Certificate, policy: Policy): VerifyError | undefined {
  const { at, purpose } = policy;
  const v = validityError(leaf, at, 'certificate');
  if (v) return v;
  const crit = criticalError(leaf, 'certificate');
  if (crit) return crit;
  // RFC 8446 §4.4.2.2 (and RFC 5246 §7.4.2): the leaf's keyUsage, when present, must allow what
  // TLS does with the key. Kept in both profiles.
  if (leaf.keyUsage) {
    const ku = leaf.keyUsage;
    const type = leaf.spki.keyType;
    let ok: boolean;
    let need: string;
    if (purpose === 'clientAuth' || type !== 'rsa') {
      ok = ku.includes('digitalSignature');
      const keyName = type === 'ec' ? 'n ECDSA' : type === 'ed25519' ? 'n Ed25519' : type?.startsWith('ml-dsa') ? `n ${type.toUpperCase()}` : ` ${type ?? 'unknown'}`;
      need = `digitalSignature, which ${purpose === 'clientAuth' ? 'a client certificate' : `a${keyName} key`} needs`;
    } else {
      ok = ku.includes('digitalSignature') || ku.includes('keyEncipherment');
      need = 'digitalSignature or keyEncipherment, which an RSA server key needs';
    }
    if (!ok) {
      return new VerifyError(
        'unsupported_certificate',
        'keyUsage',
        `certificate '${who(leaf)}' keyUsage (${ku.join(', ') || 'empty'}) does not include ${need}`,
        leaf,
      );
    }
  }
  if (leaf.extKeyUsage && !leaf.extKeyUsage.includes(purposeOid(purpose))) {
    return new VerifyError(
      'unsupported_certificate',
      'extKeyUsage',
      `certificate '${who(leaf)}' extendedKeyUsage (${ekuText(leaf.extKeyUsage)}) does not allow ${purpose}`,
      leaf,
    );
  }
  const missingKu = policy.requiredKeyUsage.filter((k) => !leaf.keyUsage?.includes(k));
  if (missingKu.length > 0) {
    const have = leaf.keyUsage ? `keyUsage (${leaf.keyUsage.join(', ') || 'empty'})` : 'no keyUsage extension';
    const e = ruleError(policy.profile, 'keyUsageRequired', `certificate '${who(leaf)}' has ${have}, without the required ${missingKu.join(', ')}`, leaf);
    if (e) return e;
  }
  const missingEku = policy.requiredExtKeyUsage.filter((o) => !leaf.extKeyUsage?.includes(o));
  if (missingEku.length > 0) {
    const have = leaf.extKeyUsage ? `extendedKeyUsage (${ekuText(leaf.extKeyUsage)})` : 'no extendedKeyUsage extension';
    const e = ruleError(policy.profile, 'extKeyUsageRequired', `certificate '${who(leaf)}' has ${have}, without the required ${ekuText(missingEku)}`, leaf);
    if (e) return e;
  }
  return undefined;
}

/** Checks on an issuer (intermediate or anchor) that do not depend on the rest of the path. */
function issuerError(c: Certificate, policy: Policy, anchor: boolean, rootProgram: boolean): VerifyError | undefined {
  const { at, purpose } = policy;
  const v = validityError(c, at, 'issuer');
  if (v) return v;
  const crit = criticalError(c, 'issuer');
  if (crit) return crit;
  // §6.1.4(k): an intermediate must be a v3 certificate with cA asserted. A v1 anchor is a CA by
  // being an anchor (legacy roots have no extensions).
  const bc = c.basicConstraints;
  if (!bc || !bc.ca) {
    if (!(anchor && c.version === 1)) {
      const why = bc ? 'basicConstraints cA is false' : 'it has no basicConstraints extension';
      return new VerifyError('bad_certificate', 'basicConstraints', `issuer '${who(c)}' is not a CA (${why})`, c);
    }
  }
  // §6.1.4(n)
  if (c.keyUsage && !c.keyUsage.includes('keyCertSign')) {
    return new VerifyError(
      'bad_certificate',
      'keyUsage',
      `issuer '${who(c)}' keyUsage (${c.keyUsage.join(', ') || 'empty'}) does not include keyCertSign`,
      c,
      undefined,
      undefined,
      'issuerKeyCertSign',
    );
  }
  if (c.extKeyUsage && !c.extKeyUsage.includes(purposeOid(purpose)) && !c.extKeyUsage.includes(OID.anyExtendedKeyUsage)) {
    return new VerifyError(
      'unsupported_certificate',
      'extKeyUsage',
      `issuer '${who(c)}' extendedKeyUsage (${ekuText(c.extKeyUsage)}) does not allow ${purpose}`,
      c,
    );
  }
  for (const oid of policy.requiredExtKeyUsage) {
    if (c.extKeyUsage && !c.extKeyUsage.includes(oid) && !c.extKeyUsage.includes(OID.anyExtendedKeyUsage)) {
      const e = ruleError(policy.profile, 'extKeyUsageRequired', `issuer '${who(c)}' extendedKeyUsage (${ekuText(c.extKeyUsage)}) does not allow ${ekuText([oid])}`, c);
      if (e) return e;
    }
  }
  // Anchors of a root program were vetted by it (TrustStoreOptions.rootProgram).
  if (anchor && rootProgram) return undefined;
  const role: CertificateRole = anchor ? 'anchor' : 'intermediate';
  return certificateRuleError(c, role, policy);
}

/** Checks that depend on the whole path [leaf, ..., anchor]. */
function pathError(path: readonly Certificate[], profile: VerifyProfile): VerifyError | undefined {
  for (let k = 1; k < path.length; k++) {
    const ca = path[k]!;
    // §6.1.4(l)(m): pathLenConstraint bounds the non-self-issued intermediates below this CA.
    const pathLen = ca.basicConstraints?.pathLen;
    if (pathLen !== undefined) {
      let below = 0;
      for (let j = 1; j < k; j++) if (!path[j]!.selfIssued) below++;
      if (below > pathLen) {
        return new VerifyError(
          'bad_certificate',
          'pathLen',
          `issuer '${who(ca)}' allows ${pathLen} intermediate CA certificate${pathLen === 1 ? '' : 's'} below it (pathLenConstraint ${pathLen}) but the chain has ${below}`,
          ca,
        );
      }
    }
  }
  // §6.1.4(g) / §6.1.3(b)(c): every certificate below each constraining CA.
  const nc = pathNameConstraintFailure(path);
  if (nc) {
    const role = nc.ca === path[0] ? 'certificate' : 'issuer';
    const of = nc.subject && nc.subject !== path[0] ? ` (on intermediate '${who(nc.subject)}')` : '';
    const fault = nc.subtree === undefined ? undefined : nc.subtree === 'excluded' ? 'excludedSubtree' : 'permittedSubtree';
    const e = ruleError(profile, nc.rule, `${role} '${who(nc.ca)}' ${nc.text}${of}`, nc.ca, fault);
    if (e) return e;
  }
  return undefined;
}

function keyIdsCompatible(child: Certificate, issuer: Certificate): boolean {
  const aki = child.authorityKeyIdentifier;
  const ski = issuer.subjectKeyIdentifier;
  return !aki || !ski || equal(aki, ski);
}

class PathBuilder {
  private examined = 0;
  private best: { rank: number; error: VerifyError; chain: Certificate[] } | undefined;
  private readonly keys = new Map<Certificate, PublicKey | VerifyError>();
  private readonly sigs = new Map<Certificate, Map<Certificate, VerifyError | null>>();
  private readonly bySubject = new Map<string, Certificate[]>();
  private readonly ids = new Map<Certificate, string>();

  constructor(
    intermediates: readonly Certificate[],
    private readonly roots: TrustStore,
    private readonly policy: Policy,
    private readonly provider: CryptoProvider,
  ) {
    for (const c of intermediates) {
      const k = toHex(c.subject.raw);
      const list = this.bySubject.get(k);
      if (list) list.push(c);
      else this.bySubject.set(k, [c]);
    }
  }

  private id(c: Certificate): string {
    let s = this.ids.get(c);
    if (s === undefined) {
      s = toHex(c.subject.raw) + '/' + toHex(c.spki.raw);
      this.ids.set(c, s);
    }
    return s;
  }

  private record(rank: number, error: VerifyError, chain: Certificate[]): void {
    if (!this.best || rank > this.best.rank || (rank === this.best.rank && rank === 0 && chain.length > this.best.chain.length)) {
      this.best = { rank, error, chain };
    }
  }

  private publicKey(c: Certificate): PublicKey | VerifyError {
    let k = this.keys.get(c);
    if (!k) {
      try {
        k = this.provider.importPublicKey(c.spki.raw);
      } catch (e) {
        k = new VerifyError(
          'unsupported_certificate',
          'algorithm',
          `issuer '${who(c)}' has a public key hush cannot use: ${(e as Error).message}`,
          c,
          e,
          undefined,
          'issuerPublicKey',
        );
      }
      this.keys.set(c, k);
    }
    return k;
  }

  /** Whether `issuer`'s key made `child`'s signature (cached per pair). */
  private signatureError(child: Certificate, issuer: Certificate): VerifyError | null {
    let m = this.sigs.get(child);
    if (!m) this.sigs.set(child, (m = new Map()));
    const cached = m.get(issuer);
    if (cached !== undefined) return cached;
    let err: VerifyError | null = null;
    const alg = child.signatureAlgorithm.algorithm;
    const allowed = this.policy.signatureAlgorithms;
    if (SHA1_OR_MD5.has(child.signatureAlgorithm.oid)) {
      err = ruleError(
        this.policy.profile,
        'sha1Signature',
        `certificate '${who(child)}' is signed with ${child.signatureAlgorithm.name}, which is not allowed (SHA-1 and MD5 signatures are broken)`,
        child,
      )!;
    } else if (alg && allowed && !allowed.has(certSignatureAlgorithmName(child))) {
      err = ruleError(
        this.policy.profile,
        'signatureAlgorithmNotAllowed',
        `certificate '${who(child)}' is signed with ${certSignatureAlgorithmName(child)}, which the signatureAlgorithms option does not allow`,
        child,
      )!;
    } else if (!alg) {
      err = new VerifyError(
        'unsupported_certificate',
        'algorithm',
        `certificate '${who(child)}' is signed with ${child.signatureAlgorithm.name}, which hush does not accept`,
        child,
      );
    } else {
      const key = this.publicKey(issuer);
      if (key instanceof VerifyError) err = key;
      else {
        let ok = false;
        try {
          ok = this.provider.verify(key, alg, child.tbs, child.signature);
        } catch {
          ok = false;
        }
        if (!ok) {
          err = new VerifyError(
            'bad_certificate',
            'signature',
            `the signature on '${who(child)}' does not verify with the public key of '${who(issuer)}'`,
            child,
          );
        }
      }
    }
    m.set(issuer, err);
    return err;
  }

  private noRoot(chain: Certificate[]): VerifyError {
    const last = chain[chain.length - 1]!;
    const msg = last.selfIssued
      ? `no trusted root: the chain ends at '${who(last)}', which is self-signed and not in the trust store`
      : `no trusted root: the chain ends at '${who(last)}', whose issuer '${last.issuer.text}' is not in the trust store`;
    return new VerifyError('unknown_ca', 'trust', msg, last);
  }

  /** Depth-first search; returns a valid path or undefined (with `best` recorded). */
  private extend(chain: Certificate[]): Certificate[] | undefined {
    const cur = chain[chain.length - 1]!;
    const anchors = this.roots.findBySubject(cur.issuer.raw).filter((a) => keyIdsCompatible(cur, a));
    const inters = (this.bySubject.get(toHex(cur.issuer.raw)) ?? []).filter(
      (c) =>
        keyIdsCompatible(cur, c) &&
        !chain.some((x) => this.id(x) === this.id(c)) &&
        // An intermediate with the same name and key as an anchor adds nothing: the anchor was tried.
        !anchors.some((a) => equal(a.spki.raw, c.spki.raw)),
    );
    if (anchors.length === 0 && inters.length === 0) {
      this.record(0, this.noRoot(chain), chain);
      return undefined;
    }
    for (const [cand, isAnchor] of [...anchors.map((a) => [a, true] as const), ...inters.map((c) => [c, false] as const)]) {
      if (++this.examined > MAX_CANDIDATES) {
        this.record(
          0.5,
          new VerifyError('unknown_ca', 'workLimit', `path building gave up after examining ${MAX_CANDIDATES} issuer candidates`, cur),
          chain,
        );
        return undefined;
      }
      const path = [...chain, cand];
      if (path.length > this.policy.maxDepth) {
        this.record(
          1,
          new VerifyError('unknown_ca', 'depth', `no path of at most ${this.policy.maxDepth} certificates reaches a trusted root`, cur),
          chain,
        );
        continue;
      }
      const sig = this.signatureError(cur, cand);
      if (sig) {
        this.record(1, sig, path);
        continue;
      }
      const ie = issuerError(cand, this.policy, isAnchor, this.roots.rootProgram);
      if (ie) {
        this.record(2, ie, path);
        continue;
      }
      if (isAnchor) {
        const pe = pathError(path, this.policy.profile);
        if (!pe) return path;
        this.record(2, pe, path);
        continue;
      }
      const found = this.extend(path);
      if (found) return found;
      if (this.examined > MAX_CANDIDATES) return undefined;
    }
    return undefined;
  }

  build(leaf: Certificate): VerifyResult {
    const found = this.extend([leaf]);
    if (found) return { ok: true, chain: found };
    const best = this.best!;
    return { ok: false, error: withChain(best.error, best.chain), chain: best.chain };
  }
}

function list<T>(x: T | readonly T[] | undefined): readonly T[] {
  if (x === undefined) return [];
  return Array.isArray(x) ? (x as readonly T[]) : [x as T];
}

function parseError(role: string, e: unknown): VerifyResult {
  const msg = e instanceof Error ? e.message : String(e);
  return { ok: false, error: new VerifyError('bad_certificate', 'parse', `cannot parse the ${role}: ${msg}`, undefined, e), chain: [] };
}

/**
 * Validate a TLS peer's certificate chain: path to a trust anchor, signatures, validity at
 * `at`, CA constraints, key usages, name constraints, critical extensions and (for serverAuth)
 * the hostname. Returns `{ ok: true, chain }` (leaf first, anchor last) or `{ ok: false, error }`;
 * throws UsageError only for bad options (no provider, no time, an unusable hostname).
 */
export function verifyServerChain(opts: VerifyChainOptions): VerifyResult {
  if (typeof opts !== 'object' || opts === null) throw new UsageError('verifyServerChain: pass an options object');
  const provider = opts.provider;
  if (!provider) {
    throw new UsageError(
      'verifyServerChain: pass a CryptoProvider as `provider` (e.g. nodeCryptoProvider from hush/node); ' +
        'the portable hush/x509 entry has no default provider, the Node entry defaults it',
    );
  }
  const at = opts.at instanceof Date ? opts.at.getTime() : opts.at;
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    throw new UsageError('verifyServerChain: pass `at`, the validation time, as a valid Date or ms since the epoch');
  }
  const purpose = opts.purpose ?? 'serverAuth';
  if (purpose !== 'serverAuth' && purpose !== 'clientAuth') {
    throw new UsageError(`verifyServerChain: purpose must be 'serverAuth' or 'clientAuth', not '${String(purpose)}'`);
  }
  // hostname undefined/null: no identity check (clientAuth, or a caller that checks identity
  // itself). A TLS client must always pass the name it connected to.
  const id: ReferenceIdentity | undefined =
    opts.hostname === undefined || opts.hostname === null ? undefined : parseReferenceIdentity(opts.hostname);
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 32) {
    throw new UsageError('verifyServerChain: maxDepth must be an integer in 1..32');
  }
  if (opts.roots === undefined || opts.roots === null) {
    throw new UsageError('verifyServerChain: pass `roots` (a TrustStore or PEM/DER certificates)');
  }
  const policy = resolvePolicy(opts, at, purpose, maxDepth);

  let leaf: Certificate;
  const presented: Certificate[] = [];
  try {
    const certs = toCertificates(opts.leaf);
    leaf = certs[0]!;
    presented.push(...certs.slice(1));
  } catch (e) {
    return parseError('leaf certificate', e);
  }
  try {
    for (const x of list(opts.intermediates)) presented.push(...toCertificates(x));
  } catch (e) {
    return parseError('intermediate certificates', e);
  }
  let roots: TrustStore;
  try {
    roots = opts.roots instanceof TrustStore ? opts.roots : new TrustStore(list(opts.roots as CertificateInput | readonly CertificateInput[]));
  } catch (e) {
    return parseError('trust store', e);
  }

  // A pinned leaf (its own DER in the trust store) is trusted by its bytes, not through the Web
  // PKI: it is checked with the RFC 5280 rules (so a self-signed `openssl req -x509` certificate,
  // cA and no extendedKeyUsage, can be pinned).
  const pinned = roots.has(leaf);
  const le = leafError(leaf, pinned ? { ...policy, profile: 'rfc5280' } : policy);
  if (le) return { ok: false, error: withChain(le, [leaf]), chain: [leaf] };
  if (id) {
    const mismatch = hostnameMismatch(leaf, id, opts.hostname!);
    if (mismatch) return { ok: false, error: withChain(new VerifyError('bad_certificate', 'hostname', mismatch, leaf), [leaf]), chain: [leaf] };
  }
  // The leaf's encoding rules (webpki-rules.ts) come after the host name, and not at all for a
  // self-signed leaf that no root can have issued: what to fix first is which certificate is
  // served (wrong host, or one nobody vouches for: the path search below says so, as OpenSSL's
  // DEPTH_ZERO_SELF_SIGNED_CERT does), not how it is encoded.
  const unchainable = !pinned && leaf.selfIssued && roots.findBySubject(leaf.issuer.raw).length === 0;
  if (!unchainable) {
    const rule = certificateRuleError(leaf, 'leaf', pinned ? { ...policy, profile: 'rfc5280' } : policy);
    if (rule) return { ok: false, error: withChain(rule, [leaf]), chain: [leaf] };
  }
  // Revocation (revocation.ts) runs on the path found.
  let crls: Crl[] = [];
  try {
    crls = parseCrlInputs(opts.crls ?? []);
  } catch (e) {
    return parseError('CRLs', e);
  }
  const revoked = (r: VerifyResult): VerifyResult => {
    if (!r.ok || !hasRevocationOptions(opts)) return r;
    const error = revocationError({ ...opts, path: r.chain, at, provider, parsedCrls: crls });
    return error ? { ok: false, error, chain: r.chain } : r;
  };
  if (pinned) return revoked({ ok: true, chain: [leaf] });

  // Distinct intermediates other than the leaf, in presented order.
  const seen = new Set<string>([toHex(leaf.raw)]);
  const inters: Certificate[] = [];
  for (const c of presented) {
    const k = toHex(c.raw);
    if (!seen.has(k)) {
      seen.add(k);
      inters.push(c);
    }
  }
  return revoked(new PathBuilder(inters, roots, policy, provider).build(leaf));
}

function resolvePolicy(opts: VerifyChainOptions, at: number, purpose: Purpose, maxDepth: number): Policy {
  const profile = opts.profile ?? (purpose === 'serverAuth' ? 'webpki' : 'rfc5280');
  if (!PROFILES.includes(profile)) {
    throw new UsageError(`verifyServerChain: profile must be ${PROFILES.map((p) => `'${p}'`).join(' or ')}, not '${String(profile)}'`);
  }
  let signatureAlgorithms: Set<string> | undefined;
  if (opts.signatureAlgorithms !== undefined) {
    if (!Array.isArray(opts.signatureAlgorithms) || opts.signatureAlgorithms.length === 0) {
      throw new UsageError('verifyServerChain: signatureAlgorithms must be a non-empty list');
    }
    for (const a of opts.signatureAlgorithms) {
      if (!(CERT_SIGNATURE_ALGORITHMS as readonly string[]).includes(a)) {
        throw new UsageError(`verifyServerChain: unknown signature algorithm '${String(a)}' (known: ${CERT_SIGNATURE_ALGORITHMS.join(', ')})`);
      }
    }
    signatureAlgorithms = new Set(opts.signatureAlgorithms);
  }
  const requiredKeyUsage = opts.requiredKeyUsage ?? [];
  for (const k of requiredKeyUsage) {
    if (!(k in KEY_USAGE_BITS)) throw new UsageError(`verifyServerChain: unknown keyUsage '${String(k)}' (known: ${Object.keys(KEY_USAGE_BITS).join(', ')})`);
  }
  const requiredExtKeyUsage = (opts.requiredExtKeyUsage ?? []).map((e) => {
    const oid = EKU_BY_NAME[e] ?? e;
    if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid)) {
      throw new UsageError(`verifyServerChain: requiredExtKeyUsage '${String(e)}' is neither a known name (${Object.keys(EKU_BY_NAME).join(', ')}) nor a dotted OID`);
    }
    return oid;
  });
  return { at, purpose, profile, maxDepth, ...(signatureAlgorithms ? { signatureAlgorithms } : {}), requiredKeyUsage, requiredExtKeyUsage };
}

/**
 * Validate a TLS client's certificate chain (a server checking client certificates): as
 * verifyServerChain with purpose 'clientAuth' (the leaf must allow clientAuth) and no host name.
 * The default profile is 'rfc5280': client certificates usually come from private PKIs.
 */
export function verifyClientChain(opts: Omit<VerifyChainOptions, 'hostname' | 'purpose'>): VerifyResult {
  if (typeof opts !== 'object' || opts === null) throw new UsageError('verifyClientChain: pass an options object');
  return verifyServerChain({ ...opts, hostname: null, purpose: 'clientAuth' });
}

/** The JSON form used by `hush verify`: `{ ok, error, chain }` with subjects for the chain. */
export function verifyResultToJSON(r: VerifyResult): {
  ok: boolean;
  error: ReturnType<VerifyError['toJSON']> | null;
  chain: string[];
} {
  return { ok: r.ok, error: r.ok ? null : r.error.toJSON(), chain: r.chain.map((c) => c.subject.text) };
}
