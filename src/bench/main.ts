// npm run bench [-- --quick] [--json FILE] [--only bulk,handshake,resume,memory,pq] [--reps N]
//   [--suites SUBSTRING,...] [--bulk-mb N] [--hs-ms N] [--connections N] [--no-mixed] [--prof DIR]
//   (--help: the options)
//
// hush against node:tls over 127.0.0.1, in the same run, interleaved (the pairs take turns each
// repetition, in alternating order), reporting medians, the spread of the repetitions and the
// ratio hush/node (the median of the per-repetition ratios). Client and server are two separate
// processes (peer.ts), so each side's CPU time is its own; memory is measured in fresh processes.
// Results: a table on stdout, and JSON lines (default .build/bench-results.jsonl).
// The pq section runs each runtime's peers on that runtime (this Node, and Node 24 from tools/node24
// when installed): hush with the ML-KEM its provider picks there, node:tls where it has the hybrids.
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Impl, TlsVersion } from './endpoints.js';
import type { KemReport } from './kem.js';
import type { BulkResult, ClientTarget, HandshakeResult, Measure, MemorySample, Request } from './peer.js';
import { makeBenchPki, type BenchPki, type CertKind } from './pki.js';
import { median, pairedRatio, spread } from './stats.js';

// ---- what is measured ------------------------------------------------------------------------

/** One client/server pairing: who is the client, who the server. */
interface Pair {
  readonly client: Impl;
  readonly server: Impl;
}
const HUSH: Pair = { client: 'hush', server: 'hush' };
const NODE: Pair = { client: 'node', server: 'node' };
const HUSH_NODE: Pair = { client: 'hush', server: 'node' };
const NODE_HUSH: Pair = { client: 'node', server: 'hush' };
const pairName = (p: Pair): string => (p.client === p.server ? p.client : `${p.client}→${p.server}`);

/**
 * The bulk suites. TLS 1.2 rows are measured when both sides complete a TLS 1.2 handshake with
 * that suite, and reported as skipped otherwise.
 */
interface SuiteSpec {
  readonly label: string;
  readonly version: TlsVersion;
  /** The name both implementations accept in `ciphers` (IANA for 1.3, OpenSSL for 1.2). */
  readonly cipher: string;
  /** The standard name the socket must report. */
  readonly standardName: string;
  readonly cert: CertKind;
  /** In --quick mode too. */
  readonly quick: boolean;
}
const SUITES: readonly SuiteSpec[] = [
  { label: '1.3 AES-128-GCM', version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', cert: 'ecdsa', quick: true },
  { label: '1.3 AES-256-GCM', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', cert: 'ecdsa', quick: false },
  { label: '1.3 CHACHA20', version: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256', standardName: 'TLS_CHACHA20_POLY1305_SHA256', cert: 'ecdsa', quick: true },
  { label: '1.2 ECDHE-ECDSA-AES128-GCM', version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', standardName: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', cert: 'ecdsa', quick: true },
  { label: '1.2 ECDHE-ECDSA-AES256-GCM', version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', standardName: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', cert: 'ecdsa', quick: false },
  { label: '1.2 ECDHE-ECDSA-CHACHA20', version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-CHACHA20-POLY1305', standardName: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', cert: 'ecdsa', quick: false },
];

interface HandshakeSpec {
  readonly label: string;
  readonly cert: CertKind;
  readonly concurrency: number;
  readonly resume: boolean;
}
const HANDSHAKES: readonly HandshakeSpec[] = [
  { label: 'full ECDSA seq', cert: 'ecdsa', concurrency: 1, resume: false },
  { label: 'full ECDSA 8-par', cert: 'ecdsa', concurrency: 8, resume: false },
  { label: 'full RSA seq', cert: 'rsa', concurrency: 1, resume: false },
  { label: 'full RSA 8-par', cert: 'rsa', concurrency: 8, resume: false },
  { label: 'resumed seq', cert: 'ecdsa', concurrency: 1, resume: true },
  { label: 'resumed 8-par', cert: 'ecdsa', concurrency: 8, resume: true },
];

interface Settings {
  readonly quick: boolean;
  readonly reps: number;
  readonly bulkBytes: number;
  readonly handshakeMs: number;
  /** Handshake warm-up per pair before the first handshake row: until V8 has compiled the hot paths. */
  readonly warmupMs: number;
  readonly idleConnections: number;
  readonly memoryReps: number;
  /** Pairs for throughput/handshakes beyond hush/hush and node/node. */
  readonly mixed: boolean;
  readonly only: ReadonlySet<string> | undefined;
  /** Bulk suites whose label contains one of these. */
  readonly suites: readonly string[] | undefined;
  readonly json: string;
  /** ms per ML-KEM operation and candidate (pq section). */
  readonly kemMs: number;
  /** The Node 24 binary for the pq section (node:tls with its default PQ groups; hush on native ML-KEM). */
  readonly node24: string | undefined;
  /** --cpu-prof directory for the client/server peers. */
  readonly prof: string | undefined;
}

const USAGE = `usage: node dist/bench/main.js [options]   (npm run bench -- [options])

hush against node:tls over 127.0.0.1: bulk throughput per suite both ways, full and resumed
handshakes, CPU per side, memory per idle connection and during a transfer; post-quantum (pq):
the ML-KEM candidates through the provider interface and full handshakes with X25519MLKEM768
against x25519, for hush and, where Node 24 is installed, node:tls on Node 24.

  --quick             < 1 min: fewer suites, repetitions, bytes and connections
  --only LIST         sections to run, comma-separated: bulk,handshake,resume,memory,pq (default all)
  --suites LIST       bulk suites whose label contains one of these, e.g. 'CHACHA,1.2 ECDHE-ECDSA-AES128'
  --reps N            repetitions per pair (default 5, quick 3)
  --bulk-mb N         MiB per bulk transfer (default 64, quick 16)
  --hs-ms N           ms per handshake measurement (default 1500, quick 300)
  --warmup-ms N       handshakes per pair for this long before the first handshake row, so that
                      both stacks are measured compiled, not while V8 still optimises them
                      (default 6000, quick 600; ~3000 handshakes reach steady state)
  --connections N     idle connections for the memory section (default 1000, quick 200)
  --no-mixed          skip the hush→node and node→hush pairs
  --json FILE         append JSON lines here (default .build/bench-results.jsonl)
  --prof DIR          run the client and server peers with --cpu-prof, profiles in DIR/client, DIR/server
  --kem-ms N          ms per ML-KEM operation and candidate in the pq section (default 1000, quick 300)
  --node24 PATH       the Node 24 binary for the pq section (default tools/node24/node_modules/.bin/node
                      when installed: npm ci --prefix tools/node24); 'none' to skip it
  -h, --help          this text`;

const FLAGS = new Set(['--quick', '--no-mixed', '--help', '-h']);
const VALUED = new Set(['--only', '--suites', '--reps', '--bulk-mb', '--hs-ms', '--warmup-ms', '--connections', '--json', '--prof', '--node24', '--kem-ms']);

function parseArgs(argv: readonly string[]): Settings {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUED.has(a) && i + 1 < argv.length) i++;
    else if (!FLAGS.has(a)) {
      console.error(`bench: unknown or incomplete option '${a}'\n\n${USAGE}`);
      process.exit(2);
    }
  }
  const quick = argv.includes('--quick');
  const val = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const reps = Number(val('--reps') ?? (quick ? 3 : 5));
  const only = val('--only');
  const suites = val('--suites');
  return {
    quick,
    reps,
    bulkBytes: Math.round(Number(val('--bulk-mb') ?? (quick ? 16 : 64)) * 1024 * 1024),
    handshakeMs: Number(val('--hs-ms') ?? (quick ? 300 : 1500)),
    warmupMs: Number(val('--warmup-ms') ?? (quick ? 600 : 6000)),
    idleConnections: Number(val('--connections') ?? (quick ? 200 : 1000)),
    memoryReps: quick ? 1 : 2,
    mixed: !argv.includes('--no-mixed'),
    only: only ? new Set(only.split(',')) : undefined,
    suites: suites ? suites.split(',') : undefined,
    json: resolve(val('--json') ?? '.build/bench-results.jsonl'),
    prof: val('--prof') === undefined ? undefined : resolve(val('--prof')!),
    node24: val('--node24') === 'none' ? undefined : resolve(val('--node24') ?? NODE24_DEFAULT),
    kemMs: Number(val('--kem-ms') ?? (quick ? 300 : 1000)),
  };
}

// ---- peers -------------------------------------------------------------------------------------

const here = fileURLToPath(import.meta.url);
const isTs = here.endsWith('.ts');
const peerPath = resolve(dirname(here), isTs ? 'peer.ts' : 'peer.js');
/** Where `npm ci --prefix tools/node24` puts Node 24 (from src/bench and from dist/bench alike). */
const NODE24_DEFAULT = resolve(dirname(here), '..', '..', 'tools', 'node24', 'node_modules', '.bin', 'node');

class Peer {
  #child: ChildProcess;
  #next = 1;
  #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(readonly name: string, profDir?: string, execPath?: string) {
    this.#child = fork(peerPath, [], {
      ...(execPath ? { execPath } : {}),
      execArgv: [...(isTs ? ['--import', 'tsx'] : []), '--expose-gc', ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (!w) return;
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`${this.name}: ${m.error}`));
    });
    this.#child.on('exit', (code) => {
      for (const w of this.#waiting.values()) w.reject(new Error(`${this.name} exited (${code})`));
      this.#waiting.clear();
    });
  }

  call<T>(req: Request): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, req });
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.#child.once('exit', () => r()));
    await this.call({ op: 'exit' }).catch(() => {});
    const t = setTimeout(() => this.#child.kill(), 3000);
    await exited;
    clearTimeout(t);
  }
}

/** Servers in one server peer: port per (impl, cert). */
type Ports = Record<Impl, Record<CertKind, number>>;

async function serveAll(server: Peer, pki: BenchPki): Promise<Ports> {
  const ports = { hush: {}, node: {} } as Ports;
  for (const impl of ['hush', 'node'] as const) {
    for (const cert of ['ecdsa', 'rsa'] as const) {
      ports[impl][cert] = (await server.call<{ port: number }>({ op: 'serve', impl, cert, pki })).port;
    }
  }
  return ports;
}

// ---- results -----------------------------------------------------------------------------------

interface Row {
  readonly section: string;
  readonly name: string;
  readonly unit: string;
  /** Higher is better (rates) or lower is better (costs). */
  readonly higherIsBetter: boolean;
  readonly samples: Partial<Record<string, number[]>>;
  /** Minimum hush/node ratio (rates) or maximum (costs) the issue asks for. */
  readonly target?: number;
  note?: string;
}

const rows: Row[] = [];

function row(section: string, name: string, unit: string, higherIsBetter: boolean, target?: number): Row {
  const r: Row = { section, name, unit, higherIsBetter, samples: {}, ...(target !== undefined ? { target } : {}) };
  rows.push(r);
  return r;
}

function add(r: Row, pair: string, v: number): void {
  (r.samples[pair] ??= []).push(v);
}

function ratioOf(r: Row): number {
  return pairedRatio(r.samples.hush ?? [], r.samples.node ?? []);
}

function met(r: Row): boolean | undefined {
  if (r.target === undefined) return undefined;
  const q = ratioOf(r);
  if (!Number.isFinite(q)) return undefined;
  return r.higherIsBetter ? q >= r.target : q <= r.target;
}

const PAIR_COLUMNS = ['hush', 'node', 'hush→node', 'node→hush'];

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function cell(xs: number[] | undefined): string {
  if (!xs || xs.length === 0) return '-';
  return `${fmt(median(xs))} ±${(spread(xs) * 50).toFixed(0)}%`;
}

function printTable(): void {
  const header = ['metric', 'unit', ...PAIR_COLUMNS, 'hush/node', 'target', 'met'];
  const lines: string[][] = [header];
  let section = '';
  // Grouped by section, in the order sections first appear (stable within a section).
  const sections = [...new Set(rows.map((r) => r.section))];
  const sorted = [...rows].sort((a, b) => sections.indexOf(a.section) - sections.indexOf(b.section));
  for (const r of sorted) {
    if (r.section !== section) {
      section = r.section;
      lines.push([`[${section}]`]);
    }
    const q = ratioOf(r);
    const m = met(r);
    const target = r.target === undefined ? '' : `${r.higherIsBetter ? '≥' : '≤'}${r.target}`;
    lines.push([
      r.name, r.unit, ...PAIR_COLUMNS.map((p) => cell(r.samples[p])),
      Number.isFinite(q) ? q.toFixed(2) : '-', target, m === undefined ? '' : m ? 'yes' : 'NO',
      ...(r.note ? [r.note] : []),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.filter((l) => l.length > 1).map((l) => (l[i] ?? '').length)));
  for (const l of lines) {
    if (l.length === 1) console.log(l[0]);
    else console.log(l.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i] ?? 0))).join('  '));
  }
  console.log('±: half the spread (max - min) / median of the repetitions. hush/node: median of per-repetition ratios.');
}

function writeJson(settings: Settings, meta: Record<string, unknown>): void {
  mkdirSync(dirname(settings.json), { recursive: true });
  const lines = [JSON.stringify({ type: 'run', ...meta })];
  for (const r of pqRows) {
    lines.push(JSON.stringify({ type: 'pq', runId: meta.runId, ...r, medians: { hsPerS: median(r.hsPerS), clientMs: median(r.clientMs), serverMs: median(r.serverMs) } }));
  }
  for (const k of kemReports) lines.push(JSON.stringify({ type: 'kem', runId: meta.runId, ...k }));
  for (const r of rows) {
    const medians: Record<string, number> = {};
    for (const [p, xs] of Object.entries(r.samples)) if (xs && xs.length) medians[p] = median(xs);
    lines.push(
      JSON.stringify({
        type: 'result', runId: meta.runId, section: r.section, name: r.name, unit: r.unit, higherIsBetter: r.higherIsBetter,
        medians, spreads: Object.fromEntries(Object.entries(r.samples).map(([p, xs]) => [p, spread(xs ?? [])])),
        ratio: ratioOf(r), target: r.target ?? null, met: met(r) ?? null, samples: r.samples, note: r.note ?? null,
      }),
    );
  }
  appendFileSync(settings.json, lines.join('\n') + '\n');
}

// ---- sections ----------------------------------------------------------------------------------

/** Rep i runs the pairs in order, rep i+1 in reverse (A B, B A, ...), to cancel drift. */
function order<T>(xs: readonly T[], rep: number): readonly T[] {
  return rep % 2 === 0 ? xs : [...xs].reverse();
}

function target(pki: BenchPki, ports: Ports, pair: Pair, cert: CertKind, version: TlsVersion, cipher?: string): ClientTarget {
  return { impl: pair.client, port: ports[pair.server][cert], caPem: pki.caPem, version, cipher };
}

async function bulkSection(s: Settings, pki: BenchPki, client: Peer, server: Peer, ports: Ports): Promise<void> {
  const MB = 1e6;
  for (const suite of SUITES) {
    if (s.suites ? !s.suites.some((x) => suite.label.includes(x)) : s.quick && !suite.quick) continue;
    const pairs: Pair[] = [HUSH, NODE, ...(s.mixed && (!s.quick || suite.label === '1.3 AES-128-GCM') ? [HUSH_NODE, NODE_HUSH] : [])];
    // Probe: every pair must complete a handshake at this version with exactly this suite.
    const usable: Pair[] = [];
    const skipped: string[] = [];
    for (const p of pairs) {
      try {
        const r = await client.call<BulkResult>({ op: 'bulk', target: target(pki, ports, p, suite.cert, suite.version, suite.cipher), dir: 'down', bytes: 1 << 20 });
        if (r.protocol !== suite.version || r.cipher !== suite.standardName) throw new Error(`negotiated ${r.protocol} ${r.cipher}`);
        usable.push(p);
      } catch (e) {
        skipped.push(`${pairName(p)}: ${(e as Error).message.slice(0, 80)}`);
      }
    }
    for (const dir of ['down', 'up'] as const) {
      const arrow = dir === 'down' ? 'server→client' : 'client→server';
      const rate = row('bulk', `${suite.label} ${arrow}`, 'MB/s', true, suite.version === 'TLSv1.3' && !suite.label.includes('256') ? 1.0 : undefined);
      const cliCpu = row('bulk CPU', `${suite.label} ${arrow} client`, 'ms/GB', false);
      const srvCpu = row('bulk CPU', `${suite.label} ${arrow} server`, 'ms/GB', false);
      if (skipped.length) rate.note = `skipped ${skipped.join('; ')}`;
      if (usable.length === 0) continue;
      for (const p of usable) await runBulk(p); // warm-up, not recorded
      for (let rep = 0; rep < s.reps; rep++) {
        for (const p of order(usable, rep)) {
          const r = await runBulk(p);
          const name = pairName(p);
          add(rate, name, s.bulkBytes / MB / (r.client.ms / 1000));
          add(cliCpu, name, r.client.cpuUs / 1000 / (s.bulkBytes / 1e9));
          add(srvCpu, name, r.server.transferCpuUs / 1000 / (r.server.transferBytes / 1e9));
        }
      }
      process.stdout.write(`  bulk ${suite.label} ${arrow}: hush ${fmt(median(rate.samples.hush ?? []))} MB/s, node ${fmt(median(rate.samples.node ?? []))} MB/s\n`);

      async function runBulk(p: Pair): Promise<{ client: BulkResult; server: Measure }> {
        await server.call({ op: 'mark' });
        const c = await client.call<BulkResult>({ op: 'bulk', target: target(pki, ports, p, suite.cert, suite.version, suite.cipher), dir, bytes: s.bulkBytes });
        const m = await server.call<Measure>({ op: 'measure' });
        return { client: c, server: m };
      }
    }
  }
}

let warmedUp = false;

async function handshakeSection(s: Settings, pki: BenchPki, client: Peer, server: Peer, ports: Ports, resumed: boolean): Promise<void> {
  for (const h of HANDSHAKES) {
    if (h.resume !== resumed) continue;
    const pairs: Pair[] = [HUSH, NODE, ...(s.mixed ? [HUSH_NODE, NODE_HUSH] : [])];
    const section = resumed ? 'resumed handshakes' : 'full handshakes (TLS 1.3, x25519, chain+name verified)';
    const rate = row(section, h.label, 'hs/s', true, 0.8);
    const cliCpu = row(section, `${h.label} client CPU`, 'ms/hs', false);
    const srvCpu = row(section, `${h.label} server CPU`, 'ms/hs', false, !resumed ? 1.25 : undefined);
    const run = (p: Pair, ms: number): Promise<[HandshakeResult, Measure]> =>
      (async () => {
        await server.call({ op: 'mark' });
        const c = await client.call<HandshakeResult>({
          op: 'handshakes', target: target(pki, ports, p, h.cert, 'TLSv1.3'), concurrency: h.concurrency, durationMs: ms, resume: h.resume,
        });
        const m = await server.call<Measure>({ op: 'measure' });
        return [c, m];
      })();
    // Warm-up: the peer processes live through every row, so the long warm-up is needed once; a
    // hush server measured 1.4 ms per handshake while V8 was still compiling and 0.8 ms after
    // ~3000 handshakes (node:tls 0.95 → 0.65 ms).
    for (const p of pairs) await run(p, warmedUp ? Math.min(200, s.handshakeMs) : s.warmupMs);
    warmedUp = true;
    const notes: string[] = [];
    for (let rep = 0; rep < s.reps; rep++) {
      for (const p of order(pairs, rep)) {
        const [c, m] = await run(p, s.handshakeMs);
        const name = pairName(p);
        add(rate, name, (c.count / c.ms) * 1000);
        add(cliCpu, name, c.cpuUs / 1000 / Math.max(1, c.count));
        add(srvCpu, name, m.cpuUs / 1000 / Math.max(1, m.handshakes));
        if (h.resume && c.resumed < c.count) notes.push(`${name}: ${c.count - c.resumed}/${c.count} not resumed`);
        if (c.errors) notes.push(`${name}: ${c.errors} errors (${c.firstError})`);
      }
    }
    if (notes.length) rate.note = [...new Set(notes)].slice(0, 3).join('; ');
    process.stdout.write(`  ${h.label}: hush ${fmt(median(rate.samples.hush ?? []))} hs/s, node ${fmt(median(rate.samples.node ?? []))} hs/s\n`);
  }
}

async function memorySection(s: Settings, pki: BenchPki): Promise<void> {
  const n = s.idleConnections;
  const section = `memory (fresh processes, ${n} idle connections)`;
  const srvRss = row(section, 'server RSS per idle conn', 'KB', false, 1.0);
  const srvHeap = row(section, 'server heap per idle conn', 'KB', false, 1.0);
  const cliRss = row(section, 'client RSS per idle conn', 'KB', false, 1.0);
  const cliHeap = row(section, 'client heap per idle conn', 'KB', false, 1.0);
  const peakSrv = row(section, 'server peak RSS, 1.3 AES-128-GCM down+up', 'MB', false);
  const peakCli = row(section, 'client peak RSS, 1.3 AES-128-GCM down+up', 'MB', false);
  const KB = 1024;
  for (let rep = 0; rep < s.memoryReps; rep++) {
    for (const impl of order(['hush', 'node'] as const, rep)) {
      const server = new Peer(`${impl} memory server`);
      const client = new Peer(`${impl} memory client`);
      try {
        const { port } = await server.call<{ port: number }>({ op: 'serve', impl, cert: 'ecdsa', pki });
        const t: ClientTarget = { impl, port, caPem: pki.caPem, version: 'TLSv1.3' };
        // Warm both processes up (code loaded, JIT) with a few connections first.
        await client.call({ op: 'idleOpen', target: t, count: 20 });
        await client.call({ op: 'idleClose' });
        const m0 = await server.call<MemorySample>({ op: 'memory' });
        const c = await client.call<{ before: MemorySample; after: MemorySample }>({ op: 'idleOpen', target: t, count: n });
        const m1 = await server.call<MemorySample>({ op: 'memory' });
        add(srvRss, impl, (m1.rss - m0.rss) / n / KB);
        add(srvHeap, impl, (m1.heapUsed - m0.heapUsed) / n / KB);
        add(cliRss, impl, (c.after.rss - c.before.rss) / n / KB);
        add(cliHeap, impl, (c.after.heapUsed - c.before.heapUsed) / n / KB);
        await client.call({ op: 'idleClose' });
      } finally {
        await client.stop();
        await server.stop();
      }
    }
  }
  // Peak memory during a bulk run, fresh processes per implementation.
  for (let rep = 0; rep < s.memoryReps; rep++) {
    for (const impl of order(['hush', 'node'] as const, rep)) {
      const server = new Peer(`${impl} peak server`);
      const client = new Peer(`${impl} peak client`);
      try {
        const { port } = await server.call<{ port: number }>({ op: 'serve', impl, cert: 'ecdsa', pki });
        const t: ClientTarget = { impl, port, caPem: pki.caPem, version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' };
        await server.call({ op: 'mark', peakRss: true });
        const d = await client.call<BulkResult>({ op: 'bulk', target: t, dir: 'down', bytes: s.bulkBytes, peakRss: true });
        const u = await client.call<BulkResult>({ op: 'bulk', target: t, dir: 'up', bytes: s.bulkBytes, peakRss: true });
        const m = await server.call<Measure>({ op: 'measure' });
        add(peakSrv, impl, m.peakRss / 1e6);
        add(peakCli, impl, Math.max(d.peakRss, u.peakRss) / 1e6);
      } finally {
        await client.stop();
        await server.stop();
      }
    }
  }
}

// ---- post-quantum ------------------------------------------------------------------------------

/**
 * One implementation on one runtime, one client group offer: full TLS 1.3 handshakes (ECDSA P-256,
 * chain and name verified, sequential), the server accepting both groups.
 */
interface PqRow {
  readonly impl: Impl;
  /** process.version of the runtime both peers ran on. */
  readonly runtime: string;
  /** hush: the ML-KEM its default provider uses there (node:crypto or noble); node: OpenSSL's. */
  readonly mlkem: string;
  /** x25519: the client offers X25519 only; pq: X25519MLKEM768 only; default: the implementation's defaults. */
  readonly offer: 'x25519' | 'pq' | 'default';
  /** What the client's getEphemeralKeyInfo() named (checked once before measuring). */
  readonly group: string;
  readonly hsPerS: number[];
  readonly clientMs: number[];
  readonly serverMs: number[];
}

const pqRows: PqRow[] = [];
const kemReports: (KemReport & { runtime: string })[] = [];

const OFFER_CURVE: Record<PqRow['offer'], string> = { x25519: 'X25519', pq: 'X25519MLKEM768', default: 'auto' };
/** The target: PQ full handshakes no slower than OpenSSL's published factor. */
const PQ_TARGET = 1.25;

async function pqSection(s: Settings, pki: BenchPki): Promise<void> {
  const runtimes: { execPath?: string; label: string }[] = [{ label: process.version }];
  let node24Note = '';
  if (s.node24 && existsSync(s.node24)) runtimes.push({ execPath: s.node24, label: 'node24' });
  else node24Note = s.node24 ? `no Node 24 at ${s.node24} (npm ci --prefix tools/node24): node:tls with PQ groups not measured` : 'Node 24 skipped (--node24 none)';
  if (node24Note) console.log(`  pq: ${node24Note}`);
  for (const rt of runtimes) {
    const client = new Peer(`${rt.label} pq client`, undefined, rt.execPath);
    const server = new Peer(`${rt.label} pq server`, undefined, rt.execPath);
    try {
      // The KEM candidates first, in the idle server process (nothing else running).
      const kem = await server.call<KemReport>({ op: 'kem', ms: s.kemMs });
      kemReports.push({ ...kem, runtime: kem.node });
      const runtime = kem.node;
      const nodeHasPq = /^v(\d+)/.exec(runtime) !== null && Number(/^v(\d+)/.exec(runtime)![1]) >= 24;
      // node:tls only where it has the hybrids (Node 24): Node 20's OpenSSL 3.0 has none.
      const impls: Impl[] = nodeHasPq ? ['hush', 'node'] : ['hush'];
      const mine: PqRow[] = [];
      const ports = new Map<Impl, number>();
      for (const impl of impls) {
        // The server with its implementation's default groups (both accept X25519MLKEM768 and x25519).
        const { port } = await server.call<{ port: number }>({ op: 'serve', impl, cert: 'ecdsa', pki, ecdhCurve: 'auto' });
        ports.set(impl, port);
        for (const offer of ['x25519', 'pq', 'default'] as const) {
          const t: ClientTarget = { impl, port, caPem: pki.caPem, version: 'TLSv1.3', ecdhCurve: OFFER_CURVE[offer] };
          const g = await client.call<{ group: string | null }>({ op: 'group', target: t });
          const group = g.group ?? '?';
          if (offer === 'pq' && group !== 'X25519MLKEM768') throw new Error(`${impl} on ${runtime}: offering X25519MLKEM768 negotiated ${group}`);
          if (offer === 'x25519' && group.toLowerCase() !== 'x25519') throw new Error(`${impl} on ${runtime}: offering X25519 negotiated ${group}`);
          mine.push({ impl, runtime, mlkem: impl === 'hush' ? kem.defaultCandidate : `OpenSSL ${kem.openssl}`, offer, group, hsPerS: [], clientMs: [], serverMs: [] });
        }
      }
      const run = async (r: PqRow, ms: number, keep: boolean): Promise<void> => {
        const port = ports.get(r.impl)!;
        await server.call({ op: 'mark' });
        const c = await client.call<HandshakeResult>({
          op: 'handshakes', target: { impl: r.impl, port, caPem: pki.caPem, version: 'TLSv1.3', ecdhCurve: OFFER_CURVE[r.offer] }, concurrency: 1, durationMs: ms, resume: false,
        });
        const m = await server.call<Measure>({ op: 'measure' });
        if (c.errors) throw new Error(`${r.impl} on ${r.runtime} (${r.offer}): ${c.errors} errors (${c.firstError})`);
        if (!keep) return; // warm-up
        r.hsPerS.push((c.count / c.ms) * 1000);
        r.clientMs.push(c.cpuUs / 1000 / Math.max(1, c.count));
        r.serverMs.push(m.cpuUs / 1000 / Math.max(1, m.handshakes));
      };
      // Warm-up (V8 compiles the hot paths, noble's tables are built), then the repetitions with the
      // offers interleaved (A B C, C B A, ...) so that drift cancels in the PQ/x25519 ratios.
      for (const r of mine) await run(r, Math.max(200, Math.min(s.warmupMs, 3000) / mine.length), false);
      for (let rep = 0; rep < s.reps; rep++) for (const r of order(mine, rep)) await run(r, s.handshakeMs, true);
      pqRows.push(...mine);
      for (const impl of impls) {
        const pick = (o: PqRow['offer']): PqRow => mine.find((r) => r.impl === impl && r.offer === o)!;
        const q = pairedRatio(pick('pq').serverMs, pick('x25519').serverMs);
        process.stdout.write(`  pq ${impl} on ${runtime}: x25519 ${fmt(median(pick('x25519').hsPerS))} hs/s, X25519MLKEM768 ${fmt(median(pick('pq').hsPerS))} hs/s; server CPU ×${q.toFixed(2)}\n`);
      }
    } finally {
      await client.stop();
      await server.stop();
    }
  }
}

function printPq(s: Settings): void {
  if (kemReports.length) {
    console.log('\n[ML-KEM-768 through the provider interface: µs per operation, median of 5 rounds]');
    const head = ['runtime', 'candidate', 'keygen', 'encaps', 'decaps', 'KEM client', 'KEM server', 'X25519MLKEM768 client', 'server', 'x25519 client', 'server'];
    const lines: string[][] = [head];
    for (const k of kemReports) {
      for (const t of k.timings) {
        lines.push([
          `${k.node} (OpenSSL ${k.openssl})`, `${t.candidate}${t.candidate === k.defaultCandidate ? ' (hush default)' : ''}`,
          fmt(t.keygenUs), fmt(t.encapsulateUs), fmt(t.decapsulateUs), fmt(t.clientUs), fmt(t.serverUs),
          t.hybrid ? fmt(t.hybrid.clientUs) : '-', t.hybrid ? fmt(t.hybrid.serverUs) : '-', fmt(k.x25519.clientUs), fmt(k.x25519.serverUs),
        ]);
      }
      for (const u of k.unavailable) lines.push([`${k.node}`, `${u.candidate}: ${u.why}`]);
    }
    printColumns(lines, 2);
    console.log('KEM client = keygen + decaps, KEM server = encaps (what one handshake spends on ML-KEM); the hybrid columns are the whole group through the provider.');
  }
  if (pqRows.length) {
    console.log(`\n[post-quantum full handshakes: TLS 1.3, ECDSA P-256 leaf, chain + name verified, sequential; ${s.reps} reps × ${s.handshakeMs} ms]`);
    const head = ['impl', 'runtime', 'ML-KEM', 'client offers', 'group', 'hs/s', 'client ms/hs', 'server ms/hs', 'slower ×', 'server CPU ×', `target ≤${PQ_TARGET}`];
    const lines: string[][] = [head];
    for (const r of pqRows) {
      const base = pqRows.find((b) => b.impl === r.impl && b.runtime === r.runtime && b.offer === 'x25519')!;
      const slower = r === base ? NaN : pairedRatio(base.hsPerS, r.hsPerS);
      const cpu = r === base ? NaN : pairedRatio(r.serverMs, base.serverMs);
      const offer = r.offer === 'default' ? `defaults (${r.impl})` : OFFER_CURVE[r.offer];
      lines.push([
        r.impl, r.runtime, r.mlkem, offer, r.group, cell(r.hsPerS), cell(r.clientMs), cell(r.serverMs),
        Number.isFinite(slower) ? slower.toFixed(2) : '', Number.isFinite(cpu) ? cpu.toFixed(2) : '',
        r.offer === 'pq' ? (slower <= PQ_TARGET ? 'yes' : 'NO') : '',
      ]);
    }
    printColumns(lines, 5);
    console.log('slower ×: x25519 hs/s ÷ this row\'s hs/s (median of per-repetition ratios, client and server on one machine); server CPU ×: server ms/hs ÷ x25519\'s.');
  }
}

/** Columns padded to width; the first `left` left-aligned. */
function printColumns(lines: readonly string[][], left: number): void {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.filter((l) => l.length > 2).map((l) => (l[i] ?? '').length)));
  for (const l of lines) {
    if (l.length <= 2) console.log(l.join('  '));
    else console.log(l.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd());
  }
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const s = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const runId = new Date().toISOString();
  const cpuModel = (() => {
    try {
      return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
    } catch {
      return cpus()[0]?.model;
    }
  })();
  const meta = {
    runId, mode: s.quick ? 'quick' : 'full', node: process.version, cpus: cpus().length, cpuModel,
    code: isTs ? 'src via tsx' : 'dist', reps: s.reps, bulkBytes: s.bulkBytes, handshakeMs: s.handshakeMs, idleConnections: s.idleConnections,
  };
  console.log(`hush bench (${meta.mode}): node ${meta.node}, ${meta.cpus} cpus (${cpuModel}), ${meta.code}, ${s.reps} reps`);
  const pki = makeBenchPki();
  const want = (name: string): boolean => !s.only || s.only.has(name);
  if (want('bulk') || want('handshake') || want('resume')) {
    const client = new Peer('client', s.prof && resolve(s.prof, 'client'));
    const server = new Peer('server', s.prof && resolve(s.prof, 'server'));
    try {
      const ports = await serveAll(server, pki);
      if (want('bulk')) await bulkSection(s, pki, client, server, ports);
      if (want('handshake')) await handshakeSection(s, pki, client, server, ports, false);
      if (want('resume')) await handshakeSection(s, pki, client, server, ports, true);
    } finally {
      await client.stop();
      await server.stop();
    }
  }
  if (want('memory')) await memorySection(s, pki);
  if (want('pq')) await pqSection(s, pki);
  const seconds = (performance.now() - started) / 1000;
  console.log('');
  if (rows.length) printTable();
  if (pqRows.length || kemReports.length) printPq(s);
  writeJson(s, { ...meta, seconds });
  console.log(`\n${seconds.toFixed(0)} s; JSON lines appended to ${s.json}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
