// Buffers the node adapter seals records into and stages writes in.
import type { TransportOptions } from '../connection/base.js';
import type { ClientTransportOptions } from '../connection/client.js';

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

/**
 * The client's: like node:tls, the ClientHello is built when the transport is connected (the
 * TLSSocket calls start()), so that setSession() before that still takes effect.
 */
export const NODE_CLIENT_TRANSPORT: ClientTransportOptions = { ...NODE_TRANSPORT, startLater: true };
