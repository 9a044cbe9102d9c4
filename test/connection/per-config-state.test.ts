// What a server remembers between connections (shared ClientHelloInfos, the encoded Certificate
// message) belongs to its config: connections of one config share it, two servers with different
// configs in one process never do (#12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import { resolveServerConfig } from '../../src/handshake/server/server-options.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { assertEstablished, clientConfig, provider, pump, serverConfig, type Pair } from './helpers.js';

function connectTo(config: ServerConfig): Pair {
  const pair: Pair = {
    client: new ClientConnection(clientConfig()),
    server: new ServerConnection(config),
    clientEvents: [],
    serverEvents: [],
  };
  pump(pair.client, pair.server, { a: pair.clientEvents, b: pair.serverEvents });
  assertEstablished(pair);
  return pair;
}

test('equal ClientHelloInfos are shared within one config, never between two configs', () => {
  const a = serverConfig();
  const b = serverConfig();
  const a1 = connectTo(a).server;
  const a2 = connectTo(a).server;
  const b1 = connectTo(b).server;
  assert.ok(a1.clientHello && Object.isFrozen(a1.clientHello));
  assert.equal(a2.clientHello, a1.clientHello, 'connections of one config share the equal info');
  assert.equal(a1.handshakeInfo?.clientHello, a1.clientHello);
  assert.deepEqual(b1.clientHello, a1.clientHello, 'the same client sent the same lists');
  assert.notEqual(b1.clientHello, a1.clientHello, 'another config keeps its own');
});

test('the TLS 1.3 Certificate message is encoded once per config, not per process', () => {
  const certificates = serverConfig().certificates;
  const a = resolveServerConfig(provider, serverConfig({ certificates }));
  const b = resolveServerConfig(provider, serverConfig({ certificates }));
  assert.equal(a.certificates[0]!.certificateMessage13(), a.certificates[0]!.certificateMessage13());
  assert.notEqual(a.certificates[0], b.certificates[0]);
  assert.notEqual(a.certificates[0]!.certificateMessage13(), b.certificates[0]!.certificateMessage13());
  assert.deepEqual(a.certificates[0]!.certificateMessage13(), b.certificates[0]!.certificateMessage13());
  assert.notEqual(a.clientHellos, b.clientHellos);
});
