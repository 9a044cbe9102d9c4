// getSharedSigalgs() side by side with node:tls (#16), under Node 20 (OpenSSL 3.0) and Node 24
// (OpenSSL 3.5, ML-DSA). The node:tls side runs as a child process of either version
// (sigalgs-peer.mjs); the hush side in this process. Server: the same node:tls client connects to
// a node:tls server and to a hush server with the same settings. Client: a node:tls client and a
// hush client connect to the same node:tls server, with and without requestCert.
// The lists are compared with OpenSSL's names of the schemes hush does not implement left out of
// node's (Ed448, SHA-224, DSA, and the TLS 1.3 brainpool ECDSA schemes, which OpenSSL 3.5 also
// names ECDSA+SHA256/384/512).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from '../../src/node/connect.js';
import { createServer, type ServerOptions } from '../../src/node/server.js';
import { startProcess, tempDir } from '../interop/peers.js';
import { runTool } from '../interop/server-peers.js';
import { NODE24_BIN, node24Skip } from '../interop/node24.js';
import { makeCerts } from './certs.js';
import { listen, shut } from './listen.js';

const certs = makeCerts();
after(() => certs.cleanup());
const dir = tempDir('hush-sigalgs-');
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const FILES = {
  cert: file('server.pem', certs.serverCert),
  key: file('server.key', certs.serverKey),
  clientCert: file('client.pem', certs.clientCert),
  clientKey: file('client.key', certs.clientKey),
};
const PEER = path.resolve(new URL('.', import.meta.url).pathname, 'sigalgs-peer.mjs');

type Version = 'TLSv1.3' | 'TLSv1.2';

/** node's list without the schemes hush does not implement (see the top comment). */
function withoutUnsupported(names: readonly string[]): string[] {
  const ecdsa = new Set<string>();
  return names.filter((n) => {
    if (n === 'Ed448+UNDEF' || n.endsWith('+SHA224') || n.startsWith('DSA+')) return false;
    if (n.startsWith('ECDSA+')) {
      if (ecdsa.has(n)) return false; // brainpool (after the secp ones in OpenSSL's order)
      ecdsa.add(n);
    }
    return true;
  });
}

const sharedOf = (out: string): string[][] => [...out.matchAll(/^SHARED (.*)$/gm)].map((m) => JSON.parse(m[1]!) as string[]);

/** A node:tls server of `bin`; the shared lists of its connections so far. */
async function nodeServer(bin: string, opts: object): Promise<{ port: number; shared(n: number): Promise<string[][]>; stop(): Promise<void> }> {
  const p = await startProcess(bin, [PEER, 'server', JSON.stringify({ cert: FILES.cert, key: FILES.key, ...opts })], { readyRegex: /^LISTENING \d+$/m, timeoutMs: 15_000 });
  const port = Number(/^LISTENING (\d+)$/m.exec(p.stdout())![1]);
  return {
    port,
    shared: async (n) => {
      const end = Date.now() + 5000;
      while (sharedOf(p.stdout()).length < n && Date.now() < end && !p.exited) await new Promise((r) => setTimeout(r, 20));
      const got = sharedOf(p.stdout());
      assert.ok(got.length >= n, `the node:tls server reported ${got.length} connections:\n${p.stdout()}${p.stderr()}`);
      return got;
    },
    stop: () => p.stop(),
  };
}

/** One node:tls client connection of `bin`; its getSharedSigalgs(). */
async function nodeClient(bin: string, opts: object): Promise<string[]> {
  const r = await runTool(bin, [PEER, 'client', JSON.stringify(opts)], { timeoutMs: 15_000 });
  const got = sharedOf(r.stdout);
  assert.equal(got.length, 1, `the node:tls client printed:\n${r.output}`);
  return got[0]!;
}

/** A hush server with `opts`; what getSharedSigalgs() said for each connection. */
async function hushServer(opts: ServerOptions): Promise<{ port: number; shared: string[][]; stop(): Promise<void> }> {
  const shared: string[][] = [];
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert, rejectUnauthorized: false, ...opts }, (s) => {
    shared.push(s.getSharedSigalgs());
    s.on('error', () => {});
    s.end();
  });
  return { port: await listen(server), shared, stop: () => shut(server) };
}

/** A hush client connection; getSharedSigalgs() after the handshake. */
async function hushClient(port: number, version: Version): Promise<string[]> {
  const c = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, maxVersion: version, cert: certs.clientCert, key: certs.clientKey });
  await once(c, 'secureConnect');
  const shared = c.getSharedSigalgs();
  c.end();
  c.resume();
  await once(c, 'close');
  return shared;
}

const SERVER_SIGALGS = 'rsa_pkcs1_sha256:rsa_pss_rsae_sha256:ecdsa_secp256r1_sha256:ed25519:rsa_pss_pss_sha384:ecdsa_secp384r1_sha384';

for (const [label, bin, skip] of [
  ['Node 20', process.execPath, false],
  ['Node 24', NODE24_BIN, node24Skip()],
] as const) {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    test(`${label} ${version} server side: a hush server reports what a node:tls server reports to the same node:tls client`, { skip }, async () => {
      // ML-DSA only where OpenSSL knows it (3.5) and the version allows it.
      const mldsa = label === 'Node 24' ? 'mldsa65:' : '';
      for (const settings of [
        { requestCert: false },
        { requestCert: true, sigalgs: mldsa + SERVER_SIGALGS },
        { requestCert: false, sigalgs: mldsa + SERVER_SIGALGS, honorCipherOrder: false },
      ]) {
        const ns = await nodeServer(bin, { maxVersion: version, ...settings });
        const hs = await hushServer({ maxVersion: version, ...settings });
        try {
          await nodeClient(bin, { port: ns.port, maxVersion: version, cert: FILES.clientCert, key: FILES.clientKey });
          await nodeClient(bin, { port: hs.port, maxVersion: version, cert: FILES.clientCert, key: FILES.clientKey });
          const [node] = await ns.shared(1);
          const hush = hs.shared[0];
          const what = `${JSON.stringify(settings)}\nnode: ${JSON.stringify(node)}\nhush: ${JSON.stringify(hush)}`;
          assert.ok(node!.length > 0, what);
          if (settings.sigalgs === undefined) {
            // Each server's own default list decides the order (hush's differs from OpenSSL's): the same names.
            assert.deepEqual([...hush!].sort(), withoutUnsupported(node!).sort(), what);
          } else {
            assert.deepEqual(hush, withoutUnsupported(node!), what);
          }
          if (label === 'Node 24' && version === 'TLSv1.3') assert.ok(hush!.includes('id-ml-dsa-65+UNDEF'), what);
          if (version === 'TLSv1.2') assert.ok(!hush!.some((n) => n.startsWith('id-ml-dsa')), what);
        } finally {
          await ns.stop();
          await hs.stop();
        }
      }
    });

    test(`${label} ${version} client side: a hush client reports what a node:tls client reports from the same node:tls server ([] without requestCert)`, { skip }, async () => {
      for (const settings of [{ requestCert: true }, { requestCert: true, sigalgs: SERVER_SIGALGS }, { requestCert: false }]) {
        const ns = await nodeServer(bin, { maxVersion: version, ...settings });
        try {
          const node = await nodeClient(bin, { port: ns.port, maxVersion: version, cert: FILES.clientCert, key: FILES.clientKey });
          const hush = await hushClient(ns.port, version);
          const what = `${JSON.stringify(settings)}\nnode: ${JSON.stringify(node)}\nhush: ${JSON.stringify(hush)}`;
          assert.deepEqual(hush, withoutUnsupported(node), what);
          assert.equal(hush.length > 0, settings.requestCert, what);
          await ns.shared(2);
        } finally {
          await ns.stop();
        }
      }
    });
  }
}
