// CertificateRequest: TLS 1.3 (RFC 8446 §4.3.2) and TLS 1.2 (RFC 5246 §7.4.4).
import { Reader } from '../../bytes/index.js';
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

/** `struct { opaque certificate_request_context<0..2^8-1>; Extension extensions<2..2^16-1>; }` */
export interface CertificateRequest13 {
  readonly context: Uint8Array;
  /** signature_algorithms is required (RFC 8446 §4.3.2); the client checks (missing_extension). */
  readonly extensions: readonly Extension[];
}

export function encodeCertificateRequest13(msg: CertificateRequest13): Uint8Array {
  return encodeHandshake(HandshakeType.certificate_request, (w) => {
    w.vector(1, msg.context);
    writeExtensions(w, msg.extensions);
  });
}

export function decodeCertificateRequest13(body: Uint8Array): CertificateRequest13 {
  const r = new Reader(body, 'CertificateRequest');
  const context = r.vector(1, 'certificate_request_context');
  const extensions = readExtensions(r);
  r.expectEnd();
  return { context, extensions };
}

/** RFC 5246 §7.4.4 ClientCertificateType values. */
export const ClientCertificateType = { rsa_sign: 1, dss_sign: 2, ecdsa_sign: 64 } as const;

/**
 * TLS 1.2: `ClientCertificateType certificate_types<1..2^8-1>;
 * SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
 * DistinguishedName certificate_authorities<0..2^16-1>;` (DistinguishedName = opaque<1..2^16-1>).
 */
export interface CertificateRequest12 {
  readonly certificateTypes: readonly number[];
  readonly signatureAlgorithms: readonly number[];
  readonly certificateAuthorities: readonly Uint8Array[];
}

export function encodeCertificateRequest12(msg: CertificateRequest12): Uint8Array {
  return encodeHandshake(HandshakeType.certificate_request, (w) => {
    w.vector(1, (w2) => {
      for (const t of msg.certificateTypes) w2.u8(t);
    });
    w.u16List(2, msg.signatureAlgorithms);
    w.vector(2, (w2) => {
      for (const dn of msg.certificateAuthorities) w2.vector(2, dn);
    });
  });
}

export function decodeCertificateRequest12(body: Uint8Array): CertificateRequest12 {
  const r = new Reader(body, 'CertificateRequest');
  const certificateTypes = [...r.vector(1, 'certificate_types', 1)];
  const signatureAlgorithms = r.u16List(2, 'supported_signature_algorithms', 1);
  const cas = r.sub(2, 'certificate_authorities');
  r.expectEnd();
  const certificateAuthorities: Uint8Array[] = [];
  while (!cas.atEnd) certificateAuthorities.push(cas.vector(2, 'DistinguishedName', 1));
  return { certificateTypes, signatureAlgorithms, certificateAuthorities };
}
