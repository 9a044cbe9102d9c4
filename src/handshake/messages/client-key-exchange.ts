// TLS 1.2 ClientKeyExchange (RFC 5246 §7.4.7): ECDHE (RFC 8422 §5.7) and RSA (RFC 5246 §7.4.7.1).
import { Reader } from '../../bytes/index.js';
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';

/** ECDHE: `ClientECDiffieHellmanPublic { opaque point<1..2^8-1>; }` (explicit form). */
export function encodeClientKeyExchangeEcdhe(publicKey: Uint8Array): Uint8Array {
  return encodeHandshake(HandshakeType.client_key_exchange, (w) => w.vector(1, publicKey));
}

export function decodeClientKeyExchangeEcdhe(body: Uint8Array): Uint8Array {
  const r = new Reader(body, 'ClientKeyExchange');
  const point = r.vector(1, 'ecdh_Yc', 1);
  r.expectEnd();
  return point;
}

/** RSA: `EncryptedPreMasterSecret` as `opaque<0..2^16-1>` (TLS 1.0 and later). */
export function encodeClientKeyExchangeRsa(encryptedPreMasterSecret: Uint8Array): Uint8Array {
  return encodeHandshake(HandshakeType.client_key_exchange, (w) => w.vector(2, encryptedPreMasterSecret));
}

/**
 * The ciphertext (a view). Its length vs the key size is checked by the server's constant-time
 * premaster handling (RFC 5246 §7.4.7.1), not here.
 */
export function decodeClientKeyExchangeRsa(body: Uint8Array): Uint8Array {
  const r = new Reader(body, 'ClientKeyExchange');
  const ct = r.vector(2, 'encrypted_pre_master_secret');
  r.expectEnd();
  return ct;
}
