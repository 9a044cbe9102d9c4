// Real-peer interop harness: a throwaway PKI made in memory by hush's builder (test/pki.ts) and
// written to files, TLS peers (openssl s_server, gnutls-serv, a Go crypto/tls server, an in-process
// node:tls server) on 127.0.0.1, and a socket pump that drives any sans-I/O TlsConnection over a
// real TCP socket.
//
// Everything started here is stopped by PID (never by name), every wait is bounded, and the PKI lives
// in one mkdtemp directory per test process that is removed at exit.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { constants as cryptoConstants, createHash } from 'node:crypto';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { TlsConnection } from '../../src/connection/api.js';
import type { HandshakeInfo, SessionTicket } from '../../src/handshake/events.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import type { TlsError } from '../../src/errors/errors.js';
import type { TraceEvent } from '../../src/handshake/trace.js';
import { decodePem } from '../../src/asn1/index.js';
import { suiteByName } from '../../src/crypto/suites.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { DAY, generateTestKey, privateKeyPem, testCa, testCert, type TestCert, type TestKeyKind } from '../pki.js';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);

// ---------------------------------------------------------------------------------------------
// Peer availability

export type PeerName = 'openssl' | 'gnutls' | 'go' | 'node';

const BINARIES: Record<Exclude<PeerName, 'go'>, string | undefined> = {
  openssl: 'openssl',
  gnutls: 'gnutls-serv',
  node: undefined,
};

/** True when the interop tests should skip (HUSH_SKIP_INTEROP=1). */
export const skipInterop = process.env.HUSH_SKIP_INTEROP === '1';

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Undefined when the peer's binary is installed; otherwise the reason (a clear failure message). */
export function missingPeer(peer: PeerName): string | undefined {
  if (peer === 'go') {
    const go = goToolchain();
    return 'missing' in go ? `go: ${go.missing} (CI installs it via .ci/run; set HUSH_SKIP_INTEROP=1 to skip interop tests)` : undefined;
  }
  const bin = BINARIES[peer];
  if (bin === undefined || which(bin)) return undefined;
  return `${peer}: '${bin}' is not installed (CI installs it via .ci/run; set HUSH_SKIP_INTEROP=1 to skip interop tests)`;
}

/**
 * For node:test's `skip` option: a skip reason when HUSH_SKIP_INTEROP=1, else false. A missing binary
 * is not a skip: call `requirePeer` inside the test so it fails with a clear message.
 */
export function interopSkip(): string | false {
  return skipInterop ? 'HUSH_SKIP_INTEROP=1' : false;
}

/** Throw a clear error when the peer binary is missing. */
export function requirePeer(peer: PeerName): void {
  const why = missingPeer(peer);
  if (why) throw new Error(why);
}

// ---------------------------------------------------------------------------------------------
// The Go toolchain that builds the Go peers (the module test/interop/go)

export interface GoVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export interface GoToolchain {
  /** The go command. */
  readonly bin: string;
  readonly version: GoVersion;
  /** What `go version` printed, e.g. "go1.22.12 linux/amd64". */
  readonly text: string;
  /** Why this one: $HUSH_GO, /usr/lib/go-1.N (Debian's versioned packages, e.g. bookworm-backports) or PATH. */
  readonly from: 'HUSH_GO' | 'usr-lib' | 'PATH';
}

let goCache: GoToolchain | { missing: string } | undefined;

/**
 * The Go toolchain the interop tests use, picked once per process: $HUSH_GO when set (it must
 * work), else the newest /usr/lib/go-1.N/bin/go with N ≥ 21 (Debian's golang-1.N-go, e.g. from
 * bookworm-backports: these have the TLS 1.2 extended master secret), else `go` on PATH.
 */
export function goToolchain(): GoToolchain | { missing: string } {
  goCache ??= findGo();
  return goCache;
}

function findGo(): GoToolchain | { missing: string } {
  const env = process.env.HUSH_GO;
  const candidates: { bin: string; from: GoToolchain['from'] }[] = [];
  if (env) {
    candidates.push({ bin: env, from: 'HUSH_GO' });
  } else {
    let dirs: string[] = [];
    try {
      dirs = readdirSync('/usr/lib');
    } catch {
      /* no /usr/lib */
    }
    const versioned = dirs
      .map((d) => /^go-1\.(\d+)$/.exec(d))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) >= 21)
      .sort((a, b) => Number(b[1]) - Number(a[1]))
      .map((m) => ({ bin: path.join('/usr/lib', m[0], 'bin', 'go'), from: 'usr-lib' as const }));
    candidates.push(...versioned.filter((c) => existsSync(c.bin)));
    const onPath = which('go');
    if (onPath) candidates.push({ bin: onPath, from: 'PATH' });
  }
  const problems: string[] = [];
  for (const c of candidates) {
    try {
      const text = execFileSync(c.bin, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, env: goEnv() }).trim();
      const m = /\bgo(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
      if (!m) throw new Error(`cannot read the version in "${text}"`);
      return { bin: c.bin, from: c.from, text: text.replace(/^go version /, ''), version: { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) } };
    } catch (e) {
      // $HUSH_GO is what the user asked for: no silent fallback.
      if (c.from === 'HUSH_GO') return { missing: `HUSH_GO=${c.bin} does not run: ${(e as Error).message.split('\n')[0]}` };
      problems.push(`${c.bin}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { missing: problems.length ? `no working go (${problems.join('; ')})` : "'go' is not installed (nor /usr/lib/go-1.N with N ≥ 21)" };
}

/** The Go toolchain (throws the missing-peer message when there is none). */
export function goTool(): GoToolchain {
  const go = goToolchain();
  if ('missing' in go) throw new Error(missingPeer('go'));
  return go;
}

/** The version of the Go toolchain that builds the Go peers. */
export function goVersion(): GoVersion {
  return goTool().version;
}

/** crypto/tls has the TLS 1.2 extended master secret (RFC 7627) from Go 1.21 on. */
export function goHasEms(): boolean {
  const v = goVersion();
  return v.major > 1 || (v.major === 1 && v.minor >= 21);
}

/** For matrix headers: "go1.22.12 linux/amd64 (/usr/lib/go-1.22/bin/go)", or why there is none. */
export function goLabel(): string {
  const go = goToolchain();
  return 'missing' in go ? `no Go (${go.missing})` : `${go.text} (${go.bin})`;
}

/** The environment for the go command: local toolchain only, no network, a writable cache under .build by default. */
function goEnv(): NodeJS.ProcessEnv {
  const gocache = process.env.GOCACHE || path.join(REPO, '.build', 'go-cache');
  mkdirSync(gocache, { recursive: true });
  // Standard library only: -mod=readonly (nothing to resolve) and GOPROXY=off keep the build offline.
  return { ...process.env, GOCACHE: gocache, GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local', GOPROXY: 'off', CGO_ENABLED: '0' };
}

/**
 * The Go programs of the module test/interop/go (thin main packages over internal/peer). server and
 * client build with any Go from 1.19 on; ech-client needs Go 1.23, ech-server Go 1.24 (the ECH
 * client used against hush's server, and the ECH server keys).
 */
export type GoProgram = 'server' | 'client' | 'ech-server' | 'ech-client';

const GO_SRC = path.join(REPO, 'test', 'interop', 'go');
/** Built peers, one folder per toolchain and source (see goBuildKey); outside git (.build is ignored). */
const GO_PEERS = path.join(REPO, '.build', 'go-peers');
/** How many other builds .build/go-peers keeps (older toolchains or sources) besides the current one. */
const GO_PEERS_KEEP = 4;

const goBuilds = new Map<string, Promise<string>>();

/**
 * For a before() hook: build the Go programs outside the tests' time limits (a cold GOCACHE takes
 * ~20 s on two idle cores, minutes on a loaded machine: the build may run up to 10 min; a binary
 * already in .build/go-peers takes no time). Never throws: a missing Go or a failed build is
 * reported by the tests that need the program (the failed build promise is kept and rejects there
 * again).
 */
export async function prebuildGo(...programs: GoProgram[]): Promise<void> {
  if (skipInterop || 'missing' in goToolchain()) return;
  for (const p of programs) await buildGoProgram(p).catch(() => undefined);
}

/**
 * The path of test/interop/go/<program> built with goToolchain(), built at most once per process
 * and reused across processes: binaries live in .build/go-peers/<key>/, the key a hash of the
 * toolchain and of every file of the module, so a cached binary is always the current source's.
 *
 * The module uses the standard library only; its go.mod says `go 1.19` so that every toolchain
 * from 1.19 on builds server and client, but a main module's go line also picks its GODEBUG
 * defaults (Go ≥ 1.21): built as it is, Go 1.22 would keep the 1.19 behaviour (e.g. tlsrsakex=1,
 * RSA key exchange in the default suites). So the build uses a copy of go.mod (-modfile) whose go
 * line is the toolchain's own release: the peers behave like programs written for the Go that
 * builds them.
 */
export function buildGoProgram(program: GoProgram): Promise<string> {
  let p = goBuilds.get(program);
  if (!p) {
    p = buildGo(program);
    goBuilds.set(program, p);
  }
  return p;
}

async function buildGo(program: GoProgram): Promise<string> {
  const go = goTool();
  const modText = readFileSync(path.join(GO_SRC, 'go.mod'), 'utf8').replace(/^go \S+$/m, `go ${go.version.major}.${go.version.minor}`);
  const dir = path.join(GO_PEERS, goBuildKey(go, modText));
  const out = path.join(dir, `hush-interop-${program}`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  // Concurrent test processes may build the same program: each writes its own files and renames
  // them into place (atomic; the contents are the same).
  const modfile = path.join(dir, 'go.mod');
  const modTmp = `${modfile}.${process.pid}.tmp`;
  writeFileSync(modTmp, modText);
  renameSync(modTmp, modfile);
  const tmp = `${out}.${process.pid}.tmp`;
  const b = await startProcess(go.bin, ['build', `-modfile=${modfile}`, '-o', tmp, `./${program}`], { cwd: GO_SRC, env: goEnv(), lifetimeMs: 600_000 });
  await new Promise<void>((resolve) => {
    if (b.exited) resolve();
    else b.proc.once('exit', () => resolve());
  });
  try {
    if (b.proc.exitCode !== 0 || !existsSync(tmp)) throw new Error(`go build (${program}, ${go.text}) failed (${b.proc.exitCode}):\n${b.stderr()}`);
    // The binary runs with its toolchain's own defaults: no GODEBUG kept for an older go line.
    const info = execFileSync(go.bin, ['version', '-m', tmp], { encoding: 'utf8', env: goEnv(), timeout: 20_000 });
    const kept = /DefaultGODEBUG=(\S+)/.exec(info);
    if (kept) throw new Error(`go build (${program}, ${go.text}): the binary keeps older GODEBUG defaults (${kept[1]})`);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  pruneGoPeers(dir);
  return out;
}

/** The toolchain, the go line the build uses, and every file of test/interop/go (path and bytes). */
function goBuildKey(go: GoToolchain, modText: string): string {
  const h = createHash('sha256').update(`${go.bin}\0${go.text}\0${modText}\0`);
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(GO_SRC, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) h.update(`${r}\0`).update(readFileSync(path.join(GO_SRC, r))).update('\0');
    }
  };
  walk('.');
  return h.digest('hex').slice(0, 16);
}

/** Remove all but the newest GO_PEERS_KEEP other builds (a running binary is not disturbed: its inode stays). */
function pruneGoPeers(current: string): void {
  const others = readdirSync(GO_PEERS, { withFileTypes: true })
    .filter((e) => e.isDirectory() && path.join(GO_PEERS, e.name) !== current)
    .map((e) => ({ dir: path.join(GO_PEERS, e.name), mtime: statSync(path.join(GO_PEERS, e.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const o of others.slice(GO_PEERS_KEEP)) rmSync(o.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Temp dirs, cleaned at exit

const tempDirs: string[] = [];
let exitHook = false;

/** A fresh directory under os.tmpdir(), removed when the process exits. */
export function tempDir(prefix = 'hush-interop-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(d);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const t of tempDirs) rmSync(t, { recursive: true, force: true });
    });
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// PKI

export interface CertFiles {
  /** PEM: the leaf, followed by any intermediates the server should send. */
  readonly cert: string;
  /** PEM: the leaf only. */
  readonly leaf: string;
  /** PEM private key (PKCS#8). */
  readonly key: string;
}

export type ServerCertKind = 'ecdsa256' | 'ecdsa384' | 'rsa2048' | 'rsaPss2048' | 'ed25519';
export type NegativeCertKind =
  | 'expired'
  | 'notYetValid'
  | 'wrongHost'
  | 'selfSigned'
  | 'unknownCa'
  | 'issuerNotCa'
  | 'wrongEku';

export interface Pki {
  readonly dir: string;
  /** The trusted test CA (ECDSA P-256). */
  readonly ca: { readonly cert: string; readonly key: string };
  /** An untrusted CA that issued `negative.unknownCa`. */
  readonly otherCa: { readonly cert: string; readonly key: string };
  /**
   * Leaves for localhost / 127.0.0.1 (serverAuth) issued by `ca`. rsa2048 has an rsaEncryption key (TLS 1.3
   * signs with rsa_pss_rsae_*), rsaPss2048 an id-RSASSA-PSS key (rsa_pss_pss_*).
   */
  readonly server: Readonly<Record<ServerCertKind, CertFiles>>;
  /** A client certificate (ECDSA P-256, clientAuth) issued by `ca`. */
  readonly client: CertFiles;
  /** Client certificates (clientAuth) issued by `ca`, one per key type. */
  readonly clients: Readonly<Record<'ecdsa256' | 'rsa2048' | 'ed25519', CertFiles>>;
  /** A valid localhost server certificate (P-256) that the trusted CA issued; also the non-CA issuer of `negative.issuerNotCa`. */
  readonly endEntity: CertFiles;
  /** Server certificates that must be rejected (all for localhost unless the name says otherwise). */
  readonly negative: Readonly<Record<NegativeCertKind, CertFiles>>;
}

/**
 * Create the test PKI in `dir`: keys from node:crypto, certificates from hush's own builder
 * (test/pki.ts), written as PEM files for the peers (synchronous; well under a second).
 */
export function makePki(dir: string): Pki {
  const now = Date.now();
  const write = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const files = (name: string, c: TestCert, extraChain: TestCert[] = []): CertFiles => ({
    cert: write(`${name}.pem`, [c, ...extraChain].map((x) => x.pem).join('')),
    leaf: write(`${name}.leaf.pem`, c.pem),
    key: write(`${name}.key`, privateKeyPem(c.key)),
  });
  const makeCa = (name: string, cn: string): { ca: TestCert; files: { cert: string; key: string } } => {
    const ca = testCa(`CN=${cn}`, { notBefore: now - DAY, notAfter: now + 3650 * DAY });
    return { ca, files: { cert: write(`${name}.pem`, ca.pem), key: write(`${name}.key`, privateKeyPem(ca.key)) } };
  };
  const localhost = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
  // Server leaves: basicConstraints CA:FALSE, keyUsage digitalSignature (+ keyEncipherment for RSA), EKU serverAuth.
  const issueTo = (
    kind: TestKeyKind,
    cn: string,
    issuer: TestCert,
    o: { dnsNames?: string[]; ipAddresses?: string[]; extKeyUsage?: string[]; notBefore?: number; notAfter?: number } = {},
  ): TestCert => testCert(generateTestKey(kind), issuer, { subject: `CN=${cn}`, extKeyUsage: ['serverAuth'], ...o });
  const server = (name: string, kind: TestKeyKind, issuer: TestCert, o: Parameters<typeof issueTo>[3] = {}): CertFiles =>
    files(name, issueTo(kind, 'localhost', issuer, { ...localhost, ...o }));
  const clientCert = (name: string, kind: TestKeyKind, cn: string): CertFiles =>
    files(name, issueTo(kind, cn, ca.ca, { extKeyUsage: ['clientAuth'] }));

  const ca = makeCa('ca', 'hush interop test CA');
  const otherCa = makeCa('other-ca', 'hush interop untrusted CA');
  const servers = {
    ecdsa256: server('server-ecdsa256', 'p256', ca.ca),
    ecdsa384: server('server-ecdsa384', 'p384', ca.ca),
    rsa2048: server('server-rsa2048', 'rsa2048', ca.ca),
    rsaPss2048: server('server-rsapss2048', 'rsaPss2048', ca.ca),
    ed25519: server('server-ed25519', 'ed25519', ca.ca),
  };
  const client = clientCert('client', 'p256', 'hush interop client');
  const clients = {
    ecdsa256: client,
    rsa2048: clientCert('client-rsa2048', 'rsa2048', 'hush interop client rsa'),
    ed25519: clientCert('client-ed25519', 'ed25519', 'hush interop client ed25519'),
  };

  // Self-signed leaf (not a CA) for localhost.
  const selfSigned = testCert(generateTestKey('p256'), undefined, { subject: 'CN=localhost', ...localhost, extKeyUsage: ['serverAuth'] });
  // A leaf issued by an end-entity certificate (CA:FALSE) that the trusted CA issued.
  // Its common name is one of its SANs (the 'webpki' profile checks it, BR 7.1.4.3).
  const notCa = issueTo('p256', 'localhost, OU=hush interop end entity', ca.ca, localhost);
  const issuerNotCa = files('issuer-not-ca', issueTo('p256', 'localhost', notCa, localhost), [notCa]);
  const negative = {
    expired: server('expired', 'p256', ca.ca, { notBefore: now - 60 * DAY, notAfter: now - 30 * DAY }),
    notYetValid: server('not-yet-valid', 'p256', ca.ca, { notBefore: now + 30 * DAY, notAfter: now + 60 * DAY }),
    wrongHost: files('wrong-host', issueTo('p256', 'wrong.example', ca.ca, { dnsNames: ['wrong.example'] })),
    selfSigned: files('self-signed', selfSigned),
    unknownCa: server('unknown-ca', 'p256', otherCa.ca),
    issuerNotCa,
    wrongEku: server('wrong-eku', 'p256', ca.ca, { extKeyUsage: ['clientAuth'] }),
  };
  return { dir, ca: ca.files, otherCa: otherCa.files, server: servers, client, clients, endEntity: files('not-a-ca', notCa), negative };
}

let cachedPki: Pki | undefined;

/** The PKI of this test process (made once, in a temp dir removed at exit). */
export function testPki(): Pki {
  cachedPki ??= makePki(tempDir('hush-pki-'));
  return cachedPki;
}

// ---------------------------------------------------------------------------------------------
// Ports and processes

/** A port the OS considers free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolve once a TCP connect to 127.0.0.1:port succeeds; reject after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface Started {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Everything the child wrote to stderr and stdout so far (bounded to the last 64 KiB each). */
  stderr(): string;
  stdout(): string;
  /** True once the child exited. */
  readonly exited: boolean;
  /** SIGTERM the child by PID, SIGKILL after 2 s; resolves when it exited. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Ready once 127.0.0.1:readyPort accepts TCP connections. */
  readyPort?: number;
  /** Ready once stdout or stderr matches. */
  readyRegex?: RegExp;
  /** Readiness timeout (default 10 s). */
  timeoutMs?: number;
  /** Hard limit on the child's lifetime (default 120 s): it is killed after that. */
  lifetimeMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep stdin as a pipe (default: ignore). */
  stdin?: boolean;
}

const running = new Set<Started>();
process.on('exit', () => {
  // Last resort: the test forgot to stop something. Kill only our own children, by PID.
  for (const s of running) if (!s.exited) try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
});

const KEEP = 64 * 1024;

/** Start a child process and wait until it is ready. On failure the child is stopped and its output is in the error. */
export async function startProcess(cmd: string, args: readonly string[], opts: StartOptions = {}): Promise<Started> {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exited = false;
  let exitInfo = '';
  const exitedP = new Promise<void>((resolve) => {
    proc.once('exit', (code, signal) => {
      exited = true;
      exitInfo = `exited with ${code ?? signal}`;
      resolve();
    });
    proc.once('error', (e) => {
      exited = true;
      exitInfo = `failed to start: ${e.message}`;
      resolve();
    });
  });
  proc.stdout!.setEncoding('latin1');
  proc.stderr!.setEncoding('latin1');
  const listeners: (() => void)[] = [];
  proc.stdout!.on('data', (d: string) => {
    out = (out + d).slice(-KEEP);
    for (const l of listeners) l();
  });
  proc.stderr!.on('data', (d: string) => {
    err = (err + d).slice(-KEEP);
    for (const l of listeners) l();
  });
  const life = setTimeout(() => void started.stop(), opts.lifetimeMs ?? 120_000);
  life.unref();
  let stopping: Promise<void> | undefined;
  const started: Started = {
    proc,
    pid: proc.pid ?? -1,
    stderr: () => err,
    stdout: () => out,
    get exited() {
      return exited;
    },
    stop() {
      stopping ??= (async () => {
        clearTimeout(life);
        if (!exited && proc.pid !== undefined) {
          try { process.kill(proc.pid, 'SIGTERM'); } catch { /* already gone */ }
          const t = setTimeout(() => {
            if (!exited && proc.pid !== undefined) try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ }
          }, 2000);
          await exitedP;
          clearTimeout(t);
        }
        running.delete(started);
      })();
      return stopping;
    },
  };
  running.add(started);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const describe = () => `${cmd} ${args.join(' ')}`;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${describe()}: not ready after ${timeoutMs} ms`)), timeoutMs);
      const done = (e?: Error) => {
        clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      };
      void exitedP.then(() => done(new Error(`${describe()}: ${exitInfo} before it was ready`)));
      if (opts.readyRegex) {
        const re = opts.readyRegex;
        const check = () => {
          if (re.test(out) || re.test(err)) done();
        };
        listeners.push(check);
        check();
      } else if (opts.readyPort !== undefined) {
        waitForPort(opts.readyPort, timeoutMs).then(() => done(), (e: Error) => done(e));
      } else {
        done();
      }
    });
  } catch (e) {
    await started.stop();
    throw new Error(`${(e as Error).message}\n--- stderr ---\n${err.slice(-4000)}\n--- stdout ---\n${out.slice(-2000)}`);
  }
  return started;
}

// ---------------------------------------------------------------------------------------------
// Peers (servers)

export interface PeerServer {
  readonly name: PeerName;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The peer's diagnostics (stderr/stdout), for failure messages. */
  log(): string;
  stop(): Promise<void>;
  /** openssl 'stdio' mode only: write to s_server's stdin (a line is sent to the client; "K\n" sends a KeyUpdate). */
  stdin?(text: string): void;
  /** openssl 'stdio' mode only: what s_server printed (the client's data appears here). */
  stdout?(): string;
}

export interface ServerOptions {
  /** PEM cert chain (leaf first) and key files. */
  cert: string;
  key: string;
  /** IANA TLS 1.3 suite names the server accepts (default: all three). */
  suites?: readonly string[];
  /** Group names the server accepts: x25519, secp256r1, secp384r1 (default: all). */
  groups?: readonly string[];
  /** Require a client certificate issued by this CA (PEM file). */
  clientCa?: string;
  /** ALPN protocols the server accepts (it picks the first the client offers, in its own order for openssl). */
  alpn?: readonly string[];
}

const OPENSSL_GROUP: Record<string, string> = { x25519: 'X25519', secp256r1: 'P-256', secp384r1: 'P-384' };
const GNUTLS_GROUP: Record<string, string> = { x25519: 'GROUP-X25519', secp256r1: 'GROUP-SECP256R1', secp384r1: 'GROUP-SECP384R1' };
const GNUTLS_SUITE: Record<string, string> = {
  TLS_AES_128_GCM_SHA256: 'AES-128-GCM',
  TLS_AES_256_GCM_SHA384: 'AES-256-GCM',
  TLS_CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
};

/**
 * `openssl s_server -tls1_3`. Application data mode:
 *   'rev' (default): each line received is sent back reversed (`-rev`); "CLOSE\n" closes.
 *   'www': answers `GET / HTTP/1.0` with a status page.
 *   'stdio': s_server's own loop: what the client sends is printed to stdout, lines written to
 *     `stdin()` are sent to the client, and the one-letter commands work ("K\n": KeyUpdate with
 *     update_requested, "k\n": without).
 * Handles one connection at a time, keeps accepting. Tickets on (stateless).
 */
export async function startOpensslServer(opts: ServerOptions & { mode?: 'rev' | 'www' | 'stdio'; extraArgs?: string[] }): Promise<PeerServer> {
  requirePeer('openssl');
  // Port 0: the OS picks, s_server prints "ACCEPT 127.0.0.1:<port>" (no race with another process).
  const args = ['s_server', '-tls1_3', '-accept', '127.0.0.1:0', '-cert', opts.cert, '-key', opts.key, '-naccept', '1000'];
  // -cert reads only the leaf; send the rest of the file as the chain.
  args.push('-cert_chain', opts.cert);
  if (opts.suites) args.push('-ciphersuites', opts.suites.join(':'));
  if (opts.groups) args.push('-groups', opts.groups.map((g) => OPENSSL_GROUP[g] ?? g).join(':'));
  if (opts.clientCa) args.push('-Verify', '4', '-CAfile', opts.clientCa, '-verify_return_error');
  if (opts.alpn) args.push('-alpn', opts.alpn.join(','));
  if (opts.mode === 'www') args.push('-www');
  else if (opts.mode !== 'stdio') args.push('-rev');
  if (opts.extraArgs) args.push(...opts.extraArgs);
  const stdio = opts.mode === 'stdio';
  const p = await startProcess('openssl', args, { readyRegex: /^ACCEPT 127\.0\.0\.1:\d+$/m, timeoutMs: 10_000, stdin: stdio });
  const port = Number(/^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(p.stdout())![1]);
  return {
    name: 'openssl',
    host: '127.0.0.1',
    port,
    log: () => p.stderr() + p.stdout(),
    stop: () => p.stop(),
    ...(stdio ? { stdin: (text: string) => void p.proc.stdin!.write(text), stdout: () => p.stdout() } : {}),
  };
}

/** `gnutls-serv --echo` restricted to TLS 1.3 (and the given suites/groups via --priority). */
export async function startGnutlsServer(opts: ServerOptions): Promise<PeerServer> {
  requirePeer('gnutls');
  const port = await freePort();
  let prio = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';
  if (opts.suites) prio += ':-CIPHER-ALL' + opts.suites.map((s) => ':+' + (GNUTLS_SUITE[s] ?? s)).join('');
  if (opts.groups) prio += ':-GROUP-ALL' + opts.groups.map((g) => ':+' + (GNUTLS_GROUP[g] ?? g)).join('');
  // NOTE: gnutls-serv has no bind-address option; it listens on all interfaces (we only connect to 127.0.0.1).
  const args = ['--echo', '--crlf', '-p', String(port), '--x509certfile', opts.cert, '--x509keyfile', opts.key, '--priority', prio];
  if (opts.clientCa) args.push('--require-client-cert', '--verify-client-cert', '--x509cafile', opts.clientCa);
  else args.push('--disable-client-cert');
  for (const a of opts.alpn ?? []) args.push('--alpn', a);
  const p = await startProcess('gnutls-serv', args, { readyRegex: /listening on/i, timeoutMs: 10_000 });
  await waitForPort(port, 5000);
  return { name: 'gnutls', host: '127.0.0.1', port, log: () => p.stderr() + p.stdout(), stop: () => p.stop() };
}

/** test/interop/go/server, built by buildGoProgram (standard library only, no network). */
export function buildGoServer(): Promise<string> {
  return buildGoProgram('server');
}

/** The Go crypto/tls echo server (test/interop/go/server). Tickets on. */
export async function startGoServer(opts: ServerOptions): Promise<PeerServer> {
  const bin = await buildGoServer();
  const args = ['-addr', '127.0.0.1:0', '-cert', opts.cert, '-key', opts.key];
  if (opts.suites) args.push('-suites', opts.suites.join(','));
  if (opts.groups) args.push('-groups', opts.groups.join(','));
  if (opts.clientCa) args.push('-client-ca', opts.clientCa);
  if (opts.alpn) args.push('-alpn', opts.alpn.join(','));
  const p = await startProcess(bin, args, { readyRegex: /^LISTENING \d+$/m, timeoutMs: 10_000 });
  const port = Number(/^LISTENING (\d+)$/m.exec(p.stdout())![1]);
  return { name: 'go', host: '127.0.0.1', port, log: () => p.stderr() + p.stdout(), stop: () => p.stop() };
}

const NODE_GROUP: Record<string, string> = { x25519: 'X25519', secp256r1: 'P-256', secp384r1: 'P-384' };

/** An in-process node:tls echo server (TLS 1.3 only). */
export async function startNodeServer(opts: ServerOptions): Promise<PeerServer & { errors: string[]; server: tls.Server }> {
  const errors: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      cert: readFileSync(opts.cert),
      key: readFileSync(opts.key),
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ...(opts.suites ? { ciphers: opts.suites.join(':') } : {}),
      ecdhCurve: (opts.groups ?? ['x25519', 'secp256r1', 'secp384r1']).map((g) => NODE_GROUP[g] ?? g).join(':'),
      ...(opts.clientCa ? { ca: readFileSync(opts.clientCa), requestCert: true, rejectUnauthorized: true } : {}),
      ...(opts.alpn ? { ALPNProtocols: [...opts.alpn] } : {}),
    },
    (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', (e) => errors.push(e.message));
      socket.pipe(socket);
    },
  );
  server.on('tlsClientError', (e) => errors.push(`tlsClientError: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    name: 'node',
    host: '127.0.0.1',
    port,
    errors,
    server,
    log: () => errors.join('\n'),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function startPeer(peer: PeerName, opts: ServerOptions): Promise<PeerServer> {
  switch (peer) {
    case 'openssl':
      return startOpensslServer(opts);
    case 'gnutls':
      return startGnutlsServer(opts);
    case 'go':
      return startGoServer(opts);
    case 'node':
      return startNodeServer(opts);
  }
}

// ---------------------------------------------------------------------------------------------
// The socket pump: a sans-I/O TlsConnection over a real TCP socket

export interface PumpOptions {
  /** Keep received application data (default true); when false, only `onData` sees it. */
  keepData?: boolean;
  /** Called with each application data chunk (a view: copy it to keep it). */
  onData?: (data: Uint8Array) => void;
}

/**
 * Drives a TlsConnection over a net.Socket: socket bytes → receive(), takeOutput() → socket, events
 * collected. Distinguishes a clean close (the peer's close_notify: `closed` event) from a transport
 * EOF without one (`eof && !peerClosed` = truncation).
 */
export class Pump {
  readonly conn: TlsConnection;
  readonly socket: net.Socket;
  readonly events: ConnectionEvent[] = [];
  readonly sessions: SessionTicket[] = [];
  readonly traces: TraceEvent[] = [];
  /** Application data received (when keepData). */
  private chunks: Uint8Array[] = [];
  private chunkBytes = 0;
  /** Total application data bytes received. */
  receivedBytes = 0;
  /** The transport ended (FIN from the peer). */
  eof = false;
  /** The transport ended without the peer's close_notify: the data may be truncated (RFC 8446 §6.1). */
  get truncated(): boolean {
    return this.eof && !this.closeNotify;
  }
  /** The socket closed (either way). */
  socketClosed = false;
  socketError: Error | undefined;
  /** The peer's close_notify arrived. */
  closeNotify = false;
  /** The connection failed (our detection or the peer's alert). */
  error: TlsError | undefined;
  info: HandshakeInfo | undefined;
  keyUpdates = { sent: 0, received: 0 };
  private waiters = new Set<() => void>();
  private readonly opts: PumpOptions;

  constructor(conn: TlsConnection, socket: net.Socket, opts: PumpOptions = {}) {
    this.conn = conn;
    this.socket = socket;
    this.opts = opts;
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => {
      const err = conn.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      if (err && !this.error) this.error = err;
      this.flush();
    });
    socket.on('end', () => {
      this.eof = true;
      this.notify();
    });
    socket.on('error', (e) => {
      this.socketError = e;
      this.notify();
    });
    socket.on('close', () => {
      this.socketClosed = true;
      this.notify();
    });
    socket.on('drain', () => this.notify());
    this.flush();
  }

  /** Send whatever the connection wants to send and process its events. */
  flush(): void {
    const out = this.conn.takeOutput();
    // One socket write per flush: records produced together leave together.
    if (out.length > 0 && !this.socket.destroyed) this.socket.write(concat(out));
    for (const ev of this.conn.takeEvents()) {
      this.events.push(ev);
      switch (ev.type) {
        case 'handshake':
          this.info = ev.info;
          break;
        case 'data':
          this.receivedBytes += ev.data.length;
          this.opts.onData?.(ev.data);
          if (this.opts.keepData ?? true) {
            this.chunks.push(ev.data.slice());
            this.chunkBytes += ev.data.length;
          }
          break;
        case 'session':
          this.sessions.push(ev.ticket);
          break;
        case 'closed':
          this.closeNotify = true;
          break;
        case 'error':
          this.error ??= ev.error;
          break;
        case 'trace':
          this.traces.push(ev.trace);
          break;
        case 'keyUpdate':
          this.keyUpdates[ev.direction]++;
          break;
        default:
          break;
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolve when `pred()` holds (checked on every pump event and every 25 ms); reject on timeout, on a connection error (unless allowed) or if the socket closes first. */
  waitFor(pred: () => boolean, what: string, timeoutMs = 10_000, opts: { allowError?: boolean; allowClose?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (pred()) return finish();
        if (this.error && !opts.allowError) return finish(new Error(`${what}: connection failed: ${this.error.alertName}: ${this.error.message}`));
        if (this.socketClosed && !opts.allowClose) {
          return finish(new Error(`${what}: socket closed first (eof=${this.eof}, close_notify=${this.closeNotify}${this.socketError ? ', ' + this.socketError.message : ''})`));
        }
      };
      const timer = setTimeout(() => finish(new Error(`${what}: timed out after ${timeoutMs} ms (state=${this.conn.state}, received=${this.receivedBytes})`)), timeoutMs);
      // Predicates may also depend on state outside the pump (a child's stdout...): poll as well.
      const poll = setInterval(check, 25);
      const finish = (e?: Error): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
        if (e) reject(e);
        else resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Wait for the handshake to complete; returns its info. */
  async handshake(timeoutMs = 10_000): Promise<HandshakeInfo> {
    await this.waitFor(() => this.info !== undefined, 'handshake', timeoutMs);
    return this.info!;
  }

  /** Queue application data and send it. */
  send(data: Uint8Array | string): void {
    this.conn.write(typeof data === 'string' ? new TextEncoder().encode(data) : data);
    this.flush();
  }

  /** Bytes buffered by the socket and not yet handed to the kernel. */
  get writeBacklog(): number {
    return this.socket.writableLength;
  }

  /** Wait until at least n bytes of application data are held, then take exactly n. */
  async read(n: number, timeoutMs = 10_000): Promise<Uint8Array> {
    if (!(this.opts.keepData ?? true)) throw new Error('read() needs keepData');
    await this.waitFor(() => this.chunkBytes >= n, `read ${n} bytes (have ${this.chunkBytes})`, timeoutMs);
    const all = concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.slice(n);
    this.chunks = rest.length ? [rest] : [];
    this.chunkBytes = rest.length;
    return out;
  }

  /** Take everything received so far. */
  takeReceived(): Uint8Array {
    const all = concat(this.chunks);
    this.chunks = [];
    this.chunkBytes = 0;
    return all;
  }

  /** Send close_notify and half-close the socket. */
  close(): void {
    try {
      this.conn.close();
    } catch {
      /* already closed or failed */
    }
    this.flush();
    if (!this.socket.destroyed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Open a TCP connection to host:port (bounded). */
export function connectTcp(host: string, port: number, timeoutMs = 5000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, allowHalfOpen: true });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`connect ${host}:${port}: timed out`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

/**
 * Connect `conn` to host:port, run `actions` with the pump, and always destroy the socket after.
 * The whole run is bounded by `timeoutMs` (default 20 s).
 */
export async function runClient<T>(
  conn: TlsConnection,
  host: string,
  port: number,
  actions: (pump: Pump) => Promise<T>,
  opts: PumpOptions & { timeoutMs?: number } = {},
): Promise<T> {
  const socket = await connectTcp(host, port);
  const pump = new Pump(conn, socket, opts);
  const timeoutMs = opts.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      actions(pump),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`client run timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    pump.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What a record-level proxy does with each complete TLS record (5-byte header included). */
export type RecordHook = (record: Uint8Array, index: number) => Uint8Array[] | Promise<Uint8Array[]>;

export interface ProxyHooks {
  /** Records from the server to the client (default: forwarded as they are). */
  toClient?: RecordHook;
  /** Records from the client to the server. */
  toServer?: RecordHook;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `target` that reassembles TLS records in both directions and
 * passes each through a hook (which may drop, change, split or add records; it may be async, records
 * stay in order). `hooks` is called once per accepted connection, so hooks can keep per-connection state.
 */
export async function startProxy(
  target: { host: string; port: number },
  hooks: () => ProxyHooks = () => ({}),
): Promise<{ port: number; errors: string[]; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const errors: string[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    const h = hooks();
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    const pipe = (from: net.Socket, to: net.Socket, hook: RecordHook | undefined): void => {
      let buf: Buffer = Buffer.alloc(0);
      let index = 0;
      let chain: Promise<void> = Promise.resolve();
      from.on('data', (b: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, b]) : b;
        const records: Uint8Array[] = [];
        while (buf.length >= 5) {
          const len = 5 + buf.readUInt16BE(3);
          if (buf.length < len) break;
          records.push(new Uint8Array(buf.subarray(0, len)));
          buf = buf.subarray(len);
        }
        for (const rec of records) {
          const i = index++;
          chain = chain.then(async () => {
            const out = hook ? await hook(rec, i) : [rec];
            for (const o of out) if (!to.destroyed) to.write(o);
          }).catch((e: Error) => {
            errors.push(e.message);
            kill();
          });
        }
      });
      from.on('end', () => void chain.then(() => to.end()));
    };
    pipe(client, upstream, h.toServer);
    pipe(upstream, client, h.toClient);
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    errors,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Trust in the test PKI

/** The DER certificates in a PEM file. */
export function pemCertificates(file: string): Uint8Array[] {
  return decodePem(readFileSync(file, 'utf8'))
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);
}

let testTrustCache: TrustStore | undefined;
/** A trust store holding the test CA (made once per process). */
export function testTrust(): TrustStore {
  testTrustCache ??= new TrustStore(pemCertificates(testPki().ca.cert));
  return testTrustCache;
}

// ---------------------------------------------------------------------------------------------
// TLS 1.2 peers (servers): each serves several certificates at once (the suite the client offers
// picks ECDSA or RSA), is restricted to TLS 1.2 unless asked otherwise, and reports each
// connection as the peer itself saw it (version, suite in the peer's own naming, resumed).

export interface Peer12Options {
  /** Certificates (leaf-first chain and key files). openssl takes at most two (-cert, -dcert). */
  certs: readonly { readonly cert: string; readonly key: string }[];
  /** 'tls1.2' (default): the peer speaks TLS 1.2 only; 'any': its defaults (TLS 1.3 and 1.2). */
  versions?: 'tls1.2' | 'any';
  /** TLS 1.2 suites the peer accepts, IANA names (RSA key transport and CBC only when listed). Default: the peer's defaults. */
  suites?: readonly string[];
  /** Session tickets (RFC 5077); default true. With false only session IDs resume (Go: nothing resumes). */
  tickets?: boolean;
  /** openssl only: false → -no_etm (CBC suites MAC-then-encrypt). */
  etm?: boolean;
  /** openssl only: 'stdio' runs s_server's own loop (stdin commands such as "R"; data printed to stdout). Default: -rev. */
  mode?: 'echo' | 'stdio';
}

/** One connection as the peer reported it. */
export interface PeerConnection12 {
  /** As the peer names it: TLSv1.2 / TLS1.2 / ... */
  readonly version: string;
  /** The suite as the peer names it (OpenSSL, GnuTLS or IANA name). */
  readonly suite: string;
  /** Undefined when the peer does not say. */
  readonly resumed: boolean | undefined;
}

export interface PeerServer12 extends PeerServer {
  /** What the peer reported for each connection so far (completed handshakes, in order). */
  connections(): PeerConnection12[];
  /** The echo adds nothing (gnutls, go, node) or reverses each line (openssl -rev). */
  readonly reverses: boolean;
}

/** IANA TLS 1.2 suite name → OpenSSL name (what s_server -cipher and node's ciphers take). */
function opensslSuiteName(iana: string): string {
  const s = suiteByName(iana);
  if (!s || s.version !== 'TLSv1.2') throw new Error(`not a TLS 1.2 suite hush knows: ${iana}`);
  return s.opensslName;
}

/** GnuTLS priority items for a TLS 1.2 suite (key exchange, cipher, MAC). */
function gnutlsSuiteItems(iana: string): { kx: string; cipher: string; mac: string } {
  const m = /^TLS_(ECDHE_ECDSA|ECDHE_RSA|RSA)_WITH_(AES_128|AES_256|CHACHA20)_(GCM|CBC|POLY1305)_(SHA256|SHA384|SHA)$/.exec(iana);
  if (!m) throw new Error(`no GnuTLS priority for ${iana}`);
  const kx = m[1]!.replace('_', '-');
  const cipher = m[2] === 'CHACHA20' ? 'CHACHA20-POLY1305' : `${m[2]!.replace('_', '-')}-${m[3]}`;
  const mac = m[3] === 'CBC' ? (m[4] === 'SHA' ? 'SHA1' : m[4]!) : 'AEAD';
  return { kx, cipher, mac };
}

/** The GnuTLS priority string for a TLS 1.2 server (exactly these suites' parts when given). */
export function gnutlsPriority12(opts: Pick<Peer12Options, 'versions' | 'suites'>): string {
  let p = opts.versions === 'any' ? 'NORMAL:+VERS-TLS1.2:+VERS-TLS1.3' : 'NORMAL:-VERS-ALL:+VERS-TLS1.2';
  if (opts.suites) {
    const items = opts.suites.map(gnutlsSuiteItems);
    const uniq = (xs: string[]): string[] => [...new Set(xs)];
    p += ':-KX-ALL' + uniq(items.map((i) => i.kx)).map((x) => ':+' + x).join('');
    // TLS 1.3 needs its AEADs too when it is allowed.
    const ciphers = uniq([...items.map((i) => i.cipher), ...(opts.versions === 'any' ? ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] : [])]);
    p += ':-CIPHER-ALL' + ciphers.map((x) => ':+' + x).join('');
    p += ':-MAC-ALL' + uniq(['AEAD', ...items.map((i) => i.mac)]).map((x) => ':+' + x).join('');
  }
  return p;
}

/** openssl s_server: TLS 1.2 only unless versions 'any'; two certificates via -cert/-dcert. */
export async function startOpensslServer12(opts: Peer12Options): Promise<PeerServer12> {
  requirePeer('openssl');
  if (opts.certs.length < 1 || opts.certs.length > 2) throw new Error('openssl s_server takes one or two certificates');
  const [a, b] = opts.certs;
  const args = ['s_server', ...(opts.versions === 'any' ? [] : ['-tls1_2']), '-accept', '127.0.0.1:0', '-naccept', '1000',
    '-cert', a!.cert, '-key', a!.key, '-cert_chain', a!.cert];
  if (b) args.push('-dcert', b.cert, '-dkey', b.key, '-dcert_chain', b.cert);
  if (opts.suites) args.push('-cipher', opts.suites.map(opensslSuiteName).join(':'));
  if (opts.tickets === false) args.push('-no_ticket');
  if (opts.etm === false) args.push('-no_etm');
  const stdio = opts.mode === 'stdio';
  if (!stdio) args.push('-rev');
  const p = await startProcess('openssl', args, { readyRegex: /^ACCEPT 127\.0\.0\.1:\d+$/m, timeoutMs: 10_000, stdin: stdio, lifetimeMs: 120_000 });
  const port = Number(/^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(p.stdout())![1]);
  return {
    name: 'openssl',
    host: '127.0.0.1',
    port,
    reverses: !stdio,
    log: () => p.stderr() + p.stdout(),
    stop: () => p.stop(),
    // With -rev s_server reports each connection on stderr: "Protocol version: ...", "Ciphersuite:
    // ..." (not whether it resumed). Its stdio loop prints "CIPHER is ..." (and "Reused session-id")
    // on stdout, flushed with the first data it prints, and no version: with -tls1_2 it can only be TLSv1.2.
    connections: () =>
      stdio
        ? [...p.stdout().matchAll(/^CIPHER is (\S+)$/gm)].map((m) => ({
            version: opts.versions === 'any' ? 'unknown' : 'TLSv1.2',
            suite: m[1]!,
            resumed: undefined,
          }))
        : p.stderr().split(/^CONNECTION ESTABLISHED$/m).slice(1).flatMap((block) => {
            const v = /^Protocol version: (\S+)$/m.exec(block);
            const c = /^Ciphersuite: (\S+)$/m.exec(block);
            return v && c ? [{ version: v[1]!, suite: c[1]!, resumed: undefined }] : [];
          }),
    ...(stdio ? { stdin: (text: string) => void p.proc.stdin!.write(text), stdout: () => p.stdout() } : {}),
  };
}

/** gnutls-serv --echo with a TLS 1.2 priority; several certificates (--x509certfile/--x509keyfile pairs). */
export async function startGnutlsServer12(opts: Peer12Options): Promise<PeerServer12> {
  requirePeer('gnutls');
  const port = await freePort();
  const args = ['--echo', '--crlf', '-p', String(port), '--priority', gnutlsPriority12(opts), '--disable-client-cert'];
  for (const c of opts.certs) args.push('--x509certfile', c.cert, '--x509keyfile', c.key);
  if (opts.tickets === false) args.push('--noticket');
  const p = await startProcess('gnutls-serv', args, { readyRegex: /listening on/i, timeoutMs: 10_000 });
  await waitForPort(port, 5000);
  return {
    name: 'gnutls',
    host: '127.0.0.1',
    port,
    reverses: false,
    log: () => p.stderr() + p.stdout(),
    stop: () => p.stop(),
    // A block per accepted connection: "- Description: (TLS1.2-X.509)-(ECDHE-X25519)-(ECDSA-SHA256)-(AES-128-GCM)",
    // "*** This is a resumed session" when resumed.
    connections: () =>
      (p.stdout() + p.stderr()).split(/^\* Accepted connection/m).slice(1).flatMap((block) => {
        const d = /^- Description: \((TLS1\.[23])[^)]*\)-(.*)$/m.exec(block);
        return d ? [{ version: d[1]!, suite: d[2]!.trim(), resumed: /resumed session/i.test(block) }] : [];
      }),
  };
}

/** The Go echo server (test/interop/go/server) with TLS 1.2 allowed: tickets only (Go keeps no session-ID cache). */
export async function startGoServer12(opts: Peer12Options): Promise<PeerServer12> {
  const bin = await buildGoServer();
  if (opts.certs.length < 1 || opts.certs.length > 2) throw new Error('the Go server takes one or two certificates');
  const [a, b] = opts.certs;
  const args = ['-addr', '127.0.0.1:0', '-cert', a!.cert, '-key', a!.key, '-min-version', '1.2', '-max-version', opts.versions === 'any' ? '1.3' : '1.2'];
  if (b) args.push('-cert2', b.cert, '-key2', b.key);
  if (opts.suites) args.push('-suites', opts.suites.join(','));
  if (opts.tickets === false) args.push('-no-tickets');
  const p = await startProcess(bin, args, { readyRegex: /^LISTENING \d+$/m, timeoutMs: 10_000 });
  const port = Number(/^LISTENING (\d+)$/m.exec(p.stdout())![1]);
  return {
    name: 'go',
    host: '127.0.0.1',
    port,
    reverses: false,
    log: () => p.stderr() + p.stdout(),
    stop: () => p.stop(),
    connections: () =>
      [...p.stderr().matchAll(/handshake ok: version=(\S+) suite=(\S+) resumed=(true|false)/g)].map((m) => ({
        version: m[1]!,
        suite: m[2]!,
        resumed: m[3] === 'true',
      })),
  };
}

/**
 * An in-process node:tls echo server allowing TLS 1.2. With tickets false, session IDs resume
 * through a small in-memory store (node keeps none unless 'newSession'/'resumeSession' are handled).
 */
export async function startNodeServer12(opts: Peer12Options): Promise<PeerServer12 & { server: tls.Server }> {
  const errors: string[] = [];
  const seen: PeerConnection12[] = [];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      cert: opts.certs.map((c) => readFileSync(c.cert)),
      key: opts.certs.map((c) => readFileSync(c.key)),
      minVersion: 'TLSv1.2',
      maxVersion: opts.versions === 'any' ? 'TLSv1.3' : 'TLSv1.2',
      ...(opts.suites ? { ciphers: [...tls.DEFAULT_CIPHERS.split(':').filter((c) => c.startsWith('TLS_')), ...opts.suites.map(opensslSuiteName)].join(':') } : {}),
      ...(opts.tickets === false ? { secureOptions: cryptoConstants.SSL_OP_NO_TICKET } : {}),
    },
    (socket) => {
      sockets.add(socket);
      seen.push({ version: socket.getProtocol() ?? '?', suite: socket.getCipher().name, resumed: socket.isSessionReused() });
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', (e) => errors.push(e.message));
      socket.pipe(socket);
    },
  );
  if (opts.tickets === false) {
    const store = new Map<string, Buffer>();
    server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
      if (store.size < 1000) store.set(id.toString('hex'), data);
      cb();
    });
    server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => {
      cb(null, store.get(id.toString('hex')) ?? null);
    });
  }
  server.on('tlsClientError', (e) => errors.push(`tlsClientError: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    name: 'node',
    host: '127.0.0.1',
    port,
    server,
    reverses: false,
    log: () => errors.join('\n'),
    connections: () => [...seen],
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function startPeer12(peer: PeerName, opts: Peer12Options): Promise<PeerServer12> {
  switch (peer) {
    case 'openssl':
      return startOpensslServer12(opts);
    case 'gnutls':
      return startGnutlsServer12(opts);
    case 'go':
      return startGoServer12(opts);
    case 'node':
      return startNodeServer12(opts);
  }
}
