// `hush get` end to end, against `hush serve` (child process, local CA in a temp HUSH_HOME) and
// against `openssl s_server -www` (TLS 1.3): output options, --trace and --trace-json, failures with
// their exit codes and one-line reasons, key logging checked against OpenSSL's own key log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { closedPort, hush, interopSkip, jsonLines, requireProgram, startServe, tempDir, type Served } from './helpers.js';

const SUITES13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
/** What `hush get` offers by default: the TLS 1.3 suites, then TLS 1.2 ECDHE + AEAD only (no RSA key transport, no CBC). */
const SUITES = [
  ...SUITES13,
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];
const CONTRACT = ['event', 'version', 'cipher', 'group', 'signature', 'alpn', 'resumed', 'peer'];

const home = path.join(tempDir(), 'home');
const env = { HUSH_HOME: home };
const ca = path.join(home, 'ca.pem');
let server: Served;
let base: string;

before(async () => {
  server = await startServe(['--port', '0'], { env });
  base = `https://localhost:${server.port}`;
});
after(async () => {
  await server?.stop();
});

/** The established/failed contract of the last trace-json line. */
function lastEvent(stderr: string): Record<string, unknown> {
  const lines = jsonLines(stderr);
  assert.ok(lines.length > 0, `no JSON lines on stderr:\n${stderr}`);
  return lines.at(-1)!;
}

test('prints the body; -i adds status line and headers; -o writes a file', async () => {
  const r = await hush(['get', '--cacert', ca, `${base}/api/connection`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(j.version, 'TLSv1.3');
  assert.equal(j.sni, 'localhost');
  assert.equal(j.alpn, 'http/1.1');
  assert.deepEqual((j.offered as { cipherSuites: string[] }).cipherSuites, SUITES);

  const i = await hush(['get', '-i', '--cacert', ca, `${base}/api/connection`]);
  assert.equal(i.code, 0);
  const [head, body] = i.stdout.split('\r\n\r\n');
  const lines = head!.split('\r\n');
  assert.equal(lines[0], 'HTTP/1.1 200 OK');
  assert.ok(lines.includes('content-type: application/json'), head);
  assert.ok(!lines.some((l) => /^strict-transport-security:/.test(l)), head); // hush serve sends HSTS only with --hsts
  assert.ok(lines.includes(`content-length: ${Buffer.byteLength(body!)}`), head);
  assert.equal((JSON.parse(body!) as { version: string }).version, 'TLSv1.3');

  const out = path.join(tempDir(), 'page.html');
  const o = await hush(['get', '-o', out, '--cacert', ca, `${base}/`]);
  assert.equal(o.code, 0, o.stderr);
  assert.equal(o.stdout, '');
  assert.match(readFileSync(out, 'utf8'), /^<!doctype html>[\s\S]*TLSv1\.3[\s\S]*<\/html>\n$/);
});

test('-X, -H and -d: POST /echo returns the body and the content type; an HTTP error status exits 3', async () => {
  const r = await hush(['get', '-i', '-X', 'POST', '-H', 'Content-Type: text/x-hush', '-d', 'hello, hush', '--cacert', ca, `${base}/echo`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(r.stdout, /\r\ncontent-type: text\/x-hush\r\n/);
  assert.ok(r.stdout.endsWith('\r\n\r\nhello, hush'));
  await server.waitFor(/^127\.0\.0\.1 POST \/echo 200 11B /m, 5000);
  // -d alone means POST; -X overrides the method (PUT /echo is not a route: 404 → exit 3).
  const d = await hush(['get', '-d', 'x', '--cacert', ca, `${base}/echo`]);
  assert.equal(d.stdout, 'x');
  const put = await hush(['get', '-X', 'PUT', '-d', 'x', '--cacert', ca, `${base}/echo`]);
  assert.equal(put.code, 3);
  assert.match(put.stdout, /^not found/);
  assert.equal(put.stderr, 'hush get: the server answered HTTP 404 Not Found\n');
  await server.waitFor(/^127\.0\.0\.1 PUT \/echo 404 /m, 5000);
});

test('--trace narrates the handshake in numbered plain-words steps', async () => {
  const r = await hush(['get', '--trace', '--cacert', ca, `${base}/api/connection`]);
  assert.equal(r.code, 0, r.stderr);
  const steps = r.stderr.trimEnd().split('\n');
  steps.forEach((line, i) => assert.match(line, new RegExp(`^ ?${i + 1}\\. \\S`), `step ${i + 1}: ${line}`));
  const text = r.stderr;
  const order = [
    /Connecting to localhost:\d+/,
    /Sent ClientHello: offering TLSv1\.3, TLSv1\.2 with cipher suites TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256/,
    // By default hush get and hush serve agree on the post-quantum hybrid, and the narration says what it protects against.
    /ServerHello: it chose TLSv1\.3, the cipher suite TLS_AES_128_GCM_SHA256 and the key exchange X25519MLKEM768\. X25519MLKEM768 is a post-quantum hybrid: .*ML-KEM-768.* traffic recorded today cannot be decrypted later by a quantum computer/,
    /certificate chain: CN=localhost ← CN=hush local CA .*It is trusted because each certificate is signed by the next/,
    /signed the handshake .*ecdsa_secp256r1_sha256.*signature checks out/,
    /Finished message matches/,
    /Sending the GET request for \/api\/connection/,
    /Received and decrypted the response: HTTP 200/,
  ];
  let at = 0;
  for (const re of order) {
    const m = re.exec(text.slice(at));
    assert.ok(m, `missing (in order) ${re}\n${text}`);
    at += m.index + m[0].length;
  }
  assert.match(text, /within its validity dates/);
  assert.match(text, /names 'localhost'/);
  assert.match(text, /ECDHE/);
  assert.match(text, /Secure connection established: TLSv1\.3, TLS_AES_128_GCM_SHA256, X25519MLKEM768/);
});

test('--trace-json: the last line is the established event with the contract fields', async () => {
  const r = await hush(['get', '--trace-json', '--cacert', ca, `${base}/api/connection`]);
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stderr);
  assert.equal(events.length, r.stderr.trimEnd().split('\n').length, 'every stderr line is JSON');
  assert.equal(events[0]!.event, 'connect');
  assert.equal(events.filter((e) => e.event === 'established').length, 1);
  assert.deepEqual(
    events.map((e) => e.event).filter((e) => ['client_hello', 'server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished'].includes(e as string)),
    ['client_hello', 'server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished'],
  );
  const last = lastEvent(r.stderr);
  // The contract fields, plus at most the human-readable message.
  for (const k of CONTRACT) assert.ok(k in last, `missing ${k}`);
  assert.deepEqual(Object.keys(last).filter((k) => !CONTRACT.includes(k)), ['message']);
  const { message: _m, ...contract } = last;
  const caSubject = (last.peer as string[])[1]!;
  assert.match(caSubject, /^CN=hush local CA \(.*\), O=hush local development CA$/);
  assert.deepEqual(contract, {
    event: 'established',
    version: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    group: 'X25519MLKEM768',
    signature: 'ecdsa_secp256r1_sha256',
    alpn: 'http/1.1',
    resumed: false,
    peer: ['CN=localhost', caSubject],
  });
  // It agrees with what the server saw.
  const seen = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual([seen.version, seen.cipher, seen.group, seen.signature, seen.alpn], [contract.version, contract.cipher, contract.group, contract.signature, contract.alpn]);
});

test('an untrusted server: exit 1, a one-line reason with a hint, trace-json ends with failed/unknown_ca; -k succeeds', async () => {
  const url = `${base}/api/connection`;
  const r = await hush(['get', url]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^hush get: TLS failed \(unknown_ca\): .*not in the trust store — pass the CA .* with --cacert FILE \(or -k/);

  const j = await hush(['get', '--trace-json', url]);
  assert.equal(j.code, 1);
  const last = lastEvent(j.stderr);
  assert.equal(last.event, 'failed');
  assert.equal(last.alert, 'unknown_ca');
  assert.match(last.reason as string, /trust/);
  assert.equal(jsonLines(j.stderr).filter((e) => e.event === 'established').length, 0);
  const cert = jsonLines(j.stderr).find((e) => e.event === 'certificate')!;
  assert.equal(cert.trusted, false);
  // After the JSON lines, the same one-line reason as without --trace-json.
  assert.match(j.stderr.trimEnd().split('\n').at(-1)!, /^hush get: TLS failed \(unknown_ca\)/);

  const k = await hush(['get', '-k', '--trace-json', url]);
  assert.equal(k.code, 0, k.stderr);
  assert.equal((JSON.parse(k.stdout) as { version: string }).version, 'TLSv1.3');
  assert.equal(lastEvent(k.stderr).event, 'established');
  // A CA file that did not issue the certificate is no better than none.
  const other = path.join(tempDir(), 'other-home');
  await hush(['ca'], { env: { HUSH_HOME: other } });
  const wrong = await hush(['get', '--cacert', path.join(other, 'ca.pem'), url]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /unknown_ca/);
});

test(
  'hush serve hears why hush get gave up: the unknown_ca alert, encrypted under the client handshake key',
  async () => {
    const before = server.stderr().length;
    const r = await hush(['get', `${base}/`]);
    assert.equal(r.code, 1);
    const deadline = Date.now() + 3000;
    const failed = /^127\.0\.0\.1:\d+ rejected our certificate: .*$/m;
    while (!failed.test(server.stderr().slice(before)) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
    assert.match(server.stderr().slice(before), /^127\.0\.0\.1:\d+ rejected our certificate: unknown_ca — it does not trust the hush CA/m);
  },
);

test('--servername, IP URLs and --alpn', async () => {
  // An IP literal sends no SNI and is checked against the certificate's IP address.
  const ip = await hush(['get', '--cacert', ca, `https://127.0.0.1:${server.port}/api/connection`]);
  assert.equal(ip.code, 0, ip.stderr);
  assert.equal((JSON.parse(ip.stdout) as { sni: unknown }).sni, null);
  const sn = await hush(['get', '--servername', 'localhost', '--cacert', ca, `https://127.0.0.1:${server.port}/api/connection`]);
  assert.equal(sn.code, 0, sn.stderr);
  assert.equal((JSON.parse(sn.stdout) as { sni: unknown }).sni, 'localhost');
  // A name the certificate does not cover.
  const bad = await hush(['get', '--servername', 'example.org', '--cacert', ca, `https://127.0.0.1:${server.port}/`]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^hush get: TLS failed \(\w+\): .*example\.org/);
  // The server speaks h2 and http/1.1, nothing else.
  const alpn = await hush(['get', '--alpn', 'spdy/3.1', '--cacert', ca, `${base}/`]);
  assert.equal(alpn.code, 1);
  assert.match(alpn.stderr, /no_application_protocol.*--alpn/);
});

test('connection refused, timeout and bad usage', async () => {
  const port = await closedPort();
  const refused = await hush(['get', `https://127.0.0.1:${port}/`]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `hush get: nothing is listening on 127.0.0.1:${port} (connection refused): is the server running, and is the port right?\n`);

  // A TCP server that accepts and never answers.
  const silent = net.createServer(() => {});
  const sockets = new Set<net.Socket>();
  silent.on('connection', (s) => sockets.add(s));
  await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
  try {
    const t0 = Date.now();
    const slow = await hush(['get', '--timeout', '1', `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}/`], { timeoutMs: 10_000 });
    assert.equal(slow.code, 1);
    assert.ok(Date.now() - t0 < 6000);
    assert.match(slow.stderr, /^hush get: .*(in time|within 1 s).*--timeout/);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }

  for (const args of [[], ['a', 'b'], ['not a url'], ['http://localhost/'], ['--bogus', `${base}/`], ['--tls-min', '1.1', `${base}/`], ['-H', 'no-colon', `${base}/`], ['--resolve', 'x', `${base}/`], ['--cacert']]) {
    const r = await hush(['get', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^hush get: /, args.join(' '));
    assert.equal(r.stdout, '');
  }
  const help = await hush(['get', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: hush get/);
  assert.equal((await hush(['frobnicate'])).code, 2);
});

// ---------------------------------------------------------------------------------------------
// Against openssl s_server -www

interface Openssl {
  readonly port: number;
  readonly keylog: string;
  readonly child: ChildProcess;
}

async function startOpensslWww(): Promise<Openssl> {
  const bin = requireProgram('openssl');
  const keylog = path.join(tempDir(), 'openssl-keys.txt');
  const child = spawn(
    bin,
    ['s_server', '-tls1_3', '-accept', '127.0.0.1:0', '-cert', path.join(home, 'localhost.pem'), '-key', path.join(home, 'localhost-key.pem'), '-www', '-naccept', '100', '-keylogfile', keylog],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not print ACCEPT within 10 s: ${out}`)), 10_000);
    const check = (s: string): void => {
      out += s;
      const m = /^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.setEncoding('utf8').on('data', check);
    child.stderr!.setEncoding('utf8').on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited (${code}): ${out}`));
    });
  });
  return { port, keylog, child };
}

const KEYLOG_LABELS = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET'];

function keylogLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

test('against openssl s_server -www: body, --groups/--ciphers in the established line, --keylog equals OpenSSL\'s key log, SSLKEYLOGFILE', { skip: interopSkip() }, async (t) => {
  const ossl = await startOpensslWww();
  t.after(() => {
    if (ossl.child.exitCode === null && ossl.child.pid !== undefined) process.kill(ossl.child.pid, 'SIGKILL');
  });
  const url = `https://localhost:${ossl.port}/`;

  const plain = await hush(['get', '-i', '--trace-json', '--cacert', ca, url]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^HTTP\/1\.0 200 ok\r\n/);
  const est = lastEvent(plain.stderr);
  assert.equal(est.event, 'established');
  assert.equal(est.version, 'TLSv1.3');
  assert.ok(SUITES.includes(est.cipher as string));
  assert.equal(est.signature, 'ecdsa_secp256r1_sha256');
  assert.deepEqual(est.peer, ['CN=localhost']); // s_server -cert sends the leaf only
  assert.ok(plain.stdout.includes(`New, TLSv1.3, Cipher is ${est.cipher as string}`), plain.stdout);

  for (const [flag, value, field] of [
    ['--groups', 'secp384r1', 'group'],
    ['--groups', 'secp256r1', 'group'],
    ['--ciphers', 'TLS_CHACHA20_POLY1305_SHA256', 'cipher'],
    ['--ciphers', 'TLS_AES_256_GCM_SHA384', 'cipher'],
  ] as const) {
    const r = await hush(['get', flag, value, '--trace-json', '--cacert', ca, url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lastEvent(r.stderr)[field], value, `${flag} ${value}`);
    if (field === 'cipher') assert.ok(r.stdout.includes(`New, TLSv1.3, Cipher is ${value}`));
  }

  // --keylog: five NSS lines, identical to the ones OpenSSL logged for the same connection.
  const dir = tempDir();
  const ours = path.join(dir, 'keys.txt');
  const k = await hush(['get', '--keylog', ours, '--ciphers', 'TLS_AES_256_GCM_SHA384', '--cacert', ca, url]);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(statSync(ours).mode & 0o777, 0o600);
  const lines = keylogLines(readFileSync(ours, 'utf8'));
  assert.equal(lines.length, 5, lines.join('\n'));
  assert.deepEqual(lines.map((l) => l.split(' ')[0]).sort(), [...KEYLOG_LABELS].sort());
  const random = lines[0]!.split(' ')[1]!;
  for (const l of lines) assert.match(l, new RegExp(`^[A-Z_0]+ ${random} [0-9a-f]{96}$`)); // SHA-384 secrets
  const theirs = keylogLines(readFileSync(ossl.keylog, 'utf8')).filter((l) => l.split(' ')[1] === random);
  assert.deepEqual([...theirs].sort(), [...lines].sort());

  // SSLKEYLOGFILE, appended to.
  const envFile = path.join(dir, 'env-keys.txt');
  writeFileSync(envFile, '# existing\n');
  for (let i = 0; i < 2; i++) {
    const e = await hush(['get', '--cacert', ca, url], { env: { SSLKEYLOGFILE: envFile } });
    assert.equal(e.code, 0, e.stderr);
  }
  const envLines = keylogLines(readFileSync(envFile, 'utf8'));
  assert.equal(envLines.length, 10);
  assert.equal(new Set(envLines.map((l) => l.split(' ')[1])).size, 2);
  const opensslAll = new Set(keylogLines(readFileSync(ossl.keylog, 'utf8')));
  for (const l of envLines) assert.ok(opensslAll.has(l), l);

  // No --cacert: unknown_ca against OpenSSL too.
  const fail = await hush(['get', '--trace-json', url]);
  assert.equal(fail.code, 1);
  assert.equal(lastEvent(fail.stderr).alert, 'unknown_ca');
});
