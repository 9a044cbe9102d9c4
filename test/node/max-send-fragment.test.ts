// setMaxSendFragment() on hush sockets (#16): like node's, it returns true for 512..16384 and the
// records sent afterwards carry at most that much plaintext. A node:tls peer receives every byte;
// the records on the wire are read by a TCP proxy between the two.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { connect } from '../../src/node/connect.js';
import { createServer } from '../../src/node/server.js';
import { makeCerts } from './certs.js';
import { listen, shut } from './listen.js';

const certs = makeCerts();
after(() => certs.cleanup());

const APPLICATION_DATA = 23;
/** Record body overhead: TLS 1.3 content type + tag; TLS 1.2 AES-GCM explicit nonce + tag. */
const OVERHEAD = { 'TLSv1.3': 1 + 16, 'TLSv1.2': 8 + 16 } as const;
/** A TLS 1.3 close_notify: alert (2) + content type + tag. */
const CLOSE_NOTIFY_13 = 2 + 1 + 16;

/** The record bodies' lengths in `bytes` for records of `type`. */
function recordLengths(bytes: Buffer, type: number): number[] {
  const out: number[] = [];
  for (let o = 0; o + 5 <= bytes.length; ) {
    const length = bytes.readUInt16BE(o + 3);
    if (bytes[o] === type) out.push(length);
    o += 5 + length;
  }
  return out;
}

/** A TCP proxy to 127.0.0.1:target that keeps what went each way. */
async function proxy(target: number): Promise<{ port: number; up: Buffer[]; down: Buffer[]; server: net.Server; sockets: net.Socket[] }> {
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((inbound) => {
    const outbound = net.connect(target, '127.0.0.1');
    sockets.push(inbound, outbound);
    inbound.on('data', (d: Buffer) => {
      up.push(d);
      outbound.write(d);
    });
    outbound.on('data', (d: Buffer) => {
      down.push(d);
      inbound.write(d);
    });
    inbound.on('end', () => outbound.end());
    outbound.on('end', () => inbound.end());
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  return { port: await listen(server), up, down, server, sockets };
}

const PAYLOAD = Buffer.alloc(5000, 0).map((_, i) => (i * 13) & 0xff);
/** The bodies of PAYLOAD's records, written at once, cut at 512 bytes. */
const expectedBodies = (version: 'TLSv1.3' | 'TLSv1.2'): number[] => [...Array(9).fill(512), 5000 - 9 * 512].map((n) => n + OVERHEAD[version]);

/** The last application_data records (the payload's), without TLS 1.3's close_notify. */
function payloadRecords(bytes: Buffer, version: 'TLSv1.3' | 'TLSv1.2'): number[] {
  const lengths = recordLengths(bytes, APPLICATION_DATA);
  if (version === 'TLSv1.3' && lengths.at(-1) === CLOSE_NOTIFY_13) lengths.pop();
  return lengths.slice(-10);
}

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  test(`${version}: a hush client after setMaxSendFragment(512) sends records of at most 512 bytes; node:tls gets the data intact`, async () => {
    const received: Buffer[] = [];
    const server = tls.createServer({ key: certs.serverKey, cert: certs.serverCert, maxVersion: version }, (s) => {
      s.on('data', (d: Buffer) => received.push(d));
      s.on('end', () => s.end());
    });
    const port = await listen(server);
    const p = await proxy(port);
    try {
      const c = connect({ host: 'localhost', port: p.port, ca: certs.caCert, maxVersion: version });
      await once(c, 'secureConnect');
      assert.equal(c.getProtocol(), version);
      assert.equal(c.setMaxSendFragment(511), false);
      assert.equal(c.setMaxSendFragment(512), true);
      c.end(PAYLOAD);
      c.resume();
      await once(c, 'close');
      assert.deepEqual(Buffer.concat(received), PAYLOAD);
      assert.deepEqual(payloadRecords(Buffer.concat(p.up), version), expectedBodies(version));
    } finally {
      for (const s of p.sockets) s.destroy();
      await shut(p.server);
      await shut(server);
    }
  });

  test(`${version}: a hush server after setMaxSendFragment(512) sends records of at most 512 bytes; a node:tls client gets the data intact`, async () => {
    const server = createServer({ key: certs.serverKey, cert: certs.serverCert, maxVersion: version }, (s) => {
      assert.equal(s.setMaxSendFragment(512), true);
      s.end(PAYLOAD);
      s.resume();
    });
    const port = await listen(server);
    const p = await proxy(port);
    try {
      const c = tls.connect({ host: '127.0.0.1', port: p.port, servername: 'localhost', ca: certs.caCert });
      const parts: Buffer[] = [];
      c.on('data', (d: Buffer) => parts.push(d));
      await once(c, 'end');
      c.end();
      assert.equal(c.getProtocol(), version);
      assert.deepEqual(Buffer.concat(parts), PAYLOAD);
      assert.deepEqual(payloadRecords(Buffer.concat(p.down), version), expectedBodies(version));
    } finally {
      for (const s of p.sockets) s.destroy();
      await shut(p.server);
      await shut(server);
    }
  });
}
