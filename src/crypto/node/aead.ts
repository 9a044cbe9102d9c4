// AEADs (RFC 5116 interface; AES-GCM per NIST SP 800-38D, ChaCha20-Poly1305 per RFC 8439) and raw
// AES-CBC for the TLS 1.2 CBC suites, on node:crypto.
import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import { UsageError } from '../../errors/index.js';
import {
  AEAD_KEY_LENGTH,
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  type Aead,
  type AeadName,
  type BlockCipher,
  type BlockCipherName,
} from '../provider.js';
import { u8 } from './util.js';

const TAG = { authTagLength: AEAD_TAG_LENGTH } as const;

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== AEAD_NONCE_LENGTH) {
    throw new UsageError(`AEAD nonce must be ${AEAD_NONCE_LENGTH} bytes, got ${nonce.length}`);
  }
}

/** The node AEAD: `sealInto` (the optional Aead method) is always there. */
export type NodeAead = Aead & Required<Pick<Aead, 'sealInto'>>;

export function createAead(name: AeadName, key: Uint8Array): NodeAead {
  const keyLen = Object.prototype.hasOwnProperty.call(AEAD_KEY_LENGTH, name) ? AEAD_KEY_LENGTH[name] : undefined;
  if (keyLen === undefined) throw new UsageError(`unknown AEAD '${String(name)}'`);
  if (key.length !== keyLen) throw new UsageError(`${name} key must be ${keyLen} bytes, got ${key.length}`);
  return new NodeAeadImpl(name, key);
}

/**
 * One object per key with prototype methods (not an object literal of closures): a connection
 * keeps two AEADs for its whole life, and four closures plus their context cost ~450 heap bytes
 * per connection.
 *
 * One cipher context per record: node cannot re-key a context with a new nonce. setAAD needs
 * no plaintextLength for GCM and ChaCha20-Poly1305 (only CCM does); final() emits nothing for
 * these stream modes but computes the tag.
 */
class NodeAeadImpl implements NodeAead {
  readonly name: AeadName;
  /** Own copy: the caller may reuse its buffer; node copies the key into each cipher context anyway. */
  readonly #key: Buffer;

  constructor(name: AeadName, key: Uint8Array) {
    this.name = name;
    this.#key = Buffer.from(key);
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    checkNonce(nonce);
    const c = createCipheriv(this.name as CipherGCMTypes, this.#key, nonce, TAG);
    c.setAAD(aad);
    const ct = c.update(plaintext);
    c.final();
    const out = Buffer.allocUnsafe(ct.length + AEAD_TAG_LENGTH);
    out.set(ct, 0);
    out.set(c.getAuthTag(), ct.length);
    return u8(out);
  }

  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    const n = plaintext.length;
    if (!(offset >= 0) || offset + n + AEAD_TAG_LENGTH > out.length) {
      throw new UsageError(`sealInto: ${n + AEAD_TAG_LENGTH} bytes do not fit at offset ${offset} of ${out.length}`);
    }
    checkNonce(nonce);
    // `plaintext` may be the very bytes of `out` being overwritten: update() has read all of it
    // into `ct` before anything is written.
    const c = createCipheriv(this.name as CipherGCMTypes, this.#key, nonce, TAG);
    c.setAAD(aad);
    const ct = c.update(plaintext);
    c.final();
    out.set(ct, offset);
    out.set(c.getAuthTag(), offset + n);
    return offset + n + AEAD_TAG_LENGTH;
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null {
    checkNonce(nonce);
    const n = ciphertextAndTag.length - AEAD_TAG_LENGTH;
    if (n < 0) return null;
    const d = createDecipheriv(this.name as CipherGCMTypes, this.#key, nonce, TAG);
    d.setAuthTag(ciphertextAndTag.subarray(n));
    d.setAAD(aad);
    const pt = d.update(ciphertextAndTag.subarray(0, n));
    try {
      d.final(); // throws when the tag does not verify
    } catch {
      pt.fill(0);
      return null;
    }
    return u8(pt);
  }
}

const BLOCK_KEY_LENGTH: Readonly<Record<BlockCipherName, number>> = { 'aes-128-cbc': 16, 'aes-256-cbc': 32 };

export function createBlockCipher(name: BlockCipherName, key: Uint8Array): BlockCipher {
  const keyLen = Object.prototype.hasOwnProperty.call(BLOCK_KEY_LENGTH, name) ? BLOCK_KEY_LENGTH[name] : undefined;
  if (keyLen === undefined) throw new UsageError(`unknown block cipher '${String(name)}'`);
  if (key.length !== keyLen) throw new UsageError(`${name} key must be ${keyLen} bytes, got ${key.length}`);
  const k = Buffer.from(key);
  const check = (iv: Uint8Array, data: Uint8Array): void => {
    if (iv.length !== 16) throw new UsageError(`${name} IV must be 16 bytes, got ${iv.length}`);
    if (data.length % 16 !== 0) throw new UsageError(`${name} data must be a multiple of 16 bytes, got ${data.length}`);
  };
  return {
    name,
    encrypt(iv, data) {
      check(iv, data);
      const c = createCipheriv(name, k, iv).setAutoPadding(false);
      const out = c.update(data);
      c.final();
      return u8(out);
    },
    decrypt(iv, data) {
      check(iv, data);
      const d = createDecipheriv(name, k, iv).setAutoPadding(false);
      const out = d.update(data);
      d.final();
      return u8(out);
    },
  };
}
