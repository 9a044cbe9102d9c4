// The peer certificate object node:tls returns from getPeerCertificate(): subject and issuer as
// objects, subjectaltname, valid_from/valid_to, fingerprints, raw, pubkey, and issuerCertificate
// links when detailed. Verification is hush's own (src/x509); this only presents the DER in
// node's legacy shape, which node:crypto's X509Certificate#toLegacyObject() produces exactly.
import { X509Certificate } from 'node:crypto';

export interface PeerCertificate {
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  subjectaltname?: string;
  infoAccess?: Record<string, string[]>;
  ca: boolean;
  modulus?: string;
  bits?: number;
  exponent?: string;
  pubkey?: Buffer;
  asn1Curve?: string;
  nistCurve?: string;
  valid_from: string;
  valid_to: string;
  fingerprint: string;
  fingerprint256: string;
  fingerprint512: string;
  ext_key_usage?: string[];
  serialNumber: string;
  raw: Buffer;
  /** Only with getPeerCertificate(true): the next certificate up (itself for a self-signed root). */
  issuerCertificate?: PeerCertificate;
}

function legacy(der: Uint8Array): PeerCertificate {
  const x = new X509Certificate(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
  return x.toLegacyObject() as unknown as PeerCertificate;
}

function sameDer(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
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
    const next = sameDer(path[i]!, path[i - 1]!) ? cur : legacy(path[i]!);
    cur.issuerCertificate = next;
    cur = next;
  }
  // node links a self-signed root to itself.
  if (cur.issuerCertificate === undefined && cur.raw && path.length > 0) {
    const last = new X509Certificate(cur.raw);
    if (last.checkIssued(last)) cur.issuerCertificate = cur;
  }
  return leaf;
}
