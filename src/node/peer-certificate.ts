// The peer certificate object node:tls returns from getPeerCertificate(): subject and issuer as
// objects, subjectaltname, valid_from/valid_to, fingerprints, raw, pubkey, and issuerCertificate
// links when detailed. Verification is hush's own (src/x509); this only presents the DER in
// node's legacy shape, which node:crypto's X509Certificate#toLegacyObject() produces exactly.
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate } from 'node:tls';
import { equal } from '../bytes/util.js';

/**
 * node's own type: subject/issuer objects, subjectaltname, valid_from/valid_to, fingerprints, raw,
 * pubkey...; issuerCertificate is filled only by getPeerCertificate(true).
 */
export type PeerCertificate = DetailedPeerCertificate;

function legacy(der: Uint8Array): PeerCertificate {
  const x = new X509Certificate(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
  return x.toLegacyObject() as unknown as PeerCertificate;
}

/**
 * `chain`: the certificates the peer sent, leaf first. `verified`: the verified path (leaf to
 * anchor) when there is one; with `detailed`, issuerCertificate follows it (else the sent chain).
 */
export function peerCertificateObject(chain: readonly Uint8Array[], verified: readonly Uint8Array[], detailed: boolean): PeerCertificate {
  const leaf = legacy(chain[0]!);
  if (!detailed) return leaf;
  const path = verified.length > 0 ? verified : chain;
  let cur = leaf;
  for (let i = 1; i < path.length; i++) {
    const next = equal(path[i]!, path[i - 1]!) ? cur : legacy(path[i]!);
    cur.issuerCertificate = next;
    cur = next;
  }
  // node links a self-signed root to itself.
  if ((cur as Partial<PeerCertificate>).issuerCertificate === undefined) {
    const last = new X509Certificate(cur.raw);
    if (last.checkIssued(last)) cur.issuerCertificate = cur;
  }
  return leaf;
}
