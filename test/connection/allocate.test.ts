// BaseOptions.allocate / TransportOptions.allocate: application records may be sealed into
// buffers that are not zero-filled. Every byte handed out must be written by the sealer, so the
// output is byte for byte what the default allocator gives, whatever the buffers held before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeCryptoProvider } from '../../src/crypto/node/provider.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { TlsConnection } from '../../src/connection/api.js';
import type { BaseOptions } from '../../src/connection/base.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { clientConfig, concatChunks, dataOf, pki, serverConfig } from './helpers.js';
import type { ConnectionEvent } from '../../src/connection/events.js';

/** One instant for every run, after the test certificates were made (they are valid from then). */
pki();
const T = Date.now();

/** A reproducible run: injected randomness, a fixed clock, an Ed25519 certificate (deterministic signatures). */
/** `via`: 'config' = BaseOptions.allocate in the config, 'transport' = the constructors' TransportOptions (what the node adapter passes). */
function run(allocate: ((n: number) => Uint8Array) | undefined, via: 'config' | 'transport'): { wire: Uint8Array[]; received: Uint8Array[] } {
  let counter = 0;
  const provider = createNodeCryptoProvider({
    randomBytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = (counter++ * 131 + 7) & 0xff;
      return out;
    },
  });
  const now = () => T;
  const extra = allocate !== undefined && via === 'config' ? { allocate } : {};
  const transport = allocate !== undefined && via === 'transport' ? { allocate } : {};
  const client = new ClientConnection(clientConfig({ provider, now, ...extra }), transport);
  const server = new ServerConnection(serverConfig({ provider, now, certificates: [pki().server.ed25519], ticketKeys: [new Uint8Array(32).fill(9)], ...extra }), transport);
  const wire: Uint8Array[] = [];
  const events = { client: [] as ConnectionEvent[], server: [] as ConnectionEvent[] };
  const move = (from: TlsConnection, to: TlsConnection, sink: ConnectionEvent[]) => {
    for (const chunk of from.takeOutput()) {
      wire.push(chunk.slice());
      to.receive(chunk);
    }
    sink.push(...to.takeEvents());
  };
  const pumpAll = () => {
    for (let i = 0; i < 50 && (client.wantsWrite || server.wantsWrite); i++) {
      move(client, server, events.server);
      move(server, client, events.client);
    }
  };
  pumpAll();
  assert.equal(client.error?.message, undefined);
  assert.equal(server.error?.message, undefined);
  assert.equal(client.state, 'established');
  assert.equal(server.state, 'established');
  // Sizes around the record and slab boundaries, consecutive writes sharing a slab, a KeyUpdate.
  const sizes = [1, 100, 16384, 16385, 3, 70000, 5, 200000];
  for (const [i, n] of sizes.entries()) {
    const data = new Uint8Array(n).map((_, j) => (j * 7 + i) & 0xff);
    client.write(data);
    server.write(data.subarray(0, Math.max(1, n >> 1)));
    if (i % 2 === 1) pumpAll();
    if (i === 4) client.updateKeys(true);
  }
  pumpAll();
  client.close();
  pumpAll();
  return { wire, received: [dataOf(events.server), dataOf(events.client)] };
}

test('allocate: records sealed into garbage-filled buffers are byte-identical to the default', () => {
  let calls = 0;
  const garbage = (n: number) => {
    calls++;
    return new Uint8Array(n).fill(0xa5);
  };
  const plain = run(undefined, 'config');
  const viaOption = run(garbage, 'config');
  const optionCalls = calls;
  const viaMethod = run(garbage, 'transport');
  assert.ok(optionCalls > 0, 'BaseOptions.allocate was used');
  assert.ok(calls > optionCalls, 'TransportOptions.allocate was used');
  // The runs are reproducible: same bytes on the wire, record for record.
  const all = (w: Uint8Array[]) => Buffer.from(concatChunks(w)).toString('hex');
  assert.ok(plain.wire.length > 10);
  assert.equal(all(viaOption.wire), all(plain.wire));
  assert.equal(all(viaMethod.wire), all(plain.wire));
  // And the data arrived intact.
  const sent = [1, 100, 16384, 16385, 3, 70000, 5, 200000].reduce((a, n) => a + n, 0);
  assert.equal(plain.received[0]!.length, sent);
  assert.deepEqual(viaOption.received[0], plain.received[0]);
  assert.deepEqual(viaMethod.received[1], plain.received[1]);
});

test('allocate: TransportOptions.allocate wins over the config\'s', () => {
  const provider = createNodeCryptoProvider();
  const used: string[] = [];
  const tagged = (tag: string) => (n: number) => (used.push(tag), new Uint8Array(n));
  const client = new ClientConnection(clientConfig({ provider }));
  const options: ServerConfig & BaseOptions = { ...serverConfig({ provider }), allocate: tagged('config') };
  const server = new ServerConnection(options, { allocate: tagged('transport') });
  for (let i = 0; i < 20 && (client.wantsWrite || server.wantsWrite); i++) {
    for (const c of client.takeOutput()) server.receive(c);
    for (const c of server.takeOutput()) client.receive(c);
  }
  assert.equal(server.state, 'established');
  server.write(new Uint8Array(10));
  assert.deepEqual(used, ['transport']);
});

test('allocate: an allocator that returns the wrong size is refused (the connection fails)', () => {
  const provider = createNodeCryptoProvider();
  const client = new ClientConnection(clientConfig({ provider }));
  // ClientConfig/ServerConfig do not declare it; the connection reads BaseOptions.allocate from them.
  const options: ServerConfig & BaseOptions = { ...serverConfig({ provider }), allocate: (n: number) => new Uint8Array(n + 1) };
  const server = new ServerConnection(options);
  for (let i = 0; i < 20 && (client.wantsWrite || server.wantsWrite); i++) {
    for (const c of client.takeOutput()) server.receive(c);
    for (const c of server.takeOutput()) client.receive(c);
  }
  assert.equal(server.state, 'established');
  server.write(new Uint8Array(10));
  assert.equal(server.state, 'failed');
  assert.equal(server.error?.alert !== undefined, true);
});
