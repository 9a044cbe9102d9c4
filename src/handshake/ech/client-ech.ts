// The client side of Encrypted Client Hello (RFC 9849 §6): choosing a config, turning the real
// ClientHello (ClientHelloInner) into the ClientHelloOuter that goes on the wire (§6.1:
// ech_outer_extensions compression §5.1, padding §6.1.3, HPKE sealing with the outer hello as
// AAD §6.1.1), telling acceptance from rejection (§6.1.4, §7.2), and GREASE (§6.2).
//
// The TLS 1.3 client states (client/client13.ts) call these at four points: building each
// ClientHello, the HelloRetryRequest, the ServerHello and EncryptedExtensions.
import { Writer } from '../../bytes/index.js';
import { AEAD_TAG_LENGTH, type CryptoProvider, type HashName } from '../../crypto/provider.js';
import { UsageError, decodeError } from '../../errors/index.js';
import { setupBaseSender, type HpkeContext } from '../../hpke/context.js';
import type { Transcript } from '../../schedule/transcript.js';
import { ExtensionType, NamedGroup } from '../../wire/enums.js';
import { decodeClientHello, encodeClientHello, type ClientHello } from '../messages/client-hello.js';
import { encodeServerNameExt } from '../messages/ext-server-name.js';
import { decodePreSharedKeyClientExt, encodePreSharedKeyClientExt, type PskIdentity } from '../messages/ext-pre-shared-key.js';
import { writeExtensions, type Extension } from '../messages/extensions.js';
import { chooseEchSuite, decodeEchConfigList, echConfigsOf, echConfigUnusableReason, echHpkeInfo, type EchConfig, type HpkeSymmetricCipherSuite } from './ech-config.js';
import type { EchStatus } from '../events.js';
import { echConfirmation, serverHelloConfirmation, zeroHrrConfirmation, zeroServerHelloConfirmation } from './ech-confirmation.js';
import { decodeEchHrrConfirmation, decodeEchRetryConfigs, encodeEchClientHello, encodeEchOuterExtensions, EchClientHelloType } from './ech-extensions.js';
import { constantTimeEqual } from '../../bytes/util.js';



/** Extensions never copied from inner to outer: the name, the ECH marker, and what resumes the session (§6.1.2). */
const NOT_COPIED = new Set<number>([
  ExtensionType.server_name,
  ExtensionType.encrypted_client_hello,
  ExtensionType.pre_shared_key,
  ExtensionType.early_data,
]);

/** The config the client uses, from a user-supplied ECHConfigList. */
export interface ChosenEchConfig {
  readonly config: EchConfig;
  readonly suite: HpkeSymmetricCipherSuite;
}

/**
 * §6.1: the first config of the list that hush can use (version 0xfe0d, a supported HPKE suite,
 * a valid public_name, no unknown mandatory extension). None usable is a UsageError: hush never
 * falls back to sending the real name in the clear.
 */
export function chooseEchConfig(echConfigList: Uint8Array): ChosenEchConfig {
  let entries;
  try {
    entries = decodeEchConfigList(echConfigList);
  } catch (e) {
    throw new UsageError(`echConfigList is not a valid ECHConfigList: ${e instanceof Error ? e.message : String(e)}`);
  }
  const reasons: string[] = [];
  for (const config of echConfigsOf(entries)) {
    const why = echConfigUnusableReason(config.contents);
    const suite = chooseEchSuite(config.contents);
    if (why === undefined && suite) return { config, suite };
    reasons.push(`config ${config.contents.configId}: ${why ?? 'no usable suite'}`);
  }
  const skipped = entries.length - echConfigsOf(entries).length;
  if (skipped > 0) reasons.push(`${skipped} config(s) of another version than 0xfe0d`);
  throw new UsageError(`no usable ECH config in echConfigList (${reasons.join('; ')}); the connection was not attempted, so the name was not sent in the clear`);
}

/**
 * What ClientHelloOuter offers beyond ClientHelloInner. §6.1: the inner hello MUST NOT offer TLS 1.2
 * or below; the outer one MUST offer TLS 1.3 and MAY offer TLS 1.2 too (a TLS 1.2 answer is then a
 * rejection, §6.1.4, handled as §6.1.6 says). Its supported_versions, cipher_suites and the TLS 1.2
 * extensions replace or join those copied from the inner hello.
 */
export interface OuterWidening {
  readonly supportedVersions: Extension;
  readonly cipherSuites: readonly number[];
  readonly extensions: readonly Extension[];
}

/**
 * One ECH attempt, for the whole handshake: the chosen config, the HPKE sender context (reused
 * for the second ClientHello after HelloRetryRequest, §6.1.5), and the outer random.
 */
export class EchClient {
  readonly publicName: string;
  readonly configId: number;
  private readonly context: HpkeContext;
  private readonly enc: Uint8Array;
  /** ClientHelloOuter.random (ClientHelloInner keeps the handshake's own random). */
  readonly outerRandom: Uint8Array;
  /** §6.1.2: the GREASE PSK identities of the first ClientHelloOuter, kept for the second one. */
  private greaseIdentities: readonly PskIdentity[] | undefined;

  constructor(
    private readonly provider: CryptoProvider,
    readonly chosen: ChosenEchConfig,
  ) {
    const c = chosen.config.contents;
    this.publicName = c.publicName;
    this.configId = c.configId;
    // §6.1: info = "tls ech" ‖ 0x00 ‖ ECHConfig (the whole structure as received).
    const { enc, context } = setupBaseSender(provider, { kem: c.kem, kdf: chosen.suite.kdf, aead: chosen.suite.aead }, c.publicKey, echHpkeInfo(chosen.config.raw));
    this.enc = enc;
    this.context = context;
    this.outerRandom = provider.randomBytes(32);
  }

  /**
   * The HPKE KEM shared_secret of this attempt (RFC 9180 §5.1.1), for the ECH_SECRET key-log line
   * (RFC 9850 §2.3); the ECHConfig it was made for is `chosen.config.raw` (ECH_CONFIG).
   */
  get sharedSecret(): Uint8Array {
    return this.context.schedule.sharedSecret;
  }

  /** The marker ClientHelloInner carries (§5). */
  static innerExtension(): Extension {
    return encodeEchClientHello({ type: EchClientHelloType.inner });
  }

  /**
   * ClientHelloOuter for an encoded ClientHelloInner message (header included). The first
   * ClientHello carries the HPKE enc; the second (after HelloRetryRequest) an empty one (§6.1.5).
   */
  sealOuter(innerMessage: Uint8Array, second: boolean, widening?: OuterWidening): { readonly message: Uint8Array; readonly offered: ReadonlySet<number>; readonly extension: Extension } {
    const inner = decodeClientHello(innerMessage.subarray(4), innerMessage);
    const outerExtensions = this.outerExtensions(inner.extensions, widening);
    const encoded = encodeInner(inner, outerExtensions, this.chosen.config.contents.maximumNameLength);
    const enc = second ? new Uint8Array(0) : this.enc;
    const placeholder = encodeEchClientHello({
      type: EchClientHelloType.outer,
      cipherSuite: this.chosen.suite,
      configId: this.configId,
      enc,
      payload: new Uint8Array(encoded.length + AEAD_TAG_LENGTH),
    });
    // RFC 8446 §4.2.11: pre_shared_key (here GREASE, §6.1.2) stays last, after encrypted_client_hello.
    const psk = this.greasePsk(inner.extensions);
    const outer: ClientHello = {
      legacyVersion: inner.legacyVersion,
      random: this.outerRandom,
      // §6.1: the same legacy_session_id (the server copies it into the inner hello, §5.1).
      legacySessionId: inner.legacySessionId,
      cipherSuites: widening?.cipherSuites ?? inner.cipherSuites,
      compressionMethods: inner.compressionMethods,
      extensions: psk ? [...outerExtensions, placeholder, psk] : [...outerExtensions, placeholder],
    };
    const message = encodeClientHello(outer);
    // §5.2: AAD = the ClientHelloOuter structure (no handshake header) with a zero payload (and the
    // GREASE PSK as sent: its binder is random, not computed over the hello).
    const payload = this.context.seal(message.subarray(4), encoded);
    // The payload is the last field of encrypted_client_hello, which only the GREASE PSK follows.
    const echEnd = message.length - (psk ? 4 + psk.data.length : 0);
    message.set(payload, echEnd - payload.length);
    const extension = { type: ExtensionType.encrypted_client_hello, data: message.slice(echEnd - placeholder.data.length, echEnd) };
    return { message, offered: new Set(outer.extensions.map((e) => e.type)), extension };
  }

  /**
   * A second ClientHelloOuter after a HelloRetryRequest that rejected ECH: the updated hello
   * (from the second inner one, minus what stays secret) with the first encrypted_client_hello
   * extension copied unchanged, as Go's client does.
   */
  rebuildOuter(innerMessage: Uint8Array, firstExtension: Extension, widening?: OuterWidening): { readonly message: Uint8Array; readonly offered: ReadonlySet<number> } {
    const inner = decodeClientHello(innerMessage.subarray(4), innerMessage);
    const psk = this.greasePsk(inner.extensions);
    const extensions = [...this.outerExtensions(inner.extensions, widening), firstExtension, ...(psk ? [psk] : [])];
    const message = encodeClientHello({ ...inner, random: this.outerRandom, cipherSuites: widening?.cipherSuites ?? inner.cipherSuites, extensions });
    return { message, offered: new Set(extensions.map((e) => e.type)) };
  }

  /** The outer hello's extensions (without encrypted_client_hello and pre_shared_key). */
  private outerExtensions(inner: readonly Extension[], widening: OuterWidening | undefined): Extension[] {
    return outerExtensionsOf(encodeServerNameExt(this.publicName), inner, widening);
  }

  /**
   * §6.1.2: when ClientHelloInner offers a PSK, ClientHelloOuter carries a GREASE pre_shared_key:
   * random identities of the same lengths, random ages and binders of the same lengths (a second
   * ClientHello keeps the first one's identities and ages, as a real PSK offer does; new binders).
   */
  private greasePsk(inner: readonly Extension[]): Extension | undefined {
    const real = inner.find((e) => e.type === ExtensionType.pre_shared_key);
    if (real === undefined) return undefined;
    const offered = decodePreSharedKeyClientExt(real.data);
    const random = (n: number): Uint8Array => this.provider.randomBytes(n);
    this.greaseIdentities ??= offered.identities.map((id) => {
      const age = random(4);
      return { identity: random(id.identity.length), obfuscatedTicketAge: ((age[0]! << 24) | (age[1]! << 16) | (age[2]! << 8) | age[3]!) >>> 0 };
    });
    return encodePreSharedKeyClientExt({ identities: this.greaseIdentities, binders: offered.binders.map((b) => random(b.length)) });
  }
}

/**
 * ClientHelloOuter's extensions for ClientHelloInner's (without encrypted_client_hello and
 * pre_shared_key): `sni` (the public name) for the real name, no PSK (§6.1.2); with a widening,
 * its supported_versions instead of the inner one and its TLS 1.2 extensions appended.
 */
function outerExtensionsOf(sni: Extension, inner: readonly Extension[], widening: OuterWidening | undefined): Extension[] {
  const out: Extension[] = [];
  for (const e of inner) {
    if (e.type === ExtensionType.server_name) out.push(sni);
    else if (e.type === ExtensionType.supported_versions && widening) out.push(widening.supportedVersions);
    else if (!NOT_COPIED.has(e.type)) out.push(e);
  }
  if (!inner.some((e) => e.type === ExtensionType.server_name)) out.unshift(sni);
  if (widening) out.push(...widening.extensions);
  return out;
}

/**
 * EncodedClientHelloInner (§5.1): the inner hello with an empty legacy_session_id, its longest
 * run of extensions identical in the outer hello replaced by one ech_outer_extensions, then zero
 * padding (§6.1.3).
 */
export function encodeInner(inner: ClientHello, outerExtensions: readonly Extension[], maximumNameLength: number): Uint8Array {
  const sameInOuter = (e: Extension): boolean => outerExtensions.some((o) => o.type === e.type && o.data === e.data);
  // The longest run of consecutive copyable extensions: the server puts them back in place of
  // ech_outer_extensions, in the outer order, which is ours (§5.1).
  let best = { start: 0, length: 0 };
  for (let i = 0; i < inner.extensions.length; ) {
    let j = i;
    while (j < inner.extensions.length && sameInOuter(inner.extensions[j]!)) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const extensions =
    best.length < 1
      ? inner.extensions
      : [
          ...inner.extensions.slice(0, best.start),
          encodeEchOuterExtensions(inner.extensions.slice(best.start, best.start + best.length).map((e) => e.type)),
          ...inner.extensions.slice(best.start + best.length),
        ];
  const w = new Writer(512);
  w.u16(inner.legacyVersion);
  w.bytes(inner.random);
  w.vector(1, new Uint8Array(0));
  w.u16List(2, inner.cipherSuites);
  w.vector(1, new Uint8Array(inner.compressionMethods));
  writeExtensions(w, extensions);
  const body = w.view();
  const serverName = sniLength(inner.extensions);
  return padInner(body, serverName, maximumNameLength);
}

/** The host_name length of a server_name extension body, or undefined when there is none. */
function sniLength(extensions: readonly Extension[]): number | undefined {
  const sni = extensions.find((e) => e.type === ExtensionType.server_name);
  // server_name_list<2> ‖ name_type(1) ‖ host_name<2>: the name is what follows 5 bytes.
  return sni === undefined ? undefined : Math.max(0, sni.data.length - 5);
}

/**
 * §6.1.3: max(0, L − D) bytes for a name of length D (L + 9 without a name), then up to the next
 * multiple of 32 bytes. Returns the encoded body followed by the zero padding.
 */
export function padInner(body: Uint8Array, nameLength: number | undefined, maximumNameLength: number): Uint8Array {
  let padding = nameLength === undefined ? maximumNameLength + 9 : Math.max(0, maximumNameLength - nameLength);
  const l = body.length + padding;
  padding += 31 - ((l - 1) % 32);
  const out = new Uint8Array(body.length + padding);
  out.set(body);
  return out;
}

/**
 * §6.1.4: did the server accept? ServerHello: its random's last 8 bytes are the
 * accept_confirmation over the inner transcript (with those bytes zeroed).
 */
export function serverHelloAcceptsEch(
  provider: CryptoProvider,
  hash: HashName,
  innerRandom: Uint8Array,
  innerTranscript: Transcript,
  serverHello: Uint8Array,
): boolean {
  innerTranscript.selectHash(hash);
  const expected = echConfirmation(provider, hash, innerRandom, innerTranscript.hashWith(zeroServerHelloConfirmation(serverHello)), false);
  return constantTimeEqual(expected, serverHelloConfirmation(serverHello));
}

/**
 * §6.1.4 / §7.2.1: did a HelloRetryRequest accept? Without the extension it rejected; a body
 * other than 8 bytes is a decode_error. `innerTranscript` must already hold
 * message_hash(ClientHelloInner1) (the HelloRetryRequest is not added here).
 */
export function helloRetryRequestAcceptsEch(
  provider: CryptoProvider,
  hash: HashName,
  innerRandom: Uint8Array,
  innerTranscript: Transcript,
  hrr: Uint8Array,
  extension: Uint8Array | undefined,
): boolean {
  if (extension === undefined) return false;
  const confirmation = decodeEchHrrConfirmation(extension);
  const zeroed = zeroHrrConfirmation(hrr);
  if (zeroed === undefined) throw decodeError('HelloRetryRequest: malformed encrypted_client_hello extension');
  const expected = echConfirmation(provider, hash, innerRandom, innerTranscript.hashWith(zeroed), true);
  return constantTimeEqual(expected, confirmation);
}

/**
 * The retry_configs of EncryptedExtensions after a rejection (§6.1.6: malformed → decode_error).
 * Returned only when one of them is a version hush supports (else undefined: "ECH is securely
 * disabled").
 */
export function retryConfigsFrom(data: Uint8Array): Uint8Array | undefined {
  const { raw, entries } = decodeEchRetryConfigs(data);
  return echConfigsOf(entries).length > 0 ? raw.slice() : undefined;
}

/** What a GREASE encrypted_client_hello (§6.2) draws before the ClientHello is built: a random config_id and a real X25519 enc. */
export interface EchGrease {
  readonly configId: number;
  readonly enc: Uint8Array;
}

export function makeEchGrease(provider: CryptoProvider): EchGrease {
  const kx = provider.keyExchange(NamedGroup.x25519);
  const enc = kx ? kx.generate().publicKey : provider.randomBytes(32);
  return { configId: provider.randomBytes(1)[0]!, enc };
}

/**
 * The maximum_name_length a GREASE payload is padded for (§6.1.3): a GREASE client has no
 * ECHConfig; 0 is what `hush ech keys` publishes, so a GREASE hello has the payload length of a
 * real one to such a server (a config with a larger M pads real payloads more).
 */
export const GREASE_MAXIMUM_NAME_LENGTH = 0;

/**
 * §6.2: the payload length a real ECH offer would have with this ClientHelloInner: its
 * EncodedClientHelloInner (compressed against the outer hello hush would build, padded as §6.1.3
 * says for `maximumNameLength`) plus the AEAD tag (AES-128-GCM, the suite GREASE names).
 */
export function echPayloadLength(innerMessage: Uint8Array, widening: OuterWidening | undefined, maximumNameLength = GREASE_MAXIMUM_NAME_LENGTH): number {
  const inner = decodeClientHello(innerMessage.subarray(4), innerMessage);
  // The name's length does not matter here: server_name is never compressed.
  const outer = outerExtensionsOf(encodeServerNameExt('x'), inner.extensions, widening);
  return encodeInner(inner, outer, maximumNameLength).length + AEAD_TAG_LENGTH;
}

/**
 * A GREASE encrypted_client_hello (§6.2): a random config_id, a real-looking X25519 enc and a
 * random payload of `payloadLength` bytes (echPayloadLength: what a real one would be); the server
 * cannot decrypt it and ignores it.
 */
export function greaseEchExtension(provider: CryptoProvider, grease: EchGrease, payloadLength: number): Extension {
  const payload = provider.randomBytes(payloadLength);
  return encodeEchClientHello({ type: EchClientHelloType.outer, cipherSuite: { kdf: 1, aead: 1 }, configId: grease.configId, enc: grease.enc, payload });
}

/** What the handshake learned about ECH, from ServerHello on. */
export interface EchOutcome {
  readonly status: EchStatus;
  /** The config's public_name (real ECH only). */
  readonly publicName: string | undefined;
  /** After a rejection: the retry_configs of EncryptedExtensions, when usable. */
  readonly retryConfigs: Uint8Array | undefined;
}

/** A ClientHello sent with real ECH: the inner hello behind the outer one on the wire. */
export interface EchHello {
  readonly client: EchClient;
  /** Extension types ClientHelloInner carried (EncryptedExtensions may answer those once accepted). */
  readonly innerOffered: ReadonlySet<number>;
  /** The transcript as if ClientHelloInner had been sent (§6.1.4: used once the server accepts). */
  readonly innerTranscript: Transcript;
  /** The encrypted_client_hello extension of the first ClientHelloOuter. */
  readonly outerExtension: Extension;
  /** For the second ClientHello: whether the HelloRetryRequest accepted ECH. */
  readonly acceptedAtHrr: boolean | undefined;
}
