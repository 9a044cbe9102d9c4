// A server facing bad clients: each case asserts the alert and that the connection stays failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CipherSuite, ContentType, ExtensionType, NamedGroup, ProtocolVersion } from '../../src/wire/enums.js';
import { fromHex, utf8 } from '../../src/bytes/util.js';
import { tls13SuiteById } from '../../src/crypto/suites.js';
import { trafficKeys } from '../../src/schedule/tls13.js';
import { RecordSealer13 } from '../../src/record/protection13.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import * as m from '../../src/handshake/messages/index.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import { assertFailed, clientConfig, clientHello13, concatChunks, provider, pump, serverConfig } from './helpers.js';

function record(type: number, body: Uint8Array, version: number = ProtocolVersion.TLSv1): Uint8Array {
  return writePlaintextRecords(type, version, body);
}

function serverGets(...records: Uint8Array[]): ServerConnection {
  const s = new ServerConnection(serverConfig());
  for (const r of records) if (s.receive(r)) break;
  return s;
}

test('garbage, truncated and malformed first flights', () => {
  const garbage = serverGets(utf8('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  assert.ok(garbage.error);
  assert.equal(garbage.state, 'failed');
  assert.equal(concatChunks(garbage.takeOutput())[0], ContentType.alert);

  // A ClientHello whose body is cut short inside the extensions, with a consistent header.
  const full = clientHello13();
  const cut = full.slice(0, full.length - 20);
  const len = cut.length - 4;
  cut[1] = len >> 16;
  cut[2] = (len >> 8) & 0xff;
  cut[3] = len & 0xff;
  assertFailed(serverGets(record(ContentType.handshake, cut)), 'decode_error');

  // An SSLv2-format ClientHello (high bit set in the first byte).
  assertFailed(serverGets(fromHex('802b0103010012000000100000040000050000')), 'protocol_version');
  // A handshake message other than ClientHello first.
  assertFailed(serverGets(record(ContentType.handshake, m.encodeFinished({ verifyData: new Uint8Array(32) }))), 'unexpected_message');
  // Application data before anything.
  assertFailed(serverGets(record(ContentType.application_data, new Uint8Array(20), ProtocolVersion.TLSv1_2)), 'unexpected_message');
  // A ChangeCipherSpec before the ClientHello.
  assertFailed(serverGets(record(ContentType.change_cipher_spec, new Uint8Array([1]))), 'unexpected_message');
});

test('versions older than TLS 1.2 → protocol_version; TLS 1.2 offered with only TLS 1.3 suites → handshake_failure', () => {
  const tls10 = clientHello13({ legacyVersion: ProtocolVersion.TLSv1, drop: [ExtensionType.supported_versions] });
  assertFailed(serverGets(record(ContentType.handshake, tls10)), 'protocol_version');
  const sv11 = clientHello13({ replace: [m.encodeSupportedVersionsClientExt([ProtocolVersion.TLSv1_1, ProtocolVersion.TLSv1])] });
  assertFailed(serverGets(record(ContentType.handshake, sv11)), 'protocol_version');
  const ssl3 = clientHello13({ legacyVersion: ProtocolVersion.SSLv3, drop: [ExtensionType.supported_versions] });
  assertFailed(serverGets(record(ContentType.handshake, ssl3)), 'protocol_version');
  // TLS 1.2 is negotiated, but this hello offers no TLS 1.2 suite (nor RFC 5746 signalling).
  const tls12 = clientHello13({ drop: [ExtensionType.supported_versions] });
  assertFailed(serverGets(record(ContentType.handshake, tls12)), 'handshake_failure');
  const sv12 = clientHello13({ replace: [m.encodeSupportedVersionsClientExt([ProtocolVersion.TLSv1_2, ProtocolVersion.TLSv1_1])] });
  assertFailed(serverGets(record(ContentType.handshake, sv12)), 'handshake_failure');
});

test('ClientHello rule violations get their alerts', () => {
  const cases: [string, Uint8Array, string][] = [
    ['compression [0, 1]', clientHello13({ compressionMethods: [0, 1] }), 'illegal_parameter'],
    ['no signature_algorithms', clientHello13({ drop: [ExtensionType.signature_algorithms] }), 'missing_extension'],
    ['no key_share', clientHello13({ drop: [ExtensionType.key_share] }), 'missing_extension'],
    ['no supported_groups', clientHello13({ drop: [ExtensionType.supported_groups] }), 'missing_extension'],
    ['key share for a group not in supported_groups', clientHello13({ replace: [m.encodeSupportedGroupsExt([NamedGroup.secp256r1])] }), 'illegal_parameter'],
    ['duplicate extension', clientHello13({ add: [m.encodeSupportedGroupsExt([NamedGroup.x25519])] }), 'illegal_parameter'],
    [
      'pre_shared_key not last',
      clientHello13({ add: [m.encodePreSharedKeyClientExt({ identities: [{ identity: new Uint8Array(8), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] }), m.encodePaddingExt(4)] }),
      'illegal_parameter',
    ],
    [
      'pre_shared_key without psk_key_exchange_modes',
      clientHello13({ drop: [ExtensionType.psk_key_exchange_modes], add: [m.encodePreSharedKeyClientExt({ identities: [{ identity: new Uint8Array(8), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] })] }),
      'missing_extension',
    ],
    ['no common suite', clientHello13({ cipherSuites: [0xc02f] }), 'handshake_failure'],
    ['cookie we never issued', clientHello13({ add: [m.encodeCookieExt(new Uint8Array(64))] }), 'illegal_parameter'],
    ['bad x25519 share', clientHello13({ replace: [m.encodeKeyShareClientExt([{ group: NamedGroup.x25519, keyExchange: new Uint8Array(32) }])] }), 'illegal_parameter'],
  ];
  for (const [what, ch, alert] of cases) {
    const s = serverGets(record(ContentType.handshake, ch));
    assert.ok(s.error, `${what}: expected a failure`);
    assertFailed(s, alert);
  }
  assert.equal(cases.length, 11);
});

/** Run a handshake up to the client's second flight, returning what the server needs and the client's handshake key. */
function upToClientFlight() {
  const client = new ClientConnection(clientConfig({ cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256], middleboxCompat: false }));
  const server = new ServerConnection(serverConfig({ keyLog: true }));
  for (const c of client.takeOutput()) server.receive(c);
  for (const c of server.takeOutput()) client.receive(c);
  const flight = client.takeOutput();
  const line = server.takeEvents().flatMap((e) => (e.type === 'keylog' && e.line.startsWith('CLIENT_HANDSHAKE_TRAFFIC_SECRET') ? [e.line] : []))[0]!;
  const suite = tls13SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)!;
  const sealer = new RecordSealer13(provider, suite, trafficKeys(provider, suite, fromHex(line.split(' ')[2]!)));
  return { client, server, flight, sealer };
}

test('wrong client Finished → decrypt_error; application data before Finished → unexpected_message', () => {
  const a = upToClientFlight();
  a.server.receive(a.sealer.seal(ContentType.handshake, m.encodeFinished({ verifyData: new Uint8Array(32) })));
  assertFailed(a.server, 'decrypt_error');
  const b = upToClientFlight();
  b.server.receive(b.sealer.seal(ContentType.application_data, utf8('too early')));
  assertFailed(b.server, 'unexpected_message');
  const c = upToClientFlight();
  c.server.receive(c.sealer.seal(ContentType.handshake, m.encodeKeyUpdate({ requestUpdate: false })));
  assertFailed(c.server, 'unexpected_message');
  // The genuine flight still works.
  const d = upToClientFlight();
  for (const r of d.flight) d.server.receive(r);
  assert.equal(d.server.state, 'established');
});

test('tampered record → bad_record_mac; a ClientHello after the handshake → unexpected_message', () => {
  const a = upToClientFlight();
  const bytes = concatChunks(a.flight);
  bytes[bytes.length - 1]! ^= 1;
  a.server.receive(bytes);
  assertFailed(a.server, 'bad_record_mac');

  const client = new ClientConnection(clientConfig({ keyLog: true }));
  const server = new ServerConnection(serverConfig());
  pump(client, server);
  assert.equal(server.state, 'established');
  const secret = client.takeEvents().flatMap((e) => (e.type === 'keylog' && e.line.startsWith('CLIENT_TRAFFIC_SECRET_0') ? [e.line.split(' ')[2]!] : []))[0]!;
  const suite = tls13SuiteById(server.handshakeInfo!.cipherSuite)!;
  // Sealed under the client's real application key: decrypts, but a ClientHello is not allowed now.
  const forged = new RecordSealer13(provider, suite, trafficKeys(provider, suite, fromHex(secret)));
  server.receive(forged.seal(ContentType.handshake, clientHello13()));
  assertFailed(server, 'unexpected_message');
  // Sealed under a key the server does not have: fails authentication.
  const c2 = new ClientConnection(clientConfig());
  const s2 = new ServerConnection(serverConfig());
  pump(c2, s2);
  const stranger = new RecordSealer13(provider, suite, trafficKeys(provider, suite, provider.randomBytes(suite.hashLength)));
  s2.receive(stranger.seal(ContentType.application_data, utf8('x')));
  assertFailed(s2, 'bad_record_mac');
});

test('0-RTT is rejected cleanly: early data records are skipped, a bounded amount', () => {
  const client = new ClientConnection(clientConfig());
  const ch = concatChunks(client.takeOutput());
  // A hand-made hello that offers early data: the server must skip undecryptable records after it.
  const s = new ServerConnection(serverConfig());
  s.receive(record(ContentType.handshake, clientHello13({ add: [m.encodeEarlyDataExt()] })));
  assert.equal(s.error, undefined);
  const junk = record(ContentType.application_data, provider.randomBytes(1000), ProtocolVersion.TLSv1_2);
  for (let i = 0; i < 10; i++) s.receive(junk);
  assert.equal(s.error, undefined, 'junk after an early_data hello is skipped');
  assert.equal(s.state, 'handshaking');
  for (let i = 0; i < 80 && !s.error; i++) s.receive(junk);
  assertFailed(s, 'unexpected_message');
  // Without early_data the same junk is bad_record_mac at once.
  const t = new ServerConnection(serverConfig());
  t.receive(ch);
  t.receive(junk);
  assertFailed(t, 'bad_record_mac');
});
