// The default CryptoProvider: everything on node:crypto (synchronous, OpenSSL-backed).
import { randomFillSync } from 'node:crypto';
import { UsageError } from '../../errors/index.js';
import type { CryptoProvider } from '../provider.js';
import { createAead, createBlockCipher } from './aead.js';
import { digest, hashState, hkdfExpand, hkdfExtract, hmac } from './hash.js';
import { exportPrivateKey, generatePrivateKey, importPrivateKey, importPublicKey } from './keys.js';
import { createKeyExchanges, type RandomSource } from './kx.js';
import { rsaDecryptRaw, rsaEncryptPkcs1, sign, verify } from './sig.js';

export interface NodeCryptoProviderOptions {
  /**
   * Replaces the random source (tests that must be reproducible). Used for randomBytes, key
   * shares and EC/Ed25519 key generation. Must return a fresh array of exactly `n` bytes.
   */
  readonly randomBytes?: (n: number) => Uint8Array;
}

function systemRandom(n: number): Uint8Array {
  return randomFillSync(new Uint8Array(n));
}

export function createNodeCryptoProvider(opts: NodeCryptoProviderOptions = {}): CryptoProvider {
  let random: RandomSource = systemRandom;
  const injected = opts.randomBytes;
  if (injected) {
    random = (n: number): Uint8Array => {
      const r = injected(n);
      if (!(r instanceof Uint8Array) || r.length !== n) {
        throw new UsageError(`injected randomBytes(${n}) must return a Uint8Array of ${n} bytes`);
      }
      return r;
    };
  }
  const kx = createKeyExchanges(random);
  return Object.freeze({
    name: injected ? 'node (injected randomness)' : 'node',
    randomBytes: (length: number) => {
      if (!Number.isInteger(length) || length < 0) throw new UsageError(`randomBytes: bad length ${length}`);
      return random(length);
    },
    hash: hashState,
    digest,
    hmac,
    hkdfExtract,
    hkdfExpand,
    aead: createAead,
    blockCipher: createBlockCipher,
    keyExchange: (group: number) => kx.get(group),
    groups: Object.freeze([...kx.keys()]),
    importPublicKey,
    importPrivateKey,
    generatePrivateKey: (spec) => generatePrivateKey(spec, random),
    exportPrivateKey,
    verify,
    sign,
    rsaEncryptPkcs1,
    rsaDecryptRaw,
  } satisfies CryptoProvider);
}

/** The default provider, with the operating system's random source. */
export const nodeCryptoProvider: CryptoProvider = createNodeCryptoProvider();
