// hush/node: node:tls-like sockets, client and server over hush, plus Node's crypto provider and
// trust stores.
export { connect, clientConfigFromOptions, type ConnectOptions } from './connect.js';
import './tls-socket-setup.js';
export { createServer, Server, TLSServer, type ServerOptions, type SNICallback, type ALPNCallback } from './server.js';
export { createSecureContext, SecureContext, type SecureContextOptions } from './secure-context.js';
export { createHttpsServer, HttpsServer, type HttpsServerOptions } from './https.js';
export { TLSSocket, DEFAULT_HANDSHAKE_TIMEOUT, type TLSSocketOptions, type NodeTLSSocketOptions, type CipherNameAndProtocol, type EphemeralKeyInfo } from './socket.js';
export { encodeSession, decodeSession } from './session.js';
export { undiciConnector, type UndiciConnectParams, type UndiciConnectCallback } from './undici.js';
export type { PeerCertificate } from './peer-certificate.js';
export { nodeCryptoProvider, createNodeCryptoProvider, type NodeCryptoProviderOptions } from '../crypto/node/index.js';
export { defaultTrustStore, systemTrustStore, trustStoreFromFiles, SYSTEM_BUNDLE_PATHS, rootCertificates } from './trust.js';
export { checkServerIdentity } from './check-server-identity.js';
export { toNodeError, hushErrorOf, type NodeTlsError, type HushErrorDetail } from './node-errors.js';
