// CertificateVerify (RFC 8446 §4.4.3; the same layout as TLS 1.2's digitally-signed, RFC 5246 §7.4.8).
import { Reader, Writer } from '../../bytes/index.js';
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';

/** `struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; }` */
export interface CertificateVerify {
  readonly scheme: number;
  readonly signature: Uint8Array;
}

export function encodeCertificateVerify(msg: CertificateVerify): Uint8Array {
  return encodeHandshake(HandshakeType.certificate_verify, (w) => {
    w.u16(msg.scheme);
    w.vector(2, msg.signature);
  });
}

export function decodeCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new Reader(body, 'CertificateVerify');
  const scheme = r.u16('algorithm');
  const signature = r.vector(2, 'signature');
  r.expectEnd();
  return { scheme, signature };
}

const SERVER_CONTEXT = 'TLS 1.3, server CertificateVerify';
const CLIENT_CONTEXT = 'TLS 1.3, client CertificateVerify';

/**
 * RFC 8446 §4.4.3: the content that is signed: 64 bytes of 0x20, the context string
 * ("TLS 1.3, server CertificateVerify" or "... client ..."), a 0x00 byte, then the transcript hash.
 */
export function encodeCertificateVerifyContent(isServer: boolean, transcriptHash: Uint8Array): Uint8Array {
  const context = isServer ? SERVER_CONTEXT : CLIENT_CONTEXT;
  const w = new Writer(64 + context.length + 1 + transcriptHash.length);
  for (let i = 0; i < 64; i++) w.u8(0x20);
  for (let i = 0; i < context.length; i++) w.u8(context.charCodeAt(i));
  w.u8(0);
  w.bytes(transcriptHash);
  return w.finish();
}
