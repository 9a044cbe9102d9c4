// Buffers the node adapter seals records into and stages writes in.
import type { TransportOptions } from '../connection/base.js';

/**
 * Not zero-filled, not from the shared pool (a slab is not a short-lived slice of it). Records
 * are sealed over every byte of their buffer before it leaves, so no zero-filling is needed
 * (zeroing a fresh 64 KiB buffer per four records was ~5-8 % of a bulk sender's CPU).
 */
export function allocUnsafe(n: number): Uint8Array {
  return Buffer.allocUnsafeSlow(n);
}

/** The TransportOptions of every connection the node adapter creates. */
export const NODE_TRANSPORT: TransportOptions = { allocate: allocUnsafe };
