// HandshakeInfo.finished: the verify_data of each side's Finished (node's getFinished() and
// getPeerFinished()). In-memory pairs, both versions, full and resumed handshakes, HelloRetryRequest
// and client authentication: one side's `local` is the other's `peer`, of the length the version and
// hash give (RFC 8446 §4.4.4: Hash.length; RFC 5246 §7.4.9: 12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import type { HandshakeInfo, SessionTicket } from '../../src/handshake/events.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { toHex } from '../../src/bytes/util.js';
import { assertEstablished, clientConfig, pki, provider, pump, serverConfig, type Pair } from './helpers.js';

function run(client: Partial<ClientConfig>, server: ServerConfig): Pair {
  const pair: Pair = {
    client: new ClientConnection(clientConfig(client)),
    server: new ServerConnection(server),
    clientEvents: [],
    serverEvents: [],
  };
  pump(pair.client, pair.server, { a: pair.clientEvents, b: pair.serverEvents });
  assertEstablished(pair);
  return pair;
}

function sessionOf(events: readonly ConnectionEvent[]): SessionTicket {
  const t = events.flatMap((e) => (e.type === 'session' ? [e.ticket] : []))[0];
  assert.ok(t, 'a session was delivered');
  return t;
}

function handshakeEvent(events: readonly ConnectionEvent[]): HandshakeInfo {
  const info = events.flatMap((e) => (e.type === 'handshake' ? [e.info] : []))[0];
  assert.ok(info, "a 'handshake' event");
  return info;
}

/** Both sides agree on both Finished messages, of `length` bytes, and the two differ. */
function assertCrossed(p: Pair, length: number, resumed: boolean): void {
  const c = p.client.handshakeInfo!;
  const s = p.server.handshakeInfo!;
  assert.equal(c.resumed, resumed, 'client resumed');
  assert.equal(s.resumed, resumed, 'server resumed');
  for (const f of [c.finished.local, c.finished.peer, s.finished.local, s.finished.peer]) {
    assert.equal(f.length, length);
    // Its own bytes, not a view into a received record or a larger buffer.
    assert.equal(f.byteLength, f.buffer.byteLength);
  }
  assert.equal(toHex(c.finished.local), toHex(s.finished.peer), "client's local = server's peer");
  assert.equal(toHex(c.finished.peer), toHex(s.finished.local), "client's peer = server's local");
  assert.notEqual(toHex(c.finished.local), toHex(c.finished.peer));
  // Each read is a copy: writing into one does not change the connection's.
  const before = toHex(s.finished.local);
  s.finished.local.fill(0);
  assert.equal(toHex(s.finished.local), before);
  // The 'handshake' event carries the same info.
  assert.equal(toHex(handshakeEvent(p.clientEvents).finished.local), toHex(c.finished.local));
  assert.equal(toHex(handshakeEvent(p.serverEvents).finished.peer), toHex(s.finished.peer));
}

test('TLS 1.3: Finished verify_data is the hash length (32 for SHA-256 suites, 48 for SHA-384), crossed between the sides', () => {
  const cases: [number, number][] = [
    [CipherSuite.TLS_AES_128_GCM_SHA256, 32],
    [CipherSuite.TLS_CHACHA20_POLY1305_SHA256, 32],
    [CipherSuite.TLS_AES_256_GCM_SHA384, 48],
  ];
  for (const [suite, length] of cases) {
    const p = run({ cipherSuites: [suite] }, serverConfig());
    assert.equal(p.client.handshakeInfo!.cipherSuite, suite);
    assertCrossed(p, length, false);
  }
});

test('TLS 1.3: HelloRetryRequest, client certificate, PSK resumption (also through a HelloRetryRequest)', () => {
  const hrr = run({ groups: [NamedGroup.x25519, NamedGroup.secp384r1], keyShares: 1, trace: true }, serverConfig({ groups: [NamedGroup.secp384r1] }));
  assert.ok(hrr.clientEvents.some((e) => e.type === 'trace' && e.trace.event === 'hello_retry_request'), 'a HelloRetryRequest happened');
  assert.equal(hrr.server.handshakeInfo!.group, NamedGroup.secp384r1);
  assertCrossed(hrr, 32, false);

  const auth = run({ clientCertificate: pki().client }, serverConfig({ clientAuth: 'required', clientTrust: pki().trust }));
  assert.equal(auth.server.handshakeInfo!.peerCertificates.length, 1);
  assertCrossed(auth, 32, false);

  for (const suite of [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384]) {
    const cfg = serverConfig({ ticketKeys: [provider.randomBytes(32)] });
    const first = run({ cipherSuites: [suite] }, cfg);
    const resumed = run({ cipherSuites: [suite], session: sessionOf(first.clientEvents) }, cfg);
    assertCrossed(resumed, suite === CipherSuite.TLS_AES_256_GCM_SHA384 ? 48 : 32, true);
    assert.notEqual(toHex(resumed.client.handshakeInfo!.finished.local), toHex(first.client.handshakeInfo!.finished.local));
    const hrrCfg = { ...cfg, groups: [NamedGroup.secp384r1] };
    const t = sessionOf(run({ cipherSuites: [suite] }, hrrCfg).clientEvents);
    const viaHrr = run({ cipherSuites: [suite], session: t, trace: true }, hrrCfg);
    assert.ok(viaHrr.clientEvents.some((e) => e.type === 'trace' && e.trace.event === 'hello_retry_request'), 'a HelloRetryRequest happened');
    assert.equal(viaHrr.server.handshakeInfo!.group, NamedGroup.secp384r1);
    assertCrossed(viaHrr, suite === CipherSuite.TLS_AES_256_GCM_SHA384 ? 48 : 32, true);
  }
});

test('TLS 1.2: 12-byte verify_data, full, client certificate, resumed by ticket and by session ID (server Finished first)', () => {
  const v12 = { maxVersion: 'TLSv1.2' } as const;
  for (const suite of [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]) {
    assertCrossed(run({ ...v12, cipherSuites: [suite] }, serverConfig()), 12, false);
  }
  assertCrossed(run({ ...v12, clientCertificate: pki().client }, serverConfig({ clientAuth: 'required', clientTrust: pki().trust })), 12, false);

  const byTicket = serverConfig({ ticketKeys: [provider.randomBytes(32)] });
  const t = sessionOf(run(v12, byTicket).clientEvents);
  assert.ok(t.ticket.length > 0);
  assertCrossed(run({ ...v12, session: t }, byTicket), 12, true);

  const byId = serverConfig();
  const s = sessionOf(run(v12, byId).clientEvents);
  assert.equal(s.ticket.length, 0);
  assertCrossed(run({ ...v12, session: s }, byId), 12, true);
});
