// TransportOptions, the second constructor argument of ClientConnection / ServerConnection and of
// Accepted.intoConnection(): the allocator an adapter sets without a TLS config field (the node
// adapter passes one that does not zero-fill, without an instanceof check on the connection).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientConnection } from '../../src/connection/client.js';
import { Acceptor, ServerConnection } from '../../src/connection/server.js';
import type { TlsConnection } from '../../src/connection/api.js';
import { clientConfig, dataOf, serverConfig } from './helpers.js';
import type { ConnectionEvent } from '../../src/connection/events.js';

function pump(a: TlsConnection, b: TlsConnection, sink: { a: ConnectionEvent[]; b: ConnectionEvent[] }): void {
  for (let i = 0; i < 50 && (a.wantsWrite || b.wantsWrite); i++) {
    for (const c of a.takeOutput()) b.receive(c);
    sink.b.push(...b.takeEvents());
    for (const c of b.takeOutput()) a.receive(c);
    sink.a.push(...a.takeEvents());
  }
}

/** An allocator that counts its calls and hands out garbage-filled buffers. */
function counting(): { allocate: (n: number) => Uint8Array; calls: () => number } {
  let calls = 0;
  return { allocate: (n) => (calls++, new Uint8Array(n).fill(0xa5)), calls: () => calls };
}

test('TransportOptions.allocate: both sides seal application data into the adapter\'s buffers', () => {
  const c = counting();
  const s = counting();
  const client = new ClientConnection(clientConfig(), { allocate: c.allocate });
  const server = new ServerConnection(serverConfig(), { allocate: s.allocate });
  const events = { a: [] as ConnectionEvent[], b: [] as ConnectionEvent[] };
  pump(client, server, events);
  assert.equal(client.state, 'established');
  client.write(new Uint8Array(1000).fill(1));
  server.write(new Uint8Array(500).fill(2));
  pump(client, server, events);
  assert.equal(c.calls(), 1);
  assert.equal(s.calls(), 1);
  assert.deepEqual(dataOf(events.b), new Uint8Array(1000).fill(1));
  assert.deepEqual(dataOf(events.a), new Uint8Array(500).fill(2));
});

test('TransportOptions.allocate through the Acceptor: intoConnection(config, transport)', () => {
  const s = counting();
  const client = new ClientConnection(clientConfig());
  const acceptor = new Acceptor();
  let accepted;
  for (const chunk of client.takeOutput()) accepted = acceptor.receive(chunk);
  assert.ok(accepted);
  const server = accepted.intoConnection(serverConfig(), { allocate: s.allocate });
  const events = { a: [] as ConnectionEvent[], b: [] as ConnectionEvent[] };
  pump(server, client, events);
  assert.equal(server.state, 'established');
  server.write(new Uint8Array(300).fill(3));
  pump(server, client, events);
  assert.equal(s.calls(), 1);
  assert.deepEqual(dataOf(events.b), new Uint8Array(300).fill(3));
});
