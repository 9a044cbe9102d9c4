// Revocation interop with OpenSSL on 127.0.0.1 (#15), TLS 1.3 and 1.2, both directions:
// - the real `openssl ocsp -index … -port … -rsigner … -CA …` responder (a delegated responder
//   with id-kp-OCSPSigning): `hush serve --ocsp-fetch` gets its staple from it; `openssl s_client
//   -status` against that server shows it; node's OpenSSL client receives it and `openssl ocsp
//   -respin` verifies it;
// - `openssl s_server -status_file FILE` against hush's client: a good staple verifies, a revoked
//   one fails the handshake with certificate_revoked;
// - CRLs: `hush verify --crl` agrees with `openssl verify -crl_check` case by case.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { once } from 'node:events';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { issueCrl, ocspAiaExtension } from '../../src/x509/index.js';
import { DAY, generateTestKey, privateKeyPem, testCa, testCert, type TestCert } from '../pki.js';
import { interopSkip, requirePeer, startProcess, tempDir, type Started } from './peers.js';
import { hush, run, startServe, type Served } from '../cli/helpers.js';

const skip = interopSkip();
const dir = tempDir('hush-revocation-');
const f = (name: string): string => path.join(dir, name);
const now = Date.now();

const ca = testCa('CN=Revocation Interop CA');
const responder = testCert(generateTestKey('p256'), ca, { subject: 'CN=OCSP Responder', extKeyUsage: ['OCSPSigning'] });
const GOOD = 0x1001n;
const REVOKED = 0x1002n;
let good: TestCert;
let revoked: TestCert;
let ocsp: Started | undefined;
let ocspUrl = '';
const servers: (Served | Started)[] = [];

/** openssl's index.txt time: YYMMDDHHMMSSZ. */
function indexTime(ms: number): string {
  return new Date(ms).toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d).*$/, '$1$2$3$4$5$6Z');
}

before(async () => {
  if (skip) return;
  requirePeer('openssl');
  writeFileSync(f('ca.pem'), ca.pem);
  writeFileSync(f('responder.pem'), responder.pem);
  writeFileSync(f('responder.key'), privateKeyPem(responder.key));
  const exp = indexTime(now + 30 * DAY);
  writeFileSync(
    f('index.txt'),
    `V\t${exp}\t\t${GOOD.toString(16).toUpperCase()}\tunknown\t/CN=localhost\n` +
      `R\t${exp}\t${indexTime(now - 2 * DAY)},keyCompromise\t${REVOKED.toString(16).toUpperCase()}\tunknown\t/CN=localhost\n`,
  );
  // Port 0: the responder prints the port it got ("ACCEPT [::]:PORT").
  ocsp = await startProcess(
    'openssl',
    ['ocsp', '-index', f('index.txt'), '-port', '0', '-rsigner', f('responder.pem'), '-rkey', f('responder.key'), '-CA', f('ca.pem'), '-nmin', '60', '-ignore_err'],
    { readyRegex: /ACCEPT .*:\d+/, timeoutMs: 10_000, lifetimeMs: 300_000 },
  );
  const port = Number(/ACCEPT .*:(\d+)/.exec(ocsp.stdout() + ocsp.stderr())![1]);
  ocspUrl = `http://127.0.0.1:${port}/`;
  const leafOpts = { subject: 'CN=localhost', dnsNames: ['localhost'], extensions: [ocspAiaExtension(ocspUrl)] };
  good = testCert(generateTestKey('p256'), ca, { ...leafOpts, serialNumber: GOOD });
  revoked = testCert(generateTestKey('p256'), ca, { ...leafOpts, serialNumber: REVOKED });
  for (const [name, c] of [['good', good], ['revoked', revoked]] as const) {
    writeFileSync(f(`${name}.pem`), c.pem);
    writeFileSync(f(`${name}-chain.pem`), c.pem + ca.pem);
    writeFileSync(f(`${name}.key`), privateKeyPem(c.key));
    // What a server operator does by hand: ask the responder, keep the DER response.
    const r = await run('openssl', ['ocsp', '-issuer', f('ca.pem'), '-cert', f(`${name}.pem`), '-url', ocspUrl, '-CAfile', f('ca.pem'), '-respout', f(`${name}.ocsp`)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, name === 'good' ? /: good/ : /: revoked/);
  }
});

after(async () => {
  for (const s of servers) await s.stop();
  await ocsp?.stop();
});

test('hush verify --help documents the revocation options and what is not checked', async () => {
  const h = await hush(['verify', '--help']);
  assert.equal(h.code, 0);
  for (const flag of ['--crl FILE', '--crl-check none|leaf|chain', '--ocsp FILE', '--ocsp-unknown reject|allow', '--must-staple']) assert.ok(h.stdout.includes(flag), flag);
  assert.match(h.stdout, /Not checked: delta CRLs and indirect CRLs/);
  const s = await hush(['serve', '--help']);
  for (const flag of ['--ocsp-staple FILE', '--ocsp-fetch']) assert.ok(s.stdout.includes(flag), flag);
});

test('hush verify checks the responses of the openssl ocsp responder (delegated responder)', { skip }, async () => {
  const ok = await hush(['verify', '--cafile', f('ca.pem'), '--host', 'localhost', '--ocsp', f('good.ocsp'), '--must-staple', f('good-chain.pem')]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const bad = await hush(['verify', '--cafile', f('ca.pem'), '--host', 'localhost', '--ocsp', f('revoked.ocsp'), f('revoked-chain.pem')]);
  assert.equal(bad.code, 1, bad.stdout);
  const json = JSON.parse(bad.stdout) as { error: { check: string; reason: string; revocationReason: string; alert: string } };
  assert.equal(json.error.check, 'revoked');
  assert.equal(json.error.revocationReason, 'keyCompromise');
  assert.equal(json.error.alert, 'certificate_revoked');
  // The good response is not valid for the revoked certificate (another CertID).
  const other = await hush(['verify', '--cafile', f('ca.pem'), '--host', 'localhost', '--ocsp', f('good.ocsp'), f('revoked-chain.pem')]);
  assert.equal(other.code, 1);
  assert.match(other.stdout, /another certificate/);
});

test('hush serve --ocsp-fetch staples the openssl responder\'s answer: openssl s_client -status and node:tls see it, openssl ocsp verifies it', { skip }, async () => {
  const s = await startServe(['--port', '0', '--cert', f('good-chain.pem'), '--key', f('good.key'), '--ocsp-fetch', '--alpn', 'http/1.1']);
  servers.push(s);
  assert.match(s.stderr(), /OCSP staple fetched from http:\/\/127\.0\.0\.1:\d+\/ \(good, this update/);
  for (const v of ['-tls1_3', '-tls1_2']) {
    const r = await run('openssl', ['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-status', v, '-CAfile', f('ca.pem'), '-verify_return_error'], { input: '' });
    assert.match(r.stdout, /OCSP Response Status: successful \(0x0\)/, `${v}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Cert Status: good/);
    assert.match(r.stdout, /Responder Id: CN = OCSP Responder/);
    assert.match(r.stdout, /Verify return code: 0 \(ok\)/);
  }
  for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    const got: Buffer[] = [];
    const c = tls.connect({ host: '127.0.0.1', port: s.port, servername: 'localhost', ca: ca.pem, requestOCSP: true, maxVersion } as tls.ConnectionOptions);
    c.on('OCSPResponse', (b: Buffer) => got.push(b));
    await once(c, 'secureConnect');
    c.destroy();
    assert.equal(got.length, 1, maxVersion);
    writeFileSync(f('stapled.ocsp'), got[0]!);
    const v = await run('openssl', ['ocsp', '-respin', f('stapled.ocsp'), '-issuer', f('ca.pem'), '-cert', f('good.pem'), '-CAfile', f('ca.pem')]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stderr + v.stdout, /Response verify OK/);
    assert.match(v.stdout, /good\.pem: good/);
  }
  // hush's own client (asks by default) accepts the staple too.
  const g = await hush(['get', '--cacert', f('ca.pem'), '--resolve', `localhost:${s.port}:127.0.0.1`, `https://localhost:${s.port}/api/connection`]);
  assert.equal(g.code, 0, g.stderr);
});

test('hush serve --ocsp-staple FILE: stapled, and re-read when the file changes', { skip }, async () => {
  writeFileSync(f('serve.ocsp'), await readBytes(f('good.ocsp')));
  const s = await startServe(['--port', '0', '--cert', f('good-chain.pem'), '--key', f('good.key'), '--ocsp-staple', f('serve.ocsp')]);
  servers.push(s);
  const first = await stapleOf(s.port);
  assert.deepEqual(first, await readBytes(f('good.ocsp')));
  // A fresh response from the responder (new thisUpdate) replaces the file. thisUpdate has
  // one-second resolution: a response made in the same second as good.ocsp is the same bytes, so
  // ask again (at most 5 times, a second apart) until it differs.
  let fresh = await readBytes(f('good.ocsp'));
  for (let i = 0; i < 5 && Buffer.compare(fresh, await readBytes(f('good.ocsp'))) === 0; i++) {
    if (i > 0) await new Promise((res) => setTimeout(res, 1100));
    const r = await run('openssl', ['ocsp', '-issuer', f('ca.pem'), '-cert', f('good.pem'), '-url', ocspUrl, '-CAfile', f('ca.pem'), '-respout', f('fresh.ocsp')]);
    assert.equal(r.code, 0, r.stderr);
    fresh = await readBytes(f('fresh.ocsp'));
  }
  assert.notDeepEqual(fresh, await readBytes(f('good.ocsp')), 'the responder kept answering the same bytes');
  writeFileSync(f('serve.ocsp'), fresh);
  // The file is looked at when a client asks (at most once a second): ask until the new one shows.
  let latest = await stapleOf(s.port);
  for (let i = 0; i < 120 && Buffer.compare(latest, fresh) !== 0; i++) {
    await new Promise((res) => setTimeout(res, 250));
    latest = await stapleOf(s.port);
  }
  assert.deepEqual(latest, fresh);
  // The log line travels through a pipe: wait for it (bounded).
  for (let i = 0; i < 40 && !/OCSP staple reloaded from/.test(s.stderr()); i++) await new Promise((res) => setTimeout(res, 250));
  assert.match(s.stderr(), /OCSP staple reloaded from .*serve\.ocsp \(good, this update/);
});

async function readBytes(p: string): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  return readFile(p);
}

async function stapleOf(port: number): Promise<Buffer> {
  const got: Buffer[] = [];
  const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.pem, requestOCSP: true } as tls.ConnectionOptions);
  c.on('OCSPResponse', (b: Buffer) => got.push(b));
  await once(c, 'secureConnect');
  c.destroy();
  return got[0] ?? Buffer.alloc(0);
}

async function sServer(cert: string, status: string, version: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const p = await startProcess(
    'openssl',
    ['s_server', version, '-accept', '127.0.0.1:0', '-cert', f(`${cert}.pem`), '-key', f(`${cert}.key`), '-cert_chain', f('ca.pem'), '-status_file', f(status), '-www', '-naccept', '10'],
    { readyRegex: /^ACCEPT 127\.0\.0\.1:\d+$/m, timeoutMs: 10_000 },
  );
  servers.push(p);
  return { port: Number(/^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(p.stdout())![1]), stop: () => p.stop() };
}

async function hushClient(port: number, maxVersion: 'TLSv1.3' | 'TLSv1.2'): Promise<{ outcome: string; message?: string; ocsp: Buffer[] }> {
  const ocspSeen: Buffer[] = [];
  const s: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.pem, requestOCSP: true, maxVersion });
  s.on('OCSPResponse', (b: Buffer) => ocspSeen.push(b));
  const r = await new Promise<{ outcome: string; message?: string }>((resolve) => {
    s.once('secureConnect', () => resolve({ outcome: 'secure' }));
    // outcome: hush's own code (err.hush, #16), which says more than node's; message: hush's explanation.
    s.once('error', (e: Error & { code?: string; hush?: { code?: string; message?: string } }) =>
      resolve({ outcome: e.hush?.code ?? e.code ?? 'error', message: e.hush?.message ?? e.message }));
  });
  s.destroy();
  return { ...r, ocsp: ocspSeen };
}

for (const [version, maxVersion] of [['-tls1_3', 'TLSv1.3'], ['-tls1_2', 'TLSv1.2']] as const) {
  test(`openssl s_server -status_file ${version} → hush client: good staple verified, revoked staple fails`, { skip }, async () => {
    const g = await sServer('good', 'good.ocsp', version);
    const ok = await hushClient(g.port, maxVersion);
    assert.equal(ok.outcome, 'secure', ok.message);
    assert.equal(ok.ocsp.length, 1);
    assert.deepEqual(ok.ocsp[0], await readBytes(f('good.ocsp')));
    await g.stop();
    const r = await sServer('revoked', 'revoked.ocsp', version);
    const bad = await hushClient(r.port, maxVersion);
    assert.equal(bad.outcome, 'ERR_TLS_CERTIFICATE_REVOKED', bad.message);
    assert.match(bad.message ?? '', /revoked on .*, reason keyCompromise \(OCSP\)/);
    // hush get asks for the staple by default: one line on stderr, exit 1.
    const cli = await hush(['get', '--cacert', f('ca.pem'), '--resolve', `localhost:${r.port}:127.0.0.1`, `https://localhost:${r.port}/`]);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /revoked on .*reason keyCompromise/);
    await r.stop();
    // A staple for another certificate (the good one's, on the revoked certificate) fails too.
    const m = await sServer('revoked', 'good.ocsp', version);
    const mismatch = await hushClient(m.port, maxVersion);
    assert.equal(mismatch.outcome, 'ERR_TLS_BAD_CERTIFICATE_STATUS_RESPONSE', mismatch.message);
    await m.stop();
  });
}

test('CRLs: hush verify --crl --crl-check leaf agrees with openssl verify -crl_check', { skip }, async () => {
  const other = testCa('CN=Revocation Interop CA'); // same name, another key
  const crl = (o: Partial<Parameters<typeof issueCrl>[0]> = {}, signer: TestCert = ca) =>
    issueCrl({ provider, issuer: { certificate: signer.certificate, key: signer.key }, thisUpdate: now - DAY, nextUpdate: now + 6 * DAY, ...o }).pem;
  const cases: { name: string; leaf: string; crl: string | undefined }[] = [
    { name: 'not revoked', leaf: 'good', crl: crl({ revoked: [{ serial: REVOKED, date: now - DAY, reason: 'keyCompromise' }] }) },
    { name: 'revoked', leaf: 'revoked', crl: crl({ revoked: [{ serial: REVOKED, date: now - DAY, reason: 'keyCompromise' }] }) },
    { name: 'revoked, no reason', leaf: 'revoked', crl: crl({ revoked: [{ serial: REVOKED, date: now - DAY }] }) },
    { name: 'expired CRL', leaf: 'good', crl: crl({ thisUpdate: now - 10 * DAY, nextUpdate: now - 2 * DAY }) },
    { name: 'CRL not yet valid', leaf: 'good', crl: crl({ thisUpdate: now + 2 * DAY, nextUpdate: now + 9 * DAY }) },
    { name: 'CRL signed by the wrong key', leaf: 'good', crl: crl({ authorityKeyIdentifier: false }, other) },
    { name: 'no CRL for the leaf', leaf: 'good', crl: undefined },
    { name: 'CRL of a user-certs-only scope', leaf: 'revoked', crl: crl({ scope: { onlyContainsUserCerts: true }, revoked: [{ serial: REVOKED, date: now - DAY }] }) },
  ];
  let agreed = 0;
  for (const c of cases) {
    const crlFile = f(`case-${agreed}.crl`);
    if (c.crl) writeFileSync(crlFile, c.crl);
    const o = await run('openssl', ['verify', '-crl_check', '-CAfile', f('ca.pem'), ...(c.crl ? ['-CRLfile', crlFile] : []), f(`${c.leaf}.pem`)]);
    const h = await hush(['verify', '--cafile', f('ca.pem'), '--host', 'localhost', '--crl-check', 'leaf', ...(c.crl ? ['--crl', crlFile] : []), f(`${c.leaf}.pem`)]);
    assert.equal(h.code === 0, o.code === 0, `${c.name}: openssl ${o.code} (${o.stdout.trim()} ${o.stderr.trim()}), hush ${h.code} ${h.stdout}`);
    if (c.name.startsWith('revoked')) assert.match(h.stdout, /"check": "revoked"/);
    agreed++;
  }
  assert.equal(agreed, cases.length);
});
