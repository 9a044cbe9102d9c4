// Constant-time pieces of TLS 1.2 CBC record decryption (RFC 5246 §6.2.3.2 implementation note;
// the Lucky Thirteen attack, AlFardan & Paterson 2013). A receiver that answers bad padding
// faster than a bad MAC, or whose MAC time depends on the padding length, is a padding oracle.
// So the padding is checked over a fixed window with masks (no branch on its value), the MAC is
// always computed (a bad padding counts as zero padding), and `equalizeMacWork` makes the number
// of hash compression blocks independent of the padding length.
//
// JavaScript gives no hard timing guarantees; these functions only avoid data-dependent branches
// and data-dependent amounts of work, which is what the RFC asks of an implementation.
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { HASH_BLOCK_LENGTH } from '../crypto/provider.js';

/** Bit set in `checkCbcPadding`'s result when the padding is well-formed. */
export const CBC_PADDING_GOOD = 0x200;

/**
 * Check TLS CBC padding (RFC 5246 §6.2.3.2: every padding byte, and the padding_length byte
 * after them, holds padding_length) in time that depends only on `p.length`, and that
 * padding_length + 1 + `macLength` bytes fit in `p` (p.length ≥ 1 is the caller's public check).
 *
 * Returns `toRemove | (good ? CBC_PADDING_GOOD : 0)`, where toRemove is padding_length + 1 when
 * the padding is good and 1 (padding treated as empty) when it is not, so that the caller goes
 * on to compute a MAC either way.
 */
export function checkCbcPadding(p: Uint8Array, macLength: number): number {
  const len = p.length;
  const padLen = p[len - 1]!;
  // 1 when padLen + 1 + macLength > len (the subtraction is negative).
  let bad = ((len - macLength - padLen - 1) >> 31) & 1;
  // The window is public: the last 256 bytes (the largest padding plus its length byte) or
  // all of p. i = 0 is the padding_length byte itself.
  const toCheck = len < 256 ? len : 256;
  let diff = 0;
  for (let i = 1; i < toCheck; i++) {
    const mask = (i - padLen - 1) >> 31; // all ones when i <= padLen, else 0
    diff |= (p[len - 1 - i]! ^ padLen) & mask;
  }
  bad |= (diff | -diff) >>> 31; // 1 when diff != 0
  const goodMask = bad - 1; // all ones when good, 0 when bad
  return ((padLen & goodMask) + 1) | (CBC_PADDING_GOOD & goodMask);
}

/** Length-field size in the final hash block: 8 bytes for SHA-1/SHA-256, 16 for SHA-384/512. */
function lengthFieldSize(hash: HashName): number {
  return HASH_BLOCK_LENGTH[hash] === 128 ? 16 : 8;
}

/**
 * Compression-function calls of the inner hash of HMAC over `messageLength` bytes: one for the
 * key block (K xor ipad), then the message, a 0x80 byte and the length field rounded up to
 * whole blocks. (The outer hash costs the same for every message.)
 */
export function hmacInnerBlocks(hash: HashName, messageLength: number): number {
  const b = HASH_BLOCK_LENGTH[hash];
  return 1 + Math.floor((messageLength + lengthFieldSize(hash) + b) / b);
}

const ZEROS = new Uint8Array(6 * 128);

/**
 * After an HMAC over `macLength` bytes (which depends on the secret padding length), hash
 * enough extra data that the total number of compression blocks equals that of an HMAC over
 * `maxMacLength` bytes plus one. Go's crypto/tls reaches the same end by hashing the padding
 * bytes after the MAC; with a one-shot HMAC in the provider interface we hash a separate
 * buffer of exactly the missing number of blocks (n blocks of input cost n + 1 compressions
 * once the final padding block is counted, hence the constant "+ 1").
 */
export function equalizeMacWork(provider: CryptoProvider, hash: HashName, macLength: number, maxMacLength: number): void {
  const missing = hmacInnerBlocks(hash, maxMacLength) - hmacInnerBlocks(hash, macLength);
  provider.digest(hash, ZEROS.subarray(0, missing * HASH_BLOCK_LENGTH[hash]));
}
