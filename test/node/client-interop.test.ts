// hush connect() against a node:tls server on 127.0.0.1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { makeCerts } from './certs.js';

const certs = makeCerts();
after(() => certs.cleanup());

async function nodeServer(opts: tls.TlsOptions, onSocket: (s: tls.TLSSocket) => void): Promise<{ port: number; server: tls.Server; close: () => Promise<void> }> {
  const server = tls.createServer({ key: certs.serverKey, cert: certs.serverCert, ...opts }, onSocket);
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function readAll(s: TLSSocket | tls.TLSSocket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return once(s, 'end').then(() => Buffer.concat(parts));
}

test('hush client ↔ node:tls server: verified handshake, ALPN, echo, close_notify both ways', async () => {
  const srv = await nodeServer({ ALPNProtocols: ['h2', 'http/1.1'] }, (s) => s.pipe(s));
  try {
    const order: string[] = [];
    const sock = connect({ host: 'localhost', port: srv.port, ca: certs.caCert, ALPNProtocols: ['http/1.1'] }, () => order.push('cb'));
    sock.on('secureConnect', () => order.push('secureConnect'));
    await once(sock, 'secureConnect');
    assert.deepEqual(order, ['cb', 'secureConnect']);
    assert.equal(sock.authorized, true);
    assert.equal(sock.authorizationError, null);
    assert.equal(sock.alpnProtocol, 'http/1.1');
    assert.equal(sock.getProtocol(), 'TLSv1.3');
    const c = sock.getCipher()!;
    assert.equal(c.version, 'TLSv1.3');
    assert.match(c.standardName, /^TLS_/);
    assert.deepEqual(sock.getEphemeralKeyInfo(), { type: 'ECDH', name: 'X25519', size: 253 });
    const cert = sock.getPeerCertificate(true);
    assert.ok(cert && 'subject' in cert);
    assert.equal(cert.subject.CN, 'localhost');
    assert.equal(cert.subjectaltname, 'DNS:localhost, IP Address:127.0.0.1');
    assert.ok(Buffer.isBuffer(cert.raw));
    assert.match(cert.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(cert.issuerCertificate?.subject.CN, 'hush test CA');
    assert.equal(cert.issuerCertificate?.issuerCertificate, cert.issuerCertificate, 'a self-signed root links to itself');
    const ekm = sock.exportKeyingMaterial(32, 'EXPERIMENTAL test');
    assert.equal(ekm.length, 32);
    const payload = randomBytes(3 * 1024 * 1024 + 17);
    const got = readAll(sock);
    sock.end(payload);
    const echoed = await got;
    assert.equal(createHash('sha256').update(echoed).digest('hex'), createHash('sha256').update(payload).digest('hex'));
    assert.equal(sock.truncated, false);
  } finally {
    await srv.close();
  }
});

test('exporter agrees with node:tls', async () => {
  let serverEkm: Buffer | undefined;
  const srv = await nodeServer({}, (s) => {
    serverEkm = s.exportKeyingMaterial(48, 'EXPORTER-hush-test', Buffer.from('ctx'));
    s.end();
  });
  try {
    const sock = connect({ host: '127.0.0.1', port: srv.port, ca: certs.caCert });
    await once(sock, 'secureConnect');
    const mine = sock.exportKeyingMaterial(48, 'EXPORTER-hush-test', Buffer.from('ctx'));
    sock.resume();
    await once(sock, 'end');
    assert.ok(serverEkm && mine.equals(serverEkm));
  } finally {
    await srv.close();
  }
});

test('unknown CA: the handshake fails with a certificate error; rejectUnauthorized:false reports it', async () => {
  const srv = await nodeServer({ key: certs.selfKey, cert: certs.selfCert }, (s) => s.end('hi'));
  try {
    const bad = connect({ host: 'localhost', port: srv.port, ca: certs.caCert });
    const [err] = (await once(bad, 'error')) as [Error & { code: string; hush: { alert: string } }];
    // node:tls's code for a self-signed leaf; hush's reason stays in err.hush.
    assert.equal(err.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(err.hush.alert, 'unknown_ca');
    const lax = connect({ host: 'localhost', port: srv.port, ca: certs.caCert, rejectUnauthorized: false });
    await once(lax, 'secureConnect');
    assert.equal(lax.authorized, false);
    assert.equal(lax.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.ok(lax.authorizationFailure instanceof Error);
    const body = await readAll(lax);
    assert.equal(body.toString(), 'hi');
  } finally {
    await srv.close();
  }
});

test('wrong host name is rejected; checkServerIdentity can veto a verified chain', async () => {
  const srv = await nodeServer({}, (s) => s.end('hi'));
  try {
    const wrong = connect({ host: '127.0.0.1', servername: 'example.com', port: srv.port, ca: certs.caCert });
    const [err] = (await once(wrong, 'error')) as [Error & { code: string }];
    assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    const calls: string[] = [];
    const veto = connect({
      host: 'localhost', port: srv.port, ca: certs.caCert,
      checkServerIdentity: (host, cert) => {
        calls.push(`${host} ${cert.subject.CN}`);
        return Object.assign(new Error('pinned key mismatch'), { code: 'ERR_PINNED' });
      },
    });
    const [verr] = (await once(veto, 'error')) as [Error & { code: string }];
    assert.equal(verr.code, 'ERR_PINNED');
    assert.deepEqual(calls, ['localhost localhost']);
  } finally {
    await srv.close();
  }
});

test('client certificate authentication with cert/key', async () => {
  const srv = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: certs.caCert }, (s) => {
    s.end(`client=${(s.getPeerCertificate() as tls.PeerCertificate).subject.CN}`);
  });
  try {
    const sock = connect({ host: 'localhost', port: srv.port, ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
    const body = await readAll(sock);
    assert.equal(body.toString(), 'client=hush test client');
  } finally {
    await srv.close();
  }
});

test('session resumption with the Buffer from a session event', async () => {
  const srv = await nodeServer({}, (s) => s.end('x'));
  try {
    const first = connect({ host: 'localhost', port: srv.port, ca: certs.caCert });
    const sessions: Buffer[] = [];
    first.on('session', (b: Buffer) => sessions.push(b));
    await readAll(first);
    assert.ok(sessions.length >= 1, 'got a session ticket');
    assert.equal(first.isSessionReused(), false);
    const second = connect({ host: 'localhost', port: srv.port, ca: certs.caCert, session: sessions.at(-1)! });
    await once(second, 'secureConnect');
    assert.equal(second.isSessionReused(), true);
    second.resume();
    await once(second, 'end');
  } finally {
    await srv.close();
  }
});

test('options: ciphers, ecdhCurve, version limits map onto the handshake', async () => {
  const srv = await nodeServer({}, (s) => s.end());
  try {
    const sock = connect({ host: 'localhost', port: srv.port, ca: certs.caCert, ciphers: 'TLS_CHACHA20_POLY1305_SHA256', ecdhCurve: 'P-256', minVersion: 'TLSv1.3' });
    await once(sock, 'secureConnect');
    assert.equal(sock.getCipher()?.name, 'TLS_CHACHA20_POLY1305_SHA256');
    assert.equal(sock.getEphemeralKeyInfo()?.name, 'prime256v1');
    sock.resume();
    await once(sock, 'end');
  } finally {
    await srv.close();
  }
});

test('keylog lines match what the node server logs', async () => {
  const serverLines: string[] = [];
  const srv = await nodeServer({}, (s) => s.end());
  srv.server.on('keylog', (l: Buffer) => serverLines.push(l.toString()));
  try {
    const sock = connect({ host: 'localhost', port: srv.port, ca: certs.caCert });
    const lines: string[] = [];
    sock.on('keylog', (l: Buffer) => lines.push(l.toString()));
    sock.resume();
    await once(sock, 'end');
    assert.ok(lines.length >= 4, `got ${lines.length} key log lines`);
    for (const l of lines) assert.ok(l.endsWith('\n'));
    assert.deepEqual([...lines].sort(), [...serverLines].sort());
  } finally {
    await srv.close();
  }
});
