// TLS 1.2 ServerKeyExchange for ECDHE (RFC 8422 §5.4, RFC 5246 §7.4.3).
import { concat, Reader, Writer } from '../../bytes/index.js';
import { illegalParameter } from '../../errors/index.js';
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';

/** RFC 8422 §5.4 ECCurveType: only named_curve is allowed (explicit curves are deprecated). */
export const EcCurveType = { named_curve: 3 } as const;

/**
 * `struct { ServerECDHParams params; digitally-signed struct { ... } signed_params; }` where
 * `ServerECDHParams = { ECParameters curve_params (named_curve(3), NamedCurve); ECPoint public (opaque point<1..2^8-1>) }`
 * and the signature is `SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>`.
 */
export interface ServerKeyExchangeEcdhe {
  readonly group: number;
  readonly publicKey: Uint8Array;
  readonly scheme: number;
  readonly signature: Uint8Array;
}

export interface DecodedServerKeyExchangeEcdhe extends ServerKeyExchangeEcdhe {
  /** The ServerECDHParams bytes exactly as received (a view): what the signature covers. */
  readonly params: Uint8Array;
}

/** ServerECDHParams: `03 || group(u16) || u8-length point`. */
export function encodeEcdheParams(group: number, publicKey: Uint8Array): Uint8Array {
  const w = new Writer(4 + publicKey.length);
  w.u8(EcCurveType.named_curve);
  w.u16(group);
  w.vector(1, publicKey);
  return w.finish();
}

/** RFC 8422 §5.4 / RFC 5246 §7.4.3: the signature covers client_random + server_random + params. */
export function serverKeyExchangeSignedContent(
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  params: Uint8Array,
): Uint8Array {
  return concat(clientRandom, serverRandom, params);
}

export function encodeServerKeyExchangeEcdhe(msg: ServerKeyExchangeEcdhe): Uint8Array {
  return encodeHandshake(HandshakeType.server_key_exchange, (w) => {
    w.bytes(encodeEcdheParams(msg.group, msg.publicKey));
    w.u16(msg.scheme);
    w.vector(2, msg.signature);
  });
}

export function decodeServerKeyExchangeEcdhe(body: Uint8Array): DecodedServerKeyExchangeEcdhe {
  const r = new Reader(body, 'ServerKeyExchange');
  const curveType = r.u8('curve_type');
  // RFC 8422 §5.4: explicit_prime/explicit_char2 are deprecated and never offered by us; a
  // well-formed but forbidden value → illegal_parameter.
  if (curveType !== EcCurveType.named_curve) {
    throw illegalParameter(`ServerKeyExchange: curve_type ${curveType} is not named_curve(3) (RFC 8422 §5.4)`);
  }
  const group = r.u16('namedcurve');
  const publicKey = r.vector(1, 'public', 1);
  const params = body.subarray(0, r.offset);
  const scheme = r.u16('algorithm');
  const signature = r.vector(2, 'signature');
  r.expectEnd();
  return { group, publicKey, scheme, signature, params };
}
