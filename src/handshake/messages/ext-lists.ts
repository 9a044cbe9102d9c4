// Extensions whose body is a simple list: supported_groups, signature_algorithms(_cert),
// supported_versions, psk_key_exchange_modes, ec_point_formats, ALPN, certificate_authorities.
import { illegalParameter } from '../../errors/index.js';
import { ExtensionType } from '../../wire/index.js';
import { makeExtension, parseExtensionBody, type Extension } from './extensions.js';

// --- supported_groups (RFC 8446 §4.2.7): NamedGroup named_group_list<2..2^16-1> ---

export function encodeSupportedGroupsExt(groups: readonly number[]): Extension {
  return makeExtension(ExtensionType.supported_groups, (w) => w.u16List(2, groups));
}

export function decodeSupportedGroupsExt(data: Uint8Array): number[] {
  return parseExtensionBody(data, 'supported_groups', (r) => r.u16List(2, 'named_group_list', 1));
}

// --- signature_algorithms / signature_algorithms_cert (RFC 8446 §4.2.3):
//     SignatureScheme supported_signature_algorithms<2..2^16-2> ---

export function encodeSignatureAlgorithmsExt(schemes: readonly number[]): Extension {
  return makeExtension(ExtensionType.signature_algorithms, (w) => w.u16List(2, schemes));
}

export function encodeSignatureAlgorithmsCertExt(schemes: readonly number[]): Extension {
  return makeExtension(ExtensionType.signature_algorithms_cert, (w) => w.u16List(2, schemes));
}

/** Body of signature_algorithms or signature_algorithms_cert (same layout). */
export function decodeSignatureAlgorithmsExt(data: Uint8Array, what = 'signature_algorithms'): number[] {
  return parseExtensionBody(data, what, (r) => r.u16List(2, 'supported_signature_algorithms', 1));
}

// --- supported_versions (RFC 8446 §4.2.1) ---

/** ClientHello form: `ProtocolVersion versions<2..254>` (u8 length). */
export function encodeSupportedVersionsClientExt(versions: readonly number[]): Extension {
  return makeExtension(ExtensionType.supported_versions, (w) => w.u16List(1, versions));
}

export function decodeSupportedVersionsClientExt(data: Uint8Array): number[] {
  return parseExtensionBody(data, 'supported_versions', (r) => r.u16List(1, 'versions', 1, 127));
}

/** ServerHello / HelloRetryRequest form: `ProtocolVersion selected_version`. */
export function encodeSupportedVersionsServerExt(version: number): Extension {
  return makeExtension(ExtensionType.supported_versions, (w) => w.u16(version));
}

export function decodeSupportedVersionsServerExt(data: Uint8Array): number {
  return parseExtensionBody(data, 'supported_versions', (r) => r.u16('selected_version'));
}

// --- psk_key_exchange_modes (RFC 8446 §4.2.9): PskKeyExchangeMode ke_modes<1..255> ---

export function encodePskKeyExchangeModesExt(modes: readonly number[]): Extension {
  return makeExtension(ExtensionType.psk_key_exchange_modes, (w) =>
    w.vector(1, (w2) => {
      for (const m of modes) w2.u8(m);
    }),
  );
}

export function decodePskKeyExchangeModesExt(data: Uint8Array): number[] {
  return parseExtensionBody(data, 'psk_key_exchange_modes', (r) => [...r.vector(1, 'ke_modes', 1)]);
}

// --- ec_point_formats (RFC 8422 §5.1.2): ECPointFormat ec_point_format_list<1..2^8-1> ---

export const EcPointFormat = { uncompressed: 0, ansiX962_compressed_prime: 1, ansiX962_compressed_char2: 2 } as const;

export function encodeEcPointFormatsExt(formats: readonly number[] = [EcPointFormat.uncompressed]): Extension {
  return makeExtension(ExtensionType.ec_point_formats, (w) =>
    w.vector(1, (w2) => {
      for (const f of formats) w2.u8(f);
    }),
  );
}

export function decodeEcPointFormatsExt(data: Uint8Array): number[] {
  return parseExtensionBody(data, 'ec_point_formats', (r) => [...r.vector(1, 'ec_point_format_list', 1)]);
}

// --- application_layer_protocol_negotiation (RFC 7301 §3.1):
//     ProtocolName protocol_name_list<2..2^16-1>, ProtocolName = opaque<1..2^8-1> ---

export function encodeAlpnExt(protocols: readonly Uint8Array[]): Extension {
  return makeExtension(ExtensionType.application_layer_protocol_negotiation, (w) =>
    w.vector(2, (w2) => {
      for (const p of protocols) w2.vector(1, p);
    }),
  );
}

/** Client form: the offered protocol names (views). An empty name is a decode_error. */
export function decodeAlpnExt(data: Uint8Array): Uint8Array[] {
  return parseExtensionBody(data, 'application_layer_protocol_negotiation', (r) => {
    const list = r.sub(2, 'protocol_name_list', 2);
    const out: Uint8Array[] = [];
    while (!list.atEnd) out.push(list.vector(1, 'protocol_name', 1));
    return out;
  });
}

/** Server form: exactly one name. RFC 7301 §3.1: "the list MUST contain exactly one" → illegal_parameter otherwise. */
export function decodeAlpnServerExt(data: Uint8Array): Uint8Array {
  const names = decodeAlpnExt(data);
  if (names.length !== 1) {
    throw illegalParameter(`application_layer_protocol_negotiation: the server selected ${names.length} protocols, must be exactly one (RFC 7301 §3.1)`);
  }
  return names[0]!;
}

// --- certificate_authorities (RFC 8446 §4.2.4):
//     DistinguishedName authorities<3..2^16-1>, DistinguishedName = opaque<1..2^16-1> (DER) ---

export function encodeCertificateAuthoritiesExt(names: readonly Uint8Array[]): Extension {
  return makeExtension(ExtensionType.certificate_authorities, (w) =>
    w.vector(2, (w2) => {
      for (const n of names) w2.vector(2, n);
    }),
  );
}

export function decodeCertificateAuthoritiesExt(data: Uint8Array): Uint8Array[] {
  return parseExtensionBody(data, 'certificate_authorities', (r) => {
    const list = r.sub(2, 'authorities', 3);
    const out: Uint8Array[] = [];
    while (!list.atEnd) out.push(list.vector(2, 'DistinguishedName', 1));
    return out;
  });
}
