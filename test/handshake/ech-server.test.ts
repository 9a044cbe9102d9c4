// The ECH server (RFC 9849 §7) in memory: accepted (with ech_outer_extensions compression, with a
// HelloRetryRequest), rejected (retry_configs), GREASE, and every §5.1 / §7 check with its alert.
// The client is hush's ordinary client sending ClientHelloInner; EchWrapper (ech-wrap.ts) seals it
// into a ClientHelloOuter on the wire, so a server that accepts completes the handshake with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { ContentType, ExtensionType, NamedGroup, ProtocolVersion } from '../../src/wire/enums.js';
import { decodeServerHello, encodeHelloRetryRequest } from '../../src/handshake/messages/server-hello.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import { decodeClientHello } from '../../src/handshake/messages/client-hello.js';
import { encodeMessageHash } from '../../src/handshake/messages/message-hash.js';
import { encodeSupportedVersionsClientExt } from '../../src/handshake/messages/ext-lists.js';
import { echConfirmation, zeroHrrConfirmation } from '../../src/handshake/ech/ech-confirmation.js';
import { decodeEchConfigList } from '../../src/handshake/ech/ech-config.js';
import { UsageError } from '../../src/errors/errors.js';
import { assertEstablished, assertFailed, clientConfig, pki, provider, serverConfig } from '../connection/helpers.js';
import { EchWrapper, INNER_ECH, configList, makeEchKey, type WrapOptions } from './ech-wrap.js';

const PUBLIC = 'a.test'; // pki().sniA is a certificate for it
const key1 = makeEchKey(7, PUBLIC);
const key2 = makeEchKey(9, PUBLIC, false);

function echServer(over: Partial<ServerConfig> = {}): ServerConfig {
  return serverConfig({ certificates: [pki().server.p256, pki().sniA], ech: { keys: [key1, key2] }, trace: true, ...over });
}

interface Run {
  client: ClientConnection;
  server: ServerConnection;
  clientEvents: ConnectionEvent[];
  serverEvents: ConnectionEvent[];
  /** Every plaintext record the client sent before wrapping (the inner hellos). */
  innerHellos: Uint8Array[];
  /** The server's plaintext handshake messages (ServerHello / HelloRetryRequest). */
  serverHellos: Uint8Array[];
}

/** Drive a client (inner hello + inner ECH extension) through the wrapper to an ECH server. */
function run(opts: { client?: Partial<ClientConfig>; server?: ServerConfig; wrap?: (n: number) => WrapOptions; configId?: number; key?: typeof key1 } = {}): Run {
  const client = new ClientConnection(clientConfig({ minVersion: 'TLSv1.3', echGrease: false, customizeHelloExtensions: (e) => [...e.filter((x) => x.type !== ExtensionType.pre_shared_key), INNER_ECH, ...e.filter((x) => x.type === ExtensionType.pre_shared_key)], ...opts.client }));
  const server = new ServerConnection(opts.server ?? echServer());
  const wrapper = new EchWrapper(opts.key ?? key1, opts.configId ?? 7, PUBLIC, opts.wrap);
  const r: Run = { client, server, clientEvents: [], serverEvents: [], innerHellos: [], serverHellos: [] };
  for (let i = 0; i < 50; i++) {
    const c = client.takeOutput();
    const s = server.takeOutput();
    if (c.length === 0 && s.length === 0) break;
    for (const chunk of c) {
      for (const rec of records(chunk)) if (rec[0] === 22 && rec[5] === 1) r.innerHellos.push(rec.subarray(5));
      server.receive(wrapper.rewrite(chunk));
    }
    for (const chunk of s) {
      const parts: Uint8Array[] = [];
      for (const rec of records(chunk)) {
        if (rec[0] === 22 && rec[5] === 2) {
          r.serverHellos.push(rec.subarray(5));
          // hush's client (no ECH of its own) refuses the HRR's ECH confirmation: it gets the HRR
          // without it (its transcript then differs from the server's: the handshake cannot finish).
          const sh = decodeServerHello(rec.subarray(9));
          if (sh.isHelloRetryRequest && sh.has(ExtensionType.encrypted_client_hello)) {
            const stripped = encodeHelloRetryRequest({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.encrypted_client_hello) });
            parts.push(writePlaintextRecords(ContentType.handshake, ProtocolVersion.TLSv1_2, stripped));
            continue;
          }
        }
        parts.push(rec);
      }
      for (const p of parts) client.receive(p);
    }
    r.clientEvents.push(...client.takeEvents());
    r.serverEvents.push(...server.takeEvents());
  }
  return r;
}

function records(chunk: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 5 <= chunk.length; ) {
    const len = (chunk[i + 3]! << 8) | chunk[i + 4]!;
    out.push(chunk.subarray(i, i + 5 + len));
    i += 5 + len;
  }
  return out;
}

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = provider.hash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function traces(events: readonly ConnectionEvent[], event: string): Record<string, unknown>[] {
  return events.flatMap((e) => (e.type === 'trace' && e.trace.event === event ? [{ ...e.trace, text: e.trace.message }] : []));
}

test('accepted: the server continues with ClientHelloInner, picks the certificate by the inner SNI and confirms in ServerHello.random', () => {
  const r = run();
  assertEstablished(r);
  const info = r.server.handshakeInfo!;
  assert.equal(info.ech, 'accepted');
  assert.equal(info.serverName, 'localhost');
  assert.equal(info.outerServerName, PUBLIC);
  // The client verified the certificate for 'localhost' (the inner name), not a.test.
  assert.equal(r.client.handshakeInfo!.authorized, true);
  // §7.2: accept_confirmation over ClientHelloInner ‖ ServerHello with the last 8 random bytes zeroed.
  const sh = r.serverHellos[0]!;
  const zeroed = sh.slice();
  zeroed.fill(0, 30, 38);
  const inner = r.innerHellos[0]!;
  const expected = echConfirmation(provider, 'sha256', decodeClientHello(inner.subarray(4)).random, sha256(inner, zeroed), false);
  assert.deepEqual(decodeServerHello(sh.subarray(4)).random.subarray(24), expected);
  // The narration tells the local user both names.
  const ech = traces(r.serverEvents, 'ech');
  assert.equal(ech[0]!.status, 'accepted');
  assert.equal(ech[0]!.innerSni, 'localhost');
  assert.equal(ech[0]!.outerSni, PUBLIC);
  assert.match(String(ech[0]!.text), /the site name 'localhost' travelled encrypted; an observer saw only 'a\.test'/);
  const est = traces(r.serverEvents, 'established')[0]!;
  assert.equal(est.ech, 'accepted');
  assert.equal(est.outerSni, PUBLIC);
  assert.equal(est.sni, 'localhost');
  // Application data flows on the inner handshake's keys.
  r.client.write(new TextEncoder().encode('hi'));
  r.server.receive(concatAll(r.client.takeOutput()));
  assert.deepEqual(r.server.takeEvents().filter((e) => e.type === 'data').length, 1);
});

function concatAll(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

test('accepted with ech_outer_extensions: compressed extensions are copied back from the outer hello', () => {
  const r = run({ wrap: () => ({ compress: [ExtensionType.supported_groups, ExtensionType.signature_algorithms], padding: 31 }) });
  assertEstablished(r);
  assert.equal(r.server.handshakeInfo!.ech, 'accepted');
});

test('accepted after HelloRetryRequest: the HRR confirms ECH, the second ClientHelloInner opens with the same HPKE context', () => {
  const r = run({
    client: { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShares: 1 },
    server: echServer({ groups: [NamedGroup.secp256r1] }),
  });
  // The server accepted both hellos; hush's plain client cannot finish (see run()).
  assert.deepEqual(traces(r.serverEvents, 'ech').map((e) => [e.status, e.second]), [['accepted', false], ['accepted', true]]);
  assert.equal(r.innerHellos.length, 2);
  const hrr = r.serverHellos[0]!;
  const hrrView = decodeServerHello(hrr.subarray(4));
  assert.equal(hrrView.isHelloRetryRequest, true);
  const conf = hrrView.extension(ExtensionType.encrypted_client_hello);
  assert.ok(conf, 'the HelloRetryRequest carries the ECH confirmation');
  // With ECH accepted the HRR keeps its state in the connection: no cookie (see server13.ts).
  assert.equal(hrrView.has(ExtensionType.cookie), false);
  // §7.2.1: over message_hash(ClientHelloInner1) ‖ HRR with the 8 bytes zeroed.
  const inner1 = r.innerHellos[0]!;
  const expected = echConfirmation(provider, 'sha256', decodeClientHello(inner1.subarray(4)).random, sha256(encodeMessageHash(sha256(inner1)), zeroHrrConfirmation(hrr)!), true);
  assert.deepEqual(conf, expected);
  // §7.2 after HRR: over message_hash(Inner1) ‖ HRR (as sent) ‖ ClientHelloInner2 ‖ ServerHello'.
  const sh = r.serverHellos[1]!;
  const zeroed = sh.slice();
  zeroed.fill(0, 30, 38);
  const inner2 = r.innerHellos[1]!;
  const shConf = echConfirmation(provider, 'sha256', decodeClientHello(inner2.subarray(4)).random, sha256(encodeMessageHash(sha256(inner1)), hrr, inner2, zeroed), false);
  assert.deepEqual(decodeServerHello(sh.subarray(4)).random.subarray(24), shConf);
});

/** A client that sends an outer ECH extension it made up (GREASE, or a stale config) and means the outer hello. */
function greaseRun(server: ServerConfig, configId: number) {
  const grease = { type: ExtensionType.encrypted_client_hello, data: new Uint8Array([0, 0, 1, 0, 1, configId, 0, 32, ...provider.randomBytes(32), 0, 200, ...provider.randomBytes(200)]) };
  const client = new ClientConnection(clientConfig({ serverName: PUBLIC, echGrease: false, customizeHelloExtensions: (e) => [...e, grease] }));
  const s = new ServerConnection(server);
  const ce: ConnectionEvent[] = [];
  const se: ConnectionEvent[] = [];
  for (let i = 0; i < 50; i++) {
    const a = client.takeOutput();
    const b = s.takeOutput();
    if (a.length === 0 && b.length === 0) break;
    for (const c of a) s.receive(c);
    for (const c of b) client.receive(c);
    ce.push(...client.takeEvents());
    se.push(...s.takeEvents());
  }
  return { client, server: s, clientEvents: ce, serverEvents: se };
}

test('rejected: an ECH extension no key opens → the outer handshake as the public name, with retry_configs', () => {
  for (const configId of [7, 200]) {
    const r = greaseRun(echServer(), configId);
    assertEstablished(r);
    const info = r.server.handshakeInfo!;
    assert.equal(info.ech, 'rejected');
    assert.equal(info.serverName, PUBLIC);
    assert.equal(info.outerServerName, PUBLIC);
    const ech = traces(r.serverEvents, 'ech');
    assert.equal(ech[0]!.status, 'rejected');
    assert.equal(ech[0]!.reason, configId === 7 ? 'it did not decrypt' : 'no key with its config_id');
    // Only the sendAsRetry key goes into retry_configs.
    assert.equal(ech[1]!.retryConfigsBytes, configList(key1).length);
    assert.equal(traces(r.serverEvents, 'established')[0]!.outerSni, PUBLIC);
  }
});

test('a server without ECH keys ignores the extension (GREASE): no retry_configs, ech = grease', () => {
  const r = greaseRun(serverConfig({ certificates: [pki().server.p256, pki().sniA], trace: true }), 3);
  assertEstablished(r);
  assert.equal(r.server.handshakeInfo!.ech, 'grease');
  assert.equal(traces(r.serverEvents, 'ech').length, 1);
  assert.equal(traces(r.serverEvents, 'ech')[0]!.status, 'grease');
});

test('no ECH extension: ech = none, no ECH narration', () => {
  const r = greaseRun(echServer(), 1);
  assert.equal(r.server.handshakeInfo!.ech, 'rejected');
  const plain = new ServerConnection(echServer());
  const c = new ClientConnection(clientConfig({ echGrease: false }));
  for (let i = 0; i < 20; i++) {
    const a = c.takeOutput();
    const b = plain.takeOutput();
    if (a.length === 0 && b.length === 0) break;
    for (const x of a) plain.receive(x);
    for (const x of b) c.receive(x);
  }
  assert.equal(plain.handshakeInfo!.ech, 'none');
  assert.equal(plain.handshakeInfo!.outerServerName, undefined);
});

test('a corrupted payload is a rejection, not an error (§7.1: decryption failure → continue with the outer hello)', () => {
  const r = run({ wrap: () => ({ corruptPayload: true }) });
  // The server answered the outer hello (a.test) while the client's transcript is the inner one:
  // the client notices, but the server itself raised nothing before.
  assert.equal(traces(r.serverEvents, 'ech')[0]!.status, 'rejected');
  assert.notEqual(r.client.error, undefined);
});

// ---- §5.1 / §7.1 / §7.1.1 checks, each with its alert

const GROUPS = ExtensionType.supported_groups;
const SIGALGS = ExtensionType.signature_algorithms;
const u16s = (...types: number[]) => new Uint8Array([types.length * 2, ...types.flatMap((t) => [t >> 8, t & 0xff])]);

const negatives: [name: string, alert: string, opts: Parameters<typeof run>[0]][] = [
  ['non-zero padding (§5.1)', 'illegal_parameter', { wrap: () => ({ mutateEncoded: (b) => (b[b.length - 1] = 1, b) }) }],
  ['EncodedClientHelloInner with a legacy_session_id (§5.1)', 'illegal_parameter', { wrap: () => ({ mutateEncoded: (b) => withSessionId(b) }) }],
  ['ech_outer_extensions references encrypted_client_hello (§5.1)', 'illegal_parameter', { wrap: () => ({ outerExtensionsBody: u16s(ExtensionType.encrypted_client_hello) }) }],
  ['ech_outer_extensions references an extension the outer hello lacks (§5.1)', 'illegal_parameter', { wrap: () => ({ outerExtensionsBody: u16s(0x1234) }) }],
  ['ech_outer_extensions references an extension twice (§5.1)', 'illegal_parameter', { wrap: () => ({ compress: [GROUPS], outerExtensionsBody: u16s(GROUPS, GROUPS) }) }],
  ['ech_outer_extensions out of the outer order (§5.1)', 'illegal_parameter', { wrap: () => ({ compress: [GROUPS, SIGALGS], outerExtensionsBody: u16s(SIGALGS, GROUPS) }) }],
  ['an extension both in the inner hello and referenced (duplicate)', 'illegal_parameter', { wrap: () => ({ outerExtensionsBody: u16s(GROUPS) }) }],
  ['malformed ech_outer_extensions (odd length)', 'decode_error', { wrap: () => ({ outerExtensionsBody: new Uint8Array([3, 0, 10, 0]) }) }],
  ['ClientHelloInner without the inner encrypted_client_hello (§7.1)', 'illegal_parameter', { wrap: () => ({ mutateInner: (h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== ExtensionType.encrypted_client_hello) }) }) }],
  ['ClientHelloInner with a malformed inner extension (§7.1)', 'illegal_parameter', { wrap: () => ({ mutateInner: (h) => ({ ...h, extensions: h.extensions.map((e) => (e.type === ExtensionType.encrypted_client_hello ? { type: e.type, data: new Uint8Array([1, 0]) } : e)) }) }) }],
  ['ClientHelloInner offering TLS 1.2 (§7.1)', 'illegal_parameter', { wrap: () => ({ mutateInner: (h) => ({ ...h, extensions: h.extensions.map((e) => (e.type === ExtensionType.supported_versions ? encodeSupportedVersionsClientExt([ProtocolVersion.TLSv1_3, ProtocolVersion.TLSv1_2]) : e)) }) }) }],
  ['ClientHelloInner without supported_versions (a TLS 1.2 hello, §7.1)', 'illegal_parameter', { wrap: () => ({ mutateInner: (h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== ExtensionType.supported_versions) }) }) }],
  ['an inner encrypted_client_hello on the hello sent in the clear (§7)', 'illegal_parameter', { wrap: () => ({ innerTypeOnOuter: true }) }],
];

/** What each negative's error message must say (so that it fails for the reason it is about). */
const WHY: Record<string, RegExp> = {
  'non-zero padding (§5.1)': /padding byte is not zero/,
  'EncodedClientHelloInner with a legacy_session_id (§5.1)': /legacy_session_id must be empty/,
  'ech_outer_extensions references encrypted_client_hello (§5.1)': /references encrypted_client_hello/,
  'ech_outer_extensions references an extension the outer hello lacks (§5.1)': /does not have/,
  'ech_outer_extensions references an extension twice (§5.1)': /twice/,
  'ech_outer_extensions out of the outer order (§5.1)': /another order/,
  'an extension both in the inner hello and referenced (duplicate)': /duplicate extension/,
  'malformed ech_outer_extensions (odd length)': /ech_outer_extensions: length 3/,
  'ClientHelloInner without the inner encrypted_client_hello (§7.1)': /no encrypted_client_hello extension of type inner/,
  'ClientHelloInner with a malformed inner extension (§7.1)': /not a well-formed one/,
  'ClientHelloInner offering TLS 1.2 (§7.1)': /offers TLS 1.2 or below/,
  'ClientHelloInner without supported_versions (a TLS 1.2 hello, §7.1)': /offers TLS 1.2 or below/,
  'an inner encrypted_client_hello on the hello sent in the clear (§7)': /sent in the clear carries an inner/,
  'the second ClientHelloOuter drops the ECH extension (§7.1.1)': /no encrypted_client_hello extension, but ECH was accepted/,
  'the second ClientHelloOuter carries an enc (§7.1.1)': /enc; it must be empty/,
  'the second ClientHelloOuter changes config_id (§7.1.1)': /changed the ECH config_id/,
  'the second ClientHelloInner does not decrypt (§7.1.1)': /does not decrypt with the first/,
  'the second ClientHelloOuter carries an inner extension': /carries an inner encrypted_client_hello/,
  'the second ClientHelloInner carries a cookie our HelloRetryRequest did not send': /carries a cookie, but our HelloRetryRequest sent none/,
};

for (const [name, alert, opts] of negatives) {
  test(`negative: ${name} → ${alert}`, () => {
    const r = run(opts);
    assertFailed(r.server, alert);
    assert.match(r.server.error!.message, WHY[name]!, 'failed for the reason the test is about');
  });
}

const hrr = { client: { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShares: 1 }, server: echServer({ groups: [NamedGroup.secp256r1] }) };
const secondHello: [name: string, alert: string, w: WrapOptions][] = [
  ['the second ClientHelloOuter drops the ECH extension (§7.1.1)', 'missing_extension', { dropEch: true }],
  ['the second ClientHelloOuter carries an enc (§7.1.1)', 'illegal_parameter', { encOnSecond: true }],
  ['the second ClientHelloOuter changes config_id (§7.1.1)', 'illegal_parameter', { configId: 9 }],
  ['the second ClientHelloInner does not decrypt (§7.1.1)', 'decrypt_error', { corruptPayload: true }],
  ['the second ClientHelloOuter carries an inner extension', 'illegal_parameter', { innerTypeOnOuter: true }],
  ['the second ClientHelloInner carries a cookie our HelloRetryRequest did not send', 'illegal_parameter', { mutateInner: (h) => ({ ...h, extensions: [...h.extensions, { type: ExtensionType.cookie, data: new Uint8Array([0, 2, 1, 2]) }] }) }],
];
for (const [name, alert, w] of secondHello) {
  test(`negative after HelloRetryRequest: ${name} → ${alert}`, () => {
    const r = run({ ...hrr, wrap: (n) => (n === 2 ? w : {}) });
    assertFailed(r.server, alert);
    assert.match(r.server.error!.message, WHY[name]!, 'failed for the reason the test is about');
  });
}

test('options: unusable ECH keys are UsageErrors when the connection is made', () => {
  const bad = (ech: ServerConfig['ech'], re: RegExp) => assert.throws(() => new ServerConnection(echServer({ ech })), (e: unknown) => e instanceof UsageError && re.test(e.message));
  bad({ keys: [] }, /empty/);
  bad({ keys: [{ ...key1, privateKey: key2.privateKey }] }, /does not belong/);
  bad({ keys: [{ ...key1, sendAsRetry: false }] }, /sendAsRetry/);
  bad({ keys: [{ ...key1, config: key1.config.subarray(0, 10) }] }, /cannot be used/);
  bad({ keys: [makeEchKey(1, 'localhost')] }, /public_name/);
  // The retry list holds the sendAsRetry configs only.
  const list = decodeEchConfigList(configList(key1));
  assert.equal(list.length, 1);
});

function withSessionId(encoded: Uint8Array): Uint8Array {
  // legacy_version(2) random(32) session_id<1>: insert one byte of session id.
  const out = new Uint8Array(encoded.length + 1);
  out.set(encoded.subarray(0, 34));
  out[34] = 1;
  out[35] = 0xaa;
  out.set(encoded.subarray(35), 36);
  return out;
}

// ---- hush's ECH client ↔ hush's ECH server

function pair(client: Partial<ClientConfig>, server: ServerConfig) {
  const c = new ClientConnection(clientConfig(client));
  const s = new ServerConnection(server);
  const clientEvents: ConnectionEvent[] = [];
  const serverEvents: ConnectionEvent[] = [];
  for (let i = 0; i < 50; i++) {
    const a = c.takeOutput();
    const b = s.takeOutput();
    if (a.length === 0 && b.length === 0) break;
    for (const x of a) s.receive(x);
    for (const x of b) c.receive(x);
    clientEvents.push(...c.takeEvents());
    serverEvents.push(...s.takeEvents());
  }
  return { client: c, server: s, clientEvents, serverEvents };
}

test('hush client ↔ hush server: accepted, both sides agree on the inner name', () => {
  const r = pair({ echConfigList: configList(key1) }, echServer());
  assertEstablished(r);
  assert.equal(r.client.handshakeInfo!.ech, 'accepted');
  assert.equal(r.server.handshakeInfo!.ech, 'accepted');
  assert.equal(r.server.handshakeInfo!.serverName, 'localhost');
  assert.equal(r.server.handshakeInfo!.outerServerName, PUBLIC);
});

test('hush client ↔ hush server: accepted after HelloRetryRequest, handshake complete', () => {
  const r = pair(
    { echConfigList: configList(key1), groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShares: 1 },
    echServer({ groups: [NamedGroup.secp256r1] }),
  );
  assertEstablished(r);
  assert.equal(r.client.handshakeInfo!.ech, 'accepted');
  assert.equal(r.server.handshakeInfo!.ech, 'accepted');
  assert.equal(r.server.handshakeInfo!.groupName, 'secp256r1');
  assert.equal(traces(r.serverEvents, 'hello_retry_request').length, 1);
});

test('hush client ↔ hush server after a key rotation: a retired config is rejected with the current one as retry_configs; retrying with it succeeds', () => {
  const old = makeEchKey(1, PUBLIC);
  const current = makeEchKey(2, PUBLIC);
  const previous = makeEchKey(3, PUBLIC, false);
  // The server now holds current (advertised) and previous (still accepted); `old` is gone.
  const server = echServer({ ech: { keys: [previous, current] } });
  const r = pair({ echConfigList: configList(old) }, server);
  const err = r.client.error as { retryConfigs?: Uint8Array; alert?: number } | undefined;
  assert.ok(err && err.retryConfigs, `the client fails with EchRejectedError (${r.client.error?.message})`);
  assert.deepEqual(err.retryConfigs, configList(current));
  assert.equal(traces(r.serverEvents, 'ech')[0]!.status, 'rejected');
  // The previous key is still accepted (not advertised).
  const p = pair({ echConfigList: configList(previous) }, server);
  assertEstablished(p);
  assert.equal(p.server.handshakeInfo!.ech, 'accepted');
  // Retrying with retry_configs succeeds.
  const again = pair({ echConfigList: err.retryConfigs }, server);
  assertEstablished(again);
  assert.equal(again.server.handshakeInfo!.ech, 'accepted');
});

test('hush client GREASE ↔ hush ECH server: the reject path, without error', () => {
  const r = pair({}, echServer());
  assertEstablished(r);
  assert.equal(r.client.handshakeInfo!.ech, 'grease');
  assert.equal(r.server.handshakeInfo!.ech, 'rejected');
});

// The client checks the ServerHello's extensions against the hello the server answered: with ECH
// accepted that is ClientHelloInner, the only one that offers pre_shared_key (it used to check the
// outer hello and fail with "the server sent the pre_shared_key extension, which we did not offer").
test('hush client ↔ hush server: an ECH connection resumes with ECH (the ticket is for the inner name; the PSK travels in ClientHelloInner)', () => {
  const ticketKeys = [new Uint8Array(32).fill(3)];
  const server = echServer({ ticketKeys });
  const first = pair({ echConfigList: configList(key1) }, server);
  assertEstablished(first);
  const ticket = first.clientEvents.flatMap((e) => (e.type === 'session' ? [e.ticket] : [])).at(-1);
  assert.ok(ticket, 'a session ticket arrived');
  const again = pair({ echConfigList: configList(key1), session: ticket }, server);
  assertEstablished(again);
  assert.equal(again.server.handshakeInfo!.ech, 'accepted');
  assert.equal(again.server.handshakeInfo!.resumed, true);
  assert.equal(again.server.handshakeInfo!.serverName, 'localhost');
});
