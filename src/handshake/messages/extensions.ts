// The generic extension block (RFC 8446 §4.2): `Extension extensions<0..2^16-1>`, each
// `{ ExtensionType extension_type; opaque extension_data<0..2^16-1>; }`.
import { Reader, Writer } from '../../bytes/index.js';
import { illegalParameter } from '../../errors/index.js';
import { ExtensionTypes } from '../../wire/index.js';

/** One extension; `type` stays a number for types we do not know, `data` is its raw body. */
export interface Extension {
  readonly type: number;
  readonly data: Uint8Array;
}

/**
 * Read an extension block (u16-length vector) in wire order, keeping unknown types.
 * RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given
 * extension block" → illegal_parameter. `data` are views (no copies).
 */
export function readExtensions(r: Reader, field = 'extensions'): Extension[] {
  const sub = r.sub(2, field);
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (!sub.atEnd) {
    const type = sub.u16('extension_type');
    const data = sub.vector(2, `extension_data(${ExtensionTypes.name(type)})`);
    if (seen.has(type)) throw illegalParameter(`${r.what}: duplicate extension ${ExtensionTypes.name(type)}`);
    seen.add(type);
    out.push({ type, data });
  }
  return out;
}

/** Decode a standalone extension block (the u16 length and the list). */
export function decodeExtensions(block: Uint8Array, what = 'extensions'): Extension[] {
  const r = new Reader(block, what);
  const out = readExtensions(r);
  r.expectEnd();
  return out;
}

/** Write an extension block with its u16 length. */
export function writeExtensions(w: Writer, extensions: readonly Extension[]): void {
  w.vector(2, (w2) => {
    for (const e of extensions) {
      w2.u16(e.type);
      w2.vector(2, e.data);
    }
  });
}

export function encodeExtensions(extensions: readonly Extension[]): Uint8Array {
  const w = new Writer();
  writeExtensions(w, extensions);
  return w.finish();
}

/** The first extension of `type`, if present (lists from the decoders have no duplicates). */
export function findExtension(extensions: readonly Extension[], type: number): Extension | undefined {
  for (const e of extensions) if (e.type === type) return e;
  return undefined;
}

/** A type → extension map for quick lookups. */
export function extensionMap(extensions: readonly Extension[]): ReadonlyMap<number, Extension> {
  return new Map(extensions.map((e) => [e.type, e]));
}

/** Build an extension from a body written by `body`. */
export function makeExtension(type: number, body: Uint8Array | ((w: Writer) => void)): Extension {
  if (body instanceof Uint8Array) return { type, data: body };
  const w = new Writer(64);
  body(w);
  return { type, data: w.finish() };
}

/** Run `fn` over an extension body and require it to consume every byte. */
export function parseExtensionBody<T>(data: Uint8Array, what: string, fn: (r: Reader) => T): T {
  const r = new Reader(data, what);
  const out = fn(r);
  r.expectEnd();
  return out;
}

/** Extensions whose body is empty (extended_master_secret, encrypt_then_mac, post_handshake_auth,
 * early_data in ClientHello/EncryptedExtensions, server_name/session_ticket acknowledgements). */
export function encodeEmptyExt(type: number): Extension {
  return { type, data: new Uint8Array(0) };
}

/** A non-empty body for an empty extension is a decode_error. */
export function decodeEmptyExt(data: Uint8Array, what: string): void {
  parseExtensionBody(data, what, () => undefined);
}
