// The cipher suite table: what each suite hush speaks means in terms of provider primitives.
// TLS 1.3 suites name only the AEAD and the hash (RFC 8446 §B.4); TLS 1.2 suites also name the
// key exchange, the authentication and the PRF hash (RFC 5246 §A.5, RFC 5288, RFC 5289, RFC 7905).
import { CipherSuite } from '../wire/enums.js';
import type { AeadName, BlockCipherName, HashName } from './provider.js';
import { AEAD_KEY_LENGTH, HASH_LENGTH } from './provider.js';

export interface Tls13Suite {
  readonly id: number;
  /** IANA name, e.g. "TLS_AES_128_GCM_SHA256" (OpenSSL uses the same names for TLS 1.3). */
  readonly name: string;
  readonly version: 'TLSv1.3';
  readonly aead: AeadName;
  /** The hash of the key schedule, the transcript and HKDF. */
  readonly hash: HashName;
  readonly hashLength: number;
  readonly keyLength: number;
  /** RFC 8446 §5.3: the per-record nonce is max(8, N_MIN) = 12 bytes for every suite here. */
  readonly ivLength: 12;
}

/** TLS 1.2 AEAD record protection (RFC 5288 §3, RFC 7905 §2). */
export interface Tls12AeadCipher {
  readonly kind: 'aead';
  readonly aead: AeadName;
  readonly keyLength: number;
  /** The implicit part of the nonce, from the key block (4 bytes for GCM; 12 for ChaCha20). */
  readonly fixedIvLength: 4 | 12;
  /** The nonce part sent in each record: 8 for GCM, 0 for ChaCha20-Poly1305 (RFC 7905). */
  readonly explicitNonceLength: 8 | 0;
}

/** TLS 1.2 CBC + HMAC record protection (RFC 5246 §6.2.3.2). */
export interface Tls12CbcCipher {
  readonly kind: 'cbc';
  readonly cipher: BlockCipherName;
  readonly keyLength: number;
  readonly blockLength: 16;
  readonly mac: HashName;
  readonly macLength: number;
}

export interface Tls12Suite {
  readonly id: number;
  readonly name: string;
  /** OpenSSL's name (what node's `ciphers` option uses), e.g. "ECDHE-RSA-AES128-GCM-SHA256". */
  readonly opensslName: string;
  readonly version: 'TLSv1.2';
  readonly kx: 'ecdhe' | 'rsa';
  readonly auth: 'ecdsa' | 'rsa';
  readonly cipher: Tls12AeadCipher | Tls12CbcCipher;
  /** The PRF hash (RFC 5246 §5): SHA-256 unless the suite names SHA-384. */
  readonly prfHash: HashName;
}

export type CipherSuiteInfo = Tls13Suite | Tls12Suite;

function tls13(id: number, name: string, aead: AeadName, hash: HashName): Tls13Suite {
  return Object.freeze({
    id, name, version: 'TLSv1.3', aead, hash,
    hashLength: HASH_LENGTH[hash], keyLength: AEAD_KEY_LENGTH[aead], ivLength: 12,
  } as const);
}

function gcm(aead: 'aes-128-gcm' | 'aes-256-gcm'): Tls12AeadCipher {
  return Object.freeze({ kind: 'aead', aead, keyLength: AEAD_KEY_LENGTH[aead], fixedIvLength: 4, explicitNonceLength: 8 } as const);
}

// RFC 7905 §2: the ChaCha20-Poly1305 nonce is the 12-byte client/server_write_IV XOR the
// sequence number, with no explicit part in the record.
const CHACHA12: Tls12AeadCipher = Object.freeze({
  kind: 'aead', aead: 'chacha20-poly1305', keyLength: 32, fixedIvLength: 12, explicitNonceLength: 0,
} as const);

function cbc(cipher: BlockCipherName, mac: HashName): Tls12CbcCipher {
  return Object.freeze({
    kind: 'cbc', cipher, keyLength: cipher === 'aes-128-cbc' ? 16 : 32, blockLength: 16,
    mac, macLength: HASH_LENGTH[mac],
  } as const);
}

function tls12(
  id: number, name: string, opensslName: string, kx: 'ecdhe' | 'rsa', auth: 'ecdsa' | 'rsa',
  cipher: Tls12AeadCipher | Tls12CbcCipher, prfHash: HashName,
): Tls12Suite {
  return Object.freeze({ id, name, opensslName, version: 'TLSv1.2', kx, auth, cipher, prfHash } as const);
}

const C = CipherSuite;

/** TLS 1.3 suites in hush's default preference order. */
export const TLS13_SUITES: readonly Tls13Suite[] = Object.freeze([
  tls13(C.TLS_AES_128_GCM_SHA256, 'TLS_AES_128_GCM_SHA256', 'aes-128-gcm', 'sha256'),
  tls13(C.TLS_AES_256_GCM_SHA384, 'TLS_AES_256_GCM_SHA384', 'aes-256-gcm', 'sha384'),
  tls13(C.TLS_CHACHA20_POLY1305_SHA256, 'TLS_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', 'sha256'),
]);

/** TLS 1.2 suites hush knows, forward-secret AEAD suites first. */
export const TLS12_SUITES: readonly Tls12Suite[] = Object.freeze([
  tls12(C.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ecdhe', 'ecdsa', gcm('aes-128-gcm'), 'sha256'),
  tls12(C.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ecdhe', 'rsa', gcm('aes-128-gcm'), 'sha256'),
  tls12(C.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ecdhe', 'ecdsa', gcm('aes-256-gcm'), 'sha384'),
  tls12(C.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ecdhe', 'rsa', gcm('aes-256-gcm'), 'sha384'),
  tls12(C.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ecdhe', 'ecdsa', CHACHA12, 'sha256'),
  tls12(C.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'ecdhe', 'rsa', CHACHA12, 'sha256'),
  tls12(C.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ecdhe', 'ecdsa', cbc('aes-128-cbc', 'sha256'), 'sha256'),
  tls12(C.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256', 'ecdhe', 'rsa', cbc('aes-128-cbc', 'sha256'), 'sha256'),
  tls12(C.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'ecdhe', 'ecdsa', cbc('aes-256-cbc', 'sha384'), 'sha384'),
  tls12(C.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE-RSA-AES256-SHA384', 'ecdhe', 'rsa', cbc('aes-256-cbc', 'sha384'), 'sha384'),
  // The SHA-1 MAC suites keep the TLS 1.2 default PRF, SHA-256 (RFC 5246 §5).
  tls12(C.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA', 'ecdhe', 'ecdsa', cbc('aes-128-cbc', 'sha1'), 'sha256'),
  tls12(C.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA', 'ecdhe', 'rsa', cbc('aes-128-cbc', 'sha1'), 'sha256'),
  tls12(C.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA', 'ecdhe', 'ecdsa', cbc('aes-256-cbc', 'sha1'), 'sha256'),
  tls12(C.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA', 'ecdhe', 'rsa', cbc('aes-256-cbc', 'sha1'), 'sha256'),
  // Static RSA key transport: no forward secrecy; offered only on request.
  tls12(C.TLS_RSA_WITH_AES_128_GCM_SHA256, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 'rsa', 'rsa', gcm('aes-128-gcm'), 'sha256'),
  tls12(C.TLS_RSA_WITH_AES_256_GCM_SHA384, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384', 'rsa', 'rsa', gcm('aes-256-gcm'), 'sha384'),
]);

const BY_ID = new Map<number, CipherSuiteInfo>();
const BY_NAME = new Map<string, CipherSuiteInfo>();
for (const s of TLS13_SUITES) {
  BY_ID.set(s.id, s);
  BY_NAME.set(s.name, s);
}
for (const s of TLS12_SUITES) {
  BY_ID.set(s.id, s);
  BY_NAME.set(s.name, s);
  BY_NAME.set(s.opensslName, s);
}

/** The suite with this IANA code point, or undefined when hush does not implement it. */
export function suiteById(id: number): CipherSuiteInfo | undefined {
  return BY_ID.get(id);
}

/** Look up by IANA name ("TLS_AES_128_GCM_SHA256") or, for TLS 1.2, OpenSSL name ("ECDHE-RSA-AES128-GCM-SHA256"). */
export function suiteByName(name: string): CipherSuiteInfo | undefined {
  return BY_NAME.get(name);
}

export function tls13SuiteById(id: number): Tls13Suite | undefined {
  const s = BY_ID.get(id);
  return s && s.version === 'TLSv1.3' ? s : undefined;
}

export function tls12SuiteById(id: number): Tls12Suite | undefined {
  const s = BY_ID.get(id);
  return s && s.version === 'TLSv1.2' ? s : undefined;
}

export function isTls13Suite(s: CipherSuiteInfo): s is Tls13Suite {
  return s.version === 'TLSv1.3';
}
