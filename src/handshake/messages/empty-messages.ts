// Handshake messages with an empty body: EndOfEarlyData (RFC 8446 §4.5), ServerHelloDone
// (RFC 5246 §7.4.5), HelloRequest (RFC 5246 §7.4.1.1). A non-empty body is a decode_error.
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake, expectEmptyBody } from './handshake.js';

const EMPTY = new Uint8Array(0);

export function encodeEndOfEarlyData(): Uint8Array {
  return encodeHandshake(HandshakeType.end_of_early_data, EMPTY);
}

export function decodeEndOfEarlyData(body: Uint8Array): void {
  expectEmptyBody(body, 'EndOfEarlyData');
}

export function encodeServerHelloDone(): Uint8Array {
  return encodeHandshake(HandshakeType.server_hello_done, EMPTY);
}

export function decodeServerHelloDone(body: Uint8Array): void {
  expectEmptyBody(body, 'ServerHelloDone');
}

export function encodeHelloRequest(): Uint8Array {
  return encodeHandshake(HandshakeType.hello_request, EMPTY);
}

export function decodeHelloRequest(body: Uint8Array): void {
  expectEmptyBody(body, 'HelloRequest');
}
