// The ECH extensions (RFC 9849 §5): encrypted_client_hello in ClientHello (outer / inner),
// EncryptedExtensions (retry_configs) and HelloRetryRequest (confirmation), and
// ech_outer_extensions (§5.1).
//
//   enum { outer(0), inner(1) } ECHClientHelloType;
//   struct { ECHClientHelloType type; select (type) {
//       case outer: HpkeSymmetricCipherSuite cipher_suite; uint8 config_id;
//                   opaque enc<0..2^16-1>; opaque payload<1..2^16-1>;
//       case inner: Empty; }; } ECHClientHello;
//   struct { ECHConfigList retry_configs; } ECHEncryptedExtensions;
//   struct { opaque confirmation[8]; } ECHHelloRetryRequest;
//   ExtensionType OuterExtensions<2..254>;
import { Reader, Writer } from '../../bytes/index.js';
import { decodeError, illegalParameter } from '../../errors/index.js';
import { ExtensionType } from '../../wire/index.js';
import { parseExtensionBody, type Extension } from '../messages/extensions.js';
import { decodeEchConfigList, type EchConfigEntry, type HpkeSymmetricCipherSuite } from './ech-config.js';

export const EchClientHelloType = { outer: 0, inner: 1 } as const;

export interface EchClientHelloOuter {
  readonly type: typeof EchClientHelloType.outer;
  readonly cipherSuite: HpkeSymmetricCipherSuite;
  readonly configId: number;
  /** The HPKE encapsulated key; empty in the second ClientHelloOuter after HRR (§6.1.5). */
  readonly enc: Uint8Array;
  readonly payload: Uint8Array;
}

export interface EchClientHelloInner {
  readonly type: typeof EchClientHelloType.inner;
}

export type EchClientHello = EchClientHelloOuter | EchClientHelloInner;

/** The accept_confirmation / HRR confirmation length (§7.2, §7.2.1). */
export const ECH_CONFIRMATION_LENGTH = 8;

function writeOuterBody(w: Writer, e: Omit<EchClientHelloOuter, 'type'>): void {
  w.u8(EchClientHelloType.outer);
  w.u16(e.cipherSuite.kdf).u16(e.cipherSuite.aead);
  w.u8(e.configId);
  w.vector(2, e.enc);
  w.vector(2, e.payload);
}

export function encodeEchClientHello(e: EchClientHello): Extension {
  const w = new Writer(e.type === EchClientHelloType.outer ? 16 + e.enc.length + e.payload.length : 1);
  if (e.type === EchClientHelloType.inner) w.u8(EchClientHelloType.inner);
  else writeOuterBody(w, e);
  return { type: ExtensionType.encrypted_client_hello, data: w.finish() };
}

/**
 * Where `payload` sits inside an encoded outer extension body: the ClientHelloOuterAAD is the
 * ClientHelloOuter with the payload's bytes replaced by zeros (§5.2).
 */
export function echOuterPayloadOffset(body: Uint8Array): number {
  const r = new Reader(body, 'encrypted_client_hello');
  r.u8('type');
  r.u16('kdf_id');
  r.u16('aead_id');
  r.u8('config_id');
  r.vector(2, 'enc');
  r.u16('payload length');
  return r.offset;
}

export function decodeEchClientHello(data: Uint8Array): EchClientHello {
  return parseExtensionBody(data, 'encrypted_client_hello', (r) => {
    const type = r.u8('type');
    if (type === EchClientHelloType.inner) return { type };
    if (type !== EchClientHelloType.outer) throw illegalParameter(`encrypted_client_hello: unknown ECHClientHelloType ${type}`);
    const cipherSuite = { kdf: r.u16('kdf_id'), aead: r.u16('aead_id') };
    const configId = r.u8('config_id');
    const enc = r.vector(2, 'enc');
    const payload = r.vector(2, 'payload', 1);
    return { type, cipherSuite, configId, enc, payload };
  });
}

/** ECHEncryptedExtensions: the server's retry_configs (an ECHConfigList). */
export function encodeEchRetryConfigs(echConfigList: Uint8Array): Extension {
  return { type: ExtensionType.encrypted_client_hello, data: echConfigList.slice() };
}

/** The retry_configs as received (raw) and decoded; a malformed list is a decode_error. */
export function decodeEchRetryConfigs(data: Uint8Array): { readonly raw: Uint8Array; readonly entries: EchConfigEntry[] } {
  return { raw: data, entries: decodeEchConfigList(data) };
}

/** ECHHelloRetryRequest: the 8-byte confirmation. */
export function encodeEchHrrConfirmation(confirmation: Uint8Array): Extension {
  if (confirmation.length !== ECH_CONFIRMATION_LENGTH) throw illegalParameter('ECH HRR confirmation must be 8 bytes');
  return { type: ExtensionType.encrypted_client_hello, data: confirmation.slice() };
}

export function decodeEchHrrConfirmation(data: Uint8Array): Uint8Array {
  if (data.length !== ECH_CONFIRMATION_LENGTH) throw decodeError(`encrypted_client_hello in HelloRetryRequest must be ${ECH_CONFIRMATION_LENGTH} bytes, got ${data.length}`);
  return data;
}

/** ech_outer_extensions (§5.1): the types copied from the outer hello, in order. */
export function encodeEchOuterExtensions(types: readonly number[]): Extension {
  const w = new Writer(2 + 2 * types.length);
  w.vector(1, (b) => {
    for (const t of types) b.u16(t);
  });
  return { type: ExtensionType.ech_outer_extensions, data: w.finish() };
}

export function decodeEchOuterExtensions(data: Uint8Array): number[] {
  return parseExtensionBody(data, 'ech_outer_extensions', (r) => {
    const len = r.u8('length');
    if (len < 2 || len > 254 || len % 2 !== 0) throw decodeError(`ech_outer_extensions: length ${len} is outside 2..254 or odd`);
    const out: number[] = [];
    for (let i = 0; i < len / 2; i++) out.push(r.u16('extension type'));
    return out;
  });
}
