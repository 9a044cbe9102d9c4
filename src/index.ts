// hush — the portable core: sans-I/O TLS connections, X.509, and the types around them.
// It uses no Node APIs; pass a CryptoProvider (e.g. from 'hush/node') and a clock.
export { ClientConnection, type ClientTransportOptions } from './connection/client.js';
export { ServerConnection, Acceptor, type AcceptorOptions, type Accepted, type OfferedSessions, type ServerConnectionOptions } from './connection/server.js';
export { type ExternalSessions } from './handshake/session/external-sessions.js';
export { MAX_CLIENT_HELLO_SIZE, DEFAULT_MAX_CLIENT_HELLO_RECORDS } from './handshake/messages/handshake.js';
export type { TlsConnection, ConnectionState } from './connection/api.js';
export type { HandshakeInfo, FinishedPair, SessionTicket, EchStatus } from './handshake/events.js';
export type { ConnectionEvent } from './connection/events.js';
export type { ClientConfig, ServerConfig, CertifiedKey, TlsVersionName, EchServerKey, EchServerOptions } from './handshake/config.js';
export type { ClientHelloInfo } from './handshake/client-hello-info.js';
export type { TraceEvent } from './handshake/trace.js';
export * from './errors/index.js';
export * from './wire/index.js';
export type * from './crypto/provider.js';
export { TLS13_SUITES, TLS12_SUITES, suiteById, suiteByName } from './crypto/suites.js';
// For providers of their own: the post-quantum hybrid groups are composed from a provider's KEM
// and ECDH here, and every KEM runs the FIPS 203 input checks.
export { KEM_SIZES } from './crypto/provider.js';
export { createHybridKeyExchanges, hybridKeyExchange, HYBRID_GROUPS, type HybridGroupSpec, type HybridKeyExchange } from './crypto/hybrid.js';
export { checkEncapsulationKey, checkCiphertext } from './crypto/kem-checks.js';
export { TrustStore } from './x509/trust-store.js';
export { parseCertificate, parseCertificates, type Certificate } from './x509/certificate.js';
export { verifyClientChain, verifyServerChain } from './x509/verify.js';
