// TLS 1.2 RSA key transport (RFC 5246 §7.4.7.1): round trips, and every way a ClientKeyExchange
// can be wrong must silently give a fresh random premaster (never an error, never the plaintext).
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import type { PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { TlsError, UsageError } from '../../src/errors/index.js';
import {
  decryptPreMasterSecret,
  encryptPreMasterSecret,
  PRE_MASTER_SECRET_LENGTH,
} from '../../src/handshake/shared/rsa-key-transport.js';
import { readVectorJson } from '../vectors.js';

interface Group {
  privateKeyPem: string;
  tests: { tcId: number; comment: string; msg: string; ct: string; result: string }[];
}
const FILE = readVectorJson<{ numberOfTests: number; testGroups: Group[] }>('wycheproof/rsa_pkcs1_2048_test.json');

const KEY: PrivateKey = P.importPrivateKey(FILE.testGroups[0]!.privateKeyPem);
const K = 256;
const V12 = 0x0303;

/** c = m^e mod n with no padding: lets the test build any block, valid or not. */
function rawEncrypt(pub: PublicKey, em: Uint8Array): Uint8Array {
  const ko = createPublicKey({ key: Buffer.from(pub.spki), format: 'der', type: 'spki' });
  return new Uint8Array(publicEncrypt({ key: ko, padding: constants.RSA_NO_PADDING }, em));
}

/** 00 02 PS 00 M with a non-zero PS. */
function block(msg: Uint8Array): Uint8Array {
  const em = new Uint8Array(K).fill(0x6b);
  em[0] = 0;
  em[1] = 2;
  em[K - msg.length - 1] = 0;
  em.set(msg, K - msg.length);
  return em;
}

function premaster(version = V12): Uint8Array {
  const m = P.randomBytes(48);
  m[0] = version >> 8;
  m[1] = version & 0xff;
  return m;
}

describe('RSA key transport round trip', () => {
  test('encryptPreMasterSecret → decryptPreMasterSecret gives the same 48 bytes', () => {
    for (let i = 0; i < 5; i++) {
      const { preMasterSecret, encrypted } = encryptPreMasterSecret(P, KEY.publicKey, V12);
      assert.equal(preMasterSecret.length, PRE_MASTER_SECRET_LENGTH);
      assert.equal(preMasterSecret[0], 3);
      assert.equal(preMasterSecret[1], 3);
      assert.equal(encrypted.length, K);
      assert.equal(toHex(decryptPreMasterSecret(P, KEY, encrypted, V12)), toHex(preMasterSecret));
    }
  });

  test('with a freshly generated 3072-bit key', () => {
    const k = P.generatePrivateKey({ type: 'rsa', bits: 3072 });
    const { preMasterSecret, encrypted } = encryptPreMasterSecret(P, k.publicKey, V12);
    assert.equal(encrypted.length, 384);
    assert.equal(toHex(decryptPreMasterSecret(P, k, encrypted, V12)), toHex(preMasterSecret));
  });

  test('the client refuses a non-RSA server key with unsupported_certificate', () => {
    for (const spec of [{ type: 'ec', curve: 'P-256' }, { type: 'ed25519' }] as const) {
      const k = P.generatePrivateKey(spec);
      assert.throws(
        () => encryptPreMasterSecret(P, k.publicKey, V12),
        (e: unknown) => e instanceof TlsError && e.alertName === 'unsupported_certificate' && /RSA/.test(e.message),
      );
    }
    assert.throws(() => encryptPreMasterSecret(P, KEY.publicKey, 0x10000), UsageError);
  });

  test('the server refuses to run with a non-RSA key (our configuration): internal_error', () => {
    const k = P.generatePrivateKey({ type: 'ec', curve: 'P-256' });
    assert.throws(
      () => decryptPreMasterSecret(P, k, new Uint8Array(K), V12),
      (e: unknown) => e instanceof TlsError && e.alertName === 'internal_error',
    );
  });
});

/** Each bad ciphertext: 48 bytes, never the plaintext, different on every call, never throws. */
function assertRandom(ct: Uint8Array, what: string, plaintext?: Uint8Array): void {
  const a = decryptPreMasterSecret(P, KEY, ct, V12);
  const b = decryptPreMasterSecret(P, KEY, ct, V12);
  assert.equal(a.length, 48, what);
  assert.equal(b.length, 48, what);
  assert.notEqual(toHex(a), toHex(b), `${what}: two calls must give different random premasters`);
  if (plaintext) {
    assert.notEqual(toHex(a), toHex(plaintext), what);
    assert.notEqual(toHex(a.subarray(2)), toHex(plaintext.subarray(2)), `${what}: no decrypted bytes leak through`);
  }
}

describe('bad ClientKeyExchange → random premaster (RFC 5246 §7.4.7.1)', () => {
  test('wrong version bytes', () => {
    for (const v of [0x0301, 0x0302, 0x0300, 0x0304, 0x0003]) {
      const m = premaster(v);
      const ct = P.rsaEncryptPkcs1(KEY.publicKey, m);
      assertRandom(ct, `version ${v.toString(16)}`, m);
    }
    // The check is against ClientHello.client_version, not a fixed 0x0303.
    const m = premaster(0x0302);
    const ct = P.rsaEncryptPkcs1(KEY.publicKey, m);
    assert.equal(toHex(decryptPreMasterSecret(P, KEY, ct, 0x0302)), toHex(m));
  });

  test('padding errors built by raw RSA', () => {
    const m = premaster();
    const cases: [string, Uint8Array][] = [];
    let em = block(m);
    em[1] = 1;
    cases.push(['block type 1', em]);
    em = block(m);
    em[0] = 1;
    cases.push(['first byte 1', em]);
    em = block(m);
    em[K - 49] = 0x42;
    cases.push(['no zero separator', em]);
    em = block(m);
    em[5] = 0;
    cases.push(['zero inside PS', em]);
    cases.push(['message of 47 bytes', block(m.subarray(0, 47))]);
    cases.push(['message of 49 bytes', block(new Uint8Array([3, ...m]))]);
    cases.push(['all zero', new Uint8Array(K)]);
    for (const [what, e] of cases) {
      const ct = rawEncrypt(KEY.publicKey, e);
      assertRandom(ct, what, m);
    }
    // Control: the same construction with nothing wrong decrypts to m.
    assert.equal(toHex(decryptPreMasterSecret(P, KEY, rawEncrypt(KEY.publicKey, block(m)), V12)), toHex(m));
  });

  test('corrupted ciphertext', () => {
    const { preMasterSecret, encrypted } = encryptPreMasterSecret(P, KEY.publicKey, V12);
    for (const i of [0, 1, 100, K - 1]) {
      const ct = encrypted.slice();
      ct[i] ^= 0x01;
      assertRandom(ct, `bit flip at ${i}`, preMasterSecret);
    }
  });

  test('wrong-length and out-of-range ciphertexts', () => {
    const { preMasterSecret, encrypted } = encryptPreMasterSecret(P, KEY.publicKey, V12);
    assertRandom(encrypted.subarray(1), 'truncated', preMasterSecret);
    assertRandom(new Uint8Array([0, ...encrypted]), 'leading zero prepended', preMasterSecret);
    assertRandom(new Uint8Array([...encrypted, 0]), 'byte appended', preMasterSecret);
    assertRandom(new Uint8Array(0), 'empty');
    assertRandom(new Uint8Array(K).fill(0xff), 'c ≥ n');
  });

  test('wycheproof rsa_pkcs1_2048: none carries a 48-byte message, so every vector gives a random premaster', () => {
    let run = 0;
    for (const g of FILE.testGroups) {
      const key = P.importPrivateKey(g.privateKeyPem);
      for (const t of g.tests) {
        run++;
        const ct = fromHex(t.ct);
        const a = decryptPreMasterSecret(P, key, ct, V12);
        const b = decryptPreMasterSecret(P, key, ct, V12);
        assert.equal(a.length, 48);
        assert.notEqual(toHex(a), toHex(b), `tc ${t.tcId}`);
        // No decrypted bytes in the output (messages of 4+ bytes; shorter ones match random data by chance).
        assert.ok(t.msg.length < 8 || !toHex(a).includes(t.msg), `tc ${t.tcId}`);
      }
      // The same key with a 48-byte premaster: accepted with the right version, random otherwise.
      const m = premaster();
      const ct = P.rsaEncryptPkcs1(key.publicKey, m);
      assert.equal(toHex(decryptPreMasterSecret(P, key, ct, V12)), toHex(m));
      assertRandomWith(key, P.rsaEncryptPkcs1(key.publicKey, premaster(0x0301)));
    }
    assert.equal(run, 67);
  });
});

describe('the shape of the work (RFC 5246 §7.4.7.1 step 1 first; one RSA operation every time)', () => {
  test('R is drawn first, then exactly one RSA operation that does not fail, for every kind of input', () => {
    const { encrypted } = encryptPreMasterSecret(P, KEY.publicKey, V12);
    const bad = encrypted.slice();
    bad[10] ^= 0x80;
    // The modulus of this Wycheproof key, from the vector file (for c = n - 1 and c = n).
    const n = fromHex(FILE.testGroups[0]!.tests.find((t) => t.comment === 'c = n')!.ct);
    const nMinus1 = n.slice();
    nMinus1[K - 1]! -= 1; // n is odd: no borrow
    const inputs: Record<string, Uint8Array> = {
      valid: encrypted,
      corrupted: bad,
      truncated: encrypted.subarray(1),
      empty: new Uint8Array(0),
      'c = n - 1': nMinus1,
      'c = n': n,
      'c = 0xff…ff': new Uint8Array(K).fill(0xff),
    };
    for (const [what, ct] of Object.entries(inputs)) {
      const log: string[] = [];
      const counting = {
        ...P,
        randomBytes: (len: number) => (log.push(`random(${len})`), P.randomBytes(len)),
        rsaDecryptRaw: (k: PrivateKey, c: Uint8Array) => {
          try {
            const m = P.rsaDecryptRaw(k, c);
            log.push('rsa');
            return m;
          } catch (e) {
            log.push('rsa threw');
            throw e;
          }
        },
      };
      const out = decryptPreMasterSecret(counting, KEY, ct, V12);
      assert.equal(out.length, 48, what);
      assert.deepEqual(log, ['random(48)', 'rsa'], what);
    }
  });
});

function assertRandomWith(key: PrivateKey, ct: Uint8Array): void {
  const a = decryptPreMasterSecret(P, key, ct, V12);
  const b = decryptPreMasterSecret(P, key, ct, V12);
  assert.notEqual(toHex(a), toHex(b));
}
