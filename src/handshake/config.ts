// Configuration of client and server connections. Everything the core needs from the outside
// world (crypto, time, trust) is injected here, so the same core runs in Node and in browsers.
import type { CryptoProvider, PrivateKey } from '../crypto/provider.js';
import type { TrustStore } from '../x509/trust-store.js';
import type { ChainPolicyOptions } from '../x509/verify.js';
import type { ClientHelloInfo } from './client-hello-info.js';
import type { SessionTicket } from './events.js';
import type { Extension } from './messages/extensions.js';
import type { SessionCache } from './session/server12-sessions.js';
import type { ClientRevocationConfig, OcspStaple, PeerRevocationConfig } from './revocation-config.js';

export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3';

/** A certificate chain (DER, leaf first) with its private key. */
export interface CertifiedKey {
  readonly chain: readonly Uint8Array[];
  readonly key: PrivateKey;
  /** A DER OCSPResponse for the leaf, stapled when the client asks (RFC 6066 §8; #15). */
  readonly ocspStaple?: OcspStaple;
}

interface CommonConfig {
  readonly provider: CryptoProvider;
  /** The clock, in ms since the epoch (like Go's Config.Time). */
  readonly now: () => number;
  /** Cipher suites in preference order (IANA values). Default: the three TLS 1.3 suites. */
  readonly cipherSuites?: readonly number[];
  /**
   * Key exchange groups in preference order. Default: X25519MLKEM768 (post-quantum hybrid, TLS 1.3
   * only), x25519, secp256r1, secp384r1. SecP256r1MLKEM768 and SecP384r1MLKEM1024 when named.
   */
  readonly groups?: readonly number[];
  /** Signature schemes we accept from the peer (and may use), in preference order. */
  readonly signatureSchemes?: readonly number[];
  readonly minVersion?: TlsVersionName;
  readonly maxVersion?: TlsVersionName;
  /** ALPN protocol names in preference order. */
  readonly alpnProtocols?: readonly string[];
  /** Emit 'keylog' events (NSS key log lines). */
  readonly keyLog?: boolean;
  /** Emit 'trace' events narrating the handshake. */
  readonly trace?: boolean;
  /** Largest handshake message accepted (bytes), a server's ClientHello excepted. Default 64 KiB. */
  readonly maxHandshakeMessageSize?: number;
  /** Records sealed under one key before we update it (RFC 8446 §5.5). */
  readonly keyUpdateAfterRecords?: number;
  /** Largest content per record we send, 512..16384 (default 16384; see TlsConnection.setMaxSendFragment). */
  readonly maxSendFragment?: number;
}

export interface ClientConfig extends CommonConfig, ClientRevocationConfig {
  /**
   * Cipher suites in preference order (IANA values). Default: the three TLS 1.3 suites, then the
   * TLS 1.2 ECDHE suites with an AEAD. RSA key transport and CBC suites are offered only when named
   * here. A list naming only TLS 1.3 (or only TLS 1.2) suites limits the versions offered.
   */
  readonly cipherSuites?: readonly number[];
  /** The server's DNS name (sent as SNI) or IP literal (not sent; checked against IP SANs). */
  readonly serverName?: string;
  /** Trust anchors for the server's chain. Required unless verification is off. */
  readonly trust?: TrustStore;
  /** When false, a chain that fails verification is reported (authorized=false) but accepted. */
  readonly rejectUnauthorized?: boolean;
  /** How the server's chain is validated: profile (default 'webpki'), maxDepth, algorithms, required usages. */
  readonly verify?: ChainPolicyOptions;
  /**
   * How many of the first groups get a key share in the first ClientHello (1 or 2). Default: the
   * first group, plus the first classical group when the first is a post-quantum hybrid (so
   * X25519MLKEM768 and x25519 by default, sharing one X25519 key pair).
   */
  readonly keyShares?: number;
  /** Send a fake session id and ChangeCipherSpec (RFC 8446 Appendix D.4). Default true. */
  readonly middleboxCompat?: boolean;
  /**
   * A session to resume: a TLS 1.3 ticket, or a TLS 1.2 session (by its ticket, else its session
   * id), as delivered by the 'session' event.
   */
  readonly session?: SessionTicket;
  /** Our certificate for client authentication. */
  readonly clientCertificate?: CertifiedKey;
  /**
   * TLS 1.2: refuse servers that do not support the extended master secret (RFC 7627) with
   * handshake_failure, and do not offer to resume sessions made without it. Default true: without
   * it a TLS 1.2 session is open to the triple handshake attack (and exporters are refused).
   */
  readonly requireExtendedMasterSecret?: boolean;
  /** Pad every encrypted record's plaintext to a multiple of this many bytes. 0 = none. */
  readonly recordPadding?: number;
  /**
   * Rewrite the ClientHello extension list before it is encoded (for tests that reproduce a
   * recorded handshake, and fingerprinting research). pre_shared_key must stay last; binders are
   * computed after this hook. Extensions the hook adds count as offered.
   */
  readonly customizeHelloExtensions?: (extensions: readonly Extension[]) => Extension[];
  /**
   * Rewrite the ClientHello cipher_suites list (same purpose as customizeHelloExtensions). Values
   * hush does not implement may be listed; a server choosing one of them is still refused
   * (illegal_parameter), because the handshake accepts only suites hush resolved from cipherSuites.
   */
  readonly customizeHelloCipherSuites?: (suites: readonly number[]) => number[];
  /**
   * Encrypted Client Hello (RFC 9849): the server's ECHConfigList (from its DNS HTTPS record's
   * `ech=` or `hush ech`). The real serverName travels encrypted; the outer ClientHello names the
   * config's public_name. Only TLS 1.3 is offered. When the server rejects ECH the handshake fails
   * with EchRejectedError (carrying the server's retryConfigs) after authenticating as
   * public_name: the real name is never sent in the clear.
   */
  readonly echConfigList?: Uint8Array;
  /** Send a GREASE encrypted_client_hello when no echConfigList is given (RFC 9849 §6.2). Default true. */
  readonly echGrease?: boolean;
}

/**
 * One Encrypted Client Hello key of a server (RFC 9849 §7): an ECHConfig as published (in DNS, by
 * `hush ech`) and the HPKE private key of its public key.
 */
export interface EchServerKey {
  /** One encoded ECHConfig (version 0xfe0d), exactly as it appears in the published ECHConfigList. */
  readonly config: Uint8Array;
  /** The KEM private key of the config's public_key (32 bytes for DHKEM(X25519, HKDF-SHA256)). */
  readonly privateKey: Uint8Array;
  /**
   * Send this config in retry_configs when ECH is rejected (default true). A key kept only so that
   * clients with an older config still get through (after a rotation) says false.
   */
  readonly sendAsRetry?: boolean;
}

/** Encrypted Client Hello on the server (RFC 9849 §7). */
export interface EchServerOptions {
  /** The keys tried by config_id (several during a rotation); at least one must be sendAsRetry. */
  readonly keys: readonly EchServerKey[];
}

export interface ServerConfig extends CommonConfig, PeerRevocationConfig {
  /** Certificates to choose from by the client's SNI and signature_algorithms. */
  readonly certificates: readonly CertifiedKey[];
  /**
   * Largest ClientHello accepted (body bytes). Default 131 396, the largest the wire format allows
   * (MAX_CLIENT_HELLO_SIZE: every legal ClientHello is accepted, as OpenSSL does).
   */
  readonly maxClientHelloSize?: number;
  /**
   * Most records one ClientHello may span. Default 4096 (DEFAULT_MAX_CLIENT_HELLO_RECORDS): any
   * hello up to 4 KiB even a byte per record, the largest in records of 32 bytes or more.
   */
  readonly maxClientHelloRecords?: number;
  /** Choose the cipher suite by our order (default) or the client's. */
  readonly preferServerCiphers?: boolean;
  /** Request a client certificate: 'none' (default), 'optional' or 'required'. */
  readonly clientAuth?: 'none' | 'optional' | 'required';
  /** Trust anchors for client certificates. */
  readonly clientTrust?: TrustStore;
  /** When false, a client certificate that fails verification is reported (authorized=false) but accepted. Default true. */
  readonly rejectUnauthorizedClients?: boolean;
  /** How client chains are validated: profile (default 'rfc5280'), maxDepth, algorithms, required usages. */
  readonly clientVerify?: ChainPolicyOptions;
  /** Keys that seal session tickets; the first seals, all open (rotation). Empty → no tickets. */
  readonly ticketKeys?: readonly Uint8Array[];
  /** Ticket lifetime in seconds (≤ 7 days). Default 7200. */
  readonly ticketLifetime?: number;
  /** How many tickets to send after a full handshake. Default 2. */
  readonly ticketCount?: number;
  /** Refuse to resume the same ticket twice (needs a store; per-process). */
  readonly singleUseTickets?: boolean;
  /** HMAC key (≥ 16 bytes) for the stateless HelloRetryRequest cookie. Default: derived from ticketKeys[0], else random. */
  readonly cookieKey?: Uint8Array;
  /** Pick the ALPN protocol yourself (return undefined for none); overrides alpnProtocols. */
  readonly selectAlpn?: (offered: readonly string[], hello: ClientHelloInfo) => string | undefined;
  /**
   * TLS 1.2: refuse clients without the extended master secret (RFC 7627) with handshake_failure.
   * Default true (sessions without it are open to the triple handshake attack).
   */
  readonly requireExtendedMasterSecret?: boolean;
  /**
   * TLS 1.2 resumption by session ID: where sessions are kept. Default: a bounded in-memory LRU
   * (10 000 sessions) shared by every config built on the same ticketKeys array (else per config).
   * `false` turns session IDs off (tickets still work when ticketKeys are set).
   */
  readonly sessionCache?: SessionCache | false;
  /** Encrypted Client Hello: decrypt ClientHelloInner with these keys (RFC 9849 §7). */
  readonly ech?: EchServerOptions;
}
