// `hush serve` end to end: the local CA on first run and its reuse, the inspector read by curl and
// by `hush get`, POST /echo, no HSTS by default, the request log, static folders (and path traversal), the HTTP
// redirect, --tls-min/--ciphers/--groups, and `hush ca` / `hush ca issue` with --cert/--key.
// Every server is a child process on 127.0.0.1 (port 0, the port read from its output), stopped by PID.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import path from 'node:path';
import { hush, interopSkip, jsonLines, requireProgram, run, startServe, tempDir, type Served } from './helpers.js';

const started: Served[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function serve(args: readonly string[], env: Record<string, string>): Promise<Served> {
  const s = await startServe(['--port', '0', ...args], { env });
  started.push(s);
  return s;
}

function curl(args: readonly string[]): Promise<Awaited<ReturnType<typeof run>>> {
  return run(requireProgram('curl'), ['-sS', '--max-time', '10', ...args], { timeoutMs: 15_000 });
}

function spkiSha256(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

const mode = (p: string): number => statSync(p).mode & 0o777;

// One hush home shared by the inspector tests below (created by the first).
const home = path.join(tempDir(), 'hush-home');
const env = { HUSH_HOME: home };
const caPath = path.join(home, 'ca.pem');

test('first run creates the local CA and a localhost certificate (keys 0600) and says how to trust it', async () => {
  assert.equal(existsSync(home), false);
  const s = await serve([], env);
  for (const f of ['ca.pem', 'ca-key.pem', 'localhost.pem', 'localhost-key.pem']) assert.ok(existsSync(path.join(home, f)), f);
  assert.equal(mode(path.join(home, 'ca-key.pem')), 0o600);
  assert.equal(mode(path.join(home, 'localhost-key.pem')), 0o600);
  assert.equal(mode(home), 0o700);
  const out = s.stdout();
  assert.match(out, /Created a local certificate authority/);
  assert.ok(out.includes(`CA certificate: ${caPath}`), out);
  assert.ok(out.includes(`curl --cacert ${caPath} https://localhost:${s.port}/`), out);
  assert.ok(out.includes(`hush get --cacert ${caPath} https://localhost:${s.port}/`), out);
  assert.match(out, new RegExp(`hush serving the connection inspector on https://localhost:${s.port}/`));
  // The localhost certificate: issued by the CA, for localhost, 127.0.0.1 and ::1.
  const leaf = new X509Certificate(readFileSync(path.join(home, 'localhost.pem')));
  const ca = new X509Certificate(readFileSync(caPath));
  assert.ok(leaf.verify(ca.publicKey));
  assert.ok(leaf.checkHost('localhost'));
  assert.ok(leaf.checkIP('127.0.0.1'));
  assert.ok(leaf.checkIP('::1'));
  assert.equal(ca.ca, true);
});

test('curl --cacert reads /api/connection: TLSv1.3 over HTTP/2, and the request is logged', { skip: interopSkip() }, async () => {
  const s = started.at(-1)!;
  const r = await curl(['-i', '--cacert', caPath, `https://localhost:${s.port}/api/connection`]);
  assert.equal(r.code, 0, r.stderr);
  const [head, body] = r.stdout.split('\r\n\r\n');
  assert.match(head!, /^HTTP\/2 200/);
  assert.doesNotMatch(head!, /^strict-transport-security:/im); // only with --hsts
  assert.match(head!, /^content-type: application\/json/im);
  const j = JSON.parse(body!) as Record<string, unknown> & { offered: Record<string, string[]> };
  assert.equal(j.version, 'TLSv1.3');
  assert.ok(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'].includes(j.cipher as string));
  assert.equal(j.sni, 'localhost');
  assert.equal(j.alpn, 'h2'); // curl offers h2 and http/1.1; hush serve prefers h2
  assert.equal(j.resumed, false);
  assert.equal(j.signature, 'ecdsa_secp256r1_sha256');
  assert.ok(j.offered.alpn!.includes('h2') && j.offered.alpn!.includes('http/1.1'));
  assert.ok(j.offered.versions!.includes('TLSv1.3'));
  assert.ok(j.offered.extensions!.includes('server_name'));
  // One log line per request: address, method, path, status, bytes, TLS parameters.
  await s.waitFor(/^127\.0\.0\.1 GET \/api\/connection 200 \d+B TLSv1\.3 TLS_\w+ \w+ h2 \d+ms$/m, 5000);
});

test('hush get --cacert reads the inspector page; POST /echo echoes; no HSTS unless asked', async () => {
  const s = started.at(-1)!;
  const page = await hush(['get', '-i', '--cacert', caPath, `https://localhost:${s.port}/`]);
  assert.equal(page.code, 0, page.stderr);
  assert.match(page.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(page.stdout, /^strict-transport-security:/im);
  assert.match(page.stdout, /^content-type: text\/html/im);
  assert.match(page.stdout, /<title>hush — your TLS connection<\/title>/);
  for (const step of ['said hello', 'The server chose', 'The key exchange', 'proved who it is', 'Finished']) assert.ok(page.stdout.includes(step), step);
  assert.match(page.stdout, /<p id="summary">TLSv1\.3 · TLS_AES_128_GCM_SHA256 · X25519MLKEM768 · ecdsa_secp256r1_sha256<\/p>/);
  // The key exchange step says what the post-quantum hybrid adds.
  assert.match(page.stdout, /<p id="post-quantum"><b>X25519MLKEM768<\/b> is a <b>post-quantum hybrid<\/b>/);

  // 64 KiB of random bytes through /echo, from a file.
  const dir = tempDir();
  const data = randomBytes(64 * 1024);
  writeFileSync(path.join(dir, 'in.bin'), data);
  const echo = await hush(['get', '--cacert', caPath, '-d', `@${path.join(dir, 'in.bin')}`, '-o', path.join(dir, 'out.bin'), `https://localhost:${s.port}/echo`]);
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(echo.stdout, '');
  assert.ok(readFileSync(path.join(dir, 'out.bin')).equals(data));
  await s.waitFor(/^127\.0\.0\.1 POST \/echo 200 65536B TLSv1\.3 /m, 5000);

  // 404 outside the inspector's paths.
  const nf = await hush(['get', '-i', '--cacert', caPath, `https://localhost:${s.port}/nope`]);
  assert.equal(nf.code, 3);
  assert.match(nf.stdout, /^HTTP\/1\.1 404 /);
  await s.waitFor(/^127\.0\.0\.1 GET \/nope 404 /m, 5000);
});

test('a second run reuses the CA and the localhost certificate', async () => {
  const caBefore = readFileSync(caPath);
  const leafBefore = readFileSync(path.join(home, 'localhost.pem'));
  await started.pop()!.stop();
  const s = await serve([], env);
  assert.match(s.stdout(), /Using the local certificate authority/);
  assert.doesNotMatch(s.stdout(), /Created/);
  assert.ok(readFileSync(caPath).equals(caBefore), 'ca.pem unchanged');
  assert.ok(readFileSync(path.join(home, 'localhost.pem')).equals(leafBefore), 'localhost.pem unchanged');
  const r = await hush(['get', '--trace-json', '--cacert', caPath, `https://localhost:${s.port}/api/connection`]);
  assert.equal(r.code, 0, r.stderr);
  const last = jsonLines(r.stderr).at(-1)!;
  assert.equal(last.event, 'established');
  const peer = last.peer as string[];
  assert.equal(peer.length, 2);
  assert.equal(peer[0], 'CN=localhost');
  assert.match(peer[1]!, /^CN=hush local CA \(.*\), O=hush local development CA$/);
  assert.equal((JSON.parse(r.stdout) as { version: string }).version, 'TLSv1.3');
});

test('static folder: index.html, files with their type, 404, no way out of the folder; --redirect-http gives 301 to https', async () => {
  const root = tempDir();
  const site = path.join(root, 'site');
  mkdirSync(path.join(site, 'sub'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<h1>hello from hush</h1>\n');
  writeFileSync(path.join(site, 'notes.txt'), 'plain text\n');
  writeFileSync(path.join(site, 'sub', 'index.html'), '<p>sub</p>\n');
  writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET\n');
  const s = await serve([site, '--redirect-http', '0'], env);
  assert.match(s.stdout(), new RegExp(`hush serving ${site} on https://localhost:${s.port}/ \\(plain HTTP on port ${s.redirectPort} redirects here\\)`));
  const url = `https://localhost:${s.port}`;
  const get = (p: string, ...more: string[]): ReturnType<typeof hush> => hush(['get', '-i', '--cacert', caPath, ...more, url + p]);

  const index = await get('/');
  assert.equal(index.code, 0, index.stderr);
  assert.match(index.stdout, /^content-type: text\/html; charset=utf-8\r$/im);
  assert.doesNotMatch(index.stdout, /^strict-transport-security: /im);
  assert.ok(index.stdout.endsWith('\r\n\r\n<h1>hello from hush</h1>\n'));
  const txt = await get('/notes.txt');
  assert.equal(txt.code, 0);
  assert.match(txt.stdout, /^content-type: text\/plain/im);
  assert.ok(txt.stdout.endsWith('\r\n\r\nplain text\n'));
  const sub = await get('/sub/');
  assert.ok(sub.stdout.endsWith('<p>sub</p>\n'));
  const missing = await get('/missing.html');
  assert.equal(missing.code, 3);
  assert.match(missing.stdout, /^HTTP\/1\.1 404 /);
  // Traversal: encoded slashes and dots must not reach ../secret.txt.
  for (const p of ['/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/sub/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/../secret.txt']) {
    const r = await get(p);
    assert.equal(r.code, 3, `${p}: ${r.stdout}`);
    assert.match(r.stdout, /^HTTP\/1\.1 (403|404) /, p);
    assert.ok(!r.stdout.includes('TOP SECRET'), p);
  }
  if (!interopSkip()) {
    // curl --path-as-is sends the dots literally.
    const raw = await curl(['--path-as-is', '--cacert', caPath, '-o', '-', '-w', '\n%{http_code}', `${url}/../secret.txt`]);
    assert.ok(!raw.stdout.includes('TOP SECRET'));
    assert.match(raw.stdout, /\n(403|404)$/);
  }
  await s.waitFor(/^127\.0\.0\.1 GET \/notes\.txt 200 11B TLSv1\.3 /m, 5000);

  // Plain HTTP on the redirect port: 301 to the same path on https.
  const res = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port: s.redirectPort, path: '/notes.txt?x=1', headers: { host: `localhost:${s.redirectPort}` }, timeout: 5000 }, (r) => {
      r.resume();
      resolve({ status: r.statusCode ?? 0, location: r.headers.location });
    });
    req.on('timeout', () => req.destroy(new Error('redirect request timed out')));
    req.on('error', reject);
  });
  assert.equal(res.status, 301);
  assert.equal(res.location, `https://localhost:${s.port}/notes.txt?x=1`);
});

test('--tls-min 1.3 --ciphers --groups take effect (curl and hush get see them in /api/connection)', async () => {
  const s = await serve(['--tls-min', '1.3', '--ciphers', 'TLS_CHACHA20_POLY1305_SHA256', '--groups', 'secp384r1'], env);
  const url = `https://localhost:${s.port}/api/connection`;
  // hush get offers all three suites and its default groups (key shares X25519MLKEM768 and x25519): the server's choice wins.
  const r = await hush(['get', '--trace-json', '--cacert', caPath, url]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { cipher: string; group: string; version: string };
  assert.equal(j.cipher, 'TLS_CHACHA20_POLY1305_SHA256');
  assert.equal(j.group, 'secp384r1');
  const events = jsonLines(r.stderr);
  assert.ok(events.some((e) => e.event === 'hello_retry_request' || (e.event === 'server_hello' && e.group === 'secp384r1')));
  assert.equal(events.at(-1)!.cipher, 'TLS_CHACHA20_POLY1305_SHA256');
  assert.equal(events.at(-1)!.group, 'secp384r1');
  // A client insisting on a suite the server no longer allows fails.
  const no = await hush(['get', '--ciphers', 'TLS_AES_128_GCM_SHA256', '--cacert', caPath, url]);
  assert.equal(no.code, 1);
  assert.match(no.stderr, /handshake_failure/);
  if (!interopSkip()) {
    const c = await curl(['--cacert', caPath, url]);
    assert.equal(c.code, 0, c.stderr);
    const cj = JSON.parse(c.stdout) as { cipher: string; group: string; version: string };
    assert.deepEqual([cj.version, cj.cipher, cj.group], ['TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256', 'secp384r1']);
    // TLS 1.2 only: refused (exit 35 = TLS handshake failure), and the server says why.
    const old = await curl(['--tlsv1.2', '--tls-max', '1.2', '--cacert', caPath, url]);
    assert.equal(old.code, 35);
    await s.waitFor(/TLS handshake from 127\.0\.0\.1:\d+ failed: .*TLSv1\.2/, 5000);
  }
  await s.stop();
  // Bad values are usage errors (exit 2) with a one-line reason.
  for (const bad of [['--tls-min', '1.5'], ['--cert', path.join(home, 'localhost.pem')], ['--ciphers', 'TLS_NOPE']]) {
    const b = await hush(['serve', '--port', '0', ...bad], { env });
    assert.equal(b.code, 2, `${bad.join(' ')}: ${b.stdout}${b.stderr}`);
    assert.match(b.stderr, /^hush serve: .+/);
  }
});

test('hush ca prints the CA and its SPKI hash; hush ca issue foo.test serves with --cert/--key, reached with --resolve', async () => {
  const text = await hush(['ca'], { env });
  assert.equal(text.code, 0, text.stderr);
  const spki = spkiSha256(readFileSync(caPath, 'utf8'));
  assert.ok(text.stdout.includes(`Local CA: ${caPath}`), text.stdout);
  assert.ok(text.stdout.includes(`curl --cacert ${caPath}`));
  assert.ok(text.stdout.includes(`--ignore-certificate-errors-spki-list=${spki}`));
  const js = await hush(['ca', '--json'], { env });
  const info = JSON.parse(js.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(info).sort(), ['ca', 'created', 'key', 'spkiSha256', 'subject']);
  assert.equal(info.ca, caPath);
  assert.equal(info.key, path.join(home, 'ca-key.pem'));
  assert.equal(info.spkiSha256, spki);
  assert.equal(info.created, false);
  assert.match(info.subject as string, /hush local CA/);

  const issued = await hush(['ca', 'issue', 'foo.test', 'www.foo.test'], { env });
  assert.equal(issued.code, 0, issued.stderr);
  const cert = path.join(home, 'foo.test.pem');
  const key = path.join(home, 'foo.test-key.pem');
  assert.match(issued.stdout, /Issued a certificate for foo\.test, www\.foo\.test/);
  assert.ok(issued.stdout.includes(`--cert ${cert} --key ${key}`));
  assert.equal(mode(key), 0o600);
  const leaf = new X509Certificate(readFileSync(cert));
  assert.ok(leaf.checkHost('www.foo.test'));
  assert.ok(leaf.verify(new X509Certificate(readFileSync(caPath)).publicKey));
  // Issuing again reuses the files.
  const again = await hush(['ca', 'issue', 'foo.test', '--json'], { env });
  assert.deepEqual(JSON.parse(again.stdout), { cert, key, created: false });
  assert.equal((await hush(['ca', 'frobnicate'], { env })).code, 2);

  const s = await serve(['--cert', cert, '--key', key], env);
  assert.doesNotMatch(s.stdout(), /certificate authority/);
  const url = `https://foo.test:${s.port}/api/connection`;
  const r = await hush(['get', '--trace-json', '--resolve', `foo.test:${s.port}:127.0.0.1`, '--cacert', caPath, url]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { sni: string; certificate: { subject: string }[] };
  assert.equal(j.sni, 'foo.test');
  assert.equal(j.certificate[0]!.subject, 'CN=foo.test');
  assert.equal((jsonLines(r.stderr).at(-1)!.peer as string[])[0], 'CN=foo.test');
  // Without --resolve the name does not resolve: exit 1 and a hint to use --resolve.
  const nores = await hush(['get', '--cacert', caPath, url]);
  assert.equal(nores.code, 1);
  assert.match(nores.stderr, /--resolve/);
  if (!interopSkip()) {
    const c = await curl(['--resolve', `foo.test:${s.port}:127.0.0.1`, '--cacert', caPath, url]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal((JSON.parse(c.stdout) as { sni: string }).sni, 'foo.test');
  }
  // The name must match: localhost is not in the foo.test certificate.
  const wrong = await hush(['get', '--cacert', caPath, `https://localhost:${s.port}/`]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /bad_certificate|certificate_unknown/);
});

test('serve --trace-json: one handshake after another, each ending with its established line; --keylog matches the client\'s', async () => {
  const dir = tempDir();
  const serverKeys = path.join(dir, 'server-keys.txt');
  const clientKeys = path.join(dir, 'client-keys.txt');
  const s = await serve(['--trace-json', '--keylog', serverKeys], env);
  const url = `https://localhost:${s.port}/api/connection`;
  const a = await hush(['get', '--keylog', clientKeys, '--cacert', caPath, url]);
  assert.equal(a.code, 0, a.stderr);
  const b = await hush(['get', '--groups', 'secp256r1', '--cacert', caPath, url]);
  assert.equal(b.code, 0, b.stderr);
  await s.waitFor(/^\{"connection":2,"event":"established"/m, 5000);
  const events = jsonLines(s.stderr());
  for (const n of [1, 2]) {
    const mine = events.filter((e) => e.connection === n);
    assert.equal(mine[0]!.event, 'client_hello');
    assert.equal(mine.at(-1)!.event, 'established', `connection ${n}: ${mine.map((e) => e.event).join(' ')}`);
    assert.equal(mine.filter((e) => e.event === 'established').length, 1);
  }
  // One handshake after another: all of connection 1 before any of connection 2.
  const order = events.map((e) => e.connection);
  assert.deepEqual(order, [...order].sort());
  const est = events.filter((e) => e.event === 'established');
  assert.deepEqual(
    est.map((e) => [e.version, e.cipher, e.group, e.signature, e.alpn, e.resumed]),
    [
      ['TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'X25519MLKEM768', 'ecdsa_secp256r1_sha256', 'http/1.1', false],
      ['TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'secp256r1', 'ecdsa_secp256r1_sha256', 'http/1.1', false],
    ],
  );
  // The server's key log holds the client's five lines (same client random, same secrets).
  const ours = readFileSync(clientKeys, 'utf8').trim().split('\n');
  assert.equal(ours.length, 5);
  const random = ours[0]!.split(' ')[1]!;
  const theirs = readFileSync(serverKeys, 'utf8').trim().split('\n');
  assert.equal(theirs.length, 10);
  assert.equal(mode(serverKeys), 0o600);
  assert.deepEqual(theirs.filter((l) => l.split(' ')[1] === random).sort(), [...ours].sort());
  await s.stop();
});
