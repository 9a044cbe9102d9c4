// ML-DSA-44/65/87 through the node provider (on Node 20: @noble/post-quantum; see
// ml-dsa-node24.test.ts for node:crypto on Node 24 and the cross-check between the two):
// generate, sign, verify, the LAMPS SPKI and every PKCS#8 private key form, and the negative cases
// (flipped bit, wrong key, wrong context, truncated, wrong parameter set, parameters present).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { der, encodePem } from '../../src/asn1/index.js';
import { concat, toHex, utf8 } from '../../src/bytes/index.js';
import { encodeMlDsaPkcs8, encodeMlDsaSpki, ML_DSA, parseMlDsaPkcs8 } from '../../src/crypto/ml-dsa.js';
import { createNodeCryptoProvider, nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import type { MlDsaKeyType, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { keyMatchesScheme, schemeAllowedIn12, schemeInfo, DEFAULT_SIGNATURE_SCHEMES } from '../../src/crypto/signature.js';
import { TlsError, UsageError } from '../../src/errors/index.js';
import { SignatureScheme } from '../../src/wire/enums.js';

const TYPES: readonly MlDsaKeyType[] = ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'];
const NOBLE = { 'ml-dsa-44': ml_dsa44, 'ml-dsa-65': ml_dsa65, 'ml-dsa-87': ml_dsa87 } as const;
const alg = (parameterSet: MlDsaKeyType): SignatureAlgorithm => ({ kind: 'ml-dsa', parameterSet });
const seedOf = (b: number): Uint8Array => new Uint8Array(32).fill(b);

function throwsAlert(f: () => unknown, alert: string): void {
  assert.throws(f, (e: unknown) => e instanceof TlsError && e.alertName === alert);
}

describe('ML-DSA keys and signatures', () => {
  for (const type of TYPES) {
    const p = ML_DSA[type];
    test(`${p.name}: generate, sign, verify; the SPKI and the PKCS#8 seed form round-trip`, () => {
      const key = P.generatePrivateKey({ type });
      assert.equal(key.type, type);
      assert.equal(key.publicKey.type, type);
      const raw = key.publicKey.spki.subarray(key.publicKey.spki.length - p.publicKeyLength);
      assert.deepEqual(key.publicKey.spki, encodeMlDsaSpki(type, raw), 'SPKI: OID without parameters, raw key as the BIT STRING');
      const msg = utf8('the CertificateVerify content');
      const sig = P.sign(key, alg(type), msg);
      assert.equal(sig.length, p.signatureLength);
      assert.equal(P.verify(key.publicKey, alg(type), msg, sig), true);
      assert.equal(NOBLE[type].verify(sig, msg, raw), true, 'noble agrees');
      // Written in the seed form (what node:crypto writes): 54 bytes.
      const pkcs8 = P.exportPrivateKey(key);
      assert.equal(pkcs8.length, 54);
      assert.equal(parseMlDsaPkcs8(pkcs8)?.seed?.length, 32);
      const again = P.importPrivateKey(pkcs8);
      assert.deepEqual(again.publicKey.spki, key.publicKey.spki);
      assert.equal(P.verify(P.importPublicKey(key.publicKey.spki), alg(type), msg, P.sign(again, alg(type), msg)), true);
    });

    test(`${p.name}: negative cases all verify false`, () => {
      const key = P.generatePrivateKey({ type });
      const other = P.generatePrivateKey({ type });
      const msg = utf8('message');
      const sig = P.sign(key, alg(type), msg);
      const flipped = sig.slice();
      flipped[100]! ^= 0x01;
      assert.equal(P.verify(key.publicKey, alg(type), msg, flipped), false, 'flipped bit');
      assert.equal(P.verify(key.publicKey, alg(type), utf8('messagf'), sig), false, 'other message');
      assert.equal(P.verify(other.publicKey, alg(type), msg, sig), false, 'wrong key');
      assert.equal(P.verify(key.publicKey, alg(type), msg, sig.subarray(0, sig.length - 1)), false, 'truncated');
      assert.equal(P.verify(key.publicKey, alg(type), msg, concat(sig, new Uint8Array(1))), false, 'one byte too long');
      assert.equal(P.verify(key.publicKey, alg(type), msg, new Uint8Array(0)), false, 'empty');
      // A non-empty context: a different message to ML-DSA (FIPS 204 §5.2), so it must not verify as pure ML-DSA.
      const expanded = NOBLE[type].keygen(seedOf(9));
      const pub = P.importPublicKey(encodeMlDsaSpki(type, expanded.publicKey));
      const withCtx = NOBLE[type].sign(msg, expanded.secretKey, { context: utf8('hush') });
      assert.equal(P.verify(pub, alg(type), msg, withCtx), false, 'wrong context');
      assert.equal(P.verify(pub, alg(type), msg, NOBLE[type].sign(msg, expanded.secretKey)), true, 'empty context verifies');
      // Another parameter set or algorithm with this key.
      const wrongSet = TYPES.find((t) => t !== type)!;
      assert.equal(P.verify(key.publicKey, alg(wrongSet), msg, sig), false, 'wrong parameter set');
      assert.equal(P.verify(key.publicKey, { kind: 'ed25519' }, msg, sig), false, 'wrong algorithm');
      assert.throws(() => P.sign(key, alg(wrongSet), msg), UsageError);
      assert.throws(() => P.sign(key, { kind: 'ecdsa', hash: 'sha256' }, msg), UsageError);
    });

    test(`${p.name}: PKCS#8 seed, expandedKey and both forms (LAMPS §6) give the same key; inconsistent ones fail`, () => {
      const seed = seedOf(0x42);
      const kp = NOBLE[type].keygen(seed);
      const spki = encodeMlDsaSpki(type, kp.publicKey);
      const pkcs8 = (inner: Uint8Array, extra: Uint8Array[] = [], version = 0, params: Uint8Array[] = []): Uint8Array =>
        der.sequence(der.integer(version), der.sequence(der.oid(p.oid), ...params), der.octetString(inner), ...extra);
      const seedForm = der.contextPrimitive(0, seed);
      const expandedForm = der.octetString(kp.secretKey);
      const bothForm = der.sequence(der.octetString(seed), der.octetString(kp.secretKey));
      assert.deepEqual(pkcs8(seedForm), encodeMlDsaPkcs8(type, { seed }));
      const msg = utf8('forms');
      for (const [name, form] of [['seed', seedForm], ['expandedKey', expandedForm], ['both', bothForm]] as const) {
        const key = P.importPrivateKey(pkcs8(form));
        assert.deepEqual(key.publicKey.spki, spki, name);
        assert.equal(NOBLE[type].verify(P.sign(key, alg(type), msg), msg, kp.publicKey), true, name);
        // PEM too, as a string and as bytes.
        const pem = encodePem('PRIVATE KEY', pkcs8(form));
        assert.deepEqual(P.importPrivateKey(pem).publicKey.spki, spki, `${name} PEM`);
        assert.deepEqual(P.importPrivateKey(utf8(pem)).publicKey.spki, spki, `${name} PEM bytes`);
      }
      // Written back: the seed form when the seed is known, else the expanded key.
      assert.equal(toHex(P.exportPrivateKey(P.importPrivateKey(pkcs8(bothForm)))), toHex(pkcs8(seedForm)));
      assert.equal(toHex(P.exportPrivateKey(P.importPrivateKey(pkcs8(expandedForm)))), toHex(pkcs8(expandedForm)));
      // OneAsymmetricKey v2 with the matching public key [1].
      const pub1 = der.contextPrimitive(1, concat(new Uint8Array([0]), kp.publicKey));
      assert.deepEqual(P.importPrivateKey(pkcs8(seedForm, [pub1], 1)).publicKey.spki, spki);

      const otherExpanded = NOBLE[type].keygen(seedOf(0x43)).secretKey;
      const bad: [string, Uint8Array][] = [
        ['both, inconsistent', pkcs8(der.sequence(der.octetString(seed), der.octetString(otherExpanded)))],
        ['public key [1] of another key', pkcs8(seedForm, [der.contextPrimitive(1, concat(new Uint8Array([0]), NOBLE[type].keygen(seedOf(1)).publicKey))], 1)],
        ['public key [1] in v1', pkcs8(seedForm, [pub1], 0)],
        ['seed of 31 bytes', pkcs8(der.contextPrimitive(0, seed.subarray(1)))],
        ['expandedKey one byte short', pkcs8(der.octetString(kp.secretKey.subarray(1)))],
        ['seed as a plain OCTET STRING of 32 bytes (not the CHOICE)', pkcs8(der.octetString(seed))],
        ['bare seed without the CHOICE tag', pkcs8(seed)],
        ['parameters present (NULL)', pkcs8(seedForm, [], 0, [der.nullValue()])],
        ['trailing bytes in privateKey', pkcs8(concat(seedForm, new Uint8Array([0])))],
        ['version 2', pkcs8(seedForm, [], 2)],
      ];
      for (const [name, input] of bad) assert.throws(() => P.importPrivateKey(input), UsageError, name);
    });

    test(`${p.name}: SubjectPublicKeyInfo with parameters or a wrong length is a bad certificate`, () => {
      const raw = NOBLE[type].keygen(seedOf(3)).publicKey;
      throwsAlert(() => P.importPublicKey(der.sequence(der.sequence(der.oid(p.oid), der.nullValue()), der.bitString(raw))), 'bad_certificate');
      throwsAlert(() => P.importPublicKey(der.sequence(der.sequence(der.oid(p.oid)), der.bitString(raw.subarray(1)))), 'bad_certificate');
      throwsAlert(() => P.importPublicKey(der.sequence(der.sequence(der.oid(p.oid)), der.bitString(concat(raw, new Uint8Array(1))))), 'bad_certificate');
      assert.equal(P.importPublicKey(encodeMlDsaSpki(type, raw)).type, type);
    });
  }

  test('generation is reproducible from the injected random source (the 32-byte seed)', () => {
    const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(0x5a);
    const a = createNodeCryptoProvider({ randomBytes: fixed }).generatePrivateKey({ type: 'ml-dsa-65' });
    const b = createNodeCryptoProvider({ randomBytes: fixed }).generatePrivateKey({ type: 'ml-dsa-65' });
    assert.deepEqual(a.publicKey.spki, b.publicKey.spki);
    assert.deepEqual(a.publicKey.spki, encodeMlDsaSpki('ml-dsa-65', ml_dsa65.keygen(fixed(32)).publicKey));
  });
});

describe('ML-DSA signature schemes (draft-ietf-tls-mldsa)', () => {
  test('mldsa44/65/87 are 0x0904/0x0905/0x0906, pure ML-DSA of their own parameter set, TLS 1.3 only', () => {
    const S = SignatureScheme;
    assert.deepEqual([S.mldsa44, S.mldsa65, S.mldsa87], [0x0904, 0x0905, 0x0906]);
    for (const [scheme, type] of [[S.mldsa44, 'ml-dsa-44'], [S.mldsa65, 'ml-dsa-65'], [S.mldsa87, 'ml-dsa-87']] as const) {
      assert.deepEqual(schemeInfo(scheme)?.algorithm, { kind: 'ml-dsa', parameterSet: type });
      assert.equal(keyMatchesScheme({ type }, scheme, true), true);
      assert.equal(keyMatchesScheme({ type }, scheme, false), false, 'never in TLS 1.2');
      assert.equal(schemeAllowedIn12(scheme), false);
      for (const other of TYPES.filter((t) => t !== type)) assert.equal(keyMatchesScheme({ type: other }, scheme, true), false);
      assert.equal(keyMatchesScheme({ type: 'ec', curve: 'P-256' }, scheme, true), false);
    }
    assert.equal(schemeAllowedIn12(S.ecdsa_secp256r1_sha256), true);
  });

  test('offered by default, after every classical scheme', () => {
    const d = DEFAULT_SIGNATURE_SCHEMES;
    const S = SignatureScheme;
    assert.deepEqual(d.slice(-3), [S.mldsa65, S.mldsa87, S.mldsa44]);
    assert.ok(d.slice(0, -3).every((s) => schemeAllowedIn12(s)));
  });
});
