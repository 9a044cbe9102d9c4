// ML-DSA certificates in in-memory handshakes (draft-ietf-tls-mldsa): the server signs its TLS 1.3
// CertificateVerify with mldsa44/65/87 to match its key, a client authenticates with one, a server
// with classical and ML-DSA certificates picks by what the client offers, and TLS 1.2 never uses
// the schemes (a TLS 1.2-only client gets no ML-DSA certificate, a TLS 1.2 server never picks one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MlDsaKeyType } from '../../src/crypto/provider.js';
import { DEFAULT_SIGNATURE_SCHEMES } from '../../src/crypto/signature.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { generateTestKey, testCa, testCert, type TestCert } from '../pki.js';
import { assertEstablished, assertFailed, connect, pki } from './helpers.js';

const S = SignatureScheme;
const SCHEME: Record<MlDsaKeyType, number> = { 'ml-dsa-44': S.mldsa44, 'ml-dsa-65': S.mldsa65, 'ml-dsa-87': S.mldsa87 };
const KIND = { 'ml-dsa-44': 'mldsa44', 'ml-dsa-65': 'mldsa65', 'ml-dsa-87': 'mldsa87' } as const;

let cached: { pqCa: TestCert; trust: TrustStore; leaves: Record<MlDsaKeyType, CertifiedKey>; client: CertifiedKey } | undefined;
/** An ML-DSA-87 CA; ML-DSA leaves for localhost of each parameter set; an ML-DSA-65 client certificate. */
function pq() {
  if (cached) return cached;
  const pqCa = testCa('CN=PQ Test CA', { key: generateTestKey('mldsa87') });
  const leaf = (type: MlDsaKeyType, issuer: TestCert): CertifiedKey => {
    const c = testCert(generateTestKey(KIND[type]), issuer, { subject: `CN=localhost, OU=${type}`, dnsNames: ['localhost'] });
    return { chain: [c.der], key: c.key };
  };
  const alice = testCert(generateTestKey('mldsa65'), pqCa, { subject: 'CN=Alice PQ', extKeyUsage: ['clientAuth'] });
  cached = {
    pqCa,
    trust: new TrustStore([pqCa.pem, pki().caPem]),
    leaves: { 'ml-dsa-44': leaf('ml-dsa-44', pqCa), 'ml-dsa-65': leaf('ml-dsa-65', pqCa), 'ml-dsa-87': leaf('ml-dsa-87', pqCa) },
    client: { chain: [alice.der], key: alice.key },
  };
  return cached;
}

test('a server with an ML-DSA certificate signs with the matching scheme; the default client accepts all three', () => {
  const { trust, leaves } = pq();
  for (const type of ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'] as const) {
    const p = connect({ trust }, { certificates: [leaves[type]] });
    assertEstablished(p);
    assert.equal(p.client.handshakeInfo!.signatureScheme, SCHEME[type], type);
    assert.equal(p.server.handshakeInfo!.localSignatureScheme, SCHEME[type], type);
    assert.equal(p.client.handshakeInfo!.version, 'TLSv1.3');
    assert.equal(p.client.handshakeInfo!.authorized, true);
  }
});

test('ML-DSA CA with an ECDSA leaf, and an ECDSA CA with an ML-DSA leaf', () => {
  const { pqCa, trust } = pq();
  const ecUnderPq = testCert(generateTestKey('p256'), pqCa, { subject: 'CN=localhost, OU=ec', dnsNames: ['localhost'] });
  const a = connect({ trust }, { certificates: [{ chain: [ecUnderPq.der], key: ecUnderPq.key }] });
  assertEstablished(a);
  assert.equal(a.client.handshakeInfo!.signatureScheme, S.ecdsa_secp256r1_sha256);
  const classicalCa = testCa('CN=Classical CA');
  const pqUnderEc = testCert(generateTestKey('mldsa65'), classicalCa, { subject: 'CN=localhost, OU=pq', dnsNames: ['localhost'] });
  const b = connect({ trust: new TrustStore([classicalCa.pem]) }, { certificates: [{ chain: [pqUnderEc.der], key: pqUnderEc.key }] });
  assertEstablished(b);
  assert.equal(b.client.handshakeInfo!.signatureScheme, S.mldsa65);
});

test('a server with classical and ML-DSA certificates serves what the client can check', () => {
  const { trust, leaves } = pq();
  const both = { certificates: [pki().server.p256, leaves['ml-dsa-65']] };
  const def = connect({ trust }, both);
  assertEstablished(def);
  assert.equal(def.client.handshakeInfo!.signatureScheme, S.ecdsa_secp256r1_sha256, 'the first configured certificate the client accepts');
  const pqOnly = connect({ trust, signatureSchemes: [S.mldsa65] }, both);
  assertEstablished(pqOnly);
  assert.equal(pqOnly.client.handshakeInfo!.signatureScheme, S.mldsa65);
  // A client that does not offer ML-DSA: the ML-DSA-only server has nothing to sign with.
  const classical = DEFAULT_SIGNATURE_SCHEMES.filter((s) => s < 0x0904 || s > 0x0906);
  const none = connect({ trust, signatureSchemes: classical }, { certificates: [leaves['ml-dsa-65']] });
  assertFailed(none.server, 'handshake_failure');
  // A client that offers only ML-DSA-44 does not get the ML-DSA-65 certificate's signature.
  const other = connect({ trust, signatureSchemes: [S.mldsa44] }, { certificates: [leaves['ml-dsa-65']] });
  assertFailed(other.server, 'handshake_failure');
});

test('client authentication with an ML-DSA-65 certificate', () => {
  const { trust, client } = pq();
  const p = connect({ clientCertificate: client }, { clientAuth: 'required', clientTrust: trust });
  assertEstablished(p);
  assert.equal(p.server.handshakeInfo!.peerCertificates[0]!.subject.text, 'CN=Alice PQ');
  assert.equal(p.server.handshakeInfo!.signatureScheme, S.mldsa65, "the client's CertificateVerify");
});

test('never in TLS 1.2: a TLS 1.2-only client gets the classical certificate or a handshake_failure', () => {
  const { trust, leaves } = pq();
  const tls12 = { trust, maxVersion: 'TLSv1.2' as const };
  // Only an ML-DSA certificate: no TLS 1.2 suite fits it.
  const only = connect(tls12, { certificates: [leaves['ml-dsa-65']] });
  assertFailed(only.server, 'handshake_failure');
  // ML-DSA first, ECDSA second: TLS 1.2 takes the ECDSA one, with an ECDSA scheme.
  const both = connect(tls12, { certificates: [leaves['ml-dsa-65'], pki().server.p256] });
  assertEstablished(both);
  assert.equal(both.client.handshakeInfo!.version, 'TLSv1.2');
  assert.equal(both.client.handshakeInfo!.signatureScheme, S.ecdsa_secp256r1_sha256);
  // A TLS 1.2 client that offers ML-DSA first still gets an ECDSA signature.
  const pqFirst = connect({ ...tls12, signatureSchemes: [S.mldsa65, S.mldsa44, S.mldsa87, S.ecdsa_secp256r1_sha256] }, {
    certificates: [pki().server.p256],
  });
  assertEstablished(pqFirst);
  assert.equal(pqFirst.server.handshakeInfo!.localSignatureScheme, S.ecdsa_secp256r1_sha256);
  // And one that offers only ML-DSA gets nothing in TLS 1.2.
  const pqOnly = connect({ ...tls12, signatureSchemes: [S.mldsa65] }, { certificates: [pki().server.p256] });
  assertFailed(pqOnly.server, 'handshake_failure');
});

test('never in TLS 1.2: an ML-DSA client certificate is not used for a TLS 1.2 CertificateVerify', () => {
  const { trust, client } = pq();
  const p = connect({ trust: pki().trust, maxVersion: 'TLSv1.2', clientCertificate: client }, { clientAuth: 'optional', clientTrust: trust });
  assertEstablished(p);
  assert.equal(p.client.handshakeInfo!.version, 'TLSv1.2');
  assert.equal(p.server.handshakeInfo!.peerCertificates.length, 0, 'no scheme fits: the client sends an empty Certificate');
  const required = connect({ trust: pki().trust, maxVersion: 'TLSv1.2', clientCertificate: client }, { clientAuth: 'required', clientTrust: trust });
  assertFailed(required.server, ['certificate_required', 'handshake_failure']);
});
