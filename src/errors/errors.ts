import { AlertDescription, alertName, type Alert, type AlertName } from './alert.js';

/**
 * A protocol failure. It carries the alert the connection sends (or received) and
 * a message that says what happened and, where we can, what to do about it.
 * `code` is stable for programs: `ERR_TLS_` + the alert name in capitals
 * (e.g. `ERR_TLS_BAD_CERTIFICATE`).
 */
export class TlsError extends Error {
  readonly alert: Alert;
  readonly code: string;
  /** True when the peer sent this alert to us rather than us detecting the problem. */
  readonly remote: boolean;

  constructor(alert: Alert | AlertName, message: string, options?: { remote?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TlsError';
    this.alert = typeof alert === 'number' ? alert : AlertDescription[alert];
    this.code = tlsErrorCode(this.alert);
    this.remote = options?.remote ?? false;
  }

  /** The alert's registry name, e.g. "decode_error". */
  get alertName(): string {
    return alertName(this.alert);
  }
}

/** The one place that maps an alert to an error code. */
export function tlsErrorCode(alert: Alert): string {
  return 'ERR_TLS_' + alertName(alert).toUpperCase();
}

/** Malformed bytes: a length that runs past the end, leftover bytes, a value out of bounds. */
export function decodeError(message: string): TlsError {
  return new TlsError(AlertDescription.decode_error, message);
}

/** The peer sent a well-formed value that it is not allowed to send here. */
export function illegalParameter(message: string): TlsError {
  return new TlsError(AlertDescription.illegal_parameter, message);
}

/** A message arrived in a state that does not allow it. */
export function unexpectedMessage(message: string): TlsError {
  return new TlsError(AlertDescription.unexpected_message, message);
}

/** Something went wrong on our side (a bug or an unusable local configuration). */
export function internalError(message: string, cause?: unknown): TlsError {
  return new TlsError(AlertDescription.internal_error, message, { cause });
}

/**
 * Misuse of the API by the application (bad option, calling write before connect...).
 * Never sent to the peer; thrown synchronously to the caller.
 */
export class UsageError extends Error {
  readonly code: string;
  constructor(message: string, code = 'ERR_HUSH_USAGE') {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}
