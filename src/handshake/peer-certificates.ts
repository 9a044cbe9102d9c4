// Checking the certificate chain a peer presents (RFC 8446 §4.4.2.4), through the X.509 module.
import { TlsError } from '../errors/errors.js';
import type { PublicKey } from '../crypto/provider.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';
import { verifyServerChain } from '../x509/verify.js';
import type { TrustStore } from '../x509/trust-store.js';
import type { HandshakeContext } from './context.js';
import { trace } from './trace.js';

export interface PeerVerification {
  readonly certificates: Certificate[];
  readonly leafKey: PublicKey;
  readonly authorized: boolean;
  readonly error: TlsError | undefined;
  readonly chain: Certificate[];
}

export interface PeerCertificateOptions {
  readonly certificates: readonly Uint8Array[];
  readonly trust: TrustStore | undefined;
  /** DNS name or IP literal to check (server certificates); undefined skips the name check. */
  readonly hostname: string | undefined;
  readonly purpose: 'serverAuth' | 'clientAuth';
  /** When false, a failed verification is recorded instead of failing the handshake. */
  readonly rejectUnauthorized: boolean;
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
      leaf,
      intermediates: certificates.slice(1),
      roots: opts.trust,
      ...(opts.hostname === undefined ? {} : { hostname: opts.hostname }),
      at: new Date(ctx.now()),
      provider: ctx.provider,
      purpose: opts.purpose,
    });
    if (result.ok) chain = [...result.chain];
    else error = result.error;
  }

  if (ctx.tracing) {
    const subjects = certificates.map((c) => c.subject.text);
    ctx.trace(
      trace(
        'certificate',
        error
          ? `The ${opts.purpose === 'serverAuth' ? 'server' : 'client'} sent its certificate chain (${subjects.join(' ← ')}), but it is NOT trusted: ${error.message}` +
              (opts.rejectUnauthorized ? '' : ' (continuing anyway because verification is turned off)')
          : `The ${opts.purpose === 'serverAuth' ? 'server' : 'client'} sent its certificate chain: ${subjects.join(' ← ')}. ` +
              `It is trusted because each certificate is signed by the next, up to '${chain[chain.length - 1]?.subject.text ?? '?'}', ` +
              `a root in our trust store; every certificate is within its validity dates` +
              (opts.hostname ? `, and the certificate names '${opts.hostname}'.` : '.'),
        { chain: subjects, trusted: !error, anchor: chain[chain.length - 1]?.subject.text ?? null, error: error?.message ?? null },
      ),
    );
  }
  if (error && opts.rejectUnauthorized) throw error;
  return { certificates, leafKey, authorized: !error, error, chain };
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
