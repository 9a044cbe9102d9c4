// key_share (RFC 8446 §4.2.8).
import type { Reader, Writer } from '../../bytes/index.js';
import { illegalParameter, TlsError } from '../../errors/index.js';
import { ExtensionType } from '../../wire/index.js';
import { makeExtension, parseExtensionBody, type Extension } from './extensions.js';

/** `struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry` */
export interface KeyShareEntry {
  readonly group: number;
  readonly keyExchange: Uint8Array;
}

function writeEntry(w: Writer, e: KeyShareEntry): void {
  w.u16(e.group);
  w.vector(2, e.keyExchange);
}

function readEntry(r: Reader): KeyShareEntry {
  const group = r.u16('group');
  // RFC 8446 §4.2.8: key_exchange<1..2^16-1>; an empty key is a decode_error.
  const keyExchange = r.vector(2, 'key_exchange', 1);
  return { group, keyExchange };
}

/** ClientHello form: `KeyShareEntry client_shares<0..2^16-1>` (may be empty, to ask for HRR). */
export function encodeKeyShareClientExt(entries: readonly KeyShareEntry[]): Extension {
  return makeExtension(ExtensionType.key_share, (w) =>
    w.vector(2, (w2) => {
      for (const e of entries) writeEntry(w2, e);
    }),
  );
}

/**
 * ClientHello form. RFC 8446 §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for
 * the same group" → illegal_parameter. (That each group also appears in supported_groups, and in
 * the same order, is the server's check: it needs the other extension.)
 */
export function decodeKeyShareClientExt(data: Uint8Array): KeyShareEntry[] {
  return parseExtensionBody(data, 'key_share', (r) => {
    const list = r.sub(2, 'client_shares');
    const out: KeyShareEntry[] = [];
    const groups = new Set<number>();
    while (!list.atEnd) {
      const e = readEntry(list);
      if (groups.has(e.group)) throw illegalParameter(`key_share: two entries for group 0x${e.group.toString(16)} (RFC 8446 §4.2.8)`);
      groups.add(e.group);
      out.push(e);
    }
    return out;
  });
}

/** ServerHello form: one `KeyShareEntry server_share`. */
export function encodeKeyShareServerExt(entry: KeyShareEntry): Extension {
  return makeExtension(ExtensionType.key_share, (w) => writeEntry(w, entry));
}

export function decodeKeyShareServerExt(data: Uint8Array): KeyShareEntry {
  return parseExtensionBody(data, 'key_share', readEntry);
}

/** HelloRetryRequest form: `NamedGroup selected_group`. */
export function encodeKeyShareHrrExt(group: number): Extension {
  return makeExtension(ExtensionType.key_share, (w) => w.u16(group));
}

/**
 * HelloRetryRequest form. A body that parses as a whole KeyShareEntry is a server sending a key
 * share where RFC 8446 §4.2.8 allows only selected_group → illegal_parameter; any other length is
 * a decode_error.
 */
export function decodeKeyShareHrrExt(data: Uint8Array): number {
  if (data.length > 2) {
    let fullEntry = false;
    try {
      parseExtensionBody(data, 'key_share', readEntry);
      fullEntry = true;
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
    }
    if (fullEntry) throw illegalParameter('key_share: a HelloRetryRequest carries only selected_group, not a key share (RFC 8446 §4.2.8)');
  }
  return parseExtensionBody(data, 'key_share', (r) => r.u16('selected_group'));
}

