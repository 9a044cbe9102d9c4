// A scripted TLS 1.2 server for the client's negative tests: it answers one hush ClientConnection in
// memory with a real ECDHE_ECDSA handshake (hush's own codecs, schedule and record protection) and
// knobs that break exactly one rule each.
import { readFileSync } from 'node:fs';
import { ClientConnection } from '../../src/connection/client.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { concat } from '../../src/bytes/util.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import type { TlsError } from '../../src/errors/errors.js';
import { tls12SuiteById, type Tls12Suite } from '../../src/crypto/suites.js';
import { CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme } from '../../src/wire/enums.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import { RecordOpener12, RecordSealer12 } from '../../src/record/protection12.js';
import { Transcript } from '../../src/schedule/transcript.js';
import { extendedMasterSecret12, finishedVerifyData12, keyBlock12, masterSecret12, type KeyBlock12 } from '../../src/schedule/tls12.js';
import { decodeClientHello, type ClientHelloView } from '../../src/handshake/messages/client-hello.js';
import { encodeServerHello } from '../../src/handshake/messages/server-hello.js';
import { encodeCertificate12 } from '../../src/handshake/messages/certificate.js';
import { encodeEcdheParams, encodeServerKeyExchangeEcdhe } from '../../src/handshake/messages/server-key-exchange.js';
import { encodeHelloRequest, encodeServerHelloDone } from '../../src/handshake/messages/empty-messages.js';
import { decodeClientKeyExchangeEcdhe } from '../../src/handshake/messages/client-key-exchange.js';
import { encodeFinished } from '../../src/handshake/messages/finished.js';
import { parseHandshake } from '../../src/handshake/messages/handshake.js';
import type { Extension } from '../../src/handshake/messages/extensions.js';
import { encodeExtendedMasterSecretExt, encodeRenegotiationInfoExt } from '../../src/handshake/messages/ext-misc.js';
import { signServerKeyExchange12 } from '../../src/handshake/shared/signatures12.js';
import { pemCertificates, testPki, testTrust } from '../interop/peers.js';

const provider = nodeCryptoProvider;

export interface FakeServerKnobs {
  /** The suite in ServerHello (default TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256). */
  suite?: number;
  /** The last 8 bytes of the server random (a downgrade sentinel). */
  randomTail?: Uint8Array;
  /** ServerHello extensions (default renegotiation_info + extended_master_secret). */
  extensions?: (defaults: Extension[]) => Extension[];
  /** legacy_session_id_echo (default 32 fresh bytes). */
  sessionId?: (clientHello: ClientHelloView) => Uint8Array;
  /** Flip a bit of the ServerKeyExchange signature. */
  badSignature?: boolean;
  /** Flip a bit of the server's Finished verify_data. */
  badFinished?: boolean;
}

export interface FakeRun {
  readonly client: ClientConnection;
  readonly events: ConnectionEvent[];
  /** The first error the client reported. */
  readonly error: TlsError | undefined;
  readonly keys: KeyBlock12 | undefined;
  readonly suite: Tls12Suite;
  /** Send the client a HelloRequest under the server's write keys; returns the client's answer, decrypted. */
  helloRequest?(): { type: number; content: Uint8Array }[];
}

function flip(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c[c.length - 1]! ^= 1;
  return c;
}

/** Split a client's output into records (type + fragment). */
export function records(out: readonly Uint8Array[]): { type: number; version: number; fragment: Uint8Array }[] {
  const all = concat(...out);
  const recs: { type: number; version: number; fragment: Uint8Array }[] = [];
  for (let o = 0; o + 5 <= all.length; ) {
    const len = (all[o + 3]! << 8) | all[o + 4]!;
    recs.push({ type: all[o]!, version: (all[o + 1]! << 8) | all[o + 2]!, fragment: all.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return recs;
}

/** Run a hush client (default: TLS 1.3 + 1.2 offered) against the scripted server. */
export function runFakeServer12(knobs: FakeServerKnobs = {}, config: Partial<ClientConfig> = {}): FakeRun {
  const pki = testPki();
  const chain = pemCertificates(pki.server.ecdsa256.cert);
  const key = provider.importPrivateKey(readFileSync(pki.server.ecdsa256.key, 'utf8'));
  const client = new ClientConnection({ provider, now: Date.now, serverName: 'localhost', trust: testTrust(), ...config });
  const events: ConnectionEvent[] = [];
  let error: TlsError | undefined;
  const deliver = (bytes: Uint8Array): void => {
    const e = client.receive(bytes);
    error ??= e;
    events.push(...client.takeEvents());
  };
  const suite = tls12SuiteById(knobs.suite ?? CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)!;
  const hs = (m: Uint8Array): Uint8Array => writePlaintextRecords(ContentType.handshake, ProtocolVersion.TLSv1_2, m);

  // ClientHello.
  const [chRec] = records(client.takeOutput());
  const chRaw = chRec!.fragment.slice();
  const ch = decodeClientHello(chRaw.subarray(4), chRaw);

  // ServerHello .. ServerHelloDone (RFC 5246 §7.3).
  const random = provider.randomBytes(32);
  if (knobs.randomTail) random.set(knobs.randomTail, 24);
  const defaults = [encodeRenegotiationInfoExt(), encodeExtendedMasterSecretExt()];
  const extensions = knobs.extensions ? knobs.extensions(defaults) : defaults;
  const sh = encodeServerHello({
    legacyVersion: ProtocolVersion.TLSv1_2,
    random,
    legacySessionIdEcho: knobs.sessionId ? knobs.sessionId(ch) : provider.randomBytes(32),
    cipherSuite: suite.id,
    compressionMethod: 0,
    extensions,
  });
  const cert = encodeCertificate12({ certificates: chain });
  const share = provider.keyExchange(NamedGroup.x25519)!.generate();
  const params = encodeEcdheParams(NamedGroup.x25519, share.publicKey);
  const scheme = SignatureScheme.ecdsa_secp256r1_sha256;
  const signature = signServerKeyExchange12(provider, key, scheme, ch.random, random, params);
  const ske = encodeServerKeyExchangeEcdhe({ group: NamedGroup.x25519, publicKey: share.publicKey, scheme, signature: knobs.badSignature ? flip(signature) : signature });
  const shd = encodeServerHelloDone();
  const transcript = new Transcript(provider, suite.prfHash);
  for (const m of [chRaw, sh, cert, ske, shd]) transcript.add(m);
  deliver(concat(hs(sh), hs(cert), hs(ske), hs(shd)));
  if (error) return { client, events, error, keys: undefined, suite };

  // The client's flight: ClientKeyExchange, ChangeCipherSpec, Finished (encrypted).
  const flight = records(client.takeOutput());
  const cke = parseHandshake(flight[0]!.fragment.slice());
  if (cke.type !== HandshakeType.client_key_exchange) throw new Error(`expected ClientKeyExchange, got ${cke.type}`);
  const pms = share.complete(decodeClientKeyExchangeEcdhe(cke.body));
  transcript.add(cke.raw);
  const ems = extensions.some((e) => e.type === ExtensionType.extended_master_secret);
  const master = ems ? extendedMasterSecret12(provider, suite.prfHash, pms, transcript.hash()) : masterSecret12(provider, suite.prfHash, pms, ch.random, random);
  const keys = keyBlock12(provider, suite, master, ch.random, random);
  const clientFinished = encodeFinished({ verifyData: finishedVerifyData12(provider, suite.prfHash, master, 'client', transcript.hash()) });
  const opener = new RecordOpener12(provider, suite, keys.client);
  const opened = opener.open(flight[2]!);
  if (Buffer.compare(opened.content, clientFinished) !== 0) throw new Error('the client Finished differs from ours');
  transcript.add(clientFinished);
  const verifyData = finishedVerifyData12(provider, suite.prfHash, master, 'server', transcript.hash());
  const sealer = new RecordSealer12(provider, suite, keys.server);
  const ccs = writePlaintextRecords(ContentType.change_cipher_spec, ProtocolVersion.TLSv1_2, new Uint8Array([1]));
  deliver(concat(ccs, sealer.seal(ContentType.handshake, encodeFinished({ verifyData: knobs.badFinished ? flip(verifyData) : verifyData }))));
  return {
    client,
    events,
    get error() {
      return error;
    },
    keys,
    suite,
    helloRequest() {
      deliver(sealer.seal(ContentType.handshake, encodeHelloRequest()));
      return records(client.takeOutput()).map((r) => opener.open(r)).map((o) => ({ type: o.type, content: o.content.slice() }));
    },
  };
}
