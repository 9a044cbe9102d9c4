// Key exchange for the TLS named groups with their raw wire encodings (RFC 8446 §4.2.8.2):
// X25519 (RFC 7748, 32-byte u-coordinates) and secp256r1/secp384r1 (uncompressed points).
// Peer keys never go through DER: X25519 uses a JWK import (~10 µs instead of ~140 µs for SPKI),
// the NIST curves use createECDH, which takes raw points and checks that they are on the curve.
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { TlsError, UsageError } from '../../errors/index.js';
import { NamedGroup } from '../../wire/enums.js';
import type { KeyExchangeAlgorithm, KeyShare } from '../provider.js';
import { b64url, buf, fromB64url, isAllZero, u8 } from './util.js';

export type RandomSource = (length: number) => Uint8Array;

function illegal(message: string, cause?: unknown): TlsError {
  return new TlsError('illegal_parameter', message, cause === undefined ? undefined : { cause });
}

function respondWith(alg: KeyExchangeAlgorithm, peer: Uint8Array): { publicKey: Uint8Array; sharedSecret: Uint8Array } {
  const share = alg.generate();
  return { publicKey: share.publicKey, sharedSecret: share.complete(peer) };
}

// ---- X25519 ----

function x25519Share(privateKey: KeyObject, publicKey: Uint8Array): KeyShare {
  return {
    group: NamedGroup.x25519,
    publicKey,
    complete(peer: Uint8Array): Uint8Array {
      if (peer.length !== 32) throw illegal(`x25519 key share must be 32 bytes, got ${peer.length}`);
      let peerKey: KeyObject;
      let secret: Uint8Array;
      try {
        peerKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(peer) }, format: 'jwk' });
        secret = u8(diffieHellman({ privateKey, publicKey: peerKey }));
      } catch (e) {
        // OpenSSL refuses to derive an all-zero X25519 result: the same case as below.
        throw illegal('x25519 key share is invalid or of low order (all-zero shared secret)', e);
      }
      // RFC 8446 §7.4.2 / RFC 7748 §6.1: an all-zero shared secret MUST be rejected.
      if (isAllZero(secret)) throw illegal('x25519 key share is of low order (all-zero shared secret)');
      return secret;
    },
  };
}

/** RFC 8410 PKCS#8 prefix of an X25519 private key (the 32 key bytes follow). */
const X25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20);
/** Whether this Node's JWK importer takes `d` with a placeholder `x` (Node 20 does; Node 24 checks x). */
let jwkImport = true;

function importX25519Private(priv: Uint8Array): KeyObject {
  if (jwkImport) {
    const d = b64url(priv);
    try {
      // The JWK importer needs an `x` string but derives the public key from `d` (clamping per
      // RFC 7748 §5); export of the derived public key is cheap because it is cached. ~8x faster
      // than a PKCS#8 import on Node 20.
      return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: d }, format: 'jwk' });
    } catch {
      jwkImport = false; // a Node that checks x against d (Node 24): PKCS#8 from now on
    }
  }
  const der = new Uint8Array(X25519_PKCS8_PREFIX.length + 32);
  der.set(X25519_PKCS8_PREFIX);
  der.set(priv, X25519_PKCS8_PREFIX.length);
  try {
    return createPrivateKey({ key: buf(der), format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

function x25519FromPrivate(priv: Uint8Array): KeyShare {
  if (priv.length !== 32) throw new UsageError(`x25519 private key must be 32 bytes, got ${priv.length}`);
  const privateKey = importX25519Private(priv);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('x25519: public key export failed');
  return x25519Share(privateKey, fromB64url(jwk.x));
}

/**
 * Key shares come from 32 random bytes imported as a JWK private key. Not generateKeyPairSync: on
 * Node 20 a garbage collection during the JWK export of a generated X25519 key can run the
 * KeyGenJob's destructor, which waits for the mutex the export holds, and the process hangs for good
 * (seen in CI: main thread in futex wait under ExportJWKEdKey → ~KeyGenJob).
 */
function x25519(random: RandomSource): KeyExchangeAlgorithm {
  const alg: KeyExchangeAlgorithm = {
    group: NamedGroup.x25519,
    name: 'x25519',
    generate: () => x25519FromPrivate(random(32)),
    fromPrivateKey: x25519FromPrivate,
    respond: (peer) => respondWith(alg, peer),
  };
  return alg;
}

// ---- NIST P-256 / P-384 ----

interface Curve {
  readonly group: number;
  readonly name: string;
  readonly openssl: string;
  readonly fieldLength: number;
}

function nistFromPrivate(curve: Curve, priv: Uint8Array): KeyShare {
  // Accept the scalar with extra leading zeros or fewer bytes; node wants exactly fieldLength.
  let i = 0;
  while (priv.length - i > curve.fieldLength && priv[i] === 0) i++;
  if (priv.length - i > curve.fieldLength) {
    throw new UsageError(`${curve.name} private key must be at most ${curve.fieldLength} bytes`);
  }
  const scalar = new Uint8Array(curve.fieldLength);
  scalar.set(priv.subarray(i), curve.fieldLength - (priv.length - i));
  const ecdh = createECDH(curve.openssl);
  try {
    ecdh.setPrivateKey(scalar);
  } catch (e) {
    throw new UsageError(`${curve.name} private key is out of range: ${(e as Error).message}`);
  } finally {
    scalar.fill(0);
  }
  const pointLength = 1 + 2 * curve.fieldLength;
  return {
    group: curve.group,
    publicKey: u8(ecdh.getPublicKey()), // uncompressed by default
    complete(peer: Uint8Array): Uint8Array {
      // RFC 8446 §4.2.8.2: only the uncompressed form (0x04 || X || Y) is allowed.
      if (peer.length !== pointLength || peer[0] !== 4) {
        throw illegal(`${curve.name} key share must be an uncompressed point of ${pointLength} bytes`);
      }
      try {
        // Decoding checks that the point is on the curve (no invalid-curve attacks).
        return u8(ecdh.computeSecret(peer));
      } catch (e) {
        throw illegal(`${curve.name} key share is not a valid point on the curve`, e);
      }
    },
  };
}

function nist(curve: Curve, random: RandomSource): KeyExchangeAlgorithm {
  const fromPrivateKey = (priv: Uint8Array): KeyShare => nistFromPrivate(curve, priv);
  const alg: KeyExchangeAlgorithm = {
    group: curve.group,
    name: curve.name,
    generate(): KeyShare {
      // A uniformly random scalar by rejection: out-of-range values (zero or >= n, probability
      // about 2^-32 for these curves) are redrawn.
      for (let tries = 0; tries < 64; tries++) {
        const r = random(curve.fieldLength);
        try {
          return fromPrivateKey(r);
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
        }
      }
      throw new Error(`${curve.name}: the random source keeps producing invalid scalars`);
    },
    fromPrivateKey,
    respond: (peer) => respondWith(alg, peer),
  };
  return alg;
}

const P256: Curve = { group: NamedGroup.secp256r1, name: 'secp256r1', openssl: 'prime256v1', fieldLength: 32 };
const P384: Curve = { group: NamedGroup.secp384r1, name: 'secp384r1', openssl: 'secp384r1', fieldLength: 48 };

/** The key exchanges this provider implements, in preference order. */
export function createKeyExchanges(random: RandomSource): ReadonlyMap<number, KeyExchangeAlgorithm> {
  return new Map<number, KeyExchangeAlgorithm>([
    [NamedGroup.x25519, x25519(random)],
    [NamedGroup.secp256r1, nist(P256, random)],
    [NamedGroup.secp384r1, nist(P384, random)],
  ]);
}
