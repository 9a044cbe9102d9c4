// The hush TLS 1.3 client against real peers on 127.0.0.1: openssl s_server, gnutls-serv, a Go
// crypto/tls server and a node:tls server. Every suite × group × server certificate type (one
// long-lived server per peer and certificate; the client offers exactly one suite and one group),
// then HelloRetryRequest, resumption, client authentication, KeyUpdate and a 64 MiB echo.
// Prints the matrix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ClientConnection } from '../../src/connection/client.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';
import {
  goLabel,
  interopSkip,
  prebuildGo,
  requirePeer,
  runClient,
  startGoServer,
  startNodeServer,
  startOpensslServer,
  startPeer,
  startProxy,
  testPki,
  type PeerName,
  type PeerServer,
  type Pump,
  type ServerCertKind,
  type ServerOptions,
  pemCertificates,
  testTrust,
} from './peers.js';

const PEERS: readonly PeerName[] = ['openssl', 'gnutls', 'go', 'node'];
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
const GROUPS = ['x25519', 'secp256r1', 'secp384r1'] as const;
// The issue asks for ECDSA P-256, RSA-2048 (PSS) and Ed25519; P-384 costs little more.
const CERTS: readonly ServerCertKind[] = ['ecdsa256', 'ecdsa384', 'rsa2048', 'ed25519'];
/** What the server must sign its CertificateVerify with, per certificate type (RFC 8446 §4.2.3). */
const EXPECTED_SIG: Record<ServerCertKind, RegExp> = {
  ecdsa256: /^ecdsa_secp256r1_sha256$/,
  ecdsa384: /^ecdsa_secp384r1_sha384$/,
  rsa2048: /^rsa_pss_rsae_sha(256|384|512)$/,
  rsaPss2048: /^rsa_pss_pss_sha(256|384|512)$/,
  ed25519: /^ed25519$/,
};


function client(extra: Partial<ClientConfig> = {}): ClientConnection {
  return new ClientConnection({
    provider: nodeCryptoProvider,
    now: Date.now,
    serverName: 'localhost',
    trust: testTrust(),
    trace: true,
    ...extra,
  });
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One line through the peer's echo; openssl s_server -rev answers it reversed. */
async function echo(peer: PeerName, pump: Pump, line: string): Promise<void> {
  pump.send(line + '\n');
  const expected = peer === 'openssl' ? [...line].reverse().join('') + '\n' : line + '\n';
  const got = dec.decode(await pump.read(enc.encode(expected).length, 5000));
  assert.equal(got, expected, `echo through ${peer}`);
}

async function withServer<T>(peer: PeerName, opts: ServerOptions, fn: (srv: PeerServer) => Promise<T>): Promise<T> {
  const srv = await startPeer(peer, opts);
  try {
    return await fn(srv);
  } catch (e) {
    const log = srv.log().trim();
    if (log && e instanceof Error) e.message += `\n--- ${peer} log (tail) ---\n${log.slice(-1500)}`;
    throw e;
  } finally {
    await srv.stop();
  }
}

interface Row {
  peer: PeerName;
  cert: ServerCertKind;
  suite: string;
  group: string;
  result: string;
  ms: number;
}

const rows: Row[] = [];
const extras: string[] = [];

function printMatrix(): void {
  if (rows.length === 0 && extras.length === 0) return;
  const lines: string[] = [];
  lines.push(`hush TLS 1.3 client interop matrix (peer × cert × suite × group) — Go: ${goLabel()}`);
  const SHORT: Record<string, string> = {
    TLS_AES_128_GCM_SHA256: 'AES128',
    TLS_AES_256_GCM_SHA384: 'AES256',
    TLS_CHACHA20_POLY1305_SHA256: 'CHACHA',
    x25519: 'X25519',
    secp256r1: 'P256',
    secp384r1: 'P384',
  };
  const cols = SUITES.flatMap((s) => GROUPS.map((g) => `${SHORT[s]}/${SHORT[g]}`));
  const w = 13;
  lines.push(['peer'.padEnd(8), 'cert'.padEnd(9), ...cols.map((c) => c.padEnd(w))].join(' ').trimEnd());
  for (const peer of PEERS) {
    for (const cert of CERTS) {
      const mine = rows.filter((r) => r.peer === peer && r.cert === cert);
      if (mine.length === 0) continue;
      const cells = SUITES.flatMap((s) =>
        GROUPS.map((g) => {
          const r = mine.find((x) => x.suite === s && x.group === g);
          return (r ? (r.result === 'ok' ? 'ok' : 'FAIL') : '-').padEnd(w);
        }),
      );
      lines.push([peer.padEnd(8), cert.padEnd(9), ...cells].join(' ').trimEnd());
    }
  }
  const ok = rows.filter((r) => r.result === 'ok').length;
  lines.push(`${ok}/${rows.length} handshakes + echo ok` + (rows.length ? `, mean ${(rows.reduce((a, r) => a + r.ms, 0) / rows.length).toFixed(1)} ms each` : ''));
  for (const r of rows.filter((x) => x.result !== 'ok')) lines.push(`FAIL ${r.peer} ${r.cert} ${r.suite} ${r.group}: ${r.result}`);
  if (extras.length) lines.push('features:', ...extras.map((e) => '  ' + e));
  console.log(lines.join('\n'));
}

describe('TLS 1.3 client interop', { skip: interopSkip(), concurrency: 1 }, () => {
  before(() => prebuildGo('server'));
  after(printMatrix);

  for (const peer of PEERS) {
    test(`${peer}: every suite × group × server certificate`, { timeout: 60_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      for (const cert of CERTS) {
        await withServer(peer, { cert: pki.server[cert].cert, key: pki.server[cert].key }, async (srv) => {
          for (const suite of SUITES) {
            for (const group of GROUPS) {
              const t0 = performance.now();
              let result = 'ok';
              try {
                const conn = client({ cipherSuites: [CipherSuite[suite]], groups: [NamedGroup[group]] });
                await runClient(conn, srv.host, srv.port, async (p) => {
                  const info = await p.handshake(5000);
                  assert.equal(info.version, 'TLSv1.3');
                  assert.equal(info.cipherName, suite);
                  assert.equal(info.groupName, group);
                  assert.match(info.signatureSchemeName ?? '', EXPECTED_SIG[cert]);
                  const k = `${peer}/${cert}`;
                  if (!sigSeen.has(k)) sigSeen.set(k, new Set());
                  sigSeen.get(k)!.add(info.signatureSchemeName!);
                  assert.equal(info.authorized, true);
                  assert.equal(info.resumed, false);
                  assert.equal(p.traces.filter((t) => t.event === 'client_hello').length, 1, 'no HelloRetryRequest expected');
                  await echo(peer, p, `ping ${peer} ${cert} ${suite} ${group}`);
                  p.close();
                }, { timeoutMs: 10_000 });
              } catch (e) {
                result = (e as Error).message.split('\n')[0]!;
              }
              rows.push({ peer, cert, suite, group, result, ms: performance.now() - t0 });
            }
          }
        });
      }
      const failed = rows.filter((r) => r.peer === peer && r.result !== 'ok');
      assert.equal(rows.filter((r) => r.peer === peer).length, CERTS.length * SUITES.length * GROUPS.length);
      assert.deepEqual(failed.map((r) => `${r.cert} ${r.suite} ${r.group}: ${r.result}`), []);
    });
  }

  const sigSeen = new Map<string, Set<string>>();
  after(() => {
    if (sigSeen.size) console.log('server signature schemes seen: ' + [...sigSeen].map(([k, v]) => `${k}=${[...v].join('|')}`).join(', '));
  });

  // An id-RSASSA-PSS key (rsa_pss_pss_*). Go (1.19 and 1.22 alike) cannot load such keys: crypto/x509
  // parses no id-RSASSA-PSS private key, so the Go server does not start ('go: ... n/a' below proves it).
  for (const peer of ['openssl', 'gnutls', 'node'] as const) {
    test(`${peer}: RSA-PSS-keyed server certificate (rsa_pss_pss_*)`, { timeout: 20_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      await withServer(peer, { cert: pki.server.rsaPss2048.cert, key: pki.server.rsaPss2048.key }, async (srv) => {
        await runClient(client(), srv.host, srv.port, async (p) => {
          const info = await p.handshake(5000);
          assert.match(info.signatureSchemeName ?? '', EXPECTED_SIG.rsaPss2048);
          assert.equal(info.authorized, true);
          await echo(peer, p, 'rsa-pss key');
          p.close();
          extras.push(`${peer}: RSA-PSS key ok (${info.signatureSchemeName})`);
        });
      });
    });
  }

  test('go: an RSA-PSS-keyed certificate is n/a (the Go server cannot load the key)', { timeout: 20_000 }, async () => {
    requirePeer('go');
    const pki = testPki();
    let srv: PeerServer | undefined;
    try {
      srv = await startGoServer({ cert: pki.server.rsaPss2048.cert, key: pki.server.rsaPss2048.key });
    } catch (e) {
      const msg = (e as Error).message;
      assert.match(msg, /load key pair: tls: failed to parse private key/, msg);
      extras.push(`go: RSA-PSS key n/a (${goLabel()}: tls.LoadX509KeyPair: failed to parse private key)`);
      return;
    }
    // A Go that loads id-RSASSA-PSS keys: the case runs like the others.
    try {
      await runClient(client(), srv.host, srv.port, async (p) => {
        const info = await p.handshake(5000);
        assert.match(info.signatureSchemeName ?? '', EXPECTED_SIG.rsaPss2048);
        await echo('go', p, 'rsa-pss key');
        p.close();
        extras.push(`go: RSA-PSS key ok (${info.signatureSchemeName})`);
      });
    } finally {
      await srv.stop();
    }
  });

  for (const peer of PEERS) {
    test(`${peer}: HelloRetryRequest (client shares x25519, server accepts only P-256/P-384)`, { timeout: 20_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      await withServer(peer, { cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, groups: ['secp256r1', 'secp384r1'] }, async (srv) => {
        const conn = client({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShares: 1 });
        const cookie = await runClient(conn, srv.host, srv.port, async (p) => {
          const info = await p.handshake(5000);
          assert.equal(info.groupName, 'secp256r1');
          const hrr = p.traces.filter((t) => t.event === 'hello_retry_request');
          assert.equal(hrr.length, 1);
          assert.equal(p.traces.filter((t) => t.event === 'client_hello').length, 2, 'a second ClientHello');
          await echo(peer, p, 'after HRR');
          p.close();
          return hrr[0]!.cookie === true;
        });
        extras.push(`${peer}: HelloRetryRequest x25519 → secp256r1 ok (cookie: ${cookie ? 'yes' : 'no'})`);
      });
    });
  }

  for (const peer of PEERS) {
    test(`${peer}: resumption with a ticket from the first connection (plain, after HRR, suite-hash mismatch)`, { timeout: 20_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      // The server accepts only P-256/P-384, so an x25519-first client gets a HelloRetryRequest.
      const groups = ['secp256r1', 'secp384r1'];
      await withServer(peer, { cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, groups }, async (srv) => {
        const p256 = [NamedGroup.secp256r1];
        const aes128 = [CipherSuite.TLS_AES_128_GCM_SHA256];
        const first = await runClient(client({ groups: p256, cipherSuites: aes128 }), srv.host, srv.port, async (p) => {
          const info = await p.handshake(5000);
          assert.equal(info.resumed, false);
          await echo(peer, p, 'first');
          await p.waitFor(() => p.sessions.length > 0, 'a NewSessionTicket', 5000);
          p.close();
          return { tickets: [...p.sessions], info };
        });
        const tickets: SessionTicket[] = first.tickets;
        assert.equal(tickets[0]!.version, 'TLSv1.3');
        assert.equal(tickets[0]!.cipherSuite, CipherSuite.TLS_AES_128_GCM_SHA256);
        const ticket = (i: number): SessionTicket => tickets[i % tickets.length]!;

        // 1. Plain resumption.
        await runClient(client({ session: ticket(0), groups: p256, cipherSuites: aes128 }), srv.host, srv.port, async (p) => {
          const info = await p.handshake(5000);
          assert.equal(info.resumed, true, 'the server accepted the PSK');
          assert.equal(info.signatureScheme, undefined, 'no CertificateVerify on resumption');
          assert.equal(info.peerCertificates.length, first.info.peerCertificates.length, 'the original peer certificates are reported');
          await echo(peer, p, 'second, resumed');
          p.close();
        });

        // 2. Resumption through a HelloRetryRequest: the second ClientHello's binder covers the
        // message_hash transcript (RFC 8446 §4.1.4, §4.2.11.2).
        await runClient(client({ session: ticket(1), groups: [NamedGroup.x25519, NamedGroup.secp256r1], cipherSuites: aes128 }), srv.host, srv.port, async (p) => {
          const info = await p.handshake(5000);
          assert.equal(p.traces.filter((t) => t.event === 'hello_retry_request').length, 1, 'HelloRetryRequest');
          assert.equal(info.resumed, true, 'resumed after HRR');
          assert.equal(info.groupName, 'secp256r1');
          await echo(peer, p, 'third, resumed after HRR');
          p.close();
        });

        // 3. A SHA-256 ticket when only a SHA-384 suite is offered: it cannot be used (§4.2.11), full handshake.
        await runClient(client({ session: ticket(0), groups: p256, cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384] }), srv.host, srv.port, async (p) => {
          const info = await p.handshake(5000);
          assert.equal(info.resumed, false);
          assert.equal(info.cipherName, 'TLS_AES_256_GCM_SHA384');
          assert.equal(info.authorized, true);
          await echo(peer, p, 'fourth, full handshake');
          p.close();
        });
        extras.push(`${peer}: resumption ok, also after HRR; SHA-384-only offer falls back to a full handshake (${tickets.length} ticket(s) on the first connection)`);
      });
    });
  }

  for (const peer of PEERS) {
    test(`${peer}: client authentication (server requires a certificate from the test CA)`, { timeout: 20_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      await withServer(peer, { cert: pki.server.rsa2048.cert, key: pki.server.rsa2048.key, clientCa: pki.ca.cert }, async (srv) => {
        const used: string[] = [];
        for (const kind of ['ecdsa256', 'rsa2048', 'ed25519'] as const) {
          const files = pki.clients[kind];
          const clientCertificate = { chain: pemCertificates(files.cert), key: nodeCryptoProvider.importPrivateKey(readFileSync(files.key, 'utf8')) };
          await runClient(client({ clientCertificate }), srv.host, srv.port, async (p) => {
            await p.handshake(5000);
            assert.ok(p.traces.some((t) => t.event === 'certificate_request'), 'the server asked for a certificate');
            const sent = p.traces.find((t) => t.event === 'client_certificate');
            assert.ok(sent && typeof sent.signature === 'string', `${kind}: we sent a certificate and signed: ${sent?.message}`);
            used.push(`${kind}:${sent.signature as string}`);
            // In TLS 1.3 the server checks our certificate after our Finished: the echo proves it accepted it.
            await echo(peer, p, `authenticated with ${kind}`);
            p.close();
          });
        }
        // Without a certificate the server must refuse us.
        const refused = await runClient(client(), srv.host, srv.port, async (p) => {
          await p.waitFor(() => p.error !== undefined || p.eof, 'refusal', 5000, { allowError: true, allowClose: true });
          if (!p.error && p.info) {
            // Some servers only fail the connection when data flows.
            try {
              p.send('x\n');
            } catch {
              /* already failed */
            }
            await p.waitFor(() => p.error !== undefined || p.eof, 'refusal after data', 5000, { allowError: true, allowClose: true });
          }
          return p.error ? `alert ${p.error.alertName}` : 'EOF without alert';
        });
        assert.ok(refused, 'refused');
        extras.push(`${peer}: client auth ok (${used.join(', ')}); without a certificate: ${refused}`);
      });
    });
  }

  for (const peer of PEERS) {
    test(`${peer}: KeyUpdate mid-stream (update_requested)`, { timeout: 20_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      await withServer(peer, { cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key }, async (srv) => {
        const counts = await runClient(client(), srv.host, srv.port, async (p) => {
          await p.handshake(5000);
          await echo(peer, p, 'before the update');
          for (let i = 0; i < 3; i++) {
            // KeyUpdate and the next data leave in one write (s_server -rev sleeps 1 s when a read
            // yields no application data).
            p.conn.updateKeys(true);
            await echo(peer, p, `after update ${i + 1}`);
          }
          // The peer answers update_requested with its own KeyUpdate (RFC 8446 §4.6.3).
          await p.waitFor(() => p.keyUpdates.received >= 3, 'three KeyUpdates from the peer', 5000);
          p.close();
          return { ...p.keyUpdates };
        });
        assert.equal(counts.sent, 3);
        assert.equal(counts.received, 3);
        extras.push(`${peer}: KeyUpdate ×3 ok (sent ${counts.sent}, peer answered ${counts.received})`);
      });
    });
  }

  for (const peer of PEERS) {
    test(`${peer}: two key shares (x25519 + secp256r1) avoid HelloRetryRequest; ALPN; padded records`, { timeout: 20_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      await withServer(peer, { cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, groups: ['secp256r1'], alpn: ['h2', 'http/1.1'] }, async (srv) => {
        const conn = client({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShares: 2, alpnProtocols: ['http/1.1'], recordPadding: 512 });
        await runClient(conn, srv.host, srv.port, async (p) => {
          const info = await p.handshake(5000);
          assert.equal(info.groupName, 'secp256r1');
          assert.equal(p.traces.filter((t) => t.event === 'client_hello').length, 1, 'no HelloRetryRequest');
          assert.equal(info.alpn, 'http/1.1');
          await echo(peer, p, 'padded to 512');
          await echo(peer, p, 'x'.repeat(3000));
          p.close();
        });
        extras.push(`${peer}: 2 key shares without HRR, ALPN http/1.1, record padding 512 ok`);
      });
    });
  }

  test('openssl -max_send_frag 512: server handshake messages fragmented over many records', { timeout: 20_000 }, async () => {
    requirePeer('openssl');
    const pki = testPki();
    const srv = await startOpensslServer({ cert: pki.server.rsa2048.cert, key: pki.server.rsa2048.key, extraArgs: ['-max_send_frag', '512'] });
    // Count the server's records on the way (the harness proxy reassembles records).
    let handshakeRecords = 0;
    let done = false;
    const proxy = await startProxy({ host: srv.host, port: srv.port }, () => ({
      toClient: (rec) => {
        if (!done) handshakeRecords++;
        return [rec];
      },
    }));
    try {
      await runClient(client(), srv.host, proxy.port, async (p) => {
        const info = await p.handshake(5000);
        done = true;
        assert.equal(info.authorized, true);
        // ServerHello, CCS, then EncryptedExtensions..Finished (~1.9 kB with the RSA chain) in 512-byte pieces.
        assert.ok(handshakeRecords >= 6, `only ${handshakeRecords} records: not fragmented`);
        // s_server -rev reverses at most its 16 KiB buffer at a time: keep the line shorter.
        const line = Array.from({ length: 12_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
        await echo('openssl', p, line);
        p.close();
      });
      extras.push(`openssl -max_send_frag 512: handshake in ${handshakeRecords} records, 12 kB line back in 512-byte records ok`);
    } finally {
      await proxy.stop();
      await srv.stop();
    }
  });

  test('openssl: server-initiated KeyUpdate (update_requested) is answered and data keeps flowing', { timeout: 20_000 }, async () => {
    requirePeer('openssl');
    const pki = testPki();
    const srv = await startOpensslServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, mode: 'stdio' });
    try {
      const counts = await runClient(client(), srv.host, srv.port, async (p) => {
        await p.handshake(5000);
        const before = srv.stdout!().length;
        for (let i = 1; i <= 2; i++) {
          srv.stdin!('K\n');
          await p.waitFor(() => p.keyUpdates.received >= i, `server KeyUpdate ${i}`, 5000);
          // We answered with our own KeyUpdate (RFC 8446 §4.6.3) before any data.
          assert.equal(p.keyUpdates.sent, i);
          srv.stdin!(`from server ${i}\n`);
          assert.equal(dec.decode(await p.read(`from server ${i}\n`.length, 5000)), `from server ${i}\n`);
          p.send(`from hush ${i}\n`);
          await p.waitFor(() => srv.stdout!().slice(before).includes(`from hush ${i}`), `s_server to print our data ${i}`, 5000);
        }
        p.close();
        return { ...p.keyUpdates };
      });
      assert.deepEqual(counts, { sent: 2, received: 2 });
      extras.push('openssl: server-initiated KeyUpdate ×2 answered, data both ways ok');
    } finally {
      await srv.stop();
    }
  });

  test('openssl and node: exporter output and NSS key log lines agree with the peer', { timeout: 20_000 }, async () => {
    requirePeer('openssl');
    const pki = testPki();
    const label = 'EXPERIMENTAL-hush-interop';
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
    // openssl prints its exporter output for every connection.
    // (stdio mode: only s_server's own loop prints the connection details.)
    const ossl = await startOpensslServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, mode: 'stdio', extraArgs: ['-keymatexport', label, '-keymatexportlen', '32'] });
    try {
      await runClient(client(), ossl.host, ossl.port, async (p) => {
        await p.handshake(5000);
        await p.waitFor(() => /Keying material: [0-9A-F]+/.test(ossl.stdout!()), 'openssl to print its keying material', 5000);
        const theirs = /Keying material: ([0-9A-F]+)/.exec(ossl.stdout!())![1];
        assert.equal(hex(p.conn.exportKeyingMaterial(32, label)), theirs);
        p.close();
      });
    } finally {
      await ossl.stop();
    }
    // node:tls: its exporter and its key log.
    const srv = await startNodeServer({ cert: pki.server.rsa2048.cert, key: pki.server.rsa2048.key });
    const serverLines: string[] = [];
    let serverExport = '';
    srv.server.on('keylog', (line: Buffer) => serverLines.push(line.toString('latin1').trim()));
    srv.server.on('secureConnection', (s) => {
      serverExport = hex(s.exportKeyingMaterial(32, label, Buffer.alloc(0)));
    });
    try {
      const lines = await runClient(client({ keyLog: true }), srv.host, srv.port, async (p) => {
        await p.handshake(5000);
        await echo('node', p, 'key log');
        assert.equal(hex(p.conn.exportKeyingMaterial(32, label)), serverExport);
        p.close();
        return p.events.flatMap((e) => (e.type === 'keylog' ? [e.line] : []));
      });
      const labels = lines.map((l) => l.split(' ')[0]);
      for (const want of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) {
        assert.ok(labels.includes(want), `we logged ${want}`);
      }
      for (const l of lines) assert.ok(serverLines.includes(l), `node:tls logged the same line: ${l.slice(0, 60)}…`);
      extras.push(`exporter equals openssl's and node's; ${lines.length} key log lines identical to node:tls's (${labels.join(', ')})`);
    } finally {
      await srv.stop();
    }
  });

  test('go: 64 MiB echoed back byte for byte', { timeout: 60_000 }, async () => {
    requirePeer('go');
    const pki = testPki();
    const TOTAL = 64 * 1024 * 1024;
    const CHUNK = 256 * 1024;
    const WINDOW = 4 * 1024 * 1024;
    await withServer('go', { cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key }, async (srv) => {
      const sentHash = createHash('sha256');
      const recvHash = createHash('sha256');
      const t0 = performance.now();
      await runClient(
        client({ trace: false }),
        srv.host,
        srv.port,
        async (p) => {
          await p.handshake(5000);
          let sent = 0;
          const block = randomBytes(CHUNK);
          while (sent < TOTAL) {
            // Bounded buffering: at most WINDOW bytes in flight, and the socket drained below 1 MiB.
            await p.waitFor(() => sent - p.receivedBytes <= WINDOW && p.writeBacklog < 1024 * 1024, `flow at ${sent}`, 10_000);
            // Vary the content so a misplaced record would change the hash.
            block.writeUInt32BE(sent >>> 0, 0);
            sentHash.update(block);
            p.send(block);
            sent += CHUNK;
          }
          await p.waitFor(() => p.receivedBytes >= TOTAL, 'all bytes back', 30_000);
          assert.equal(p.receivedBytes, TOTAL);
          p.close();
        },
        { keepData: false, onData: (d) => recvHash.update(d), timeoutMs: 55_000 },
      );
      assert.equal(recvHash.digest('hex'), sentHash.digest('hex'));
      const s = (performance.now() - t0) / 1000;
      extras.push(`go: 64 MiB echo ok, sha256 equal, ${s.toFixed(1)} s (${((2 * 64) / s).toFixed(0)} MiB/s both ways)`);
    });
  });
});
