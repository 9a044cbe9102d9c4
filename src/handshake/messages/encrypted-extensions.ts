// EncryptedExtensions (RFC 8446 §4.3.1): `Extension extensions<0..2^16-1>`.
import { Reader } from '../../bytes/index.js';
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

export interface EncryptedExtensions {
  readonly extensions: readonly Extension[];
}

export function encodeEncryptedExtensions(msg: EncryptedExtensions): Uint8Array {
  return encodeHandshake(HandshakeType.encrypted_extensions, (w) => writeExtensions(w, msg.extensions));
}

export function decodeEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  const r = new Reader(body, 'EncryptedExtensions');
  const extensions = readExtensions(r);
  r.expectEnd();
  return { extensions };
}
