// TLS 1.3 record protection (RFC 8446 §5.2-§5.5): one sealer per direction we send, one opener
// per direction we receive, each bound to one traffic key. A KeyUpdate (§4.6.3) or an epoch change
// builds a new sealer/opener from the next secret's keys:
//
//   new RecordSealer13(provider, suite, trafficKeys(provider, suite, secret))
//
// (`trafficKeys` lives in src/schedule; record and schedule do not import each other, so the
// connection joins them.)
//
// Allocation: `sealInto` writes header || encrypted TLSInnerPlaintext || tag for one or many
// records straight into the caller's buffer (the inner plaintext is laid out in place, then
// overwritten by the provider's ciphertext; with an AEAD that has the optional `sealInto`,
// directly, without an intermediate buffer).
//
// Memory: a connection keeps one sealer and one opener for its whole life, so their per-instance
// state is kept small. The nonce and the opener's AAD are module-level scratch buffers shared by
// every instance: each AEAD call reads them synchronously and keeps no reference (the Aead
// interface takes them as inputs only), and nothing here is re-entrant. The IV is kept as three
// 32-bit words (numbers) instead of a copied Uint8Array (~200 heap bytes each).
import type { Aead, CryptoProvider } from '../crypto/provider.js';
import { AEAD_TAG_LENGTH } from '../crypto/provider.js';
import type { Tls13Suite } from '../crypto/suites.js';
import { internalError, TlsError } from '../errors/errors.js';
import { ContentType } from '../wire/enums.js';
import type { TlsRecord } from './deframer.js';
import { sealToNewBuffer, type OpenedRecord, type RecordOpener, type RecordSealer } from './protection.js';
import { MAX_CIPHERTEXT_LENGTH_13, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from './limits.js';
import { RecordSequence } from './sequence.js';

/** An AEAD key and its 12-byte IV (same shape as the key schedule's TrafficKeys). */
export interface RecordKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

/**
 * How many zero bytes of padding to add to a record (RFC 8446 §5.4). Must be a pure function of
 * its arguments (`sealedLength` calls it to size the output). The result is clamped to
 * 0..maxPadding.
 */
export type PaddingPolicy = (type: number, contentLength: number, maxPadding: number) => number;

/** Pad every TLSInnerPlaintext (content + type byte + padding) to a multiple of `block` bytes. */
export function padToMultiple(block: number): PaddingPolicy {
  if (!Number.isInteger(block) || block < 1) throw internalError(`bad padding block ${block}`);
  return (_type, contentLength) => {
    const r = (contentLength + 1) % block;
    return r === 0 ? 0 : block - r;
  };
}

export interface Protection13Options {
  /**
   * `needsKeyUpdate` turns true once this many records were protected with this key. Default:
   * 2^24 for AES-GCM (RFC 8446 §5.5 allows about 2^24.5 full-size records), never for
   * ChaCha20-Poly1305 (the sequence number runs out first).
   */
  keyUpdateThreshold?: number;
  /**
   * Largest content per record: 2^14 by default, lower after record_size_limit (RFC 8449: the
   * limit there counts the content type byte and padding, so pass limit - 1).
   */
  maxFragmentLength?: number;
  /** Sealer only: padding policy; none by default. */
  padding?: PaddingPolicy;
  /** Start at this sequence number instead of 0 (tests; never needed by a connection). */
  initialSequence?: bigint;
}

/** RFC 8446 §5.5 default limits, in records. */
export function defaultKeyUpdateThreshold(suite: Tls13Suite): number {
  return suite.aead === 'chacha20-poly1305' ? Infinity : 2 ** 24;
}

/** RFC 8446 §5.3: the sequence number must not wrap; a KeyUpdate renews it. */
const EXHAUSTED = 'record sequence number exhausted; a KeyUpdate was required';

/** Shared scratch: the per-record nonce (every byte is rewritten by nextNonce). */
const NONCE = new Uint8Array(12);
/** Shared scratch: the opener's additional data (every byte is rewritten by open). */
const AAD = new Uint8Array(RECORD_HEADER_LENGTH);

/** Big-endian 32-bit word of `b` at `o`, as an int32 (a small integer for V8). */
function word(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/** The per-direction state shared by sealer and opener: AEAD, IV, 64-bit sequence number. */
abstract class Protection13 extends RecordSequence {
  protected readonly aead: Aead;
  /** The 12-byte IV as big-endian words: iv[0..4], iv[4..8], iv[8..12]. */
  private readonly iv0: number;
  private readonly iv1: number;
  private readonly iv2: number;
  private count = 0;
  private readonly threshold: number;
  /** Largest content per record: the opener's bound; the sealer's cut (lowered by limitFragment). */
  protected maxFragment: number;

  protected constructor(provider: CryptoProvider, readonly suite: Tls13Suite, keys: RecordKeys, options: Protection13Options) {
    if (keys.key.length !== suite.keyLength) throw internalError(`${suite.name}: key has ${keys.key.length} bytes, needs ${suite.keyLength}`);
    if (keys.iv.length !== suite.ivLength) throw internalError(`${suite.name}: IV has ${keys.iv.length} bytes, needs ${suite.ivLength}`);
    super(options.initialSequence);
    this.aead = provider.aead(suite.aead, keys.key);
    this.iv0 = word(keys.iv, 0);
    this.iv1 = word(keys.iv, 4);
    this.iv2 = word(keys.iv, 8);
    this.threshold = options.keyUpdateThreshold ?? defaultKeyUpdateThreshold(suite);
    this.maxFragment = options.maxFragmentLength ?? MAX_PLAINTEXT_LENGTH;
    if (!Number.isInteger(this.maxFragment) || this.maxFragment < 1 || this.maxFragment > MAX_PLAINTEXT_LENGTH) {
      throw internalError(`bad maxFragmentLength ${this.maxFragment}`);
    }
  }

  /** Records protected with this key so far. */
  get recordCount(): number {
    return this.count;
  }

  /** True once `keyUpdateThreshold` records were protected: time to send a KeyUpdate (§5.5). */
  get needsKeyUpdate(): boolean {
    return this.count >= this.threshold;
  }

  /**
   * RFC 8446 §5.3: nonce = iv XOR (sequence number, 64-bit big-endian, left-padded to 12 bytes).
   * Writes the nonce for the current number into the shared scratch and advances it; the
   * result is valid until the next nextNonce() of any instance (use it at once). The last value,
   * 2^64-1, is never used: the connection must rekey or close first (§5.3 forbids wrapping).
   */
  protected nextNonce(): Uint8Array {
    const hi = this.seqHi;
    const lo = this.seqLo;
    this.advanceSequence(EXHAUSTED);
    const n = NONCE;
    const w0 = this.iv0;
    const w1 = this.iv1 ^ hi;
    const w2 = this.iv2 ^ lo;
    n[0] = w0 >>> 24;
    n[1] = w0 >>> 16;
    n[2] = w0 >>> 8;
    n[3] = w0;
    n[4] = w1 >>> 24;
    n[5] = w1 >>> 16;
    n[6] = w1 >>> 8;
    n[7] = w1;
    n[8] = w2 >>> 24;
    n[9] = w2 >>> 16;
    n[10] = w2 >>> 8;
    n[11] = w2;
    this.count++;
    return n;
  }
}

export class RecordSealer13 extends Protection13 implements RecordSealer {
  private readonly padding: PaddingPolicy | undefined;
  /** The maxFragmentLength this sealer was made with: limitFragment() may not go above it. */
  private readonly fragmentCeiling: number;

  constructor(provider: CryptoProvider, suite: Tls13Suite, keys: RecordKeys, options: Protection13Options = {}) {
    super(provider, suite, keys, options);
    this.padding = options.padding;
    this.fragmentCeiling = this.maxFragment;
  }

  /** Content per record from now on: at most `max` bytes (padding then fills up to `max` too). */
  limitFragment(max: number): void {
    if (!Number.isInteger(max) || max < 1 || max > this.fragmentCeiling) throw internalError(`bad fragment limit ${max}`);
    this.maxFragment = max;
  }

  private padFor(type: number, contentLength: number): number {
    if (this.padding === undefined) return 0;
    const max = this.maxFragment - contentLength;
    const p = this.padding(type, contentLength, max);
    if (!Number.isInteger(p) || p <= 0) return 0;
    return p > max ? max : p;
  }

  /** Bytes `sealInto` writes for `dataLength` bytes of `type`. */
  sealedLength(type: number, dataLength: number): number {
    const max = this.maxFragment;
    const records = dataLength === 0 ? 1 : Math.ceil(dataLength / max);
    let total = dataLength + records * (RECORD_HEADER_LENGTH + 1 + AEAD_TAG_LENGTH);
    if (this.padding !== undefined) {
      for (let p = 0, i = 0; i < records; i++, p += max) total += this.padFor(type, Math.min(max, dataLength - p));
    }
    return total;
  }

  /**
   * Protect `data` as records of content `type` (split at maxFragmentLength), written
   * contiguously into `out` from `offset`. Returns the offset after the last record. Empty data
   * gives one record with empty content (valid only for application_data, RFC 8446 §5.1).
   */
  sealInto(type: number, data: Uint8Array, out: Uint8Array, offset: number): number {
    const max = this.maxFragment;
    let o = offset;
    let p = 0;
    do {
      const n = Math.min(max, data.length - p);
      const pad = this.padFor(type, n);
      const inner = n + 1 + pad;
      const recordLength = inner + AEAD_TAG_LENGTH;
      const end = o + RECORD_HEADER_LENGTH + recordLength;
      if (end > out.length) throw internalError(`record output buffer too small: need ${end}, have ${out.length}`);
      // RFC 8446 §5.2: opaque_type = application_data, legacy_record_version = 0x0303, and the
      // header is the AEAD additional data.
      out[o] = ContentType.application_data;
      out[o + 1] = 0x03;
      out[o + 2] = 0x03;
      out[o + 3] = recordLength >>> 8;
      out[o + 4] = recordLength & 0xff;
      const body = o + RECORD_HEADER_LENGTH;
      // TLSInnerPlaintext = content || ContentType || zeros (§5.2), laid out where the
      // ciphertext goes.
      out.set(data.subarray(p, p + n), body);
      out[body + n] = type;
      if (pad > 0) out.fill(0, body + n + 1, body + inner);
      const nonce = this.nextNonce();
      const aad = out.subarray(o, body);
      const plaintext = out.subarray(body, body + inner);
      if (this.aead.sealInto !== undefined) {
        // Ciphertext and tag straight into `out`, over the plaintext they replace.
        const written = this.aead.sealInto(nonce, aad, plaintext, out, body);
        if (written !== end) throw internalError(`AEAD wrote ${written - body} bytes, expected ${recordLength}`);
      } else {
        const sealed = this.aead.seal(nonce, aad, plaintext);
        if (sealed.length !== recordLength) throw internalError(`AEAD returned ${sealed.length} bytes, expected ${recordLength}`);
        out.set(sealed, body);
      }
      o = end;
      p += n;
    } while (p < data.length);
    return o;
  }

  /** Protect `data` as one or more contiguous records in a new buffer (one socket write). */
  seal(type: number, data: Uint8Array): Uint8Array {
    return sealToNewBuffer(this, type, data);
  }
}

export type { OpenedRecord };

export class RecordOpener13 extends Protection13 implements RecordOpener {
  readonly protectsAllTypes = false;

  constructor(provider: CryptoProvider, suite: Tls13Suite, keys: RecordKeys, options: Protection13Options = {}) {
    super(provider, suite, keys, options);
  }

  /**
   * Decrypt one TLSCiphertext. The record's outer type must be application_data (the connection
   * handles the unprotected change_cipher_spec it may see during the handshake, §5). Errors:
   * record_overflow for an encrypted_record over 2^14 + 256 or a TLSInnerPlaintext over
   * maxFragmentLength + 1 (§5.2, §5.4); bad_record_mac when authentication fails;
   * unexpected_message for all-zero inner plaintext, a protected change_cipher_spec or unknown
   * inner type, or an empty handshake/alert record.
   */
  open(record: TlsRecord): OpenedRecord {
    const f = record.fragment;
    if (record.type !== ContentType.application_data) {
      throw new TlsError('unexpected_message', `protected record has outer content type ${record.type}, not application_data`);
    }
    if (f.length > MAX_CIPHERTEXT_LENGTH_13) {
      throw new TlsError('record_overflow', `encrypted record of ${f.length} bytes exceeds 2^14 + 256`);
    }
    if (f.length < AEAD_TAG_LENGTH) {
      throw new TlsError('bad_record_mac', `encrypted record of ${f.length} bytes is shorter than the tag`);
    }
    // RFC 8446 §5.2: additional_data = opaque_type || legacy_record_version || length, as received.
    const aad = AAD;
    aad[0] = record.type;
    aad[1] = record.version >>> 8;
    aad[2] = record.version & 0xff;
    aad[3] = f.length >>> 8;
    aad[4] = f.length & 0xff;
    const pt = this.aead.open(this.nextNonce(), aad, f);
    if (pt === null) throw new TlsError('bad_record_mac', 'record authentication failed');
    if (pt.length > this.maxFragment + 1) {
      throw new TlsError('record_overflow', `decrypted record of ${pt.length} bytes exceeds ${this.maxFragment + 1}`);
    }
    // §5.4: the content type is the last non-zero byte; padding is the zeros after it.
    let i = pt.length - 1;
    while (i >= 0 && pt[i] === 0) i--;
    if (i < 0) throw new TlsError('unexpected_message', 'protected record has no non-zero content type');
    const type = pt[i]!;
    if (type !== ContentType.application_data && type !== ContentType.handshake && type !== ContentType.alert) {
      throw new TlsError('unexpected_message', `protected record of inner content type ${type}`);
    }
    if (i === 0 && type !== ContentType.application_data) {
      throw new TlsError('unexpected_message', `empty protected record of content type ${type}`);
    }
    return { type, content: pt.subarray(0, i) };
  }
}
