// The TLS 1.2 key derivation (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627 §4; RFC 5705 §4).
// CONTRACT (filled in by the schedule/record work): the signatures below are what the handshake
// states call. Every function is pure: provider in, bytes out.
import { internalError } from '../errors/errors.js';
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import type { Tls12Suite } from '../crypto/suites.js';

/** One direction's record keys from the key block (RFC 5246 §6.3). `macKey` is empty for AEAD suites. */
export interface Keys12 {
  readonly macKey: Uint8Array;
  readonly key: Uint8Array;
  /** The fixed IV: 4 bytes (GCM salt), 12 (ChaCha20-Poly1305, RFC 7905), 16 for CBC (unused: TLS 1.2 CBC uses explicit IVs). */
  readonly iv: Uint8Array;
}

export interface KeyBlock12 {
  readonly client: Keys12;
  readonly server: Keys12;
}

/** RFC 5246 §5: PRF(secret, label, seed) = P_<hash>(secret, label + seed), `length` bytes. */
export function prf12(_provider: CryptoProvider, _hash: HashName, _secret: Uint8Array, _label: string, _seed: Uint8Array, _length: number): Uint8Array {
  throw internalError('prf12: not implemented yet');
}

/** RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", client_random + server_random)[0..47]. */
export function masterSecret12(_provider: CryptoProvider, _hash: HashName, _preMasterSecret: Uint8Array, _clientRandom: Uint8Array, _serverRandom: Uint8Array): Uint8Array {
  throw internalError('masterSecret12: not implemented yet');
}

/**
 * RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47],
 * where session_hash is the transcript hash through ClientKeyExchange.
 */
export function extendedMasterSecret12(_provider: CryptoProvider, _hash: HashName, _preMasterSecret: Uint8Array, _sessionHash: Uint8Array): Uint8Array {
  throw internalError('extendedMasterSecret12: not implemented yet');
}

/** RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random), split per the suite. */
export function keyBlock12(_provider: CryptoProvider, _suite: Tls12Suite, _masterSecret: Uint8Array, _clientRandom: Uint8Array, _serverRandom: Uint8Array): KeyBlock12 {
  throw internalError('keyBlock12: not implemented yet');
}

/** RFC 5246 §7.4.9: verify_data = PRF(master_secret, "client finished"|"server finished", Hash(handshake_messages))[0..11]. */
export function finishedVerifyData12(_provider: CryptoProvider, _hash: HashName, _masterSecret: Uint8Array, _sender: 'client' | 'server', _transcriptHash: Uint8Array): Uint8Array {
  throw internalError('finishedVerifyData12: not implemented yet');
}

/**
 * RFC 5705 §4: PRF(master_secret, label, client_random + server_random [+ uint16 context length + context]).
 * The caller refuses exporters on sessions without extended master secret (RFC 7627 §5.4).
 */
export function exportKeyingMaterial12(
  _provider: CryptoProvider, _hash: HashName, _masterSecret: Uint8Array, _clientRandom: Uint8Array, _serverRandom: Uint8Array,
  _label: string, _context: Uint8Array | undefined, _length: number,
): Uint8Array {
  throw internalError('exportKeyingMaterial12: not implemented yet');
}
