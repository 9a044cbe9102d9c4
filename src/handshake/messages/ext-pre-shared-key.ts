// pre_shared_key (RFC 8446 §4.2.11).
import { Reader, Writer } from '../../bytes/index.js';
import { illegalParameter, internalError } from '../../errors/index.js';
import { ExtensionType } from '../../wire/index.js';
import { makeExtension, parseExtensionBody, type Extension } from './extensions.js';

/** `struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity` */
export interface PskIdentity {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
}

/** ClientHello form: `OfferedPsks { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; }` */
export interface OfferedPsks {
  readonly identities: readonly PskIdentity[];
  /** One `PskBinderEntry<32..255>` per identity, in the same order. */
  readonly binders: readonly Uint8Array[];
}

function writeBinders(w: Writer, binders: readonly Uint8Array[]): void {
  w.vector(2, (w2) => {
    for (const b of binders) w2.vector(1, b);
  });
}

export function encodePreSharedKeyClientExt(psks: OfferedPsks): Extension {
  return makeExtension(ExtensionType.pre_shared_key, (w) => {
    w.vector(2, (w2) => {
      for (const id of psks.identities) {
        w2.vector(2, id.identity);
        w2.u32(id.obfuscatedTicketAge);
      }
    });
    writeBinders(w, psks.binders);
  });
}

/**
 * ClientHello form. The identity and binder counts must match: RFC 8446 §4.2.11 pairs each binder
 * with its identity, and a server cannot validate the selected one otherwise → illegal_parameter.
 */
export function decodePreSharedKeyClientExt(data: Uint8Array): OfferedPsks {
  return parseExtensionBody(data, 'pre_shared_key', (r) => {
    const ids = r.sub(2, 'identities', 7);
    const identities: PskIdentity[] = [];
    while (!ids.atEnd) {
      const identity = ids.vector(2, 'identity', 1);
      const obfuscatedTicketAge = ids.u32('obfuscated_ticket_age');
      identities.push({ identity, obfuscatedTicketAge });
    }
    const bs = r.sub(2, 'binders', 33);
    const binders: Uint8Array[] = [];
    while (!bs.atEnd) binders.push(bs.vector(1, 'PskBinderEntry', 32));
    if (binders.length !== identities.length) {
      throw illegalParameter(`pre_shared_key: ${identities.length} identities but ${binders.length} binders (RFC 8446 §4.2.11)`);
    }
    return { identities, binders };
  });
}

/** ServerHello form: `uint16 selected_identity`. */
export function encodePreSharedKeyServerExt(selectedIdentity: number): Extension {
  return makeExtension(ExtensionType.pre_shared_key, (w) => w.u16(selectedIdentity));
}

export function decodePreSharedKeyServerExt(data: Uint8Array): number {
  return parseExtensionBody(data, 'pre_shared_key', (r) => r.u16('selected_identity'));
}

/** Wire length of the `binders` vector (u16 length included) for binders of these lengths. */
export function pskBindersLength(binderLengths: readonly number[]): number {
  let n = 2;
  for (const l of binderLengths) n += 1 + l;
  return n;
}

/**
 * RFC 8446 §4.2.11.2: the binders are computed over the transcript up to and including
 * `identities`, i.e. the ClientHello message (header included, its length counting the binders)
 * without the trailing `binders` vector. pre_shared_key is last (§4.2.11), so the binders end the
 * message: given the full encoded ClientHello, returns the length of that prefix.
 * The message must carry a well-formed pre_shared_key as its last extension.
 */
export function pskBindersPrefixLength(clientHelloMessage: Uint8Array): number {
  const binders = locateBinders(clientHelloMessage);
  return binders.start;
}

/**
 * Write `binders` into a ClientHello built with placeholder binders of the same lengths (the client
 * fills them after hashing the prefix). Modifies `clientHelloMessage` in place and returns it.
 */
export function patchPskBinders(clientHelloMessage: Uint8Array, binders: readonly Uint8Array[]): Uint8Array {
  const { start, lengths } = locateBinders(clientHelloMessage);
  if (lengths.length !== binders.length || lengths.some((l, i) => l !== binders[i]!.length)) {
    throw internalError('patchPskBinders: binder lengths differ from the placeholders');
  }
  const w = new Writer(clientHelloMessage.length - start);
  writeBinders(w, binders);
  clientHelloMessage.set(w.view(), start);
  return clientHelloMessage;
}

/** Find the binders vector at the end of an encoded ClientHello (header included). */
function locateBinders(msg: Uint8Array): { start: number; lengths: number[] } {
  // Walk header → extensions to the last extension; it must be pre_shared_key.
  const r = new Reader(msg, 'ClientHello');
  r.u8('msg_type');
  const body = r.sub(3, 'body');
  r.expectEnd();
  body.u16('legacy_version');
  body.bytes(32, 'random');
  body.vector(1, 'legacy_session_id');
  body.vector(2, 'cipher_suites');
  body.vector(1, 'legacy_compression_methods');
  const exts = body.sub(2, 'extensions');
  body.expectEnd();
  let last: { type: number; data: Uint8Array; offset: number } | undefined;
  while (!exts.atEnd) {
    const type = exts.u16('extension_type');
    const len = exts.u16('extension_data');
    const offset = exts.offset;
    last = { type, data: exts.bytes(len, 'extension_data'), offset };
  }
  if (!last || last.type !== ExtensionType.pre_shared_key) {
    throw internalError('ClientHello does not end with a pre_shared_key extension');
  }
  const psk = new Reader(last.data, 'pre_shared_key');
  psk.vector(2, 'identities');
  const start = last.offset + psk.offset;
  const lengths: number[] = [];
  const bs = psk.sub(2, 'binders');
  psk.expectEnd();
  while (!bs.atEnd) lengths.push(bs.vector(1, 'PskBinderEntry').length);
  return { start, lengths };
}
