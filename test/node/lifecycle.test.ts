// Backpressure, truncation and timeouts with the real connections (hush ↔ hush, hush ↔ node:tls).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from '../../src/node/server.js';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { makeCerts } from './certs.js';
import { listen, shut } from './listen.js';

const certs = makeCerts();
after(() => certs.cleanup());

test('16 MiB hush → hush through a slow reader: bounded buffering on both sides, bytes intact', { timeout: 30_000 }, async () => {
  let maxReadable = 0;
  let got = 0;
  const h = createHash('sha256');
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    s.on('data', (d: Buffer) => {
      h.update(d);
      got += d.length;
      maxReadable = Math.max(maxReadable, s.readableLength);
      s.pause();
      setTimeout(() => s.resume(), got % (1 << 20) < d.length ? 5 : 0);
    });
    s.on('end', () => {
      s.end();
      resolveDone();
    });
  });
  const port = await listen(server);
  try {
    const c = connect({ host: 'localhost', port, ca: certs.caCert });
    await once(c, 'secureConnect');
    const raw = c.socket as net.Socket;
    let maxRawQueued = 0;
    const origWrite = raw.write.bind(raw) as (...a: unknown[]) => boolean;
    (raw as unknown as { write: (...a: unknown[]) => boolean }).write = (...a: unknown[]) => {
      const ok = origWrite(...a);
      maxRawQueued = Math.max(maxRawQueued, raw.writableLength);
      return ok;
    };
    const payload = randomBytes(16 * 1024 * 1024);
    c.end(payload);
    c.resume();
    await done;
    await once(c, 'close');
    assert.equal(got, payload.length);
    assert.equal(h.digest('hex'), createHash('sha256').update(payload).digest('hex'));
    assert.ok(maxRawQueued <= 512 * 1024, `client TCP queue reached ${maxRawQueued}`);
    assert.ok(maxReadable <= 512 * 1024, `server readable buffer reached ${maxReadable}`);
    assert.equal(c.truncated, false);
  } finally {
    await shut(server);
  }
});

test('a node:tls server that closes TCP without close_notify: truncated = true, or ERR_TLS_TRUNCATED on request', async () => {
  const server = tls.createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    s.write('partial', () => setTimeout(() => s.destroy(), 20)); // destroy: no close_notify
  });
  const port = await listen(server);
  try {
    const c = connect({ host: 'localhost', port, ca: certs.caCert });
    const parts: Buffer[] = [];
    c.on('data', (d: Buffer) => parts.push(d));
    await once(c, 'end');
    assert.equal(Buffer.concat(parts).toString(), 'partial');
    assert.equal(c.truncated, true);
    const strict = connect({ host: 'localhost', port, ca: certs.caCert, rejectTruncation: true });
    strict.resume();
    const [err] = (await once(strict, 'error')) as [Error & { code: string }];
    assert.equal(err.code, 'ERR_TLS_TRUNCATED');
  } finally {
    await shut(server);
  }
});

test('a server that never answers: the client fails with ERR_TLS_HANDSHAKE_TIMEOUT', async () => {
  const held: net.Socket[] = [];
  const server = net.createServer((s) => held.push(s));
  const port = await listen(server);
  try {
    const c = connect({ host: 'localhost', port, ca: certs.caCert, handshakeTimeout: 150 });
    const [err] = (await once(c, 'error')) as [Error & { code: string }];
    assert.equal(err.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
  } finally {
    for (const s of held) s.destroy();
    await shut(server);
  }
});

test('connection refused surfaces as the net error', async () => {
  const server = net.createServer();
  const port = await listen(server);
  await shut(server);
  const c = connect({ host: '127.0.0.1', port, ca: certs.caCert });
  const [err] = (await once(c, 'error')) as [Error & { code: string }];
  assert.equal(err.code, 'ECONNREFUSED');
});

test('KeyUpdate from the hush client: data keeps flowing and node sees it', async () => {
  const server = tls.createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => s.pipe(s));
  const port = await listen(server);
  try {
    const c: TLSSocket = connect({ host: 'localhost', port, ca: certs.caCert });
    await once(c, 'secureConnect');
    const updates: string[] = [];
    c.on('keyUpdate', (d: string) => updates.push(d));
    c.write('one ');
    c.updateKeys(true);
    const parts: Buffer[] = [];
    c.on('data', (d: Buffer) => parts.push(d));
    c.end('two');
    await once(c, 'end');
    assert.equal(Buffer.concat(parts).toString(), 'one two');
    assert.ok(updates.includes('sent'), updates.join());
  } finally {
    await shut(server);
  }
});
