// The synthetic message_hash message (RFC 8446 §4.4.1).
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';

/**
 * After a HelloRetryRequest the transcript restarts from
 * `message_hash(254) || 00 00 Hash.length || Hash(ClientHello1)`; this builds that message from
 * Hash(ClientHello1).
 */
export function encodeMessageHash(clientHello1Hash: Uint8Array): Uint8Array {
  return encodeHandshake(HandshakeType.message_hash, clientHello1Hash);
}
