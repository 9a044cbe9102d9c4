// The TLS 1.2 key derivation (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627 §4; RFC 5705 §4).
// The handshake states call these. Every function is pure: provider in, bytes out.
import { utf8 } from '../bytes/index.js';
import { internalError, UsageError } from '../errors/errors.js';
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { HASH_LENGTH } from '../crypto/provider.js';
import type { Tls12Suite } from '../crypto/suites.js';

/** One direction's record keys from the key block (RFC 5246 §6.3). `macKey` is empty for AEAD suites. */
export interface Keys12 {
  readonly macKey: Uint8Array;
  readonly key: Uint8Array;
  /**
   * The fixed (implicit) IV: 4 bytes for AES-GCM (RFC 5288 §3 salt), 12 for ChaCha20-Poly1305
   * (RFC 7905 §2). Empty for CBC: RFC 5246 §6.3 generates write IVs only for implicit-nonce
   * ciphers; TLS 1.2 CBC records carry an explicit IV each (§6.2.3.2).
   */
  readonly iv: Uint8Array;
}

export interface KeyBlock12 {
  readonly client: Keys12;
  readonly server: Keys12;
}

/** Largest PRF output hush asks for (key blocks are < 200 bytes; exporters are the caller's choice). */
const MAX_PRF_LENGTH = 1 << 20;
const RANDOM_LENGTH = 32;
const MASTER_SECRET_LENGTH = 48;
export const VERIFY_DATA_LENGTH_12 = 12;

/**
 * RFC 5246 §5: PRF(secret, label, seed) = P_<hash>(secret, label + seed), `length` bytes, where
 *   P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1)).
 * The label is ASCII with no length byte and no trailing NUL.
 */
export function prf12(provider: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_PRF_LENGTH) {
    throw internalError(`TLS 1.2 PRF: bad output length ${length}`);
  }
  const hashLen = HASH_LENGTH[hash];
  const labelBytes = utf8(label);
  // Layout: A(i) || label || seed, so each output block is one HMAC over one buffer.
  const msg = new Uint8Array(hashLen + labelBytes.length + seed.length);
  msg.set(labelBytes, hashLen);
  msg.set(seed, hashLen + labelBytes.length);
  const labelSeed = msg.subarray(hashLen);
  const out = new Uint8Array(length);
  let a = provider.hmac(hash, secret, labelSeed); // A(1)
  for (let off = 0; off < length; off += hashLen) {
    msg.set(a, 0);
    const block = provider.hmac(hash, secret, msg);
    out.set(length - off >= hashLen ? block : block.subarray(0, length - off), off);
    if (off + hashLen < length) a = provider.hmac(hash, secret, a);
  }
  msg.fill(0, 0, hashLen);
  return out;
}

function checkRandoms(clientRandom: Uint8Array, serverRandom: Uint8Array): void {
  if (clientRandom.length !== RANDOM_LENGTH || serverRandom.length !== RANDOM_LENGTH) {
    throw internalError(`TLS 1.2 randoms must be ${RANDOM_LENGTH} bytes (got ${clientRandom.length} and ${serverRandom.length})`);
  }
}

function randoms(first: Uint8Array, second: Uint8Array): Uint8Array {
  const seed = new Uint8Array(2 * RANDOM_LENGTH);
  seed.set(first, 0);
  seed.set(second, RANDOM_LENGTH);
  return seed;
}

/** RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", client_random + server_random)[0..47]. */
export function masterSecret12(provider: CryptoProvider, hash: HashName, preMasterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Uint8Array {
  checkRandoms(clientRandom, serverRandom);
  return prf12(provider, hash, preMasterSecret, 'master secret', randoms(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

/**
 * RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47],
 * where session_hash is the transcript hash through ClientKeyExchange.
 */
export function extendedMasterSecret12(provider: CryptoProvider, hash: HashName, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  if (sessionHash.length !== HASH_LENGTH[hash]) {
    throw internalError(`extended master secret: session hash has ${sessionHash.length} bytes, ${hash} gives ${HASH_LENGTH[hash]}`);
  }
  return prf12(provider, hash, preMasterSecret, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/**
 * RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random)
 * (note the order: server first), split into client_write_MAC_key, server_write_MAC_key,
 * client_write_key, server_write_key, client_write_IV, server_write_IV. MAC keys exist only for
 * CBC suites (AEAD suites have mac_key_length 0); IVs only for AEAD suites, of fixed_iv_length
 * bytes ("the client_write_IV and server_write_IV are only generated for implicit nonce
 * techniques").
 */
export function keyBlock12(provider: CryptoProvider, suite: Tls12Suite, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): KeyBlock12 {
  checkRandoms(clientRandom, serverRandom);
  if (masterSecret.length !== MASTER_SECRET_LENGTH) throw internalError(`master secret has ${masterSecret.length} bytes, not ${MASTER_SECRET_LENGTH}`);
  const c = suite.cipher;
  const macLen = c.kind === 'cbc' ? c.macLength : 0;
  const keyLen = c.keyLength;
  const ivLen = c.kind === 'aead' ? c.fixedIvLength : 0;
  const block = prf12(provider, suite.prfHash, masterSecret, 'key expansion', randoms(serverRandom, clientRandom), 2 * (macLen + keyLen + ivLen));
  let p = 0;
  const take = (n: number): Uint8Array => block.slice(p, (p += n));
  const clientMac = take(macLen);
  const serverMac = take(macLen);
  const clientKey = take(keyLen);
  const serverKey = take(keyLen);
  const clientIv = take(ivLen);
  const serverIv = take(ivLen);
  block.fill(0);
  return {
    client: { macKey: clientMac, key: clientKey, iv: clientIv },
    server: { macKey: serverMac, key: serverKey, iv: serverIv },
  };
}

/** RFC 5246 §7.4.9: verify_data = PRF(master_secret, "client finished"|"server finished", Hash(handshake_messages))[0..11]. */
export function finishedVerifyData12(provider: CryptoProvider, hash: HashName, masterSecret: Uint8Array, sender: 'client' | 'server', transcriptHash: Uint8Array): Uint8Array {
  const label = sender === 'client' ? 'client finished' : 'server finished';
  return prf12(provider, hash, masterSecret, label, transcriptHash, VERIFY_DATA_LENGTH_12);
}

/** RFC 5705 §4 with RFC 5246's PRF labels: exporters must not reuse them. */
const RESERVED_EXPORTER_LABELS = new Set(['client finished', 'server finished', 'master secret', 'extended master secret', 'key expansion']);

/**
 * RFC 5705 §4: PRF(master_secret, label, client_random + server_random [+ uint16 context length + context]).
 * No context and an empty context give different outputs (§4). The caller refuses exporters on
 * sessions without extended master secret (RFC 7627 §5.4). Throws UsageError for a reserved
 * label or a context over 65535 bytes.
 */
export function exportKeyingMaterial12(
  provider: CryptoProvider, hash: HashName, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array,
  label: string, context: Uint8Array | undefined, length: number,
): Uint8Array {
  checkRandoms(clientRandom, serverRandom);
  if (RESERVED_EXPORTER_LABELS.has(label)) throw new UsageError(`exporter label '${label}' is reserved by TLS (RFC 5705 §4)`);
  if (!Number.isInteger(length) || length < 0 || length > MAX_PRF_LENGTH) throw new UsageError(`exporter length ${length} is outside 0..${MAX_PRF_LENGTH}`);
  let seed: Uint8Array;
  if (context === undefined) {
    seed = randoms(clientRandom, serverRandom);
  } else {
    if (context.length > 0xffff) throw new UsageError(`exporter context of ${context.length} bytes exceeds 65535`);
    seed = new Uint8Array(2 * RANDOM_LENGTH + 2 + context.length);
    seed.set(clientRandom, 0);
    seed.set(serverRandom, RANDOM_LENGTH);
    seed[2 * RANDOM_LENGTH] = context.length >>> 8;
    seed[2 * RANDOM_LENGTH + 1] = context.length & 0xff;
    seed.set(context, 2 * RANDOM_LENGTH + 2);
  }
  return prf12(provider, hash, masterSecret, label, seed, length);
}
