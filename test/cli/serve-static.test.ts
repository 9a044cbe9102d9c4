// `hush serve DIR` as a static server: symlinks may not lead out of DIR, dotfiles are refused
// unless --dotfiles, and the HTTP a browser and curl expect (Range → 206, ETag / Last-Modified →
// 304, /sub → /sub/, index.html or a listing), over HTTP/1.1 and HTTP/2. HSTS only with --hsts.
// Every server is a child process on 127.0.0.1 (port 0), stopped by PID.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hush, serveForFile, tempDir, type Served } from './helpers.js';
import { http2Request, httpsRequest } from './serve-client.js';

const home = path.join(tempDir(), 'hush-home');
const env = { HUSH_HOME: home };
const serve = serveForFile(env);

// site/ with an index, a text file, a folder with an index, one without, dotfiles, and symlinks
// inside (allowed) and outside (refused); outside/ next to it holds the secrets.
const root = tempDir();
const site = path.join(root, 'site');
const outside = path.join(root, 'outside');
const TEXT = 'abcdefghijklmnopqrstuvwxyz\n';
let ca: string;
let s: Served;
let url: string;

before(async () => {
  mkdirSync(path.join(site, 'sub'), { recursive: true });
  mkdirSync(path.join(site, 'plain'), { recursive: true });
  mkdirSync(path.join(site, '.git'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<h1>home</h1>\n');
  writeFileSync(path.join(site, 'letters.txt'), TEXT);
  writeFileSync(path.join(site, 'sub', 'index.html'), '<p>sub</p>\n');
  writeFileSync(path.join(site, 'plain', 'a & b.txt'), 'a\n');
  writeFileSync(path.join(site, 'plain', 'z.txt'), 'z\n');
  writeFileSync(path.join(site, 'plain', '.hidden'), 'h\n');
  writeFileSync(path.join(site, '.env'), 'API_KEY=do-not-leak\n');
  writeFileSync(path.join(site, '.git', 'config'), '[core] do-not-leak\n');
  writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET\n');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(site, 'leak.txt'));
  symlinkSync(outside, path.join(site, 'leakdir'));
  symlinkSync('/etc/passwd', path.join(site, 'passwd'));
  symlinkSync('letters.txt', path.join(site, 'alias.txt')); // inside DIR: fine
  symlinkSync('.env', path.join(site, 'env.txt')); // a symlink to a dotfile: refused like the dotfile
  s = await serve([site]);
  ca = readFileSync(path.join(home, 'ca.pem'), 'utf8');
  url = `https://localhost:${s.port}`;
});

test('a symlink in DIR that points outside it is refused (file, folder, /etc/passwd); one inside DIR is served', async () => {
  for (const p of ['/leak.txt', '/leakdir/secret.txt', '/passwd']) {
    const r = await httpsRequest(url + p, ca);
    assert.equal(r.status, 403, `${p}: ${r.status} ${r.text}`);
    assert.ok(!r.text.includes('TOP SECRET') && !r.text.includes('root:'), p);
    assert.match(r.text, /symlink that leads outside the served folder/);
    const h2 = await http2Request(url, p, ca);
    assert.equal(h2.status, 403, p);
    assert.ok(!h2.text.includes('TOP SECRET') && !h2.text.includes('root:'), p);
  }
  const alias = await httpsRequest(`${url}/alias.txt`, ca);
  assert.equal(alias.status, 200);
  assert.equal(alias.text, TEXT);
});

test('dotfiles are refused by default (.env, .git/config, a symlink to .env, listings hide them); --dotfiles serves them', async () => {
  for (const p of ['/.env', '/.git/config', '/.git/', '/env.txt', '/%2eenv', '/sub/../.env']) {
    const r = await httpsRequest(url + p, ca);
    assert.ok(r.status === 403 || r.status === 404, `${p}: ${r.status}`);
    assert.ok(!r.text.includes('do-not-leak'), p);
  }
  const r = await httpsRequest(`${url}/.env`, ca);
  assert.match(r.text, /--dotfiles/);
  const listing = await httpsRequest(`${url}/plain/`, ca);
  assert.ok(!listing.text.includes('.hidden'));

  const open = await serve([site, '--dotfiles']);
  const o = `https://localhost:${open.port}`;
  const env = await httpsRequest(`${o}/.env`, ca);
  assert.equal(env.status, 200);
  assert.equal(env.text, 'API_KEY=do-not-leak\n');
  assert.equal((await httpsRequest(`${o}/.git/config`, ca)).status, 200);
  assert.ok((await httpsRequest(`${o}/plain/`, ca)).text.includes('.hidden'));
  // Outside DIR stays refused with --dotfiles too.
  assert.equal((await httpsRequest(`${o}/leak.txt`, ca)).status, 403);
  await open.stop();
});

test('Range: bytes=2-5 → 206 with Content-Range (HTTP/1.1 and HTTP/2); an unsatisfiable range → 416', async () => {
  const r = await httpsRequest(`${url}/letters.txt`, ca, { headers: { range: 'bytes=2-5' } });
  assert.equal(r.status, 206);
  assert.equal(r.text, 'cdef');
  assert.equal(r.headers['content-range'], `bytes 2-5/${TEXT.length}`);
  assert.equal(r.headers['accept-ranges'], 'bytes');
  const h2 = await http2Request(url, '/letters.txt', ca, { headers: { range: 'bytes=-3' } });
  assert.equal(h2.status, 206);
  assert.equal(h2.text, 'yz\n');
  const bad = await httpsRequest(`${url}/letters.txt`, ca, { headers: { range: 'bytes=1000-2000' } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers['content-range'], `bytes */${TEXT.length}`);
});

test('ETag and Last-Modified: a conditional GET → 304 with no body; a changed ETag → 200', async () => {
  const first = await httpsRequest(`${url}/letters.txt`, ca);
  assert.equal(first.status, 200);
  assert.equal(first.headers['content-type'], 'text/plain; charset=utf-8');
  const etag = first.headers.etag;
  const modified = first.headers['last-modified'];
  assert.ok(etag, 'ETag');
  assert.ok(modified, 'Last-Modified');
  const byTag = await httpsRequest(`${url}/letters.txt`, ca, { headers: { 'if-none-match': etag } });
  assert.equal(byTag.status, 304);
  assert.equal(byTag.body.length, 0);
  const byDate = await httpsRequest(`${url}/letters.txt`, ca, { headers: { 'if-modified-since': modified } });
  assert.equal(byDate.status, 304);
  const h2 = await http2Request(url, '/letters.txt', ca, { headers: { 'if-none-match': etag } });
  assert.equal(h2.status, 304);
  const other = await httpsRequest(`${url}/letters.txt`, ca, { headers: { 'if-none-match': '"nope"' } });
  assert.equal(other.status, 200);
  assert.equal(other.text, TEXT);
});

test('/sub → 301 to /sub/, which serves its index.html; a folder without one gets a listing; 404 and 405', async () => {
  const redirect = await httpsRequest(`${url}/sub`, ca);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, '/sub/');
  const sub = await httpsRequest(`${url}/sub/`, ca);
  assert.equal(sub.status, 200);
  assert.equal(sub.text, '<p>sub</p>\n');
  const home = await httpsRequest(`${url}/`, ca);
  assert.equal(home.text, '<h1>home</h1>\n');
  const list = await httpsRequest(`${url}/plain/`, ca);
  assert.equal(list.status, 200);
  assert.match(list.headers['content-type'] ?? '', /^text\/html/);
  assert.match(list.text, /<title>Index of \/plain\/<\/title>/);
  assert.ok(list.text.includes('<a href="a%20%26%20b.txt">a &amp; b.txt</a>'), list.text);
  assert.ok(list.text.includes('<a href="z.txt">z.txt</a>'));
  assert.equal((await httpsRequest(`${url}/missing.txt`, ca)).status, 404);
  const post = await httpsRequest(`${url}/letters.txt`, ca, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  await s.waitFor(/^127\.0\.0\.1 GET \/letters\.txt 206 4B TLSv1\.3 /m, 5000);
});

test('no Strict-Transport-Security by default; --hsts sends one day, --hsts=SECONDS that many', async () => {
  for (const p of ['/letters.txt', '/missing.txt', '/plain/']) {
    assert.equal((await httpsRequest(url + p, ca)).headers['strict-transport-security'], undefined, p);
  }
  const inspector = await serve([]);
  const i = await httpsRequest(`https://localhost:${inspector.port}/api/connection`, ca);
  assert.equal(i.status, 200);
  assert.equal(i.headers['strict-transport-security'], undefined);
  await inspector.stop();

  const day = await serve([site, '--hsts']);
  for (const p of ['/letters.txt', '/missing.txt', '/plain/', '/.env']) {
    assert.equal((await httpsRequest(`https://localhost:${day.port}${p}`, ca)).headers['strict-transport-security'], 'max-age=86400', p);
  }
  const h2 = await http2Request(`https://localhost:${day.port}`, '/letters.txt', ca);
  assert.equal(h2.headers['strict-transport-security'], 'max-age=86400');
  await day.stop();
  const minute = await serve(['--hsts=60']);
  assert.equal((await httpsRequest(`https://localhost:${minute.port}/`, ca)).headers['strict-transport-security'], 'max-age=60');
  await minute.stop();
  const bad = await hush(['serve', '--port', '0', '--hsts=soon'], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^hush serve: --hsts takes a number of seconds/);
});

test('hush serve --help lists every option', async () => {
  const r = await hush(['serve', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--proxy URL', '--dotfiles', '--hsts[=SECONDS]', '--alpn LIST', '--redirect-http PORT', '--host ADDR', '--port PORT', '--cert FILE', '--key FILE', '--tls-min', '--tls-max', '--ciphers', '--groups', '--client-ca', '--keylog', '--trace', '--trace-json']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.match(r.stdout, /h2,http\/1\.1/);
});
