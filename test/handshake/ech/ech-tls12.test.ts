// ECH offered, TLS 1.2 answered (RFC 9849 §6.1, §6.1.4, §6.1.6, §6.1.7), in memory against a hush
// server limited to TLS 1.2 (which cannot read ECH): ClientHelloInner offers TLS 1.3 alone, the outer
// hello TLS 1.2 too; a TLS 1.2 ServerHello is a rejection: the handshake completes authenticated as
// the config's public_name (never the inner name, even with rejectUnauthorized: false), without our
// client certificate, then stops with ech_required: EchRejectedError without retry configs, no
// session, never established. The key log names the connection by the outer (wire) random.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex } from '../../../src/bytes/index.js';
import { ClientConnection } from '../../../src/connection/client.js';
import { ServerConnection } from '../../../src/connection/server.js';
import type { ConnectionEvent } from '../../../src/connection/events.js';
import { EchRejectedError, TlsError } from '../../../src/errors/index.js';
import type { ClientConfig, ServerConfig } from '../../../src/handshake/config.js';
import { decodeClientHello } from '../../../src/handshake/messages/client-hello.js';
import { EchClientHelloType, encodeEchClientHello } from '../../../src/handshake/ech/ech-extensions.js';
import { ExtensionType } from '../../../src/wire/enums.js';
import { clientConfig, pki, pump, serverConfig } from '../../connection/helpers.js';
import { makeEchKey } from './keys.js';

const INNER = 'localhost'; // pki().server.p256 is valid for it
const key = makeEchKey(7, 'a.test'); // pki().sniA is valid for a.test

interface Run {
  readonly client: ClientConnection;
  readonly server: ServerConnection;
  readonly clientEvents: ConnectionEvent[];
  readonly serverEvents: ConnectionEvent[];
  /** ClientHello.random as it travelled (ClientHelloOuter's). */
  readonly wireRandom: string;
}

/** A handshake, keeping the ClientHello that went on the wire. */
function run(client: Partial<ClientConfig>, server: Partial<ServerConfig>): Run {
  const c = new ClientConnection(clientConfig({ serverName: INNER, echConfigList: key.list, keyLog: true, ...client }));
  const s = new ServerConnection(serverConfig({ maxVersion: 'TLSv1.2', certificates: [pki().sniA, pki().server.p256], keyLog: true, ...server }));
  const first = c.takeOutput();
  const record = first[0]!;
  assert.equal(record[0], 22);
  const hello = record.subarray(5, 5 + ((record[3]! << 8) | record[4]!));
  const wireRandom = toHex(decodeClientHello(hello.subarray(4), hello).random);
  for (const chunk of first) s.receive(chunk);
  const clientEvents: ConnectionEvent[] = [...c.takeEvents()];
  const serverEvents: ConnectionEvent[] = [];
  pump(c, s, { a: clientEvents, b: serverEvents });
  return { client: c, server: s, clientEvents, serverEvents, wireRandom };
}

const keylog = (events: readonly ConnectionEvent[]) => events.flatMap((e) => (e.type === 'keylog' ? [e.line] : []));
const traces = (events: readonly ConnectionEvent[]) => events.flatMap((e) => (e.type === 'trace' ? [JSON.stringify(e.trace)] : []));

describe('ECH answered in TLS 1.2 (RFC 9849 §6.1.4: a rejection)', () => {
  test('authenticated as the public name, then ech_required: EchRejectedError without retry configs, never established, no session', () => {
    const r = run({ trace: true }, { trace: true });
    const err = r.client.error;
    assert.ok(err instanceof EchRejectedError, `${err?.constructor.name}: ${err?.message}`);
    assert.equal(err.alertName, 'ech_required');
    assert.equal(err.code, 'ERR_TLS_ECH_REQUIRED');
    assert.equal(err.publicName, 'a.test');
    assert.equal(err.retryConfigs, undefined, 'TLS 1.2 has no retry_configs');
    assert.equal(r.client.state, 'failed');
    assert.ok(!r.clientEvents.some((e) => e.type === 'handshake' || e.type === 'session'), 'never established, the session is ignored (§6.1.7)');
    // The server completed TLS 1.2 with the outer hello (it answered as a.test) and then got our alert.
    assert.ok(r.server.error instanceof TlsError && r.server.error.remote && r.server.error.alertName === 'ech_required', r.server.error?.message);
    const serverTraces = traces(r.serverEvents);
    assert.ok(serverTraces.some((t) => t.includes('"TLSv1.2"')), 'the server spoke TLS 1.2');
    // The TLS 1.2 server (no ECH keys) finished first; it reports the extension it went past as GREASE.
    const serverHs = r.serverEvents.find((e) => e.type === 'handshake');
    assert.ok(serverHs?.type === 'handshake' && serverHs.info.version === 'TLSv1.2' && serverHs.info.ech === 'grease', 'server info.ech');
    assert.ok(serverTraces.some((t) => t.includes('"event":"established"') && t.includes('"ech":"grease"')), 'server established trace');
    assert.ok(serverTraces.some((t) => t.includes('a.test')), 'the server saw the public name');
    assert.ok(!serverTraces.some((t) => t.includes(`'${INNER}'`) || t.includes(`"${INNER}"`)), 'the server never saw the inner name');
    const clientTraces = r.clientEvents.flatMap((e) => (e.type === 'trace' ? [e.trace] : []));
    assert.ok(clientTraces.some((t) => t.event === 'ech' && t.ech === 'rejected'), 'the client narrates the rejection');
    assert.equal(clientTraces.at(-1)!.event, 'failed');
  });

  test('the certificate is checked against the public name, not the inner one (a certificate for the inner name only fails), even with rejectUnauthorized: false', () => {
    for (const client of [{}, { rejectUnauthorized: false }]) {
      const r = run(client, { certificates: [pki().server.p256] });
      const err = r.client.error;
      assert.ok(err && !(err instanceof EchRejectedError), `a certificate error, not a rejection: ${err?.message}`);
      assert.equal(err.alertName, 'bad_certificate');
      assert.match(err.message, /a\.test/);
    }
  });

  test('a CertificateRequest gets an empty Certificate (§6.1.7)', () => {
    const r = run({ clientCertificate: pki().client, trace: true }, { clientAuth: 'optional', clientTrust: pki().trust, trace: true });
    assert.ok(r.client.error instanceof EchRejectedError, r.client.error?.message);
    const sent = r.clientEvents.flatMap((e) => (e.type === 'trace' && e.trace.event === 'client_certificate' ? [e.trace] : []));
    // One empty Certificate, no CertificateVerify (with a certificate: count 1, then a signature).
    assert.equal(sent.length, 1, JSON.stringify(sent));
    assert.ok(!JSON.stringify(sent).includes('"count":1') && !JSON.stringify(sent).includes('signature'), JSON.stringify(sent));
    assert.ok(!traces(r.serverEvents).some((t) => t.includes('Alice')), 'the server never saw our certificate');
  });

  test('the key log names the connection by the ClientHello.random on the wire (the outer one), as the server does', () => {
    const r = run({}, {});
    const client = keylog(r.clientEvents);
    const server = keylog(r.serverEvents);
    const master = client.filter((l) => l.startsWith('CLIENT_RANDOM '));
    assert.equal(master.length, 1, client.join('\n'));
    assert.equal(master[0]!.split(' ')[1], r.wireRandom);
    assert.ok(server.includes(master[0]!), 'the same line as the server (which only saw the outer hello)');
  });

  test('minVersion TLSv1.3: TLS 1.3 alone, inside and out, so a TLS 1.2 server refuses (protocol_version)', () => {
    const r = run({ minVersion: 'TLSv1.3' }, {});
    assert.equal(r.client.error?.alertName, 'protocol_version');
    assert.ok(!(r.client.error instanceof EchRejectedError));
  });

  test('server side: a TLS 1.2 hello whose encrypted_client_hello no key of ours opens reports "rejected"', () => {
    // A (non-compliant, RFC 9849 §6.1) client offering TLS 1.2 alone with an ECH extension, to a
    // server with ECH keys: it goes on in TLS 1.2 with the outer hello.
    const ech = { type: ExtensionType.encrypted_client_hello, data: encodeEchClientHello({ type: EchClientHelloType.outer, cipherSuite: { kdf: 1, aead: 1 }, configId: key.configId, enc: new Uint8Array(32).fill(9), payload: new Uint8Array(160) }).data };
    const r = run(
      { echConfigList: undefined, maxVersion: 'TLSv1.2', trace: true, customizeHelloExtensions: (exts) => [...exts, ech] },
      { maxVersion: undefined, certificates: [pki().server.p256], ech: { keys: [{ config: key.config, privateKey: key.sk }] }, trace: true },
    );
    assert.equal(r.server.state, 'established', r.server.error?.message);
    const hs = r.serverEvents.find((e) => e.type === 'handshake');
    assert.ok(hs?.type === 'handshake' && hs.info.version === 'TLSv1.2' && hs.info.ech === 'rejected', JSON.stringify(hs?.type === 'handshake' && hs.info.ech));
    assert.ok(traces(r.serverEvents).some((t) => t.includes('"event":"established"') && t.includes('"ech":"rejected"')));
  });

  test('GREASE answered in TLS 1.2 is no rejection: established, ech "grease"', () => {
    const r = run({ echConfigList: undefined }, { certificates: [pki().server.p256] });
    assert.equal(r.client.state, 'established', r.client.error?.message);
    const hs = r.clientEvents.find((e) => e.type === 'handshake');
    assert.ok(hs?.type === 'handshake' && hs.info.version === 'TLSv1.2' && hs.info.ech === 'grease');
  });
});
