// setMaxSendFragment / maxSendFragment (#16): the records a connection sends from then on carry at
// most that much content (like OpenSSL's SSL_set_max_send_fragment), plaintext or sealed, under
// the current keys and the next ones; the peer receives every byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors/index.js';
import { CipherSuite, ContentType } from '../../src/wire/enums.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import type { TlsConnection } from '../../src/connection/api.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import { assertEstablished, clientConfig, concatChunks, connect, dataOf, pump, serverConfig, type Pair } from './helpers.js';

/** The 5-byte-header records in `bytes`: type and fragment length each. */
function records(bytes: Uint8Array): { type: number; length: number }[] {
  const out: { type: number; length: number }[] = [];
  for (let o = 0; o < bytes.length; ) {
    assert.ok(o + 5 <= bytes.length, 'a whole record header');
    const length = (bytes[o + 3]! << 8) | bytes[o + 4]!;
    out.push({ type: bytes[o]!, length });
    o += 5 + length;
    assert.ok(o <= bytes.length, 'a whole record');
  }
  return out;
}

/** Write `n` bytes on `from`, deliver them to `to`; the wire records and the data events `to` got. */
function send(from: TlsConnection, to: TlsConnection, n: number): { wire: { type: number; length: number }[]; received: ConnectionEvent[]; payload: Uint8Array } {
  const payload = new Uint8Array(n).map((_, i) => i * 7);
  from.write(payload);
  const bytes = concatChunks(from.takeOutput());
  to.receive(bytes);
  return { wire: records(bytes), received: to.takeEvents(), payload };
}

const dataSizes = (events: readonly ConnectionEvent[]): number[] => events.flatMap((e) => (e.type === 'data' ? [e.data.length] : []));

/** Sizes of `n` bytes cut at `max`. */
const cut = (n: number, max: number): number[] => [...Array(Math.floor(n / max)).fill(max), ...(n % max ? [n % max] : [])];

for (const [name, over, overhead] of [
  ['TLS 1.3', {}, 1 + 16],
  ['TLS 1.2 AES-GCM', { maxVersion: 'TLSv1.2' as const }, 8 + 16],
  ['TLS 1.2 ChaCha20-Poly1305', { maxVersion: 'TLSv1.2' as const, cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256] }, 16],
] as const) {
  test(`${name}: after setMaxSendFragment(512) every record carries at most 512 bytes, and all arrive`, () => {
    const p: Pair = connect(over);
    assertEstablished(p);
    const before = send(p.client, p.server, 5000);
    assert.deepEqual(dataSizes(before.received), [5000], 'one record by default');

    p.client.setMaxSendFragment(512);
    const after = send(p.client, p.server, 5000);
    assert.deepEqual(dataSizes(after.received), cut(5000, 512));
    assert.deepEqual(dataOf(after.received), after.payload);
    assert.deepEqual(after.wire.map((r) => r.length), cut(5000, 512).map((n) => n + overhead));
    assert.ok(after.wire.every((r) => r.type === ContentType.application_data));

    // The other direction is not affected; raising the limit again restores 16 KiB records.
    assert.deepEqual(dataSizes(send(p.server, p.client, 5000).received), [5000]);
    p.client.setMaxSendFragment(16384);
    assert.deepEqual(dataSizes(send(p.client, p.server, 40_000).received), cut(40_000, 16384));
  });
}

test('TLS 1.3: the limit survives a KeyUpdate (the next sealer gets it) and bounds padded records too', () => {
  const p = connect({ recordPadding: 256 });
  assertEstablished(p);
  p.client.setMaxSendFragment(1000);
  p.client.updateKeys(false);
  const r = send(p.client, p.server, 3000);
  assert.deepEqual(dataSizes(r.received), cut(3000, 1000));
  assert.deepEqual(dataOf(r.received), r.payload);
  // Content ≤ 1000: with the content type byte and padding, TLSInnerPlaintext ≤ 1001 (+ 16 tag).
  for (const rec of r.wire) assert.ok(rec.length <= 1000 + 1 + 16, `record of ${rec.length} bytes`);
});

test('maxSendFragment in the config cuts the handshake records too, and data then flows', () => {
  const client = new ClientConnection(clientConfig({ maxSendFragment: 512 }));
  const server = new ServerConnection(serverConfig({ maxSendFragment: 512 }));
  const hello = concatChunks(client.takeOutput());
  for (const r of records(hello)) assert.ok(r.length <= 512, `ClientHello record of ${r.length} bytes`);
  server.receive(hello);
  const flight = concatChunks(server.takeOutput());
  const recs = records(flight);
  assert.ok(recs.length >= 3, 'ServerHello, CCS, and the encrypted flight in several records');
  for (const r of recs) assert.ok(r.length <= 512 + 1 + 16, `server flight record of ${r.length} bytes`);
  client.receive(flight);
  pump(client, server);
  assert.equal(client.state, 'established');
  assert.equal(server.state, 'established');
  const w = send(server, client, 2000);
  assert.deepEqual(dataSizes(w.received), cut(2000, 512));
  assert.deepEqual(dataOf(w.received), w.payload);
});

test('setMaxSendFragment outside 512..16384 is a UsageError and changes nothing', () => {
  const p = connect();
  for (const bad of [511, 16385, 0, -1, 1000.5, Number.NaN]) {
    assert.throws(() => p.client.setMaxSendFragment(bad), UsageError, String(bad));
  }
  assert.deepEqual(dataSizes(send(p.client, p.server, 5000).received), [5000]);
  assert.throws(() => connect({ maxSendFragment: 100 }), UsageError);
});
