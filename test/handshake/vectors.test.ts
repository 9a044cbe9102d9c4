// Byte-exact round trips of the Illustrated TLS 1.3 and TLS 1.2 handshakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, ascii } from '../../src/bytes/index.js';
import { CipherSuite, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme } from '../../src/wire/index.js';
import * as m from '../../src/handshake/messages/index.js';
import { readVector, readVectorText } from '../vectors.js';

const tls13 = (name: string) => readVector(`illustrated-tls13/captures/caps/${name}`);
const tls12 = (name: string) => readVector(`illustrated-tls12/captures/caps/${name}`);

/** A plaintext handshake record: strip the 5-byte record header. */
function fromRecord(rec: Uint8Array): Uint8Array {
  assert.equal(rec[0], 22);
  assert.equal((rec[3]! << 8) | rec[4]!, rec.length - 5);
  return rec.subarray(5);
}
/** A decrypted TLSInnerPlaintext: strip the content type byte (0x16). */
function fromInner(inner: Uint8Array): Uint8Array {
  assert.equal(inner[inner.length - 1], 22);
  return inner.subarray(0, inner.length - 1);
}

function parse(raw: Uint8Array, type: number): m.HandshakeMessage {
  const msg = m.parseHandshake(raw);
  assert.equal(msg.type, type);
  return msg;
}

const CLIENT_X25519 = '358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254';
const SERVER_X25519 = '9fd7ad6dcff4298dd3f96d5b1b2af910a0535b1488d7f8fabb349a982880b615';

test('TLS 1.3 ClientHello: fields and byte-exact re-encoding', () => {
  const raw = fromRecord(tls13('clienthello'));
  const msg = parse(raw, HandshakeType.client_hello);
  const ch = m.decodeClientHello(msg.body);
  assert.equal(ch.legacyVersion, ProtocolVersion.TLSv1_2);
  assert.equal(toHex(ch.random), toHex(fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')));
  assert.equal(ch.legacySessionId.length, 32);
  assert.equal(ch.legacySessionId[0], 0xe0);
  // The three TLS 1.3 suites, then TLS_EMPTY_RENEGOTIATION_INFO_SCSV.
  assert.deepEqual(ch.cipherSuites, [0x1302, 0x1303, 0x1301, CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV]);
  assert.deepEqual(ch.compressionMethods, [0]);
  assert.ok(ch.onlyNullCompression);
  assert.ok(!ch.extensionsAbsent);
  assert.deepEqual(
    ch.extensions.map((e) => e.type),
    [
      ExtensionType.server_name, ExtensionType.ec_point_formats, ExtensionType.supported_groups,
      ExtensionType.session_ticket, ExtensionType.encrypt_then_mac, ExtensionType.extended_master_secret,
      ExtensionType.signature_algorithms, ExtensionType.supported_versions, ExtensionType.psk_key_exchange_modes,
      ExtensionType.key_share,
    ],
  );
  assert.equal(m.decodeServerNameHostName(ch.extension(ExtensionType.server_name)!), 'example.ulfheim.net');
  assert.deepEqual(m.decodeEcPointFormatsExt(ch.extension(ExtensionType.ec_point_formats)!), [0, 1, 2]);
  assert.deepEqual(m.decodeSupportedGroupsExt(ch.extension(ExtensionType.supported_groups)!), [
    NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.x448, NamedGroup.secp521r1, NamedGroup.secp384r1,
    0x0100, 0x0101, 0x0102, 0x0103, 0x0104, // ffdhe2048..8192, unknown ones kept as numbers
  ]);
  assert.equal(m.decodeSessionTicketExt(ch.extension(ExtensionType.session_ticket)!).length, 0);
  m.decodeEncryptThenMacExt(ch.extension(ExtensionType.encrypt_then_mac)!);
  m.decodeExtendedMasterSecretExt(ch.extension(ExtensionType.extended_master_secret)!);
  const schemes = m.decodeSignatureAlgorithmsExt(ch.extension(ExtensionType.signature_algorithms)!);
  assert.ok(schemes.includes(SignatureScheme.rsa_pss_rsae_sha256));
  assert.ok(schemes.includes(SignatureScheme.ed25519));
  assert.deepEqual(m.decodeSupportedVersionsClientExt(ch.extension(ExtensionType.supported_versions)!), [0x0304]);
  assert.deepEqual(m.decodePskKeyExchangeModesExt(ch.extension(ExtensionType.psk_key_exchange_modes)!), [1]);
  const shares = m.decodeKeyShareClientExt(ch.extension(ExtensionType.key_share)!);
  assert.equal(shares.length, 1);
  assert.equal(shares[0]!.group, NamedGroup.x25519);
  assert.equal(toHex(shares[0]!.keyExchange), CLIENT_X25519);
  assert.equal(toHex(ch.raw), toHex(raw));
  assert.equal(toHex(m.encodeClientHello(ch)), toHex(raw));

  // Rebuild the same hello from typed extension encoders: byte-exact too.
  const rebuilt = m.encodeClientHello({
    legacyVersion: 0x0303,
    random: ch.random,
    legacySessionId: ch.legacySessionId,
    cipherSuites: [0x1302, 0x1303, 0x1301, 0x00ff],
    compressionMethods: [0],
    extensions: [
      m.encodeServerNameExt('example.ulfheim.net'),
      m.encodeEcPointFormatsExt([0, 1, 2]),
      m.encodeSupportedGroupsExt([0x1d, 0x17, 0x1e, 0x19, 0x18, 0x100, 0x101, 0x102, 0x103, 0x104]),
      m.encodeSessionTicketExt(),
      m.encodeEncryptThenMacExt(),
      m.encodeExtendedMasterSecretExt(),
      m.encodeSignatureAlgorithmsExt(schemes),
      m.encodeSupportedVersionsClientExt([0x0304]),
      m.encodePskKeyExchangeModesExt([1]),
      m.encodeKeyShareClientExt([{ group: 0x1d, keyExchange: fromHex(CLIENT_X25519) }]),
    ],
  });
  assert.equal(toHex(rebuilt), toHex(raw));
});

test('TLS 1.3 ServerHello: fields and byte-exact re-encoding', () => {
  const raw = fromRecord(tls13('serverhello'));
  const sh = m.decodeServerHello(parse(raw, HandshakeType.server_hello).body);
  assert.equal(sh.legacyVersion, 0x0303);
  assert.equal(sh.random[0], 0x70);
  assert.equal(sh.legacySessionIdEcho.length, 32);
  assert.equal(sh.cipherSuite, CipherSuite.TLS_AES_256_GCM_SHA384);
  assert.equal(sh.compressionMethod, 0);
  assert.equal(sh.isHelloRetryRequest, false);
  assert.equal(sh.downgradeSentinel, undefined);
  assert.deepEqual(sh.extensions.map((e) => e.type), [ExtensionType.supported_versions, ExtensionType.key_share]);
  assert.equal(m.decodeSupportedVersionsServerExt(sh.extension(ExtensionType.supported_versions)!), 0x0304);
  const ks = m.decodeKeyShareServerExt(sh.extension(ExtensionType.key_share)!);
  assert.equal(ks.group, NamedGroup.x25519);
  assert.equal(toHex(ks.keyExchange), SERVER_X25519);
  assert.equal(toHex(m.encodeServerHello(sh)), toHex(raw));
  const rebuilt = m.encodeServerHello({
    legacyVersion: 0x0303,
    random: sh.random,
    legacySessionIdEcho: sh.legacySessionIdEcho,
    cipherSuite: 0x1302,
    compressionMethod: 0,
    extensions: [m.encodeSupportedVersionsServerExt(0x0304), m.encodeKeyShareServerExt({ group: 0x1d, keyExchange: fromHex(SERVER_X25519) })],
  });
  assert.equal(toHex(rebuilt), toHex(raw));
});

test('TLS 1.3 EncryptedExtensions', () => {
  const raw = fromInner(tls13('serverextensions'));
  const ee = m.decodeEncryptedExtensions(parse(raw, HandshakeType.encrypted_extensions).body);
  assert.equal(ee.extensions.length, 0);
  assert.equal(toHex(m.encodeEncryptedExtensions(ee)), toHex(raw));
});

test('TLS 1.3 Certificate', () => {
  const raw = fromInner(tls13('servercert'));
  const cert = m.decodeCertificate13(parse(raw, HandshakeType.certificate).body);
  assert.equal(cert.context.length, 0);
  assert.equal(cert.entries.length, 1);
  assert.equal(cert.entries[0]!.certData.length, 805);
  assert.equal(cert.entries[0]!.certData[0], 0x30); // DER SEQUENCE
  assert.equal(cert.entries[0]!.extensions.length, 0);
  const pem = readVectorText('illustrated-tls13/keys/server.crt');
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  assert.equal(toHex(cert.entries[0]!.certData), der.toString('hex'));
  assert.equal(toHex(m.encodeCertificate13(cert)), toHex(raw));
});

test('TLS 1.3 CertificateVerify and its signed content', () => {
  const raw = fromInner(tls13('servercertverify'));
  const cv = m.decodeCertificateVerify(parse(raw, HandshakeType.certificate_verify).body);
  assert.equal(cv.scheme, SignatureScheme.rsa_pss_rsae_sha256);
  assert.equal(cv.signature.length, 256);
  assert.equal(toHex(m.encodeCertificateVerify(cv)), toHex(raw));
  const hash = new Uint8Array(48).fill(0xab);
  const content = m.encodeCertificateVerifyContent(true, hash);
  assert.equal(content.length, 64 + 33 + 1 + 48);
  assert.ok(content.subarray(0, 64).every((b) => b === 0x20));
  assert.equal(ascii(content.subarray(64, 97)), 'TLS 1.3, server CertificateVerify');
  assert.equal(content[97], 0);
  assert.equal(ascii(m.encodeCertificateVerifyContent(false, hash).subarray(64, 97)), 'TLS 1.3, client CertificateVerify');
});

test('TLS 1.3 Finished (server and client)', () => {
  for (const name of ['serverfinished', 'clientfinished']) {
    const raw = fromInner(tls13(name));
    const fin = m.decodeFinished(parse(raw, HandshakeType.finished).body, 48);
    assert.equal(fin.verifyData.length, 48);
    assert.equal(toHex(m.encodeFinished(fin)), toHex(raw));
  }
});

test('TLS 1.3 NewSessionTicket x2', () => {
  for (const [name, ageAdd, nonceLast] of [['serverticket1', 0, 0], ['serverticket2', 0, 1]] as const) {
    const raw = fromInner(tls13(name));
    const nst = m.decodeNewSessionTicket13(parse(raw, HandshakeType.new_session_ticket).body);
    assert.equal(nst.lifetime, 7200);
    assert.equal(nst.ageAdd, ageAdd);
    assert.equal(nst.nonce.length, 8);
    assert.equal(nst.nonce[7], nonceLast);
    assert.equal(nst.ticket.length, 192);
    assert.equal(nst.extensions.length, 0);
    assert.equal(toHex(m.encodeNewSessionTicket13(nst)), toHex(raw));
  }
});

test('TLS 1.2 ClientHello', () => {
  const raw = fromRecord(tls12('clienthello'));
  const ch = m.decodeClientHello(parse(raw, HandshakeType.client_hello).body);
  assert.equal(ch.legacySessionId.length, 0);
  assert.equal(ch.cipherSuites.length, 16);
  assert.equal(ch.cipherSuites[0], CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256);
  assert.ok(ch.cipherSuites.includes(CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA));
  assert.deepEqual(ch.extensions.map((e) => e.type), [0, 5, 10, 11, 13, 0xff01, 18]);
  assert.equal(m.decodeServerNameHostName(ch.extension(ExtensionType.server_name)!), 'example.ulfheim.net');
  assert.equal(toHex(ch.extension(ExtensionType.status_request)!), toHex(m.encodeStatusRequestExt().data));
  assert.deepEqual(m.decodeSupportedGroupsExt(ch.extension(ExtensionType.supported_groups)!), [0x1d, 0x17, 0x18, 0x19]);
  assert.deepEqual(m.decodeEcPointFormatsExt(ch.extension(ExtensionType.ec_point_formats)!), [0]);
  assert.equal(m.decodeSignatureAlgorithmsExt(ch.extension(ExtensionType.signature_algorithms)!).length, 8);
  assert.equal(m.decodeRenegotiationInfoExt(ch.extension(ExtensionType.renegotiation_info)!).length, 0);
  assert.equal(toHex(m.encodeClientHello(ch)), toHex(raw));
});

test('TLS 1.2 ServerHello', () => {
  const raw = fromRecord(tls12('serverhello'));
  const sh = m.decodeServerHello(parse(raw, HandshakeType.server_hello).body);
  assert.equal(sh.cipherSuite, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA);
  assert.equal(sh.legacySessionIdEcho.length, 0);
  assert.equal(sh.isHelloRetryRequest, false);
  assert.deepEqual(sh.extensions.map((e) => e.type), [ExtensionType.renegotiation_info]);
  assert.equal(m.decodeRenegotiationInfoExt(sh.extension(ExtensionType.renegotiation_info)!).length, 0);
  assert.equal(toHex(m.encodeServerHello(sh)), toHex(raw));
});

test('TLS 1.2 Certificate', () => {
  const raw = fromRecord(tls12('servercert'));
  const cert = m.decodeCertificate12(parse(raw, HandshakeType.certificate).body);
  assert.equal(cert.certificates.length, 1);
  assert.equal(cert.certificates[0]!.length, 805);
  assert.equal(toHex(m.encodeCertificate12(cert)), toHex(raw));
});

test('TLS 1.2 ServerKeyExchange (ECDHE x25519, rsa_pkcs1_sha256)', () => {
  const raw = fromRecord(tls12('serverkeyexchange'));
  const ske = m.decodeServerKeyExchangeEcdhe(parse(raw, HandshakeType.server_key_exchange).body);
  assert.equal(ske.group, NamedGroup.x25519);
  assert.equal(toHex(ske.publicKey), SERVER_X25519);
  assert.equal(ske.scheme, SignatureScheme.rsa_pkcs1_sha256);
  assert.equal(ske.signature.length, 256);
  assert.equal(toHex(ske.params), '03001d20' + SERVER_X25519);
  assert.equal(toHex(m.encodeEcdheParams(ske.group, ske.publicKey)), toHex(ske.params));
  const signed = m.serverKeyExchangeSignedContent(new Uint8Array(32), new Uint8Array(32).fill(1), ske.params);
  assert.equal(signed.length, 64 + 36);
  assert.equal(toHex(m.encodeServerKeyExchangeEcdhe(ske)), toHex(raw));
});

test('TLS 1.2 ServerHelloDone and ClientKeyExchange', () => {
  const shd = fromRecord(tls12('serverhellodone'));
  m.decodeServerHelloDone(parse(shd, HandshakeType.server_hello_done).body);
  assert.equal(toHex(m.encodeServerHelloDone()), toHex(shd));
  const cke = fromRecord(tls12('clientkeyexchange'));
  const point = m.decodeClientKeyExchangeEcdhe(parse(cke, HandshakeType.client_key_exchange).body);
  assert.equal(toHex(point), CLIENT_X25519);
  assert.equal(toHex(m.encodeClientKeyExchangeEcdhe(point)), toHex(cke));
});

test('TLS 1.2 Finished (decrypted, 12 bytes)', () => {
  const raw = tls12('clientfinishedplain');
  const fin = m.decodeFinished(parse(raw, HandshakeType.finished).body, 12);
  assert.equal(toHex(m.encodeFinished(fin)), toHex(raw));
});
