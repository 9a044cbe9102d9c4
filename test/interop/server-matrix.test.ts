// The hush TLS 1.3 SERVER against real clients on 127.0.0.1: openssl s_client, gnutls-cli, curl, a
// node:tls client, a Go crypto/tls client (test/interop/go/client) and hush's own connect().
// Every suite × group × certificate type (one in-process hush server per certificate, reused; the
// client offers exactly one suite and one group), asserting what the SERVER negotiated (cipher,
// group, the scheme it signed with) and a data round trip; then HelloRetryRequest, resumption,
// client authentication, KeyUpdate, and `hush serve` (the CLI, as a child process) with 64 MiB
// through POST /echo checked byte for byte. Prints the matrix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { connect, type ConnectOptions } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { goLabel, goVersion, interopSkip, requirePeer, startProcess, tempDir, testPki, type Pki, type ServerCertKind } from './peers.js';
import {
  OPENSSL_GROUP, buildGoClient, gnutlsPriority, requireTool, runTool, startHushServer,
  type HushTestServer, type SeenConnection, type ToolResult,
} from './server-peers.js';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);
const CLIENTS = ['openssl', 'gnutls', 'curl', 'node', 'go', 'hush'] as const;
type ClientName = (typeof CLIENTS)[number];
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
const GROUPS = ['x25519', 'secp256r1', 'secp384r1'] as const;
const CERTS = ['ecdsa256', 'rsa2048', 'ed25519'] as const satisfies readonly ServerCertKind[];
type CertName = (typeof CERTS)[number];
/** What the server must sign its CertificateVerify with (RFC 8446 §4.2.3; RSA keys sign with PSS in TLS 1.3). */
const EXPECTED_SIG: Record<CertName, RegExp> = {
  ecdsa256: /^ecdsa_secp256r1_sha256$/,
  rsa2048: /^rsa_pss_rsae_sha(256|384|512)$/,
  ed25519: /^ed25519$/,
};
const NODE_GROUP: Record<string, string> = { x25519: 'X25519', secp256r1: 'P-256', secp384r1: 'P-384' };

const skip = interopSkip();

interface Row {
  client: ClientName;
  cert: CertName;
  suite: string;
  group: string;
  result: string;
  ms: number;
}
const rows: Row[] = [];
const extras: string[] = [];

function printMatrix(): void {
  if (rows.length === 0 && extras.length === 0) return;
  const SHORT: Record<string, string> = {
    TLS_AES_128_GCM_SHA256: 'AES128',
    TLS_AES_256_GCM_SHA384: 'AES256',
    TLS_CHACHA20_POLY1305_SHA256: 'CHACHA',
    x25519: 'X25519',
    secp256r1: 'P256',
    secp384r1: 'P384',
  };
  const lines = [`hush TLS 1.3 SERVER interop matrix (client × cert × suite/group, as the server saw it) — Go: ${goLabel()}`];
  const cols = SUITES.flatMap((s) => GROUPS.map((g) => `${SHORT[s]}/${SHORT[g]}`));
  const w = 13;
  lines.push(['client'.padEnd(8), 'cert'.padEnd(9), ...cols.map((c) => c.padEnd(w))].join(' ').trimEnd());
  for (const client of CLIENTS) {
    for (const cert of CERTS) {
      const cells = SUITES.flatMap((s) =>
        GROUPS.map((g) => {
          const r = rows.find((x) => x.client === client && x.cert === cert && x.suite === s && x.group === g);
          return (r ? r.result : '-').padEnd(w);
        }),
      );
      if (cells.every((c) => c.trim() === '-')) continue;
      lines.push([client.padEnd(8), cert.padEnd(9), ...cells].join(' ').trimEnd());
    }
  }
  const failed = rows.filter((r) => r.result !== 'ok');
  const ms = rows.reduce((a, r) => a + r.ms, 0);
  lines.push(`${rows.length - failed.length}/${rows.length} ok (${(ms / 1000).toFixed(1)} s in handshakes)`);
  for (const f of failed.slice(0, 20)) lines.push(`  FAIL ${f.client} ${f.cert} ${f.suite} ${f.group}: ${f.result}`);
  if (extras.length) {
    lines.push('', 'features (client → hush server):');
    for (const e of extras) lines.push('  ' + e);
  }
  console.log(lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// The clients. Each makes ONE connection to 127.0.0.1:port (SNI localhost), offering the given
// suites and groups (in order), sends `tag` + '\n' and waits for it to come back (echo) — except
// curl, which POSTs `tag` to /echo over HTTP/1.1.

interface ClientOpts {
  port: number;
  /** undefined: the client's defaults. */
  suite?: string;
  groups: readonly string[];
  tag: string;
  /** Client certificate files. */
  cert?: { cert: string; key: string };
}

let pki: Pki;
let goBin: string;

function opensslArgs(o: ClientOpts): string[] {
  const args = ['s_client', '-connect', `127.0.0.1:${o.port}`, '-servername', 'localhost', '-CAfile', pki.ca.cert,
    '-verify_return_error', '-verify_hostname', 'localhost', '-tls1_3', '-groups', o.groups.map((g) => OPENSSL_GROUP[g]!).join(':')];
  if (o.suite) args.push('-ciphersuites', o.suite);
  if (o.cert) args.push('-cert', o.cert.cert, '-key', o.cert.key);
  return args;
}

function gnutlsArgs(o: ClientOpts): string[] {
  const args = ['--priority', gnutlsPriority(o.suite ? [o.suite] : undefined, o.groups), '--x509cafile', pki.ca.cert,
    '--sni-hostname', 'localhost', '--verify-hostname', 'localhost', '-p', String(o.port)];
  if (o.cert) args.push('--x509certfile', o.cert.cert, '--x509keyfile', o.cert.key);
  args.push('127.0.0.1');
  return args;
}

function curlArgs(o: ClientOpts): string[] {
  const args = ['-sS', '--max-time', '10', '--http1.1', '--cacert', pki.ca.cert, '--resolve', `localhost:${o.port}:127.0.0.1`,
    '--tlsv1.3', '--curves', o.groups.map((g) => OPENSSL_GROUP[g]!).join(':')];
  if (o.suite) args.push('--tls13-ciphers', o.suite);
  if (o.cert) args.push('--cert', o.cert.cert, '--key', o.cert.key);
  return args;
}

/** Line-mode clients (s_client, gnutls-cli): send the tag, wait for its echo, close stdin. */
async function lineClient(cmd: string, args: string[], tag: string, extra?: (io: { write(t: string): void; waitOut(re: RegExp, ms?: number): Promise<void> }) => Promise<void>): Promise<ToolResult> {
  const r = await runTool(cmd, args, {
    timeoutMs: 15_000,
    interact: async (io) => {
      io.write(tag + '\n');
      // Not anchored: s_client may print a post-handshake ticket dump into the same line.
      await io.waitOut(new RegExp(tag), 10_000);
      if (extra) await extra(io);
      io.end();
    },
  });
  if (r.code !== 0) throw new Error(`${cmd} exited with ${r.code ?? r.signal}:\n${r.output.slice(-2000)}`);
  return r;
}

async function runOpenssl(o: ClientOpts): Promise<void> {
  await lineClient('openssl', opensslArgs(o), o.tag);
}

async function runGnutls(o: ClientOpts): Promise<void> {
  await lineClient('gnutls-cli', gnutlsArgs(o), o.tag);
}

async function runCurl(o: ClientOpts): Promise<void> {
  const r = await runTool('curl', [...curlArgs(o), '--data-binary', o.tag, `https://localhost:${o.port}/echo`], { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`curl exited with ${r.code ?? r.signal}: ${r.output.slice(-1500)}`);
  assert.equal(r.stdout, o.tag, 'curl: POST /echo body');
}

function nodeConnect(o: ClientOpts, extra: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      host: '127.0.0.1',
      port: o.port,
      servername: 'localhost',
      ca: readFileSync(pki.ca.cert),
      minVersion: 'TLSv1.3',
      ...(o.suite ? { ciphers: o.suite } : {}),
      ecdhCurve: o.groups.map((g) => NODE_GROUP[g]!).join(':'),
      ...(o.cert ? { cert: readFileSync(o.cert.cert), key: readFileSync(o.cert.key) } : {}),
      ...extra,
    });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error('node:tls connect timed out'));
    }, 10_000);
    s.once('secureConnect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

function hushConnect(o: ClientOpts, extra: ConnectOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({
      host: '127.0.0.1',
      port: o.port,
      servername: 'localhost',
      ca: readFileSync(pki.ca.cert),
      minVersion: 'TLSv1.3',
      ...(o.suite ? { ciphers: o.suite } : {}),
      ecdhCurve: o.groups.map((g) => NODE_GROUP[g]!).join(':'),
      ...(o.cert ? { cert: readFileSync(o.cert.cert), key: readFileSync(o.cert.key) } : {}),
      handshakeTimeout: 10_000,
      ...extra,
    });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error('hush connect timed out'));
    }, 10_000);
    s.once('secureConnect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (e: Error) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

/** Write `text`, read until it came back, with a bound. */
function echoOver(s: tls.TLSSocket | TLSSocket, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = '';
    const t = setTimeout(() => done(new Error(`echo of ${JSON.stringify(text)} timed out (got ${JSON.stringify(got.slice(0, 80))})`)), timeoutMs);
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      if (got.length >= text.length) done(got === text ? undefined : new Error(`echo differs: ${JSON.stringify(got.slice(0, 80))}`));
    };
    const onErr = (e: Error): void => done(e);
    const done = (e?: Error): void => {
      clearTimeout(t);
      s.off('data', onData);
      s.off('error', onErr);
      if (e) reject(e);
      else resolve();
    };
    s.on('data', onData);
    s.once('error', onErr);
    s.write(text);
  });
}

function closeSocket(s: tls.TLSSocket | TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      s.destroy();
      resolve();
    }, 2000);
    s.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    s.end();
    s.resume();
  });
}

async function runNode(o: ClientOpts): Promise<void> {
  const s = await nodeConnect(o);
  try {
    await echoOver(s, o.tag + '\n');
  } finally {
    await closeSocket(s);
  }
}

async function runHush(o: ClientOpts): Promise<void> {
  const s = await hushConnect(o);
  try {
    await echoOver(s, o.tag + '\n');
  } finally {
    await closeSocket(s);
  }
}

function goArgs(o: ClientOpts): string[] {
  const args = ['-addr', `127.0.0.1:${o.port}`, '-servername', 'localhost', '-ca', pki.ca.cert, '-curves', o.groups.join(',')];
  if (o.suite) args.push('-suite', o.suite);
  if (o.cert) args.push('-cert', o.cert.cert, '-key', o.cert.key);
  return args;
}

async function runGo(o: ClientOpts, extra: string[] = ['-send', '4096']): Promise<ToolResult> {
  const r = await runTool(goBin, [...goArgs(o), ...extra], { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`go client exited with ${r.code ?? r.signal}: ${r.output.slice(-1500)}`);
  return r;
}

const RUN: Record<ClientName, (o: ClientOpts) => Promise<unknown>> = {
  openssl: runOpenssl,
  gnutls: runGnutls,
  curl: runCurl,
  node: runNode,
  go: (o) => runGo(o),
  hush: runHush,
};

function requireClient(c: ClientName): void {
  if (c === 'openssl') requirePeer('openssl');
  else if (c === 'gnutls') requireTool('gnutls-cli');
  else if (c === 'curl') requireTool('curl');
  else if (c === 'go') requirePeer('go');
}

/** The one connection the server completed since reset(), or a clear failure. */
function onlyHandshake(srv: HushTestServer, what: string): SeenConnection {
  const hs = srv.handshakes();
  const failed = srv.seen.filter((s) => s.error).map((s) => s.error);
  assert.equal(hs.length, 1, `${what}: the server completed ${hs.length} handshakes (client errors: ${failed.join('; ') || 'none'})`);
  return hs[0]!;
}

/** Wait (bounded) until the server's records satisfy `pred` (its events can trail the client's exit). */
async function settle(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

// ---------------------------------------------------------------------------------------------

describe('hush server × real clients (TLS 1.3)', { skip }, () => {
  const servers = new Map<CertName, HushTestServer>();
  const cleanup: (() => Promise<void>)[] = [];
  const t0 = Date.now();

  before(async () => {
    pki = testPki();
    for (const cert of CERTS) {
      const files = pki.server[cert];
      const srv = await startHushServer({
        cert: readFileSync(files.cert),
        key: readFileSync(files.key),
        minVersion: 'TLSv1.3',
        ALPNProtocols: ['http/1.1'],
        handshakeTimeout: 10_000,
      });
      servers.set(cert, srv);
      cleanup.push(() => srv.stop());
    }
  });

  after(async () => {
    for (const c of cleanup.reverse()) await c();
    extras.push(`(whole file: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    printMatrix();
  });

  for (const client of CLIENTS) {
    test(`${client}: 3 suites × 3 groups × 3 certificates, as the server saw them`, async () => {
      requireClient(client);
      if (client === 'go') goBin = await buildGoClient();
      let n = 0;
      for (const cert of CERTS) {
        const srv = servers.get(cert)!;
        for (const suite of SUITES) {
          // Go cannot restrict TLS 1.3 suites on the client (Config.CipherSuites is TLS 1.2 only,
          // in 1.19 and 1.22 alike): for Go the server allows only `suite`, and the client checks what it got.
          if (client === 'go') srv.server.setSecureContext({ ciphers: suite });
          try {
            for (const group of GROUPS) {
              const tag = `hush-${client}-${cert}-${++n}`;
              srv.reset();
              const started = Date.now();
              let result = 'ok';
              try {
                await RUN[client]({ port: srv.port, suite, groups: [group], tag });
                await settle(() => srv.handshakes().length > 0 && srv.handshakes()[0]!.bytes > 0);
                const seen = onlyHandshake(srv, `${client} ${cert} ${suite} ${group}`);
                assert.equal(seen.cipher, suite, 'server: cipher');
                assert.equal(seen.group, group, 'server: group');
                assert.match(seen.signature ?? '', EXPECTED_SIG[cert], 'server: signature scheme');
                assert.equal(seen.resumed, false);
                assert.ok(seen.bytes >= tag.length, `server: echoed ${seen.bytes} bytes`);
                assert.equal(seen.traces.includes('hello_retry_request'), false, 'no HRR when the client offered the group');
              } catch (e) {
                result = 'FAIL';
                rows.push({ client, cert, suite, group, result: `FAIL ${(e as Error).message.split('\n')[0]!.slice(0, 200)}`, ms: Date.now() - started });
                continue;
              }
              rows.push({ client, cert, suite, group, result, ms: Date.now() - started });
            }
          } finally {
            if (client === 'go') srv.server.setSecureContext({ ciphers: undefined });
          }
        }
      }
      const mine = rows.filter((r) => r.client === client);
      const bad = mine.filter((r) => r.result !== 'ok');
      assert.equal(mine.length, CERTS.length * SUITES.length * GROUPS.length);
      assert.deepEqual(bad.map((r) => `${r.cert} ${r.suite} ${r.group}: ${r.result}`), []);
    });
  }

  test('more certificate types: ECDSA P-384 and an RSA-PSS (id-RSASSA-PSS) key, once per client', async () => {
    if (!goBin) goBin = await buildGoClient();
    const more: [ServerCertKind, RegExp][] = [
      ['ecdsa384', /^ecdsa_secp384r1_sha384$/],
      ['rsaPss2048', /^rsa_pss_pss_sha(256|384|512)$/],
    ];
    const failures: string[] = [];
    for (const [kind, sig] of more) {
      const files = pki.server[kind];
      const srv = await startHushServer({ cert: readFileSync(files.cert), key: readFileSync(files.key), ALPNProtocols: ['http/1.1'] });
      cleanup.push(() => srv.stop());
      for (const client of CLIENTS) {
        requireClient(client);
        srv.reset();
        try {
          await RUN[client]({ port: srv.port, groups: ['x25519'], tag: `hush-more-${kind}-${client}` });
          await settle(() => srv.handshakes().length > 0 && srv.handshakes()[0]!.bytes > 0);
          const seen = onlyHandshake(srv, `${kind} ${client}`);
          assert.match(seen.signature ?? '', sig);
          extras.push(`cert ${kind.padEnd(10)} ${client.padEnd(8)} ok (${seen.signature})`);
        } catch (e) {
          const msg = (e as Error).message.split('\n')[0]!;
          // Go (1.19 and 1.22 alike) offers no rsa_pss_pss_* scheme, so no CertificateVerify the client
          // accepts can be made with this key (RFC 8446 §4.4.3): the server must refuse with handshake_failure.
          if (client === 'go' && kind === 'rsaPss2048') {
            await settle(() => srv.seen.some((x) => x.error));
            const refused = srv.seen[0]?.alerts.join(',');
            if (refused === 'handshake_failure' && /handshake failure/.test(msg)) {
              extras.push(`cert ${kind.padEnd(10)} ${client.padEnd(8)} n/a (Go ${goVersion().major}.${goVersion().minor} offers no rsa_pss_pss_* scheme: server refused with handshake_failure, as it must)`);
              continue;
            }
          }
          failures.push(`${kind} ${client}: ${msg}`);
          extras.push(`cert ${kind.padEnd(10)} ${client.padEnd(8)} FAIL ${msg}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  // -------------------------------------------------------------------------------------------
  // HelloRetryRequest: the client's key share is x25519 only, the server allows only secp384r1.

  test('HelloRetryRequest forced: key share x25519, server allows only secp384r1 (every client)', async () => {
    const files = pki.server.ecdsa256;
    const srv = await startHushServer({ cert: readFileSync(files.cert), key: readFileSync(files.key), ecdhCurve: 'P-384', ALPNProtocols: ['http/1.1'] });
    cleanup.push(() => srv.stop());
    if (!goBin) goBin = await buildGoClient();
    const failures: string[] = [];
    for (const client of CLIENTS) {
      requireClient(client);
      srv.reset();
      try {
        // gnutls-cli sends key shares for its first two groups: give it x25519 and secp256r1 first.
        const groups = client === 'gnutls' ? ['x25519', 'secp256r1', 'secp384r1'] : ['x25519', 'secp384r1'];
        await RUN[client]({ port: srv.port, groups, tag: `hush-hrr-${client}` });
        await settle(() => srv.handshakes().length > 0);
        const seen = onlyHandshake(srv, `HRR ${client}`);
        assert.equal(seen.group, 'secp384r1');
        assert.ok(seen.traces.includes('hello_retry_request'), `server sent no HelloRetryRequest (trace: ${seen.traces.join(',')})`);
        extras.push(`HRR          ${client.padEnd(8)} ok (${client === 'gnutls' ? 'x25519+secp256r1 shares' : 'x25519 share'} → HRR → secp384r1)`);
      } catch (e) {
        failures.push(`${client}: ${(e as Error).message.split('\n')[0]}`);
        extras.push(`HRR          ${client.padEnd(8)} FAIL ${(e as Error).message.split('\n')[0]}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  // -------------------------------------------------------------------------------------------
  // Resumption: a full handshake, then one resumed with the ticket the server issued.

  test('resumption with the server\'s tickets (openssl, gnutls, curl, node, go, hush)', async () => {
    const srv = servers.get('ecdsa256')!;
    if (!goBin) goBin = await buildGoClient();
    const o = (tag: string): ClientOpts => ({ port: srv.port, groups: ['x25519'], tag });
    const dir = tempDir('hush-sess-');
    const tries: [ClientName, () => Promise<string>][] = [
      ['openssl', async () => {
        const sess = path.join(dir, 'openssl.sess');
        await lineClient('openssl', [...opensslArgs(o('hush-res-1')), '-sess_out', sess], 'hush-res-1');
        const r = await lineClient('openssl', [...opensslArgs(o('hush-res-2')), '-sess_in', sess], 'hush-res-2');
        assert.match(r.stdout, /^Reused, TLSv1\.3/m, 's_client says Reused');
        return 's_client: "Reused, TLSv1.3"';
      }],
      ['gnutls', async () => {
        // --resume: connect, take the ticket, disconnect, connect again with it.
        const r = await runTool('gnutls-cli', [...gnutlsArgs(o('x')), '--resume'], {
          timeoutMs: 15_000,
          interact: async (io) => {
            await io.waitOut(/This is a resumed session/, 10_000);
            io.write('hush-res-gnutls\n');
            await io.waitOut(/^hush-res-gnutls$/m, 10_000);
            io.end();
          },
        });
        assert.match(r.stdout, /This is a resumed session/);
        return 'gnutls-cli: "This is a resumed session"';
      }],
      ['curl', async () => {
        // Two URLs in one curl, the first closing its connection: the second reuses the TLS session.
        const r = await runTool('curl', [...curlArgs(o('x')), '-H', 'Connection: close', `https://localhost:${srv.port}/api/connection`, `https://localhost:${srv.port}/api/connection`], { timeoutMs: 15_000 });
        assert.equal(r.code, 0, r.output);
        const bodies = r.stdout.split('}').filter((x) => x.trim()).map((x) => JSON.parse(x + '}') as { resumed: boolean });
        assert.deepEqual(bodies.map((b) => b.resumed), [false, true], 'curl: /api/connection resumed flags');
        return 'curl: /api/connection says resumed on the 2nd connection';
      }],
      ['node', async () => {
        const first = await nodeConnect(o('x'));
        const session = await new Promise<Buffer>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('node: no session event')), 5000);
          first.once('session', (s: Buffer) => {
            clearTimeout(t);
            resolve(s);
          });
          first.write('hush-res-node\n');
        });
        await closeSocket(first);
        const second = await nodeConnect(o('x'), { session });
        const reused = second.isSessionReused();
        await echoOver(second, 'hush-res-node2\n');
        await closeSocket(second);
        assert.equal(reused, true, 'node: isSessionReused()');
        return 'node:tls isSessionReused()';
      }],
      ['go', async () => {
        const r = await runGo(o('x'), ['-resume']);
        assert.match(r.stdout, /^HANDSHAKE n=2 .*resumed=true/m, r.stdout);
        return 'Go ConnectionState().DidResume';
      }],
      ['hush', async () => {
        const first = await hushConnect(o('x'));
        const session = await new Promise<Buffer>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('hush: no session event')), 5000);
          first.once('session', (s: Buffer) => {
            clearTimeout(t);
            resolve(s);
          });
        });
        await closeSocket(first);
        const second = await hushConnect(o('x'), { session });
        const reused = second.isSessionReused();
        await echoOver(second, 'hush-res-hush\n');
        await closeSocket(second);
        assert.equal(reused, true, 'hush: isSessionReused()');
        return 'hush isSessionReused()';
      }],
    ];
    const failures: string[] = [];
    for (const [client, fn] of tries) {
      requireClient(client);
      srv.reset();
      try {
        const how = await fn();
        await settle(() => srv.handshakes().length >= 2);
        const hs = srv.handshakes();
        assert.deepEqual(hs.map((h) => h.resumed), [false, true], 'server: resumed flags of the two handshakes');
        assert.equal(hs[1]!.signature, undefined, 'server: no CertificateVerify when resumed');
        extras.push(`resumption   ${client.padEnd(8)} ok (server: full then resumed; ${how})`);
      } catch (e) {
        failures.push(`${client}: ${(e as Error).message.split('\n')[0]}`);
        extras.push(`resumption   ${client.padEnd(8)} FAIL ${(e as Error).message.split('\n')[0]}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  // -------------------------------------------------------------------------------------------
  // Client authentication: the server requires a certificate from the test CA.

  test('client authentication required (every client presents the test CA\'s client certificate)', async () => {
    const files = pki.server.ecdsa256;
    const srv = await startHushServer({
      cert: readFileSync(files.cert),
      key: readFileSync(files.key),
      ca: readFileSync(pki.ca.cert),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['http/1.1'],
    });
    cleanup.push(() => srv.stop());
    if (!goBin) goBin = await buildGoClient();
    const failures: string[] = [];
    const kinds = ['ecdsa256', 'rsa2048', 'ed25519'] as const;
    let i = 0;
    for (const client of CLIENTS) {
      requireClient(client);
      // Rotate the client key type across clients (P-256, RSA, Ed25519).
      const kind = kinds[i++ % kinds.length]!;
      const cc = pki.clients[kind];
      srv.reset();
      try {
        await RUN[client]({ port: srv.port, groups: ['x25519'], tag: `hush-auth-${client}`, cert: { cert: cc.cert, key: cc.key } });
        await settle(() => srv.handshakes().length > 0);
        const seen = onlyHandshake(srv, `client auth ${client}`);
        assert.equal(seen.authorized, true);
        assert.match(seen.clientCertSubject ?? '', /hush interop client/);
        extras.push(`client auth  ${client.padEnd(8)} ok (${kind} client certificate verified: ${seen.clientCertSubject})`);
      } catch (e) {
        failures.push(`${client}: ${(e as Error).message.split('\n')[0]}`);
        extras.push(`client auth  ${client.padEnd(8)} FAIL ${(e as Error).message.split('\n')[0]}`);
      }
    }
    // And without a certificate the handshake is refused (certificate_required, RFC 8446 §4.4.2.4).
    srv.reset();
    const r = await runTool('openssl', opensslArgs({ port: srv.port, groups: ['x25519'], tag: 'x' }), {
      timeoutMs: 10_000,
      interact: async (io) => {
        io.write('hush-noauth\n');
        await io.waitOut(/alert|error|closed/i, 8000).catch(() => undefined);
        io.end();
      },
    });
    await settle(() => srv.seen.some((s) => s.error));
    assert.equal(srv.handshakes().length, 0, 'no certificate → no completed handshake on the server');
    assert.match(r.output, /certificate required|alert/i, 's_client without a certificate sees the alert');
    extras.push(`client auth  openssl  ok (no certificate → refused: ${/certificate required/i.test(r.output) ? 'alert certificate_required' : 'alert'})`);
    assert.deepEqual(failures, []);
  });

  // -------------------------------------------------------------------------------------------
  // KeyUpdate: the client updates its keys and asks the server to update too.

  test('KeyUpdate with update_requested (openssl "K", hush updateKeys(true)); the server keeps echoing', async () => {
    const srv = servers.get('ecdsa256')!;
    requirePeer('openssl');
    srv.reset();
    // "k": KeyUpdate without update_requested; "K": with it (s_client's commands, first on a line).
    await lineClient('openssl', opensslArgs({ port: srv.port, groups: ['x25519'], tag: 'hush-ku-1' }), 'hush-ku-1', async (io) => {
      // s_client drops the rest of a read that starts with a command letter, so each command must
      // be seen (it prints KEYUPDATE) before the next line is written.
      io.write('k\n');
      await io.waitOut(/KEYUPDATE/, 5000);
      io.write('hush-ku-2\n');
      await io.waitOut(/hush-ku-2/, 5000);
      io.write('K\n');
      await io.waitOut(/(KEYUPDATE[\s\S]*){2}/, 5000);
      io.write('hush-ku-3\n');
      await io.waitOut(/hush-ku-3/, 5000);
      io.write('K\n');
      await io.waitOut(/(KEYUPDATE[\s\S]*){3}/, 5000);
      io.write('hush-ku-4\n');
      await io.waitOut(/hush-ku-4/, 5000);
    });
    await settle(() => (srv.handshakes()[0]?.keyUpdates.sent ?? 0) >= 2);
    let seen = onlyHandshake(srv, 'openssl KeyUpdate');
    assert.equal(seen.keyUpdates.received, 3, 'server: KeyUpdates received');
    assert.equal(seen.keyUpdates.sent, 2, 'server: its own KeyUpdate only in answer to update_requested');
    extras.push(`KeyUpdate    openssl  ok ("k" + 2× "K": server received 3, answered the 2 requests, echo continued)`);

    srv.reset();
    const s = await hushConnect({ port: srv.port, groups: ['x25519'], tag: 'x' });
    let clientGot = 0;
    s.on('keyUpdate', (d: string) => {
      if (d === 'received') clientGot++;
    });
    try {
      for (let k = 0; k < 3; k++) {
        s.updateKeys(true);
        await echoOver(s, `hush-ku-hush-${k}\n`);
      }
    } finally {
      await closeSocket(s);
    }
    await settle(() => (srv.handshakes()[0]?.keyUpdates.sent ?? 0) >= 3);
    seen = onlyHandshake(srv, 'hush KeyUpdate');
    assert.equal(seen.keyUpdates.received, 3);
    assert.equal(seen.keyUpdates.sent, 3);
    assert.equal(clientGot, 3, 'hush client saw the server\'s KeyUpdates');
    extras.push(`KeyUpdate    hush     ok (3× updateKeys(true): server received 3, answered 3, echo continued)`);
  });

  /**
   * Two round trips on one connection. RFC 8446 §4.6.3 lets a client answer update_requested just
   * before its next application data (OpenSSL and GnuTLS do exactly that), so the second write is
   * what must carry the answer. Go and hush answer at once; Go does one round trip.
   */
  async function twoRoundTrips(client: ClientName, o: ClientOpts): Promise<void> {
    const tag2 = o.tag + '-2';
    if (client === 'openssl' || client === 'gnutls') {
      await lineClient(client === 'openssl' ? 'openssl' : 'gnutls-cli', client === 'openssl' ? opensslArgs(o) : gnutlsArgs(o), o.tag, async (io) => {
        io.write(tag2 + '\n');
        await io.waitOut(new RegExp(tag2), 5000);
      });
    } else if (client === 'curl') {
      // Two POSTs over one keep-alive connection.
      const url = `https://localhost:${o.port}/echo`;
      const r = await runTool('curl', [...curlArgs(o), '--data-binary', o.tag, url, url], { timeoutMs: 15_000 });
      if (r.code !== 0) throw new Error(`curl exited with ${r.code ?? r.signal}: ${r.output.slice(-1500)}`);
      assert.equal(r.stdout, o.tag + o.tag, 'curl: two POST /echo bodies');
    } else if (client === 'go') {
      await runGo(o);
    } else {
      const s = client === 'node' ? await nodeConnect(o) : await hushConnect(o);
      try {
        await echoOver(s, o.tag + '\n');
        await echoOver(s, tag2 + '\n');
      } finally {
        await closeSocket(s);
      }
    }
  }

  test('server-initiated KeyUpdate (update_requested) right after the handshake: every client answers, data still flows', async () => {
    const files = pki.server.ecdsa256;
    const srv = await startHushServer({ cert: readFileSync(files.cert), key: readFileSync(files.key), ALPNProtocols: ['http/1.1'] }, { keyUpdateOnConnect: true });
    cleanup.push(() => srv.stop());
    if (!goBin) goBin = await buildGoClient();
    const failures: string[] = [];
    for (const client of CLIENTS) {
      requireClient(client);
      srv.reset();
      try {
        await twoRoundTrips(client, { port: srv.port, groups: ['x25519'], tag: `hush-sku-${client}` });
        await settle(() => (srv.handshakes()[0]?.keyUpdates.received ?? 0) >= 1);
        const seen = onlyHandshake(srv, `server KeyUpdate ${client}`);
        assert.equal(seen.keyUpdates.sent, 1, 'server: KeyUpdates sent');
        assert.equal(seen.keyUpdates.received, 1, 'server: the client\'s answering KeyUpdate');
        assert.ok(seen.bytes > 0);
        extras.push(`KeyUpdate←   ${client.padEnd(8)} ok (server sent update_requested, client answered before its next data, echo under the new keys)`);
      } catch (e) {
        failures.push(`${client}: ${(e as Error).message.split('\n')[0]}`);
        extras.push(`KeyUpdate←   ${client.padEnd(8)} FAIL ${(e as Error).message.split('\n')[0]}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  // -------------------------------------------------------------------------------------------
  // `hush serve` (the CLI) as a child process: /api/connection for curl and Go, 64 MiB through
  // POST /echo with curl and with hush's own client, checked byte for byte.

  test('hush serve: /api/connection (curl, Go) and 64 MiB through POST /echo (curl, hush), byte for byte', async () => {
    requireTool('curl');
    if (!goBin) goBin = await buildGoClient();
    const files = pki.server.ecdsa256;
    const home = tempDir('hush-home-');
    const p = await startProcess(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'serve', '--port', '0', '--host', '127.0.0.1',
      '--cert', files.cert, '--key', files.key], {
      cwd: REPO,
      env: { ...process.env, HUSH_HOME: home },
      readyRegex: /on https:\/\/localhost:\d+\//,
      timeoutMs: 20_000,
      lifetimeMs: 90_000,
    });
    cleanup.push(() => p.stop());
    const port = Number(/on https:\/\/localhost:(\d+)\//.exec(p.stdout())![1]);

    // curl, one suite/group: the inspector's JSON says what hush serve negotiated.
    const r = await runTool('curl', [...curlArgs({ port, suite: 'TLS_CHACHA20_POLY1305_SHA256', groups: ['secp256r1'], tag: '' }), `https://localhost:${port}/api/connection`], { timeoutMs: 10_000 });
    assert.equal(r.code, 0, r.output);
    const j = JSON.parse(r.stdout) as { version: string; cipher: string; group: string; signature: string; alpn: string };
    assert.deepEqual([j.version, j.cipher, j.group, j.signature, j.alpn], ['TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256', 'secp256r1', 'ecdsa_secp256r1_sha256', 'http/1.1']);
    extras.push(`hush serve   curl     ok (/api/connection: ${j.cipher} ${j.group} ${j.signature} ${j.alpn})`);

    const g = await runGo({ port, groups: ['secp384r1'], tag: '' }, ['-http']);
    const body = JSON.parse(/^BODY n=1 (.*)$/m.exec(g.stdout)![1]!) as { cipher: string; group: string };
    assert.equal(body.group, 'secp384r1');
    extras.push(`hush serve   go       ok (/api/connection: ${body.cipher} ${body.group})`);

    // 64 MiB with curl.
    const SIZE = 64 * 1024 * 1024;
    const dir = tempDir('hush-64m-');
    const inFile = path.join(dir, 'in.bin');
    const outFile = path.join(dir, 'out.bin');
    const data = randomBytes(SIZE);
    writeFileSync(inFile, data);
    const want = createHash('sha256').update(data).digest('hex');
    let started = Date.now();
    const big = await runTool('curl', [...curlArgs({ port, groups: ['x25519'], tag: '' }), '-H', 'content-type: application/octet-stream',
      '--data-binary', `@${inFile}`, '-o', outFile, `https://localhost:${port}/echo`], { timeoutMs: 40_000 });
    assert.equal(big.code, 0, big.output);
    const back = readFileSync(outFile);
    assert.equal(back.length, SIZE, 'curl: echoed length');
    assert.equal(createHash('sha256').update(back).digest('hex'), want, 'curl: echoed bytes (sha256)');
    extras.push(`hush serve   curl     ok (64 MiB POST /echo, sha256 equal, ${((Date.now() - started) / 1000).toFixed(1)} s)`);

    // 64 MiB with hush's own client, streamed and hashed as it comes back.
    started = Date.now();
    const s = await hushConnect({ port, groups: ['x25519'], tag: '' }, { ALPNProtocols: ['http/1.1'] });
    const hash = createHash('sha256');
    let bodyBytes = 0;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`hush 64 MiB echo timed out at ${bodyBytes} bytes`)), 40_000);
      let head = Buffer.alloc(0);
      let inBody = false;
      s.on('data', (d: Buffer) => {
        if (!inBody) {
          head = Buffer.concat([head, d]);
          const i = head.indexOf('\r\n\r\n');
          if (i < 0) return;
          const status = head.subarray(0, i).toString('latin1');
          if (!/^HTTP\/1\.1 200/.test(status)) return reject(new Error(`status: ${status.split('\r\n')[0]}`));
          inBody = true;
          d = head.subarray(i + 4);
        }
        hash.update(d);
        bodyBytes += d.length;
        if (bodyBytes >= SIZE) {
          clearTimeout(t);
          resolve();
        }
      });
      s.once('error', (e: Error) => {
        clearTimeout(t);
        reject(e);
      });
      s.write(`POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: ${SIZE}\r\nConnection: close\r\n\r\n`);
      const CHUNK = 1 << 20;
      let off = 0;
      const pump = (): void => {
        while (off < SIZE) {
          const ok = s.write(data.subarray(off, off + CHUNK));
          off += CHUNK;
          if (!ok) return void s.once('drain', pump);
        }
      };
      pump();
    });
    await closeSocket(s);
    assert.equal(bodyBytes, SIZE);
    assert.equal(hash.digest('hex'), want, 'hush: echoed bytes (sha256)');
    extras.push(`hush serve   hush     ok (64 MiB POST /echo streamed and hashed, equal, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    await p.stop();
    assert.ok(!/Error|at .*\.ts:\d+/.test(p.stderr()), `hush serve stderr: ${p.stderr().slice(-1500)}`);
  });
});
