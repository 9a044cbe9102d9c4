// The key log with Encrypted Client Hello (RFC 9850 §2.1, §2.3), checked the way Wireshark uses it:
// ECH_SECRET (the HPKE KEM shared_secret) and ECH_CONFIG (the ECHConfig), both under the outer
// ClientHello.random seen on the wire, are enough to open ClientHelloInner with an HPKE key schedule
// of our own (node:crypto HMAC, RFC 9180 §5.1); the TLS 1.3 secrets are then named by the inner
// random when the server accepted, by the outer (wire) random when it rejected, and match the
// server's lines. The server logs the ECH lines only when it decrypted the inner hello.
import assert from 'node:assert/strict';
import { createDecipheriv, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { concat, fromHex, toHex, utf8 } from '../../../src/bytes/index.js';
import { ClientConnection } from '../../../src/connection/client.js';
import { ServerConnection } from '../../../src/connection/server.js';
import type { ConnectionEvent } from '../../../src/connection/events.js';
import { EchRejectedError } from '../../../src/errors/index.js';
import type { ClientConfig, ServerConfig } from '../../../src/handshake/config.js';
import { decodeEchClientHello, type EchClientHelloOuter } from '../../../src/handshake/ech/ech-extensions.js';
import { decodeClientHello } from '../../../src/handshake/messages/client-hello.js';
import { ExtensionType } from '../../../src/wire/enums.js';
import { clientConfig, pki, pump, serverConfig } from '../../connection/helpers.js';
import { makeEchKey } from './keys.js';

const INNER = 'localhost';
const key = makeEchKey(9, 'a.test');
const otherKey = makeEchKey(10, 'a.test');

interface Run {
  readonly client: ClientConnection;
  readonly clientLog: string[];
  readonly serverLog: string[];
  /** The ClientHello message that went on the wire (ClientHelloOuter), header included. */
  readonly wireHello: Uint8Array;
}

function run(client: Partial<ClientConfig>, server: Partial<ServerConfig>): Run {
  const c = new ClientConnection(clientConfig({ serverName: INNER, echConfigList: key.list, keyLog: true, ...client }));
  const s = new ServerConnection(serverConfig({ certificates: [pki().sniA, pki().server.p256], keyLog: true, ...server }));
  const first = c.takeOutput();
  const record = first[0]!;
  const wireHello = record.slice(5, 5 + ((record[3]! << 8) | record[4]!));
  for (const chunk of first) s.receive(chunk);
  const a: ConnectionEvent[] = [...c.takeEvents()];
  const b: ConnectionEvent[] = [];
  pump(c, s, { a, b });
  const lines = (events: ConnectionEvent[]) => events.flatMap((e) => (e.type === 'keylog' ? [e.line] : []));
  return { client: c, clientLog: lines(a), serverLog: lines(b), wireHello };
}

/** label → [client_random, value] of the lines with that label. */
function entries(log: readonly string[], label: string): [string, string][] {
  return log.filter((l) => l.startsWith(`${label} `)).map((l) => {
    const [, random, value] = l.split(' ');
    assert.match(random!, /^[0-9a-f]{64}$/);
    assert.match(value!, /^([0-9a-f]{2})+$/);
    return [random!, value!];
  });
}

// RFC 9180 §4 / §5.1, written out independently of src/hpke: LabeledExtract / LabeledExpand over HMAC-SHA256.
const hmac = (k: Uint8Array, d: Uint8Array) => new Uint8Array(createHmac('sha256', k).update(d).digest());
function hpkeOpenFirst(sharedSecret: Uint8Array, echConfig: Uint8Array, suite: { kdf: number; aead: number }, aad: Uint8Array, payload: Uint8Array): Uint8Array {
  assert.equal(suite.kdf, 1, 'the test key schedule is HKDF-SHA256');
  const suiteId = concat(utf8('HPKE'), new Uint8Array([0, 0x20, 0, suite.kdf, 0, suite.aead]));
  const extract = (salt: Uint8Array, label: string, ikm: Uint8Array) => hmac(salt, concat(utf8('HPKE-v1'), suiteId, utf8(label), ikm));
  const expand = (prk: Uint8Array, label: string, info: Uint8Array, n: number) =>
    hmac(prk, concat(new Uint8Array([0, n]), utf8('HPKE-v1'), suiteId, utf8(label), info, new Uint8Array([1]))).subarray(0, n);
  const none = new Uint8Array(0);
  const info = concat(utf8('tls ech'), new Uint8Array([0]), echConfig); // RFC 9849 §6.1
  const context = concat(new Uint8Array([0]), extract(none, 'psk_id_hash', none), extract(none, 'info_hash', info));
  const secret = extract(sharedSecret, 'secret', none);
  const cipher = suite.aead === 1 ? 'aes-128-gcm' : suite.aead === 3 ? 'chacha20-poly1305' : assert.fail(`aead ${suite.aead}`);
  const keyBytes = expand(secret, 'key', context, suite.aead === 1 ? 16 : 32);
  const nonce = expand(secret, 'base_nonce', context, 12); // sequence 0: the first ClientHello
  const d = createDecipheriv(cipher as 'aes-128-gcm', keyBytes, nonce, { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(payload.subarray(payload.length - 16));
  return new Uint8Array(Buffer.concat([d.update(payload.subarray(0, payload.length - 16)), d.final()]));
}

/** What Wireshark does with ECH_SECRET / ECH_CONFIG: open ClientHelloInner; returns its random. */
function innerRandomFromKeyLog(log: readonly string[], wireHello: Uint8Array): string {
  const outer = decodeClientHello(wireHello.subarray(4), wireHello);
  const wireRandom = toHex(outer.random);
  const [secret] = entries(log, 'ECH_SECRET');
  const [config] = entries(log, 'ECH_CONFIG');
  assert.ok(secret && config, 'ECH_SECRET and ECH_CONFIG are logged');
  assert.equal(secret[0], wireRandom, 'ECH_SECRET is under the outer random (RFC 9850 §2.3)');
  assert.equal(config[0], wireRandom, 'ECH_CONFIG is under the outer random');
  const ech = decodeEchClientHello(outer.extensions.find((e) => e.type === ExtensionType.encrypted_client_hello)!.data) as EchClientHelloOuter;
  const aad = wireHello.slice(4);
  aad.fill(0, aad.length - ech.payload.length); // §5.2: the payload zeroed
  const encoded = hpkeOpenFirst(fromHex(secret[1]), fromHex(config[1]), ech.cipherSuite, aad, ech.payload);
  return toHex(encoded.subarray(2, 34)); // EncodedClientHelloInner: legacy_version ‖ random ‖ …
}

const TLS13_LABELS = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET'];

describe('key log with ECH (RFC 9850)', () => {
  test('accepted: ECH_SECRET (32-byte X25519 shared secret) and ECH_CONFIG (our ECHConfig) open ClientHelloInner; the TLS 1.3 secrets are under its random, as the server logs them', () => {
    const r = run({}, { ech: { keys: [{ config: key.config, privateKey: key.sk }] } });
    assert.equal(r.client.state, 'established', r.client.error?.message);
    const wireRandom = toHex(decodeClientHello(r.wireHello.subarray(4), r.wireHello).random);
    assert.equal(entries(r.clientLog, 'ECH_SECRET').length, 1);
    assert.equal(entries(r.clientLog, 'ECH_SECRET')[0]![1].length, 64);
    assert.equal(entries(r.clientLog, 'ECH_CONFIG')[0]![1], toHex(key.config));
    const innerRandom = innerRandomFromKeyLog(r.clientLog, r.wireHello);
    assert.notEqual(innerRandom, wireRandom);
    for (const label of TLS13_LABELS) {
      const e = entries(r.clientLog, label);
      assert.equal(e.length, 1, label);
      assert.equal(e[0]![0], innerRandom, `${label} is under the inner random (RFC 9850 §2.1)`);
    }
    // The server decrypted ClientHelloInner: it logs the same ECH lines and the same secrets.
    for (const line of r.clientLog) assert.ok(r.serverLog.includes(line), `the server logged ${line.split(' ')[0]} alike`);
    assert.equal(r.serverLog.length, r.clientLog.length);
  });

  test('rejected in TLS 1.3 (a server without ECH, and one with another key): the secrets are under the outer random on the wire, as the server logs them; the ECH lines are the client\'s alone', () => {
    for (const server of [{}, { ech: { keys: [{ config: otherKey.config, privateKey: otherKey.sk }] } }]) {
      const r = run({}, server);
      assert.ok(r.client.error instanceof EchRejectedError, r.client.error?.message);
      const wireRandom = toHex(decodeClientHello(r.wireHello.subarray(4), r.wireHello).random);
      const hs = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'];
      for (const label of hs) {
        const e = entries(r.clientLog, label);
        assert.equal(e.length, 1, label);
        assert.equal(e[0]![0], wireRandom, `${label} is under the outer random`);
        assert.ok(r.serverLog.includes(`${label} ${e[0]![0]} ${e[0]![1]}`), `${label}: the server's line is the same`);
      }
      // The ECH lines still let a reader open ClientHelloInner (RFC 9850 §2.3: logged regardless of acceptance).
      assert.notEqual(innerRandomFromKeyLog(r.clientLog, r.wireHello), wireRandom);
      assert.equal(entries(r.serverLog, 'ECH_SECRET').length, 0, 'a server that did not decrypt logs no ECH line');
      assert.equal(entries(r.serverLog, 'ECH_CONFIG').length, 0);
    }
  });

  test('no ECH (GREASE): no ECH lines; keyLog off: no lines at all', () => {
    const r = run({ echConfigList: undefined }, { certificates: [pki().server.p256] });
    assert.equal(r.client.state, 'established', r.client.error?.message);
    assert.ok(!r.clientLog.some((l) => l.startsWith('ECH_')));
    const quiet = run({ keyLog: false }, { keyLog: false, ech: { keys: [{ config: key.config, privateKey: key.sk }] } });
    assert.equal(quiet.client.state, 'established');
    assert.deepEqual([...quiet.clientLog, ...quiet.serverLog], []);
  });
});
