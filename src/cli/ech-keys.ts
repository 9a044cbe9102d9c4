// The server's Encrypted Client Hello keys (RFC 9849), kept in the hush home folder beside the local
// CA: $HUSH_HOME/ech/, one file per key, created on first use. Each file is in the format of
// OpenSSL's ECH key files (`openssl ech -pemout`): the HPKE private key as PKCS#8 and the
// ECHConfigList that publishes it:
//
//   -----BEGIN PRIVATE KEY-----      X25519, PKCS#8 (RFC 8410)
//   -----BEGIN ECHCONFIG-----        an ECHConfigList holding this key's one ECHConfig
//
// Files are named <UTC time>-<config_id>.pem, so the newest sorts last. The newest key is the
// current one: `hush ech` prints it and a rejecting server sends it in retry_configs. The key before
// it is still accepted (clients that fetched the old config before a rotation get through) but no
// longer advertised. `hush ech --rotate` adds a new key and removes the keys older than those two.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePem, encodePem } from '../asn1/pem.js';
import { equal, toBase64 } from '../bytes/util.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { nodeCryptoProvider } from '../crypto/node/index.js';
import { hpkeGenerateKeyPair } from '../hpke/context.js';
import { HpkeAeadId, HpkeKdfId, HpkeKemId } from '../hpke/suite.js';
import { decodeEchConfigList, echConfigsOf, encodeEchConfig, encodeEchConfigList, type EchConfig } from '../handshake/ech/ech-config.js';
import type { EchServerKey } from '../handshake/config.js';

/**
 * The public name of hush's ECH configs unless --public-name says otherwise: what an observer sees
 * in the outer ClientHello. Two labels (Go's client ignores a config whose public_name has one, such
 * as 'localhost'), under .localhost so that it always means this machine (RFC 6761 §6.3). hush serve
 * --ech has the local CA issue a certificate for it, so a client whose ECH is rejected can still
 * authenticate the outer handshake and take the retry configs.
 */
export const DEFAULT_PUBLIC_NAME = 'public.localhost';

/** How many keys are kept: the current one and the one before it. */
const KEPT_KEYS = 2;

/** PKCS#8 PrivateKeyInfo for X25519 (RFC 8410 §7), up to the 32 key bytes. */
const X25519_PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

export interface StoredEchKey {
  readonly path: string;
  readonly config: EchConfig;
  readonly privateKey: Uint8Array;
}

export interface EchKeyStore {
  readonly dir: string;
  /** Oldest first; the last is the current key. */
  readonly keys: readonly StoredEchKey[];
  /** True when this call created the first key. */
  readonly created: boolean;
}

/** Something in $HUSH_HOME/ech cannot be used: the message says which file and what to do. */
export class EchKeyError extends Error {}

export function echDir(home: string): string {
  return join(home, 'ech');
}

function readKeyFile(path: string): StoredEchKey {
  let blocks;
  try {
    blocks = decodePem(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new EchKeyError(`${path} cannot be read (${(e as Error).message}); remove it and run 'hush ech' again`);
  }
  const key = blocks.find((b) => b.label === 'PRIVATE KEY');
  const list = blocks.find((b) => b.label === 'ECHCONFIG');
  if (!key || !list) throw new EchKeyError(`${path} must hold a PRIVATE KEY and an ECHCONFIG block; remove it and run 'hush ech' again`);
  const der = key.der;
  if (der.length !== X25519_PKCS8_PREFIX.length + 32 || !equal(der.subarray(0, X25519_PKCS8_PREFIX.length), X25519_PKCS8_PREFIX)) {
    throw new EchKeyError(`${path}: the private key is not an X25519 key (PKCS#8), the only ECH key hush keeps`);
  }
  let configs: EchConfig[];
  try {
    configs = echConfigsOf(decodeEchConfigList(list.der));
  } catch (e) {
    throw new EchKeyError(`${path}: the ECHCONFIG block is not an ECHConfigList (${(e as Error).message})`);
  }
  const config = configs[0];
  if (configs.length !== 1 || config === undefined) throw new EchKeyError(`${path}: the ECHCONFIG block must hold exactly one ECHConfig (version 0xfe0d)`);
  return { path, config, privateKey: der.slice(X25519_PKCS8_PREFIX.length) };
}

function listKeyFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d{8}T\d{6}\d{3}Z-[0-9a-f]{2}\.pem$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The keys on disk, oldest first (none when the folder does not exist). */
export function loadEchKeys(home: string): StoredEchKey[] {
  return listKeyFiles(echDir(home)).map(readKeyFile);
}

function stamp(now: number): string {
  // 20261201T181500123Z: sorts by time, safe in every file system.
  return new Date(now).toISOString().replace(/[-:]/g, '').replace('.', '');
}

/** Make a new X25519 key and its ECHConfig, with a config_id none of `taken` uses. */
export function newEchKey(publicName: string, taken: readonly number[], provider: CryptoProvider = nodeCryptoProvider): { config: Uint8Array; privateKey: Uint8Array } {
  const { sk, pk } = hpkeGenerateKeyPair(provider, HpkeKemId.DHKEM_X25519_HKDF_SHA256);
  let configId = provider.randomBytes(1)[0]!;
  for (let i = 0; i < 256 && taken.includes(configId); i++) configId = (configId + 1) & 0xff;
  const config = encodeEchConfig({
    configId,
    kem: HpkeKemId.DHKEM_X25519_HKDF_SHA256,
    publicKey: pk,
    cipherSuites: [
      { kdf: HpkeKdfId.HKDF_SHA256, aead: HpkeAeadId.AES_128_GCM },
      { kdf: HpkeKdfId.HKDF_SHA256, aead: HpkeAeadId.CHACHA20_POLY1305 },
    ],
    // §6.1.3: 0 lets the client pad by its own rule (to a multiple of 32 bytes).
    maximumNameLength: 0,
    publicName,
    extensions: [],
  });
  return { config, privateKey: sk };
}

function writeKey(dir: string, now: number, key: { config: Uint8Array; privateKey: Uint8Array }, configId: number): string {
  const pkcs8 = new Uint8Array(X25519_PKCS8_PREFIX.length + key.privateKey.length);
  pkcs8.set(X25519_PKCS8_PREFIX);
  pkcs8.set(key.privateKey, X25519_PKCS8_PREFIX.length);
  const text = encodePem('PRIVATE KEY', pkcs8) + encodePem('ECHCONFIG', encodeEchConfigList([key.config]));
  const path = join(dir, `${stamp(now)}-${configId.toString(16).padStart(2, '0')}.pem`);
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/**
 * The key store, with a first key made when there is none (`publicName` names it). With `rotate`,
 * a new current key is added and the keys before the previous one are removed.
 */
export function ensureEchKeys(
  home: string,
  opts: { publicName?: string; rotate?: boolean; now?: number; provider?: CryptoProvider } = {},
): EchKeyStore {
  const dir = echDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let keys = loadEchKeys(home);
  const created = keys.length === 0;
  if (created || opts.rotate) {
    const now = Math.max(opts.now ?? Date.now(), ...keys.map((k) => fileTime(k.path) + 1));
    const publicName = opts.publicName ?? keys.at(-1)?.config.contents.publicName ?? DEFAULT_PUBLIC_NAME;
    const fresh = newEchKey(publicName, keys.map((k) => k.config.contents.configId), opts.provider);
    const configId = decodeEchConfigList(encodeEchConfigList([fresh.config]))[0]!.contents!.configId;
    writeKey(dir, now, fresh, configId);
    keys = loadEchKeys(home);
    for (const old of keys.slice(0, Math.max(0, keys.length - KEPT_KEYS))) rmSync(old.path, { force: true });
    keys = keys.slice(-KEPT_KEYS);
  }
  return { dir, keys, created };
}

/** ms since the epoch from a key file's name (for ordering a rotation after the newest file). */
function fileTime(path: string): number {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]{2}\.pem$/.exec(path);
  if (!m) return 0;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
}

/** The ECHConfigList clients should use: the current key's config. */
export function advertisedConfigList(store: EchKeyStore): Uint8Array {
  const current = store.keys.at(-1);
  if (!current) throw new EchKeyError(`no ECH key in ${store.dir}`);
  return encodeEchConfigList([current.config.raw]);
}

/** The keys for createServer({ ech: { keys } }): every stored key, only the current one sent as retry. */
export function serverEchKeys(store: EchKeyStore): EchServerKey[] {
  return store.keys.map((k, i) => ({ config: k.config.raw, privateKey: k.privateKey, sendAsRetry: i === store.keys.length - 1 }));
}

/**
 * A DNS HTTPS record (RFC 9460) in zone-file syntax that publishes the ECHConfigList (`ech`,
 * RFC 9848) for `name`. On a port other than 443 the record's owner is _PORT._https.NAME (RFC 9460
 * §9.1) and its TargetName is NAME itself ("." would mean the owner name).
 */
export function httpsRecordLine(name: string, echConfigList: Uint8Array, opts: { port?: number; alpn?: readonly string[]; ttl?: number } = {}): string {
  const host = name.replace(/\.$/, '');
  const alpn = opts.alpn ?? ['h2', 'http/1.1'];
  const params = [...(alpn.length ? [`alpn="${alpn.join(',')}"`] : []), `ech="${toBase64(echConfigList)}"`];
  const ttl = opts.ttl ?? 300;
  if (opts.port !== undefined && opts.port !== 443) {
    return `_${opts.port}._https.${host}. ${ttl} IN HTTPS 1 ${host}. ${params.join(' ')}`;
  }
  return `${host}. ${ttl} IN HTTPS 1 . ${params.join(' ')}`;
}
