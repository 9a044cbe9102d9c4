// The TLS 1.2 client handshake (RFC 5246 §7.3), entered from ExpectServerHello (client13.ts) when
// the server answers our ClientHello with TLS 1.2. One state per expected message:
//
//   full:         ServerHello ─▶ ExpectCertificate12 ─(ECDHE)─▶ ExpectServerKeyExchange12
//                                      │                              ▼
//                                      └──(RSA)──────────▶ ExpectCertificateRequestOrDone12
//                                                                     ▼
//                 ExpectServerHelloDone12 ─▶ [Certificate] ClientKeyExchange [CertificateVerify] CCS Finished
//                 ─▶ [ExpectNewSessionTicket12] ─▶ ExpectChangeCipherSpec12 ─▶ ExpectFinished12 ─▶ ClientEstablished12
//
//   abbreviated:  ServerHello (our session id echoed) ─▶ [ExpectNewSessionTicket12] ─▶ ExpectChangeCipherSpec12
//                 ─▶ ExpectFinished12 ─▶ CCS Finished ─▶ ClientEstablished12
//
// hush insists on what makes TLS 1.2 safe today: secure renegotiation signalling (RFC 5746), the
// extended master secret (RFC 7627, unless config.requireExtendedMasterSecret is false), and no
// renegotiation at all (a HelloRequest is answered with a no_renegotiation warning).
import { TlsError, illegalParameter, unexpectedMessage } from '../../errors/errors.js';
import { EchRejectedError } from '../../errors/ech-rejected.js';
import { AlertDescription } from '../../errors/alert.js';
import { concat, equal, fromUtf8 } from '../../bytes/util.js';
import { checkFinished, finishedPair, groupName, schemeName } from '../shared/finish.js';
import { isTls13OnlyGroup } from '../../crypto/hybrid.js';
import { CipherSuites, ExtensionType, ExtensionTypes, HandshakeType, HandshakeTypes, NamedGroups, ProtocolVersion } from '../../wire/enums.js';
import type { KeyShare, PrivateKey, PublicKey } from '../../crypto/provider.js';
import type { Tls12Suite } from '../../crypto/suites.js';
import { Transcript } from '../../schedule/transcript.js';
import {
  extendedMasterSecret12,
  finishedVerifyData12,
  keyBlock12,
  masterSecret12,
  VERIFY_DATA_LENGTH_12,
  type KeyBlock12,
} from '../../schedule/tls12.js';
import type { HandshakeMessage } from '../messages/handshake.js';
import type { ServerHelloView } from '../messages/server-hello.js';
import { decodeCertificate12, encodeCertificate12 } from '../messages/certificate.js';
import { ClientCertificateType, decodeCertificateRequest12, type CertificateRequest12 } from '../messages/certificate-request.js';
import { decodeServerKeyExchangeEcdhe } from '../messages/server-key-exchange.js';
import { encodeClientKeyExchangeEcdhe, encodeClientKeyExchangeRsa } from '../messages/client-key-exchange.js';
import { encodeCertificateVerify } from '../messages/certificate-verify.js';
import { decodeFinished, encodeFinished } from '../messages/finished.js';
import { decodeNewSessionTicket12, MAX_TICKET_LIFETIME_SECONDS, type NewSessionTicket12 } from '../messages/new-session-ticket.js';
import { decodeHelloRequest, decodeServerHelloDone } from '../messages/empty-messages.js';
import { decodeAlpnServerExt, decodeEcPointFormatsExt, EcPointFormat } from '../messages/ext-lists.js';
import {
  decodeEncryptThenMacExt,
  decodeExtendedMasterSecretExt,
  decodeRenegotiationInfoExt,
} from '../messages/ext-misc.js';
import { expectMessage, type HandshakeState } from '../state.js';
import type { HandshakeContext, Protection12Params } from '../context.js';
import type { ClientConfig } from '../config.js';
import type { FinishedPair, HandshakeInfo, SessionTicket } from '../events.js';
import { tell } from '../narration.js';
import { peerCertificateDers, peerChainOf, storedPeerChain, verifyServerCertificates, withPeerChain, type PeerVerification } from '../shared/peer-certificates.js';
import { checkStaple } from './staple-check.js';
import { decodeCertificateStatusBody, decodeStatusRequestAckExt } from '../messages/certificate-status.js';
import { encryptPreMasterSecret } from '../shared/rsa-key-transport.js';
import { chooseSignatureScheme12, signCertificateVerify12, verifyServerKeyExchange12 } from '../shared/signatures12.js';
import { describeKey } from '../shared/signatures.js';

const EMPTY = new Uint8Array(0);
/** RFC 5077 §3.3: a lifetime hint of 0 means "unspecified"; we then keep the session this long. */
export const DEFAULT_TLS12_SESSION_LIFETIME_SECONDS = 7200;
/** HelloRequests we answer (or ignore mid-handshake) before we call the peer abusive. */
const MAX_HELLO_REQUESTS = 64;

/**
 * Extensions a TLS 1.2 ServerHello may carry in answer to ours. supported_versions, key_share,
 * pre_shared_key and the other TLS 1.3 extensions must not appear (RFC 8446 §4.2.1, §4.1.3).
 */
const SERVER_HELLO_12_EXTENSIONS = new Set<number>([
  ExtensionType.server_name,
  ExtensionType.ec_point_formats,
  ExtensionType.renegotiation_info,
  ExtensionType.extended_master_secret,
  ExtensionType.encrypt_then_mac,
  ExtensionType.session_ticket,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.status_request,
]);

/** What our ClientHello offered, handed over by the shared ClientHello code (client13.ts). */
export interface Tls12Offer {
  readonly config: ClientConfig;
  /** The ClientHello message as sent (header included): the start of the transcript. */
  readonly clientHello: Uint8Array;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly suites: readonly Tls12Suite[];
  readonly groups: readonly number[];
  readonly schemes: readonly number[];
  readonly alpn: readonly Uint8Array[];
  readonly serverName: string | undefined;
  readonly sniName: string | undefined;
  /** Extension types the ClientHello carried. */
  readonly offered: ReadonlySet<number>;
  /** The TLS 1.2 session offered for resumption (by its id, or by its ticket with a random id). */
  readonly session: SessionTicket | undefined;
  /**
   * Whether the ClientHello carried a GREASE encrypted_client_hello (RFC 9849 §6.2), or a real one:
   * a server answering in TLS 1.2 has rejected it (§6.1.4), and the handshake is authenticated as
   * the config's public name, then aborted with ech_required (§6.1.6, §6.1.7).
   */
  readonly ech: 'grease' | 'none' | EchRejected12;
}

/** A real ECH offer answered in TLS 1.2. */
export interface EchRejected12 {
  readonly status: 'rejected';
  readonly publicName: string;
}

/** The public name to authenticate when ECH was rejected, else undefined. */
function echRejected(offer: Tls12Offer): EchRejected12 | undefined {
  return typeof offer.ech === 'object' ? offer.ech : undefined;
}

/**
 * What ServerHello fixed for the rest of the handshake, shared by every TLS 1.2 state. The data a
 * later step produces is not here: each state is constructed with what it needs (below).
 */
class Client12 {
  readonly transcript: Transcript;
  /** HelloRequests seen so far (RFC 5246 §7.4.1.1); one bound for the whole connection. */
  helloRequests = 0;

  constructor(
    ctx: HandshakeContext,
    readonly offer: Tls12Offer,
    readonly suite: Tls12Suite,
    readonly serverRandom: Uint8Array,
    /** The session id the server sent (ours echoed when resuming, else a new one or empty). */
    readonly serverSessionId: Uint8Array,
    readonly extendedMasterSecret: boolean,
    readonly encryptThenMac: boolean,
    readonly ticketAcked: boolean,
    readonly alpn: string | undefined,
    /** RFC 6066 §8: the server echoed status_request, so a CertificateStatus may follow its Certificate (#15). */
    readonly statusRequestAcked = false,
  ) {
    this.transcript = new Transcript(ctx.provider, suite.prfHash);
  }

  get protection(): Protection12Params {
    return { encryptThenMac: this.encryptThenMac };
  }

  add(raw: Uint8Array): void {
    this.transcript.add(raw);
  }

  /** RFC 5246 §6.3: the key block from the master secret; logged for Wireshark (NSS CLIENT_RANDOM). */
  deriveKeys(ctx: HandshakeContext, masterSecret: Uint8Array): Keys12 {
    const block = keyBlock12(ctx.provider, this.suite, masterSecret, this.offer.random, this.serverRandom);
    ctx.keyLog('CLIENT_RANDOM', this.offer.random, masterSecret);
    return { masterSecret, block };
  }

  /** RFC 5246 §7.4.9: our Finished over the transcript so far; returns its verify_data. */
  sendFinished(ctx: HandshakeContext, keys: Keys12): Uint8Array {
    const verifyData = finishedVerifyData12(ctx.provider, this.suite.prfHash, keys.masterSecret, 'client', this.transcript.hash());
    const fin = encodeFinished({ verifyData });
    this.add(fin);
    ctx.sendHandshake(fin);
    return verifyData;
  }
}

/** The master secret and the key block derived from it (RFC 5246 §6.3, §8.1). */
interface Keys12 {
  readonly masterSecret: Uint8Array;
  readonly block: KeyBlock12;
}

/**
 * RFC 5246 §7.4.8: in a full handshake a client CertificateVerify signs the handshake messages
 * themselves, so they are kept (besides the running transcript hash) until our flight is sent.
 * The abbreviated handshake has no CertificateVerify and no log.
 */
class MessageLog12 {
  private readonly messages: Uint8Array[] = [];
  constructor(readonly hs: Client12) {}

  add(raw: Uint8Array): void {
    this.hs.add(raw);
    this.messages.push(raw.slice());
  }

  /** Every handshake message so far, concatenated. */
  concatenated(): Uint8Array {
    return concat(...this.messages);
  }
}

/** RFC 8422 §5.4 / RFC 5246 §7.4.7.1: how the premaster secret is agreed, as the suite says. */
type KeyExchange12 =
  | {
      readonly kind: 'ecdhe';
      readonly group: number;
      /** The scheme of the ServerKeyExchange signature. */
      readonly scheme: number;
      readonly share: KeyShare;
      readonly preMasterSecret: Uint8Array;
    }
  | { readonly kind: 'rsa' };

/** A full handshake up to ServerHelloDone: the server's verified certificate and the key exchange. */
interface Full12 {
  readonly log: MessageLog12;
  readonly peer: PeerVerification;
  readonly kx: KeyExchange12;
}

/**
 * How the server authenticated, which decides what HandshakeInfo reports: a full handshake verified
 * its certificate now (and agreed a group and signature scheme when ECDHE), a resumed one relies on
 * the session's stored chain.
 */
type Origin12 =
  | {
      readonly kind: 'full';
      readonly peer: PeerVerification;
      readonly group: number | undefined;
      readonly signatureScheme: number | undefined;
      /** The schemes of the server's CertificateRequest, when it sent one. */
      readonly certificateRequestSchemes: readonly number[] | undefined;
      /** The verify_data of our Finished, sent before the server's in a full handshake (RFC 5246 §7.3). */
      readonly sentFinished: Uint8Array;
    }
  | { readonly kind: 'resumed'; readonly session: SessionTicket };

/** Once the keys are known (after our flight, or at once when resuming): what the last states need. */
interface Keyed12 {
  readonly hs: Client12;
  readonly keys: Keys12;
  readonly origin: Origin12;
}


/**
 * RFC 5246 §7.4.1.3 and the extensions' RFCs: check the TLS 1.2 ServerHello against what we offered,
 * then continue with the full or the abbreviated handshake. `message` is the ServerHello.
 */
export function startClient12(ctx: HandshakeContext, offer: Tls12Offer, message: HandshakeMessage, sh: ServerHelloView): HandshakeState {
  const config = offer.config;
  // RFC 5246 §7.4.1.3: the suite must be one we offered (and TLS 1.2 allows).
  const suite = offer.suites.find((s) => s.id === sh.cipherSuite);
  if (!suite) throw illegalParameter(`the server chose cipher suite ${CipherSuites.name(sh.cipherSuite)}, which we did not offer for TLSv1.2`);
  if (sh.compressionMethod !== 0) throw illegalParameter('the server chose a compression method other than null, which we did not offer');

  // RFC 5246 §7.4.1.4: only extensions we offered, and only those a TLS 1.2 ServerHello may carry.
  for (const e of sh.extensions) {
    if (!offer.offered.has(e.type)) {
      throw new TlsError('unsupported_extension', `the server sent the ${ExtensionTypes.name(e.type)} extension, which we did not offer`);
    }
    if (!SERVER_HELLO_12_EXTENSIONS.has(e.type)) {
      throw illegalParameter(`the ${ExtensionTypes.name(e.type)} extension is not allowed in a TLSv1.2 ServerHello`);
    }
  }
  const sni = sh.extension(ExtensionType.server_name);
  if (sni !== undefined && sni.length !== 0) throw new TlsError('decode_error', 'the server_name acknowledgement must be empty (RFC 6066 §3)');

  // RFC 5746 §3.4: renegotiation_info must be present, with an empty renegotiated_connection on
  // the initial handshake. hush refuses servers without secure renegotiation signalling.
  const ri = sh.extension(ExtensionType.renegotiation_info);
  if (ri === undefined) {
    throw new TlsError('handshake_failure', 'the server does not signal secure renegotiation (RFC 5746 renegotiation_info); hush requires it for TLSv1.2');
  }
  if (decodeRenegotiationInfoExt(ri).length !== 0) {
    throw new TlsError('handshake_failure', 'the server\'s renegotiation_info is not empty on the initial handshake (RFC 5746 §3.4)');
  }

  // RFC 7627 §5.2: the extended master secret binds the master secret to the whole handshake.
  const emsData = sh.extension(ExtensionType.extended_master_secret);
  if (emsData !== undefined) decodeExtendedMasterSecretExt(emsData);
  const ems = emsData !== undefined;

  // RFC 7366 §3: encrypt-then-MAC only for a CBC suite.
  const etmData = sh.extension(ExtensionType.encrypt_then_mac);
  if (etmData !== undefined) {
    decodeEncryptThenMacExt(etmData);
    if (suite.cipher.kind !== 'cbc') throw illegalParameter(`the server accepted encrypt_then_mac with ${suite.name}, which is not a CBC suite (RFC 7366 §3)`);
  }

  // RFC 8422 §5.2: if the server lists point formats, uncompressed must be among them.
  const pf = sh.extension(ExtensionType.ec_point_formats);
  if (pf !== undefined && !decodeEcPointFormatsExt(pf).includes(EcPointFormat.uncompressed)) {
    throw illegalParameter('the server\'s ec_point_formats does not include uncompressed (RFC 8422 §5.2)');
  }

  // RFC 7301 §3.1: the protocol must be one we offered.
  let alpn: string | undefined;
  const alpnData = sh.extension(ExtensionType.application_layer_protocol_negotiation);
  if (alpnData !== undefined) {
    const chosen = decodeAlpnServerExt(alpnData);
    if (!offer.alpn.some((p) => equal(p, chosen))) throw illegalParameter('the server chose an ALPN protocol we did not offer');
    alpn = fromUtf8(chosen);
  }

  // RFC 5077 §3.2: an empty session_ticket in ServerHello promises a NewSessionTicket.
  const ticketData = sh.extension(ExtensionType.session_ticket);
  if (ticketData !== undefined && ticketData.length !== 0) throw new TlsError('decode_error', 'the server\'s session_ticket acknowledgement must be empty (RFC 5077 §3.2)');
  const ticketAcked = ticketData !== undefined;

  // RFC 6066 §8: an empty status_request says a CertificateStatus may follow (#15).
  const statusData = sh.extension(ExtensionType.status_request);
  if (statusData !== undefined) decodeStatusRequestAckExt(statusData);

  // RFC 5246 §7.4.1.3 / RFC 5077 §3.4: the server resumes by echoing the session id we sent.
  const echo = sh.legacySessionIdEcho;
  const resumed = echo.length > 0 && equal(echo, offer.sessionId);
  // The session being resumed, present exactly when `resumed`: the abbreviated handshake's data.
  let resumedSession: SessionTicket | undefined;
  if (resumed) {
    const session = offer.session;
    if (!session) throw illegalParameter('the server echoed our session id as if resuming, but we offered no TLSv1.2 session');
    resumedSession = session;
    // RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite.
    if (session.cipherSuite !== suite.id) {
      throw illegalParameter(`the server resumed our session with ${suite.name}, but the session used ${CipherSuites.name(session.cipherSuite)}`);
    }
    // RFC 7627 §5.3: the extended master secret must be used on resumption exactly when it was originally.
    if ((session.extendedMasterSecret ?? false) !== ems) {
      throw new TlsError(
        'handshake_failure',
        `the server resumed a session ${session.extendedMasterSecret ? 'made with' : 'made without'} the extended master secret, ` +
          `but its ServerHello ${ems ? 'has' : 'lacks'} it (RFC 7627 §5.3)`,
      );
    }
  } else if (!ems && config.requireExtendedMasterSecret !== false) {
    throw new TlsError(
      'handshake_failure',
      'the server does not support the extended master secret (RFC 7627): without it a TLSv1.2 session is open to the triple handshake attack ' +
        '(set requireExtendedMasterSecret: false to allow it)',
    );
  }

  ctx.useTls12Records();
  const hs = new Client12(ctx, offer, suite, sh.random.slice(), echo.slice(), ems, etmData !== undefined, ticketAcked, alpn, statusData !== undefined);

  tell(ctx, { kind: 'server_hello_received_12', suite: suite.id, resumed, extendedMasterSecret: ems, encryptThenMac: etmData !== undefined, sessionTicket: ticketAcked, alpn });

  if (resumedSession) {
    hs.add(offer.clientHello);
    hs.add(message.raw);
    // RFC 5246 §7.3 abbreviated handshake: the keys come from the session's master secret.
    const keyed: Keyed12 = { hs, keys: hs.deriveKeys(ctx, resumedSession.secret), origin: { kind: 'resumed', session: resumedSession } };
    return ticketAcked ? new ExpectNewSessionTicket12(keyed) : new ExpectChangeCipherSpec12(keyed, undefined);
  }
  const log = new MessageLog12(hs);
  log.add(offer.clientHello);
  log.add(message.raw);
  return new ExpectCertificate12(log);
}

/** What every TLS 1.2 client state shares: message type checks, HelloRequest during the handshake. */
abstract class Client12State implements HandshakeState {
  abstract readonly name: string;
  readonly established: boolean = false;
  constructor(protected readonly hs: Client12) {}

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    // RFC 5246 §7.4.1.1: a HelloRequest while negotiating is ignored (and is not in the transcript).
    if (message.type === HandshakeType.hello_request) {
      decodeHelloRequest(message.body);
      if (++this.hs.helloRequests > MAX_HELLO_REQUESTS) throw unexpectedMessage('too many HelloRequest messages');
      return this;
    }
    return this.receive(ctx, message);
  }

  protected abstract receive(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState;

  protected expect(message: HandshakeMessage, ...types: number[]): void {
    expectMessage(message, 'server', types);
  }
}

/** RFC 5246 §7.4.2: the server's certificate chain. */
class ExpectCertificate12 extends Client12State {
  readonly name = 'ExpectCertificate12';

  constructor(private readonly log: MessageLog12) {
    super(log.hs);
  }

  protected receive(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate);
    const hs = this.hs;
    const cert = decodeCertificate12(message.body);
    if (cert.certificates.length === 0) throw new TlsError('decode_error', 'the server sent an empty certificate list');
    const config = hs.offer.config;
    // RFC 9849 §6.1.7: after an ECH rejection the server must be valid for the public name, always verified.
    const rejected = echRejected(hs.offer);
    const peer = verifyServerCertificates(ctx, config, cert.certificates, rejected ? rejected.publicName : hs.offer.serverName, rejected !== undefined);
    // RFC 5246 §7.4.2, RFC 8422 §5.3: the certificate key must suit the suite's authentication.
    checkKeyFitsSuite(peer.leafKey, hs.suite);
    this.log.add(message.raw);
    // RFC 6066 §8: after an echoed status_request the server may send CertificateStatus.
    if (hs.statusRequestAcked) return new ExpectCertificateStatus12(this.log, peer);
    return afterCertificate12(this.log, checkStaple(ctx, config, peer, undefined));
  }
}

function afterCertificate12(log: MessageLog12, peer: PeerVerification): HandshakeState {
  return log.hs.suite.kx === 'ecdhe'
    ? new ExpectServerKeyExchange12(log, peer)
    : new ExpectCertificateRequestOrDone12({ log, peer, kx: { kind: 'rsa' } });
}

/** RFC 6066 §8: CertificateStatus (the OCSP staple), which the server may also leave out (#15). */
class ExpectCertificateStatus12 extends Client12State {
  readonly name = 'ExpectCertificateStatus12';

  constructor(
    private readonly log: MessageLog12,
    private readonly peer: PeerVerification,
  ) {
    super(log.hs);
  }

  protected receive(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    const config = this.hs.offer.config;
    if (message.type !== HandshakeType.certificate_status) {
      // "a server MAY also choose not to send a CertificateStatus message" (RFC 6066 §8).
      return afterCertificate12(this.log, checkStaple(ctx, config, this.peer, undefined)).handle(ctx, message);
    }
    const staple = decodeCertificateStatusBody(message.body);
    const peer = checkStaple(ctx, config, this.peer, staple);
    this.log.add(message.raw);
    return afterCertificate12(this.log, peer);
  }
}

function checkKeyFitsSuite(key: PublicKey, suite: Tls12Suite): void {
  const fits =
    suite.kx === 'rsa'
      ? key.type === 'rsa' // RSA key transport encrypts to the key: rsaEncryption only (RFC 4055 §1.2)
      : suite.auth === 'rsa'
        ? key.type === 'rsa' || key.type === 'rsa-pss'
        : key.type === 'ec' || key.type === 'ed25519'; // RFC 8422 §5.3: ECDSA or EdDSA
  if (!fits) {
    throw new TlsError('unsupported_certificate', `the server chose ${suite.name}, but its certificate has a ${describeKey(key)} key, which that suite cannot use`);
  }
}

/** RFC 8422 §5.4: the server's ephemeral ECDH public key, signed with its certificate key. */
class ExpectServerKeyExchange12 extends Client12State {
  readonly name = 'ExpectServerKeyExchange12';

  constructor(
    private readonly log: MessageLog12,
    private readonly peer: PeerVerification,
  ) {
    super(log.hs);
  }

  protected receive(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.server_key_exchange);
    const hs = this.hs;
    const ske = decodeServerKeyExchangeEcdhe(message.body);
    // RFC 8422 §5.4: the curve must be one we listed in supported_groups.
    if (!hs.offer.groups.includes(ske.group)) {
      throw illegalParameter(`the server's key exchange uses ${NamedGroups.name(ske.group)}, which we did not offer`);
    }
    // draft-ietf-tls-ecdhe-mlkem §3: the hybrid groups are TLS 1.3 only (we list them for TLS 1.3).
    if (isTls13OnlyGroup(ske.group)) {
      throw illegalParameter(`the server's TLS 1.2 key exchange uses ${NamedGroups.name(ske.group)}, which is for TLS 1.3 only`);
    }
    // RFC 5246 §7.4.3: signed over client_random + server_random + params, with a scheme we offered.
    const leaf = this.peer.leafKey;
    verifyServerKeyExchange12(ctx.provider, leaf, ske.scheme, hs.offer.schemes, hs.offer.random, hs.serverRandom, ske.params, ske.signature);
    // `!`: we offered only groups the provider implements (resolveGroups checks each one), and
    // ske.group is among those we offered (checked above).
    const share = ctx.provider.keyExchange(ske.group)!.generate();
    const preMasterSecret = share.complete(ske.publicKey);
    this.log.add(message.raw);
    tell(ctx, { kind: 'server_key_exchange_received', group: ske.group, scheme: ske.scheme, key: leaf });
    return new ExpectCertificateRequestOrDone12({
      log: this.log,
      peer: this.peer,
      kx: { kind: 'ecdhe', group: ske.group, scheme: ske.scheme, share, preMasterSecret },
    });
  }
}

/** RFC 5246 §7.4.4: an optional CertificateRequest, else ServerHelloDone. */
class ExpectCertificateRequestOrDone12 extends Client12State {
  readonly name = 'ExpectCertificateRequestOrServerHelloDone12';

  constructor(private readonly full: Full12) {
    super(full.log.hs);
  }

  protected receive(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.certificate_request, HandshakeType.server_hello_done);
    if (message.type === HandshakeType.server_hello_done) return new ExpectServerHelloDone12(this.full, undefined).handle(ctx, message);
    const hs = this.hs;
    const certificateRequest = decodeCertificateRequest12(message.body);
    this.full.log.add(message.raw);
    tell(ctx, { kind: 'certificate_request_received', hasCertificate: hs.offer.config.clientCertificate !== undefined, schemes: certificateRequest.signatureAlgorithms });
    return new ExpectServerHelloDone12(this.full, certificateRequest);
  }
}

/** RFC 5246 §7.4.5, §7.3: ServerHelloDone; then our flight up to our Finished. */
class ExpectServerHelloDone12 extends Client12State {
  readonly name = 'ExpectServerHelloDone12';

  constructor(
    private readonly full: Full12,
    /** The server's CertificateRequest, if it sent one. */
    private readonly certificateRequest: CertificateRequest12 | undefined,
  ) {
    super(full.log.hs);
  }

  protected receive(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.server_hello_done);
    decodeServerHelloDone(message.body);
    const hs = this.hs;
    const { log, peer, kx } = this.full;
    const provider = ctx.provider;
    const suite = hs.suite;
    log.add(message.raw);

    // RFC 5246 §7.4.6: our Certificate (possibly empty) when asked.
    const signer = this.certificateRequest ? sendClientCertificate(ctx, log, this.certificateRequest) : undefined;

    // RFC 5246 §7.4.7: ClientKeyExchange.
    let preMasterSecret: Uint8Array;
    let cke: Uint8Array;
    if (kx.kind === 'ecdhe') {
      // RFC 8422 §5.7: our ephemeral public key.
      preMasterSecret = kx.preMasterSecret;
      cke = encodeClientKeyExchangeEcdhe(kx.share.publicKey);
    } else {
      // RFC 5246 §7.4.7.1: a random premaster secret, starting with the version we offered in
      // ClientHello (0x0303), encrypted to the server's certificate key.
      const rsa = encryptPreMasterSecret(provider, peer.leafKey, ProtocolVersion.TLSv1_2);
      preMasterSecret = rsa.preMasterSecret;
      cke = encodeClientKeyExchangeRsa(rsa.encrypted);
    }
    log.add(cke);
    ctx.sendHandshake(cke);
    const group = kx.kind === 'ecdhe' ? kx.group : undefined;
    tell(ctx, { kind: 'client_key_exchange_sent', group });

    // RFC 7627 §4: session_hash = Hash(ClientHello .. ClientKeyExchange); RFC 5246 §8.1 otherwise.
    const master = hs.extendedMasterSecret
      ? extendedMasterSecret12(provider, suite.prfHash, preMasterSecret, hs.transcript.hash())
      : masterSecret12(provider, suite.prfHash, preMasterSecret, hs.offer.random, hs.serverRandom);
    preMasterSecret.fill(0);

    // RFC 5246 §7.4.8: CertificateVerify signs every handshake message so far, concatenated.
    if (signer) {
      const signature = signCertificateVerify12(provider, signer.key, signer.scheme, log.concatenated());
      const cv = encodeCertificateVerify({ scheme: signer.scheme, signature });
      log.add(cv);
      ctx.sendHandshake(cv);
      tell(ctx, { kind: 'client_certificate_verify_sent_12', scheme: signer.scheme });
    }
    // The log (and the key share) stay with this state; the states below keep only the keys.

    // RFC 5246 §6.3, §7.1, §7.4.9: keys, ChangeCipherSpec, then Finished under the new keys.
    const keys = hs.deriveKeys(ctx, master);
    ctx.setWriteCipher12(suite, keys.block.client, hs.protection);
    const sentFinished = hs.sendFinished(ctx, keys);
    tell(ctx, { kind: 'client_keys_derived_12', suite: suite.id, extendedMasterSecret: hs.extendedMasterSecret });
    const keyed: Keyed12 = {
      hs,
      keys,
      origin: {
        kind: 'full',
        peer,
        group,
        signatureScheme: kx.kind === 'ecdhe' ? kx.scheme : undefined,
        certificateRequestSchemes: this.certificateRequest?.signatureAlgorithms,
        sentFinished,
      },
    };
    return hs.ticketAcked ? new ExpectNewSessionTicket12(keyed) : new ExpectChangeCipherSpec12(keyed, undefined);
  }
}

/**
 * RFC 5246 §7.4.6: send our chain if we have one whose key type the server accepts and a scheme it
 * lists; otherwise an empty Certificate (the server decides whether that is enough).
 */
function sendClientCertificate(ctx: HandshakeContext, log: MessageLog12, request: CertificateRequest12): { key: PrivateKey; scheme: number } | undefined {
  const offer = log.hs.offer;
  // RFC 9849 §6.1.7: after an ECH rejection, an empty Certificate (the public name's server learns nothing).
  const ours = echRejected(offer) ? undefined : offer.config.clientCertificate;
  const typeOk = ours !== undefined && request.certificateTypes.includes(certificateTypeOf(ours.key));
  const scheme = ours && typeOk ? chooseSignatureScheme12(ours.key, request.signatureAlgorithms, offer.schemes) : undefined;
  const chain = ours && scheme !== undefined ? ours.chain : [];
  const msg = encodeCertificate12({ certificates: chain });
  log.add(msg);
  ctx.sendHandshake(msg);
  if (ours && scheme !== undefined) {
    tell(ctx, { kind: 'client_certificate_sent_12', count: chain.length, hasCertificate: true });
    return { key: ours.key, scheme };
  }
  tell(ctx, { kind: 'client_certificate_sent_12', count: undefined, hasCertificate: ours !== undefined });
  return undefined;
}

/** RFC 5246 §7.4.4 / RFC 8422 §5.5: ecdsa_sign covers ECDSA and EdDSA client keys. */
function certificateTypeOf(key: PrivateKey): number {
  return key.type === 'ec' || key.type === 'ed25519' ? ClientCertificateType.ecdsa_sign : ClientCertificateType.rsa_sign;
}

/** RFC 5077 §3.3: the server promised a ticket (it acknowledged session_ticket); it comes before its CCS. */
class ExpectNewSessionTicket12 extends Client12State {
  readonly name = 'ExpectNewSessionTicket12';

  constructor(private readonly keyed: Keyed12) {
    super(keyed.hs);
  }

  protected receive(_ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.new_session_ticket);
    const nst = decodeNewSessionTicket12(message.body);
    this.hs.add(message.raw);
    return new ExpectChangeCipherSpec12(this.keyed, { lifetimeHint: nst.lifetimeHint, ticket: nst.ticket.slice() });
  }
}

/** RFC 5246 §7.1: the server's ChangeCipherSpec switches what we read to the new keys. */
class ExpectChangeCipherSpec12 extends Client12State {
  readonly name = 'ExpectChangeCipherSpec12';

  constructor(
    private readonly keyed: Keyed12,
    /** The NewSessionTicket, when the server acknowledged session_ticket. */
    private readonly newTicket: NewSessionTicket12 | undefined,
  ) {
    super(keyed.hs);
  }

  protected receive(_ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    throw unexpectedMessage(`expected ChangeCipherSpec but the server sent ${HandshakeTypes.name(message.type)}`);
  }

  changeCipherSpec(ctx: HandshakeContext): HandshakeState {
    const hs = this.hs;
    ctx.setReadCipher12(hs.suite, this.keyed.keys.block.server, hs.protection);
    tell(ctx, { kind: 'server_change_cipher_spec_received' });
    return new ExpectFinished12(this.keyed, this.newTicket);
  }
}

/** RFC 5246 §7.4.9: the server's Finished proves it saw the same handshake and holds the keys. */
class ExpectFinished12 extends Client12State {
  readonly name = 'ExpectFinished12';

  constructor(
    private readonly keyed: Keyed12,
    private readonly newTicket: NewSessionTicket12 | undefined,
  ) {
    super(keyed.hs);
  }

  protected receive(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    this.expect(message, HandshakeType.finished);
    const { hs, keys, origin } = this.keyed;
    const fin = decodeFinished(message.body, VERIFY_DATA_LENGTH_12);
    const expected = finishedVerifyData12(ctx.provider, hs.suite.prfHash, keys.masterSecret, 'server', hs.transcript.hash());
    checkFinished(expected, fin.verifyData, 'server');
    // RFC 9849 §6.1.6: the handshake with ClientHelloOuter is complete and authenticated as the
    // public name: abort with ech_required, never established, the session ignored (§6.1.7). TLS 1.2
    // carries no retry_configs: ECH is securely disabled.
    const rejected = echRejected(hs.offer);
    if (rejected) {
      tell(ctx, { kind: 'ech_rejected', publicName: rejected.publicName, retryConfigs: false });
      throw new EchRejectedError(rejected.publicName, undefined);
    }
    hs.add(message.raw);
    // RFC 5246 §7.3: in the abbreviated handshake the client's CCS and Finished come last.
    let sent: Uint8Array;
    if (origin.kind === 'resumed') {
      ctx.setWriteCipher12(hs.suite, keys.block.client, hs.protection);
      sent = hs.sendFinished(ctx, keys);
    } else {
      sent = origin.sentFinished;
    }
    return complete(ctx, this.keyed, this.newTicket, finishedPair(sent, fin.verifyData));
  }
}

/** HandshakeInfo.ech of a completed TLS 1.2 handshake (a rejected ECH never completes). */
function echStatus12(offer: Tls12Offer): 'grease' | 'none' {
  return typeof offer.ech === 'string' ? offer.ech : 'none';
}

function complete(ctx: HandshakeContext, keyed: Keyed12, newTicket: NewSessionTicket12 | undefined, finished: FinishedPair): HandshakeState {
  const { hs, keys, origin } = keyed;
  const offer = hs.offer;
  const suite = hs.suite;
  const resumed = origin.kind === 'resumed';
  // Certificate, group and signature scheme were negotiated only in a full handshake.
  const full = origin.kind === 'full' ? origin : undefined;
  const peer = full?.peer;
  const group = full?.group;
  // The parsed chain is dropped once the handshake is done: info keeps the DER and parses it
  // again only when asked (peer-certificates.ts).
  const info: HandshakeInfo = withPeerChain({
    // One literal with every field (not a spread of a head object): V8 then keeps the fields in
    // the object, ≈260 B less per established connection than {...head, ...}.
    version: 'TLSv1.2',
    cipherSuite: suite.id,
    cipherName: suite.name,
    group: group,
    groupName: groupName(group),
    signatureScheme: full?.signatureScheme,
    signatureSchemeName: schemeName(full?.signatureScheme),
    alpn: hs.alpn,
    serverName: offer.sniName,
    resumed,
    extendedMasterSecret: hs.extendedMasterSecret,
    authorized: peer ? peer.authorized : true,
    authorizationError: peer?.error,
    ech: echStatus12(offer),
    finished,
  }, origin.kind === 'full' ? peerChainOf(origin.peer) : storedPeerChain(origin.session.peerCertificates));
  // Set only when stapled, so other connections' info keeps its shape (#15).
  if (peer?.ocspResponse) (info as { ocspResponse?: Uint8Array }).ocspResponse = peer.ocspResponse;
  // Likewise only when the server asked for our certificate (getSharedSigalgs() in hush/node).
  if (full?.certificateRequestSchemes) (info as { certificateRequestSchemes?: readonly number[] }).certificateRequestSchemes = full.certificateRequestSchemes;
  tell(ctx, { kind: 'server_finished_checked_12', suite: suite.id, resumed });
  ctx.handshakeComplete(info, {
    suite,
    masterSecret: keys.masterSecret,
    clientRandom: offer.random,
    serverRandom: hs.serverRandom,
    extendedMasterSecret: hs.extendedMasterSecret,
  });
  emitSession(ctx, keyed, newTicket, info);
  if (ctx.tracing) {
    tell(ctx, {
      kind: 'client_established_12',
      suite: suite.id,
      group,
      signature: info.signatureSchemeName,
      alpn: hs.alpn,
      resumed,
      extendedMasterSecret: hs.extendedMasterSecret,
      peer: peer?.certificates ?? info.peerCertificates,
      ech: echStatus12(offer),
    });
  }
  return new ClientEstablished12(hs.helloRequests);
}

/**
 * Tell the owner how to resume this session: by the session id the server assigned (RFC 5246
 * §7.4.1.3) and/or the ticket it sent (RFC 5077). Nothing when the server offered neither.
 */
function emitSession(ctx: HandshakeContext, keyed: Keyed12, newTicket: NewSessionTicket12 | undefined, info: HandshakeInfo): void {
  const { hs, keys, origin } = keyed;
  const ticket = newTicket?.ticket ?? EMPTY;
  const sessionId = origin.kind === 'resumed' ? (origin.session.sessionId ?? EMPTY) : hs.serverSessionId;
  // A resumed session is announced again only when the server gave it a new ticket.
  if (origin.kind === 'resumed' ? ticket.length === 0 : ticket.length === 0 && sessionId.length === 0) return;
  const hint = newTicket?.lifetimeHint ?? 0;
  const lifetime = hint === 0 ? DEFAULT_TLS12_SESSION_LIFETIME_SECONDS : Math.min(hint, MAX_TICKET_LIFETIME_SECONDS);
  const session: SessionTicket = {
    version: 'TLSv1.2',
    serverName: hs.offer.serverName,
    cipherSuite: hs.suite.id,
    ticket,
    secret: keys.masterSecret,
    receivedAt: ctx.now(),
    lifetime,
    ageAdd: 0,
    maxEarlyData: 0,
    alpn: info.alpn,
    peerCertificates: peerCertificateDers(info),
    sessionId: sessionId.slice(),
    extendedMasterSecret: hs.extendedMasterSecret,
  };
  ctx.emit({ type: 'session', ticket: session });
  tell(ctx, { kind: 'session_received_12', lifetime, ticket: ticket.length > 0, sessionId: sessionId.length > 0 });
}

/**
 * After the handshake: no renegotiation (RFC 5746 §4.2 lets a client refuse it). It keeps only the
 * HelloRequest count, not the Client12 handshake (transcript, messages, key block, offer): an
 * idle connection holds this state for its whole life.
 */
class ClientEstablished12 implements HandshakeState {
  readonly name = 'ClientEstablished12';
  readonly established = true;

  /** `helloRequests`: those already counted during the handshake (one bound for the connection). */
  constructor(private helloRequests: number) {}

  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.hello_request) {
      throw unexpectedMessage(`the server sent ${HandshakeTypes.name(message.type)} after the handshake`);
    }
    // RFC 5246 §7.4.1.1: the client may decline a HelloRequest with a no_renegotiation warning.
    decodeHelloRequest(message.body);
    if (++this.helloRequests > MAX_HELLO_REQUESTS) throw unexpectedMessage('too many HelloRequest messages');
    ctx.sendWarningAlert(AlertDescription.no_renegotiation);
    tell(ctx, { kind: 'hello_request_refused' });
    return this;
  }
}
