// node:tls option values → hush config values. Shared by connect() and createServer(), so the two
// accept the same spellings: versions ('TLSv1.3'), cipher lists (OpenSSL or IANA names, ':' or ','),
// curves ('X25519:P-256' or 'x25519,secp256r1'), sigalgs, ALPN lists, PEM/DER trust and keys.
// Every value we cannot honour is a UsageError that says what to do instead.
import type { CertifiedKey, TlsVersionName } from '../handshake/config.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { TLS13_SUITES, suiteByName } from '../crypto/suites.js';
import { DEFAULT_TLS12_SUITES } from '../handshake/shared/negotiation-options.js';
import { UsageError } from '../errors/errors.js';
import { equal } from '../bytes/util.js';
import { NamedGroup, NamedGroups, SignatureScheme, SignatureSchemes } from '../wire/enums.js';
import { parseCertificates } from '../x509/certificate.js';
import { PROFILES, type VerifyProfile } from '../x509/profile.js';
import { TrustStore } from '../x509/trust-store.js';
import { sharedSystemTrustStore } from './trust.js';
import { invalidArgType, invalidProtocolVersion } from './arg-errors.js';

/** A PEM string, a Buffer holding PEM or DER, or a list of them (node's `ca`/`cert` shape). */
export type PemInput = string | Uint8Array | readonly (string | Uint8Array)[];
/** node's `key` shape: PEM/DER, or objects with their own passphrase. */
export type KeyInput = string | Uint8Array | readonly (string | Uint8Array | { pem: string | Uint8Array; passphrase?: string })[];

/** node:tls options hush refuses on both sides, with advice (empty: no equivalent). */
export const REFUSED_TLS_OPTIONS: Readonly<Record<string, string>> = {
  pskCallback: '',
  pskIdentityHint: '',
  clientCertEngine: '',
  privateKeyEngine: 'use key',
  privateKeyIdentifier: 'use key',
  dhparam: 'hush uses ECDHE only',
  NPNProtocols: 'use ALPNProtocols',
};

/** Throw for each option in `refused` that is set (not undefined). */
export function refuseOptions(options: object, refused: Readonly<Record<string, string>>, where: string): void {
  const o = options as Record<string, unknown>;
  for (const [name, advice] of Object.entries(refused)) {
    if (o[name] !== undefined) {
      throw new UsageError(`hush ${where} does not support option '${name}' yet${advice ? `; ${advice}` : ''}`, 'ERR_HUSH_UNSUPPORTED_OPTION');
    }
  }
}

/** The largest delay setTimeout honours (2^31 - 1 ms); node turns a larger one into 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `handshakeTimeout` in ms: undefined (the default, 120 s like node:tls), 0 (none), or up to
 * 2^31 - 1. Anything else is refused: a timer beyond that range would fire after 1 ms.
 */
export function parseHandshakeTimeout(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw invalidArgType('options.handshakeTimeout', 'of type number', v);
  if (!Number.isFinite(v) || v < 0 || v > MAX_TIMER_MS) {
    throw new UsageError(`handshakeTimeout must be a number of milliseconds from 0 (no timeout) to ${MAX_TIMER_MS}, not ${String(v)}`);
  }
  return v;
}

export function parseVersion(v: unknown, option: string): TlsVersionName | undefined {
  if (v === undefined) return undefined;
  if (v === 'TLSv1.2' || v === 'TLSv1.3') return v;
  if (v === 'TLSv1' || v === 'TLSv1.1' || v === 'SSLv3') {
    throw invalidProtocolVersion(`${option} '${v}': hush speaks only TLSv1.2 and TLSv1.3`);
  }
  // node's words: "TLSv0" is not a valid minimum TLS protocol version
  throw invalidProtocolVersion(`${JSON.stringify(v)} is not a valid ${option === 'maxVersion' ? 'maximum' : 'minimum'} TLS protocol version (hush: 'TLSv1.2' or 'TLSv1.3')`);
}

/** node's ERR_TLS_INVALID_PROTOCOL_METHOD (a TypeError). */
function invalidProtocolMethod(message: string): TypeError & { code: string } {
  const e = new TypeError(message) as TypeError & { code: string };
  e.code = 'ERR_TLS_INVALID_PROTOCOL_METHOD';
  return e;
}

/**
 * node's `secureProtocol` (an OpenSSL method name) as a version range. 'TLS_method' and
 * 'SSLv23_method' (any version) leave the defaults; 'TLSv1_2_method' pins TLS 1.2. SSLv2/SSLv3
 * methods and unknown names throw node's ERR_TLS_INVALID_PROTOCOL_METHOD; TLS 1.0/1.1 methods,
 * which node accepts, throw it too since hush speaks only TLS 1.2 and 1.3.
 */
export function parseSecureProtocol(v: unknown): { minVersion?: TlsVersionName; maxVersion?: TlsVersionName } {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'string') throw new UsageError('secureProtocol must be a string such as TLS_method or TLSv1_2_method');
  const m = /^(TLS|SSLv23|SSLv2|SSLv3|TLSv1|TLSv1_1|TLSv1_2)_(method|client_method|server_method)$/.exec(v);
  if (!m) throw invalidProtocolMethod(`Unknown method: ${v}`);
  const base = m[1]!;
  if (base === 'SSLv2') throw invalidProtocolMethod('SSLv2 methods disabled');
  if (base === 'SSLv3') throw invalidProtocolMethod('SSLv3 methods disabled');
  if (base === 'TLSv1' || base === 'TLSv1_1') {
    throw invalidProtocolMethod(`secureProtocol '${v}': hush speaks only TLSv1.2 and TLSv1.3 (use TLS_method, or TLSv1_2_method)`);
  }
  if (base === 'TLSv1_2') return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
  return {};
}

// OpenSSL's SSL_OP_* bits (node's crypto.constants) that secureOptions may carry.
const SSL_OP_NO_SSLv2 = 0;
const SSL_OP_NO_SSLv3 = 0x02000000;
const SSL_OP_NO_TLSv1 = 0x04000000;
const SSL_OP_NO_TLSv1_1 = 0x10000000;
const SSL_OP_NO_TLSv1_2 = 0x08000000;
const SSL_OP_NO_TLSv1_3 = 0x20000000;
const SSL_OP_CIPHER_SERVER_PREFERENCE = 0x00400000;
const SSL_OP_ALL = 0x80000850;
/** Bits hush honours, or that ask for what hush always does (no SSLv3/TLS 1.0/1.1, no renegotiation...). */
const SSL_OP_NO_RENEGOTIATION = 0x40000000;
const SSL_OP_NO_COMPRESSION = 0x00020000;
const SSL_OP_SINGLE_ECDH_USE = 0; // a no-op in OpenSSL 3
/** Server: no session tickets (TLS 1.2 sessions by ID; TLS 1.3 tickets only stateful, through 'resumeSession'). */
const SSL_OP_NO_TICKET = 0x00004000;
const SECURE_OPTIONS_KNOWN =
  SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3 |
  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_ALL | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_ECDH_USE |
  SSL_OP_NO_TICKET;

/**
 * node's `secureOptions` (SSL_OP_* bits): NO_TLSv1_3 / NO_TLSv1_2 narrow the versions,
 * CIPHER_SERVER_PREFERENCE is honorCipherOrder; bits asking for what hush always does (no SSLv3,
 * TLS 1.0/1.1, renegotiation or compression; SSL_OP_ALL's bug workarounds) are accepted; any
 * other bit is refused, naming it.
 */
export function parseSecureOptions(v: unknown): { minVersion?: TlsVersionName; maxVersion?: TlsVersionName; honorCipherOrder?: boolean } {
  if (v === undefined || v === null || v === 0) return {};
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new UsageError('secureOptions must be a number of SSL_OP_* bits (crypto.constants)');
  const unknownBits = (v >>> 0) & ~(SECURE_OPTIONS_KNOWN >>> 0);
  if (unknownBits !== 0) {
    throw new UsageError(`secureOptions bits 0x${(unknownBits >>> 0).toString(16)} are not supported by hush (it honours SSL_OP_NO_TLSv1_2/NO_TLSv1_3, SSL_OP_CIPHER_SERVER_PREFERENCE and, on a server, SSL_OP_NO_TICKET)`, 'ERR_HUSH_UNSUPPORTED_OPTION');
  }
  const no12 = (v & SSL_OP_NO_TLSv1_2) !== 0;
  const no13 = (v & SSL_OP_NO_TLSv1_3) !== 0;
  if (no12 && no13) throw new UsageError('secureOptions disables both TLSv1.2 and TLSv1.3: no version is left');
  return {
    ...(no13 ? { maxVersion: 'TLSv1.2' as const } : {}),
    ...(no12 ? { minVersion: 'TLSv1.3' as const } : {}),
    ...((v & SSL_OP_CIPHER_SERVER_PREFERENCE) !== 0 ? { honorCipherOrder: true } : {}),
  };
}

/** Whether `secureOptions` (already checked by parseSecureOptions) has SSL_OP_NO_TICKET. */
export function noTicketOption(v: unknown): boolean {
  return typeof v === 'number' && (v & SSL_OP_NO_TICKET) !== 0;
}

/** minVersion/maxVersion after secureProtocol and secureOptions (explicit min/maxVersion win). */
export function versionRange(o: { minVersion?: unknown; maxVersion?: unknown; secureProtocol?: unknown; secureOptions?: unknown }): {
  minVersion: TlsVersionName | undefined;
  maxVersion: TlsVersionName | undefined;
  honorCipherOrder: boolean | undefined;
} {
  const p = parseSecureProtocol(o.secureProtocol);
  const so = parseSecureOptions(o.secureOptions);
  return {
    minVersion: parseVersion(o.minVersion, 'minVersion') ?? p.minVersion ?? so.minVersion,
    maxVersion: parseVersion(o.maxVersion, 'maxVersion') ?? p.maxVersion ?? so.maxVersion,
    honorCipherOrder: so.honorCipherOrder,
  };
}

function tokens(list: string): string[] {
  return list.split(/[:,\s]+/).filter((t) => t.length > 0);
}

// OpenSSL keywords that mean "the usual good suites": we answer with hush's defaults.
const CIPHER_DEFAULT_KEYWORDS = new Set(['DEFAULT', 'HIGH', 'ALL', 'SECURE', 'COMPLEMENTOFDEFAULT']);

/**
 * node's `ciphers`: an OpenSSL-style list, with OpenSSL or IANA names; TLS 1.3 suites by their
 * (shared) names. As in node, a list without TLS 1.3 suites keeps the default TLS 1.3 suites, and
 * TLS 1.2 is offered only with the TLS 1.2 suites the list names. Exclusions ('!x', '-x') remove a
 * named suite and are otherwise ignored (we implement no aNULL, RC4, ... to exclude); '@...'
 * directives are ignored. A positive name hush does not implement is skipped, as OpenSSL does;
 * a list that matches nothing is node's 'no cipher match' (ERR_SSL_NO_CIPHER_MATCH).
 */
export function parseCiphers(list: unknown): number[] | undefined {
  if (list === undefined) return undefined;
  if (typeof list !== 'string') throw new UsageError(`ciphers must be a string like 'TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256'`);
  const out: number[] = [];
  const removed = new Set<number>();
  const unknown: string[] = [];
  let defaults = false;
  for (const raw of tokens(list)) {
    if (raw.startsWith('@')) continue;
    if (raw.startsWith('!') || raw.startsWith('-')) {
      const s = suiteByName(raw.slice(1));
      if (s) removed.add(s.id);
      continue;
    }
    const t = raw.startsWith('+') ? raw.slice(1) : raw;
    if (CIPHER_DEFAULT_KEYWORDS.has(t.toUpperCase())) {
      defaults = true;
      continue;
    }
    const s = suiteByName(t) ?? suiteByName(t.toUpperCase());
    if (!s) {
      // Like OpenSSL, names it does not implement (non-AEAD suites, by design) are skipped while
      // others match; a list matching none is node's 'no cipher match'.
      unknown.push(t);
      continue;
    }
    if (!out.includes(s.id)) out.push(s.id);
  }
  if (out.length === 0 && !defaults && unknown.length > 0) {
    throw new UsageError(
      `no cipher match: cipher '${unknown[0]}' is not one hush implements (it speaks only AEAD suites); use IANA names (TLS_AES_128_GCM_SHA256, ` +
        `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ...) or their OpenSSL names (ECDHE-ECDSA-AES128-GCM-SHA256, ...)`,
      'ERR_SSL_NO_CIPHER_MATCH',
    );
  }
  const has13 = out.some((id) => TLS13_SUITES.some((s) => s.id === id));
  const result = [...(has13 || defaults ? [] : TLS13_SUITES.map((s) => s.id)), ...out];
  // A keyword like DEFAULT or HIGH means hush's defaults for both versions (TLS 1.2: ECDHE + AEAD).
  if (defaults) for (const s of [...TLS13_SUITES, ...DEFAULT_TLS12_SUITES]) if (!result.includes(s.id)) result.push(s.id);
  const final = result.filter((id) => !removed.has(id));
  if (final.length === 0) throw new UsageError(`no cipher match: ciphers '${list}' leaves no cipher suite hush can use`, 'ERR_SSL_NO_CIPHER_MATCH');
  return final;
}

const CURVE_ALIASES: Readonly<Record<string, number>> = {
  x25519: NamedGroup.x25519,
  x448: NamedGroup.x448,
  'p-256': NamedGroup.secp256r1,
  prime256v1: NamedGroup.secp256r1,
  secp256r1: NamedGroup.secp256r1,
  'p-384': NamedGroup.secp384r1,
  secp384r1: NamedGroup.secp384r1,
  'p-521': NamedGroup.secp521r1,
  secp521r1: NamedGroup.secp521r1,
};

/** node's `ecdhCurve` ('auto' = hush's default order). */
export function parseCurves(list: unknown): number[] | undefined {
  if (list === undefined || list === 'auto') return undefined;
  if (typeof list !== 'string') throw new UsageError(`ecdhCurve must be a string like 'X25519:P-256'`);
  const out: number[] = [];
  for (const t of tokens(list)) {
    if (t.toLowerCase() === 'auto') return undefined;
    const g = CURVE_ALIASES[t.toLowerCase()] ?? NamedGroups.byName(t);
    if (g === undefined) throw new UsageError(`ecdhCurve '${t}' is not a group hush knows; use X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, X25519, P-256 or P-384`);
    if (!out.includes(g)) out.push(g);
  }
  if (out.length === 0) throw new UsageError('ecdhCurve is empty');
  return out;
}

const SIGALG_OPENSSL: Readonly<Record<string, number>> = {
  'RSA+SHA256': SignatureScheme.rsa_pkcs1_sha256,
  'RSA+SHA384': SignatureScheme.rsa_pkcs1_sha384,
  'RSA+SHA512': SignatureScheme.rsa_pkcs1_sha512,
  'RSA-PSS+SHA256': SignatureScheme.rsa_pss_rsae_sha256,
  'RSA-PSS+SHA384': SignatureScheme.rsa_pss_rsae_sha384,
  'RSA-PSS+SHA512': SignatureScheme.rsa_pss_rsae_sha512,
  'PSS+SHA256': SignatureScheme.rsa_pss_rsae_sha256,
  'PSS+SHA384': SignatureScheme.rsa_pss_rsae_sha384,
  'PSS+SHA512': SignatureScheme.rsa_pss_rsae_sha512,
  'ECDSA+SHA256': SignatureScheme.ecdsa_secp256r1_sha256,
  'ECDSA+SHA384': SignatureScheme.ecdsa_secp384r1_sha384,
  'ECDSA+SHA512': SignatureScheme.ecdsa_secp521r1_sha512,
  ED25519: SignatureScheme.ed25519,
};

/** node's `sigalgs`: IANA names (ecdsa_secp256r1_sha256) or OpenSSL forms (ECDSA+SHA256, RSA-PSS+SHA256). */
export function parseSigalgs(list: unknown): number[] | undefined {
  if (list === undefined) return undefined;
  if (typeof list !== 'string') throw new UsageError(`sigalgs must be a string like 'ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256'`);
  const out: number[] = [];
  for (const t of tokens(list)) {
    const s = SignatureSchemes.byName(t) ?? SIGALG_OPENSSL[t.toUpperCase()];
    if (s === undefined) throw new UsageError(`sigalgs: '${t}' is not a signature scheme hush knows (use IANA names like rsa_pss_rsae_sha256)`);
    if (!out.includes(s)) out.push(s);
  }
  if (out.length === 0) throw new UsageError('sigalgs is empty');
  return out;
}

/** node's `ALPNProtocols`: strings, Buffers, or one Buffer in wire format (length-prefixed names). */
export function parseAlpn(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const bad = (): never => {
    throw new UsageError(`ALPNProtocols must be an array of strings or Buffers (e.g. ['h2', 'http/1.1'])`);
  };
  let names: string[];
  if (Array.isArray(v)) {
    names = v.map((p: unknown) =>
      typeof p === 'string' ? p : p instanceof Uint8Array ? Buffer.from(p).toString('latin1') : bad(),
    );
  } else if (v instanceof Uint8Array) {
    names = [];
    for (let i = 0; i < v.length; ) {
      const n = v[i]!;
      if (n === 0 || i + 1 + n > v.length) bad();
      names.push(Buffer.from(v.subarray(i + 1, i + 1 + n)).toString('latin1'));
      i += 1 + n;
    }
  } else {
    return bad();
  }
  for (const n of names) {
    if (n.length === 0 || n.length > 255) throw new UsageError(`ALPN protocol names must be 1..255 bytes: ${JSON.stringify(n)}`);
  }
  return names;
}

function list<T>(v: T | readonly T[]): T[] {
  return Array.isArray(v) ? [...(v as readonly T[])] : [v as T];
}

/** node's `ca` → a TrustStore (PEM text or Buffers holding PEM or DER). */
export function toTrustStore(ca: PemInput | 'system'): TrustStore {
  if (ca === 'system') return sharedSystemTrustStore();
  const store = new TrustStore();
  for (const item of list(ca)) {
    if (typeof item !== 'string' && !(item instanceof Uint8Array)) throw new UsageError('ca must be PEM strings or Buffers');
    try {
      store.add(item);
    } catch (e) {
      throw new UsageError(`ca: ${(e as Error).message}`);
    }
  }
  return store;
}

function chainsOf(cert: PemInput): Uint8Array[][] {
  return list(cert).map((item) => {
    if (typeof item !== 'string' && !(item instanceof Uint8Array)) throw new UsageError('cert must be PEM strings or Buffers');
    let chain: Uint8Array[];
    try {
      chain = parseCertificates(typeof item === 'string' ? item : isDer(item) ? item : Buffer.from(item).toString('latin1')).map((c) => c.raw);
    } catch (e) {
      throw new UsageError(`cert: ${(e as Error).message}`);
    }
    if (chain.length === 0) throw new UsageError('cert holds no CERTIFICATE block');
    return chain;
  });
}

function isDer(b: Uint8Array): boolean {
  return b[0] === 0x30;
}

/**
 * node's `cert` + `key` (+ `passphrase`) → certified keys. Each `cert` entry is a chain (leaf
 * first); each key is paired with the chain whose leaf carries its public key, like OpenSSL does.
 */
export function toCertifiedKeys(
  provider: CryptoProvider,
  cert: PemInput | undefined,
  key: KeyInput | undefined,
  passphrase: string | undefined,
): CertifiedKey[] {
  if (cert === undefined && key === undefined) return [];
  if (cert === undefined) throw new UsageError('key was given without cert');
  if (key === undefined) throw new UsageError('cert was given without key');
  const chains = chainsOf(cert);
  const spkis = chains.map((c) => parseCertificates(c[0]!)[0]!.spki.raw);
  const out: CertifiedKey[] = [];
  for (const k of list(key)) {
    let pk;
    try {
      if (typeof k === 'string' || k instanceof Uint8Array) pk = provider.importPrivateKey(k, passphrase);
      else pk = provider.importPrivateKey(k.pem, k.passphrase ?? passphrase);
    } catch (e) {
      throw new UsageError(`key: ${(e as Error).message}`);
    }
    const i = spkis.findIndex((s) => equal(s, pk.publicKey.spki));
    if (i < 0) throw new UsageError('key: no certificate in cert carries this private key\'s public key');
    out.push({ chain: chains[i]!, key: pk });
  }
  return out;
}

/**
 * The certificate validation profile option (`profile` of connect() and createServer()):
 * 'webpki' or 'rfc5280' (src/x509/profile.ts); undefined keeps the default.
 */
export function parseProfile(v: unknown, what: string): VerifyProfile | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(PROFILES as readonly string[]).includes(v)) {
    throw new UsageError(`${what}: profile must be ${PROFILES.map((p) => `'${p}'`).join(' or ')}, not ${JSON.stringify(v)}`);
  }
  return v as VerifyProfile;
}
