// Records and messages that cost work without progress are bounded (issue #11, item 3): each
// bound is checked by its count, on both sides of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentType, ProtocolVersion, SignatureScheme } from '../../src/wire/enums.js';
import { fromHex } from '../../src/bytes/util.js';
import { tls13SuiteById } from '../../src/crypto/suites.js';
import { trafficKeys } from '../../src/schedule/tls13.js';
import { RecordSealer13 } from '../../src/record/protection13.js';
import * as m from '../../src/handshake/messages/index.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { TlsConnection } from '../../src/connection/api.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { AlertDescription, AlertLevel } from '../../src/errors/alert.js';
import { assertFailed, clientConfig, connect, concatChunks, provider, pump, serverConfig } from './helpers.js';

const PLAIN_USER_CANCELED = Uint8Array.of(ContentType.alert, 3, 3, 0, 2, AlertLevel.warning, AlertDescription.user_canceled);

/** A handshake done with key logs on both sides; a sealer for what `from` sends under its application key. */
function established(from: 'client' | 'server', server: Parameters<typeof serverConfig>[0] = {}) {
  const p = connect({ keyLog: true }, { keyLog: true, ...server });
  assert.equal(p.server.state, 'established');
  const events = from === 'client' ? p.clientEvents : p.serverEvents;
  const label = from === 'client' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0';
  const secret = events.flatMap((e) => (e.type === 'keylog' && e.line.startsWith(label) ? [e.line.split(' ')[2]!] : []))[0]!;
  const suite = tls13SuiteById(p.server.handshakeInfo!.cipherSuite)!;
  // Nothing was sent under this key yet (no tickets: the server has no ticket keys), so sequence 0 is next.
  const sealer = new RecordSealer13(provider, suite, trafficKeys(provider, suite, fromHex(secret)));
  return { ...p, sealer };
}

/** Feed `record` until the connection fails (at most `max` times); the number accepted before. */
function acceptedBeforeFailure(conn: TlsConnection, next: () => Uint8Array, max: number): number {
  for (let i = 0; i < max; i++) {
    if (conn.receive(next())) return i;
  }
  return max;
}

test('TLS 1.3 user_canceled alerts are counted: 5 in a row are ignored, the 6th fails (main: 1 000 000 before ServerHello)', () => {
  // Before the ClientHello, and between ClientHello and the client's next flight.
  const s = new ServerConnection(serverConfig());
  assert.equal(acceptedBeforeFailure(s, () => PLAIN_USER_CANCELED, 1000), 5);
  assertFailed(s, 'unexpected_message');
  assert.match(s.error!.message, /6 alerts in a row.*user_canceled.*hush allows 5/);

  // After the handshake, encrypted.
  const p = established('client');
  const alert = () => p.sealer.seal(ContentType.alert, Uint8Array.of(AlertLevel.warning, AlertDescription.user_canceled));
  assert.equal(acceptedBeforeFailure(p.server, alert, 100_000), 5);
  assertFailed(p.server, 'unexpected_message');

  // Application data in between resets the count: 5 alerts, data, 5 alerts... goes on.
  const q = established('client');
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 5; i++) q.server.receive(q.sealer.seal(ContentType.alert, Uint8Array.of(AlertLevel.warning, AlertDescription.user_canceled)));
    q.server.receive(q.sealer.seal(ContentType.application_data, Uint8Array.of(round)));
  }
  assert.equal(q.server.error, undefined);
  assert.equal(q.server.takeEvents().filter((e) => e.type === 'data').length, 20);
});

test('TLS 1.2 warning alerts: 5 in a row are ignored, the 6th fails (main: 64)', () => {
  const client = new ClientConnection(clientConfig({ maxVersion: 'TLSv1.2' }));
  const server = new ServerConnection(serverConfig());
  server.receive(concatChunks(client.takeOutput()));
  assert.equal(server.error, undefined);
  // Waiting for the client's ClientKeyExchange: a warning the RFC lets us ignore, over and over.
  const warning = Uint8Array.of(ContentType.alert, 3, 3, 0, 2, AlertLevel.warning, AlertDescription.unrecognized_name);
  assert.equal(acceptedBeforeFailure(server, () => warning, 1000), 5);
  assertFailed(server, 'unexpected_message');
});

test('records that carry nothing (empty application data, ignored alerts, dropped tickets) count together: 32 in a row, then unexpected_message', () => {
  const p = established('client');
  const empty = () => p.sealer.seal(ContentType.application_data, new Uint8Array(0));
  assert.equal(acceptedBeforeFailure(p.server, empty, 1000), 32);
  assertFailed(p.server, 'unexpected_message');
  assert.match(p.server.error!.message, /33 records in a row that carry nothing \(the last: an empty record\); hush allows 32/);

  // Alternating empty records and user_canceled does not reset either count (main: unbounded).
  const q = established('client');
  let k = 0;
  const mixed = () =>
    k++ % 2 === 0
      ? q.sealer.seal(ContentType.application_data, new Uint8Array(0))
      : q.sealer.seal(ContentType.alert, Uint8Array.of(AlertLevel.warning, AlertDescription.user_canceled));
  assert.ok(acceptedBeforeFailure(q.server, mixed, 100_000) <= 32);
  assertFailed(q.server, 'unexpected_message');

  // Data resets it.
  const r = established('client');
  for (let i = 0; i < 200; i++) {
    r.server.receive(r.sealer.seal(ContentType.application_data, new Uint8Array(0)));
    if (i % 30 === 29) r.server.receive(r.sealer.seal(ContentType.application_data, Uint8Array.of(1)));
  }
  assert.equal(r.server.error, undefined);
});

test('ChangeCipherSpec: a few compat records are dropped during a TLS 1.3 handshake, 33 in a row fail; after it, one fails', () => {
  const client = new ClientConnection(clientConfig());
  const server = new ServerConnection(serverConfig());
  server.receive(concatChunks(client.takeOutput()));
  const ccs = Uint8Array.of(ContentType.change_cipher_spec, 3, 3, 0, 1, 1);
  assert.equal(acceptedBeforeFailure(server, () => ccs, 1000), 32);
  assertFailed(server, 'unexpected_message');
  // RFC 8446 §5: after the peer's Finished a ChangeCipherSpec is an unexpected record.
  const p = connect();
  p.server.receive(ccs);
  assertFailed(p.server, 'unexpected_message');
  const q = connect();
  q.client.receive(ccs);
  assertFailed(q.client, 'unexpected_message');
});

test('KeyUpdate: 32 in a row without application data, then unexpected_message; several requests in one read get one answer (main: one each)', () => {
  const count = (events: readonly ConnectionEvent[], direction: 'sent' | 'received') =>
    events.filter((e) => e.type === 'keyUpdate' && e.direction === direction).length;
  const p = connect();
  // Ten update_requested in one batch of bytes: the server switches read keys ten times and answers once.
  for (let i = 0; i < 10; i++) p.client.updateKeys(true);
  p.server.receive(concatChunks(p.client.takeOutput()));
  const ev = p.server.takeEvents();
  assert.equal(count(ev, 'received'), 10);
  assert.equal(count(ev, 'sent'), 1, 'one KeyUpdate answers them all (RFC 8446 §4.6.3)');
  pump(p.client, p.server);
  assert.equal(p.client.error, undefined);
  // Keys still agree both ways.
  p.client.write(Uint8Array.of(7));
  p.server.write(Uint8Array.of(8));
  const sink = { a: [] as ConnectionEvent[], b: [] as ConnectionEvent[] };
  pump(p.client, p.server, sink);
  assert.equal(sink.b.filter((e) => e.type === 'data').length, 1);
  assert.equal(sink.a.filter((e) => e.type === 'data').length, 1);

  // The bound: 32 KeyUpdates, one at a time, are answered; the 33rd fails.
  const q = connect();
  let answered = 0;
  for (let i = 0; i < 32; i++) {
    q.client.updateKeys(true);
    for (const c of q.client.takeOutput()) q.server.receive(c);
    answered += count(q.server.takeEvents(), 'sent');
    for (const c of q.server.takeOutput()) q.client.receive(c);
  }
  assert.equal(q.server.error, undefined);
  assert.equal(answered, 32);
  q.client.updateKeys(false);
  for (const c of q.client.takeOutput()) q.server.receive(c);
  assertFailed(q.server, 'unexpected_message');
  assert.match(q.server.error!.message, /33 KeyUpdates without application data/);

  // Application data from the peer resets the count, and the answers to our own requests do not
  // count (a client that uploads and asks for updates gets one answer each from a silent server).
  const r = connect();
  for (let i = 0; i < 100; i++) {
    r.client.updateKeys(i % 2 === 0);
    if (i % 20 === 19) r.client.write(Uint8Array.of(i));
    pump(r.client, r.server);
  }
  assert.equal(r.server.error, undefined);
  assert.equal(r.client.error, undefined);
});

test('NewSessionTicket flood to a client: 64 kept, then 32 dropped in a row, then unexpected_message (main: unbounded)', () => {
  const p = established('server');
  const ticket = (lifetime: number, sealer = p.sealer) =>
    sealer.seal(
      ContentType.handshake,
      m.encodeNewSessionTicket13({ lifetime, ageAdd: 1, nonce: Uint8Array.of(1), ticket: new Uint8Array(40), extensions: [] }),
    );
  assert.equal(acceptedBeforeFailure(p.client, () => ticket(600), 10_000), 64 + 32);
  assert.equal(p.client.takeEvents().filter((e) => e.type === 'session').length, 64);
  assertFailed(p.client, 'unexpected_message');
  assert.match(p.client.error!.message, /the last: NewSessionTicket/);
  // Zero-lifetime tickets are discarded at once (RFC 8446 §4.6.1) and count the same.
  const q = established('server');
  assert.equal(acceptedBeforeFailure(q.client, () => ticket(0, q.sealer), 10_000), 32);
  // Data in between resets it.
  const r = established('server');
  for (let i = 0; i < 200; i++) {
    r.client.receive(ticket(0, r.sealer));
    if (i % 30 === 29) r.client.receive(r.sealer.seal(ContentType.application_data, Uint8Array.of(1)));
  }
  assert.equal(r.client.error, undefined);
});

test('post-handshake CertificateRequest to a client that did not offer post_handshake_auth → unexpected_message', () => {
  const p = established('server');
  p.client.receive(
    p.sealer.seal(
      ContentType.handshake,
      m.encodeCertificateRequest13({ context: Uint8Array.of(1), extensions: [m.encodeSignatureAlgorithmsExt([SignatureScheme.ecdsa_secp256r1_sha256])] }),
    ),
  );
  assertFailed(p.client, 'unexpected_message');
});

test('a TLS 1.2-only client refuses a ChangeCipherSpec before ServerHello; a client that offered TLS 1.3 drops it (RFC 8446 §5)', () => {
  const ccs = Uint8Array.of(ContentType.change_cipher_spec, 3, 3, 0, 1, 1);
  const only12 = new ClientConnection(clientConfig({ maxVersion: 'TLSv1.2' }));
  only12.takeOutput();
  only12.receive(ccs);
  assertFailed(only12, 'unexpected_message');
  const both = new ClientConnection(clientConfig());
  both.takeOutput();
  assert.equal(both.receive(ccs), undefined);
  // And the TLS 1.2-only client still completes a handshake (no CCS before ServerHello there).
  const client = new ClientConnection(clientConfig({ maxVersion: 'TLSv1.2' }));
  const server = new ServerConnection(serverConfig());
  pump(client, server);
  assert.equal(client.state, 'established');
  assert.equal(client.handshakeInfo!.version, 'TLSv1.2');
  void ProtocolVersion;
});
