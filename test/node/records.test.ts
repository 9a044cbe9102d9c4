// How a hush socket cuts what it is given into TLS records (issue #11): node:http's head and body
// share one record when they fit (as with node:tls), larger responses are cut at 16 KiB, and
// mixed small and large writes arrive intact through a slow reader with bounded buffering.
// Records are counted on a hush client: its connection emits one 'data' event per
// application_data record (decrypted, so TLS 1.3's post-handshake messages are not counted).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { createHttpsServer } from '../../src/node/https.js';
import { createServer } from '../../src/node/server.js';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { makeCerts } from './certs.js';
import { listen, shut } from './listen.js';

const certs = makeCerts();
after(() => certs.cleanup());

const RECORD = 16384;

/** The plaintext size of each application_data record the socket receives, in order. */
function recordSizes(s: TLSSocket): number[] {
  const sizes: number[] = [];
  const conn = s.connection as { takeEvents(): ConnectionEvent[] };
  const take = conn.takeEvents.bind(conn);
  conn.takeEvents = () => {
    const events = take();
    for (const e of events) if (e.type === 'data') sizes.push(e.data.length);
    return events;
  };
  return sizes;
}

/** One HTTP/1.1 request over a hush client; the response bytes and its record sizes. */
async function fetchRecords(port: number, path: string): Promise<{ response: Buffer; sizes: number[] }> {
  const c = connect({ host: 'localhost', port, ca: certs.caCert, ALPNProtocols: ['http/1.1'] });
  const sizes = recordSizes(c);
  const parts: Buffer[] = [];
  c.on('data', (d: Buffer) => parts.push(d));
  await once(c, 'secureConnect');
  c.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  await once(c, 'end');
  c.destroy();
  return { response: Buffer.concat(parts), sizes };
}

test('node:http over hush: head and body of a response under 16 KiB leave in one record; larger ones are cut at 16 KiB', async () => {
  const server = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert }, (req, res) => {
    const size = Number(req.url!.slice(1));
    res.setHeader('content-type', 'application/octet-stream');
    res.end(Buffer.alloc(size, 0x61)); // a Buffer body: node:http writes head and body separately
  });
  const port = await listen(server);
  try {
    for (const size of [8000, 40_000, 100_000]) {
      const { response, sizes } = await fetchRecords(port, `/${size}`);
      assert.match(response.subarray(0, 15).toString('latin1'), /^HTTP\/1\.1 200 /);
      const total = sizes.reduce((a, b) => a + b, 0);
      assert.equal(total, response.length);
      assert.ok(response.length > size && response.length - size < 1000, `head + ${size} bytes`);
      // Every record full but the last: as few records (and AEAD calls) as the data allows.
      assert.equal(sizes.length, Math.ceil(total / RECORD), `${size}-byte body: records ${sizes.join(', ')}`);
      for (const s of sizes.slice(0, -1)) assert.equal(s, RECORD, `records ${sizes.join(', ')}`);
    }
  } finally {
    server.closeAllConnections();
    await shut(server);
  }
});

test('small writes followed by a large one share full records; each write is still delivered whole and in order', async () => {
  // 100 + 200 + 5000 + 30000 + 10 bytes, written in one tick: 35310 bytes = 16384 + 16384 + 2542.
  const writes = [100, 200, 5000, 30_000, 10].map((n, i) => Buffer.alloc(n, 0x41 + i));
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    s.on('error', () => {});
    s.cork();
    for (const w of writes) s.write(w);
    s.uncork();
    s.end();
  });
  const port = await listen(server);
  try {
    const c = connect({ host: 'localhost', port, ca: certs.caCert });
    const sizes = recordSizes(c);
    const parts: Buffer[] = [];
    c.on('data', (d: Buffer) => parts.push(d));
    await once(c, 'end');
    c.end();
    assert.deepEqual(Buffer.concat(parts), Buffer.concat(writes));
    assert.deepEqual(sizes, [RECORD, RECORD, 35_310 - 2 * RECORD]);
  } finally {
    await shut(server);
  }
});

test('mixed small and large writes through a slow reader: bytes intact, records ≤ 16 KiB, write() backpressure honoured', { timeout: 60_000 }, async () => {
  // A fixed pseudo-random sequence of write sizes: tiny, below and above the 4 KiB "small" mark,
  // around and well above one record.
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const kinds = [() => 1 + (next() % 50), () => 1 + (next() % 4095), () => 4096 + (next() % 12289), () => 16384, () => 16385 + (next() % 100_000)];
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < 8 * 1024 * 1024) {
    const n = kinds[next() % kinds.length]!();
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4096) b[i] = next() & 0xff;
    b[n - 1] = next() & 0xff;
    chunks.push(b);
    total += n;
  }
  const expected = createHash('sha256');
  for (const b of chunks) expected.update(b);

  let maxRawQueued = 0;
  let maxWritable = 0;
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert }, async (s) => {
    s.on('error', () => {});
    const raw = s.socket as net.Socket;
    for (const b of chunks) {
      if (!s.write(b)) {
        maxWritable = Math.max(maxWritable, s.writableLength);
        await once(s, 'drain');
      }
      maxRawQueued = Math.max(maxRawQueued, raw.writableLength);
    }
    s.end();
  });
  const port = await listen(server);
  try {
    const c = connect({ host: 'localhost', port, ca: certs.caCert });
    const sizes = recordSizes(c);
    const got = createHash('sha256');
    let received = 0;
    c.on('data', (d: Buffer) => {
      got.update(d);
      received += d.length;
      c.pause();
      setImmediate(() => c.resume());
    });
    await once(c, 'end');
    c.end();
    assert.equal(received, total);
    assert.equal(got.digest('hex'), expected.digest('hex'));
    assert.ok(sizes.every((s) => s > 0 && s <= RECORD), 'no record above 16 KiB');
    assert.ok(maxRawQueued <= 512 * 1024, `server TCP queue reached ${maxRawQueued}`);
    assert.ok(maxWritable <= 256 * 1024, `server writable buffer reached ${maxWritable}`);
  } finally {
    await shut(server);
  }
});
