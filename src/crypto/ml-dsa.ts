// ML-DSA (FIPS 204) key encodings for X.509 and PKCS#8, per the LAMPS ML-DSA-in-X.509 spec
// (draft-ietf-lamps-dilithium-certificates): the sizes of each parameter set, the OIDs (whose
// AlgorithmIdentifier has no parameters, §2), the SubjectPublicKeyInfo (§4) and the PKCS#8
// private key CHOICE of seed / expandedKey / both (§6). Portable: the primitives live in providers.
import { DerReader, Tag, der } from '../asn1/index.js';
import { TlsError } from '../errors/index.js';
import type { MlDsaKeyType } from './provider.js';

export interface MlDsaParameters {
  readonly type: MlDsaKeyType;
  /** "ML-DSA-65" (FIPS 204 §4). */
  readonly name: string;
  /** id-ml-dsa-* (NIST CSOR sigAlgs): both the key algorithm and the signature algorithm. */
  readonly oid: string;
  readonly publicKeyLength: number;
  /** The FIPS 204 private key (sk) as ML-DSA.KeyGen_internal returns it. */
  readonly expandedKeyLength: number;
  readonly signatureLength: number;
}

/** ξ, the 32-byte seed ML-DSA.KeyGen expands (FIPS 204 Algorithm 1). */
export const ML_DSA_SEED_LENGTH = 32;

export const ML_DSA: Readonly<Record<MlDsaKeyType, MlDsaParameters>> = {
  'ml-dsa-44': { type: 'ml-dsa-44', name: 'ML-DSA-44', oid: '2.16.840.1.101.3.4.3.17', publicKeyLength: 1312, expandedKeyLength: 2560, signatureLength: 2420 },
  'ml-dsa-65': { type: 'ml-dsa-65', name: 'ML-DSA-65', oid: '2.16.840.1.101.3.4.3.18', publicKeyLength: 1952, expandedKeyLength: 4032, signatureLength: 3309 },
  'ml-dsa-87': { type: 'ml-dsa-87', name: 'ML-DSA-87', oid: '2.16.840.1.101.3.4.3.19', publicKeyLength: 2592, expandedKeyLength: 4896, signatureLength: 4627 },
};

const BY_OID = new Map(Object.values(ML_DSA).map((p) => [p.oid, p.type]));

/** The parameter set an OID names, or undefined when it is not an ML-DSA OID. */
export function mlDsaTypeByOid(oid: string): MlDsaKeyType | undefined {
  return BY_OID.get(oid);
}

export function isMlDsaKeyType(type: string): type is MlDsaKeyType {
  return Object.hasOwn(ML_DSA, type);
}

/** The AlgorithmIdentifier: the OID alone, parameters absent (§2). */
export function encodeMlDsaAlgorithm(type: MlDsaKeyType): Uint8Array {
  return der.sequence(der.oid(ML_DSA[type].oid));
}

/** SubjectPublicKeyInfo with the raw public key (pk) as the BIT STRING (§4). */
export function encodeMlDsaSpki(type: MlDsaKeyType, publicKey: Uint8Array): Uint8Array {
  const p = ML_DSA[type];
  if (publicKey.length !== p.publicKeyLength) throw new RangeError(`${p.name} public key must be ${p.publicKeyLength} bytes`);
  return der.sequence(encodeMlDsaAlgorithm(type), der.bitString(publicKey));
}

/** What an ML-DSA PKCS#8 key holds: the seed, the expanded key or both, and maybe the public key. */
export interface MlDsaPrivateKeyParts {
  readonly type: MlDsaKeyType;
  readonly seed?: Uint8Array;
  readonly expandedKey?: Uint8Array;
  /** OneAsymmetricKey v2's publicKey [1] (RFC 5958 §2), when present. */
  readonly publicKey?: Uint8Array;
}

/**
 * Read a DER PKCS#8 / OneAsymmetricKey (RFC 5958 §2). Returns undefined when its algorithm is not
 * ML-DSA (the caller hands it to another decoder); throws TlsError(decode_error) when it is ML-DSA
 * but malformed: parameters present, a CHOICE other than seed [0] / expandedKey / both (§6), wrong
 * lengths, trailing bytes.
 */
export function parseMlDsaPkcs8(pkcs8: Uint8Array): MlDsaPrivateKeyParts | undefined {
  const top = new DerReader(pkcs8, 'PKCS#8 private key');
  if (top.peekTag() !== Tag.SEQUENCE) return undefined;
  const r = top.sequence('OneAsymmetricKey');
  if (r.peekTag() !== Tag.INTEGER) return undefined;
  const version = r.smallInteger('version', 255);
  if (r.peekTag() !== Tag.SEQUENCE) return undefined;
  const alg = r.sequence('privateKeyAlgorithm');
  if (alg.peekTag() !== Tag.OID) return undefined;
  const type = mlDsaTypeByOid(alg.oid('algorithm'));
  if (type === undefined) return undefined;
  const p = ML_DSA[type];
  if (version !== 0 && version !== 1) r.fail(`version ${version} is not v1 (0) or v2 (1)`);
  if (!alg.atEnd) alg.fail(`${p.name} AlgorithmIdentifier must have no parameters`);
  const inner = new DerReader(r.octetString('privateKey'), `${p.name} private key`);
  let seed: Uint8Array | undefined;
  let expandedKey: Uint8Array | undefined;
  const tag = inner.peekTag();
  if (tag === 0x80) {
    seed = inner.next('seed').contents; // seed [0] IMPLICIT OCTET STRING
  } else if (tag === Tag.OCTET_STRING) {
    expandedKey = inner.octetString('expandedKey');
  } else if (tag === Tag.SEQUENCE) {
    const both = inner.sequence('both');
    seed = both.octetString('seed');
    expandedKey = both.octetString('expandedKey');
    both.expectEnd();
  } else {
    inner.fail('expected seed [0], expandedKey or both (the LAMPS ML-DSA private key CHOICE)');
  }
  inner.expectEnd();
  if (seed && seed.length !== ML_DSA_SEED_LENGTH) inner.fail(`seed must be ${ML_DSA_SEED_LENGTH} bytes, not ${seed.length}`);
  if (expandedKey && expandedKey.length !== p.expandedKeyLength) {
    inner.fail(`expandedKey must be ${p.expandedKeyLength} bytes, not ${expandedKey.length}`);
  }
  r.optional(0xa0, 'attributes'); // [0] Attributes: ignored
  let publicKey: Uint8Array | undefined;
  const pub = r.optional(0x81, 'publicKey');
  if (pub) {
    if (version !== 1) r.fail('publicKey [1] needs version 1 (RFC 5958 §2)');
    const c = pub.contents;
    if (c.length !== p.publicKeyLength + 1 || c[0] !== 0) r.fail(`publicKey must be a ${p.publicKeyLength}-byte BIT STRING`);
    publicKey = c.subarray(1);
  }
  r.expectEnd();
  top.expectEnd();
  return {
    type,
    ...(seed ? { seed: seed.slice() } : {}),
    ...(expandedKey ? { expandedKey: expandedKey.slice() } : {}),
    ...(publicKey ? { publicKey: publicKey.slice() } : {}),
  };
}

/**
 * PKCS#8 v1 with the private key CHOICE that fits what is given: both, seed [0] (what node:crypto
 * writes, and what hush writes), or expandedKey.
 */
export function encodeMlDsaPkcs8(type: MlDsaKeyType, key: { seed?: Uint8Array; expandedKey?: Uint8Array }): Uint8Array {
  let inner: Uint8Array;
  if (key.seed && key.expandedKey) inner = der.sequence(der.octetString(key.seed), der.octetString(key.expandedKey));
  else if (key.seed) inner = der.contextPrimitive(0, key.seed);
  else if (key.expandedKey) inner = der.octetString(key.expandedKey);
  else throw new TlsError('internal_error', 'an ML-DSA private key without seed or expanded key');
  return der.sequence(der.integer(0), encodeMlDsaAlgorithm(type), der.octetString(inner));
}
