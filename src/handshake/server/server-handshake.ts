// What the TLS 1.3 and TLS 1.2 server states share: the handshake carrier, the hooks the
// connection passes in, and the ALPN choice. The TLS 1.3 server continues in the TLS 1.2 states
// (server13 → server12), so these live below both.
import { TlsError, internalError } from '../../errors/errors.js';
import type { HandshakeContext } from '../context.js';
import type { ServerConfig } from '../config.js';
import type { ClientHelloInfo } from '../client-hello-info.js';
import { resolveServerConfig, type ResolvedServerConfig } from './server-options.js';
import type { ParsedClientHello } from './server-client-hello.js';
import { verifyPeerCertificates, type PeerVerification } from '../shared/peer-certificates.js';
import { peerRevocation } from '../shared/peer-revocation.js';
import { ExternalSessionCache, type ExternalSessions } from '../session/external-sessions.js';
import type { SessionCache } from '../session/server12-sessions.js';

/** Options the connection passes besides the config. */
export interface ServerHandshakeHooks {
  /** Called with each ClientHello's summary (the connection exposes it). */
  onClientHello?(info: ClientHelloInfo): void;
  /**
   * The application's session store for this connection (node's 'newSession'/'resumeSession'):
   * replaces the config's TLS 1.2 session cache, and sees every TLS 1.3 ticket issued.
   */
  sessions?: ExternalSessions;
}

/** Everything the server handshake carries from state to state (the TLS 1.2 states too). */
export class ServerHandshake {
  readonly resolved: ResolvedServerConfig;
  readonly random: Uint8Array;
  /** TLS 1.2 sessions by ID: the application's store when it gave one, else the config's cache. */
  readonly sessionCache: SessionCache | undefined;
  /** Set when we sent a HelloRetryRequest on this connection. */
  hrrSent = false;
  constructor(
    readonly ctx: HandshakeContext,
    readonly config: ServerConfig,
    readonly hooks: ServerHandshakeHooks,
  ) {
    this.resolved = resolveServerConfig(ctx.provider, config);
    this.random = ctx.provider.randomBytes(32);
    this.sessionCache = hooks.sessions ? new ExternalSessionCache(hooks.sessions) : this.resolved.sessionCache;
  }
}

/** RFC 7301 §3.2: the application's choice, or the first of ours the client offers. */
export function chooseAlpn(hs: ServerHandshake, p: ParsedClientHello): string | undefined {
  const offered = p.alpn;
  if (offered === undefined) return undefined;
  if (hs.config.selectAlpn) {
    const chosen = hs.config.selectAlpn(offered, p.info);
    if (chosen === undefined) return undefined;
    if (!offered.includes(chosen)) throw internalError(`selectAlpn returned '${chosen}', which the client did not offer`);
    return chosen;
  }
  if (hs.resolved.alpn.length === 0) return undefined;
  const chosen = hs.resolved.alpn.find((a) => offered.includes(a));
  if (chosen === undefined) {
    throw new TlsError(
      'no_application_protocol',
      `the client offers the application protocols ${offered.join(', ')}, but this server speaks only ${hs.resolved.alpn.join(', ')}`,
    );
  }
  return chosen;
}

/**
 * The client's certificate chain (TLS 1.3 and 1.2 alike), checked as the config says: its client
 * trust store, validation profile (ServerConfig.clientVerify) and CRLs; purpose clientAuth, no host.
 */
export function verifyClientCertificates(ctx: HandshakeContext, hs: ServerHandshake, certificates: readonly Uint8Array[]): PeerVerification {
  return verifyPeerCertificates(ctx, {
    certificates,
    trust: hs.config.clientTrust,
    hostname: undefined,
    purpose: 'clientAuth',
    rejectUnauthorized: hs.resolved.rejectUnauthorizedClients,
    revocation: peerRevocation(hs.config),
    policy: hs.config.clientVerify,
  });
}
