// The TLS 1.2 server in memory, driven by a minimal hand-written TLS 1.2 client (hush's own
// primitives), for what real clients will not do: no secure renegotiation signal, no extended
// master secret, a wrong Finished, garbage RSA ClientKeyExchange (ROBOT: the server must fail only
// at Finished), TLS_FALLBACK_SCSV, the downgrade sentinel, renegotiation, and the session cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerConnection } from '../../src/connection/server.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import { RecordSealer12 } from '../../src/record/protection12.js';
import { extendedMasterSecret12, finishedVerifyData12, keyBlock12 } from '../../src/schedule/tls12.js';
import { tls12SuiteById, type Tls12Suite } from '../../src/crypto/suites.js';
import { CipherSuite, ContentType, DOWNGRADE_TLS12, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme } from '../../src/wire/enums.js';
import { encodeClientHello } from '../../src/handshake/messages/client-hello.js';
import { encodeClientKeyExchangeEcdhe, encodeClientKeyExchangeRsa } from '../../src/handshake/messages/client-key-exchange.js';
import { decodeServerKeyExchangeEcdhe } from '../../src/handshake/messages/server-key-exchange.js';
import { encodeFinished } from '../../src/handshake/messages/finished.js';
import type { Extension } from '../../src/handshake/messages/extensions.js';
import { encodeEcPointFormatsExt, encodeSignatureAlgorithmsExt, encodeSupportedGroupsExt, encodeSupportedVersionsClientExt } from '../../src/handshake/messages/ext-lists.js';
import { encodeExtendedMasterSecretExt, encodeRenegotiationInfoExt } from '../../src/handshake/messages/ext-misc.js';
import { encodeServerNameExt } from '../../src/handshake/messages/ext-server-name.js';
import { alertName } from '../../src/errors/alert.js';
import { MemorySessionCache } from '../../src/handshake/session/server12-sessions.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { concatChunks, pki, provider, serverConfig } from '../connection/helpers.js';

interface HelloOptions {
  suites?: number[];
  renegotiationInfo?: boolean;
  scsv?: boolean;
  ems?: boolean;
  fallbackScsv?: boolean;
  supportedVersions?: number[];
  pointFormats?: number[];
  sessionId?: Uint8Array;
}

function clientHello(o: HelloOptions = {}): Uint8Array {
  const ext: Extension[] = [
    encodeServerNameExt('localhost'),
    encodeSupportedGroupsExt([NamedGroup.x25519, NamedGroup.secp256r1]),
    encodeEcPointFormatsExt(o.pointFormats),
    encodeSignatureAlgorithmsExt([SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pkcs1_sha256]),
  ];
  if (o.renegotiationInfo ?? true) ext.push(encodeRenegotiationInfoExt());
  if (o.ems ?? true) ext.push(encodeExtendedMasterSecretExt());
  if (o.supportedVersions) ext.push(encodeSupportedVersionsClientExt(o.supportedVersions));
  const suites = [...(o.suites ?? [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256])];
  if (o.scsv) suites.push(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  if (o.fallbackScsv) suites.push(CipherSuite.TLS_FALLBACK_SCSV);
  return encodeClientHello({
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: provider.randomBytes(32),
    legacySessionId: o.sessionId ?? new Uint8Array(0),
    cipherSuites: suites,
    compressionMethods: [0],
    extensions: ext,
  });
}

const plain = (type: number, data: Uint8Array) => writePlaintextRecords(type, ProtocolVersion.TLSv1_2, data);

/** Split plaintext output records into handshake messages (raw, with headers) and alerts. */
function parseOutput(chunks: readonly Uint8Array[]): { messages: Uint8Array[]; alerts: number[]; records: number[] } {
  const all = concatChunks(chunks);
  const messages: Uint8Array[] = [];
  const alerts: number[] = [];
  const records: number[] = [];
  let hs: Uint8Array = new Uint8Array(0);
  for (let o = 0; o + 5 <= all.length; ) {
    const type = all[o]!;
    const len = (all[o + 3]! << 8) | all[o + 4]!;
    const body = all.subarray(o + 5, o + 5 + len);
    records.push(type);
    if (type === ContentType.handshake) hs = concatChunks([hs, body]);
    if (type === ContentType.alert) alerts.push(body[1]!);
    o += 5 + len;
    if (type === ContentType.change_cipher_spec) break; // encrypted from here
  }
  for (let o = 0; o + 4 <= hs.length; ) {
    const len = (hs[o + 1]! << 16) | (hs[o + 2]! << 8) | hs[o + 3]!;
    messages.push(hs.subarray(o, o + 4 + len));
    o += 4 + len;
  }
  return { messages, alerts, records };
}

/** Run a full handshake as a hand-made client up to and including our Finished. */
function handshake(config: ServerConfig, o: HelloOptions & { garbageRsa?: boolean; wrongFinished?: boolean } = {}) {
  const server = new ServerConnection(config);
  const ch = clientHello(o);
  server.receive(plain(ContentType.handshake, ch));
  const first = parseOutput(server.takeOutput());
  if (server.error) return { server, first, afterKeyExchange: [] as Uint8Array[] };
  const sh = first.messages[0]!;
  const suite: Tls12Suite = tls12SuiteById((sh[4 + 2 + 32 + 1 + sh[4 + 2 + 32]!]! << 8) | sh[4 + 2 + 32 + 1 + sh[4 + 2 + 32]! + 1]!)!;
  const clientRandom = ch.subarray(6, 38);
  const serverRandom = sh.subarray(6, 38);
  let cke: Uint8Array;
  let pms: Uint8Array;
  if (suite.kx === 'ecdhe') {
    const ske = decodeServerKeyExchangeEcdhe(first.messages.find((m) => m[0] === HandshakeType.server_key_exchange)!.subarray(4));
    const share = provider.keyExchange(ske.group)!.generate();
    pms = share.complete(ske.publicKey);
    cke = encodeClientKeyExchangeEcdhe(share.publicKey);
  } else {
    pms = provider.randomBytes(48);
    // ROBOT: 256 bytes of garbage where the RSA-encrypted premaster secret should be.
    cke = encodeClientKeyExchangeRsa(o.garbageRsa ? provider.randomBytes(256) : new Uint8Array(256).fill(1));
  }
  const transcript = [ch, ...first.messages, cke];
  const hash = (msgs: Uint8Array[]) => provider.digest(suite.prfHash, concatChunks(msgs));
  const master = extendedMasterSecret12(provider, suite.prfHash, pms, hash(transcript));
  const keys = keyBlock12(provider, suite, master, clientRandom, serverRandom);
  const verify = finishedVerifyData12(provider, suite.prfHash, master, 'client', hash(transcript));
  if (o.wrongFinished) verify[0]! ^= 1;
  const sealer = new RecordSealer12(provider, suite, keys.client);
  server.receive(plain(ContentType.handshake, cke));
  server.receive(plain(ContentType.change_cipher_spec, new Uint8Array([1])));
  // Nothing may come back before our Finished: no alert, no state that depends on the premaster.
  const afterKeyExchange = server.takeOutput();
  const errorBeforeFinished = server.error;
  server.receive(sealer.seal(ContentType.handshake, encodeFinished({ verifyData: verify })));
  return { server, first, afterKeyExchange, errorBeforeFinished, sealer };
}

const alertOf = (s: ServerConnection) => (s.error ? alertName(s.error.alert) : 'none');

test('full ECDHE handshake with the hand-made client completes; ServerHello carries the downgrade sentinel', () => {
  const { server, first } = handshake(serverConfig());
  assert.equal(alertOf(server), 'none');
  assert.equal(server.state, 'established');
  assert.equal(server.handshakeInfo?.version, 'TLSv1.2');
  assert.equal(server.handshakeInfo?.extendedMasterSecret, true);
  const sh = first.messages[0]!;
  assert.deepEqual([...sh.subarray(38 - 8, 38)], [...DOWNGRADE_TLS12], 'RFC 8446 §4.1.3: last 8 bytes of ServerHello.random');
  assert.deepEqual(first.messages.map((m) => m[0]), [2, 11, 12, 14], 'ServerHello, Certificate, ServerKeyExchange, ServerHelloDone');
});

test('a server capped at TLS 1.2 does not set the downgrade sentinel', () => {
  const { server, first } = handshake(serverConfig({ maxVersion: 'TLSv1.2' }));
  assert.equal(server.state, 'established');
  assert.notDeepEqual([...first.messages[0]!.subarray(30, 38)], [...DOWNGRADE_TLS12]);
});

test('SCSV instead of renegotiation_info is accepted', () => {
  const { server } = handshake(serverConfig(), { renegotiationInfo: false, scsv: true });
  assert.equal(server.state, 'established');
});

test('no renegotiation_info and no SCSV → handshake_failure (RFC 5746)', () => {
  const { server, first } = handshake(serverConfig(), { renegotiationInfo: false });
  assert.equal(alertOf(server), 'handshake_failure');
  assert.match(server.error!.message, /secure renegotiation/);
  assert.deepEqual(first.alerts.map((a) => alertName(a)), ['handshake_failure']);
});

test('no extended master secret → handshake_failure by default; allowed when turned off', () => {
  const refused = handshake(serverConfig(), { ems: false });
  assert.equal(alertOf(refused.server), 'handshake_failure');
  assert.match(refused.server.error!.message, /extended master secret/);
  const s = new ServerConnection(serverConfig({ requireExtendedMasterSecret: false }));
  s.receive(plain(ContentType.handshake, clientHello({ ems: false })));
  const out = parseOutput(s.takeOutput());
  assert.equal(s.error, undefined);
  assert.deepEqual(out.messages.map((m) => m[0]), [2, 11, 12, 14]);
});

test('TLS_FALLBACK_SCSV from a TLS 1.2 client to a TLS 1.3 server → inappropriate_fallback (RFC 7507)', () => {
  assert.equal(alertOf(handshake(serverConfig(), { fallbackScsv: true }).server), 'inappropriate_fallback');
  assert.equal(handshake(serverConfig({ maxVersion: 'TLSv1.2' }), { fallbackScsv: true }).server.state, 'established');
});

test('ec_point_formats without uncompressed → illegal_parameter (RFC 8422 §5.1.2)', () => {
  assert.equal(alertOf(handshake(serverConfig(), { pointFormats: [1] }).server), 'illegal_parameter');
});

test('supported_versions listing only TLS 1.2 negotiates TLS 1.2', () => {
  const { server } = handshake(serverConfig(), { supportedVersions: [ProtocolVersion.TLSv1_2] });
  assert.equal(server.handshakeInfo?.version, 'TLSv1.2');
});

test('only CBC or unknown suites → handshake_failure (no CBC on the server)', () => {
  const r = handshake(serverConfig(), { suites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256] });
  assert.equal(alertOf(r.server), 'handshake_failure');
  // An ECDSA suite with only an RSA certificate cannot be served either.
  const r2 = handshake(serverConfig({ certificates: [pki().server.rsa] }));
  assert.equal(alertOf(r2.server), 'handshake_failure');
});

test('wrong client Finished → decrypt_error', () => {
  const { server, errorBeforeFinished } = handshake(serverConfig(), { wrongFinished: true });
  assert.equal(errorBeforeFinished, undefined);
  assert.equal(alertOf(server), 'decrypt_error');
});

test('ROBOT: garbage RSA ClientKeyExchange fails only at Finished, like any wrong key', () => {
  const config = serverConfig({ certificates: [pki().server.rsa], cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] });
  const results: string[] = [];
  for (const garbageRsa of [true, false]) {
    const { server, afterKeyExchange, errorBeforeFinished } = handshake(config, { suites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256], garbageRsa });
    assert.equal(errorBeforeFinished, undefined, 'no failure before Finished');
    assert.equal(afterKeyExchange.length, 0, 'nothing sent before Finished');
    results.push(alertOf(server));
  }
  // The client's keys differ from the server's, so its Finished record does not even decrypt.
  assert.deepEqual(results, ['bad_record_mac', 'bad_record_mac']);
});

test('RSA key transport is off unless named', () => {
  const r = handshake(serverConfig({ certificates: [pki().server.rsa] }), { suites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] });
  assert.equal(alertOf(r.server), 'handshake_failure');
});

test('CCS before ClientKeyExchange → unexpected_message', () => {
  const s = new ServerConnection(serverConfig());
  s.receive(plain(ContentType.handshake, clientHello()));
  s.takeOutput();
  s.receive(plain(ContentType.change_cipher_spec, new Uint8Array([1])));
  assert.equal(alertOf(s), 'unexpected_message');
});

test('renegotiation → warning no_renegotiation and the connection goes on; other handshake messages → unexpected_message', () => {
  const { server, sealer } = handshake(serverConfig({ trace: true }));
  assert.equal(server.state, 'established');
  server.takeOutput();
  server.takeEvents();
  server.receive(sealer!.seal(ContentType.handshake, clientHello()));
  assert.equal(server.state, 'established');
  assert.equal(server.takeOutput().length, 1, 'one (encrypted) warning alert');
  const traces = server.takeEvents().flatMap((e) => (e.type === 'trace' ? [e.trace.event] : []));
  assert.deepEqual(traces, ['renegotiation']);
  server.receive(sealer!.seal(ContentType.application_data, new Uint8Array([1, 2, 3])));
  assert.deepEqual(server.takeEvents().flatMap((e) => (e.type === 'data' ? [...e.data] : [])), [1, 2, 3]);
  server.receive(sealer!.seal(ContentType.handshake, encodeFinished({ verifyData: new Uint8Array(12) })));
  assert.equal(alertOf(server), 'unexpected_message');
});

test('session cache: bounded LRU, expiry by lifetime', () => {
  const cache = new MemorySessionCache(3);
  const state = (issuedAt: number) => ({
    version: 'TLSv1.2' as const, cipherSuite: 0xc02b, psk: new Uint8Array(48), issuedAt, lifetime: 10, ageAdd: 0,
    alpn: undefined, serverName: undefined, clientCertificates: [], clientAuthorized: false, extendedMasterSecret: true,
  });
  const id = (n: number) => new Uint8Array(32).fill(n);
  for (let i = 0; i < 5; i++) cache.set(id(i), state(1000), 1000);
  assert.equal(cache.size, 3);
  assert.equal(cache.get(id(0), 1000), undefined);
  assert.ok(cache.get(id(4), 1000));
  assert.equal(cache.get(id(4), 1000 + 11_000), undefined, 'expired');
  assert.equal(cache.size, 2);
});

test('a ClientHello with a non-empty renegotiation_info → handshake_failure (RFC 5746 §3.6)', () => {
  const s = new ServerConnection(serverConfig());
  // renegotiation_info with a non-empty renegotiated_connection in an initial handshake.
  const bad = encodeClientHello({
    legacyVersion: ProtocolVersion.TLSv1_2, random: provider.randomBytes(32), legacySessionId: new Uint8Array(0),
    cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256], compressionMethods: [0],
    extensions: [encodeRenegotiationInfoExt(new Uint8Array(12)), encodeExtendedMasterSecretExt(), encodeSupportedGroupsExt([NamedGroup.x25519])],
  });
  s.receive(plain(ContentType.handshake, bad));
  assert.equal(alertOf(s), 'handshake_failure');
});

test('hush client ↔ hush server over TLS 1.2 in memory: ECDSA and RSA certificates, data both ways', async () => {
  const { connect: pair, assertEstablished, dataOf, pump } = await import('../connection/helpers.js');
  for (const cert of [pki().server.p256, pki().server.rsa]) {
    const p = pair({ maxVersion: 'TLSv1.2' }, { certificates: [cert] });
    assertEstablished(p);
    assert.equal(p.server.handshakeInfo?.version, 'TLSv1.2');
    assert.equal(p.client.handshakeInfo?.cipherName, p.server.handshakeInfo?.cipherName);
    p.client.write(new Uint8Array([7, 8, 9]));
    p.server.write(new Uint8Array([1, 2]));
    pump(p.client, p.server, { a: p.clientEvents, b: p.serverEvents });
    assert.deepEqual([...dataOf(p.serverEvents)], [7, 8, 9]);
    assert.deepEqual([...dataOf(p.clientEvents)], [1, 2]);
  }
});

test('hush client resumes a TLS 1.2 session by ticket and by session ID', async () => {
  const { connect: pair, assertEstablished } = await import('../connection/helpers.js');
  const ticketKeys = [provider.randomBytes(32)];
  for (const server of [{ ticketKeys }, { sessionCache: new MemorySessionCache(8) }] as const) {
    const config = serverConfig(server);
    const first = pair({ maxVersion: 'TLSv1.2' }, config);
    assertEstablished(first);
    const session = first.clientEvents.flatMap((e) => (e.type === 'session' ? [e.ticket] : [])).at(-1);
    assert.ok(session, 'the client got a session');
    const again = pair({ maxVersion: 'TLSv1.2', session }, config);
    assertEstablished(again);
    assert.equal(again.server.handshakeInfo?.resumed, true, JSON.stringify(Object.keys(server)));
    assert.equal(again.client.handshakeInfo?.resumed, true);
  }
});

test('RFC 5246 §7.2.2: a session whose connection ends with a fatal alert is not resumed by session ID', async () => {
  const { connect: pair, assertEstablished } = await import('../connection/helpers.js');
  const config = serverConfig({ sessionCache: new MemorySessionCache(8) });
  const sessionOf = (c: { clientEvents: readonly { type: string }[] }) =>
    (c.clientEvents as import('../../src/connection/events.js').ConnectionEvent[]).flatMap((e) => (e.type === 'session' ? [e.ticket] : [])).at(-1);

  // A clean connection: its session resumes.
  const clean = pair({ maxVersion: 'TLSv1.2' }, config);
  assertEstablished(clean);
  const kept = sessionOf(clean);
  assert.ok(kept?.sessionId && kept.sessionId.length === 32);
  const resumed = pair({ maxVersion: 'TLSv1.2', session: kept }, config);
  assert.equal(resumed.server.handshakeInfo?.resumed, true);

  // A connection that later fails (a tampered record → bad_record_mac): its session is forgotten.
  const broken = pair({ maxVersion: 'TLSv1.2' }, config);
  assertEstablished(broken);
  const lost = sessionOf(broken);
  assert.ok(lost);
  const err = broken.server.receive(new Uint8Array([23, 3, 3, 0, 24, ...new Uint8Array(24)]));
  assert.equal(err?.alertName, 'bad_record_mac');
  const after = pair({ maxVersion: 'TLSv1.2', session: lost }, config);
  assertEstablished(after);
  assert.equal(after.server.handshakeInfo?.resumed, false, 'the failed connection\'s session is not resumed');
  // The clean session is still there.
  const again = pair({ maxVersion: 'TLSv1.2', session: kept }, config);
  assert.equal(again.server.handshakeInfo?.resumed, true);
});

test('renegotiation attempts are bounded by count: 16 answered with a warning, the 17th fails with no_renegotiation', () => {
  const { server, sealer } = handshake(serverConfig());
  server.takeOutput();
  let answered = 0;
  for (let i = 0; i < 40 && !server.error; i++) {
    server.receive(sealer!.seal(ContentType.handshake, clientHello()));
    if (!server.error) answered += server.takeOutput().length;
  }
  assert.equal(answered, 16);
  assert.equal(alertOf(server), 'no_renegotiation');
});

test('TLS 1.2 warning alerts after the handshake: 5 in a row ignored, the 6th fails; data in between resets the count', () => {
  const { server, sealer } = handshake(serverConfig());
  const warning = () => sealer!.seal(ContentType.alert, Uint8Array.of(1, 112));
  let ignored = 0;
  for (let i = 0; i < 100 && !server.error; i++) if (!server.receive(warning())) ignored++;
  assert.equal(ignored, 5);
  assert.equal(alertOf(server), 'unexpected_message');
  const b = handshake(serverConfig());
  for (let i = 0; i < 50; i++) {
    b.server.receive(b.sealer!.seal(ContentType.alert, Uint8Array.of(1, 112)));
    if (i % 5 === 4) b.server.receive(b.sealer!.seal(ContentType.application_data, Uint8Array.of(i)));
  }
  assert.equal(b.server.error, undefined);
});
