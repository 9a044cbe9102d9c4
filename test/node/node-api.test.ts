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
});
