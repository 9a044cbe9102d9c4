// What the connection needs from record protection, whatever the version: TLS 1.3
// (protection13.ts) and TLS 1.2 (protection12.ts) implement these.
import { internalError } from '../errors/errors.js';
import type { TlsRecord } from './deframer.js';

/** A decrypted record: the real content type and the content without padding. */
export interface OpenedRecord {
  readonly type: number;
  /** A view of a fresh buffer; the caller may keep it. */
  readonly content: Uint8Array;
}

export interface RecordSealer {
  /** Protect `data` as one or more contiguous records of content `type` in a new buffer. */
  seal(type: number, data: Uint8Array): Uint8Array;
  /** Bytes `sealInto` writes for `dataLength` bytes of content `type`. */
  sealedLength(type: number, dataLength: number): number;
  /**
   * Protect `data` like `seal`, written into `out` from `offset` (which must have room for
   * `sealedLength` bytes); returns the offset after the last record.
   */
  sealInto(type: number, data: Uint8Array, out: Uint8Array, offset: number): number;
  /** TLS 1.3: the key is near its record limit (RFC 8446 §5.5). Always false for TLS 1.2. */
  readonly needsKeyUpdate: boolean;
  /**
   * Cut the content of records sealed from now on at `max` bytes (1..the maxFragmentLength the
   * sealer was made with, which sized its buffers); internal_error outside that range.
   */
  limitFragment(max: number): void;
}

export interface RecordOpener {
  /** Decrypt and authenticate one record; bad_record_mac / record_overflow / unexpected_message on failure. */
  open(record: TlsRecord): OpenedRecord;
  /**
   * TLS 1.2 after ChangeCipherSpec: every record type is protected and keeps its outer type.
   * TLS 1.3: only application_data records are protected (the inner type is inside).
   */
  readonly protectsAllTypes: boolean;
}

/** `seal` for any sealer: its records in one new buffer of exactly `sealedLength` bytes. */
export function sealToNewBuffer(sealer: Pick<RecordSealer, 'sealedLength' | 'sealInto'>, type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(sealer.sealedLength(type, data.length));
  const end = sealer.sealInto(type, data, out, 0);
  if (end !== out.length) throw internalError('sealedLength disagrees with sealInto');
  return out;
}
