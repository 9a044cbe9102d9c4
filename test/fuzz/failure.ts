// What the fuzzer reports: an oracle violation, by kind.
import { TlsError, UsageError } from '../../src/errors/errors.js';

export type FailureKind =
  /** An exception that is not a TlsError (or a local internal_error wrapping one). */
  | 'exception'
  /** No progress within the watchdog's bound, or two sides that never settle. */
  | 'hang'
  /** Out of the worker's heap bound, or buffered/queued bytes beyond a bound. */
  | 'memory'
  /** A handshake completed after a mutation that the RFC says must abort it (or failed after one that must not). */
  | 'completed'
  /** A decoder broke one of its own invariants (e.g. the joiner lost or invented bytes). */
  | 'invariant';

export class FuzzFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'FuzzFailure';
  }

  static fromException(what: string, e: unknown): FuzzFailure {
    if (e instanceof FuzzFailure) return e;
    const text = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
    return new FuzzFailure('exception', `${what}: ${text}`);
  }
}

/** Exceptions a decoder may throw for bad input: TlsError only (UsageError is API misuse, never input). */
export function isExpectedRejection(e: unknown): boolean {
  return e instanceof TlsError && !(e instanceof UsageError);
}
