// Encrypted Client Hello on the server (RFC 9849 §7), in "shared mode": hush is both the
// client-facing server (it decrypts ClientHelloInner, §7.1) and the backend (it confirms
// acceptance, §7.2). The TLS 1.3 states (server13.ts) call in here with every ClientHello they
// receive and continue with the hello this returns: the inner one when ECH is accepted, the outer
// one otherwise.
import { TlsError, UsageError, decodeError, illegalParameter } from '../../errors/errors.js';
import { Reader, equal } from '../../bytes/index.js';
import type { CryptoProvider, HashName } from '../../crypto/provider.js';
import { ExtensionType, ProtocolVersion } from '../../wire/enums.js';
import { setupBaseRecipient, type HpkeContext } from '../../hpke/context.js';
import { DhKem } from '../../hpke/kem.js';
import { hpkeKem } from '../../hpke/suite.js';
import type { EchServerOptions } from '../config.js';
import type { EchStatus } from '../events.js';
import { decodeClientHello, encodeClientHello, type ClientHelloView } from '../messages/client-hello.js';
import { readExtensions, type Extension } from '../messages/extensions.js';
import { decodeServerNameHostName } from '../messages/ext-server-name.js';
import { decodeSupportedVersionsClientExt } from '../messages/ext-lists.js';
import {
  ECH_VERSION,
  chooseEchSuite,
  decodeEchConfigList,
  encodeEchConfigList,
  echConfigUnusableReason,
  echHpkeInfo,
  type EchConfig,
  type HpkeSymmetricCipherSuite,
} from '../ech/ech-config.js';
import {
  EchClientHelloType,
  decodeEchClientHello,
  decodeEchOuterExtensions,
  echOuterPayloadOffset,
  encodeEchRetryConfigs,
} from '../ech/ech-extensions.js';
import { SERVER_HELLO_CONFIRMATION_OFFSET, echConfirmation } from '../ech/ech-confirmation.js';

/** One usable key: its ECHConfig (parsed, with its exact bytes) and the HPKE private key. */
export interface ResolvedEchKey {
  readonly config: EchConfig;
  readonly privateKey: Uint8Array;
  /** SetupBaseR's info: "tls ech" || 0x00 || ECHConfig (§7.1). */
  readonly info: Uint8Array;
  readonly sendAsRetry: boolean;
}

/** A server's ECH keys, checked once per config. */
export interface ResolvedEch {
  readonly keys: readonly ResolvedEchKey[];
  /** The ECHConfigList of the sendAsRetry keys: what EncryptedExtensions carries on rejection (§7.1). */
  readonly retryConfigs: Uint8Array;
}


/** Check the configured keys (UsageError for anything unusable) and build the retry list. */
export function resolveEch(provider: CryptoProvider, options: EchServerOptions | undefined): ResolvedEch | undefined {
  if (options === undefined) return undefined;
  if (!options.keys || options.keys.length === 0) throw new UsageError('ech.keys is empty: give at least one { config, privateKey }');
  const keys = options.keys.map((k, i): ResolvedEchKey => {
    const what = `ech.keys[${i}]`;
    if (!(k.config instanceof Uint8Array) || !(k.privateKey instanceof Uint8Array)) {
      throw new UsageError(`${what}: config and privateKey must be Uint8Arrays (an encoded ECHConfig and its HPKE private key)`);
    }
    let config: EchConfig;
    try {
      const entries = decodeEchConfigList(encodeEchConfigList([k.config]));
      const only = entries[0];
      if (entries.length !== 1 || only === undefined || only.version !== ECH_VERSION || only.contents === undefined) {
        throw new Error(`it is not one ECHConfig of version 0x${ECH_VERSION.toString(16)}`);
      }
      config = only as EchConfig;
    } catch (e) {
      throw new UsageError(`${what}.config cannot be used: ${(e as Error).message}`);
    }
    const unusable = echConfigUnusableReason(config.contents);
    // Go's client (crypto/tls validDNSName) silently ignores a config whose public_name has one label.
    if (!unusable && !config.contents.publicName.includes('.')) {
      throw new UsageError(`${what}.config: public_name '${config.contents.publicName}' has a single label; clients such as Go's ignore such a config (use a name like public.example)`);
    }
    if (unusable) throw new UsageError(`${what}.config cannot be used: ${unusable}`);
    const kem = hpkeKem(config.contents.kem);
    if (!kem) throw new UsageError(`${what}.config: KEM 0x${config.contents.kem.toString(16)} is not one hush implements`);
    let publicKey: Uint8Array;
    try {
      publicKey = new DhKem(provider, kem).keyPair(k.privateKey).publicKey;
    } catch (e) {
      throw new UsageError(`${what}.privateKey is not a private key for the config's KEM: ${(e as Error).message}`);
    }
    if (!equal(publicKey, config.contents.publicKey)) throw new UsageError(`${what}.privateKey does not belong to the config's public_key`);
    const info = echHpkeInfo(config.raw);
    return { config, privateKey: k.privateKey, info, sendAsRetry: options.keys[i]!.sendAsRetry !== false };
  });
  const retry = keys.filter((k) => k.sendAsRetry);
  // §7.1: a server with ECH keys MUST send retry_configs with "one or more" configs on rejection.
  if (retry.length === 0) throw new UsageError('ech.keys: at least one key must have sendAsRetry (its config is sent when ECH is rejected)');
  return { keys, retryConfigs: encodeEchConfigList(retry.map((k) => k.config.raw)) };
}

/** ECH as decided on the first ClientHello, carried to the second after a HelloRetryRequest. */
export type EchState =
  | { readonly status: 'none' | 'grease' }
  | { readonly status: 'rejected'; readonly outerServerName: string | undefined }
  | {
      readonly status: 'accepted';
      readonly outerServerName: string | undefined;
      readonly key: ResolvedEchKey;
      readonly suite: HpkeSymmetricCipherSuite;
      /** The HPKE context: the second ClientHelloInner is opened with it (§7.1.1). */
      readonly context: HpkeContext;
      /** Set once we sent a HelloRetryRequest: its confirmation extension (§7.2.1), to rebuild it for the transcript. */
      readonly hrrConfirmation?: Uint8Array;
    };

export const NO_ECH: EchState = { status: 'none' };

/** What a ClientHello turned into: the hello to continue with, and the ECH state. */
export interface EchResult {
  readonly hello: ClientHelloView;
  readonly ech: EchState;
  /** Why an outer ECH extension was not accepted (for the narration). */
  readonly reason?: 'no key with its config_id' | 'it did not decrypt' | 'not retried after HelloRetryRequest';
}

function outerName(hello: ClientHelloView): string | undefined {
  const sni = hello.extension(ExtensionType.server_name);
  if (sni === undefined) return undefined;
  try {
    return decodeServerNameHostName(sni)?.toLowerCase();
  } catch {
    return undefined; // the outer hello's own checks report it when it is the one we continue with
  }
}

/** §7.1: the first ClientHello. Decrypt ClientHelloInner with the key its config_id names. */
export function echFirstHello(provider: CryptoProvider, ech: ResolvedEch | undefined, outer: ClientHelloView): EchResult {
  const data = outer.extension(ExtensionType.encrypted_client_hello);
  if (data === undefined) return { hello: outer, ech: NO_ECH };
  // A server without ECH keys is a server that does not support ECH: it ignores the extension.
  if (ech === undefined) return { hello: outer, ech: { status: 'grease' } };
  const ext = decodeEchClientHello(data);
  // §7: only a ClientHelloOuter travels in the clear; an inner extension here is the client's error.
  if (ext.type === EchClientHelloType.inner) {
    throw illegalParameter('the ClientHello sent in the clear carries an inner encrypted_client_hello extension (RFC 9849 §7)');
  }
  const outerServerName = outerName(outer);
  // §7.1: candidates by config_id, each tried in turn; a failure moves on to the next.
  const candidates = ech.keys.filter((k) => k.config.contents.configId === ext.configId);
  let aad: Uint8Array | undefined;
  for (const key of candidates) {
    // §7.1: the config must list the client's cipher suite (and we must implement it).
    const suite = key.config.contents.cipherSuites.find((s) => s.kdf === ext.cipherSuite.kdf && s.aead === ext.cipherSuite.aead);
    if (!suite || chooseEchSuite({ ...key.config.contents, cipherSuites: [suite] }) === undefined) continue;
    let context: HpkeContext;
    try {
      context = setupBaseRecipient(provider, { kem: key.config.contents.kem, kdf: suite.kdf, aead: suite.aead }, ext.enc, key.privateKey, key.info);
    } catch (e) {
      if (e instanceof TlsError) continue; // a malformed enc: decryption fails
      throw e;
    }
    aad ??= outerAad(outer, data);
    const encoded = context.open(aad, ext.payload);
    if (encoded === null) continue;
    const inner = decodeClientHelloInner(encoded, outer);
    return { hello: inner, ech: { status: 'accepted', outerServerName, key, suite, context } };
  }
  // §7.1: decryption failed (GREASE, or a config we no longer hold): continue with the outer hello.
  return {
    hello: outer,
    ech: { status: 'rejected', outerServerName },
    reason: candidates.length === 0 ? 'no key with its config_id' : 'it did not decrypt',
  };
}

/** §7.1.1: the second ClientHello, after our HelloRetryRequest. */
export function echSecondHello(first: EchState, outer: ClientHelloView): EchResult {
  const data = outer.extension(ExtensionType.encrypted_client_hello);
  if (first.status !== 'accepted') {
    // The second hello is not decrypted; with an ECH extension now it is a rejection all the same.
    if (data !== undefined && first.status === 'none') return { hello: outer, ech: { status: 'rejected', outerServerName: outerName(outer) }, reason: 'not retried after HelloRetryRequest' };
    return { hello: outer, ech: first };
  }
  if (data === undefined) {
    throw new TlsError('missing_extension', 'the second ClientHello has no encrypted_client_hello extension, but ECH was accepted on the first (RFC 9849 §7.1.1)');
  }
  const ext = decodeEchClientHello(data);
  if (ext.type !== EchClientHelloType.outer) throw illegalParameter('the second ClientHelloOuter carries an inner encrypted_client_hello extension');
  if (ext.configId !== first.key.config.contents.configId || ext.cipherSuite.kdf !== first.suite.kdf || ext.cipherSuite.aead !== first.suite.aead) {
    throw illegalParameter('the second ClientHelloOuter changed the ECH config_id or cipher suite (RFC 9849 §7.1.1)');
  }
  if (ext.enc.length !== 0) throw illegalParameter('the second ClientHelloOuter carries an ECH enc; it must be empty after HelloRetryRequest (RFC 9849 §7.1.1)');
  const encoded = first.context.open(outerAad(outer, data), ext.payload);
  if (encoded === null) throw new TlsError('decrypt_error', 'the second ClientHelloInner does not decrypt with the first one\'s HPKE context (RFC 9849 §7.1.1)');
  return { hello: decodeClientHelloInner(encoded, outer), ech: { ...first, outerServerName: outerName(outer) } };
}

/** §5.2: ClientHelloOuterAAD is the ClientHelloOuter (no handshake header) with the payload zeroed. */
function outerAad(outer: ClientHelloView, echData: Uint8Array): Uint8Array {
  const zeroed = echData.slice();
  zeroed.fill(0, echOuterPayloadOffset(echData));
  const extensions = outer.extensions.map((e) => (e.type === ExtensionType.encrypted_client_hello ? { type: e.type, data: zeroed } : e));
  return encodeClientHello({ ...outer, extensions }).subarray(4);
}

/**
 * §5.1: EncodedClientHelloInner → ClientHelloInner. The padding must be zeros, the session id is
 * the outer one's, and ech_outer_extensions is replaced by the outer extensions it names — each
 * present in the outer hello, none twice, not encrypted_client_hello, in the outer hello's order.
 * Then §7.1: the inner hello carries the inner encrypted_client_hello and offers only TLS 1.3+.
 */
export function decodeClientHelloInner(encoded: Uint8Array, outer: ClientHelloView): ClientHelloView {
  const r = new Reader(encoded, 'EncodedClientHelloInner');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vector(1, 'legacy_session_id', 0, 32);
  // §5.1: the client sends it empty; the server copies the outer one's.
  if (sessionId.length !== 0) throw illegalParameter('EncodedClientHelloInner: legacy_session_id must be empty (RFC 9849 §5.1)');
  const cipherSuites = r.u16List(2, 'cipher_suites', 1);
  const compressionMethods = [...r.vector(1, 'legacy_compression_methods', 1)];
  if (r.atEnd) throw decodeError('EncodedClientHelloInner has no extensions (a TLS 1.3 ClientHello must have them)');
  const encodedExtensions = readExtensions(r, 'EncodedClientHelloInner extensions');
  // §5.1: "If any padding byte is non-zero, the server MUST abort the connection with an illegal_parameter alert."
  for (const b of r.rest()) if (b !== 0) throw illegalParameter('EncodedClientHelloInner: a padding byte is not zero (RFC 9849 §5.1)');

  const extensions: Extension[] = [];
  for (const e of encodedExtensions) {
    if (e.type !== ExtensionType.ech_outer_extensions) {
      extensions.push(e);
      continue;
    }
    extensions.push(...expandOuterExtensions(decodeEchOuterExtensions(e.data), outer));
  }
  // Re-encode and decode as an ordinary ClientHello: every ClientHello rule applies (an extension
  // both in the inner hello and copied from the outer one is a duplicate → illegal_parameter).
  const raw = encodeClientHello({ legacyVersion, random, legacySessionId: outer.legacySessionId, cipherSuites, compressionMethods, extensions });
  const inner = decodeClientHello(raw.subarray(4), raw);

  // §7.1: "checks that the message includes a well-formed encrypted_client_hello extension of type inner".
  const innerEch = inner.extension(ExtensionType.encrypted_client_hello);
  if (innerEch === undefined) throw illegalParameter('ClientHelloInner has no encrypted_client_hello extension of type inner (RFC 9849 §7.1)');
  if (innerEch.length !== 1 || innerEch[0] !== EchClientHelloType.inner) {
    throw illegalParameter('ClientHelloInner\'s encrypted_client_hello extension is not a well-formed one of type inner (RFC 9849 §7.1)');
  }
  // §7.1: "and that it does not offer TLS 1.2 or below" (GREASE values aside, RFC 8701).
  const sv = inner.extension(ExtensionType.supported_versions);
  const versions = sv === undefined ? [] : decodeSupportedVersionsClientExt(sv);
  const real = versions.filter((v) => !isGrease(v));
  if (!real.includes(ProtocolVersion.TLSv1_3) || real.some((v) => v < ProtocolVersion.TLSv1_3)) {
    throw illegalParameter('ClientHelloInner offers TLS 1.2 or below; an encrypted ClientHello must offer only TLS 1.3 (RFC 9849 §7.1)');
  }
  return inner;
}

/** §5.1: the outer extensions OuterExtensions names, in order; every rule broken is illegal_parameter. */
function expandOuterExtensions(types: readonly number[], outer: ClientHelloView): Extension[] {
  const out: Extension[] = [];
  const seen = new Set<number>();
  // §5.1: "SHOULD construct ClientHelloInner in linear time": one index of the outer extensions.
  const index = new Map<number, number>();
  outer.extensions.forEach((e, i) => index.set(e.type, i));
  let last = -1;
  for (const t of types) {
    if (t === ExtensionType.encrypted_client_hello) throw illegalParameter('ech_outer_extensions references encrypted_client_hello (RFC 9849 §5.1)');
    if (t === ExtensionType.ech_outer_extensions) throw illegalParameter('ech_outer_extensions references itself');
    if (seen.has(t)) throw illegalParameter(`ech_outer_extensions references extension ${t} twice (RFC 9849 §5.1)`);
    seen.add(t);
    const at = index.get(t) ?? -1;
    if (at < 0) throw illegalParameter(`ech_outer_extensions references extension ${t}, which the outer ClientHello does not have (RFC 9849 §5.1)`);
    if (at < last) throw illegalParameter('ech_outer_extensions lists extensions in another order than the outer ClientHello (RFC 9849 §5.1)');
    last = at;
    out.push(outer.extensions[at]!);
  }
  return out;
}

/** RFC 8701: 0x?a?a with equal bytes. */
function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v & 0xff) === v >>> 8;
}

/**
 * §7.2: the ServerHello with accept_confirmation in the last 8 bytes of its random, computed over
 * the inner transcript (`transcriptHashWith` hashes it with a ServerHello whose bytes are zero there).
 */
export function confirmServerHello(
  provider: CryptoProvider,
  hash: HashName,
  innerRandom: Uint8Array,
  serverHello: Uint8Array,
  transcriptHashWith: (message: Uint8Array) => Uint8Array,
): Uint8Array {
  const out = serverHello.slice();
  out.fill(0, SERVER_HELLO_CONFIRMATION_OFFSET, SERVER_HELLO_CONFIRMATION_OFFSET + 8);
  out.set(echConfirmation(provider, hash, innerRandom, transcriptHashWith(out), false), SERVER_HELLO_CONFIRMATION_OFFSET);
  return out;
}

/**
 * §7.2.1: the HelloRetryRequest's confirmation, over message_hash(ClientHelloInner1) and the
 * HelloRetryRequest built with 8 zero bytes in the extension (`build` makes it with the given bytes).
 */
export function hrrConfirmation(
  provider: CryptoProvider,
  hash: HashName,
  innerRandom: Uint8Array,
  messageHash: Uint8Array,
  build: (confirmation: Uint8Array) => Uint8Array,
): Uint8Array {
  const zeroed = build(new Uint8Array(8));
  const h = provider.digest(hash, concatBytes(messageHash, zeroed));
  return echConfirmation(provider, hash, innerRandom, h, true);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** §7.1: the EncryptedExtensions extension with retry_configs, when ECH was offered and not accepted. */
export function retryConfigsExtension(ech: ResolvedEch | undefined, state: EchState): Extension | undefined {
  if (ech === undefined || state.status !== 'rejected') return undefined;
  return encodeEchRetryConfigs(ech.retryConfigs);
}

/** For HandshakeInfo. */
export function echInfo(state: EchState): { ech: EchStatus; outerServerName: string | undefined } {
  return { ech: state.status, outerServerName: state.status === 'accepted' || state.status === 'rejected' ? state.outerServerName : undefined };
}
