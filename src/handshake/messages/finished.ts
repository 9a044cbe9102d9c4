// Finished (RFC 8446 §4.4.4; RFC 5246 §7.4.9): `opaque verify_data[Hash.length]` (12 bytes in TLS 1.2).
import { decodeError } from '../../errors/index.js';
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';

export interface Finished {
  readonly verifyData: Uint8Array;
}

export function encodeFinished(msg: Finished): Uint8Array {
  return encodeHandshake(HandshakeType.finished, msg.verifyData);
}

/**
 * The body is verify_data itself, of a length fixed by the negotiated hash (or 12 for TLS 1.2).
 * A different length is malformed → decode_error. Compare the value with constantTimeEqual.
 */
export function decodeFinished(body: Uint8Array, expectedLength: number): Finished {
  if (body.length !== expectedLength) {
    throw decodeError(`Finished: verify_data is ${body.length} bytes, expected ${expectedLength}`);
  }
  return { verifyData: body };
}
