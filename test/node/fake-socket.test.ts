// TLSSocket over TCP on 127.0.0.1 with the null-cipher FakeConnection: backpressure, event order,
// end/close semantics, truncation, alerts and the handshake timeout, independent of the real core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { TLSSocket, type TLSSocketOptions } from '../../src/node/socket.js';
import { decodeSession, encodeSession } from '../../src/node/session.js';
import { FakeConnection, type FakeOptions } from './fake-connection.js';

type Side = Omit<TLSSocketOptions, 'connection'> & { fake?: FakeOptions };

interface Pair {
  client: TLSSocket;
  clientConn: FakeConnection;
  server: Promise<{ socket: TLSSocket; conn: FakeConnection; raw: net.Socket }>;
  clientRaw: net.Socket;
  done: () => Promise<void>;
}

async function pair(c: Side = {}, s: Side = {}): Promise<Pair> {
  const raws: net.Socket[] = [];
  let resolve!: (v: { socket: TLSSocket; conn: FakeConnection; raw: net.Socket }) => void;
  const server = new Promise<{ socket: TLSSocket; conn: FakeConnection; raw: net.Socket }>((r) => (resolve = r));
  const srv = net.createServer({ allowHalfOpen: true }, (raw) => {
    raws.push(raw);
    const conn = new FakeConnection('server', s.fake);
    const socket = new TLSSocket(raw, { ...s, connection: conn });
    socket.on('error', () => {});
    resolve({ socket, conn, raw });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  const clientRaw = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  raws.push(clientRaw);
  const clientConn = new FakeConnection('client', c.fake);
  const client = new TLSSocket(clientRaw, { ...c, connection: clientConn });
  return {
    client, clientConn, server, clientRaw,
    done: async () => {
      for (const r of raws) r.destroy();
      srv.close();
      await once(srv, 'close');
    },
  };
}

function collect(s: TLSSocket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return once(s, 'end').then(() => Buffer.concat(parts));
}

test('handshake, data both ways, session and close_notify: events in node order', async () => {
  const p = await pair({ fake: { tickets: 2, serverName: 'example.test' }, servername: 'example.test' }, { fake: { tickets: 2 } });
  try {
    const order: string[] = [];
    const sessions: Buffer[] = [];
    p.client.on('secureConnect', () => order.push('secureConnect'));
    p.client.on('session', (b: Buffer) => { order.push('session'); sessions.push(b); });
    p.client.on('data', () => order.push('data'));
    p.client.on('end', () => order.push('end'));
    const closed = once(p.client, 'close').then(() => order.push('close'));
    p.client.write('hello from client');
    const { socket } = await p.server;
    const serverGot: Buffer[] = [];
    let secure = false;
    socket.on('secure', () => (secure = true));
    socket.on('data', (d: Buffer) => {
      serverGot.push(d);
      socket.end('bye from server');
    });
    const serverEnd = once(socket, 'end');
    await closed;
    await serverEnd;
    assert.ok(secure, 'server emitted secure');
    assert.equal(Buffer.concat(serverGot).toString(), 'hello from client');
    assert.deepEqual(order, ['secureConnect', 'session', 'session', 'data', 'end', 'close']);
    assert.equal(sessions.length, 2);
    assert.equal(p.client.getSession()?.equals(sessions[1]!), true);
    assert.equal(p.client.truncated, false);
    assert.equal(p.client.getProtocol(), 'TLSv1.3');
    assert.deepEqual(p.client.getCipher(), { name: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3' });
    assert.deepEqual(p.client.getEphemeralKeyInfo(), { type: 'ECDH', name: 'X25519', size: 253 });
    assert.equal(socket.getEphemeralKeyInfo(), null);
    assert.equal(p.client.alpnProtocol, false);
    assert.equal(p.client.authorized, true);
    assert.equal(p.client.servername, 'example.test');
    assert.equal(socket.servername, 'example.test');
    assert.equal(p.client.isSessionReused(), false);
    assert.deepEqual(p.client.getPeerCertificate(), {});
    assert.equal(p.client.encrypted, true);
    // Each side sent close_notify once.
    assert.deepEqual(p.clientConn.log.filter((t) => t === 'closed'), ['closed']);
  } finally {
    await p.done();
  }
});

test('before the handshake: getters are empty and writes are held until keys exist', async () => {
  const p = await pair();
  try {
    assert.equal(p.client.getProtocol(), null);
    assert.equal(p.client.getCipher(), undefined);
    assert.equal(p.client.getPeerCertificate(), null);
    assert.equal(p.client.alpnProtocol, null);
    p.client.write('early');
    p.client.end();
    const { socket } = await p.server;
    const got = await collect(socket);
    assert.equal(got.toString(), 'early');
  } finally {
    await p.done();
  }
});

test('16 MiB through a slow reader completes with bounded buffering', { timeout: 30_000 }, async () => {
  const p = await pair();
  try {
    const payload = randomBytes(16 * 1024 * 1024);
    const want = createHash('sha256').update(payload).digest('hex');
    // Watch how much the client queues in its TCP socket.
    let maxRawQueued = 0;
    const origWrite = p.clientRaw.write.bind(p.clientRaw) as (...a: unknown[]) => boolean;
    (p.clientRaw as unknown as { write: (...a: unknown[]) => boolean }).write = (...a: unknown[]) => {
      const ok = origWrite(...a);
      maxRawQueued = Math.max(maxRawQueued, p.clientRaw.writableLength);
      return ok;
    };
    let drains = 0;
    p.clientRaw.on('drain', () => drains++);
    const { socket, raw } = await p.server;
    const h = createHash('sha256');
    let got = 0;
    let maxReadable = 0;
    let rawPauses = 0;
    const origPause = raw.pause.bind(raw);
    raw.pause = () => { rawPauses++; return origPause(); };
    const done = new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        h.update(d);
        got += d.length;
        maxReadable = Math.max(maxReadable, socket.readableLength);
        // A slow reader: stop after every chunk and come back a little later.
        socket.pause();
        setTimeout(() => socket.resume(), got % (1 << 20) < d.length ? 5 : 0);
      });
      socket.on('end', () => resolve());
    });
    let writeCbAt = -1;
    p.client.write(payload, () => (writeCbAt = got));
    p.client.end();
    await done;
    assert.equal(got, payload.length);
    assert.equal(h.digest('hex'), want);
    // Our own queue in the TCP socket stays small (a slice plus a socket high-water mark)...
    assert.ok(maxRawQueued <= 256 * 1024, `client TCP queue reached ${maxRawQueued}`);
    assert.ok(drains > 0, 'the client waited for drain');
    // ...the write callback only fired once most of it had gone out (the rest sits in the
    // kernel's loopback buffers, a few MiB)...
    assert.ok(writeCbAt >= payload.length / 2, `write callback fired early, after ${writeCbAt} bytes read`);
    // ...and the reader's side paused its TCP socket instead of buffering without bound.
    assert.ok(rawPauses > 0, 'server paused its TCP socket');
    assert.ok(maxReadable <= 256 * 1024, `server readable buffer reached ${maxReadable}`);
  } finally {
    await p.done();
  }
});

test('TCP EOF without close_notify: end with truncated = true', async () => {
  const p = await pair();
  try {
    const { raw } = await p.server;
    await once(p.client, 'secureConnect');
    const ended = collect(p.client);
    raw.end(); // plain FIN, no close_notify
    await ended;
    assert.equal(p.client.truncated, true);
  } finally {
    await p.done();
  }
});

test('TCP EOF without close_notify with rejectTruncation: ERR_TLS_TRUNCATED', async () => {
  const p = await pair({ rejectTruncation: true });
  try {
    const { raw } = await p.server;
    await once(p.client, 'secureConnect');
    raw.end();
    const [err] = (await once(p.client, 'error')) as [Error & { code: string }];
    assert.equal(err.code, 'ERR_TLS_TRUNCATED');
    assert.equal(p.client.truncated, true);
  } finally {
    await p.done();
  }
});

test('EOF before the handshake completes: ECONNRESET', async () => {
  const p = await pair({}, { fake: { silent: true } });
  try {
    const { raw } = await p.server;
    raw.end();
    const [err] = (await once(p.client, 'error')) as [Error & { code: string }];
    assert.equal(err.code, 'ECONNRESET');
  } finally {
    await p.done();
  }
});

test('handshake timeout destroys the socket with ERR_TLS_HANDSHAKE_TIMEOUT', async () => {
  const p = await pair({ handshakeTimeout: 150 }, { fake: { silent: true } });
  try {
    const t0 = Date.now();
    const [err] = (await once(p.client, 'error')) as [Error & { code: string }];
    assert.equal(err.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    const ms = Date.now() - t0;
    assert.ok(ms >= 100 && ms < 5000, `timed out after ${ms} ms`);
    await once(p.clientRaw, 'close');
    assert.equal(p.client.destroyed, true);
  } finally {
    await p.done();
  }
});

test('a fatal error flushes the alert: both sides see the TlsError', async () => {
  const p = await pair({}, { fake: { failOn: 'POISON' } });
  try {
    const { socket } = await p.server;
    const serverErr = once(socket, 'error');
    await once(p.client, 'secureConnect');
    p.client.write('POISON');
    const [cerr] = (await once(p.client, 'error')) as [Error & { code: string; hush: { code: string; remote: boolean } }];
    const [serr] = (await serverErr) as [Error & { code: string; hush: { code: string; remote: boolean } }];
    // node:tls's codes: a bad record detected locally, and the alert received.
    assert.equal(serr.code, 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
    assert.equal(serr.hush.code, 'ERR_TLS_BAD_RECORD_MAC');
    assert.equal(serr.hush.remote, false);
    assert.equal(cerr.code, 'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC');
    assert.equal(cerr.hush.remote, true, 'the client got it as an alert from the peer');
  } finally {
    await p.done();
  }
});

test('keylog lines are Buffers ending in a newline, like node', async () => {
  const p = await pair({ fake: { keyLog: true } });
  try {
    const lines: Buffer[] = [];
    p.client.on('keylog', (l: Buffer) => lines.push(l));
    await once(p.client, 'secureConnect');
    assert.equal(lines.length, 1);
    assert.ok(Buffer.isBuffer(lines[0]));
    assert.equal(lines[0]!.toString(), 'CLIENT_TRAFFIC_SECRET_0 00 client\n');
  } finally {
    await p.done();
  }
});

test('write after the connection failed reports the error to the write callback or error event', async () => {
  const p = await pair({}, { fake: { failOn: 'X' } });
  try {
    await once(p.client, 'secureConnect');
    p.client.write('X');
    await once(p.client, 'error');
    assert.equal(p.client.destroyed, true);
    assert.equal(p.client.write('more', () => {}), false);
  } finally {
    await p.done();
  }
});

test('net passthroughs: addresses, setTimeout emits timeout, setNoDelay/setKeepAlive chain', async () => {
  const p = await pair();
  try {
    await once(p.client, 'secureConnect');
    assert.equal(p.client.remoteAddress, '127.0.0.1');
    assert.equal(typeof p.client.remotePort, 'number');
    assert.equal(p.client.localAddress, '127.0.0.1');
    assert.equal((p.client.address() as net.AddressInfo).address, '127.0.0.1');
    assert.equal(p.client.setNoDelay(true).setKeepAlive(true, 1000), p.client);
    let fired = 0;
    p.client.setTimeout(50, () => fired++);
    await once(p.client, 'timeout');
    p.client.setTimeout(0);
    assert.equal(fired, 1);
    assert.deepEqual([...p.client.exportKeyingMaterial(4, 'abc')], [3, 3, 3, 3]);
  } finally {
    await p.done();
  }
});

test('session Buffers round-trip and foreign bytes are refused clearly', () => {
  const t = {
    version: 'TLSv1.3' as const, serverName: 'a.test', cipherSuite: 0x1302, ticket: new Uint8Array([1, 2, 3]),
    secret: new Uint8Array(48).fill(9), receivedAt: 1_700_000_000_123, lifetime: 600, ageAdd: 0xfffffffe,
    maxEarlyData: 0, alpn: 'h2', peerCertificates: [new Uint8Array([0x30, 0x00])],
  };
  const back = decodeSession(encodeSession(t));
  assert.deepEqual(back, t);
  assert.throws(() => decodeSession(Buffer.from([0x30, 0x82, 0x01])), /not one hush produced/);
  assert.throws(() => decodeSession(Buffer.from('{"f":"hush-session","v":9}')), /format version 9/);
});
