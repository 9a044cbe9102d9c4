// The hush TLS 1.2 SERVER against real clients on 127.0.0.1: openssl s_client, gnutls-cli, curl,
// node:tls, the Go client (test/interop/go/client) and hush's own connect() (issue #5 "Proof").
// Four in-process hush servers, each holding an ECDSA P-256 AND an RSA-2048 certificate, reused
// by every client:
//   named:   the default suites plus RSA key transport named in `ciphers` — every default suite ×
//            matching certificate and both RSA key transport suites, the client forcing the suite;
//   default: no options — resumption by ticket, and each client restricted to TLS 1.2 (1.2
//            negotiated; s_client -msg shows the downgrade sentinel in ServerHello.random);
//   noTickets (ticketKeys []): resumption by session ID;
//   max12 (maxVersion 'TLSv1.2'): default, 1.3-capable clients get 1.2 and do NOT see the sentinel
//            (RFC 8446 §4.1.3: only a server that supports 1.3 writes it; a 1.3 client that sees
//            it aborts).
// Plus s_client's renegotiation ("R") refused with our no_renegotiation warning. The Go client is
// built by whatever Go the harness picked (peers.ts goToolchain; the matrix header names it). From
// Go 1.21 on it has the extended master secret (RFC 7627): it runs every case against the node
// adapter's servers like the other clients, resumption by ticket confirmed by Go's DidResume. An
// older Go (1.19: no RFC 7627) is refused by those servers ('ems-refused'), and its other cases
// run against a core ServerConnection with requireExtendedMasterSecret: false.
//
// Each case asserts, as the CLIENT reports it, the version and suite, and an echo both ways; and
// as the hush server saw it, the same suite, version, resumed, and extendedMasterSecret === true.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { connect, type ConnectOptions } from '../../src/node/connect.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { suiteByName, type Tls12Suite } from '../../src/crypto/suites.js';
import {
  gnutlsPriority12, goHasEms, goLabel, goToolchain, goVersion, interopSkip, pemCertificates, prebuildGo, requirePeer, tempDir, testPki, type Pki,
} from './peers.js';
import {
  buildGoClient, requireTool, runTool, startCoreServer, startHushServer,
  type CoreServer, type HushTestServer, type SeenConnection, type ToolResult,
} from './server-peers.js';

const CLIENTS = ['openssl', 'gnutls', 'curl', 'node', 'go', 'hush'] as const;
type ClientName = (typeof CLIENTS)[number];
const DEFAULT_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
] as const;
const RSA_KX_SUITES = ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_GCM_SHA384'] as const;
const CASES = [...DEFAULT_SUITES, ...RSA_KX_SUITES, 'resume-id', 'resume-ticket', 'c1.2→default', 'default→max1.2', 'renego', 'sentinel', 'ems-refused'] as const;
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
  'c1.2→default': 'c1.2→dflt',
  'default→max1.2': 'dflt→max12',
  renego: 'renego',
  sentinel: 'sentinel',
  'ems-refused': 'noEMS→refused',
};
/** The Go client has the extended master secret (Go ≥ 1.21); false when there is no Go (its test fails). */
function goEms(): boolean {
  return !('missing' in goToolchain()) && goHasEms();
}
/**
 * Go's client keeps no session-ID cache (tickets only). Without the extended master secret (Go <
 * 1.21) hush issues neither tickets nor session IDs (RFC 7627 §5.3), so that Go never resumes
 * ('noEMS*'; the legacy Go cases check it); with it, the refusal of a client lacking EMS cannot be
 * shown with Go (test/server12/server12-memory.test.ts covers it in memory). curl (7.88, OpenSSL)
 * sends no session_ticket extension in TLS 1.2 (it sets SSL_OP_NO_TICKET): it resumes by session
 * ID only, which 'resume-id' covers.
 */
function notApplicable(c: ClientName, k: Case): string | undefined {
  if (c === 'go' && k === 'resume-id') return 'n/a';
  if (c === 'go' && k === 'resume-ticket' && !goEms()) return 'noEMS*';
  if (c === 'go' && k === 'ems-refused' && goEms()) return 'n/a';
  if (c === 'curl' && k === 'resume-ticket') return 'n/a';
  return undefined;
}
const ONLY: Partial<Record<Case, readonly ClientName[]>> = { renego: ['openssl'], sentinel: ['openssl'], 'ems-refused': ['go'] };
function casesFor(c: ClientName): Case[] {
  return CASES.filter((k) => !notApplicable(c, k) && (ONLY[k]?.includes(c) ?? true));
}

function suite12(iana: string): Tls12Suite {
  const s = suiteByName(iana);
  assert.ok(s && s.version === 'TLSv1.2', iana);
  return s;
}

interface Row { client: ClientName; kase: Case; result: string; ms: number; note?: string }
const rows: Row[] = [];

function printMatrix(): void {
  if (rows.length === 0) return;
  const w = 11;
  const lines = [`hush TLS 1.2 SERVER interop matrix (client × case, as the client and the server saw it; E-/R- = ECDHE_ECDSA/ECDHE_RSA) — Go: ${goLabel()}`];
  lines.push(['client'.padEnd(8), ...CASES.map((c) => SHORT[c].padEnd(w))].join(' ').trimEnd());
  for (const c of CLIENTS) {
    const cells = CASES.map((k) => {
      const r = rows.find((x) => x.client === c && x.kase === k);
      return (r ? (r.result === 'ok' ? 'ok' : 'FAIL') : (notApplicable(c, k) ?? '-')).padEnd(w);
    });
    lines.push([c.padEnd(8), ...cells].join(' ').trimEnd());
  }
  const ok = rows.filter((r) => r.result === 'ok').length;
  const expected = CLIENTS.reduce((n, c) => n + casesFor(c).length, 0);
  lines.push(`server12 matrix: ${ok}/${expected} ok (${rows.length} run, ${(rows.reduce((a, r) => a + r.ms, 0) / 1000).toFixed(1)} s in cases)`);
  for (const r of rows.filter((x) => x.result !== 'ok')) lines.push(`  FAIL ${r.client} ${r.kase}: ${r.result}`);
  const notes = rows.filter((r) => r.note);
  if (notes.length) lines.push('notes:', ...notes.map((r) => `  ${r.client} ${r.kase}: ${r.note}`));
  console.log(lines.join('\n'));
}

async function record(client: ClientName, kase: Case, fn: () => Promise<string | void>): Promise<void> {
  const t0 = performance.now();
  let result = 'ok';
  let note: string | undefined;
  try {
    note = (await fn()) ?? undefined;
  } catch (e) {
    result = (e as Error).message.split('\n').slice(0, 4).join(' | ');
  }
  rows.push({ client, kase, result, ms: performance.now() - t0, ...(note ? { note } : {}) });
}

// ---------------------------------------------------------------------------------------------
// One connection per client. `suite` (IANA) forces the suite; `tls12` restricts the client to
// TLS 1.2 (otherwise its defaults, TLS 1.3 included). Each returns what the client reported.

interface ClientOpts {
  port: number;
  suite?: string;
  tls12: boolean;
  tag: string;
}
/** What the client itself reported for the connection(s) it made. */
interface Reported { version: string; suite: string; resumed?: boolean }

let pki: Pki;
let goBin: string;

function tool(r: ToolResult, what: string): ToolResult {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code ?? r.signal}: ${r.output.slice(-1500)}`);
  return r;
}

/** s_client: one line echoed; extra args (session files, -msg, ...). */
async function sClient(o: ClientOpts, extra: string[] = []): Promise<{ r: ToolResult; rep: Reported }> {
  const args = ['s_client', '-connect', `127.0.0.1:${o.port}`, '-servername', 'localhost', '-CAfile', pki.ca.cert, '-verify_return_error', '-verify_hostname', 'localhost'];
  if (o.tls12) args.push('-tls1_2');
  if (o.suite) args.push('-cipher', suite12(o.suite).opensslName);
  args.push(...extra);
  const r = tool(await runTool('openssl', args, {
    timeoutMs: 10_000,
    interact: async (io) => {
      await io.waitOut(/Verify return code/, 5000);
      io.write(o.tag + '\n');
      await io.waitOut(new RegExp(`^${o.tag}$`, 'm'), 5000);
      io.end();
    },
  }), 's_client');
  const m = /^(New|Reused), (TLSv1\.[23]), Cipher is (\S+)$/m.exec(r.stdout);
  assert.ok(m, `s_client summary line: ${r.stdout.slice(-800)}`);
  return { r, rep: { version: m[2]!, suite: m[3]!, resumed: m[1] === 'Reused' } };
}

async function gnutlsCli(o: ClientOpts, extra: string[] = []): Promise<{ r: ToolResult; rep: Reported }> {
  const prio = o.tls12 ? gnutlsPriority12({ ...(o.suite ? { suites: [o.suite] } : {}) }) : 'NORMAL';
  const args = ['--priority', prio, '--x509cafile', pki.ca.cert, '--sni-hostname', 'localhost', '--verify-hostname', 'localhost', '-p', String(o.port), ...extra, '127.0.0.1'];
  const r = tool(await runTool('gnutls-cli', args, {
    timeoutMs: 10_000,
    interact: async (io) => {
      await io.waitOut(/Handshake was completed/, 5000);
      if (extra.includes('--resume')) await io.waitOut(/This is a resumed session|session was not resumed/i, 5000).catch(() => undefined);
      io.write(o.tag + '\n');
      await io.waitOut(new RegExp(`^${o.tag}$`, 'm'), 5000);
      io.end();
    },
  }), 'gnutls-cli');
  const all = [...r.stdout.matchAll(/^- Description: \((TLS1\.[23])[^)]*\)-(.*)$/gm)];
  assert.ok(all.length > 0, `gnutls-cli description: ${r.stdout.slice(-800)}`);
  const last = all[all.length - 1]!;
  return { r, rep: { version: last[1]!.replace('TLS1.', 'TLSv1.'), suite: last[2]!.trim(), resumed: /This is a resumed session/.test(r.stdout) } };
}

/** curl POSTs the tag to /echo (count URLs: a second connection resumes; Connection: close forces a new one). */
async function curl(o: ClientOpts, count = 1): Promise<{ r: ToolResult; reps: Reported[] }> {
  const args = ['-sS', '-v', '--max-time', '10', '--http1.1', '--cacert', pki.ca.cert, '--resolve', `localhost:${o.port}:127.0.0.1`, '-H', 'Connection: close'];
  if (o.tls12) args.push('--tlsv1.2', '--tls-max', '1.2');
  if (o.suite) args.push('--ciphers', suite12(o.suite).opensslName);
  // One body, posted to each URL.
  args.push('--data-binary', o.tag);
  for (let i = 0; i < count; i++) args.push(`https://localhost:${o.port}/echo`);
  const r = tool(await runTool('curl', args, { timeoutMs: 15_000 }), 'curl');
  assert.equal(r.stdout, o.tag.repeat(count), 'curl: POST /echo body');
  const reps = [...r.stderr.matchAll(/SSL connection using (TLSv1\.[23]) \/ (\S+)/g)].map((m) => ({ version: m[1]!, suite: m[2]! }));
  assert.equal(reps.length, count, r.stderr.slice(-1500));
  return { r, reps };
}

/** node:tls: connect, echo, report; returns the session for resumption. */
async function nodeClient(o: ClientOpts, extra: tls.ConnectionOptions = {}): Promise<{ rep: Reported; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    const s = tls.connect({
      host: '127.0.0.1', port: o.port, servername: 'localhost', ca: readFileSync(pki.ca.cert),
      ...(o.tls12 ? { maxVersion: 'TLSv1.2' as const } : {}),
      ...(o.suite ? { ciphers: suite12(o.suite).opensslName } : {}),
      ...extra,
    });
    s.on('session', (b: Buffer) => { session = b; });
    const t = setTimeout(() => { s.destroy(); reject(new Error('node:tls client timed out')); }, 8000);
    s.once('error', (e) => { clearTimeout(t); reject(e); });
    s.once('secureConnect', () => {
      s.write(o.tag);
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length < o.tag.length) return;
        clearTimeout(t);
        const rep = { version: s.getProtocol() ?? '?', suite: s.getCipher().standardName ?? s.getCipher().name, resumed: s.isSessionReused() };
        s.end();
        // TLS 1.2 sessions are complete at the handshake; give the event loop a turn for 'session'.
        setImmediate(() => (got === o.tag ? resolve({ rep, session }) : reject(new Error(`node echo: ${got}`))));
      });
    });
  });
}

function hushClient(o: ClientOpts, extra: ConnectOptions = {}): Promise<{ rep: Reported; session: Buffer | undefined; ems: boolean | undefined }> {
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    const s = connect({
      host: '127.0.0.1', port: o.port, servername: 'localhost', ca: readFileSync(pki.ca.cert), handshakeTimeout: 8000,
      ...(o.tls12 ? { maxVersion: 'TLSv1.2' } : {}),
      ...(o.suite ? { ciphers: o.suite } : {}),
      ...extra,
    });
    s.on('session', (b: Buffer) => { session = b; });
    const t = setTimeout(() => { s.destroy(); reject(new Error('hush client timed out')); }, 8000);
    s.once('error', (e: Error) => { clearTimeout(t); reject(e); });
    s.once('secureConnect', () => {
      s.write(o.tag);
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length < o.tag.length) return;
        clearTimeout(t);
        const info = s.handshakeInfo!;
        const rep = { version: info.version, suite: info.cipherName, resumed: info.resumed };
        s.end();
        setImmediate(() => (got === o.tag ? resolve({ rep, session, ems: info.extendedMasterSecret }) : reject(new Error(`hush echo: ${got}`))));
      });
    });
  });
}

/** The Go client: -send echoes N bytes; -resume connects twice with a ClientSessionCache. */
async function goClient(o: ClientOpts, extra: string[] = []): Promise<Reported[]> {
  const args = ['-addr', `127.0.0.1:${o.port}`, '-servername', 'localhost', '-ca', pki.ca.cert, '-send', '64', '-min-version', o.tls12 ? '1.2' : '1.2', '-max-version', o.tls12 ? '1.2' : '1.3'];
  if (o.suite) args.push('-cipher-suites', o.suite);
  args.push(...extra);
  const r = tool(await runTool(goBin, args, { timeoutMs: 10_000 }), 'go client');
  const n = [...r.stdout.matchAll(/^ECHO n=\d+ bytes=64 ok$/gm)].length;
  const reps = [...r.stdout.matchAll(/^HANDSHAKE n=\d+ version=(\S+) suite=(\S+) resumed=(true|false)/gm)].map((m) => ({ version: m[1]!, suite: m[2]!, resumed: m[3] === 'true' }));
  assert.equal(n, reps.length, `go echoed on every connection: ${r.stdout}`);
  return reps;
}

/** The client's name for the suite matches the IANA one. */
function clientSuiteMatches(client: ClientName, reported: string, iana: string): boolean {
  const s = suite12(iana);
  if (client === 'openssl' || client === 'curl') return reported === s.opensslName;
  if (client === 'node' || client === 'go' || client === 'hush') return reported === iana;
  const cipher = s.cipher.kind === 'aead'
    ? { 'aes-128-gcm': 'AES-128-GCM', 'aes-256-gcm': 'AES-256-GCM', 'chacha20-poly1305': 'CHACHA20-POLY1305' }[s.cipher.aead as string]
    : `AES-${s.cipher.keyLength * 8}-CBC`;
  if (!reported.includes(`(${cipher})`)) return false;
  if (s.kx === 'rsa') return reported.startsWith('(RSA)-');
  return reported.startsWith('(ECDHE-') && (reported.includes(s.auth === 'ecdsa' ? '-(ECDSA-' : '-(RSA-') || !/-\((ECDSA|RSA)/.test(reported));
}

/** The assertions every case makes, on the client's report and on what the hush server saw. */
function assertCase(client: ClientName, rep: Reported, seen: SeenConnection | undefined, iana: string, opts: { resumed?: boolean; ems?: boolean; echoed?: boolean } = {}): void {
  const resumed = opts.resumed ?? false;
  assert.equal(rep.version, 'TLSv1.2', `${client} reports ${rep.version}`);
  assert.ok(clientSuiteMatches(client, rep.suite, iana), `${client} reports suite ${rep.suite}, expected ${iana}`);
  if (rep.resumed !== undefined) assert.equal(rep.resumed, resumed, `${client} reports resumed=${rep.resumed}`);
  assert.ok(seen, 'the hush server saw the handshake');
  assert.equal(seen.version, 'TLSv1.2');
  assert.equal(seen.cipher, iana);
  assert.equal(seen.resumed, resumed, 'hush server: resumed');
  assert.equal(seen.extendedMasterSecret, opts.ems ?? true, 'hush server: extended master secret');
  if (opts.echoed ?? true) assert.ok(seen.bytes > 0, 'hush server echoed data');
  if (!resumed) {
    if (suite12(iana).kx === 'rsa') assert.equal(seen.signature, undefined, 'RSA key transport: nothing signed');
    else assert.match(seen.signature ?? '', suite12(iana).auth === 'ecdsa' ? /^ecdsa_secp256r1_sha256$/ : /^rsa_(pss_rsae|pkcs1)_sha(256|384|512)$/);
  }
}

const DOWNGRD12 = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];
/** The last 8 bytes of ServerHello.random from s_client -msg output. */
function serverRandomTail(stdout: string): number[] {
  const m = /<<< TLS 1\.[23], Handshake \[length [0-9a-f]+\], ServerHello\n((?:\s+[0-9a-f ]+\n)+)/.exec(stdout);
  assert.ok(m, `ServerHello in -msg output: ${stdout.slice(0, 1500)}`);
  const bytes = m[1]!.trim().split(/\s+/).map((h) => parseInt(h, 16));
  // Handshake header (4), server_version (2), random (32).
  return bytes.slice(4 + 2 + 24, 4 + 2 + 32);
}

describe('TLS 1.2 server interop matrix', { skip: interopSkip(), concurrency: 1 }, () => {
  const servers = {} as Record<'named' | 'default' | 'noTickets' | 'max12', HushTestServer>;
  /** Only for a Go without the extended master secret (started by legacyGoCases). */
  let goServer: CoreServer | undefined;

  before(async () => {
    await prebuildGo('client');
    requirePeer('openssl');
    pki = testPki();
    const both = {
      cert: [readFileSync(pki.server.ecdsa256.cert), readFileSync(pki.server.rsa2048.cert)],
      key: [readFileSync(pki.server.ecdsa256.key), readFileSync(pki.server.rsa2048.key)],
      ALPNProtocols: ['http/1.1'],
      handshakeTimeout: 10_000,
    };
    servers.named = await startHushServer({ ...both, ciphers: [...DEFAULT_SUITES, ...RSA_KX_SUITES].join(':') });
    servers.default = await startHushServer(both);
    servers.noTickets = await startHushServer({ ...both, ticketKeys: [] });
    servers.max12 = await startHushServer({ ...both, maxVersion: 'TLSv1.2' });
  });
  after(async () => {
    for (const s of Object.values(servers)) await s?.stop();
    await goServer?.stop();
    printMatrix();
  });

  /** Run one connection of `client` against `srv`, return the client's report(s) and what the server saw. */
  async function one(client: ClientName, srv: HushTestServer, o: Omit<ClientOpts, 'port'>): Promise<{ rep: Reported; seen: SeenConnection | undefined }> {
    srv.reset();
    const co = { ...o, port: srv.port };
    let rep: Reported;
    switch (client) {
      case 'openssl': rep = (await sClient(co, ['-no_ticket'])).rep; break;
      case 'gnutls': rep = (await gnutlsCli(co)).rep; break;
      case 'curl': rep = (await curl(co)).reps[0]!; break;
      case 'node': rep = (await nodeClient(co)).rep; break;
      case 'go': rep = (await goClient(co))[0]!; break;
      case 'hush': rep = (await hushClient(co)).rep; break;
    }
    const hs = srv.handshakes();
    assert.equal(hs.length, 1, `one handshake (saw ${srv.seen.length}: ${srv.seen.map((s) => s.error ?? s.alerts.join()).join('; ')})`);
    return { rep, seen: hs[0] };
  }

  /** Two connections, the second resuming; returns both client reports and server records. */
  async function resume(client: ClientName, srv: HushTestServer, mode: 'id' | 'ticket', tag: string): Promise<{ reps: Reported[]; seen: SeenConnection[] }> {
    srv.reset();
    const o: ClientOpts = { port: srv.port, tls12: true, tag };
    const dir = tempDir('hush-s12m-');
    let reps: Reported[];
    switch (client) {
      case 'openssl': {
        const sess = path.join(dir, 'sess.pem');
        const noTicket = mode === 'id' ? ['-no_ticket'] : [];
        reps = [(await sClient(o, [...noTicket, '-sess_out', sess])).rep, (await sClient(o, [...noTicket, '-sess_in', sess])).rep];
        break;
      }
      case 'gnutls': {
        const { rep, r } = await gnutlsCli(o, ['--resume', ...(mode === 'id' ? ['--noticket'] : [])]);
        const first = [...r.stdout.matchAll(/^- Description: \((TLS1\.[23])[^)]*\)-(.*)$/gm)][0]!;
        reps = [{ version: first[1]!.replace('TLS1.', 'TLSv1.'), suite: first[2]!.trim(), resumed: false }, rep];
        break;
      }
      case 'curl': {
        const { r, reps: rr } = await curl(o, 2);
        assert.match(r.stderr, /SSL re-using session ID/, 'curl: re-using session');
        reps = [rr[0]!, { ...rr[1]!, resumed: true }];
        break;
      }
      case 'node': {
        const a = await nodeClient(o);
        assert.ok(a.session, 'node: a session');
        reps = [a.rep, (await nodeClient(o, { session: a.session })).rep];
        break;
      }
      case 'go': {
        // One process, two connections sharing a ClientSessionCache; the second line's resumed= is DidResume.
        if (mode === 'id') throw new Error('Go keeps no session-ID cache');
        reps = await goClient(o, ['-resume']);
        assert.equal(reps.length, 2, 'go: two connections');
        break;
      }
      case 'hush': {
        const a = await hushClient(o);
        assert.ok(a.session, 'hush: a session');
        reps = [a.rep, (await hushClient(o, { session: a.session })).rep];
        break;
      }
    }
    return { reps, seen: srv.handshakes() };
  }

  for (const client of CLIENTS) {
    test(`${client} → hush TLS 1.2 server`, { timeout: 40_000 }, async () => {
      if (client === 'openssl') requirePeer('openssl');
      if (client === 'gnutls') requireTool('gnutls-cli');
      if (client === 'curl') requireTool('curl');
      if (client === 'go') goBin = await buildGoClient();

      if (client === 'go' && !goEms()) {
        await legacyGoCases();
      } else {
        for (const iana of [...DEFAULT_SUITES, ...RSA_KX_SUITES]) {
          await record(client, iana, async () => {
            const { rep, seen } = await one(client, servers.named, { suite: iana, tls12: true, tag: `${client}-${SHORT[iana]}` });
            assertCase(client, rep, seen, iana);
          });
        }
        const modes = (['id', 'ticket'] as const).filter((m) => !notApplicable(client, m === 'id' ? 'resume-id' : 'resume-ticket'));
        for (const mode of modes) {
          await record(client, mode === 'id' ? 'resume-id' : 'resume-ticket', async () => {
            const srv = mode === 'id' ? servers.noTickets : servers.default;
            const { reps, seen } = await resume(client, srv, mode, `${client}-resume-${mode}`);
            assert.equal(seen.length, 2, 'two handshakes');
            // gnutls-cli --resume sends data on the resumed connection only.
            assertCase(client, reps[0]!, seen[0], seen[0]!.cipher!, { echoed: client !== 'gnutls' });
            assertCase(client, reps[1]!, seen[1], seen[0]!.cipher!, { resumed: true });
            // By ID: the server has no ticket keys. By ticket: the server issued one.
            assert.equal(seen[0]!.traces.includes('session_ticket'), mode === 'ticket', `server traces: ${seen[0]!.traces.join(',')}`);
            if (client === 'go') return `Go ${goVersion().major}.${goVersion().minor}: DidResume=true on the 2nd connection, extended master secret on both (default hush server)`;
          });
        }
        await record(client, 'c1.2→default', async () => {
          const { rep, seen } = await one(client, servers.default, { tls12: true, tag: `${client}-c12` });
          assertCase(client, rep, seen, seen!.cipher!);
          return rep.suite;
        });
        await record(client, 'default→max1.2', async () => {
          const { rep, seen } = await one(client, servers.max12, { tls12: false, tag: `${client}-dflt` });
          assertCase(client, rep, seen, seen!.cipher!);
          return `${rep.version} ${rep.suite}`;
        });
      }
      if (client === 'openssl') {
        await record(client, 'renego', renegotiation);
        await record(client, 'sentinel', async () => {
          // A TLS 1.2-only client against the default (1.3-capable) server: DOWNGRD\x01.
          servers.default.reset();
          const a = await sClient({ port: servers.default.port, tls12: true, tag: 'sentinel-1' }, ['-msg']);
          assert.deepEqual(serverRandomTail(a.r.stdout), DOWNGRD12, 'downgrade sentinel in ServerHello.random');
          assertCase('openssl', a.rep, servers.default.handshakes()[0], servers.default.handshakes()[0]!.cipher!);
          // A default (1.3-capable) s_client against the max-1.2 server: no sentinel (else s_client aborts).
          servers.max12.reset();
          const b = await sClient({ port: servers.max12.port, tls12: false, tag: 'sentinel-2' }, ['-msg']);
          assert.notDeepEqual(serverRandomTail(b.r.stdout), DOWNGRD12, 'no sentinel from a server that does not support 1.3');
          assertCase('openssl', b.rep, servers.max12.handshakes()[0], servers.max12.handshakes()[0]!.cipher!);
          return 'default server + -tls1_2: DOWNGRD\\x01 present; maxVersion 1.2 server + default s_client: absent, 1.2 accepted';
        });
      }
      const ran = rows.filter((r) => r.client === client).map((r) => r.kase);
      assert.deepEqual([...ran].sort(), casesFor(client).sort(), `${client}: cases run`);
      assert.deepEqual(rows.filter((r) => r.client === client && r.result !== 'ok').map((r) => `${r.kase}: ${r.result}`), []);
    });
  }

  test('the matrix is complete', () => {
    const expected = CLIENTS.reduce((n, c) => n + casesFor(c).length, 0);
    const ok = rows.filter((r) => r.result === 'ok').length;
    assert.equal(`server12 matrix: ${ok}/${rows.length}`, `server12 matrix: ${expected}/${expected}`);
  });

  /** A Go without the extended master secret (< 1.21): refused by the node adapter's server; everything else against a core server. */
  async function legacyGoCases(): Promise<void> {
    const key = (f: string) => nodeCryptoProvider.importPrivateKey(readFileSync(f, 'utf8'));
    const core = await startCoreServer({
      provider: nodeCryptoProvider,
      now: Date.now,
      certificates: [
        { chain: pemCertificates(pki.server.ecdsa256.cert), key: key(pki.server.ecdsa256.key) },
        { chain: pemCertificates(pki.server.rsa2048.cert), key: key(pki.server.rsa2048.key) },
      ],
      cipherSuites: [...DEFAULT_SUITES, ...RSA_KX_SUITES].map((n) => suite12(n).id),
      maxVersion: 'TLSv1.2',
      ticketKeys: [new Uint8Array(48).fill(7)],
      requireExtendedMasterSecret: false,
    });
    goServer = core;
    const gv = `Go ${goVersion().major}.${goVersion().minor}`;
    await record('go', 'ems-refused', async () => {
      servers.named.reset();
      const r = await runTool(goBin, ['-addr', `127.0.0.1:${servers.named.port}`, '-ca', pki.ca.cert, '-min-version', '1.2', '-max-version', '1.2', '-send', '8'], { timeoutMs: 10_000 });
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.stdout, /ERROR n=1 handshake: .*handshake failure/, r.output);
      assert.deepEqual(servers.named.seen[0]?.alerts, ['handshake_failure']);
      assert.match(servers.named.seen[0]?.error ?? '', /extended master secret/);
      return `${gv} offers no RFC 7627 extension: the hush server (node adapter) answers handshake_failure`;
    });
    /** A Go connection against the core server: the client's reports and the server's infos. */
    const viaCore = async (o: Omit<ClientOpts, 'port'>, extra: string[] = []) => {
      const before = core.infos.length;
      const reps = await goClient({ ...o, port: core.port }, extra);
      const deadline = Date.now() + 2000;
      while (core.infos.length < before + reps.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return { reps, infos: core.infos.slice(before) };
    };
    const check = (rep: Reported, info: (typeof core.infos)[number] | undefined, iana: string, resumed = false) => {
      assert.equal(rep.version, 'TLSv1.2');
      assert.equal(rep.suite, iana);
      assert.equal(rep.resumed, resumed);
      assert.ok(info, 'the core server saw the handshake');
      assert.equal(info.version, 'TLSv1.2');
      assert.equal(info.cipherName, iana);
      assert.equal(info.resumed, resumed);
      assert.equal(info.extendedMasterSecret, false, `${gv}: no extended master secret`);
    };
    for (const iana of [...DEFAULT_SUITES, ...RSA_KX_SUITES]) {
      await record('go', iana, async () => {
        const { reps, infos } = await viaCore({ suite: iana, tls12: true, tag: '' });
        check(reps[0]!, infos[0], iana);
        return iana === DEFAULT_SUITES[0] ? 'against a core ServerConnection with requireExtendedMasterSecret: false' : undefined;
      });
    }
    // No resumption without the extended master secret (RFC 7627 §5.3): two full handshakes.
    {
      const { reps, infos } = await viaCore({ tls12: true, tag: '' }, ['-resume']);
      assert.equal(reps.length, 2);
      check(reps[0]!, infos[0], reps[0]!.suite);
      check(reps[1]!, infos[1], reps[0]!.suite, false);
    }
    await record('go', 'c1.2→default', async () => {
      // The core server here is max 1.2; a 1.2-restricted Go client against the default node-adapter
      // server is the EMS refusal above. This is Go limited to 1.2 against a 1.2 server.
      const { reps, infos } = await viaCore({ tls12: true, tag: '' });
      check(reps[0]!, infos[0], reps[0]!.suite);
      return reps[0]!.suite;
    });
    await record('go', 'default→max1.2', async () => {
      // Go's default client (max TLS 1.3) checks the downgrade sentinel (RFC 8446 §4.1.3): it must not see one.
      const { reps, infos } = await viaCore({ tls12: false, tag: '' });
      check(reps[0]!, infos[0], reps[0]!.suite);
      return `${reps[0]!.version} ${reps[0]!.suite}, no downgrade complaint`;
    });
  }

  /** s_client -tls1_2, then "R" on stdin: we refuse with a no_renegotiation warning. */
  async function renegotiation(): Promise<string> {
    const srv = servers.default;
    srv.reset();
    const r = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${srv.port}`, '-servername', 'localhost', '-CAfile', pki.ca.cert, '-tls1_2'], {
      timeoutMs: 10_000,
      interact: async (io) => {
        await io.waitOut(/Verify return code/, 5000);
        io.write('before\n');
        await io.waitOut(/^before$/m, 5000);
        io.write('R\n');
        await io.waitOut(/RENEGOTIATING/, 3000);
        await io.waitOut(/no renegotiation/i, 3000);
        io.end();
      },
    });
    const m = /^(New), (TLSv1\.2), Cipher is (\S+)$/m.exec(r.stdout);
    assert.ok(m, r.output.slice(-1500));
    const seen = srv.seen[0]!;
    assert.equal(seen.version, 'TLSv1.2');
    assert.equal(seen.extendedMasterSecret, true);
    assert.ok(seen.bytes > 0, 'data echoed before the renegotiation attempt');
    assert.ok(seen.traces.includes('renegotiation'), `server traces: ${seen.traces.join(', ')}`);
    const line = /.*no renegotiation.*/i.exec(r.output)![0].trim();
    return `s_client R → our warning no_renegotiation; s_client: "${line.slice(0, 90)}"`;
  }
});
