// `pfx` / `passphrase` (PKCS#12, #16): files made at test time by `openssl pkcs12 -export` (OpenSSL
// 3's default PBES2/AES-256-CBC/SHA-256 MAC, and -legacy 3DES/RC2-40/SHA-1 MAC) serve a hush server
// and present a hush client's certificate; node:tls on the other side sees the right certificate.
// A wrong passphrase fails with node's error; an algorithm hush cannot read is named, with the
// openssl command that converts the file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { connect } from '../../src/node/connect.js';
import { createServer } from '../../src/node/server.js';
import { createSecureContext } from '../../src/node/secure-context.js';
import { generateTestKey, privateKeyPem, testCa, testCert } from '../pki.js';
import { interopSkip, requirePeer, tempDir } from '../interop/peers.js';
import { listen, shut } from './listen.js';

const skip = interopSkip();
const dir = tempDir('hush-pfx-');
const ca = testCa('CN=hush pfx test CA');
const localhost = { subject: 'CN=localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], extKeyUsage: ['serverAuth'] };
const serverP256 = testCert(generateTestKey('p256'), ca, localhost);
const serverRsa = testCert(generateTestKey('rsa2048'), ca, localhost);
const client = testCert(generateTestKey('p256'), ca, { subject: 'CN=pfx client', extKeyUsage: ['clientAuth'] });

const write = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** `openssl pkcs12 -export` of `leaf` (with the CA) and `extra` arguments; the file's bytes. */
function pkcs12(name: string, leaf: typeof client, extra: string[]): Buffer {
  const out = path.join(dir, `${name}.p12`);
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', write(`${name}.key`, privateKeyPem(leaf.key)), '-in', write(`${name}.pem`, leaf.pem), '-certfile', write('ca.pem', ca.pem), '-out', out, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  return readFileSync(out);
}

let files: Record<string, Buffer> | undefined;
/** Made once, in the first test that needs them (openssl may be missing: that test fails, saying so). */
function fixtures(): Record<string, Buffer> {
  if (files) return files;
  requirePeer('openssl');
  files = {
    server: pkcs12('server', serverP256, ['-passout', 'pass:s3cret']),
    serverLegacy: pkcs12('server-legacy', serverP256, ['-legacy', '-passout', 'pass:s3cret']),
    serverRsa: pkcs12('server-rsa', serverRsa, ['-passout', 'pass:s3cret']),
    serverNoPass: pkcs12('server-nopass', serverP256, ['-passout', 'pass:']),
    client: pkcs12('client', client, ['-passout', 'pass:c1ient']),
    clientLegacy: pkcs12('client-legacy', client, ['-legacy', '-passout', 'pass:c1ient']),
    camellia: pkcs12('camellia', serverP256, ['-certpbe', 'CAMELLIA-256-CBC', '-passout', 'pass:s3cret']),
    sha3Mac: pkcs12('sha3', serverP256, ['-macalg', 'sha3-256', '-passout', 'pass:s3cret']),
  };
  return files;
}
after(() => {
  files = undefined;
});

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** A node:tls client's view of a hush server made with `options`. */
async function serverSeenByNode(options: Parameters<typeof createServer>[0]): Promise<{ fingerprint: string; issuer: string | string[] | undefined; authorized: boolean }> {
  const server = createServer(options!, (s) => s.end());
  const port = await listen(server);
  try {
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.pem });
    await once(c, 'secureConnect');
    const peer = c.getPeerCertificate(true);
    const seen = { fingerprint: peer.fingerprint256, issuer: peer.issuerCertificate?.subject?.CN, authorized: c.authorized };
    c.destroy();
    return seen;
  } finally {
    await shut(server);
  }
}

test('createServer({ pfx, passphrase }): OpenSSL 3 default and -legacy files, RSA and ECDSA, in every form node accepts', { skip }, async () => {
  const f = fixtures();
  const p256 = fingerprint(serverP256.pem);
  for (const [label, options, expected] of [
    ['Buffer + passphrase', { pfx: f.server, passphrase: 's3cret' }, p256],
    ['-legacy (3DES key, RC2-40 certificates, SHA-1 MAC)', { pfx: f.serverLegacy, passphrase: 's3cret' }, p256],
    ['RSA key', { pfx: f.serverRsa, passphrase: 's3cret' }, fingerprint(serverRsa.pem)],
    ['[Buffer]', { pfx: [f.server], passphrase: 's3cret' }, p256],
    ['[{ buf, passphrase }] (its own passphrase wins)', { pfx: [{ buf: f.server, passphrase: 's3cret' }], passphrase: 'wrong' }, p256],
    ['[{ buf }] with the top-level passphrase', { pfx: [{ buf: f.server }], passphrase: 's3cret' }, p256],
    ['empty password, no passphrase', { pfx: f.serverNoPass }, p256],
  ] as const) {
    const seen = await serverSeenByNode(options);
    assert.equal(seen.fingerprint, expected, label);
    assert.equal(seen.authorized, true, label);
    assert.equal(seen.issuer, 'hush pfx test CA', `${label}: the CA certificate in the file is sent as the chain`);
  }
  // Both in one server: each key with its own chain (the client's signature_algorithms pick).
  const both = createSecureContext({ pfx: [f.server, f.serverRsa], passphrase: 's3cret' });
  assert.deepEqual(both.certificates.map((c) => c.key.publicKey.type).sort(), ['ec', 'rsa']);
});

test('connect({ pfx }): the client certificate from a PKCS#12 file is the one a node:tls server verifies', { skip }, async () => {
  const f = fixtures();
  const seen: { fingerprint: string; authorized: boolean }[] = [];
  const server = tls.createServer({ key: privateKeyPem(serverP256.key), cert: serverP256.pem, ca: ca.pem, requestCert: true }, (s) => {
    seen.push({ fingerprint: s.getPeerCertificate().fingerprint256, authorized: s.authorized });
    s.end();
  });
  const port = await listen(server);
  try {
    for (const [maxVersion, pfx] of [['TLSv1.3', f.client], ['TLSv1.2', f.clientLegacy]] as const) {
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.pem, pfx, passphrase: 'c1ient', maxVersion });
      await once(c, 'secureConnect');
      c.resume();
      await once(c, 'end');
      c.destroy();
    }
  } finally {
    await shut(server);
  }
  assert.deepEqual(seen, [
    { fingerprint: fingerprint(client.pem), authorized: true },
    { fingerprint: fingerprint(client.pem), authorized: true },
  ]);
});

test("a wrong or missing passphrase fails like node's: Error 'mac verify failure'", { skip }, () => {
  const f = fixtures();
  for (const passphrase of ['wrong', undefined]) {
    let nodeError: (Error & { code?: string }) | undefined;
    try {
      tls.createSecureContext({ pfx: f.server, passphrase });
    } catch (e) {
      nodeError = e as Error & { code?: string };
    }
    assert.equal(nodeError?.message, 'mac verify failure', 'node:tls itself');
    for (const make of [() => createServer({ pfx: f.server, passphrase }), () => connect({ port: 1, pfx: f.client, passphrase }), () => createSecureContext({ pfx: [{ buf: f.server, passphrase }] })]) {
      assert.throws(make, (e: Error & { code?: string; hush?: { message: string } }) => {
        assert.equal(e.message, nodeError!.message);
        assert.equal(e.code, nodeError!.code);
        assert.match(e.hush?.message ?? '', /passphrase is wrong/);
        return true;
      });
    }
  }
});

test('an algorithm hush cannot read is named, with the openssl command that converts the file', { skip }, () => {
  const f = fixtures();
  for (const [pfx, algorithm] of [[f.camellia, /Camellia-256-CBC/], [f.sha3Mac, /MAC algorithm SHA3-256/]] as const) {
    assert.throws(() => createServer({ pfx, passphrase: 's3cret' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_CRYPTO_UNSUPPORTED_OPERATION');
      assert.match(e.message, /^Unsupported PKCS12 PFX data: /);
      assert.match(e.message, algorithm);
      assert.match(e.message, /openssl pkcs12 -in file\.p12 -nodes -out key-and-cert\.pem/);
      return true;
    });
  }
  // Not a PKCS#12 file at all.
  assert.throws(() => createServer({ pfx: Buffer.from('not a pfx') }), /pfx is not a PKCS#12 file hush can read/);
  assert.throws(() => createServer({ pfx: 5 as never }), /pfx must be a Buffer or a string/);
});
