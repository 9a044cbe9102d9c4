// OCSP stapling on the server (#15; RFC 6066 §8, RFC 8446 §4.4.2.1): when the client sent
// status_request (type ocsp) and the chosen certificate has a staple, the staple goes into the
// leaf's CertificateEntry (TLS 1.3) or a CertificateStatus after the Certificate (TLS 1.2).
import { ExtensionType } from '../../wire/index.js';
import { encodeCertificate13 } from '../messages/certificate.js';
import { decodeStatusRequestExt, encodeCertificateEntryStatusExt } from '../messages/certificate-status.js';
import type { ClientHelloView } from '../messages/client-hello.js';
import type { ServerCertificate } from './server-options.js';

/** The staple to send with `cert`, or undefined (the client did not ask, or there is none). */
export function stapleFor(cert: ServerCertificate, hello: ClientHelloView): Uint8Array | undefined {
  const s = cert.certified.ocspStaple;
  if (s === undefined) return undefined; // nothing to staple: the extension is ignored, as before
  const data = hello.extension(ExtensionType.status_request);
  if (data === undefined || !decodeStatusRequestExt(data)) return undefined;
  const staple = typeof s === 'function' ? s() : s;
  return staple !== undefined && staple.length > 0 ? staple : undefined;
}

/** The TLS 1.3 Certificate message with the staple on the leaf (not cached: staples change). */
export function stapledCertificateMessage13(cert: ServerCertificate, staple: Uint8Array): Uint8Array {
  return encodeCertificate13({
    context: new Uint8Array(0),
    entries: cert.chain.map((der, i) => ({ certData: der, extensions: i === 0 ? [encodeCertificateEntryStatusExt(staple)] : [] })),
  });
}
