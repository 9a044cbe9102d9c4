// The hush server's limits on clients that do not finish (issue #11): handshakeTimeout (a
// deadline from accept, like node:tls; validated, since node turns a timer beyond 2^31 - 1 ms into
// 1 ms) and the listen backlog (large enough that a burst of handshakes does not overflow it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, listenBacklog, withDefaultBacklog, type Server, type ServerOptions } from '../../src/node/server.js';
import { connect } from '../../src/node/connect.js';
import { UsageError } from '../../src/errors/errors.js';
import { makeCerts } from './certs.js';
import { closed, listen, shut } from './listen.js';

const certs = makeCerts();
after(() => certs.cleanup());

/** A listening hush server (test certificate, `extra` options) that must not complete a handshake; the tlsClientError codes it reports. */
async function noHandshakeServer(extra: ServerOptions): Promise<{ server: Server; port: number; errors: string[] }> {
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert, ...extra }, () => assert.fail('no handshake expected'));
  const errors: string[] = [];
  server.on('tlsClientError', (e: Error & { code?: string }) => errors.push(e.code ?? e.message));
  const port = await listen(server);
  return { server, port, errors };
}

test('handshakeTimeout must be 0..2^31-1 ms: anything else is a UsageError, on the server and the client', () => {
  // A value that is not a number is node's ERR_INVALID_ARG_TYPE (TypeError) since issue #16.
  for (const bad of ['10s', null]) {
    assert.throws(() => createServer({ key: certs.serverKey, cert: certs.serverCert, handshakeTimeout: bad as unknown as number }), { code: 'ERR_INVALID_ARG_TYPE' }, String(bad));
    assert.throws(() => connect({ host: '127.0.0.1', port: 1, handshakeTimeout: bad as unknown as number }), { code: 'ERR_INVALID_ARG_TYPE' }, String(bad));
  }
  for (const bad of [2 ** 31, Infinity, -1, Number.NaN]) {
    assert.throws(
      () => createServer({ key: certs.serverKey, cert: certs.serverCert, handshakeTimeout: bad as number }),
      (e: Error) => e instanceof UsageError && /handshakeTimeout must be a number of milliseconds/.test(e.message),
      String(bad),
    );
    assert.throws(() => connect({ host: '127.0.0.1', port: 1, handshakeTimeout: bad as number }), UsageError, String(bad));
  }
  for (const ok of [0, 1, 10_000, 2 ** 31 - 1]) {
    createServer({ key: certs.serverKey, cert: certs.serverCert, handshakeTimeout: ok }).close();
  }
});

test('handshakeTimeout is a deadline: a client dripping an endless ClientHello is closed with ERR_TLS_HANDSHAKE_TIMEOUT', { timeout: 60_000 }, async () => {
  const { server, port, errors } = await noHandshakeServer({ handshakeTimeout: 300 });
  try {
    const c = net.connect({ port, host: '127.0.0.1' });
    c.on('error', () => {});
    c.resume();
    await once(c, 'connect');
    // A handshake record announcing a 4 KiB ClientHello, then one byte every 20 ms: the hello
    // does not complete before the bound, but bytes keep arriving (an idle timer would not fire).
    c.write(Buffer.from([0x16, 0x03, 0x01, 0x10, 0x00, 0x01, 0x00, 0x0f, 0xfc]));
    let dripped = 0;
    const drip = setInterval(() => {
      if (c.destroyed || dripped >= 4000) return clearInterval(drip);
      c.write(Buffer.from([0x00]));
      dripped++;
    }, 20);
    await closed(c);
    clearInterval(drip);
    assert.deepEqual(errors, ['ERR_TLS_HANDSHAKE_TIMEOUT']);
    assert.ok(dripped < 4000, 'closed while the client was still sending');
  } finally {
    await shut(server);
  }
});

test('listen() without a backlog uses the kernel limit (somaxconn), not 511; a backlog you pass wins', async () => {
  let somaxconn: number | undefined;
  try {
    somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'latin1').trim());
  } catch {
    // not Linux
  }
  const expected = Math.min(Math.max(somaxconn ?? 4096, 511), 65535);
  assert.equal(listenBacklog(), expected);

  // What reaches net.Server#listen.
  const seen: unknown[][] = [];
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    seen.push(args);
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof original;
  try {
    for (const args of [[0, '127.0.0.1'], [{ port: 0, host: '127.0.0.1' }], [0, '127.0.0.1', 100], [{ port: 0, host: '127.0.0.1', backlog: 50 }]]) {
      const server = createServer({ key: certs.serverKey, cert: certs.serverCert });
      (server.listen as (...a: unknown[]) => net.Server)(...args);
      await once(server, 'listening');
      await shut(server);
    }
  } finally {
    net.Server.prototype.listen = original;
  }
  assert.deepEqual(seen, [
    [0, '127.0.0.1', expected],
    [{ port: 0, host: '127.0.0.1', backlog: expected }],
    [0, '127.0.0.1', 100],
    [{ port: 0, host: '127.0.0.1', backlog: 50 }],
  ]);
});

test('withDefaultBacklog keeps every listen() form node accepts', () => {
  const cb = (): void => {};
  const handle = { fd: 3 };
  const cases: [unknown[], unknown[]][] = [
    [[], [undefined, undefined, 999]],
    [[cb], [undefined, undefined, 999, cb]],
    [[8443], [8443, undefined, 999]],
    [[8443, cb], [8443, undefined, 999, cb]],
    [[8443, 'localhost', cb], [8443, 'localhost', 999, cb]],
    [[8443, 'localhost', 5, cb], [8443, 'localhost', 5, cb]],
    [[8443, 7], [8443, 7]],
    [['8443', 'localhost'], ['8443', 'localhost', 999]],
    [['/tmp/x.sock', cb], ['/tmp/x.sock', 999, cb]],
    [['/tmp/x.sock', 5], ['/tmp/x.sock', 5]],
    [[handle, cb], [handle, 999, cb]],
    [[{ port: 1 }, cb], [{ port: 1, backlog: 999 }, cb]],
    [[{ path: '/tmp/x.sock', backlog: 3 }], [{ path: '/tmp/x.sock', backlog: 3 }]],
  ];
  for (const [args, expected] of cases) assert.deepEqual(withDefaultBacklog(args, 999), expected, JSON.stringify(args));
});

test('maxClientHelloSize reaches the core through createServer, with one context and with SNICallback', { timeout: 60_000 }, async () => {
  // A handshake record whose ClientHello header announces 2,000 bytes: over a 1,000-byte limit, so
  // the server answers with a fatal alert as soon as it reads the header; under the default limit
  // (131,396) it would wait for the rest.
  const probe = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x07, 0xd0]);
  const variants = [
    { maxClientHelloSize: 1000 },
    { maxClientHelloSize: 1000, SNICallback: (_name: string, cb: (e: Error | null, ctx?: undefined) => void) => cb(null) },
  ];
  for (const extra of variants) {
    const { server, port, errors } = await noHandshakeServer(extra);
    try {
      const c = net.connect({ port, host: '127.0.0.1' });
      c.on('error', () => {});
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      await once(c, 'connect');
      c.write(probe);
      await closed(c);
      const got = Buffer.concat(chunks);
      // One plaintext fatal alert: 15 03 03 00 02 02 <decode_error = 50>.
      assert.deepEqual([...got.subarray(0, 7)], [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 50], got.toString('hex'));
      assert.equal(errors.length, 1, errors.join());
    } finally {
      await shut(server);
    }
  }
  assert.throws(() => createServer({ key: certs.serverKey, cert: certs.serverCert, maxClientHelloSize: 0 }), UsageError);
});
