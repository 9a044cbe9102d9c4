// The Illustrated TLS 1.2/1.3 certificates (test/vectors) at fixed times, and the real-world
// root bundles (Node's Mozilla roots, the system bundle) through the strict parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { parseCertificates, verifyServerChain, fingerprintHex, TrustStore } from '../../src/x509/index.js';
import { defaultTrustStore, systemTrustStore } from '../../src/node/trust.js';
import { verifyServerChain as nodeVerify } from '../../src/node/x509.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { readVectorText } from '../vectors.js';

const server13 = readVectorText('illustrated-tls13/keys/server.crt');
const server12 = readVectorText('illustrated-tls12/keys/server.crt');
const ca = readVectorText('illustrated-tls12/keys/ca.crt');
const INSIDE = new Date('2019-01-01T00:00:00Z');

test('the Illustrated certificates parse with the expected fields', () => {
  const [leaf] = parseCertificates(server13);
  const [root] = parseCertificates(ca);
  assert.deepEqual(parseCertificates(server12)[0]!.raw, leaf!.raw); // the same certificate in both captures
  assert.equal(leaf!.subject.text, 'CN=example.ulfheim.net, C=US');
  assert.equal(leaf!.issuer.text, 'O=Example CA, C=US');
  assert.equal(leaf!.serialHex, '155a92adc2048f90');
  assert.equal(leaf!.notBefore, Date.UTC(2018, 9, 5, 1, 38, 17));
  assert.equal(leaf!.notAfter, Date.UTC(2019, 9, 5, 1, 38, 17));
  assert.equal(leaf!.signatureAlgorithm.name, 'sha256WithRSAEncryption');
  assert.deepEqual(leaf!.keyUsage, ['digitalSignature', 'keyEncipherment']);
  assert.deepEqual(leaf!.extKeyUsage, ['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1']);
  assert.equal(leaf!.subjectAltName, undefined); // no SAN: matters for the hostname check below
  assert.equal(root!.selfIssued, true);
  assert.deepEqual(root!.basicConstraints, { ca: true });
  assert.deepEqual(leaf!.authorityKeyIdentifier, root!.subjectKeyIdentifier);
  // node's own X.509 parser agrees on the fingerprint (openssl's is checked in openssl.test.ts)
  assert.equal(fingerprintHex(root!, provider), new X509Certificate(ca).fingerprint256);
});

test('the Illustrated chain is valid inside 2018-10-05..2019-10-05 and expired after', () => {
  for (const leaf of [server13, server12]) {
    // A 2018 test chain: no subjectAltName, so only the RFC 5280 profile accepts it.
    const ok = verifyServerChain({ leaf, roots: [ca], hostname: null, at: INSIDE, provider, profile: 'rfc5280' });
    assert.ok(ok.ok, ok.ok ? '' : ok.error.message);
    assert.deepEqual(ok.chain.map((c) => c.subject.text), ['CN=example.ulfheim.net, C=US', 'O=Example CA, C=US']);
  }
  const webpki = verifyServerChain({ leaf: server13, roots: [ca], hostname: null, at: INSIDE, provider });
  assert.equal(!webpki.ok && webpki.error.reason, 'subjectAltNameMissing');
  const expired = verifyServerChain({ leaf: server13, roots: [ca], hostname: null, at: new Date('2019-10-06T00:00:00Z'), provider });
  assert.equal(expired.ok, false);
  assert.equal(!expired.ok && expired.error.alertName, 'certificate_expired');
  assert.equal(!expired.ok && expired.error.message, "certificate 'CN=example.ulfheim.net, C=US' expired on 2019-10-05T01:38:17Z");
  const early = verifyServerChain({ leaf: server13, roots: [ca], hostname: null, at: new Date('2018-10-05T00:00:00Z'), provider });
  assert.equal(!early.ok && early.error.message, "certificate 'CN=example.ulfheim.net, C=US' is not valid before 2018-10-05T01:38:17Z");
  // openssl agrees on both times: test/x509/openssl.test.ts
});

test('example.ulfheim.net: the certificate names the host only in its CN, which RFC 9525 does not use', () => {
  const r = verifyServerChain({ leaf: server13, roots: [ca], hostname: 'example.ulfheim.net', at: INSIDE, provider, profile: 'rfc5280' });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.check, 'hostname');
  assert.match(!r.ok ? r.error.message : '', /has no DNS or IP subjectAltName, so it is not valid for 'example.ulfheim.net' \(the common name is not used/);
});

test("every one of Node's bundled Mozilla roots parses strictly", () => {
  const store = new TrustStore(rootCertificates);
  assert.equal(store.rejected().length, 0, store.rejected().map((r) => r.error).join('\n'));
  assert.equal(store.certificates().length, rootCertificates.length);
  assert.ok(rootCertificates.length > 100);
  // lazily indexed lookups
  const isrg = parseCertificates(rootCertificates.find((p) => parseCertificates(p)[0]!.subject.text.includes('ISRG Root X1'))!)[0]!;
  assert.equal(defaultTrustStore().findBySubject(isrg.subject.raw).length, 1);
});

test('the system bundle parses (when present)', { skip: !existsSync('/etc/ssl/certs/ca-certificates.crt') }, () => {
  const store = systemTrustStore();
  assert.ok(store.size > 50);
  assert.equal(store.rejected().length, 0, store.rejected().map((r) => r.error).join('\n'));
});

test('Node entry defaults the provider, the time and the roots', () => {
  const r = nodeVerify({ leaf: server13, roots: [ca], hostname: null, at: INSIDE, profile: 'rfc5280' });
  assert.ok(r.ok);
  const now = nodeVerify({ leaf: server13, roots: [ca], hostname: null, profile: 'rfc5280' });
  assert.equal(!now.ok && now.error.check, 'validity'); // expired in 2019
  const noRoots = nodeVerify({ leaf: server13, hostname: null, at: INSIDE, profile: 'rfc5280' });
  assert.equal(!noRoots.ok && noRoots.error.check, 'trust'); // not a Mozilla root
});
