// An ECH client made by hand for the server's tests (RFC 9849 §5, §6): hush's ordinary client
// sends ClientHelloInner (with the inner encrypted_client_hello extension); EchWrapper seals it into
// a ClientHelloOuter on the wire, as an ECH client would, so the server decrypts it and the ordinary
// client completes the handshake on the inner transcript. Every step can be bent to build the
// malformed hellos of the negative tests.
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { setupBaseSender, hpkeGenerateKeyPair, type HpkeContext } from '../../src/hpke/context.js';
import { encodeEchConfig, encodeEchConfigList } from '../../src/handshake/ech/ech-config.js';
import { encodeEchClientHello, encodeEchOuterExtensions, echOuterPayloadOffset } from '../../src/handshake/ech/ech-extensions.js';
import { decodeClientHello, encodeClientHello, type ClientHello } from '../../src/handshake/messages/client-hello.js';
import { encodeServerNameExt } from '../../src/handshake/messages/ext-server-name.js';
import type { Extension } from '../../src/handshake/messages/extensions.js';
import type { EchServerKey } from '../../src/handshake/config.js';
import { utf8 } from '../../src/bytes/util.js';
import { ContentType, ExtensionType } from '../../src/wire/enums.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import { ProtocolVersion } from '../../src/wire/enums.js';

export const KEM_X25519 = 0x0020;
export const SUITE = { kdf: 0x0001, aead: 0x0001 } as const;

/** A fresh X25519 ECH key whose config names `publicName`. */
export function makeEchKey(configId: number, publicName = 'public.test', sendAsRetry = true): EchServerKey {
  const { sk, pk } = hpkeGenerateKeyPair(provider, KEM_X25519);
  const config = encodeEchConfig({ configId, kem: KEM_X25519, publicKey: pk, cipherSuites: [SUITE], maximumNameLength: 0, publicName, extensions: [] });
  return { config, privateKey: sk, sendAsRetry };
}

export function configList(...keys: EchServerKey[]): Uint8Array {
  return encodeEchConfigList(keys.map((k) => k.config));
}

/** The inner encrypted_client_hello extension (§5): type inner, nothing else. */
export const INNER_ECH: Extension = { type: ExtensionType.encrypted_client_hello, data: new Uint8Array([1]) };

export interface WrapOptions {
  /** Extension types to compress with ech_outer_extensions (they stay in the outer hello, same order). */
  compress?: readonly number[];
  /** Replace the ech_outer_extensions body outright (negative tests). */
  outerExtensionsBody?: Uint8Array;
  /** Zero bytes of padding after the encoded inner hello (default 7). */
  padding?: number;
  /** Change the EncodedClientHelloInner before it is sealed. */
  mutateEncoded?: (encoded: Uint8Array) => Uint8Array;
  /** Change the inner hello (decoded) before it is encoded. */
  mutateInner?: (inner: ClientHello) => ClientHello;
  /** The outer extension's config_id (default: the key's). */
  configId?: number;
  /** Corrupt the payload after sealing. */
  corruptPayload?: boolean;
  /** Send an enc in the second hello (illegal). */
  encOnSecond?: boolean;
  /** Leave out the ECH extension from the outer hello altogether (second hello tests). */
  dropEch?: boolean;
  /** Put an inner-type extension in the outer hello instead. */
  innerTypeOnOuter?: boolean;
}

/** Seals each ClientHelloInner the client sends into a ClientHelloOuter, with one HPKE context per connection. */
export class EchWrapper {
  private context: HpkeContext | undefined;
  private enc: Uint8Array = new Uint8Array(0);
  hellos = 0;
  constructor(
    readonly key: EchServerKey,
    readonly configId: number,
    readonly publicName = 'public.test',
    readonly options: (n: number) => WrapOptions = () => ({}),
  ) {}

  /** A ClientHelloInner message (header included) → the ClientHelloOuter message. */
  wrap(innerMessage: Uint8Array): Uint8Array {
    const n = ++this.hellos;
    const o = this.options(n);
    let inner: ClientHello = decodeClientHello(innerMessage.subarray(4));
    if (o.mutateInner) inner = o.mutateInner(inner);
    const compress = o.compress ?? [];
    // §5.1: EncodedClientHelloInner: empty session id, compressed extensions replaced by one ech_outer_extensions.
    const encodedExts: Extension[] = [];
    let placed = false;
    for (const e of inner.extensions) {
      if (compress.includes(e.type)) {
        if (!placed) encodedExts.push(o.outerExtensionsBody ? { type: ExtensionType.ech_outer_extensions, data: o.outerExtensionsBody } : encodeEchOuterExtensions(compress));
        placed = true;
        continue;
      }
      encodedExts.push(e);
    }
    if (!placed && o.outerExtensionsBody) encodedExts.unshift({ type: ExtensionType.ech_outer_extensions, data: o.outerExtensionsBody });
    let encoded = encodeClientHello({ ...inner, legacySessionId: new Uint8Array(0), extensions: encodedExts }).subarray(4);
    const padded = new Uint8Array(encoded.length + (o.padding ?? 7));
    padded.set(encoded);
    encoded = o.mutateEncoded ? o.mutateEncoded(padded) : padded;

    if (n === 1 || !this.context) {
      const info = new Uint8Array([...utf8('tls ech'), 0, ...this.key.config]);
      const s = setupBaseSender(provider, { kem: KEM_X25519, ...SUITE }, publicKeyOf(this.key), info);
      this.context = s.context;
      this.enc = s.enc;
    }
    // The outer hello: the inner one's extensions (compressed ones identical, same order), the public
    // name as SNI, no pre_shared_key, and the outer ECH extension last.
    const outerExts: Extension[] = inner.extensions
      .filter((e) => e.type !== ExtensionType.encrypted_client_hello && e.type !== ExtensionType.pre_shared_key)
      .map((e) => (e.type === ExtensionType.server_name ? encodeServerNameExt(this.publicName) : e));
    const enc = n === 1 || o.encOnSecond ? this.enc : new Uint8Array(0);
    const configId = o.configId ?? this.configId;
    const build = (payload: Uint8Array) => {
      const ech = o.innerTypeOnOuter
        ? { type: ExtensionType.encrypted_client_hello, data: new Uint8Array([1]) }
        : encodeEchClientHello({ type: 0, cipherSuite: SUITE, configId, enc, payload });
      return encodeClientHello({
        legacyVersion: inner.legacyVersion,
        random: outerRandom,
        legacySessionId: inner.legacySessionId,
        cipherSuites: inner.cipherSuites,
        compressionMethods: inner.compressionMethods,
        extensions: o.dropEch ? outerExts : [...outerExts, ech],
      });
    };
    const outerRandom = provider.randomBytes(32);
    const aad = build(new Uint8Array(encoded.length + 16)).subarray(4);
    const payload = this.context.seal(aad, encoded);
    if (o.corruptPayload) payload[0]! ^= 1;
    const outer = build(payload);
    // Sanity: the AAD is the outer hello with the payload zeroed.
    const echExt = decodeClientHello(outer.subarray(4)).extension(ExtensionType.encrypted_client_hello);
    if (echExt && !o.innerTypeOnOuter) echOuterPayloadOffset(echExt);
    return outer;
  }

  /** Rewrite a chunk of client output: every plaintext ClientHello record is wrapped. */
  rewrite(chunk: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i + 5 <= chunk.length) {
      const type = chunk[i]!;
      const len = (chunk[i + 3]! << 8) | chunk[i + 4]!;
      const fragment = chunk.subarray(i + 5, i + 5 + len);
      if (type === ContentType.handshake && fragment[0] === 1) {
        out.push(writePlaintextRecords(ContentType.handshake, ProtocolVersion.TLSv1_2, this.wrap(fragment)));
      } else {
        out.push(chunk.subarray(i, i + 5 + len));
      }
      i += 5 + len;
    }
    const total = out.reduce((a, b) => a + b.length, 0);
    const r = new Uint8Array(total);
    let o = 0;
    for (const b of out) {
      r.set(b, o);
      o += b.length;
    }
    return r;
  }
}

function publicKeyOf(key: EchServerKey): Uint8Array {
  // ECHConfig: version(2) length(2) config_id(1) kem_id(2) public_key<2>
  const c = key.config;
  const len = (c[7]! << 8) | c[8]!;
  return c.subarray(9, 9 + len);
}
