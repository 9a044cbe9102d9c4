// node:tls API surface beyond connect()/createServer() basics (issue #16, "Gaps"): the public
// TLSSocket constructor, tls.Server without `new`, a server without a certificate until
// setSecureContext(), sockets that connect later, ECONNRESET before the handshake, argument checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { TLSSocket, Server, TLSServer, connect, createServer, createSecureContext } from '../../src/node/index.js';
import { makeCerts } from './certs.js';
import { listen, shut } from './listen.js';

const certs = makeCerts();

function errorOf(emitter: { once(ev: 'error', l: (e: Error) => void): unknown }): Promise<Error & { code?: string }> {
  return new Promise((resolve) => emitter.once('error', resolve));
}

test('new TLSSocket(raw, { isServer, secureContext, ALPNProtocols, requestCert }) serves a hush client', async () => {
  const ctx = createSecureContext({ key: certs.serverKey, cert: certs.serverCert, ca: certs.caCert });
  const served: TLSSocket[] = [];
  const srv = net.createServer((raw) => {
    const s = new TLSSocket(raw, { isServer: true, secureContext: ctx, ALPNProtocols: ['h2', 'x'], requestCert: true });
    served.push(s);
    s.on('secure', () => s.end(`hello ${String(s.alpnProtocol)} ${String(s.authorized)}`));
  });
  const port = await listen(srv);
  try {
    const c = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert, ALPNProtocols: ['x'], cert: certs.clientCert, key: certs.clientKey });
    let body = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => (body += d));
    await once(c, 'end');
    assert.equal(body, 'hello x true');
    assert.equal(c.authorized, true);
    assert.equal(served.length, 1);
    assert.equal(served[0]!.getPeerX509Certificate()?.subject, 'CN=hush test client');
    c.destroy();
  } finally {
    await shut(srv);
  }
});

test('new TLSSocket(socket) on a net.Socket that connects later: a bare client emits secure and reports authorized', async () => {
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => s.end('hi'));
  const port = await listen(srv);
  try {
    const raw = new net.Socket();
    const c = new TLSSocket(raw, { servername: 'localhost', ca: certs.caCert });
    const events: string[] = [];
    c.on('secureConnect', () => events.push('secureConnect'));
    c.on('secure', () => events.push('secure'));
    raw.connect(port, '127.0.0.1');
    let body = '';
    c.on('data', (d: Buffer) => (body += d.toString()));
    await once(c, 'end');
    assert.deepEqual(events, ['secure']);
    assert.equal(body, 'hi');
    assert.equal(c.authorized, true);
    c.destroy();
    // A bare client does not reject an unverified server, like node's: it reads `authorized`.
    const raw2 = new net.Socket();
    const c2 = new TLSSocket(raw2, { servername: 'localhost' });
    raw2.connect(port, '127.0.0.1');
    await once(c2, 'secure');
    assert.equal(c2.authorized, false);
    assert.equal(typeof c2.authorizationError, 'string');
    c2.destroy();
  } finally {
    await shut(srv);
  }
});

test('connect({ socket }) with a net.Socket that is not connected yet waits for it', async () => {
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => s.end('ok'));
  const port = await listen(srv);
  try {
    const raw = new net.Socket();
    const c = connect({ socket: raw, servername: 'localhost', ca: certs.caCert });
    setImmediate(() => raw.connect(port, '127.0.0.1'));
    await once(c, 'secureConnect');
    assert.equal(c.authorized, true);
    c.destroy();
  } finally {
    await shut(srv);
  }
});

test('tls.Server is callable without new; createServer() without key/cert fails handshakes until setSecureContext()', async () => {
  const callable = Server as unknown as (o: object) => TLSServer;
  const s0 = callable({ key: certs.serverKey, cert: certs.serverCert });
  assert.ok(s0 instanceof Server);
  assert.ok(s0 instanceof net.Server);

  const srv = createServer();
  srv.on('secureConnection', (s) => s.end('late'));
  const clientErrors: (Error & { code?: string })[] = [];
  srv.on('tlsClientError', (e: Error) => clientErrors.push(e));
  const port = await listen(srv);
  try {
    const c = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert });
    // The server fails the handshake (it cannot send an alert before choosing a config: the client
    // sees the connection close) and says what to do in 'tlsClientError'.
    const err = await errorOf(c);
    assert.equal(err.code, 'ECONNRESET');
    srv.setSecureContext({ key: certs.serverKey, cert: certs.serverCert });
    const c2 = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert });
    let body = '';
    c2.on('data', (d: Buffer) => (body += d.toString()));
    await once(c2, 'end');
    assert.equal(body, 'late');
    c2.destroy();
    assert.equal(clientErrors.length, 1);
    assert.match(clientErrors[0]!.message, /no certificate yet.*setSecureContext\(\)/);
  } finally {
    await shut(srv);
  }
});

test("a peer reset before the handshake: ECONNRESET, 'socket hang up' on the server, node's client message", async () => {
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert });
  const port = await listen(srv);
  try {
    const serverErr = new Promise<Error & { code?: string }>((r) => srv.once('tlsClientError', r));
    const raw = net.connect(port, '127.0.0.1');
    await once(raw, 'connect');
    raw.end();
    const e = await serverErr;
    assert.equal(e.code, 'ECONNRESET');
    assert.equal(e.message, 'socket hang up');
    raw.destroy();
  } finally {
    await shut(srv);
  }
  const accepted: net.Socket[] = [];
  const plain = net.createServer((raw) => {
    accepted.push(raw);
    raw.end();
  });
  const port2 = await listen(plain);
  try {
    const c = connect({ port: port2, host: '127.0.0.1' });
    const e = await errorOf(c);
    assert.equal(e.code, 'ECONNRESET');
    assert.equal(e.message, 'Client network socket disconnected before secure TLS connection was established');
  } finally {
    for (const r of accepted) r.destroy();
    await shut(plain);
  }
});

test("argument checks throw node's ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE", () => {
  assert.throws(() => createServer('nope' as never), { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' });
  assert.throws(() => new TLSSocket({} as never), { code: 'ERR_INVALID_ARG_TYPE' });
  const s = new TLSSocket(new net.Socket(), { servername: 'localhost' });
  assert.throws(() => s.setMaxSendFragment('1' as never), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => s.setMaxSendFragment(1.5), { code: 'ERR_OUT_OF_RANGE' });
  assert.equal(s.setMaxSendFragment(511), false);
  assert.equal(s.setMaxSendFragment(16385), false);
  assert.equal(s.setMaxSendFragment(4096), true);
  s.destroy();
  assert.throws(() => connect({ port: 70000 }), { code: 'ERR_SOCKET_BAD_PORT', name: 'RangeError', message: 'Port should be >= 0 and < 65536. Received type number (70000).' });
  assert.throws(() => connect({ port: 1, servername: 1 as never }), { code: 'ERR_INVALID_ARG_TYPE', message: 'The "name" argument must be of type string. Received type number (1)' });
  assert.throws(() => createServer({ handshakeTimeout: 'x' as never }), { code: 'ERR_INVALID_ARG_TYPE', message: `The "options.handshakeTimeout" property must be of type number. Received type string ('x')` });
  assert.throws(() => connect({ port: 1, minVersion: 'TLSv0' }), { code: 'ERR_TLS_INVALID_PROTOCOL_VERSION', message: /^"TLSv0" is not a valid minimum TLS protocol version/ });
  assert.throws(() => connect({ port: 1, maxVersion: 'TLSv1.1' }), { code: 'ERR_TLS_INVALID_PROTOCOL_VERSION', message: /hush speaks only TLSv1.2 and TLSv1.3/ });
});

test("secureProtocol, secureOptions and ciphers: node's errors where hush refuses, version bits honoured", async () => {
  assert.throws(() => connect({ port: 1, secureProtocol: 'SSLv3_method' }), { code: 'ERR_TLS_INVALID_PROTOCOL_METHOD', message: 'SSLv3 methods disabled', name: 'TypeError' });
  assert.throws(() => connect({ port: 1, secureProtocol: 'Foo_method' }), { code: 'ERR_TLS_INVALID_PROTOCOL_METHOD', message: 'Unknown method: Foo_method' });
  assert.throws(() => connect({ port: 1, secureProtocol: 'TLSv1_method' }), { code: 'ERR_TLS_INVALID_PROTOCOL_METHOD', message: /hush speaks only TLSv1.2 and TLSv1.3/ });
  assert.throws(() => createServer({ key: certs.serverKey, cert: certs.serverCert, ciphers: 'RC4-MD5' }), { code: 'ERR_SSL_NO_CIPHER_MATCH', message: /^no cipher match/ });
  assert.throws(() => connect({ port: 1, secureOptions: 0x1 }), { code: 'ERR_HUSH_UNSUPPORTED_OPTION', message: /secureOptions bits 0x1/ });
  // pfx is read now (test/node/pfx.test.ts); bytes that are no PKCS#12 file say what to do.
  assert.throws(() => connect({ port: 1, pfx: Buffer.alloc(1) }), /pfx is not a PKCS#12 file hush can read .*openssl pkcs12 -in file.p12 -nodes -out key-and-cert.pem/);

  // A name hush does not implement is skipped while others match (OpenSSL's rule); TLSv1_2_method
  // and SSL_OP_NO_TLSv1_3 both pin TLS 1.2.
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert, secureOptions: 0x20000000 /* SSL_OP_NO_TLSv1_3 */ }, (s) => s.end(s.getProtocol() ?? ''));
  const port = await listen(srv);
  try {
    for (const opts of [{}, { secureProtocol: 'TLSv1_2_method', ciphers: 'RC4-MD5:ECDHE-ECDSA-AES128-GCM-SHA256' }]) {
      const c = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert, ...opts });
      let body = '';
      c.on('data', (d: Buffer) => (body += d.toString()));
      await once(c, 'end');
      assert.equal(body, 'TLSv1.2');
      assert.equal(c.getProtocol(), 'TLSv1.2');
      c.destroy();
    }
  } finally {
    await shut(srv);
  }
});

test('socket API: getCertificate, bufferSize, timeout, setServername, secureContext on connect(), signal, enableTrace', async () => {
  const ctx = createSecureContext({ ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert, ca: certs.caCert, requestCert: true, enableTrace: true }, (s) => {
    assert.equal((s.getCertificate() as { subject: { CN: string } }).subject.CN, 'localhost');
    assert.throws(() => s.setServername('x'), { code: 'ERR_TLS_SNI_FROM_SERVER' });
    shared.push(...s.getSharedSigalgs());
    s.renegotiate({}, (err) => renegotiation.push((err as Error & { code: string }).code));
    s.end(String(s.authorized));
  });
  const shared: string[] = [];
  const renegotiation: string[] = [];
  const traced: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (String(chunk).startsWith('hush ')) {
      traced.push(String(chunk));
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  const port = await listen(srv);
  try {
    const c = connect({ port, host: '127.0.0.1', servername: 'localhost', secureContext: ctx, timeout: 60_000 });
    assert.equal(c.timeout, 60_000);
    assert.equal(c.bufferSize, 0);
    assert.throws(() => c.setServername(1 as never), { code: 'ERR_INVALID_ARG_TYPE' });
    // Before the ClientHello the name may change; the last one is sent (test/node/servername.test.ts).
    c.setServername('other.example');
    c.setServername('localhost');
    let body = '';
    let ownCn = '';
    c.on('secureConnect', () => (ownCn = (c.getCertificate() as { subject: { CN: string } }).subject.CN));
    c.on('data', (d: Buffer) => (body += d.toString()));
    await once(c, 'end');
    assert.equal(body, 'true', 'the client certificate from secureContext was sent and verified');
    assert.equal(c.authorized, true, 'the ca from secureContext verified the server');
    assert.equal(ownCn, 'hush test client');
    assert.ok(shared.includes('ECDSA+SHA256') && shared.includes('RSA-PSS+SHA256'), shared.join());
    assert.deepEqual(renegotiation, ['ERR_TLS_RENEGOTIATION_DISABLED']);
    c.destroy();
    assert.equal(c.getCertificate(), null);
    assert.ok(traced.some((l) => l.startsWith('hush server [') && /ClientHello/i.test(l)), `narration printed: ${traced.length} lines`);

    const ac = new AbortController();
    const c2 = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert, signal: ac.signal });
    ac.abort();
    const e = await errorOf(c2);
    assert.equal(e.name, 'AbortError');
    assert.equal(e.code, 'ABORT_ERR');
  } finally {
    process.stderr.write = write;
    await shut(srv);
  }
});

test('connect({ path }) uses the Unix socket (preferred over host/port, like node)', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'hush-path-'));
  const path = join(dir, 's.sock');
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => s.end('unix'));
  srv.listen(path);
  await once(srv, 'listening');
  try {
    const c = connect({ path, host: 'localhost', port: 1, ca: certs.caCert });
    let body = '';
    c.on('data', (d: Buffer) => (body += d.toString()));
    await once(c, 'end');
    assert.equal(body, 'unix');
    c.destroy();
  } finally {
    await shut(srv);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no hangs: destroying the underlying socket closes the TLS socket (before and after the handshake); addContext with requestCert completes', async () => {
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert, requestCert: true, rejectUnauthorized: false, ca: certs.caCert }, (s) => s.end(String(s.authorized)));
  srv.addContext('other.localhost', createSecureContext({ key: certs.serverKey, cert: certs.serverCert }));
  const port = await listen(srv);
  try {
    const c = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
    let body = '';
    c.on('data', (d: Buffer) => (body += d.toString()));
    await once(c, 'end');
    assert.equal(body, 'true', 'addContext + requestCert: the client certificate was asked for and verified');
    c.destroy();

    const c2 = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert });
    await once(c2, 'secureConnect');
    c2.socket.destroy();
    const [hadError] = (await once(c2, 'close')) as [boolean];
    assert.equal(hadError, false);

    const c3 = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert });
    const e3 = errorOf(c3);
    c3.socket.destroy();
    assert.equal((await e3).code, 'ECONNRESET');
    assert.equal(c3.destroyed, true);
  } finally {
    await shut(srv);
  }
});

test('data written before the handshake completes, then end(): everything arrives', async () => {
  let received = 0;
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    s.on('data', (d: Buffer) => (received += d.length));
    s.on('end', () => s.end(String(received)));
  });
  const port = await listen(srv);
  try {
    const c = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert });
    for (let i = 0; i < 100; i++) c.write(Buffer.alloc(10_000, i));
    c.end(Buffer.alloc(5));
    let answer = '';
    c.on('data', (d: Buffer) => (answer += d.toString()));
    await once(c, 'end');
    assert.equal(answer, '1000005');
    c.destroy();
  } finally {
    await shut(srv);
  }
});

test("onread: data lands in the caller's buffer, no 'data' events; returning false pauses until resume()", async () => {
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => s.end(Buffer.alloc(5000, 7)));
  const port = await listen(srv);
  try {
    const buffer = Buffer.alloc(1000);
    let total = 0;
    let calls = 0;
    let paused = 0;
    let dataEvents = 0;
    const c = connect({
      port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert,
      onread: {
        buffer,
        callback: (n, buf) => {
          calls++;
          assert.equal(buf, buffer);
          assert.ok(buf.subarray(0, n).every((b) => b === 7));
          total += n;
          if (calls === 1) {
            paused++;
            setImmediate(() => c.resume());
            return false;
          }
          return true;
        },
      },
    });
    c.on('data', () => dataEvents++);
    await once(c, 'end');
    assert.equal(total, 5000);
    assert.ok(calls >= 5, `at most 1000 bytes a call: ${calls} calls`);
    assert.equal(paused, 1);
    assert.equal(dataEvents, 0);
    c.destroy();
    assert.throws(() => connect({ port, onread: { buffer: 'x', callback: () => {} } } as never), { code: 'ERR_INVALID_ARG_TYPE' });
  } finally {
    await shut(srv);
  }
});
