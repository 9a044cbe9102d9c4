// ML-KEM-768 and ML-KEM-1024 (FIPS 203) for the node provider. node:crypto's own ML-KEM (OpenSSL 3.5,
// Node ≥ 24.7: crypto.encapsulate / crypto.decapsulate) when the running Node has it — found by trying
// it once, never by version number — and @noble/post-quantum (pure JS, audited noble family) otherwise.
//
// With the system's random source (the default provider) node:crypto does all of it: key pairs from
// OpenSSL's own key generation (crypto.generateKeyPairSync) and its randomized encapsulation. With an
// injected random source (reproducible tests) key pairs come from a 64-byte seed d ‖ z drawn from
// that source (imported into node:crypto as PKCS#8, or on noble), so they are the same on either
// backend; node:crypto has no derandomized encapsulation, so then (and for encapsulateWithMessage)
// encapsulation runs on @noble/post-quantum with m from that source. Either way decapsulation takes
// the key pair's handle (a KeyObject on node:crypto), and the encapsulation key is exported raw
// where this Node can (the SPKI export was half of a key pair's cost).
import * as nodeCrypto from 'node:crypto';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { TlsError, UsageError } from '../../errors/index.js';
import { checkCiphertext, checkEncapsulationKey } from '../kem-checks.js';
import { KEM_SIZES, type Kem, type KemKeyPair, type KemName } from '../provider.js';
import type { RandomSource } from './kx.js';
import { buf, u8 } from './util.js';

export type KemBackend = 'node' | 'noble';

interface NativeKem {
  encapsulate(key: KeyObject): { sharedKey: Uint8Array; ciphertext: Uint8Array };
  decapsulate(key: KeyObject, ciphertext: Uint8Array): Uint8Array;
  /** Node ≥ 24.7 takes 'ml-kem-768' / 'ml-kem-1024' (not in Node 20's types). */
  generateKeyPairSync(type: KemName): { publicKey: KeyObject; privateKey: KeyObject };
}

/** DER prefixes (draft-ietf-lamps-kyber-certificates): PKCS#8 with the 64-byte seed [0], and SPKI. */
const DER: Readonly<Record<KemName, { pkcs8Seed: Uint8Array; spki: Uint8Array }>> = {
  'ml-kem-768': {
    pkcs8Seed: hex('3054020100300b0609608648016503040402044280' + '40'),
    spki: hex('308204b2300b0609608648016503040402038204a100'),
  },
  'ml-kem-1024': {
    pkcs8Seed: hex('3054020100300b0609608648016503040403044280' + '40'),
    spki: hex('30820632300b0609608648016503040403038206210' + '0'),
  },
};

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

function withPrefix(prefix: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

const NOBLE = { 'ml-kem-768': ml_kem768, 'ml-kem-1024': ml_kem1024 } as const;

/** The decapsulation key behind each key pair: a node KeyObject or noble's expanded key bytes. */
const handles = new WeakMap<KemKeyPair, KeyObject | Uint8Array>();

function nativeApi(): NativeKem | undefined {
  const c = nodeCrypto as unknown as Partial<NativeKem>;
  return typeof c.encapsulate === 'function' && typeof c.decapsulate === 'function' && typeof c.generateKeyPairSync === 'function' ? (c as NativeKem) : undefined;
}

/**
 * Does KeyObject.export({ format: 'raw-public' }) give ML-KEM's encapsulation key (newer Node 24)?
 * Tried once, against the SPKI export. It skips the SPKI encoding, about half of a key pair's cost.
 */
let rawPublicExport: boolean | undefined;

function spkiKeyBytes(kem: KemName, publicKey: KeyObject): Uint8Array {
  const prefix = DER[kem].spki;
  const spki = u8(publicKey.export({ format: 'der', type: 'spki' }));
  if (!buf(spki.subarray(0, prefix.length)).equals(buf(prefix))) throw new UsageError(`node:crypto exported a ${kem} SPKI of an unexpected form`);
  return spki.slice(prefix.length);
}

function encapsulationKeyOf(kem: KemName, publicKey: KeyObject): Uint8Array {
  if (rawPublicExport === undefined) {
    const spki = spkiKeyBytes(kem, publicKey);
    try {
      const raw = u8(publicKey.export({ format: 'raw-public' } as unknown as { format: 'der'; type: 'spki' }));
      rawPublicExport = buf(raw).equals(buf(spki));
    } catch {
      rawPublicExport = false;
    }
    return spki;
  }
  return rawPublicExport ? u8(publicKey.export({ format: 'raw-public' } as unknown as { format: 'der'; type: 'spki' })) : spkiKeyBytes(kem, publicKey);
}

/** A key pair around node:crypto's private key: the encapsulation key is its public key's bytes. */
function nativePair(kem: KemName, privateKey: KeyObject, publicKey: KeyObject): KemKeyPair {
  const encapsulationKey = encapsulationKeyOf(kem, publicKey);
  if (encapsulationKey.length !== KEM_SIZES[kem].encapsulationKey) throw new UsageError(`node:crypto made a ${kem} key of ${encapsulationKey.length} bytes`);
  const pair: KemKeyPair = { kem, encapsulationKey };
  handles.set(pair, privateKey);
  return pair;
}

/** A key pair from the seed d ‖ z (FIPS 203 ML-KEM.KeyGen_internal), imported as PKCS#8 seed. */
function nativeKeyPair(kem: KemName, seed: Uint8Array): KemKeyPair {
  const privateKey = createPrivateKey({ key: buf(withPrefix(DER[kem].pkcs8Seed, seed)), format: 'der', type: 'pkcs8' });
  return nativePair(kem, privateKey, createPublicKey(privateKey));
}

/** A key pair from OpenSSL's own ML-KEM key generation, with its own CSPRNG (FIPS 203 ML-KEM.KeyGen). */
function nativeGeneratedPair(api: NativeKem, kem: KemName): KemKeyPair {
  const { publicKey, privateKey } = api.generateKeyPairSync(kem);
  return nativePair(kem, privateKey, publicKey);
}

const nativeWorks = new Map<KemName, boolean>();

/** Encapsulate to `pair`'s key through its SPKI, decapsulate with its handle: do they agree? */
function roundTrips(api: NativeKem, kem: KemName, pair: KemKeyPair): boolean {
  const key = createPublicKey({ key: buf(withPrefix(DER[kem].spki, pair.encapsulationKey)), format: 'der', type: 'spki' });
  const { sharedKey, ciphertext } = api.encapsulate(key);
  const back = api.decapsulate(handles.get(pair) as KeyObject, ciphertext);
  return buf(back).equals(buf(sharedKey)) && sharedKey.length === KEM_SIZES[kem].sharedSecret;
}

/**
 * Does this Node's node:crypto do `kem`? Tried once, on both ways the provider makes key pairs:
 * one from a seed and one from generateKeyPairSync, each encapsulated to and decapsulated.
 */
export function hasNativeKem(kem: KemName): boolean {
  let ok = nativeWorks.get(kem);
  if (ok === undefined) {
    ok = false;
    const api = nativeApi();
    if (api) {
      try {
        ok = roundTrips(api, kem, nativeKeyPair(kem, new Uint8Array(64).fill(7))) && roundTrips(api, kem, nativeGeneratedPair(api, kem));
      } catch {
        ok = false;
      }
    }
    nativeWorks.set(kem, ok);
  }
  return ok;
}

function checkLength(what: string, value: Uint8Array, want: number): void {
  if (value.length !== want) throw new UsageError(`${what} must be ${want} bytes, got ${value.length}`);
}

export interface NodeKemOptions {
  /** 'node' = node:crypto (fails if this Node lacks it), 'noble' = @noble/post-quantum; default: node:crypto when present. */
  readonly backend?: KemBackend;
  /**
   * True when the random source is injected: key pairs then come from a seed and encapsulation's m
   * from that source (noble). False (the system's CSPRNG): node:crypto generates and encapsulates.
   */
  readonly reproducible?: boolean;
}

export function createKem(kem: KemName, random: RandomSource, opts: NodeKemOptions = {}): Kem {
  const sizes = KEM_SIZES[kem];
  const noble = NOBLE[kem];
  const api = nativeApi();
  const backend: KemBackend = opts.backend ?? (hasNativeKem(kem) ? 'node' : 'noble');
  if (backend === 'node' && (!api || !hasNativeKem(kem))) throw new UsageError(`this Node's node:crypto has no ${kem}`);

  const keygenFromSeed = (seed: Uint8Array): KemKeyPair => {
    checkLength(`${kem} seed d ‖ z`, seed, sizes.seed);
    if (backend === 'node') return nativeKeyPair(kem, seed);
    const { publicKey, secretKey } = noble.keygen(seed);
    const pair: KemKeyPair = { kem, encapsulationKey: publicKey };
    handles.set(pair, secretKey);
    return pair;
  };
  const encapsulateWithMessage = (ek: Uint8Array, m: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array } => {
    checkEncapsulationKey(kem, ek);
    checkLength(`${kem} message m`, m, sizes.message);
    const { cipherText, sharedSecret } = noble.encapsulate(ek, m);
    return { ciphertext: cipherText, sharedSecret };
  };
  return {
    name: kem,
    sizes,
    // FIPS 203 §7.1 ML-KEM.KeyGen: OpenSSL's own when its randomness is as good as ours (the system
    // CSPRNG); from our random source's seed when that is injected, to stay reproducible.
    keygen: () => (backend === 'node' && !opts.reproducible && api ? nativeGeneratedPair(api, kem) : keygenFromSeed(random(sizes.seed))),
    keygenFromSeed,
    encapsulate(ek: Uint8Array) {
      // FIPS 203 §7.2 before anything else (also for node:crypto, which checks too).
      checkEncapsulationKey(kem, ek);
      if (backend === 'noble' || opts.reproducible || !api) return encapsulateWithMessage(ek, random(sizes.message));
      let key: KeyObject;
      try {
        key = createPublicKey({ key: buf(withPrefix(DER[kem].spki, ek)), format: 'der', type: 'spki' });
      } catch (e) {
        throw new TlsError('illegal_parameter', `${kem} encapsulation key was refused by node:crypto`, { cause: e });
      }
      const { sharedKey, ciphertext } = api.encapsulate(key);
      return { ciphertext: new Uint8Array(ciphertext), sharedSecret: new Uint8Array(sharedKey) };
    },
    encapsulateWithMessage,
    decapsulate(pair: KemKeyPair, ciphertext: Uint8Array): Uint8Array {
      checkCiphertext(kem, ciphertext);
      const handle = handles.get(pair);
      if (handle === undefined || pair.kem !== kem) throw new UsageError(`not a ${kem} key pair made by this provider`);
      // Either way a ciphertext of the right length yields a secret: FIPS 203 Algorithm 18's implicit
      // rejection returns J(z ‖ c) for a ciphertext that does not re-encrypt to itself.
      if (handle instanceof Uint8Array) return noble.decapsulate(ciphertext, handle);
      return new Uint8Array(api!.decapsulate(handle, ciphertext));
    },
  };
}
