// What a connection tells its owner. The sans-I/O core never calls out: the owner feeds bytes
// with `receive()`, then drains `takeEvents()` and `takeOutput()`.
import type { TlsError } from '../errors/errors.js';
import type { HandshakeInfo, SessionEvent } from '../handshake/events.js';
import type { TraceEvent } from '../handshake/trace.js';

export type ConnectionEvent =
  | { readonly type: 'handshake'; readonly info: HandshakeInfo }
  | { readonly type: 'data'; readonly data: Uint8Array }
  | SessionEvent
  /** The peer sent close_notify: no more data will arrive. */
  | { readonly type: 'closed' }
  /** The connection failed (locally detected or an alert from the peer). Final. */
  | { readonly type: 'error'; readonly error: TlsError }
  /** A secret in NSS key log format (one line, no newline). */
  | { readonly type: 'keylog'; readonly line: string }
  /** A step of the handshake, for --trace and learners (only when config.trace is on). */
  | { readonly type: 'trace'; readonly trace: TraceEvent }
  /** The peer updated its keys (or we did, on request). */
  | { readonly type: 'keyUpdate'; readonly direction: 'sent' | 'received' };
