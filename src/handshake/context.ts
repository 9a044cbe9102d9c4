// What a handshake state may ask of the connection that runs it. The connection implements it;
// states never touch records, sockets or event queues directly.
import type { CryptoProvider } from '../crypto/provider.js';
import type { Tls13Suite } from '../crypto/suites.js';
import type { HandshakeInfo, SessionTicket, ConnectionEvent } from './events.js';
import type { TraceEvent } from './trace.js';

/** Secrets the connection keeps after a TLS 1.3 handshake (for KeyUpdate and exporters). */
export interface Established13 {
  readonly suite: Tls13Suite;
  readonly clientApplicationSecret: Uint8Array;
  readonly serverApplicationSecret: Uint8Array;
  readonly exporterMasterSecret: Uint8Array;
}

export interface HandshakeContext {
  readonly provider: CryptoProvider;
  now(): number;
  /** Send one handshake message (with its header) under the current write protection. */
  sendHandshake(message: Uint8Array): void;
  /** Send the middlebox-compatibility ChangeCipherSpec record (RFC 8446 Appendix D.4). */
  sendChangeCipherSpec(): void;
  /** Switch read protection to a TLS 1.3 traffic secret. Fails if a handshake message is split across the change. */
  setReadSecret13(suite: Tls13Suite, secret: Uint8Array): void;
  /** Switch write protection to a TLS 1.3 traffic secret. */
  setWriteSecret13(suite: Tls13Suite, secret: Uint8Array): void;
  /**
   * Server, 0-RTT rejected (RFC 8446 §4.2.10): discard up to `maxBytes` of the client's early data
   * records (those that do not decrypt under the current read key, or all application_data
   * records before read keys exist).
   */
  skipEarlyData(maxBytes: number): void;
  /** The handshake is complete: application data may flow. */
  handshakeComplete(info: HandshakeInfo, secrets: Established13): void;
  /** Queue an event for the owner. */
  emit(event: ConnectionEvent): void;
  /** True when the owner asked for trace events (so states can skip building them). */
  readonly tracing: boolean;
  trace(event: TraceEvent): void;
  /** NSS key log line, when key logging is on. */
  keyLog(label: string, clientRandom: Uint8Array, secret: Uint8Array): void;
}

export type { HandshakeInfo, SessionTicket };
