// The hush TLS 1.2 CLIENT against real servers on 127.0.0.1: openssl s_server, gnutls-serv, node:tls
// and a Go crypto/tls server (issue #5 "Proof"). Each peer runs ONE TLS 1.2-only server holding
// both an ECDSA P-256 and an RSA-2048 certificate (the suite the client offers picks one), reused
// for: every default TLS 1.2 suite (ECDHE_ECDSA/ECDHE_RSA × AES-128-GCM, AES-256-GCM, ChaCha20),
// RSA key transport (named in the client's cipherSuites), resumption by ticket, and version
// negotiation (hush's default client, offering 1.3 and 1.2, gets 1.2). Further servers per peer:
// tickets off (resumption by session ID; Go has no session-ID cache), and unrestricted (1.3 and
// 1.2: the default client gets 1.3, maxVersion 'TLSv1.2' gets 1.2). openssl also: a CBC suite with
// and without encrypt-then-MAC, and a HelloRequest answered with no_renegotiation.
//
// Every case asserts the version, the suite (as hush and as the peer report it), the extended
// master secret and an echo both ways. Prints the matrix, with the Go version in its header.
//
// Go is whatever the harness picked (peers.ts goToolchain: $HUSH_GO, else the newest
// /usr/lib/go-1.N with N ≥ 21, else `go`). From Go 1.21 on crypto/tls has the extended master
// secret (RFC 7627): the Go cases run against hush's default client (EMS required) and resume by
// ticket with EMS. With an older Go they run with requireExtendedMasterSecret: false, and
// 'ems-refused' proves the default client refuses it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientConnection } from '../../src/connection/client.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import type { HandshakeInfo } from '../../src/handshake/events.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { suiteByName, type Tls12Suite } from '../../src/crypto/suites.js';
import type { TraceEvent } from '../../src/handshake/trace.js';
import {
  interopSkip,
  goHasEms,
  goLabel,
  goToolchain,
  goVersion,
  prebuildGo,
  requirePeer,
  runClient,
  startOpensslServer12,
  startPeer12,
  testPki,
  testTrust,
  type Peer12Options,
  type PeerConnection12,
  type PeerName,
  type PeerServer12,
  type Pump,
} from './peers.js';

const PEERS: readonly PeerName[] = ['openssl', 'gnutls', 'node', 'go'];
const DEFAULT_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
] as const;
const RSA_KX_SUITES = ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_GCM_SHA384'] as const;
const CBC_SUITE = 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256';

/** Matrix columns, in order. */
const CASES = [
  ...DEFAULT_SUITES,
  ...RSA_KX_SUITES,
  'resume-id',
  'resume-ticket',
  'default→1.2',
  'default→1.3',
  'max1.2→1.2',
  'cbc-etm',
  'cbc-mte',
  'renego',
  'ems-refused',
] as const;
type Case = (typeof CASES)[number];
const SHORT: Record<Case, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'E-AES128',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'E-AES256',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'E-CHACHA',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'R-AES128',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'R-AES256',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'R-CHACHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'RSAkx128',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'RSAkx256',
  'resume-id': 'resume-id',
  'resume-ticket': 'resume-tkt',
  'default→1.2': 'dflt→1.2',
  'default→1.3': 'dflt→1.3',
  'max1.2→1.2': 'max12→1.2',
  'cbc-etm': 'cbc-etm',
  'cbc-mte': 'cbc-mte',
  renego: 'renego',
  'ems-refused': 'noEMS→refused',
};
/** Go with the extended master secret (≥ 1.21); false when there is no Go (its test fails on requirePeer). */
function goEms(): boolean {
  return !('missing' in goToolchain()) && goHasEms();
}
/**
 * What each peer cannot do (shown in the table instead of a result). Go keeps no session-ID
 * cache; a Go with RFC 7627 cannot be refused for lacking it (test/client12 covers that refusal in memory).
 */
function notApplicable(peer: PeerName, c: Case): string | undefined {
  if (peer === 'go' && c === 'resume-id') return 'n/a';
  if (peer === 'go' && c === 'ems-refused' && goEms()) return 'n/a';
  return undefined;
}
/** Cases only some peers run. */
const ONLY: Partial<Record<Case, readonly PeerName[]>> = {
  'cbc-etm': ['openssl'],
  'cbc-mte': ['openssl'],
  renego: ['openssl'],
  'ems-refused': ['go'],
};
/** The cases each peer runs (the count the matrix must reach). */
function casesFor(peer: PeerName): Case[] {
  return CASES.filter((c) => !notApplicable(peer, c) && (ONLY[c]?.includes(peer) ?? true));
}
/**
 * Whether the peer uses the extended master secret. Go before 1.21 does not implement it: hush
 * refuses such servers by default ('ems-refused' proves it) and the other Go cases run with
 * requireExtendedMasterSecret: false and assert extendedMasterSecret === false.
 */
function EMS(peer: PeerName): boolean {
  return peer === 'go' ? goEms() : true;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

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

function suite12(iana: string): Tls12Suite {
  const s = suiteByName(iana);
  assert.ok(s && s.version === 'TLSv1.2', iana);
  return s;
}

/** The peer's own name for a suite matches the IANA one (OpenSSL, GnuTLS or Go naming). */
function peerSuiteMatches(peer: PeerName, reported: string, iana: string): boolean {
  const s = suite12(iana);
  if (peer === 'openssl' || peer === 'node') return reported === s.opensslName;
  if (peer === 'go') return reported === iana;
  // gnutls: "(ECDHE-X25519)-(ECDSA-SHA256)-(AES-128-GCM)", "(RSA)-(AES-128-GCM)", "(ECDHE-X25519)-(RSA-PSS-RSAE-SHA256)-(AES-128-CBC)-(SHA256)"
  const cipher = s.cipher.kind === 'aead'
    ? { 'aes-128-gcm': 'AES-128-GCM', 'aes-256-gcm': 'AES-256-GCM', 'chacha20-poly1305': 'CHACHA20-POLY1305' }[s.cipher.aead as string]
    : `AES-${s.cipher.keyLength * 8}-CBC`;
  if (!reported.includes(`(${cipher})`)) return false;
  if (s.kx === 'rsa') return reported.startsWith('(RSA)-');
  // A resumed session reports no signature: "(ECDHE-X25519)-(AES-128-GCM)".
  return reported.startsWith('(ECDHE-') && (reported.includes(s.auth === 'ecdsa' ? '-(ECDSA-' : '-(RSA-') || !/-\((ECDSA|RSA)/.test(reported));
}

/** The peer calls TLS 1.2 "TLSv1.2" (openssl, node, go) or "TLS1.2" (gnutls). */
function peerVersion(v: string): string {
  return v.replace(/^TLS1\./, 'TLSv1.');
}

interface Outcome {
  info: HandshakeInfo;
  sessions: SessionTicket[];
  traces: TraceEvent[];
  peer: PeerConnection12;
}

/** One connection: handshake, a line each way through the echo, the peer's report of the connection, close. */
async function connect(srv: PeerServer12, config: Partial<ClientConfig>, tag: string): Promise<Outcome> {
  const before = srv.connections().length;
  const ems = EMS(srv.name) ? {} : { requireExtendedMasterSecret: false };
  return runClient(client({ ...ems, ...config }), srv.host, srv.port, async (p: Pump) => {
    const info = await p.handshake(5000);
    const line = `hush ${tag} ${Math.random().toString(36).slice(2, 8)}`;
    p.send(line + '\n');
    const expected = (srv.reverses ? [...line].reverse().join('') : line) + '\n';
    assert.equal(dec.decode(await p.read(enc.encode(expected).length, 5000)), expected, `echo through ${srv.name}`);
    await p.waitFor(() => srv.connections().length > before, `${srv.name} to report the connection`, 5000);
    const peer = srv.connections()[before]!;
    p.close();
    return { info, sessions: [...p.sessions], traces: [...p.traces], peer };
  }, { timeoutMs: 10_000 });
}

/** The assertions every TLS 1.2 case makes. */
function assertTls12(peer: PeerName, o: Outcome, iana: string, resumed = false): void {
  const s = suite12(iana);
  assert.equal(o.info.version, 'TLSv1.2');
  assert.equal(o.info.cipherName, iana);
  assert.equal(o.info.extendedMasterSecret, EMS(peer), 'extended master secret');
  assert.equal(o.info.resumed, resumed);
  assert.equal(o.info.authorized, true);
  if (!resumed) {
    if (s.kx === 'rsa') {
      assert.equal(o.info.group, undefined, 'RSA key transport: no group');
      assert.equal(o.info.signatureScheme, undefined, 'RSA key transport: nothing signed');
    } else {
      assert.ok(o.info.groupName, 'an ECDHE group');
      assert.match(o.info.signatureSchemeName ?? '', s.auth === 'ecdsa' ? /^ecdsa_secp256r1_sha256$/ : /^rsa_(pss_rsae|pkcs1)_sha(256|384|512)$/);
    }
  }
  assert.equal(peerVersion(o.peer.version), 'TLSv1.2', `${peer} reports ${o.peer.version}`);
  assert.ok(peerSuiteMatches(peer, o.peer.suite, iana), `${peer} reports suite ${o.peer.suite}, expected ${iana}`);
  if (o.peer.resumed !== undefined) assert.equal(o.peer.resumed, resumed, `${peer} reports resumed=${o.peer.resumed}`);
}

interface Row {
  peer: PeerName;
  kase: Case;
  result: string;
  ms: number;
  note?: string;
}
const rows: Row[] = [];
const notes: string[] = [];

async function record(peer: PeerName, kase: Case, fn: () => Promise<string | void>): Promise<void> {
  const t0 = performance.now();
  let result = 'ok';
  let note: string | undefined;
  try {
    note = (await fn()) ?? undefined;
  } catch (e) {
    result = (e as Error).message.split('\n').slice(0, 3).join(' | ');
  }
  rows.push({ peer, kase, result, ms: performance.now() - t0, ...(note ? { note } : {}) });
}

async function withServer<T>(peer: PeerName, opts: Peer12Options, fn: (srv: PeerServer12) => Promise<T>): Promise<T> {
  const srv = await startPeer12(peer, opts);
  try {
    return await fn(srv);
  } finally {
    await srv.stop();
  }
}

function printMatrix(): void {
  if (rows.length === 0) return;
  const w = 11;
  const lines = [`hush TLS 1.2 CLIENT interop matrix (server peer × case; E-/R- = ECDHE_ECDSA/ECDHE_RSA, RSAkx = RSA key transport) — Go: ${goLabel()}`];
  lines.push(['peer'.padEnd(8), ...CASES.map((c) => SHORT[c].padEnd(w))].join(' ').trimEnd());
  for (const peer of PEERS) {
    const cells = CASES.map((c) => {
      const r = rows.find((x) => x.peer === peer && x.kase === c);
      return (r ? (r.result === 'ok' ? 'ok' : 'FAIL') : (notApplicable(peer, c) ?? '-')).padEnd(w);
    });
    lines.push([peer.padEnd(8), ...cells].join(' ').trimEnd());
  }
  const ok = rows.filter((r) => r.result === 'ok').length;
  const expected = PEERS.reduce((n, p) => n + casesFor(p).length, 0);
  lines.push(`client12 matrix: ${ok}/${expected} ok (${rows.length} run, mean ${(rows.reduce((a, r) => a + r.ms, 0) / rows.length).toFixed(0)} ms per case)`);
  for (const r of rows.filter((x) => x.result !== 'ok')) lines.push(`  FAIL ${r.peer} ${r.kase}: ${r.result}`);
  const withNotes = rows.filter((r) => r.note);
  if (withNotes.length || notes.length) lines.push('notes:', ...withNotes.map((r) => `  ${r.peer} ${r.kase}: ${r.note}`), ...notes.map((n) => '  ' + n));
  console.log(lines.join('\n'));
}

function failuresOf(peer: PeerName): string[] {
  return rows.filter((r) => r.peer === peer && r.result !== 'ok').map((r) => `${r.kase}: ${r.result}`);
}

describe('TLS 1.2 client interop matrix', { skip: interopSkip(), concurrency: 1 }, () => {
  before(() => prebuildGo('server'));
  after(printMatrix);

  for (const peer of PEERS) {
    test(`${peer}: default suites × ECDSA/RSA, RSA key transport, resumption, version negotiation`, { timeout: 30_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      const certs = [pki.server.ecdsa256, pki.server.rsa2048];
      const cbc = peer === 'openssl' ? [CBC_SUITE, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] : [];
      const suites = [...DEFAULT_SUITES, ...RSA_KX_SUITES, ...cbc];

      // The TLS 1.2-only server, with tickets.
      await withServer(peer, { certs, suites }, async (srv) => {
        for (const iana of [...DEFAULT_SUITES, ...RSA_KX_SUITES]) {
          await record(peer, iana, async () => {
            const o = await connect(srv, { cipherSuites: [suite12(iana).id] }, iana);
            assertTls12(peer, o, iana);
          });
        }
        // hush's default client offers TLS 1.3 and 1.2 (default suites): the 1.2-only peer picks 1.2.
        await record(peer, 'default→1.2', async () => {
          const o = await connect(srv, {}, 'default');
          assert.ok(DEFAULT_SUITES.includes(o.info.cipherName as (typeof DEFAULT_SUITES)[number]), o.info.cipherName);
          assertTls12(peer, o, o.info.cipherName);
          return o.info.cipherName;
        });
        await record(peer, 'resume-ticket', async () => {
          const first = await connect(srv, { maxVersion: 'TLSv1.2' }, 'ticket 1');
          assertTls12(peer, first, first.info.cipherName);
          const session = first.sessions.find((s) => s.version === 'TLSv1.2');
          assert.ok(session, 'a TLS 1.2 session event');
          assert.ok(session.ticket.length > 0, 'the session holds a ticket');
          assert.equal(session.extendedMasterSecret, EMS(peer));
          const second = await connect(srv, { maxVersion: 'TLSv1.2', session }, 'ticket 2');
          assertTls12(peer, second, first.info.cipherName, true);
          assert.ok(!second.traces.some((t) => t.event === 'server_key_exchange'), 'no key exchange when resumed');
          return `${session.ticket.length}-byte ticket${session.extendedMasterSecret ? ', extended master secret' : ''}`;
        });
        if (peer === 'go' && !EMS(peer)) {
          // hush's default client refuses a server without the extended master secret.
          await record(peer, 'ems-refused', async () => {
            const err = await runClient(client({ maxVersion: 'TLSv1.2' }), srv.host, srv.port, async (p) => {
              await p.waitFor(() => p.error !== undefined, 'the refusal', 5000, { allowError: true, allowClose: true });
              return p.error!;
            });
            assert.equal(err.remote, false);
            assert.equal(err.alertName, 'handshake_failure');
            assert.match(err.message, /extended master secret/);
            return `Go ${goVersion().major}.${goVersion().minor} has no RFC 7627: default hush client → handshake_failure (sent by us)`;
          });
        }
        if (peer === 'openssl') {
          // CBC with encrypt-then-MAC (RFC 7366; openssl's default).
          await record(peer, 'cbc-etm', async () => {
            for (const iana of cbc) {
              const o = await connect(srv, { cipherSuites: [suite12(iana).id] }, iana);
              assertTls12(peer, o, iana);
              assert.equal(o.traces.find((t) => t.event === 'server_hello')?.['encryptThenMac'], true, 'encrypt-then-MAC agreed');
            }
            return cbc.join(', ');
          });
        }
      });

      // Tickets off: resumption by session ID (RFC 5246 §7.4.1.2). Go keeps no session-ID cache.
      if (peer !== 'go') {
        await withServer(peer, { certs, tickets: false }, async (srv) => {
          await record(peer, 'resume-id', async () => {
            const first = await connect(srv, { maxVersion: 'TLSv1.2' }, 'id 1');
            assertTls12(peer, first, first.info.cipherName);
            const session = first.sessions.find((s) => s.version === 'TLSv1.2');
            assert.ok(session, 'a TLS 1.2 session event');
            assert.equal(session.ticket.length, 0, 'no ticket');
            assert.ok(session.sessionId && session.sessionId.length > 0, 'a session id');
            const second = await connect(srv, { maxVersion: 'TLSv1.2', session }, 'id 2');
            assertTls12(peer, second, first.info.cipherName, true);
            return `${session.sessionId.length}-byte session id`;
          });
        });
      }

      // Unrestricted (TLS 1.3 and 1.2): the default client gets 1.3, maxVersion 1.2 gets 1.2 (the
      // peer writes the downgrade sentinel; we offered only 1.2, so we must not mind it).
      await withServer(peer, { certs, versions: 'any' }, async (srv) => {
        await record(peer, 'default→1.3', async () => {
          const before = srv.connections().length;
          await runClient(client(), srv.host, srv.port, async (p) => {
            const info = await p.handshake(5000);
            assert.equal(info.version, 'TLSv1.3');
            const line = 'hush over 1.3';
            p.send(line + '\n');
            const expected = (srv.reverses ? [...line].reverse().join('') : line) + '\n';
            assert.equal(dec.decode(await p.read(expected.length, 5000)), expected);
            await p.waitFor(() => srv.connections().length > before, 'the peer report', 5000);
            assert.equal(peerVersion(srv.connections()[before]!.version), 'TLSv1.3');
            p.close();
          }, { timeoutMs: 10_000 });
        });
        await record(peer, 'max1.2→1.2', async () => {
          const o = await connect(srv, { maxVersion: 'TLSv1.2' }, 'max 1.2');
          assertTls12(peer, o, o.info.cipherName);
          return o.info.cipherName;
        });
      });

      if (peer === 'openssl') {
        await withServer(peer, { certs, etm: false }, async (srv) => {
          await record(peer, 'cbc-mte', async () => {
            const o = await connect(srv, { cipherSuites: [suite12(CBC_SUITE).id] }, 'no etm');
            assertTls12(peer, o, CBC_SUITE);
            assert.equal(o.traces.find((t) => t.event === 'server_hello')?.['encryptThenMac'], false, 'MAC-then-encrypt');
            return `${CBC_SUITE} with -no_etm`;
          });
        });
        await record(peer, 'renego', () => renegotiation(certs));
      }

      if (peer === 'go' && EMS(peer)) {
        notes.push(`go ${goVersion().major}.${goVersion().minor} has RFC 7627: every Go case ran against hush's default client (EMS required); noEMS→refused is n/a here (test/client12/negative.test.ts refuses a server without it in memory)`);
      }
      const ran = rows.filter((r) => r.peer === peer).map((r) => r.kase);
      assert.deepEqual([...ran].sort(), casesFor(peer).sort(), `${peer}: cases run`);
      assert.deepEqual(failuresOf(peer), []);
    });
  }

  test('the matrix is complete', () => {
    const expected = PEERS.reduce((n, p) => n + casesFor(p).length, 0);
    const ok = rows.filter((r) => r.result === 'ok').length;
    assert.equal(`client12 matrix: ${ok}/${rows.length}`, `client12 matrix: ${expected}/${expected}`);
  });
});

/**
 * openssl s_server (stdio loop, TLS 1.2) sends a HelloRequest on the stdin command "R" (renegotiate
 * asking for a client certificate; "r" too). We answer with a no_renegotiation warning (RFC 5246
 * §7.4.1.1) and keep the connection; openssl then decides (it ends it with handshake_failure).
 */
async function renegotiation(certs: readonly { cert: string; key: string }[]): Promise<string> {
  const srv = await startOpensslServer12({ certs, mode: 'stdio' });
  try {
    return await runClient(client({ maxVersion: 'TLSv1.2' }), srv.host, srv.port, async (p) => {
      const info = await p.handshake(5000);
      assert.equal(info.version, 'TLSv1.2');
      assert.equal(info.extendedMasterSecret, true);
      // Data both ways first.
      p.send('from hush\n');
      await p.waitFor(() => srv.stdout!().includes('from hush'), 's_server printed our line', 5000);
      // (s_server flushes its connection report with the data it prints.)
      await p.waitFor(() => srv.connections().length > 0, 's_server to report the connection', 5000);
      assert.equal(peerVersion(srv.connections()[0]!.version), 'TLSv1.2');
      assert.equal(srv.connections()[0]!.suite, 'ECDHE-ECDSA-AES128-GCM-SHA256');
      srv.stdin!('from openssl\n');
      assert.equal(dec.decode(await p.read('from openssl\n'.length, 5000)), 'from openssl\n');
      srv.stdin!('R\n');
      await p.waitFor(() => p.traces.some((t) => t.event === 'renegotiation_refused'), 'HelloRequest refused', 5000, { allowError: true, allowClose: true });
      // s_server reports our warning.
      await p.waitFor(() => /no renegotiation/i.test(srv.log()), 's_server to log our no_renegotiation alert', 5000, { allowError: true, allowClose: true });
      // Then openssl decides: it may go on or fail the connection. We must not fail on our own.
      await p.waitFor(() => p.error !== undefined || p.socketClosed, 'openssl to react', 1500, { allowError: true, allowClose: true }).catch(() => undefined);
      if (p.error) assert.equal(p.error.remote, true, `we failed the connection ourselves: ${p.error.message}`);
      let after: string;
      if (!p.error && !p.socketClosed) {
        p.send('still here\n');
        await p.waitFor(() => srv.stdout!().includes('still here'), 'data after the refusal', 3000);
        after = 'connection stays usable (data after the refusal reached s_server)';
      } else {
        after = `openssl then ended the connection (${p.error ? `alert ${p.error.alertName}` : 'EOF'})`;
      }
      const line = /.*no renegotiation.*/i.exec(srv.log())![0].trim();
      notes.push(`openssl renego: HelloRequest → our no_renegotiation warning; s_server: "${line.slice(0, 100)}"; ${after}`);
      return after;
    }, { timeoutMs: 15_000 });
  } finally {
    await srv.stop();
  }
}
