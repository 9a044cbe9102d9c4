// The 64-bit record sequence number of one direction and one key, shared by TLS 1.3 (RFC 8446
// §5.3) and TLS 1.2 (RFC 5246 §6.1): it starts at 0 with each new key, counts every record, and
// never wraps: the last value, 2^64-1, is never used (TLS 1.3 must rekey, TLS 1.2 close first).
//
// Kept as two 32-bit halves (numbers, not a bigint: no allocation per record). Record protection
// classes extend it so that a sealer or opener stays one object.
import { internalError, TlsError } from '../errors/errors.js';

const MAX_U32 = 0xffffffff;

export abstract class RecordSequence {
  /** High and low 32 bits of the next sequence number. */
  protected seqHi = 0;
  protected seqLo = 0;

  /** `initial`: start there instead of 0 (tests; never needed by a connection). */
  protected constructor(initial: bigint | undefined) {
    if (initial !== undefined) {
      if (initial < 0n || initial > 0xffffffffffffffffn) throw internalError('initialSequence out of range');
      this.seqHi = Number(initial >> 32n);
      this.seqLo = Number(initial & 0xffffffffn);
    }
  }

  /** The sequence number of the next record. */
  get sequenceNumber(): bigint {
    return (BigInt(this.seqHi) << 32n) | BigInt(this.seqLo);
  }

  /**
   * Use up the current number (read seqHi/seqLo first): throws internal_error when it is the
   * last one (2^64-1, which must not be used; `exhausted` is the message), else moves on to the next.
   */
  protected advanceSequence(exhausted: string): void {
    const lo = this.seqLo;
    if (lo !== MAX_U32) {
      this.seqLo = lo + 1;
      return;
    }
    const hi = this.seqHi;
    if (hi === MAX_U32) throw new TlsError('internal_error', exhausted);
    this.seqLo = 0;
    this.seqHi = hi + 1;
  }

  /** Write the current number (uint64 big-endian) at buf[off..off+8] and advance (advanceSequence). */
  protected takeSequence(buf: Uint8Array, off: number, exhausted: string): void {
    const hi = this.seqHi;
    const lo = this.seqLo;
    this.advanceSequence(exhausted);
    buf[off] = hi >>> 24;
    buf[off + 1] = (hi >>> 16) & 0xff;
    buf[off + 2] = (hi >>> 8) & 0xff;
    buf[off + 3] = hi & 0xff;
    buf[off + 4] = lo >>> 24;
    buf[off + 5] = (lo >>> 16) & 0xff;
    buf[off + 6] = (lo >>> 8) & 0xff;
    buf[off + 7] = lo & 0xff;
  }
}
