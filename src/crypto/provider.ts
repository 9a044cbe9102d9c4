// The CryptoProvider: every primitive hush uses, as a plain object of synchronous functions.
// hush never implements a primitive itself; it asks the provider. The interface uses only
// Uint8Array and plain data so that node:crypto, @noble/* or WebCrypto-backed providers can
// implement it (like rustls's CryptoProvider).

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** Output and block sizes, fixed by the algorithms (not by a provider). */
export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
export const HASH_BLOCK_LENGTH: Readonly<Record<HashName, number>> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };

/** An incremental hash. `copy()` forks it (for transcript hashes); `digest()` ends it. */
export interface HashState {
  update(data: Uint8Array): void;
  /** Finish and return the digest; the state must not be used afterwards. */
  digest(): Uint8Array;
  /** An independent copy of the current state. */
  copy(): HashState;
}

export type AeadName = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

export const AEAD_KEY_LENGTH: Readonly<Record<AeadName, number>> = {
  'aes-128-gcm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
};
/** Every AEAD hush uses has a 12-byte nonce and a 16-byte tag. */
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;

/** An AEAD bound to one key. */
export interface Aead {
  readonly name: AeadName;
  /** Returns ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /**
   * Optional: write ciphertext || tag of `plaintext` into `out` at `offset` and return the offset
   * after the tag (the record layer's output buffer: one allocation and one copy less per
   * record than `seal`). `plaintext` may be the very bytes of `out` being overwritten (sealing in
   * place). Throws UsageError when the result does not fit. Record protection uses it when
   * present and falls back to `seal`.
   */
  sealInto?(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number): number;
  /** Returns the plaintext, or null when authentication fails (never throws for a bad tag). */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
}

export type BlockCipherName = 'aes-128-cbc' | 'aes-256-cbc';

/** Raw CBC with no padding (TLS 1.2 CBC suites do their own padding and MAC). */
export interface BlockCipher {
  readonly name: BlockCipherName;
  encrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
  decrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
}

/** One side's ephemeral key for a named group. */
export interface KeyShare {
  readonly group: number;
  /** The public value exactly as it goes in a TLS key_share / ECPoint. */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret with the peer's public value. Throws TlsError(illegal_parameter) when the
   * peer's value is malformed or not on the curve, and for an all-zero X25519 result
   * (RFC 8446 §7.4.2, RFC 7748 §6.1).
   */
  complete(peerPublicKey: Uint8Array): Uint8Array;
}

export interface KeyExchangeAlgorithm {
  /** The TLS NamedGroup value. */
  readonly group: number;
  readonly name: string;
  /** A fresh key pair from the provider's random source. */
  generate(): KeyShare;
  /** A key pair from a known private key (tests that reproduce recorded handshakes). */
  fromPrivateKey(privateKey: Uint8Array): KeyShare;
  /**
   * The server's side in one step: given the client's share, our share and the secret.
   * For (EC)DH this is generate + complete; for a KEM it is encapsulation.
   */
  respond(peerPublicKey: Uint8Array): { publicKey: Uint8Array; sharedSecret: Uint8Array };
}

/** FIPS 203 parameter sets hush uses (the TLS hybrids need ML-KEM-768 and ML-KEM-1024). */
export type KemName = 'ml-kem-768' | 'ml-kem-1024';

/** FIPS 203 §8 Table 3 sizes, fixed by the parameter set (not by a provider). */
export interface KemSizes {
  /** Encapsulation key (public) length: 384·k + 32. */
  readonly encapsulationKey: number;
  readonly ciphertext: number;
  readonly sharedSecret: number;
  /** The seed d ‖ z of ML-KEM.KeyGen_internal (FIPS 203 Algorithm 16). */
  readonly seed: number;
  /** The message m of ML-KEM.Encaps_internal (Algorithm 17). */
  readonly message: number;
}

export const KEM_SIZES: Readonly<Record<KemName, KemSizes>> = {
  'ml-kem-768': { encapsulationKey: 1184, ciphertext: 1088, sharedSecret: 32, seed: 64, message: 32 },
  'ml-kem-1024': { encapsulationKey: 1568, ciphertext: 1568, sharedSecret: 32, seed: 64, message: 32 },
};

/** A decapsulation key and its encapsulation key. Providers attach their own handle. */
export interface KemKeyPair {
  readonly kem: KemName;
  /** The encapsulation key exactly as it goes on the wire. */
  readonly encapsulationKey: Uint8Array;
}

/**
 * A key encapsulation mechanism (FIPS 203 ML-KEM). Synchronous, like the rest of the provider.
 * Every method throws TlsError(illegal_parameter) for a peer value of the wrong length; `encapsulate`
 * also for an encapsulation key that fails the FIPS 203 §7.2 modulus check. A ciphertext of the
 * right length never fails: decapsulation of a bad one returns the implicit-rejection secret.
 */
export interface Kem {
  readonly name: KemName;
  readonly sizes: KemSizes;
  /** A fresh key pair from the provider's random source. */
  keygen(): KemKeyPair;
  /** ML-KEM.KeyGen_internal from the 64-byte seed d ‖ z (vectors; reproducible tests). */
  keygenFromSeed(seed: Uint8Array): KemKeyPair;
  /** The sender's side: a ciphertext for `encapsulationKey` and the shared secret in it. */
  encapsulate(encapsulationKey: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  /** ML-KEM.Encaps_internal with the 32-byte message m (vectors; reproducible tests). */
  encapsulateWithMessage(encapsulationKey: Uint8Array, message: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  /** The receiver's side: the shared secret in `ciphertext` (FIPS 203 Algorithm 18, implicit rejection). */
  decapsulate(keyPair: KemKeyPair, ciphertext: Uint8Array): Uint8Array;
}

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448';
export type CurveName = 'P-256' | 'P-384' | 'P-521';

/** A public key as imported by a provider. Providers attach their own handle. */
export interface PublicKey {
  readonly type: KeyType;
  readonly curve?: CurveName;
  /** RSA modulus size in bits. */
  readonly bits?: number;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

export interface PrivateKey {
  readonly type: KeyType;
  readonly curve?: CurveName;
  readonly bits?: number;
  readonly publicKey: PublicKey;
}

/** How a signature is made, independent of TLS code points (X.509 and TLS both map onto it). */
export type SignatureAlgorithm =
  | { readonly kind: 'ecdsa'; readonly hash: HashName } // DER-encoded (r, s)
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashName }
  | { readonly kind: 'rsa-pss'; readonly hash: HashName; readonly saltLength: number } // MGF1 with the same hash
  | { readonly kind: 'ed25519' };

export type KeyGenSpec =
  | { readonly type: 'ec'; readonly curve: CurveName }
  | { readonly type: 'rsa'; readonly bits: number }
  | { readonly type: 'ed25519' };

export interface CryptoProvider {
  readonly name: string;

  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;

  hash(name: HashName): HashState;
  digest(name: HashName, data: Uint8Array): Uint8Array;
  hmac(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-Extract. An empty salt means HashLen zero bytes. */
  hkdfExtract(name: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-Expand; throws for length > 255 * HashLen. */
  hkdfExpand(name: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;

  aead(name: AeadName, key: Uint8Array): Aead;
  blockCipher(name: BlockCipherName, key: Uint8Array): BlockCipher;

  /** The key exchange for a NamedGroup, or undefined when the provider lacks it. */
  keyExchange(group: number): KeyExchangeAlgorithm | undefined;
  /** Groups this provider implements, in its preferred order. */
  readonly groups: readonly number[];
  /**
   * A KEM, or undefined when the provider lacks it. Optional: a provider without KEMs has no
   * post-quantum groups. (Hybrid groups are composed from kem + keyExchange by `crypto/hybrid.ts`.)
   */
  kem?(name: KemName): Kem | undefined;

  /** Import a DER SubjectPublicKeyInfo. Throws TlsError(unsupported_certificate or bad_certificate). */
  importPublicKey(spki: Uint8Array): PublicKey;
  /** Import a private key: PEM (PKCS#8, PKCS#1 RSA, SEC1 EC) or DER PKCS#8. Throws UsageError. */
  importPrivateKey(key: string | Uint8Array, passphrase?: string): PrivateKey;
  generatePrivateKey(spec: KeyGenSpec): PrivateKey;
  /** DER PKCS#8 of a private key (for writing key files). */
  exportPrivateKey(key: PrivateKey): Uint8Array;

  /** True when `signature` is valid; false for any bad signature or a key/algorithm mismatch. */
  verify(key: PublicKey, alg: SignatureAlgorithm, message: Uint8Array, signature: Uint8Array): boolean;
  sign(key: PrivateKey, alg: SignatureAlgorithm, message: Uint8Array): Uint8Array;

  /** RSAES-PKCS1-v1_5 encryption (the client side of TLS 1.2 RSA key transport). */
  rsaEncryptPkcs1(key: PublicKey, data: Uint8Array): Uint8Array;
  /**
   * Raw RSA private operation (m = c^d mod n, no padding), left-padded to the modulus length.
   * The TLS 1.2 server checks PKCS#1 v1.5 padding itself, in constant time (RFC 5246 §7.4.7.1).
   */
  rsaDecryptRaw(key: PrivateKey, data: Uint8Array): Uint8Array;
}
