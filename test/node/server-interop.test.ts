// hush createServer()/createHttpsServer() against node:tls and node:https clients on 127.0.0.1,
// and hush ↔ hush.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type ServerOptions } from '../../src/node/server.js';
import { createSecureContext } from '../../src/node/secure-context.js';
import { createHttpsServer } from '../../src/node/https.js';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { makeCerts } from './certs.js';

const certs = makeCerts();
after(() => certs.cleanup());

async function listen(server: Server | net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function shut(server: Server | net.Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  await closed;
}

function readAll(s: TLSSocket | tls.TLSSocket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return once(s, 'end').then(() => Buffer.concat(parts));
}

function hushServer(opts: Partial<ServerOptions>, onSecure: (s: TLSSocket) => void): Server {
  return createServer({ key: certs.serverKey, cert: certs.serverCert, ...opts }, onSecure);
}

test('node:tls client ↔ hush server: secureConnection, ALPN, SNI, echo of 4 MiB, close_notify', async () => {
  const events: string[] = [];
  let serverSide: TLSSocket | undefined;
  const server = hushServer({ ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
    serverSide = s;
    events.push('secureConnection');
    s.pipe(s);
  });
  server.on('connection', () => events.push('connection'));
  const port = await listen(server);
  try {
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, ALPNProtocols: ['http/1.1'] });
    await once(c, 'secureConnect');
    assert.equal(c.authorized, true, String(c.authorizationError));
    assert.equal(c.alpnProtocol, 'http/1.1');
    assert.equal(c.getProtocol(), 'TLSv1.3');
    const payload = randomBytes(4 * 1024 * 1024 + 3);
    const got = readAll(c);
    c.end(payload);
    const echoed = await got;
    assert.equal(createHash('sha256').update(echoed).digest('hex'), createHash('sha256').update(payload).digest('hex'));
    assert.deepEqual(events, ['connection', 'secureConnection']);
    assert.equal(serverSide?.servername, 'localhost');
    assert.equal(serverSide?.alpnProtocol, 'http/1.1');
    assert.equal(serverSide?.getEphemeralKeyInfo(), null);
    assert.equal(serverSide?.truncated, false);
  } finally {
    await shut(server);
  }
});

test('session tickets from the hush server resume a node:tls client; ticketKeys shared across servers resume too', async () => {
  const ticketKeys = randomBytes(48);
  const a = hushServer({ ticketKeys }, (s) => s.end('a'));
  const b = hushServer({ ticketKeys }, (s) => s.end('b'));
  const pa = await listen(a);
  const pb = await listen(b);
  try {
    const c1 = tls.connect({ host: '127.0.0.1', port: pa, servername: 'localhost', ca: certs.caCert });
    let session: Buffer | undefined;
    c1.on('session', (s: Buffer) => (session = s));
    await readAll(c1);
    assert.ok(session, 'node got a ticket');
    const c2 = tls.connect({ host: '127.0.0.1', port: pb, servername: 'localhost', ca: certs.caCert, session });
    const body = await readAll(c2);
    assert.equal(body.toString(), 'b');
    assert.equal(c2.isSessionReused(), true);
    assert.ok(a.getTicketKeys().equals(ticketKeys));
  } finally {
    await shut(a);
    await shut(b);
  }
});

test('SNICallback chooses the certificate by name (async, node style)', async () => {
  const other = createSecureContext({ key: certs.selfKey, cert: certs.selfCert });
  const asked: string[] = [];
  const server = hushServer({
    SNICallback: (name, cb) => {
      asked.push(name);
      setTimeout(() => cb(null, name === 'self.test' ? other : null), 5);
    },
  }, (s) => s.end(`hi ${String(s.servername)}`));
  const port = await listen(server);
  try {
    const c1 = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
    assert.equal((await readAll(c1)).toString(), 'hi localhost');
    const c2 = tls.connect({ host: '127.0.0.1', port, servername: 'self.test', rejectUnauthorized: false });
    await once(c2, 'secureConnect');
    assert.equal((c2.getPeerCertificate() as tls.PeerCertificate).fingerprint256, new (await import('node:crypto')).X509Certificate(certs.selfCert).fingerprint256);
    assert.equal((await readAll(c2)).toString(), 'hi self.test');
    assert.deepEqual(asked, ['localhost', 'self.test']);
  } finally {
    await shut(server);
  }
});

test('ALPNCallback picks the protocol; returning undefined rejects like node', async () => {
  const server = hushServer({ ALPNCallback: ({ protocols }) => (protocols.includes('b') ? 'b' : undefined) }, (s) => s.end(String(s.alpnProtocol)));
  const errors: Error[] = [];
  server.on('tlsClientError', (e: Error) => errors.push(e));
  const port = await listen(server);
  try {
    const ok = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, ALPNProtocols: ['a', 'b'] });
    assert.equal((await readAll(ok)).toString(), 'b');
    const no = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, ALPNProtocols: ['c'] });
    const [err] = (await once(no, 'error')) as [Error & { code?: string }];
    assert.match(String(err.message) + String(err.code), /no.application.protocol|NO_APPLICATION_PROTOCOL/i);
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((errors[0] as Error & { code?: string }).code, 'ERR_SSL_NO_APPLICATION_PROTOCOL');
  } finally {
    await shut(server);
  }
});

test('requestCert: a client certificate is required and verified against ca', async () => {
  const server = hushServer({ requestCert: true, ca: certs.caCert }, (s) => {
    const cert = s.getPeerCertificate();
    s.end(`${String(s.authorized)} ${cert && 'subject' in cert ? cert.subject.CN : '-'}`);
  });
  const errors: string[] = [];
  server.on('tlsClientError', (e: Error & { code?: string }) => errors.push(String(e.code)));
  const port = await listen(server);
  try {
    const withCert = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
    assert.equal((await readAll(withCert)).toString(), 'true hush test client');
    const without = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
    without.on('data', () => {});
    const [err] = (await once(without, 'error')) as [Error];
    assert.ok(err);
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(errors[0], 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
  } finally {
    await shut(server);
  }
});

test('tlsClientError for garbage and for a stalled handshake (handshakeTimeout); the server keeps serving', async () => {
  // 2 s, not less: the good client's handshake must finish within it even on a busy machine.
  const server = hushServer({ handshakeTimeout: 2000 }, (s) => s.end('ok'));
  const errors: string[] = [];
  server.on('tlsClientError', (e: Error & { code?: string }) => errors.push(String(e.code)));
  const port = await listen(server);
  try {
    const junk = net.connect(port, '127.0.0.1');
    junk.on('error', () => {});
    junk.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const staller = net.connect(port, '127.0.0.1');
    staller.on('error', () => {});
    const good = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
    assert.equal((await readAll(good)).toString(), 'ok');
    await once(staller, 'close');
    assert.ok(errors.includes('ERR_TLS_HANDSHAKE_TIMEOUT'), errors.join());
    assert.ok(errors.some((c) => c !== 'ERR_TLS_HANDSHAKE_TIMEOUT'), errors.join());
    junk.destroy();
  } finally {
    await shut(server);
  }
});

test('hush client ↔ hush server: keylog lines agree, trace events, the ClientHello on the server socket', async () => {
  const serverLines: string[] = [];
  const serverTraces: string[] = [];
  let hello: TLSSocket['clientHello'];
  const server = hushServer({ trace: true }, (s) => {
    hello = s.clientHello;
    s.pipe(s);
  });
  server.on('keylog', (l: Buffer, s: TLSSocket) => {
    assert.ok(s.encrypted);
    serverLines.push(l.toString());
  });
  server.on('trace', (ev: { event: string }) => serverTraces.push(ev.event));
  const port = await listen(server);
  try {
    const c = connect({ host: 'localhost', port, ca: certs.caCert, trace: true });
    const clientLines: string[] = [];
    const clientTraces: { event: string; message: string }[] = [];
    c.on('keylog', (l: Buffer) => clientLines.push(l.toString()));
    c.on('trace', (ev: { event: string; message: string }) => clientTraces.push(ev));
    const got = readAll(c);
    c.end('ping');
    assert.equal((await got).toString(), 'ping');
    assert.ok(serverLines.length >= 4);
    assert.deepEqual([...serverLines].sort(), [...clientLines].sort());
    assert.ok(clientTraces.length >= 3, `client traces: ${clientTraces.map((t) => t.event).join()}`);
    assert.equal(clientTraces[0]!.event, 'client_hello', 'the first trace (queued in the constructor) is not lost');
    assert.ok(clientTraces.every((t) => typeof t.message === 'string' && t.message.length > 0));
    assert.ok(serverTraces.length >= 3, `server traces: ${serverTraces.join()}`);
    assert.equal(hello?.serverName, 'localhost');
    assert.ok(hello?.cipherSuites.includes(0x1301));
  } finally {
    await shut(server);
  }
});

test('createHttpsServer: node:http handlers answer node:https requests over hush', async () => {
  const server = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert }, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const sock = req.socket as unknown as TLSSocket;
      res.setHeader('x-tls', `${String(sock.getProtocol())} ${String(sock.alpnProtocol)}`);
      res.end(`${req.method} ${req.url} ${Buffer.concat(parts).length}`);
    });
  });
  const port = await listen(server);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: certs.caCert, ALPNProtocols: ['http/1.1'] });
  try {
    for (let i = 0; i < 2; i++) {
      const req = https.request({ host: 'localhost', port, path: `/p${i}`, method: 'POST', agent });
      req.end(Buffer.alloc(100_000 * (i + 1)));
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      await once(res, 'end');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-tls'], 'TLSv1.3 http/1.1');
      assert.equal(Buffer.concat(parts).toString(), `POST /p${i} ${100_000 * (i + 1)}`);
    }
  } finally {
    agent.destroy();
    server.closeAllConnections();
    await shut(server);
  }
});

test('unsupported and bad options throw clear UsageErrors', () => {
  assert.throws(() => connect({ host: 'localhost', port: 1, dhparam: 'x' } as never), /does not support option 'dhparam' yet; hush uses ECDHE only/);
  // enableTrace and a hush secureContext are supported now (test/node/node-api.test.ts); node's own context is not.
  assert.throws(() => connect({ host: 'localhost', port: 1, secureContext: {} } as never), /secureContext must come from hush's createSecureContext\(\)/);
  assert.throws(() => connect({ host: 'localhost', port: 1, ciphers: 'RC4-MD5' }), /cipher 'RC4-MD5' is not one hush implements/);
  assert.throws(() => connect({ host: 'localhost', port: 1, ecdhCurve: 'brainpoolP256r1' }), /ecdhCurve 'brainpoolP256r1'/);
  assert.throws(() => connect({ host: 'localhost', port: 1, minVersion: 'TLSv1.1' }), /TLSv1.1/);
  assert.throws(() => connect({ host: 'localhost', port: 1, session: Buffer.from('nope') }), /not one hush produced/);
  assert.throws(() => createServer({ key: certs.serverKey, cert: certs.serverCert, pfx: Buffer.alloc(1) }), /pfx is not a PKCS#12 file hush can read/);
  // Like node, a server without key/cert is allowed until a connection arrives (test/node/node-api.test.ts).
  assert.doesNotThrow(() => createServer({}));
  assert.throws(() => createServer({ key: certs.clientKey, cert: certs.serverCert }), /no certificate in cert carries this private key/);
  assert.throws(() => createServer({ key: certs.serverKey, cert: certs.serverCert, ALPNProtocols: ['h2'], ALPNCallback: () => 'h2' }), /cannot both be set/);
});
