// tls.checkServerIdentity with hush's rules (RFC 9525): subjectAltName DNS/IP entries only, no
// fallback to the subject common name. Same signature and error as node's (for code that wraps
// the default in its own checkServerIdentity).
import { UsageError } from '../errors/errors.js';
import { parseCertificate } from '../x509/certificate.js';
import { verifyHostname } from '../x509/hostname.js';
import { altNameError } from './node-errors.js';
import type { PeerCertificate } from 'node:tls';

/** undefined when `cert` is valid for `hostname`; else node's ERR_TLS_CERT_ALTNAME_INVALID. */
export function checkServerIdentity(hostname: string, cert: PeerCertificate): Error | undefined {
  if (!cert || !Buffer.isBuffer(cert.raw)) throw new UsageError('checkServerIdentity: pass the object getPeerCertificate() returned', 'ERR_INVALID_ARG_TYPE');
  const leaf = parseCertificate(new Uint8Array(cert.raw));
  const host = String(hostname);
  let ok: boolean;
  try {
    ok = verifyHostname(leaf, host);
  } catch {
    ok = false; // not a usable host name: it matches nothing
  }
  if (ok) return undefined;
  return altNameError(host, leaf, cert, { alert: 'bad_certificate', code: 'ERR_TLS_BAD_CERTIFICATE', reason: 'hostname', message: `the certificate is not valid for '${host}'`, remote: false });
}
