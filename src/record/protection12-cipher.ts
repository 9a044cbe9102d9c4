// What the TLS 1.2 record sealer and opener (protection12.ts) need from a suite's cipher, and the
// pieces both kinds share. Two implementations: AEAD (protection12-aead.ts) and CBC
// (protection12-cbc.ts). Each holds one direction's keys and 64-bit sequence number.
import { TlsError } from '../errors/errors.js';
import type { TlsRecord } from './deframer.js';

/** One direction's keys: the same shape as the schedule's `Keys12` (RFC 5246 §6.3). */
export interface RecordKeys12 {
  /** HMAC key (CBC suites; empty for AEAD). */
  readonly macKey: Uint8Array;
  readonly key: Uint8Array;
  /** The implicit IV (AEAD: 4 bytes for GCM, 12 for ChaCha20-Poly1305); ignored for CBC. */
  readonly iv: Uint8Array;
}

export interface Protection12Cipher {
  /** The sequence number of the next record (RFC 5246 §6.1). */
  readonly sequenceNumber: bigint;
  /** Body length (after the 5-byte header) of one record with `n` bytes of content. */
  bodyLength(n: number): number;
  /** Protect `content` as the body of one record of `type`: out[body..body+bodyLength(content.length)]. */
  sealBody(type: number, content: Uint8Array, out: Uint8Array, body: number, bodyLength: number): void;
  /** Authenticate and decrypt one record's body: its content (bad_record_mac on any failure). */
  openBody(record: TlsRecord): Uint8Array;
}

/** RFC 5246 §6.2.3.3 / §6.2.3.1: seq_num(8) || type || version(2) || length(2), the AAD or MAC prefix. */
export const SEQ_HEADER_LENGTH = 13;

/** RFC 5246 §6.1: sequence numbers of one key may not wrap; hush does not renegotiate. */
export const EXHAUSTED_12 = 'TLS 1.2 record sequence number exhausted; the connection must close';

/** s[8..13] = type || version || length: the rest of the AAD / MAC prefix after seq_num. */
export function writeHeaderFields(s: Uint8Array, type: number, version: number, length: number): void {
  s[8] = type;
  s[9] = version >>> 8;
  s[10] = version & 0xff;
  s[11] = length >>> 8;
  s[12] = length & 0xff;
}

/** Every authentication or CBC padding failure, whatever its cause (RFC 5246 §6.2.3.2, §7.2.2). */
const BAD_RECORD_MAC = 'record authentication failed (bad_record_mac)';

export function badRecordMac(): TlsError {
  return new TlsError('bad_record_mac', BAD_RECORD_MAC);
}
