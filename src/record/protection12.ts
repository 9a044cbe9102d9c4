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
// The sealer and opener split content into records and check what is the same for every suite;
// the suite's cipher protects each record body: AeadProtection12 (protection12-aead.ts) or
// CbcProtection12 (protection12-cbc.ts), each with its own 64-bit sequence number.
//
// Allocation: `sealInto` writes header || explicit nonce or IV || ciphertext || tag/MAC for one or
// many records straight into the caller's buffer. The only per-record allocations are the
// provider's outputs (see the two cipher files for their scratch buffers).
import type { CryptoProvider } from '../crypto/provider.js';
import type { Tls12Suite } from '../crypto/suites.js';
import { internalError, TlsError } from '../errors/errors.js';
import { ContentType } from '../wire/enums.js';
import type { TlsRecord } from './deframer.js';
import { MAX_CIPHERTEXT_LENGTH_12, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from './limits.js';
import { sealToNewBuffer, type OpenedRecord, type RecordOpener, type RecordSealer } from './protection.js';
import type { Protection12Cipher, RecordKeys12 } from './protection12-cipher.js';
import { AeadProtection12 } from './protection12-aead.js';
import { CbcProtection12 } from './protection12-cbc.js';

export type { RecordKeys12 };

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

function checkType(type: number): void {
  if (type < ContentType.change_cipher_spec || type > ContentType.application_data) {
    throw internalError(`cannot protect a record of content type ${type}`);
  }
}

/** The checked maxFragmentLength. */
function maxFragmentOf(options: Protection12Options): number {
  const max = options.maxFragmentLength ?? MAX_PLAINTEXT_LENGTH;
  if (!Number.isInteger(max) || max < 1 || max > MAX_PLAINTEXT_LENGTH) throw internalError(`bad maxFragmentLength ${max}`);
  return max;
}

/** The suite's cipher for one direction; `sealFragment` (set when sealing) sizes a CBC sealer's scratch. */
function cipherFor(provider: CryptoProvider, suite: Tls12Suite, keys: RecordKeys12, options: Protection12Options, sealFragment: number | undefined): Protection12Cipher {
  const c = suite.cipher;
  if (keys.key.length !== c.keyLength) throw internalError(`${suite.name}: key has ${keys.key.length} bytes, needs ${c.keyLength}`);
  if (c.kind === 'aead') return new AeadProtection12(provider, suite.name, c, keys, options.initialSequence);
  return new CbcProtection12(provider, suite.name, c, keys, {
    encryptThenMac: options.encryptThenMac === true,
    sealFragment,
    randomBytes: options.randomBytes ?? ((n) => provider.randomBytes(n)),
    initialSequence: options.initialSequence,
  });
}

export class RecordSealer12 implements RecordSealer {
  readonly needsKeyUpdate = false;
  private readonly cipher: Protection12Cipher;
  /** Where records are cut (lowered by limitFragment). */
  private maxFragment: number;
  /** The maxFragmentLength this sealer was made with (it sized a CBC cipher's scratch). */
  private readonly fragmentCeiling: number;

  constructor(provider: CryptoProvider, readonly suite: Tls12Suite, keys: RecordKeys12, options: Protection12Options = {}) {
    this.maxFragment = this.fragmentCeiling = maxFragmentOf(options);
    this.cipher = cipherFor(provider, suite, keys, options, this.maxFragment);
  }

  /** Content per record from now on: at most `max` bytes. */
  limitFragment(max: number): void {
    if (!Number.isInteger(max) || max < 1 || max > this.fragmentCeiling) throw internalError(`bad fragment limit ${max}`);
    this.maxFragment = max;
  }

  /** The sequence number of the next record (RFC 5246 §6.1). */
  get sequenceNumber(): bigint {
    return this.cipher.sequenceNumber;
  }

  /** Bytes `sealInto` writes for `dataLength` bytes of content. */
  sealedLength(_type: number, dataLength: number): number {
    const max = this.maxFragment;
    const full = Math.floor(dataLength / max);
    const rest = dataLength - full * max;
    let total = full * (RECORD_HEADER_LENGTH + this.cipher.bodyLength(max));
    if (rest > 0 || dataLength === 0) total += RECORD_HEADER_LENGTH + this.cipher.bodyLength(rest);
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
    const cipher = this.cipher;
    let o = offset;
    let p = 0;
    do {
      const n = Math.min(max, data.length - p);
      const bodyLength = cipher.bodyLength(n);
      const end = o + RECORD_HEADER_LENGTH + bodyLength;
      if (end > out.length) throw internalError(`record output buffer too small: need ${end}, have ${out.length}`);
      out[o] = type;
      out[o + 1] = 0x03;
      out[o + 2] = 0x03;
      out[o + 3] = bodyLength >>> 8;
      out[o + 4] = bodyLength & 0xff;
      cipher.sealBody(type, data.subarray(p, p + n), out, o + RECORD_HEADER_LENGTH, bodyLength);
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

export class RecordOpener12 implements RecordOpener {
  readonly protectsAllTypes = true;
  private readonly cipher: Protection12Cipher;
  private readonly maxFragment: number;

  constructor(provider: CryptoProvider, readonly suite: Tls12Suite, keys: RecordKeys12, options: Protection12Options = {}) {
    this.maxFragment = maxFragmentOf(options);
    this.cipher = cipherFor(provider, suite, keys, options, undefined);
  }

  /** The sequence number of the next record (RFC 5246 §6.1). */
  get sequenceNumber(): bigint {
    return this.cipher.sequenceNumber;
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
    const content = this.cipher.openBody(record);
    if (content.length > this.maxFragment) {
      throw new TlsError('record_overflow', `decrypted record of ${content.length} bytes exceeds ${this.maxFragment}`);
    }
    if (content.length === 0 && type !== ContentType.application_data) {
      throw new TlsError('unexpected_message', `empty protected record of content type ${type}`);
    }
    return { type, content };
  }
}
