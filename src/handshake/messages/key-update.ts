// KeyUpdate (RFC 8446 §4.6.3): `enum { update_not_requested(0), update_requested(1), (255) }`.
import { Reader } from '../../bytes/index.js';
import { illegalParameter } from '../../errors/index.js';
import { HandshakeType, KeyUpdateRequest } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';

export interface KeyUpdate {
  readonly requestUpdate: boolean;
}

export function encodeKeyUpdate(msg: KeyUpdate): Uint8Array {
  return encodeHandshake(HandshakeType.key_update, (w) =>
    w.u8(msg.requestUpdate ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested),
  );
}

/** RFC 8446 §4.6.3: any other request_update value → illegal_parameter. */
export function decodeKeyUpdate(body: Uint8Array): KeyUpdate {
  const r = new Reader(body, 'KeyUpdate');
  const v = r.u8('request_update');
  r.expectEnd();
  if (v !== KeyUpdateRequest.update_not_requested && v !== KeyUpdateRequest.update_requested) {
    throw illegalParameter(`KeyUpdate: request_update ${v} is neither 0 nor 1 (RFC 8446 §4.6.3)`);
  }
  return { requestUpdate: v === KeyUpdateRequest.update_requested };
}
