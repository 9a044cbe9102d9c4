// RFC 8446 §7.1: HKDF-Expand-Label and Derive-Secret, on the provider's HKDF.
//
//   struct {
//       uint16 length = Length;
//       opaque label<7..255> = "tls13 " + Label;
//       opaque context<0..255> = Context;
//   } HkdfLabel;
//
//   Derive-Secret(Secret, Label, Messages) =
//       HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { HASH_LENGTH } from '../crypto/provider.js';
import { internalError } from '../errors/errors.js';

const PREFIX = 'tls13 ';
/** Labels are fixed strings; encode each once ("tls13 " + label, ASCII). */
const LABEL_CACHE = new Map<string, Uint8Array>();

function labelBytes(label: string | Uint8Array): Uint8Array {
  if (typeof label !== 'string') {
    const out = new Uint8Array(PREFIX.length + label.length);
    for (let i = 0; i < PREFIX.length; i++) out[i] = PREFIX.charCodeAt(i);
    out.set(label, PREFIX.length);
    return out;
  }
  let b = LABEL_CACHE.get(label);
  if (b === undefined) {
    const full = PREFIX + label;
    b = new Uint8Array(full.length);
    for (let i = 0; i < full.length; i++) {
      const c = full.charCodeAt(i);
      if (c > 0x7f) throw internalError(`HKDF label '${label}' is not ASCII`);
      b[i] = c;
    }
    if (LABEL_CACHE.size < 256) LABEL_CACHE.set(label, b);
  }
  return b;
}

/**
 * The encoded HkdfLabel, built with one allocation. `label` is without the "tls13 " prefix;
 * a Uint8Array label (exporter labels chosen by the application) is used as bytes.
 */
export function hkdfLabel(label: string | Uint8Array, context: Uint8Array, length: number): Uint8Array {
  const l = labelBytes(label);
  // RFC 8446 §7.1: label<7..255>, context<0..255>.
  if (l.length > 255) throw internalError(`HKDF label of ${l.length} bytes is longer than 255`);
  if (context.length > 255) throw internalError(`HKDF context of ${context.length} bytes is longer than 255`);
  if (length < 0 || length > 0xffff) throw internalError(`HKDF output length ${length} does not fit a uint16`);
  const out = new Uint8Array(2 + 1 + l.length + 1 + context.length);
  out[0] = length >>> 8;
  out[1] = length & 0xff;
  out[2] = l.length;
  out.set(l, 3);
  out[3 + l.length] = context.length;
  out.set(context, 4 + l.length);
  return out;
}

/** HKDF-Expand-Label(Secret, Label, Context, Length). */
export function hkdfExpandLabel(
  provider: CryptoProvider,
  hash: HashName,
  secret: Uint8Array,
  label: string | Uint8Array,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return provider.hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

/**
 * Derive-Secret(Secret, Label, Messages), given the transcript hash of Messages (the caller
 * keeps an incremental transcript; see `Transcript`).
 */
export function deriveSecret(
  provider: CryptoProvider,
  hash: HashName,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  const n = HASH_LENGTH[hash];
  if (transcriptHash.length !== n) {
    throw internalError(`Derive-Secret '${label}': transcript hash has ${transcriptHash.length} bytes, ${hash} needs ${n}`);
  }
  return provider.hkdfExpand(hash, secret, hkdfLabel(label, transcriptHash, n), n);
}
