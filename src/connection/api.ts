// The public shape of a sans-I/O TLS connection, shared by ClientConnection and ServerConnection.
// Adapters (node sockets, WebSockets, tests) drive it: feed received bytes with `receive()`,
// send what `takeOutput()` returns, and act on `takeEvents()`.
import type { TlsError } from '../errors/errors.js';
import type { HandshakeInfo } from '../handshake/events.js';
import type { ConnectionEvent } from './events.js';

export type ConnectionState = 'handshaking' | 'established' | 'closed' | 'failed';

export interface TlsConnection {
  readonly side: 'client' | 'server';
  /**
   * Feed bytes that arrived from the peer (any split). Returns the TlsError when these bytes made
   * the connection fail; the alert for it is then queued in the output and the connection stays
   * failed: later calls return the same error.
   */
  receive(data: Uint8Array): TlsError | undefined;
  /** The bytes to send next, in order (several records, coalesced); empty when nothing is due. */
  takeOutput(): Uint8Array[];
  /** True when `takeOutput()` would return something. */
  readonly wantsWrite: boolean;
  /** Events produced since the last call, in order. */
  takeEvents(): ConnectionEvent[];
  /**
   * Queue application data. Before the handshake completes it is held and sent once keys exist.
   * Throws UsageError after close() or failure.
   */
  write(data: Uint8Array): void;
  /** Send close_notify (RFC 8446 §6.1). Later writes throw. Reading may continue until the peer closes. */
  close(): void;
  /**
   * Cut the records sent from now on at `max` bytes of content, 512..16384 (like OpenSSL's
   * SSL_set_max_send_fragment; the content type byte and TLS 1.3 padding come on top). Records
   * already queued keep their size. UsageError outside that range.
   */
  setMaxSendFragment(max: number): void;
  /** Update our traffic keys (RFC 8446 §4.6.3); `requestPeer` asks the peer to update too. */
  updateKeys(requestPeer?: boolean): void;
  /** RFC 8446 §7.5 / RFC 5705 exporter. Throws UsageError before the handshake completes. */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array;
  readonly state: ConnectionState;
  /** Set once the handshake completes. */
  readonly handshakeInfo: HandshakeInfo | undefined;
  /** Set once the connection failed. */
  readonly error: TlsError | undefined;
  /** True once the peer's close_notify arrived. */
  readonly peerClosed: boolean;
}
