// A statistical timing check of the Bleichenbacher/ROBOT defences: decryptPreMasterSecret and the
// PKCS#1 unpadding must take the same time for valid and invalid inputs. Calls are interleaved
// round-robin (A B C … A B C …) so that drift (frequency scaling, other processes on a shared
// machine, GC) hits every class alike, and medians are compared. The threshold is loose enough
// for noise on a busy 2-core machine but far below what a real leak costs (an early return before
// the RSA operation, or an unpadding loop that stops at the first bad byte): a control with such a
// leak is measured too and must be flagged, so the test can fail.
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import { pkcs1Type2UnpadAny, pkcs1Type2UnpadFixed } from '../../src/crypto/pkcs1.js';
import type { PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { decryptPreMasterSecret } from '../../src/handshake/shared/rsa-key-transport.js';
import { readVectorJson } from '../vectors.js';

const FILE = readVectorJson<{ testGroups: { privateKeyPem: string }[] }>('wycheproof/rsa_pkcs1_2048_test.json');
const KEY: PrivateKey = P.importPrivateKey(FILE.testGroups[0]!.privateKeyPem);
const K = 256;
const V12 = 0x0303;
/** Relative difference of medians that fails the check. */
const THRESHOLD = 0.25;
const ATTEMPTS = 3;

function rawEncrypt(pub: PublicKey, em: Uint8Array): Uint8Array {
  const ko = createPublicKey({ key: Buffer.from(pub.spki), format: 'der', type: 'spki' });
  return new Uint8Array(publicEncrypt({ key: ko, padding: constants.RSA_NO_PADDING }, em));
}

function block(msg: Uint8Array, edit?: (em: Uint8Array) => void): Uint8Array {
  const em = new Uint8Array(K).fill(0x6b);
  em[0] = 0;
  em[1] = 2;
  em[K - msg.length - 1] = 0;
  em.set(msg, K - msg.length);
  edit?.(em);
  return em;
}

const M = (() => {
  const m = P.randomBytes(48);
  m[0] = 3;
  m[1] = 3;
  return m;
})();

/** Decoded blocks: the valid one first. */
const BLOCKS: Record<string, Uint8Array> = {
  valid: block(M),
  'bad block type': block(M, (em) => (em[1] = 1)),
  'first byte 1': block(M, (em) => (em[0] = 1)),
  'no zero separator': block(M, (em) => (em[K - 49] = 0x42)),
  'zero in PS': block(M, (em) => (em[2] = 0)),
  'message of 47 bytes': block(M.subarray(0, 47)),
  'wrong version': block(new Uint8Array([3, 1, ...M.subarray(2)])),
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * Median time per call (µs) of each function, measured interleaved: `rounds` rounds, each timing
 * a batch of `batch` calls of every function, the order rotated every round.
 */
function measure(fns: Record<string, () => unknown>, rounds: number, batch: number): Record<string, number> {
  const names = Object.keys(fns);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < Math.max(3, rounds >> 4); r++) for (const n of names) for (let b = 0; b < batch; b++) fns[n]!(); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(j + r) % names.length]!;
      const f = fns[n]!;
      const t0 = process.hrtime.bigint();
      for (let b = 0; b < batch; b++) f();
      samples[n]!.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n]!)]));
}

/** The largest relative difference between the first function's median and any other's. */
function worst(medians: Record<string, number>): { name: string; diff: number } {
  const [base, ...rest] = Object.entries(medians);
  let out = { name: '', diff: 0 };
  for (const [n, m] of rest) {
    const diff = Math.abs(m - base![1]) / Math.min(m, base![1]);
    if (diff > out.diff) out = { name: n, diff };
  }
  return out;
}

function fmt(medians: Record<string, number>): string {
  return Object.entries(medians)
    .map(([n, m]) => `${n}=${m < 10 ? m.toFixed(3) : m.toFixed(1)}µs`)
    .join(', ');
}

/** Measure up to ATTEMPTS times; pass as soon as one measurement is within the threshold. */
function assertUniform(t: TestContext, what: string, fns: Record<string, () => unknown>, rounds: number, batch: number): void {
  let last = { name: '', diff: 0 };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const medians = measure(fns, rounds, batch);
    last = worst(medians);
    t.diagnostic(`${what} (attempt ${attempt}, ${rounds}×${batch} each): ${fmt(medians)}; worst ${last.name} ${(last.diff * 100).toFixed(1)}%`);
    if (last.diff <= THRESHOLD) return;
  }
  assert.fail(`${what}: '${last.name}' differs from the valid case by ${(last.diff * 100).toFixed(1)}% (> ${THRESHOLD * 100}%) in ${ATTEMPTS} measurements`);
}

/** The control: a leak of the kind the check is meant to catch must be flagged. */
function assertDetects(t: TestContext, what: string, fns: Record<string, () => unknown>, rounds: number, batch: number): void {
  const medians = measure(fns, rounds, batch);
  const w = worst(medians);
  t.diagnostic(`control, ${what}: ${fmt(medians)}; worst ${w.name} ${(w.diff * 100).toFixed(1)}%`);
  assert.ok(w.diff > THRESHOLD * 4, `the timing check cannot see a deliberate leak (${what}): ${(w.diff * 100).toFixed(1)}%`);
}

test('decryptPreMasterSecret takes the same time for valid and invalid ClientKeyExchange', (t) => {
  const cts: Record<string, Uint8Array> = Object.fromEntries(Object.entries(BLOCKS).map(([n, em]) => [n, rawEncrypt(KEY.publicKey, em)]));
  cts['wrong length (255 bytes)'] = cts.valid!.subarray(1);
  cts['c ≥ n'] = new Uint8Array(K).fill(0xff);
  const fns = Object.fromEntries(Object.entries(cts).map(([n, ct]) => [n, () => decryptPreMasterSecret(P, KEY, ct, V12)]));
  // Sanity: the valid one really decrypts to M.
  assert.deepEqual(decryptPreMasterSecret(P, KEY, cts.valid!, V12), M);
  const started = performance.now();
  assertUniform(t, 'decryptPreMasterSecret', fns, 250, 1);

  // Control: an implementation that returns early (before the RSA operation) for a ciphertext of
  // the wrong length — the kind of shortcut RFC 5246 §7.4.7.1 forbids for padding errors.
  const leaky = (ct: Uint8Array) => (ct.length !== K ? P.randomBytes(48) : decryptPreMasterSecret(P, KEY, ct, V12));
  assertDetects(t, 'early return for a wrong-length ciphertext', { valid: () => leaky(cts.valid!), short: () => leaky(cts['wrong length (255 bytes)']!) }, 40, 1);
  t.diagnostic(`took ${(performance.now() - started).toFixed(0)} ms`);
});

test('PKCS#1 unpadding alone takes the same time for valid and invalid blocks', (t) => {
  const fixed = Object.fromEntries(Object.entries(BLOCKS).map(([n, em]) => [n, () => pkcs1Type2UnpadFixed(em, 48)]));
  assertUniform(t, 'pkcs1Type2UnpadFixed (48 bytes)', fixed, 200, 400);
  const any = Object.fromEntries(Object.entries(BLOCKS).map(([n, em]) => [n, () => pkcs1Type2UnpadAny(em)]));
  assertUniform(t, 'pkcs1Type2UnpadAny', any, 150, 40);

  // Control: the textbook decoder that stops at the first bad byte.
  const naive = (em: Uint8Array): Uint8Array | undefined => {
    if (em[0] !== 0 || em[1] !== 2) return undefined;
    let i = 2;
    while (i < em.length && em[i] !== 0) i++;
    if (i === em.length || i < 10) return undefined;
    return em.slice(i + 1);
  };
  assertDetects(t, 'early-exit unpadding', { valid: () => naive(BLOCKS.valid!), 'bad block type': () => naive(BLOCKS['bad block type']!) }, 100, 400);
});
