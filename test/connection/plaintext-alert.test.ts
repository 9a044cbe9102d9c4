// A plaintext alert from a TLS 1.3 peer that has not switched to its handshake keys yet (OpenSSL
// clients reject a certificate that way) ends the connection quietly, with an error that says what
// the peer said, shaped like an encrypted alert's (issue #11, item 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as netServer, type Socket } from 'node:net';
import { ContentType, HandshakeType } from '../../src/wire/enums.js';
import { AlertDescription, AlertLevel } from '../../src/errors/alert.js';
import { TlsError } from '../../src/errors/errors.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { assertFailed, clientConfig, concatChunks, pki, pump, serverConfig } from './helpers.js';
import { interopSkip, startProcess, tempDir } from '../interop/peers.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const plainAlert = (desc: number, level: number = AlertLevel.fatal) => Uint8Array.of(ContentType.alert, 3, 3, 0, 2, level, desc);

/** A server that has sent its whole first flight (and so reads with the client's handshake key). */
function serverAfterFlight() {
  const client = new ClientConnection(clientConfig());
  const server = new ServerConnection(serverConfig({ trace: true }));
  server.receive(concatChunks(client.takeOutput()));
  const flight = concatChunks(server.takeOutput());
  assert.ok(flight.length > 0);
  server.takeEvents();
  return { client, server, flight };
}

test('a plaintext unknown_ca before the client switched keys: no alert back, error "the client rejected our certificate: unknown_ca" (main: unexpected_message sent)', () => {
  const { server } = serverAfterFlight();
  assert.equal(server.receive(plainAlert(AlertDescription.unknown_ca)), server.error);
  const err = server.error!;
  assert.ok(err instanceof TlsError);
  assert.equal(err.alertName, 'unknown_ca');
  assert.equal(err.code, 'ERR_TLS_UNKNOWN_CA');
  assert.equal(err.remote, true);
  assert.equal(err.message, 'the client rejected our certificate: unknown_ca');
  assert.equal(server.state, 'failed');
  assert.deepEqual(server.takeOutput(), [], 'nothing is sent back');
  const events = server.takeEvents();
  assert.deepEqual(events.filter((e) => e.type === 'error').map((e) => (e as { error: TlsError }).error), [err]);
  const failed = events.find((e) => e.type === 'trace' && e.trace.event === 'failed') as Extract<ConnectionEvent, { type: 'trace' }> | undefined;
  assert.match(failed!.trace.message, /unencrypted.*without answering/);

  // The other certificate alerts say the same; any other alert is "sent a fatal alert".
  for (const [desc, message] of [
    [AlertDescription.bad_certificate, 'the client rejected our certificate: bad_certificate'],
    [AlertDescription.certificate_expired, 'the client rejected our certificate: certificate_expired'],
    [AlertDescription.handshake_failure, 'the client sent a fatal alert: handshake_failure'],
    [AlertDescription.internal_error, 'the client sent a fatal alert: internal_error'],
  ] as const) {
    const s = serverAfterFlight().server;
    s.receive(plainAlert(desc, AlertLevel.warning)); // the level does not matter in TLS 1.3 (RFC 8446 §6.2)
    assert.equal(s.error?.message, message);
    assert.equal(s.error?.remote, true);
    assert.deepEqual(s.takeOutput(), []);
  }
});

test('the same rejection sent encrypted gives the same error (one shape for logs)', () => {
  // A hush client that does not trust the server's CA rejects the certificate under its handshake key.
  const client = new ClientConnection(clientConfig({ trust: new TrustStore([pki().otherCaPem]) }));
  const server = new ServerConnection(serverConfig());
  pump(client, server);
  assertFailed(client, 'unknown_ca');
  const err = server.error!;
  assert.equal(err.message, 'the client rejected our certificate: unknown_ca');
  assert.equal(err.remote, true);
  assert.equal(err.code, 'ERR_TLS_UNKNOWN_CA');
});

test('once a record arrived under the new keys, a plaintext alert is unexpected_message again', () => {
  const { client, server, flight } = serverAfterFlight();
  client.receive(flight);
  for (const c of client.takeOutput()) server.receive(c); // the client's Finished: encrypted
  assert.equal(server.state, 'established');
  server.receive(plainAlert(AlertDescription.unknown_ca));
  assertFailed(server, 'unexpected_message');
  assert.match(server.error!.message, /unprotected alert record after encryption started/);
  assert.ok(server.takeOutput().length > 0, 'our alert is sent');
  // A malformed plaintext alert in the window is not taken as the client's word.
  const s1 = serverAfterFlight().server;
  s1.receive(Uint8Array.of(ContentType.alert, 3, 3, 0, 3, 2, 48, 0));
  assertFailed(s1, 'unexpected_message');
  assert.equal(s1.error!.remote, false);
  // A plaintext handshake record is never accepted there.
  const s2 = serverAfterFlight().server;
  s2.receive(Uint8Array.of(ContentType.handshake, 3, 3, 0, 4, HandshakeType.finished, 0, 0, 0));
  assertFailed(s2, 'unexpected_message');
});

test('a client gets the same from a server that fails right after its ServerHello', () => {
  const client = new ClientConnection(clientConfig({ middleboxCompat: false }));
  const server = new ServerConnection(serverConfig());
  server.receive(concatChunks(client.takeOutput()));
  const flight = concatChunks(server.takeOutput());
  const shLength = 5 + ((flight[3]! << 8) | flight[4]!);
  assert.equal(flight[5], HandshakeType.server_hello);
  client.receive(flight.subarray(0, shLength));
  assert.equal(client.error, undefined);
  client.takeOutput();
  const err = client.receive(plainAlert(AlertDescription.internal_error));
  assert.equal(err?.message, 'the server sent a fatal alert: internal_error');
  assert.equal(err?.remote, true);
  assert.deepEqual(client.takeOutput(), []);
});

test('openssl s_client -verify_return_error rejects our certificate in plaintext: the server logs unknown_ca and sends nothing back', { skip: interopSkip() }, async () => {
  // A ServerConnection behind a raw TCP socket, recording what it sent after the client's last bytes.
  const results: { error?: TlsError; sentAfterError: number }[] = [];
  const sockets = new Set<Socket>();
  const srv = netServer((sock) => {
    sockets.add(sock);
    const conn = new ServerConnection(serverConfig());
    const rec: { error?: TlsError; sentAfterError: number } = { sentAfterError: 0 };
    results.push(rec);
    sock.on('data', (d) => {
      const err = conn.receive(new Uint8Array(d));
      const out = conn.takeOutput();
      if (err) {
        rec.error ??= err;
        rec.sentAfterError += out.reduce((n, c) => n + c.length, 0);
        sock.end();
        return;
      }
      for (const c of out) sock.write(c);
    });
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  const dir = tempDir('hush-plain-alert-');
  const otherCa = join(dir, 'other-ca.pem');
  writeFileSync(otherCa, pki().otherCaPem);
  try {
    const p = await startProcess(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-tls1_3', '-verify_return_error', '-CAfile', otherCa],
      { stdin: true, readyRegex: /verify error|CONNECTED|error/i, timeoutMs: 15_000, lifetimeMs: 30_000 },
    );
    try {
      const deadline = Date.now() + 15_000;
      while ((results.length === 0 || results[0]!.error === undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await p.stop();
    }
    assert.equal(results.length, 1);
    const r = results[0]!;
    assert.ok(r.error, 'the server saw the rejection');
    assert.equal(r.error.message, 'the client rejected our certificate: unknown_ca');
    assert.equal(r.error.remote, true);
    assert.equal(r.sentAfterError, 0, 'no alert sent back');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((ok) => srv.close(() => ok()));
  }
});
