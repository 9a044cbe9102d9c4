// An ML-DSA-65 certificate both ways with Node 24 (node:tls on OpenSSL 3.5) on 127.0.0.1:
// Node 24's server ← hush's client (negotiates mldsa65) and hush's server ← Node 24's client. The
// certificates come from hush's builder (ML-DSA-65 leaf under an ML-DSA-87 CA), the key file from
// hush's exportPrivateKey (the PKCS#8 seed form), so OpenSSL reads hush's encodings too.
// openssl 3.0 on this machine has no ML-DSA: not a peer here. Skipped with the reason when Node 24
// is not installed, except in CI (CI=true), where .ci/run installs it and its absence fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClientConnection } from '../../src/connection/client.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { generateTestKey, privateKeyPem, testCa, testCert } from '../pki.js';
import { runClient, skipInterop, startProcess, tempDir } from './peers.js';
import { startCoreServer } from './server-peers.js';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);
const NODE24 = path.join(REPO, 'tools', 'node24', 'node_modules', '.bin', 'node');

function skipReason(): string | false {
  if (skipInterop) return 'HUSH_SKIP_INTEROP=1';
  if (!existsSync(NODE24) && process.env.CI !== 'true') {
    return `Node 24 is not installed (${path.relative(REPO, NODE24)}; run \`npm ci --prefix tools/node24\`, as .ci/run does)`;
  }
  return false;
}

function requireNode24(): void {
  if (!existsSync(NODE24)) throw new Error(`Node 24 is missing: ${NODE24} (.ci/run installs it with npm ci --prefix tools/node24)`);
}

/** ML-DSA-87 CA, ML-DSA-65 leaf for localhost/127.0.0.1 (server) and an ML-DSA-65 client certificate, as files. */
function pqFiles() {
  const dir = tempDir('hush-mldsa-');
  const ca = testCa('CN=hush ML-DSA interop CA', { key: generateTestKey('mldsa87') });
  const leaf = testCert(generateTestKey('mldsa65'), ca, { subject: 'CN=localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const client = testCert(generateTestKey('mldsa65'), ca, { subject: 'CN=node24 client', extKeyUsage: ['clientAuth'] });
  const files = {
    ca: path.join(dir, 'ca.pem'),
    cert: path.join(dir, 'leaf.pem'),
    key: path.join(dir, 'leaf-key.pem'),
    clientCert: path.join(dir, 'client.pem'),
    clientKey: path.join(dir, 'client-key.pem'),
  };
  writeFileSync(files.ca, ca.pem);
  writeFileSync(files.cert, leaf.pem + ca.pem);
  writeFileSync(files.key, privateKeyPem(leaf.key));
  writeFileSync(files.clientCert, client.pem + ca.pem);
  writeFileSync(files.clientKey, privateKeyPem(client.key));
  return { ca, leaf, files };
}

/** Node 24 node:tls echo server: prints "PORT n", then one JSON line per connection. */
const NODE_SERVER = String.raw`
const tls = require('node:tls'), fs = require('node:fs');
const e = process.env;
const srv = tls.createServer({
  cert: fs.readFileSync(e.CERT), key: fs.readFileSync(e.KEY), ca: fs.readFileSync(e.CA),
  requestCert: e.REQUEST_CERT === '1', rejectUnauthorized: e.REQUEST_CERT === '1',
  minVersion: 'TLSv1.3',
}, (s) => {
  const peer = s.getPeerX509Certificate();
  console.log(JSON.stringify({ kind: 'secure', protocol: s.getProtocol(), clientKey: peer ? peer.publicKey.asymmetricKeyType : null }));
  s.on('data', (d) => s.write(d));
  s.on('end', () => s.end());
  s.on('error', () => {});
});
srv.on('tlsClientError', (err) => console.log(JSON.stringify({ kind: 'error', message: err.message })));
srv.listen(0, '127.0.0.1', () => console.log('PORT ' + srv.address().port));
`;

/** Node 24 node:tls client: connects, checks the chain against CA, echoes "ping", prints one JSON line. */
const NODE_CLIENT = String.raw`
const tls = require('node:tls'), fs = require('node:fs');
const e = process.env;
const done = (o) => { console.log(JSON.stringify(o)); process.exit(0); };
setTimeout(() => done({ error: 'timeout' }), 15000).unref();
const auth = e.CLIENT_CERT ? { cert: fs.readFileSync(e.CLIENT_CERT), key: fs.readFileSync(e.CLIENT_KEY) } : {};
const s = tls.connect({ host: '127.0.0.1', port: Number(e.PORT), servername: 'localhost', ca: fs.readFileSync(e.CA), minVersion: 'TLSv1.3', ...auth }, () => {
  const cert = s.getPeerX509Certificate();
  s.write('ping');
  s.once('data', (d) => done({
    authorized: s.authorized, protocol: s.getProtocol(), echo: d.toString(),
    serverKey: cert.publicKey.asymmetricKeyType,
  }));
});
s.on('error', (err) => done({ error: err.message }));
`;

/** The server's first JSON line (its stdout may arrive after our side is done): bounded wait. */
/** Run NODE_CLIENT under Node 24 with these variables and return the JSON line it prints. */
async function runNodeClient(env: Record<string, string>): Promise<Record<string, unknown>> {
  const client = await startProcess(NODE24, ['-e', NODE_CLIENT], {
    env: { ...process.env, ...env },
    readyRegex: /^\{.*\}$/m,
    timeoutMs: 30_000,
    lifetimeMs: 60_000,
  });
  await client.stop();
  return JSON.parse(/^\{.*\}$/m.exec(client.stdout())![0]) as Record<string, unknown>;
}

async function firstEvent(server: { stdout(): string; exited: boolean }): Promise<unknown> {
  for (let i = 0; i < 200; i++) {
    const line = server.stdout().split('\n').find((l) => l.startsWith('{'));
    if (line) return JSON.parse(line);
    if (server.exited) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the Node 24 server reported no connection: ${server.stdout()}`);
}

test('Node 24 node:tls server with an ML-DSA-65 certificate ← hush client: mldsa65', { skip: skipReason() }, async () => {
  requireNode24();
  const { ca, files } = pqFiles();
  const server = await startProcess(NODE24, ['-e', NODE_SERVER], {
    env: { ...process.env, CERT: files.cert, KEY: files.key, CA: files.ca },
    readyRegex: /^PORT \d+$/m,
    timeoutMs: 20_000,
    lifetimeMs: 60_000,
  });
  try {
    const port = Number(/^PORT (\d+)$/m.exec(server.stdout())![1]);
    const conn = new ClientConnection({ provider, now: Date.now, serverName: 'localhost', trust: new TrustStore([ca.pem]) });
    await runClient(conn, '127.0.0.1', port, async (p) => {
      const info = await p.handshake(10_000);
      assert.equal(info.version, 'TLSv1.3');
      assert.equal(info.signatureScheme, SignatureScheme.mldsa65);
      assert.equal(info.signatureSchemeName, 'mldsa65');
      assert.equal(info.authorized, true);
      assert.equal(info.peerCertificates[0]!.spki.keyType, 'ml-dsa-65');
      p.send('hello over ML-DSA');
      assert.equal(new TextDecoder().decode(await p.read(17, 10_000)), 'hello over ML-DSA');
      p.close();
    });
    assert.deepEqual(await firstEvent(server), { kind: 'secure', protocol: 'TLSv1.3', clientKey: null });
  } finally {
    await server.stop();
  }
});

test('hush server with an ML-DSA-65 certificate ← Node 24 node:tls client', { skip: skipReason() }, async () => {
  requireNode24();
  const { leaf, files } = pqFiles();
  const server = await startCoreServer({ provider, now: Date.now, certificates: [{ chain: [leaf.der], key: leaf.key }] });
  try {
    const r = await runNodeClient({ PORT: String(server.port), CA: files.ca });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.authorized, true, 'Node 24 validated the ML-DSA chain hush built');
    assert.equal(r.protocol, 'TLSv1.3');
    assert.equal(r.serverKey, 'ml-dsa-65');
    assert.equal(r.echo, 'ping');
    assert.equal(server.infos.length, 1, server.errors.join('; '));
    assert.equal(server.infos[0]!.localSignatureScheme, SignatureScheme.mldsa65);
  } finally {
    await server.stop();
  }
});

test('client authentication: Node 24 client with an ML-DSA-65 certificate (hush\'s PKCS#8) → hush server', { skip: skipReason() }, async () => {
  requireNode24();
  const { ca, leaf, files } = pqFiles();
  const server = await startCoreServer({
    provider,
    now: Date.now,
    certificates: [{ chain: [leaf.der], key: leaf.key }],
    clientAuth: 'required',
    clientTrust: new TrustStore([ca.pem]),
  });
  try {
    const r = await runNodeClient({ PORT: String(server.port), CA: files.ca, CLIENT_CERT: files.clientCert, CLIENT_KEY: files.clientKey });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.echo, 'ping');
    assert.equal(server.infos.length, 1, server.errors.join('; '));
    assert.equal(server.infos[0]!.signatureScheme, SignatureScheme.mldsa65, "Node 24's CertificateVerify");
    assert.equal(server.infos[0]!.peerCertificates[0]!.subject.text, 'CN=node24 client');
  } finally {
    await server.stop();
  }
});

test('client authentication: hush client with an ML-DSA-65 certificate → Node 24 server (requestCert)', { skip: skipReason() }, async () => {
  requireNode24();
  const { ca, files } = pqFiles();
  const clientCert = testCert(generateTestKey('mldsa65'), ca, { subject: 'CN=hush client', extKeyUsage: ['clientAuth'] });
  const server = await startProcess(NODE24, ['-e', NODE_SERVER], {
    env: { ...process.env, CERT: files.cert, KEY: files.key, CA: files.ca, REQUEST_CERT: '1' },
    readyRegex: /^PORT \d+$/m,
    timeoutMs: 20_000,
    lifetimeMs: 60_000,
  });
  try {
    const port = Number(/^PORT (\d+)$/m.exec(server.stdout())![1]);
    const conn = new ClientConnection({
      provider,
      now: Date.now,
      serverName: 'localhost',
      trust: new TrustStore([ca.pem]),
      clientCertificate: { chain: [clientCert.der], key: clientCert.key },
    });
    await runClient(conn, '127.0.0.1', port, async (p) => {
      await p.handshake(10_000);
      p.send('x');
      await p.read(1, 10_000);
      p.close();
    });
    assert.deepEqual(await firstEvent(server), { kind: 'secure', protocol: 'TLSv1.3', clientKey: 'ml-dsa-65' });
  } finally {
    await server.stop();
  }
});
