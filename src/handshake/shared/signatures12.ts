// TLS 1.2 handshake signatures: ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4), CertificateVerify
// (RFC 5246 §7.4.8) and choosing a SignatureAndHashAlgorithm (RFC 5246 §7.4.1.4.1).
// TLS 1.2 code points are the TLS 1.3 SignatureScheme values (RFC 8446 §4.2.3 defines them for both);
// the differences from 1.3 are that rsa_pkcs1_* is allowed for handshake signatures and that an
// ECDSA scheme fixes only the hash, not the curve (keyMatchesScheme(..., false)).
import { TlsError } from '../../errors/errors.js';
import type { CryptoProvider, PrivateKey, PublicKey } from '../../crypto/provider.js';
import { keyMatchesScheme, schemeInfo } from '../../crypto/signature.js';
import { SignatureSchemes } from '../../wire/enums.js';
import { serverKeyExchangeSignedContent } from '../messages/server-key-exchange.js';
import { describeKey } from './signatures.js';

/**
 * 0 for the schemes that suit the key best, 1 for the rest: RSA keys prefer RSA-PSS over PKCS#1
 * v1.5; ECDSA keys prefer the hash that goes with their curve.
 */
function rank(key: PrivateKey, scheme: number): number {
  const info = schemeInfo(scheme)!;
  if (info.algorithm.kind === 'rsa-pkcs1') return 1;
  if (info.algorithm.kind === 'ecdsa' && info.curve !== key.curve) return 1;
  return 0;
}

/**
 * The scheme to sign a TLS 1.2 ServerKeyExchange or CertificateVerify with, or undefined.
 *
 * RFC 5246 §7.4.1.4.1: a peer that sends no signature_algorithms is taken to support
 * {sha1, <key's algorithm>} only; hush does not sign with SHA-1, so `peerSchemes === undefined`
 * gives undefined and the caller fails the handshake with handshake_failure. Otherwise: the first
 * of our schemes (in our order) that the peer listed and the key can make, preferring RSA-PSS
 * (rsae) for RSA keys and the curve's own hash for ECDSA keys. Ed25519 is allowed (RFC 8422 §5.1.3).
 */
export function chooseSignatureScheme12(
  key: PrivateKey,
  peerSchemes: readonly number[] | undefined,
  ourSchemes: readonly number[],
): number | undefined {
  if (peerSchemes === undefined) return undefined;
  let best: number | undefined;
  let bestRank = 2;
  for (const s of ourSchemes) {
    if (!peerSchemes.includes(s) || !keyMatchesScheme(key, s, false)) continue;
    const r = rank(key, s);
    if (r < bestRank) {
      best = s;
      bestRank = r;
      if (r === 0) break;
    }
  }
  return best;
}

/** The checks shared by both TLS 1.2 signature verifications: offered, fits the key. */
function checkScheme(key: PublicKey, scheme: number, offeredSchemes: readonly number[], what: string): void {
  const name = SignatureSchemes.name(scheme);
  if (!offeredSchemes.includes(scheme)) {
    throw new TlsError('illegal_parameter', `the peer signed its ${what} with ${name}, which we did not offer in signature_algorithms`);
  }
  if (!keyMatchesScheme(key, scheme, false)) {
    throw new TlsError('illegal_parameter', `the peer signed its ${what} with ${name}, which does not fit its ${describeKey(key)} certificate key`);
  }
}

/** RFC 5246 §7.4.3 / RFC 8422 §5.4: sign client_random || server_random || ServerECDHParams. */
export function signServerKeyExchange12(
  provider: CryptoProvider,
  key: PrivateKey,
  scheme: number,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  params: Uint8Array,
): Uint8Array {
  const info = schemeInfo(scheme)!;
  return provider.sign(key, info.algorithm, serverKeyExchangeSignedContent(clientRandom, serverRandom, params));
}

/**
 * Check the server's ServerKeyExchange signature. The scheme must be one the client offered and
 * fit the certificate key (illegal_parameter); a bad signature is decrypt_error (RFC 5246 §7.2.2:
 * "a handshake cryptographic operation failed, including being unable to correctly verify a signature").
 */
export function verifyServerKeyExchange12(
  provider: CryptoProvider,
  key: PublicKey,
  scheme: number,
  offeredSchemes: readonly number[],
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  params: Uint8Array,
  signature: Uint8Array,
): void {
  checkScheme(key, scheme, offeredSchemes, 'ServerKeyExchange');
  const info = schemeInfo(scheme)!;
  const content = serverKeyExchangeSignedContent(clientRandom, serverRandom, params);
  if (!provider.verify(key, info.algorithm, content, signature)) {
    throw new TlsError(
      'decrypt_error',
      `the server's ServerKeyExchange signature (${SignatureSchemes.name(scheme)}) is invalid: the key exchange parameters were not signed by the certificate's key`,
    );
  }
}

/**
 * RFC 5246 §7.4.8: the client signs handshake_messages, every handshake message from ClientHello up
 * to (not including) CertificateVerify, concatenated as sent (the provider hashes them with the
 * scheme's hash).
 */
export function signCertificateVerify12(
  provider: CryptoProvider,
  key: PrivateKey,
  scheme: number,
  handshakeMessages: Uint8Array,
): Uint8Array {
  const info = schemeInfo(scheme)!;
  return provider.sign(key, info.algorithm, handshakeMessages);
}

/**
 * The server's check of a client CertificateVerify. RFC 5246 §7.4.8: the scheme must be one the
 * server listed in CertificateRequest.supported_signature_algorithms (illegal_parameter otherwise,
 * as for a key mismatch); a bad signature is decrypt_error.
 */
export function verifyCertificateVerify12(
  provider: CryptoProvider,
  key: PublicKey,
  scheme: number,
  offeredSchemes: readonly number[],
  handshakeMessages: Uint8Array,
  signature: Uint8Array,
): void {
  checkScheme(key, scheme, offeredSchemes, 'CertificateVerify');
  const info = schemeInfo(scheme)!;
  if (!provider.verify(key, info.algorithm, handshakeMessages, signature)) {
    throw new TlsError(
      'decrypt_error',
      `the client's CertificateVerify signature (${SignatureSchemes.name(scheme)}) is invalid: it does not prove possession of the certificate's private key`,
    );
  }
}
