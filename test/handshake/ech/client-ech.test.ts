// The ECH client in memory (RFC 9849 §6): GREASE by default; with a config, what goes on the wire
// (decrypted here with the config's private key: ClientHelloOuter names only the public name,
// EncodedClientHelloInner is compressed and padded, no PSK outside); rejection by a server
// without ECH (authenticated as the public name, then EchRejectedError / ech_required); and the
// HelloRetryRequest paths against a hand-made server (second hello with an empty enc under the
// same HPKE context; a ServerHello that breaks the HRR's acceptance → illegal_parameter).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concat, equal, Reader, toHex, utf8 } from '../../../src/bytes/index.js';
import { ClientConnection } from '../../../src/connection/client.js';
import { nodeCryptoProvider as P } from '../../../src/crypto/node/index.js';
import { EchRejectedError, TlsError, UsageError } from '../../../src/errors/index.js';
import type { ClientConfig } from '../../../src/handshake/config.js';
import { decodeEchConfigList, echConfigsOf } from '../../../src/handshake/ech/ech-config.js';
import { echConfirmation, zeroHrrConfirmation } from '../../../src/handshake/ech/ech-confirmation.js';
import { decodeEchClientHello, decodeEchOuterExtensions, encodeEchHrrConfirmation, type EchClientHelloOuter } from '../../../src/handshake/ech/ech-extensions.js';
import { padInner } from '../../../src/handshake/ech/client-ech.js';
import { decodeClientHello, encodeClientHello, type ClientHelloView } from '../../../src/handshake/messages/client-hello.js';
import { readExtensions, type Extension } from '../../../src/handshake/messages/extensions.js';
import { decodePreSharedKeyClientExt, encodePreSharedKeyServerExt } from '../../../src/handshake/messages/ext-pre-shared-key.js';
import { decodeServerNameExt } from '../../../src/handshake/messages/ext-server-name.js';
import { encodeKeyShareHrrExt, encodeKeyShareServerExt, decodeKeyShareClientExt } from '../../../src/handshake/messages/ext-key-share.js';
import { encodeSupportedVersionsServerExt } from '../../../src/handshake/messages/ext-lists.js';
import { encodeHelloRetryRequest, encodeServerHello } from '../../../src/handshake/messages/server-hello.js';
import { setupBaseRecipient, type HpkeContext } from '../../../src/hpke/index.js';
import { Transcript } from '../../../src/schedule/transcript.js';
import { ExtensionType, NamedGroup } from '../../../src/wire/enums.js';
import { clientConfig, concatChunks, connect, pki } from '../../connection/helpers.js';
import { makeEchKey, type TestEchKey } from './keys.js';

const SECRET = 'secret.example';

/** The handshake messages of plaintext records (type 22), skipping the compatibility CCS. */
function handshakeMessages(chunks: readonly Uint8Array[]): Uint8Array[] {
  const all = concatChunks(chunks);
  const out: Uint8Array[] = [];
  for (let o = 0; o < all.length; ) {
    const type = all[o]!;
    const len = (all[o + 3]! << 8) | all[o + 4]!;
    if (type === 22) out.push(all.slice(o + 5, o + 5 + len));
    o += 5 + len;
  }
  return out;
}

function record(message: Uint8Array): Uint8Array {
  return concat(new Uint8Array([22, 3, 3, message.length >> 8, message.length & 0xff]), message);
}

const ext = (hello: ClientHelloView, type: number) => hello.extensions.find((e) => e.type === type);

interface Opened {
  readonly outer: ClientHelloView;
  readonly echExt: EchClientHelloOuter;
  /** EncodedClientHelloInner, padding included. */
  readonly encoded: Uint8Array;
  /** The ClientHello part of it, and its padding length. */
  readonly innerExtensions: Extension[];
  readonly innerRandom: Uint8Array;
  readonly innerSessionId: Uint8Array;
  readonly padding: number;
  /** ClientHelloInner as the server rebuilds it (§5.1: ech_outer_extensions expanded, session id from outer). */
  readonly inner: Uint8Array;
}

/** What a server does with ClientHelloOuter (test-side, with the config's private key). */
function openOuter(message: Uint8Array, key: TestEchKey, context?: HpkeContext): { opened: Opened; context: HpkeContext } {
  const outer = decodeClientHello(message.subarray(4), message);
  const e = decodeEchClientHello(ext(outer, ExtensionType.encrypted_client_hello)!.data);
  assert.equal(e.type, 0);
  const echExt = e as EchClientHelloOuter;
  assert.equal(echExt.configId, key.configId);
  const info = concat(utf8('tls ech'), new Uint8Array([0]), key.config);
  const ctx = context ?? setupBaseRecipient(P, { kem: 0x20, kdf: echExt.cipherSuite.kdf, aead: echExt.cipherSuite.aead }, echExt.enc, key.sk, info);
  const aad = message.slice(4);
  // The payload is the last field of encrypted_client_hello, which only a GREASE pre_shared_key follows (§6.1.2).
  const last = outer.extensions.at(-1)!;
  const echEnd = aad.length - (last.type === ExtensionType.pre_shared_key ? 4 + last.data.length : 0);
  aad.fill(0, echEnd - echExt.payload.length, echEnd);
  const encoded = ctx.open(aad, echExt.payload);
  assert.ok(encoded, 'the payload decrypts with the outer hello as AAD');
  const r = new Reader(encoded, 'EncodedClientHelloInner');
  const legacyVersion = r.u16();
  const innerRandom = r.bytes(32);
  const innerSessionId = r.vector(1, 'session id');
  const suites = r.u16List(2, 'suites');
  const compression = r.vector(1, 'compression');
  const innerExtensions = readExtensions(r);
  const rest = r.rest();
  assert.ok(rest.every((b) => b === 0), 'padding is zeros');
  // Decompress (§5.1).
  const expanded: Extension[] = [];
  for (const x of innerExtensions) {
    if (x.type !== ExtensionType.ech_outer_extensions) expanded.push(x);
    else for (const t of decodeEchOuterExtensions(x.data)) expanded.push(ext(outer, t)!);
  }
  const inner = encodeClientHello({
    legacyVersion,
    random: innerRandom,
    legacySessionId: outer.legacySessionId,
    cipherSuites: suites,
    compressionMethods: [...compression],
    extensions: expanded,
  });
  return { opened: { outer, echExt, encoded, innerExtensions, innerRandom, innerSessionId, padding: rest.length, inner }, context: ctx };
}

function sniOf(hello: ClientHelloView | Extension[]): string | undefined {
  const list = Array.isArray(hello) ? hello : hello.extensions;
  const e = list.find((x) => x.type === ExtensionType.server_name);
  return e ? new TextDecoder().decode(decodeServerNameExt(e.data)[0]!.name) : undefined;
}

describe('GREASE ECH (§6.2)', () => {
  test('by default the ClientHello carries a GREASE encrypted_client_hello; the handshake reports "grease"', () => {
    const c = new ClientConnection(clientConfig());
    const [hello] = handshakeMessages(c.takeOutput());
    const ch = decodeClientHello(hello!.subarray(4), hello);
    const e = decodeEchClientHello(ext(ch, ExtensionType.encrypted_client_hello)!.data) as EchClientHelloOuter;
    assert.equal(e.type, 0);
    assert.deepEqual(e.cipherSuite, { kdf: 1, aead: 1 });
    assert.equal(e.enc.length, 32);
    // As long as a real ECH payload for this hello (see 'a GREASE hello is as long as a real one').
    assert.equal(e.payload.length, 112);
    assert.equal(sniOf(ch), 'localhost');
    const p = connect();
    assert.equal(p.client.state, 'established');
    const hs = p.clientEvents.find((x) => x.type === 'handshake');
    assert.ok(hs?.type === 'handshake' && hs.info.ech === 'grease', 'info.ech is grease');
  });
  test('echGrease: false sends none (and reports "none"); a TLS 1.2-only client sends none', () => {
    for (const over of [{ echGrease: false }, { maxVersion: 'TLSv1.2' as const }]) {
      const c = new ClientConnection(clientConfig(over));
      const [hello] = handshakeMessages(c.takeOutput());
      const ch = decodeClientHello(hello!.subarray(4), hello);
      assert.equal(ext(ch, ExtensionType.encrypted_client_hello), undefined);
      const p = connect(over);
      const hs = p.clientEvents.find((x) => x.type === 'handshake');
      assert.ok(hs?.type === 'handshake' && hs.info.ech === 'none', 'info.ech is none');
    }
  });
});

describe('ClientHelloOuter / ClientHelloInner (§6.1)', () => {
  test('outer names only the public name; the inner hello (decrypted) has the real name, compressed and padded', () => {
    const key = makeEchKey(42, 'a.test', { maximumNameLength: 64 });
    const c = new ClientConnection(clientConfig({ serverName: SECRET, echConfigList: key.list, alpnProtocols: ['h2', 'http/1.1'] }));
    const [hello] = handshakeMessages(c.takeOutput());
    assert.ok(!Buffer.from(hello!).includes(Buffer.from(SECRET)), 'the real name never appears in the clear');
    const { opened } = openOuter(hello!, key);
    assert.equal(sniOf(opened.outer), 'a.test');
    assert.equal(sniOf(opened.innerExtensions), SECRET);
    // The inner marker, and the empty legacy_session_id of EncodedClientHelloInner (§5.1).
    assert.deepEqual([...opened.innerExtensions.find((x) => x.type === ExtensionType.encrypted_client_hello)!.data], [1]);
    assert.equal(opened.innerSessionId.length, 0);
    assert.equal(opened.outer.legacySessionId.length, 32);
    assert.ok(!equal(opened.innerRandom, opened.outer.random), 'inner and outer randoms differ');
    // Compression: one ech_outer_extensions naming extensions the outer hello carries in the same order.
    const oe = opened.innerExtensions.filter((x) => x.type === ExtensionType.ech_outer_extensions);
    assert.equal(oe.length, 1);
    const types = decodeEchOuterExtensions(oe[0]!.data);
    assert.ok(types.includes(ExtensionType.key_share) && types.includes(ExtensionType.signature_algorithms), types.join(','));
    const outerOrder = opened.outer.extensions.map((x) => x.type).filter((t) => types.includes(t));
    assert.deepEqual(outerOrder, types);
    assert.ok(!types.includes(ExtensionType.server_name) && !types.includes(ExtensionType.encrypted_client_hello), 'neither the name nor ECH is compressed');
    // Padding (§6.1.3): max(0, 64 − 14) for the name, then up to a multiple of 32.
    assert.equal(opened.encoded.length % 32, 0);
    const body = opened.encoded.length - opened.padding;
    assert.equal(opened.encoded.length, body + 50 + (31 - ((body + 50 - 1) % 32)));
    // §6.1: TLS 1.3 only inside (no TLS 1.2 suites or extensions); outside TLS 1.3 and, as any hush
    // hello by default, TLS 1.2 (so supported_versions is not compressed).
    const sv = (exts: readonly Extension[]) => toHex(exts.find((x) => x.type === ExtensionType.supported_versions)!.data);
    const inner = decodeClientHello(opened.inner.subarray(4), opened.inner);
    assert.equal(sv(inner.extensions), '020304');
    assert.equal(sv(opened.outer.extensions), '0403040303');
    assert.ok(inner.cipherSuites.every((id) => id >> 8 === 0x13), 'inner: TLS 1.3 suites only');
    assert.ok(opened.outer.cipherSuites.some((id) => id >> 8 === 0xc0), 'outer: TLS 1.2 suites too');
    assert.equal(ext(inner, ExtensionType.extended_master_secret), undefined);
    assert.ok(ext(opened.outer, ExtensionType.extended_master_secret), 'outer: TLS 1.2 extensions');
    // minVersion TLSv1.3: TLS 1.3 alone outside too.
    const c13 = new ClientConnection(clientConfig({ serverName: SECRET, echConfigList: key.list, minVersion: 'TLSv1.3' }));
    const { opened: o13 } = openOuter(handshakeMessages(c13.takeOutput())[0]!, key);
    assert.equal(sv(o13.outer.extensions), '020304');
    assert.equal(ext(o13.outer, ExtensionType.extended_master_secret), undefined);
  });

  test('padding lengths (§6.1.3)', () => {
    const body = new Uint8Array(100);
    assert.equal(padInner(body, 14, 40).length, 128); // 100 + 26 = 126 → 128
    assert.equal(padInner(body, 14, 0).length, 128); // 100 → 128
    assert.equal(padInner(body, 60, 40).length, 128); // no name padding
    assert.equal(padInner(body, undefined, 40).length, 160); // 100 + 49 = 149 → 160
    assert.equal(padInner(new Uint8Array(128), 10, 0).length, 128); // already a multiple of 32
    // Names of different lengths up to maximum_name_length give the same padded length.
    const lengths = new Set([3, 10, 20, 31, 40].map((d) => padInner(new Uint8Array(180 + d), d, 40).length));
    assert.equal(lengths.size, 1);
  });

  test('a resumed session: the PSK is only inside (§6.1.2); the outer hello has a GREASE one of the same shape', () => {
    const first = connect({ serverName: SECRET, rejectUnauthorized: false, echGrease: false }, { ticketKeys: [new Uint8Array(32).fill(3)] });
    const ticket = first.clientEvents.flatMap((e) => (e.type === 'session' ? [e.ticket] : [])).at(-1)!;
    assert.ok(ticket, 'ticket');
    const key = makeEchKey(1, 'a.test');
    const c = new ClientConnection(clientConfig({ serverName: SECRET, echConfigList: key.list, session: ticket }));
    const [hello] = handshakeMessages(c.takeOutput());
    const { opened } = openOuter(hello!, key);
    assert.equal(opened.innerExtensions.at(-1)!.type, ExtensionType.pre_shared_key);
    const real = decodePreSharedKeyClientExt(opened.innerExtensions.at(-1)!.data);
    // Last in the outer hello too (RFC 8446 §4.2.11), right after encrypted_client_hello.
    assert.deepEqual(opened.outer.extensions.slice(-2).map((e) => e.type), [ExtensionType.encrypted_client_hello, ExtensionType.pre_shared_key]);
    const grease = decodePreSharedKeyClientExt(opened.outer.extensions.at(-1)!.data);
    assert.deepEqual(grease.identities.map((i) => i.identity.length), real.identities.map((i) => i.identity.length));
    assert.deepEqual(grease.binders.map((b) => b.length), real.binders.map((b) => b.length));
    assert.ok(!equal(grease.identities[0]!.identity, real.identities[0]!.identity), 'the ticket is not in the outer hello');
    assert.ok(!Buffer.from(hello!).includes(Buffer.from(real.identities[0]!.identity)), 'the ticket never appears in the clear');
    assert.ok(!equal(grease.binders[0]!, real.binders[0]!), 'nor its binder');
  });

  test('configs hush cannot use are a UsageError before anything is sent (never the name in the clear)', () => {
    const bad = makeEchKey(1, 'a.test', { suites: [{ kdf: 1, aead: 0xffff }] });
    assert.throws(() => new ClientConnection(clientConfig({ echConfigList: bad.list })), (e) => e instanceof UsageError && /no usable ECH config/.test(e.message));
    assert.throws(() => new ClientConnection(clientConfig({ echConfigList: new Uint8Array([0, 1, 2]) })), UsageError);
    const ok = makeEchKey(1, 'a.test');
    assert.throws(() => new ClientConnection(clientConfig({ echConfigList: ok.list, maxVersion: 'TLSv1.2' })), /needs TLS 1.3/);
    // Only TLS 1.2 suites would leave ClientHelloInner without TLS 1.3 (§6.1).
    assert.throws(() => new ClientConnection(clientConfig({ echConfigList: ok.list, cipherSuites: [0xc02b] })), /needs TLS 1.3/);
  });
});

describe('rejection by a server without ECH (§6.1.6)', () => {
  const server = () => ({ certificates: [pki().sniA], ticketKeys: [new Uint8Array(32).fill(4)] });
  test('authenticated as the public name → EchRejectedError (ech_required, no retry configs); the server saw only the public name', () => {
    const key = makeEchKey(3, 'a.test');
    const p = connect({ serverName: SECRET, echConfigList: key.list, trace: true }, { ...server(), trace: true });
    assert.ok(p.client.error instanceof EchRejectedError, p.client.error?.message);
    assert.equal(p.client.error.alertName, 'ech_required');
    assert.equal(p.client.error.retryConfigs, undefined);
    assert.equal(p.client.error.publicName, 'a.test');
    assert.equal(p.client.state, 'failed');
    assert.ok(!p.clientEvents.some((e) => e.type === 'handshake' || e.type === 'session'), 'never established, no tickets');
    // The server got our alert and only ever heard of a.test.
    assert.ok(p.server.error instanceof TlsError && p.server.error.remote && p.server.error.alertName === 'ech_required', 'the server received ech_required');
    const traces = p.serverEvents.flatMap((e) => (e.type === 'trace' ? [JSON.stringify(e.trace)] : []));
    assert.ok(traces.some((t) => t.includes('a.test')), 'the server saw the public name');
    assert.ok(!traces.some((t) => t.includes(SECRET)), 'the server never saw the real name');
    const clientTraces = p.clientEvents.flatMap((e) => (e.type === 'trace' ? [e.trace] : []));
    assert.ok(clientTraces.some((t) => t.event === 'ech' && t.ech === 'rejected'), 'the client narrates the rejection');
    assert.equal(clientTraces.at(-1)!.event, 'failed');
  });
  test('offering a session: a hush server without ECH does not resume from the GREASE PSK (§6.1.2) → EchRejectedError', () => {
    // A ticket this very server issued for the real name (the same ticket keys).
    const first = connect({ serverName: SECRET, rejectUnauthorized: false, echGrease: false }, server());
    const ticket = first.clientEvents.flatMap((e) => (e.type === 'session' ? [e.ticket] : [])).at(-1)!;
    assert.ok(ticket, 'ticket');
    const p = connect({ serverName: SECRET, echConfigList: makeEchKey(3, 'a.test').list, session: ticket }, server());
    assert.ok(p.client.error instanceof EchRejectedError, p.client.error?.message);
  });
  test('a certificate not valid for the public name fails as a certificate error, not as a rejection', () => {
    const key = makeEchKey(3, 'b.test');
    const p = connect({ serverName: SECRET, echConfigList: key.list }, server());
    assert.ok(p.client.error && !(p.client.error instanceof EchRejectedError), 'a certificate error, not a rejection');
    assert.equal(p.client.error.alertName, 'bad_certificate');
    assert.match(p.client.error.message, /b\.test/);
  });
  test('rejectUnauthorized: false does not skip authenticating the public name', () => {
    const key = makeEchKey(3, 'b.test');
    const p = connect({ serverName: SECRET, echConfigList: key.list, rejectUnauthorized: false }, server());
    assert.equal(p.client.error?.alertName, 'bad_certificate');
  });
});

describe('HelloRetryRequest with ECH (§6.1.5, §7.2.1), against a hand-made server', () => {
  /** A TLS 1.3 ticket for SECRET (the inner hello offers it). */
  const secretTicket = () => {
    const first = connect({ serverName: SECRET, rejectUnauthorized: false, echGrease: false }, { ticketKeys: [new Uint8Array(32).fill(5)] });
    return first.clientEvents.flatMap((e) => (e.type === 'session' ? [e.ticket] : [])).at(-1)!;
  };
  const key = makeEchKey(11, 'a.test');
  const start = (over: Partial<ClientConfig> = {}) => {
    const c = new ClientConnection(clientConfig({ serverName: SECRET, echConfigList: key.list, groups: [NamedGroup.x25519, NamedGroup.secp256r1], ...over }));
    const [ch1] = handshakeMessages(c.takeOutput());
    const { opened, context } = openOuter(ch1!, key);
    return { c, ch1: ch1!, opened, context };
  };
  const hrr = (sessionId: Uint8Array, echBody?: Uint8Array) =>
    encodeHelloRetryRequest({
      legacyVersion: 0x0303,
      legacySessionIdEcho: sessionId,
      cipherSuite: 0x1301,
      compressionMethod: 0,
      extensions: [encodeSupportedVersionsServerExt(0x0304), encodeKeyShareHrrExt(NamedGroup.secp256r1), ...(echBody ? [{ type: ExtensionType.encrypted_client_hello, data: echBody }] : [])],
    });
  /** An HRR whose extension carries the right hrr_accept_confirmation for ClientHelloInner1. */
  const acceptingHrr = (opened: Opened) => {
    const zeroed = hrr(opened.outer.legacySessionId, new Uint8Array(8));
    const t = new Transcript(P, 'sha256');
    t.add(opened.inner);
    t.replaceWithMessageHash();
    const confirmation = echConfirmation(P, 'sha256', opened.innerRandom, t.hashWith(zeroHrrConfirmation(zeroed)!), true);
    return hrr(opened.outer.legacySessionId, encodeEchHrrConfirmation(confirmation).data);
  };
  const serverHello = (sessionId: Uint8Array) =>
    encodeServerHello({
      legacyVersion: 0x0303,
      random: P.randomBytes(32),
      legacySessionIdEcho: sessionId,
      cipherSuite: 0x1301,
      compressionMethod: 0,
      extensions: [encodeSupportedVersionsServerExt(0x0304), encodeKeyShareServerExt({ group: NamedGroup.secp256r1, keyExchange: P.keyExchange(NamedGroup.secp256r1)!.generate().publicKey })],
    });

  test('accepted at HRR: ClientHelloOuter2 has an empty enc and its payload opens with the same HPKE context (sequence 1); a ServerHello that does not confirm → illegal_parameter', () => {
    const { c, opened, context } = start();
    c.receive(record(acceptingHrr(opened)));
    assert.equal(c.error, undefined, c.error?.message);
    const [ch2] = handshakeMessages(c.takeOutput());
    assert.ok(ch2, 'a second ClientHello');
    const { opened: opened2 } = openOuter(ch2, key, context);
    assert.equal(opened2.echExt.enc.length, 0);
    assert.equal(context.sequence, 2);
    assert.equal(sniOf(opened2.outer), 'a.test');
    assert.equal(sniOf(opened2.innerExtensions), SECRET);
    assert.ok(equal(opened2.innerRandom, opened.innerRandom), 'ClientHelloInner2 keeps the inner random');
    assert.ok(equal(opened2.outer.random, opened.outer.random), 'ClientHelloOuter2 keeps the outer random');
    const ks = decodeKeyShareClientExt(ext(decodeClientHello(opened2.inner.subarray(4), opened2.inner), ExtensionType.key_share)!.data);
    assert.deepEqual(ks.map((k) => k.group), [NamedGroup.secp256r1]);
    c.receive(record(serverHello(opened.outer.legacySessionId)));
    const err = c.error as TlsError | undefined;
    assert.equal(err?.alertName, 'illegal_parameter');
    assert.match(err!.message, /accepted Encrypted Client Hello in its HelloRetryRequest but not in its ServerHello/);
  });

  test('an HRR confirmation that is not 8 bytes → decode_error', () => {
    const { c, opened } = start();
    c.receive(record(hrr(opened.outer.legacySessionId, new Uint8Array(7))));
    assert.equal(c.error?.alertName, 'decode_error');
  });

  test('a wrong HRR confirmation means rejection: ClientHelloOuter2 copies the first encrypted_client_hello unchanged', () => {
    for (const body of [undefined, new Uint8Array(8).fill(0x5a)]) {
      const { c, ch1, opened } = start();
      c.receive(record(hrr(opened.outer.legacySessionId, body)));
      assert.equal(c.error, undefined, c.error?.message);
      const [ch2] = handshakeMessages(c.takeOutput());
      const outer2 = decodeClientHello(ch2!.subarray(4), ch2);
      const first = decodeClientHello(ch1.subarray(4), ch1);
      assert.equal(toHex(ext(outer2, ExtensionType.encrypted_client_hello)!.data), toHex(ext(first, ExtensionType.encrypted_client_hello)!.data));
      assert.equal(sniOf(outer2), 'a.test');
      assert.ok(!Buffer.from(ch2!).includes(Buffer.from(SECRET)), 'the real name is not in ClientHelloOuter2');
      assert.deepEqual(decodeKeyShareClientExt(ext(outer2, ExtensionType.key_share)!.data).map((k) => k.group), [NamedGroup.secp256r1]);
    }
  });

  test('§6.1.2: a server that rejects ECH and selects the outer (GREASE) PSK → illegal_parameter', () => {
    const { c, opened } = start({ session: secretTicket() });
    assert.equal(opened.outer.extensions.at(-1)!.type, ExtensionType.pre_shared_key);
    // A random ServerHello.random does not confirm ECH: a rejection, answering ClientHelloOuter.
    const rejecting = encodeServerHello({
      legacyVersion: 0x0303,
      random: P.randomBytes(32),
      legacySessionIdEcho: opened.outer.legacySessionId,
      cipherSuite: 0x1301,
      compressionMethod: 0,
      extensions: [
        encodeSupportedVersionsServerExt(0x0304),
        encodeKeyShareServerExt({ group: NamedGroup.x25519, keyExchange: P.keyExchange(NamedGroup.x25519)!.generate().publicKey }),
        encodePreSharedKeyServerExt(0),
      ],
    });
    c.receive(record(rejecting));
    const err = c.error as TlsError | undefined;
    assert.equal(err?.alertName, 'illegal_parameter');
    assert.match(err!.message, /rejected Encrypted Client Hello but selected the GREASE pre_shared_key/);
  });

  test('§6.1.2: after an HRR that rejects, ClientHelloOuter2 keeps the GREASE PSK identity (new binder), as a real PSK offer would', () => {
    const { c, opened } = start({ session: secretTicket() });
    const psk1 = decodePreSharedKeyClientExt(opened.outer.extensions.at(-1)!.data);
    c.receive(record(hrr(opened.outer.legacySessionId)));
    assert.equal(c.error, undefined, c.error?.message);
    const [ch2] = handshakeMessages(c.takeOutput());
    const outer2 = decodeClientHello(ch2!.subarray(4), ch2);
    assert.deepEqual(outer2.extensions.slice(-2).map((e) => e.type), [ExtensionType.encrypted_client_hello, ExtensionType.pre_shared_key]);
    const psk2 = decodePreSharedKeyClientExt(outer2.extensions.at(-1)!.data);
    assert.equal(toHex(psk2.identities[0]!.identity), toHex(psk1.identities[0]!.identity));
    assert.equal(psk2.identities[0]!.obfuscatedTicketAge, psk1.identities[0]!.obfuscatedTicketAge);
    assert.equal(psk2.binders[0]!.length, psk1.binders[0]!.length);
    assert.notEqual(toHex(psk2.binders[0]!), toHex(psk1.binders[0]!));
  });

  test('GREASE: a second ClientHello copies the GREASE extension (§6.2)', () => {
    const c = new ClientConnection(clientConfig({ groups: [NamedGroup.x25519, NamedGroup.secp256r1] }));
    const [ch1] = handshakeMessages(c.takeOutput());
    const first = decodeClientHello(ch1!.subarray(4), ch1);
    c.receive(record(hrr(first.legacySessionId)));
    const [ch2] = handshakeMessages(c.takeOutput());
    const second = decodeClientHello(ch2!.subarray(4), ch2);
    assert.equal(toHex(ext(second, ExtensionType.encrypted_client_hello)!.data), toHex(ext(first, ExtensionType.encrypted_client_hello)!.data));
  });
});

test('retry configs decode as a list (the shape EchRejectedError carries)', () => {
  const k = makeEchKey(1, 'a.test');
  assert.equal(echConfigsOf(decodeEchConfigList(k.list)).length, 1);
});
