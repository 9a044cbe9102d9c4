// The node adapter's revocation options (#15) on 127.0.0.1: hush's server staples (`ocspStaple`)
// to node:tls clients (requestOCSP → node's own 'OCSPResponse' event) and to hush clients;
// hush's client (`requestOCSP`, 'OCSPResponse', `crls`) against node:tls servers that staple
// through their 'OCSPRequest' event. TLS 1.3 and 1.2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from '../../src/node/server.js';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { issueCrl, issueOcspResponse, mustStapleExtension } from '../../src/x509/index.js';
import { DAY, generateTestKey, privateKeyPem, testCa, testCert, type TestCert } from '../pki.js';

const ca = testCa('CN=Node OCSP CA');
const leaf = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', dnsNames: ['localhost'] });
const mustLeaf = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', dnsNames: ['localhost'], extensions: [mustStapleExtension()] });
const now = Date.now();

function staple(cert: TestCert, status: Parameters<typeof issueOcspResponse>[0]['status'] = { status: 'good' }): Buffer {
  return Buffer.from(
    issueOcspResponse({
      provider, certificate: cert.certificate, issuer: ca.certificate, signer: { certificate: ca.certificate, key: ca.key },
      status, thisUpdate: now - 3600_000, nextUpdate: now + DAY,
    }).der,
  );
}

async function listen(server: Server | tls.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function shut(server: Server | tls.Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  await closed;
}

/** Connect, collect 'OCSPResponse' and the outcome ('secure' or the error code). */
async function hushClient(port: number, o: Record<string, unknown>): Promise<{ ocsp: Buffer[]; outcome: string; hushCode?: string; message?: string }> {
  const ocsp: Buffer[] = [];
  const s: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.pem, ...o });
  s.on('OCSPResponse', (r: Buffer) => ocsp.push(r));
  // outcome: node's code (#16: CERT_REVOKED like node:tls); hushCode/message: hush's own explanation (err.hush).
  const outcome = await new Promise<{ outcome: string; hushCode?: string; message?: string }>((resolve) => {
    s.once('secureConnect', () => resolve({ outcome: 'secure' }));
    s.once('error', (e: Error & { code?: string; hush?: { code?: string; message?: string } }) =>
      resolve({ outcome: e.code ?? 'error', hushCode: e.hush?.code ?? e.code, message: e.hush?.message ?? e.message }));
  });
  s.destroy();
  return { ocsp, ...outcome };
}

for (const v of ['TLSv1.3', 'TLSv1.2'] as const) {
  test(`${v}: hush server ocspStaple → node:tls client (requestOCSP) receives it in 'OCSPResponse'`, async () => {
    const resp = staple(leaf);
    const server = createServer({ key: privateKeyPem(leaf.key), cert: leaf.pem, ocspStaple: resp, maxVersion: v }, (s) => s.end());
    const port = await listen(server);
    try {
      const got: Buffer[] = [];
      const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.pem, requestOCSP: true, maxVersion: v } as tls.ConnectionOptions);
      c.on('OCSPResponse', (r: Buffer) => got.push(r));
      await once(c, 'secureConnect');
      c.destroy();
      assert.equal(got.length, 1);
      assert.deepEqual(got[0], resp);
    } finally {
      await shut(server);
    }
  });

  test(`${v}: hush client requestOCSP against node:tls server stapling via 'OCSPRequest'`, async () => {
    let answer: Buffer | null = staple(leaf);
    const server = tls.createServer({ key: privateKeyPem(leaf.key), cert: leaf.pem, maxVersion: v }, (s) => s.end());
    server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, cb: (err: Error | null, resp: Buffer | null) => void) => cb(null, answer));
    const port = await listen(server);
    try {
      const good = await hushClient(port, { requestOCSP: true, maxVersion: v });
      assert.equal(good.outcome, 'secure', good.message);
      assert.equal(good.ocsp.length, 1);
      assert.deepEqual(good.ocsp[0], answer);
      // Without requestOCSP nothing is asked and no event fires.
      const plain = await hushClient(port, { maxVersion: v });
      assert.equal(plain.outcome, 'secure');
      assert.equal(plain.ocsp.length, 0);
      answer = staple(leaf, { status: 'revoked', date: now - DAY, reason: 'keyCompromise' });
      const revoked = await hushClient(port, { requestOCSP: true, maxVersion: v });
      assert.equal(revoked.outcome, 'CERT_REVOKED');
      assert.match(revoked.message ?? '', /reason keyCompromise \(OCSP\)/);
    } finally {
      await shut(server);
    }
  });

  test(`${v}: hush ↔ hush: must-staple without a staple fails; crls reject a revoked server`, async () => {
    const server = createServer({ key: privateKeyPem(mustLeaf.key), cert: mustLeaf.pem, maxVersion: v }, (s) => s.end());
    const port = await listen(server);
    try {
      const r = await hushClient(port, { requestOCSP: true, maxVersion: v });
      assert.equal(r.hushCode, 'ERR_TLS_BAD_CERTIFICATE_STATUS_RESPONSE');
      assert.match(r.message ?? '', /must-staple/);
      const crl = issueCrl({
        provider, issuer: { certificate: ca.certificate, key: ca.key }, thisUpdate: now - DAY, nextUpdate: now + DAY,
        revoked: [{ serial: mustLeaf.certificate, date: now - DAY, reason: 'cessationOfOperation' }],
      });
      const c = await hushClient(port, { crls: crl.pem, maxVersion: v });
      assert.equal(c.outcome, 'CERT_REVOKED');
      assert.match(c.message ?? '', /cessationOfOperation \(CRL\)/);
    } finally {
      await shut(server);
    }
  });
}

test('connect(): a CRL that does not parse is a usage error at setup', () => {
  assert.throws(() => connect({ host: '127.0.0.1', port: 9, crls: '-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n' }), /crls: /);
});
