// What a handshake produces for the connection's owner: the agreed parameters (HandshakeInfo) and
// resumable sessions (SessionTicket). The connection delivers them as events (connection/events.ts).
import type { TlsError } from '../errors/errors.js';
import type { Certificate } from '../x509/certificate.js';
import type { ClientHelloInfo } from './client-hello-info.js';

/** The parameters a finished handshake agreed on. */
export interface HandshakeInfo {
  /** 'TLSv1.3' or 'TLSv1.2'. */
  readonly version: string;
  /** The IANA cipher suite value and name. */
  readonly cipherSuite: number;
  readonly cipherName: string;
  /** The key exchange group (undefined for TLS 1.2 RSA key transport and psk_ke). */
  readonly group: number | undefined;
  readonly groupName: string | undefined;
  /** The scheme the peer signed its CertificateVerify/ServerKeyExchange with (undefined when resumed). */
  readonly signatureScheme: number | undefined;
  readonly signatureSchemeName: string | undefined;
  /** The scheme we signed our own CertificateVerify with (server side; undefined when resumed or not signing). */
  readonly localSignatureScheme?: number | undefined;
  readonly localSignatureSchemeName?: string | undefined;
  readonly alpn: string | undefined;
  /** SNI the client sent (server side: what the client asked for). */
  readonly serverName: string | undefined;
  readonly resumed: boolean;
  /** TLS 1.2: RFC 7627 extended master secret was used (always true for TLS 1.3). */
  readonly extendedMasterSecret?: boolean;
  /** The peer's certificate chain as sent (leaf first); empty when none was sent. */
  readonly peerCertificates: readonly Certificate[];
  /** Whether the peer's chain was verified; when false, `authorizationError` says why. */
  readonly authorized: boolean;
  readonly authorizationError: TlsError | undefined;
  /** The verified path, leaf to anchor, when authorized. */
  readonly verifiedChain: readonly Certificate[];
  /** Server side: what the client offered in its (last) ClientHello. */
  readonly clientHello?: ClientHelloInfo;
  /**
   * Client side: the signature schemes the server's CertificateRequest listed (RFC 8446 §4.3.2
   * signature_algorithms; RFC 5246 §7.4.4 supported_signature_algorithms), in its order, when the
   * server asked for our certificate during the handshake; absent otherwise.
   */
  readonly certificateRequestSchemes?: readonly number[];
  /** Client side: the OCSP response the server stapled (DER), when it sent one (#15). */
  readonly ocspResponse?: Uint8Array;
  /** Server side: the certificate chain we presented (DER, leaf first). */
  readonly localCertificates?: readonly Uint8Array[];
  /**
   * Encrypted Client Hello (RFC 9849). Client: 'accepted' (serverName travelled encrypted),
   * 'grease' (a GREASE extension was sent), 'none'; 'rejected' never completes on the client (it
   * fails with EchRejectedError). Server: see EchStatus. Undefined where the side does not report it.
   */
  readonly ech?: EchStatus;
  /** With ECH: the name the outer ClientHello carried in the clear (the config's public_name). */
  readonly outerServerName?: string | undefined;
  /** The verify_data of the handshake's Finished messages (node's getFinished()/getPeerFinished()). */
  readonly finished: FinishedPair;
}

/**
 * The verify_data of the Finished message each side sent (RFC 8446 §4.4.4: the hash length, 32 or
 * 48 bytes; RFC 5246 §7.4.9: 12 bytes): `local` is ours, `peer` the one we checked. One side's
 * `local` is the other's `peer`. RFC 5929 §3.1's tls-unique is the first of the two: the
 * client's, except in a resumed TLS 1.2 handshake, where the server sends its Finished first.
 */
export interface FinishedPair {
  readonly local: Uint8Array;
  readonly peer: Uint8Array;
}

/**
 * What became of Encrypted Client Hello. Server side: 'accepted' (decrypted), 'rejected' (an ECH
 * extension we could not decrypt: a stale config, or GREASE — a server cannot tell them apart;
 * retry_configs were sent), 'grease' (an ECH extension, and this server has no ECH keys), 'none'.
 */
export type EchStatus = 'accepted' | 'rejected' | 'grease' | 'none';

/** A ticket to resume a TLS 1.3 session later (client side). Plain data so it can be stored. */
export interface SessionTicket {
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  readonly serverName: string | undefined;
  readonly cipherSuite: number;
  readonly ticket: Uint8Array;
  /** The resumption PSK (TLS 1.3) or master secret (TLS 1.2). Secret. */
  readonly secret: Uint8Array;
  /** ms since epoch when the ticket was received. */
  readonly receivedAt: number;
  /** Lifetime in seconds as the server sent it (capped at 7 days, RFC 8446 §4.6.1). */
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly maxEarlyData: number;
  readonly alpn: string | undefined;
  /** DER of the peer's certificates when the session was made (for getPeerCertificate after resume). */
  readonly peerCertificates: readonly Uint8Array[];
  /** TLS 1.2 only: session id for ID-based resumption, extended master secret used. */
  readonly sessionId?: Uint8Array;
  readonly extendedMasterSecret?: boolean;
}

/** The one event a handshake state emits itself (the rest are the connection's; see connection/events.ts). */
export type SessionEvent = { readonly type: 'session'; readonly ticket: SessionTicket };
