// `hush serve` speaks HTTP/2 (ALPN h2, then http/1.1; --alpn http/1.1 turns it off), and
// `--proxy http://127.0.0.1:PORT` gives a local HTTP app HTTPS: requests stream through with
// X-Forwarded-Proto/For/Host, over HTTP/1.1 and HTTP/2, and WebSocket upgrades pass through.
// The app is a node:http server with a `ws` WebSocket server in this process, on 127.0.0.1.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { closedPort, hush, interopSkip, requireProgram, run, serveForFile, tempDir, type Served } from './helpers.js';
import { http2Request, httpsRequest } from './serve-client.js';

const home = path.join(tempDir(), 'hush-home');
const env = { HUSH_HOME: home };
const serveHush = serveForFile(env); // its after() hook, first: our servers stop before the app closes
let app: http.Server;
let appPort: number;
let ca: string;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; bytes: number }[] = [];

before(async () => {
  app = http.createServer((req, res) => {
    const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes: 0 };
    seen.push(record);
    if (req.url === '/stream') {
      // Echo the body as it arrives (streaming both ways).
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-app': 'yes' });
      req.on('data', (c: Buffer) => {
        record.bytes += c.length;
        res.write(c);
      });
      req.on('end', () => res.end());
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-app': 'yes', connection: 'keep-alive', 'keep-alive': 'timeout=5' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
    });
  });
  const wss = new WebSocketServer({ server: app });
  wss.on('connection', (ws, req) => {
    ws.on('message', (m) => ws.send(`echo ${String(m)} via ${String(req.headers['x-forwarded-proto'])} for ${String(req.headers['x-forwarded-for'])}`));
  });
  await new Promise<void>((ok) => app.listen(0, '127.0.0.1', ok));
  appPort = (app.address() as { port: number }).port;
});

after(async () => {
  app.closeAllConnections();
  await new Promise<void>((ok) => app.close(() => ok()));
});

async function serve(args: readonly string[]): Promise<Served> {
  const s = await serveHush(args);
  ca ??= readFileSync(path.join(home, 'ca.pem'), 'utf8');
  return s;
}

test('HTTP/2 by ALPN: curl --http2 gets HTTP/2 (%{http_version} = 2); node:http2 too; --alpn http/1.1 turns it off', async () => {
  const s = await serve([]);
  const url = `https://localhost:${s.port}/api/connection`;
  const h2 = await http2Request(`https://localhost:${s.port}`, '/api/connection', ca);
  assert.equal(h2.status, 200);
  assert.equal(h2.alpn, 'h2');
  assert.equal((JSON.parse(h2.text) as { alpn: string }).alpn, 'h2'); // the inspector works over HTTP/2
  const h1 = await httpsRequest(url, ca);
  assert.equal((JSON.parse(h1.text) as { alpn: string | null }).alpn, null); // node:https offers no ALPN
  await s.waitFor(/^127\.0\.0\.1 GET \/api\/connection 200 \d+B TLSv1\.3 \S+ \S+ h2 \d+ms$/m, 5000);
  if (!interopSkip()) {
    const curl = requireProgram('curl');
    const c = await run(curl, ['-sS', '--max-time', '10', '--http2', '--cacert', path.join(home, 'ca.pem'), '-o', '/dev/null', '-w', '%{http_version}', url], { timeoutMs: 15_000 });
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, '2');
    const off = await serve(['--alpn', 'http/1.1']);
    const c1 = await run(curl, ['-sS', '--max-time', '10', '--http2', '--cacert', path.join(home, 'ca.pem'), '-w', '\n%{http_version}', `https://localhost:${off.port}/api/connection`], { timeoutMs: 15_000 });
    assert.equal(c1.code, 0, c1.stderr);
    const [body, version] = c1.stdout.split('\n').reduce<[string, string]>((acc, l, i, all) => (i === all.length - 1 ? [acc[0], l] : [acc[0] + l + '\n', acc[1]]), ['', '']);
    assert.equal(version, '1.1');
    assert.equal((JSON.parse(body) as { alpn: string }).alpn, 'http/1.1');
    await off.stop();
  }
  await s.stop();
});

test('--proxy: the app sees X-Forwarded-Proto/For/Host and the original Host; status, headers and bodies pass both ways (HTTP/1.1 and HTTP/2)', async () => {
  const s = await serve(['--proxy', `http://127.0.0.1:${appPort}`]);
  assert.match(s.stdout(), new RegExp(`hush serving a proxy to http://127\\.0\\.0\\.1:${appPort} on https://localhost:${s.port}/`));
  const origin = `https://localhost:${s.port}`;
  const r = await httpsRequest(`${origin}/api/items?x=1`, ca, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain', 'x-forwarded-for': '10.9.8.7' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers['x-app'], 'yes');
  assert.equal(r.headers['keep-alive'], undefined); // hop-by-hop: not passed on
  const j = JSON.parse(r.text) as { method: string; url: string; headers: Record<string, string> };
  assert.equal(j.method, 'POST');
  assert.equal(j.url, '/api/items?x=1');
  assert.equal(j.headers['x-forwarded-proto'], 'https');
  assert.equal(j.headers['x-forwarded-host'], `localhost:${s.port}`);
  assert.equal(j.headers['x-forwarded-for'], '10.9.8.7, 127.0.0.1');
  assert.equal(j.headers.host, `localhost:${s.port}`);
  assert.equal(j.headers['content-type'], 'text/plain');

  const h2 = await http2Request(origin, '/h2?y=2', ca, { method: 'PUT', body: 'x' });
  assert.equal(h2.status, 201);
  const j2 = JSON.parse(h2.text) as { method: string; url: string; headers: Record<string, string> };
  assert.equal(j2.method, 'PUT');
  assert.equal(j2.url, '/h2?y=2');
  assert.equal(j2.headers['x-forwarded-proto'], 'https');
  assert.equal(j2.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(j2.headers['x-forwarded-host'], `localhost:${s.port}`);
  assert.equal(j2.headers.host, `localhost:${s.port}`);
  assert.ok(!Object.keys(j2.headers).some((k) => k.startsWith(':')), 'no pseudo-headers');

  // 2 MiB streamed through and back.
  const data = randomBytes(2 * 1024 * 1024);
  const big = await httpsRequest(`${origin}/stream`, ca, { method: 'POST', body: data, timeoutMs: 30_000 });
  assert.equal(big.status, 200);
  assert.ok(big.body.equals(data));
  assert.equal(seen.at(-1)!.bytes, data.length);
  await s.waitFor(/^127\.0\.0\.1 POST \/api\/items\?x=1 201 \d+B TLSv1\.3 /m, 5000);
  await s.stop();
});

test('--proxy passes WebSocket upgrades through (wss:// to hush, ws:// to the app)', async () => {
  const s = await serve(['--proxy', `http://127.0.0.1:${appPort}`]);
  const ws = new WebSocket(`wss://localhost:${s.port}/socket`, { ca, handshakeTimeout: 10_000 });
  const replies: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no WebSocket echo within 10 s')), 10_000);
    ws.on('open', () => ws.send('one'));
    ws.on('message', (m) => {
      replies.push(String(m));
      if (replies.length === 1) ws.send('two');
      else {
        clearTimeout(timer);
        ws.close();
        resolve();
      }
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  assert.deepEqual(replies, ['echo one via https for 127.0.0.1', 'echo two via https for 127.0.0.1']);
  await s.waitFor(/^127\.0\.0\.1 GET \/socket 101 /m, 5000);
  await s.stop();
});

test('--proxy to an app that is not running: 502 with a line that says so; bad --proxy values are usage errors', async () => {
  const port = await closedPort();
  const s = await serve(['--proxy', `http://127.0.0.1:${port}`]);
  const r = await httpsRequest(`https://localhost:${s.port}/`, ca);
  assert.equal(r.status, 502);
  assert.match(r.text, /cannot reach the app at http:\/\/127\.0\.0\.1:\d+: nothing is listening there — is your app running\?/);
  await s.stop();
  for (const bad of [['--proxy', 'https://127.0.0.1:3000'], ['--proxy', 'http://127.0.0.1:3000/app'], ['--proxy', 'http://127.0.0.1:3000', tempDir()]]) {
    const b = await hush(['serve', '--port', '0', ...bad], { env });
    assert.equal(b.code, 2, bad.join(' '));
    assert.match(b.stderr, /^hush serve: .*(--proxy|folder)/);
  }
});
