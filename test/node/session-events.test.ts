// node's server session events ('newSession'/'resumeSession', an external session cache) on
// hush's server, with node:tls and hush clients: TLS 1.2 sessions by ID (SSL_OP_NO_TICKET), TLS 1.3
// stateful tickets through the store, one 'newSession' per TLS 1.3 ticket by default, and the
// bounds (a pending lookup with junk or a close from the peer, late and double callbacks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { constants } from 'node:crypto';
import { createServer, connect, type TLSSocket } from '../../src/node/index.js';
import { makeCerts } from './certs.js';
import { listen, shut, closed } from './listen.js';

const certs = makeCerts();
const NO_TICKET = constants.SSL_OP_NO_TICKET;

type Client = 'node' | 'hush';

interface Resumed {
  reused: boolean;
  serverReused: boolean;
}

/** One connection; resolves after the client saw its session(s) and the server its secure socket. */
async function connectOnce(kind: Client, port: number, o: { maxVersion: 'TLSv1.2' | 'TLSv1.3'; session?: Buffer; sessions?: Buffer[] }): Promise<Resumed & { session: Buffer | undefined }> {
  const opts = { host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, maxVersion: o.maxVersion, ...(o.session ? { session: o.session } : {}) };
  const c = (kind === 'node' ? tls.connect(opts) : connect(opts)) as tls.TLSSocket | TLSSocket;
  const done = closed(c);
  let session: Buffer | undefined;
  c.on('session', (s: Buffer) => {
    session = s;
    o.sessions?.push(s);
  });
  // The server writes once its 'secure' fired; TLS 1.3 tickets arrive before or with that.
  await new Promise<void>((resolve, reject) => {
    c.once('data', () => resolve());
    c.once('error', reject);
  });
  const reused = c.isSessionReused();
  c.end();
  await done;
  return { reused, serverReused: false, session };
}

function startServer(extra: Record<string, unknown>) {
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert, ...extra }, (s) => {
    serverReused.push(s.isSessionReused());
    s.end('hi');
  });
  const serverReused: boolean[] = [];
  return { server, serverReused };
}

/** A Map store on the server's events, recording the calls in order. */
function attachStore(server: net.Server, log: string[], o: { async?: boolean } = {}) {
  const store = new Map<string, Buffer>();
  const later = (f: () => void) => (o.async === false ? f() : setImmediate(f));
  server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
    log.push(`newSession:${id.length}`);
    store.set(id.toString('hex'), data);
    later(cb);
  });
  server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data?: Buffer | null) => void) => {
    const hit = store.get(id.toString('hex'));
    log.push(`resumeSession:${id.length}:${hit ? 'hit' : 'miss'}`);
    later(() => cb(null, hit ?? null));
  });
  return store;
}

for (const kind of ['node', 'hush'] as const) {
  test(`TLS 1.2 with SSL_OP_NO_TICKET: a ${kind} client resumes through 'newSession'/'resumeSession'`, async () => {
    const { server, serverReused } = startServer({ secureOptions: NO_TICKET });
    const log: string[] = [];
    attachStore(server, log);
    const port = await listen(server);
    try {
      const first = await connectOnce(kind, port, { maxVersion: 'TLSv1.2' });
      assert.ok(first.session);
      const second = await connectOnce(kind, port, { maxVersion: 'TLSv1.2', session: first.session });
      assert.equal(first.reused, false);
      assert.equal(second.reused, true, 'the client resumed');
      assert.deepEqual(serverReused, [false, true], 'the server resumed');
      assert.deepEqual(log, ['newSession:32', 'resumeSession:32:hit']);
    } finally {
      await shut(server);
    }
  });

  test(`TLS 1.2 with tickets (the default): a ${kind} client resumes by ticket, no session event (as node)`, async () => {
    const { server, serverReused } = startServer({});
    const log: string[] = [];
    attachStore(server, log);
    const port = await listen(server);
    try {
      const first = await connectOnce(kind, port, { maxVersion: 'TLSv1.2' });
      const second = await connectOnce(kind, port, { maxVersion: 'TLSv1.2', session: first.session });
      assert.equal(second.reused, true);
      assert.deepEqual(serverReused, [false, true]);
      assert.deepEqual(log, []);
    } finally {
      await shut(server);
    }
  });

  test(`TLS 1.3 with SSL_OP_NO_TICKET and a 'resumeSession' listener: stateful tickets, a ${kind} client resumes through the store`, async () => {
    const { server, serverReused } = startServer({ secureOptions: NO_TICKET });
    const log: string[] = [];
    attachStore(server, log);
    const port = await listen(server);
    try {
      const sessions: Buffer[] = [];
      const first = await connectOnce(kind, port, { maxVersion: 'TLSv1.3', sessions });
      assert.ok(first.session);
      const second = await connectOnce(kind, port, { maxVersion: 'TLSv1.3', session: first.session });
      assert.equal(second.reused, true, 'the client resumed');
      assert.deepEqual(serverReused, [false, true], 'the server resumed');
      // Two tickets (two newSession), then the client's ticket looked up once; the resumed
      // connection gets no new tickets (as without the store).
      assert.deepEqual(log.slice(0, 3), ['newSession:32', 'newSession:32', 'resumeSession:32:hit']);
    } finally {
      await shut(server);
    }
  });

  test(`TLS 1.3 default (stateless tickets) with a ${kind} client: one 'newSession' per ticket, no lookup, resumption by ticket`, async () => {
    const { server, serverReused } = startServer({});
    const log: string[] = [];
    attachStore(server, log);
    const port = await listen(server);
    try {
      const first = await connectOnce(kind, port, { maxVersion: 'TLSv1.3' });
      assert.deepEqual(log, ['newSession:32', 'newSession:32'], 'one per ticket (2 by default)');
      const second = await connectOnce(kind, port, { maxVersion: 'TLSv1.3', session: first.session });
      assert.equal(second.reused, true);
      assert.deepEqual(serverReused, [false, true]);
      // hush also sends tickets after a resumption (2 more); the legacy_session_id is never looked up.
      assert.deepEqual(log, ['newSession:32', 'newSession:32', 'newSession:32', 'newSession:32']);
    } finally {
      await shut(server);
    }
  });
}

/** The first bytes a node:tls client sends (its ClientHello, offering `session`), captured by a plain TCP server. */
async function captureClientHello(session: Buffer): Promise<Buffer> {
  const sink = net.createServer();
  const port = await listen(sink);
  try {
    const got = new Promise<Buffer>((resolve) => sink.once('connection', (s: net.Socket) => s.once('data', (b: Buffer) => { resolve(b); s.destroy(); })));
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, maxVersion: 'TLSv1.2', session });
    c.on('error', () => {});
    const hello = await got;
    c.destroy();
    return hello;
  } finally {
    await shut(sink);
  }
}

/** A TLS 1.2 session of a NO_TICKET hush server with a store, and the store. */
async function storedSession(): Promise<{ session: Buffer; data: Buffer }> {
  const { server } = startServer({ secureOptions: NO_TICKET });
  const store = attachStore(server, []);
  const port = await listen(server);
  try {
    const first = await connectOnce('node', port, { maxVersion: 'TLSv1.2' });
    assert.ok(first.session);
    return { session: first.session, data: [...store.values()][0]! };
  } finally {
    await shut(server);
  }
}

type ResumeCb = (err: Error | null, data?: Buffer | null) => void;

for (const peer of ['junk', 'close'] as const) {
  test(`a lookup still pending when the peer ${peer === 'junk' ? 'floods junk' : 'closes'}: the connection fails cleanly, the late callback is ignored`, async () => {
    const { session, data } = await storedSession();
    const hello = await captureClientHello(session);
    const { server } = startServer({ secureOptions: NO_TICKET });
    const pending: ResumeCb[] = [];
    const events: string[] = [];
    server.on('resumeSession', (_id: Buffer, cb: ResumeCb) => pending.push(cb));
    server.on('newSession', () => events.push('newSession'));
    server.on('secureConnection', () => events.push('secureConnection'));
    const clientErrors: Error[] = [];
    server.on('tlsClientError', (e: Error) => clientErrors.push(e));
    const port = await listen(server);
    try {
      const raw = net.connect(port, '127.0.0.1');
      raw.on('error', () => {});
      raw.resume();
      const rawClosed = closed(raw);
      raw.write(hello);
      // Wait until the server asked the store.
      for (let i = 0; i < 200 && pending.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(pending.length, 1, 'resumeSession was called');
      if (peer === 'junk') {
        // More than the Acceptor keeps after a ClientHello (128 KiB) while the lookup is pending.
        const junk = Buffer.alloc(16 * 1024, 0x41);
        for (let i = 0; i < 12 && !raw.destroyed; i++) raw.write(junk);
      } else {
        raw.end();
      }
      await rawClosed;
      for (let i = 0; i < 200 && clientErrors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(clientErrors.length, 1, 'tlsClientError once');
      // The store answers late (and twice): nothing happens, nothing throws.
      pending[0]!(null, data);
      pending[0]!(null, data);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(events, []);
      const count = await new Promise<number>((r, j) => server.getConnections((e, n) => (e ? j(e) : r(n))));
      assert.equal(count, 0, 'no connection left');
    } finally {
      await shut(server);
    }
  });
}

test("resumeSession's error fails that connection only ('tlsClientError'); bad session data and a second callback are ignored", async () => {
  const { session } = await storedSession();
  const { server, serverReused } = startServer({ secureOptions: NO_TICKET });
  let mode: 'error' | 'bad' | 'twice' = 'error';
  const clientErrors: Error[] = [];
  server.on('tlsClientError', (e: Error) => clientErrors.push(e));
  server.on('newSession', (_id: Buffer, _d: Buffer, cb: () => void) => cb());
  server.on('resumeSession', (_id: Buffer, cb: ResumeCb) => {
    if (mode === 'error') setImmediate(() => cb(new Error('store down')));
    else if (mode === 'bad') setImmediate(() => cb(null, Buffer.from('not a session')));
    else {
      cb(null, null);
      cb(new Error('second call'));
    }
  });
  const port = await listen(server);
  try {
    const failed = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, maxVersion: 'TLSv1.2', session });
    const err = await new Promise<Error | undefined>((resolve) => {
      failed.once('error', resolve);
      failed.once('secureConnect', () => resolve(undefined));
    });
    failed.destroy();
    assert.ok(err, 'the client saw the connection fail');
    assert.equal(clientErrors.length, 1);
    assert.match(clientErrors[0]!.message, /store down/);
    mode = 'bad';
    const bad = await connectOnce('node', port, { maxVersion: 'TLSv1.2', session });
    assert.equal(bad.reused, false, 'bad data: full handshake');
    mode = 'twice';
    const twice = await connectOnce('node', port, { maxVersion: 'TLSv1.2', session });
    assert.equal(twice.reused, false);
    assert.deepEqual(serverReused, [false, false]);
    assert.equal(clientErrors.length, 1, 'the other connections did not fail');
  } finally {
    await shut(server);
  }
});

test("a 'newSession' that never calls back: the client's data waits, bounded; too much fails that connection", { timeout: 20_000 }, async () => {
  const { server } = startServer({});
  const clientErrors: Error[] = [];
  let stored = 0;
  server.on('tlsClientError', (e: Error) => clientErrors.push(e));
  server.on('newSession', () => stored++); // never calls back
  const port = await listen(server);
  try {
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
    c.on('error', () => {});
    const done = closed(c);
    await new Promise((r) => c.once('secureConnect', r));
    // TLS 1.3: the client may write right after its Finished; the server holds it (and its own
    // tickets and 'secure') while the store has not confirmed, up to MAX_HELD_INPUT.
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 8 && !c.destroyed; i++) c.write(chunk);
    await done;
    for (let i = 0; i < 200 && clientErrors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(stored, 2, 'both tickets were offered to the store');
    assert.equal(clientErrors.length, 1);
    // node's code and text for an unexpected message; hush's reason in err.hush.
    assert.match(String((clientErrors[0] as Error & { hush?: { message?: string } }).hush?.message), /newSession/);
  } finally {
    await shut(server);
  }
});

test("TLS 1.3: data the client sends while 'newSession' has not called back arrives once it has", async () => {
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    s.once('data', (d: Buffer) => s.end(`got ${d.toString()}`));
  });
  const pending: (() => void)[] = [];
  server.on('newSession', (_id: Buffer, _d: Buffer, cb: () => void) => pending.push(cb));
  const port = await listen(server);
  try {
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert });
    const done = closed(c);
    let reply = '';
    c.on('data', (d: Buffer) => (reply += d.toString()));
    await new Promise((r) => c.once('secureConnect', r));
    c.write('ping');
    for (let i = 0; i < 200 && pending.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(pending.length, 2);
    // Usually the ping is held by now; either way it must be delivered once the store confirms.
    await new Promise((r) => setTimeout(r, 20));
    for (const cb of pending) cb();
    await done;
    assert.equal(reply, 'got ping');
  } finally {
    await shut(server);
  }
});
