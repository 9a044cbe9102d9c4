// What a handshake state may ask of the connection that runs it. The connection implements it;
// states never touch records, sockets or event queues directly.
import type { CryptoProvider } from '../crypto/provider.js';
import type { Tls12Suite, Tls13Suite } from '../crypto/suites.js';
import type { Keys12 } from '../schedule/tls12.js';
import type { HandshakeInfo, SessionTicket, SessionEvent } from './events.js';
import type { TraceEvent } from './trace.js';

/** Secrets the connection keeps after a TLS 1.3 handshake (for KeyUpdate and exporters). */
export interface Established13 {
  readonly suite: Tls13Suite;
  readonly clientApplicationSecret: Uint8Array;
  readonly serverApplicationSecret: Uint8Array;
  readonly exporterMasterSecret: Uint8Array;
}

/** Secrets the connection keeps after a TLS 1.2 handshake (for exporters, RFC 5705). */
export interface Established12 {
  readonly suite: Tls12Suite;
  readonly masterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  /** RFC 7627 was used; exporters are refused without it (RFC 7627 §5.4). */
  readonly extendedMasterSecret: boolean;
}

/** TLS 1.2 record protection options agreed in the hellos. */
export interface Protection12Params {
  /** RFC 7366 encrypt-then-MAC (CBC suites only). */
  readonly encryptThenMac: boolean;
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
   * TLS 1.2 (RFC 5246 §7.1): switch read protection to these keys. Called by a state's
   * `changeCipherSpec()` when the peer's ChangeCipherSpec arrives; a handshake message split
   * across the change fails.
   */
  setReadCipher12(suite: Tls12Suite, keys: Keys12, params: Protection12Params): void;
  /** TLS 1.2: send ChangeCipherSpec, then protect everything we send with these keys. */
  setWriteCipher12(suite: Tls12Suite, keys: Keys12, params: Protection12Params): void;
  /** TLS 1.2: the version is settled; record limits become TLS 1.2's (2^14 + 2048 ciphertext). */
  useTls12Records(): void;
  /** Send a warning alert (TLS 1.2 no_renegotiation, RFC 5746 §4.2/§4.4). The connection goes on. */
  sendWarningAlert(description: number): void;
  /**
   * Server, 0-RTT rejected (RFC 8446 §4.2.10): discard up to `maxBytes` of the client's early data
   * records (those that do not decrypt under the current read key, or all application_data
   * records before read keys exist).
   */
  skipEarlyData(maxBytes: number): void;
  /**
   * A message after the handshake was dropped without effect (a session ticket beyond those we
   * keep): it counts toward the bound on records in a row that make no progress.
   */
  ignoredMessage(what: string): void;
  /** The handshake is complete: application data may flow. */
  handshakeComplete(info: HandshakeInfo, secrets: Established13 | Established12): void;
  /** Queue an event for the owner. */
  emit(event: SessionEvent): void;
  /** True when the owner asked for trace events (so states can skip building them). */
  readonly tracing: boolean;
  trace(event: TraceEvent): void;
  /** NSS key log line, when key logging is on. */
  keyLog(label: string, clientRandom: Uint8Array, secret: Uint8Array): void;
}

export type { HandshakeInfo, SessionTicket };
