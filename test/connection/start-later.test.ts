// ClientConnection with `startLater` (what hush/node uses so that setSession() works until the
// transport connects): nothing is queued until start(); bad options still throw at construction;
// start(session) offers that session instead of config.session; start(session, serverName) sends
// that SNI but verifies config.serverName (node's setServername()); start() runs once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { UsageError } from '../../src/errors/errors.js';
import { assertEstablished, assertFailed, clientConfig, provider, pump, serverConfig } from './helpers.js';

function firstSession(cfg: ReturnType<typeof serverConfig>, over: Parameters<typeof clientConfig>[0] = {}): SessionTicket {
  const client = new ClientConnection(clientConfig(over));
  const server = new ServerConnection(cfg);
  const ev = { a: [] as ConnectionEvent[], b: [] as ConnectionEvent[] };
  pump(client, server, ev);
  const t = ev.a.flatMap((e) => (e.type === 'session' ? [e.ticket] : []))[0];
  assert.ok(t);
  return t;
}

test('startLater: no ClientHello until start(); then a normal handshake', () => {
  const client = new ClientConnection(clientConfig(), { startLater: true });
  assert.equal(client.started, false);
  assert.equal(client.wantsWrite, false);
  assert.deepEqual(client.takeOutput(), []);
  assert.equal(client.state, 'handshaking');
  client.start();
  assert.equal(client.started, true);
  assert.equal(client.wantsWrite, true);
  const server = new ServerConnection(serverConfig());
  pump(client, server);
  assertEstablished({ client, server, clientEvents: [], serverEvents: [] });
  assert.throws(() => client.start(), (e) => e instanceof UsageError && /already sent/.test(e.message));
});

test('startLater: option errors still throw at construction', () => {
  assert.throws(() => new ClientConnection(clientConfig({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }), { startLater: true }), UsageError);
  assert.throws(() => new ClientConnection(clientConfig({ trust: undefined }), { startLater: true }), /trust store/);
  assert.throws(() => new ClientConnection(clientConfig({ echConfigList: new Uint8Array([0, 1, 2]) }), { startLater: true }), /echConfigList/);
});

test('startLater: start(session) offers that session, over config.session; TLS 1.3 and 1.2', () => {
  for (const version of [{}, { maxVersion: 'TLSv1.2' as const }]) {
    const cfg = serverConfig({ ticketKeys: [provider.randomBytes(32)] });
    const session = firstSession(cfg, version);
    const stranger = firstSession(serverConfig({ ticketKeys: [provider.randomBytes(32)] }), version);
    const client = new ClientConnection(clientConfig({ ...version, session: stranger }), { startLater: true });
    client.start(session);
    const server = new ServerConnection(cfg);
    pump(client, server);
    assert.equal(client.handshakeInfo?.resumed, true, JSON.stringify(version));
    // Without an argument, config.session (here one the server cannot open: a full handshake).
    const plain = new ClientConnection(clientConfig({ ...version, session: stranger }), { startLater: true });
    plain.start();
    const server2 = new ServerConnection(cfg);
    pump(plain, server2);
    assert.equal(plain.handshakeInfo?.resumed, false);
  }
});

test('startLater: a server that speaks before our ClientHello gets unexpected_message', () => {
  const client = new ClientConnection(clientConfig(), { startLater: true });
  const other = new ClientConnection(clientConfig());
  const server = new ServerConnection(serverConfig());
  for (const c of other.takeOutput()) server.receive(c);
  for (const c of server.takeOutput()) client.receive(c);
  assertFailed(client, 'unexpected_message');
  assert.throws(() => client.start(), /failed/);
});

test('startLater: start(session, serverName) sends that SNI, still verifying config.serverName', () => {
  const run = (serverName: string | undefined, config: Parameters<typeof clientConfig>[0] = {}) => {
    const client = new ClientConnection(clientConfig(config), { startLater: true });
    client.start(undefined, serverName);
    const server = new ServerConnection(serverConfig());
    pump(client, server);
    return { client, server };
  };
  // The certificate names localhost and example.test, not other.test.
  const a = run('other.test');
  assert.equal(a.server.clientHello?.serverName, 'other.test');
  assert.equal(a.client.handshakeInfo?.serverName, 'other.test');
  assert.equal(a.client.handshakeInfo?.authorized, true, 'localhost (config.serverName) was verified');
  const b = run('example.test.', { serverName: 'other.test' });
  assert.equal(b.server.clientHello?.serverName, 'example.test', 'the trailing dot is dropped');
  assertFailed(b.client, 'bad_certificate');
  assert.match(b.client.error!.message, /other\.test/, 'other.test (config.serverName) was checked');
  // RFC 6066 §3: an IP literal is not sent.
  const c = run('127.0.0.1');
  assert.equal(c.server.clientHello?.serverName, undefined);
  assert.equal(c.client.handshakeInfo?.authorized, true);
  // Without it, config.serverName; an empty name is refused before anything is sent.
  assert.equal(run(undefined).server.clientHello?.serverName, 'localhost');
  const d = new ClientConnection(clientConfig(), { startLater: true });
  assert.throws(() => d.start(undefined, ''), (e) => e instanceof UsageError && /empty/.test(e.message));
  assert.deepEqual(d.takeOutput(), []);
  assert.equal(d.started, false);
});
