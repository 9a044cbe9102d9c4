// Small helpers for the node:crypto provider (Node-only code).
import { Buffer } from 'node:buffer';

/**
 * A plain Uint8Array view of a Buffer, without copying. Buffer's `slice()` shares memory while
 * Uint8Array's copies; the portable core must only ever see the latter semantics.
 */
export function u8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A Buffer view of bytes (no copy) for node APIs that want a Buffer or a string encoding. */
export function buf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export function b64url(b: Uint8Array): string {
  return buf(b).toString('base64url');
}

export function fromB64url(s: string): Uint8Array {
  return u8(Buffer.from(s, 'base64url'));
}

/** OR of all bytes, in time that depends only on the length. */
export function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i]!;
  return acc === 0;
}

/** Hex of a short value, for use as a lookup key (OIDs, parameters). */
export function toHexKey(b: Uint8Array): string {
  return buf(b).toString('hex');
}
