// Signatures and RSA encryption on node:crypto.
import { constants, privateDecrypt, publicEncrypt, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { TlsError, UsageError } from '../../errors/index.js';
import type { KeyType, PrivateKey, PublicKey, SignatureAlgorithm } from '../provider.js';
import { checkHash } from './hash.js';
import { privateHandle, publicHandle } from './keys.js';
import { mlDsaVerify } from './ml-dsa.js';
import { u8 } from './util.js';

type SignArgs = [algorithm: string | null, key: KeyObject | { key: KeyObject; [k: string]: unknown }];

/**
 * How node is asked for `alg` with a key of `type`, or undefined when they do not go together.
 * (ML-DSA goes through ml-dsa.ts: node:crypto or noble, whichever this runtime has.)
 */
function nodeArgs(ko: KeyObject, type: KeyType, alg: SignatureAlgorithm): SignArgs | undefined {
  switch (alg.kind) {
    case 'ecdsa':
      checkHash(alg.hash);
      return type === 'ec' ? [alg.hash, { key: ko, dsaEncoding: 'der' }] : undefined;
    case 'rsa-pkcs1':
      checkHash(alg.hash);
      // RSASSA-PKCS1-v1_5 is not allowed with id-RSASSA-PSS keys (RFC 4055 §1.2).
      return type === 'rsa' ? [alg.hash, { key: ko, padding: constants.RSA_PKCS1_PADDING }] : undefined;
    case 'rsa-pss':
      checkHash(alg.hash);
      // MGF1 with the same hash (RFC 8446 §4.2.3); node uses the signature hash for MGF1.
      // For id-RSASSA-PSS keys OpenSSL also enforces the key's own parameter restrictions.
      return type === 'rsa' || type === 'rsa-pss'
        ? [alg.hash, { key: ko, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }]
        : undefined;
    case 'ed25519':
      return type === 'ed25519' ? [null, ko] : undefined;
    default:
      return undefined;
  }
}

export function verify(key: PublicKey, alg: SignatureAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
  if (alg.kind === 'ml-dsa') return mlDsaVerify(key, alg, message, signature);
  try {
    const args = nodeArgs(publicHandle(key), key.type, alg);
    if (!args) return false;
    return nodeVerify(args[0], message, args[1] as Parameters<typeof nodeVerify>[2], signature);
  } catch {
    // Malformed signatures, parameter mismatches (e.g. a PSS key restricted to another hash).
    return false;
  }
}

export function sign(key: PrivateKey, alg: SignatureAlgorithm, message: Uint8Array): Uint8Array {
  const args = nodeArgs(privateHandle(key), key.type, alg);
  if (!args) throw new UsageError(`a ${key.type} key cannot sign with ${alg.kind}`);
  return u8(nodeSign(args[0], message, args[1] as Parameters<typeof nodeSign>[2]));
}

function rsaModulusBytes(key: { type: KeyType; bits?: number }, what: string): number {
  if (key.type !== 'rsa' || key.bits === undefined) {
    throw new TlsError('unsupported_certificate', `${what} needs an rsaEncryption key, not ${key.type}`);
  }
  return (key.bits + 7) >> 3;
}

/** RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1), the client side of RFC 5246 §7.4.7.1. */
export function rsaEncryptPkcs1(key: PublicKey, data: Uint8Array): Uint8Array {
  const k = rsaModulusBytes(key, 'RSA key transport');
  if (data.length > k - 11) throw new UsageError(`RSA PKCS#1 v1.5 message too long: ${data.length} > ${k - 11}`);
  return u8(publicEncrypt({ key: publicHandle(key), padding: constants.RSA_PKCS1_PADDING }, data));
}

/** m = c^d mod n with no padding check, left-padded to the modulus length (RFC 8017 §5.1.2). */
export function rsaDecryptRaw(key: PrivateKey, data: Uint8Array): Uint8Array {
  const k = rsaModulusBytes(key, 'RSA decryption');
  if (data.length !== k) {
    throw new TlsError('decode_error', `RSA ciphertext must be ${k} bytes (the modulus length), got ${data.length}`);
  }
  let m: Uint8Array;
  try {
    m = u8(privateDecrypt({ key: privateHandle(key), padding: constants.RSA_NO_PADDING }, data));
  } catch (e) {
    // c >= n: "ciphertext representative out of range" (RFC 8017 §5.1.2). Public information.
    throw new TlsError('decode_error', 'RSA ciphertext is out of range for the modulus', { cause: e });
  }
  if (m.length === k) return m;
  const out = new Uint8Array(k);
  out.set(m, k - m.length);
  return out;
}
