// Unprotected records (RFC 8446 §5.1): the ClientHello/ServerHello flight, ChangeCipherSpec,
// plaintext alerts. Data longer than the fragment limit is split into several records, written
// contiguously into one buffer (one socket write).
import { internalError } from '../errors/errors.js';
import { MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from './limits.js';

/** Bytes needed to frame `dataLength` bytes as plaintext records of at most `maxFragment` bytes. */
export function plaintextRecordsLength(dataLength: number, maxFragment = MAX_PLAINTEXT_LENGTH): number {
  const records = Math.max(1, Math.ceil(dataLength / maxFragment));
  return dataLength + records * RECORD_HEADER_LENGTH;
}

/**
 * Frame `data` as records of `type` into `out` at `offset`; returns the offset after the last
 * record. Empty data gives no records (RFC 8446 §5.1 forbids empty handshake/alert fragments).
 */
export function writePlaintextRecordsInto(
  type: number,
  version: number,
  data: Uint8Array,
  out: Uint8Array,
  offset: number,
  maxFragment = MAX_PLAINTEXT_LENGTH,
): number {
  if (maxFragment < 1 || maxFragment > MAX_PLAINTEXT_LENGTH) throw internalError(`bad plaintext fragment limit ${maxFragment}`);
  let o = offset;
  for (let p = 0; p < data.length; p += maxFragment) {
    const n = Math.min(maxFragment, data.length - p);
    if (o + RECORD_HEADER_LENGTH + n > out.length) throw internalError('plaintext record output buffer too small');
    out[o] = type;
    out[o + 1] = version >>> 8;
    out[o + 2] = version & 0xff;
    out[o + 3] = n >>> 8;
    out[o + 4] = n & 0xff;
    out.set(data.subarray(p, p + n), o + RECORD_HEADER_LENGTH);
    o += RECORD_HEADER_LENGTH + n;
  }
  return o;
}

/**
 * Frame `data` as plaintext records, contiguously. `version` is legacy_record_version: 0x0303,
 * or 0x0301 for an initial ClientHello (RFC 8446 §5.1).
 */
export function writePlaintextRecords(
  type: number,
  version: number,
  data: Uint8Array,
  maxFragment = MAX_PLAINTEXT_LENGTH,
): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(plaintextRecordsLength(data.length, maxFragment));
  writePlaintextRecordsInto(type, version, data, out, 0, maxFragment);
  return out;
}
