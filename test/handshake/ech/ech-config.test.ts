// ECHConfigList codec (RFC 9849 §4) on OpenSSL's fixtures (test/vectors/ech): valid lists parse
// with the documented fields, old versions are kept opaque and skipped, malformed lists fail with
// decode_error; plus round trips and the bounds of each field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromBase64, toHex } from '../../../src/bytes/index.js';
import { nodeCryptoProvider as P } from '../../../src/crypto/node/index.js';
import { TlsError } from '../../../src/errors/index.js';
import {
  chooseEchSuite,
  decodeEchConfigList,
  echConfigsOf,
  echConfigUnusableReason,
  encodeEchConfig,
  encodeEchConfigList,
  isValidPublicName,
  type EchConfigContents,
} from '../../../src/handshake/ech/ech-config.js';
import { readVectorText } from '../../vectors.js';

/** The ECHConfigList of an "ECH PEM" file (or a bare base64 file), and the PKCS#8 key when present. */
function pem(name: string): { list: Uint8Array; key?: string } {
  const text = readVectorText(`ech/openssl-test-certs/${name}`);
  const m = /-----BEGIN ECHCONFIG-----([\s\S]*?)-----END ECHCONFIG-----/.exec(text);
  const k = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----/.exec(text);
  return { list: fromBase64((m ? m[1]! : text).replace(/\s+/g, '')), key: k?.[0] };
}

function isDecodeError(e: unknown): boolean {
  return e instanceof TlsError && e.alertName === 'decode_error';
}

/** The raw X25519 private key of a PKCS#8 PEM, for checking the config's public key. */
function x25519PublicOf(keyPem: string): string {
  const der = fromBase64(keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
  return toHex(P.keyExchange(0x001d)!.fromPrivateKey(der.subarray(der.length - 32)).publicKey);
}

describe('ECHConfigList fixtures (OpenSSL test/certs)', () => {
  test('echconfig.pem: one 0xfe0d config, id 231, X25519, (HKDF-SHA256, AES-128-GCM), example.com; key matches', () => {
    const { list, key } = pem('echconfig.pem');
    const entries = decodeEchConfigList(list);
    assert.equal(entries.length, 1);
    const [c] = echConfigsOf(entries);
    assert.ok(c);
    assert.equal(c.contents.configId, 231);
    assert.equal(c.contents.kem, 0x0020);
    assert.deepEqual(c.contents.cipherSuites, [{ kdf: 1, aead: 1 }]);
    assert.equal(c.contents.publicName, 'example.com');
    assert.equal(c.contents.maximumNameLength, 0);
    assert.deepEqual(c.contents.extensions, []);
    assert.equal(toHex(c.contents.publicKey), x25519PublicOf(key!));
    assert.equal(echConfigUnusableReason(c.contents), undefined);
    // Re-encoding gives the same bytes.
    assert.equal(toHex(encodeEchConfigList([encodeEchConfig(c.contents)])), toHex(list));
    assert.equal(toHex(c.raw), toHex(list.subarray(2)));
  });

  test('ech-eg.pem and echmaxname.pem', () => {
    const [eg] = echConfigsOf(decodeEchConfigList(pem('ech-eg.pem').list));
    assert.equal(eg?.contents.publicName, 'eg.com');
    assert.equal(eg?.contents.configId, 106);
    const [mx] = echConfigsOf(decodeEchConfigList(pem('echmaxname.pem').list));
    assert.equal(mx?.contents.maximumNameLength, 32);
  });

  test('echwithexts.pem: three extensions kept in order with their bodies', () => {
    const [c] = echConfigsOf(decodeEchConfigList(pem('echwithexts.pem').list));
    assert.ok(c);
    assert.deepEqual(
      c.contents.extensions.map((e) => [e.type, e.data.length]),
      [
        [0x0fca, 0],
        [0x0fcb, 12],
        [0x0fcc, 455],
      ],
    );
    assert.equal(new TextDecoder().decode(c.contents.extensions[1]!.data), 'hello world\n');
    // None is mandatory (high bit clear): the config stays usable.
    assert.equal(echConfigUnusableReason(c.contents), undefined);
  });

  test('ech-b512.pem: a 512-byte list of 6 configs with mixed suites and a repeated config_id', () => {
    const { list } = pem('ech-b512.pem');
    assert.equal(list.length, 512);
    const configs = echConfigsOf(decodeEchConfigList(list));
    assert.equal(configs.length, 6);
    assert.equal(configs.filter((c) => c.contents.configId === 68).length, 2);
    const suites = new Set(configs.flatMap((c) => c.contents.cipherSuites.map((s) => `${s.kdf},${s.aead}`)));
    assert.deepEqual([...suites].sort(), ['1,1', '2,2', '2,3']);
    assert.ok(configs.some((c) => c.contents.configId === 221));
    assert.ok(configs.every((c) => c.contents.extensions.every((e) => e.type === 0)));
    for (const c of configs) assert.equal(toHex(encodeEchConfig(c.contents)), toHex(c.raw));
  });

  test('echconfig-10.pem and echconfig-256.pem: version 0xfe0a is kept opaque and skipped', () => {
    for (const name of ['echconfig-10.pem', 'echconfig-256.pem']) {
      const entries = decodeEchConfigList(pem(name).list);
      assert.equal(entries.length, 1, name);
      assert.equal(entries[0]!.version, 0xfe0a);
      assert.equal(entries[0]!.contents, undefined);
      assert.deepEqual(echConfigsOf(entries), []);
    }
  });

  test('echconfig_bad_fuzz1.pem: the outer length (62) does not match the data (66) → decode_error', () => {
    const { list } = pem('echconfig_bad_fuzz1.pem');
    assert.equal(list.length - 2, 66);
    assert.throws(() => decodeEchConfigList(list), isDecodeError);
  });
});

describe('ECHConfig codec bounds', () => {
  const contents: EchConfigContents = {
    configId: 7,
    kem: 0x20,
    publicKey: new Uint8Array(32).fill(1),
    cipherSuites: [
      { kdf: 1, aead: 1 },
      { kdf: 1, aead: 3 },
    ],
    maximumNameLength: 0,
    publicName: 'public.example',
    extensions: [],
  };
  const good = encodeEchConfigList([encodeEchConfig(contents)]);

  test('round trip', () => {
    const [c] = echConfigsOf(decodeEchConfigList(good));
    assert.deepEqual({ ...c!.contents, publicKey: toHex(c!.contents.publicKey) }, { ...contents, publicKey: toHex(contents.publicKey) });
  });

  test('every truncation and every trailing byte is a decode_error', () => {
    for (let n = 0; n < good.length; n++) assert.throws(() => decodeEchConfigList(good.subarray(0, n)), isDecodeError, `truncated at ${n}`);
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    assert.throws(() => decodeEchConfigList(longer), isDecodeError);
  });

  test('an empty list, an empty public key, an empty public_name or an odd cipher_suites length is a decode_error', () => {
    assert.throws(() => decodeEchConfigList(new Uint8Array([0, 0])), isDecodeError);
    const bad = (patch: (b: Uint8Array) => void): void => {
      const b = good.slice();
      patch(b);
      assert.throws(() => decodeEchConfigList(b), isDecodeError);
    };
    // A config whose inner length is one more than its contents.
    bad((b) => (b[5] = b[5]! + 1));
    // cipher_suites length 6 (not a multiple of 4), then the rest is misaligned anyway.
    bad((b) => (b[2 + 4 + 1 + 2 + 2 + 32 + 1] = 6));
    // Empty public_name: the u8 length before 'public.example' set to 0.
    const nameAt = 4 + 1 + 2 + 2 + 32 + 2 + 8 + 1;
    bad((b) => (b[2 + nameAt] = 0));
  });

  test('usable configs: supported suite, valid public_name, no unknown mandatory extension', () => {
    assert.deepEqual(chooseEchSuite(contents), { kdf: 1, aead: 1 });
    assert.match(echConfigUnusableReason({ ...contents, kem: 0x21 }) ?? '', /no HPKE suite/);
    assert.match(echConfigUnusableReason({ ...contents, cipherSuites: [{ kdf: 1, aead: 0xffff }] }) ?? '', /no HPKE suite/);
    assert.match(echConfigUnusableReason({ ...contents, extensions: [{ type: 0x8001, data: new Uint8Array(0) }] }) ?? '', /mandatory/);
    assert.match(echConfigUnusableReason({ ...contents, publicName: '192.0.2.1' }) ?? '', /public_name/);
    for (const ok of ['public.example', 'a.b-c.d', 'localhost']) assert.ok(isValidPublicName(ok), ok);
    for (const bad of ['', 'a..b', 'a.', '-a.b', 'a.0x1f', '10.0.0.1', 'a_b.c', 'x'.repeat(64) + '.com']) assert.ok(!isValidPublicName(bad), bad);
  });
});
