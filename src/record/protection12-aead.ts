// TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3): AES-GCM (RFC 5288) with an 8-byte explicit
// nonce = the sequence number; ChaCha20-Poly1305 (RFC 7905) with no explicit nonce.
//
// The nonce and the AAD are module-level scratch buffers shared by every instance (each AEAD call
// reads them synchronously and keeps no reference) and the implicit IV is kept as 32-bit words, so
// an idle connection holds no per-direction buffers.
import type { Aead, CryptoProvider } from '../crypto/provider.js';
import { AEAD_TAG_LENGTH } from '../crypto/provider.js';
import type { Tls12AeadCipher } from '../crypto/suites.js';
import { internalError } from '../errors/errors.js';
import type { TlsRecord } from './deframer.js';
import { RecordSequence } from './sequence.js';
import {
  badRecordMac,
  EXHAUSTED_12,
  SEQ_HEADER_LENGTH,
  writeHeaderFields,
  type Protection12Cipher,
  type RecordKeys12,
} from './protection12-cipher.js';

/** Shared scratch: the nonce; every byte is rewritten before each use. */
const NONCE = new Uint8Array(12);
/** Shared scratch: seq_num || type || version || length (the AAD); rewritten before each use. */
const AAD = new Uint8Array(SEQ_HEADER_LENGTH);

/** Big-endian 32-bit word of `b` at `o` (0 past its end), as an int32. */
function word(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0);
}

export class AeadProtection12 extends RecordSequence implements Protection12Cipher {
  private readonly aead: Aead;
  /** 8 (GCM: nonce_explicit in the record) or 0 (ChaCha20-Poly1305). */
  private readonly explicitNonceLength: number;
  /** The implicit IV (4 or 12 bytes) as big-endian words iv[0..4], iv[4..8], iv[8..12] (0 past its end). */
  private readonly iv0: number;
  private readonly iv1: number;
  private readonly iv2: number;

  constructor(provider: CryptoProvider, suiteName: string, cipher: Tls12AeadCipher, keys: RecordKeys12, initialSequence?: bigint) {
    if (keys.iv.length !== cipher.fixedIvLength) throw internalError(`${suiteName}: IV has ${keys.iv.length} bytes, needs ${cipher.fixedIvLength}`);
    super(initialSequence);
    this.aead = provider.aead(cipher.aead, keys.key);
    this.explicitNonceLength = cipher.explicitNonceLength;
    this.iv0 = word(keys.iv, 0);
    this.iv1 = word(keys.iv, 4);
    this.iv2 = word(keys.iv, 8);
  }

  bodyLength(n: number): number {
    return this.explicitNonceLength + n + AEAD_TAG_LENGTH;
  }

  /** RFC 5246 §6.2.3.3 / RFC 5288 §3 / RFC 7905 §2: body = nonce_explicit || ciphertext || tag. */
  sealBody(type: number, content: Uint8Array, out: Uint8Array, body: number, bodyLength: number): void {
    const aad = AAD;
    const hi = this.seqHi;
    const lo = this.seqLo;
    this.takeSequence(aad, 0, EXHAUSTED_12);
    writeHeaderFields(aad, type, 0x0303, content.length);
    const nonce = this.nonce(hi, lo);
    const explicit = this.explicitNonceLength;
    if (explicit === 8) {
      // hush's nonce_explicit is the sequence number.
      putU32(out, body, hi);
      putU32(out, body + 4, lo);
    }
    const aead = this.aead;
    if (aead.sealInto !== undefined) {
      // Ciphertext and tag straight into the record (no intermediate buffer, no copy).
      const end = aead.sealInto(nonce, aad, content, out, body + explicit);
      if (end !== body + bodyLength) throw internalError(`AEAD wrote ${end - body - explicit} bytes, expected ${bodyLength - explicit}`);
      return;
    }
    const sealed = aead.seal(nonce, aad, content);
    if (sealed.length !== bodyLength - explicit) throw internalError(`AEAD returned ${sealed.length} bytes, expected ${bodyLength - explicit}`);
    out.set(sealed, body + explicit);
  }

  openBody(record: TlsRecord): Uint8Array {
    const f = record.fragment;
    const explicit = this.explicitNonceLength;
    if (f.length < explicit + AEAD_TAG_LENGTH) throw badRecordMac();
    const aad = AAD;
    const hi = this.seqHi;
    const lo = this.seqLo;
    this.takeSequence(aad, 0, EXHAUSTED_12);
    writeHeaderFields(aad, record.type, record.version, f.length - explicit - AEAD_TAG_LENGTH);
    const nonce = this.nonce(hi, lo);
    // RFC 5288 §3: the nonce_explicit is whatever the sender put in the record.
    if (explicit === 8) nonce.set(f.subarray(0, 8), 4);
    const pt = this.aead.open(nonce, aad, f.subarray(explicit));
    if (pt === null) throw badRecordMac();
    return pt;
  }

  /**
   * The nonce for sequence number hi:lo, in the shared scratch (valid until the next AEAD record
   * of any instance: use it at once). RFC 5288 §3: salt(4) || nonce_explicit(8), where hush's
   * nonce_explicit is the sequence number (iv1 = iv2 = 0 for a 4-byte salt); RFC 7905 §2: the
   * 12-byte IV XOR the sequence number left-padded with zeros. Both are iv XOR (0 || seq).
   */
  private nonce(hi: number, lo: number): Uint8Array {
    const n = NONCE;
    putU32(n, 0, this.iv0);
    putU32(n, 4, this.iv1 ^ hi);
    putU32(n, 8, this.iv2 ^ lo);
    return n;
  }
}

/** out[o..o+4] = w, big-endian. */
function putU32(out: Uint8Array, o: number, w: number): void {
  out[o] = w >>> 24;
  out[o + 1] = w >>> 16;
  out[o + 2] = w >>> 8;
  out[o + 3] = w;
}
