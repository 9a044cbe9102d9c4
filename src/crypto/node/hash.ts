// Hashes, HMAC and HKDF on node:crypto. HKDF is RFC 5869's construction over HMAC (createHmac is
// faster here than crypto.hkdfSync for the short outputs of the TLS key schedule).
import { createHash, createHmac, type Hash } from 'node:crypto';
import { UsageError } from '../../errors/index.js';
import { HASH_LENGTH, type HashName, type HashState } from '../provider.js';
import { u8 } from './util.js';

class NodeHashState implements HashState {
  #h: Hash;
  constructor(h: Hash) {
    this.#h = h;
  }
  update(data: Uint8Array): void {
    this.#h.update(data);
  }
  digest(): Uint8Array {
    return u8(this.#h.digest());
  }
  copy(): HashState {
    return new NodeHashState(this.#h.copy());
  }
}

export function checkHash(name: HashName): void {
  if (!Object.prototype.hasOwnProperty.call(HASH_LENGTH, name)) throw new UsageError(`unknown hash '${String(name)}'`);
}

export function hashState(name: HashName): HashState {
  checkHash(name);
  return new NodeHashState(createHash(name));
}

export function digest(name: HashName, data: Uint8Array): Uint8Array {
  checkHash(name);
  return u8(createHash(name).update(data).digest());
}

export function hmac(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  checkHash(name);
  return u8(createHmac(name, key).update(data).digest());
}

const ZERO_SALTS: Partial<Record<HashName, Uint8Array>> = {};

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an absent (empty) salt is HashLen zeros. */
export function hkdfExtract(name: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  checkHash(name);
  let s = salt;
  if (s.length === 0) s = ZERO_SALTS[name] ??= new Uint8Array(HASH_LENGTH[name]);
  return u8(createHmac(name, s).update(ikm).digest());
}

const COUNTER: Uint8Array[] = Array.from({ length: 256 }, (_, i) => Uint8Array.of(i));

/** RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), L <= 255 * HashLen. */
export function hkdfExpand(name: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  checkHash(name);
  const hashLen = HASH_LENGTH[name];
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLen) {
    throw new UsageError(`HKDF-Expand length ${length} is outside 0..${255 * hashLen} for ${name}`);
  }
  if (length <= hashLen) {
    // One block: the common case in the TLS key schedule.
    const t = createHmac(name, prk).update(info).update(COUNTER[1]!).digest();
    return length === hashLen ? u8(t) : u8(t).slice(0, length);
  }
  const out = new Uint8Array(length);
  let prev: Uint8Array = new Uint8Array(0);
  for (let i = 1, off = 0; off < length; i++) {
    const t = u8(createHmac(name, prk).update(prev).update(info).update(COUNTER[i]!).digest());
    out.set(t.subarray(0, Math.min(hashLen, length - off)), off);
    off += hashLen;
    prev = t;
  }
  return out;
}
