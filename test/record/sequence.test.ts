// The 64-bit record sequence number shared by TLS 1.3 and TLS 1.2 (src/record/sequence.ts), and
// the two TLS 1.2 record ciphers (AEAD, CBC) on their own, without the sealer/opener around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { tls12SuiteById, type Tls12AeadCipher, type Tls12CbcCipher } from '../../src/crypto/suites.js';
import { TlsError } from '../../src/errors/index.js';
import { RecordSequence } from '../../src/record/sequence.js';
import { AeadProtection12 } from '../../src/record/protection12-aead.js';
import { CbcProtection12 } from '../../src/record/protection12-cbc.js';

class Counter extends RecordSequence {
  constructor(initial?: bigint) {
    super(initial);
  }
  take(): Uint8Array {
    const b = new Uint8Array(8);
    this.takeSequence(b, 0, 'used up');
    return b;
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('sequence: big-endian uint64, carries from the low to the high word, never uses 2^64-1', () => {
  const c = new Counter();
  assert.equal(hex(c.take()), '0000000000000000');
  assert.equal(c.sequenceNumber, 1n);
  const carry = new Counter(0xffffffffn);
  assert.equal(hex(carry.take()), '00000000ffffffff');
  assert.equal(hex(carry.take()), '0000000100000000');
  assert.equal(carry.sequenceNumber, 0x100000001n);
  const last = new Counter(0xfffffffffffffffen);
  assert.equal(hex(last.take()), 'fffffffffffffffe');
  assert.throws(() => last.take(), (e) => e instanceof TlsError && e.alertName === 'internal_error' && /used up/.test(e.message));
  assert.equal(last.sequenceNumber, 0xffffffffffffffffn, 'a refused number is not consumed');
  assert.throws(() => new Counter(1n << 64n), (e) => e instanceof TlsError && e.alertName === 'internal_error');
  assert.throws(() => new Counter(-1n), (e) => e instanceof TlsError && e.alertName === 'internal_error');
});

test('AeadProtection12 alone: GCM body = seq || AES-GCM(salt || seq, aad = seq || header), and it opens its own output', () => {
  const suite = tls12SuiteById(0xc02f)!;
  const cipher = suite.cipher as Tls12AeadCipher;
  const keys = { macKey: new Uint8Array(0), key: new Uint8Array(16).fill(7), iv: Uint8Array.of(1, 2, 3, 4) };
  const sealer = new AeadProtection12(provider, suite.name, cipher, keys, 5n);
  const content = new TextEncoder().encode('hello');
  const n = sealer.bodyLength(content.length);
  assert.equal(n, 8 + content.length + 16);
  const out = new Uint8Array(n);
  sealer.sealBody(23, content, out, 0, n);
  assert.equal(sealer.sequenceNumber, 6n);
  const seq = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 5);
  assert.equal(hex(out.subarray(0, 8)), hex(seq));
  const gcm = createCipheriv('aes-128-gcm', keys.key, Buffer.concat([keys.iv, seq]));
  gcm.setAAD(Buffer.concat([seq, Uint8Array.of(23, 3, 3, 0, content.length)]));
  const expected = Buffer.concat([gcm.update(content), gcm.final(), gcm.getAuthTag()]);
  assert.equal(hex(out.subarray(8)), hex(expected));
  const opener = new AeadProtection12(provider, suite.name, cipher, keys, 5n);
  assert.equal(hex(opener.openBody({ type: 23, version: 0x0303, fragment: out })), hex(content));
  out[n - 1]! ^= 1;
  assert.throws(() => new AeadProtection12(provider, suite.name, cipher, keys, 5n).openBody({ type: 23, version: 0x0303, fragment: out }), (e) => e instanceof TlsError && e.alertName === 'bad_record_mac');
});

test('CbcProtection12 alone: MAC-then-encrypt body decrypts (node:crypto) to content || HMAC-SHA256(seq || header || content) || padding', () => {
  const suite = tls12SuiteById(0xc027)!; // ECDHE-RSA-AES128-SHA256
  const cipher = suite.cipher as Tls12CbcCipher;
  const keys = { macKey: new Uint8Array(cipher.macLength).fill(3), key: new Uint8Array(16).fill(9), iv: new Uint8Array(0) };
  const iv = new Uint8Array(16).fill(0xaa);
  const options = { encryptThenMac: false, sealFragment: 16384, randomBytes: () => iv.slice(), initialSequence: undefined };
  const sealer = new CbcProtection12(provider, suite.name, cipher, keys, options);
  const content = new TextEncoder().encode('GET / HTTP/1.1');
  const n = sealer.bodyLength(content.length);
  assert.equal(n, 16 + 48); // IV, then 14 + 32 + 1 bytes rounded up to 3 blocks
  const out = new Uint8Array(n);
  sealer.sealBody(23, content, out, 0, n);
  assert.equal(hex(out.subarray(0, 16)), hex(iv));
  const d = createDecipheriv('aes-128-cbc', keys.key, iv).setAutoPadding(false);
  const plain = Buffer.concat([d.update(out.subarray(16)), d.final()]);
  const mac = createHmac('sha256', keys.macKey).update(Buffer.concat([new Uint8Array(8), Uint8Array.of(23, 3, 3, 0, content.length), content])).digest();
  assert.equal(hex(plain.subarray(0, content.length)), hex(content));
  assert.equal(hex(plain.subarray(content.length, content.length + 32)), hex(mac));
  const padLen = plain[plain.length - 1]!;
  assert.equal(content.length + 32 + padLen + 1, 48);
  const opener = new CbcProtection12(provider, suite.name, cipher, keys, { ...options, sealFragment: undefined });
  assert.equal(hex(opener.openBody({ type: 23, version: 0x0303, fragment: out })), hex(content));
  assert.equal(opener.sequenceNumber, 1n);
});
