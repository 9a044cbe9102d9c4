// Constant-time PKCS#1 v1.5 type-2 decoding: hand-built blocks, then every Wycheproof
// rsa_pkcs1_2048 vector through the provider's raw RSA decryption and our unpadding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import { pkcs1Type2UnpadAny, pkcs1Type2UnpadFixed } from '../../src/crypto/pkcs1.js';
import { TlsError } from '../../src/errors/index.js';
import { readVectorJson } from '../vectors.js';

/** EM = 00 02 PS(nonzero) 00 M, of total length k. */
function block(k: number, msg: Uint8Array, psByte = 0x5a): Uint8Array {
  const em = new Uint8Array(k).fill(psByte);
  em[0] = 0;
  em[1] = 2;
  em[k - msg.length - 1] = 0;
  em.set(msg, k - msg.length);
  return em;
}

const MSG = fromHex('0303' + 'ab'.repeat(46));

describe('pkcs1Type2UnpadFixed', () => {
  test('a valid block gives mask 0xff and the message', () => {
    const r = pkcs1Type2UnpadFixed(block(256, MSG), 48);
    assert.equal(r.validMask, 0xff);
    assert.equal(toHex(r.message), toHex(MSG));
  });

  test('each malformation gives mask 0x00 and still a message of the expected length', () => {
    const cases: Record<string, (em: Uint8Array) => void> = {
      'first byte not 0': (em) => (em[0] = 1),
      'block type 1': (em) => (em[1] = 1),
      'block type 0': (em) => (em[1] = 0),
      'zero in PS (first byte)': (em) => (em[2] = 0),
      'zero in PS (last byte)': (em) => (em[256 - 48 - 2] = 0),
      'no separator': (em) => (em[256 - 48 - 1] = 0x11),
    };
    for (const [name, mutate] of Object.entries(cases)) {
      const em = block(256, MSG);
      mutate(em);
      const r = pkcs1Type2UnpadFixed(em, 48);
      assert.equal(r.validMask, 0, name);
      assert.equal(r.message.length, 48, name);
    }
  });

  test('a valid block with a message of another length is invalid at this length', () => {
    for (const len of [0, 1, 47, 49, 100]) {
      const em = block(256, new Uint8Array(len).fill(3));
      assert.equal(pkcs1Type2UnpadFixed(em, 48).validMask, 0, `message of ${len} bytes`);
      assert.equal(pkcs1Type2UnpadFixed(em, len).validMask, 0xff, `message of ${len} bytes at its own length`);
    }
  });

  test('PS must be at least 8 bytes (RFC 8017 §7.2.2)', () => {
    assert.equal(pkcs1Type2UnpadFixed(block(59, MSG), 48).validMask, 0xff); // PS = 8
    assert.equal(pkcs1Type2UnpadFixed(block(58, MSG), 48).validMask, 0); // PS = 7
    assert.equal(pkcs1Type2UnpadFixed(new Uint8Array(10), 48).message.length, 48);
    assert.throws(() => pkcs1Type2UnpadFixed(new Uint8Array(256), -1), RangeError);
  });
});

describe('pkcs1Type2UnpadAny', () => {
  test('finds messages of every length from 0 to k - 11', () => {
    for (const k of [64, 128, 256, 267]) {
      for (let len = 0; len <= k - 11; len++) {
        const msg = new Uint8Array(len);
        for (let i = 0; i < len; i++) msg[i] = (i * 7 + 1) & 0xff; // includes zero bytes
        const r = pkcs1Type2UnpadAny(block(k, msg));
        assert.equal(r.validMask, 0xff, `k=${k} len=${len}`);
        assert.equal(r.length, len);
        assert.equal(r.block.length, k - 11);
        assert.equal(toHex(r.block.subarray(0, r.length)), toHex(msg), `k=${k} len=${len}`);
        assert.ok(r.block.subarray(len).every((b) => b === 0));
      }
    }
  });

  test('rejects bad block types, short PS, a missing separator; returns nothing of EM', () => {
    const bad: Uint8Array[] = [];
    let em = block(256, MSG);
    em[1] = 1;
    bad.push(em);
    em = block(256, MSG);
    em[0] = 2;
    bad.push(em);
    em = block(256, MSG);
    em[9] = 0; // separator after a 7-byte PS
    bad.push(em);
    em = new Uint8Array(256).fill(0x77);
    em[0] = 0;
    em[1] = 2; // no zero byte at all
    bad.push(em);
    bad.push(new Uint8Array(256)); // all zero
    bad.push(new Uint8Array(10)); // shorter than 11 bytes
    for (const [i, e] of bad.entries()) {
      const r = pkcs1Type2UnpadAny(e);
      assert.equal(r.validMask, 0, `case ${i}`);
      assert.equal(r.length, 0, `case ${i}`);
      assert.ok(r.block.every((b) => b === 0), `case ${i}`);
    }
    // PS of exactly 8 bytes is the shortest valid one.
    em = block(256, MSG);
    em[10] = 0;
    assert.equal(pkcs1Type2UnpadAny(em).length, 256 - 11);
  });
});

// ---- Wycheproof ----

interface Vector {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  ct: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface Group {
  privateKeyPem: string;
  keySize: number;
  tests: Vector[];
}
const FILE = readVectorJson<{ numberOfTests: number; testGroups: Group[] }>('wycheproof/rsa_pkcs1_2048_test.json');

/** Raw RSA; a ciphertext the provider refuses (wrong length, ≥ n) gives undefined. */
function rawDecrypt(key: ReturnType<typeof P.importPrivateKey>, ct: Uint8Array): Uint8Array | undefined {
  try {
    return P.rsaDecryptRaw(key, ct);
  } catch (e) {
    if (e instanceof TlsError && e.alertName === 'decode_error') return undefined;
    throw e;
  }
}

test('wycheproof rsa_pkcs1_2048: raw decrypt + constant-time unpadding accepts exactly the valid vectors', () => {
  const counts = { run: 0, accepted: 0, rejected: 0, refusedByProvider: 0 };
  const failures: string[] = [];
  for (const g of FILE.testGroups) {
    const key = P.importPrivateKey(g.privateKeyPem);
    assert.equal(key.type, 'rsa');
    assert.equal(key.bits, 2048);
    for (const t of g.tests) {
      counts.run++;
      const em = rawDecrypt(key, fromHex(t.ct));
      if (!em) counts.refusedByProvider++;
      // Generic length: find the message wherever the separator is.
      const any = em ? pkcs1Type2UnpadAny(em) : undefined;
      const okAny = any !== undefined && any.validMask === 0xff;
      const msgAny = okAny ? toHex(any.block.subarray(0, any.length)) : undefined;
      // Fixed length: the length the vector's message has (what TLS does with 48).
      const msgLen = t.msg.length / 2;
      const fixed = em ? pkcs1Type2UnpadFixed(em, msgLen) : undefined;
      const okFixed = fixed !== undefined && fixed.validMask === 0xff;
      if (okAny) counts.accepted++;
      else counts.rejected++;
      const want = t.result === 'valid';
      if (okAny !== want || okFixed !== want) failures.push(`tc ${t.tcId} (${t.comment}): any=${okAny} fixed=${okFixed}, want ${want}`);
      if (want && (msgAny !== t.msg || toHex(fixed!.message) !== t.msg)) failures.push(`tc ${t.tcId}: wrong message`);
      if (want && em) {
        // The same valid block at any other expected length is invalid.
        for (const other of [msgLen - 1, msgLen + 1]) {
          if (other >= 0 && pkcs1Type2UnpadFixed(em, other).validMask !== 0) failures.push(`tc ${t.tcId}: accepted at length ${other}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(counts.run, FILE.numberOfTests);
  // 67 vectors: 42 valid; 25 invalid, of which 6 are refused by rsaDecryptRaw before any padding
  // check (c = n, not reduced, empty, prepended/appended bytes, truncated: public facts).
  assert.deepEqual(counts, { run: 67, accepted: 42, rejected: 25, refusedByProvider: 6 });
});
