// hush/node as a drop-in for node:tls (issue #16 "Done when"): the same scenarios through
// node:tls's client and hush/node's, against the same node:tls servers on 127.0.0.1, give the same
// error code, the same authorized/authorizationError and the same event sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interopSkip, requirePeer } from '../interop/peers.js';
import { connect } from '../../src/node/connect.js';
import { createServer } from '../../src/node/server.js';
import { checkServerIdentity } from '../../src/node/check-server-identity.js';
import { SCENARIOS, makePki, runScenario, runOnce, runSessionCache, startServer, type Outcome } from './compat-scenarios.js';
import { constants } from 'node:crypto';

const pki = makePki();

/**
 * Where hush differs on purpose or has not caught up, with the reason. Only the named field is
 * exempt; everything else is still compared.
 */
const KNOWN: Readonly<Record<string, { field: keyof Outcome; why: string }>> = {};

for (const sc of SCENARIOS) {
  test(`node:tls vs hush/node: ${sc.name}`, async () => {
    const n = await runScenario(tls.connect as never, sc, pki);
    const h = await runScenario(connect as never, sc, pki);
    const skip = KNOWN[sc.name]?.field;
    assert.equal(h.code, n.code, `code (hush: ${h.message}; node: ${n.message})`);
    assert.equal(h.authorized, n.authorized, 'authorized');
    assert.equal(h.authorizationError, n.authorizationError, 'authorizationError');
    if (skip !== 'events') assert.deepEqual(h.events, n.events, 'event sequence');
    if (sc.resume) assert.equal(h.reused, true);
    assert.equal(h.reused, n.reused, 'isSessionReused()');
    if (sc.finished !== undefined) {
      assert.equal(n.finished, sc.finished, 'node getFinished() length');
      assert.deepEqual([h.finished, h.peerFinished], [n.finished, n.peerFinished], 'getFinished()/getPeerFinished() lengths');
    }
    if (n.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      assert.equal(h.message, n.message);
      for (const f of ['reason', 'host'] as const) assert.equal(h.error?.[f], n.error?.[f], f);
      assert.equal((h.error?.cert as { fingerprint256?: string } | undefined)?.fingerprint256, (n.error?.cert as { fingerprint256?: string } | undefined)?.fingerprint256);
    } else if (n.code !== undefined && /^[A-Z_]+$/.test(n.code) && !n.code.startsWith('ERR_')) {
      // OpenSSL verify codes: node's message is X509_verify_cert_error_string's, and so is ours.
      assert.equal(h.message, n.message);
    } else if (n.code?.startsWith('ERR_SSL_')) {
      assert.equal(h.error?.library, n.error?.library);
      assert.equal(h.error?.reason, n.error?.reason);
      // The message is OpenSSL's line (without node's thread id and source position).
      assert.ok(n.message?.includes(String(h.message?.split('::')[1]?.split(':')[0])), `${h.message} vs ${n.message}`);
    }
    if (h.code !== undefined && h.error) {
      const hush = h.error.hush as { alert: string; message: string } | undefined;
      if (!['ECONNRESET', 'ERR_CUSTOM_IDENTITY'].includes(h.code)) assert.ok(hush && hush.alert && hush.message, 'err.hush keeps hush\'s explanation');
    }
  });
}

test('node:tls server vs hush server, same node:tls client: tlsClientError codes', async () => {
  const cases: { name: string; server: Record<string, unknown>; client: Record<string, unknown> }[] = [
    { name: 'protocol version', server: { minVersion: 'TLSv1.3' }, client: { maxVersion: 'TLSv1.2' } },
    { name: 'no shared cipher', server: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }, client: { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } },
    { name: 'ALPNCallback refuses', server: { ALPNCallback: () => undefined }, client: { ALPNProtocols: ['x'] } },
    { name: 'no client certificate (TLS 1.3)', server: { ca: pki.ca, requestCert: true, rejectUnauthorized: true }, client: {} },
    { name: 'no client certificate (TLS 1.2)', server: { ca: pki.ca, requestCert: true, rejectUnauthorized: true }, client: { maxVersion: 'TLSv1.2' } },
  ];
  for (const c of cases) {
    const codes: (string | undefined)[] = [];
    for (const make of [tls.createServer, createServer] as const) {
      const server = (make as (o: object, l: (s: tls.TLSSocket) => void) => tls.Server)({ ...pki.server, ...c.server }, (s) => {
        s.on('error', () => {});
        s.end('x');
      });
      const errors: string[] = [];
      server.on('tlsClientError', (e: Error & { code?: string }) => errors.push(String(e.code)));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const client = tls.connect({ port: (server.address() as AddressInfo).port, host: 'localhost', ca: pki.ca, ...c.client });
      client.on('error', () => {});
      client.resume();
      await new Promise((r) => client.once('close', r));
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      server.close();
      codes.push(errors[0]);
    }
    assert.ok(codes[0]?.startsWith('ERR_SSL_'), `${c.name}: node ${codes[0]}`);
    assert.equal(codes[1], codes[0], c.name);
  }
});

test("node:tls server vs hush server: an external session cache ('newSession'/'resumeSession', TLS 1.2, SSL_OP_NO_TICKET), the same events in the same order", async () => {
  const options = { secureOptions: constants.SSL_OP_NO_TICKET };
  const n = await runSessionCache(tls.createServer as never, pki, options);
  const h = await runSessionCache(createServer as never, pki, options);
  // newSession's callback comes a turn later: 'secureConnection' waits for it on both.
  assert.deepEqual(n, [
    'newSession(32)',
    'secureConnection(reused=false)',
    'client(reused=false)',
    'resumeSession(32, hit)',
    'secureConnection(reused=true)',
    'client(reused=true)',
  ], 'node:tls');
  assert.deepEqual(h, n, 'hush/node');
});

test('keylog on both sides: the same labels as node:tls, on the socket and on the server', async () => {
  const labels = async (make: typeof tls.createServer, conn: typeof tls.connect): Promise<{ client: string[]; server: string[] }> => {
    const server = make({ ...pki.server }, (s) => s.end('x'));
    const serverLines: string[] = [];
    server.on('keylog', (line: Buffer, sock: unknown) => {
      assert.ok(sock, 'the server passes the socket');
      serverLines.push(line.toString().split(' ')[0]!);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = conn({ port: (server.address() as AddressInfo).port, host: 'localhost', ca: pki.ca });
    const clientLines: string[] = [];
    client.on('keylog', (line: Buffer) => {
      assert.ok(line.toString().endsWith('\n'));
      clientLines.push(line.toString().split(' ')[0]!);
    });
    client.resume();
    await once(client, 'close');
    server.close();
    return { client: clientLines.sort(), server: serverLines.sort() };
  };
  const n = await labels(tls.createServer, tls.connect);
  const h = await labels(createServer as never, connect as never);
  assert.deepEqual(h, n);
  assert.ok(n.client.includes('CLIENT_TRAFFIC_SECRET_0'));
});

test('getPeerX509Certificate / getX509Certificate / getTLSTicket / session, like node:tls', async () => {
  const srv = await startServer({ ...pki.server, ca: pki.ca, requestCert: true });
  try {
    for (const conn of [tls.connect, connect] as const) {
      const s = (conn as typeof tls.connect)({ port: srv.port, host: 'localhost', ca: pki.ca, ...pki.client });
      const sessions: Buffer[] = [];
      s.on('session', (b: Buffer) => sessions.push(b));
      await once(s, 'secureConnect');
      const peer = s.getPeerX509Certificate();
      assert.ok(peer instanceof X509Certificate);
      assert.equal(peer.fingerprint256, new X509Certificate(pki.server.cert).fingerprint256);
      const own = s.getX509Certificate();
      assert.ok(own instanceof X509Certificate);
      assert.equal(own.fingerprint256, new X509Certificate(pki.client.cert).fingerprint256);
      s.resume();
      await once(s, 'end');
      assert.ok(sessions.length > 0, "'session' events");
      assert.ok(Buffer.isBuffer(s.getTLSTicket()) && s.getTLSTicket()!.length > 0);
      assert.ok(Buffer.isBuffer(s.getSession()));
    }
  } finally {
    await srv.close();
  }
});

test('host names: no CN fallback, and the error says so and how to fix the certificate', async () => {
  const srv = await startServer({ ...pki.cnOnly });
  try {
    const n = await runOnce(tls.connect as never, { port: srv.port, ca: pki.ca });
    assert.equal(n.code, undefined, 'node falls back to CN=localhost');
    const h = await runOnce(connect as never, { port: srv.port, ca: pki.ca });
    assert.equal(h.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(String(h.message), /no subjectAltName and hush does not fall back to its common name \(CN=localhost\).*reissue the certificate with a subjectAltName DNS:localhost/);
    assert.equal(h.error?.host, 'localhost');
    // The exported checkServerIdentity has the same rule and node's signature.
    const cert = new X509Certificate(pki.cnOnly.cert).toLegacyObject() as unknown as tls.PeerCertificate;
    assert.equal((checkServerIdentity('localhost', cert) as Error & { code: string }).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    const good = new X509Certificate(pki.server.cert).toLegacyObject() as unknown as tls.PeerCertificate;
    assert.equal(checkServerIdentity('localhost', good), undefined);
    assert.equal(tls.checkServerIdentity('wrong.example', good)?.message, checkServerIdentity('wrong.example', good)?.message);
  } finally {
    await srv.close();
  }
});

test('servername: an IP address is not sent as SNI, and an explicit one warns DEP0123 once like node', async () => {
  const seen: (string | false)[] = [];
  const server = tls.createServer({ ...pki.server }, (s) => {
    seen.push(s.servername as string | false);
    s.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => {
    warnings.push(String(w.code));
  };
  process.on('warning', onWarning);
  try {
    for (const o of [{ host: '127.0.0.1' }, { host: '127.0.0.1', servername: '127.0.0.1' }, { host: '127.0.0.1', servername: '127.0.0.1' }]) {
      const s = connect({ port, ca: pki.ca, ...o });
      await once(s, 'secureConnect');
      assert.equal(s.authorized, true, 'verified against the IP SAN');
      s.resume();
      await once(s, 'close');
    }
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [false, false, false]);
    assert.equal(warnings.filter((c) => c === 'DEP0123').length, 1);
  } finally {
    process.off('warning', onWarning);
    server.close();
  }
});

test('unsupported options throw an error that names the option', () => {
  // secureProtocol is supported now; its by-design refusals are node's ERR_TLS_INVALID_PROTOCOL_METHOD (node-api.test.ts).
  assert.throws(() => connect({ port: 1, secureProtocol: 'TLSv1_method' }), { code: 'ERR_TLS_INVALID_PROTOCOL_METHOD', message: /'secureProtocol'|secureProtocol 'TLSv1_method'/ });
  for (const [name, value] of [['privateKeyEngine', 'x'], ['dhparam', 'x']] as const) {
    assert.throws(() => connect({ port: 1, [name]: value } as never), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_HUSH_UNSUPPORTED_OPTION');
      assert.ok(e.message.includes(`'${name}'`), e.message);
      return true;
    });
  }
});

test('server side, requestCert without rejecting: authorized/authorizationError like node:tls', async () => {
  const clients: [string, Record<string, unknown>][] = [
    ['no certificate', {}],
    ['no certificate (TLS 1.2)', { maxVersion: 'TLSv1.2' }],
    ['untrusted certificate', { ...pki.strangerClient }],
    ['trusted certificate', { ...pki.client }],
  ];
  for (const [name, copts] of clients) {
    const seen: string[] = [];
    for (const make of [tls.createServer, createServer] as const) {
      const server = (make as (o: object, l: (s: tls.TLSSocket) => void) => tls.Server)(
        { ...pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: false },
        (s) => {
          seen.push(`${String(s.authorized)} ${String(s.authorizationError)}`);
          s.end('x');
        },
      );
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const c = tls.connect({ port: (server.address() as AddressInfo).port, host: 'localhost', ca: pki.ca, ...copts });
      c.on('error', () => {});
      c.resume();
      await new Promise((r) => c.once('close', r));
      server.close();
    }
    assert.equal(seen.length, 2, name);
    assert.equal(seen[1], seen[0], name);
  }
});

test('protocol errors: plain HTTP or garbage where TLS was expected, the codes node:tls gives', async () => {
  // Client side: the server answers in plain HTTP.
  const plain = net.createServer((c) => {
    c.on('error', () => {});
    c.once('data', () => c.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  });
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  try {
    const port = (plain.address() as AddressInfo).port;
    const n = await runOnce(tls.connect as never, { port, ca: pki.ca });
    const h = await runOnce(connect as never, { port, ca: pki.ca });
    assert.equal(n.code, 'ERR_SSL_WRONG_VERSION_NUMBER');
    assert.equal(h.code, n.code);
    assert.deepEqual(h.events, n.events);
    assert.match(String((h.error?.hush as { message?: string }).message), /plain HTTP/);
  } finally {
    plain.close();
  }
  // Server side: a client that sends an HTTP request, or garbage.
  for (const bytes of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'hello world hello world\r\n']) {
    const codes: string[] = [];
    for (const make of [tls.createServer, createServer] as const) {
      const server = (make as (o: object) => tls.Server)({ ...pki.server });
      const errors: string[] = [];
      server.on('tlsClientError', (e: Error & { code?: string }) => errors.push(String(e.code)));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const c = net.connect((server.address() as AddressInfo).port, '127.0.0.1', () => c.write(bytes));
      c.on('error', () => {});
      c.resume();
      await new Promise((r) => c.once('close', r));
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      server.close();
      codes.push(String(errors[0]));
    }
    assert.equal(codes[1], codes[0], JSON.stringify(bytes));
  }
});

/** openssl s_server requiring a client certificate from pki.ca; its port, and a stop function. */
async function opensslServer(extra: readonly string[]): Promise<{ port: number; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'hush-compat-'));
  writeFileSync(join(dir, 'cert.pem'), pki.server.cert);
  writeFileSync(join(dir, 'key.pem'), pki.server.key);
  writeFileSync(join(dir, 'ca.pem'), pki.ca);
  const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-cert', join(dir, 'cert.pem'), '-key', join(dir, 'key.pem'),
    '-CAfile', join(dir, 'ca.pem'), '-Verify', '1', '-verify_return_error', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stop = (): void => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${out}`)), 10_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
  }).catch((e: unknown) => {
    stop();
    throw e;
  });
  return { port, stop };
}

test('alerts from openssl s_server for client certificates: the same codes and events through both clients', { skip: interopSkip() }, async () => {
  requirePeer('openssl');
  const cases: [string, Record<string, unknown>, string][] = [
    ['untrusted client certificate', { ...pki.strangerClient }, 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
    ['expired client certificate', { ...pki.expiredClient }, 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED'],
    ['no client certificate (TLS 1.3)', {}, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'],
    ['no client certificate (TLS 1.2)', { maxVersion: 'TLSv1.2' }, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'],
    ['untrusted client certificate (TLS 1.2)', { ...pki.strangerClient, maxVersion: 'TLSv1.2' }, 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
  ];
  const srv = await opensslServer([]);
  try {
    for (const [name, opts, expected] of cases) {
      const n = await runOnce(tls.connect as never, { port: srv.port, ca: pki.ca, ...opts });
      const h = await runOnce(connect as never, { port: srv.port, ca: pki.ca, ...opts });
      assert.equal(n.code, expected, `${name}: node`);
      assert.equal(h.code, n.code, name);
      assert.equal(h.authorized, n.authorized, name);
      assert.equal(h.authorizationError, n.authorizationError, name);
      assert.deepEqual(h.events, n.events, name);
    }
  } finally {
    srv.stop();
  }
});

