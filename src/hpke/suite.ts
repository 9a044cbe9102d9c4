// HPKE algorithm identifiers and sizes (RFC 9180 §7): the KEMs, KDFs and AEADs hush implements,
// mapped onto the CryptoProvider's primitives.
import { HASH_LENGTH, type AeadName, type HashName } from '../crypto/provider.js';
import { NamedGroup } from '../wire/enums.js';

export const HpkeKemId = { DHKEM_P256_HKDF_SHA256: 0x0010, DHKEM_X25519_HKDF_SHA256: 0x0020 } as const;
export const HpkeKdfId = { HKDF_SHA256: 0x0001, HKDF_SHA384: 0x0002, HKDF_SHA512: 0x0003 } as const;
export const HpkeAeadId = { AES_128_GCM: 0x0001, AES_256_GCM: 0x0002, CHACHA20_POLY1305: 0x0003, EXPORT_ONLY: 0xffff } as const;

export interface HpkeSuite {
  readonly kem: number;
  readonly kdf: number;
  readonly aead: number;
}

/** A DH-based KEM (RFC 9180 §4.1, Table 2). */
export interface DhKemInfo {
  readonly id: number;
  /** The TLS NamedGroup whose provider key exchange does the DH. */
  readonly group: number;
  readonly hash: HashName;
  readonly nSecret: number;
  readonly nEnc: number;
  readonly nPk: number;
  readonly nSk: number;
  /** DeriveKeyPair (§7.1.3): X25519 takes the expanded bytes; P-256 samples with this first-byte mask. */
  readonly bitmask?: number;
}

const KEMS: ReadonlyMap<number, DhKemInfo> = new Map([
  [HpkeKemId.DHKEM_X25519_HKDF_SHA256, { id: 0x0020, group: NamedGroup.x25519, hash: 'sha256', nSecret: 32, nEnc: 32, nPk: 32, nSk: 32 }],
  [HpkeKemId.DHKEM_P256_HKDF_SHA256, { id: 0x0010, group: NamedGroup.secp256r1, hash: 'sha256', nSecret: 32, nEnc: 65, nPk: 65, nSk: 32, bitmask: 0xff }],
]);

const KDFS: ReadonlyMap<number, HashName> = new Map<number, HashName>([
  [HpkeKdfId.HKDF_SHA256, 'sha256'],
  [HpkeKdfId.HKDF_SHA384, 'sha384'],
  [HpkeKdfId.HKDF_SHA512, 'sha512'],
]);

const AEADS: ReadonlyMap<number, AeadName | null> = new Map<number, AeadName | null>([
  [HpkeAeadId.AES_128_GCM, 'aes-128-gcm'],
  [HpkeAeadId.AES_256_GCM, 'aes-256-gcm'],
  [HpkeAeadId.CHACHA20_POLY1305, 'chacha20-poly1305'],
  [HpkeAeadId.EXPORT_ONLY, null],
]);

export function hpkeKem(id: number): DhKemInfo | undefined {
  return KEMS.get(id);
}

export function hpkeKdf(id: number): HashName | undefined {
  return KDFS.get(id);
}

/** The provider AEAD for an HPKE AEAD id; null for export-only; undefined when unknown. */
export function hpkeAead(id: number): AeadName | null | undefined {
  return AEADS.get(id);
}

export function hpkeKdfLength(id: number): number | undefined {
  const h = KDFS.get(id);
  return h === undefined ? undefined : HASH_LENGTH[h];
}

/** True when hush can run this suite (KEM, KDF and AEAD all known). */
export function isSupportedHpkeSuite(s: HpkeSuite): boolean {
  return KEMS.has(s.kem) && KDFS.has(s.kdf) && AEADS.has(s.aead);
}
