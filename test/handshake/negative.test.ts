// Malformed and illegal encodings: each case asserts the alert the decoder raises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, fromHex, Writer } from '../../src/bytes/index.js';
import { TlsError } from '../../src/errors/index.js';
import { ExtensionType } from '../../src/wire/index.js';
import * as m from '../../src/handshake/messages/index.js';
import { readVector } from '../vectors.js';

const file = readVector;
const rec = (p: string) => file(p).subarray(5 + 4); // record header + handshake header → body
const inner = (p: string) => {
  const b = file(p);
  return b.subarray(4, b.length - 1);
};

function alertOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlsError) return e.alertName;
    throw e;
  }
  return 'no error';
}

const RANDOM = new Uint8Array(32).fill(7);
const ext = (type: number, data: Uint8Array | string): m.Extension => ({ type, data: typeof data === 'string' ? fromHex(data) : data });

/** A ClientHello body with the given pieces (raw bytes, so we can break them). */
function chBody(opts: { sid?: string; suites?: string; comp?: string; exts?: m.Extension[]; extBlock?: string } = {}): Uint8Array {
  const w = new Writer();
  w.u16(0x0303).bytes(RANDOM);
  w.bytes(fromHex(opts.sid ?? '00'));
  w.bytes(fromHex(opts.suites ?? '0002 1301'));
  w.bytes(fromHex(opts.comp ?? '01 00'));
  if (opts.extBlock !== undefined) w.bytes(fromHex(opts.extBlock));
  else m.writeExtensions(w, opts.exts ?? [m.encodeSupportedVersionsClientExt([0x0304])]);
  return w.finish();
}

function shBody(exts: m.Extension[], random = RANDOM): Uint8Array {
  return m.parseHandshake(
    m.encodeServerHello({ legacyVersion: 0x0303, random, legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, compressionMethod: 0, extensions: exts }),
  ).body;
}

const PSK_OK = m.encodePreSharedKeyClientExt({ identities: [{ identity: fromHex('01'), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] });

type Case = [name: string, fn: () => unknown, alert: string];

const CASES: Case[] = [
  // ClientHello framing
  ['baseline ClientHello decodes', () => m.decodeClientHello(chBody()), 'no error'],
  ['ClientHello: trailing byte after extensions', () => m.decodeClientHello(concat(chBody(), fromHex('00'))), 'decode_error'],
  ['ClientHello: odd-length cipher_suites', () => m.decodeClientHello(chBody({ suites: '0003 130113' })), 'decode_error'],
  ['ClientHello: empty cipher_suites', () => m.decodeClientHello(chBody({ suites: '0000' })), 'decode_error'],
  ['ClientHello: session id of 33 bytes', () => m.decodeClientHello(chBody({ sid: '21' + '00'.repeat(33) })), 'decode_error'],
  ['ClientHello: session id of 32 bytes is fine', () => m.decodeClientHello(chBody({ sid: '20' + '00'.repeat(32) })), 'no error'],
  ['ClientHello: empty compression methods', () => m.decodeClientHello(chBody({ comp: '00' })), 'decode_error'],
  ['ClientHello: compression without null', () => m.decodeClientHello(chBody({ comp: '01 01' })), 'decode_error'],
  ['ClientHello: extension block length runs past the end', () => m.decodeClientHello(chBody({ extBlock: '0010 002b 0003 020304' })), 'decode_error'],
  ['ClientHello: extension data length runs past the block', () => m.decodeClientHello(chBody({ extBlock: '0007 002b 0009 020304' })), 'decode_error'],
  ['ClientHello: one stray byte where the extensions block starts', () => m.decodeClientHello(chBody({ extBlock: '00' })), 'decode_error'],
  ['ClientHello: duplicate extensions', () => m.decodeClientHello(chBody({ exts: [ext(0x2b, '020304'), ext(0x0a, '0002001d'), ext(0x2b, '020304')] })), 'illegal_parameter'],
  ['ClientHello: duplicate unknown extensions', () => m.decodeClientHello(chBody({ exts: [ext(0x7777, ''), ext(0x7777, '')] })), 'illegal_parameter'],
  ['ClientHello: pre_shared_key not last', () => m.decodeClientHello(chBody({ exts: [PSK_OK, ext(0x2b, '020304')] })), 'illegal_parameter'],
  ['ClientHello: pre_shared_key last is fine', () => m.decodeClientHello(chBody({ exts: [ext(0x2b, '020304'), PSK_OK] })), 'no error'],

  // ServerHello / HRR / other extension blocks
  ['ServerHello: duplicate extensions', () => m.decodeServerHello(shBody([ext(0x2b, '0304'), ext(0x2b, '0304')])), 'illegal_parameter'],
  ['ServerHello: session id echo of 33 bytes', () => m.decodeServerHello(concat(fromHex('0303'), RANDOM, fromHex('21'), new Uint8Array(33), fromHex('1301 00 0000'))), 'decode_error'],
  ['EncryptedExtensions: duplicate extensions', () => m.decodeEncryptedExtensions(fromHex('0008 0010 0000 0010 0000')), 'illegal_parameter'],
  ['EncryptedExtensions: trailing byte', () => m.decodeEncryptedExtensions(fromHex('0000 00')), 'decode_error'],
  ['EncryptedExtensions: missing block', () => m.decodeEncryptedExtensions(new Uint8Array(0)), 'decode_error'],
  ['Certificate 1.3: duplicate extensions in an entry', () => m.decodeCertificate13(fromHex('00 00000e 000001 30 0008 0005 0000 0005 0000')), 'illegal_parameter'],
  ['Certificate 1.3: empty cert_data', () => m.decodeCertificate13(fromHex('00 000005 000000 0000')), 'decode_error'],
  ['Certificate 1.3: entry without its extensions', () => m.decodeCertificate13(fromHex('00 000004 000001 30')), 'decode_error'],
  ['Certificate 1.2: empty ASN.1Cert', () => m.decodeCertificate12(fromHex('000003 000000')), 'decode_error'],
  ['CertificateRequest 1.2: empty certificate_types', () => m.decodeCertificateRequest12(fromHex('00 0002 0401 0000')), 'decode_error'],
  ['CertificateRequest 1.2: empty signature algorithms', () => m.decodeCertificateRequest12(fromHex('01 01 0000 0000')), 'decode_error'],
  ['CertificateRequest 1.2: empty DistinguishedName', () => m.decodeCertificateRequest12(fromHex('01 01 0002 0401 0002 0000')), 'decode_error'],
  ['CertificateVerify: signature length past the end', () => m.decodeCertificateVerify(fromHex('0804 0010 00')), 'decode_error'],

  // key_share
  ['key_share client: zero-length key_exchange', () => m.decodeKeyShareClientExt(fromHex('0004 001d 0000')), 'decode_error'],
  ['key_share client: two entries for one group', () => m.decodeKeyShareClientExt(fromHex('000a 001d 0001 aa 001d 0001 bb')), 'illegal_parameter'],
  ['key_share client: empty list is allowed (HRR request)', () => m.decodeKeyShareClientExt(fromHex('0000')), 'no error'],
  ['key_share client: trailing bytes', () => m.decodeKeyShareClientExt(fromHex('0005 001d 0001 aa 00')), 'decode_error'],
  ['key_share server: zero-length key_exchange', () => m.decodeKeyShareServerExt(fromHex('001d 0000')), 'decode_error'],
  ['key_share server: list form instead of one entry', () => m.decodeKeyShareServerExt(fromHex('0005 001d 0001 aa')), 'decode_error'],
  ['key_share HRR: a full key share entry', () => m.decodeKeyShareHrrExt(fromHex('001d 0020' + '11'.repeat(32))), 'illegal_parameter'],
  ['key_share HRR: three bytes', () => m.decodeKeyShareHrrExt(fromHex('001d00')), 'decode_error'],
  ['key_share HRR: one byte', () => m.decodeKeyShareHrrExt(fromHex('00')), 'decode_error'],

  // ALPN, SNI
  ['ALPN: empty protocol name', () => m.decodeAlpnExt(fromHex('0004 02 6832 00')), 'decode_error'],
  ['ALPN: empty list', () => m.decodeAlpnExt(fromHex('0000')), 'decode_error'],
  ['ALPN: name runs past the list', () => m.decodeAlpnExt(fromHex('0003 05 6832 00')), 'decode_error'],
  ['ALPN server: two protocols', () => m.decodeAlpnServerExt(fromHex('0006 02 6832 02 6833')), 'illegal_parameter'],
  ['server_name: empty list', () => m.decodeServerNameExt(fromHex('0000')), 'decode_error'],
  ['server_name: empty host_name', () => m.decodeServerNameExt(fromHex('0003 00 0000')), 'decode_error'],
  ['server_name: two host_names', () => m.decodeServerNameHostName(fromHex('0008 00 0001 61 00 0001 62')), 'illegal_parameter'],
  ['server_name: trailing byte after the list', () => m.decodeServerNameExt(fromHex('0004 00 0001 61 00')), 'decode_error'],

  // lists
  ['supported_versions client: empty', () => m.decodeSupportedVersionsClientExt(fromHex('00')), 'decode_error'],
  ['supported_versions client: odd length', () => m.decodeSupportedVersionsClientExt(fromHex('03 030403')), 'decode_error'],
  ['supported_versions server: list form', () => m.decodeSupportedVersionsServerExt(fromHex('02 0304')), 'decode_error'],
  ['supported_groups: empty', () => m.decodeSupportedGroupsExt(fromHex('0000')), 'decode_error'],
  ['signature_algorithms: empty', () => m.decodeSignatureAlgorithmsExt(fromHex('0000')), 'decode_error'],
  ['signature_algorithms: odd', () => m.decodeSignatureAlgorithmsExt(fromHex('0003 040104')), 'decode_error'],
  ['psk_key_exchange_modes: empty', () => m.decodePskKeyExchangeModesExt(fromHex('00')), 'decode_error'],
  ['ec_point_formats: empty', () => m.decodeEcPointFormatsExt(fromHex('00')), 'decode_error'],
  ['certificate_authorities: empty DistinguishedName', () => m.decodeCertificateAuthoritiesExt(fromHex('0004 0000 0000')), 'decode_error'],
  ['certificate_authorities: empty list', () => m.decodeCertificateAuthoritiesExt(fromHex('0000')), 'decode_error'],

  // pre_shared_key
  ['pre_shared_key: more binders than identities', () => m.decodePreSharedKeyClientExt(m.encodePreSharedKeyClientExt({ identities: [{ identity: fromHex('01'), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32), new Uint8Array(32)] }).data), 'illegal_parameter'],
  ['pre_shared_key: binder of 31 bytes', () => m.decodePreSharedKeyClientExt(m.encodePreSharedKeyClientExt({ identities: [{ identity: fromHex('01'), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(31)] }).data), 'decode_error'],
  ['pre_shared_key: empty identity', () => m.decodePreSharedKeyClientExt(m.encodePreSharedKeyClientExt({ identities: [{ identity: new Uint8Array(0), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] }).data), 'decode_error'],
  ['pre_shared_key: no identities', () => m.decodePreSharedKeyClientExt(fromHex('0000 0021 20' + '00'.repeat(32))), 'decode_error'],
  ['pre_shared_key server: 3 bytes', () => m.decodePreSharedKeyServerExt(fromHex('000000')), 'decode_error'],

  // small extensions
  ['extended_master_secret: non-empty', () => m.decodeExtendedMasterSecretExt(fromHex('00')), 'decode_error'],
  ['early_data (hello): non-empty', () => m.decodeEarlyDataExt(fromHex('00000000')), 'decode_error'],
  ['early_data (ticket): 3 bytes', () => m.decodeEarlyDataTicketExt(fromHex('000000')), 'decode_error'],
  ['cookie: empty', () => m.decodeCookieExt(fromHex('0000')), 'decode_error'],
  ['renegotiation_info: length past the end', () => m.decodeRenegotiationInfoExt(fromHex('0c 00')), 'decode_error'],
  ['record_size_limit: 63', () => m.decodeRecordSizeLimitExt(fromHex('003f')), 'illegal_parameter'],
  ['record_size_limit: 64 is fine', () => m.decodeRecordSizeLimitExt(fromHex('0040')), 'no error'],
  ['padding: nonzero byte', () => m.decodePaddingExt(fromHex('000100')), 'illegal_parameter'],

  // fixed-form messages
  ['KeyUpdate: request_update 2', () => m.decodeKeyUpdate(fromHex('02')), 'illegal_parameter'],
  ['KeyUpdate: request_update 255', () => m.decodeKeyUpdate(fromHex('ff')), 'illegal_parameter'],
  ['KeyUpdate: empty', () => m.decodeKeyUpdate(new Uint8Array(0)), 'decode_error'],
  ['KeyUpdate: two bytes', () => m.decodeKeyUpdate(fromHex('0100')), 'decode_error'],
  ['Finished: wrong length', () => m.decodeFinished(new Uint8Array(32), 48), 'decode_error'],
  ['ServerHelloDone: non-empty', () => m.decodeServerHelloDone(fromHex('00')), 'decode_error'],
  ['EndOfEarlyData: non-empty', () => m.decodeEndOfEarlyData(fromHex('00')), 'decode_error'],
  ['HelloRequest: non-empty', () => m.decodeHelloRequest(fromHex('00')), 'decode_error'],
  ['NewSessionTicket 1.3: empty ticket', () => m.decodeNewSessionTicket13(fromHex('00001c20 00000000 00 0000 0000')), 'decode_error'],
  ['NewSessionTicket 1.3: missing extensions', () => m.decodeNewSessionTicket13(fromHex('00001c20 00000000 00 0001 aa')), 'decode_error'],
  ['NewSessionTicket 1.2: trailing byte', () => m.decodeNewSessionTicket12(fromHex('00000e10 0001 aa 00')), 'decode_error'],
  ['ServerKeyExchange: explicit curve type', () => m.decodeServerKeyExchangeEcdhe(fromHex('01 001d 01 aa 0401 0000')), 'illegal_parameter'],
  ['ServerKeyExchange: empty point', () => m.decodeServerKeyExchangeEcdhe(fromHex('03 001d 00 0401 0000')), 'decode_error'],
  ['ServerKeyExchange: missing signature', () => m.decodeServerKeyExchangeEcdhe(fromHex('03 001d 01 aa')), 'decode_error'],
  ['ClientKeyExchange ECDHE: empty point', () => m.decodeClientKeyExchangeEcdhe(fromHex('00')), 'decode_error'],
  ['ClientKeyExchange ECDHE: trailing byte', () => m.decodeClientKeyExchangeEcdhe(fromHex('01 aa bb')), 'decode_error'],
  ['ClientKeyExchange RSA: short', () => m.decodeClientKeyExchangeRsa(fromHex('0100 aa')), 'decode_error'],
];

for (const [name, fn, alert] of CASES) {
  test(`negative: ${name} → ${alert}`, () => {
    assert.equal(alertOf(fn), alert);
  });
}

test(`negative table has ${CASES.length} cases`, () => {
  assert.ok(CASES.length >= 80);
});

// Every strict prefix and every one-byte extension of each real message fails with decode_error.
// The exceptions are the hellos cut right after the compression method(s): a legal TLS 1.2
// hello without an extensions block.
const REAL: [name: string, body: Uint8Array, decode: (b: Uint8Array) => unknown, legalPrefix?: number][] = [
  ['TLS 1.3 ClientHello', rec('illustrated-tls13/captures/caps/clienthello'), m.decodeClientHello, 2 + 32 + 33 + 2 + 8 + 2],
  ['TLS 1.3 ServerHello', rec('illustrated-tls13/captures/caps/serverhello'), m.decodeServerHello, 2 + 32 + 33 + 3],
  ['EncryptedExtensions', inner('illustrated-tls13/captures/caps/serverextensions'), m.decodeEncryptedExtensions],
  ['Certificate 1.3', inner('illustrated-tls13/captures/caps/servercert'), m.decodeCertificate13],
  ['CertificateVerify', inner('illustrated-tls13/captures/caps/servercertverify'), m.decodeCertificateVerify],
  ['Finished', inner('illustrated-tls13/captures/caps/serverfinished'), (b) => m.decodeFinished(b, 48)],
  ['NewSessionTicket 1.3', inner('illustrated-tls13/captures/caps/serverticket1'), m.decodeNewSessionTicket13],
  ['TLS 1.2 ClientHello', rec('illustrated-tls12/captures/caps/clienthello'), m.decodeClientHello, 2 + 32 + 1 + 2 + 32 + 2],
  ['TLS 1.2 ServerHello', rec('illustrated-tls12/captures/caps/serverhello'), m.decodeServerHello, 2 + 32 + 1 + 3],
  ['Certificate 1.2', rec('illustrated-tls12/captures/caps/servercert'), m.decodeCertificate12],
  ['ServerKeyExchange', rec('illustrated-tls12/captures/caps/serverkeyexchange'), m.decodeServerKeyExchangeEcdhe],
  ['ClientKeyExchange', rec('illustrated-tls12/captures/caps/clientkeyexchange'), m.decodeClientKeyExchangeEcdhe],
];

for (const [name, body, decode, legalPrefix] of REAL) {
  test(`truncations and a trailing byte of the real ${name} → decode_error`, () => {
    assert.equal(alertOf(() => decode(body)), 'no error');
    let checked = 0;
    for (let n = 0; n < body.length; n++) {
      if (n === legalPrefix) {
        assert.equal(alertOf(() => decode(body.subarray(0, n))), 'no error');
        continue;
      }
      assert.equal(alertOf(() => decode(body.subarray(0, n))), 'decode_error', `prefix ${n}`);
      checked++;
    }
    assert.equal(alertOf(() => decode(concat(body, fromHex('00')))), 'decode_error');
    assert.ok(checked >= body.length - 1);
  });
}

test('the ClientHello extension map and raw survive a duplicate-free hello; psk placement is not a rule in ServerHello', () => {
  const sh = m.decodeServerHello(shBody([m.encodePreSharedKeyServerExt(0), ext(ExtensionType.supported_versions, '0304')]));
  assert.equal(sh.extensions.length, 2);
});
