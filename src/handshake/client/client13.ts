// The TLS 1.3 client handshake (RFC 8446 §2, §4), one state per expected message:
//
//   ClientHello ──▶ ExpectServerHello ─(HRR)─▶ ClientHello2 ──▶ ExpectServerHello
//                         │
//                         ▼
//              ExpectEncryptedExtensions ──(PSK)──────────────────────────┐
//                         ▼                                               │
//              ExpectCertificateOrRequest ─▶ ExpectCertificate            │
//                         ▼                       ▼                       │
//              ExpectCertificateVerify ◀──────────┘                       │
//                         ▼                                               ▼
//                    ExpectFinished ─▶ (client Certificate/CertificateVerify/Finished) ─▶ Established
//
// Each state checks what RFC 8446 requires of its message and answers a violation with the alert
// the RFC names. The ClientHello also offers TLS 1.2 when the config allows it; a TLS 1.2
// ServerHello hands over to the states in client12.ts.
import { TlsError, UsageError, illegalParameter, unexpectedMessage } from '../../errors/errors.js';
import { equal, fromUtf8 } from '../../bytes/util.js';
import { checkFinished, finishedPair, groupName, schemeName } from '../shared/finish.js';
import {
  CipherSuite,
  CipherSuites,
  ExtensionType,
  ExtensionTypes,
  HandshakeType,
  NamedGroups,
  ProtocolVersion,
  PskKeyExchangeMode,
  versionName,
} from '../../wire/enums.js';
import type { CryptoProvider, KeyShare } from '../../crypto/provider.js';
import { isHybridKeyExchange, isTls13OnlyGroup } from '../../crypto/hybrid.js';
import { tls12SuiteById, tls13SuiteById, type Tls12Suite, type Tls13Suite } from '../../crypto/suites.js';
import { Transcript } from '../../schedule/transcript.js';
import {
  EarlySecret,
  finishedVerifyData,
  pskBinder,
  resumptionPsk,
  type HandshakeSecret,
} from '../../schedule/tls13.js';
import type { HandshakeMessage } from '../messages/handshake.js';
import { decodeClientHello, encodeClientHello, type ClientHello } from '../messages/client-hello.js';
import { decodeServerHello, type ServerHelloView } from '../messages/server-hello.js';
import { decodeEncryptedExtensions } from '../messages/encrypted-extensions.js';
import { decodeCertificate13, encodeCertificate13 } from '../messages/certificate.js';
import { decodeCertificateRequest13 } from '../messages/certificate-request.js';
import { decodeCertificateVerify, encodeCertificateVerify } from '../messages/certificate-verify.js';
import { decodeFinished, encodeFinished } from '../messages/finished.js';
import { decodeNewSessionTicket13, MAX_TICKET_LIFETIME_SECONDS } from '../messages/new-session-ticket.js';
import { checkHelloLegacyVersion } from '../shared/hello-version.js';
import { type Extension, findExtension } from '../messages/extensions.js';
import { encodeServerNameExt } from '../messages/ext-server-name.js';
import { encodeAlpnExt, decodeAlpnServerExt } from '../messages/ext-lists.js';
import {
  encodeKeyShareClientExt,
  decodeKeyShareServerExt,
  decodeKeyShareHrrExt,
} from '../messages/ext-key-share.js';
import {
  encodeSupportedGroupsExt,
  encodeSignatureAlgorithmsExt,
  encodeSupportedVersionsClientExt,
  decodeSupportedVersionsServerExt,
  encodePskKeyExchangeModesExt,
  decodeSignatureAlgorithmsExt,
  encodeEcPointFormatsExt,
  EcPointFormat,
} from '../messages/ext-lists.js';
import {
  encodeCookieExt,
  decodeCookieExt,
  decodeEarlyDataTicketExt,
  encodeEncryptThenMacExt,
  encodeExtendedMasterSecretExt,
  encodeRenegotiationInfoExt,
  encodeSessionTicketExt,
} from '../messages/ext-misc.js';
import {
  encodePreSharedKeyClientExt,
  decodePreSharedKeyServerExt,
  pskBindersPrefixLength,
  patchPskBinders,
} from '../messages/ext-pre-shared-key.js';
import { expectMessage, type HandshakeState } from '../state.js';
import type { HandshakeContext } from '../context.js';
import type { ClientConfig, CertifiedKey } from '../config.js';
import type { HandshakeInfo, SessionTicket } from '../events.js';
import { tell } from '../narration.js';
import {
  resolveAlpn,
  resolveGroups,
  initialKeyShareGroups,
  resolveSignatureSchemes,
  resolveTls12Suites,
  resolveTls13Suites,
  resolveVersions,
  versionsWithSuites,
} from '../shared/negotiation-options.js';
import { startClient12, type Tls12Offer } from './client12.js';
import { chooseSignatureScheme, signCertificateVerify13, verifyCertificateVerify13 } from '../shared/signatures.js';
import { peerCertificateDers, peerChainOf, storedPeerChain, verifyServerCertificates, withPeerChain, type PeerVerification } from '../shared/peer-certificates.js';
import { EchRejectedError } from '../../errors/ech-rejected.js';
import {
  chooseEchConfig,
  EchClient,
  type ChosenEchConfig,
  echPayloadLength,
  greaseEchExtension,
  makeEchGrease,
  type EchGrease,
  helloRetryRequestAcceptsEch,
  retryConfigsFrom,
  serverHelloAcceptsEch,
  type EchHello,
  type EchOutcome,
  type OuterWidening,
} from '../ech/client-ech.js';
import { checkStaple, entryStaple } from './staple-check.js';
import { encodeStatusRequestExt } from '../messages/ext-misc.js';

const EMPTY = new Uint8Array(0);
/** RFC 8446 §4.6.1: servers MUST NOT use any value greater than 604800 seconds (7 days). */
const MAX_TICKET_AGE_MS = MAX_TICKET_LIFETIME_SECONDS * 1000;

/** Extensions a TLS 1.3 ServerHello may carry (RFC 8446 §4.2 table). */
const SERVER_HELLO_EXTENSIONS = new Set<number>([ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.pre_shared_key]);
const HRR_EXTENSIONS = new Set<number>([ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.cookie, ExtensionType.encrypted_client_hello]);
/** Extensions allowed in EncryptedExtensions (RFC 8446 §4.2 "EE"). */
const ENCRYPTED_EXTENSIONS = new Set<number>([
  ExtensionType.server_name,
  ExtensionType.max_fragment_length,
  ExtensionType.supported_groups,
  ExtensionType.use_srtp,
  ExtensionType.heartbeat,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.client_certificate_type,
  ExtensionType.server_certificate_type,
  ExtensionType.early_data,
  ExtensionType.record_size_limit,
  ExtensionType.encrypted_client_hello,
]);

/** A TLS 1.3 ticket we offer, with the suite whose hash its binder uses (RFC 8446 §4.2.11). */
interface Resumption13 {
  readonly ticket: SessionTicket;
  readonly suite: Tls13Suite;
}

/** A TLS 1.2 session worth offering; `byId` is set when it is resumed by session id (no ticket). */
interface Session12 {
  readonly session: SessionTicket;
  readonly byId: Uint8Array | undefined;
}

/**
 * What the configuration alone fixes for every ClientHello of a connection: the offer lists,
 * resolved and checked (a UsageError for a bad config) when the connection is made, also when it
 * sends its ClientHello later (ClientConnection's `startLater`).
 */
export interface ClientOfferLists {
  readonly versions: number[];
  /** TLS 1.3 and TLS 1.2 suites the config allows for those versions. */
  readonly suites13: Tls13Suite[];
  readonly suites12: Tls12Suite[];
  readonly groups: number[];
  readonly schemes: number[];
  readonly alpn: Uint8Array[];
  /** RFC 9849: the ECH config chosen from config.echConfigList. */
  readonly ech: ChosenEchConfig | undefined;
}

function resolveClientOffer(provider: CryptoProvider, config: ClientConfig): ClientOfferLists {
  // RFC 9849 §6.1: ClientHelloInner offers TLS 1.3 only; ClientHelloOuter MUST offer TLS 1.3 and
  // may offer TLS 1.2 as well (as any hush ClientHello does, so the outer hello does not stand out):
  // a TLS 1.2 answer is a rejection (§6.1.4), authenticated as the public name (§6.1.6).
  if (config.echConfigList && config.maxVersion === 'TLSv1.2') throw new UsageError('Encrypted Client Hello needs TLS 1.3, but maxVersion is TLSv1.2');
  const versions = resolveVersions(config.minVersion, config.maxVersion);
  const suites13 = versions.includes(ProtocolVersion.TLSv1_3) ? resolveTls13Suites(config.cipherSuites) : [];
  const suites12 = versions.includes(ProtocolVersion.TLSv1_2) ? resolveTls12Suites(config.cipherSuites, 'client') : [];
  // A suite list naming only TLS 1.3 (or only TLS 1.2) suites limits the versions offered.
  const offered = versionsWithSuites(versions, suites13, suites12, config.cipherSuites);
  if (config.echConfigList && !offered.includes(ProtocolVersion.TLSv1_3)) {
    throw new UsageError('Encrypted Client Hello needs TLS 1.3, but cipherSuites names only TLS 1.2 suites');
  }
  const groups = resolveGroups(provider, config.groups, offered);
  const schemes = resolveSignatureSchemes(config.signatureSchemes);
  const alpn = resolveAlpn(config.alpnProtocols);
  if (config.rejectUnauthorized !== false && !config.trust) {
    throw new UsageError('a trust store (config.trust) is required to verify the server; pass rejectUnauthorized: false to skip verification');
  }
  const ech = config.echConfigList ? chooseEchConfig(config.echConfigList) : undefined;
  return { versions: offered, suites13, suites12, groups, schemes, alpn, ech };
}

/**
 * The costly part of the first ClientHello, which does not depend on the session it offers: our
 * key shares and ECH's HPKE context. A `startLater` connection makes it when it is created, while
 * its transport connects; otherwise it is made with the hello (the order random bytes are drawn in
 * stays the same: the byte-exact vector tests rely on it).
 */
interface ClientHelloKeys {
  readonly keyShares: readonly KeyShare[];
  readonly ech: EchClient | undefined;
  /** RFC 9849 §6.2: what a GREASE encrypted_client_hello draws early (its payload is drawn with the hello). */
  readonly grease: EchGrease | undefined;
}

function makeClientHelloKeys(ctx: HandshakeContext, config: ClientConfig, lists: ClientOfferLists): ClientHelloKeys {
  const offers13 = lists.versions.includes(ProtocolVersion.TLSv1_3);
  const ech = lists.ech ? new EchClient(ctx.provider, lists.ech) : undefined;
  // RFC 8446 §4.1.2 / §4.2.8: key shares for our most preferred group(s).
  const keyShares = offers13 ? generateShares(ctx, initialKeyShareGroups(lists.groups, config.keyShares)) : [];
  const grease = !ech && echGreaseOffered(config, offers13) ? makeEchGrease(ctx.provider) : undefined;
  return { keyShares, ech, grease };
}

/** What a connection resolves (and, made `early`, generates) before its ClientHello. */
export interface ClientHelloPrep {
  readonly lists: ClientOfferLists;
  readonly keys: ClientHelloKeys | undefined;
}

/** Resolve the config (a UsageError when it is bad); `early`: make the key shares and ECH context now. */
export function prepareClientHello(ctx: HandshakeContext, config: ClientConfig, early: boolean): ClientHelloPrep {
  const lists = resolveClientOffer(ctx.provider, config);
  return { lists, keys: early ? makeClientHelloKeys(ctx, config, lists) : undefined };
}

/** RFC 9849 §6.2: a GREASE encrypted_client_hello when there is no config (unless echGrease: false). */
function echGreaseOffered(config: ClientConfig, offers13: boolean): boolean {
  return !config.echConfigList && config.echGrease !== false && offers13;
}

/**
 * What the client decided before its first ClientHello, fixed for the whole handshake: the
 * resolved offer lists, our random and legacy_session_id, the session offered.
 */
class ClientOffer {
  readonly versions: number[];
  /** TLS 1.3 suites offered (empty when TLS 1.3 is not). */
  readonly suites: Tls13Suite[];
  /** TLS 1.2 suites offered, after the TLS 1.3 ones (empty when TLS 1.2 is not). */
  readonly tls12Suites: Tls12Suite[];
  readonly groups: number[];
  readonly schemes: number[];
  readonly alpn: Uint8Array[];
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly serverName: string | undefined;
  /** Send SNI only for DNS names (RFC 6066 §3: literal IPs are not permitted). */
  readonly sniName: string | undefined;
  /** The TLS 1.3 ticket the first ClientHello offers, if its suite is acceptable. */
  readonly resumption: Resumption13 | undefined;
  /** A TLS 1.2 session we offer to resume (by session id, or by ticket: RFC 5077 §3.4). */
  readonly session12: SessionTicket | undefined;
  /** Encrypted Client Hello (RFC 9849): the real attempt, when config.echConfigList is given. */
  readonly ech: EchClient | undefined;
  /** RFC 9849 §6.2: a GREASE encrypted_client_hello when there is no config (unless echGrease: false). */
  readonly echGrease: boolean;
  /** The first ClientHello's key shares and ECH extension (made early, or here). */
  readonly keys: ClientHelloKeys;

  /**
   * `session`: the session to offer (config.session, or the one the owner set before start());
   * `sniName`: the name to send instead of config.serverName (see startClientHandshake).
   */
  constructor(
    readonly ctx: HandshakeContext,
    readonly config: ClientConfig,
    prep: ClientHelloPrep,
    session: SessionTicket | undefined,
    sniName: string | undefined = config.serverName,
  ) {
    const provider = ctx.provider;
    const lists = prep.lists;
    this.versions = lists.versions;
    this.suites = this.offers13 ? lists.suites13 : [];
    this.tls12Suites = this.offers12 ? lists.suites12 : [];
    this.groups = lists.groups;
    this.schemes = lists.schemes;
    this.alpn = lists.alpn;
    this.serverName = config.serverName;
    this.sniName = sniName !== undefined && !isIpLiteral(sniName) ? sniName.replace(/\.$/, '') : undefined;
    this.random = provider.randomBytes(32);
    // RFC 9849 §6.1 / §6.1.7: with ECH no TLS 1.2 session is offered (inside it is forbidden; outside
    // it would name the real server's session to the public one).
    const s12 = this.offers12 && !config.echConfigList ? this.usableSession12(session) : undefined;
    this.session12 = s12?.session;
    if (s12?.byId) {
      // RFC 5246 §7.4.1.2: resume by session id.
      this.sessionId = s12.byId.slice();
    } else if ((this.offers13 && config.middleboxCompat !== false) || s12) {
      // RFC 8446 Appendix D.4: in compatibility mode the client sends a non-empty legacy_session_id.
      // RFC 5077 §3.4: with a ticket, a random session id tells us whether the server accepted it.
      this.sessionId = provider.randomBytes(32);
    } else {
      this.sessionId = EMPTY;
    }
    this.resumption = this.usableTicket13(session);
    this.keys = prep.keys ?? makeClientHelloKeys(ctx, config, lists);
    this.ech = this.keys.ech;
    this.echGrease = echGreaseOffered(config, this.offers13);
  }

  get offers13(): boolean {
    return this.versions.includes(ProtocolVersion.TLSv1_3);
  }

  get offers12(): boolean {
    return this.versions.includes(ProtocolVersion.TLSv1_2);
  }

  /** A TLS 1.3 ticket worth offering: fresh, same server, a suite of the same hash still offered. */
  private usableTicket13(t: SessionTicket | undefined): Resumption13 | undefined {
    if (!t || t.version !== 'TLSv1.3' || !this.offers13) return undefined;
    const suite = tls13SuiteById(t.cipherSuite);
    const fresh = this.ctx.now() - t.receivedAt < Math.min(t.lifetime * 1000, MAX_TICKET_AGE_MS);
    const sameServer = t.serverName === undefined || t.serverName === this.serverName;
    if (suite && fresh && sameServer && this.suites.some((s) => s.hash === suite.hash)) return { ticket: t, suite };
    return undefined;
  }

  /** A TLS 1.2 session worth offering: fresh, same server, a suite we still offer, resumable. */
  private usableSession12(t: SessionTicket | undefined): Session12 | undefined {
    if (!t || t.version !== 'TLSv1.2') return undefined;
    const suite = tls12SuiteById(t.cipherSuite);
    const fresh = this.ctx.now() - t.receivedAt < t.lifetime * 1000;
    const sameServer = t.serverName === undefined || t.serverName === this.serverName;
    const id = t.sessionId;
    const byId = t.ticket.length === 0 && id !== undefined && id.length > 0 && id.length <= 32 ? id : undefined;
    const resumable = t.ticket.length > 0 || byId !== undefined;
    // RFC 7627 §5.3: a session without the extended master secret is not resumed when we require it.
    const emsOk = t.extendedMasterSecret === true || this.config.requireExtendedMasterSecret === false;
    if (!suite || !this.tls12Suites.includes(suite) || !fresh || !sameServer || !resumable || !emsOk) return undefined;
    return { session: t, byId };
  }

  /**
   * What the TLS 1.2 states need to know about our ClientHello. With ECH the server answered
   * ClientHelloOuter (RFC 9849 §6.1.4: TLS 1.2 means rejection): its random, and the public name
   * to authenticate (§6.1.7).
   */
  tls12Offer(hello: HelloSent): Tls12Offer {
    return {
      config: this.config,
      clientHello: hello.message,
      random: this.ech ? this.ech.outerRandom : this.random,
      sessionId: this.sessionId,
      suites: this.tls12Suites,
      groups: this.groups,
      schemes: this.schemes,
      alpn: this.alpn,
      serverName: this.serverName,
      sniName: this.sniName,
      offered: hello.offered,
      session: this.session12,
      ech: this.ech ? { status: 'rejected', publicName: this.ech.publicName } : this.echGrease ? 'grease' : 'none',
    };
  }

  /**
   * The cipher_suites field: our suites, plus TLS_EMPTY_RENEGOTIATION_INFO_SCSV where the config
   * lists it (RFC 5746 §3.3 signalling; meaningful once TLS 1.2 is offered).
   */
  suiteIdsOnWire(only13 = false, customize = true): number[] {
    const ours = [...this.suites.map((s) => s.id), ...(only13 ? [] : this.tls12Suites.map((s) => s.id))];
    const configured = this.config.cipherSuites;
    const list =
      !configured || !configured.includes(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
        ? ours
        : configured.filter((id) => id === CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV || ours.includes(id));
    return customize && this.config.customizeHelloCipherSuites ? this.config.customizeHelloCipherSuites(list) : list;
  }
}

/** What changes between the first and the second ClientHello (RFC 8446 §4.1.2). */
interface HelloChoices {
  readonly keyShares: readonly KeyShare[];
  /** Dropped for the second ClientHello when the HelloRetryRequest's hash differs. */
  readonly resumption: Resumption13 | undefined;
  readonly cookie: Uint8Array | undefined;
  /** RFC 9849: ClientHelloInner's marker (real ECH) or the GREASE extension, copied into the second hello. */
  readonly echExtension: Extension | undefined;
}

/** One ClientHello as sent: what the server's answer to it may refer to. */
interface HelloSent extends HelloChoices {
  /** Extension types it carried (to detect unsolicited ones in responses). */
  readonly offered: ReadonlySet<number>;
  /** The message, header included (with ECH: ClientHelloOuter). */
  readonly message: Uint8Array;
  /** With ECH: the ClientHelloInner behind it. */
  readonly ech?: EchHello;
}

/** A key share for a group we offer. */
function generateShare(ctx: HandshakeContext, group: number): KeyShare {
  // Holds: callers pass only groups from ClientOffer.groups, and resolveGroups keeps only groups
  // the provider implements (it throws a UsageError otherwise).
  return ctx.provider.keyExchange(group)!.generate();
}

/**
 * Key shares for `groups`, in that order (RFC 8446 §4.2.8). A hybrid whose ECDH group also gets a
 * share of its own reuses that ECDH key pair (draft-ietf-tls-hybrid-design allows it; as Go and
 * Chromium do): one X25519 key for X25519MLKEM768 and x25519, not two.
 */
function generateShares(ctx: HandshakeContext, groups: readonly number[]): KeyShare[] {
  const classical = new Map<number, KeyShare>();
  for (const g of groups) if (!isTls13OnlyGroup(g)) classical.set(g, generateShare(ctx, g));
  return groups.map((g) => {
    const own = classical.get(g);
    if (own) return own;
    const kx = ctx.provider.keyExchange(g)!;
    const ecdh = isHybridKeyExchange(kx) ? classical.get(kx.spec.ecdhGroup) : undefined;
    return ecdh !== undefined && isHybridKeyExchange(kx) ? kx.shareWith(ecdh) : kx.generate();
  });
}

/** The extensions only TLS 1.2 uses (sent when TLS 1.2 is offered). */
function tls12Extensions(offer: ClientOffer): Extension[] {
  const extensions: Extension[] = [];
  // RFC 8422 §5.1.2: uncompressed points only.
  extensions.push(encodeEcPointFormatsExt([EcPointFormat.uncompressed]));
  // RFC 7627 §5.1.
  extensions.push(encodeExtendedMasterSecretExt());
  // RFC 5746 §3.4: an empty renegotiation_info on the initial handshake (instead of the SCSV).
  extensions.push(encodeRenegotiationInfoExt());
  // RFC 5077 §3.2: empty to ask for a ticket, or the ticket of the session we resume.
  const ticket = offer.session12?.ticket;
  extensions.push(encodeSessionTicketExt(ticket && ticket.length > 0 ? ticket : EMPTY));
  // RFC 7366 §2: only meaningful for CBC suites.
  if (offer.tls12Suites.some((s) => s.cipher.kind === 'cbc')) extensions.push(encodeEncryptThenMacExt());
  return extensions;
}

/**
 * Build ClientHello (RFC 8446 §4.1.2); for the second one, `choices` carries the HRR's requests.
 * `only13`: ClientHelloInner, which offers TLS 1.3 alone (RFC 9849 §6.1). `customize`: apply the
 * config's customizeHello* hooks (not for the hello a GREASE payload is sized after).
 */
function buildClientHello(offer: ClientOffer, transcript: Transcript, choices: HelloChoices, only13 = false, customize = true): HelloSent {
  const extensions: Extension[] = [];
  if (offer.sniName !== undefined) extensions.push(encodeServerNameExt(offer.sniName));
  if (offer.offers13) extensions.push(encodeSupportedVersionsClientExt(only13 ? [ProtocolVersion.TLSv1_3] : offer.versions));
  extensions.push(encodeSupportedGroupsExt(offer.groups));
  extensions.push(encodeSignatureAlgorithmsExt(offer.schemes));
  if (offer.offers13) extensions.push(encodeKeyShareClientExt(choices.keyShares.map((k) => ({ group: k.group, keyExchange: k.publicKey }))));
  if (offer.alpn.length > 0) extensions.push(encodeAlpnExt(offer.alpn));
  // RFC 6066 §8: ask for a stapled OCSP response (#15).
  if (offer.config.requestOCSP === true) extensions.push(encodeStatusRequestExt());
  if (choices.cookie) extensions.push(encodeCookieExt(choices.cookie));
  if (offer.offers13) extensions.push(encodePskKeyExchangeModesExt([PskKeyExchangeMode.psk_dhe_ke]));
  if (offer.offers12 && !only13) extensions.push(...tls12Extensions(offer));
  // Where ClientHelloOuter carries it (after what the outer hello adds for TLS 1.2): a GREASE hello
  // has the same extension order as a real ClientHelloOuter (RFC 9849 §6.2).
  if (choices.echExtension) extensions.push(choices.echExtension);
  const r = choices.resumption;
  if (r) {
    // RFC 8446 §4.2.11: pre_shared_key is last; binders are filled in after the truncated hash.
    const age = (Math.max(0, offer.ctx.now() - r.ticket.receivedAt) + r.ticket.ageAdd) >>> 0;
    extensions.push(
      encodePreSharedKeyClientExt({
        identities: [{ identity: r.ticket.ticket, obfuscatedTicketAge: age }],
        binders: [new Uint8Array(r.suite.hashLength)],
      }),
    );
  }
  const config = offer.config;
  const final = customize && config.customizeHelloExtensions ? config.customizeHelloExtensions(extensions) : extensions;
  const hello: ClientHello = {
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: offer.random,
    legacySessionId: offer.sessionId,
    cipherSuites: offer.suiteIdsOnWire(only13, customize),
    compressionMethods: [0],
    extensions: final,
  };
  const message = encodeClientHello(hello);
  if (r) {
    // RFC 8446 §4.2.11.2: the binder is an HMAC over the transcript up to the binders list.
    const provider = offer.ctx.provider;
    const prefix = message.subarray(0, pskBindersPrefixLength(message));
    const early = EarlySecret.start(provider, r.suite.hash, r.ticket.secret);
    const binder = pskBinder(provider, r.suite.hash, early.binderKey('resumption'), transcript.hashWith(prefix, r.suite.hash));
    patchPskBinders(message, [binder]);
  }
  return { ...choices, offered: new Set(final.map((e) => e.type)), message };
}

/** What a second ClientHello with ECH carries over from the HelloRetryRequest (RFC 9849 §6.1.5). */
type EchRetry = Pick<EchHello, 'innerTranscript' | 'outerExtension' | 'acceptedAtHrr'>;

/**
 * RFC 9849 §6.1: with ECH the hello built from the offer is ClientHelloInner (recorded in the
 * inner transcript); ClientHelloOuter, sealing it, is what goes on the wire.
 */
function buildEchHello(ctx: HandshakeContext, ech: EchClient, offer: ClientOffer, choices: HelloChoices, second: boolean, retry: EchRetry | undefined): HelloSent {
  const innerTranscript = retry?.innerTranscript ?? new Transcript(ctx.provider);
  const inner = buildClientHello(offer, innerTranscript, choices, true);
  innerTranscript.add(inner.message);
  // §6.1: the outer hello may offer TLS 1.2 too (then an answer in TLS 1.2 is a rejection, §6.1.4);
  // the second one offers the same versions as the first (RFC 8446 §4.1.2).
  const widening = outerWidening(offer);
  // After a HelloRetryRequest that rejected ECH, the outer hello is updated and keeps its first extension.
  const outer =
    retry?.acceptedAtHrr === false
      ? { ...ech.rebuildOuter(inner.message, retry.outerExtension, widening), extension: retry.outerExtension }
      : ech.sealOuter(inner.message, second, widening);
  const echHello: EchHello = { client: ech, innerOffered: inner.offered, innerTranscript, outerExtension: outer.extension, acceptedAtHrr: retry?.acceptedAtHrr };
  return { ...inner, message: outer.message, offered: outer.offered, ech: echHello };
}

/** RFC 9849 §6.1: what ClientHelloOuter offers beyond ClientHelloInner (TLS 1.2, when offered). */
function outerWidening(offer: ClientOffer, customize = true): OuterWidening | undefined {
  return offer.offers12
    ? { supportedVersions: encodeSupportedVersionsClientExt(offer.versions), cipherSuites: offer.suiteIdsOnWire(false, customize), extensions: tls12Extensions(offer) }
    : undefined;
}

/**
 * RFC 9849 §6.2: a GREASE encrypted_client_hello whose payload is as long as a real one would be
 * for this hello: the ClientHelloInner hush would send (TLS 1.3 only, the inner marker, the PSK
 * offered), compressed and padded as real ECH does (§5.1, §6.1.3). It is sized after hush's own
 * hello: the customizeHello* hooks rewrite only the one on the wire (they may make it far larger
 * than an ECH payload can be). Capped so that the extensions block still fits (a ticket of tens of KB).
 */
function greaseEchFor(ctx: HandshakeContext, offer: ClientOffer, choices: HelloChoices, grease: EchGrease): Extension {
  const inner = buildClientHello(offer, new Transcript(ctx.provider), { ...choices, echExtension: EchClient.innerExtension() }, true, false);
  const widening = outerWidening(offer, false);
  const length = echPayloadLength(inner.message, widening);
  // RFC 8446 §4.1.2: extensions<8..2^16-1>. The wire hello's other extensions take at most what
  // the inner hello's do, plus the TLS 1.2 ones and a longer supported_versions (16 bytes spare);
  // the GREASE extension's own fields (§5: type, suite, config_id, enc<2>, payload<2>) 10 + enc.
  const size = (list: readonly Extension[]): number => list.reduce((n, e) => n + 4 + e.data.length, 0);
  const others = size(decodeClientHello(inner.message.subarray(4), inner.message).extensions) + size(widening?.extensions ?? []) + 16;
  const room = 0xffff - others - 4 - (10 + grease.enc.length);
  return greaseEchExtension(ctx.provider, grease, Math.max(1, Math.min(length, room)));
}

/** Build, record and send a ClientHello. */
function sendClientHello(ctx: HandshakeContext, offer: ClientOffer, transcript: Transcript, choices: HelloChoices, second: boolean, echRetry?: EchRetry): HelloSent {
  const hello = offer.ech ? buildEchHello(ctx, offer.ech, offer, choices, second, echRetry) : buildClientHello(offer, transcript, choices);
  transcript.add(hello.message);
  ctx.sendHandshake(hello.message);
  if (ctx.tracing) {
    tell(ctx, {
      kind: 'client_hello_sent',
      second,
      versions: offer.versions,
      suites: [...offer.suites, ...offer.tls12Suites].map((s) => s.id),
      groups: offer.groups,
      keyShares: hello.keyShares.map((k) => k.group),
      schemes: offer.schemes,
      serverName: offer.sniName,
      alpn: offer.config.alpnProtocols ?? [],
      resumption13: hello.resumption !== undefined,
      resumption12: offer.session12 ? (offer.session12.ticket.length > 0 ? 'ticket' : 'session id') : undefined,
      ech: offer.ech ? { publicName: offer.ech.publicName } : offer.echGrease ? 'grease' : undefined,
    });
  }
  return hello;
}

/**
 * Start a TLS 1.3 client handshake: sends ClientHello and returns the first state. `prep`: from
 * prepareClientHello() (made now when not given); `session`: the one to offer (default config.session);
 * `sniName`: the name the server_name extension carries (default config.serverName; an IP literal
 * sends none). Only the SNI changes: the certificate is verified against config.serverName, and
 * sessions are matched to it, as node:tls does after setServername().
 */
export function startClientHandshake(
  ctx: HandshakeContext,
  config: ClientConfig,
  prep: ClientHelloPrep = prepareClientHello(ctx, config, false),
  session: SessionTicket | undefined = config.session,
  sniName: string | undefined = config.serverName,
): HandshakeState {
  const offer = new ClientOffer(ctx, config, prep, session, sniName);
  const transcript = new Transcript(ctx.provider);
  const { keyShares, ech, grease } = offer.keys;
  if (offer.ech) {
    // RFC 9850 §2.3: the HPKE KEM shared secret and the ECHConfig used, under the outer random,
    // whether or not the server accepts (Wireshark decrypts ClientHelloInner with them).
    ctx.keyLog('ECH_SECRET', offer.ech.outerRandom, offer.ech.sharedSecret);
    ctx.keyLog('ECH_CONFIG', offer.ech.outerRandom, offer.ech.chosen.config.raw);
  }
  const choices: HelloChoices = { keyShares, resumption: offer.resumption, cookie: undefined, echExtension: ech ? EchClient.innerExtension() : undefined };
  const echExtension = grease ? greaseEchFor(ctx, offer, choices, grease) : choices.echExtension;
  const hello = sendClientHello(ctx, offer, transcript, { ...choices, echExtension }, false);
  return new ExpectServerHello(offer, transcript, hello, undefined);
}

/** What every client state shares: the offer, the running transcript, message type checks. */
abstract class ClientState implements HandshakeState {
  abstract readonly name: string;
  readonly allowsCompatCcs: boolean = true;
  readonly established: boolean = false;
  constructor(
    protected readonly offer: ClientOffer,
    protected readonly transcript: Transcript,
  ) {}
  abstract handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState;

  protected expect(message: HandshakeMessage, ...types: number[]): void {
    expectMessage(message, 'server', types);
  }
}

class ExpectServerHello extends ClientState {
  readonly name = 'ExpectServerHello';
  override readonly allowsCompatCcs: boolean;
  /**
   * @param hello the ClientHello this ServerHello answers
   * @param hrrSuite the suite a HelloRetryRequest named (set only for the second ServerHello)
   */
  constructor(
    offer: ClientOffer,
    transcript: Transcript,
    private readonly hello: HelloSent,
    private readonly hrrSuite: Tls13Suite | undefined,
  ) {
    super(offer, transcript);
    // RFC 8446 §5 / Appendix D.4: the compatibility ChangeCipherSpec is a TLS 1.3 thing; a client
    // that offered only TLS 1.2 gets none before ServerHello (RFC 5246 §7.1: a CCS comes only
    // after the key exchange) and treats one as unexpected_message.
    this.allowsCompatCcs = offer.offers13;
  }

  private get retried(): boolean {
    return this.hrrSuite !== undefined;
  }

  /**
   * RFC 8446 Appendix D.4: the middlebox-compatibility ChangeCipherSpec goes out once, before our
   * second flight: before the second ClientHello after a HelloRetryRequest, else after ServerHello.
   */
  private compatCcs(ctx: HandshakeContext): void {
    if (this.offer.sessionId.length > 0 && !this.retried) ctx.sendChangeCipherSpec();
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.server_hello);
    const offer = this.offer;
    checkHelloLegacyVersion(message.body, 'ServerHello');
    const sh = decodeServerHello(message.body);

    // RFC 8446 §4.1.3 / §4.2.1: TLS 1.3 is negotiated only through supported_versions.
    const svData = sh.extension(ExtensionType.supported_versions);
    if (svData === undefined) {
      if (sh.isHelloRetryRequest) throw new TlsError('missing_extension', 'HelloRetryRequest without supported_versions');
      // RFC 8446 §4.2.1 / RFC 5246 §7.4.1.3: without supported_versions, legacy_version is the choice.
      if (sh.legacyVersion === ProtocolVersion.TLSv1_2 && offer.offers12) {
        if (this.retried) throw illegalParameter('the server chose TLSv1.2 after its HelloRetryRequest had chosen TLSv1.3');
        // RFC 8446 §4.1.3: a TLS 1.3 server forced down to 1.2 says so in the last 8 bytes of its random.
        if (offer.offers13 && sh.downgradeSentinel !== undefined) {
          throw illegalParameter(
            `downgrade detected: the server chose TLSv1.2, but its random carries the ${sh.downgradeSentinel === 'tls12' ? 'DOWNGRD\\x01' : 'DOWNGRD\\x00'} ` +
              'sentinel that a TLS 1.3 server sends when it did not see TLS 1.3 in our ClientHello: someone in between removed it (RFC 8446 §4.1.3)',
          );
        }
        // RFC 9849 §6.1.4: an answer in TLS 1.2 rejected ECH.
        if (offer.ech) tell(ctx, { kind: 'ech_answer_received', accepted: false, publicName: offer.ech.publicName, serverName: offer.sniName });
        return startClient12(ctx, offer.tls12Offer(this.hello), message, sh);
      }
      throw new TlsError(
        'protocol_version',
        `the server chose ${versionName(sh.legacyVersion)}, but this client only allows ${offer.versions.map(versionName).join(', ')}` +
          (offer.offers12 ? '' : ' (set minVersion/--tls-min TLSv1.2 to allow TLSv1.2)'),
      );
    }
    const version = decodeSupportedVersionsServerExt(svData);
    if (version !== ProtocolVersion.TLSv1_3 || !offer.versions.includes(version)) {
      throw new TlsError('illegal_parameter', `the server selected ${versionName(version)}, which we did not offer`);
    }
    if (sh.legacyVersion !== ProtocolVersion.TLSv1_2) {
      throw illegalParameter(`ServerHello legacy_version is 0x${sh.legacyVersion.toString(16)}, not 0x0303`);
    }
    // RFC 8446 §4.1.3: the session id echo must match what we sent.
    if (!equal(sh.legacySessionIdEcho, offer.sessionId)) throw illegalParameter('the server did not echo our legacy_session_id');
    if (sh.compressionMethod !== 0) throw illegalParameter('the server chose a compression method other than null');
    const suite = offer.suites.find((s) => s.id === sh.cipherSuite);
    if (!suite) throw illegalParameter(`the server chose cipher suite ${CipherSuites.name(sh.cipherSuite)}, which we did not offer`);
    if (sh.isHelloRetryRequest) {
      this.checkExtensions(sh, HRR_EXTENSIONS, this.hello.offered);
      return this.handleHelloRetryRequest(ctx, message, sh, suite);
    }

    // RFC 8446 §4.1.4: the suite after a HelloRetryRequest must be the one it named.
    if (this.hrrSuite && this.hrrSuite !== suite) {
      throw illegalParameter(`the server switched cipher suite from ${this.hrrSuite.name} to ${suite.name} after HelloRetryRequest`);
    }
    // RFC 9849 §6.1.4: with ECH, ServerHello.random says which ClientHello the server answered;
    // from here on the handshake is that hello's (its transcript, its offers).
    const { hello, transcript, ech } = this.answeredHello(ctx, message.raw, suite);
    // Checked against the hello the server answered: with ECH accepted, the inner one (it alone
    // carries pre_shared_key, RFC 9849 §6.1.2 / §10.12.3).
    this.checkExtensions(sh, SERVER_HELLO_EXTENSIONS, hello.offered);

    // Pre-shared key (RFC 8446 §4.2.11): the server may accept our one offered identity.
    let psk: SessionTicket | undefined;
    const pskData = sh.extension(ExtensionType.pre_shared_key);
    if (pskData !== undefined) {
      const selected = decodePreSharedKeyServerExt(pskData);
      const r = hello.resumption;
      // RFC 9849 §6.1.2: ClientHelloOuter's pre_shared_key is GREASE; a server that rejected ECH may not resume.
      if (ech.status === 'rejected') throw illegalParameter('the server rejected Encrypted Client Hello but selected the GREASE pre_shared_key of ClientHelloOuter (RFC 9849 §6.1.2)');
      if (!r || selected !== 0) throw illegalParameter(`the server selected PSK identity ${selected}, which we did not offer`);
      if (r.suite.hash !== suite.hash) throw illegalParameter('the server resumed with a cipher suite whose hash differs from the ticket\'s');
      psk = r.ticket;
    }
    const resumed = psk !== undefined;

    // Key share (RFC 8446 §4.2.8): required, since we only offer psk_dhe_ke.
    const ksData = sh.extension(ExtensionType.key_share);
    if (ksData === undefined) throw new TlsError('missing_extension', 'ServerHello has no key_share, but we only allow (EC)DHE key exchange');
    const entry = decodeKeyShareServerExt(ksData);
    const share = hello.keyShares.find((k) => k.group === entry.group);
    if (!share) throw illegalParameter(`the server's key share is for ${NamedGroups.name(entry.group)}, for which we sent no share`);
    const shared = share.complete(entry.keyExchange);

    transcript.selectHash(suite.hash);
    transcript.add(message.raw);
    const early = EarlySecret.start(ctx.provider, suite.hash, psk?.secret);
    const handshakeSecret = early.intoHandshake(shared);
    const secrets = handshakeSecret.trafficSecrets(transcript.hash());
    // RFC 9850 §2.1: logged under the inner random when ECH was accepted, else the outer (wire) one.
    const keyLogRandom = ech.status === 'rejected' && offer.ech ? offer.ech.outerRandom : offer.random;
    ctx.keyLog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', keyLogRandom, secrets.client);
    ctx.keyLog('SERVER_HANDSHAKE_TRAFFIC_SECRET', keyLogRandom, secrets.server);
    ctx.setReadSecret13(suite, secrets.server);
    // From here on everything we send, alerts included, is under the client handshake key
    // (RFC 8446 §5); the compatibility CCS goes out first (Appendix D.4).
    this.compatCcs(ctx);
    ctx.setWriteSecret13(suite, secrets.client);

    tell(ctx, { kind: 'server_hello_received_13', suite: suite.id, group: entry.group, resumed });
    if (offer.ech) tell(ctx, { kind: 'ech_answer_received', accepted: ech.status === 'accepted', publicName: offer.ech.publicName, serverName: offer.sniName });
    return new ExpectEncryptedExtensions(offer, transcript, {
      suite,
      group: entry.group,
      psk,
      ech,
      keyLogRandom,
      offered: hello.offered,
      handshakeSecret,
      clientHandshakeSecret: secrets.client,
      serverHandshakeSecret: secrets.server,
    });
  }

  /** RFC 9849 §6.1.4: accepted → ClientHelloInner and its transcript; rejected → the outer ones, no PSK (§6.1.2). */
  private answeredHello(ctx: HandshakeContext, serverHello: Uint8Array, suite: Tls13Suite): { hello: HelloSent; transcript: Transcript; ech: EchOutcome } {
    const sent = this.hello.ech;
    if (!sent) return { hello: this.hello, transcript: this.transcript, ech: { status: this.offer.echGrease ? 'grease' : 'none', publicName: undefined, retryConfigs: undefined } };
    const publicName = sent.client.publicName;
    const accepted = sent.acceptedAtHrr !== false && serverHelloAcceptsEch(ctx.provider, suite.hash, this.offer.random, sent.innerTranscript, serverHello);
    // RFC 9849 §6.1.5: a HelloRetryRequest that accepted ECH binds the ServerHello to accept it too.
    if (sent.acceptedAtHrr === true && !accepted) throw illegalParameter('the server accepted Encrypted Client Hello in its HelloRetryRequest but not in its ServerHello (RFC 9849 §6.1.5)');
    if (accepted) return { hello: { ...this.hello, offered: sent.innerOffered }, transcript: sent.innerTranscript, ech: { status: 'accepted', publicName, retryConfigs: undefined } };
    return { hello: { ...this.hello, resumption: undefined }, transcript: this.transcript, ech: { status: 'rejected', publicName, retryConfigs: undefined } };
  }

  private checkExtensions(sh: ServerHelloView, allowed: ReadonlySet<number>, offered: ReadonlySet<number>): void {
    for (const e of sh.extensions) {
      // RFC 8446 §4.2: responses may only carry extensions the client offered
      // (unsupported_extension), and only those allowed in this message (illegal_parameter).
      // RFC 8446 §4.1.4: a HelloRetryRequest may carry a cookie the client never offered.
      const unsolicitedCookie = sh.isHelloRetryRequest && e.type === ExtensionType.cookie;
      if (!offered.has(e.type) && !unsolicitedCookie) {
        throw new TlsError('unsupported_extension', `the server sent the ${ExtensionTypes.name(e.type)} extension, which we did not offer`);
      }
      if (!allowed.has(e.type)) {
        throw illegalParameter(`the ${ExtensionTypes.name(e.type)} extension is not allowed in ${sh.isHelloRetryRequest ? 'HelloRetryRequest' : 'ServerHello'}`);
      }
    }
  }

  /** RFC 8446 §4.1.4. */
  private handleHelloRetryRequest(ctx: HandshakeContext, message: HandshakeMessage, hrr: ServerHelloView, suite: Tls13Suite): HandshakeState {
    const { offer, transcript, hello } = this;
    if (this.retried) throw unexpectedMessage('the server sent a second HelloRetryRequest');
    const ksData = hrr.extension(ExtensionType.key_share);
    const cookieData = hrr.extension(ExtensionType.cookie);
    if (ksData === undefined && cookieData === undefined) {
      throw illegalParameter('HelloRetryRequest asks for nothing (no key_share, no cookie): it would not change the ClientHello');
    }
    let requestedGroup: number | undefined;
    if (ksData !== undefined) {
      const group = decodeKeyShareHrrExt(ksData);
      if (!offer.groups.includes(group)) throw illegalParameter(`HelloRetryRequest asks for ${NamedGroups.name(group)}, which we did not offer`);
      if (hello.keyShares.some((k) => k.group === group)) {
        throw illegalParameter(`HelloRetryRequest asks for ${NamedGroups.name(group)}, for which we already sent a key share`);
      }
      requestedGroup = group;
    }
    const keyShares = requestedGroup !== undefined ? [generateShare(ctx, requestedGroup)] : hello.keyShares;
    const cookie = cookieData !== undefined ? decodeCookieExt(cookieData) : hello.cookie;

    // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash(Hash(ClientHello1)).
    transcript.selectHash(suite.hash);
    transcript.replaceWithMessageHash();
    transcript.add(message.raw);
    const echRetry = hello.ech ? this.echAtHelloRetryRequest(ctx, hello.ech, message.raw, hrr, suite) : undefined;

    // A ticket can only be offered again if its hash matches the suite the server chose.
    const resumption = hello.resumption && hello.resumption.suite.hash === suite.hash ? hello.resumption : undefined;

    tell(ctx, { kind: 'hello_retry_request_received', suite: suite.id, group: requestedGroup, cookie: cookieData !== undefined });
    // RFC 8446 Appendix D.4: the compatibility CCS goes before the second ClientHello.
    this.compatCcs(ctx);
    const hello2 = sendClientHello(ctx, offer, transcript, { keyShares, resumption, cookie, echExtension: hello.echExtension }, true, echRetry);
    return new ExpectServerHello(offer, transcript, hello2, suite);
  }

  /**
   * RFC 9849 §6.1.5 / §7.2.1: the HelloRetryRequest's encrypted_client_hello confirms (or not)
   * that the server accepted ECH; the inner transcript takes the HelloRetryRequest either way.
   */
  private echAtHelloRetryRequest(ctx: HandshakeContext, sent: EchHello, raw: Uint8Array, hrr: ServerHelloView, suite: Tls13Suite): EchRetry {
    const inner = sent.innerTranscript;
    inner.selectHash(suite.hash);
    inner.replaceWithMessageHash();
    const accepted = helloRetryRequestAcceptsEch(ctx.provider, suite.hash, this.offer.random, inner, raw, hrr.extension(ExtensionType.encrypted_client_hello));
    inner.add(raw);
    tell(ctx, { kind: 'ech_answer_received', accepted, publicName: sent.client.publicName, serverName: this.offer.sniName, hrr: true });
    return { innerTranscript: inner, outerExtension: sent.outerExtension, acceptedAtHrr: accepted };
  }
}

/** Secrets and choices fixed by ServerHello. */
interface Negotiated {
  readonly suite: Tls13Suite;
  readonly group: number;
  /** The ticket whose PSK the server accepted (RFC 8446 §4.2.11); undefined in a full handshake. */
  readonly psk: SessionTicket | undefined;
  /** Encrypted Client Hello: accepted, rejected (then retry_configs from EncryptedExtensions), GREASE or none. */
  readonly ech: EchOutcome;
  /** The ClientHello.random the key log names this connection by (RFC 9850 §2.1). */
  readonly keyLogRandom: Uint8Array;
  /** Extension types our last ClientHello carried (EncryptedExtensions may answer only those). */
  readonly offered: ReadonlySet<number>;
  readonly handshakeSecret: HandshakeSecret;
  readonly clientHandshakeSecret: Uint8Array;
  readonly serverHandshakeSecret: Uint8Array;
}

/** Negotiated, plus what EncryptedExtensions settled. */
interface Agreed extends Negotiated {
  readonly alpn: string | undefined;
}

/** RFC 8446 §4.3.2: what the server asks of our certificate. */
interface CertificateRequest13 {
  readonly context: Uint8Array;
  readonly schemes: number[];
}

/**
 * How the server proved itself (RFC 8446 §2): with the resumed PSK, or with a certificate and a
 * CertificateVerify over the transcript. Only the latter can ask for our certificate (§4.3.2).
 */
type ServerAuth =
  | { readonly kind: 'psk'; readonly ticket: SessionTicket }
  | {
      readonly kind: 'certificate';
      readonly peer: PeerVerification;
      readonly signatureScheme: number;
      readonly certificateRequest: CertificateRequest13 | undefined;
    };

class ExpectEncryptedExtensions extends ClientState {
  readonly name = 'ExpectEncryptedExtensions';
  constructor(offer: ClientOffer, transcript: Transcript, private readonly negotiated: Negotiated) {
    super(offer, transcript);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.encrypted_extensions);
    const negotiated = this.negotiated;
    const ee = decodeEncryptedExtensions(message.body);
    for (const e of ee.extensions) {
      if (!negotiated.offered.has(e.type)) {
        throw new TlsError('unsupported_extension', `the server sent the ${ExtensionTypes.name(e.type)} extension, which we did not offer`);
      }
      if (!ENCRYPTED_EXTENSIONS.has(e.type)) {
        throw illegalParameter(`the ${ExtensionTypes.name(e.type)} extension is not allowed in EncryptedExtensions`);
      }
    }
    const sni = findExtension(ee.extensions, ExtensionType.server_name);
    if (sni && sni.data.length !== 0) throw new TlsError('decode_error', 'the server_name acknowledgement must be empty');
    let alpn: string | undefined;
    const alpnExt = findExtension(ee.extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpnExt) {
      const chosen = decodeAlpnServerExt(alpnExt.data);
      if (!this.offer.alpn.some((p) => equal(p, chosen))) throw illegalParameter('the server chose an ALPN protocol we did not offer');
      alpn = fromUtf8(chosen);
    }
    if (findExtension(ee.extensions, ExtensionType.early_data)) {
      throw illegalParameter('the server accepted early data, which we did not send');
    }
    const ech = this.echRetryConfigs(findExtension(ee.extensions, ExtensionType.encrypted_client_hello));
    this.transcript.add(message.raw);
    tell(ctx, { kind: 'encrypted_extensions_received', alpn });
    const agreed: Agreed = { ...negotiated, alpn, ech };
    if (negotiated.psk) return new ExpectFinished(this.offer, this.transcript, agreed, { kind: 'psk', ticket: negotiated.psk });
    return new ExpectCertificateOrRequest(this.offer, this.transcript, agreed);
  }

  /**
   * RFC 9849 §5 / §6.1.6: EncryptedExtensions' encrypted_client_hello carries retry_configs, and
   * only in answer to ClientHelloOuter. After acceptance it is unsupported_extension; after a
   * rejection a malformed list is a decode_error; with GREASE it is ignored (§6.2).
   */
  private echRetryConfigs(ext: Extension | undefined): EchOutcome {
    const ech = this.negotiated.ech;
    if (!ext) return ech;
    if (ech.status === 'accepted') throw new TlsError('unsupported_extension', 'the server sent ECH retry_configs although it accepted Encrypted Client Hello');
    if (ech.status === 'rejected') return { ...ech, retryConfigs: retryConfigsFrom(ext.data) };
    return ech;
  }
}

class ExpectCertificateOrRequest extends ClientState {
  readonly name = 'ExpectCertificateOrCertificateRequest';
  constructor(offer: ClientOffer, transcript: Transcript, private readonly agreed: Agreed) {
    super(offer, transcript);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate, HandshakeType.certificate_request);
    if (message.type === HandshakeType.certificate) {
      return new ExpectCertificate(this.offer, this.transcript, this.agreed, undefined).handle(ctx, message);
    }
    // RFC 8446 §4.3.2: in the handshake the context is empty; signature_algorithms is required.
    const cr = decodeCertificateRequest13(message.body);
    if (cr.context.length !== 0) throw illegalParameter('CertificateRequest during the handshake must have an empty context');
    const sa = findExtension(cr.extensions, ExtensionType.signature_algorithms);
    if (!sa) throw new TlsError('missing_extension', 'CertificateRequest lacks signature_algorithms');
    const request: CertificateRequest13 = { context: cr.context, schemes: decodeSignatureAlgorithmsExt(sa.data) };
    this.transcript.add(message.raw);
    tell(ctx, { kind: 'certificate_request_received', hasCertificate: this.offer.config.clientCertificate !== undefined });
    return new ExpectCertificate(this.offer, this.transcript, this.agreed, request);
  }
}

class ExpectCertificate extends ClientState {
  readonly name = 'ExpectCertificate';
  constructor(
    offer: ClientOffer,
    transcript: Transcript,
    private readonly agreed: Agreed,
    private readonly certificateRequest: CertificateRequest13 | undefined,
  ) {
    super(offer, transcript);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate);
    const config = this.offer.config;
    const cert = decodeCertificate13(message.body);
    if (cert.context.length !== 0) throw illegalParameter('the server\'s Certificate must have an empty certificate_request_context');
    // RFC 8446 §4.4.2.4: an empty server Certificate is a decode_error.
    if (cert.entries.length === 0) throw new TlsError('decode_error', 'the server sent no certificate');
    // RFC 8446 §4.4.2.1: status_request (an OCSP staple) only when we asked; no SCTs are asked.
    const staple = entryStaple(cert.entries, config.requestOCSP === true);
    // RFC 9849 §6.1.7: after an ECH rejection the server must be valid for the public name,
    // always verified (retry configs are trusted only from an authenticated server).
    const rejected = this.agreed.ech.status === 'rejected';
    const hostname = rejected ? this.agreed.ech.publicName : this.offer.serverName;
    const verified = verifyServerCertificates(ctx, config, cert.entries.map((e) => e.certData), hostname, rejected);
    const peer = checkStaple(ctx, config, verified, staple);
    this.transcript.add(message.raw);
    return new ExpectCertificateVerify(this.offer, this.transcript, this.agreed, this.certificateRequest, peer);
  }
}

class ExpectCertificateVerify extends ClientState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    offer: ClientOffer,
    transcript: Transcript,
    private readonly agreed: Agreed,
    private readonly certificateRequest: CertificateRequest13 | undefined,
    private readonly peer: PeerVerification,
  ) {
    super(offer, transcript);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate_verify);
    const transcript = this.transcript;
    const cv = decodeCertificateVerify(message.body);
    const leaf = this.peer.leafKey;
    // RFC 8446 §4.4.3: signed over the transcript up to and including Certificate.
    verifyCertificateVerify13(ctx.provider, leaf, cv.scheme, cv.signature, transcript.hash(), true, this.offer.schemes);
    transcript.add(message.raw);
    tell(ctx, { kind: 'server_certificate_verify_checked_13', scheme: cv.scheme, key: leaf });
    return new ExpectFinished(this.offer, transcript, this.agreed, {
      kind: 'certificate',
      peer: this.peer,
      signatureScheme: cv.scheme,
      certificateRequest: this.certificateRequest,
    });
  }
}

class ExpectFinished extends ClientState {
  readonly name = 'ExpectFinished';
  constructor(
    offer: ClientOffer,
    transcript: Transcript,
    private readonly agreed: Agreed,
    private readonly auth: ServerAuth,
  ) {
    super(offer, transcript);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.finished);
    const { offer, transcript, agreed, auth } = this;
    const { suite } = agreed;
    const provider = ctx.provider;
    // RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(... CertificateVerify)).
    const fin = decodeFinished(message.body, suite.hashLength);
    const expected = finishedVerifyData(provider, suite.hash, agreed.serverHandshakeSecret, transcript.hash());
    checkFinished(expected, fin.verifyData, 'server');
    // RFC 9849 §6.1.6: the outer handshake is authenticated as public_name: stop with ech_required
    // (never report the connection as established, send nothing more).
    if (agreed.ech.status === 'rejected') {
      const publicName = agreed.ech.publicName ?? '';
      tell(ctx, { kind: 'ech_rejected', publicName, retryConfigs: agreed.ech.retryConfigs !== undefined });
      throw new EchRejectedError(publicName, agreed.ech.retryConfigs);
    }
    transcript.add(message.raw);

    // RFC 8446 §7.1: application secrets from the transcript through server Finished.
    const master = agreed.handshakeSecret.intoMaster();
    const serverFinishedHash = transcript.hash();
    const app = master.applicationTrafficSecrets(serverFinishedHash);
    const exporter = master.exporterMasterSecret(serverFinishedHash);
    ctx.keyLog('CLIENT_TRAFFIC_SECRET_0', agreed.keyLogRandom, app.client);
    ctx.keyLog('SERVER_TRAFFIC_SECRET_0', agreed.keyLogRandom, app.server);
    ctx.keyLog('EXPORTER_SECRET', agreed.keyLogRandom, exporter);
    ctx.setReadSecret13(suite, app.server);

    // Our second flight, under the client handshake traffic key (set since ServerHello).
    const certificateRequest = auth.kind === 'certificate' ? auth.certificateRequest : undefined;
    if (certificateRequest) this.sendClientCertificate(ctx, certificateRequest);
    const ourVerifyData = finishedVerifyData(provider, suite.hash, agreed.clientHandshakeSecret, transcript.hash());
    const ourFinished = encodeFinished({ verifyData: ourVerifyData });
    transcript.add(ourFinished);
    ctx.sendHandshake(ourFinished);
    ctx.setWriteSecret13(suite, app.client);
    const resumptionMaster = master.resumptionMasterSecret(transcript.hash());

    const peer = auth.kind === 'certificate' ? auth.peer : undefined;
    const resumed = auth.kind === 'psk';
    // The parsed chain is dropped once the handshake is done: info keeps the DER and parses it
    // again only when asked (peer-certificates.ts).
    const info: HandshakeInfo = withPeerChain({
      // One literal with every field (not a spread of a head object): V8 then keeps the fields in
      // the object, ≈260 B less per established connection than {...head, ...}.
      version: 'TLSv1.3',
      cipherSuite: suite.id,
      cipherName: suite.name,
      group: agreed.group,
      groupName: groupName(agreed.group),
      signatureScheme: auth.kind === 'certificate' ? auth.signatureScheme : undefined,
      signatureSchemeName: schemeName(auth.kind === 'certificate' ? auth.signatureScheme : undefined),
      alpn: agreed.alpn,
      serverName: offer.sniName,
      resumed,
      authorized: peer ? peer.authorized : true,
      authorizationError: peer?.error,
      ech: agreed.ech.status,
      outerServerName: agreed.ech.status === 'accepted' ? agreed.ech.publicName : undefined,
      finished: finishedPair(ourVerifyData, fin.verifyData),
    }, auth.kind === 'certificate' ? peerChainOf(auth.peer) : storedPeerChain(auth.ticket.peerCertificates ?? []));
    // Set only when stapled, so other connections' info keeps its shape (#15).
    if (peer?.ocspResponse) (info as { ocspResponse?: Uint8Array }).ocspResponse = peer.ocspResponse;
    // Likewise only when the server asked for our certificate (getSharedSigalgs() in hush/node).
    if (certificateRequest) (info as { certificateRequestSchemes?: readonly number[] }).certificateRequestSchemes = certificateRequest.schemes;
    tell(ctx, { kind: 'server_finished_checked_13', suite: suite.id, sentCertificate: certificateRequest !== undefined });
    ctx.handshakeComplete(info, {
      suite,
      clientApplicationSecret: app.client,
      serverApplicationSecret: app.server,
      exporterMasterSecret: exporter,
    });
    if (ctx.tracing) {
      tell(ctx, {
        kind: 'client_established_13',
        suite: suite.id,
        group: agreed.group,
        signature: info.signatureSchemeName,
        alpn: agreed.alpn,
        resumed,
        peer: peer?.certificates ?? info.peerCertificates,
        ech: agreed.ech.status,
        serverName: offer.sniName,
        outerServerName: info.outerServerName,
      });
    }
    return new ClientEstablished(offer.serverName, suite, resumptionMaster, info);
  }

  /** RFC 8446 §4.4.2 / §4.4.3: our Certificate (possibly empty) and CertificateVerify. */
  private sendClientCertificate(ctx: HandshakeContext, request: CertificateRequest13): void {
    const transcript = this.transcript;
    const ours: CertifiedKey | undefined = this.offer.config.clientCertificate;
    const scheme = ours ? chooseSignatureScheme(ours.key, request.schemes, this.offer.schemes, true) : undefined;
    const chain = ours && scheme !== undefined ? ours.chain : [];
    const certMsg = encodeCertificate13({
      context: request.context,
      entries: chain.map((der) => ({ certData: der, extensions: [] })),
    });
    transcript.add(certMsg);
    ctx.sendHandshake(certMsg);
    if (ours && scheme !== undefined) {
      const signature = signCertificateVerify13(ctx.provider, ours.key, scheme, transcript.hash(), false);
      const cv = encodeCertificateVerify({ scheme, signature });
      transcript.add(cv);
      ctx.sendHandshake(cv);
      tell(ctx, { kind: 'client_certificate_sent_13', scheme, hasCertificate: true });
    } else {
      tell(ctx, { kind: 'client_certificate_sent_13', scheme: undefined, hasCertificate: ours !== undefined });
    }
  }
}

/** Session tickets a connection delivers (more are dropped). */
const MAX_TICKETS_KEPT = 64;

/**
 * After the handshake: NewSessionTicket (KeyUpdate is handled by the connection). It keeps only
 * what tickets need, not the ClientOffer, transcript or ClientHello (key shares, hello bytes, offer lists):
 * an idle connection holds this state for its whole life.
 */
class ClientEstablished implements HandshakeState {
  readonly name = 'ClientEstablished';
  readonly allowsCompatCcs = false;
  readonly established = true;
  private tickets = 0;
  constructor(
    private readonly serverName: string | undefined,
    private readonly suite: Tls13Suite,
    private readonly resumptionMasterSecret: Uint8Array,
    private readonly info: HandshakeInfo,
  ) {}

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    if (message.type === HandshakeType.certificate_request) {
      // RFC 8446 §4.6.2: we never offered post_handshake_auth.
      throw unexpectedMessage('post-handshake CertificateRequest, but we did not offer post_handshake_auth');
    }
    expectMessage(message, 'server', [HandshakeType.new_session_ticket]);
    // RFC 8446 §4.6.1.
    const nst = decodeNewSessionTicket13(message.body);
    if (nst.lifetime > MAX_TICKET_LIFETIME_SECONDS) throw illegalParameter(`ticket lifetime ${nst.lifetime}s exceeds 7 days`);
    let maxEarlyData = 0;
    for (const e of nst.extensions) {
      if (e.type === ExtensionType.early_data) maxEarlyData = decodeEarlyDataTicketExt(e.data);
      // Other extensions are ignored (RFC 8446 §4.6.1: clients MUST ignore unrecognized extensions).
    }
    if (++this.tickets > MAX_TICKETS_KEPT || nst.lifetime === 0) {
      // Bound what a chatty server can make us store; RFC 8446 §4.6.1: a zero lifetime means
      // "discard immediately". Either way nothing happened: the connection bounds how many in a row.
      ctx.ignoredMessage('NewSessionTicket');
      return this;
    }
    const ticket: SessionTicket = {
      version: 'TLSv1.3',
      serverName: this.serverName,
      cipherSuite: this.suite.id,
      ticket: nst.ticket.slice(),
      secret: resumptionPsk(ctx.provider, this.suite.hash, this.resumptionMasterSecret, nst.nonce),
      receivedAt: ctx.now(),
      lifetime: nst.lifetime,
      ageAdd: nst.ageAdd,
      maxEarlyData,
      alpn: this.info.alpn,
      peerCertificates: peerCertificateDers(this.info),
    };
    ctx.emit({ type: 'session', ticket });
    tell(ctx, { kind: 'session_ticket_received_13', lifetime: nst.lifetime });
    return this;
  }
}

function isIpLiteral(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}
