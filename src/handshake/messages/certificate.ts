// Certificate: TLS 1.3 (RFC 8446 §4.4.2) and TLS 1.2 (RFC 5246 §7.4.2).
import { Reader } from '../../bytes/index.js';
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

/** `struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; } CertificateEntry` */
export interface CertificateEntry {
  /** DER X.509 certificate (the only certificate type hush negotiates). */
  readonly certData: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** TLS 1.3 Certificate: the end-entity certificate first (RFC 8446 §4.4.2). */
export interface Certificate13 {
  /** certificate_request_context<0..2^8-1>: empty in the server's and the in-handshake client's. */
  readonly context: Uint8Array;
  readonly entries: readonly CertificateEntry[];
}

export function encodeCertificate13(msg: Certificate13): Uint8Array {
  // Chains are kilobytes: size the buffer up front (extensions, rare here, may grow it).
  let size = 1 + msg.context.length + 3;
  for (const e of msg.entries) size += 3 + e.certData.length + 2;
  return encodeHandshake(HandshakeType.certificate, (w) => {
    w.vector(1, msg.context);
    w.vector(3, (w2) => {
      for (const e of msg.entries) {
        w2.vector(3, e.certData);
        writeExtensions(w2, e.extensions);
      }
    });
  }, size);
}

/** An empty certificate_list is well-formed (a client with no certificate); the caller decides. */
export function decodeCertificate13(body: Uint8Array): Certificate13 {
  const r = new Reader(body, 'Certificate');
  const context = r.vector(1, 'certificate_request_context');
  const list = r.sub(3, 'certificate_list');
  r.expectEnd();
  const entries: CertificateEntry[] = [];
  while (!list.atEnd) {
    const certData = list.vector(3, 'cert_data', 1);
    const extensions = readExtensions(list);
    entries.push({ certData, extensions });
  }
  return { context, entries };
}

/** TLS 1.2 Certificate: `ASN.1Cert certificate_list<0..2^24-1>`, `ASN.1Cert = opaque<1..2^24-1>`. */
export interface Certificate12 {
  readonly certificates: readonly Uint8Array[];
}

export function encodeCertificate12(msg: Certificate12): Uint8Array {
  let size = 3;
  for (const c of msg.certificates) size += 3 + c.length;
  return encodeHandshake(HandshakeType.certificate, (w) => {
    w.vector(3, (w2) => {
      for (const c of msg.certificates) w2.vector(3, c);
    });
  }, size);
}

export function decodeCertificate12(body: Uint8Array): Certificate12 {
  const r = new Reader(body, 'Certificate');
  const list = r.sub(3, 'certificate_list');
  r.expectEnd();
  const certificates: Uint8Array[] = [];
  while (!list.atEnd) certificates.push(list.vector(3, 'ASN.1Cert', 1));
  return { certificates };
}
