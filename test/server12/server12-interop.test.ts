// The hush TLS 1.2 SERVER against real clients on 127.0.0.1: openssl s_client -tls1_2 with each
// default suite (ECDSA and RSA certificates), RSA key transport when named, resumption by session
// ID and by ticket, client certificates, renegotiation refused with no_renegotiation,
// TLS_FALLBACK_SCSV, the downgrade sentinel as s_client sees it, a default (1.3-capable) client
// still on TLS 1.3, node:tls with maxVersion TLSv1.2 and curl --tls-max 1.2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { interopSkip, requirePeer, tempDir, testPki, type Pki } from '../interop/peers.js';
import { requireTool, runTool, startHushServer, type HushTestServer, type ToolResult } from '../interop/server-peers.js';

const skip = interopSkip();

const ECDSA_SUITES = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'] as const;
const RSA_SUITES = ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'] as const;
const IANA: Record<string, string> = {
  'ECDHE-ECDSA-AES128-GCM-SHA256': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384': 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305': 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305': 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'AES128-GCM-SHA256': 'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'AES256-GCM-SHA384': 'TLS_RSA_WITH_AES_256_GCM_SHA384',
};

describe('hush TLS 1.2 server × real clients', { skip }, () => {
  let pki: Pki;
  let ecdsa: HushTestServer;
  let rsa: HushTestServer;
  const cleanup: (() => Promise<void>)[] = [];
  const summary: string[] = [];

  before(async () => {
    requirePeer('openssl');
    pki = testPki();
    const files = (k: 'ecdsa256' | 'rsa2048') => ({ cert: readFileSync(pki.server[k].cert), key: readFileSync(pki.server[k].key) });
    ecdsa = await startHushServer({ ...files('ecdsa256'), ALPNProtocols: ['http/1.1'], handshakeTimeout: 10_000 });
    cleanup.push(() => ecdsa.stop());
    // RSA key transport is named explicitly, after the forward-secret suites.
    rsa = await startHushServer({
      ...files('rsa2048'),
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:AES128-GCM-SHA256:AES256-GCM-SHA384:TLS_AES_128_GCM_SHA256',
      ALPNProtocols: ['http/1.1'],
      handshakeTimeout: 10_000,
    });
    cleanup.push(() => rsa.stop());
  });

  after(async () => {
    for (const c of cleanup.reverse()) await c();
    if (summary.length) console.log(['hush TLS 1.2 server interop', ...summary.map((l) => '  ' + l)].join('\n'));
  });

  /** s_client, one line of data echoed back, then quit. */
  async function sClient(srv: HushTestServer, args: string[], opts: { send?: string; waitFor?: RegExp } = {}): Promise<ToolResult> {
    const line = opts.send ?? `hush-${Math.random().toString(36).slice(2)}`;
    return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${srv.port}`, '-servername', 'localhost', '-CAfile', pki.ca.cert, ...args], {
      timeoutMs: 10_000,
      interact: async (io) => {
        await io.waitOut(/Verify return code|:error:|alert/, 5_000).catch(() => undefined);
        io.write(line + '\n');
        await io.waitOut(opts.waitFor ?? new RegExp(`^${line}$`, 'm'), 3_000).catch(() => undefined);
        io.end();
      },
    });
  }

  for (const [server, suites] of [['ecdsa', ECDSA_SUITES], ['rsa', RSA_SUITES]] as const) {
    for (const suite of suites) {
      test(`openssl s_client -tls1_2 -cipher ${suite} (${server} certificate)`, async () => {
        const srv = server === 'ecdsa' ? ecdsa : rsa;
        srv.reset();
        const r = await sClient(srv, ['-tls1_2', '-cipher', suite, '-no_ticket']);
        assert.match(r.stdout, new RegExp(`New, TLSv1.2, Cipher is ${suite}`), r.output);
        assert.match(r.stdout, /Extended master secret: yes/);
        assert.match(r.stdout, /Verify return code: 0 \(ok\)/);
        const seen = srv.handshakes();
        assert.equal(seen.length, 1);
        assert.equal(seen[0]!.cipher, IANA[suite]);
        assert.equal(seen[0]!.group, 'x25519');
        assert.match(seen[0]!.signature!, server === 'ecdsa' ? /^ecdsa_secp256r1_sha256$/ : /^rsa_pss_rsae_sha(256|384|512)$/);
        assert.ok(seen[0]!.bytes > 0, 'data echoed');
        summary.push(`s_client -tls1_2 ${suite.padEnd(30)} → ${seen[0]!.cipher} ${seen[0]!.signature}`);
      });
    }
  }

  test('RSA key transport when named on our side (both RSA GCM suites); refused by the default suites', async () => {
    for (const suite of ['AES128-GCM-SHA256', 'AES256-GCM-SHA384']) {
      rsa.reset();
      const r = await sClient(rsa, ['-tls1_2', '-cipher', suite]);
      assert.match(r.stdout, new RegExp(`New, TLSv1.2, Cipher is ${suite}`), r.output);
      const seen = rsa.handshakes();
      assert.equal(seen[0]?.cipher, IANA[suite]);
      assert.equal(seen[0]?.group, undefined, 'no key exchange group');
      assert.equal(seen[0]?.signature, undefined, 'nothing signed');
      assert.ok(rsa.seen[0]!.traces.includes('client_key_exchange'));
    }
    ecdsa.reset();
    const r = await sClient(ecdsa, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256']);
    assert.match(r.output, /handshake failure/);
    assert.deepEqual(ecdsa.seen[0]?.alerts, ['handshake_failure']);
    summary.push('RSA key transport: AES128-GCM-SHA256 and AES256-GCM-SHA384 when named; default server → handshake_failure');
  });

  test('resumption by session ID (-no_ticket) and by ticket (-sess_out / -sess_in)', async () => {
    const dir = tempDir('hush-s12-');
    for (const mode of ['session ID', 'ticket'] as const) {
      const sess = path.join(dir, `${mode === 'ticket' ? 't' : 'id'}.pem`);
      const extra = mode === 'ticket' ? [] : ['-no_ticket'];
      ecdsa.reset();
      const first = await sClient(ecdsa, ['-tls1_2', ...extra, '-sess_out', sess]);
      assert.match(first.stdout, /New, TLSv1.2/, first.output);
      if (mode === 'ticket') assert.match(first.stdout, /TLS session ticket:/);
      else assert.doesNotMatch(first.stdout, /TLS session ticket:/);
      const second = await sClient(ecdsa, ['-tls1_2', ...extra, '-sess_in', sess]);
      assert.match(second.stdout, /Reused, TLSv1.2/, second.output);
      const seen = ecdsa.handshakes();
      assert.deepEqual(seen.map((s) => s.resumed), [false, true]);
      assert.ok(seen[1]!.bytes > 0, 'data on the resumed connection');
      assert.equal(seen[1]!.signature, undefined, 'nothing signed when resumed');
      summary.push(`resumption by ${mode}: full, then Reused`);
    }
  });

  test('client certificate: required and sent → authorized; missing → handshake_failure', async () => {
    const srv = await startHushServer({
      cert: readFileSync(pki.server.ecdsa256.cert),
      key: readFileSync(pki.server.ecdsa256.key),
      ca: readFileSync(pki.ca.cert),
      requestCert: true,
      rejectUnauthorized: true,
    });
    cleanup.push(() => srv.stop());
    const r = await sClient(srv, ['-tls1_2', '-cert', pki.client.cert, '-key', pki.client.key]);
    assert.match(r.stdout, /New, TLSv1.2/, r.output);
    const seen = srv.handshakes();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.authorized, true);
    assert.ok(seen[0]!.clientCertSubject);
    assert.ok(seen[0]!.traces.includes('certificate_request') && seen[0]!.traces.includes('certificate_verify'));
    for (const kind of ['rsa2048', 'ed25519'] as const) {
      srv.reset();
      const rk = await sClient(srv, ['-tls1_2', '-cert', pki.clients[kind].cert, '-key', pki.clients[kind].key]);
      assert.match(rk.stdout, /New, TLSv1.2/, rk.output);
      assert.equal(srv.handshakes()[0]?.authorized, true, kind);
    }
    srv.reset();
    const none = await sClient(srv, ['-tls1_2']);
    assert.doesNotMatch(none.stdout, /^hush-/m);
    assert.deepEqual(srv.seen[0]?.alerts, ['handshake_failure']);
    summary.push('client certificates (ECDSA, RSA, Ed25519) verified; none sent → handshake_failure');
  });

  test("s_client 'R' (renegotiation) → our warning no_renegotiation", async () => {
    ecdsa.reset();
    const r = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${ecdsa.port}`, '-servername', 'localhost', '-CAfile', pki.ca.cert, '-tls1_2'], {
      timeoutMs: 10_000,
      interact: async (io) => {
        await io.waitOut(/Verify return code/, 5_000);
        io.write('R\n');
        await io.waitOut(/RENEGOTIATING/, 3_000);
        await io.waitOut(/no renegotiation|alert|error/i, 3_000).catch(() => undefined);
        io.end();
      },
    });
    const seen = ecdsa.seen[0]!;
    assert.ok(seen.traces.includes('renegotiation'), `server traces: ${seen.traces.join(', ')}\n${r.output}`);
    assert.match(r.output, /no renegotiation/i);
    summary.push(`s_client R → server warning no_renegotiation; s_client: ${/(no renegotiation)/i.exec(r.output)?.[1]}`);
  });

  test('openssl -fallback_scsv -tls1_2 → inappropriate_fallback', async () => {
    ecdsa.reset();
    const r = await sClient(ecdsa, ['-tls1_2', '-fallback_scsv']);
    assert.match(r.output, /inappropriate fallback/);
    assert.deepEqual(ecdsa.seen[0]?.alerts, ['inappropriate_fallback']);
  });

  test('downgrade sentinel: s_client -tls1_2 -msg sees DOWNGRD\\x01 at the end of ServerHello.random; a default client gets TLS 1.3', async () => {
    ecdsa.reset();
    const r = await sClient(ecdsa, ['-tls1_2', '-msg']);
    // -msg prints each message as hex bytes; the ServerHello body is 03 03 then the 32-byte random.
    const m = /<<< TLS 1\.2, Handshake \[length [0-9a-f]+\], ServerHello\n((?:\s+[0-9a-f ]+\n)+)/.exec(r.stdout);
    assert.ok(m, r.stdout.slice(0, 3000));
    const bytes = m[1]!.trim().split(/\s+/).map((h) => parseInt(h, 16));
    assert.deepEqual(bytes.slice(4 + 2 + 24, 4 + 2 + 32), [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
    ecdsa.reset();
    const d = await sClient(ecdsa, []);
    assert.match(d.stdout, /New, TLSv1.3/);
    summary.push('downgrade sentinel seen by s_client -tls1_2 -msg; default s_client → TLSv1.3');
  });

  test('node:tls client with maxVersion TLSv1.2: ECDHE-ECDSA/RSA GCM and ChaCha', async () => {
    const cases: [HushTestServer, string][] = [
      [ecdsa, 'ECDHE-ECDSA-AES128-GCM-SHA256'],
      [ecdsa, 'ECDHE-ECDSA-CHACHA20-POLY1305'],
      [rsa, 'ECDHE-RSA-AES256-GCM-SHA384'],
      [rsa, 'ECDHE-RSA-CHACHA20-POLY1305'],
    ];
    for (const [srv, cipher] of cases) {
      srv.reset();
      const got = await new Promise<{ protocol: string | null; cipher: string; echo: string }>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca: readFileSync(pki.ca.cert), maxVersion: 'TLSv1.2', ciphers: cipher });
        const timer = setTimeout(() => {
          s.destroy();
          reject(new Error('node client timed out'));
        }, 5_000);
        s.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        s.once('secureConnect', () => {
          s.write('ping');
          s.once('data', (d: Buffer) => {
            clearTimeout(timer);
            resolve({ protocol: s.getProtocol(), cipher: s.getCipher().name, echo: d.toString() });
            s.destroy();
          });
        });
      });
      assert.deepEqual(got, { protocol: 'TLSv1.2', cipher, echo: 'ping' });
      assert.equal(srv.handshakes()[0]?.cipher, IANA[cipher]);
    }
    summary.push('node:tls maxVersion TLSv1.2: 4 suites ok');
  });

  test('curl --tls-max 1.2 (HTTP over the hush TLS 1.2 server)', async () => {
    requireTool('curl');
    ecdsa.reset();
    const r = await runTool('curl', [
      '-sS', '--tlsv1.2', '--tls-max', '1.2', '--cacert', pki.ca.cert,
      '--resolve', `localhost:${ecdsa.port}:127.0.0.1`, `https://localhost:${ecdsa.port}/api/connection`,
    ], { timeoutMs: 10_000 });
    assert.equal(r.code, 0, r.output);
    const body = JSON.parse(r.stdout) as { version: string; cipher: string };
    assert.equal(body.version, 'TLSv1.2');
    assert.match(body.cipher, /^TLS_ECDHE_ECDSA_/);
    summary.push(`curl --tls-max 1.2 → ${body.version} ${body.cipher}`);
  });
});
