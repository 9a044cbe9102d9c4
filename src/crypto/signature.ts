import { SignatureScheme } from '../wire/enums.js';
import type { PublicKey, SignatureAlgorithm } from './provider.js';

/** What a TLS SignatureScheme means: the algorithm, and which keys may use it. */
export interface SchemeInfo {
  readonly scheme: number;
  readonly algorithm: SignatureAlgorithm;
  readonly keyType: PublicKey['type'];
  /** For ECDSA in TLS 1.3 the curve is bound to the scheme (RFC 8446 §4.2.3). */
  readonly curve?: PublicKey['curve'];
  /** Defined for TLS 1.3 only: never negotiated in TLS 1.2 (ML-DSA, draft-ietf-tls-mldsa §3). */
  readonly tls13Only?: true;
}

const S = SignatureScheme;
const TABLE: readonly SchemeInfo[] = [
  { scheme: S.ecdsa_secp256r1_sha256, algorithm: { kind: 'ecdsa', hash: 'sha256' }, keyType: 'ec', curve: 'P-256' },
  { scheme: S.ecdsa_secp384r1_sha384, algorithm: { kind: 'ecdsa', hash: 'sha384' }, keyType: 'ec', curve: 'P-384' },
  { scheme: S.ecdsa_secp521r1_sha512, algorithm: { kind: 'ecdsa', hash: 'sha512' }, keyType: 'ec', curve: 'P-521' },
  { scheme: S.ed25519, algorithm: { kind: 'ed25519' }, keyType: 'ed25519' },
  { scheme: S.rsa_pss_rsae_sha256, algorithm: { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, keyType: 'rsa' },
  { scheme: S.rsa_pss_rsae_sha384, algorithm: { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 }, keyType: 'rsa' },
  { scheme: S.rsa_pss_rsae_sha512, algorithm: { kind: 'rsa-pss', hash: 'sha512', saltLength: 64 }, keyType: 'rsa' },
  { scheme: S.rsa_pss_pss_sha256, algorithm: { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, keyType: 'rsa-pss' },
  { scheme: S.rsa_pss_pss_sha384, algorithm: { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 }, keyType: 'rsa-pss' },
  { scheme: S.rsa_pss_pss_sha512, algorithm: { kind: 'rsa-pss', hash: 'sha512', saltLength: 64 }, keyType: 'rsa-pss' },
  { scheme: S.rsa_pkcs1_sha256, algorithm: { kind: 'rsa-pkcs1', hash: 'sha256' }, keyType: 'rsa' },
  { scheme: S.rsa_pkcs1_sha384, algorithm: { kind: 'rsa-pkcs1', hash: 'sha384' }, keyType: 'rsa' },
  { scheme: S.rsa_pkcs1_sha512, algorithm: { kind: 'rsa-pkcs1', hash: 'sha512' }, keyType: 'rsa' },
  { scheme: S.mldsa44, algorithm: { kind: 'ml-dsa', parameterSet: 'ml-dsa-44' }, keyType: 'ml-dsa-44', tls13Only: true },
  { scheme: S.mldsa65, algorithm: { kind: 'ml-dsa', parameterSet: 'ml-dsa-65' }, keyType: 'ml-dsa-65', tls13Only: true },
  { scheme: S.mldsa87, algorithm: { kind: 'ml-dsa', parameterSet: 'ml-dsa-87' }, keyType: 'ml-dsa-87', tls13Only: true },
];
const BY_SCHEME = new Map(TABLE.map((e) => [e.scheme, e]));

export function schemeInfo(scheme: number): SchemeInfo | undefined {
  return BY_SCHEME.get(scheme);
}

/**
 * Whether `key` may sign with `scheme`. `tls13` binds ECDSA schemes to their curve and forbids
 * PKCS#1 v1.5 for handshake signatures (RFC 8446 §4.2.3); TLS 1.2 allows ECDSA with any hash but
 * no ML-DSA (draft-ietf-tls-mldsa §3: TLS 1.3 only).
 */
export function keyMatchesScheme(key: Pick<PublicKey, 'type' | 'curve'>, scheme: number, tls13: boolean): boolean {
  const info = BY_SCHEME.get(scheme);
  if (!info) return false;
  if (info.keyType !== key.type) return false;
  if (tls13 && info.algorithm.kind === 'rsa-pkcs1') return false;
  if (!tls13 && info.tls13Only) return false;
  if (tls13 && info.curve && info.curve !== key.curve) return false;
  return true;
}

/**
 * TLS 1.2 may use a scheme: signature_algorithms lists for a TLS 1.2 handshake (the TLS 1.2
 * server's CertificateRequest) leave the TLS 1.3-only ones out.
 */
export function schemeAllowedIn12(scheme: number): boolean {
  const info = BY_SCHEME.get(scheme);
  return info !== undefined && !info.tls13Only;
}

/**
 * Signature schemes hush offers and accepts, in preference order. ML-DSA comes after the
 * classical schemes (OpenSSL 3.5 and Chromium list it first; a server with one key picks the only
 * scheme it can make either way).
 */
export const DEFAULT_SIGNATURE_SCHEMES: readonly number[] = [
  S.ecdsa_secp256r1_sha256,
  S.ecdsa_secp384r1_sha384,
  S.ed25519,
  S.rsa_pss_rsae_sha256,
  S.rsa_pss_rsae_sha384,
  S.rsa_pss_rsae_sha512,
  S.rsa_pss_pss_sha256,
  S.rsa_pss_pss_sha384,
  S.rsa_pss_pss_sha512,
  S.rsa_pkcs1_sha256,
  S.rsa_pkcs1_sha384,
  S.rsa_pkcs1_sha512,
  S.ecdsa_secp521r1_sha512,
  S.mldsa65,
  S.mldsa87,
  S.mldsa44,
];
