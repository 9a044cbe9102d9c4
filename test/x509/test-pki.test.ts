// The certificates the tests are built on (test/pki.ts over src/x509/builder.ts, no openssl CLI):
// each one is what its name says, by hush's verifier and by node's own X.509 code (OpenSSL the
// library), so the interop and in-memory tests stand on certificates both sides read the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { parseCertificates, verifyServerChain } from '../../src/x509/index.js';
import { makePki, tempDir, type CertFiles } from '../interop/peers.js';
import { makeCerts } from '../node/certs.js';
import { pki } from '../connection/helpers.js';
import { ensureLocalCa, ensureLocalhostCertificate, issueLocalCertificate } from '../../src/cli/local-ca.js';
import { makeBenchPki } from '../../src/bench/pki.js';

const text = (file: string): string => readFileSync(file, 'utf8');

test('interop PKI: every server certificate is valid for localhost and 127.0.0.1, by hush and by node', () => {
  const p = makePki(tempDir('hush-test-pki-'));
  const ca = new X509Certificate(text(p.ca.cert));
  assert.equal(ca.ca, true);
  const kinds = Object.entries(p.server);
  assert.equal(kinds.length, 5);
  for (const [kind, files] of kinds) {
    for (const hostname of ['localhost', '127.0.0.1']) {
      const r = verifyServerChain({ leaf: text(files.cert), roots: [text(p.ca.cert)], hostname, at: new Date(), provider });
      assert.ok(r.ok, `${kind} ${hostname}: ${r.ok ? '' : r.error.message}`);
    }
    const x = new X509Certificate(text(files.leaf));
    assert.equal(x.verify(ca.publicKey), true, kind);
    assert.equal(x.checkHost('localhost'), 'localhost', kind);
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1', kind);
    assert.equal(x.ca, false, kind);
    // The key file matches the certificate (PKCS#8, as the peers read it).
    assert.equal(x.checkPrivateKey(createPrivateKey(text(files.key))), true, kind);
  }
  // rsaPss2048 is an id-RSASSA-PSS key (rsa_pss_pss_*), rsa2048 an rsaEncryption key.
  assert.equal(new X509Certificate(text(p.server.rsaPss2048.leaf)).publicKey.asymmetricKeyType, 'rsa-pss');
  assert.equal(new X509Certificate(text(p.server.rsa2048.leaf)).publicKey.asymmetricKeyType, 'rsa');
  assert.equal(parseCertificates(text(p.server.ecdsa384.leaf))[0]!.signatureAlgorithm.name, 'ecdsa-with-SHA256'); // signed by the P-256 CA
  for (const [kind, files] of Object.entries(p.clients)) {
    const r = verifyServerChain({ leaf: text(files.cert), roots: [text(p.ca.cert)], hostname: null, at: new Date(), provider, purpose: 'clientAuth' });
    assert.ok(r.ok, `client ${kind}: ${r.ok ? '' : r.error.message}`);
  }
});

test('interop PKI: each negative certificate fails the check its name says', () => {
  const p = makePki(tempDir('hush-test-pki-'));
  const want: Record<keyof typeof p.negative, string> = {
    expired: 'validity',
    notYetValid: 'validity',
    wrongHost: 'hostname',
    selfSigned: 'trust',
    unknownCa: 'trust',
    issuerNotCa: 'basicConstraints',
    wrongEku: 'extKeyUsage',
  };
  const check = (files: CertFiles): string => {
    const r = verifyServerChain({ leaf: text(files.cert), roots: [text(p.ca.cert)], hostname: 'localhost', at: new Date(), provider });
    return r.ok ? 'ok' : r.error.check;
  };
  for (const [kind, files] of Object.entries(p.negative)) assert.equal(check(files), want[kind as keyof typeof want], kind);
  assert.equal(check(p.endEntity), 'ok');
  // node (OpenSSL) agrees on the dates and the names
  const now = Date.now();
  assert.ok(Date.parse(new X509Certificate(text(p.negative.expired.leaf)).validTo) < now);
  assert.ok(Date.parse(new X509Certificate(text(p.negative.notYetValid.leaf)).validFrom) > now);
  assert.equal(new X509Certificate(text(p.negative.wrongHost.leaf)).checkHost('localhost'), undefined);
});

test('in-memory PKIs (connection helpers, node tests) verify as the tests expect', () => {
  const t = pki();
  for (const [kind, c] of Object.entries(t.server)) {
    const r = verifyServerChain({ leaf: c.chain[0]!, roots: t.trust, hostname: 'localhost', at: new Date(), provider });
    assert.ok(r.ok, `${kind}: ${r.ok ? '' : r.error.message}`);
  }
  const stranger = verifyServerChain({ leaf: t.strangerClient.chain[0]!, roots: t.trust, hostname: null, at: new Date(), provider, purpose: 'clientAuth' });
  assert.equal(!stranger.ok && stranger.error.check, 'trust');
  const n = makeCerts();
  for (const hostname of ['localhost', '127.0.0.1']) {
    assert.ok(verifyServerChain({ leaf: n.serverCert, roots: [n.caCert], hostname, at: new Date(), provider }).ok, hostname);
    assert.ok(verifyServerChain({ leaf: n.selfCert, roots: [n.selfCert], hostname, at: new Date(), provider }).ok, `self ${hostname}`);
  }
  assert.equal(new X509Certificate(n.clientCert).verify(new X509Certificate(n.caCert).publicKey), true);
});

test("hush ca's and the bench's certificates pass the webpki profile (#15)", () => {
  const home = tempDir('hush-test-ca-');
  const ca = ensureLocalCa(home, provider);
  const check = (chainPem: string, hostname: string) => {
    const r = verifyServerChain({ leaf: chainPem, roots: [ca.caPem], hostname, at: new Date(), provider, profile: 'webpki' });
    assert.ok(r.ok, `${hostname}: ${r.ok ? '' : `${r.error.reason}: ${r.error.message}`}`);
  };
  const localhost = ensureLocalhostCertificate(ca, provider);
  for (const h of ['localhost', '127.0.0.1', '::1']) check(localhost.chainPem, h);
  check(issueLocalCertificate(ca, ['*.dev.test', '127.0.0.1'], provider).chainPem, 'a.dev.test');
  check(issueLocalCertificate(ca, ['192.0.2.1', 'app.test'], provider).chainPem, '192.0.2.1');
  check(issueLocalCertificate(ca, ['xn--bcher-kva.example'], provider, Date.now(), { clientAuth: true }).chainPem, 'xn--bcher-kva.example');
  const bench = makeBenchPki();
  for (const [kind, leaf] of Object.entries(bench.leaves)) {
    const r = verifyServerChain({ leaf: leaf.certPem, roots: [bench.caPem], hostname: 'localhost', at: new Date(), provider, profile: 'webpki' });
    assert.ok(r.ok, `bench ${kind}: ${r.ok ? '' : r.error.message}`);
  }
});
