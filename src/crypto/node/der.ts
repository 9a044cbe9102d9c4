// The few DER shapes the provider looks into itself, to avoid node's slow DER key import on the
// handshake path: SubjectPublicKeyInfo (RFC 5280 §4.1) and RSAPublicKey (RFC 8017 §A.1.1).
// Anything unexpected returns undefined and the caller falls back to node's own decoder.

interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
  /** Offset just past this TLV. */
  readonly end: number;
}

/** One DER TLV at `off` with a single-byte tag and a minimal definite length. */
function tlv(b: Uint8Array, off: number): Tlv | undefined {
  if (off + 2 > b.length) return undefined;
  const tag = b[off]!;
  let len = b[off + 1]!;
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || p + n > b.length || b[p] === 0) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
    if (len < 0x80) return undefined; // non-minimal length
  }
  if (p + len > b.length) return undefined;
  return { tag, value: b.subarray(p, p + len), end: p + len };
}

export interface SpkiParts {
  /** The algorithm OID's content bytes. */
  readonly oid: Uint8Array;
  /** The algorithm parameters TLV, if any (whole encoding). */
  readonly params: Uint8Array | undefined;
  /** The subjectPublicKey BIT STRING contents without the unused-bits byte. */
  readonly key: Uint8Array;
}

export function parseSpki(spki: Uint8Array): SpkiParts | undefined {
  const outer = tlv(spki, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== spki.length) return undefined;
  const body = outer.value;
  const alg = tlv(body, 0);
  if (!alg || alg.tag !== 0x30) return undefined;
  const oid = tlv(alg.value, 0);
  if (!oid || oid.tag !== 0x06) return undefined;
  let params: Uint8Array | undefined;
  if (oid.end < alg.value.length) {
    const p = tlv(alg.value, oid.end);
    if (!p || p.end !== alg.value.length) return undefined;
    params = alg.value.subarray(oid.end, p.end);
  }
  const bits = tlv(body, alg.end);
  if (!bits || bits.tag !== 0x03 || bits.end !== body.length || bits.value.length < 1 || bits.value[0] !== 0) {
    return undefined;
  }
  return { oid: oid.value, params, key: bits.value.subarray(1) };
}

/** A positive INTEGER in minimal encoding, returned without its sign byte. */
function positiveInteger(t: Tlv | undefined): Uint8Array | undefined {
  if (!t || t.tag !== 0x02 || t.value.length === 0) return undefined;
  const v = t.value;
  if (v[0]! & 0x80) return undefined; // negative
  if (v[0] === 0) {
    if (v.length === 1 || !(v[1]! & 0x80)) return undefined; // zero or non-minimal
    return v.subarray(1);
  }
  return v;
}

export function parseRsaPublicKey(der: Uint8Array): { n: Uint8Array; e: Uint8Array } | undefined {
  const seq = tlv(der, 0);
  if (!seq || seq.tag !== 0x30 || seq.end !== der.length) return undefined;
  const nT = tlv(seq.value, 0);
  const n = positiveInteger(nT);
  if (!nT || !n) return undefined;
  const eT = tlv(seq.value, nT.end);
  const e = positiveInteger(eT);
  if (!eT || !e || eT.end !== seq.value.length) return undefined;
  return { n, e };
}
