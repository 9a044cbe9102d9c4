// Round trips of the messages and extensions the Illustrated handshakes do not carry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, fromHex, toHex, utf8 } from '../../src/bytes/index.js';
import {
  DOWNGRADE_TLS12, ExtensionType, HandshakeType, HELLO_RETRY_REQUEST_RANDOM, NamedGroup, SignatureScheme,
} from '../../src/wire/index.js';
import * as m from '../../src/handshake/messages/index.js';

const body = (msg: Uint8Array) => m.parseHandshake(msg).body;
const rand = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

test('HelloRetryRequest: flagged by its random, selected_group and cookie round-trip', () => {
  const hrr = m.encodeHelloRetryRequest({
    legacyVersion: 0x0303,
    legacySessionIdEcho: rand(32),
    cipherSuite: 0x1301,
    compressionMethod: 0,
    extensions: [
      m.encodeSupportedVersionsServerExt(0x0304),
      m.encodeKeyShareHrrExt(NamedGroup.secp256r1),
      m.encodeCookieExt(rand(40)),
    ],
  });
  const sh = m.decodeServerHello(body(hrr));
  assert.ok(sh.isHelloRetryRequest);
  assert.equal(toHex(sh.random), toHex(HELLO_RETRY_REQUEST_RANDOM));
  assert.equal(m.decodeKeyShareHrrExt(sh.extension(ExtensionType.key_share)!), NamedGroup.secp256r1);
  assert.equal(toHex(m.decodeCookieExt(sh.extension(ExtensionType.cookie)!)), toHex(rand(40)));
  assert.equal(toHex(m.encodeServerHello(sh)), toHex(hrr));
});

test('ServerHello downgrade sentinel and absent extension block (TLS 1.2)', () => {
  const random = concat(rand(24), DOWNGRADE_TLS12);
  const msg = m.encodeServerHello({ legacyVersion: 0x0303, random, legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0xc02f, compressionMethod: 0, extensions: [] });
  const sh = m.decodeServerHello(body(msg));
  assert.equal(sh.downgradeSentinel, 'tls12');
  assert.ok(!sh.isHelloRetryRequest);
  // without the extensions block at all (drop the trailing 00 00 and fix the length)
  const noExt = m.encodeHandshake(HandshakeType.server_hello, body(msg).subarray(0, body(msg).length - 2));
  const sh2 = m.decodeServerHello(body(noExt));
  assert.ok(sh2.extensionsAbsent);
  assert.equal(sh2.extensions.length, 0);
});

test('ClientHello without extensions (old TLS 1.2 client) decodes with an empty list', () => {
  const b = concat(fromHex('0303'), rand(32), fromHex('00 0002 c02f 01 00'));
  const ch = m.decodeClientHello(b);
  assert.ok(ch.extensionsAbsent);
  assert.deepEqual(ch.cipherSuites, [0xc02f]);
  assert.equal(ch.has(ExtensionType.server_name), false);
});

test('PSK: identities and binders round-trip; binder prefix and in-place patching', () => {
  const binderLen = 32;
  const psk = (binders: Uint8Array[]) =>
    m.encodePreSharedKeyClientExt({ identities: [{ identity: rand(50), obfuscatedTicketAge: 0xdeadbeef }], binders });
  const hello = (binders: Uint8Array[]) =>
    m.encodeClientHello({
      legacyVersion: 0x0303, random: rand(32), legacySessionId: rand(32, 9), cipherSuites: [0x1301],
      compressionMethods: [0],
      extensions: [
        m.encodeSupportedVersionsClientExt([0x0304]),
        m.encodePskKeyExchangeModesExt([1]),
        m.encodeKeyShareClientExt([{ group: 0x1d, keyExchange: rand(32, 3) }]),
        m.encodeEarlyDataExt(),
        psk(binders),
      ],
    });
  const placeholder = hello([new Uint8Array(binderLen)]);
  const prefix = m.pskBindersPrefixLength(placeholder);
  assert.equal(prefix, placeholder.length - m.pskBindersLength([binderLen]));
  const real = rand(binderLen, 5);
  const patched = m.patchPskBinders(new Uint8Array(placeholder), [real]);
  assert.equal(toHex(patched), toHex(hello([real])));
  assert.equal(toHex(patched.subarray(0, prefix)), toHex(placeholder.subarray(0, prefix)));
  const ch = m.decodeClientHello(body(patched));
  assert.equal(m.pskBindersPrefixLength(ch.raw), prefix);
  const offered = m.decodePreSharedKeyClientExt(ch.extension(ExtensionType.pre_shared_key)!);
  assert.equal(offered.identities[0]!.obfuscatedTicketAge, 0xdeadbeef);
  assert.equal(toHex(offered.binders[0]!), toHex(real));
  m.decodeEarlyDataExt(ch.extension(ExtensionType.early_data)!);
  assert.equal(m.decodePreSharedKeyServerExt(m.encodePreSharedKeyServerExt(0).data), 0);
  assert.throws(() => m.patchPskBinders(placeholder, [rand(48)]));
});

test('TLS 1.3 Certificate with a context and per-entry extensions; client with no certificate', () => {
  const cert: m.Certificate13 = {
    context: rand(8),
    entries: [
      { certData: rand(300), extensions: [{ type: ExtensionType.status_request, data: rand(10) }] },
      { certData: rand(200, 2), extensions: [] },
    ],
  };
  const enc = m.encodeCertificate13(cert);
  const dec = m.decodeCertificate13(body(enc));
  assert.equal(dec.entries.length, 2);
  assert.equal(dec.entries[0]!.extensions[0]!.type, ExtensionType.status_request);
  assert.equal(toHex(m.encodeCertificate13(dec)), toHex(enc));
  const empty = m.decodeCertificate13(body(m.encodeCertificate13({ context: new Uint8Array(0), entries: [] })));
  assert.equal(empty.entries.length, 0);
});

test('CertificateRequest 1.3 and 1.2', () => {
  const cr13 = m.encodeCertificateRequest13({
    context: new Uint8Array(0),
    extensions: [
      m.encodeSignatureAlgorithmsExt([SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256]),
      m.encodeCertificateAuthoritiesExt([rand(20), rand(30)]),
      m.encodeSignatureAlgorithmsCertExt([SignatureScheme.ed25519]),
    ],
  });
  const d13 = m.decodeCertificateRequest13(body(cr13));
  assert.equal(d13.extensions.length, 3);
  assert.equal(m.decodeCertificateAuthoritiesExt(d13.extensions[1]!.data).length, 2);
  assert.deepEqual(m.decodeSignatureAlgorithmsExt(d13.extensions[2]!.data, 'signature_algorithms_cert'), [0x0807]);
  assert.equal(toHex(m.encodeCertificateRequest13(d13)), toHex(cr13));

  const cr12 = m.encodeCertificateRequest12({
    certificateTypes: [m.ClientCertificateType.rsa_sign, m.ClientCertificateType.ecdsa_sign],
    signatureAlgorithms: [0x0401, 0x0403],
    certificateAuthorities: [rand(40)],
  });
  const d12 = m.decodeCertificateRequest12(body(cr12));
  assert.deepEqual(d12.certificateTypes, [1, 64]);
  assert.deepEqual(d12.signatureAlgorithms, [0x0401, 0x0403]);
  assert.equal(toHex(m.encodeCertificateRequest12(d12)), toHex(cr12));
});

test('KeyUpdate, EndOfEarlyData, HelloRequest, NewSessionTicket 1.2, RSA ClientKeyExchange, message_hash', () => {
  for (const requestUpdate of [false, true]) {
    const enc = m.encodeKeyUpdate({ requestUpdate });
    assert.equal(enc.length, 5);
    assert.equal(m.decodeKeyUpdate(body(enc)).requestUpdate, requestUpdate);
  }
  assert.equal(toHex(m.encodeEndOfEarlyData()), '05000000');
  m.decodeEndOfEarlyData(new Uint8Array(0));
  assert.equal(toHex(m.encodeHelloRequest()), '00000000');
  m.decodeHelloRequest(new Uint8Array(0));
  const nst12 = m.encodeNewSessionTicket12({ lifetimeHint: 3600, ticket: rand(100) });
  const d = m.decodeNewSessionTicket12(body(nst12));
  assert.equal(d.lifetimeHint, 3600);
  assert.equal(toHex(m.encodeNewSessionTicket12(d)), toHex(nst12));
  const nst13 = m.encodeNewSessionTicket13({ lifetime: 1, ageAdd: 0xffffffff, nonce: rand(1), ticket: rand(3), extensions: [m.encodeEarlyDataTicketExt(16384)] });
  const d13 = m.decodeNewSessionTicket13(body(nst13));
  assert.equal(d13.ageAdd, 0xffffffff);
  assert.equal(m.decodeEarlyDataTicketExt(d13.extensions[0]!.data), 16384);
  const cke = m.encodeClientKeyExchangeRsa(rand(256));
  assert.equal(toHex(m.decodeClientKeyExchangeRsa(body(cke))), toHex(rand(256)));
  const mh = m.encodeMessageHash(rand(32));
  assert.equal(toHex(mh.subarray(0, 4)), 'fe000020');
  assert.equal(mh.length, 36);
});

test('extension codecs: ALPN, SNI, record_size_limit, padding, renegotiation_info, empties', () => {
  const alpn = m.encodeAlpnExt([utf8('h2'), utf8('http/1.1')]);
  assert.equal(toHex(alpn.data), '000c02683208687474702f312e31');
  assert.deepEqual(m.decodeAlpnExt(alpn.data).map((p) => new TextDecoder().decode(p)), ['h2', 'http/1.1']);
  assert.equal(new TextDecoder().decode(m.decodeAlpnServerExt(m.encodeAlpnExt([utf8('h2')]).data)), 'h2');
  assert.deepEqual(m.decodeServerNameExt(m.encodeServerNameExt('a.example').data).map((n) => n.nameType), [0]);
  assert.equal(m.encodeServerNameAckExt().data.length, 0);
  // an unknown name_type is skipped by the server
  assert.equal(m.decodeServerNameHostName(fromHex('0004 05 0001 61')), undefined);
  assert.equal(m.decodeRecordSizeLimitExt(m.encodeRecordSizeLimitExt(16385).data), 16385);
  assert.equal(m.decodePaddingExt(m.encodePaddingExt(17).data), 17);
  assert.equal(toHex(m.decodeRenegotiationInfoExt(m.encodeRenegotiationInfoExt(rand(12)).data)), toHex(rand(12)));
  m.decodePostHandshakeAuthExt(m.encodePostHandshakeAuthExt().data);
  assert.equal(m.decodeSessionTicketExt(m.encodeSessionTicketExt(rand(9)).data).length, 9);
  assert.equal(toHex(m.encodeStatusRequestExt().data), '0100000000');
  const list = [m.encodeEarlyDataExt(), { type: 0x7777, data: rand(3) }];
  const block = m.encodeExtensions(list);
  const back = m.decodeExtensions(block);
  assert.deepEqual(back.map((e) => e.type), [42, 0x7777]); // unknown type kept, order kept
  assert.equal(m.findExtension(back, 0x7777)!.data.length, 3);
  assert.equal(m.extensionMap(back).get(42)!.data.length, 0);
});

test('decodeClientHello reuses the joiner\'s raw message and checks it matches the body', () => {
  const msg = m.encodeClientHello({
    legacyVersion: 0x0303, random: rand(32), legacySessionId: new Uint8Array(0), cipherSuites: [0x1301],
    compressionMethods: [0], extensions: [m.encodeSupportedVersionsClientExt([0x0304])],
  });
  const j = new m.HandshakeJoiner();
  j.push(msg);
  const hm = j.next()!;
  const ch = m.decodeClientHello(hm.body, hm.raw);
  assert.equal(ch.raw, hm.raw); // same object, no copy
  assert.equal(toHex(m.decodeClientHello(hm.body).raw), toHex(msg));
  assert.throws(() => m.decodeClientHello(hm.body, msg.subarray(1)));
});
