// ML-DSA keys and signatures for the node provider: node:crypto where the running Node has
// ML-DSA (Node 24 with OpenSSL 3.5; found by trying it, never by the version number), otherwise
// @noble/post-quantum's ml_dsa (FIPS 204, pure JS). Pure ML-DSA with an empty context only.
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { constantTimeEqual } from '../../bytes/index.js';
import { TlsError, UsageError } from '../../errors/index.js';
import { encodeMlDsaPkcs8, encodeMlDsaSpki, ML_DSA, ML_DSA_SEED_LENGTH, type MlDsaPrivateKeyParts } from '../ml-dsa.js';
import type { MlDsaKeyType, PrivateKey, PublicKey, SignatureAlgorithm } from '../provider.js';
import type { RandomSource } from './kx.js';
import { buf, u8 } from './util.js';

const NOBLE = { 'ml-dsa-44': ml_dsa44, 'ml-dsa-65': ml_dsa65, 'ml-dsa-87': ml_dsa87 } as const;

interface PublicHandle {
  readonly raw: Uint8Array;
  readonly ko?: KeyObject;
}
interface PrivateHandle {
  readonly seed?: Uint8Array;
  /** FIPS 204 sk; only for the noble backend. */
  readonly expandedKey?: Uint8Array;
  readonly ko?: KeyObject;
}
const publicHandles = new WeakMap<PublicKey, PublicHandle>();
const privateHandles = new WeakMap<PrivateKey, PrivateHandle>();

let native: boolean | undefined;

/**
 * Whether node:crypto signs and verifies ML-DSA here: one ML-DSA-44 key from a fixed seed, one
 * signature, one verification (about a millisecond, once per process, on first use).
 */
export function hasNativeMlDsa(): boolean {
  if (native !== undefined) return native;
  try {
    const ko = createPrivateKey({ key: buf(encodeMlDsaPkcs8('ml-dsa-44', { seed: new Uint8Array(32).fill(7) })), format: 'der', type: 'pkcs8' });
    const msg = new Uint8Array([1, 2, 3]);
    native = (ko.asymmetricKeyType as string | undefined) === 'ml-dsa-44' && nodeVerify(null, msg, createPublicKey(ko), nodeSign(null, msg, ko));
  } catch {
    native = false;
  }
  return native;
}

/** Which implementation ML-DSA keys get in this process: "node:crypto" or "@noble/post-quantum". */
export function mlDsaBackend(): string {
  return hasNativeMlDsa() ? 'node:crypto' : '@noble/post-quantum';
}

function makePublic(type: MlDsaKeyType, raw: Uint8Array, spki: Uint8Array, ko?: KeyObject): PublicKey {
  const key: PublicKey = Object.freeze({ type, spki });
  publicHandles.set(key, ko ? { raw, ko } : { raw });
  return key;
}

/** Import an ML-DSA SubjectPublicKeyInfo whose outer structure the caller already checked. */
export function importMlDsaPublicKey(type: MlDsaKeyType, spki: Uint8Array, params: Uint8Array | undefined, raw: Uint8Array): PublicKey {
  const p = ML_DSA[type];
  // LAMPS ML-DSA-in-X.509 §2: the parameters field MUST be absent.
  if (params !== undefined) throw new TlsError('bad_certificate', `${p.name} public key: the AlgorithmIdentifier must have no parameters`);
  if (raw.length !== p.publicKeyLength) {
    throw new TlsError('bad_certificate', `${p.name} public key must be ${p.publicKeyLength} bytes, not ${raw.length}`);
  }
  let ko: KeyObject | undefined;
  if (hasNativeMlDsa()) {
    try {
      ko = createPublicKey({ key: buf(spki), format: 'der', type: 'spki' });
    } catch (e) {
      throw new TlsError('bad_certificate', `malformed ${p.name} public key: ${(e as Error).message}`, { cause: e });
    }
  }
  return makePublic(type, raw.slice(), spki, ko);
}

function publicHandle(key: PublicKey, type: MlDsaKeyType): PublicHandle | undefined {
  const h = publicHandles.get(key);
  if (h) return h;
  // A key from another provider: re-read its SPKI (raw key = the BIT STRING after the header).
  const p = ML_DSA[type];
  const raw = key.spki.subarray(key.spki.length - p.publicKeyLength);
  if (!constantTimeEqual(encodeMlDsaSpki(type, raw), key.spki)) return undefined;
  return publicHandles.get(importMlDsaPublicKey(type, key.spki, undefined, raw));
}

/**
 * A private key from its PKCS#8 parts. A seed is expanded (FIPS 204 Algorithm 6); when the key
 * also carries the expanded key or the public key, they must match what the seed gives (§6:
 * "both" must be consistent), else UsageError. node:crypto (OpenSSL 3.5) checks "both" itself.
 */
export function importMlDsaPrivateKey(parts: MlDsaPrivateKeyParts): PrivateKey {
  const { type } = parts;
  const p = ML_DSA[type];
  let publicRaw: Uint8Array;
  let handle: PrivateHandle;
  let pubKo: KeyObject | undefined;
  if (hasNativeMlDsa()) {
    let ko: KeyObject;
    try {
      ko = createPrivateKey({ key: buf(encodeMlDsaPkcs8(type, parts)), format: 'der', type: 'pkcs8' });
    } catch (e) {
      const why = parts.seed && parts.expandedKey ? 'the seed and the expanded key do not match' : (e as Error).message;
      throw new UsageError(`cannot read private key: invalid ${p.name} key (${why})`);
    }
    pubKo = createPublicKey(ko);
    const spki = u8(pubKo.export({ type: 'spki', format: 'der' }));
    publicRaw = spki.slice(spki.length - p.publicKeyLength);
    handle = { ...(parts.seed ? { seed: parts.seed.slice() } : {}), ko };
  } else {
    const noble = NOBLE[type];
    let expandedKey: Uint8Array;
    if (parts.seed) {
      const kp = noble.keygen(parts.seed);
      publicRaw = kp.publicKey;
      if (parts.expandedKey && !constantTimeEqual(kp.secretKey, parts.expandedKey)) {
        throw new UsageError(`cannot read private key: invalid ${p.name} key (the seed and the expanded key do not match)`);
      }
      expandedKey = kp.secretKey;
    } else {
      expandedKey = parts.expandedKey!;
      publicRaw = noble.getPublicKey(expandedKey);
    }
    handle = { ...(parts.seed ? { seed: parts.seed.slice() } : {}), expandedKey };
  }
  if (parts.publicKey && !constantTimeEqual(parts.publicKey, publicRaw)) {
    throw new UsageError(`cannot read private key: the ${p.name} public key does not match the private key`);
  }
  const publicKey = makePublic(type, publicRaw, encodeMlDsaSpki(type, publicRaw), pubKo);
  const key: PrivateKey = Object.freeze({ type, publicKey });
  privateHandles.set(key, handle);
  return key;
}

/** A KeyObject node read itself (an encrypted PKCS#8 file): through our own reader, unencrypted. */
export function mlDsaFromKeyObject(ko: KeyObject, parse: (pkcs8: Uint8Array) => MlDsaPrivateKeyParts | undefined): PrivateKey {
  const parts = parse(u8(ko.export({ type: 'pkcs8', format: 'der' })));
  if (!parts) throw new UsageError(`cannot read private key: unexpected ${ko.asymmetricKeyType ?? 'unknown'} encoding`);
  return importMlDsaPrivateKey(parts);
}

/** A new key from a 32-byte seed drawn from the provider's random source (FIPS 204 Algorithm 1). */
export function generateMlDsaKey(type: MlDsaKeyType, random: RandomSource): PrivateKey {
  const seed = random(ML_DSA_SEED_LENGTH);
  try {
    return importMlDsaPrivateKey({ type, seed });
  } finally {
    seed.fill(0);
  }
}

function privateHandle(key: PrivateKey): PrivateHandle {
  const h = privateHandles.get(key);
  if (!h) throw new UsageError('this private key was not created by the node crypto provider');
  return h;
}

export function exportMlDsaPrivateKey(key: PrivateKey, type: MlDsaKeyType): Uint8Array {
  const h = privateHandle(key);
  if (h.seed) return encodeMlDsaPkcs8(type, { seed: h.seed });
  if (h.ko) return u8(h.ko.export({ type: 'pkcs8', format: 'der' }));
  return encodeMlDsaPkcs8(type, { expandedKey: h.expandedKey! });
}

function fits(type: string, alg: SignatureAlgorithm): type is MlDsaKeyType {
  return alg.kind === 'ml-dsa' && alg.parameterSet === type;
}

/** ML-DSA.Verify with an empty context (FIPS 204 Algorithm 3); false for any mismatch. */
export function mlDsaVerify(key: PublicKey, alg: SignatureAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
  const type = key.type;
  if (!fits(type, alg) || signature.length !== ML_DSA[type].signatureLength) return false;
  try {
    const h = publicHandle(key, type);
    if (!h) return false;
    if (h.ko) return nodeVerify(null, message, h.ko, signature);
    return NOBLE[type].verify(signature, message, h.raw);
  } catch {
    return false;
  }
}

/**
 * ML-DSA.Sign with an empty context (FIPS 204 Algorithm 2), hedged: the noble backend takes its
 * 32 random bytes (rnd) from the provider's source; OpenSSL draws its own.
 */
export function mlDsaSign(key: PrivateKey, alg: SignatureAlgorithm, message: Uint8Array, random: RandomSource): Uint8Array {
  const type = key.type;
  if (!fits(type, alg)) throw new UsageError(`a ${key.type} key cannot sign with ${alg.kind === 'ml-dsa' ? alg.parameterSet : alg.kind}`);
  const h = privateHandle(key);
  if (h.ko) return u8(nodeSign(null, message, h.ko));
  return NOBLE[type].sign(message, h.expandedKey!, { extraEntropy: random(32) });
}
