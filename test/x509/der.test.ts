// Strict DER: every BER liberty and malformed encoding is refused with a TlsError, and the writer
// produces what the reader accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DerReader,
  der,
  decodeOid,
  encodeOid,
  decodePem,
  encodePem,
  parseDer,
  Tag,
} from '../../src/asn1/index.js';
import { fromHex, toHex } from '../../src/bytes/index.js';
import { TlsError } from '../../src/errors/index.js';
import { parseCertificate } from '../../src/x509/index.js';

function rejects(fn: () => unknown, alert: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${String(e)}`);
    assert.equal(e.alertName, alert);
    assert.match(e.message, pattern);
    return true;
  });
}
const r = (hex: string) => new DerReader(fromHex(hex));
const fail = (m: string): never => {
  throw new Error(m);
};

test('lengths: minimal definite form only', () => {
  const cases: [string, RegExp][] = [
    ['0480', /indefinite length/], // indefinite
    ['048101 00', /not minimally encoded/], // long form for a short length
    ['04820001 00', /not minimally encoded/], // leading zero length octet
    ['0485 0000000001 00', /too long/], // 5 length octets
    ['0403 0102', /runs past the end/],
    ['0481', /runs past the end/],
    ['04', /length is missing/],
  ];
  for (const [hex, re] of cases) rejects(() => r(hex).next('x'), 'decode_error', re);
  assert.equal(r('04 8180' + '00'.repeat(128)).next().contents.length, 128);
  assert.equal(r('04 820100' + '00'.repeat(256)).next().contents.length, 256);
});

test('tags: high-tag-number form and end-of-contents are refused', () => {
  rejects(() => r('1f2100').next('x'), 'decode_error', /high-tag-number/);
  rejects(() => r('bf2200').next('x'), 'decode_error', /high-tag-number/);
  rejects(() => r('0000').next('x'), 'decode_error', /end-of-contents/);
  // A constructed OCTET STRING (BER) is not an OCTET STRING in DER.
  rejects(() => r('2403 040100').octetString('os'), 'decode_error', /expected OCTET_STRING/);
});

test('trailing bytes are refused', () => {
  rejects(() => parseDer(fromHex('0500 00')), 'decode_error', /trailing/);
  const seq = r('3003 020101 00').sequence('s');
  seq.smallInteger('i');
  seq.expectEnd();
  rejects(() => {
    const x = r('3005 020101 0500').sequence('s');
    x.smallInteger('i');
    x.expectEnd();
  }, 'decode_error', /2 unexpected trailing bytes/);
});

test('INTEGER: minimal two\'s complement, sign checks', () => {
  assert.equal(toHex(r('020100').integer('i')), '00');
  assert.equal(toHex(r('02020080').unsignedInteger('i')), '80');
  assert.equal(r('02017f').smallInteger('i'), 127);
  assert.equal(r('0202ff7f').integer('i').length, 2);
  rejects(() => r('0200').integer('i'), 'decode_error', /empty/);
  rejects(() => r('0202007f').integer('i'), 'decode_error', /not minimally encoded/);
  rejects(() => r('0202ff80').integer('i'), 'decode_error', /not minimally encoded/);
  rejects(() => r('020180').unsignedInteger('i'), 'decode_error', /negative/);
  rejects(() => r('0202ff00').smallInteger('i'), 'decode_error', /negative/);
  rejects(() => r('020105').smallInteger('i', 4), 'decode_error', /larger than 4/);
  rejects(() => r('0203010000').unsignedInteger('i', 2), 'decode_error', /longer than 2/);
});

test('BOOLEAN: only 0x00 and 0xFF', () => {
  assert.equal(r('0101ff').boolean('b'), true);
  assert.equal(r('010100').boolean('b'), false);
  rejects(() => r('010101').boolean('b'), 'decode_error', /not DER/);
  rejects(() => r('0102ffff').boolean('b'), 'decode_error', /one byte/);
  rejects(() => r('0100').boolean('b'), 'decode_error', /one byte/);
});

test('BIT STRING: unused bits bounded and zero', () => {
  assert.deepEqual(r('030206c0').bitString('b'), { bytes: fromHex('c0'), unusedBits: 6 });
  rejects(() => r('0300').bitString('b'), 'decode_error', /empty/);
  rejects(() => r('030208ff').bitString('b'), 'decode_error', /8 unused bits/);
  rejects(() => r('030101').bitString('b'), 'decode_error', /empty BIT STRING with unused bits/);
  rejects(() => r('030206c1').bitString('b'), 'decode_error', /unused bits are not zero/);
  rejects(() => r('030201c0').bitStringBytes('b'), 'decode_error', /1 unused bits/);
});

test('NULL must be empty', () => {
  r('0500').null('n');
  rejects(() => r('050100').null('n'), 'decode_error', /empty/);
});

test('OID: decode/encode round trip, minimal arcs', () => {
  const cases: [string, string][] = [
    ['2a864886f70d01010b', '1.2.840.113549.1.1.11'],
    ['550403', '2.5.4.3'],
    ['2b0601050507030 1'.replace(/ /g, ''), '1.3.6.1.5.5.7.3.1'],
    ['8837', '2.999'],
    ['00', '0.0'],
  ];
  for (const [hex, dotted] of cases) {
    assert.equal(decodeOid(fromHex(hex), fail), dotted);
    assert.equal(toHex(encodeOid(dotted)), hex);
  }
  // a UUID arc (2.25.x) larger than 2^53 survives the round trip
  const uuid = '2.25.329800735698586629295641978511506172918';
  assert.equal(decodeOid(encodeOid(uuid), fail), uuid);
  assert.throws(() => decodeOid(fromHex(''), fail), /empty/);
  assert.throws(() => decodeOid(fromHex('2a8001'), fail), /not minimally/);
  assert.throws(() => decodeOid(fromHex('2a86'), fail), /ends inside/);
  assert.throws(() => encodeOid('1.40'), RangeError);
  assert.throws(() => encodeOid('3.1'), RangeError);
  assert.equal(r('0603550403').oid('o'), '2.5.4.3');
});

test('times: RFC 5280 §4.1.2.5 profile', () => {
  const t = (hex: string) => r(hex).time('t');
  const utc = (s: string) => toHex(der.tlv(Tag.UTCTime, new TextEncoder().encode(s)));
  const gen = (s: string) => toHex(der.tlv(Tag.GeneralizedTime, new TextEncoder().encode(s)));
  assert.equal(t(utc('181005013817Z')), Date.UTC(2018, 9, 5, 1, 38, 17));
  assert.equal(t(utc('491231235959Z')), Date.UTC(2049, 11, 31, 23, 59, 59));
  assert.equal(t(utc('500101000000Z')), Date.UTC(1950, 0, 1)); // YY >= 50 → 19YY
  assert.equal(t(gen('20500101000000Z')), Date.UTC(2050, 0, 1));
  assert.equal(t(gen('99991231235959Z')), Date.UTC(9999, 11, 31, 23, 59, 59));
  assert.equal(t(utc('240229000000Z')), Date.UTC(2024, 1, 29));
  const bad: [string, RegExp][] = [
    [utc('1810050138Z'), /YYMMDDHHMMSSZ/], // no seconds
    [utc('181005013817'), /YYMMDDHHMMSSZ/], // no Z
    [utc('181005013817+0000'), /YYMMDDHHMMSSZ/], // offset
    [gen('20181005013817.5Z'), /YYYYMMDDHHMMSSZ/], // fraction
    [gen('201810050138Z'), /YYYYMMDDHHMMSSZ/],
    [utc('181305013817Z'), /invalid date/],
    [utc('230229000000Z'), /invalid date/], // not a leap year
    [utc('181000013817Z'), /invalid date/],
    [utc('181005243817Z'), /invalid time/],
    [utc('181005016017Z'), /invalid time/],
    [utc('181005013860Z'), /invalid time/], // no leap seconds
    [utc('18100501381aZ'), /non-digit/],
  ];
  for (const [hex, re] of bad) rejects(() => t(hex), 'decode_error', re);
  rejects(() => t('0400'), 'decode_error', /expected a time/);
  // writer: UTCTime through 2049, GeneralizedTime from 2050
  assert.equal(der.time(Date.UTC(2049, 0, 1))[0], Tag.UTCTime);
  assert.equal(der.time(Date.UTC(2050, 0, 1))[0], Tag.GeneralizedTime);
  assert.equal(r(toHex(der.time(Date.UTC(2031, 5, 7, 8, 9, 10)))).time('t'), Date.UTC(2031, 5, 7, 8, 9, 10));
});

test('strings: alphabets enforced, Teletex read as Latin-1, BMP as UCS-2', () => {
  const s = (tag: number, bytes: number[]) => new DerReader(der.tlv(tag, Uint8Array.from(bytes))).string('s');
  assert.equal(s(Tag.PrintableString, [...Buffer.from('Example CA')]), 'Example CA');
  assert.equal(s(Tag.UTF8String, [0xc3, 0xa9]), 'é');
  assert.equal(s(Tag.TeletexString, [0xe9]), 'é');
  assert.equal(s(Tag.BMPString, [0x00, 0x41, 0x20, 0xac]), 'A€');
  assert.equal(s(Tag.IA5String, [...Buffer.from('a@b')]), 'a@b');
  rejects(() => s(Tag.PrintableString, [0x3c]), 'decode_error', /alphabet/);
  rejects(() => s(Tag.UTF8String, [0xc3]), 'decode_error', /UTF-8/);
  rejects(() => s(Tag.IA5String, [0xe9]), 'decode_error', /non-ASCII/);
  rejects(() => s(Tag.BMPString, [0x00]), 'decode_error', /odd length/);
  rejects(() => s(Tag.BMPString, [0xd8, 0x00]), 'decode_error', /surrogate/);
  rejects(() => new DerReader(fromHex('0500')).string('s'), 'decode_error', /expected a string/);
});

test('writer: integers, named bits, SET OF ordering, implicit/explicit tags', () => {
  assert.equal(toHex(der.integer(0)), '020100');
  assert.equal(toHex(der.integer(128)), '02020080');
  assert.equal(toHex(der.integer(-129)), '0202ff7f');
  assert.equal(toHex(der.integer(-1)), '0201ff');
  assert.equal(toHex(der.integer(fromHex('000080'))), '02020080');
  assert.equal(toHex(der.integer(2n ** 64n)), '0209010000000000000000');
  assert.equal(toHex(der.namedBits([5, 6])), '03020106'); // keyCertSign + cRLSign
  assert.equal(toHex(der.namedBits([0])), '03020780');
  assert.equal(toHex(der.namedBits([0, 8])), '0303078080');
  assert.equal(toHex(der.set(der.integer(2), der.integer(1))), '3106020101020102');
  assert.equal(toHex(der.explicit(0, der.integer(2))), 'a003020102');
  assert.equal(toHex(der.implicit(1, der.sequence())), 'a100');
  assert.equal(toHex(der.implicit(2, der.ia5String('a'))), '820161');
  // long lengths are written minimally and read back
  const big = der.octetString(new Uint8Array(300));
  assert.equal(toHex(big.subarray(0, 4)), '0482012c');
  assert.equal(parseDer(big).contents.length, 300);
  for (const v of [0n, 1n, 127n, 128n, 255n, 256n, -128n, -129n, 2n ** 100n]) {
    const c = new DerReader(der.integer(v)).integer('i');
    assert.equal(BigInt.asIntN(c.length * 8, BigInt('0x' + toHex(c))), v);
  }
});

test('PEM: several blocks, labels, explanatory text, round trip, errors', () => {
  const a = encodePem('CERTIFICATE', fromHex('3000'));
  const b = encodePem('PRIVATE KEY', fromHex('0500'));
  const blocks = decodePem(`subject=CN=x\n${a}\r\nsome text\n${b}`);
  assert.deepEqual(
    blocks.map((x) => [x.label, toHex(x.der)]),
    [
      ['CERTIFICATE', '3000'],
      ['PRIVATE KEY', '0500'],
    ],
  );
  assert.equal(decodePem('no pem here').length, 0);
  rejects(() => decodePem('-----BEGIN CERTIFICATE-----\nMAA=\n'), 'decode_error', /no END/);
  rejects(() => decodePem('-----BEGIN CERTIFICATE-----\nMAA=\n-----END X509 CRL-----\n'), 'decode_error', /ends with/);
  rejects(() => decodePem('-----BEGIN CERTIFICATE-----\nM@A=\n-----END CERTIFICATE-----\n'), 'decode_error', /bad character/);
  rejects(
    () => decodePem('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nMAA=\n-----END RSA PRIVATE KEY-----\n'),
    'decode_error',
    /headers/,
  );
  const long = encodePem('CERTIFICATE', new Uint8Array(100));
  assert.ok(long.split('\n').every((l) => l.length <= 64));
});

// A minimal certificate skeleton, so each structural rule can be broken one at a time.
function tbs(parts: { version?: Uint8Array | null; serial?: Uint8Array; ext?: Uint8Array | null; sigInner?: Uint8Array }): Uint8Array {
  const alg = der.sequence(der.oid('1.2.840.10045.4.3.2'));
  const name = der.sequence(der.set(der.sequence(der.oid('2.5.4.3'), der.utf8String('x'))));
  const spki = der.sequence(
    der.sequence(der.oid('1.2.840.10045.2.1'), der.oid('1.2.840.10045.3.1.7')),
    der.bitString(new Uint8Array(65).fill(4)),
  );
  return der.sequence(
    ...(parts.version === null ? [] : [parts.version ?? der.explicit(0, der.integer(2))]),
    parts.serial ?? der.integer(1),
    parts.sigInner ?? alg,
    name,
    der.sequence(der.utcTime(Date.UTC(2020, 0, 1)), der.utcTime(Date.UTC(2030, 0, 1))),
    name,
    spki,
    ...(parts.ext === null ? [] : [parts.ext ?? der.explicit(3, der.sequence(der.sequence(der.oid('2.5.29.19'), der.boolean(true), der.octetString(der.sequence(der.boolean(true))))))]),
  );
}
function cert(t: Uint8Array, trailing: Uint8Array = new Uint8Array(0)): Uint8Array {
  const c = der.sequence(t, der.sequence(der.oid('1.2.840.10045.4.3.2')), der.bitString(new Uint8Array(8)));
  const out = new Uint8Array(c.length + trailing.length);
  out.set(c);
  out.set(trailing, c.length);
  return out;
}
const ext = (...exts: Uint8Array[]) => der.explicit(3, der.sequence(...exts));
const e = (oid: string, value: Uint8Array, critical?: boolean) =>
  der.sequence(der.oid(oid), ...(critical === undefined ? [] : [der.boolean(critical)]), der.octetString(value));

test('certificate structure: the skeleton parses', () => {
  const c = parseCertificate(cert(tbs({})));
  assert.equal(c.version, 3);
  assert.deepEqual(c.basicConstraints, { ca: true });
  assert.equal(c.subject.text, 'CN=x');
  assert.equal(c.signatureAlgorithm.name, 'ecdsa-with-SHA256');
});

test('serial numbers outside RFC 5280 §4.1.2.2 parse, flagged for validation (which names the rule)', () => {
  assert.equal(parseCertificate(cert(tbs({ serial: der.integer(-5) }))).serialProblem, 'negative');
  assert.equal(parseCertificate(cert(tbs({ serial: der.integer(new Uint8Array(21).fill(1)) }))).serialProblem, 'tooLong');
  assert.equal(parseCertificate(cert(tbs({ serial: der.integer(0) }))).serialProblem, 'zero');
  const ok = parseCertificate(cert(tbs({ serial: der.integer(new Uint8Array(20).fill(0xff)) })));
  assert.equal(ok.serialProblem, undefined);
  assert.equal(ok.serialNumber.length, 20);
});

test('certificate structure: every violation is bad_certificate naming the field', () => {
  const bad: [string, Uint8Array, RegExp][] = [
    ['trailing bytes after the certificate', cert(tbs({}), fromHex('00')), /trailing/],
    ['explicit v1 version', cert(tbs({ version: der.explicit(0, der.integer(0)) })), /DEFAULT/],
    ['version 4', cert(tbs({ version: der.explicit(0, der.integer(3)) })), /larger than 2/],
    ['65-byte serial', cert(tbs({ serial: der.integer(new Uint8Array(65).fill(1)) })), /longer than 64/],
    ['non-minimal serial', cert(tbs({ serial: fromHex('02020001') })), /not minimally/],
    ['extensions in v1', cert(tbs({ version: null })), /extensions in a v1/],
    ['inner/outer algorithm mismatch', cert(tbs({ sigInner: der.sequence(der.oid('1.2.840.10045.4.3.3')) })), /differs/],
    ['ECDSA algorithm with parameters', cert(tbs({ sigInner: der.sequence(der.oid('1.2.840.10045.4.3.2'), der.nullValue()) })), /trailing/],
    ['empty extensions', cert(tbs({ ext: der.explicit(3, der.sequence()) })), /extensions is empty/],
    [
      'duplicate extension',
      cert(tbs({ ext: ext(e('2.5.29.14', der.octetString(fromHex('01'))), e('2.5.29.14', der.octetString(fromHex('02')))) })),
      /duplicate extension 2.5.29.14/,
    ],
    ['critical FALSE encoded', cert(tbs({ ext: ext(e('2.5.29.14', der.octetString(fromHex('01')), false)) })), /DEFAULT/],
    ['bad BOOLEAN in critical', cert(tbs({ ext: ext(der.sequence(der.oid('2.5.29.14'), fromHex('010101'), der.octetString(der.octetString(fromHex('01'))))) })), /not DER/],
    ['cA FALSE encoded', cert(tbs({ ext: ext(e('2.5.29.19', der.sequence(der.boolean(false)), true)) })), /cA FALSE/],
    ['pathLen without cA', cert(tbs({ ext: ext(e('2.5.29.19', der.sequence(der.integer(0)), true)) })), /pathLenConstraint without cA/],
    ['negative pathLen', cert(tbs({ ext: ext(e('2.5.29.19', der.sequence(der.boolean(true), der.integer(-1)), true)) })), /negative/],
    ['empty EKU', cert(tbs({ ext: ext(e('2.5.29.37', der.sequence())) })), /empty/],
    ['empty SAN', cert(tbs({ ext: ext(e('2.5.29.17', der.sequence())) })), /GeneralNames is empty/],
    ['SAN with non-ASCII dNSName', cert(tbs({ ext: ext(e('2.5.29.17', der.sequence(der.contextPrimitive(2, fromHex('c3a9'))))) })), /non-ASCII/],
    ['trailing bytes inside an extension', cert(tbs({ ext: ext(e('2.5.29.14', fromHex('0401010500'))) })), /trailing/],
    ['empty name constraints', cert(tbs({ ext: ext(e('2.5.29.30', der.sequence(), true)) })), /NameConstraints is empty/],
    [
      'name constraint with maximum',
      cert(tbs({ ext: ext(e('2.5.29.30', der.sequence(der.implicit(0, der.sequence(der.sequence(der.contextPrimitive(2, fromHex('61')), der.contextPrimitive(1, fromHex('01')))))), true)) })),
      /minimum\/maximum/,
    ],
    ['key usage with nonzero unused bits', cert(tbs({ ext: ext(e('2.5.29.15', fromHex('030201ff'), true)) })), /unused bits are not zero/],
    ['indefinite length (BER)', (() => { const c = cert(tbs({})).slice(); c[1] = 0x80; return c; })(), /indefinite/],
  ];
  for (const [name, bytes, re] of bad) {
    assert.throws(() => parseCertificate(bytes), (err: unknown) => {
      assert.ok(err instanceof TlsError, name);
      assert.equal(err.alertName, 'bad_certificate', name);
      assert.match(err.message, re, `${name}: ${err.message}`);
      return true;
    });
  }
  assert.equal(bad.length, 23);
});

test('unknown critical extensions parse (rejected later, at validation) and are listed', () => {
  const c = parseCertificate(cert(tbs({ ext: ext(e('1.2.3.4', fromHex('0500'), true), e('1.2.3.5', fromHex('0500'))) })));
  assert.deepEqual(c.unhandledCritical, ['1.2.3.4']);
  assert.equal(c.extensions.length, 2);
});
