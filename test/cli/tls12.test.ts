// `hush get` and `hush serve` with TLS 1.2 (issue #5): --tls-max 1.2 on either side negotiates
// TLS 1.2 with a forward-secret ECDHE + AEAD suite, and --trace narrates the TLS 1.2 steps; RSA key
// transport happens only when both sides name it in --ciphers, and then both traces warn that the
// session has no forward secrecy.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { hush, jsonLines, startServe, tempDir, type Served } from './helpers.js';
import { testPki } from '../interop/peers.js';

const home = path.join(tempDir(), 'home');
const env = { HUSH_HOME: home };
const ca = path.join(home, 'ca.pem');
const servers: Served[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function serve(args: string[]): Promise<Served> {
  const s = await startServe(['--port', '0', ...args], { env });
  servers.push(s);
  return s;
}

/** Each regexp must match, in this order. */
function assertInOrder(text: string, order: readonly RegExp[]): void {
  let at = 0;
  for (const re of order) {
    const m = re.exec(text.slice(at));
    assert.ok(m, `missing (in order) ${re}\n${text}`);
    at += m.index + m[0].length;
  }
}

test('hush serve --tls-max 1.2 ↔ hush get: TLS 1.2 with ECDHE + AEAD, both traces narrate the TLS 1.2 steps', async () => {
  const s = await serve(['--tls-max', '1.2', '--trace']);
  const r = await hush(['get', '--trace', '--cacert', ca, `https://localhost:${s.port}/api/connection`]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(j.version, 'TLSv1.2');
  assert.equal(j.cipher, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  assert.equal(j.group, 'x25519');
  assertInOrder(r.stderr, [
    /Sent ClientHello: offering TLSv1\.3, TLSv1\.2/,
    /ServerHello: it chose TLSv1\.2 and the cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.*extended master secret/,
    /certificate chain: CN=localhost/,
    /ServerKeyExchange: a fresh x25519 public key .*signature checks out/,
    /Sent ClientKeyExchange .*forward secrecy/,
    /master secret .*Sent ChangeCipherSpec/,
    /The server sent ChangeCipherSpec/,
    /Finished matches/,
    /Secure connection established: TLSv1\.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, x25519/,
  ]);
  await s.waitFor(/Secure connection established: TLSv1\.2/);
  assertInOrder(s.stderr() + s.stdout(), [
    /Received ClientHello/,
    /Sent ServerHello: TLSv1\.2 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256/,
    /Sent ServerKeyExchange/,
    /Sent ServerHelloDone/,
    /client's Finished matches/,
    /Secure connection established: TLSv1\.2/,
  ]);
});

test('hush get --tls-max 1.2 against a default hush serve: TLS 1.2; --trace-json ends with the established event', async () => {
  const s = await serve([]);
  const r = await hush(['get', '--tls-max', '1.2', '--trace-json', '--cacert', ca, `https://localhost:${s.port}/api/connection`]);
  assert.equal(r.code, 0, r.stderr);
  const last = jsonLines(r.stderr).at(-1)!;
  assert.equal(last.event, 'established');
  assert.equal(last.version, 'TLSv1.2');
  assert.equal(last.cipher, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  // The server supports TLS 1.3 too, so its ServerHello.random ends with the downgrade sentinel;
  // a client capped at 1.2 accepts it (RFC 8446 §4.1.3).
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(j.version, 'TLSv1.2');

  const chacha = await hush(['get', '--tls-max', '1.2', '--ciphers', 'ECDHE-ECDSA-CHACHA20-POLY1305', '--trace-json', '--cacert', ca, `https://localhost:${s.port}/`]);
  assert.equal(chacha.code, 0, chacha.stderr);
  assert.equal(jsonLines(chacha.stderr).at(-1)!.cipher, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256');
});

test('RSA key transport only when both sides name it; both traces say there is no forward secrecy', async () => {
  const pki = testPki();
  const rsa = pki.server.rsa2048;
  const s = await serve(['--cert', rsa.cert, '--key', rsa.key, '--tls-max', '1.2', '--ciphers', 'TLS_RSA_WITH_AES_128_GCM_SHA256', '--trace']);
  const url = `https://localhost:${s.port}/api/connection`;

  // A default client does not offer RSA key transport: no suite in common.
  const refused = await hush(['get', '--cacert', pki.ca.cert, url]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /handshake_failure/);

  const r = await hush(['get', '--trace', '--ciphers', 'AES128-GCM-SHA256', '--cacert', pki.ca.cert, url]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(j.version, 'TLSv1.2');
  assert.equal(j.cipher, 'TLS_RSA_WITH_AES_128_GCM_SHA256');
  assert.match(r.stderr, /NO forward secrecy/);
  assert.match(r.stderr, /long-term key/);
  await s.waitFor(/Secure connection established: TLSv1\.2, TLS_RSA_WITH_AES_128_GCM_SHA256/);
  assert.match(s.stderr() + s.stdout(), /NO forward secrecy/);
});
