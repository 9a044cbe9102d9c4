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
