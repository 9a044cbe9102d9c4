// The TLS 1.3 server handshake (RFC 8446 §2, §4), one state per expected message:
//
//   ExpectClientHello ─(no usable key share: HelloRetryRequest)─▶ ExpectClientHello2
//          │                                                          │
//          ▼ ServerHello, {EncryptedExtensions, [CertificateRequest], │
//            Certificate, CertificateVerify, Finished}  ◀─────────────┘
//          │
//          ├─(client auth)─▶ ExpectCertificate ─▶ ExpectCertificateVerify ─┐
//          ▼                                                              ▼
//     ExpectFinished ◀────────────────────────────────────────────────────┘
//          ▼ NewSessionTicket × n
//     ServerEstablished
//
// The HelloRetryRequest is stateless (RFC 8446 §4.2.2): its cookie carries Hash(ClientHello1),
// the suite and the group under an HMAC, so the second ClientHello is checked against the cookie
// alone. Each state checks what RFC 8446 requires of its message and answers a violation with the
// alert the RFC names.
import { TlsError, illegalParameter, internalError, unexpectedMessage } from '../../errors/errors.js';
import { concat, constantTimeEqual, toHex, utf8 } from '../../bytes/util.js';
import { checkFinished, finishedPair, groupName, schemeName } from '../shared/finish.js';
import {
  CipherSuites,
  ExtensionType,
  HandshakeType,
  HandshakeTypes,
  NamedGroups,
  ProtocolVersion,
  PskKeyExchangeMode,
  SignatureSchemes,
} from '../../wire/enums.js';
import { tls13SuiteById, type Tls13Suite } from '../../crypto/suites.js';
import { schemeInfo } from '../../crypto/signature.js';
import { Transcript } from '../../schedule/transcript.js';
import { EarlySecret, finishedVerifyData, pskBinder, resumptionPsk, type HandshakeSecret, type MasterSecret } from '../../schedule/tls13.js';
import type { HandshakeMessage } from '../messages/handshake.js';
import { decodeClientHello } from '../messages/client-hello.js';
import { encodeServerHello, encodeHelloRetryRequest } from '../messages/server-hello.js';
import { encodeEncryptedExtensions } from '../messages/encrypted-extensions.js';
import { decodeCertificate13 } from '../messages/certificate.js';
import { encodeCertificateRequest13 } from '../messages/certificate-request.js';
import { decodeCertificateVerify, encodeCertificateVerify } from '../messages/certificate-verify.js';
import { decodeFinished, encodeFinished } from '../messages/finished.js';
import { encodeNewSessionTicket13 } from '../messages/new-session-ticket.js';
import { encodeMessageHash } from '../messages/message-hash.js';
import type { Extension } from '../messages/extensions.js';
import { encodeServerNameAckExt } from '../messages/ext-server-name.js';
import { encodeAlpnExt, encodeSignatureAlgorithmsExt, encodeSupportedVersionsServerExt } from '../messages/ext-lists.js';
import { encodeKeyShareHrrExt, encodeKeyShareServerExt, type KeyShareEntry } from '../messages/ext-key-share.js';
import { encodeCookieExt } from '../messages/ext-misc.js';
import { encodePreSharedKeyServerExt, pskBindersPrefixLength, type OfferedPsks } from '../messages/ext-pre-shared-key.js';
import { expectMessage, type HandshakeState } from '../state.js';
import type { HandshakeContext } from '../context.js';
import type { ServerConfig } from '../config.js';
import type { HandshakeInfo } from '../events.js';
import { tell } from '../narration.js';
import { certificateMatchesName, type ResolvedServerConfig, type ServerCertificate } from './server-options.js';
import { negotiateVersion, parseClientHello, type ParsedClientHello } from './server-client-hello.js';
import { checkHelloLegacyVersion } from '../shared/hello-version.js';
import { openCookie, sealCookie, type TicketSealer, type TicketState } from '../session/server-tickets.js';
import { EXTERNAL_SESSION_ID_LENGTH, openStatefulTicket, type ExternalSessions } from '../session/external-sessions.js';
import { encodeSessionState } from '../session/session-state.js';
import { chooseSignatureScheme, describeKey, signCertificateVerify13, verifyCertificateVerify13 } from '../shared/signatures.js';
import { stapleFor, stapledCertificateMessage13 } from './server-staple.js';
import { parseStoredCertificates, type PeerVerification } from '../shared/peer-certificates.js';
import { handleClientHello12 } from './server12.js';
import { ServerHandshake, chooseAlpn, verifyClientCertificates, type ServerHandshakeHooks } from './server-handshake.js';
import { NO_ECH, confirmServerHello, echFirstHello, echInfo, echSecondHello, hrrConfirmation, retryConfigsExtension, type EchState } from './ech-server.js';

/** RFC 8446 §8.3: accept a ticket whose age, as the client sees it, is within this of ours. */
export const TICKET_AGE_TOLERANCE_MS = 10_000;
/** A HelloRetryRequest cookie is good for this long (the second ClientHello follows at once). */
export const COOKIE_LIFETIME_MS = 60_000;
/** RFC 8446 §4.2.10: rejected 0-RTT data we are willing to skip (we never offer early data). */
export const MAX_SKIPPED_EARLY_DATA = 64 * 1024;
/** At most this many offered PSK identities are looked at (each costs an AEAD open). */
const MAX_PSK_IDENTITIES = 8;

/** Start a TLS 1.3 server handshake: returns the state that waits for ClientHello. */
export function startServerHandshake(ctx: HandshakeContext, config: ServerConfig, hooks: ServerHandshakeHooks = {}): HandshakeState {
  return new ExpectClientHello(new ServerHandshake(ctx, config, hooks), false, NO_ECH);
}

abstract class ServerState implements HandshakeState {
  abstract readonly name: string;
  readonly allowsCompatCcs: boolean = true;
  readonly established: boolean = false;
  constructor(protected readonly hs: ServerHandshake) {}
  abstract handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState;

  protected expect(message: HandshakeMessage, ...types: number[]): void {
    expectMessage(message, 'client', types);
  }
}

/** What the second ClientHello must match (from the cookie). */
interface Retry {
  readonly suite: Tls13Suite;
  readonly group: number;
  readonly clientHello1Hash: Uint8Array;
  /** Undefined when the HelloRetryRequest had no cookie (its state stayed in the connection). */
  readonly cookie: Uint8Array | undefined;
}

class ExpectClientHello extends ServerState {
  readonly name: string;
  override readonly allowsCompatCcs: boolean;
  constructor(
    hs: ServerHandshake,
    private readonly second: boolean,
    /** Encrypted Client Hello as decided on the first ClientHello (RFC 9849 §7.1.1). */
    private readonly ech: EchState,
    /** A HelloRetryRequest sent without a cookie (ECH accepted): what the second ClientHello must match. */
    private readonly pending?: Retry,
  ) {
    super(hs);
    this.name = second ? 'ExpectClientHello2' : 'ExpectClientHello';
    // RFC 8446 §5: a compat CCS may arrive only after the first ClientHello.
    this.allowsCompatCcs = second;
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.client_hello);
    const hs = this.hs;
    const resolved = hs.resolved;
    checkHelloLegacyVersion(message.body, 'ClientHello');
    // RFC 9849 §7.1: ECH is decided before anything else is negotiated; an accepted ClientHelloInner
    // replaces the outer hello for the rest of the handshake.
    const received = decodeClientHello(message.body, message.raw);
    const echResult = this.second ? echSecondHello(this.ech, received) : echFirstHello(ctx.provider, resolved.ech, received);
    const ech = echResult.ech;
    if (ech.status === 'accepted' && !this.second) {
      // RFC 9850 §2.3: a server that decrypted ClientHelloInner may log the HPKE KEM shared secret
      // and the ECHConfig, always under ClientHelloOuter's random.
      ctx.keyLog('ECH_SECRET', received.random, ech.context.schedule.sharedSecret);
      ctx.keyLog('ECH_CONFIG', received.random, ech.key.config.raw);
    }
    const p = parseClientHello(echResult.hello);
    const ch = p.hello;
    hs.hooks.onClientHello?.(p.info);
    tell(ctx, { kind: 'client_hello_received', second: this.second, hello: p.info, earlyData: p.earlyData });
    if (ech.status !== 'none' && ctx.tracing) {
      const { outerServerName } = echInfo(ech);
      tell(ctx, { kind: 'ech_received', second: this.second, status: ech.status, outerServerName, innerServerName: ech.status === 'accepted' ? p.serverName : undefined, reason: echResult.reason });
    }

    // RFC 8446 §4.2.1 / Appendix D: TLS 1.3 only through supported_versions; a client without it
    // (or without 1.3 in it), or a server capped at 1.2, continues in the TLS 1.2 states.
    const version = negotiateVersion(p, resolved.versions);
    if (version === ProtocolVersion.TLSv1_2) {
      // RFC 8446 §4.1.4: after a HelloRetryRequest the client must stay with TLS 1.3.
      if (this.second) throw illegalParameter('the second ClientHello does not offer TLS 1.3, which our HelloRetryRequest chose');
      // RFC 9849 §7.1: an ECH extension we went past (GREASE, or no key opened it): TLS 1.2 uses the
      // outer hello (an accepted ClientHelloInner offering TLS 1.2 was refused above).
      return handleClientHello12(ctx, hs, p, ech.status === 'accepted' ? 'none' : ech.status);
    }
    if (version !== ProtocolVersion.TLSv1_3) {
      throw new TlsError('protocol_version', 'this client speaks only TLS 1.1 or older; hush speaks TLSv1.2 and TLSv1.3');
    }
    // RFC 8446 §4.1.2: exactly the null compression method.
    if (!ch.onlyNullCompression) throw illegalParameter('a TLS 1.3 ClientHello must offer only the null compression method');
    const p13 = checkRequiredExtensions(p);
    // RFC 8446 §4.2.8: every key share must be for a group in supported_groups.
    for (const k of p13.keyShares) {
      if (!p13.groups.includes(k.group)) {
        throw illegalParameter(`the client sent a key share for ${NamedGroups.name(k.group)}, which is not in its supported_groups`);
      }
    }
    if (this.second && p.earlyData) {
      // RFC 8446 §4.2.10: the client MUST NOT send early_data after a HelloRetryRequest.
      throw illegalParameter('the second ClientHello offers early data, which is not allowed after HelloRetryRequest');
    }

    // RFC 8446 §4.2.2: a cookie means this is the ClientHello after our HelloRetryRequest.
    let retry: Retry | undefined;
    if (this.pending) {
      // With ECH accepted the HPKE context is kept per connection anyway, so our HelloRetryRequest
      // kept its state here instead of in a cookie (RFC 8446 §4.1.4: the suite must still be offered).
      retry = this.pending;
      if (p.cookie !== undefined) throw illegalParameter('the second ClientHello carries a cookie, but our HelloRetryRequest sent none');
      if (!ch.cipherSuites.includes(retry.suite.id)) throw illegalParameter(`the second ClientHello no longer offers ${retry.suite.name}, which HelloRetryRequest chose`);
    } else if (p.cookie !== undefined) {
      retry = this.checkCookie(ctx, p, p.cookie);
    } else if (this.second) {
      throw new TlsError('missing_extension', 'the second ClientHello does not echo the HelloRetryRequest cookie');
    }

    const suite = retry?.suite ?? chooseSuite(resolved, ch.cipherSuites);
    // RFC 8446 §4.2.8: a key share for a group both sides support, in our order; else HelloRetryRequest.
    let group: number;
    let share: Uint8Array;
    if (retry) {
      const wanted = retry.group;
      const entry = p13.keyShares.find((k) => k.group === wanted);
      if (!entry) {
        throw illegalParameter(`the second ClientHello has no key share for ${NamedGroups.name(retry.group)}, which HelloRetryRequest asked for`);
      }
      group = entry.group;
      share = entry.keyExchange;
    } else {
      const mutual = resolved.groups.filter((g) => p13.groups.includes(g));
      const firstMutual = mutual[0];
      if (firstMutual === undefined) {
        throw new TlsError(
          'handshake_failure',
          `no key exchange group in common: the client supports ${p13.groups.map((g) => NamedGroups.name(g)).join(', ')}; ` +
            `we allow ${resolved.groups.map((g) => NamedGroups.name(g)).join(', ')}`,
          { failure: 'noSharedGroup' },
        );
      }
      const entry = mutual.map((g) => p13.keyShares.find((k) => k.group === g)).find((e) => e !== undefined);
      if (!entry) {
        if (this.second) throw internalError('a second HelloRetryRequest would be needed');
        return this.sendHelloRetryRequest(ctx, p, suite, firstMutual, ech);
      }
      group = entry.group;
      share = entry.keyExchange;
    }

    // The transcript: ClientHello, or message_hash(ClientHello1) + HelloRetryRequest + ClientHello2 (§4.4.1).
    const transcript = new Transcript(ctx.provider, suite.hash);
    if (retry) {
      transcript.add(encodeMessageHash(retry.clientHello1Hash));
      transcript.add(buildHelloRetryRequest(ch.legacySessionId, suite, retry.group, retry.cookie, ech.status === 'accepted' ? ech.hrrConfirmation : undefined));
    }

    // Pre-shared key (RFC 8446 §4.2.11), checked against the transcript up to the binders.
    const resumption = choosePsk(ctx, hs, p13, suite, transcript);
    transcript.add(ch.raw);

    // 0-RTT (RFC 8446 §4.2.10): we never accept early data; skip what the client sends.
    if (p.earlyData) {
      ctx.skipEarlyData(MAX_SKIPPED_EARLY_DATA);
      tell(ctx, { kind: 'early_data_skipped' });
    } else {
      ctx.skipEarlyData(0);
    }

    const alpn = chooseAlpn(hs, p13);
    // RFC 8446 §4.2.11 / §2.2: a resumed handshake authenticates by the PSK, a full one by our certificate.
    const auth: ServerAuth = resumption ? { kind: 'psk', resumption } : { kind: 'certificate', ...chooseCertificate(resolved, p13) };
    const negotiated: Negotiated = { clientHello: p13, suite, group, transcript, auth, retried: retry !== undefined, alpn, ech };
    return sendServerFlight(ctx, hs, negotiated, share);
  }

  /** RFC 8446 §4.2.2: the cookie must be ours, fresh, and its suite still offered. */
  private checkCookie(ctx: HandshakeContext, p: ParsedClientHello, cookie: Uint8Array): Retry {
    const state = openCookie(ctx.provider, this.hs.resolved.cookieKey, cookie);
    if (!state) throw illegalParameter('the ClientHello carries a cookie this server did not issue (or it was altered)');
    const age = ctx.now() - state.issuedAt;
    if (age > COOKIE_LIFETIME_MS || age < -TICKET_AGE_TOLERANCE_MS) {
      throw illegalParameter('the HelloRetryRequest cookie has expired');
    }
    const suite = tls13SuiteById(state.cipherSuite);
    if (!suite || !this.hs.resolved.suites.includes(suite) || suite.hashLength !== state.clientHello1Hash.length) {
      throw illegalParameter('the cookie names a cipher suite this server does not allow');
    }
    // RFC 8446 §4.1.4: the ServerHello must use the HelloRetryRequest's suite, so it must still be offered.
    if (!p.hello.cipherSuites.includes(suite.id)) {
      throw illegalParameter(`the second ClientHello no longer offers ${suite.name}, which HelloRetryRequest chose`);
    }
    if (!this.hs.resolved.groups.includes(state.group)) throw illegalParameter('the cookie names a group this server does not allow');
    tell(ctx, { kind: 'cookie_accepted' });
    return { suite, group: state.group, clientHello1Hash: state.clientHello1Hash, cookie };
  }

  /** RFC 8446 §4.1.4: ask for a key share for `group`; the cookie makes us stateless. */
  private sendHelloRetryRequest(ctx: HandshakeContext, p: ParsedClientHello, suite: Tls13Suite, group: number, ech: EchState): HandshakeState {
    const hs = this.hs;
    const clientHello1Hash = ctx.provider.digest(suite.hash, p.hello.raw);
    // With ECH accepted the connection keeps the HPKE context for the second ClientHello (RFC 9849
    // §7.1.1), so it keeps the retry state too and sends no cookie. (Go 1.24's ECH client copies a
    // cookie into ClientHelloInner2 only, then references it from the outer hello, which lacks it.)
    const cookie = ech.status === 'accepted' ? undefined : sealCookie(ctx.provider, hs.resolved.cookieKey, { cipherSuite: suite.id, group, issuedAt: ctx.now(), clientHello1Hash });
    // RFC 9849 §7.2.1: with ECH accepted, the HelloRetryRequest confirms it in an extension.
    let next = ech;
    if (ech.status === 'accepted') {
      const build = (c: Uint8Array) => buildHelloRetryRequest(p.hello.legacySessionId, suite, group, cookie, c);
      next = { ...ech, hrrConfirmation: hrrConfirmation(ctx.provider, suite.hash, p.hello.random, encodeMessageHash(clientHello1Hash), build) };
    }
    ctx.sendHandshake(buildHelloRetryRequest(p.hello.legacySessionId, suite, group, cookie, next.status === 'accepted' ? next.hrrConfirmation : undefined));
    // RFC 8446 Appendix D.4: a compat CCS right after our first handshake message.
    if (p.hello.legacySessionId.length > 0) ctx.sendChangeCipherSpec();
    hs.hrrSent = true;
    if (p.earlyData) ctx.skipEarlyData(MAX_SKIPPED_EARLY_DATA);
    tell(ctx, { kind: 'hello_retry_request_sent', suite: suite.id, group, offeredShares: p.info.keyShareGroups, ...(cookie ? {} : { stateful: true as const }) });
    return new ExpectClientHello(hs, true, next, cookie ? undefined : { suite, group, clientHello1Hash, cookie: undefined });
  }
}

function buildHelloRetryRequest(sessionId: Uint8Array, suite: Tls13Suite, group: number, cookie: Uint8Array | undefined, echConfirmation?: Uint8Array): Uint8Array {
  const extensions = [encodeSupportedVersionsServerExt(ProtocolVersion.TLSv1_3), encodeKeyShareHrrExt(group)];
  if (cookie) extensions.push(encodeCookieExt(cookie));
  // RFC 9849 §7.2.1: the ECH acceptance confirmation (8 bytes).
  if (echConfirmation) extensions.push({ type: ExtensionType.encrypted_client_hello, data: echConfirmation });
  return encodeHelloRetryRequest({
    legacyVersion: ProtocolVersion.TLSv1_2,
    legacySessionIdEcho: sessionId,
    cipherSuite: suite.id,
    compressionMethod: 0,
    extensions,
  });
}

/**
 * A ClientHello this server can answer with TLS 1.3: (EC)DHE is offered (supported_groups and
 * key_share both present), and a pre-shared key comes with its psk_key_exchange_modes.
 */
interface ClientHello13 extends ParsedClientHello {
  readonly groups: readonly number[];
  readonly keyShares: readonly KeyShareEntry[];
  /** pre_shared_key with the psk_key_exchange_modes RFC 8446 §4.2.9 requires next to it. */
  readonly pskOffer: PskOffer | undefined;
}

interface PskOffer {
  readonly offered: OfferedPsks;
  readonly modes: readonly number[];
}

/** RFC 8446 §9.2: what a TLS 1.3 ClientHello must carry (missing_extension otherwise). */
function checkRequiredExtensions(p: ParsedClientHello): ClientHello13 {
  const missing = (what: string) => new TlsError('missing_extension', `the TLS 1.3 ClientHello lacks ${what} (RFC 8446 §9.2)`);
  const { groups, keyShares, psk, pskModes } = p;
  if (groups !== undefined && keyShares === undefined) throw missing('key_share (it sent supported_groups)');
  if (keyShares !== undefined && groups === undefined) throw missing('supported_groups (it sent key_share)');
  if (psk === undefined) {
    if (p.signatureSchemes === undefined) throw missing('signature_algorithms');
    if (groups === undefined) throw missing('supported_groups');
  }
  // RFC 8446 §4.2.9: pre_shared_key requires psk_key_exchange_modes.
  let pskOffer: PskOffer | undefined;
  if (psk !== undefined) {
    if (pskModes === undefined) throw missing('psk_key_exchange_modes (it offers a pre-shared key)');
    pskOffer = { offered: psk, modes: pskModes };
  }
  // We only do (EC)DHE: a PSK-only client (psk_ke) cannot be served. (keyShares is absent here only
  // when groups is too: the first check above.)
  if (groups === undefined || keyShares === undefined) {
    throw new TlsError('handshake_failure', 'the client offers only PSK without (EC)DHE (psk_ke), which this server does not allow');
  }
  return { ...p, groups, keyShares, pskOffer };
}

/** Server preference (default) or client preference, among the suites both allow. */
function chooseSuite(resolved: ResolvedServerConfig, offered: readonly number[]): Tls13Suite {
  const suite = resolved.preferServerCiphers
    ? resolved.suites.find((s) => offered.includes(s.id))
    : offered.map((id) => resolved.suites.find((s) => s.id === id)).find((s) => s !== undefined);
  if (!suite) {
    throw new TlsError(
      'handshake_failure',
      `no cipher suite in common: the client offers ${offered.map((s) => CipherSuites.name(s)).join(', ')}; ` +
        `we allow ${resolved.suites.map((s) => s.name).join(', ')}`,
      { failure: 'noSharedCipherSuite' },
    );
  }
  return suite;
}

/**
 * Pick the first configured certificate whose key can make a signature the client accepts,
 * preferring one whose leaf names the SNI host. None → handshake_failure.
 */
function chooseCertificate(resolved: ResolvedServerConfig, p: ParsedClientHello): { certificate: ServerCertificate; scheme: number } {
  const clientSchemes = p.signatureSchemes ?? [];
  let fallback: { certificate: ServerCertificate; scheme: number } | undefined;
  for (const cert of resolved.certificates) {
    const scheme = chooseSignatureScheme(cert.certified.key, clientSchemes, resolved.schemes, true);
    if (scheme === undefined) continue;
    if (p.serverName === undefined || certificateMatchesName(cert, p.serverName)) return { certificate: cert, scheme };
    fallback ??= { certificate: cert, scheme };
  }
  if (fallback) return fallback;
  throw new TlsError(
    'handshake_failure',
    `none of our certificates can make a signature the client accepts (it offers ${clientSchemes.map((s) => SignatureSchemes.name(s)).join(', ')}; ` +
      `our keys: ${resolved.certificates.map((c) => describeKey(c.certified.key)).join(', ')})`,
  );
}

interface Resumption {
  readonly state: TicketState;
  readonly index: number;
  /** The Early Secret from the ticket's PSK, already computed for the binder. */
  readonly early: EarlySecret;
}

/**
 * RFC 8446 §4.2.11: find an offered ticket we can resume, then check its binder. A ticket we
 * cannot use (unknown key, expired, wrong hash, age off, used) is ignored: full handshake. A
 * binder that does not verify for the ticket we chose is decrypt_error.
 */
function choosePsk(ctx: HandshakeContext, hs: ServerHandshake, p: ClientHello13, suite: Tls13Suite, transcript: Transcript): Resumption | undefined {
  const sealer = hs.resolved.tickets;
  const stateful = hs.hooks.sessions?.statefulTickets === true ? hs.hooks.sessions : undefined;
  if (!p.pskOffer || (!sealer && !stateful)) return undefined;
  const { offered, modes } = p.pskOffer;
  const why = (reason: string): undefined => {
    tell(ctx, { kind: 'psk_refused', reason });
    return undefined;
  };
  // RFC 8446 §4.2.9: we only allow psk_dhe_ke (forward secrecy for resumed sessions too).
  if (!modes.includes(PskKeyExchangeMode.psk_dhe_ke)) return why('the client does not offer psk_dhe_ke');
  const now = ctx.now();
  let reason = 'we cannot open its ticket (another server, or a rotated-out key)';
  // `!` on identities[i] and binders[i]: i < identities.length, and the decoder checked that
  // there are as many binders as identities (RFC 8446 §4.2.11).
  for (let i = 0; i < Math.min(offered.identities.length, MAX_PSK_IDENTITIES); i++) {
    const id = offered.identities[i]!;
    const opened = openTicket(sealer, stateful, id.identity);
    if (!opened) continue;
    const t = opened.state;
    // A TLS 1.2 session (same ticket keys) never resumes as TLS 1.3: its secret is a master secret, not a PSK.
    if (t.version === 'TLSv1.2') {
      reason = 'it is a ticket for a TLS 1.2 session';
      continue;
    }
    const ticketSuite = tls13SuiteById(t.cipherSuite);
    // RFC 8446 §4.2.11: the PSK's hash must be the chosen suite's.
    if (!ticketSuite || ticketSuite.hash !== suite.hash) {
      reason = 'its cipher suite uses a different hash than the one chosen now';
      continue;
    }
    const age = now - t.issuedAt;
    if (age < -TICKET_AGE_TOLERANCE_MS || age > t.lifetime * 1000) {
      reason = 'the ticket has expired';
      continue;
    }
    // RFC 8446 §4.2.11.1 / §8.3: the client's view of the ticket age must be close to ours.
    const clientAge = (id.obfuscatedTicketAge - t.ageAdd) >>> 0;
    if (Math.abs(clientAge - age) > TICKET_AGE_TOLERANCE_MS) {
      reason = `the client's ticket age (${clientAge} ms) is too far from ours (${age} ms)`;
      continue;
    }
    if (t.serverName !== p.serverName) {
      reason = 'the ticket was issued for another server name';
      continue;
    }
    if (hs.resolved.clientAuth === 'required' && t.clientCertificates.length === 0) {
      reason = 'the ticket carries no client certificate, and this server requires one';
      continue;
    }
    // RFC 8446 §4.2.11.2: binder = HMAC over Transcript-Hash(Truncate(ClientHello)).
    const prefix = p.hello.raw.subarray(0, pskBindersPrefixLength(p.hello.raw));
    const early = EarlySecret.start(ctx.provider, suite.hash, t.psk);
    const expected = pskBinder(ctx.provider, suite.hash, early.binderKey('resumption'), transcript.hashWith(prefix));
    if (!constantTimeEqual(expected, offered.binders[i]!)) {
      throw new TlsError('decrypt_error', 'the PSK binder does not verify: the client does not hold the ticket\'s key, or the ClientHello was altered');
    }
    if (hs.resolved.usedTickets && !hs.resolved.usedTickets.claim(opened.id, t.issuedAt + t.lifetime * 1000, now)) {
      reason = 'the ticket was already used once (single-use tickets)';
      continue;
    }
    return { state: t, index: i, early };
  }
  return why(reason);
}

/** A sealed ticket's state, or (stateful tickets) the state the application's store returned for it. */
function openTicket(sealer: TicketSealer | undefined, stateful: ExternalSessions | undefined, ticket: Uint8Array): { state: TicketState; id: string } | undefined {
  if (stateful) {
    const state = openStatefulTicket(stateful, ticket);
    return state ? { state, id: toHex(ticket) } : undefined;
  }
  return sealer?.open(ticket);
}

/** How this server proves itself: a certificate and CertificateVerify, or the resumed PSK (RFC 8446 §2.2). */
type ServerAuth =
  | { readonly kind: 'certificate'; readonly certificate: ServerCertificate; readonly scheme: number }
  | { readonly kind: 'psk'; readonly resumption: Resumption };

/** Choices fixed by ClientHello processing. */
interface Negotiated {
  readonly clientHello: ClientHello13;
  readonly suite: Tls13Suite;
  readonly group: number;
  /** Grows message by message through the handshake (the one mutable part). */
  readonly transcript: Transcript;
  readonly auth: ServerAuth;
  readonly retried: boolean;
  readonly alpn: string | undefined;
  /** Encrypted Client Hello (RFC 9849): accepted → clientHello is ClientHelloInner. */
  readonly ech: EchState;
}

/** Keys and state after our flight, carried to the client's second flight. */
interface Flight {
  readonly negotiated: Negotiated;
  readonly clientHandshakeSecret: Uint8Array;
  readonly master: MasterSecret;
  readonly app: { readonly client: Uint8Array; readonly server: Uint8Array };
  readonly exporter: Uint8Array;
  /** The verify_data of the Finished we sent (HandshakeInfo.finished.local). */
  readonly serverFinished: Uint8Array;
}

/** A client that authenticated with a certificate: its verified chain and the CertificateVerify scheme. */
interface ClientAuth {
  readonly peer: PeerVerification;
  readonly scheme: number;
}

/** RFC 8446 §2: ServerHello, then {EncryptedExtensions, CertificateRequest*, Certificate*, CertificateVerify*, Finished}. */
function sendServerFlight(ctx: HandshakeContext, hs: ServerHandshake, negotiated: Negotiated, clientShare: Uint8Array): HandshakeState {
  const { suite, group, transcript, auth, clientHello: p } = negotiated;
  const provider = ctx.provider;
  const kx = provider.keyExchange(group);
  if (!kx) throw internalError(`the provider lost ${NamedGroups.name(group)}`);
  // RFC 8446 §4.2.8 / §7.4: our share and the shared secret (a bad client share → illegal_parameter).
  const { publicKey, sharedSecret } = kx.respond(clientShare);

  // RFC 8446 §4.1.3: ServerHello.
  const extensions: Extension[] = [encodeSupportedVersionsServerExt(ProtocolVersion.TLSv1_3), encodeKeyShareServerExt({ group, keyExchange: publicKey })];
  if (auth.kind === 'psk') extensions.push(encodePreSharedKeyServerExt(auth.resumption.index));
  let serverHello = encodeServerHello({
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: hs.random,
    legacySessionIdEcho: p.hello.legacySessionId,
    cipherSuite: suite.id,
    compressionMethod: 0,
    extensions,
  });
  // RFC 9849 §7.2: accepting ECH, the last 8 bytes of ServerHello.random confirm it.
  if (negotiated.ech.status === 'accepted') {
    serverHello = confirmServerHello(provider, suite.hash, p.hello.random, serverHello, (m) => transcript.hashWith(m));
  }
  transcript.add(serverHello);
  ctx.sendHandshake(serverHello);
  // RFC 8446 Appendix D.4: compat CCS after our first handshake message (once, also after HRR).
  if (p.hello.legacySessionId.length > 0) ctx.sendChangeCipherSpec();

  // RFC 8446 §7.1: handshake secrets from ClientHello...ServerHello.
  const early = auth.kind === 'psk' ? auth.resumption.early : EarlySecret.start(provider, suite.hash);
  const handshakeSecret: HandshakeSecret = early.intoHandshake(sharedSecret);
  const secrets = handshakeSecret.trafficSecrets(transcript.hash());
  const clientRandom = p.hello.random;
  ctx.keyLog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', clientRandom, secrets.client);
  ctx.keyLog('SERVER_HANDSHAKE_TRAFFIC_SECRET', clientRandom, secrets.server);
  ctx.setWriteSecret13(suite, secrets.server);
  ctx.setReadSecret13(suite, secrets.client);
  tell(ctx, { kind: 'server_hello_sent_13', suite: suite.id, group, preferServerCiphers: hs.resolved.preferServerCiphers, retried: negotiated.retried, resumed: auth.kind === 'psk' });

  // The encrypted flight (EncryptedExtensions ... Finished) goes out as one write, so it is
  // sealed in as few records as fit (one for a usual chain, as OpenSSL does) instead of one
  // record, and one AEAD context, per message (RFC 8446 §5.1 allows coalescing).
  const encrypted: Uint8Array[] = [];

  // RFC 8446 §4.3.1: EncryptedExtensions.
  const ee: Extension[] = [];
  if (p.serverName !== undefined && auth.kind === 'certificate') ee.push(encodeServerNameAckExt());
  if (negotiated.alpn !== undefined) ee.push(encodeAlpnExt([utf8(negotiated.alpn)]));
  // RFC 9849 §7.1: ECH offered but not accepted → retry_configs, so the client can try again.
  const retryConfigs = retryConfigsExtension(hs.resolved.ech, negotiated.ech);
  if (retryConfigs) ee.push(retryConfigs);
  const eeMsg = encodeEncryptedExtensions({ extensions: ee });
  transcript.add(eeMsg);
  encrypted.push(eeMsg);
  tell(ctx, { kind: 'encrypted_extensions_sent', alpn: negotiated.alpn, clientOfferedAlpn: p.alpn !== undefined });
  if (retryConfigs) tell(ctx, { kind: 'ech_retry_configs_sent', bytes: retryConfigs.data.length });

  // RFC 8446 §4.3.2: CertificateRequest (not with a PSK, §4.3.2 / §4.2.11).
  let requestedSchemes: readonly number[] | undefined;
  if (hs.resolved.clientAuth !== 'none' && auth.kind === 'certificate') {
    requestedSchemes = hs.resolved.schemes.filter((s) => keyMatchesSchemeAny13(s));
    const cr = encodeCertificateRequest13({ context: new Uint8Array(0), extensions: [encodeSignatureAlgorithmsExt(requestedSchemes)] });
    transcript.add(cr);
    encrypted.push(cr);
    tell(ctx, { kind: 'certificate_request_sent_13', clientAuth: hs.resolved.clientAuth });
  }

  // RFC 8446 §4.4.2 / §4.4.3: Certificate and CertificateVerify.
  if (auth.kind === 'certificate') {
    const { certificate: cert, scheme } = auth;
    // RFC 8446 §4.4.2.1: an OCSP staple rides in the leaf's CertificateEntry (#15).
    const staple = stapleFor(cert, p.hello);
    const certMsg = staple ? stapledCertificateMessage13(cert, staple) : cert.certificateMessage13();
    transcript.add(certMsg);
    encrypted.push(certMsg);
    const signature = signCertificateVerify13(provider, cert.certified.key, scheme, transcript.hash(), true);
    const cv = encodeCertificateVerify({ scheme, signature });
    transcript.add(cv);
    encrypted.push(cv);
    if (ctx.tracing) {
      tell(ctx, {
        kind: 'server_certificate_sent_13',
        subject: cert.leaf.subject.text,
        chainLength: cert.chain.length,
        key: cert.certified.key,
        scheme,
        serverName: p.serverName,
        namesSite: p.serverName !== undefined && certificateMatchesName(cert, p.serverName),
      });
      tell(ctx, { kind: 'certificate_verify_sent_13', scheme });
    }
  }

  // RFC 8446 §4.4.4: our Finished.
  const serverFinished = finishedVerifyData(provider, suite.hash, secrets.server, transcript.hash());
  const fin = encodeFinished({ verifyData: serverFinished });
  transcript.add(fin);
  encrypted.push(fin);
  ctx.sendHandshake(concatMessages(encrypted));

  // RFC 8446 §7.1: application secrets from ClientHello...server Finished; we may write with them now.
  const master = handshakeSecret.intoMaster();
  const serverFinishedHash = transcript.hash();
  const app = master.applicationTrafficSecrets(serverFinishedHash);
  const exporter = master.exporterMasterSecret(serverFinishedHash);
  ctx.keyLog('CLIENT_TRAFFIC_SECRET_0', clientRandom, app.client);
  ctx.keyLog('SERVER_TRAFFIC_SECRET_0', clientRandom, app.server);
  ctx.keyLog('EXPORTER_SECRET', clientRandom, exporter);
  ctx.setWriteSecret13(suite, app.server);
  tell(ctx, { kind: 'server_finished_sent_13' });

  const flight: Flight = { negotiated, clientHandshakeSecret: secrets.client, master, app, exporter, serverFinished };
  if (requestedSchemes) return new ExpectCertificate(hs, flight, requestedSchemes);
  return new ExpectFinished(hs, flight, undefined);
}

/** Handshake messages back to back, for one sendHandshake (the record layer splits at 2^14). */
function concatMessages(messages: readonly Uint8Array[]): Uint8Array {
  return messages.length === 1 ? messages[0]! /* length checked */ : concat(...messages);
}

/** A scheme usable for a TLS 1.3 CertificateVerify (no PKCS#1 v1.5, RFC 8446 §4.2.3). */
function keyMatchesSchemeAny13(scheme: number): boolean {
  const info = schemeInfo(scheme);
  return info !== undefined && info.algorithm.kind !== 'rsa-pkcs1';
}

class ExpectCertificate extends ServerState {
  readonly name = 'ExpectCertificate';
  constructor(
    hs: ServerHandshake,
    private readonly flight: Flight,
    /** Signature schemes our CertificateRequest allowed. */
    private readonly requestedSchemes: readonly number[],
  ) {
    super(hs);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate);
    const hs = this.hs;
    const cert = decodeCertificate13(message.body);
    // RFC 8446 §4.4.2: the context echoes the CertificateRequest's (empty).
    if (cert.context.length !== 0) throw illegalParameter('the client\'s Certificate has a certificate_request_context we did not send');
    for (const entry of cert.entries) {
      for (const e of entry.extensions) {
        throw new TlsError('unsupported_extension', `the client's certificate entry carries extension ${e.type}, which we did not request`);
      }
    }
    this.flight.negotiated.transcript.add(message.raw);
    if (cert.entries.length === 0) {
      // RFC 8446 §4.4.2.4: no certificate when one is required → certificate_required.
      if (hs.resolved.clientAuth === 'required') {
        throw new TlsError('certificate_required', 'the client sent no certificate, but this server requires client authentication');
      }
      tell(ctx, { kind: 'client_certificate_absent' });
      return new ExpectFinished(hs, this.flight, undefined);
    }
    const peer = verifyClientCertificates(ctx, hs, cert.entries.map((e) => e.certData));
    return new ExpectCertificateVerify(hs, this.flight, this.requestedSchemes, peer);
  }
}

class ExpectCertificateVerify extends ServerState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    hs: ServerHandshake,
    private readonly flight: Flight,
    private readonly requestedSchemes: readonly number[],
    private readonly peer: PeerVerification,
  ) {
    super(hs);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate_verify);
    const cv = decodeCertificateVerify(message.body);
    const leaf = this.peer.leafKey;
    const transcript = this.flight.negotiated.transcript;
    // RFC 8446 §4.4.3: signed over the transcript through the client's Certificate.
    verifyCertificateVerify13(ctx.provider, leaf, cv.scheme, cv.signature, transcript.hash(), false, this.requestedSchemes);
    transcript.add(message.raw);
    tell(ctx, { kind: 'client_certificate_verify_checked_13', scheme: cv.scheme, key: leaf });
    return new ExpectFinished(this.hs, this.flight, { peer: this.peer, scheme: cv.scheme });
  }
}

class ExpectFinished extends ServerState {
  readonly name = 'ExpectFinished';
  constructor(
    hs: ServerHandshake,
    private readonly flight: Flight,
    /** Undefined when we did not ask, or the client sent no certificate. */
    private readonly clientAuth: ClientAuth | undefined,
  ) {
    super(hs);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.finished);
    const hs = this.hs;
    const { negotiated } = this.flight;
    const { suite, transcript } = negotiated;
    const provider = ctx.provider;
    // RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(... client CertificateVerify)).
    const fin = decodeFinished(message.body, suite.hashLength);
    const expected = finishedVerifyData(provider, suite.hash, this.flight.clientHandshakeSecret, transcript.hash());
    checkFinished(expected, fin.verifyData, 'client');
    transcript.add(message.raw);
    ctx.setReadSecret13(suite, this.flight.app.client);
    const resumptionMaster = this.flight.master.resumptionMasterSecret(transcript.hash());

    const peer = this.clientAuth?.peer;
    const { auth } = negotiated;
    const resumed = auth.kind === 'psk' ? auth.resumption.state : undefined;
    const localScheme = auth.kind === 'certificate' ? auth.scheme : undefined;
    const ticketCerts = resumed?.clientCertificates ?? [];
    const info: HandshakeInfo = {
      // One literal with every field (not a spread of a head object): V8 then keeps the fields in
      // the object, ≈260 B less per established connection than {...head, ...}.
      version: 'TLSv1.3',
      cipherSuite: suite.id,
      cipherName: suite.name,
      group: negotiated.group,
      groupName: groupName(negotiated.group),
      signatureScheme: this.clientAuth?.scheme,
      signatureSchemeName: schemeName(this.clientAuth?.scheme),
      localSignatureScheme: localScheme,
      localSignatureSchemeName: schemeName(localScheme),
      alpn: negotiated.alpn,
      serverName: negotiated.clientHello.serverName,
      resumed: resumed !== undefined,
      peerCertificates: peer?.certificates ?? parseStoredCertificates(ticketCerts),
      authorized: peer ? peer.authorized : resumed ? resumed.clientAuthorized && ticketCerts.length > 0 : false,
      authorizationError: peer?.error,
      verifiedChain: peer?.chain ?? [],
      clientHello: negotiated.clientHello.info,
      localCertificates: auth.kind === 'certificate' ? auth.certificate.chain : [],
      ech: negotiated.ech.status,
      outerServerName: echInfo(negotiated.ech).outerServerName,
      finished: finishedPair(this.flight.serverFinished, fin.verifyData),
    };
    tell(ctx, { kind: 'client_finished_checked_13', suite: suite.id });
    ctx.handshakeComplete(info, {
      suite,
      clientApplicationSecret: this.flight.app.client,
      serverApplicationSecret: this.flight.app.server,
      exporterMasterSecret: this.flight.exporter,
    });
    if (ctx.tracing) {
      tell(ctx, {
        kind: 'server_established_13',
        suite: suite.id,
        group: negotiated.group,
        signature: info.localSignatureSchemeName,
        alpn: negotiated.alpn,
        resumed: info.resumed,
        serverName: negotiated.clientHello.serverName,
        peer: info.peerCertificates,
        ech: info.ech ?? 'none',
        outerServerName: info.outerServerName,
      });
    }
    sendTickets(ctx, hs, suite, resumptionMaster, info);
    return SERVER_ESTABLISHED;
  }
}

/**
 * RFC 8446 §4.6.1: NewSessionTicket × ticketCount, each with its own nonce and PSK. The ticket is
 * the state sealed with the ticket keys, or (stateful tickets) 32 random bytes naming the state
 * the application's store keeps; an application store sees every ticket's state (put()).
 */
function sendTickets(ctx: HandshakeContext, hs: ServerHandshake, suite: Tls13Suite, resumptionMaster: Uint8Array, info: HandshakeInfo): void {
  const sealer = hs.resolved.tickets;
  const sessions = hs.hooks.sessions;
  const stateful = sessions?.statefulTickets === true;
  if ((!sealer && !stateful) || hs.resolved.ticketCount === 0) return;
  const provider = ctx.provider;
  // All tickets in one write: one record instead of one per ticket.
  const tickets: Uint8Array[] = [];
  for (let i = 0; i < hs.resolved.ticketCount; i++) {
    const nonce = new Uint8Array([i]);
    const ageAddBytes = provider.randomBytes(4);
    // `!`: randomBytes(4) returns 4 bytes.
    const ageAdd = ((ageAddBytes[0]! << 24) | (ageAddBytes[1]! << 16) | (ageAddBytes[2]! << 8) | ageAddBytes[3]!) >>> 0;
    const state: TicketState = {
      cipherSuite: suite.id,
      psk: resumptionPsk(provider, suite.hash, resumptionMaster, nonce),
      issuedAt: ctx.now(),
      lifetime: hs.resolved.ticketLifetime,
      ageAdd,
      alpn: info.alpn,
      serverName: info.serverName,
      clientCertificates: info.peerCertificates.map((c) => c.raw),
      clientAuthorized: info.authorized,
    };
    let ticket: Uint8Array;
    if (stateful || !sealer) {
      ticket = provider.randomBytes(EXTERNAL_SESSION_ID_LENGTH);
      sessions?.put(ticket, encodeSessionState(state));
    } else {
      ticket = sealer.seal(state);
      sessions?.put(provider.randomBytes(EXTERNAL_SESSION_ID_LENGTH), encodeSessionState(state));
    }
    tickets.push(encodeNewSessionTicket13({ lifetime: hs.resolved.ticketLifetime, ageAdd, nonce, ticket, extensions: [] }));
  }
  ctx.sendHandshake(concatMessages(tickets));
  tell(ctx, { kind: 'session_tickets_sent_13', count: hs.resolved.ticketCount, lifetime: hs.resolved.ticketLifetime });
}

/** After the handshake: KeyUpdate is the connection's; anything else is unexpected (RFC 8446 §4.6). */
/**
 * After the handshake nothing more may come from the client (KeyUpdate is the connection's). It holds
 * no per-connection state, so every connection shares one instance and an idle connection keeps none
 * of the handshake alive.
 */
class ServerEstablished implements HandshakeState {
  readonly name = 'ServerEstablished';
  readonly allowsCompatCcs = false;
  readonly established = true;

  handle(_ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    throw unexpectedMessage(`the client sent ${HandshakeTypes.name(message.type)} after the handshake`);
  }
}
const SERVER_ESTABLISHED = new ServerEstablished();

