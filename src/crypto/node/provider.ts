// The default CryptoProvider: everything on node:crypto (synchronous, OpenSSL-backed).
import { randomFillSync } from 'node:crypto';
import { UsageError } from '../../errors/index.js';
import { createHybridKeyExchanges } from '../hybrid.js';
import type { CryptoProvider, Kem, KemName, KeyExchangeAlgorithm } from '../provider.js';
import { createKem, type KemBackend } from './kem.js';
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
  /**
   * Where ML-KEM comes from: 'node' (node:crypto, Node ≥ 24.7 with OpenSSL 3.5) or 'noble'
   * (@noble/post-quantum). Default: node:crypto when the running Node has it, else noble.
   */
  readonly kemBackend?: KemBackend;
}

/**
 * The operating system's random source, drawn in 4 KiB blocks: each randomFillSync call costs
 * ~2.5 µs of node overhead whatever its size, and a handshake takes 6-7 small draws (random,
 * key share, ticket nonces and age_add). Bytes handed out are copied and wiped from the pool,
 * so no two callers ever see the same bytes and none stay behind in the pool.
 */
const POOL_SIZE = 4096;
/** Draws above this go straight to randomFillSync. */
const POOLED_MAX = 256;
let pool: Uint8Array | undefined;
let poolOffset = POOL_SIZE;

function systemRandom(n: number): Uint8Array {
  if (n > POOLED_MAX) return randomFillSync(new Uint8Array(n));
  if (pool === undefined || poolOffset + n > POOL_SIZE) {
    pool ??= new Uint8Array(POOL_SIZE);
    randomFillSync(pool);
    poolOffset = 0;
  }
  const end = poolOffset + n;
  const out = pool.slice(poolOffset, end);
  pool.fill(0, poolOffset, end);
  poolOffset = end;
  return out;
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
  const classical = createKeyExchanges(random);
  const kems = new Map<KemName, Kem>();
  const kem = (name: KemName): Kem | undefined => {
    let k = kems.get(name);
    if (!k && (name === 'ml-kem-768' || name === 'ml-kem-1024')) {
      k = createKem(name, random, { ...(opts.kemBackend ? { backend: opts.kemBackend } : {}), reproducible: injected !== undefined });
      kems.set(name, k);
    }
    return k;
  };
  // The hybrids (draft-ietf-tls-ecdhe-mlkem) first: the provider's preference order.
  const kx = new Map<number, KeyExchangeAlgorithm>();
  for (const h of createHybridKeyExchanges(kem, (g) => classical.get(g))) kx.set(h.group, h);
  for (const [g, e] of classical) kx.set(g, e);
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
    kem,
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
