// `hush get` as people use curl: bad input is one line and an exit code (never a stack trace, never a
// hang), the body streams as it arrives, HTTP/2 when the server selects h2, -L redirects (bounded,
// https only unless told, credentials kept to their origin), -I, -v, -f, and client certificates.
// The servers are node:https / node:http2 in this process (certificates from a local CA in a temp
// HUSH_HOME), plus `hush serve --client-ca` for client certificates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ensureLocalCa, ensureLocalhostCertificate, issueLocalCertificate } from '../../src/cli/local-ca.js';
import { createServer as createHushServer } from '../../src/node/server.js';
import { childEnv, hush, hushArgv, startServe, tempDir, type RunResult } from './helpers.js';

const home = path.join(tempDir(), 'home');
const ca = path.join(home, 'ca.pem');
const localCa = ensureLocalCa(home);
const leaf = ensureLocalhostCertificate(localCa);

/** What each server saw: method, path, headers, body, protocol. */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly version: string;
}
const seen: Seen[] = [];
/** Released by the streaming test once the first chunk has been printed. */
let releaseStream: (() => void) | undefined;

let h1: https.Server;
let h2: http2.Http2SecureServer;
let plain: http.Server;
/** Counts TCP connections: bad arguments must fail before any. */
let counter: net.Server;
let counted = 0;
const held = new Set<net.Socket>();
let h1Port = 0;
let h2Port = 0;
let plainPort = 0;
let counterPort = 0;

function readBody(req: http.IncomingMessage | http2.Http2ServerRequest): Promise<string> {
  return new Promise((resolve) => {
    let b = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (b += c));
    req.on('end', () => resolve(b));
  });
}

/** Routes shared by the HTTP/1.1 and the HTTP/2 server. */
async function handle(req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'https://x');
  seen.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body, version: req.httpVersion });
  const r = res as http.ServerResponse;
  const p = url.pathname;
  if (p === '/hello') {
    r.writeHead(200, { 'content-type': 'text/plain', 'x-version': req.httpVersion });
    r.end(`hello over HTTP/${req.httpVersion}\n`);
  } else if (p === '/echo') {
    r.writeHead(200, { 'content-type': 'application/json' });
    r.end(JSON.stringify({ method: req.method, body, headers: req.headers }));
  } else if (p === '/stream') {
    r.writeHead(200, { 'content-type': 'text/event-stream' });
    r.write('data: first\n\n');
    await new Promise<void>((resolve) => {
      releaseStream = resolve;
    });
    r.end('data: second\n\n');
  } else if (p === '/stall') {
    r.writeHead(200, { 'content-type': 'text/plain' });
    r.write('partial\n'); // and nothing more until the client gives up
  } else if (p === '/cut') {
    r.writeHead(200, { 'content-length': '100' });
    r.write('only 12 byte');
    setImmediate(() => req.socket.destroy());
  } else if (p === '/silent') {
    // never answers
  } else if (p === '/redirect') {
    // /redirect?to=LOCATION&status=302
    r.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/hello' });
    r.end('moved\n');
  } else if (p === '/loop') {
    r.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` });
    r.end();
  } else if (p === '/missing') {
    r.writeHead(404, { 'content-type': 'text/plain' });
    r.end('no such page\n');
  } else {
    r.writeHead(500);
    r.end('unknown test route\n');
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

before(async () => {
  const tls = { cert: leaf.chainPem, key: leaf.keyPem };
  h1 = https.createServer(tls, (req, res) => void handle(req, res));
  h2 = http2.createSecureServer({ ...tls, allowHTTP1: true }, (req, res) => void handle(req, res));
  plain = http.createServer((req, res) => void handle(req, res));
  // Holds every connection open (as a server that never answers would), so a request that
  // should not have been sent shows as a hang as well as in the count.
  counter = net.createServer((s) => {
    counted++;
    held.add(s);
  });
  [h1Port, h2Port, plainPort, counterPort] = await Promise.all([listen(h1), listen(h2), listen(plain), listen(counter)]);
});
after(() => {
  releaseStream?.();
  for (const s of held) s.destroy();
  for (const s of [h1, h2, plain, counter]) {
    (s as net.Server).close();
    (s as { closeAllConnections?: () => void }).closeAllConnections?.();
  }
});

const H1 = (): string => `https://localhost:${h1Port}`;
const H2 = (): string => `https://localhost:${h2Port}`;

/** Exit `code`, stderr exactly one 'hush get: …' line matching `re`, no stack trace. */
function assertOneLine(r: RunResult, code: number, re: RegExp, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |node:internal|^\s*\^/m, `${what}: a stack trace\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line expected\n${r.stderr}`);
  assert.match(lines[0]!, /^hush get: /, what);
  assert.match(lines[0]!, re, what);
}

function lastSeen(pathname: string): Seen {
  const s = [...seen].reverse().find((x) => x.path.startsWith(pathname));
  assert.ok(s, `the server saw no request for ${pathname}`);
  return s;
}

const badDir = tempDir();
const certOnly = path.join(badDir, 'cert-only.pem');
writeFileSync(certOnly, leaf.chainPem);
const notPem = path.join(badDir, 'not.pem');
writeFileSync(notPem, 'hello\n');
/** Each bad input, and what its one line must say. */
const BAD: [args: string[], re: RegExp][] = [
  [['-o', '/nonexistent-dir/f'], /cannot write -o \/nonexistent-dir\/f: the folder \/nonexistent-dir does not exist/],
  [['-o', badDir], /cannot write -o .*: it is a folder/],
  [['-X', 'BAD METHOD'], /-X wants an HTTP method.*'BAD METHOD'/],
  [['-H', 'Bad Header: x'], /-H 'Bad Header: x'/],
  [['-H', 'X-Ok: a\rb'], /-H /],
  [['--timeout', 'abc'], /--timeout takes a number of seconds.*'abc'/],
  [['--timeout', '0'], /--timeout takes a number of seconds/],
  [['--timeout', '-1'], /--timeout/],
  [['-m', 'soon'], /--max-time takes a number of seconds/],
  [['-d', '@/nonexistent'], /^hush get: cannot read -d @\/nonexistent: /],
  [['--max-redirs', '-1'], /--max-redirs takes a whole number/],
  [['--key', notPem], /--key goes with --cert/],
  [['--cert', '/nonexistent.pem'], /cannot read --cert \/nonexistent\.pem/],
  [['--cert', certOnly], /--cert .* holds no private key: add --key FILE/],
  [['--cert', notPem, '--key', notPem], /--cert .*not\.pem holds no PEM certificate/],
  [['--http2', '--alpn', 'h2'], /--http2 .*--alpn/],
  [['-I', '-d', 'x'], /-I .*-d/],
  [['-I', '-X', 'POST'], /-I .*-X POST/],
  [['--keylog', '/nonexistent-dir/keys'], /cannot write --keylog \/nonexistent-dir\/keys/],
  [['--alpn', ','], /--alpn/],
  [['--ciphers', 'BOGUS'], /cipher 'BOGUS'/],
  [['--groups', 'nope'], /--groups 'nope' is not a group/],
  [['--cacert', notPem], /--cacert .*not\.pem holds no PEM certificate/],
  [['--bogus'], /unknown option '--bogus' \(see 'hush get --help'\)$/],
  [['--cacert'], /expected exactly one URL, got 0 \(see 'hush get --help'\)$/],
  [['-v', 'https://second.test/'], /expected exactly one URL, got 2/],
];
for (const [args, re] of BAD) {
  test(`bad argument ${args.join(' ')}: exit 2, one line naming it, no stack trace, no hang`, async () => {
    const r = await hush(['get', ...args, `https://127.0.0.1:${counterPort}/`], { timeoutMs: 10_000 });
    assertOneLine(r, 2, re, args.join(' '));
    assert.equal(r.stdout, '');
  });
}

test('a bad SSLKEYLOGFILE is named; no bad argument opened a connection', async () => {
  const bad = await hush(['get', `https://127.0.0.1:${counterPort}/`], { env: { SSLKEYLOGFILE: '/nonexistent-dir/k' }, timeoutMs: 10_000 });
  assertOneLine(bad, 2, /cannot write SSLKEYLOGFILE \/nonexistent-dir\/k/, 'SSLKEYLOGFILE');
  assert.equal(counted, 0, 'a bad argument opened a connection');
});

/** A `hush get` child whose output we read as it comes. */
interface Streaming {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** SIGKILL by PID if still running. */
  kill(): void;
}

async function startGet(args: readonly string[]): Promise<Streaming> {
  const child = spawn(process.execPath, [...(await hushArgv()), 'get', ...args], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => out,
    err: () => err,
    kill: () => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    },
  };
}

/** Wait (10 s bound, 20 ms steps) until the child printed /stream's first event or exited. */
async function untilFirstEvent(g: Streaming): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!g.out().includes('data: first') && Date.now() < deadline && g.child.exitCode === null) await new Promise((ok) => setTimeout(ok, 20));
}

test('the body streams to stdout as it arrives (an event stream prints before it ends), over HTTP/1.1 and HTTP/2', async () => {
  for (const [base, extra] of [[H1(), []], [H2(), ['--http2']]] as const) {
    const g = await startGet([...extra, '--cacert', ca, `${base}/stream`]);
    try {
      // The server holds the rest of the body until the client has printed the first event.
      await untilFirstEvent(g);
      assert.equal(g.out(), 'data: first\n\n', `nothing printed before the end of the stream (${extra.join(' ') || 'HTTP/1.1'}); stderr: ${g.err()}`);
      assert.equal(g.child.exitCode, null);
      releaseStream!();
      assert.equal(await g.exited, 0, g.err());
      assert.equal(g.out(), 'data: first\n\ndata: second\n\n');
      assert.equal(lastSeen('/stream').version, extra.length ? '2.0' : '1.1');
    } finally {
      g.kill();
      releaseStream?.();
      releaseStream = undefined;
    }
  }
});

test('stdout closed by its reader (like | head): exit 1, one line, no stack trace', async () => {
  const g = await startGet(['--cacert', ca, `${H1()}/stream`]);
  try {
    await untilFirstEvent(g);
    assert.equal(g.out(), 'data: first\n\n', g.err());
    g.child.stdout.destroy(); // the reader goes away; the next write gets EPIPE
    releaseStream!();
    const code = await g.exited;
    assertOneLine({ code, signal: null, stdout: '', stdoutBytes: Buffer.alloc(0), stderr: g.err(), ms: 0 }, 1, /cannot write to stdout: the reader went away \(broken pipe\)/, 'EPIPE');
  } finally {
    g.kill();
    releaseStream?.();
    releaseStream = undefined;
  }
});

test('HTTP/2 when the server selects h2: --http2 and --alpn h2 (no more "Parse Error"), -i, -v, -d; HTTP/1.1 otherwise', async () => {
  const r = await hush(['get', '--http2', '-i', '--cacert', ca, `${H2()}/hello`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const [head, body] = r.stdout.split('\r\n\r\n');
  const lines = head!.split('\r\n');
  assert.equal(lines[0], 'HTTP/2 200');
  assert.ok(lines.includes('content-type: text/plain'), head);
  assert.ok(lines.includes('x-version: 2.0'), head);
  assert.equal(body, 'hello over HTTP/2.0\n');

  const alpn = await hush(['get', '--alpn', 'h2', '--cacert', ca, `${H2()}/hello`]);
  assert.equal(alpn.code, 0, alpn.stderr);
  assert.equal(alpn.stdout, 'hello over HTTP/2.0\n');

  const post = await hush(['get', '--http2', '-v', '-H', 'X-Test: yes', '-d', 'hello h2', '--cacert', ca, `${H2()}/echo?q=1`]);
  assert.equal(post.code, 0, post.stderr);
  const echoed = JSON.parse(post.stdout) as { method: string; body: string; headers: Record<string, string> };
  assert.equal(echoed.method, 'POST');
  assert.equal(echoed.body, 'hello h2');
  assert.equal(echoed.headers['x-test'], 'yes');
  assert.equal(echoed.headers[':authority'], `localhost:${h2Port}`);
  assert.equal(echoed.headers.connection, undefined);
  assert.match(post.stderr, /^\* Connected to localhost \(localhost\) port \d+: TLSv1\.3, TLS_\w+, ALPN h2$/m);
  assert.match(post.stderr, /^> POST \/echo\?q=1 HTTP\/2$/m);
  assert.match(post.stderr, /^> x-test: yes$/m);
  assert.match(post.stderr, /^< HTTP\/2 200$/m);
  assert.match(post.stderr, /^< content-type: application\/json$/m);

  // The same server over HTTP/1.1 when h2 is not offered; --http2 against an HTTP/1.1-only server falls back.
  const one = await hush(['get', '--cacert', ca, `${H2()}/hello`]);
  assert.equal(one.stdout, 'hello over HTTP/1.1\n');
  const fallback = await hush(['get', '--http2', '--cacert', ca, `${H1()}/hello`]);
  assert.equal(fallback.code, 0, fallback.stderr);
  assert.equal(fallback.stdout, 'hello over HTTP/1.1\n');
});

test('HTTP/2 with hush on both sides: a hush TLS server whose h2 connections go to node:http2', async (t) => {
  const tlsServer = createHushServer({ cert: leaf.chainPem, key: leaf.keyPem, ALPNProtocols: ['h2', 'http/1.1'] });
  const h2s = http2.createServer((req, res) => void handle(req, res));
  const h1s = http.createServer((req, res) => void handle(req, res));
  tlsServer.on('secureConnection', (socket: net.Socket & { alpnProtocol?: string | false | null }) => {
    (socket.alpnProtocol === 'h2' ? h2s : h1s).emit('connection', socket);
  });
  const port = await listen(tlsServer as unknown as net.Server);
  t.after(() => {
    tlsServer.close();
    h2s.close();
    h1s.close();
  });
  const r = await hush(['get', '--http2', '-i', '-d', 'both sides hush', '--cacert', ca, `https://localhost:${port}/echo`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/2 200\r\n/);
  const echoed = JSON.parse(r.stdout.split('\r\n\r\n')[1]!) as { method: string; body: string };
  assert.deepEqual([echoed.method, echoed.body], ['POST', 'both sides hush']);
  assert.equal(lastSeen('/echo').version, '2.0');
  const one = await hush(['get', '--cacert', ca, `https://localhost:${port}/hello`]);
  assert.equal(one.stdout, 'hello over HTTP/1.1\n');
});

test('-I sends HEAD and prints the head only; -v shows request and response headers on stderr; -f prints no error body', async () => {
  const head = await hush(['get', '-I', '--cacert', ca, `${H1()}/hello`]);
  assert.equal(head.code, 0, head.stderr);
  assert.match(head.stdout, /^HTTP\/1\.1 200 OK\r\n(?:[^\r\n]+\r\n)*\r\n$/);
  assert.match(head.stdout, /\r\nx-version: 1\.1\r\n/);
  assert.equal(lastSeen('/hello').method, 'HEAD');

  const v = await hush(['get', '-v', '-H', 'User-Agent: curl-like', '-H', 'Accept:', '--cacert', ca, `${H1()}/hello`]);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, 'hello over HTTP/1.1\n');
  const req = v.stderr.split('\n').filter((l) => l.startsWith('> '));
  assert.deepEqual(req, ['> GET /hello HTTP/1.1', `> host: localhost:${h1Port}`, '> User-Agent: curl-like', '> connection: close', '> ']);
  assert.match(v.stderr, /^< HTTP\/1\.1 200 OK$/m);
  assert.match(v.stderr, /^< x-version: 1\.1$/m);
  assert.equal(lastSeen('/hello').headers['user-agent'], 'curl-like'); // replaced, not sent twice
  // 'NAME:' removes a default header; 'NAME;' sends it empty (as curl).
  const removed = await hush(['get', '-H', 'User-Agent:', '-H', 'X-Empty;', '--cacert', ca, `${H1()}/hello`]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(lastSeen('/hello').headers['user-agent'], undefined);
  assert.equal(lastSeen('/hello').headers['x-empty'], '');

  const missing = await hush(['get', '--cacert', ca, `${H1()}/missing`]);
  assert.equal(missing.code, 3);
  assert.equal(missing.stdout, 'no such page\n');
  const failed = await hush(['get', '-f', '--cacert', ca, `${H1()}/missing`]);
  assertOneLine(failed, 3, /the server answered HTTP 404 Not Found/, '-f');
  assert.equal(failed.stdout, '');
  const file = path.join(tempDir(), 'never.txt');
  const failedFile = await hush(['get', '-f', '-o', file, '--cacert', ca, `${H1()}/missing`]);
  assert.equal(failedFile.code, 3);
  assert.equal(existsSync(file), false, '-f -o left a file behind');
  // -o streams into the file; -i heads go there too (as curl).
  const ok = await hush(['get', '-i', '-o', file, '--cacert', ca, `${H1()}/hello`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  assert.match(readFileSync(file, 'utf8'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello over HTTP\/1\.1\n$/);
});

test('-L follows redirects: relative Location, 303 → GET without the body, 307 keeps POST, bounded, https only unless told', async () => {
  const enc = encodeURIComponent;
  // Without -L a redirect is the answer.
  const no = await hush(['get', '--cacert', ca, `${H1()}/redirect?to=/hello`]);
  assert.equal(no.code, 0);
  assert.equal(no.stdout, 'moved\n');

  const rel = await hush(['get', '-L', '-i', '--cacert', ca, `${H1()}/redirect?to=hello`]);
  assert.equal(rel.code, 0, rel.stderr);
  assert.match(rel.stdout, /^HTTP\/1\.1 302 Found\r\nlocation: hello\r\n[\s\S]*\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello over HTTP\/1\.1\n$/);

  const see = await hush(['get', '-L', '-H', 'Content-Type: text/x-note', '-d', 'the body', '--cacert', ca, `${H1()}/redirect?status=303&to=/echo`]);
  assert.equal(see.code, 0, see.stderr);
  const afterSee = JSON.parse(see.stdout) as { method: string; body: string; headers: Record<string, string> };
  assert.equal(afterSee.method, 'GET');
  assert.equal(afterSee.body, '');
  assert.equal(afterSee.headers['content-type'], undefined);
  assert.equal(afterSee.headers['content-length'], undefined);

  const keep = await hush(['get', '-L', '-d', 'the body', '--cacert', ca, `${H1()}/redirect?status=307&to=/echo`]);
  assert.equal(keep.code, 0, keep.stderr);
  const afterKeep = JSON.parse(keep.stdout) as { method: string; body: string };
  assert.deepEqual([afterKeep.method, afterKeep.body], ['POST', 'the body']);

  const loop = await hush(['get', '-L', '--max-redirs', '3', '--cacert', ca, `${H1()}/loop`]);
  assertOneLine(loop, 3, /stopped after 3 redirects .*\/loop\?n=4.*--max-redirs/, 'loop');
  assert.equal(lastSeen('/loop').path, '/loop?n=3');
  const defaultLoop = await hush(['get', '-L', '--cacert', ca, `${H1()}/loop`]);
  assertOneLine(defaultLoop, 3, /stopped after 10 redirects/, 'default loop');

  // https → http is refused unless --allow-http-redirect.
  const down = `${H1()}/redirect?to=${enc(`http://127.0.0.1:${plainPort}/hello`)}`;
  const refused = await hush(['get', '-L', '--cacert', ca, down]);
  assertOneLine(refused, 3, /from https:\/\/ to plain http:\/\/127\.0\.0\.1:\d+\/hello; not followed \(add --allow-http-redirect/, 'downgrade');
  assert.equal(refused.stdout, '');
  const allowed = await hush(['get', '-L', '--allow-http-redirect', '--cacert', ca, down]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(allowed.stdout, 'hello over HTTP/1.1\n');

  // A redirect chain across HTTP/1.1 and HTTP/2 servers.
  const across = await hush(['get', '-L', '--http2', '--cacert', ca, `${H1()}/redirect?to=${enc(`${H2()}/hello`)}`]);
  assert.equal(across.code, 0, across.stderr);
  assert.equal(across.stdout, 'hello over HTTP/2.0\n');
});

test('-L keeps Authorization and Cookie on the same origin, drops them on another (unless --location-trusted)', async () => {
  const creds = ['-H', 'Authorization: Bearer secret', '-H', 'Cookie: a=b', '-H', 'X-Other: kept'];
  const same = await hush(['get', '-L', ...creds, '--cacert', ca, `${H1()}/redirect?to=/echo`]);
  assert.equal(same.code, 0, same.stderr);
  const s = (JSON.parse(same.stdout) as { headers: Record<string, string> }).headers;
  assert.deepEqual([s.authorization, s.cookie, s['x-other']], ['Bearer secret', 'a=b', 'kept']);

  // localhost → 127.0.0.1: another host (the certificate names both).
  const other = encodeURIComponent(`https://127.0.0.1:${h1Port}/echo`);
  const cross = await hush(['get', '-L', ...creds, '--cacert', ca, `${H1()}/redirect?to=${other}`]);
  assert.equal(cross.code, 0, cross.stderr);
  const c = (JSON.parse(cross.stdout) as { headers: Record<string, string> }).headers;
  assert.deepEqual([c.authorization, c.cookie, c['x-other'], c.host], [undefined, undefined, 'kept', `127.0.0.1:${h1Port}`]);

  const trusted = await hush(['get', '-L', '--location-trusted', ...creds, '--cacert', ca, `${H1()}/redirect?to=${other}`]);
  assert.equal(trusted.code, 0, trusted.stderr);
  const t = (JSON.parse(trusted.stdout) as { headers: Record<string, string> }).headers;
  assert.deepEqual([t.authorization, t.cookie], ['Bearer secret', 'a=b']);
});

test('timeouts and cut-off bodies: exit 1, one line, what arrived is printed', async () => {
  const stall = await hush(['get', '--timeout', '1', '--cacert', ca, `${H1()}/stall`], { timeoutMs: 15_000 });
  assertOneLine(stall, 1, /the response stalled: nothing from localhost:\d+ for 1 s \(try --timeout\)/, 'stall');
  assert.equal(stall.stdout, 'partial\n');

  const silent = await hush(['get', '--timeout', '1', '--cacert', ca, `${H1()}/silent`], { timeoutMs: 15_000 });
  assertOneLine(silent, 1, /no response from localhost:\d+ within 1 s \(try --timeout\)/, 'silent');

  const max = await hush(['get', '-m', '1', '--cacert', ca, `${H1()}/stall`], { timeoutMs: 15_000 });
  assertOneLine(max, 1, /gave up after --max-time 1 s/, 'max-time');
  assert.equal(max.stdout, 'partial\n');

  const cut = await hush(['get', '--cacert', ca, `${H1()}/cut`], { timeoutMs: 15_000 });
  assertOneLine(cut, 1, /cut off|closed|reset/, 'cut');
  assert.equal(cut.stdout, 'only 12 byte');
});

test('--cert/--key: a client certificate for hush serve --client-ca', async (t) => {
  const serveHome = path.join(tempDir(), 'serve-home');
  mkdirSync(serveHome);
  const serveCa = ensureLocalCa(serveHome);
  const client = issueLocalCertificate(serveCa, ['client.test'], undefined, undefined, { clientAuth: true, label: 'client' });
  const served = await startServe(['--port', '0', '--client-ca', serveCa.caCertPath], { env: { HUSH_HOME: serveHome } });
  t.after(() => served.stop());
  const url = `https://localhost:${served.port}/api/connection`;

  const without = await hush(['get', '--cacert', serveCa.caCertPath, url]);
  assertOneLine(without, 1, /certificate_required.*--cert FILE --key FILE/, 'no client certificate');

  const withCert = await hush(['get', '--cert', client.certPath, '--key', client.keyPath, '--cacert', serveCa.caCertPath, url]);
  assert.equal(withCert.code, 0, withCert.stderr);
  assert.equal((JSON.parse(withCert.stdout) as { clientCertificate: string }).clientCertificate, 'CN=client.test');

  // One PEM file with the chain and the key, as curl accepts.
  const both = path.join(tempDir(), 'client-both.pem');
  writeFileSync(both, readFileSync(client.certPath, 'utf8') + readFileSync(client.keyPath, 'utf8'));
  const combined = await hush(['get', '--cert', both, '--cacert', serveCa.caCertPath, url]);
  assert.equal(combined.code, 0, combined.stderr);
  assert.equal((JSON.parse(combined.stdout) as { clientCertificate: string }).clientCertificate, 'CN=client.test');

  // A key that does not belong to the certificate is a bad argument.
  const mismatch = await hush(['get', '--cert', client.certPath, '--key', path.join(home, 'localhost-key.pem'), '--cacert', serveCa.caCertPath, url]);
  assertOneLine(mismatch, 2, /--key: no certificate in --cert carries this private key/, 'mismatched key');
});

test('--help lists the new flags with examples', async () => {
  const help = await hush(['get', '--help']);
  assert.equal(help.code, 0);
  for (const flag of ['-L, --location', '--max-redirs N', '--allow-http-redirect', '--location-trusted', '-I, --head', '-v, --verbose', '-f, --fail', '--http2', '--cert FILE', '--key FILE', '-m, --max-time']) {
    assert.ok(help.stdout.includes(flag), `--help lacks ${flag}`);
  }
  for (const ex of ['hush get -L ', 'hush get -I ', 'hush get --http2 ', 'hush get --cert ', 'hush get -f ']) assert.ok(help.stdout.includes(ex), `--help lacks an example '${ex}'`);
  assert.match(help.stdout, /Exit status: 0 .* 1 .*\n?.*2 for bad arguments, 3 when/);
});
