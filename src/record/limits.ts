// Record size limits (RFC 8446 §5.1, §5.2; RFC 5246 §6.2).

/** Largest TLSPlaintext.fragment: 2^14 bytes. */
export const MAX_PLAINTEXT_LENGTH = 16384;
/** Largest TLS 1.3 TLSCiphertext.encrypted_record: 2^14 + 256 (RFC 8446 §5.2). */
export const MAX_CIPHERTEXT_LENGTH_13 = 16384 + 256;
/** Largest TLS 1.2 TLSCiphertext.fragment: 2^14 + 2048 (RFC 5246 §6.2.3). */
export const MAX_CIPHERTEXT_LENGTH_12 = 16384 + 2048;
/** Largest TLS 1.3 TLSInnerPlaintext: content (2^14) + the content type byte (RFC 8446 §5.4). */
export const MAX_INNER_PLAINTEXT_LENGTH = 16384 + 1;
/** The 5-byte record header: type, legacy_record_version, length. */
export const RECORD_HEADER_LENGTH = 5;
/** Smallest plaintext per sent record a connection may be asked for (OpenSSL's SSL_set_max_send_fragment: 512). */
export const MIN_SEND_FRAGMENT_LENGTH = 512;
