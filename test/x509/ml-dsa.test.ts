// ML-DSA in X.509 (the LAMPS ML-DSA-in-X.509 spec): keys in the SubjectPublicKeyInfo and signatures
// in certificates, with no AlgorithmIdentifier parameters (present → bad_certificate), and path
// validation across ML-DSA and classical issuers both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DerReader, der } from '../../src/asn1/index.js';
import { TlsError } from '../../src/errors/index.js';
import type { MlDsaKeyType } from '../../src/crypto/provider.js';
import { ML_DSA } from '../../src/crypto/ml-dsa.js';
import { parseCertificate } from '../../src/x509/index.js';
import { assertFail, assertOk, ecKey, mkCa, mkLeaf, provider, verify } from './fixtures.js';

const mldsa = (type: MlDsaKeyType) => provider.generatePrivateKey({ type });

test('ML-DSA root → ECDSA leaf, ECDSA root → ML-DSA leaf, and ML-DSA all the way down (87 → 44 → 65)', () => {
  const pqRoot = mkCa('CN=PQ Root', undefined, { key: mldsa('ml-dsa-65') });
  assert.equal(pqRoot.cert.signatureAlgorithm.name, 'ML-DSA-65');
  assert.equal(pqRoot.cert.spki.keyType, 'ml-dsa-65');
  const ecLeaf = mkLeaf(pqRoot);
  assert.equal(ecLeaf.cert.signatureAlgorithm.name, 'ML-DSA-65');
  assert.equal(ecLeaf.cert.spki.keyType, 'ec');
  assertOk(verify({ leaf: ecLeaf.pem, roots: [pqRoot.pem] }), ['CN=www.example.com', 'CN=PQ Root']);

  const ecRoot = mkCa('CN=EC Root');
  const pqLeaf = mkLeaf(ecRoot, { key: mldsa('ml-dsa-65') });
  assert.equal(pqLeaf.cert.signatureAlgorithm.name, 'ecdsa-with-SHA256');
  assert.equal(pqLeaf.cert.spki.keyType, 'ml-dsa-65');
  assertOk(verify({ leaf: pqLeaf.pem, roots: [ecRoot.pem] }), ['CN=www.example.com', 'CN=EC Root']);

  const root87 = mkCa('CN=Root 87', undefined, { key: mldsa('ml-dsa-87') });
  const inter44 = mkCa('CN=Inter 44', root87, { key: mldsa('ml-dsa-44') });
  const leaf65 = mkLeaf(inter44, { key: mldsa('ml-dsa-65') });
  assert.deepEqual(
    [leaf65.cert.signatureAlgorithm.name, inter44.cert.signatureAlgorithm.name, root87.cert.signatureAlgorithm.name],
    ['ML-DSA-44', 'ML-DSA-87', 'ML-DSA-87'],
  );
  assertOk(verify({ leaf: leaf65.pem, intermediates: [inter44.pem], roots: [root87.pem] }), ['CN=www.example.com', 'CN=Inter 44', 'CN=Root 87']);
});

test('an ML-DSA signature does not verify under another key or another parameter set', () => {
  const real = mkCa('CN=PQ CA', undefined, { key: mldsa('ml-dsa-65') });
  // No authorityKeyIdentifier, so that the impostors' chains build: RFC 5280 rules (the Web PKI
  // requires the AKI).
  const leaf = mkLeaf(real, { authorityKeyIdentifier: false });
  assertOk(verify({ leaf: leaf.pem, roots: [real.pem], profile: 'rfc5280' }));
  // Same name, other keys: the chain builds, the signature does not verify.
  for (const key of [mldsa('ml-dsa-65'), mldsa('ml-dsa-44'), ecKey()]) {
    const impostor = mkCa('CN=PQ CA', undefined, { key });
    assertFail(verify({ leaf: leaf.pem, roots: [impostor.pem], profile: 'rfc5280' }), 'signature', 'bad_certificate', /does not verify with the public key of 'CN=PQ CA'/);
  }
});

/** Rebuild a certificate with its TBS element `index` and/or the outer signatureAlgorithm replaced. */
function rebuild(certDer: Uint8Array, change: { tbsIndex?: number; tbsElement?: Uint8Array; outerAlg?: Uint8Array }): Uint8Array {
  const outer = new DerReader(certDer).sequence('cert');
  const tbsEl = outer.next('tbs');
  const alg = outer.next('alg').raw;
  const sig = outer.next('sig').raw;
  const tbs = new DerReader(tbsEl.contents);
  const parts: Uint8Array[] = [];
  for (let i = 0; !tbs.atEnd; i++) {
    const el = tbs.next().raw;
    parts.push(i === change.tbsIndex && change.tbsElement ? change.tbsElement : el);
  }
  return der.sequence(der.sequence(...parts), change.outerAlg ?? alg, sig);
}

test('parameters present in an ML-DSA AlgorithmIdentifier (signature or key) → bad_certificate', () => {
  const ca = mkCa('CN=PQ CA', undefined, { key: mldsa('ml-dsa-65') });
  const leaf = mkLeaf(ca, { key: mldsa('ml-dsa-44') });
  const parsed = parseCertificate(leaf.der);
  assert.equal(parsed.signatureAlgorithm.name, 'ML-DSA-65');
  const withNull = (type: MlDsaKeyType): Uint8Array => der.sequence(der.oid(ML_DSA[type].oid), der.nullValue());
  // TBS: [0] version, serialNumber, signature (2), issuer, validity, subject, subjectPublicKeyInfo (6).
  const bad: [string, Uint8Array][] = [
    ['signature AlgorithmIdentifier with NULL parameters', rebuild(leaf.der, { tbsIndex: 2, tbsElement: withNull('ml-dsa-65'), outerAlg: withNull('ml-dsa-65') })],
    ['outer signatureAlgorithm only', rebuild(leaf.der, { outerAlg: withNull('ml-dsa-65') })],
    [
      'SubjectPublicKeyInfo with NULL parameters',
      rebuild(leaf.der, { tbsIndex: 6, tbsElement: der.sequence(withNull('ml-dsa-44'), der.bitString(parsed.spki.publicKey)) }),
    ],
  ];
  for (const [name, input] of bad) {
    assert.throws(() => parseCertificate(input), (e: unknown) => e instanceof TlsError && e.alertName === 'bad_certificate', name);
  }
  // The untouched rebuild parses: the harness changes only what it is asked to.
  assert.equal(parseCertificate(rebuild(leaf.der, {})).signatureAlgorithm.name, 'ML-DSA-65');
});

test('an ML-DSA server leaf needs digitalSignature when it has keyUsage', () => {
  const ca = mkCa('CN=PQ CA', undefined, { key: mldsa('ml-dsa-44') });
  const leaf = mkLeaf(ca, { key: mldsa('ml-dsa-65'), keyUsage: ['keyAgreement'] });
  assertFail(verify({ leaf: leaf.pem, roots: [ca.pem] }), 'keyUsage', 'unsupported_certificate', /does not include digitalSignature, which an ML-DSA-65 key needs/);
});
