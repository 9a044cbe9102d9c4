// OCSP stapling (RFC 6066 §8): the client's status_request, and the CertificateStatus the server
// answers with — as the body of the TLS 1.3 status_request extension of the leaf's
// CertificateEntry (RFC 8446 §4.4.2.1), or as the TLS 1.2 CertificateStatus handshake message.
//
//   struct { CertificateStatusType status_type; select (status_type) { case ocsp: OCSPStatusRequest; } } CertificateStatusRequest;
//   struct { ResponderID responder_id_list<0..2^16-1>; Extensions request_extensions<0..2^16-1>; } OCSPStatusRequest;
//   struct { CertificateStatusType status_type; select (status_type) { case ocsp: OCSPResponse; } } CertificateStatus;
//   opaque OCSPResponse<1..2^24-1>;
import { Reader, Writer } from '../../bytes/index.js';
import { decodeError } from '../../errors/index.js';
import { ExtensionType, HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';
import { CertificateStatusType } from './ext-misc.js';
import { decodeEmptyExt, encodeEmptyExt, type Extension } from './extensions.js';

/**
 * The client's status_request: true when it asks for an OCSP staple. Other status types
 * (ocsp_multi is status_request_v2's, not this extension's) are read as "no OCSP asked".
 */
export function decodeStatusRequestExt(data: Uint8Array): boolean {
  const r = new Reader(data, 'status_request');
  const type = r.u8('status_type');
  if (type !== CertificateStatusType.ocsp) return false;
  r.vector(2, 'responder_id_list');
  r.vector(2, 'request_extensions');
  r.expectEnd();
  return true;
}

/** TLS 1.2 ServerHello: an empty status_request says a CertificateStatus may follow (RFC 6066 §8). */
export function encodeStatusRequestAckExt(): Extension {
  return encodeEmptyExt(ExtensionType.status_request);
}

export function decodeStatusRequestAckExt(data: Uint8Array): void {
  decodeEmptyExt(data, 'status_request');
}

/** A CertificateStatus body (status_type ocsp, the DER OCSPResponse). */
export function encodeCertificateStatusBody(ocspResponse: Uint8Array): Uint8Array {
  const w = new Writer(ocspResponse.length + 4);
  w.u8(CertificateStatusType.ocsp);
  w.vector(3, ocspResponse);
  return w.finish();
}

/** The OCSPResponse of a CertificateStatus body; another status type is a decode_error. */
export function decodeCertificateStatusBody(body: Uint8Array, what = 'CertificateStatus'): Uint8Array {
  const r = new Reader(body, what);
  const type = r.u8('status_type');
  if (type !== CertificateStatusType.ocsp) throw decodeError(`${what}: status_type ${type} is not ocsp`);
  const resp = r.vector(3, 'OCSPResponse', 1);
  r.expectEnd();
  return resp;
}

/** TLS 1.3: the status_request extension of the leaf's CertificateEntry. */
export function encodeCertificateEntryStatusExt(ocspResponse: Uint8Array): Extension {
  return { type: ExtensionType.status_request, data: encodeCertificateStatusBody(ocspResponse) };
}

/** TLS 1.2 CertificateStatus handshake message (type 22). */
export function encodeCertificateStatus12(ocspResponse: Uint8Array): Uint8Array {
  return encodeHandshake(HandshakeType.certificate_status, encodeCertificateStatusBody(ocspResponse));
}
