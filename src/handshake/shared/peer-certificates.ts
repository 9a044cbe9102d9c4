// Checking the certificate chain a peer presents (RFC 8446 §4.4.2.4), through the X.509 module.
import { TlsError } from '../../errors/errors.js';
import { equal, toHex } from '../../bytes/util.js';
import type { PublicKey } from '../../crypto/provider.js';
import { parseCertificate, type Certificate } from '../../x509/certificate.js';
import { verifyServerChain, type ChainPolicyOptions } from '../../x509/verify.js';
import type { TrustStore } from '../../x509/trust-store.js';
import type { HandshakeContext } from '../context.js';
import { tell } from '../narration.js';
import { peerRevocation, type PeerRevocation } from './peer-revocation.js';
import type { ClientConfig } from '../config.js';

export interface PeerVerification {
  readonly certificates: Certificate[];
  readonly leafKey: PublicKey;
  readonly authorized: boolean;
  readonly error: TlsError | undefined;
  readonly chain: Certificate[];
  /** The OCSP response the peer stapled, once checked (client side, #15). */
  readonly ocspResponse?: Uint8Array;
}

export interface PeerCertificateOptions {
  readonly certificates: readonly Uint8Array[];
  readonly trust: TrustStore | undefined;
  /** DNS name or IP literal to check (server certificates); undefined skips the name check. */
  readonly hostname: string | undefined;
  readonly purpose: 'serverAuth' | 'clientAuth';
  /** When false, a failed verification is recorded instead of failing the handshake. */
  readonly rejectUnauthorized: boolean;
  /** CRLs to check the path against (#15). */
  readonly revocation?: PeerRevocation | undefined;
  /** Profile and the other policy options (ClientConfig.verify / ServerConfig.clientVerify). */
  readonly policy: ChainPolicyOptions | undefined;
}

/**
 * Parse and verify a peer's chain (leaf first). Throws the TlsError of the failed check when
 * `rejectUnauthorized`; otherwise returns the failure in `error`. A certificate that cannot be
 * parsed, or whose key the provider cannot use, fails the handshake either way: we could not
 * check its CertificateVerify.
 */
export function verifyPeerCertificates(ctx: HandshakeContext, opts: PeerCertificateOptions): PeerVerification {
  const certificates: Certificate[] = [];
  for (const der of opts.certificates) {
    try {
      // The handshake message buffer is ours; keep a copy so views stay valid.
      certificates.push(parseCertificate(der.slice()));
    } catch (e) {
      throw new TlsError('bad_certificate', `the peer's certificate #${certificates.length + 1} cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const leaf = certificates[0]!;
  let leafKey: PublicKey;
  try {
    leafKey = ctx.provider.importPublicKey(leaf.spki.raw);
  } catch (e) {
    throw new TlsError('unsupported_certificate', `the peer's certificate key cannot be used: ${e instanceof Error ? e.message : String(e)}`);
  }

  let error: TlsError | undefined;
  let chain: Certificate[] = [];
  if (!opts.trust) {
    error = new TlsError('unknown_ca', 'no trust store was configured, so the certificate could not be verified');
  } else {
    const result = verifyServerChain({
      ...opts.policy,
      leaf,
      intermediates: certificates.slice(1),
      roots: opts.trust,
      ...(opts.hostname === undefined ? {} : { hostname: opts.hostname }),
      at: new Date(ctx.now()),
      provider: ctx.provider,
      purpose: opts.purpose,
      ...opts.revocation,
    });
    if (result.ok) chain = [...result.chain];
    else error = result.error;
  }

  if (ctx.tracing) {
    tell(ctx, {
      kind: 'peer_certificates',
      from: opts.purpose === 'serverAuth' ? 'server' : 'client',
      subjects: certificates.map((c) => c.subject.text),
      anchor: chain[chain.length - 1]?.subject.text,
      error: error?.message,
      rejectUnauthorized: opts.rejectUnauthorized,
      hostname: opts.hostname,
    });
  }
  if (error && opts.rejectUnauthorized) throw error;
  return { certificates, leafKey, authorized: !error, error, chain };
}

/**
 * The server's certificate chain (TLS 1.3 and 1.2 alike), checked as the client config says: its
 * trust store, validation profile (ClientConfig.verify) and CRLs; purpose serverAuth, for
 * `hostname`. `alwaysReject` ignores rejectUnauthorized:false (RFC 9849 §6.1.7: after an ECH
 * rejection the public name is always verified).
 */
export function verifyServerCertificates(
  ctx: HandshakeContext,
  config: ClientConfig,
  certificates: readonly Uint8Array[],
  hostname: string | undefined,
  alwaysReject = false,
): PeerVerification {
  return verifyPeerCertificates(ctx, {
    certificates,
    trust: config.trust,
    hostname,
    purpose: 'serverAuth',
    rejectUnauthorized: alwaysReject || config.rejectUnauthorized !== false,
    revocation: peerRevocation(config),
    policy: config.verify,
  });
}

/**
 * After resumption no Certificate is sent: the chain recorded with the session (DER), parsed for
 * HandshakeInfo.peerCertificates; empty if any stored certificate no longer parses.
 */
export function parseStoredCertificates(ders: readonly Uint8Array[]): Certificate[] {
  const out: Certificate[] = [];
  for (const der of ders) {
    try {
      out.push(parseCertificate(der));
    } catch {
      return [];
    }
  }
  return out;
}

/**
 * HandshakeInfo's `peerCertificates` and `verifiedChain`, parsed on first use. A parsed
 * certificate is ~4.5 KB of heap (names, extensions, views) while its DER is a few hundred bytes:
 * an established connection keeps only the DER (which it needs anyway for tickets and
 * getPeerCertificate) and re-parses it when someone asks; the result is then kept, so repeated
 * reads return the same objects. The DER parsed once already during the handshake, so the
 * second parse gives the same result.
 */
interface LazyPeerChain {
  readonly ders: readonly Uint8Array[];
  /** The verified path: an index into the peer's certificates, or a certificate from the trust store. */
  readonly verified: readonly (number | Certificate)[];
  certificates: readonly Certificate[] | undefined;
  chain: readonly Certificate[] | undefined;
}

const LAZY_CHAIN = Symbol('hush.peerChain');

type WithLazyChain = { [LAZY_CHAIN]: LazyPeerChain };

// Shared accessors (one function pair for every connection, none per info object).
function lazyPeerCertificates(this: WithLazyChain): readonly Certificate[] {
  const l = this[LAZY_CHAIN];
  return (l.certificates ??= parseStoredCertificates(l.ders));
}

function lazyVerifiedChain(this: WithLazyChain): readonly Certificate[] {
  const l = this[LAZY_CHAIN];
  if (l.chain) return l.chain;
  const certs = lazyPeerCertificates.call(this);
  const chain: Certificate[] = [];
  for (const c of l.verified) {
    const cert = typeof c === 'number' ? certs[c] : c;
    if (cert) chain.push(cert);
  }
  return (l.chain = chain);
}

/** The peer's chain of a finished handshake, as an established connection keeps it. */
export interface PeerChainRecord {
  /** DER, leaf first (the copies the handshake parsed). */
  readonly ders: readonly Uint8Array[];
  readonly verified: readonly (number | Certificate)[];
}

/**
 * Chains seen recently, shared by the connections that received the same bytes (every connection
 * to one server gets the same chain): an idle connection then holds no DER of its own. Looked up
 * by total length and the leaf's last bytes (its signature), then compared byte for byte.
 */
const SHARED_CHAINS = 32;
const sharedChains = new Map<string, (readonly Uint8Array[])[]>();
let sharedChainCount = 0;

function sharedDers(certs: readonly Certificate[]): readonly Uint8Array[] {
  if (certs.length === 0) return [];
  let total = 0;
  for (const c of certs) total += c.raw.length;
  const leaf = certs[0]!.raw;
  const key = `${certs.length}/${total}/${toHex(leaf.subarray(Math.max(0, leaf.length - 8)))}`;
  const bucket = sharedChains.get(key);
  if (bucket) {
    for (const ders of bucket) {
      if (ders.length === certs.length && ders.every((d, i) => equal(d, certs[i]!.raw))) return ders;
    }
  }
  const ders = Object.freeze(certs.map((c) => c.raw));
  if (sharedChainCount >= SHARED_CHAINS) {
    // Bounded: start over rather than track ages (a peer sending ever-new chains gains nothing).
    sharedChains.clear();
    sharedChainCount = 0;
  }
  sharedChains.set(key, [...(sharedChains.get(key) ?? []), ders]);
  sharedChainCount++;
  return ders;
}

/** From a fresh verification: its DER copies and the verified path (the parsed objects are dropped). */
export function peerChainOf(peer: PeerVerification): PeerChainRecord {
  const certs = peer.certificates;
  return {
    ders: sharedDers(certs),
    verified: peer.chain.map((c) => {
      const i = certs.indexOf(c);
      return i >= 0 ? i : c;
    }),
  };
}

/**
 * After resumption: the chain recorded with the session. Parsed now, as before, so that a stored
 * chain that no longer parses is reported (and passed on to new tickets) as empty.
 */
export function storedPeerChain(ders: readonly Uint8Array[]): PeerChainRecord {
  return { ders: parseStoredCertificates(ders).map((c) => c.raw), verified: [] };
}

/**
 * Complete a HandshakeInfo with `peerCertificates` and `verifiedChain` as enumerable accessors
 * that parse `record.ders` on first use.
 */
export function withPeerChain<T extends object>(
  info: T,
  record: PeerChainRecord,
): T & { readonly peerCertificates: readonly Certificate[]; readonly verifiedChain: readonly Certificate[] } {
  const lazy: LazyPeerChain = { ders: record.ders, verified: record.verified, certificates: undefined, chain: undefined };
  Object.defineProperty(info, LAZY_CHAIN, { value: lazy });
  Object.defineProperty(info, 'peerCertificates', { get: lazyPeerCertificates, enumerable: true });
  Object.defineProperty(info, 'verifiedChain', { get: lazyVerifiedChain, enumerable: true });
  return info as T & { readonly peerCertificates: readonly Certificate[]; readonly verifiedChain: readonly Certificate[] };
}

/** The peer's DER chain behind a HandshakeInfo, without parsing it (for session tickets). */
export function peerCertificateDers(info: { readonly peerCertificates: readonly Certificate[] }): Uint8Array[] {
  const lazy = (info as Partial<WithLazyChain>)[LAZY_CHAIN];
  return lazy ? [...lazy.ders] : info.peerCertificates.map((c) => c.raw);
}
