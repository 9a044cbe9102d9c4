// Config options checked and resolved into the lists a handshake negotiates from (versions, cipher
// suites, groups, signature schemes, ALPN), for the client and the server alike. Bad options are
// UsageErrors thrown when the connection is created, never protocol failures later.
import { UsageError } from '../../errors/errors.js';
import { utf8 } from '../../bytes/util.js';
import { DEFAULT_SIGNATURE_SCHEMES } from '../../crypto/signature.js';
import { TLS12_SUITES, TLS13_SUITES, tls12SuiteById, tls13SuiteById, type Tls12Suite, type Tls13Suite } from '../../crypto/suites.js';
import { CipherSuites, NamedGroup, NamedGroups, ProtocolVersion } from '../../wire/enums.js';
import type { CryptoProvider } from '../../crypto/provider.js';
import { isTls13OnlyGroup } from '../../crypto/hybrid.js';
import type { TlsVersionName } from '../config.js';

/**
 * X25519MLKEM768 first (post-quantum hybrid, draft-ietf-tls-ecdhe-mlkem), then the classical curves:
 * the order Chromium, Go and OpenSSL 3.5 use. SecP256r1MLKEM768 and SecP384r1MLKEM1024 only when named.
 */
export const DEFAULT_GROUPS: readonly number[] = [NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];

/** Versions hush can speak, newest first. */
export const SUPPORTED_VERSIONS: readonly number[] = [ProtocolVersion.TLSv1_3, ProtocolVersion.TLSv1_2];

/**
 * TLS 1.2 suites used when the config names none (RFC 9325 §4.2): forward-secret ECDHE with an
 * AEAD only. RSA key transport and CBC suites are used only when named explicitly.
 */
export const DEFAULT_TLS12_SUITES: readonly Tls12Suite[] = TLS12_SUITES.filter((s) => s.kx === 'ecdhe' && s.cipher.kind === 'aead');

export function versionFromName(name: TlsVersionName | undefined, fallback: number): number {
  if (name === undefined) return fallback;
  if (name === 'TLSv1.3') return ProtocolVersion.TLSv1_3;
  if (name === 'TLSv1.2') return ProtocolVersion.TLSv1_2;
  throw new UsageError(`unknown TLS version '${String(name)}': use 'TLSv1.2' or 'TLSv1.3'`);
}

/** The versions to offer, newest first, within [min, max] and what hush implements. */
export function resolveVersions(min: TlsVersionName | undefined, max: TlsVersionName | undefined): number[] {
  const lo = versionFromName(min, ProtocolVersion.TLSv1_2);
  const hi = versionFromName(max, ProtocolVersion.TLSv1_3);
  if (lo > hi) throw new UsageError(`minVersion ${min} is above maxVersion ${max}`);
  const out = SUPPORTED_VERSIONS.filter((v) => v >= lo && v <= hi);
  if (out.length === 0) {
    throw new UsageError(`no TLS version between ${min ?? 'TLSv1.2'} and ${max ?? 'TLSv1.3'} is supported yet (hush speaks TLSv1.3)`);
  }
  return out;
}

export function resolveTls13Suites(ids: readonly number[] | undefined): Tls13Suite[] {
  if (ids === undefined) return [...TLS13_SUITES];
  const out: Tls13Suite[] = [];
  for (const id of ids) {
    const s = tls13SuiteById(id);
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * The TLS 1.2 suites to offer (client) or accept (server), in preference order. Naming a suite in
 * `ids` turns it on, including RSA key transport; the CBC suites exist for legacy servers and are
 * client-only, so a server drops them (a node-style cipher list that names them still works).
 */
export function resolveTls12Suites(ids: readonly number[] | undefined, side: 'client' | 'server'): Tls12Suite[] {
  if (ids === undefined) return [...DEFAULT_TLS12_SUITES];
  const out: Tls12Suite[] = [];
  for (const id of ids) {
    const s = tls12SuiteById(id);
    if (!s || out.includes(s)) continue;
    if (side === 'server' && s.cipher.kind === 'cbc') continue;
    out.push(s);
  }
  return out;
}

/**
 * Drop versions for which no suite is enabled: a list naming only TLS 1.2 suites means TLS 1.2
 * only, and the reverse. UsageError when nothing is left.
 */
export function versionsWithSuites(
  versions: readonly number[],
  tls13: readonly Tls13Suite[],
  tls12: readonly Tls12Suite[],
  configured: readonly number[] | undefined,
): number[] {
  const out = versions.filter((v) => (v === ProtocolVersion.TLSv1_3 ? tls13.length > 0 : tls12.length > 0));
  if (out.length === 0) throw suiteListError(configured ?? [], versions);
  return out;
}

/**
 * The groups to offer or accept, in preference order. Without TLS 1.3 among `versions` the hybrid
 * groups are dropped (a KEM needs the TLS 1.3 key_share flow): named alone, that is a UsageError.
 */
export function resolveGroups(provider: CryptoProvider, ids: readonly number[] | undefined, versions?: readonly number[]): number[] {
  const wanted = ids ?? DEFAULT_GROUPS;
  const tls13 = versions === undefined || versions.includes(ProtocolVersion.TLSv1_3);
  const out: number[] = [];
  for (const g of wanted) {
    if (!provider.keyExchange(g)) {
      throw new UsageError(`key exchange group ${NamedGroups.name(g)} is not supported by the ${provider.name} crypto provider`);
    }
    if (!tls13 && isTls13OnlyGroup(g)) continue;
    if (!out.includes(g)) out.push(g);
  }
  if (out.length === 0) {
    throw new UsageError(
      wanted.length > 0 && !tls13
        ? `${wanted.map((g) => NamedGroups.name(g)).join(', ')} ${wanted.length === 1 ? 'is' : 'are'} for TLS 1.3 only; add x25519, secp256r1 or secp384r1 for TLS 1.2`
        : 'no key exchange groups configured',
    );
  }
  return out;
}

/**
 * The groups that get a key share in the first ClientHello (RFC 8446 §4.2.8). With `count` set: the
 * first `count` groups. By default the first group, and when that is a post-quantum hybrid also the
 * first classical group (as Chromium and Go send X25519MLKEM768 and x25519), so a server without
 * the hybrid still needs no HelloRetryRequest.
 */
export function initialKeyShareGroups(groups: readonly number[], count: number | undefined): number[] {
  if (count !== undefined) return groups.slice(0, Math.max(1, Math.min(count, groups.length)));
  const first = groups[0];
  if (first === undefined) return [];
  if (!isTls13OnlyGroup(first)) return [first];
  const classical = groups.find((g) => !isTls13OnlyGroup(g));
  return classical === undefined ? [first] : [first, classical];
}

export function resolveSignatureSchemes(ids: readonly number[] | undefined): number[] {
  const out = [...(ids ?? DEFAULT_SIGNATURE_SCHEMES)];
  if (out.length === 0) throw new UsageError('no signature schemes configured');
  return out;
}

export function resolveAlpn(protocols: readonly string[] | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of protocols ?? []) {
    const b = utf8(p);
    if (b.length < 1 || b.length > 255) throw new UsageError(`ALPN protocol name '${p}' must be 1..255 bytes`);
    out.push(b);
  }
  return out;
}

export function suiteListError(suites: readonly number[], versions: readonly number[] = [ProtocolVersion.TLSv1_3]): UsageError {
  const names = versions.map((v) => (v === ProtocolVersion.TLSv1_3 ? 'TLSv1.3' : 'TLSv1.2')).join(' or ');
  return new UsageError(
    `none of the cipher suites [${suites.map((s) => CipherSuites.name(s)).join(', ')}] is one hush supports for ${names} ` +
      `(TLSv1.3: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256; ` +
      `TLSv1.2: ${TLS12_SUITES.map((s) => s.name).join(', ')})`,
  );
}
