// In-memory ClientConnection ↔ ServerConnection pairs: every suite × group, certificate choice,
// HelloRetryRequest, resumption, client authentication, ALPN, KeyUpdate, close_notify, exporters,
// bulk data, and the Acceptor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CipherSuite, NamedGroup, SignatureScheme, ContentType } from '../../src/wire/enums.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { ClientConnection } from '../../src/connection/client.js';
import { Acceptor, ServerConnection } from '../../src/connection/server.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { utf8 } from '../../src/bytes/util.js';
import {
  assertEstablished, assertFailed, clientConfig, concatChunks, connect, dataOf, pki, provider, pump, serverConfig,
} from './helpers.js';

const SUITES = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256];
const GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];

function traces(events: readonly ConnectionEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'trace' ? [e.trace.event] : []));
}

function sessions(events: readonly ConnectionEvent[]): SessionTicket[] {
  return events.flatMap((e) => (e.type === 'session' ? [e.ticket] : []));
}

test('every suite × group: handshake, data both ways, same info on both sides', () => {
  let n = 0;
  for (const suite of SUITES) {
    for (const group of GROUPS) {
      const p = connect({ cipherSuites: [suite], groups: [group] });
      assertEstablished(p);
      const c = p.client.handshakeInfo!;
      const s = p.server.handshakeInfo!;
      assert.equal(c.cipherSuite, suite);
      assert.equal(s.cipherSuite, suite);
      assert.equal(c.group, group);
      assert.equal(s.group, group);
      assert.equal(s.serverName, 'localhost');
      assert.equal(s.resumed, false);
      assert.equal(s.localSignatureScheme, SignatureScheme.ecdsa_secp256r1_sha256);
      assert.equal(c.signatureScheme, SignatureScheme.ecdsa_secp256r1_sha256);
      p.client.write(utf8('ping'));
      p.server.write(utf8('pong'));
      pump(p.client, p.server, { a: p.clientEvents, b: p.serverEvents });
      assert.deepEqual(dataOf(p.serverEvents), utf8('ping'));
      assert.deepEqual(dataOf(p.clientEvents), utf8('pong'));
      n++;
    }
  }
  assert.equal(n, 9);
});

test('client preference vs server preference for the cipher suite', () => {
  const clientOrder = [CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256];
  const a = connect({ cipherSuites: clientOrder });
  assert.equal(a.server.handshakeInfo!.cipherSuite, CipherSuite.TLS_AES_128_GCM_SHA256);
  const b = connect({ cipherSuites: clientOrder }, { preferServerCiphers: false });
  assert.equal(b.server.handshakeInfo!.cipherSuite, CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
});

test('certificate chosen by the client\'s signature_algorithms among four key types', () => {
  const all = pki().server;
  const certificates = [all.rsa, all.p384, all.ed25519, all.p256];
  const cases: [number, string][] = [
    [SignatureScheme.ecdsa_secp256r1_sha256, 'CN=localhost, OU=p256'],
    [SignatureScheme.ecdsa_secp384r1_sha384, 'CN=localhost, OU=p384'],
    [SignatureScheme.ed25519, 'CN=localhost, OU=ed25519'],
    [SignatureScheme.rsa_pss_rsae_sha256, 'CN=localhost, OU=rsa'],
  ];
  for (const [scheme, subject] of cases) {
    const p = connect({ signatureSchemes: [scheme] }, { certificates });
    assertEstablished(p);
    assert.equal(p.client.handshakeInfo!.signatureScheme, scheme);
    assert.equal(p.server.handshakeInfo!.localSignatureScheme, scheme);
    assert.equal(p.client.handshakeInfo!.peerCertificates[0]!.subject.text, subject);
  }
  // No certificate can make what the client accepts → handshake_failure.
  const p = connect({ signatureSchemes: [SignatureScheme.ed25519] }, { certificates: [all.p256] });
  assertFailed(p.server, 'handshake_failure');
});

test('certificate chosen by SNI', () => {
  const { sniA, sniB } = pki();
  for (const [name, subject] of [['a.test', 'CN=a.test'], ['b.test', 'CN=b.test']] as const) {
    const p = connect({ serverName: name }, { certificates: [sniA, sniB] });
    assertEstablished(p);
    assert.equal(p.client.handshakeInfo!.peerCertificates[0]!.subject.text, subject);
    assert.equal(p.server.handshakeInfo!.serverName, name);
  }
});

test('HelloRetryRequest when the client\'s key share is not for a group we accept; with and without compat mode', () => {
  for (const middleboxCompat of [true, false]) {
    const p = connect(
      { groups: [NamedGroup.secp384r1, NamedGroup.x25519], middleboxCompat, trace: true },
      { groups: [NamedGroup.x25519, NamedGroup.secp256r1], trace: true },
    );
    assertEstablished(p);
    assert.equal(p.server.handshakeInfo!.group, NamedGroup.x25519);
    assert.ok(traces(p.serverEvents).includes('hello_retry_request'));
    assert.ok(traces(p.clientEvents).includes('hello_retry_request'));
  }
  // No mutual group at all → handshake_failure.
  const p = connect({ groups: [NamedGroup.secp384r1] }, { groups: [NamedGroup.x25519] });
  assertFailed(p.server, 'handshake_failure');
});

test('HelloRetryRequest cookie tampered on the way → illegal_parameter', () => {
  const client = new ClientConnection(clientConfig({ groups: [NamedGroup.secp384r1, NamedGroup.x25519] }));
  const server = new ServerConnection(serverConfig({ groups: [NamedGroup.x25519] }));
  for (const c of client.takeOutput()) server.receive(c);
  const hrr = concatChunks(server.takeOutput());
  // The cookie is the last extension of the HRR record: flip a byte inside its MAC.
  assert.equal(hrr[0], ContentType.handshake);
  const recordEnd = 5 + ((hrr[3]! << 8) | hrr[4]!);
  hrr[recordEnd - 3]! ^= 0x40;
  client.receive(hrr);
  for (const c of client.takeOutput()) server.receive(c);
  assertFailed(server, 'illegal_parameter');
});

function resumable(over: Parameters<typeof serverConfig>[0] = {}) {
  return serverConfig({ ticketKeys: [provider.randomBytes(32)], ...over });
}

function fullThenTickets(cfg: ReturnType<typeof serverConfig>): SessionTicket[] {
  const client = new ClientConnection(clientConfig());
  const server = new ServerConnection(cfg);
  const ev = { a: [] as ConnectionEvent[], b: [] as ConnectionEvent[] };
  pump(client, server, ev);
  assert.equal(server.handshakeInfo!.resumed, false);
  return sessions(ev.a);
}

function resumeWith(cfg: ReturnType<typeof serverConfig>, session: SessionTicket, over: Parameters<typeof clientConfig>[0] = {}) {
  const client = new ClientConnection(clientConfig({ session, ...over }));
  const server = new ServerConnection(cfg);
  const ev = { a: [] as ConnectionEvent[], b: [] as ConnectionEvent[] };
  pump(client, server, ev);
  return { client, server, ev };
}

test('resumption: tickets from connection 1 resume connection 2 (no certificate), new tickets follow', () => {
  const cfg = resumable({ ticketCount: 3 });
  const tickets = fullThenTickets(cfg);
  assert.equal(tickets.length, 3);
  const r = resumeWith(cfg, tickets[0]!);
  assert.equal(r.server.state, 'established');
  assert.equal(r.server.handshakeInfo!.resumed, true);
  assert.equal(r.client.handshakeInfo!.resumed, true);
  assert.equal(r.server.handshakeInfo!.localSignatureScheme, undefined);
  assert.equal(sessions(r.ev.a).length, 3);
  assert.deepEqual(
    r.client.exportKeyingMaterial(32, 'EXPORTER-test', utf8('ctx')),
    r.server.exportKeyingMaterial(32, 'EXPORTER-test', utf8('ctx')),
  );
  // Resumption also works through a HelloRetryRequest (the binder covers message_hash + HRR).
  const hrrCfg = { ...cfg, groups: [NamedGroup.secp384r1] };
  const t2 = fullThenTickets(hrrCfg);
  const r2 = resumeWith(hrrCfg, t2[0]!);
  assert.equal(r2.server.handshakeInfo!.resumed, true);
  assert.equal(r2.server.handshakeInfo!.group, NamedGroup.secp384r1);
});

test('ticket key rotation: a ticket sealed by the old key opens while the old key is still listed', () => {
  const oldKey = provider.randomBytes(32);
  const newKey = provider.randomBytes(32);
  const tickets = fullThenTickets(resumable({ ticketKeys: [oldKey] }));
  assert.equal(resumeWith(resumable({ ticketKeys: [newKey, oldKey] }), tickets[0]!).server.handshakeInfo!.resumed, true);
  const dropped = resumeWith(resumable({ ticketKeys: [newKey] }), tickets[1]!);
  assert.equal(dropped.server.state, 'established');
  assert.equal(dropped.server.handshakeInfo!.resumed, false);
});

test('single-use tickets: the second use falls back to a full handshake', () => {
  const cfg = resumable({ singleUseTickets: true });
  const [t] = fullThenTickets(cfg);
  assert.equal(resumeWith(cfg, t!).server.handshakeInfo!.resumed, true);
  const again = resumeWith(cfg, t!);
  assert.equal(again.server.state, 'established');
  assert.equal(again.server.handshakeInfo!.resumed, false);
  // Without the option the same ticket resumes twice.
  const multi = resumable();
  const [u] = fullThenTickets(multi);
  assert.equal(resumeWith(multi, u!).server.handshakeInfo!.resumed, true);
  assert.equal(resumeWith(multi, u!).server.handshakeInfo!.resumed, true);
});

test('ticket age off by more than the tolerance → full handshake; bad binder → decrypt_error', () => {
  const cfg = resumable();
  const [t] = fullThenTickets(cfg);
  const skewed = resumeWith(cfg, { ...t!, receivedAt: t!.receivedAt - 60_000 });
  assert.equal(skewed.server.state, 'established');
  assert.equal(skewed.server.handshakeInfo!.resumed, false);
  const secret = t!.secret.slice();
  secret[0]! ^= 1;
  const bad = resumeWith(cfg, { ...t!, secret });
  assertFailed(bad.server, 'decrypt_error');
});

test('client authentication: required, optional, missing, untrusted', () => {
  const { client: alice, strangerClient, trust } = pki();
  const required = { clientAuth: 'required' as const, clientTrust: trust };
  const ok = connect({ clientCertificate: alice }, required);
  assertEstablished(ok);
  assert.equal(ok.server.handshakeInfo!.authorized, true);
  assert.equal(ok.server.handshakeInfo!.peerCertificates[0]!.subject.text, 'CN=Alice');
  assert.equal(ok.server.handshakeInfo!.signatureScheme, SignatureScheme.ecdsa_secp256r1_sha256);

  assertFailed(connect({}, required).server, 'certificate_required');

  const optional = connect({}, { clientAuth: 'optional', clientTrust: trust });
  assertEstablished(optional);
  assert.equal(optional.server.handshakeInfo!.authorized, false);
  assert.equal(optional.server.handshakeInfo!.peerCertificates.length, 0);

  assertFailed(connect({ clientCertificate: strangerClient }, required).server, ['unknown_ca', 'bad_certificate']);
  // rejectUnauthorizedClients: false reports instead of failing.
  const lax = connect({ clientCertificate: strangerClient }, { ...required, rejectUnauthorizedClients: false });
  assertEstablished(lax);
  assert.equal(lax.server.handshakeInfo!.authorized, false);
  assert.ok(lax.server.handshakeInfo!.authorizationError);
  // A resumed session keeps the client's identity from the ticket.
  const cfg = resumable({ ...required, ticketKeys: [provider.randomBytes(32)] });
  const c1 = new ClientConnection(clientConfig({ clientCertificate: alice }));
  const s1 = new ServerConnection(cfg);
  const ev = { a: [] as ConnectionEvent[], b: [] as ConnectionEvent[] };
  pump(c1, s1, ev);
  const r = resumeWith(cfg, sessions(ev.a)[0]!, { clientCertificate: alice });
  assert.equal(r.server.handshakeInfo!.resumed, true);
  assert.equal(r.server.handshakeInfo!.peerCertificates[0]!.subject.text, 'CN=Alice');
  void new TrustStore();
});

test('ALPN: server preference, callback, no overlap → no_application_protocol', () => {
  const a = connect({ alpnProtocols: ['http/1.1', 'h2'] }, { alpnProtocols: ['h2', 'http/1.1'] });
  assert.equal(a.server.handshakeInfo!.alpn, 'h2');
  assert.equal(a.client.handshakeInfo!.alpn, 'h2');
  const b = connect({ alpnProtocols: ['http/1.1', 'h2'] }, { selectAlpn: (offered) => offered[0] });
  assert.equal(b.client.handshakeInfo!.alpn, 'http/1.1');
  const none = connect({ alpnProtocols: ['h2'] }, {});
  assert.equal(none.client.handshakeInfo!.alpn, undefined);
  const c = connect({ alpnProtocols: ['spdy/1'] }, { alpnProtocols: ['h2'] });
  assertFailed(c.server, 'no_application_protocol');
});

test('KeyUpdate both directions with data flowing; close_notify both ways; exporters agree', () => {
  const p = connect();
  assertEstablished(p);
  const ev = { a: p.clientEvents, b: p.serverEvents };
  for (let i = 0; i < 3; i++) {
    p.client.updateKeys(i === 1);
    p.client.write(utf8(`c${i}`));
    p.server.updateKeys(false);
    p.server.write(utf8(`s${i}`));
    pump(p.client, p.server, ev);
  }
  assert.deepEqual(dataOf(p.serverEvents), utf8('c0c1c2'));
  assert.deepEqual(dataOf(p.clientEvents), utf8('s0s1s2'));
  const received = (evs: ConnectionEvent[]) => evs.filter((e) => e.type === 'keyUpdate' && e.direction === 'received').length;
  assert.equal(received(p.serverEvents), 3);
  assert.equal(received(p.clientEvents), 4); // three of ours plus the answer to update_requested
  assert.deepEqual(p.client.exportKeyingMaterial(48, 'EXPORTER-x'), p.server.exportKeyingMaterial(48, 'EXPORTER-x'));
  p.client.close();
  pump(p.client, p.server, ev);
  assert.equal(p.server.peerClosed, true);
  p.server.write(utf8('after client close'));
  p.server.close();
  pump(p.client, p.server, ev);
  assert.equal(p.client.peerClosed, true);
  assert.equal(p.client.state, 'closed');
  assert.equal(p.server.state, 'closed');
  assert.ok(dataOf(p.clientEvents).length > 6);
});

test('1 MiB each way, byte-exact', () => {
  const p = connect();
  const up = provider.randomBytes(1 << 20);
  const down = provider.randomBytes(1 << 20);
  p.client.write(up);
  p.server.write(down);
  pump(p.client, p.server, { a: p.clientEvents, b: p.serverEvents });
  assert.deepEqual(dataOf(p.serverEvents), up);
  assert.deepEqual(dataOf(p.clientEvents), down);
});

test('Acceptor: ClientHello fed one byte at a time, then the connection continues from the buffered bytes', () => {
  const client = new ClientConnection(clientConfig({ alpnProtocols: ['h2'] }));
  const acceptor = new Acceptor();
  const hello = concatChunks(client.takeOutput());
  let accepted;
  for (let i = 0; i < hello.length; i++) {
    accepted = acceptor.receive(hello.subarray(i, i + 1));
    if (i < hello.length - 1) assert.equal(accepted, undefined);
  }
  assert.ok(accepted);
  assert.equal(accepted.clientHello.serverName, 'localhost');
  assert.deepEqual(accepted.clientHello.alpnProtocols, ['h2']);
  const server = accepted.intoConnection(serverConfig({ alpnProtocols: ['h2'] }));
  pump(client, server);
  assert.equal(server.state, 'established');
  assert.equal(client.handshakeInfo!.alpn, 'h2');
  assert.equal(server.clientHello!.serverName, 'localhost');

  const bad = new Acceptor();
  assert.throws(() => bad.receive(utf8('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), (e: Error & { alertName?: string }) => e.alertName !== undefined);
  const alert = concatChunks(bad.takeOutput());
  assert.equal(alert[0], ContentType.alert);
  assert.equal(alert.length, 7);
});

test('stateless HelloRetryRequest: a second server instance sharing the cookie key finishes the handshake', () => {
  const cookieKey = provider.randomBytes(32);
  const cfg = serverConfig({ groups: [NamedGroup.x25519], cookieKey });
  const client = new ClientConnection(clientConfig({ groups: [NamedGroup.secp384r1, NamedGroup.x25519] }));
  const first = new ServerConnection(cfg);
  for (const c of client.takeOutput()) first.receive(c);
  for (const c of first.takeOutput()) client.receive(c); // HRR (+ CCS)
  // The first instance is gone; a fresh one, sharing only the cookie key, takes ClientHello2.
  const second = new ServerConnection({ ...cfg });
  // Over TCP the second hello comes on the same connection; here the compat CCS that precedes it
  // belongs to the first instance's stream (a fresh connection refuses a CCS before ClientHello).
  const hello2 = concatChunks(client.takeOutput());
  assert.equal(hello2[0], ContentType.change_cipher_spec);
  second.receive(hello2.subarray(6));
  pump(client, second);
  assert.equal(second.state, 'established');
  assert.equal(client.state, 'established');
  assert.equal(second.handshakeInfo!.group, NamedGroup.x25519);
  // A different cookie key refuses the cookie.
  const client2 = new ClientConnection(clientConfig({ groups: [NamedGroup.secp384r1, NamedGroup.x25519] }));
  const a = new ServerConnection(cfg);
  for (const c of client2.takeOutput()) a.receive(c);
  for (const c of a.takeOutput()) client2.receive(c);
  const b = new ServerConnection(serverConfig({ groups: [NamedGroup.x25519], cookieKey: provider.randomBytes(32) }));
  b.receive(concatChunks(client2.takeOutput()).subarray(6));
  assertFailed(b, 'illegal_parameter');
});
