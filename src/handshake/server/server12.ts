// The TLS 1.2 server handshake (RFC 5246 §7.3), entered from the TLS 1.3 server's ExpectClientHello
// when the version negotiated is TLS 1.2. One state per expected message:
//
//   full handshake                                    abbreviated (session ID or ticket)
//   ClientHello                                       ClientHello
//     → ServerHello, Certificate,                       → ServerHello, [NewSessionTicket],
//       [ServerKeyExchange], [CertificateRequest],        ChangeCipherSpec, Finished
//       ServerHelloDone                               ExpectChangeCipherSpec
//   [ExpectCertificate]                               ExpectFinished ─▶ Established12
//   ExpectClientKeyExchange
//   [ExpectCertificateVerify]
//   ExpectChangeCipherSpec
//   ExpectFinished → [NewSessionTicket], ChangeCipherSpec, Finished
//   Established12 (a ClientHello there gets the warning no_renegotiation)
//
// hush's TLS 1.2 server is strict: secure renegotiation signalled (RFC 5746), extended master
// secret (RFC 7627) unless turned off, forward-secret ECDHE + AEAD by default, RSA key transport
// only when named, never CBC, no signature with SHA-1.
import { TlsError, illegalParameter, internalError, unexpectedMessage } from '../../errors/errors.js';
import { AlertDescription } from '../../errors/alert.js';
import { concat } from '../../bytes/index.js';
import { utf8 } from '../../bytes/util.js';
import { checkFinished, finishedPair, groupName, schemeName } from '../shared/finish.js';
import {
  CipherSuite,
  CipherSuites,
  DOWNGRADE_TLS12,
  ExtensionType,
  HandshakeType,
  HandshakeTypes,
  NamedGroup,
  NamedGroups,
  ProtocolVersion,
} from '../../wire/enums.js';
import type { KeyShare } from '../../crypto/provider.js';
import { schemeAllowedIn12 } from '../../crypto/signature.js';
import { tls12SuiteById, type Tls12Suite } from '../../crypto/suites.js';
import { Transcript } from '../../schedule/transcript.js';
import {
  VERIFY_DATA_LENGTH_12,
  extendedMasterSecret12,
  finishedVerifyData12,
  keyBlock12,
  masterSecret12,
  type KeyBlock12,
} from '../../schedule/tls12.js';
import type { HandshakeMessage } from '../messages/handshake.js';
import { encodeServerHello } from '../messages/server-hello.js';
import { decodeCertificate12, encodeCertificate12 } from '../messages/certificate.js';
import { ClientCertificateType, encodeCertificateRequest12 } from '../messages/certificate-request.js';
import { encodeEcdheParams, encodeServerKeyExchangeEcdhe } from '../messages/server-key-exchange.js';
import { encodeServerHelloDone } from '../messages/empty-messages.js';
import { decodeClientKeyExchangeEcdhe, decodeClientKeyExchangeRsa } from '../messages/client-key-exchange.js';
import { decodeCertificateVerify } from '../messages/certificate-verify.js';
import { decodeFinished, encodeFinished } from '../messages/finished.js';
import { encodeNewSessionTicket12 } from '../messages/new-session-ticket.js';
import type { Extension } from '../messages/extensions.js';
import { encodeServerNameAckExt } from '../messages/ext-server-name.js';
import { EcPointFormat, decodeEcPointFormatsExt, encodeAlpnExt, encodeEcPointFormatsExt } from '../messages/ext-lists.js';
import {
  decodeExtendedMasterSecretExt,
  decodeRenegotiationInfoExt,
  decodeSessionTicketExt,
  encodeExtendedMasterSecretExt,
  encodeRenegotiationInfoExt,
  encodeSessionTicketExt,
} from '../messages/ext-misc.js';
import { expectMessage, type HandshakeState } from '../state.js';
import type { HandshakeContext, Protection12Params } from '../context.js';
import type { FinishedPair, HandshakeInfo } from '../events.js';
import { tell } from '../narration.js';
import { certificateMatchesName, type ServerCertificate } from './server-options.js';
import type { ParsedClientHello } from './server-client-hello.js';
import type { TicketSealer, TicketState } from '../session/server-tickets.js';
import { chooseSignatureScheme12, signServerKeyExchange12, verifyCertificateVerify12 } from '../shared/signatures12.js';
import { decryptPreMasterSecret } from '../shared/rsa-key-transport.js';
import { stapleFor } from './server-staple.js';
import { encodeCertificateStatus12, encodeStatusRequestAckExt } from '../messages/certificate-status.js';
import { parseStoredCertificates, type PeerVerification } from '../shared/peer-certificates.js';
import { chooseAlpn, verifyClientCertificates, type ServerHandshake } from './server-handshake.js';
import type { SessionCache } from '../session/server12-sessions.js';

/** Groups a TLS 1.2 ECDHE key exchange can use (RFC 8422 §5.1.1; no KEMs in TLS 1.2). */
const ECDHE_GROUPS: readonly number[] = [NamedGroup.x25519, NamedGroup.x448, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1];
/** After this many refused renegotiation attempts the connection fails (a peer cannot loop us forever). */
const MAX_RENEGOTIATION_ATTEMPTS = 16;
/** No CBC on a server, so never encrypt-then-MAC (RFC 7366 applies to CBC only). */
const AEAD_ONLY: Protection12Params = { encryptThenMac: false };
/** Session IDs we assign (RFC 5246 §7.4.1.3: up to 32 bytes). */
const SESSION_ID_LENGTH = 32;

/** What the ClientHello settled, for both kinds of handshake. */
interface Hello12 {
  readonly hs: ServerHandshake;
  readonly clientHello: ParsedClientHello;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly suite: Tls12Suite;
  readonly transcript: Transcript;
  readonly alpn: string | undefined;
  readonly extendedMasterSecret: boolean;
  /** The session ID in our ServerHello (full handshake: empty unless cached; resumed: the client's, echoed). */
  readonly sessionId: Uint8Array;
  /**
   * An encrypted_client_hello the hello carried (RFC 9849 §7): 'grease' without ECH keys, 'rejected'
   * when no key of ours opened it; TLS 1.2 goes on with the outer hello either way.
   */
  readonly ech: 'none' | 'grease' | 'rejected';
}

/** The key exchange a full handshake chose, as the suite's kx says (RFC 5246 §7.4.3, RFC 8422 §5.4). */
type KeyExchangeChoice12 =
  | {
      readonly kind: 'ecdhe';
      readonly group: number;
      /** Our ServerKeyExchange signature scheme. */
      readonly scheme: number;
    }
  | { readonly kind: 'rsa' };

/** The key exchange once our flight is out: ECDHE also holds our ephemeral key. */
type KeyExchange12 =
  | { readonly kind: 'ecdhe'; readonly group: number; readonly scheme: number; readonly share: KeyShare }
  | { readonly kind: 'rsa' };

/** How a full handshake's session is kept for resumption: a ticket (RFC 5077), the session cache under our session ID, or not at all. */
type SessionIssue12 =
  | { readonly kind: 'ticket'; readonly tickets: TicketSealer }
  | { readonly kind: 'cache'; readonly cache: SessionCache; readonly id: Uint8Array }
  | { readonly kind: 'none' };

/** A full handshake, from our first flight to the client's Finished. */
interface Full12 {
  readonly hello: Hello12;
  readonly certificate: ServerCertificate;
  readonly kx: KeyExchange12;
  readonly issue: SessionIssue12;
}

/** Our CertificateRequest (RFC 5246 §7.4.4): what a client's CertificateVerify is checked against. */
interface CertificateRequest12 {
  /** CertificateRequest.supported_signature_algorithms. */
  readonly schemes: readonly number[];
  /** All handshake messages so far, kept only while a client CertificateVerify may need them (RFC 5246 §7.4.8). */
  readonly messages: Uint8Array[];
}

/** A client certificate that still has to be proven by a CertificateVerify. */
interface ClientCertificate12 {
  readonly request: CertificateRequest12;
  readonly peer: PeerVerification;
}

/** A client certificate proven by its CertificateVerify. */
interface VerifiedClient12 {
  readonly peer: PeerVerification;
  readonly scheme: number;
}

/** The secrets after the key exchange (RFC 5246 §8.1, §6.3). */
interface Secrets12 {
  readonly masterSecret: Uint8Array;
  readonly keys: KeyBlock12;
}

/** A resumed session (RFC 5246 §7.3 abbreviated handshake). */
interface Resumed12 {
  readonly hello: Hello12;
  readonly state: TicketState;
  readonly by: 'ticket' | 'session ID';
  readonly keys: KeyBlock12;
  /** The verify_data of the Finished we sent first (RFC 5246 §7.3). */
  readonly serverFinished: Uint8Array;
}

/**
 * RFC 5246 §7.4.1.2 ClientHello, for a client we speak TLS 1.2 with. Called by ExpectClientHello
 * (server13.ts) after it parsed and traced the hello and negotiated TLSv1.2.
 */
export function handleClientHello12(ctx: HandshakeContext, hs: ServerHandshake, p: ParsedClientHello, ech: Hello12['ech'] = 'none'): HandshakeState {
  const resolved = hs.resolved;
  const ch = p.hello;
  ctx.useTls12Records();
  const supports13 = resolved.versions.includes(ProtocolVersion.TLSv1_3);

  // RFC 7507 §3: a fallback retry from a client that could do better with us → inappropriate_fallback.
  // (versions is newest first, so "our newest is above TLS 1.2" is "we speak TLS 1.3".)
  if (ch.cipherSuites.includes(CipherSuite.TLS_FALLBACK_SCSV) && supports13) {
    throw new TlsError('inappropriate_fallback', 'the client retries with TLS 1.2 as a fallback (TLS_FALLBACK_SCSV), but this server speaks TLS 1.3: something interfered with its first attempt');
  }
  // RFC 5746 §3.6: secure renegotiation must be signalled (SCSV or an empty renegotiation_info).
  const ri = ch.extension(ExtensionType.renegotiation_info);
  if (ri !== undefined) {
    if (decodeRenegotiationInfoExt(ri).length !== 0) {
      throw new TlsError('handshake_failure', 'the initial ClientHello carries a non-empty renegotiation_info (RFC 5746 §3.6)');
    }
  } else if (!ch.cipherSuites.includes(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)) {
    throw new TlsError('handshake_failure', 'the client does not support secure renegotiation (RFC 5746: no renegotiation_info, no SCSV); hush requires it');
  }
  // RFC 7627 §5.1: the extended master secret binds the master secret to this handshake.
  const emsExt = ch.extension(ExtensionType.extended_master_secret);
  if (emsExt !== undefined) decodeExtendedMasterSecretExt(emsExt);
  const ems = emsExt !== undefined;
  if (!ems && resolved.requireExtendedMasterSecret) {
    throw new TlsError('handshake_failure', 'the client does not offer the extended master secret (RFC 7627), which this server requires for TLS 1.2');
  }
  // RFC 8422 §5.1.2: if ec_point_formats is sent it must include uncompressed.
  const pf = ch.extension(ExtensionType.ec_point_formats);
  const pointFormats = pf === undefined ? undefined : decodeEcPointFormatsExt(pf);
  if (pointFormats && !pointFormats.includes(EcPointFormat.uncompressed) && p.groups !== undefined) {
    throw illegalParameter('ec_point_formats does not include uncompressed (RFC 8422 §5.1.2)');
  }

  // RFC 8446 §4.1.3: a server that speaks TLS 1.3 marks a TLS 1.2 ServerHello.random.
  const serverRandom = hs.random.slice();
  if (supports13) serverRandom.set(DOWNGRADE_TLS12, 24);
  const alpn = chooseAlpn(hs, p);

  // RFC 5077 §3.2: an empty session_ticket asks for a ticket; a non-empty one offers one.
  const st = ch.extension(ExtensionType.session_ticket);
  const offeredTicket = st === undefined ? undefined : decodeSessionTicketExt(st);

  const resumed = tryResume(ctx, hs, p, ems, offeredTicket);
  if (resumed) {
    const suite = resumed.suite;
    const hello: Hello12 = {
      hs, clientHello: p, clientRandom: ch.random, serverRandom, suite,
      transcript: new Transcript(ctx.provider, suite.prfHash),
      alpn, extendedMasterSecret: ems,
      // RFC 5246 §7.4.1.3 / RFC 5077 §3.4: a resumed session echoes the client's session ID.
      sessionId: ch.legacySessionId,
      ech,
    };
    return resume(ctx, hello, resumed.state, resumed.by);
  }

  const chosen = chooseSuite12(hs, p);
  const suite = chosen.suite;
  // RFC 7627 §5.3: a session without EMS is never resumed, so it is neither ticketed nor cached.
  const issue: SessionIssue12 =
    resolved.tickets !== undefined && st !== undefined && ems
      ? { kind: 'ticket', tickets: resolved.tickets }
      : ems && hs.sessionCache
        ? { kind: 'cache', cache: hs.sessionCache, id: ctx.provider.randomBytes(SESSION_ID_LENGTH) }
        : { kind: 'none' };
  const hello: Hello12 = {
    hs, clientHello: p, clientRandom: ch.random, serverRandom, suite,
    transcript: new Transcript(ctx.provider, suite.prfHash),
    alpn, extendedMasterSecret: ems, sessionId: issue.kind === 'cache' ? issue.id : new Uint8Array(0), ech,
  };
  return sendFullFlight(ctx, hello, chosen, issue, pointFormats !== undefined);
}

/** The suite, certificate, signature scheme and group of a full handshake. */
interface Choice12 {
  readonly suite: Tls12Suite;
  readonly certificate: ServerCertificate;
  readonly kx: KeyExchangeChoice12;
}

/**
 * Server preference (default) or the client's, among the suites both allow and we can serve:
 * ECDHE needs a group both support (RFC 8422 §4: a client without supported_groups gets no
 * ECDHE, like Go); ECDHE_ECDSA an EC or Ed25519 certificate, ECDHE_RSA an RSA one, each able to
 * sign with a scheme the client accepts; RSA key transport an rsaEncryption certificate.
 */
function chooseSuite12(hs: ServerHandshake, p: ParsedClientHello): Choice12 {
  const resolved = hs.resolved;
  const offered = p.hello.cipherSuites;
  const order = resolved.preferServerCiphers
    ? resolved.suites12.filter((s) => offered.includes(s.id))
    : offered.map((id) => resolved.suites12.find((s) => s.id === id)).filter((s): s is Tls12Suite => s !== undefined);
  const offeredGroups = p.groups;
  const groups = offeredGroups === undefined ? [] : resolved.groups.filter((g) => ECDHE_GROUPS.includes(g) && offeredGroups.includes(g));
  const reasons: string[] = [];
  for (const suite of order) {
    let picked: { certificate: ServerCertificate; kx: KeyExchangeChoice12 } | undefined;
    if (suite.kx === 'ecdhe') {
      const group = groups[0];
      if (group === undefined) {
        reasons.push(`${suite.name}: no elliptic curve in common`);
        continue;
      }
      picked = chooseCertificate12(hs, p, (key) => {
        const fits = suite.auth === 'ecdsa' ? key.type === 'ec' || key.type === 'ed25519' : key.type === 'rsa' || key.type === 'rsa-pss';
        if (!fits) return undefined;
        const scheme = chooseSignatureScheme12(key, p.signatureSchemes, resolved.schemes);
        return scheme === undefined ? undefined : { kind: 'ecdhe', group, scheme };
      });
    } else {
      // RFC 5246 §7.4.2: RSA key transport needs an RSA key that can encrypt (rsaEncryption).
      picked = chooseCertificate12(hs, p, (key) => (key.type === 'rsa' ? { kind: 'rsa' } : undefined));
    }
    if (!picked) {
      reasons.push(`${suite.name}: no ${suite.auth === 'ecdsa' ? 'ECDSA/Ed25519' : 'RSA'} certificate that can sign with a scheme the client accepts`);
      continue;
    }
    return { suite, certificate: picked.certificate, kx: picked.kx };
  }
  if (order.length === 0) {
    throw new TlsError(
      'handshake_failure',
      `no TLS 1.2 cipher suite in common: the client offers ${offered.map((s) => CipherSuites.name(s)).join(', ')}; ` +
        `we allow ${resolved.suites12.map((s) => s.name).join(', ') || 'none'}`,
      { failure: 'noSharedCipherSuite' },
    );
  }
  throw new TlsError('handshake_failure', `no TLS 1.2 cipher suite we can serve to this client (${reasons.join('; ')})`, { failure: 'noSharedCipherSuite' });
}

/**
 * A certificate whose key `fit` accepts for the suite's key exchange, preferring one that names
 * the SNI host (as the TLS 1.3 server does).
 */
function chooseCertificate12(
  hs: ServerHandshake,
  p: ParsedClientHello,
  fit: (key: ServerCertificate['certified']['key']) => KeyExchangeChoice12 | undefined,
): { certificate: ServerCertificate; kx: KeyExchangeChoice12 } | undefined {
  let fallback: { certificate: ServerCertificate; kx: KeyExchangeChoice12 } | undefined;
  for (const certificate of hs.resolved.certificates) {
    const kx = fit(certificate.certified.key);
    if (kx === undefined) continue;
    if (p.serverName === undefined || certificateMatchesName(certificate, p.serverName)) return { certificate, kx };
    fallback ??= { certificate, kx };
  }
  return fallback;
}

/**
 * A session to resume: the ticket first (RFC 5077 §3.4), then the session ID. A session we
 * cannot use is ignored (full handshake), never an error.
 */
function tryResume(
  ctx: HandshakeContext,
  hs: ServerHandshake,
  p: ParsedClientHello,
  ems: boolean,
  offeredTicket: Uint8Array | undefined,
): { state: TicketState; suite: Tls12Suite; by: 'ticket' | 'session ID' } | undefined {
  const resolved = hs.resolved;
  const now = ctx.now();
  let state: TicketState | undefined;
  let by: 'ticket' | 'session ID' = 'ticket';
  if (offeredTicket !== undefined && offeredTicket.length > 0 && resolved.tickets) {
    state = resolved.tickets.open(offeredTicket)?.state;
    // RFC 5077 §3.4: a ticket's session is resumed only with a session ID to echo.
    if (state && p.hello.legacySessionId.length === 0) state = undefined;
  }
  if (!state && p.hello.legacySessionId.length > 0 && hs.sessionCache) {
    state = hs.sessionCache.get(p.hello.legacySessionId, now);
    by = 'session ID';
  }
  if (!state) return undefined;
  const why = (reason: string): undefined => {
    tell(ctx, { kind: 'resumption_refused_12', by, reason });
    return undefined;
  };
  if (state.version !== 'TLSv1.2') return why('it is not a TLS 1.2 session');
  const age = now - state.issuedAt;
  if (age < -60_000 || age > state.lifetime * 1000) return why('the session has expired');
  const suite = tls12SuiteById(state.cipherSuite);
  // RFC 5246 §7.4.1.2: the session's suite must be offered again (and still allowed by us).
  if (!suite || !resolved.suites12.includes(suite)) return why('its cipher suite is no longer allowed');
  if (!p.hello.cipherSuites.includes(suite.id)) return why(`the client no longer offers its cipher suite ${suite.name}`);
  // RFC 6066 §3: resume only for the same server name.
  if (state.serverName !== p.serverName) return why('it was made for another server name');
  // RFC 7627 §5.3: never resume a session without EMS; and a session with EMS needs it again.
  if (!state.extendedMasterSecret) return why('the session was made without the extended master secret');
  if (!ems) {
    // RFC 7627 §5.3: an EMS session offered in a hello without EMS → abort.
    throw new TlsError('handshake_failure', 'the client resumes a session made with the extended master secret, but does not offer it now (RFC 7627 §5.3)');
  }
  if (hs.resolved.clientAuth === 'required' && state.clientCertificates.length === 0) return why('the session has no client certificate, and this server requires one');
  if (state.psk.length !== 48) return why('the session is malformed');
  return { state, suite, by };
}

// ------------------------------------------------------------------------------ full handshake

/** RFC 5246 §7.3: ServerHello, Certificate, [ServerKeyExchange], [CertificateRequest], ServerHelloDone. */
function sendFullFlight(ctx: HandshakeContext, hello: Hello12, c: Choice12, issue: SessionIssue12, pointFormatsSent: boolean): HandshakeState {
  const { hs, clientHello: p, suite, transcript } = hello;
  const provider = ctx.provider;
  const wantCert = hs.resolved.clientAuth !== 'none';
  const messages: Uint8Array[] | undefined = wantCert ? [p.hello.raw] : undefined;
  const send = (msg: Uint8Array): void => {
    transcript.add(msg);
    messages?.push(msg);
    ctx.sendHandshake(msg);
  };
  transcript.add(p.hello.raw);

  // RFC 5246 §7.4.1.3: ServerHello.
  const ext: Extension[] = serverHelloExtensions(hello);
  if (p.serverName !== undefined) ext.push(encodeServerNameAckExt()); // RFC 6066 §3
  if (c.kx.kind === 'ecdhe' && pointFormatsSent) ext.push(encodeEcPointFormatsExt()); // RFC 8422 §5.2
  if (issue.kind === 'ticket') ext.push(encodeSessionTicketExt()); // RFC 5077 §3.2
  const staple = stapleFor(c.certificate, p.hello); // RFC 6066 §8 (#15)
  if (staple) ext.push(encodeStatusRequestAckExt());
  send(serverHello(hello, ext));
  if (ctx.tracing) {
    tell(ctx, {
      kind: 'server_hello_sent_12',
      suite: suite.id,
      group: c.kx.kind === 'ecdhe' ? c.kx.group : undefined,
      preferServerCiphers: hs.resolved.preferServerCiphers,
      downgradeSentinel: hs.resolved.versions.includes(ProtocolVersion.TLSv1_3),
      sessionId: hello.sessionId.length > 0,
      sendTicket: issue.kind === 'ticket',
      extendedMasterSecret: hello.extendedMasterSecret,
    });
  }

  // RFC 5246 §7.4.2: Certificate.
  const cert = c.certificate;
  send(encodeCertificate12({ certificates: cert.chain }));
  if (staple) send(encodeCertificateStatus12(staple)); // RFC 6066 §8: right after Certificate
  if (ctx.tracing) {
    tell(ctx, {
      kind: 'server_certificate_sent_12',
      subject: cert.leaf.subject.text,
      chainLength: cert.chain.length,
      key: cert.certified.key,
      serverName: p.serverName,
      namesSite: p.serverName !== undefined && certificateMatchesName(cert, p.serverName),
    });
  }

  // RFC 8422 §5.4: ServerKeyExchange, our ephemeral ECDH key signed with the certificate's key.
  let kx: KeyExchange12;
  if (c.kx.kind === 'ecdhe') {
    const { group, scheme } = c.kx;
    const exchange = provider.keyExchange(group);
    if (!exchange) throw internalError(`the provider lost ${NamedGroups.name(group)}`);
    const share = exchange.generate();
    const params = encodeEcdheParams(group, share.publicKey);
    const signature = signServerKeyExchange12(provider, cert.certified.key, scheme, hello.clientRandom, hello.serverRandom, params);
    send(encodeServerKeyExchangeEcdhe({ group, publicKey: share.publicKey, scheme, signature }));
    tell(ctx, { kind: 'server_key_exchange_sent', group, scheme });
    kx = { kind: 'ecdhe', group, scheme, share };
  } else {
    kx = c.kx;
  }

  // RFC 5246 §7.4.4: CertificateRequest.
  let request: CertificateRequest12 | undefined;
  if (messages) {
    const schemes = hs.resolved.schemes.filter(schemeAllowedIn12);
    send(
      encodeCertificateRequest12({
        certificateTypes: [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
        signatureAlgorithms: schemes,
        certificateAuthorities: [],
      }),
    );
    request = { schemes, messages };
    tell(ctx, { kind: 'certificate_request_sent_12', clientAuth: hs.resolved.clientAuth });
  }

  // RFC 5246 §7.4.5: ServerHelloDone.
  send(encodeServerHelloDone());
  tell(ctx, { kind: 'server_hello_done_sent' });

  const full: Full12 = { hello, certificate: cert, kx, issue };
  return request ? new ExpectCertificate12(full, request) : new ExpectClientKeyExchange(full, undefined);
}

/** RFC 5746 §3.6 / RFC 7627 §5.1 / RFC 7301 §3.1: the extensions of both kinds of ServerHello. */
function serverHelloExtensions(hello: Hello12): Extension[] {
  const ext: Extension[] = [encodeRenegotiationInfoExt()];
  if (hello.extendedMasterSecret) ext.push(encodeExtendedMasterSecretExt());
  if (hello.alpn !== undefined) ext.push(encodeAlpnExt([utf8(hello.alpn)]));
  return ext;
}

function serverHello(hello: Hello12, extensions: Extension[]): Uint8Array {
  return encodeServerHello({
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: hello.serverRandom,
    legacySessionIdEcho: hello.sessionId,
    cipherSuite: hello.suite.id,
    compressionMethod: 0,
    extensions,
  });
}

abstract class State12 implements HandshakeState {
  abstract readonly name: string;
  /** TLS 1.2 has no middlebox-compatibility CCS: only ExpectChangeCipherSpec takes one. */
  readonly allowsCompatCcs = false;
  readonly established: boolean = false;
  abstract handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState;
  protected expect(message: HandshakeMessage, ...types: number[]): void {
    expectMessage(message, 'client', types);
  }
}

class ExpectCertificate12 extends State12 {
  readonly name = 'ExpectCertificate12';
  constructor(
    private readonly full: Full12,
    private readonly request: CertificateRequest12,
  ) {
    super();
  }

  /** RFC 5246 §7.4.6: the client's Certificate, possibly empty. */
  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate);
    const hs = this.full.hello.hs;
    const cert = decodeCertificate12(message.body);
    this.full.hello.transcript.add(message.raw);
    this.request.messages.push(message.raw);
    if (cert.certificates.length === 0) {
      // RFC 5246 §7.4.6: "the server MAY at its discretion ... respond with a fatal handshake_failure alert".
      if (hs.resolved.clientAuth === 'required') {
        throw new TlsError('handshake_failure', 'the client sent no certificate, but this server requires client authentication', { failure: 'noClientCertificate' });
      }
      tell(ctx, { kind: 'client_certificate_absent' });
      return new ExpectClientKeyExchange(this.full, undefined);
    }
    const peer = verifyClientCertificates(ctx, hs, cert.certificates);
    return new ExpectClientKeyExchange(this.full, { request: this.request, peer });
  }
}

class ExpectClientKeyExchange extends State12 {
  readonly name = 'ExpectClientKeyExchange';
  constructor(
    private readonly full: Full12,
    /** A client certificate to be proven next by CertificateVerify (RFC 5246 §7.4.8), if the client sent one. */
    private readonly client: ClientCertificate12 | undefined,
  ) {
    super();
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.client_key_exchange);
    const full = this.full;
    const { hello } = full;
    const { suite, transcript } = hello;
    const provider = ctx.provider;
    const kx = full.kx;
    let preMasterSecret: Uint8Array;
    if (kx.kind === 'ecdhe') {
      // RFC 8422 §5.7: the client's ephemeral public key; a bad point → illegal_parameter.
      const point = decodeClientKeyExchangeEcdhe(message.body);
      preMasterSecret = kx.share.complete(point);
      tell(ctx, { kind: 'client_key_exchange_received', group: kx.group });
    } else {
      // RFC 5246 §7.4.7.1: decrypt in constant time; a bad ciphertext yields a random premaster
      // secret and shows only as a Finished mismatch (Bleichenbacher / ROBOT).
      const encrypted = decodeClientKeyExchangeRsa(message.body);
      preMasterSecret = decryptPreMasterSecret(provider, full.certificate.certified.key, encrypted, hello.clientHello.hello.legacyVersion);
      tell(ctx, { kind: 'client_key_exchange_received', group: undefined });
    }
    transcript.add(message.raw);
    this.client?.request.messages.push(message.raw);
    // RFC 7627 §4: session_hash = Hash(ClientHello ... ClientKeyExchange); else RFC 5246 §8.1.
    const master = hello.extendedMasterSecret
      ? extendedMasterSecret12(provider, suite.prfHash, preMasterSecret, transcript.hash())
      : masterSecret12(provider, suite.prfHash, preMasterSecret, hello.clientRandom, hello.serverRandom);
    preMasterSecret.fill(0);
    const secrets: Secrets12 = { masterSecret: master, keys: keyBlock12(provider, suite, master, hello.clientRandom, hello.serverRandom) };
    ctx.keyLog('CLIENT_RANDOM', hello.clientRandom, master);
    tell(ctx, { kind: 'server_keys_derived_12', extendedMasterSecret: hello.extendedMasterSecret });
    if (this.client) return new ExpectCertificateVerify12(full, this.client, secrets);
    return new ExpectChangeCipherSpec({ kind: 'full', hello, ...secrets, full, client: undefined });
  }
}

class ExpectCertificateVerify12 extends State12 {
  readonly name = 'ExpectCertificateVerify12';
  constructor(
    private readonly full: Full12,
    private readonly client: ClientCertificate12,
    private readonly secrets: Secrets12,
  ) {
    super();
  }

  /** RFC 5246 §7.4.8: a signature over every handshake message so far. */
  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate_verify);
    const { full, client } = this;
    const { peer, request } = client;
    const cv = decodeCertificateVerify(message.body);
    const leaf = peer.leafKey;
    verifyCertificateVerify12(ctx.provider, leaf, cv.scheme, request.schemes, concat(...request.messages), cv.signature);
    full.hello.transcript.add(message.raw);
    request.messages.length = 0; // not needed any more
    tell(ctx, { kind: 'client_certificate_verify_checked_12', scheme: cv.scheme, key: leaf });
    return new ExpectChangeCipherSpec({ kind: 'full', hello: full.hello, ...this.secrets, full, client: { peer, scheme: cv.scheme } });
  }
}

/**
 * What the client's CCS and Finished need. Full handshake: we answer the client's Finished with
 * our flight. Resumed: we already sent ours.
 */
type Closing12 = { readonly hello: Hello12 } & Secrets12 &
  (
    | { readonly kind: 'full'; readonly full: Full12; readonly client: VerifiedClient12 | undefined }
    | { readonly kind: 'resumed'; readonly resumed: Resumed12 }
  );

class ExpectChangeCipherSpec extends State12 {
  readonly name = 'ExpectChangeCipherSpec';
  constructor(private readonly closing: Closing12) {
    super();
  }

  handle(_ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    throw unexpectedMessage(`expected ChangeCipherSpec but the client sent ${HandshakeTypes.name(message.type)}`);
  }

  /** RFC 5246 §7.1: from the next record on, the client's records are protected. */
  changeCipherSpec(ctx: HandshakeContext): HandshakeState {
    ctx.setReadCipher12(this.closing.hello.suite, this.closing.keys.client, AEAD_ONLY);
    tell(ctx, { kind: 'client_change_cipher_spec_received' });
    return new ExpectFinished12(this.closing);
  }
}

class ExpectFinished12 extends State12 {
  readonly name = 'ExpectFinished12';
  constructor(private readonly closing: Closing12) {
    super();
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.finished);
    const { hello, masterSecret, keys } = this.closing;
    const { suite, transcript } = hello;
    const provider = ctx.provider;
    // RFC 5246 §7.4.9: verify_data = PRF(master_secret, "client finished", Hash(handshake_messages)).
    const fin = decodeFinished(message.body, VERIFY_DATA_LENGTH_12);
    const expected = finishedVerifyData12(provider, suite.prfHash, masterSecret, 'client', transcript.hash());
    checkFinished(expected, fin.verifyData, 'client');
    transcript.add(message.raw);
    tell(ctx, { kind: 'client_finished_checked_12' });

    const clientFinished = fin.verifyData;
    const closing = this.closing;
    if (closing.kind === 'full') {
      const { full, client } = closing;
      const state = sessionState(ctx, hello, masterSecret, client?.peer);
      // RFC 5077 §3.3: NewSessionTicket right before our ChangeCipherSpec.
      if (full.issue.kind === 'ticket') {
        const nst = encodeNewSessionTicket12({ lifetimeHint: hello.hs.resolved.ticketLifetime, ticket: full.issue.tickets.seal(state) });
        transcript.add(nst);
        ctx.sendHandshake(nst);
        tell(ctx, { kind: 'session_ticket_sent_12', lifetime: hello.hs.resolved.ticketLifetime });
      } else if (full.issue.kind === 'cache') {
        full.issue.cache.set(full.issue.id, state, ctx.now());
      }
      // RFC 5246 §7.1, §7.4.9: our ChangeCipherSpec and Finished.
      ctx.setWriteCipher12(suite, keys.server, AEAD_ONLY);
      const serverFinished = finishedVerifyData12(provider, suite.prfHash, masterSecret, 'server', transcript.hash());
      const ours = encodeFinished({ verifyData: serverFinished });
      transcript.add(ours);
      ctx.sendHandshake(ours);
      tell(ctx, { kind: 'server_finished_sent_12', resumed: false });
      const info = handshakeInfo(hello, {
        group: full.kx.kind === 'ecdhe' ? full.kx.group : undefined,
        localScheme: full.kx.kind === 'ecdhe' ? full.kx.scheme : undefined,
        peer: client?.peer,
        clientScheme: client?.scheme,
        localCertificates: full.certificate.chain,
        resumed: undefined,
        finished: finishedPair(serverFinished, clientFinished),
      });
      return complete(ctx, hello, masterSecret, info);
    }
    const res = closing.resumed;
    const info = handshakeInfo(hello, {
      group: undefined,
      localScheme: undefined,
      peer: undefined,
      clientScheme: undefined,
      localCertificates: [],
      resumed: res.state,
      // RFC 5246 §7.3: resuming, ours went first (resume()).
      finished: finishedPair(res.serverFinished, clientFinished),
    });
    return complete(ctx, hello, masterSecret, info);
  }
}

function complete(ctx: HandshakeContext, hello: Hello12, masterSecret: Uint8Array, info: HandshakeInfo): HandshakeState {
  ctx.handshakeComplete(info, {
    suite: hello.suite,
    masterSecret,
    clientRandom: hello.clientRandom,
    serverRandom: hello.serverRandom,
    extendedMasterSecret: hello.extendedMasterSecret,
  });
  if (ctx.tracing) {
    tell(ctx, {
      kind: 'server_established_12',
      suite: hello.suite.id,
      group: info.group,
      signature: info.localSignatureSchemeName,
      alpn: hello.alpn,
      resumed: info.resumed,
      serverName: hello.clientHello.serverName,
      extendedMasterSecret: hello.extendedMasterSecret,
      peer: info.peerCertificates,
      ech: hello.ech,
    });
  }
  // A session cached under its id (full handshake without a ticket, or resumed by id) is forgotten
  // if this connection later fails (RFC 5246 §7.2.2).
  const cache = hello.sessionId.length > 0 ? hello.hs.sessionCache : undefined;
  return new Established12(cache ? { cache, id: hello.sessionId } : undefined);
}

function handshakeInfo(
  hello: Hello12,
  o: {
    group: number | undefined;
    localScheme: number | undefined;
    peer: PeerVerification | undefined;
    clientScheme: number | undefined;
    localCertificates: readonly Uint8Array[];
    resumed: TicketState | undefined;
    finished: FinishedPair;
  },
): HandshakeInfo {
  const sessionCerts = o.resumed?.clientCertificates ?? [];
  return {
    // One literal with every field (not a spread of a head object): V8 then keeps the fields in
    // the object, ≈260 B less per established connection than {...head, ...}.
    version: 'TLSv1.2',
    cipherSuite: hello.suite.id,
    cipherName: hello.suite.name,
    group: o.group,
    groupName: groupName(o.group),
    signatureScheme: o.clientScheme,
    signatureSchemeName: schemeName(o.clientScheme),
    localSignatureScheme: o.localScheme,
    localSignatureSchemeName: schemeName(o.localScheme),
    alpn: hello.alpn,
    serverName: hello.clientHello.serverName,
    resumed: o.resumed !== undefined,
    extendedMasterSecret: hello.extendedMasterSecret,
    ech: hello.ech,
    peerCertificates: o.peer?.certificates ?? parseStoredCertificates(sessionCerts),
    authorized: o.peer ? o.peer.authorized : o.resumed ? o.resumed.clientAuthorized && sessionCerts.length > 0 : false,
    authorizationError: o.peer?.error,
    verifiedChain: o.peer?.chain ?? [],
    clientHello: hello.clientHello.info,
    localCertificates: o.localCertificates,
    finished: o.finished,
  };
}

/** The session as a ticket or the session cache keeps it (a full handshake; `peer`: the client's verified certificate). */
function sessionState(ctx: HandshakeContext, hello: Hello12, masterSecret: Uint8Array, peer: PeerVerification | undefined): TicketState {
  return {
    version: 'TLSv1.2',
    cipherSuite: hello.suite.id,
    psk: masterSecret,
    issuedAt: ctx.now(),
    lifetime: hello.hs.resolved.ticketLifetime,
    ageAdd: 0,
    alpn: hello.alpn,
    serverName: hello.clientHello.serverName,
    clientCertificates: peer ? peer.certificates.map((c) => c.raw) : [],
    clientAuthorized: peer ? peer.authorized : false,
    extendedMasterSecret: hello.extendedMasterSecret,
  };
}

// ------------------------------------------------------------------------------ resumption

/** RFC 5246 §7.3 abbreviated handshake: ServerHello, ChangeCipherSpec, Finished. */
function resume(ctx: HandshakeContext, hello: Hello12, state: TicketState, by: 'ticket' | 'session ID'): HandshakeState {
  const { suite, transcript, clientHello: p } = hello;
  const provider = ctx.provider;
  transcript.add(p.hello.raw);
  const sh = serverHello(hello, serverHelloExtensions(hello));
  transcript.add(sh);
  ctx.sendHandshake(sh);
  const masterSecret = state.psk;
  const keys = keyBlock12(provider, suite, masterSecret, hello.clientRandom, hello.serverRandom);
  ctx.keyLog('CLIENT_RANDOM', hello.clientRandom, masterSecret);
  tell(ctx, { kind: 'server_hello_resumed_12', suite: suite.id, by });
  // RFC 5246 §7.3: in an abbreviated handshake the server sends its CCS and Finished first.
  ctx.setWriteCipher12(suite, keys.server, AEAD_ONLY);
  const serverFinished = finishedVerifyData12(provider, suite.prfHash, masterSecret, 'server', transcript.hash());
  const fin = encodeFinished({ verifyData: serverFinished });
  transcript.add(fin);
  ctx.sendHandshake(fin);
  tell(ctx, { kind: 'server_finished_sent_12', resumed: true });
  const resumed: Resumed12 = { hello, state, by, keys, serverFinished };
  return new ExpectChangeCipherSpec({ kind: 'resumed', hello, masterSecret, keys, resumed });
}

// ------------------------------------------------------------------------------ established

/**
 * After the handshake. RFC 5746 §4.4 / RFC 5246 §7.4.1.2: hush never renegotiates; a ClientHello
 * gets the warning no_renegotiation and the connection goes on. Anything else is unexpected.
 */
class Established12 extends State12 {
  readonly name = 'Established12';
  override readonly established = true;
  private attempts = 0;

  constructor(private readonly cached: { readonly cache: SessionCache; readonly id: Uint8Array } | undefined) {
    super();
  }

  /** RFC 5246 §7.2.2: a session whose connection ended with a fatal alert is not resumable. */
  connectionFailed(): void {
    this.cached?.cache.delete(this.cached.id);
  }

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.client_hello) {
      throw unexpectedMessage(`the client sent ${HandshakeTypes.name(message.type)} after the handshake`);
    }
    if (++this.attempts > MAX_RENEGOTIATION_ATTEMPTS) {
      throw new TlsError('no_renegotiation', `the client asked to renegotiate ${this.attempts} times; this server never renegotiates`);
    }
    ctx.sendWarningAlert(AlertDescription.no_renegotiation);
    tell(ctx, { kind: 'renegotiation_refused', attempts: this.attempts });
    return this;
  }
}
