// The node crypto provider against Wycheproof (C2SP/wycheproof testvectors_v1, see
// test/vectors/README.md). Every `valid` vector must be accepted and every `invalid` one
// rejected; `acceptable` vectors are decided per file below. Counts are asserted so that an empty
// or partial run fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex, toHex } from '../../src/bytes/index.js';
import type { AeadName, HashName, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import { TlsError } from '../../src/errors/index.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { readVectorJson } from '../vectors.js';

interface Vector {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [k: string]: unknown;
}
interface Group {
  tests: Vector[];
  [k: string]: unknown;
}
interface File {
  numberOfTests: number;
  testGroups: Group[];
}

function load(name: string): File {
  return readVectorJson<File>(`wycheproof/${name}`);
}

const h = (v: unknown): Uint8Array => fromHex(v as string);

/** Counts for one file: what ran, what was accepted/rejected, what was skipped, what went wrong. */
class Tally {
  run = 0;
  accepted = 0;
  rejected = 0;
  skipped = 0;
  readonly failures: string[] = [];
  constructor(readonly file: File) {}
  /** Record one outcome against the expectation (true = must accept). */
  check(t: Vector, mustAccept: boolean, accepted: boolean, detail = ''): void {
    this.run++;
    if (accepted) this.accepted++;
    else this.rejected++;
    if (accepted !== mustAccept) {
      this.failures.push(`tc ${t.tcId} (${t.result}; ${t.flags.join(',')}; ${t.comment}): ${accepted ? 'accepted' : 'rejected'} ${detail}`);
    }
  }
  done(expect: { run: number; accepted: number; rejected: number; skipped: number }): void {
    assert.deepEqual(this.failures, []);
    assert.deepEqual(
      { run: this.run, accepted: this.accepted, rejected: this.rejected, skipped: this.skipped },
      expect,
    );
    assert.equal(this.run + this.skipped, this.file.numberOfTests, 'every vector is run or counted as skipped');
  }
}

/** Runs f; true when it returned, false when it threw a TlsError with `alert`; rethrows others. */
function acceptsOrAlert(alert: string, f: () => void): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof TlsError && e.alertName === alert) return false;
    throw e;
  }
}

function hashOf(sha: unknown): HashName {
  const m: Record<string, HashName> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
  const r = m[sha as string];
  assert.ok(r, `hash ${String(sha)}`);
  return r;
}

// ---- AEAD ----

function aeadFile(file: string, nameFor: (keySize: number) => AeadName | undefined): Tally {
  const f = load(file);
  const tally = new Tally(f);
  for (const g of f.testGroups) {
    const name = nameFor(g.keySize as number);
    // TLS uses 96-bit nonces and 128-bit tags only (RFC 8446 §5.3, RFC 5288 §3).
    if (g.ivSize !== 96 || g.tagSize !== 128 || !name) {
      tally.skipped += g.tests.length;
      continue;
    }
    for (const t of g.tests) {
      const aead = P.aead(name, h(t.key));
      const iv = h(t.iv);
      const aad = h(t.aad);
      const msg = h(t.msg);
      const sealed = toHex(new Uint8Array([...h(t.ct), ...h(t.tag)]));
      const opened = aead.open(iv, aad, fromHex(sealed));
      if (t.result === 'valid') {
        const ok = opened !== null && toHex(opened) === t.msg && toHex(aead.seal(iv, aad, msg)) === sealed;
        tally.check(t, true, ok);
      } else {
        tally.check(t, false, opened !== null);
      }
    }
  }
  return tally;
}

test('wycheproof aes_gcm (96-bit IV, 128-bit tag, AES-128/256)', () => {
  const t = aeadFile('aes_gcm_test.json', (k) => (k === 128 ? 'aes-128-gcm' : k === 256 ? 'aes-256-gcm' : undefined));
  // Skipped: AES-192 (64 with a 96-bit IV) and every other IV size (119): TLS uses neither.
  t.done({ run: 133, accepted: 79, rejected: 54, skipped: 183 });
});

test('wycheproof chacha20_poly1305 (96-bit nonce)', () => {
  const t = aeadFile('chacha20_poly1305_test.json', (k) => (k === 256 ? 'chacha20-poly1305' : undefined));
  // Skipped: 9 groups with other nonce sizes (RFC 8439 fixes 96 bits).
  t.done({ run: 316, accepted: 256, rejected: 60, skipped: 9 });
});

// ---- HKDF / HMAC ----

for (const [file, hash, total] of [
  ['hkdf_sha256_test.json', 'sha256', 86],
  ['hkdf_sha384_test.json', 'sha384', 83],
] as const) {
  test(`wycheproof ${file}`, () => {
    const f = load(file);
    const tally = new Tally(f);
    for (const g of f.testGroups) {
      for (const t of g.tests) {
        let okm: Uint8Array | undefined;
        try {
          const prk = P.hkdfExtract(hash, h(t.salt), h(t.ikm));
          okm = P.hkdfExpand(hash, prk, h(t.info), t.size as number);
        } catch {
          okm = undefined; // only for size > 255 * HashLen
        }
        if (t.result === 'valid') tally.check(t, true, okm !== undefined && toHex(okm) === t.okm);
        else tally.check(t, false, okm !== undefined);
      }
    }
    const invalid = 3;
    tally.done({ run: total, accepted: total - invalid, rejected: invalid, skipped: 0 });
  });
}

for (const file of ['hmac_sha256_test.json', 'hmac_sha384_test.json']) {
  test(`wycheproof ${file} (truncated tags compared at the given length)`, () => {
    const f = load(file);
    const hash: HashName = file.includes('256') ? 'sha256' : 'sha384';
    const tally = new Tally(f);
    for (const g of f.testGroups) {
      const tagBytes = (g.tagSize as number) / 8;
      for (const t of g.tests) {
        const mac = P.hmac(hash, h(t.key), h(t.msg));
        tally.check(t, t.result === 'valid', toHex(mac.subarray(0, tagBytes)) === t.tag);
      }
    }
    tally.done({ run: 174, accepted: 66, rejected: 108, skipped: 0 });
  });
}

// ---- Key exchange ----

test('wycheproof x25519: all-zero shared secrets rejected (RFC 8446 §7.4.2)', () => {
  const f = load('x25519_test.json');
  const tally = new Tally(f);
  const kx = P.keyExchange(NamedGroup.x25519)!;
  let zero = 0;
  for (const g of f.testGroups) {
    for (const t of g.tests) {
      // `acceptable` vectors: those whose result is all zeros (low-order public values) MUST be
      // rejected in TLS; the rest (twist points, non-canonical u >= p) give a well-defined shared
      // secret under RFC 7748 §5 (mask the top bit, reduce mod p) and are accepted.
      const isZero = /^(00)+$/.test(t.shared as string);
      if (isZero) {
        zero++;
        assert.ok(t.flags.includes('ZeroSharedSecret'), `tc ${t.tcId} zero result is flagged`);
      }
      let out = '';
      const accepted = acceptsOrAlert('illegal_parameter', () => {
        out = toHex(kx.fromPrivateKey(h(t.private)).complete(h(t.public)));
      });
      tally.check(t, !isZero, accepted && out === t.shared, accepted ? `got ${out}` : '');
    }
  }
  assert.equal(zero, 31);
  // 264 valid + 223 acceptable non-zero accepted; 31 acceptable all-zero rejected.
  tally.done({ run: 518, accepted: 487, rejected: 31, skipped: 0 });
});

for (const [file, group, total, invalid] of [
  ['ecdh_secp256r1_ecpoint_test.json', NamedGroup.secp256r1, 355, 25],
  ['ecdh_secp384r1_ecpoint_test.json', NamedGroup.secp384r1, 790, 19],
] as const) {
  test(`wycheproof ${file}: raw points, invalid and compressed points rejected`, () => {
    const f = load(file);
    const tally = new Tally(f);
    const kx = P.keyExchange(group)!;
    let compressed = 0;
    for (const g of f.testGroups) {
      for (const t of g.tests) {
        // The one `acceptable` vector is a valid compressed point: RFC 8446 §4.2.8.2 allows only
        // the uncompressed form, so it is rejected (like every invalid one).
        if (t.flags.includes('CompressedPoint') || t.flags.includes('CompressedPublic')) compressed++;
        let out = '';
        const accepted = acceptsOrAlert('illegal_parameter', () => {
          out = toHex(kx.fromPrivateKey(h(t.private)).complete(h(t.public)));
        });
        tally.check(t, t.result === 'valid', accepted && out === t.shared, accepted ? `got ${out}` : '');
      }
    }
    assert.ok(compressed >= 2, 'compressed points are exercised');
    tally.done({ run: total, accepted: total - invalid, rejected: invalid, skipped: 0 });
  });
}

// ---- Signatures ----

function verifyFile(file: string, algFor: (g: Group) => SignatureAlgorithm): Tally {
  const f = load(file);
  const tally = new Tally(f);
  for (const g of f.testGroups) {
    const key = P.importPublicKey(h(g.publicKeyDer));
    const alg = algFor(g);
    for (const t of g.tests) {
      tally.check(t, t.result === 'valid', P.verify(key, alg, h(t.msg), h(t.sig)));
    }
  }
  return tally;
}

test('wycheproof ecdsa_secp256r1_sha256 (DER signatures)', () => {
  const t = verifyFile('ecdsa_secp256r1_sha256_test.json', (g) => ({ kind: 'ecdsa', hash: hashOf(g.sha) }));
  t.done({ run: 484, accepted: 174, rejected: 310, skipped: 0 });
});

test('wycheproof ecdsa_secp384r1_sha384 (DER signatures)', () => {
  const t = verifyFile('ecdsa_secp384r1_sha384_test.json', (g) => ({ kind: 'ecdsa', hash: hashOf(g.sha) }));
  t.done({ run: 504, accepted: 194, rejected: 310, skipped: 0 });
});

test('wycheproof ed25519', () => {
  const t = verifyFile('ed25519_test.json', () => ({ kind: 'ed25519' }));
  t.done({ run: 151, accepted: 88, rejected: 63, skipped: 0 });
});

for (const [file, accepted, rejected] of [
  ['rsa_pss_2048_sha256_mgf1_32_test.json', 63, 45],
  ['rsa_pss_2048_sha384_mgf1_48_test.json', 95, 46],
] as const) {
  test(`wycheproof ${file}`, () => {
    const t = verifyFile(file, (g) => {
      assert.equal(g.mgf, 'MGF1');
      assert.equal(g.mgfSha, g.sha, 'MGF1 hash equals the signature hash');
      return { kind: 'rsa-pss', hash: hashOf(g.sha), saltLength: g.sLen as number };
    });
    t.done({ run: accepted + rejected, accepted, rejected, skipped: 0 });
  });
}

for (const [file, valid, total] of [
  ['rsa_signature_2048_sha256_test.json', 9, 259],
  ['rsa_signature_2048_sha384_test.json', 7, 258],
] as const) {
  test(`wycheproof ${file} (PKCS#1 v1.5; DigestInfo without NULL rejected)`, () => {
    // The one `acceptable` vector (MissingNull: DigestInfo with absent parameters) is rejected:
    // RFC 8017 §9.2 encodes the NULL, and TLS/X.509 signers always send it.
    const t = verifyFile(file, (g) => ({ kind: 'rsa-pkcs1', hash: hashOf(g.sha) }));
    t.done({ run: total, accepted: valid, rejected: total - valid, skipped: 0 });
  });
}

/** Test-only RSAES-PKCS1-v1_5 unpadding (RFC 8017 §7.2.2 step 3); null on bad padding. */
function unpadPkcs1(em: Uint8Array): Uint8Array | null {
  if (em[0] !== 0 || em[1] !== 2) return null;
  const sep = em.indexOf(0, 2);
  if (sep < 0 || sep - 2 < 8) return null;
  return em.subarray(sep + 1);
}

test('wycheproof rsa_pkcs1_2048 decryption (rsaDecryptRaw + PKCS#1 v1.5 unpadding)', () => {
  const f = load('rsa_pkcs1_2048_test.json');
  const tally = new Tally(f);
  let rawErrors = 0;
  for (const g of f.testGroups) {
    const key = P.importPrivateKey(h(g.privateKeyPkcs8));
    assert.equal(key.bits, 2048);
    for (const t of g.tests) {
      let msg: Uint8Array | null = null;
      const ct = h(t.ct);
      const ok = acceptsOrAlert('decode_error', () => {
        const em = P.rsaDecryptRaw(key, ct);
        assert.equal(em.length, 256);
        msg = unpadPkcs1(em);
      });
      if (!ok) rawErrors++;
      const m = msg as Uint8Array | null;
      tally.check(t, t.result === 'valid', m !== null && toHex(m) === t.msg);
    }
  }
  assert.ok(rawErrors > 0, 'wrong-length or out-of-range ciphertexts raise decode_error');
  tally.done({ run: 67, accepted: 42, rejected: 25, skipped: 0 });
});
