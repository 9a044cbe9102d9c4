// Go 1.24's crypto/tls ECH client (EncryptedClientHelloConfigList) → `hush serve --ech`, on
// 127.0.0.1: accepted (Go's ECHAccepted, and /api/connection shows the inner name and the public
// one), accepted after a HelloRetryRequest, a resumed session with ECH, the previous key still
// accepted after one rotation, and
// rejected after two (Go's ECHRejectionError carries the list hush now advertises; retrying with it
// is accepted). The Go program is test/interop/go/ech-client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildGoProgram, goVersion, interopSkip, prebuildGo, requirePeer, startProcess } from './peers.js';
import { hush, serveForFile, tempDir } from '../cli/helpers.js';

const home = tempDir('hush-ech-home-');
const env = { HUSH_HOME: home };
const serve = serveForFile(env);
const skip = interopSkip();

before(async () => {
  if (!skip) await prebuildGo('ech-client');
});
after(() => undefined);

/** `hush ech` (the advertised ECHConfigList, base64). */
async function echList(...args: string[]): Promise<string> {
  const r = await hush(['ech', ...args], { env });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

interface GoRun {
  readonly lines: string[];
  readonly out: string;
  readonly code: number | null;
}

async function goClient(port: number, list: string, extra: string[] = []): Promise<GoRun> {
  requirePeer('go');
  const v = goVersion();
  assert.ok(v.major > 1 || v.minor >= 24, `the ECH interop tests need Go ≥ 1.24 (found ${v.major}.${v.minor}); CI installs golang-1.24 from trixie`);
  const bin = await buildGoProgram('ech-client');
  const p = await startProcess(bin, ['-addr', `127.0.0.1:${port}`, '-servername', 'localhost', '-ca', path.join(home, 'ca.pem'), '-ech', list, '-http', ...extra], { lifetimeMs: 60_000 });
  await new Promise<void>((resolve) => (p.exited ? resolve() : p.proc.once('exit', () => resolve())));
  const out = p.stdout();
  return { lines: out.split('\n').filter((l) => l.length > 0), out: out + p.stderr(), code: p.proc.exitCode };
}

function body(r: GoRun): Record<string, unknown> {
  const line = r.lines.find((l) => l.startsWith('BODY '));
  assert.ok(line, `no BODY line:\n${r.out}`);
  return JSON.parse(line.slice(5)) as Record<string, unknown>;
}

test('Go ECH client → hush serve --ech: accepted; the server saw the inner name, an observer the public one', { skip, timeout: 600_000 }, async () => {
  const list = await echList();
  const s = await serve(['--ech', '--alpn', 'http/1.1', '--trace-json']);
  try {
    // hush serve prints what to publish: the list (the same as hush ech) and the HTTPS record, in
    // one write after the "hush serving" line that serve() waited for: it may arrive later.
    await s.waitFor(new RegExp(`ECHConfigList: ${list.replace(/[+/=]/g, (c) => `\\${c}`)}`));
    await s.waitFor(new RegExp(`DNS: _${s.port}\\._https\\.localhost\\. 300 IN HTTPS 1 localhost\\. alpn="http/1\\.1" ech="`));
    const r = await goClient(s.port, list);
    assert.equal(r.code, 0, r.out);
    assert.match(r.lines[0]!, /^HANDSHAKE n=1 ech=true version=TLSv1\.3 alpn=http\/1\.1 resumed=false$/);
    const b = body(r);
    assert.equal(b.ech, 'accepted');
    assert.equal(b.sni, 'localhost');
    assert.equal(b.outerSni, 'public.localhost');
    // The server's --trace-json narrates it.
    const ev = await s.waitFor(/"event":"ech","status":"accepted"[^\n]*"outerSni":"public\.localhost","innerSni":"localhost"/);
    assert.ok(ev);
    await s.waitFor(/"event":"established"[^\n]*"sni":"localhost"[^\n]*"ech":"accepted","outerSni":"public\.localhost"/);
  } finally {
    await s.stop();
  }
});

test('Go ECH client → hush serve --ech with a HelloRetryRequest (the server lacks the client\'s first key share): accepted', { skip, timeout: 600_000 }, async () => {
  const list = await echList();
  const s = await serve(['--ech', '--alpn', 'http/1.1', '--groups', 'secp256r1', '--trace-json']);
  try {
    const r = await goClient(s.port, list, ['-curves', 'x25519,secp256r1']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.lines[0]!, /^HANDSHAKE n=1 ech=true /);
    assert.equal(body(r).ech, 'accepted');
    await s.waitFor(/"event":"hello_retry_request"/);
    await s.waitFor(/"event":"ech","status":"accepted","second":true/);
  } finally {
    await s.stop();
  }
});

test('Go ECH client → hush serve --ech: a second connection resumes its session ticket with ECH accepted (the PSK travels in ClientHelloInner)', { skip, timeout: 600_000 }, async () => {
  const list = await echList();
  const s = await serve(['--ech', '--alpn', 'http/1.1']);
  try {
    const r = await goClient(s.port, list, ['-resume']);
    assert.equal(r.code, 0, r.out);
    const hs = r.lines.filter((l) => l.startsWith('HANDSHAKE'));
    assert.match(hs[0]!, /^HANDSHAKE n=1 ech=true .* resumed=false$/);
    assert.match(hs[1]!, /^HANDSHAKE n=2 ech=true .* resumed=true$/);
    const bodies = r.lines.filter((l) => l.startsWith('BODY ')).map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
    assert.deepEqual(bodies.map((b) => [b.ech, b.resumed, b.sni, b.outerSni]), [['accepted', false, 'localhost', 'public.localhost'], ['accepted', true, 'localhost', 'public.localhost']]);
  } finally {
    await s.stop();
  }
});

test('after rotations: the previous key is still accepted; an older config is rejected with retry_configs = what hush ech now prints, and Go\'s retry with them is accepted', { skip, timeout: 600_000 }, async () => {
  const first = await echList();
  await echList('--rotate');
  // One rotation: the first key is no longer advertised but still accepted.
  let s = await serve(['--ech', '--alpn', 'http/1.1']);
  try {
    const r = await goClient(s.port, first);
    assert.equal(r.code, 0, r.out);
    assert.match(r.lines[0]!, /^HANDSHAKE n=1 ech=true /);
  } finally {
    await s.stop();
  }
  // A second rotation removes the first key.
  const current = await echList('--rotate');
  assert.notEqual(current, first);
  s = await serve(['--ech', '--alpn', 'http/1.1']);
  try {
    const r = await goClient(s.port, first, ['-retry']);
    assert.equal(r.code, 0, r.out);
    const rejected = r.lines.find((l) => l.startsWith('REJECTED n=1 '));
    assert.ok(rejected, `Go did not report an ECHRejectionError:\n${r.out}`);
    assert.equal(rejected, `REJECTED n=1 retry=${current}`);
    assert.match(r.lines.find((l) => l.startsWith('HANDSHAKE'))!, /^HANDSHAKE n=2 ech=true /);
    assert.equal(body(r).ech, 'accepted');
  } finally {
    await s.stop();
  }
});
