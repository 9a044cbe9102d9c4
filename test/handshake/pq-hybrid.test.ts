// The post-quantum hybrid groups (draft-ietf-tls-ecdhe-mlkem) in memory: what is negotiated by
// default and when, the HelloRetryRequest rules, TLS 1.2, the shared X25519 key, and bad shares in
// both directions (wrong lengths, an unreduced encapsulation key, a bad ECDH part) → illegal_parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion } from '../../src/wire/enums.js';
import { toHex } from '../../src/bytes/util.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import * as m from '../../src/handshake/messages/index.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import { UsageError } from '../../src/errors/index.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import type { HandshakeInfo } from '../../src/handshake/events.js';
import { assertEstablished, assertFailed, clientConfig, clientHello13, connect, provider, pump, serverConfig, type Pair } from '../connection/helpers.js';

const HYBRIDS = [
  { group: NamedGroup.X25519MLKEM768, name: 'X25519MLKEM768', client: 1184 + 32, server: 1088 + 32 },
  { group: NamedGroup.SecP256r1MLKEM768, name: 'SecP256r1MLKEM768', client: 65 + 1184, server: 65 + 1088 },
  { group: NamedGroup.SecP384r1MLKEM1024, name: 'SecP384r1MLKEM1024', client: 97 + 1568, server: 97 + 1568 },
] as const;

function info(events: readonly ConnectionEvent[]): HandshakeInfo {
  const hs = events.find((e) => e.type === 'handshake');
  assert.ok(hs && hs.type === 'handshake', 'handshake event');
  return hs.info;
}
const traced = (events: readonly ConnectionEvent[], name: string): number => events.filter((e) => e.type === 'trace' && e.trace.event === name).length;

function serverGetsHello(hello: Uint8Array, over: Parameters<typeof serverConfig>[0] = {}): ServerConnection {
  const s = new ServerConnection(serverConfig(over));
  s.receive(writePlaintextRecords(ContentType.handshake, ProtocolVersion.TLSv1, hello));
  return s;
}

/** A TLS 1.3 ClientHello offering only `group`, with `share` as its key share. */
function helloWithShare(group: number, share: Uint8Array): Uint8Array {
  return clientHello13({
    replace: [m.encodeSupportedGroupsExt([group]), m.encodeKeyShareClientExt([{ group, keyExchange: share }])],
  });
}

test('defaults: shares for X25519MLKEM768 and x25519 on one X25519 key; X25519MLKEM768 is chosen, without HelloRetryRequest', () => {
  let shares: m.KeyShareEntry[] = [];
  const p = connect(
    {
      trace: true,
      customizeHelloExtensions: (ours) => {
        shares = m.decodeKeyShareClientExt(ours.find((e) => e.type === ExtensionType.key_share)!.data);
        return [...ours];
      },
    },
    { trace: true },
  );
  assertEstablished(p);
  assert.deepEqual(shares.map((s) => s.group), [NamedGroup.X25519MLKEM768, NamedGroup.x25519]);
  assert.equal(shares[0]!.keyExchange.length, 1216);
  // draft-ietf-tls-ecdhe-mlkem §3: ML-KEM-768 encapsulation key first, then the X25519 share — the
  // very X25519 share sent alone for x25519 (one key pair for both).
  assert.equal(toHex(shares[0]!.keyExchange.subarray(1184)), toHex(shares[1]!.keyExchange));
  const c = info(p.clientEvents);
  const s = info(p.serverEvents);
  assert.equal(c.groupName, 'X25519MLKEM768');
  assert.equal(s.groupName, 'X25519MLKEM768');
  assert.equal(c.group, NamedGroup.X25519MLKEM768);
  assert.deepEqual(s.clientHello?.groups, [NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1]);
  assert.equal(traced(p.serverEvents, 'hello_retry_request'), 0);
  // The trace-json 'established' event names the group by its IANA name (the --trace-json contract).
  const established = p.clientEvents.flatMap((e) => (e.type === 'trace' && e.trace.event === 'established' ? [e.trace] : []));
  assert.equal(established.length, 1);
  assert.equal((established[0] as unknown as { group: string }).group, 'X25519MLKEM768');
  // Application data flows under the hybrid's keys.
  p.client.write(new TextEncoder().encode('ping'));
  pump(p.client, p.server, { a: p.clientEvents, b: p.serverEvents });
  assert.ok(p.serverEvents.some((e) => e.type === 'data' && new TextDecoder().decode(e.data) === 'ping'));
});

for (const h of HYBRIDS) {
  test(`${h.name} end to end when both sides name it (shares of ${h.client} and ${h.server} bytes)`, () => {
    let sent = 0;
    const p = connect({ groups: [h.group], customizeHelloExtensions: (ours) => ((sent = m.decodeKeyShareClientExt(ours.find((e) => e.type === ExtensionType.key_share)!.data)[0]!.keyExchange.length), [...ours]) }, { groups: [h.group] });
    assertEstablished(p);
    assert.equal(sent, h.client);
    assert.equal(info(p.clientEvents).groupName, h.name);
    assert.equal(info(p.serverEvents).groupName, h.name);
  });
}

test('the server never forces a HelloRetryRequest to upgrade to post-quantum: an x25519-only share gets x25519', () => {
  // The client supports X25519MLKEM768 too but sent a share only for x25519 (like an older browser).
  const p = connect({ trace: true, groups: [NamedGroup.x25519, NamedGroup.X25519MLKEM768] }, { trace: true });
  assertEstablished(p);
  assert.deepEqual(info(p.serverEvents).clientHello?.keyShareGroups, [NamedGroup.x25519]);
  assert.equal(info(p.serverEvents).groupName, 'x25519');
  assert.equal(traced(p.serverEvents, 'hello_retry_request'), 0);
  // A server without PQ answers the default client with x25519, also without HRR.
  const q = connect({ trace: true }, { trace: true, groups: [NamedGroup.x25519, NamedGroup.secp256r1] });
  assertEstablished(q);
  assert.equal(info(q.clientEvents).groupName, 'x25519');
  assert.equal(traced(q.serverEvents, 'hello_retry_request'), 0);
});

test('HelloRetryRequest to X25519MLKEM768 when it is the only group the server accepts and the client sent only x25519', () => {
  const p = connect({ trace: true, groups: [NamedGroup.x25519, NamedGroup.X25519MLKEM768] }, { trace: true, groups: [NamedGroup.X25519MLKEM768] });
  assertEstablished(p);
  assert.equal(traced(p.serverEvents, 'hello_retry_request'), 1);
  assert.equal(traced(p.clientEvents, 'hello_retry_request'), 1);
  assert.equal(info(p.clientEvents).groupName, 'X25519MLKEM768');
  assert.equal(info(p.serverEvents).groupName, 'X25519MLKEM768');
  // The second ClientHello carries exactly one share, for the hybrid.
  assert.deepEqual(info(p.serverEvents).clientHello?.keyShareGroups, [NamedGroup.X25519MLKEM768]);
});

test('TLS 1.2 never uses a hybrid: a 1.2 ClientHello listing only hybrids → handshake_failure; with x25519 too → x25519', () => {
  const onlyHybrids = (ours: readonly m.Extension[]) =>
    ours.map((e) => (e.type === ExtensionType.supported_groups ? m.encodeSupportedGroupsExt([NamedGroup.X25519MLKEM768, NamedGroup.SecP256r1MLKEM768]) : e));
  const bad = connect({ maxVersion: 'TLSv1.2', customizeHelloExtensions: onlyHybrids }, {});
  assertFailed(bad.server, 'handshake_failure');
  assert.match(bad.server.error!.message, /no elliptic curve in common/);

  const hybridFirst = (ours: readonly m.Extension[]) =>
    ours.map((e) => (e.type === ExtensionType.supported_groups ? m.encodeSupportedGroupsExt([NamedGroup.X25519MLKEM768, NamedGroup.x25519]) : e));
  const ok = connect({ maxVersion: 'TLSv1.2', customizeHelloExtensions: hybridFirst }, { groups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519] });
  assertEstablished(ok);
  assert.equal(info(ok.serverEvents).version, 'TLSv1.2');
  assert.equal(info(ok.serverEvents).groupName, 'x25519');

  // A TLS 1.2-only client leaves the hybrids out of supported_groups; naming only hybrids is a usage error.
  const plain = connect({ maxVersion: 'TLSv1.2' }, {});
  assertEstablished(plain);
  assert.deepEqual(info(plain.serverEvents).clientHello?.groups, [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1]);
  assert.throws(() => new ClientConnection(clientConfig({ maxVersion: 'TLSv1.2', groups: [NamedGroup.X25519MLKEM768] })), (e: unknown) => e instanceof UsageError && /for TLS 1\.3 only/.test(e.message));
  assert.throws(() => new ServerConnection(serverConfig({ maxVersion: 'TLSv1.2', groups: [NamedGroup.SecP384r1MLKEM1024] })).receive(new Uint8Array(0)), UsageError);
});

test('client → server: truncated, oversized and malformed hybrid shares → illegal_parameter', () => {
  for (const h of HYBRIDS) {
    const good = provider.keyExchange(h.group)!.generate().publicKey;
    assert.equal(good.length, h.client);
    const cases: [string, Uint8Array][] = [
      ['one byte short', good.subarray(0, h.client - 1)],
      ['one byte long', Uint8Array.of(...good, 0)],
      ['only the ECDH part', h.group === NamedGroup.X25519MLKEM768 ? good.subarray(1184) : good.subarray(0, h.client - (h.group === NamedGroup.SecP384r1MLKEM1024 ? 1568 : 1184))],
      ['a lone byte', Uint8Array.of(4)],
    ];
    for (const [what, share] of cases) {
      const s = serverGetsHello(helloWithShare(h.group, share), { groups: [h.group] });
      assertFailed(s, 'illegal_parameter');
      assert.match(s.error!.message, new RegExp(`${h.name} client key share must be ${h.client} bytes`), `${h.name}: ${what}`);
    }
  }
});

test('client → server: an encapsulation key failing the FIPS 203 modulus check, or a bad ECDH part → illegal_parameter', () => {
  for (const h of HYBRIDS) {
    const good = provider.keyExchange(h.group)!.generate().publicKey;
    const kemAt = h.group === NamedGroup.X25519MLKEM768 ? 0 : h.client - (h.group === NamedGroup.SecP384r1MLKEM1024 ? 1568 : 1184);
    // First coefficient = 4095 (≥ q = 3329).
    const unreduced = good.slice();
    unreduced[kemAt] = 0xff;
    unreduced[kemAt + 1]! |= 0x0f;
    const s = serverGetsHello(helloWithShare(h.group, unreduced), { groups: [h.group] });
    assertFailed(s, 'illegal_parameter');
    assert.match(s.error!.message, /modulus check/);
    // The ECDH part: an all-zero X25519 value (low order) / a point that is not on the curve.
    const badEcdh = good.slice();
    if (h.group === NamedGroup.X25519MLKEM768) badEcdh.fill(0, 1184);
    else badEcdh[kemAt - 1]! ^= 0x01; // last byte of the point's y
    assertFailed(serverGetsHello(helloWithShare(h.group, badEcdh), { groups: [h.group] }), 'illegal_parameter');
  }
});

/** Run a pair whose server's ServerHello key_share is rewritten by `tamper` before it is sent. */
function withServerShare(group: number, tamper: (share: Uint8Array) => Uint8Array): Pair {
  const client = new ClientConnection(clientConfig({ groups: [group] }));
  const server = new ServerConnection(serverConfig({ groups: [group] }));
  const s = server as unknown as { sendHandshake(msg: Uint8Array): void };
  const original = s.sendHandshake.bind(server);
  s.sendHandshake = (msg: Uint8Array) => {
    if (msg[0] !== HandshakeType.server_hello) return original(msg);
    const sh = m.decodeServerHello(msg.subarray(4));
    const ks = m.decodeKeyShareServerExt(sh.extension(ExtensionType.key_share)!);
    const extensions = sh.extensions.map((e) => (e.type === ExtensionType.key_share ? m.encodeKeyShareServerExt({ group: ks.group, keyExchange: tamper(ks.keyExchange) }) : e));
    original(m.encodeServerHello({ ...sh, extensions }));
  };
  const pair: Pair = { client, server, clientEvents: [], serverEvents: [] };
  pump(client, server, { a: pair.clientEvents, b: pair.serverEvents });
  return pair;
}

test('server → client: a ciphertext of the wrong length (truncated or oversized server share) → illegal_parameter', () => {
  for (const h of HYBRIDS) {
    for (const [what, tamper] of [
      ['one byte short', (x: Uint8Array) => x.subarray(0, x.length - 1)],
      ['one byte long', (x: Uint8Array) => Uint8Array.of(...x, 0)],
      ['ciphertext only', (x: Uint8Array) => (h.group === NamedGroup.X25519MLKEM768 ? x.subarray(0, 1088) : x.subarray(h.server - (h.group === NamedGroup.SecP384r1MLKEM1024 ? 1568 : 1088)))],
    ] as const) {
      const p = withServerShare(h.group, tamper);
      assertFailed(p.client, 'illegal_parameter');
      assert.match(p.client.error!.message, new RegExp(`${h.name} server key share must be ${h.server} bytes`), `${h.name}: ${what}`);
      assert.equal(p.server.state === 'established', false);
    }
  }
  // The right length with a tampered ciphertext is no protocol error: ML-KEM's implicit rejection
  // gives the client another secret, and the handshake fails at the first encrypted message.
  const flipped = withServerShare(NamedGroup.X25519MLKEM768, (x) => {
    const y = x.slice();
    y[10]! ^= 0x80;
    return y;
  });
  assertFailed(flipped.client, 'bad_record_mac');
});
