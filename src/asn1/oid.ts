// OBJECT IDENTIFIER encoding (X.690 §8.19): base-128 arcs, the first two arcs packed as 40*X+Y.

// Certificates repeat a few dozen OIDs; decoding each once keeps parsing cheap. Bounded.
const cache = new Map<string, string>();
const CACHE_MAX = 2048;

/** Decode OID contents to dotted form. `fail` throws. Arcs beyond 2^53 are decoded with BigInt. */
export function decodeOid(b: Uint8Array, fail: (message: string) => never): string {
  if (b.length === 0) fail('OBJECT IDENTIFIER is empty');
  if (b.length > 128) fail(`OBJECT IDENTIFIER of ${b.length} bytes is too long`);
  let key = '';
  if (b.length <= 24) {
    for (let i = 0; i < b.length; i++) key += String.fromCharCode(b[i]!);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
  }
  const s = decodeOidUncached(b, fail);
  if (key !== '' && cache.size < CACHE_MAX) cache.set(key, s);
  return s;
}

function decodeOidUncached(b: Uint8Array, fail: (message: string) => never): string {
  const arcs: (number | bigint)[] = [];
  let i = 0;
  while (i < b.length) {
    // X.690 §8.19.2: the leading octet of a subidentifier shall not be 0x80 (minimal encoding).
    if (b[i] === 0x80) fail('OBJECT IDENTIFIER arc is not minimally encoded');
    let v = 0;
    let big: bigint | undefined;
    for (;;) {
      if (i >= b.length) fail('OBJECT IDENTIFIER ends inside an arc');
      const c = b[i++]!;
      if (big !== undefined) big = (big << 7n) | BigInt(c & 0x7f);
      else if (v > 2 ** 45) big = (BigInt(v) << 7n) | BigInt(c & 0x7f);
      else v = v * 128 + (c & 0x7f);
      if ((c & 0x80) === 0) break;
    }
    arcs.push(big ?? v);
  }
  const first = arcs[0]!;
  const out: string[] = [];
  if (typeof first === 'bigint') out.push('2', String(first - 80n));
  else if (first < 40) out.push('0', String(first));
  else if (first < 80) out.push('1', String(first - 40));
  else out.push('2', String(first - 80));
  for (let k = 1; k < arcs.length; k++) out.push(String(arcs[k]));
  return out.join('.');
}

/** Encode a dotted OID ("1.2.840.113549.1.1.11") to its contents octets. */
export function encodeOid(dotted: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(dotted)) throw new RangeError(`'${dotted}' is not a dotted OID`);
  const parts = dotted.split('.').map((s) => BigInt(s));
  const [a, b] = [parts[0]!, parts[1]!];
  if (a < 2n && b >= 40n) throw new RangeError(`'${dotted}': second arc must be < 40 under arc ${a}`);
  const arcs = [a * 40n + b, ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const bytes: number[] = [Number(arc & 0x7fn)];
    let v = arc >> 7n;
    while (v > 0n) {
      bytes.unshift(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}
