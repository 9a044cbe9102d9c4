// Small extensions: early_data, cookie, renegotiation_info, session_ticket, record_size_limit,
// status_request, padding, and the empty ones (extended_master_secret, encrypt_then_mac,
// post_handshake_auth).
import { illegalParameter } from '../../errors/index.js';
import { ExtensionType } from '../../wire/index.js';
import { decodeEmptyExt, encodeEmptyExt, makeExtension, parseExtensionBody, type Extension } from './extensions.js';

// --- early_data (RFC 8446 §4.2.10): empty in ClientHello/EncryptedExtensions,
//     `uint32 max_early_data_size` in NewSessionTicket ---

export function encodeEarlyDataExt(): Extension {
  return encodeEmptyExt(ExtensionType.early_data);
}

export function decodeEarlyDataExt(data: Uint8Array): void {
  decodeEmptyExt(data, 'early_data');
}

export function encodeEarlyDataTicketExt(maxEarlyDataSize: number): Extension {
  return makeExtension(ExtensionType.early_data, (w) => w.u32(maxEarlyDataSize));
}

export function decodeEarlyDataTicketExt(data: Uint8Array): number {
  return parseExtensionBody(data, 'early_data', (r) => r.u32('max_early_data_size'));
}

// --- cookie (RFC 8446 §4.2.2): `opaque cookie<1..2^16-1>` ---

export function encodeCookieExt(cookie: Uint8Array): Extension {
  return makeExtension(ExtensionType.cookie, (w) => w.vector(2, cookie));
}

export function decodeCookieExt(data: Uint8Array): Uint8Array {
  return parseExtensionBody(data, 'cookie', (r) => r.vector(2, 'cookie', 1));
}

// --- renegotiation_info (RFC 5746 §3.2): `opaque renegotiated_connection<0..255>` ---

export function encodeRenegotiationInfoExt(renegotiatedConnection: Uint8Array = new Uint8Array(0)): Extension {
  return makeExtension(ExtensionType.renegotiation_info, (w) => w.vector(1, renegotiatedConnection));
}

export function decodeRenegotiationInfoExt(data: Uint8Array): Uint8Array {
  return parseExtensionBody(data, 'renegotiation_info', (r) => r.vector(1, 'renegotiated_connection'));
}

// --- empty extensions ---

/** extended_master_secret (RFC 7627 §5.1): empty in both hellos. */
export function encodeExtendedMasterSecretExt(): Extension {
  return encodeEmptyExt(ExtensionType.extended_master_secret);
}

export function decodeExtendedMasterSecretExt(data: Uint8Array): void {
  decodeEmptyExt(data, 'extended_master_secret');
}

/** encrypt_then_mac (RFC 7366 §2): empty in both hellos. */
export function encodeEncryptThenMacExt(): Extension {
  return encodeEmptyExt(ExtensionType.encrypt_then_mac);
}

export function decodeEncryptThenMacExt(data: Uint8Array): void {
  decodeEmptyExt(data, 'encrypt_then_mac');
}

/** post_handshake_auth (RFC 8446 §4.2.6): empty, ClientHello only. */
export function encodePostHandshakeAuthExt(): Extension {
  return encodeEmptyExt(ExtensionType.post_handshake_auth);
}

export function decodePostHandshakeAuthExt(data: Uint8Array): void {
  decodeEmptyExt(data, 'post_handshake_auth');
}

// --- session_ticket (RFC 5077 §3.2): the opaque ticket in ClientHello (empty to ask for one),
//     empty in ServerHello ---

export function encodeSessionTicketExt(ticket: Uint8Array = new Uint8Array(0)): Extension {
  return { type: ExtensionType.session_ticket, data: ticket };
}

/** The whole body is the ticket (a view); empty means "no ticket, but I support them". */
export function decodeSessionTicketExt(data: Uint8Array): Uint8Array {
  return data;
}

// --- record_size_limit (RFC 8449 §4): `uint16 RecordSizeLimit`; below 64 → illegal_parameter ---

export function encodeRecordSizeLimitExt(limit: number): Extension {
  return makeExtension(ExtensionType.record_size_limit, (w) => w.u16(limit));
}

export function decodeRecordSizeLimitExt(data: Uint8Array): number {
  const limit = parseExtensionBody(data, 'record_size_limit', (r) => r.u16('RecordSizeLimit'));
  // RFC 8449 §4: "Endpoints MUST NOT send a value smaller than 64 ... MUST treat receipt of a
  // smaller value as a fatal error and generate an illegal_parameter alert."
  if (limit < 64) throw illegalParameter(`record_size_limit: ${limit} is below the minimum of 64 (RFC 8449 §4)`);
  return limit;
}

// --- status_request (RFC 6066 §8): the client's OCSP request, with no responder ids or
//     request extensions. `CertificateStatusRequest { status_type(1) ocsp; OCSPStatusRequest }` ---

export const CertificateStatusType = { ocsp: 1 } as const;

export function encodeStatusRequestExt(): Extension {
  return makeExtension(ExtensionType.status_request, (w) => {
    w.u8(CertificateStatusType.ocsp);
    w.vector(2, new Uint8Array(0)); // responder_id_list
    w.vector(2, new Uint8Array(0)); // request_extensions
  });
}

// --- padding (RFC 7685 §3): any length, all zero bytes ---

export function encodePaddingExt(length: number): Extension {
  return { type: ExtensionType.padding, data: new Uint8Array(length) };
}

/** RFC 7685 §3: "The client MUST fill the padding extension completely with zero bytes." Nonzero → illegal_parameter. */
export function decodePaddingExt(data: Uint8Array): number {
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0) throw illegalParameter('padding: extension contains nonzero bytes (RFC 7685 §3)');
  }
  return data.length;
}
