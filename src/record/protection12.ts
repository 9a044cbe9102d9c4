// TLS 1.2 record protection (RFC 5246 §6.2.3): AEAD (AES-GCM RFC 5288 with an 8-byte explicit
// nonce = the sequence number; ChaCha20-Poly1305 RFC 7905 with no explicit nonce) and, for the
// client's legacy CBC suites, MAC-then-encrypt (§6.2.3.2) or encrypt-then-MAC (RFC 7366).
//
// One sealer per direction we send, one opener per direction we receive, each bound to the keys
// of one ChangeCipherSpec epoch; the 64-bit sequence number starts at 0 with each new key
// (RFC 5246 §6.1) and never wraps.
//
//   const kb = keyBlock12(provider, suite, masterSecret, clientRandom, serverRandom);
//   new RecordSealer12(provider, suite, kb.client)   // client side
//   new RecordOpener12(provider, suite, kb.server)
//
// (record and schedule do not import each other, so `RecordKeys12` repeats the shape of the
// schedule's `Keys12`; the connection joins them.)
//
// Allocation: `sealInto` writes header || explicit nonce or IV || ciphertext || tag/MAC for one or
// many records straight into the caller's buffer. AEAD suites: the nonce and the AAD are
// module-level scratch buffers shared by every instance (each AEAD call reads them synchronously
// and keeps no reference) and the implicit IV is kept as 32-bit words, so an idle connection
// holds no per-direction buffers; CBC suites: the MAC input is a per-instance scratch buffer. The
// only per-record allocations are the provider's outputs.
import type { Aead, BlockCipher, CryptoProvider, HashName } from '../crypto/provider.js';
import { AEAD_TAG_LENGTH } from '../crypto/provider.js';
import type { Tls12AeadCipher, Tls12CbcCipher, Tls12Suite } from '../crypto/suites.js';
import { constantTimeEqual } from '../bytes/index.js';
import { internalError, TlsError } from '../errors/errors.js';
import { ContentType } from '../wire/enums.js';
import { CBC_PADDING_GOOD, checkCbcPadding, equalizeMacWork } from './cbc12.js';
import type { TlsRecord } from './deframer.js';
import { MAX_CIPHERTEXT_LENGTH_12, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from './limits.js';
import { sealToNewBuffer, type OpenedRecord, type RecordOpener, type RecordSealer } from './protection.js';

/** One direction's keys: the same shape as the schedule's `Keys12` (RFC 5246 §6.3). */
export interface RecordKeys12 {
  /** HMAC key (CBC suites; empty for AEAD). */
  readonly macKey: Uint8Array;
  readonly key: Uint8Array;
  /** The implicit IV (AEAD: 4 bytes for GCM, 12 for ChaCha20-Poly1305); ignored for CBC. */
  readonly iv: Uint8Array;
}

export interface Protection12Options {
  /** RFC 7366 encrypt-then-MAC was negotiated (CBC suites only; ignored for AEAD). */
  readonly encryptThenMac?: boolean;
  /** Largest plaintext per record (default 2^14): the sealer splits there, the opener refuses more. */
  readonly maxFragmentLength?: number;
  /** CBC only: where explicit IVs come from (the provider's randomBytes by default). */
  readonly randomBytes?: (length: number) => Uint8Array;
  /** Start at this sequence number instead of 0 (tests; never needed by a connection). */
  readonly initialSequence?: bigint;
}

/** RFC 5246 §6.2.3.3: additional_data = seq_num(8) || type || version(2) || length(2). */
const AAD_LENGTH = 13;
/** The CBC MAC input starts with the same 13 bytes (§6.2.3.1): seq_num || type || version || length. */
const MAC_PREFIX_LENGTH = 13;
const CBC_BLOCK = 16;
const MAX_U32 = 0xffffffff;

/** Shared scratch (AEAD suites): the nonce; every byte is rewritten before each use. */
const NONCE = new Uint8Array(12);
/** Shared scratch (AEAD suites): seq_num || type || version || length; rewritten before each use. */
const AEAD_SCRATCH = new Uint8Array(AAD_LENGTH);

/** Big-endian 32-bit word of `b` at `o` (0 past its end), as an int32. */
function word(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0);
}
/** Every CBC authentication or padding failure, whatever its cause (RFC 5246 §6.2.3.2, §7.2.2). */
const BAD_RECORD_MAC = 'record authentication failed (bad_record_mac)';

function badRecordMac(): TlsError {
  return new TlsError('bad_record_mac', BAD_RECORD_MAC);
}

function checkType(type: number): void {
  if (type < ContentType.change_cipher_spec || type > ContentType.application_data) {
    throw internalError(`cannot protect a record of content type ${type}`);
  }
}

/** State shared by sealer and opener: the suite's cipher and the 64-bit sequence number. */
abstract class Protection12 {
  protected readonly aead: Aead | undefined;
  protected readonly aeadCipher: Tls12AeadCipher | undefined;
  protected readonly block: BlockCipher | undefined;
  protected readonly cbc: Tls12CbcCipher | undefined;
  protected readonly macHash: HashName = 'sha256';
  protected readonly macKey: Uint8Array = new Uint8Array(0);
  protected readonly etm: boolean;
  /** AEAD: the implicit IV (4 or 12 bytes) as big-endian words iv[0..4], iv[4..8], iv[8..12] (0 past its end). */
  private readonly iv0: number = 0;
  private readonly iv1: number = 0;
  private readonly iv2: number = 0;
  /** Scratch: AAD (AEAD: shared by all instances) or MAC input (CBC: 13-byte prefix then the data). */
  protected readonly scratch: Uint8Array;
  protected readonly maxFragment: number;
  private seqHi = 0;
  private seqLo = 0;

  protected constructor(protected readonly provider: CryptoProvider, readonly suite: Tls12Suite, keys: RecordKeys12, options: Protection12Options, scratchLength: (c: Tls12CbcCipher) => number) {
    const c = suite.cipher;
    if (keys.key.length !== c.keyLength) throw internalError(`${suite.name}: key has ${keys.key.length} bytes, needs ${c.keyLength}`);
    this.maxFragment = options.maxFragmentLength ?? MAX_PLAINTEXT_LENGTH;
    if (!Number.isInteger(this.maxFragment) || this.maxFragment < 1 || this.maxFragment > MAX_PLAINTEXT_LENGTH) {
      throw internalError(`bad maxFragmentLength ${this.maxFragment}`);
    }
    if (c.kind === 'aead') {
      if (keys.iv.length !== c.fixedIvLength) throw internalError(`${suite.name}: IV has ${keys.iv.length} bytes, needs ${c.fixedIvLength}`);
      this.aeadCipher = c;
      this.aead = provider.aead(c.aead, keys.key);
      this.iv0 = word(keys.iv, 0);
      this.iv1 = word(keys.iv, 4);
      this.iv2 = word(keys.iv, 8);
      this.etm = false;
      this.scratch = AEAD_SCRATCH;
    } else {
      if (keys.macKey.length !== c.macLength) throw internalError(`${suite.name}: MAC key has ${keys.macKey.length} bytes, needs ${c.macLength}`);
      this.cbc = c;
      this.block = provider.blockCipher(c.cipher, keys.key);
      this.macHash = c.mac;
      this.macKey = keys.macKey.slice();
      this.etm = options.encryptThenMac === true;
      this.scratch = new Uint8Array(scratchLength(c));
    }
    if (options.initialSequence !== undefined) {
      const s = options.initialSequence;
      if (s < 0n || s > 0xffffffffffffffffn) throw internalError('initialSequence out of range');
      this.seqHi = Number(s >> 32n);
      this.seqLo = Number(s & 0xffffffffn);
    }
  }

  /** The sequence number of the next record (RFC 5246 §6.1). */
  get sequenceNumber(): bigint {
    return (BigInt(this.seqHi) << 32n) | BigInt(this.seqLo);
  }

  /**
   * Write the current sequence number (uint64 big-endian) at buf[off..off+8] and advance it.
   * RFC 5246 §6.1: "Sequence numbers are of type uint64 and may not exceed 2^64-1"; they must
   * not wrap, so the last value is never used (hush does not renegotiate: the connection ends).
   */
  protected takeSequence(buf: Uint8Array, off: number): void {
    const hi = this.seqHi;
    const lo = this.seqLo;
    if (hi === MAX_U32 && lo === MAX_U32) {
      throw new TlsError('internal_error', 'TLS 1.2 record sequence number exhausted; the connection must close');
    }
    buf[off] = hi >>> 24;
    buf[off + 1] = (hi >>> 16) & 0xff;
    buf[off + 2] = (hi >>> 8) & 0xff;
    buf[off + 3] = hi & 0xff;
    buf[off + 4] = lo >>> 24;
    buf[off + 5] = (lo >>> 16) & 0xff;
    buf[off + 6] = (lo >>> 8) & 0xff;
    buf[off + 7] = lo & 0xff;
    if (lo === MAX_U32) {
      this.seqLo = 0;
      this.seqHi = hi + 1;
    } else {
      this.seqLo = lo + 1;
    }
  }

  /**
   * The AEAD nonce for the sequence number in scratch[0..8] (RFC 5288 §3: salt(4) ||
   * nonce_explicit(8), where hush's nonce_explicit is the sequence number; RFC 7905 §2: the
   * 12-byte IV XOR the sequence number left-padded with zeros). Written into the shared
   * scratch: valid until the next AEAD record of any instance (use it at once).
   */
  protected aeadNonce(): Uint8Array {
    const n = this.salted();
    const s = this.scratch;
    if (this.aeadCipher!.explicitNonceLength === 8) {
      for (let i = 0; i < 8; i++) n[4 + i] = s[i]!;
    } else {
      const w1 = this.iv1;
      const w2 = this.iv2;
      n[4] = (w1 >>> 24) ^ s[0]!;
      n[5] = (w1 >>> 16) ^ s[1]!;
      n[6] = (w1 >>> 8) ^ s[2]!;
      n[7] = w1 ^ s[3]!;
      n[8] = (w2 >>> 24) ^ s[4]!;
      n[9] = (w2 >>> 16) ^ s[5]!;
      n[10] = (w2 >>> 8) ^ s[6]!;
      n[11] = w2 ^ s[7]!;
    }
    return n;
  }

  /** The shared nonce scratch with its first 4 bytes set to iv[0..4] (the GCM salt). */
  protected salted(): Uint8Array {
    const n = NONCE;
    const w0 = this.iv0;
    n[0] = w0 >>> 24;
    n[1] = w0 >>> 16;
    n[2] = w0 >>> 8;
    n[3] = w0;
    return n;
  }

  protected macWith(input: Uint8Array): Uint8Array {
    return this.provider.hmac(this.macHash, this.macKey, input);
  }

  /** scratch[8..13] = type || version || length: the rest of the AAD / MAC prefix. */
  protected writeHeaderFields(type: number, version: number, length: number): void {
    const s = this.scratch;
    s[8] = type;
    s[9] = version >>> 8;
    s[10] = version & 0xff;
    s[11] = length >>> 8;
    s[12] = length & 0xff;
  }
}

export class RecordSealer12 extends Protection12 implements RecordSealer {
  readonly needsKeyUpdate = false;
  private readonly random: (length: number) => Uint8Array;

  constructor(provider: CryptoProvider, suite: Tls12Suite, keys: RecordKeys12, options: Protection12Options = {}) {
    // MAC input / plaintext staging: prefix || IV || content || MAC || padding.
    const max = options.maxFragmentLength ?? MAX_PLAINTEXT_LENGTH;
    super(provider, suite, keys, options, (c) => MAC_PREFIX_LENGTH + CBC_BLOCK + max + c.macLength + CBC_BLOCK);
    this.random = options.randomBytes ?? ((n) => provider.randomBytes(n));
  }

  /** Body length (after the 5-byte header) of one record with `n` bytes of content. */
  private recordLength(n: number): number {
    const a = this.aeadCipher;
    if (a !== undefined) return a.explicitNonceLength + n + AEAD_TAG_LENGTH;
    const mac = this.cbc!.macLength;
    // content [|| MAC] || padding || padding_length, rounded up to whole blocks (minimal padding).
    if (this.etm) return CBC_BLOCK + ((n + 1 + CBC_BLOCK - 1) & ~(CBC_BLOCK - 1)) + mac;
    return CBC_BLOCK + ((n + mac + 1 + CBC_BLOCK - 1) & ~(CBC_BLOCK - 1));
  }

  /** Bytes `sealInto` writes for `dataLength` bytes of content. */
  sealedLength(_type: number, dataLength: number): number {
    const max = this.maxFragment;
    const full = Math.floor(dataLength / max);
    const rest = dataLength - full * max;
    let total = full * (RECORD_HEADER_LENGTH + this.recordLength(max));
    if (rest > 0 || dataLength === 0) total += RECORD_HEADER_LENGTH + this.recordLength(rest);
    return total;
  }

  /**
   * Protect `data` as records of content `type` (split at maxFragmentLength), written
   * contiguously into `out` from `offset`. Returns the offset after the last record. Empty data
   * gives one empty record, allowed only for application_data (RFC 5246 §6.2.1).
   */
  sealInto(type: number, data: Uint8Array, out: Uint8Array, offset: number): number {
    checkType(type);
    if (data.length === 0 && type !== ContentType.application_data) {
      throw internalError(`cannot send an empty record of content type ${type} (RFC 5246 §6.2.1)`);
    }
    const max = this.maxFragment;
    let o = offset;
    let p = 0;
    do {
      const n = Math.min(max, data.length - p);
      const recordLength = this.recordLength(n);
      const end = o + RECORD_HEADER_LENGTH + recordLength;
      if (end > out.length) throw internalError(`record output buffer too small: need ${end}, have ${out.length}`);
      out[o] = type;
      out[o + 1] = 0x03;
      out[o + 2] = 0x03;
      out[o + 3] = recordLength >>> 8;
      out[o + 4] = recordLength & 0xff;
      const content = data.subarray(p, p + n);
      if (this.aead !== undefined) this.sealAead(type, content, out, o + RECORD_HEADER_LENGTH, recordLength);
      else if (this.etm) this.sealEtm(type, content, out, o + RECORD_HEADER_LENGTH, recordLength);
      else this.sealMte(type, content, out, o + RECORD_HEADER_LENGTH, recordLength);
      o = end;
      p += n;
    } while (p < data.length);
    return o;
  }

  /** Protect `data` as one or more contiguous records in a new buffer (one socket write). */
  seal(type: number, data: Uint8Array): Uint8Array {
    return sealToNewBuffer(this, type, data);
  }

  /** RFC 5246 §6.2.3.3 / RFC 5288 §3 / RFC 7905 §2: body = nonce_explicit || ciphertext || tag. */
  private sealAead(type: number, content: Uint8Array, out: Uint8Array, body: number, recordLength: number): void {
    const aad = this.scratch;
    this.takeSequence(aad, 0);
    this.writeHeaderFields(type, 0x0303, content.length);
    const nonce = this.aeadNonce();
    const explicit = this.aeadCipher!.explicitNonceLength;
    for (let i = 0; i < explicit; i++) out[body + i] = nonce[4 + i]!;
    const aead = this.aead!;
    if (aead.sealInto !== undefined) {
      // Ciphertext and tag straight into the record (no intermediate buffer, no copy).
      const end = aead.sealInto(nonce, aad, content, out, body + explicit);
      if (end !== body + recordLength) throw internalError(`AEAD wrote ${end - body - explicit} bytes, expected ${recordLength - explicit}`);
      return;
    }
    const sealed = aead.seal(nonce, aad, content);
    if (sealed.length !== recordLength - explicit) throw internalError(`AEAD returned ${sealed.length} bytes, expected ${recordLength - explicit}`);
    out.set(sealed, body + explicit);
  }

  private explicitIv(): Uint8Array {
    const iv = this.random(CBC_BLOCK);
    if (!(iv instanceof Uint8Array) || iv.length !== CBC_BLOCK) throw internalError('CBC explicit IV source must return 16 bytes');
    return iv;
  }

  /**
   * RFC 5246 §6.2.3.2, MAC-then-encrypt: body = IV || CBC(IV, content || MAC || padding ||
   * padding_length), MAC = HMAC(mac_key, seq_num || type || version || length || content).
   */
  private sealMte(type: number, content: Uint8Array, out: Uint8Array, body: number, recordLength: number): void {
    const s = this.scratch;
    const n = content.length;
    const macLen = this.cbc!.macLength;
    this.takeSequence(s, 0);
    this.writeHeaderFields(type, 0x0303, n);
    s.set(content, MAC_PREFIX_LENGTH);
    const mac = this.macWith(s.subarray(0, MAC_PREFIX_LENGTH + n));
    s.set(mac, MAC_PREFIX_LENGTH + n);
    const encLength = recordLength - CBC_BLOCK;
    const padLen = encLength - n - macLen - 1;
    s.fill(padLen, MAC_PREFIX_LENGTH + n + macLen, MAC_PREFIX_LENGTH + encLength);
    const iv = this.explicitIv();
    const ct = this.block!.encrypt(iv, s.subarray(MAC_PREFIX_LENGTH, MAC_PREFIX_LENGTH + encLength));
    out.set(iv, body);
    out.set(ct, body + CBC_BLOCK);
  }

  /**
   * RFC 7366 §3, encrypt-then-MAC: body = IV || CBC(IV, content || padding || padding_length) ||
   * MAC, MAC = HMAC(mac_key, seq_num || type || version || length || IV || ciphertext) where
   * length counts IV and ciphertext but not the MAC.
   */
  private sealEtm(type: number, content: Uint8Array, out: Uint8Array, body: number, recordLength: number): void {
    const s = this.scratch;
    const n = content.length;
    const macLen = this.cbc!.macLength;
    const encLength = recordLength - CBC_BLOCK - macLen;
    const data = MAC_PREFIX_LENGTH + CBC_BLOCK; // where the plaintext, then the ciphertext, sits
    s.set(content, data);
    s.fill(encLength - n - 1, data + n, data + encLength);
    const iv = this.explicitIv();
    const ct = this.block!.encrypt(iv, s.subarray(data, data + encLength));
    this.takeSequence(s, 0);
    this.writeHeaderFields(type, 0x0303, CBC_BLOCK + encLength);
    s.set(iv, MAC_PREFIX_LENGTH);
    s.set(ct, data);
    const mac = this.macWith(s.subarray(0, data + encLength));
    out.set(s.subarray(MAC_PREFIX_LENGTH, data + encLength), body);
    out.set(mac, body + CBC_BLOCK + encLength);
  }

}

export type { OpenedRecord };

export class RecordOpener12 extends Protection12 implements RecordOpener {
  readonly protectsAllTypes = true;

  constructor(provider: CryptoProvider, suite: Tls12Suite, keys: RecordKeys12, options: Protection12Options = {}) {
    super(provider, suite, keys, options, () => MAC_PREFIX_LENGTH + MAX_CIPHERTEXT_LENGTH_12);
  }

  /**
   * Decrypt and authenticate one TLSCiphertext; the result keeps the record's outer content type
   * (TLS 1.2 has no inner type). Errors: record_overflow for a fragment over 2^14 + 2048
   * (RFC 5246 §6.2.3) or content over maxFragmentLength (§6.2.2); bad_record_mac for a short
   * record or any authentication or CBC padding failure, always with the same message
   * (§6.2.3.2); unexpected_message for empty handshake, alert or change_cipher_spec content
   * (§6.2.1).
   */
  open(record: TlsRecord): OpenedRecord {
    const type = record.type;
    const f = record.fragment;
    if (type < ContentType.change_cipher_spec || type > ContentType.application_data) {
      throw new TlsError('unexpected_message', `protected record of content type ${type}`);
    }
    if (f.length > MAX_CIPHERTEXT_LENGTH_12) {
      throw new TlsError('record_overflow', `encrypted record of ${f.length} bytes exceeds 2^14 + 2048`);
    }
    const content = this.aead !== undefined ? this.openAead(record) : this.etm ? this.openEtm(record) : this.openMte(record);
    if (content.length > this.maxFragment) {
      throw new TlsError('record_overflow', `decrypted record of ${content.length} bytes exceeds ${this.maxFragment}`);
    }
    if (content.length === 0 && type !== ContentType.application_data) {
      throw new TlsError('unexpected_message', `empty protected record of content type ${type}`);
    }
    return { type, content };
  }

  private openAead(record: TlsRecord): Uint8Array {
    const f = record.fragment;
    const explicit = this.aeadCipher!.explicitNonceLength;
    if (f.length < explicit + AEAD_TAG_LENGTH) throw badRecordMac();
    this.takeSequence(this.scratch, 0);
    this.writeHeaderFields(record.type, record.version, f.length - explicit - AEAD_TAG_LENGTH);
    let nonce: Uint8Array;
    if (explicit === 8) {
      // RFC 5288 §3: the nonce_explicit is whatever the sender put in the record.
      nonce = this.salted();
      nonce.set(f.subarray(0, 8), 4);
    } else {
      nonce = this.aeadNonce();
    }
    const pt = this.aead!.open(nonce, this.scratch, f.subarray(explicit));
    if (pt === null) throw badRecordMac();
    return pt;
  }

  /**
   * RFC 5246 §6.2.3.2 MAC-then-encrypt, in time that does not depend on the padding (see
   * cbc12.ts): the padding check never short-cuts, a bad padding is treated as empty, the MAC
   * is computed and compared either way, and the hash work is equalized.
   */
  private openMte(record: TlsRecord): Uint8Array {
    const f = record.fragment;
    const macLen = this.cbc!.macLength;
    const encLength = f.length - CBC_BLOCK;
    // Public length checks: whole blocks holding at least a MAC and the padding_length byte.
    if (encLength < ((macLen + 1 + CBC_BLOCK - 1) & ~(CBC_BLOCK - 1)) || encLength % CBC_BLOCK !== 0) throw badRecordMac();
    const p = this.block!.decrypt(f.subarray(0, CBC_BLOCK), f.subarray(CBC_BLOCK));
    const padding = checkCbcPadding(p, macLen);
    const good = (padding & CBC_PADDING_GOOD) >>> 9;
    const n = p.length - (padding & 0x1ff) - macLen; // ≥ 0 given the length checks above
    const s = this.scratch;
    this.takeSequence(s, 0);
    this.writeHeaderFields(record.type, record.version, n);
    s.set(p, MAC_PREFIX_LENGTH); // all of p, so the copy does not depend on n
    const mac = this.macWith(s.subarray(0, MAC_PREFIX_LENGTH + n));
    equalizeMacWork(this.provider, this.macHash, MAC_PREFIX_LENGTH + n, MAC_PREFIX_LENGTH + p.length - 1 - macLen);
    const macGood = Number(constantTimeEqual(mac, p.subarray(n, n + macLen)));
    if ((macGood & good) !== 1) throw badRecordMac();
    return p.subarray(0, n);
  }

  /** RFC 7366 §3 encrypt-then-MAC: authenticate IV || ciphertext first, then decrypt and unpad. */
  private openEtm(record: TlsRecord): Uint8Array {
    const f = record.fragment;
    const macLen = this.cbc!.macLength;
    const encLength = f.length - CBC_BLOCK - macLen;
    if (encLength < CBC_BLOCK || encLength % CBC_BLOCK !== 0) throw badRecordMac();
    const s = this.scratch;
    this.takeSequence(s, 0);
    this.writeHeaderFields(record.type, record.version, CBC_BLOCK + encLength);
    s.set(f.subarray(0, CBC_BLOCK + encLength), MAC_PREFIX_LENGTH);
    const mac = this.macWith(s.subarray(0, MAC_PREFIX_LENGTH + CBC_BLOCK + encLength));
    if (!constantTimeEqual(mac, f.subarray(CBC_BLOCK + encLength))) throw badRecordMac();
    const p = this.block!.decrypt(f.subarray(0, CBC_BLOCK), f.subarray(CBC_BLOCK, CBC_BLOCK + encLength));
    const padding = checkCbcPadding(p, 0);
    if ((padding & CBC_PADDING_GOOD) === 0) throw badRecordMac();
    return p.subarray(0, p.length - (padding & 0x1ff));
  }
}
