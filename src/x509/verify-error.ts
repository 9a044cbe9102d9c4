// The error of a failed path validation: a TlsError (so a handshake can send its alert) that
// also names the check that failed and the certificate it failed on.
//
// Alerts, following RFC 8446 §6.2 and what OpenSSL/BoringSSL send:
//   parse, signature, basicConstraints, pathLen, keyUsage(issuer), nameConstraints, hostname
//                                             → bad_certificate
//   validity                                  → certificate_expired ("expired or not currently valid")
//   trust, depth, workLimit                   → unknown_ca
//   extKeyUsage, keyUsage(leaf), criticalExtension, algorithm
//                                             → unsupported_certificate
import { TlsError } from '../errors/errors.js';
import type { AlertName } from '../errors/alert.js';
import type { Certificate } from './certificate.js';

export type VerifyCheck =
  | 'parse'
  | 'hostname'
  | 'validity'
  | 'signature'
  | 'algorithm'
  | 'trust'
  | 'basicConstraints'
  | 'pathLen'
  | 'keyUsage'
  | 'extKeyUsage'
  | 'nameConstraints'
  | 'criticalExtension'
  | 'depth'
  | 'workLimit';

/** The JSON form of a VerifyError. */
export interface VerifyErrorJSON {
  readonly alert: string;
  readonly code: string;
  readonly check: VerifyCheck;
  readonly message: string;
  /** Subject of the certificate the check failed on, when there is one. */
  readonly certificate?: string;
}

export class VerifyError extends TlsError {
  readonly check: VerifyCheck;
  readonly certificate?: string;
  /**
   * The path the check failed on, leaf first, when verifyServerChain reports it (set once, by
   * withChain): adapters derive OpenSSL-style codes from it (self-signed leaf, depth...).
   */
  chain?: readonly Certificate[];

  constructor(alert: AlertName, check: VerifyCheck, message: string, cert?: Certificate, cause?: unknown) {
    super(alert, message, cause === undefined ? undefined : { cause });
    this.name = 'VerifyError';
    this.check = check;
    if (cert) this.certificate = cert.subject.text;
  }

  toJSON(): VerifyErrorJSON {
    return {
      alert: this.alertName,
      code: this.code,
      check: this.check,
      message: this.message,
      ...(this.certificate !== undefined ? { certificate: this.certificate } : {}),
    };
  }
}

/** Record the path `error` was found on (see VerifyError.chain); returns `error`. */
export function withChain(error: VerifyError, chain: readonly Certificate[]): VerifyError {
  error.chain ??= chain;
  return error;
}

/** "2024-05-01T12:00:00Z" */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
