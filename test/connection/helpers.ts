// Shared helpers for the in-memory client↔server tests: certificates made once in memory with hush's
// own builder (test/pki.ts), configs, and `pump` which moves bytes between two connections until quiet.
import assert from 'node:assert/strict';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import type { TlsConnection } from '../../src/connection/api.js';
import { alertName } from '../../src/errors/alert.js';
import { CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme } from '../../src/wire/enums.js';
import * as m from '../../src/handshake/messages/index.js';
import { generateTestKey, testCa, testCert, type TestCert, type TestKeyKind } from '../pki.js';

export const provider = nodeCryptoProvider;

export type KeyKind = 'p256' | 'p384' | 'rsa' | 'ed25519';

export interface TestPki {
  readonly caPem: string;
  readonly otherCaPem: string;
  readonly server: Record<KeyKind, CertifiedKey>;
  /** Certificates for a.test and b.test (both P-256), for SNI selection. */
  readonly sniA: CertifiedKey;
  readonly sniB: CertifiedKey;
  readonly client: CertifiedKey;
  /** A client certificate from a CA the server does not trust. */
  readonly strangerClient: CertifiedKey;
  readonly trust: TrustStore;
}

let cached: TestPki | undefined;

const KEY: Record<KeyKind, TestKeyKind> = { p256: 'p256', p384: 'p384', rsa: 'rsa2048', ed25519: 'ed25519' };

/** Make (once per process) two CAs and the leaf certificates the tests use. */
export function pki(): TestPki {
  if (cached) return cached;
  const ca = testCa('CN=Hush Test CA');
  const otherCa = testCa('CN=Other CA');
  const leaf = (kind: KeyKind, cn: string, dnsNames: string[], eku: string, issuer: TestCert): CertifiedKey => {
    const c = testCert(generateTestKey(KEY[kind]), issuer, { subject: `CN=${cn}`, dnsNames, extKeyUsage: [eku] });
    return { chain: [c.der], key: c.key };
  };
  // The common name is one of the SANs (the 'webpki' profile checks it, BR 7.1.4.3); OU tells the leaves apart.
  const sans = ['localhost', 'example.test'];
  cached = {
    caPem: ca.pem,
    otherCaPem: otherCa.pem,
    server: {
      p256: leaf('p256', 'localhost, OU=p256', sans, 'serverAuth', ca),
      p384: leaf('p384', 'localhost, OU=p384', sans, 'serverAuth', ca),
      rsa: leaf('rsa', 'localhost, OU=rsa', sans, 'serverAuth', ca),
      ed25519: leaf('ed25519', 'localhost, OU=ed25519', sans, 'serverAuth', ca),
    },
    sniA: leaf('p256', 'a.test', ['a.test'], 'serverAuth', ca),
    sniB: leaf('p256', 'b.test', ['b.test'], 'serverAuth', ca),
    client: leaf('p256', 'Alice', [], 'clientAuth', ca),
    strangerClient: leaf('p256', 'Mallory', [], 'clientAuth', otherCa),
    trust: new TrustStore([ca.pem]),
  };
  return cached;
}

export function serverConfig(over: Partial<ServerConfig> = {}): ServerConfig {
  return { provider, now: Date.now, certificates: [pki().server.p256], ...over };
}

export function clientConfig(over: Partial<ClientConfig> = {}): ClientConfig {
  return { provider, now: Date.now, serverName: 'localhost', trust: pki().trust, ...over };
}

export interface Pair {
  readonly client: ClientConnection;
  readonly server: ServerConnection;
  readonly clientEvents: ConnectionEvent[];
  readonly serverEvents: ConnectionEvent[];
}

/** Move takeOutput() between the two until neither has anything to send (bounded). */
export function pump(a: TlsConnection, b: TlsConnection, sinks?: { a: ConnectionEvent[]; b: ConnectionEvent[] }, maxRounds = 200): void {
  for (let i = 0; i < maxRounds; i++) {
    const outA = a.takeOutput();
    const outB = b.takeOutput();
    if (outA.length === 0 && outB.length === 0) {
      if (sinks) {
        sinks.a.push(...a.takeEvents());
        sinks.b.push(...b.takeEvents());
      }
      return;
    }
    for (const chunk of outA) b.receive(chunk);
    for (const chunk of outB) a.receive(chunk);
    if (sinks) {
      sinks.a.push(...a.takeEvents());
      sinks.b.push(...b.takeEvents());
    }
  }
  throw new Error('pump: still talking after the round limit');
}

export function connect(client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}): Pair {
  const pair: Pair = {
    client: new ClientConnection(clientConfig(client)),
    server: new ServerConnection(serverConfig(server)),
    clientEvents: [],
    serverEvents: [],
  };
  pump(pair.client, pair.server, { a: pair.clientEvents, b: pair.serverEvents });
  return pair;
}

export function assertEstablished(p: Pair): void {
  assert.equal(p.client.error?.message, undefined, `client error: ${p.client.error?.message}`);
  assert.equal(p.server.error?.message, undefined, `server error: ${p.server.error?.message}`);
  assert.equal(p.client.state, 'established');
  assert.equal(p.server.state, 'established');
}

/** The connection failed locally with this alert, and stays failed. */
export function assertFailed(conn: TlsConnection, alert: string | readonly string[]): void {
  assert.ok(conn.error, 'expected the connection to fail');
  const names = typeof alert === 'string' ? [alert] : alert;
  assert.ok(names.includes(alertName(conn.error.alert)), `alert ${alertName(conn.error.alert)} (${conn.error.message}), expected ${names.join('|')}`);
  assert.equal(conn.state, 'failed');
  assert.equal(conn.receive(new Uint8Array([23, 3, 3, 0, 1, 0])), conn.error, 'stays failed');
}

export function dataOf(events: readonly ConnectionEvent[]): Uint8Array {
  return concatChunks(events.flatMap((e) => (e.type === 'data' ? [e.data] : [])));
}

export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of chunks) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export type HelloOverrides = Partial<m.ClientHello> & { drop?: number[]; add?: m.Extension[]; replace?: m.Extension[] };

/** A well-formed TLS 1.3 ClientHello message (x25519 share), with overrides. */
export function clientHello13(o: HelloOverrides = {}): Uint8Array {
  const share = provider.keyExchange(NamedGroup.x25519)!.generate();
  let extensions: m.Extension[] = [
    m.encodeServerNameExt('localhost'),
    m.encodeSupportedVersionsClientExt([ProtocolVersion.TLSv1_3]),
    m.encodeSupportedGroupsExt([NamedGroup.x25519]),
    m.encodeSignatureAlgorithmsExt([SignatureScheme.ecdsa_secp256r1_sha256]),
    m.encodeKeyShareClientExt([{ group: NamedGroup.x25519, keyExchange: share.publicKey }]),
    m.encodePskKeyExchangeModesExt([1]),
  ];
  for (const r of o.replace ?? []) extensions = extensions.map((e) => (e.type === r.type ? r : e));
  extensions = extensions.filter((e) => !(o.drop ?? []).includes(e.type)).concat(o.add ?? []);
  return m.encodeClientHello({
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: provider.randomBytes(32),
    legacySessionId: provider.randomBytes(32),
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256],
    compressionMethods: [0],
    extensions,
    ...o,
  });
}
