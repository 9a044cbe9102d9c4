// A peer that refuses our certificate may send its alert unencrypted before it has handshake keys
// (OpenSSL's client does: unknown_ca in the clear right after our Certificate). The connection
// fails either way; it reports the peer's alert (remote, nothing sent back) rather than an
// unexpected_message of ours, so a server log can say why. Only a well-formed 2-byte alert during
// the handshake counts; after the handshake an unprotected record stays unexpected_message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CipherSuite, ContentType, ProtocolVersion } from '../../src/wire/enums.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import { TlsError } from '../../src/errors/errors.js';
import { assertFailed, clientConfig, serverConfig } from './helpers.js';

const alertRecord = (body: number[]): Uint8Array => writePlaintextRecords(ContentType.alert, ProtocolVersion.TLSv1_2, new Uint8Array(body));

/** A server that sent its flight and waits for the client's (encrypted) second flight. */
function serverAwaitingClientFlight(): { client: ClientConnection; server: ServerConnection } {
  const client = new ClientConnection(clientConfig({ cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256], middleboxCompat: false }));
  const server = new ServerConnection(serverConfig());
  for (const c of client.takeOutput()) server.receive(c);
  for (const c of server.takeOutput()) client.receive(c);
  server.takeEvents();
  return { client, server };
}

test('an unencrypted unknown_ca during the handshake fails the server with that alert, marked remote, and sends none back', () => {
  const { server } = serverAwaitingClientFlight();
  server.receive(alertRecord([2, 48])); // fatal, unknown_ca (RFC 8446 §6)
  assertFailed(server, 'unknown_ca');
  assert.ok(server.error instanceof TlsError);
  assert.equal(server.error.remote, true);
  assert.match(server.error.message, /the client rejected our certificate: unknown_ca/);
  assert.equal(server.takeOutput().length, 0, 'no alert answered to a peer that already gave up');
});

test('a malformed unencrypted alert during the handshake, or one after it, is still unexpected_message', () => {
  const a = serverAwaitingClientFlight();
  a.server.receive(alertRecord([2, 48, 0]));
  assertFailed(a.server, 'unexpected_message');
  assert.equal((a.server.error as TlsError).remote, false);

  const b = serverAwaitingClientFlight();
  for (const c of b.client.takeOutput()) b.server.receive(c);
  assert.equal(b.server.state, 'established');
  b.server.receive(alertRecord([2, 48]));
  assertFailed(b.server, 'unexpected_message');
});
