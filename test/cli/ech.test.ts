// `hush ech` and `hush serve --ech` end to end: keys made on first use in $HUSH_HOME/ech (one PEM file
// per key, owner-only), the printed ECHConfigList and HTTPS record, rotation (previous key kept,
// older removed), argument errors; and hush's own ECH client over TCP against hush serve --ech:
// accepted (/api/connection: ech, sni, outerSni), and rejected for a retired config with the current
// list as retry_configs, the outer handshake authenticated as the public name by the local CA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { hush, serveForFile, tempDir } from './helpers.js';
import { ClientConnection } from '../../src/connection/client.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { decodeEchConfigList } from '../../src/handshake/ech/ech-config.js';
import { EchRejectedError } from '../../src/errors/ech-rejected.js';
import { fromBase64 } from '../../src/bytes/util.js';
import { runClient } from '../interop/peers.js';
import { cableTapperPanel } from '../../src/cli/inspector.js';

async function ech(home: string, ...args: string[]) {
  return hush(['ech', ...args], { env: { HUSH_HOME: home } });
}

test('hush ech: a key on first use, one line of base64, the same list afterwards; files are owner-only PEM', async () => {
  const home = tempDir('hush-ech-');
  const first = await ech(home);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /Created an ECH key in .*ech \(config_id \d+, public name public\.localhost\)/);
  const lines = first.stdout.split('\n').filter((l) => l);
  assert.equal(lines.length, 1);
  const list = decodeEchConfigList(fromBase64(lines[0]!));
  assert.equal(list.length, 1);
  assert.equal(list[0]!.contents!.publicName, 'public.localhost');
  assert.equal(list[0]!.contents!.kem, 0x0020);
  const again = await ech(home);
  assert.equal(again.stdout, first.stdout);
  assert.equal(again.stderr, '');
  const files = readdirSync(path.join(home, 'ech'));
  assert.equal(files.length, 1);
  const file = path.join(home, 'ech', files[0]!);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^-----BEGIN PRIVATE KEY-----\n[\s\S]*-----END PRIVATE KEY-----\n-----BEGIN ECHCONFIG-----\n[\s\S]*-----END ECHCONFIG-----\n$/);
});

test('hush ech --dns: the HTTPS record (RFC 9460) with alpn and ech; on another port _PORT._https.NAME with the name as target', async () => {
  const home = tempDir('hush-ech-');
  const list = (await ech(home)).stdout.trim();
  const r = await ech(home, '--dns', 'Example.COM.');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `example.com. 300 IN HTTPS 1 . alpn="h2,http/1.1" ech="${list}"\n`);
  const p = await ech(home, '--dns', 'localhost', '--port', '8443', '--alpn', 'http/1.1');
  assert.equal(p.stdout, `_8443._https.localhost. 300 IN HTTPS 1 localhost. alpn="http/1.1" ech="${list}"\n`);
  const p443 = await ech(home, '--dns', 'a.example', '--port', '443');
  assert.match(p443.stdout, /^a\.example\. 300 IN HTTPS 1 \. /);
});

test('hush ech: argument errors are one line and exit 2', async () => {
  const home = tempDir('hush-ech-');
  for (const [args, re] of [
    [['--dns', '192.0.2.1'], /--dns needs a DNS name/],
    [['--port', '8443'], /--port and --alpn go with --dns/],
    [['--dns', 'x.example', '--port', '70000'], /--port must be a port number/],
    [['--public-name', 'localhost'], /single label/],
    [['--public-name', '*.example.com'], /must be a DNS name/],
    [['extra'], /unexpected argument 'extra'/],
  ] as const) {
    const r = await ech(home, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  // Nothing was created by the failed runs that check their arguments first.
  assert.throws(() => readdirSync(path.join(home, 'ech')));
});

test('hush ech --rotate: a new key is advertised, the previous one kept, older ones removed; --public-name names the new key', async () => {
  const home = tempDir('hush-ech-');
  const a = (await ech(home)).stdout.trim();
  const fileA = readdirSync(path.join(home, 'ech'))[0]!;
  const r1 = await ech(home, '--rotate');
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stderr, /New ECH key .* the previous key is still accepted/);
  const b = r1.stdout.trim();
  assert.notEqual(b, a);
  assert.equal((await ech(home)).stdout.trim(), b);
  assert.equal(readdirSync(path.join(home, 'ech')).length, 2);
  const r2 = await ech(home, '--rotate', '--public-name', 'cover.example');
  const c = decodeEchConfigList(fromBase64(r2.stdout.trim()));
  assert.equal(c[0]!.contents!.publicName, 'cover.example');
  const files = readdirSync(path.join(home, 'ech'));
  assert.equal(files.length, 2);
  assert.ok(!files.includes(fileA), 'the oldest key was removed');
  // Config ids differ between the kept keys (trial decryption picks by config_id).
  const ids = files.map((f) => f.slice(-6, -4));
  assert.notEqual(ids[0], ids[1]);
  // --public-name for the existing key without --rotate is refused.
  const bad = await ech(home, '--public-name', 'other.example');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /add --rotate/);
});

function echClient(home: string, list: string): ClientConnection {
  return new ClientConnection({
    provider: nodeCryptoProvider,
    now: Date.now,
    serverName: 'localhost',
    trust: new TrustStore([readFileSync(path.join(home, 'ca.pem'), 'utf8')]),
    echConfigList: fromBase64(list),
    alpnProtocols: ['http/1.1'],
  });
}

test('hush serve --ech ↔ hush client: accepted, /api/connection shows ech, the inner sni and the outer one', async () => {
  const home = tempDir('hush-ech-serve-');
  const serve = serveForFile({ HUSH_HOME: home });
  const s = await serve(['--ech']);
  try {
    const list = (await s.waitFor(/ECHConfigList: (\S+)/))[1]!; // printed after the "hush serving" line
    assert.equal((await ech(home)).stdout.trim(), list);
    assert.match(s.stdout(), new RegExp(`DNS: _${s.port}\\._https\\.localhost\\. 300 IN HTTPS 1 localhost\\. alpn="h2,http/1\\.1" ech="`));
    const body = await runClient(echClient(home, list), '127.0.0.1', s.port, async (pump) => {
      const info = await pump.handshake();
      assert.equal(info.ech, 'accepted');
      pump.send('GET /api/connection HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      await pump.waitFor(() => pump.eof || pump.closeNotify, 'response', 10_000, { allowClose: true });
      return new TextDecoder().decode(pump.takeReceived());
    });
    const json = JSON.parse(body.slice(body.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    assert.equal(json.ech, 'accepted');
    assert.equal(json.sni, 'localhost');
    assert.equal(json.outerSni, 'public.localhost');
  } finally {
    await s.stop();
  }
});

test('hush serve --ech ↔ hush client with a retired config: rejected, retry_configs = what hush ech prints, the outer handshake authenticated as the public name', async () => {
  const home = tempDir('hush-ech-serve-');
  const serve = serveForFile({ HUSH_HOME: home });
  const old = (await ech(home)).stdout.trim();
  await ech(home, '--rotate');
  const current = (await ech(home, '--rotate')).stdout.trim();
  const s = await serve(['--ech']);
  try {
    const conn = echClient(home, old);
    const err = await runClient(conn, '127.0.0.1', s.port, async (pump) => {
      await pump.waitFor(() => pump.error !== undefined, 'rejection', 10_000, { allowError: true, allowClose: true });
      return pump.error;
    });
    assert.ok(err instanceof EchRejectedError, `expected EchRejectedError, got ${err?.message}`);
    assert.equal(err.publicName, 'public.localhost');
    assert.equal(Buffer.from(err.retryConfigs!).toString('base64'), current);
  } finally {
    await s.stop();
  }
});

/** GET path over one connection from `conn` to hush serve; the response body. */
async function fetchOver(conn: ClientConnection, port: number, path: string): Promise<{ ech: string | undefined; body: string }> {
  return runClient(conn, '127.0.0.1', port, async (pump) => {
    const info = await pump.handshake();
    pump.send(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    await pump.waitFor(() => pump.eof || pump.closeNotify, 'response', 10_000, { allowClose: true });
    const text = new TextDecoder().decode(pump.takeReceived());
    return { ech: info.ech, body: text.slice(text.indexOf('\r\n\r\n') + 4) };
  });
}

function panelOf(html: string): string {
  const m = /<section id="cable-tapper"[^>]*>([\s\S]*?)<\/section>/.exec(html);
  assert.ok(m, 'the inspector has the cable-tapper panel');
  return m[1]!;
}

test("hush serve --ech inspector: 'what a cable-tapper saw' shows the name and ALPN in the clear without ECH, only the public name with ECH accepted", async () => {
  const home = tempDir('hush-ech-panel-');
  const serve = serveForFile({ HUSH_HOME: home });
  const s = await serve(['--ech']);
  try {
    const list = (await s.waitFor(/ECHConfigList: (\S+)/))[1]!; // printed after the "hush serving" line
    const plainConn = new ClientConnection({
      provider: nodeCryptoProvider,
      now: Date.now,
      serverName: 'localhost',
      trust: new TrustStore([readFileSync(path.join(home, 'ca.pem'), 'utf8')]),
      alpnProtocols: ['http/1.1'],
      echGrease: false,
    });
    const plain = await fetchOver(plainConn, s.port, '/');
    assert.equal(plain.ech, 'none');
    const p = panelOf(plain.body);
    assert.match(p, /What a cable-tapper saw/);
    assert.match(p, /Server name \(SNI\) in the clear: <b class="seen-sni">localhost<\/b>/);
    assert.match(p, /Protocols \(ALPN\) in the clear: <span class="seen-alpn"><span class="chip">http\/1\.1<\/span><\/span>/);
    assert.doesNotMatch(p, /public\.localhost/);

    const hidden = await fetchOver(echClient(home, list), s.port, '/');
    assert.equal(hidden.ech, 'accepted');
    const e = panelOf(hidden.body);
    assert.match(e, /Server name \(SNI\) in the clear: <b class="seen-sni">public\.localhost<\/b> — only the public name/);
    assert.match(e, /The real name <b>localhost<\/b> and the protocol list travelled encrypted \(Encrypted Client Hello\)/);
    assert.doesNotMatch(e, /seen-alpn/, 'no ALPN shown as seen: it was inside the encrypted hello');
  } finally {
    await s.stop();
  }
});

test('the cable-tapper panel for a rejected ECH shows the public name and the outer ALPN; names are HTML-escaped', () => {
  const base = { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', group: 'x25519', signature: null, alpn: 'h2', resumed: false, clientCertificate: null, certificate: [] };
  const offered = { versions: [], cipherSuites: [], groups: [], keyShares: [], signatureSchemes: [], extensions: [], alpn: ['h2'] };
  const rejected = cableTapperPanel({ ...base, sni: 'public.example', ech: 'rejected', outerSni: 'public.example', offered });
  assert.match(rejected, /in the clear: <b class="seen-sni">public\.example<\/b>/);
  assert.match(rejected, /an Encrypted Client Hello this server could not open: a decoy \(GREASE/);
  assert.match(rejected, /<span class="seen-alpn"><span class="chip">h2<\/span><\/span>/, 'the outer hello\'s ALPN was in the clear');
  const grease = cableTapperPanel({ ...base, sni: '<x>.example', ech: 'grease', offered });
  assert.match(grease, /<b class="seen-sni">&lt;x&gt;\.example<\/b>/);
  assert.match(grease, /<span class="seen-alpn"><span class="chip">h2<\/span><\/span>/);
});
