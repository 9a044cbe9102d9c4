// Constants from the IANA TLS registries. Values we do not list are kept as numbers
// everywhere in hush; these tables only give names to the ones we know.
import { registry } from './registry.js';
export { AlertDescription, AlertLevel, alertName, type Alert, type AlertName } from '../errors/alert.js';

/** RFC 8446 §5.1 ContentType. */
export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
  heartbeat: 24,
} as const;
export const ContentTypes = registry(ContentType, 'content_type_');

/** Protocol versions as they appear on the wire. */
export const ProtocolVersion = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;
export const ProtocolVersions = registry(ProtocolVersion, 'version_');

/** Node-style version names ("TLSv1.3") for a wire version. */
export function versionName(v: number): string {
  switch (v) {
    case ProtocolVersion.TLSv1_3: return 'TLSv1.3';
    case ProtocolVersion.TLSv1_2: return 'TLSv1.2';
    case ProtocolVersion.TLSv1_1: return 'TLSv1.1';
    case ProtocolVersion.TLSv1: return 'TLSv1';
    case ProtocolVersion.SSLv3: return 'SSLv3';
    default: return `0x${v.toString(16).padStart(4, '0')}`;
  }
}

/** RFC 8446 §4 HandshakeType (plus the TLS 1.2 ones). */
export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  hello_verify_request: 3,
  new_session_ticket: 4,
  end_of_early_data: 5,
  hello_retry_request: 6, // never on the wire in RFC 8446; kept for the registry
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_url: 21,
  certificate_status: 22,
  supplemental_data: 23,
  key_update: 24,
  compressed_certificate: 25,
  message_hash: 254,
} as const;
export const HandshakeTypes = registry(HandshakeType, 'handshake_');

/** Cipher suites hush knows by name (TLS 1.3 and the TLS 1.2 ones it may speak or recognise). */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_RSA_WITH_AES_128_GCM_SHA256: 0x009c,
  TLS_RSA_WITH_AES_256_GCM_SHA384: 0x009d,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 0xc009,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 0xc00a,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 0xc013,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 0xc014,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 0xc023,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384: 0xc024,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 0xc027,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384: 0xc028,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
} as const;
export const CipherSuites = registry(CipherSuite, 'cipher_');

/** RFC 8446 §4.2.7 NamedGroup, plus the post-quantum hybrids of draft-ietf-tls-ecdhe-mlkem (TLS 1.3 only). */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
} as const;
export const NamedGroups = registry(NamedGroup, 'group_');

/** RFC 8446 §4.2.3 SignatureScheme. */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;
export const SignatureSchemes = registry(SignatureScheme, 'scheme_');

/** ExtensionType (RFC 8446 §4.2 and others). */
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  compress_certificate: 27,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  encrypted_client_hello: 0xfe0d,
  ech_outer_extensions: 0xfd00,
  renegotiation_info: 0xff01,
} as const;
export const ExtensionTypes = registry(ExtensionType, 'extension_');

/** RFC 8446 §4.2.9 PskKeyExchangeMode. */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

/** RFC 8446 §4.6.3 KeyUpdateRequest. */
export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;

/** RFC 6066 §3 NameType. */
export const ServerNameType = { host_name: 0 } as const;

/** RFC 8446 §4.1.3: the last 8 bytes of ServerHello.random when a TLS 1.3 server negotiates lower. */
export const DOWNGRADE_TLS12 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

/** RFC 8446 §4.1.3: ServerHello.random of a HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);
