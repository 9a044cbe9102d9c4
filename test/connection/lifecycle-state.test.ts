// BaseConnection's explicit lifecycle (what `state` reports): handshaking → established → closed
// once close_notify went both ways; failed from any state, for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import { clientConfig, connect, pump, serverConfig } from './helpers.js';

test('lifecycle: handshaking, established, closed only when close_notify went both ways', () => {
  const client = new ClientConnection(clientConfig());
  const server = new ServerConnection(serverConfig());
  assert.equal(client.state, 'handshaking');
  assert.equal(server.state, 'handshaking');
  pump(client, server);
  assert.equal(client.state, 'established');
  assert.equal(server.state, 'established');
  client.close();
  assert.equal(client.state, 'established', 'our close_notify alone does not close');
  pump(client, server);
  assert.equal(server.state, 'established', 'the peer\'s close_notify alone does not close');
  server.close();
  pump(client, server);
  assert.equal(client.state, 'closed');
  assert.equal(server.state, 'closed');
});

test('lifecycle: a closed connection that then receives garbage is failed, and stays so', () => {
  const p = connect();
  p.client.close();
  p.server.close();
  pump(p.client, p.server);
  assert.equal(p.server.state, 'closed');
  assert.ok(p.server.receive(Uint8Array.of(23, 3, 3, 0, 17, ...new Uint8Array(17))));
  assert.equal(p.server.state, 'failed');
  p.server.close();
  assert.equal(p.server.state, 'failed');
});

test('lifecycle: failed during the handshake', () => {
  const server = new ServerConnection(serverConfig());
  assert.ok(server.receive(Uint8Array.of(22, 3, 3, 0, 4, 99, 0, 0, 0)));
  assert.equal(server.state, 'failed');
});
