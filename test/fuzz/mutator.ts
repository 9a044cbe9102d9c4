// Byte-level mutations, deterministic given the Rng: bit flips, interesting values, length fields
// nudged, ranges deleted, inserted, duplicated and spliced from other corpus entries. Each call
// stacks 1..4 operations and returns their names (for the failure report).
import { concat as join, equal as sameBytes } from '../../src/bytes/util.js';
import type { Rng } from './prng.js';

/** Mutated inputs never grow beyond this (the decoders' bounds are far below it). */
export const MAX_MUTATED_LENGTH = 70_000;

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x10, 0x20, 0x3f, 0x40, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff];
const INTERESTING_16 = [0x0000, 0x0001, 0x0002, 0x00ff, 0x0100, 0x3fff, 0x4000, 0x4001, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_24 = [0x000000, 0x000001, 0x00ffff, 0x010000, 0x7fffff, 0xffffff];

export interface Mutation {
  readonly bytes: Uint8Array;
  readonly ops: readonly string[];
}

type Op = (b: Uint8Array, rng: Rng, corpus: readonly Uint8Array[]) => [Uint8Array, string];

const OPS: readonly Op[] = [
  // Flip one bit.
  (b, rng) => {
    if (b.length === 0) return [rng.bytes(1), 'byte'];
    const out = b.slice();
    const i = rng.int(b.length);
    const bit = rng.int(8);
    out[i] = out[i]! ^ (1 << bit);
    return [out, `flip@${i}.${bit}`];
  },
  // One byte to an interesting or random value.
  (b, rng) => {
    if (b.length === 0) return [rng.bytes(1), 'byte'];
    const out = b.slice();
    const i = rng.int(b.length);
    out[i] = rng.chance(0.5) ? rng.pick(INTERESTING_8) : rng.u32() & 0xff;
    return [out, `set8@${i}`];
  },
  // One byte ± 1..4 (length fields off by a little).
  (b, rng) => {
    if (b.length === 0) return [rng.bytes(1), 'byte'];
    const out = b.slice();
    const i = rng.int(b.length);
    const d = rng.pick([-4, -2, -1, 1, 2, 4]);
    out[i] = (out[i]! + d) & 0xff;
    return [out, `add8@${i}${d > 0 ? '+' : ''}${d}`];
  },
  // A big-endian u16 or u24 (a length field, often) to an interesting value or its neighbour.
  (b, rng) => {
    const w = rng.chance(0.7) ? 2 : 3;
    if (b.length < w) return [b.slice(), 'noop'];
    const out = b.slice();
    const i = rng.int(b.length - w + 1);
    let v = 0;
    for (let k = 0; k < w; k++) v = v * 256 + out[i + k]!;
    const choice = rng.int(3);
    if (choice === 0) v = rng.pick(w === 2 ? INTERESTING_16 : INTERESTING_24);
    else if (choice === 1) v = v + rng.pick([-3, -1, 1, 3]);
    else v = rng.int(b.length + 8);
    const max = w === 2 ? 0xffff : 0xffffff;
    v = ((v % (max + 1)) + max + 1) % (max + 1);
    for (let k = w - 1; k >= 0; k--) {
      out[i + k] = v & 0xff;
      v = Math.floor(v / 256);
    }
    return [out, `set${8 * w}@${i}`];
  },
  // Delete a range.
  (b, rng) => {
    if (b.length === 0) return [b.slice(), 'noop'];
    const i = rng.int(b.length);
    const n = Math.min(b.length - i, rng.chance(0.8) ? rng.range(1, 8) : rng.range(1, Math.max(1, b.length >> 1)));
    const out = new Uint8Array(b.length - n);
    out.set(b.subarray(0, i));
    out.set(b.subarray(i + n), i);
    return [out, `del@${i}+${n}`];
  },
  // Insert random or repeated bytes.
  (b, rng) => {
    const i = rng.int(b.length + 1);
    const n = rng.chance(0.8) ? rng.range(1, 8) : rng.range(1, 512);
    const ins = rng.chance(0.5) ? rng.bytes(n) : new Uint8Array(n).fill(rng.pick(INTERESTING_8));
    return [join(b.subarray(0, i), ins, b.subarray(i)), `ins@${i}+${n}`];
  },
  // Duplicate a range in place (repeated elements, repeated extensions).
  (b, rng) => {
    if (b.length === 0) return [b.slice(), 'noop'];
    const i = rng.int(b.length);
    const n = Math.min(b.length - i, rng.range(1, 64));
    const at = rng.int(b.length + 1);
    return [join(b.subarray(0, at), b.subarray(i, i + n), b.subarray(at)), `dup@${i}+${n}>${at}`];
  },
  // Truncate.
  (b, rng) => {
    const n = rng.int(b.length + 1);
    return [b.slice(0, n), `trunc@${n}`];
  },
  // Overwrite a range with bytes from elsewhere in the input.
  (b, rng) => {
    if (b.length < 2) return [b.slice(), 'noop'];
    const out = b.slice();
    const from = rng.int(b.length);
    const to = rng.int(b.length);
    const n = Math.min(b.length - from, b.length - to, rng.range(1, 32));
    out.set(b.subarray(from, from + n), to);
    return [out, `copy@${from}+${n}>${to}`];
  },
  // Splice: our head with the tail of another corpus entry.
  (b, rng, corpus) => {
    if (corpus.length === 0) return [b.slice(), 'noop'];
    const other = rng.pick(corpus);
    const i = rng.int(b.length + 1);
    const j = rng.int(other.length + 1);
    return [join(b.subarray(0, i), other.subarray(j)), `splice@${i}<${j}`];
  },
];

/** 1..4 stacked mutations of `input` (never the identity on purpose; the caller checks). */
export function mutate(input: Uint8Array, rng: Rng, corpus: readonly Uint8Array[] = []): Mutation {
  let b = input;
  const ops: string[] = [];
  const n = rng.chance(0.5) ? 1 : rng.range(2, 4);
  for (let k = 0; k < n; k++) {
    const [out, name] = rng.pick(OPS)(b, rng, corpus);
    b = out.length > MAX_MUTATED_LENGTH ? out.subarray(0, MAX_MUTATED_LENGTH) : out;
    ops.push(name);
  }
  return { bytes: b, ops };
}

// The harness's names for hush's own byte helpers (the same code, not a copy).
export { join, sameBytes };
