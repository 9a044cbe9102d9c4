// The learner's narration, in one place. Handshake states report typed facts (`TraceFact`): what
// happened, with code points as the wire carries them; this module turns each fact into the
// `TraceEvent` that --trace prints (the sentences) and --trace-json serialises (the fields).
// States call `tell(ctx, fact)`, which builds nothing but the fact when tracing is off.
import type { PublicKey } from '../crypto/provider.js';
import type { Certificate } from '../x509/certificate.js';
import { hybridGroup } from '../crypto/hybrid.js';
import { CipherSuites, NamedGroups, ProtocolVersion, SignatureSchemes, versionName } from '../wire/enums.js';
import type { ClientHelloInfo } from './client-hello-info.js';
import type { HandshakeContext } from './context.js';
import { describeKey } from './shared/signatures.js';
import { trace, type TraceEvent } from './trace.js';

/** A key as narration describes it ("ECDSA P-256", "RSA-2048"). */
type Key = Pick<PublicKey, 'type' | 'curve' | 'bits'>;
type ClientAuth = 'none' | 'optional' | 'required';

/** One narrated step of a handshake. Numbers are IANA code points (suite, group, scheme, version). */
export type TraceFact =
  // ---- both versions, both sides
  /** A peer's certificate chain was checked (RFC 5280 path validation, RFC 6125 name). */
  | {
      readonly kind: 'peer_certificates';
      readonly from: 'server' | 'client';
      readonly subjects: readonly string[];
      /** Subject of the trust anchor of the verified path. */
      readonly anchor: string | undefined;
      readonly error: string | undefined;
      readonly rejectUnauthorized: boolean;
      readonly hostname: string | undefined;
    }
  /** Server: client authentication is optional and the client sent an empty Certificate. */
  | { readonly kind: 'client_certificate_absent' }
  /** Client: what became of the OCSP staple we asked for (RFC 6066 §8, RFC 7633; #15). */
  | { readonly kind: 'ocsp_staple'; readonly stapled: boolean; readonly error: string | undefined }
  /** Client: the server sent a CertificateRequest (TLS 1.2 adds the schemes it accepts). */
  | { readonly kind: 'certificate_request_received'; readonly hasCertificate: boolean; readonly schemes?: readonly number[] }
  // ---- TLS 1.3 client (RFC 8446 §4.1.2 ... §4.6.1)
  | {
      readonly kind: 'client_hello_sent';
      readonly second: boolean;
      readonly versions: readonly number[];
      readonly suites: readonly number[];
      readonly groups: readonly number[];
      readonly keyShares: readonly number[];
      readonly schemes: readonly number[];
      readonly serverName: string | undefined;
      readonly alpn: readonly string[];
      readonly resumption13: boolean;
      /** Resuming a TLS 1.2 session: by ticket or by session id. */
      readonly resumption12: 'ticket' | 'session id' | undefined;
      /** Encrypted Client Hello (RFC 9849): the public name the outer hello carries, or a GREASE extension. */
      readonly ech?: { readonly publicName: string } | 'grease' | undefined;
    }
  | { readonly kind: 'server_hello_received_13'; readonly suite: number; readonly group: number; readonly resumed: boolean }
  /** `group` is undefined when the HelloRetryRequest only carries a cookie. */
  | { readonly kind: 'hello_retry_request_received'; readonly suite: number; readonly group: number | undefined; readonly cookie: boolean }
  | { readonly kind: 'encrypted_extensions_received'; readonly alpn: string | undefined }
  | { readonly kind: 'server_certificate_verify_checked_13'; readonly scheme: number; readonly key: Key }
  | { readonly kind: 'server_finished_checked_13'; readonly suite: number; readonly sentCertificate: boolean }
  | { readonly kind: 'client_certificate_sent_13'; readonly scheme: number | undefined; readonly hasCertificate: boolean }
  | { readonly kind: 'session_ticket_received_13'; readonly lifetime: number }
  | {
      readonly kind: 'client_established_13';
      readonly suite: number;
      readonly group: number;
      readonly signature: string | undefined;
      readonly alpn: string | undefined;
      readonly resumed: boolean;
      readonly peer: readonly Certificate[];
      readonly ech?: 'accepted' | 'rejected' | 'grease' | 'none';
      /** The (inner) server name and, with ECH accepted, the public name an observer saw. */
      readonly serverName?: string | undefined;
      readonly outerServerName?: string | undefined;
    }
  /** RFC 9849 §6.1.4: the server's first answer tells whether it accepted ECH (HelloRetryRequest or ServerHello). */
  | { readonly kind: 'ech_answer_received'; readonly accepted: boolean; readonly publicName: string; readonly serverName: string | undefined; readonly hrr?: boolean }
  /** RFC 9849 §6.1.6: the outer handshake authenticated as the public name; we stop with ech_required. */
  | { readonly kind: 'ech_rejected'; readonly publicName: string; readonly retryConfigs: boolean }
  // ---- TLS 1.3 server
  | { readonly kind: 'client_hello_received'; readonly second: boolean; readonly hello: ClientHelloInfo; readonly earlyData: boolean }
  | { readonly kind: 'early_data_skipped' }
  | { readonly kind: 'cookie_accepted' }
  /** `stateful`: no cookie, the connection keeps the state (ECH accepted: it keeps the HPKE context anyway). */
  | { readonly kind: 'hello_retry_request_sent'; readonly suite: number; readonly group: number; readonly offeredShares: readonly number[]; readonly stateful?: true }
  | { readonly kind: 'psk_refused'; readonly reason: string }
  | { readonly kind: 'server_hello_sent_13'; readonly suite: number; readonly group: number; readonly preferServerCiphers: boolean; readonly retried: boolean; readonly resumed: boolean }
  | { readonly kind: 'encrypted_extensions_sent'; readonly alpn: string | undefined; readonly clientOfferedAlpn: boolean }
  | { readonly kind: 'certificate_request_sent_13'; readonly clientAuth: ClientAuth }
  | {
      readonly kind: 'server_certificate_sent_13';
      readonly subject: string;
      readonly chainLength: number;
      readonly key: Key;
      readonly scheme: number;
      readonly serverName: string | undefined;
      /** Whether the certificate names `serverName` (when the client sent one). */
      readonly namesSite: boolean;
    }
  | { readonly kind: 'certificate_verify_sent_13'; readonly scheme: number }
  | { readonly kind: 'server_finished_sent_13' }
  | { readonly kind: 'client_certificate_verify_checked_13'; readonly scheme: number; readonly key: Key }
  | { readonly kind: 'client_finished_checked_13'; readonly suite: number }
  | {
      readonly kind: 'server_established_13';
      readonly suite: number;
      readonly group: number;
      readonly signature: string | undefined;
      readonly alpn: string | undefined;
      readonly resumed: boolean;
      readonly serverName: string | undefined;
      readonly peer: readonly Certificate[];
      /** Encrypted Client Hello (RFC 9849) and the name the outer ClientHello showed. */
      readonly ech: 'accepted' | 'rejected' | 'grease' | 'none';
      readonly outerServerName: string | undefined;
    }
  /**
   * Server: the ClientHello carried an encrypted_client_hello extension (RFC 9849 §7.1). The inner
   * name is known only when accepted, and is told only to the local user (the server's trace).
   */
  | {
      readonly kind: 'ech_received';
      readonly second: boolean;
      readonly status: 'accepted' | 'rejected' | 'grease';
      readonly outerServerName: string | undefined;
      readonly innerServerName: string | undefined;
      readonly reason: string | undefined;
    }
  /** Server: EncryptedExtensions carries retry_configs (ECH rejected, RFC 9849 §7.1). */
  | { readonly kind: 'ech_retry_configs_sent'; readonly bytes: number }
  | { readonly kind: 'session_tickets_sent_13'; readonly count: number; readonly lifetime: number }
  // ---- TLS 1.2 client (RFC 5246 §7.3)
  | {
      readonly kind: 'server_hello_received_12';
      readonly suite: number;
      readonly resumed: boolean;
      readonly extendedMasterSecret: boolean;
      readonly encryptThenMac: boolean;
      readonly sessionTicket: boolean;
      readonly alpn: string | undefined;
    }
  | { readonly kind: 'server_key_exchange_received'; readonly group: number; readonly scheme: number; readonly key: Key }
  /** `group` undefined: RSA key transport. */
  | { readonly kind: 'client_key_exchange_sent'; readonly group: number | undefined }
  | { readonly kind: 'client_certificate_verify_sent_12'; readonly scheme: number }
  | { readonly kind: 'client_keys_derived_12'; readonly suite: number; readonly extendedMasterSecret: boolean }
  /** `count` undefined: we sent an empty Certificate. */
  | { readonly kind: 'client_certificate_sent_12'; readonly count: number | undefined; readonly hasCertificate: boolean }
  | { readonly kind: 'server_change_cipher_spec_received' }
  | { readonly kind: 'server_finished_checked_12'; readonly suite: number; readonly resumed: boolean }
  | {
      readonly kind: 'client_established_12';
      readonly suite: number;
      readonly group: number | undefined;
      readonly signature: string | undefined;
      readonly alpn: string | undefined;
      readonly resumed: boolean;
      readonly extendedMasterSecret: boolean;
      readonly peer: readonly Certificate[];
      readonly ech?: 'grease' | 'none';
    }
  | { readonly kind: 'session_received_12'; readonly lifetime: number; readonly ticket: boolean; readonly sessionId: boolean }
  | { readonly kind: 'hello_request_refused' }
  // ---- TLS 1.2 server
  | { readonly kind: 'resumption_refused_12'; readonly by: string; readonly reason: string }
  | {
      readonly kind: 'server_hello_sent_12';
      readonly suite: number;
      readonly group: number | undefined;
      readonly preferServerCiphers: boolean;
      /** We also speak TLS 1.3, so the random carries the downgrade sentinel (RFC 8446 §4.1.3). */
      readonly downgradeSentinel: boolean;
      readonly sessionId: boolean;
      readonly sendTicket: boolean;
      readonly extendedMasterSecret: boolean;
    }
  | { readonly kind: 'server_hello_resumed_12'; readonly suite: number; readonly by: string }
  | { readonly kind: 'server_certificate_sent_12'; readonly subject: string; readonly chainLength: number; readonly key: Key; readonly serverName: string | undefined; readonly namesSite: boolean }
  | { readonly kind: 'server_key_exchange_sent'; readonly group: number; readonly scheme: number }
  | { readonly kind: 'certificate_request_sent_12'; readonly clientAuth: ClientAuth }
  | { readonly kind: 'server_hello_done_sent' }
  /** `group` undefined: RSA key transport. */
  | { readonly kind: 'client_key_exchange_received'; readonly group: number | undefined }
  | { readonly kind: 'server_keys_derived_12'; readonly extendedMasterSecret: boolean }
  | { readonly kind: 'client_certificate_verify_checked_12'; readonly scheme: number; readonly key: Key }
  | { readonly kind: 'client_change_cipher_spec_received' }
  | { readonly kind: 'client_finished_checked_12' }
  | { readonly kind: 'session_ticket_sent_12'; readonly lifetime: number }
  | { readonly kind: 'server_finished_sent_12'; readonly resumed: boolean }
  | {
      readonly kind: 'server_established_12';
      readonly suite: number;
      readonly group: number | undefined;
      readonly signature: string | undefined;
      readonly alpn: string | undefined;
      readonly resumed: boolean;
      readonly serverName: string | undefined;
      readonly extendedMasterSecret: boolean;
      readonly peer: readonly Certificate[];
      /** RFC 9849: an ECH extension the TLS 1.2 handshake went past (GREASE, or one no key opened). */
      readonly ech?: 'none' | 'grease' | 'rejected';
    }
  | { readonly kind: 'renegotiation_refused'; readonly attempts: number };

export type TraceFactKind = TraceFact['kind'];

/** Report a fact when the owner asked for a trace (nothing is built otherwise). */
export function tell(ctx: HandshakeContext, fact: TraceFact): void {
  if (ctx.tracing) ctx.trace(narrate(fact));
}

const suiteName = (id: number): string => CipherSuites.name(id);
const groupName = (g: number): string => NamedGroups.name(g);
const schemeName = (s: number): string => SignatureSchemes.name(s);

/**
 * What a post-quantum hybrid group (draft-ietf-tls-ecdhe-mlkem) protects against, in plain words:
 * "harvest now, decrypt later", while staying as strong as the classical curve alone.
 */
function postQuantumSentence(group: number): string {
  const h = hybridGroup(group)!;
  const kem = h.kem === 'ml-kem-768' ? 'ML-KEM-768' : 'ML-KEM-1024';
  const curve = groupName(h.ecdhGroup);
  return (
    `${h.name} is a post-quantum hybrid: the secret combines ${kem} (a key encapsulation built to resist quantum computers) with ${curve} (ECDHE), ` +
    `so traffic recorded today cannot be decrypted later by a quantum computer, and the connection is no weaker than ${curve} alone.`
  );
}
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const subjects = (certs: readonly Certificate[]): string[] => certs.map((c) => c.subject.text);

/** The `TraceEvent` (event name, sentences, JSON fields) of a fact. */
export function narrate(f: TraceFact): TraceEvent {
  switch (f.kind) {
    // ------------------------------------------------------------------ both versions
    case 'peer_certificates': {
      const chain = f.subjects.join(' ← ');
      return trace(
        'certificate',
        f.error !== undefined
          ? `The ${f.from} sent its certificate chain (${chain}), but it is NOT trusted: ${f.error}` +
              (f.rejectUnauthorized ? '' : ' (continuing anyway because verification is turned off)')
          : `The ${f.from} sent its certificate chain: ${chain}. ` +
              `It is trusted because each certificate is signed by the next, up to '${f.anchor ?? '?'}', ` +
              `a root in our trust store; every certificate is within its validity dates` +
              (f.hostname ? `, and the certificate names '${f.hostname}'.` : '.'),
        { chain: f.subjects, trusted: f.error === undefined, anchor: f.anchor ?? null, error: f.error ?? null },
      );
    }
    case 'ocsp_staple':
      return trace(
        'certificate_status',
        !f.stapled
          ? f.error !== undefined
            ? `The server stapled no OCSP response, but its certificate requires one: ${f.error}`
            : 'The server stapled no OCSP response (it may choose not to); the certificate does not require one.'
          : f.error !== undefined
            ? `The server stapled an OCSP response, but it is NOT acceptable: ${f.error}`
            : "The server stapled an OCSP response: signed by its certificate's issuer (or a responder the issuer authorized), about this very certificate, current, and it says 'good'.",
        { stapled: f.stapled, error: f.error ?? null },
      );
    case 'client_certificate_absent':
      return trace('certificate', 'The client has no certificate; client authentication is optional, so we continue without knowing who it is.');
    case 'certificate_request_received':
      return trace('certificate_request', 'The server asks us to prove who we are with a client certificate.', {
        hasCertificate: f.hasCertificate,
        ...(f.schemes ? { signatureSchemes: f.schemes.map(schemeName) } : {}),
      });

    // ------------------------------------------------------------------ TLS 1.3 client
    case 'client_hello_sent': {
      const suites = f.suites.map(suiteName);
      const groups = f.groups.map(groupName);
      const shares = f.keyShares.length
        ? `; key shares for ${f.keyShares.map(groupName).join(' and ')} (of ${groups.join(', ')})`
        : `; key exchange groups ${groups.join(', ')}`;
      return trace(
        'client_hello',
        `${f.second ? 'Sent a second ClientHello' : 'Sent ClientHello'}: offering ${f.versions.map(versionName).join(', ')} ` +
          `with cipher suites ${suites.join(', ')}${shares}` +
          (typeof f.ech === 'object'
            ? `; asking for the site '${f.serverName ?? '(none)'}' inside an encrypted ClientHello (ECH) — the ClientHello on the wire names only '${f.ech.publicName}'`
            : f.serverName
              ? `; asking for the site '${f.serverName}' (SNI, sent in the clear)`
              : '') +
          (f.alpn.length ? `; application protocols ${f.alpn.join(', ')}` : '') +
          (f.resumption13 ? '; offering to resume an earlier session with a ticket' : '') +
          (f.resumption12 ? `; offering to resume an earlier TLSv1.2 session by ${f.resumption12}` : '') +
          '.',
        {
          versions: f.versions.map(versionName),
          cipherSuites: suites,
          groups,
          keyShares: f.keyShares.map(groupName),
          signatureSchemes: f.schemes.map(schemeName),
          serverName: f.serverName ?? null,
          alpn: f.alpn,
          resumption: f.resumption13 || f.resumption12 !== undefined,
          ...(typeof f.ech === 'object' ? { ech: 'offered', outerServerName: f.ech.publicName } : {}),
        },
      );
    }
    case 'ech_answer_received':
      return f.accepted
        ? trace(
            'ech',
            `The server accepted our Encrypted Client Hello (confirmed in its ${f.hrr ? 'HelloRetryRequest' : 'ServerHello'}): ` +
              (f.serverName ? `the site name '${f.serverName}' travelled encrypted; an observer saw only '${f.publicName}'.` : `an observer saw only '${f.publicName}'.`),
            { ech: 'accepted', publicName: f.publicName, ...(f.hrr ? { hrr: true } : {}) },
          )
        : trace(
            'ech',
            `The server did not accept our Encrypted Client Hello (no confirmation in its ${f.hrr ? 'HelloRetryRequest' : 'ServerHello'}): it answers the outer ClientHello, ` +
              `so it must prove it is '${f.publicName}'; then we stop without ever naming the real site.`,
            { ech: 'rejected', publicName: f.publicName, ...(f.hrr ? { hrr: true } : {}) },
          );
    case 'ech_rejected':
      return trace(
        'ech',
        `The server proved it is '${f.publicName}' but rejected Encrypted Client Hello; ` +
          (f.retryConfigs ? 'it sent new ECH configs (retry_configs) to use on a new connection. ' : 'it sent no new ECH configs. ') +
          'We end this connection with the ech_required alert.',
        { ech: 'rejected', publicName: f.publicName, retryConfigs: f.retryConfigs },
      );
    case 'server_hello_received_13':
      return trace(
        'server_hello',
        `The server answered with ServerHello: it chose TLSv1.3, the cipher suite ${suiteName(f.suite)} and the key exchange ` +
          `${groupName(f.group)}${f.resumed ? ', and agreed to resume our earlier session' : ''}. ` +
          (hybridGroup(f.group)
            ? `${postQuantumSentence(f.group)} We derive the handshake keys from it: everything after this point is encrypted.`
            : `Both sides now combine their key shares (ECDHE) into a secret that nobody watching can compute, ` +
              `and derive the handshake keys from it: everything after this point is encrypted.`),
        { version: 'TLSv1.3', cipher: suiteName(f.suite), group: groupName(f.group), postQuantum: hybridGroup(f.group) !== undefined, resumed: f.resumed },
      );
    case 'hello_retry_request_received':
      return trace(
        'hello_retry_request',
        `The server sent HelloRetryRequest: it wants ${f.group !== undefined ? `a key share for ${groupName(f.group)}` : 'us to echo its cookie'} ` +
          `and will use ${suiteName(f.suite)}. We send a new ClientHello with it.`,
        { cipher: suiteName(f.suite), group: f.group !== undefined ? groupName(f.group) : null, cookie: f.cookie },
      );
    case 'encrypted_extensions_received':
      return trace(
        'encrypted_extensions',
        `Received EncryptedExtensions (the first encrypted message)` + (f.alpn ? `: the server chose the application protocol '${f.alpn}'.` : '.'),
        { alpn: f.alpn ?? null },
      );
    case 'server_certificate_verify_checked_13':
      return trace(
        'certificate_verify',
        `The server signed the handshake so far with its private key (${schemeName(f.scheme)}, ` +
          `${describeKey(f.key)}), and the signature checks out against the certificate's public key: ` +
          `the server really holds the key the certificate vouches for, and nobody altered the handshake.`,
        { signature: schemeName(f.scheme), key: describeKey(f.key) },
      );
    case 'server_finished_checked_13':
      return trace(
        'finished',
        `The server's Finished message matches our own computation of the handshake, so both sides saw the same messages. ` +
          `We sent our Finished${f.sentCertificate ? ' (after our certificate)' : ''}. Application keys are derived: ` +
          `from now on every byte is sealed with ${suiteName(f.suite)}.`,
        { cipher: suiteName(f.suite) },
      );
    case 'client_certificate_sent_13':
      return f.scheme !== undefined
        ? trace('client_certificate', `Sent our client certificate and signed the handshake with ${schemeName(f.scheme)}.`, { signature: schemeName(f.scheme) })
        : trace('client_certificate', f.hasCertificate ? 'Our client key cannot make any signature the server accepts: sent an empty Certificate.' : 'We have no client certificate: sent an empty Certificate.');
    case 'session_ticket_received_13':
      return trace('session_ticket', `The server gave us a session ticket (valid ${f.lifetime} s) to resume this session later without a full handshake.`, { lifetime: f.lifetime });
    case 'client_established_13':
      return trace('established', `Secure connection established: TLSv1.3, ${suiteName(f.suite)}, ${groupName(f.group)}${f.ech === 'accepted' ? ', Encrypted Client Hello' : ''}.`, {
        version: 'TLSv1.3',
        cipher: suiteName(f.suite),
        group: groupName(f.group),
        signature: f.signature ?? null,
        alpn: f.alpn ?? null,
        resumed: f.resumed,
        peer: subjects(f.peer),
        ech: f.ech ?? 'none',
        // #14 contract: with ECH accepted, "sni" is the inner name and "outerSni" the public name.
        ...(f.ech === 'accepted' ? { sni: f.serverName ?? null, outerSni: f.outerServerName ?? null } : {}),
      });

    // ------------------------------------------------------------------ TLS 1.3 server
    case 'client_hello_received': {
      const i = f.hello;
      const names = (xs: readonly number[], n: (x: number) => string) => xs.map(n).join(', ') || 'none';
      return trace(
        'client_hello',
        `Received ${f.second ? 'the second ' : ''}ClientHello: the client offers versions ${names(i.versions, versionText)}; ` +
          `cipher suites ${names(i.cipherSuites, suiteName)}; key shares for ${names(i.keyShareGroups, groupName)} ` +
          `(it supports ${names(i.groups, groupName)})` +
          (i.serverName ? `; it asks for the site '${i.serverName}' (SNI)` : '; no SNI') +
          (i.alpnProtocols.length ? `; application protocols ${i.alpnProtocols.join(', ')}` : '') +
          (i.pskOffered ? '; it offers to resume an earlier session' : '') +
          (f.earlyData ? '; it wants to send early data' : '') +
          '.',
        {
          versions: i.versions.map(versionText),
          cipherSuites: i.cipherSuites.map(suiteName),
          groups: i.groups.map(groupName),
          keyShares: i.keyShareGroups.map(groupName),
          signatureSchemes: i.signatureSchemes.map(schemeName),
          serverName: i.serverName ?? null,
          alpn: [...i.alpnProtocols],
          psk: i.pskOffered,
        },
      );
    }
    case 'early_data_skipped':
      return trace('early_data', 'The client wants to send early (0-RTT) data; this server does not accept it, so it will skip those records and the client will resend after the handshake.');
    case 'cookie_accepted':
      return trace('cookie', 'The second ClientHello echoes our cookie, and its MAC checks out: it carries the hash of the first ClientHello, so we did not have to remember anything.');
    case 'hello_retry_request_sent': {
      const sent = f.offeredShares.map(groupName);
      return trace(
        'hello_retry_request',
        `The client sent ${sent.length ? `key shares only for ${sent.join(', ')}` : 'no key share'}, none of which we accept` +
          ` or prefer; it supports ${groupName(f.group)}, so we answer HelloRetryRequest: "send me a key share for ` +
          `${groupName(f.group)}", with ${suiteName(f.suite)} fixed. ` +
          (f.stateful
            ? `It carries no cookie: with Encrypted Client Hello accepted we keep the decryption context for the second ClientHello anyway, and the retry state with it.`
            : `Its cookie holds the hash of the first ClientHello under our MAC, so the server keeps no state until the client comes back.`),
        { cipher: suiteName(f.suite), group: groupName(f.group) },
      );
    }
    case 'psk_refused':
      return trace('psk', `The client offered a session ticket, but we do a full handshake: ${f.reason}.`, { resumed: false, reason: f.reason });
    case 'server_hello_sent_13':
      return trace(
        'server_hello',
        `Sent ServerHello: TLSv1.3 with ${suiteName(f.suite)} (${f.preferServerCiphers ? 'our most preferred suite that the client offers' : 'the client\'s most preferred suite that we allow'}) ` +
          `and the key exchange ${groupName(f.group)} (${f.retried ? 'after our HelloRetryRequest' : 'the client sent a key share for it'}). ` +
          (hybridGroup(f.group)
            ? `${postQuantumSentence(f.group)} The handshake keys come from it, so everything after ServerHello is encrypted.`
            : `Our fresh key share and the client's combine (ECDHE) into a secret nobody watching can compute; ` +
              `the handshake keys come from it, so everything after ServerHello is encrypted.`) +
          (f.resumed ? ' We accepted the client\'s session ticket: this is a resumption, so no certificate is needed.' : ''),
        {
          version: 'TLSv1.3',
          cipher: suiteName(f.suite),
          group: groupName(f.group),
          postQuantum: hybridGroup(f.group) !== undefined,
          resumed: f.resumed,
          helloRetry: f.retried,
        },
      );
    case 'encrypted_extensions_sent':
      return trace(
        'encrypted_extensions',
        `Sent EncryptedExtensions${f.alpn ? `: we chose the application protocol '${f.alpn}' from the client's list` : f.clientOfferedAlpn ? ': no application protocol chosen' : ''}.`,
        { alpn: f.alpn ?? null },
      );
    case 'certificate_request_sent_13':
      return trace('certificate_request', `Sent CertificateRequest: we ask the client to prove who it is with a certificate (${f.clientAuth}).`, { clientAuth: f.clientAuth });
    case 'server_certificate_sent_13':
      return trace(
        'certificate',
        `Sent our certificate '${f.subject}' (${plural(f.chainLength, 'certificate')} in the chain)` +
          (f.serverName !== undefined
            ? f.namesSite
              ? `, which names '${f.serverName}', the site the client asked for`
              : `; none of our certificates names '${f.serverName}', so we send our first usable one`
            : '') +
          `. Its ${describeKey(f.key)} key can make ${schemeName(f.scheme)}, a signature the client accepts.`,
        { subject: f.subject, key: describeKey(f.key), chainLength: f.chainLength },
      );
    case 'certificate_verify_sent_13':
      return trace(
        'certificate_verify',
        `Signed the handshake so far with our private key (${schemeName(f.scheme)}): this proves we hold the key the certificate vouches for, and binds it to this very handshake.`,
        { signature: schemeName(f.scheme) },
      );
    case 'server_finished_sent_13':
      return trace('finished', 'Sent our Finished: a MAC over the whole handshake so far, under our handshake key. Now we wait for the client\'s Finished.');
    case 'client_certificate_verify_checked_13':
      return trace(
        'certificate_verify',
        `The client signed the handshake with its private key (${schemeName(f.scheme)}, ${describeKey(f.key)}), and the signature checks out: it holds the key its certificate vouches for.`,
        { signature: schemeName(f.scheme), key: describeKey(f.key) },
      );
    case 'client_finished_checked_13':
      return trace(
        'finished',
        `The client's Finished matches our own computation: both sides saw the same handshake. ` +
          `Application keys are in use; every byte from now on is sealed with ${suiteName(f.suite)}.`,
        { cipher: suiteName(f.suite) },
      );
    case 'server_established_13':
      return trace(
        'established',
        `Secure connection established: TLSv1.3, ${suiteName(f.suite)}, ${groupName(f.group)}${f.resumed ? ', resumed' : ''}` +
          (f.ech === 'accepted' ? `, Encrypted Client Hello accepted ('${f.serverName ?? ''}' inside, '${f.outerServerName ?? ''}' outside)` : '') +
          (f.ech === 'rejected' ? ', Encrypted Client Hello rejected (we are the public name)' : '') +
          '.',
        {
          version: 'TLSv1.3',
          cipher: suiteName(f.suite),
          group: groupName(f.group),
          signature: f.signature ?? null,
          alpn: f.alpn ?? null,
          resumed: f.resumed,
          sni: f.serverName ?? null,
          peer: subjects(f.peer),
          ech: f.ech,
          ...(f.ech === 'accepted' || f.ech === 'rejected' ? { outerSni: f.outerServerName ?? null } : {}),
        },
      );
    case 'ech_received': {
      const outside = f.outerServerName ? `'${f.outerServerName}'` : 'no name';
      const text =
        f.status === 'accepted'
          ? `That ${f.second ? 'second ' : ''}ClientHello came encrypted inside the one on the wire (Encrypted Client Hello, opened with our ECH key): ` +
            (f.innerServerName
              ? `the site name '${f.innerServerName}' travelled encrypted; an observer saw only ${outside}. `
              : `it names no site, and travelled encrypted; an observer saw only ${outside}. `) +
            `We answer it, and confirm that we could read it in the last 8 bytes of ServerHello.random.`
          : f.status === 'rejected'
            ? `The ${f.second ? 'second ' : ''}ClientHello carries an Encrypted Client Hello (ECH) we cannot decrypt (${f.reason ?? 'no key'}): ` +
              `a config from before a key rotation, or GREASE (a decoy). We answer this outer ClientHello, as ${outside}, ` +
              `and send our current ECH configs (retry_configs) so that a real ECH client can try again.`
            : 'The ClientHello carries an Encrypted Client Hello extension, but this server has no ECH keys: it is ignored (clients send a GREASE decoy to servers without ECH too).';
      return trace('ech', text, {
        status: f.status,
        second: f.second,
        ...(f.status === 'grease' ? {} : { outerSni: f.outerServerName ?? null }),
        ...(f.status === 'accepted' ? { innerSni: f.innerServerName ?? null } : {}),
        ...(f.reason ? { reason: f.reason } : {}),
      });
    }
    case 'ech_retry_configs_sent':
      return trace('ech', `With it went retry_configs: our current ECH config list (${f.bytes} bytes), so that the client can try ECH again on a new connection.`, {
        retryConfigsBytes: f.bytes,
      });
    case 'session_tickets_sent_13':
      return trace(
        'session_ticket',
        `Sent ${plural(f.count, 'session ticket')} (valid ${f.lifetime} s): sealed with our ticket key, ` +
          `each lets the client resume this session later without a certificate or signature.`,
        { count: f.count, lifetime: f.lifetime },
      );

    // ------------------------------------------------------------------ TLS 1.2 client
    case 'server_hello_received_12':
      return trace(
        'server_hello',
        `The server answered with ServerHello: it chose TLSv1.2 and the cipher suite ${suiteName(f.suite)}` +
          (f.resumed ? ', and agreed to resume our earlier session (it echoed the session id we sent), so no certificate or key exchange follows' : '') +
          `. ${f.extendedMasterSecret ? 'It supports the extended master secret (RFC 7627): the session keys will be bound to this exact handshake.' : 'It does NOT support the extended master secret (RFC 7627): allowed only because requireExtendedMasterSecret is false.'}` +
          ` It signals secure renegotiation (RFC 5746).` +
          (f.encryptThenMac ? ' CBC records will be encrypted then MACed (RFC 7366).' : '') +
          (f.alpn ? ` Application protocol: '${f.alpn}'.` : ''),
        {
          version: 'TLSv1.2',
          cipher: suiteName(f.suite),
          resumed: f.resumed,
          extendedMasterSecret: f.extendedMasterSecret,
          encryptThenMac: f.encryptThenMac,
          sessionTicket: f.sessionTicket,
          alpn: f.alpn ?? null,
        },
      );
    case 'server_key_exchange_received':
      return trace(
        'server_key_exchange',
        `Received ServerKeyExchange: a fresh ${groupName(f.group)} public key from the server, signed with its certificate key ` +
          `(${schemeName(f.scheme)}, ${describeKey(f.key)}) together with both hello randoms. The signature checks out, so the key ` +
          `really comes from the certificate's owner and belongs to this handshake. We made our own fresh key pair; together they give a ` +
          `shared premaster secret (ECDHE) that nobody watching can compute, and that is forgotten after the handshake (forward secrecy).`,
        { group: groupName(f.group), signature: schemeName(f.scheme), key: describeKey(f.key) },
      );
    case 'client_key_exchange_sent':
      return f.group !== undefined
        ? trace('client_key_exchange', `Sent ClientKeyExchange with our fresh ${groupName(f.group)} public key. Both sides now hold the same premaster secret; the ephemeral keys are thrown away, so a later theft of the server's certificate key cannot decrypt this session (forward secrecy).`, { keyExchange: 'ECDHE', group: groupName(f.group), forwardSecrecy: true })
        : trace(
            'client_key_exchange',
            `Sent ClientKeyExchange: we chose a random premaster secret and encrypted it with the server's RSA public key (RSA key transport). ` +
              `WARNING: this session has NO forward secrecy. The premaster secret was sent encrypted under the server's long-term key, so ` +
              `whoever later obtains the server's RSA private key can decrypt a recording of this whole session. ECDHE suites use fresh keys instead.`,
            { keyExchange: 'RSA', forwardSecrecy: false },
          );
    case 'client_certificate_verify_sent_12':
      return trace('client_certificate', `Sent CertificateVerify: we signed the handshake so far with ${schemeName(f.scheme)}, proving we hold our certificate's key.`, { signature: schemeName(f.scheme) });
    case 'client_keys_derived_12':
      return trace(
        'keys',
        `Derived the master secret ${f.extendedMasterSecret ? 'from the premaster secret and a hash of the whole handshake so far (extended master secret, RFC 7627)' : 'from the premaster secret and both randoms'}, ` +
          `then the record keys for ${suiteName(f.suite)}. Sent ChangeCipherSpec (from now on our records are encrypted) and our Finished, ` +
          `a MAC over every handshake message, so the server can check that nobody altered the handshake.`,
        { cipher: suiteName(f.suite), extendedMasterSecret: f.extendedMasterSecret },
      );
    case 'client_certificate_sent_12':
      return f.count !== undefined
        ? trace('client_certificate', `Sent our client certificate chain (${plural(f.count, 'certificate')}).`, { count: f.count })
        : trace(
            'client_certificate',
            f.hasCertificate ? 'Our client key is of a type, or can make no signature, that the server accepts: sent an empty Certificate.' : 'We have no client certificate: sent an empty Certificate.',
          );
    case 'server_change_cipher_spec_received':
      return trace('change_cipher_spec', 'The server sent ChangeCipherSpec: everything it sends from now on is encrypted.');
    case 'server_finished_checked_12':
      return trace(
        'finished',
        `The server's Finished matches our own computation of the handshake, so both sides saw the same messages and hold the same keys.` +
          (f.resumed ? ' We sent our ChangeCipherSpec and Finished.' : '') +
          ` From now on every byte is sealed with ${suiteName(f.suite)}.`,
        { cipher: suiteName(f.suite) },
      );
    case 'client_established_12':
      return trace(
        'established',
        `Secure connection established: TLSv1.2, ${suiteName(f.suite)}` +
          (f.group === undefined ? (f.resumed ? ', resumed' : ', RSA key transport (no forward secrecy)') : `, ${groupName(f.group)}`) +
          '.',
        {
          version: 'TLSv1.2',
          cipher: suiteName(f.suite),
          group: f.group === undefined ? null : groupName(f.group),
          signature: f.signature ?? null,
          alpn: f.alpn ?? null,
          resumed: f.resumed,
          extendedMasterSecret: f.extendedMasterSecret,
          peer: subjects(f.peer),
          ech: f.ech ?? 'none',
        },
      );
    case 'session_received_12':
      return trace(
        'session_ticket',
        f.ticket
          ? `The server gave us a session ticket (valid ${f.lifetime} s): we can resume this session later without a full handshake.`
          : 'The server assigned a session id: we can resume this session later (while the server remembers it) without a full handshake.',
        { lifetime: f.lifetime, ticket: f.ticket, sessionId: f.sessionId },
      );
    case 'hello_request_refused':
      return trace('renegotiation_refused', 'The server asked to renegotiate (HelloRequest). hush does not renegotiate: it answered with a no_renegotiation warning and the connection goes on.');

    // ------------------------------------------------------------------ TLS 1.2 server
    case 'resumption_refused_12':
      return trace('resumption', `The client asks to resume a session by ${f.by}, but we do a full handshake: ${f.reason}.`, { resumed: false, reason: f.reason });
    case 'server_hello_sent_12':
      return trace(
        'server_hello',
        `Sent ServerHello: TLSv1.2 with ${suiteName(f.suite)} (${f.preferServerCiphers ? 'our most preferred suite that the client offers' : 'the client\'s most preferred suite that we allow'}` +
          (f.group !== undefined ? `, key exchange ${groupName(f.group)}` : ', RSA key transport') +
          '). ' +
          (f.downgradeSentinel
            ? 'We also speak TLS 1.3, so the last 8 bytes of our random are "DOWNGRD\\x01": a TLS 1.3 client that sees them knows an attacker forced it down. '
            : '') +
          'The extended master secret ties the keys to this exact handshake; renegotiation_info says we refuse insecure renegotiation.' +
          (f.sessionId ? ' We give the session an ID so the client can resume it later.' : '') +
          (f.sendTicket ? ' We will send a session ticket at the end.' : ''),
        { version: 'TLSv1.2', cipher: suiteName(f.suite), group: f.group === undefined ? null : groupName(f.group), resumed: false, extendedMasterSecret: f.extendedMasterSecret },
      );
    case 'server_hello_resumed_12':
      return trace(
        'server_hello',
        `Sent ServerHello: TLSv1.2, resuming the session the client named by ${f.by} (${suiteName(f.suite)}). ` +
          'No certificate and no key exchange: both sides already share the master secret, and fresh record keys come from it and the two new randoms.',
        { version: 'TLSv1.2', cipher: suiteName(f.suite), resumed: true, by: f.by },
      );
    case 'server_certificate_sent_12':
      return trace(
        'certificate',
        `Sent our certificate '${f.subject}' (${plural(f.chainLength, 'certificate')} in the chain, ${describeKey(f.key)} key)` +
          (f.serverName !== undefined
            ? f.namesSite
              ? `, which names '${f.serverName}', the site the client asked for.`
              : `; none of our certificates for this suite names '${f.serverName}', so we send our first usable one.`
            : '.') +
          ' In TLS 1.2 it travels in the clear.',
        { subject: f.subject, key: describeKey(f.key), chainLength: f.chainLength },
      );
    case 'server_key_exchange_sent':
      return trace(
        'server_key_exchange',
        `Sent ServerKeyExchange: a fresh ${groupName(f.group)} key pair just for this connection, signed (${schemeName(f.scheme)}) ` +
          `together with both randoms, so the client knows it comes from the certificate's owner and is not replayed. ` +
          `Because the key is thrown away after the handshake, recorded traffic stays secret even if our certificate key leaks later (forward secrecy).`,
        { group: groupName(f.group), signature: schemeName(f.scheme) },
      );
    case 'certificate_request_sent_12':
      return trace('certificate_request', `Sent CertificateRequest: we ask the client for a certificate (${f.clientAuth}).`, { clientAuth: f.clientAuth });
    case 'server_hello_done_sent':
      return trace('server_hello_done', 'Sent ServerHelloDone: our half of the hello phase is complete; now the client sends its key exchange.');
    case 'client_key_exchange_received':
      return f.group !== undefined
        ? trace(
            'client_key_exchange',
            `Received the client's ephemeral ${groupName(f.group)} public key. Combined with ours it gives the premaster secret (ECDHE), which nobody watching can compute.`,
            { group: groupName(f.group) },
          )
        : trace(
            'client_key_exchange',
            'Received the premaster secret, encrypted by the client with our certificate\'s RSA key (RSA key transport), and decrypted it. ' +
              'This session has NO forward secrecy: the secret traveled encrypted under our long-term RSA key, so anyone who records ' +
              'this connection and later obtains that key can decrypt all of it. ECDHE suites avoid this.',
            { keyExchange: 'rsa', forwardSecrecy: false },
          );
    case 'server_keys_derived_12':
      return trace(
        'keys',
        `Derived the master secret from the premaster secret${f.extendedMasterSecret ? ' and a hash of the whole handshake so far (extended master secret)' : ' and both randoms'}, ` +
          'and from it the record keys for each direction.',
        { extendedMasterSecret: f.extendedMasterSecret },
      );
    case 'client_certificate_verify_checked_12':
      return trace(
        'certificate_verify',
        `The client signed the handshake messages with its private key (${schemeName(f.scheme)}, ${describeKey(f.key)}), and the signature checks out: it holds the key its certificate vouches for.`,
        { signature: schemeName(f.scheme), key: describeKey(f.key) },
      );
    case 'client_change_cipher_spec_received':
      return trace('change_cipher_spec', 'Received the client\'s ChangeCipherSpec: its next message (Finished) is encrypted with the new keys.');
    case 'client_finished_checked_12':
      return trace('finished', 'The client\'s Finished matches our own computation: both sides saw the same handshake and hold the same keys.');
    case 'session_ticket_sent_12':
      return trace(
        'session_ticket',
        `Sent a session ticket (valid ${f.lifetime} s): the session's master secret sealed with our ticket key, so the client can resume without us storing anything.`,
        { lifetime: f.lifetime },
      );
    case 'server_finished_sent_12':
      return trace(
        'finished',
        f.resumed
          ? 'Sent ChangeCipherSpec and our Finished; now we wait for the client\'s.'
          : 'Sent ChangeCipherSpec and our Finished, encrypted with our new keys: the handshake is complete.',
      );
    case 'server_established_12':
      return trace(
        'established',
        `Secure connection established: TLSv1.2, ${suiteName(f.suite)}${f.group !== undefined ? `, ${groupName(f.group)}` : ''}${f.resumed ? ', resumed' : ''}.`,
        {
          version: 'TLSv1.2',
          cipher: suiteName(f.suite),
          group: f.group === undefined ? null : groupName(f.group),
          signature: f.signature ?? null,
          alpn: f.alpn ?? null,
          resumed: f.resumed,
          sni: f.serverName ?? null,
          extendedMasterSecret: f.extendedMasterSecret,
          peer: subjects(f.peer),
          ...(f.ech && f.ech !== 'none' ? { ech: f.ech } : {}),
        },
      );
    case 'renegotiation_refused':
      return trace(
        'renegotiation',
        'The client asked to renegotiate (a new ClientHello on the established connection). hush never renegotiates: we answered with the warning no_renegotiation and the connection goes on as before.',
        { refused: true, attempts: f.attempts },
      );
  }
}

/** A version as a ClientHello lists it; unknown code points in hex. */
function versionText(v: number): string {
  return v === ProtocolVersion.TLSv1_3 ? 'TLSv1.3' : v === ProtocolVersion.TLSv1_2 ? 'TLSv1.2' : `0x${v.toString(16).padStart(4, '0')}`;
}
