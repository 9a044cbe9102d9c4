// A ServerConfig checked and resolved into what the server handshake uses. Bad options are
// UsageErrors thrown when the connection is created. The result is cached per config object, so
// a server that reuses one config parses its certificates once.
import { UsageError } from '../../errors/errors.js';
import { ProtocolVersion } from '../../wire/enums.js';
import { utf8 } from '../../bytes/util.js';
import type { CryptoProvider } from '../../crypto/provider.js';
import type { Tls12Suite, Tls13Suite } from '../../crypto/suites.js';
import { parseCertificate, type Certificate } from '../../x509/certificate.js';
import { verifyHostname } from '../../x509/hostname.js';
import type { CertifiedKey, ServerConfig } from '../config.js';
import { MAX_TICKET_LIFETIME_SECONDS } from '../messages/new-session-ticket.js';
import { encodeCertificate13 } from '../messages/certificate.js';
import {
  resolveGroups,
  resolveSignatureSchemes,
  resolveTls12Suites,
  resolveTls13Suites,
  resolveVersions,
  versionsWithSuites,
} from '../shared/negotiation-options.js';
import { TicketSealer, UsedTickets } from '../session/server-tickets.js';
import { MemorySessionCache, type SessionCache } from '../session/server12-sessions.js';
import { SharedClientHellos } from './shared-client-hellos.js';
import { resolveEch, type ResolvedEch } from './ech-server.js';

/** At most this many SNI names are remembered per certificate (SNI values come from clients). */
const MAX_CACHED_NAMES = 64;

/**
 * One configured certificate with its parsed leaf. It belongs to one resolved config, and so does
 * what it remembers (its encoded TLS 1.3 Certificate message, the SNI names it was matched against):
 * two servers in one process never share that state.
 */
export class ServerCertificate {
  private message13: Uint8Array | undefined;
  private readonly nameMatches = new Map<string, boolean>();
  constructor(
    readonly certified: CertifiedKey,
    readonly leaf: Certificate,
    readonly chain: readonly Uint8Array[],
  ) {}

  /** The TLS 1.3 Certificate message of this chain (RFC 8446 §4.4.2): constant, so encoded once. */
  certificateMessage13(): Uint8Array {
    return (this.message13 ??= encodeCertificate13({
      context: new Uint8Array(0),
      entries: this.chain.map((der) => ({ certData: der, extensions: [] })),
    }));
  }

  /** Whether the leaf names `host` (SNI); false for a certificate that cannot tell. */
  matchesName(host: string): boolean {
    let match = this.nameMatches.get(host);
    if (match === undefined) {
      try {
        match = verifyHostname(this.leaf, host);
      } catch {
        match = false;
      }
      // Bounded: start over rather than track ages (clients sending ever-new names gain nothing).
      if (this.nameMatches.size >= MAX_CACHED_NAMES) this.nameMatches.clear();
      this.nameMatches.set(host, match);
    }
    return match;
  }
}

export interface ResolvedServerConfig {
  /** Newest first; only versions with at least one enabled suite. */
  readonly versions: readonly number[];
  readonly suites: readonly Tls13Suite[];
  /** TLS 1.2 suites in our preference order (never CBC on a server). */
  readonly suites12: readonly Tls12Suite[];
  /** TLS 1.2: refuse clients without RFC 7627. */
  readonly requireExtendedMasterSecret: boolean;
  /** TLS 1.2 session-ID cache, undefined when turned off. */
  readonly sessionCache: SessionCache | undefined;
  readonly groups: readonly number[];
  readonly schemes: readonly number[];
  readonly alpn: readonly string[];
  readonly certificates: readonly ServerCertificate[];
  readonly preferServerCiphers: boolean;
  readonly clientAuth: 'none' | 'optional' | 'required';
  readonly rejectUnauthorizedClients: boolean;
  readonly tickets: TicketSealer | undefined;
  readonly ticketLifetime: number;
  /** Tickets per full TLS 1.3 handshake when the server issues any (sealed with `tickets`, or stateful). */
  readonly ticketCount: number;
  readonly usedTickets: UsedTickets | undefined;
  /** HMAC-SHA256 key of the HelloRetryRequest cookie. */
  readonly cookieKey: Uint8Array;
  /** ClientHelloInfos that established connections of this config keep, shared when equal. */
  readonly clientHellos: SharedClientHellos;
  /** Encrypted Client Hello keys (RFC 9849), undefined when ECH is off. */
  readonly ech: ResolvedEch | undefined;
}

const DEFAULT_TICKET_LIFETIME = 7200;
const DEFAULT_TICKET_COUNT = 2;
const MAX_TICKET_COUNT = 16;

const RESOLVED = new WeakMap<ServerConfig, ResolvedServerConfig>();
const LEAVES = new WeakMap<CertifiedKey, Certificate>();
/** Single-use stores are shared by every config built on the same ticketKeys array. */
const USED = new WeakMap<readonly Uint8Array[], UsedTickets>();
/** So are default session caches (else one per config object). */
const SESSIONS = new WeakMap<object, SessionCache>();

export function resolveServerConfig(provider: CryptoProvider, config: ServerConfig): ResolvedServerConfig {
  const cached = RESOLVED.get(config);
  if (cached) return cached;
  const suites = resolveTls13Suites(config.cipherSuites);
  const suites12 = resolveTls12Suites(config.cipherSuites, 'server');
  const versions = versionsWithSuites(resolveVersions(config.minVersion, config.maxVersion), suites, suites12, config.cipherSuites);
  const groups = resolveGroups(provider, config.groups, versions);
  const schemes = resolveSignatureSchemes(config.signatureSchemes);
  const alpn = [...(config.alpnProtocols ?? [])];
  for (const p of alpn) {
    const n = utf8(p).length;
    if (n < 1 || n > 255) throw new UsageError(`ALPN protocol name '${p}' must be 1..255 bytes`);
  }
  if (!config.certificates || config.certificates.length === 0) {
    throw new UsageError('a server needs at least one certificate (config.certificates: [{ chain, key }])');
  }
  const certificates = config.certificates.map((c, i) => {
    if (!c.chain || c.chain.length === 0) throw new UsageError(`certificates[${i}].chain is empty`);
    let leaf = LEAVES.get(c);
    if (!leaf) {
      try {
        leaf = parseCertificate(c.chain[0]!);
      } catch (e) {
        throw new UsageError(`certificates[${i}]: the leaf certificate cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
      }
      LEAVES.set(c, leaf);
    }
    return new ServerCertificate(c, leaf, c.chain);
  });
  const clientAuth = config.clientAuth ?? 'none';
  if (clientAuth !== 'none' && clientAuth !== 'optional' && clientAuth !== 'required') {
    throw new UsageError(`clientAuth must be 'none', 'optional' or 'required', not '${String(clientAuth)}'`);
  }
  if (clientAuth !== 'none' && !config.clientTrust && config.rejectUnauthorizedClients !== false) {
    throw new UsageError('clientAuth needs clientTrust (the CAs that issue client certificates), or rejectUnauthorizedClients: false');
  }
  const ticketKeys = config.ticketKeys ?? [];
  const tickets = ticketKeys.length > 0 ? new TicketSealer(provider, ticketKeys) : undefined;
  const ticketLifetime = config.ticketLifetime ?? DEFAULT_TICKET_LIFETIME;
  // RFC 8446 §4.6.1: servers MUST NOT use any value greater than 604800 seconds (7 days).
  if (!Number.isInteger(ticketLifetime) || ticketLifetime < 1 || ticketLifetime > MAX_TICKET_LIFETIME_SECONDS) {
    throw new UsageError(`ticketLifetime must be 1..${MAX_TICKET_LIFETIME_SECONDS} seconds`);
  }
  const ticketCount = config.ticketCount ?? DEFAULT_TICKET_COUNT;
  if (!Number.isInteger(ticketCount) || ticketCount < 0 || ticketCount > MAX_TICKET_COUNT) {
    throw new UsageError(`ticketCount must be 0..${MAX_TICKET_COUNT}`);
  }
  let usedTickets: UsedTickets | undefined;
  if (config.singleUseTickets && config.ticketKeys && tickets) {
    usedTickets = USED.get(config.ticketKeys);
    if (!usedTickets) USED.set(config.ticketKeys, (usedTickets = new UsedTickets()));
  }
  // The cookie key: given, or derived from the shared ticket keys (so processes that share them
  // accept each other's cookies), or random for this config.
  let cookieKey: Uint8Array;
  if (config.cookieKey) {
    if (config.cookieKey.length < 16) throw new UsageError('cookieKey must be at least 16 bytes');
    cookieKey = config.cookieKey;
  } else if (ticketKeys.length > 0) {
    cookieKey = provider.hkdfExpand('sha256', provider.hkdfExtract('sha256', utf8('hush hrr cookie'), ticketKeys[0]!), utf8('cookie'), 32);
  } else {
    cookieKey = provider.randomBytes(32);
  }
  let sessionCache: SessionCache | undefined;
  if (config.sessionCache !== false && versions.includes(ProtocolVersion.TLSv1_2)) {
    if (config.sessionCache !== undefined) {
      if (typeof config.sessionCache.get !== 'function' || typeof config.sessionCache.set !== 'function') {
        throw new UsageError('sessionCache must have get/set/delete methods (or be false)');
      }
      sessionCache = config.sessionCache;
    } else {
      const owner: object = config.ticketKeys ?? config;
      sessionCache = SESSIONS.get(owner);
      if (!sessionCache) SESSIONS.set(owner, (sessionCache = new MemorySessionCache()));
    }
  }
  const resolved: ResolvedServerConfig = {
    versions,
    suites,
    suites12,
    requireExtendedMasterSecret: config.requireExtendedMasterSecret ?? true,
    sessionCache,
    groups,
    schemes,
    alpn,
    certificates,
    preferServerCiphers: config.preferServerCiphers ?? true,
    clientAuth,
    rejectUnauthorizedClients: config.rejectUnauthorizedClients ?? true,
    tickets,
    ticketLifetime,
    ticketCount,
    usedTickets,
    cookieKey,
    clientHellos: new SharedClientHellos(),
    ech: resolveEch(provider, config.ech),
  };
  // RFC 9849 §7.1: a ClientHelloInner offers only TLS 1.3, so ECH keys on a server without it are useless.
  if (resolved.ech && !versions.includes(ProtocolVersion.TLSv1_3)) {
    throw new UsageError('ech needs TLS 1.3 (an encrypted ClientHello offers only TLS 1.3): allow it with maxVersion, or drop ech');
  }
  RESOLVED.set(config, resolved);
  return resolved;
}

/** Whether the certificate names `host` (SNI); false for a certificate that cannot tell. */
export function certificateMatchesName(cert: ServerCertificate, host: string): boolean {
  return cert.matchesName(host);
}
