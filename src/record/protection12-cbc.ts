// TLS 1.2 CBC record protection for the client's legacy suites: MAC-then-encrypt (RFC 5246
// §6.2.3.2) or encrypt-then-MAC (RFC 7366). Decryption runs in time that does not depend on the
// padding (see cbc12.ts). The MAC input is a per-instance scratch buffer: 13-byte prefix
// (seq_num || type || version || length), then the data.
import type { BlockCipher, CryptoProvider, HashName } from '../crypto/provider.js';
import type { Tls12CbcCipher } from '../crypto/suites.js';
import { constantTimeEqual } from '../bytes/index.js';
import { internalError } from '../errors/errors.js';
import { CBC_PADDING_GOOD, checkCbcPadding, equalizeMacWork } from './cbc12.js';
import type { TlsRecord } from './deframer.js';
import { MAX_CIPHERTEXT_LENGTH_12 } from './limits.js';
import { RecordSequence } from './sequence.js';
import {
  badRecordMac,
  EXHAUSTED_12,
  SEQ_HEADER_LENGTH as MAC_PREFIX_LENGTH,
  writeHeaderFields,
  type Protection12Cipher,
  type RecordKeys12,
} from './protection12-cipher.js';

const CBC_BLOCK = 16;

export interface CbcProtection12Options {
  /** RFC 7366 encrypt-then-MAC was negotiated. */
  readonly encryptThenMac: boolean;
  /** Sealing: the largest content per record (sizes the scratch); undefined for an opener. */
  readonly sealFragment: number | undefined;
  /** Where explicit IVs come from (sealing). */
  readonly randomBytes: (length: number) => Uint8Array;
  readonly initialSequence: bigint | undefined;
}

export class CbcProtection12 extends RecordSequence implements Protection12Cipher {
  private readonly block: BlockCipher;
  private readonly macHash: HashName;
  private readonly macKey: Uint8Array;
  private readonly macLength: number;
  private readonly etm: boolean;
  /** MAC input / plaintext staging: prefix || IV || content || MAC || padding. */
  private readonly scratch: Uint8Array;
  private readonly random: (length: number) => Uint8Array;

  constructor(private readonly provider: CryptoProvider, suiteName: string, cipher: Tls12CbcCipher, keys: RecordKeys12, options: CbcProtection12Options) {
    if (keys.macKey.length !== cipher.macLength) throw internalError(`${suiteName}: MAC key has ${keys.macKey.length} bytes, needs ${cipher.macLength}`);
    super(options.initialSequence);
    this.block = provider.blockCipher(cipher.cipher, keys.key);
    this.macHash = cipher.mac;
    this.macLength = cipher.macLength;
    this.macKey = keys.macKey.slice();
    this.etm = options.encryptThenMac;
    const max = options.sealFragment;
    this.scratch = new Uint8Array(max === undefined ? MAC_PREFIX_LENGTH + MAX_CIPHERTEXT_LENGTH_12 : MAC_PREFIX_LENGTH + CBC_BLOCK + max + cipher.macLength + CBC_BLOCK);
    this.random = options.randomBytes;
  }

  bodyLength(n: number): number {
    const mac = this.macLength;
    // content [|| MAC] || padding || padding_length, rounded up to whole blocks (minimal padding).
    if (this.etm) return CBC_BLOCK + ((n + 1 + CBC_BLOCK - 1) & ~(CBC_BLOCK - 1)) + mac;
    return CBC_BLOCK + ((n + mac + 1 + CBC_BLOCK - 1) & ~(CBC_BLOCK - 1));
  }

  sealBody(type: number, content: Uint8Array, out: Uint8Array, body: number, bodyLength: number): void {
    if (this.etm) this.sealEtm(type, content, out, body, bodyLength);
    else this.sealMte(type, content, out, body, bodyLength);
  }

  openBody(record: TlsRecord): Uint8Array {
    return this.etm ? this.openEtm(record) : this.openMte(record);
  }

  private macWith(input: Uint8Array): Uint8Array {
    return this.provider.hmac(this.macHash, this.macKey, input);
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
  private sealMte(type: number, content: Uint8Array, out: Uint8Array, body: number, bodyLength: number): void {
    const s = this.scratch;
    const n = content.length;
    const macLen = this.macLength;
    this.takeSequence(s, 0, EXHAUSTED_12);
    writeHeaderFields(s, type, 0x0303, n);
    s.set(content, MAC_PREFIX_LENGTH);
    const mac = this.macWith(s.subarray(0, MAC_PREFIX_LENGTH + n));
    s.set(mac, MAC_PREFIX_LENGTH + n);
    const encLength = bodyLength - CBC_BLOCK;
    const padLen = encLength - n - macLen - 1;
    s.fill(padLen, MAC_PREFIX_LENGTH + n + macLen, MAC_PREFIX_LENGTH + encLength);
    const iv = this.explicitIv();
    const ct = this.block.encrypt(iv, s.subarray(MAC_PREFIX_LENGTH, MAC_PREFIX_LENGTH + encLength));
    out.set(iv, body);
    out.set(ct, body + CBC_BLOCK);
  }

  /**
   * RFC 7366 §3, encrypt-then-MAC: body = IV || CBC(IV, content || padding || padding_length) ||
   * MAC, MAC = HMAC(mac_key, seq_num || type || version || length || IV || ciphertext) where
   * length counts IV and ciphertext but not the MAC.
   */
  private sealEtm(type: number, content: Uint8Array, out: Uint8Array, body: number, bodyLength: number): void {
    const s = this.scratch;
    const n = content.length;
    const macLen = this.macLength;
    const encLength = bodyLength - CBC_BLOCK - macLen;
    const data = MAC_PREFIX_LENGTH + CBC_BLOCK; // where the plaintext, then the ciphertext, sits
    s.set(content, data);
    s.fill(encLength - n - 1, data + n, data + encLength);
    const iv = this.explicitIv();
    const ct = this.block.encrypt(iv, s.subarray(data, data + encLength));
    this.takeSequence(s, 0, EXHAUSTED_12);
    writeHeaderFields(s, type, 0x0303, CBC_BLOCK + encLength);
    s.set(iv, MAC_PREFIX_LENGTH);
    s.set(ct, data);
    const mac = this.macWith(s.subarray(0, data + encLength));
    out.set(s.subarray(MAC_PREFIX_LENGTH, data + encLength), body);
    out.set(mac, body + CBC_BLOCK + encLength);
  }

  /**
   * RFC 5246 §6.2.3.2 MAC-then-encrypt, in time that does not depend on the padding (see
   * cbc12.ts): the padding check never short-cuts, a bad padding is treated as empty, the MAC
   * is computed and compared either way, and the hash work is equalized.
   */
  private openMte(record: TlsRecord): Uint8Array {
    const f = record.fragment;
    const macLen = this.macLength;
    const encLength = f.length - CBC_BLOCK;
    // Public length checks: whole blocks holding at least a MAC and the padding_length byte.
    if (encLength < ((macLen + 1 + CBC_BLOCK - 1) & ~(CBC_BLOCK - 1)) || encLength % CBC_BLOCK !== 0) throw badRecordMac();
    const p = this.block.decrypt(f.subarray(0, CBC_BLOCK), f.subarray(CBC_BLOCK));
    const padding = checkCbcPadding(p, macLen);
    const good = (padding & CBC_PADDING_GOOD) >>> 9;
    const n = p.length - (padding & 0x1ff) - macLen; // ≥ 0 given the length checks above
    const s = this.scratch;
    this.takeSequence(s, 0, EXHAUSTED_12);
    writeHeaderFields(s, record.type, record.version, n);
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
    const macLen = this.macLength;
    const encLength = f.length - CBC_BLOCK - macLen;
    if (encLength < CBC_BLOCK || encLength % CBC_BLOCK !== 0) throw badRecordMac();
    const s = this.scratch;
    this.takeSequence(s, 0, EXHAUSTED_12);
    writeHeaderFields(s, record.type, record.version, CBC_BLOCK + encLength);
    s.set(f.subarray(0, CBC_BLOCK + encLength), MAC_PREFIX_LENGTH);
    const mac = this.macWith(s.subarray(0, MAC_PREFIX_LENGTH + CBC_BLOCK + encLength));
    if (!constantTimeEqual(mac, f.subarray(CBC_BLOCK + encLength))) throw badRecordMac();
    const p = this.block.decrypt(f.subarray(0, CBC_BLOCK), f.subarray(CBC_BLOCK, CBC_BLOCK + encLength));
    const padding = checkCbcPadding(p, 0);
    if ((padding & CBC_PADDING_GOOD) === 0) throw badRecordMac();
    return p.subarray(0, p.length - (padding & 0x1ff));
  }
}
