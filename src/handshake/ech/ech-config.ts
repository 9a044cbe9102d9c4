// ECHConfig / ECHConfigList (RFC 9849 §4), strict and bounded. Configs of a version other than
// 0xfe0d are kept as opaque entries and skipped ("clients MUST ignore any ECHConfig structure
// with a version they do not support", §4), never rejected.
//
//   struct { HpkeKdfId kdf_id; HpkeAeadId aead_id; } HpkeSymmetricCipherSuite;
//   struct { uint8 config_id; HpkeKemId kem_id; HpkePublicKey public_key<1..2^16-1>;
//            HpkeSymmetricCipherSuite cipher_suites<4..2^16-4>; } HpkeKeyConfig;
//   struct { HpkeKeyConfig key_config; uint8 maximum_name_length; opaque public_name<1..255>;
//            ECHConfigExtension extensions<0..2^16-1>; } ECHConfigContents;
//   struct { uint16 version; uint16 length; select (version) { case 0xfe0d: ECHConfigContents; } } ECHConfig;
//   ECHConfig ECHConfigList<4..2^16-1>;
import { ascii, Reader, Writer } from '../../bytes/index.js';
import { utf8 } from '../../bytes/util.js';
import { decodeError } from '../../errors/index.js';
import { isSupportedHpkeSuite } from '../../hpke/suite.js';
import { readExtensions, writeExtensions, type Extension } from '../messages/extensions.js';

export const ECH_VERSION = 0xfe0d;

export interface HpkeSymmetricCipherSuite {
  readonly kdf: number;
  readonly aead: number;
}

export interface EchConfigContents {
  readonly configId: number;
  readonly kem: number;
  readonly publicKey: Uint8Array;
  readonly cipherSuites: readonly HpkeSymmetricCipherSuite[];
  readonly maximumNameLength: number;
  /** The name the outer ClientHello carries (ASCII as received; checked by `echConfigUsable`). */
  readonly publicName: string;
  readonly extensions: readonly Extension[];
}

/** One entry of an ECHConfigList: a 0xfe0d config, or another version kept opaque. */
export type EchConfigEntry =
  | { readonly version: typeof ECH_VERSION; readonly contents: EchConfigContents; readonly raw: Uint8Array }
  | { readonly version: number; readonly contents?: undefined; readonly raw: Uint8Array };

/** A 0xfe0d ECHConfig with its exact encoding (the HPKE info is built from `raw`, §6.1). */
export interface EchConfig {
  readonly version: typeof ECH_VERSION;
  readonly contents: EchConfigContents;
  /** The whole ECHConfig (version, length, contents) as received. */
  readonly raw: Uint8Array;
}

function readContents(r: Reader): EchConfigContents {
  const configId = r.u8('config_id');
  const kem = r.u16('kem_id');
  const publicKey = r.vector(2, 'public_key', 1);
  const suitesReader = r.sub(2, 'cipher_suites', 4, 0xfffc);
  if (suitesReader.remaining % 4 !== 0) throw decodeError(`${r.what}: cipher_suites length ${suitesReader.remaining} is not a multiple of 4`);
  const cipherSuites: HpkeSymmetricCipherSuite[] = [];
  while (!suitesReader.atEnd) cipherSuites.push({ kdf: suitesReader.u16('kdf_id'), aead: suitesReader.u16('aead_id') });
  const maximumNameLength = r.u8('maximum_name_length');
  const publicName = ascii(r.vector(1, 'public_name', 1));
  const extensions = readExtensions(r, 'extensions');
  return { configId, kem, publicKey, cipherSuites, maximumNameLength, publicName, extensions };
}

/** Decode an ECHConfigList (with its 2-byte length); every byte must be accounted for. */
export function decodeEchConfigList(bytes: Uint8Array): EchConfigEntry[] {
  const outer = new Reader(bytes, 'ECHConfigList');
  const list = outer.sub(2, 'configs', 4);
  outer.expectEnd();
  const out: EchConfigEntry[] = [];
  while (!list.atEnd) {
    const start = list.offset;
    const version = list.u16('version');
    const body = list.sub(2, 'contents');
    const raw = bytes.subarray(start, list.offset);
    if (version !== ECH_VERSION) {
      out.push({ version, raw });
      continue;
    }
    const r = new Reader(body.rest(), 'ECHConfig');
    const contents = readContents(r);
    r.expectEnd();
    out.push({ version: ECH_VERSION, contents, raw });
  }
  return out;
}

/** The 0xfe0d configs of a list, in order (other versions skipped). */
export function echConfigsOf(entries: readonly EchConfigEntry[]): EchConfig[] {
  return entries.filter((e): e is EchConfig => e.version === ECH_VERSION && e.contents !== undefined);
}

/** Encode one ECHConfig (version 0xfe0d). */
export function encodeEchConfig(c: EchConfigContents): Uint8Array {
  const w = new Writer(128);
  w.u16(ECH_VERSION);
  w.vector(2, (b) => {
    b.u8(c.configId);
    b.u16(c.kem);
    b.vector(2, c.publicKey);
    b.vector(2, (s) => {
      for (const cs of c.cipherSuites) s.u16(cs.kdf).u16(cs.aead);
    });
    b.u8(c.maximumNameLength);
    const name = new Uint8Array(c.publicName.length);
    for (let i = 0; i < name.length; i++) name[i] = c.publicName.charCodeAt(i) & 0x7f;
    b.vector(1, name);
    writeExtensions(b, c.extensions);
  });
  return w.finish();
}

/** An ECHConfigList of already-encoded ECHConfigs (each from `encodeEchConfig` or an entry's `raw`). */
export function encodeEchConfigList(configs: readonly Uint8Array[]): Uint8Array {
  const w = new Writer(256);
  w.vector(2, (b) => {
    for (const c of configs) b.bytes(c);
  });
  return w.finish();
}

const LDH_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * §4 / §6.1: a client ignores a config whose public_name is not a dot-separated sequence of LDH
 * labels (no trailing dot, at most 253 bytes) or whose last label is numeric (an IPv4 address).
 */
export function isValidPublicName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((l) => LDH_LABEL.test(l))) return false;
  const last = labels[labels.length - 1]!;
  return !/^[0-9]+$/.test(last) && !/^0x[0-9a-f]*$/i.test(last);
}

/** Extensions whose type has the high bit set are mandatory (§4.2): a client must skip the config when it does not know them. */
export function hasUnknownMandatoryExtension(c: EchConfigContents, known: ReadonlySet<number> = new Set()): boolean {
  return c.extensions.some((e) => (e.type & 0x8000) !== 0 && !known.has(e.type));
}

/** Why a 0xfe0d config cannot be used by hush (undefined when it can): the suite, the name or an extension. */
export function echConfigUnusableReason(c: EchConfigContents): string | undefined {
  if (!isValidPublicName(c.publicName)) return 'its public_name is not a valid DNS name';
  if (hasUnknownMandatoryExtension(c)) return 'it has a mandatory extension hush does not know';
  if (chooseEchSuite(c) === undefined) {
    return `no HPKE suite hush supports (kem 0x${c.kem.toString(16).padStart(4, '0')})`;
  }
  return undefined;
}

/** The first suite of `c` hush supports, in the config's order. */
export function chooseEchSuite(c: EchConfigContents): HpkeSymmetricCipherSuite | undefined {
  return c.cipherSuites.find((s) => isSupportedHpkeSuite({ kem: c.kem, kdf: s.kdf, aead: s.aead }) && s.aead !== 0xffff);
}

/** "tls ech" ‖ 0x00 */
const HPKE_INFO_PREFIX = utf8('tls ech\0');

/** The HPKE info for a config (§6.1 sender, §7.1 recipient): "tls ech" ‖ 0x00 ‖ ECHConfig as encoded. */
export function echHpkeInfo(config: Uint8Array): Uint8Array {
  const info = new Uint8Array(HPKE_INFO_PREFIX.length + config.length);
  info.set(HPKE_INFO_PREFIX);
  info.set(config, HPKE_INFO_PREFIX.length);
  return info;
}
