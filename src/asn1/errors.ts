import { TlsError } from '../errors/errors.js';
import type { AlertName } from '../errors/alert.js';

/**
 * The alert a DER failure maps to. Generic DER parsing reports `decode_error`; the certificate
 * parser passes `bad_certificate` so that every malformed certificate fails the same way.
 */
export type DerAlert = Extract<AlertName, 'decode_error' | 'bad_certificate'>;

export function derError(alert: DerAlert, what: string, message: string): TlsError {
  return new TlsError(alert, `${what}: ${message}`);
}
