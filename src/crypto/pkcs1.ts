// Constant-time RSAES-PKCS1-v1_5 decoding (RFC 8017 §7.2.2 step 3, "EME-PKCS1-v1_5 decoding") of
// the raw RSA output EM = c^d mod n, as returned by CryptoProvider.rsaDecryptRaw:
//
//     EM = 0x00 || 0x02 || PS || 0x00 || M      with PS at least 8 non-zero bytes.
//
// Why constant time: whether a ciphertext has valid padding is exactly the oracle of
// Bleichenbacher's attack (1998) and its revival ROBOT (2017). RFC 8017 §7.2.2 Note: an opponent
// must not learn which error occurred — and not from timing either. So nothing here branches,
// exits early or indexes memory on a secret byte: every byte is visited, each check contributes to
// an arithmetic mask, and only public values (lengths) steer control flow.
//
// Masks are byte masks: 0xff for "true", 0x00 for "false". Helpers work on small non-negative
// integers (< 2^31), which is all we feed them.

/** 0xff when x === 0, else 0x00 (x a non-negative integer < 2^31). */
function isZero(x: number): number {
  // x - 1 is negative only for x = 0; the arithmetic shift smears the sign bit.
  return ((x - 1) >> 31) & 0xff;
}

/** 0xff when a === b, else 0x00. */
function equalMask(a: number, b: number): number {
  return isZero(a ^ b);
}

/** 0xff when a < b, else 0x00 (both non-negative < 2^30). */
function lessThan(a: number, b: number): number {
  return ((a - b) >> 31) & 0xff;
}

/** mask ? a : b for byte values, without a branch (mask is 0xff or 0x00). */
function select(mask: number, a: number, b: number): number {
  return (a & mask) | (b & ~mask & 0xff);
}

/** mask ? a : b for small integers, without a branch (mask is 0xff or 0x00). */
function selectInt(mask: number, a: number, b: number): number {
  const m = -(mask & 1); // 0xff → all ones, 0x00 → 0
  return (a & m) | (b & ~m);
}

/** RFC 8017 §7.2.1: the padding string PS is at least 8 bytes, so EM is at least 11 bytes longer than M. */
export const PKCS1_MIN_PADDING = 11;

export interface Pkcs1FixedResult {
  /** 0xff when EM is a valid type-2 block carrying exactly `expectedLength` bytes, else 0x00. */
  readonly validMask: number;
  /**
   * The last `expectedLength` bytes of EM: the message when valid, garbage otherwise. Always a
   * fresh array of exactly `expectedLength` bytes, so callers can select over it with the mask.
   */
  readonly message: Uint8Array;
}

/**
 * Decode EM expecting a message of exactly `expectedLength` bytes (public, e.g. 48 for a TLS
 * premaster secret). The separator then has a fixed position, so the checks are a fixed scan:
 * EM[0] = 0, EM[1] = 2, EM[2 .. k-L-2] all non-zero, EM[k-L-1] = 0.
 * A block that is valid PKCS#1 but carries a message of another length is invalid here (its
 * separator is elsewhere, so either PS holds a zero or EM[k-L-1] is not zero).
 */
export function pkcs1Type2UnpadFixed(em: Uint8Array, expectedLength: number): Pkcs1FixedResult {
  const k = em.length;
  if (!Number.isInteger(expectedLength) || expectedLength < 0) {
    throw new RangeError(`pkcs1Type2UnpadFixed: bad expected length ${expectedLength}`);
  }
  // Public: the key size and the expected length decide whether a valid block can exist at all.
  if (k < expectedLength + PKCS1_MIN_PADDING) {
    return { validMask: 0, message: new Uint8Array(expectedLength) };
  }
  const sep = k - expectedLength - 1;
  let good = isZero(em[0]!) & equalMask(em[1]!, 2);
  for (let i = 2; i < sep; i++) good &= ~isZero(em[i]!) & 0xff;
  good &= isZero(em[sep]!);
  return { validMask: good, message: em.slice(sep + 1) };
}

export interface Pkcs1AnyResult {
  /** 0xff when EM is a valid type-2 block, else 0x00. */
  readonly validMask: number;
  /**
   * The message length when valid (secret until the caller decides to use it); 0 when invalid.
   */
  readonly length: number;
  /**
   * A fixed-size buffer of k - 11 bytes whose first `length` bytes are the message. Its size does
   * not depend on EM's contents.
   */
  readonly block: Uint8Array;
}

/**
 * Decode EM with a message of any length (RFC 8017 §7.2.2), in constant time up to the point where
 * the caller uses `length`: the separator is found with a full scan, and the message is moved to
 * the front of a fixed buffer by log2(k) conditional shifts whose memory accesses do not depend on
 * the secret offset (the technique of OpenSSL's RSA_padding_check_PKCS1_type_2).
 * TLS does not use this (it knows the length: `pkcs1Type2UnpadFixed`); it is the generic decoder.
 */
export function pkcs1Type2UnpadAny(em: Uint8Array): Pkcs1AnyResult {
  const k = em.length;
  if (k < PKCS1_MIN_PADDING) return { validMask: 0, length: 0, block: new Uint8Array(0) };
  let good = isZero(em[0]!) & equalMask(em[1]!, 2);
  // The index of the first zero byte after the block type, by a full scan.
  let zeroIndex = 0;
  let looking = 0xff;
  for (let i = 2; i < k; i++) {
    const z = isZero(em[i]!);
    zeroIndex = selectInt(looking & z, i, zeroIndex);
    looking &= ~z & 0xff;
  }
  good &= ~looking & 0xff; // a separator exists
  good &= ~lessThan(zeroIndex, 2 + 8) & 0xff; // PS has at least 8 bytes
  const msgStart = zeroIndex + 1;
  const length = selectInt(good, k - msgStart, 0);

  // Copy EM[11..k) and shift it left by (msgStart - 11), one power of two at a time.
  const max = k - PKCS1_MIN_PADDING;
  const block = em.slice(PKCS1_MIN_PADDING);
  const shift = selectInt(good, msgStart - PKCS1_MIN_PADDING, 0);
  for (let step = 1; step < max; step <<= 1) {
    const doShift = isZero(shift & step) ^ 0xff;
    for (let i = 0; i < max; i++) {
      const from = i + step < max ? block[i + step]! : 0; // public indices only
      block[i] = select(doShift, from, block[i]!);
    }
  }
  // Bytes past the message are zeroed so that an invalid block yields nothing of EM.
  for (let i = 0; i < max; i++) block[i] = select(lessThan(i, length), block[i]!, 0);
  return { validMask: good, length, block };
}
