// getFinished()/getPeerFinished() and setSession() (issue #16) against node:tls on 127.0.0.1, both
// directions, TLS 1.3 and 1.2: each side's Finished is the other's peer Finished byte for byte (the
// lengths node gives: 32/48 in TLS 1.3, 12 in TLS 1.2), for full and resumed handshakes; a session
// set with setSession() right after connect() resumes, as with node:tls; once the ClientHello left,
// setSession() throws a UsageError that says when to call it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { once } from 'node:events';
import { createServer } from '../../src/node/server.js';
import { connect } from '../../src/node/connect.js';
import { TLSSocket } from '../../src/node/socket.js';
import '../../src/node/index.js';
import { makeCerts } from './certs.js';
import { closed, listen } from './listen.js';

const certs = makeCerts();
after(() => certs.cleanup());

interface Seen {
  local: string | undefined;
  peer: string | undefined;
  reused: boolean;
}

type AnySocket = tls.TLSSocket | TLSSocket;
type MakeServer = (options: tls.TlsOptions, listener: (s: AnySocket) => void) => net.Server;
type Connect = (options: Record<string, unknown>) => AnySocket;

/** (@types/node's tls.TLSSocket lacks setSession; node:tls has it.) */
const setSession = (s: AnySocket, session: Buffer | string): void => (s as TLSSocket).setSession(session);

const hex = (b: Buffer | null | undefined): string | undefined => b?.toString('hex');

function seen(s: AnySocket): Seen {
  return { local: hex(s.getFinished()), peer: hex(s.getPeerFinished()), reused: s.isSessionReused() };
}

/** A server recording what each of its sockets saw at the handshake. */
async function server(make: MakeServer, options: tls.TlsOptions): Promise<{ port: number; seen: Seen[]; close: () => void }> {
  const record: Seen[] = [];
  const srv = make({ key: certs.serverKey, cert: certs.serverCert, ...options }, (s) => {
    record.push(seen(s));
    s.on('error', () => {});
    s.end('x');
  });
  const port = await listen(srv);
  return { port, seen: record, close: () => srv.close() };
}

/** One client connection: what it saw at 'secureConnect', and the last session it received. */
async function client(conn: Connect, port: number, options: Record<string, unknown>, before?: (s: AnySocket) => void): Promise<Seen & { session: Buffer | undefined }> {
  const s = conn({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, ...options });
  before?.(s);
  let session: Buffer | undefined;
  let at: Seen | undefined;
  s.on('session', (b: Buffer) => (session = b));
  s.once('secureConnect', () => (at = seen(s)));
  assert.equal(s.getFinished(), undefined, 'undefined before the handshake');
  assert.equal(s.getPeerFinished(), undefined, 'undefined before the handshake');
  s.on('error', () => {});
  s.resume();
  await closed(s);
  assert.ok(at, 'the handshake completed');
  return { ...at, session };
}

const VARIANTS: { name: string; client: Record<string, unknown>; length: number }[] = [
  { name: 'TLS 1.3 AES-128-GCM-SHA256', client: { ciphers: 'TLS_AES_128_GCM_SHA256' }, length: 32 },
  { name: 'TLS 1.3 AES-256-GCM-SHA384', client: { ciphers: 'TLS_AES_256_GCM_SHA384' }, length: 48 },
  { name: 'TLS 1.2', client: { maxVersion: 'TLSv1.2' }, length: 12 },
];

const PAIRS: { name: string; make: MakeServer; conn: Connect; hushClient: boolean }[] = [
  { name: 'hush client ↔ node:tls server', make: tls.createServer as unknown as MakeServer, conn: connect as unknown as Connect, hushClient: true },
  { name: 'node:tls client ↔ hush server', make: createServer as unknown as MakeServer, conn: tls.connect as unknown as Connect, hushClient: false },
];

for (const pair of PAIRS) {
  for (const v of VARIANTS) {
    test(`${pair.name}, ${v.name}: getFinished() = the peer's getPeerFinished(), full and resumed`, async () => {
      const srv = await server(pair.make, {});
      try {
        const first = await client(pair.conn, srv.port, v.client);
        // The hush client resumes through setSession() after connect(), node's through `session`.
        const second = pair.hushClient
          ? await client(pair.conn, srv.port, v.client, (s) => setSession(s, first.session!))
          : await client(pair.conn, srv.port, { ...v.client, session: first.session });
        assert.equal(srv.seen.length, 2);
        for (const [c, s, reused] of [[first, srv.seen[0]!, false], [second, srv.seen[1]!, true]] as const) {
          assert.equal(c.reused, reused, 'client isSessionReused()');
          assert.equal(s.reused, reused, 'server isSessionReused()');
          assert.equal(c.local?.length, v.length * 2, 'getFinished() length');
          assert.equal(c.peer?.length, v.length * 2, 'getPeerFinished() length');
          assert.equal(c.local, s.peer, "the client's getFinished() is the server's getPeerFinished()");
          assert.equal(c.peer, s.local, "the server's getFinished() is the client's getPeerFinished()");
          assert.notEqual(c.local, c.peer);
        }
        assert.notEqual(second.local, first.local);
      } finally {
        srv.close();
      }
    });
  }
}

test('setSession() right after connect() resumes with a hush server, TLS 1.3 and 1.2', async () => {
  const srv = await server(createServer as unknown as MakeServer, {});
  const other = await server(createServer as unknown as MakeServer, {});
  try {
    for (const o of [{}, { maxVersion: 'TLSv1.2' }]) {
      const first = await client(connect as unknown as Connect, srv.port, o);
      assert.equal(first.reused, false);
      assert.ok(first.session);
      const second = await client(connect as unknown as Connect, srv.port, o, (s) => setSession(s, first.session!));
      assert.equal(second.reused, true, JSON.stringify(o));
      // The session as a latin1 string, like node accepts it.
      const third = await client(connect as unknown as Connect, srv.port, o, (s) => setSession(s, first.session!.toString('latin1')));
      assert.equal(third.reused, true);
      // setSession() wins over connect({ session }) (here one from another server, which would not resume).
      const elsewhere = await client(connect as unknown as Connect, other.port, o);
      const fourth = await client(connect as unknown as Connect, srv.port, { ...o, session: elsewhere.session }, (s) => setSession(s, first.session!));
      assert.equal(fourth.reused, true);
      const fifth = await client(connect as unknown as Connect, srv.port, { ...o, session: elsewhere.session });
      assert.equal(fifth.reused, false);
    }
  } finally {
    srv.close();
    other.close();
  }
});

test('setSession() on connect({ socket }) (connected or still connecting) and on new TLSSocket(socket)', async () => {
  const srv = await server(createServer as unknown as MakeServer, {});
  try {
    const first = await client(connect as unknown as Connect, srv.port, {});
    const connected = net.connect(srv.port, '127.0.0.1');
    await once(connected, 'connect');
    const a = await client(connect as unknown as Connect, srv.port, { socket: connected }, (s) => setSession(s, first.session!));
    assert.equal(a.reused, true, 'connected socket: the hello waits a tick');
    const connecting = net.connect(srv.port, '127.0.0.1');
    const b = await client(connect as unknown as Connect, srv.port, { socket: connecting }, (s) => setSession(s, first.session!));
    assert.equal(b.reused, true, 'connecting socket: the hello waits for its connect');
    // A bare client socket emits 'secure'.
    const raw = net.connect(srv.port, '127.0.0.1');
    const bare = new TLSSocket(raw, { servername: 'localhost', ca: certs.caCert });
    bare.setSession(first.session!);
    await once(bare, 'secure');
    assert.equal(bare.isSessionReused(), true);
    bare.destroy();
  } finally {
    srv.close();
  }
});

test('setSession() once the ClientHello left throws a UsageError saying when to call it; a server socket refuses it', async () => {
  let serverSide: AnySocket | undefined;
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    serverSide = s;
    s.end('x');
  });
  const port = await listen(srv);
  try {
    const first = await client(connect as unknown as Connect, port, {});
    const tooLate = { code: 'ERR_HUSH_USAGE', message: /must be set before.*right after connect\(\)/ };
    const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
    // In a 'connect' listener it still counts: the hello is built right after.
    s.once('connect', () => setSession(s, first.session!));
    await once(s, 'secureConnect');
    assert.equal(s.isSessionReused(), true);
    assert.throws(() => s.setSession(first.session!), tooLate);
    assert.throws(() => s.setSession(Buffer.from('not a session')), { name: 'UsageError' });
    assert.ok(serverSide);
    assert.throws(() => (serverSide as TLSSocket).setSession(first.session!), { name: 'UsageError', message: /client sockets/ });
    s.resume();
    await closed(s);
    // Between 'connect' and the handshake's end, too.
    const t = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
    await once(t, 'connect');
    assert.throws(() => t.setSession(first.session!), tooLate);
    t.resume();
    await closed(t);
  } finally {
    srv.close();
  }
});

test('the first flight still follows writes made before connecting, and an unconnected socket given to connect()', async () => {
  const got: string[] = [];
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    let body = '';
    s.on('data', (d: Buffer) => (body += d.toString()));
    s.on('end', () => {
      got.push(body);
      s.end();
    });
  });
  const port = await listen(srv);
  try {
    const a = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
    a.end('written before the socket connected');
    a.resume();
    await closed(a);
    const raw = new net.Socket();
    const b = connect({ socket: raw, servername: 'localhost', ca: certs.caCert });
    b.end('through a socket connected later');
    setImmediate(() => raw.connect(port, '127.0.0.1'));
    b.resume();
    await closed(b);
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, ['written before the socket connected', 'through a socket connected later']);
  } finally {
    srv.close();
  }
});

/** What getFinished()/getPeerFinished() give: 'undefined', 'null' or the Buffer's length. */
function finishedState(s: AnySocket): string {
  const show = (v: Buffer | null | undefined): string => (v === undefined ? 'undefined' : v === null ? 'null' : `${v.length} bytes`);
  return `${show(s.getFinished())}/${show(s.getPeerFinished())}`;
}

for (const pair of PAIRS) {
  test(`${pair.name}: getFinished()/getPeerFinished() are null once the socket is destroyed, on both sides`, async () => {
    const serverSaw: string[] = [];
    const srv = pair.make({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
      serverSaw.push(finishedState(s));
      s.on('error', () => {});
      s.on('close', () => serverSaw.push(finishedState(s)));
      s.end('x');
    });
    const port = await listen(srv);
    try {
      const clientSaw: string[] = [];
      const s = pair.conn({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, ciphers: 'TLS_AES_128_GCM_SHA256' });
      s.on('error', () => {});
      clientSaw.push(finishedState(s));
      s.once('secureConnect', () => clientSaw.push(finishedState(s)));
      s.resume();
      s.once('end', () => {
        clientSaw.push(finishedState(s));
        s.destroy();
        clientSaw.push(finishedState(s)); // at once, like node
      });
      await closed(s);
      clientSaw.push(finishedState(s));
      for (let i = 0; i < 200 && serverSaw.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(clientSaw, ['undefined/undefined', '32 bytes/32 bytes', '32 bytes/32 bytes', 'null/null', 'null/null']);
      assert.deepEqual(serverSaw, ['32 bytes/32 bytes', 'null/null']);
      // Destroyed before the handshake: null as well.
      const early = pair.conn({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
      early.on('error', () => {});
      early.destroy();
      assert.equal(finishedState(early), 'null/null');
      await closed(early);
      assert.equal(finishedState(early), 'null/null');
    } finally {
      srv.close();
    }
  });
}
