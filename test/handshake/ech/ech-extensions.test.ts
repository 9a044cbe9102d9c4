// The ECH extension codecs (RFC 9849 §5) and the confirmation helpers (§7.2).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex } from '../../../src/bytes/index.js';
import { TlsError } from '../../../src/errors/index.js';
import {
  decodeEchClientHello,
  decodeEchHrrConfirmation,
  decodeEchOuterExtensions,
  decodeEchRetryConfigs,
  echOuterPayloadOffset,
  encodeEchClientHello,
  encodeEchHrrConfirmation,
  encodeEchOuterExtensions,
  encodeEchRetryConfigs,
} from '../../../src/handshake/ech/ech-extensions.js';
import { encodeEchConfig, encodeEchConfigList } from '../../../src/handshake/ech/ech-config.js';
import { serverHelloConfirmation, zeroHrrConfirmation, zeroServerHelloConfirmation } from '../../../src/handshake/ech/ech-confirmation.js';
import { encodeServerHello } from '../../../src/handshake/messages/server-hello.js';
import { ExtensionType } from '../../../src/wire/index.js';

const alert = (name: string) => (e: unknown) => e instanceof TlsError && e.alertName === name;

describe('encrypted_client_hello in ClientHello', () => {
  test('outer: round trip, and the payload offset points at the payload', () => {
    const ext = encodeEchClientHello({ type: 0, cipherSuite: { kdf: 1, aead: 3 }, configId: 9, enc: new Uint8Array(32).fill(2), payload: new Uint8Array([5, 6, 7]) });
    assert.equal(ext.type, ExtensionType.encrypted_client_hello);
    assert.equal(toHex(ext.data), '00' + '0001' + '0003' + '09' + '0020' + '02'.repeat(32) + '0003' + '050607');
    const d = decodeEchClientHello(ext.data);
    assert.equal(d.type, 0);
    if (d.type !== 0) return;
    assert.deepEqual(d.cipherSuite, { kdf: 1, aead: 3 });
    assert.equal(d.configId, 9);
    assert.equal(d.enc.length, 32);
    assert.deepEqual([...d.payload], [5, 6, 7]);
    assert.equal(echOuterPayloadOffset(ext.data), ext.data.length - 3);
  });
  test('outer after HRR: empty enc', () => {
    const ext = encodeEchClientHello({ type: 0, cipherSuite: { kdf: 1, aead: 1 }, configId: 1, enc: new Uint8Array(0), payload: new Uint8Array([1]) });
    const d = decodeEchClientHello(ext.data);
    assert.ok(d.type === 0 && d.enc.length === 0);
  });
  test('inner: one byte', () => {
    assert.equal(toHex(encodeEchClientHello({ type: 1 }).data), '01');
    assert.deepEqual(decodeEchClientHello(new Uint8Array([1])), { type: 1 });
  });
  test('negative: unknown type, empty payload, trailing bytes, truncation', () => {
    assert.throws(() => decodeEchClientHello(new Uint8Array([2])), alert('illegal_parameter'));
    assert.throws(() => decodeEchClientHello(new Uint8Array([1, 0])), alert('decode_error'));
    assert.throws(() => decodeEchClientHello(new Uint8Array([])), alert('decode_error'));
    const empty = new Uint8Array([0, 0, 1, 0, 1, 9, 0, 0, 0, 0]);
    assert.throws(() => decodeEchClientHello(empty), alert('decode_error'));
    const full = encodeEchClientHello({ type: 0, cipherSuite: { kdf: 1, aead: 1 }, configId: 1, enc: new Uint8Array(4), payload: new Uint8Array(4) }).data;
    for (let n = 1; n < full.length; n++) assert.throws(() => decodeEchClientHello(full.subarray(0, n)), alert('decode_error'));
  });
});

describe('ech_outer_extensions, retry_configs, HRR confirmation', () => {
  test('ech_outer_extensions round trip and bounds (2..254 bytes)', () => {
    const ext = encodeEchOuterExtensions([10, 13, 43]);
    assert.equal(ext.type, ExtensionType.ech_outer_extensions);
    assert.equal(toHex(ext.data), '06000a000d002b');
    assert.deepEqual(decodeEchOuterExtensions(ext.data), [10, 13, 43]);
    assert.throws(() => decodeEchOuterExtensions(new Uint8Array([0])), alert('decode_error'));
    assert.throws(() => decodeEchOuterExtensions(new Uint8Array([3, 0, 1, 2])), alert('decode_error'));
    assert.throws(() => decodeEchOuterExtensions(new Uint8Array([2, 0, 1, 2])), alert('decode_error'));
  });
  test('retry_configs: an ECHConfigList; malformed → decode_error', () => {
    const list = encodeEchConfigList([
      encodeEchConfig({ configId: 1, kem: 0x20, publicKey: new Uint8Array(32), cipherSuites: [{ kdf: 1, aead: 1 }], maximumNameLength: 0, publicName: 'p.example', extensions: [] }),
    ]);
    const ext = encodeEchRetryConfigs(list);
    const d = decodeEchRetryConfigs(ext.data);
    assert.equal(d.entries.length, 1);
    assert.equal(toHex(d.raw), toHex(list));
    assert.throws(() => decodeEchRetryConfigs(list.subarray(0, list.length - 1)), alert('decode_error'));
  });
  test('HRR confirmation: exactly 8 bytes', () => {
    const c = new Uint8Array(8).fill(3);
    assert.deepEqual(decodeEchHrrConfirmation(encodeEchHrrConfirmation(c).data), c);
    assert.throws(() => decodeEchHrrConfirmation(new Uint8Array(7)), alert('decode_error'));
  });
  test('zeroing the confirmation in a ServerHello and in a HelloRetryRequest', () => {
    const random = new Uint8Array(32).map((_, i) => i + 1);
    const sh = encodeServerHello({ legacyVersion: 0x0303, random, legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, compressionMethod: 0, extensions: [] });
    assert.deepEqual([...serverHelloConfirmation(sh)], [25, 26, 27, 28, 29, 30, 31, 32]);
    const z = zeroServerHelloConfirmation(sh);
    assert.deepEqual([...serverHelloConfirmation(z)], [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(toHex(z.subarray(0, 30)), toHex(sh.subarray(0, 30)));
    const hrr = encodeServerHello({
      legacyVersion: 0x0303,
      random,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0x1301,
      compressionMethod: 0,
      extensions: [{ type: 43, data: new Uint8Array([3, 4]) }, encodeEchHrrConfirmation(new Uint8Array(8).fill(0xee))],
    });
    const zh = zeroHrrConfirmation(hrr)!;
    assert.equal(toHex(zh.subarray(zh.length - 8)), '00'.repeat(8));
    assert.equal(toHex(zh.subarray(0, zh.length - 8)), toHex(hrr.subarray(0, hrr.length - 8)));
    assert.equal(zeroHrrConfirmation(sh), undefined);
  });
});
