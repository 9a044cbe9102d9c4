// hush serve's OCSP staple sources (#15) against an in-process HTTP responder built with hush's
// builder: --ocsp-fetch asks by POST, refreshes before nextUpdate, retries after failures and
// never hands out a response that does not check out; --ocsp-staple keeps the old staple when the
// file is replaced by a bad one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { issueOcspResponse, ocspAiaExtension, ocspErrorResponse, parseOcspRequest } from '../../src/x509/index.js';
import { fetchedStaple, fileStaple } from '../../src/cli/serve/ocsp-staple.js';
import { DAY, generateTestKey, testCa, testCert } from '../pki.js';
import { tempDir } from './helpers.js';

const ca = testCa('CN=Fetch CA');

async function until(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('--ocsp-fetch: POSTs a request for the certificate, staples the answer, refreshes it before nextUpdate', async () => {
  const requests: { method: string; serial: string }[] = [];
  let mode: 'good' | 'error' | 'foreign' = 'good';
  let leafSerial = '';
  const server = createServer((req: IncomingMessage, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const ids = parseOcspRequest(new Uint8Array(Buffer.concat(parts)));
      requests.push({ method: req.method ?? '', serial: ids[0]!.serialHex });
      const now = Date.now();
      const body =
        mode === 'error'
          ? ocspErrorResponse(3)
          : issueOcspResponse({
              provider, certificate: leaf.certificate, issuer: ca.certificate, signer: { certificate: ca.certificate, key: ca.key },
              status: { status: 'good' }, thisUpdate: now - 1000, nextUpdate: now + 1500,
              ...(mode === 'foreign' ? { serial: 77n } : {}),
            }).der;
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      res.end(Buffer.from(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const leaf = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', dnsNames: ['localhost'], extensions: [ocspAiaExtension(`http://127.0.0.1:${port}/`)] });
  leafSerial = leaf.certificate.serialHex;
  const lines: string[] = [];
  const src = fetchedStaple(leaf.certificate, ca.certificate, (l) => lines.push(l), { minRefreshMs: 100, retryMs: [100] });
  try {
    await src.ready;
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0], { method: 'POST', serial: leafSerial });
    const first = src.get();
    assert.ok(first, lines.join('\n'));
    assert.match(lines[0]!, /OCSP staple fetched from http:\/\/127\.0\.0\.1:\d+\/ \(good, this update .* next update .*\); next fetch in/);
    // Refreshed halfway to nextUpdate (~0.75 s here): a new response replaces the first.
    await until(() => requests.length >= 2, 'a refresh');
    await until(() => src.get() !== undefined && src.get() !== first, 'the refreshed staple');
    // The responder fails: the staple is kept while current, then dropped (never sent stale).
    mode = 'error';
    await until(() => lines.some((l) => /failed \(its response cannot be stapled: the responder answered tryLater\); retrying/.test(l)), 'a failed fetch');
    await until(() => src.get() === undefined, 'the stale staple to be dropped');
    // A response about another certificate is never stapled.
    mode = 'foreign';
    await until(() => lines.some((l) => /about another certificate/.test(l)), 'a foreign response');
    assert.equal(src.get(), undefined);
    mode = 'good';
    await until(() => src.get() !== undefined, 'recovery');
  } finally {
    src.stop();
    server.close();
  }
});

test('--ocsp-fetch refuses a certificate without an OCSP responder URL', () => {
  const leaf = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', dnsNames: ['localhost'] });
  assert.throws(() => fetchedStaple(leaf.certificate, ca.certificate, () => {}), /names no OCSP responder/);
});

test('--ocsp-staple FILE: must be valid at start; a bad replacement keeps the previous staple', async () => {
  const dir = tempDir();
  const leaf = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', dnsNames: ['localhost'] });
  const file = path.join(dir, 'staple.der');
  const resp = (o: { nextUpdate?: number; serial?: bigint } = {}) =>
    issueOcspResponse({
      provider, certificate: leaf.certificate, issuer: ca.certificate, signer: { certificate: ca.certificate, key: ca.key },
      status: { status: 'good' }, thisUpdate: Date.now() - 60_000, nextUpdate: o.nextUpdate ?? Date.now() + DAY, ...(o.serial ? { serial: o.serial } : {}),
    }).der;
  writeFileSync(file, resp({ serial: 5n }));
  assert.throws(() => fileStaple(file, leaf.certificate, ca.certificate, () => {}), /cannot be stapled: it is about another certificate/);
  const good = resp();
  writeFileSync(file, good);
  const lines: string[] = [];
  const src = fileStaple(file, leaf.certificate, ca.certificate, (l) => lines.push(l));
  assert.deepEqual(src.get(), good);
  writeFileSync(file, resp({ nextUpdate: Date.now() - 3600_000 }));
  await until(() => (src.get(), lines.length >= 2), 'the reload attempt', 5000);
  assert.match(lines[1]!, /changed but cannot be used \(it is stale/);
  assert.deepEqual(src.get(), good);
});
