// hush serve's OCSP staple sources (#15) against an in-process HTTP responder built with hush's
// builder: --ocsp-fetch asks by POST, refreshes before nextUpdate, retries after failures and
// never hands out a response that does not check out; --ocsp-staple keeps the old staple when the
// file is replaced by a bad one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { issueOcspResponse, ocspAiaExtension, ocspErrorResponse, parseOcspRequest } from '../../src/x509/index.js';
import { fetchedStaple, fetchedStaples, fileStaple } from '../../src/cli/serve/ocsp-staple.js';
import { checkOcspResponse, parseOcspResponse } from '../../src/x509/ocsp.js';
import type { Certificate } from '../../src/x509/certificate.js';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { DAY, generateTestKey, privateKeyPem, testCa, testCert, type TestCert } from '../pki.js';
import { startServe, tempDir } from './helpers.js';

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

/**
 * An OCSP responder on 127.0.0.1 for the certificates of one CA: it answers "good" for `validMs`
 * (signed by the CA itself), records the serial of every request, and holds the requests while
 * `hang` is set (to test stopping a fetch in flight).
 */
async function responder(ca: TestCert, validMs: number) {
  const certs = new Map<string, Certificate>();
  const serials: string[] = [];
  const closedUnanswered: string[] = [];
  const r = { hang: false };
  const server = createServer((req: IncomingMessage, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const serial = parseOcspRequest(new Uint8Array(Buffer.concat(parts)))[0]!.serialHex;
      serials.push(serial);
      if (r.hang) {
        res.on('close', () => closedUnanswered.push(serial));
        return;
      }
      const cert = certs.get(serial);
      const now = Date.now();
      const body = cert
        ? issueOcspResponse({ provider, certificate: cert, issuer: ca.certificate, signer: { certificate: ca.certificate, key: ca.key }, status: { status: 'good' }, thisUpdate: now - 1000, nextUpdate: now + validMs }).der
        : ocspErrorResponse(6);
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      res.end(Buffer.from(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return Object.assign(r, {
    url,
    serials,
    closedUnanswered,
    /** A leaf of this CA for `dnsName`, whose AIA names this responder. */
    leaf(dnsName: string): TestCert {
      const leaf = testCert(generateTestKey('p256'), ca, { subject: `CN=${dnsName}`, dnsNames: [dnsName], extensions: [ocspAiaExtension(url)] });
      certs.set(leaf.certificate.serialHex, leaf.certificate);
      return leaf;
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
}

/** The serial a stapled response is about, after checking it against the leaf and its issuer. */
function stapledSerial(der: Uint8Array, leaf: Certificate, issuer: Certificate): string {
  const r = checkOcspResponse({ response: der, cert: leaf, issuer, at: Date.now(), provider });
  assert.ok(r.ok, r.ok ? '' : r.why);
  return parseOcspResponse(der).basic!.responses[0]!.certId.serialHex;
}

test('--ocsp-fetch keeps a staple for every certificate: each from its own responder, each refreshed on its own schedule', async () => {
  const caA = testCa('CN=Fetch CA A');
  const caB = testCa('CN=Fetch CA B', { key: generateTestKey('p384') });
  // A's responses are good for 1.5 s (refreshed every ~0.75 s), B's for a day (fetched once).
  const ra = await responder(caA, 1500);
  const rb = await responder(caB, DAY);
  const a = ra.leaf('a.test');
  const b = rb.leaf('b.test');
  const lines: string[] = [];
  const set = fetchedStaples(
    [
      { label: 'A', leaf: a.certificate, issuer: caA.certificate },
      { label: 'B', leaf: b.certificate, issuer: caB.certificate },
    ],
    (l) => lines.push(l),
    { minRefreshMs: 100, retryMs: [100] },
  );
  try {
    await set.ready;
    const sa = set.get(a.certificate.raw);
    const sb = set.get(b.certificate.raw);
    assert.ok(sa && sb, lines.join('\n'));
    assert.equal(stapledSerial(sa, a.certificate, caA.certificate), a.certificate.serialHex);
    assert.equal(stapledSerial(sb, b.certificate, caB.certificate), b.certificate.serialHex);
    assert.equal(set.get(caA.certificate.raw), undefined, 'no staple for a certificate that was not configured');
    // Each responder is asked about its own certificate only.
    assert.deepEqual(ra.serials, [a.certificate.serialHex]);
    assert.deepEqual(rb.serials, [b.certificate.serialHex]);
    assert.ok(lines.some((l) => l.startsWith(`A: OCSP staple fetched from ${ra.url}`)), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`B: OCSP staple fetched from ${rb.url}`)), lines.join('\n'));
    // A is refreshed (halfway to its nextUpdate), B is not due for half a day.
    await until(() => ra.serials.length >= 3, "A's refreshes");
    assert.notDeepEqual(set.get(a.certificate.raw), sa);
    assert.deepEqual(rb.serials, [b.certificate.serialHex]);
    assert.deepEqual(set.get(b.certificate.raw), sb);
    // A's responder fails: A's staple is dropped once stale, B's is untouched.
    ra.close();
    await until(() => set.get(a.certificate.raw) === undefined, "A's stale staple to be dropped");
    assert.deepEqual(set.get(b.certificate.raw), sb);
  } finally {
    set.stop();
    ra.close();
    rb.close();
  }
});

test('--ocsp-fetch: stop() aborts the fetches in flight and schedules no more', async () => {
  const caA = testCa('CN=Stop CA A');
  const caB = testCa('CN=Stop CA B');
  const ra = await responder(caA, 1000);
  const rb = await responder(caB, 1000);
  const a = ra.leaf('a.test');
  const b = rb.leaf('b.test');
  ra.hang = true;
  rb.hang = true;
  const lines: string[] = [];
  const set = fetchedStaples(
    [
      { label: 'A', leaf: a.certificate, issuer: caA.certificate },
      { label: 'B', leaf: b.certificate, issuer: caB.certificate },
    ],
    (l) => lines.push(l),
    { minRefreshMs: 50, retryMs: [50] },
  );
  try {
    await until(() => ra.serials.length === 1 && rb.serials.length === 1, 'both requests');
    set.stop();
    // Both requests are cut (not left to the 10 s timeout), and the first attempts settle quietly.
    await until(() => ra.closedUnanswered.length === 1 && rb.closedUnanswered.length === 1, 'the requests to be aborted');
    await set.ready;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ra.serials.length + rb.serials.length, 2, 'no fetch after stop()');
    assert.deepEqual(lines, [], 'stopping is not a failure to log');
  } finally {
    set.stop();
    ra.close();
    rb.close();
  }
});

test('--ocsp-fetch names the --cert without a responder', () => {
  const caA = testCa('CN=Names CA');
  const withUrl = testCert(generateTestKey('p256'), caA, { subject: 'CN=a.test', dnsNames: ['a.test'], extensions: [ocspAiaExtension('http://127.0.0.1:9/')] });
  const without = testCert(generateTestKey('p256'), caA, { subject: 'CN=b.test', dnsNames: ['b.test'] });
  assert.throws(
    () =>
      fetchedStaples(
        [
          { label: '--cert a.pem', leaf: withUrl.certificate, issuer: caA.certificate },
          { label: '--cert b.pem', leaf: without.certificate, issuer: caA.certificate },
        ],
        () => {},
      ),
    /^Error: --cert b\.pem: --ocsp-fetch: the certificate names no OCSP responder/,
  );
});

const served: { stop(): Promise<unknown> }[] = [];
after(async () => {
  await Promise.all(served.map((s) => s.stop()));
});

test('hush serve --ocsp-fetch with two --cert from two CAs staples each certificate its own response', async () => {
  const caA = testCa('CN=Serve CA A');
  const caB = testCa('CN=Serve CA B');
  const ra = await responder(caA, DAY);
  const rb = await responder(caB, DAY);
  try {
    const a = ra.leaf('a.test');
    const b = rb.leaf('b.test');
    const dir = tempDir();
    const files: string[] = [];
    for (const [name, leaf, ca] of [['a', a, caA], ['b', b, caB]] as const) {
      writeFileSync(path.join(dir, `${name}.pem`), leaf.pem + ca.pem);
      writeFileSync(path.join(dir, `${name}.key`), privateKeyPem(leaf.key));
      files.push('--cert', path.join(dir, `${name}.pem`), '--key', path.join(dir, `${name}.key`));
    }
    const s = await startServe(['--port', '0', ...files, '--ocsp-fetch', '--alpn', 'http/1.1']);
    served.push(s);
    assert.match(s.stderr(), /hush serve: --cert .*a\.pem: OCSP staple fetched from http:\/\/127\.0\.0\.1:\d+\/ \(good/);
    assert.match(s.stderr(), /hush serve: --cert .*b\.pem: OCSP staple fetched from http:\/\/127\.0\.0\.1:\d+\/ \(good/);
    for (const [name, leaf, ca] of [['a.test', a, caA], ['b.test', b, caB]] as const) {
      for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
        const got: Buffer[] = [];
        const c = tlsConnect({ host: '127.0.0.1', port: s.port, servername: name, ca: ca.pem, requestOCSP: true, maxVersion } as ConnectionOptions);
        c.on('OCSPResponse', (r: Buffer) => got.push(r));
        await once(c, 'secureConnect');
        c.destroy();
        assert.equal(got.length, 1, `${name} ${maxVersion}`);
        assert.equal(stapledSerial(new Uint8Array(got[0]!), leaf.certificate, ca.certificate), leaf.certificate.serialHex, `${name} ${maxVersion}`);
      }
    }
    // Stopping the server stops the fetches: it exits cleanly.
    assert.equal(await s.stop(), 0);
  } finally {
    ra.close();
    rb.close();
  }
});
