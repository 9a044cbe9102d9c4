// Handshake signatures: CertificateVerify (RFC 8446 §4.4.3) and choosing a signature scheme for
// a key from what the peer accepts.
import { TlsError } from '../../errors/errors.js';
import type { CryptoProvider, PrivateKey, PublicKey } from '../../crypto/provider.js';
import { keyMatchesScheme, schemeInfo } from '../../crypto/signature.js';
import { SignatureSchemes } from '../../wire/enums.js';
import { encodeCertificateVerifyContent } from '../messages/certificate-verify.js';

/**
 * Check a peer's CertificateVerify. RFC 8446 §4.4.3: the scheme must be one we offered and fit
 * the certificate's key (illegal_parameter otherwise); a bad signature is decrypt_error.
 */
export function verifyCertificateVerify13(
  provider: CryptoProvider,
  key: PublicKey,
  scheme: number,
  signature: Uint8Array,
  transcriptHash: Uint8Array,
  signerIsServer: boolean,
  offeredSchemes: readonly number[],
): void {
  const name = SignatureSchemes.name(scheme);
  if (!offeredSchemes.includes(scheme)) {
    throw new TlsError('illegal_parameter', `the peer signed with ${name}, which we did not offer`);
  }
  if (!keyMatchesScheme(key, scheme, true)) {
    throw new TlsError('illegal_parameter', `the peer signed with ${name}, which does not fit its ${describeKey(key)} certificate key (or is not allowed in TLS 1.3)`);
  }
  const info = schemeInfo(scheme)!;
  const content = encodeCertificateVerifyContent(signerIsServer, transcriptHash);
  if (!provider.verify(key, info.algorithm, content, signature)) {
    throw new TlsError('decrypt_error', `the ${signerIsServer ? 'server' : 'client'}'s CertificateVerify signature (${name}) is invalid: it does not prove possession of the certificate's private key`);
  }
}

export function signCertificateVerify13(
  provider: CryptoProvider,
  key: PrivateKey,
  scheme: number,
  transcriptHash: Uint8Array,
  signerIsServer: boolean,
): Uint8Array {
  const info = schemeInfo(scheme)!;
  return provider.sign(key, info.algorithm, encodeCertificateVerifyContent(signerIsServer, transcriptHash));
}

/**
 * The first scheme in our preference order that the peer accepts and our key can make, or
 * undefined. `tls13` forbids PKCS#1 v1.5 and binds ECDSA curves to schemes.
 */
export function chooseSignatureScheme(
  key: PrivateKey,
  peerSchemes: readonly number[],
  ourSchemes: readonly number[],
  tls13: boolean,
): number | undefined {
  for (const s of ourSchemes) {
    if (peerSchemes.includes(s) && keyMatchesScheme(key, s, tls13)) return s;
  }
  return undefined;
}

export function describeKey(key: Pick<PublicKey, 'type' | 'curve' | 'bits'>): string {
  switch (key.type) {
    case 'ec':
      return `ECDSA ${key.curve ?? ''}`.trim();
    case 'rsa':
      return `RSA-${key.bits ?? '?'}`;
    case 'rsa-pss':
      return `RSA-PSS-${key.bits ?? '?'}`;
    case 'ed25519':
      return 'Ed25519';
    case 'ml-dsa-44':
    case 'ml-dsa-65':
    case 'ml-dsa-87':
      return key.type.toUpperCase();
    default:
      return key.type;
  }
}
