// Cross-check the TLS 1.3 exporter (RFC 8446 §7.5) against node:tls on 127.0.0.1: node's key
// log gives the EXPORTER_SECRET, and hush's exporter on it must equal exportKeyingMaterial().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { fromHex, toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { suiteByName, type Tls13Suite } from '../../src/crypto/suites.js';
import { exportKeyingMaterial } from '../../src/schedule/tls13.js';
import { readVectorText } from '../vectors.js';

async function nodeExporter(suiteName: string): Promise<{ secret: Uint8Array; socket: TLSSocket; close: () => void }> {
  const server = createServer({
    cert: readVectorText('illustrated-tls13/keys/server.crt'),
    key: readVectorText('illustrated-tls13/keys/server.key'),
    minVersion: 'TLSv1.3',
    ciphers: suiteName,
  }, (s) => s.on('error', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  let secret: Uint8Array | undefined;
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ciphers: suiteName });
  socket.on('keylog', (line: Buffer) => {
    const [label, , value] = line.toString('latin1').trim().split(' ');
    if (label === 'EXPORTER_SECRET') secret = fromHex(value!);
  });
  const timer = setTimeout(() => socket.destroy(new Error('handshake timed out')), 5000);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
  } finally {
    clearTimeout(timer);
  }
  assert.ok(secret, 'node logged an EXPORTER_SECRET');
  return { secret, socket, close: () => { socket.destroy(); server.close(); } };
}

for (const name of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384']) {
  test(`exporter agrees with node:tls exportKeyingMaterial (${name})`, async () => {
    const suite = suiteByName(name) as Tls13Suite;
    const { secret, socket, close } = await nodeExporter(name);
    // @types/node marks the context as required; node accepts it absent (RFC 5705 "no context").
    const ekm = socket.exportKeyingMaterial.bind(socket) as (length: number, label: string, context?: Buffer) => Buffer;
    try {
      assert.equal(socket.getCipher().standardName, name);
      let n = 0;
      for (const [label, context, length] of [
        ['EXPORTER-hush-test', Buffer.from('context value'), 32],
        ['EXPORTER-hush-test', Buffer.alloc(0), 48],
        ['EXPERIMENTAL other', undefined, 17],
      ] as const) {
        const theirs = new Uint8Array(ekm(length, label, context));
        const ours = exportKeyingMaterial(provider, suite.hash, secret, label, context ? new Uint8Array(context) : undefined, length);
        assert.equal(toHex(ours), toHex(theirs), `${label} / ${context?.length ?? 'no'} context`);
        n++;
      }
      // RFC 8446 §7.5: no context = empty context (node agrees).
      assert.equal(
        toHex(ekm(16, 'EXPORTER-hush-test')),
        toHex(ekm(16, 'EXPORTER-hush-test', Buffer.alloc(0))),
      );
      assert.equal(n, 3);
    } finally {
      close();
    }
  });
}
