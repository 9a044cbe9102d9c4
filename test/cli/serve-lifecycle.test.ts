// Starting and stopping `hush serve`, and what it says when things go wrong:
//  - Ctrl+C (SIGINT) with a browser-like idle keep-alive connection open: the process exits
//    (code 0) instead of waiting minutes for the connection;
//  - a second SIGINT exits at once (code 130) even with a request in flight;
//  - --redirect-http (or --port) on a port in use: exit 1 with one line, not a server left running;
//  - a client that rejects our certificate: "ADDR:PORT rejected our certificate: unknown_ca — …";
//  - --host 0.0.0.0 warns that the folder is on the network.
// Waits are bounded generously; the tests assert that the exit happens, not how fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hush, interopSkip, requireProgram, run, serveForFile, tempDir, type Served } from './helpers.js';
import { httpsRequest } from './serve-client.js';

const home = path.join(tempDir(), 'hush-home');
const env = { HUSH_HOME: home };
const serve = serveForFile(env);

/** The exit code of a served child, or an error after `ms`. */
function exited(s: Served, ms: number): Promise<number | null> {
  const child = s.child;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hush serve still running ${ms} ms after the signal\nstdout: ${s.stdout()}\nstderr: ${s.stderr()}`)), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test('SIGINT with an idle keep-alive connection open: hush serve exits (code 0) within 5 s', async () => {
  const s = await serve([]);
  const ca = readFileSync(path.join(home, 'ca.pem'));
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const r = await httpsRequest(`https://localhost:${s.port}/api/connection`, ca, { agent });
    assert.equal(r.status, 200);
    // The agent keeps the connection open and idle, as a browser does.
    assert.equal(Object.values(agent.freeSockets).flat().length, 1);
    const done = exited(s, 5000);
    process.kill(s.child.pid!, 'SIGINT');
    assert.equal(await done, 0);
    assert.match(s.stdout(), /^Stopping: finishing requests in flight/m);
    // The idle connection was closed at once, not cut when the grace period ran out.
    assert.doesNotMatch(s.stdout(), /still busy/);
  } finally {
    agent.destroy();
  }
});

test('SIGINT with an idle HTTP/2 session open: hush serve exits (code 0) within 5 s', async () => {
  const s = await serve([]);
  const ca = readFileSync(path.join(home, 'ca.pem'));
  const session = http2.connect(`https://localhost:${s.port}`, { ca });
  session.on('error', () => {}); // GOAWAY / close from the server
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':path': '/api/connection' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.resume();
      req.end();
    });
    assert.equal(status, 200);
    const done = exited(s, 5000);
    process.kill(s.child.pid!, 'SIGINT');
    assert.equal(await done, 0);
    assert.doesNotMatch(s.stdout(), /still busy/);
  } finally {
    session.destroy();
  }
});

test('the first SIGINT lets a request in flight finish: its whole body is echoed, then the process exits (code 0)', async () => {
  const s = await serve([]);
  const ca = readFileSync(path.join(home, 'ca.pem'));
  const req = https.request(`https://localhost:${s.port}/echo`, { method: 'POST', ca, agent: false, headers: { 'content-length': '2000' } });
  let responded!: () => void;
  const started = new Promise<void>((ok) => (responded = ok));
  const body = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      responded();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.write('a'.repeat(1000));
  await started; // the echo answered with its headers: the request is in flight
  const done = exited(s, 10_000);
  process.kill(s.child.pid!, 'SIGINT');
  await s.waitFor(/^Stopping: /m, 5000);
  req.end('b'.repeat(1000));
  const r = await body;
  assert.equal(r.status, 200);
  assert.equal(r.text, 'a'.repeat(1000) + 'b'.repeat(1000));
  assert.equal(await done, 0);
  assert.doesNotMatch(s.stdout(), /still busy/);
});

test('a second SIGINT exits at once (code 130) with a request still in flight', async () => {
  const s = await serve([]);
  const ca = readFileSync(path.join(home, 'ca.pem'));
  // POST /echo with a body that never finishes: the response has started, the request is in flight.
  const req = https.request(`https://localhost:${s.port}/echo`, { method: 'POST', ca, agent: false, headers: { 'content-length': '1000000' } });
  req.on('error', () => {}); // the server goes away mid-request
  const responded = new Promise<number>((resolve) => req.on('response', (res) => {
    res.on('error', () => {});
    res.resume();
    resolve(res.statusCode ?? 0);
  }));
  req.write('x'.repeat(1000));
  assert.equal(await responded, 200);
  const done = exited(s, 10_000);
  process.kill(s.child.pid!, 'SIGINT');
  await s.waitFor(/^Stopping: /m, 5000);
  process.kill(s.child.pid!, 'SIGINT');
  assert.equal(await done, 130);
  req.destroy();
});

test('--redirect-http or --port on a port in use: exit 1 with one line saying so (no server left running)', async () => {
  const busy = net.createServer();
  await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
  const port = (busy.address() as { port: number }).port;
  try {
    const r = await hush(['serve', '--port', '0', '--redirect-http', String(port)], { env, timeoutMs: 20_000 });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^hush serve: --redirect-http: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    assert.doesNotMatch(r.stdout, /hush serving/);
    const p = await hush(['serve', '--port', String(port)], { env, timeoutMs: 20_000 });
    assert.equal(p.code, 1, p.stdout + p.stderr);
    assert.match(p.stderr, new RegExp(`^hush serve: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
  } finally {
    await new Promise<void>((ok) => busy.close(() => ok()));
  }
});

test('a client that rejects our certificate is named in one line: "ADDR:PORT rejected our certificate: unknown_ca — …"', { skip: interopSkip() }, async () => {
  const s = await serve([]);
  // curl without --cacert does not trust the hush CA: OpenSSL sends unknown_ca (in the clear).
  const c = await run(requireProgram('curl'), ['-sS', '--max-time', '10', `https://localhost:${s.port}/`], { timeoutMs: 15_000 });
  assert.equal(c.code, 60, c.stderr); // curl: peer certificate cannot be authenticated
  const m = await s.waitFor(/^127\.0\.0\.1:(\d+) rejected our certificate: unknown_ca — it does not trust the hush CA; see `hush ca`$/m, 5000);
  assert.ok(Number(m[1]) > 0);
  assert.doesNotMatch(s.stderr(), /unprotected alert record/);
  // openssl s_client that verifies (and does not know the CA) says the same.
  const o = await run(requireProgram('openssl'), ['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-verify_return_error', '-CApath', tempDir()], { timeoutMs: 15_000, input: '' });
  assert.notEqual(o.code, 0);
  await s.waitFor(/rejected our certificate: unknown_ca[^\n]*\n[\s\S]*rejected our certificate: unknown_ca/, 5000);
});

test('--host 0.0.0.0 warns that the folder is on the network; 127.0.0.1 does not', async () => {
  const dir = tempDir();
  const local = await serve([dir]);
  assert.doesNotMatch(local.stderr(), /Warning/);
  await local.stop();
  const open = await serve([dir, '--host', '0.0.0.0']);
  // Stopped at once: nothing is sent to it.
  await open.stop();
  assert.match(open.stderr(), new RegExp(`^Warning: --host 0\\.0\\.0\\.0 puts ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on the network: anyone who can reach this machine on port \\d+ can read it`, 'm'));
});
