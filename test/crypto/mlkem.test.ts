// The provider's ML-KEM (FIPS 203) on the vectors in test/vectors/mlkem/: Wycheproof's ML-KEM-768
// files (subsets, see NOTES.md) and C2SP/CCTV's modulus vectors. Both backends
// run where they exist: @noble/post-quantum always, node:crypto's ML-KEM when this Node has it (on
// Node 20 a last test runs this file again under tools/node24's Node 24, where it does). Counts are
// asserted so an empty or partial run fails.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { fromHex, toHex } from '../../src/bytes/index.js';
import { checkEncapsulationKey } from '../../src/crypto/kem-checks.js';
import { randomBytes } from 'node:crypto';
import { createKem, hasNativeKem, type KemBackend } from '../../src/crypto/node/kem.js';
import { createNodeCryptoProvider } from '../../src/crypto/node/index.js';
import type { Kem, KemName } from '../../src/crypto/provider.js';
import { TlsError, UsageError } from '../../src/errors/index.js';
import { readVector, readVectorJson } from '../vectors.js';

interface Vector {
  tcId: number;
  comment?: string;
  flags: string[];
  result: 'valid' | 'invalid';
  [k: string]: unknown;
}
interface File {
  numberOfTests: number;
  testGroups: { parameterSet: string; tests: Vector[] }[];
}

const h = (v: unknown): Uint8Array => fromHex(v as string);
const load = (name: string): File => readVectorJson<File>(`mlkem/wycheproof/${name}`);
const vectors = (f: File): Vector[] => f.testGroups.flatMap((g) => (assert.equal(g.parameterSet, 'ML-KEM-768'), g.tests));
const isIllegal = (e: unknown): boolean => e instanceof TlsError && e.alertName === 'illegal_parameter';

const BACKENDS: KemBackend[] = hasNativeKem('ml-kem-768') ? ['noble', 'node'] : ['noble'];
if (process.env.HUSH_EXPECT_NATIVE_KEM === '1') assert.ok(BACKENDS.includes('node'), `node:crypto has no ML-KEM on ${process.version}`);

function kemOf(backend: KemBackend, name: KemName = 'ml-kem-768'): Kem {
  return createNodeCryptoProvider({ kemBackend: backend }).kem!(name)!;
}

for (const backend of BACKENDS) {
  test(`[${backend}] mlkem_768_test.json: keygen from d ‖ z, decapsulation (implicit rejection included), bad lengths refused`, () => {
    const kem = kemOf(backend);
    const file = load('mlkem_768_test.json');
    const all = vectors(file);
    let valid = 0;
    let invalid = 0;
    for (const t of all) {
      const seed = h(t.seed);
      const c = h(t.c);
      const what = `tc ${t.tcId} (${t.comment ?? t.flags.join(',')})`;
      if (t.result === 'valid') {
        const pair = kem.keygenFromSeed(seed);
        assert.equal(toHex(pair.encapsulationKey), t.ek, what);
        // "Random ciphertext", "Bit flipped ciphertext" and Strcmp are implicit rejections: a
        // secret still comes back, J(z ‖ c), never an exception.
        assert.equal(toHex(kem.decapsulate(pair, c)), t.K, what);
        valid++;
      } else if (seed.length !== 64) {
        assert.throws(() => kem.keygenFromSeed(seed), UsageError, what);
        invalid++;
      } else {
        const pair = kem.keygenFromSeed(seed);
        assert.throws(() => kem.decapsulate(pair, c), isIllegal, what);
        invalid++;
      }
    }
    assert.deepEqual({ valid, invalid }, { valid: 28, invalid: 40 });
    assert.equal(valid + invalid, file.numberOfTests);
    assert.ok(all.some((t) => t.flags.includes('Strcmp')), 'the CCTV strcmp vector is in the subset');
  });

  test(`[${backend}] mlkem_768_encaps_test.json: encapsulation with m; short, long and unreduced keys → illegal_parameter`, () => {
    const kem = kemOf(backend);
    const file = load('mlkem_768_encaps_test.json');
    let valid = 0;
    let modulus = 0;
    let length = 0;
    for (const t of vectors(file)) {
      const ek = h(t.ek);
      const what = `tc ${t.tcId} (${t.comment ?? t.flags.join(',')})`;
      if (t.result === 'valid') {
        const r = kem.encapsulateWithMessage(ek, h(t.m));
        assert.equal(toHex(r.ciphertext), t.c, what);
        assert.equal(toHex(r.sharedSecret), t.K, what);
        // The randomized form takes the same key.
        assert.equal(kem.encapsulate(ek).ciphertext.length, 1088, what);
        valid++;
      } else {
        // FIPS 203 §7.2, before any encapsulation, on both forms.
        assert.throws(() => kem.encapsulateWithMessage(ek, h(t.m)), isIllegal, what);
        assert.throws(() => kem.encapsulate(ek), isIllegal, what);
        if (ek.length === 1184) modulus++;
        else length++;
      }
    }
    assert.deepEqual({ valid, modulus, length }, { valid: 43, modulus: 22, length: 20 });
    assert.equal(valid + modulus + length, file.numberOfTests);
  });

  test(`[${backend}] mlkem_768_keygen_seed_test.json: encapsulation key from the seed`, () => {
    const kem = kemOf(backend);
    const all = vectors(load('mlkem_768_keygen_seed_test.json'));
    for (const t of all) assert.equal(toHex(kem.keygenFromSeed(h(t.seed)).encapsulationKey), t.ek, `tc ${t.tcId}`);
    assert.equal(all.length, 10);
  });

  test(`[${backend}] CCTV modulus: all 780 unreduced encapsulation keys → illegal_parameter`, () => {
    const kem = kemOf(backend);
    const keys = new TextDecoder().decode(gunzipSync(readVector('mlkem/cctv/modulus/ML-KEM-768.txt.gz'))).trim().split('\n');
    assert.equal(keys.length, 780);
    for (const line of keys) {
      const ek = fromHex(line.trim());
      assert.equal(ek.length, 1184);
      assert.throws(() => kem.encapsulate(ek), isIllegal, line.slice(0, 16));
    }
  });

  test(`[${backend}] ML-KEM-1024 round trip; a tampered ciphertext gives the implicit-rejection secret, the same every time`, () => {
    for (const name of ['ml-kem-768', 'ml-kem-1024'] as const) {
      const kem = kemOf(backend, name);
      const pair = kem.keygen();
      assert.equal(pair.encapsulationKey.length, kem.sizes.encapsulationKey);
      const { ciphertext, sharedSecret } = kem.encapsulate(pair.encapsulationKey);
      assert.equal(ciphertext.length, kem.sizes.ciphertext);
      assert.equal(toHex(kem.decapsulate(pair, ciphertext)), toHex(sharedSecret));
      const bad = ciphertext.slice();
      bad[bad.length - 1]! ^= 0x01;
      const rejected = kem.decapsulate(pair, bad);
      assert.equal(rejected.length, 32);
      assert.notEqual(toHex(rejected), toHex(sharedSecret));
      assert.equal(toHex(kem.decapsulate(pair, bad)), toHex(rejected));
      // Wrong lengths are refused before any decapsulation.
      assert.throws(() => kem.decapsulate(pair, ciphertext.subarray(1)), isIllegal);
      assert.throws(() => kem.decapsulate(pair, new Uint8Array(ciphertext.length + 1)), isIllegal);
    }
  });
}

test('the modulus check alone: q - 1 passes, q and 4095 fail, in either 12-bit half of a byte triple', () => {
  const ek = new Uint8Array(1184); // all-zero coefficients, ρ = 0: valid
  checkEncapsulationKey('ml-kem-768', ek);
  const set = (i: number, c0: number, c1: number): Uint8Array => {
    const k = ek.slice();
    k[i] = c0 & 0xff;
    k[i + 1] = (c0 >> 8) | ((c1 & 0x0f) << 4);
    k[i + 2] = c1 >> 4;
    return k;
  };
  checkEncapsulationKey('ml-kem-768', set(0, 3328, 3328));
  checkEncapsulationKey('ml-kem-768', set(1149, 3328, 0)); // the last coefficient pair
  for (const [c0, c1] of [[3329, 0], [0, 3329], [4095, 0], [0, 4095]] as const) {
    for (const i of [0, 1149]) assert.throws(() => checkEncapsulationKey('ml-kem-768', set(i, c0, c1)), isIllegal, `${i}: ${c0},${c1}`);
  }
  // ρ (the last 32 bytes) is not checked: any value is fine.
  const rho = ek.slice();
  rho.fill(0xff, 1152);
  checkEncapsulationKey('ml-kem-768', rho);
  assert.throws(() => checkEncapsulationKey('ml-kem-1024', ek), isIllegal); // 1184 is not 1568
});

test('the two backends agree: same key from the same seed, each decapsulates the other\'s ciphertexts', { skip: BACKENDS.length < 2 && 'only @noble/post-quantum on this Node' }, () => {
  for (const name of ['ml-kem-768', 'ml-kem-1024'] as const) {
    const node = kemOf('node', name);
    const noble = kemOf('noble', name);
    const seed = Uint8Array.from({ length: 64 }, (_, i) => i * 3);
    const a = node.keygenFromSeed(seed);
    const b = noble.keygenFromSeed(seed);
    assert.equal(toHex(a.encapsulationKey), toHex(b.encapsulationKey));
    const x = node.encapsulate(b.encapsulationKey);
    assert.equal(toHex(noble.decapsulate(b, x.ciphertext)), toHex(x.sharedSecret));
    const y = noble.encapsulate(a.encapsulationKey);
    assert.equal(toHex(node.decapsulate(a, y.ciphertext)), toHex(y.sharedSecret));
  }
});

test('[node] with the system random source node:crypto generates and encapsulates itself; with an injected one, key pairs come from its seed', { skip: !BACKENDS.includes('node') && 'only @noble/post-quantum on this Node' }, () => {
  for (const name of ['ml-kem-768', 'ml-kem-1024'] as const) {
    let drawn = 0;
    const system = createKem(name, (n) => ((drawn += n), new Uint8Array(randomBytes(n))), { backend: 'node', reproducible: false });
    const pair = system.keygen();
    const x = system.encapsulate(pair.encapsulationKey);
    // OpenSSL's own ML-KEM.KeyGen and ML-KEM.Encaps: nothing drawn from the provider's source.
    assert.equal(drawn, 0, name);
    assert.equal(pair.encapsulationKey.length, system.sizes.encapsulationKey);
    assert.equal(toHex(system.decapsulate(pair, x.ciphertext)), toHex(x.sharedSecret), name);
    // The key is a standard one: noble encapsulates to it and the KeyObject decapsulates that.
    const y = kemOf('noble', name).encapsulate(pair.encapsulationKey);
    assert.equal(toHex(system.decapsulate(pair, y.ciphertext)), toHex(y.sharedSecret), name);
    // Two key pairs are two keys.
    assert.notEqual(toHex(system.keygen().encapsulationKey), toHex(pair.encapsulationKey));

    // Injected randomness: the seed d ‖ z is the source's first 64 bytes, the same key on both backends.
    const stream = (): ((n: number) => Uint8Array) => {
      let i = 0;
      return (n) => Uint8Array.from({ length: n }, () => (i++ * 7 + 3) & 0xff);
    };
    const a = createNodeCryptoProvider({ randomBytes: stream(), kemBackend: 'node' }).kem!(name)!.keygen();
    const b = createNodeCryptoProvider({ randomBytes: stream(), kemBackend: 'node' }).kem!(name)!.keygen();
    assert.equal(toHex(a.encapsulationKey), toHex(b.encapsulationKey), name);
    assert.equal(toHex(a.encapsulationKey), toHex(kemOf('noble', name).keygenFromSeed(stream()(64)).encapsulationKey), name);
  }
});

const NODE24 = fileURLToPath(new URL('../../tools/node24/node_modules/.bin/node', import.meta.url));
const nested = process.env.HUSH_EXPECT_NATIVE_KEM === '1';
test(
  'node:crypto ML-KEM (Node 24 from tools/node24) passes this same file',
  { skip: nested || BACKENDS.includes('node') ? 'this Node runs the node:crypto backend itself' : process.env.HUSH_SKIP_INTEROP === '1' ? 'HUSH_SKIP_INTEROP=1' : false },
  () => {
    assert.ok(existsSync(NODE24), `${NODE24} is missing (CI installs it: npm ci --prefix tools/node24; HUSH_SKIP_INTEROP=1 skips this test)`);
    const self = fileURLToPath(import.meta.url);
    // Without NODE_TEST_CONTEXT: the child is a test run of its own, reporting TAP on stdout.
    const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
    const r = spawnSync(NODE24, ['--import', 'tsx', '--test', '--test-reporter=tap', self], {
      env: { ...env, HUSH_EXPECT_NATIVE_KEM: '1' },
      encoding: 'utf8',
      timeout: 240_000,
    });
    assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    // Every node:crypto test ran and passed (none skipped).
    const passed = r.stdout.split('\n').filter((l) => /^ok \d+ - /.test(l) && !/# SKIP/.test(l));
    assert.equal(passed.filter((l) => l.includes(' - [node] ')).length, 6, r.stdout.slice(-3000));
    assert.equal(passed.filter((l) => l.includes(' - the two backends agree')).length, 1, r.stdout.slice(-3000));
    assert.match(r.stdout, /^# fail 0$/m);
  },
);
