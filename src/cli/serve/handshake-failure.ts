// One log line a person can act on for a TLS handshake that failed at `hush serve`: who, what
// happened in words, and what to do. The common case is a client that does not trust our
// certificate: it says so with an alert (curl and OpenSSL send unknown_ca; browsers mostly close).
import { isCertificateAlert } from '../../errors/alert.js';

export interface FailureContext {
  /** True when the certificate comes from the hush local CA (no --cert). */
  readonly localCa: boolean;
}

interface ErrorLike {
  readonly message: string;
  readonly code?: string;
  readonly remote?: boolean;
  readonly alert?: number;
  readonly alertName?: string;
}

export function handshakeFailureLine(who: string, err: ErrorLike, ctx: FailureContext): string {
  const alert = err.alertName;
  if (err.remote === true && alert !== undefined && err.alert !== undefined && isCertificateAlert(err.alert)) {
    let why: string;
    if (alert === 'unknown_ca') {
      why = ctx.localCa
        ? 'it does not trust the hush CA; see `hush ca`'
        : 'it does not trust the CA that issued --cert (give it that CA, or its system must trust it)';
    } else if (alert === 'certificate_expired') {
      why = ctx.localCa ? 'it says the certificate has expired; delete it from the hush home and restart' : 'it says the certificate has expired';
    } else {
      // Browsers say certificate_unknown both for an unknown CA and for a name mismatch.
      why = ctx.localCa
        ? 'it may not trust the hush CA (see `hush ca`), or it asked for a name the certificate lacks (it covers localhost, 127.0.0.1 and ::1; `hush ca issue NAME` for others)'
        : 'it may not trust the CA that issued --cert, or it asked for a name the certificate lacks';
    }
    return `${who} rejected our certificate: ${alert} — ${why}`;
  }
  if (err.remote === true && alert !== undefined) return `${who} ended the TLS handshake with the alert ${alert}`;
  if (err.code === 'ECONNRESET') return `${who} closed the connection before the TLS handshake completed`;
  if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return `${who} did not complete the TLS handshake in time`;
  return `TLS handshake from ${who} failed: ${err.message}`;
}
