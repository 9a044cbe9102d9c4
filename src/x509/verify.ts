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
//   (Go does the same; it is how a pinned self-signed certificate works). A self-signed leaf that
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
import { UsageError } from '../errors/errors.js';
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import { equal, toHex } from '../bytes/util.js';
import { toCertificates, type Certificate, type CertificateInput } from './certificate.js';
import { hostnameMismatch, parseReferenceIdentity, type ReferenceIdentity } from './hostname.js';
import { nameConstraintViolation } from './name-constraints.js';
import { EKU_NAMES, OID } from './oids.js';
import { TrustStore } from './trust-store.js';
import { VerifyError, isoTime, withChain } from './verify-error.js';

export type Purpose = 'serverAuth' | 'clientAuth';

export interface VerifyChainOptions {
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
}

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

function criticalError(c: Certificate, role: string): VerifyError | undefined {
  if (c.unhandledCritical.length === 0) return undefined;
  const list = c.unhandledCritical.join(', ');
  return new VerifyError(
    'unsupported_certificate',
    'criticalExtension',
    `${role} '${who(c)}' has an unsupported critical extension ${list}`,
    c,
  );
}

/** RFC 5280 §6.1.4 checks on the leaf itself, plus the TLS purpose (§4.2.1.3, §4.2.1.12). */
function leafError(leaf: Certificate, at: number, purpose: Purpose): VerifyError | undefined {
  const v = validityError(leaf, at, 'certificate');
  if (v) return v;
  const crit = criticalError(leaf, 'certificate');
  if (crit) return crit;
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
  return undefined;
}

/** Checks on an issuer (intermediate or anchor) that do not depend on the rest of the path. */
function issuerError(c: Certificate, at: number, purpose: Purpose, anchor: boolean): VerifyError | undefined {
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
  return undefined;
}

/** Checks that depend on the whole path [leaf, ..., anchor]. */
function pathError(path: readonly Certificate[]): VerifyError | undefined {
  const leaf = path[0]!;
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
    // §6.1.4(g) / §6.1.3(b)(c), applied to the leaf's subjectAltName.
    if (ca.nameConstraints) {
      const v = nameConstraintViolation(leaf.subjectAltName ?? [], ca.nameConstraints);
      if (v) return new VerifyError('bad_certificate', 'nameConstraints', `issuer '${who(ca)}' ${v}`, ca);
    }
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
    private readonly at: number,
    private readonly purpose: Purpose,
    private readonly maxDepth: number,
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
    if (!alg) {
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
      if (path.length > this.maxDepth) {
        this.record(
          1,
          new VerifyError('unknown_ca', 'depth', `no path of at most ${this.maxDepth} certificates reaches a trusted root`, cur),
          chain,
        );
        continue;
      }
      const sig = this.signatureError(cur, cand);
      if (sig) {
        this.record(1, sig, path);
        continue;
      }
      const ie = issuerError(cand, this.at, this.purpose, isAnchor);
      if (ie) {
        this.record(2, ie, path);
        continue;
      }
      if (isAnchor) {
        const pe = pathError(path);
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

  const le = leafError(leaf, at, purpose);
  if (le) return { ok: false, error: withChain(le, [leaf]), chain: [leaf] };
  if (id) {
    const mismatch = hostnameMismatch(leaf, id, opts.hostname!);
    if (mismatch) return { ok: false, error: withChain(new VerifyError('bad_certificate', 'hostname', mismatch, leaf), [leaf]), chain: [leaf] };
  }
  if (roots.has(leaf)) return { ok: true, chain: [leaf] };

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
  return new PathBuilder(inters, roots, at, purpose, maxDepth, provider).build(leaf);
}

/** The JSON form used by `hush verify`: `{ ok, error, chain }` with subjects for the chain. */
export function verifyResultToJSON(r: VerifyResult): {
  ok: boolean;
  error: ReturnType<VerifyError['toJSON']> | null;
  chain: string[];
} {
  return { ok: r.ok, error: r.ok ? null : r.error.toJSON(), chain: r.chain.map((c) => c.subject.text) };
}
