// Shared helpers for the in-memory client↔server tests: certificates made once with the openssl
// CLI in a temp dir, configs, and `pump` which moves bytes between two connections until quiet.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { decodePem } from '../../src/asn1/pem.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { ConnectionEvent } from '../../src/handshake/events.js';
import type { TlsConnection } from '../../src/connection/api.js';
import { alertName } from '../../src/errors/alert.js';

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

function run(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

const NEWKEY: Record<KeyKind, string[]> = {
  p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa: ['-newkey', 'rsa:2048'],
  ed25519: ['-newkey', 'ed25519'],
};

/** Make (once per process) two CAs and the leaf certificates the tests use. */
export function pki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'hush-conn-'));
  try {
    const ca = (name: string) =>
      run(dir, [
        'req', '-x509', ...NEWKEY.p256, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30',
        '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ]);
    ca('Hush Test CA');
    ca('Other CA');
    const leaf = (file: string, kind: KeyKind, cn: string, sans: string, eku: string, caName: string): CertifiedKey => {
      writeFileSync(
        join(dir, `${file}.ext`),
        `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature${kind === 'rsa' ? ',keyEncipherment' : ''}\n` +
          `extendedKeyUsage=${eku}\n${sans ? `subjectAltName=${sans}\n` : ''}`,
      );
      run(dir, ['req', '-new', ...NEWKEY[kind], '-nodes', '-keyout', `${file}.key`, '-out', `${file}.csr`, '-subj', `/CN=${cn}`]);
      run(dir, [
        'x509', '-req', '-in', `${file}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial',
        '-out', `${file}.pem`, '-days', '30', '-extfile', `${file}.ext`,
      ]);
      const chain = decodePem(readFileSync(join(dir, `${file}.pem`), 'utf8')).map((b) => b.der);
      return { chain, key: provider.importPrivateKey(readFileSync(join(dir, `${file}.key`), 'utf8')) };
    };
    const sans = 'DNS:localhost,DNS:example.test';
    const server = {
      p256: leaf('p256', 'p256', 'localhost p256', sans, 'serverAuth', 'Hush Test CA'),
      p384: leaf('p384', 'p384', 'localhost p384', sans, 'serverAuth', 'Hush Test CA'),
      rsa: leaf('rsa', 'rsa', 'localhost rsa', sans, 'serverAuth', 'Hush Test CA'),
      ed25519: leaf('ed25519', 'ed25519', 'localhost ed25519', sans, 'serverAuth', 'Hush Test CA'),
    };
    const caPem = readFileSync(join(dir, 'Hush Test CA.pem'), 'utf8');
    cached = {
      caPem,
      otherCaPem: readFileSync(join(dir, 'Other CA.pem'), 'utf8'),
      server,
      sniA: leaf('a', 'p256', 'a.test', 'DNS:a.test', 'serverAuth', 'Hush Test CA'),
      sniB: leaf('b', 'p256', 'b.test', 'DNS:b.test', 'serverAuth', 'Hush Test CA'),
      client: leaf('client', 'p256', 'Alice', '', 'clientAuth', 'Hush Test CA'),
      strangerClient: leaf('stranger', 'p256', 'Mallory', '', 'clientAuth', 'Other CA'),
      trust: new TrustStore([caPem]),
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  const parts = events.flatMap((e) => (e.type === 'data' ? [e.data] : []));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
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
