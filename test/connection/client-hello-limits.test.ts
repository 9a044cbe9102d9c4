// The first flight a server accepts (issue #11, items 1-3): any {03,XX} record version, no SSL 3.0
// legacy_version, every legal ClientHello size, bounded records and memory in the Acceptor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CipherSuite, ContentType, ExtensionType, HandshakeType, ProtocolVersion, SignatureScheme } from '../../src/wire/enums.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import * as m from '../../src/handshake/messages/index.js';
import * as handshakeLimits from '../../src/handshake/messages/handshake.js';
import { ClientConnection } from '../../src/connection/client.js';
import { Acceptor, ServerConnection, type Accepted } from '../../src/connection/server.js';
import { TlsError, UsageError } from '../../src/errors/errors.js';
import { heapBytes } from '../heap.js';
import { assertEstablished, assertFailed, clientConfig, clientHello13, concatChunks, pump, serverConfig } from './helpers.js';

// (Through the namespace, so that this file still loads against code without them.)
const MAX_CLIENT_HELLO_SIZE: number = handshakeLimits.MAX_CLIENT_HELLO_SIZE ?? 131396;
const DEFAULT_MAX_CLIENT_HELLO_RECORDS: number = handshakeLimits.DEFAULT_MAX_CLIENT_HELLO_RECORDS ?? 4096;

/** Records of `type` carrying `data`, `size` bytes each, with this record version. */
function records(type: number, data: Uint8Array, version: number = ProtocolVersion.TLSv1_2, size = 16384): Uint8Array {
  return writePlaintextRecords(type, version, data, size);
}

/** Rewrite the legacy_record_version of every record in a byte stream of plaintext records. */
function withRecordVersion(stream: Uint8Array, version: number): Uint8Array {
  const out = stream.slice();
  for (let o = 0; o + 5 <= out.length; o += 5 + ((out[o + 3]! << 8) | out[o + 4]!)) {
    out[o + 1] = version >> 8;
    out[o + 2] = version & 0xff;
  }
  return out;
}

function serverGets(bytes: Uint8Array, over = {}): ServerConnection {
  const s = new ServerConnection(serverConfig(over));
  s.receive(bytes);
  return s;
}

/**
 * A server for a client's first flight, through a ServerConnection or through the Acceptor; with the
 * Acceptor, asserts that it took the hello (`message`) and runs `check` on what it accepted.
 */
function serverVia(via: 'connection' | 'acceptor', first: Uint8Array, message?: string, check?: (accepted: Accepted) => void): ServerConnection {
  if (via === 'connection') {
    const server = new ServerConnection(serverConfig());
    server.receive(first);
    return server;
  }
  const accepted = new Acceptor().receive(first);
  assert.ok(accepted, message);
  check?.(accepted);
  return accepted.intoConnection(serverConfig());
}

/** Feed the Acceptor; returns the TlsError it threw, or the Accepted. */
function acceptorGets(bytes: Uint8Array, options = {}): TlsError | Acceptor {
  const a = new Acceptor(options);
  try {
    a.receive(bytes);
  } catch (e) {
    assert.ok(e instanceof TlsError, String(e));
    return e;
  }
  return a;
}

// ------------------------------------------------------------------------------- item 1

test('an initial ClientHello in records of any version {03,XX} is accepted: 0x0300, 0x0301, 0x0304, 0x03ff (RFC 5246 Appendix E.1; RFC 8446 §5.1)', () => {
  for (const version of [0x0300, 0x0301, 0x0302, 0x0304, 0x03ff]) {
    for (const via of ['connection', 'acceptor'] as const) {
      const client = new ClientConnection(clientConfig());
      const first = withRecordVersion(concatChunks(client.takeOutput()), version);
      const server = serverVia(via, first, `0x${version.toString(16)}: the Acceptor took the hello`);
      assert.equal(server.error?.message, undefined, `0x${version.toString(16)} via ${via}`);
      pump(client, server);
      assertEstablished({ client, server, clientEvents: [], serverEvents: [] });
    }
  }
});

test('later plaintext records may carry any {03,XX} too; a first byte other than 3 is not TLS → protocol_version', () => {
  // A compat ChangeCipherSpec after the ClientHello, framed as 0x0301 (RFC 8446 §5.1: ignored).
  const client = new ClientConnection(clientConfig());
  const server = new ServerConnection(serverConfig());
  server.receive(concatChunks(client.takeOutput()));
  server.receive(Uint8Array.of(ContentType.change_cipher_spec, 3, 1, 0, 1, 1));
  assert.equal(server.error, undefined);
  for (const version of [0x0200, 0x0000, 0x0403, 0x1603]) {
    assertFailed(serverGets(records(ContentType.handshake, clientHello13(), version)), 'protocol_version');
    const e = acceptorGets(records(ContentType.handshake, clientHello13(), version));
    assert.ok(e instanceof TlsError && e.alertName === 'protocol_version', `0x${version.toString(16)}`);
  }
});

test('plain HTTP sent to a TLS server gets a message that says so', () => {
  const s = serverGets(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  assert.match(s.error!.message, /plain HTTP request \("GET \/ HTTP\/1\.1…"\), not TLS: it should connect with https:\/\//);
  const e = acceptorGets(new TextEncoder().encode('POST /x HTTP/1.1\r\n\r\n'));
  assert.match((e as TlsError).message, /plain HTTP request/);
});

// ------------------------------------------------------------------------------- item 2: legacy_version

test('legacy_version 0x0300 or less in a ClientHello → protocol_version before anything else (RFC 8446 Appendix D.5)', () => {
  for (const legacyVersion of [0x0000, 0x0100, 0x0200, 0x0300, 0x02ff]) {
    const label = `legacy_version 0x${legacyVersion.toString(16).padStart(4, '0')}`;
    // With supported_versions offering TLS 1.3 (which hush used to negotiate regardless).
    const ok13 = records(ContentType.handshake, clientHello13({ legacyVersion }));
    assertFailed(serverGets(ok13), 'protocol_version');
    assert.match(serverGets(ok13).error!.message, /legacy_version 0x0[0-3][0-9a-f]{2}.*Appendix D\.5/, label);
    // Before any other check: a hello that is also wrong in other ways (no key_share, compression [1, 0]).
    const alsoBad = records(ContentType.handshake, clientHello13({ legacyVersion, drop: [ExtensionType.key_share], compressionMethods: [1, 0] }));
    assertFailed(serverGets(alsoBad), 'protocol_version');
    for (const bytes of [ok13, alsoBad]) {
      const e = acceptorGets(bytes);
      assert.ok(e instanceof TlsError && e.alertName === 'protocol_version', `${label} via the Acceptor: ${String(e)}`);
    }
  }
  // 0x0301 with supported_versions is still fine (RFC 8446 §4.2.1: legacy_version is not used to negotiate).
  const s = serverGets(records(ContentType.handshake, clientHello13({ legacyVersion: ProtocolVersion.TLSv1 })));
  assert.equal(s.error, undefined);
});

test('legacy_version 0x0300 in a ServerHello → protocol_version at the client (RFC 8446 Appendix D.5)', () => {
  for (const legacyVersion of [0x0300, 0x0000]) {
    const client = new ClientConnection(clientConfig());
    const server = new ServerConnection(serverConfig());
    server.receive(concatChunks(client.takeOutput()));
    const flight = concatChunks(server.takeOutput());
    // The first record holds the ServerHello: header (5) + handshake header (4), then legacy_version.
    assert.equal(flight[5], HandshakeType.server_hello);
    flight[9] = legacyVersion >> 8;
    flight[10] = legacyVersion & 0xff;
    client.receive(flight);
    assertFailed(client, 'protocol_version');
  }
});

// ------------------------------------------------------------------------------- item 2: size

/** Cipher suite values hush does not implement, for padding a hello (no SCSVs). */
function unknownSuites(n: number, avoid: readonly number[]): number[] {
  const out: number[] = [];
  for (let v = 0x0100; out.length < n && v <= 0xffff; v++) {
    if (!avoid.includes(v) && v !== 0x5600 && v !== 0x00ff && (v >> 8) !== 0x13 && (v >> 8) !== 0xc0 && (v >> 8) !== 0xcc) out.push(v);
  }
  return out;
}

/**
 * A real client whose ClientHello is as large as a client can make it with one compression
 * method: 32 767 cipher suites and a 65 535-byte extensions block (signature_algorithms of about
 * 32 700 schemes, then padding).
 */
function hugeHelloClient(): ClientConnection {
  return new ClientConnection(
    clientConfig({
      customizeHelloCipherSuites: (ours) => [...ours, ...unknownSuites(32767 - ours.length, ours)],
      customizeHelloExtensions: (exts) => {
        const others = exts.filter((e) => e.type !== ExtensionType.signature_algorithms);
        const used = others.reduce((n, e) => n + 4 + e.data.length, 0);
        // signature_algorithms<2..2^16-2>: a long list of unknown schemes after the real one.
        const n = Math.floor((65535 - used - 4 - 2 - 8) / 2);
        const schemes = [SignatureScheme.ecdsa_secp256r1_sha256, ...Array.from({ length: n - 1 }, (_, i) => 0xfe00 - i)];
        const sig = m.encodeSignatureAlgorithmsExt(schemes);
        const pad = 65535 - used - (4 + sig.data.length) - 4;
        return [sig, ...others, m.encodePaddingExt(pad)];
      },
    }),
  );
}

test('ClientHellos beyond 64 KiB, up to the largest the format allows (131 396 bytes), complete the handshake', () => {
  assert.equal(handshakeLimits.MAX_CLIENT_HELLO_SIZE, 131396);
  for (const via of ['connection', 'acceptor'] as const) {
    const client = hugeHelloClient();
    const first = concatChunks(client.takeOutput());
    const helloLength = first.length - 5 * Math.ceil(first.length / 16389);
    assert.ok(helloLength > 131000, `hello of ${helloLength} bytes`);
    const server = serverVia(via, first, undefined, (accepted) => assert.equal(accepted.clientHello.cipherSuites.length, 32767));
    pump(client, server);
    assertEstablished({ client, server, clientEvents: [], serverEvents: [] });
  }

  // Exactly the maximum: 32-byte session id, 32 767 suites, 255 compression methods, a full
  // extensions block. TLS 1.3 refuses the compression list (illegal_parameter), which shows the
  // size was accepted; the old 64 KiB bound said decode_error.
  const max = clientHello13({
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, ...unknownSuites(32766, [CipherSuite.TLS_AES_128_GCM_SHA256])],
    compressionMethods: Array.from({ length: 255 }, (_, i) => i),
  });
  const body = max.length - 4;
  // Pad the extensions block to 65 535 bytes.
  const padded = clientHello13({
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, ...unknownSuites(32766, [CipherSuite.TLS_AES_128_GCM_SHA256])],
    compressionMethods: Array.from({ length: 255 }, (_, i) => i),
    add: [m.encodePaddingExt(MAX_CLIENT_HELLO_SIZE - body - 4)],
  });
  assert.equal(padded.length - 4, MAX_CLIENT_HELLO_SIZE);
  assertFailed(serverGets(records(ContentType.handshake, padded)), 'illegal_parameter');
  const e = acceptorGets(records(ContentType.handshake, padded));
  assert.ok(e instanceof Acceptor, `the Acceptor takes the largest hello: ${String(e)}`);
});

test('maxClientHelloSize and maxClientHelloRecords: server options, checked, with messages naming them', () => {
  const ch = clientHello13({ add: [m.encodePaddingExt(3000)] });
  // Size: a header announcing more fails at once.
  const small = serverGets(records(ContentType.handshake, ch.subarray(0, 10)), { maxClientHelloSize: 1000 });
  assertFailed(small, 'decode_error');
  assert.match(small.error!.message, /over the limit of 1000 bytes \(maxClientHelloSize\)/);
  const a = acceptorGets(records(ContentType.handshake, ch), { maxClientHelloSize: 1000 });
  assert.match((a as TlsError).message, /maxClientHelloSize/);
  // Other handshake messages keep maxHandshakeMessageSize.
  assert.equal(serverGets(records(ContentType.handshake, ch), { maxHandshakeMessageSize: 1000 }).error, undefined);

  // Records: a hello of 3 KiB+ a byte per record spans > 3000 records.
  const bytewise = records(ContentType.handshake, ch, ProtocolVersion.TLSv1_2, 1);
  assert.equal(serverGets(bytewise).error, undefined, 'the default allows a 4 KiB hello in 1-byte records');
  assert.ok(DEFAULT_MAX_CLIENT_HELLO_RECORDS >= 4096);
  const capped = serverGets(bytewise, { maxClientHelloRecords: 100 });
  assertFailed(capped, 'unexpected_message');
  assert.match(capped.error!.message, /still incomplete after 100 records \(maxClientHelloRecords\)/);
  assert.match((acceptorGets(bytewise, { maxClientHelloRecords: 100 }) as TlsError).message, /maxClientHelloRecords/);
  // Exactly the bound is fine: a hello in 100 records.
  const size100 = Math.ceil(ch.length / 100);
  assert.equal(serverGets(records(ContentType.handshake, ch, ProtocolVersion.TLSv1_2, size100), { maxClientHelloRecords: 100 }).error, undefined);
  // A 131 KiB hello needs records of 32 bytes with the default.
  const big = clientHello13({ add: [m.encodePaddingExt(60000)], cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, ...unknownSuites(32000, [])] });
  assert.ok(big.length <= 32 * DEFAULT_MAX_CLIENT_HELLO_RECORDS);
  assert.equal(serverGets(records(ContentType.handshake, big, ProtocolVersion.TLSv1_2, 32)).error, undefined);
  assertFailed(serverGets(records(ContentType.handshake, big, ProtocolVersion.TLSv1_2, 16)), 'unexpected_message');

  for (const bad of [{ maxClientHelloSize: 0 }, { maxClientHelloSize: 1.5 }, { maxClientHelloRecords: 0 }, { maxClientHelloSize: 2 ** 24 }]) {
    assert.throws(() => new ServerConnection(serverConfig(bad)), UsageError, JSON.stringify(bad));
    assert.throws(() => new Acceptor(bad), UsageError, JSON.stringify(bad));
  }
});

// ------------------------------------------------------------------------------- item 3: Acceptor memory

test('Acceptor memory: a ClientHello in 1-byte records fed a byte per call costs about its size (main: ~65 MB for 50 KB)', () => {
  const ch = clientHello13({ add: [m.encodePaddingExt(20000)], cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, ...unknownSuites(15000, [])] });
  assert.ok(ch.length > 49_000);
  const stream = records(ContentType.handshake, ch, ProtocolVersion.TLSv1_2, 1);
  // The record bound lifted, to measure the buffering alone.
  const options = { maxClientHelloRecords: 1_000_000 };
  const before = heapBytes();
  const acceptors: Acceptor[] = [];
  for (let k = 0; k < 3; k++) {
    const a = new Acceptor(options);
    // Everything but the last byte: the hello is pending, all of it buffered.
    for (let i = 0; i < stream.length - 1; i++) assert.equal(a.receive(stream.subarray(i, i + 1)), undefined);
    acceptors.push(a);
  }
  const perAcceptor = (heapBytes() - before) / acceptors.length;
  assert.ok(perAcceptor < 400_000, `one pending Acceptor holds ${Math.round(perAcceptor / 1000)} KB for a ${Math.round(ch.length / 1000)} KB hello`);
  // And each still completes.
  for (const a of acceptors) {
    const accepted = a.receive(stream.subarray(stream.length - 1));
    assert.ok(accepted);
    assert.equal(accepted.clientHello.serverName, 'localhost');
  }
  // With the default record bound, the same stream is refused after 4096 records.
  let err: unknown;
  const d = new Acceptor();
  for (let i = 0; i < stream.length && err === undefined; i += 6) {
    try {
      d.receive(stream.subarray(i, i + 6));
    } catch (e) {
      err = e;
    }
  }
  assert.match(String(err), /incomplete after 4096 records/);
});

test('Acceptor: bytes after the ClientHello are handed on exactly, and bounded while the config is chosen', () => {
  // Several records in one chunk: hello + compat CCS; then more while the application decides.
  const client = new ClientConnection(clientConfig());
  const hello = concatChunks(client.takeOutput());
  const a = new Acceptor();
  const ccs = Uint8Array.of(ContentType.change_cipher_spec, 3, 3, 0, 1, 1);
  const accepted = a.receive(concatChunks([hello, ccs.subarray(0, 3)]));
  assert.ok(accepted);
  assert.equal(a.receive(ccs.subarray(3)), accepted);
  const server = accepted.intoConnection(serverConfig());
  assert.equal(server.error, undefined);
  pump(client, server);
  assert.equal(server.state, 'established');

  // A client that streams data while the config is being chosen is cut off past the bound.
  const b = new Acceptor();
  assert.ok(b.receive(concatChunks(new ClientConnection(clientConfig()).takeOutput())));
  const junk = records(ContentType.application_data, new Uint8Array(16000));
  let err: unknown;
  for (let i = 0; i < 100 && err === undefined; i++) {
    try {
      b.receive(junk);
    } catch (e) {
      err = e;
    }
  }
  assert.ok(err instanceof TlsError && err.alertName === 'unexpected_message', String(err));
  assert.match((err as TlsError).message, /after its ClientHello/);
  assert.equal(concatChunks(b.takeOutput())[0], ContentType.alert);

  // A handshake message other than ClientHello is refused from its first record.
  const fin = records(ContentType.handshake, m.encodeFinished({ verifyData: new Uint8Array(32) }).subarray(0, 3));
  assert.match((acceptorGets(fin) as TlsError).message, /expected a ClientHello/);
});
