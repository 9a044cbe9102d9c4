import { AlertDescription, alertName, type Alert, type AlertName } from './alert.js';

/**
 * Which local failure this is, where programs tell apart failures that send the same alert (the
 * node adapter picks node's code by it): set where the error is raised, never read from the
 * message, so rewording a message cannot change it.
 */
export type TlsFailure =
  /** protocol_version: a record header whose version is not {03,XX}: not TLS framing. */
  | 'recordNotTls'
  /** unexpected_message: the stream starts with a plain HTTP request (a client without TLS). */
  | 'plainHttpRequest'
  /** unexpected_message: the stream starts with a plain HTTP response (a server without TLS). */
  | 'plainHttpResponse'
  /** unexpected_message: a record of a content type TLS does not define. */
  | 'unknownContentType'
  /** handshake_failure: no cipher suite both sides allow (or none we can serve with our certificates). */
  | 'noSharedCipherSuite'
  /** handshake_failure: no key exchange group both sides allow. */
  | 'noSharedGroup'
  /** handshake_failure: a TLS 1.2 server that requires a client certificate got none. */
  | 'noClientCertificate';

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
  /** Which local failure, for those that programs tell apart within one alert (see TlsFailure). */
  readonly failure?: TlsFailure;

  constructor(alert: Alert | AlertName, message: string, options?: { remote?: boolean; cause?: unknown; failure?: TlsFailure }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TlsError';
    this.alert = typeof alert === 'number' ? alert : AlertDescription[alert];
    this.code = tlsErrorCode(this.alert);
    this.remote = options?.remote ?? false;
    if (options?.failure !== undefined) this.failure = options.failure;
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
