// node dist/bench/timeline.js [--mb 256] [--impl hush,node] [--dir down,up] [--suite TLS_AES_128_GCM_SHA256]
//   [--warm N] [--no-perf] [--prof DIR]
//
// The time structure of one bulk transfer per direction, for hush and node:tls: not only CPU but
// how the bytes move. Client and server are two fresh processes (forked from this file); each
// side reports, over the transfer window (header sent/received → last byte):
//   - wall time, CPU time (user+sys), event loop utilisation (perf_hooks), MB/s, CPU s/GB;
//   - application level: write() calls, how many returned false, 'drain' waits and the time
//     spent in them; 'data' events and their sizes (receiver);
//   - hush only, the underlying net.Socket: write() calls and their sizes, how many returned false,
//     its 'drain' events, its 'data' events (reads) and their sizes, the largest writableLength;
//   - both, from the kernel (perf stat tracepoints on the process, unless --no-perf or perf is
//     missing): write/writev/read syscalls, reads that returned data, epoll waits.
// The same 16 KiB writes honouring backpressure as the benchmark (peer.ts).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { connectClient, startServer, waitForDrain, type BenchSocket, type Impl } from './endpoints.js';
import { makeBenchPki, type BenchPki } from './pki.js';

const CHUNK = 16 * 1024;
const HEADER = 7;
const here = fileURLToPath(import.meta.url);
const isTs = here.endsWith('.ts');

// ---- per-side statistics ----------------------------------------------------------------------

/** Size buckets (upper bounds, bytes) for write and read histograms. */
const BUCKETS = [1024, 16 * 1024 + 1024, 64 * 1024 + 4096, 128 * 1024 + 8192, 256 * 1024 + 16384, Infinity];
const BUCKET_NAMES = ['<1K', '≤17K', '≤68K', '≤136K', '≤272K', '>272K'];

class Sizes {
  count = 0;
  bytes = 0;
  readonly hist = BUCKETS.map(() => 0);
  add(n: number): void {
    this.count++;
    this.bytes += n;
    let i = 0;
    while (n > BUCKETS[i]!) i++;
    this.hist[i]!++;
  }
  toJSON(): Record<string, unknown> {
    const h: Record<string, number> = {};
    this.hist.forEach((c, i) => {
      if (c > 0) h[BUCKET_NAMES[i]!] = c;
    });
    return { count: this.count, avg: this.count ? Math.round(this.bytes / this.count) : 0, hist: h };
  }
}

interface SideStats {
  ms: number;
  cpuMs: number;
  elu: number;
  appWrites: number;
  appWritesFalse: number;
  appDrainWaits: number;
  appDrainMs: number;
  appData: Sizes;
  rawWrites?: Sizes;
  rawWritesFalse?: number;
  rawDrains?: number;
  rawReads?: Sizes;
  rawMaxWritableLength?: number;
  kernel?: Record<string, number>;
}

const PERF_EVENTS: readonly [string, string?][] = [
  ['syscalls:sys_enter_write'],
  ['syscalls:sys_enter_writev'],
  ['syscalls:sys_enter_read'],
  ['syscalls:sys_exit_read', 'ret > 0'],
  ['syscalls:sys_enter_epoll_wait'],
  ['syscalls:sys_enter_epoll_pwait'],
];
const PERF_NAMES = ['write', 'writev', 'read', 'read>0', 'epoll_wait', 'epoll_pwait'];

/** perf stat on this process, between start() and stop(); undefined when perf is not usable. */
class KernelCounts {
  #p: ChildProcess | undefined;
  #out = '';
  start(): Promise<void> {
    const args = ['stat', '-x', ',', '-p', String(process.pid)];
    for (const [e, f] of PERF_EVENTS) args.push('-e', e, ...(f ? ['--filter', f] : []));
    try {
      this.#p = spawn('perf', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch {
      return Promise.resolve();
    }
    this.#p.on('error', () => (this.#p = undefined));
    this.#p.stderr!.on('data', (b: Buffer) => (this.#out += b.toString()));
    // perf needs a moment to attach.
    return new Promise((r) => setTimeout(r, 150));
  }
  async stop(): Promise<Record<string, number> | undefined> {
    const p = this.#p;
    if (!p || p.exitCode !== null) return undefined;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGINT');
    await exited;
    const lines = this.#out.split('\n').filter((l) => l.includes('syscalls:'));
    if (lines.length !== PERF_EVENTS.length) return undefined;
    const r: Record<string, number> = {};
    lines.forEach((l, i) => (r[PERF_NAMES[i]!] = Number(l.split(',')[0])));
    return r;
  }
}

/** Counts what happens on a socket (and, for hush, its underlying net.Socket) from now on. */
class Probe {
  readonly st: SideStats;
  #cpu0 = 0;
  #t0 = 0;
  #elu0: EventLoopUtilization | undefined;
  #kernel: KernelCounts | undefined;

  constructor(readonly s: BenchSocket, impl: Impl, perf: boolean) {
    this.st = { ms: 0, cpuMs: 0, elu: 0, appWrites: 0, appWritesFalse: 0, appDrainWaits: 0, appDrainMs: 0, appData: new Sizes() };
    const st = this.st;
    const w = s.write.bind(s) as (b: Buffer) => boolean;
    (s as { write: unknown }).write = (b: Buffer): boolean => {
      const ok = w(b);
      st.appWrites++;
      if (!ok) st.appWritesFalse++;
      return ok;
    };
    s.on('data', (b: Buffer) => st.appData.add(b.length));
    if (impl === 'hush') {
      const raw = (s as unknown as { socket: Duplex }).socket;
      st.rawWrites = new Sizes();
      st.rawReads = new Sizes();
      st.rawWritesFalse = 0;
      st.rawDrains = 0;
      st.rawMaxWritableLength = 0;
      const rw = raw.write.bind(raw) as (b: Uint8Array) => boolean;
      (raw as { write: unknown }).write = (b: Uint8Array): boolean => {
        const ok = rw(b);
        st.rawWrites!.add(b.length);
        if (!ok) st.rawWritesFalse!++;
        if (raw.writableLength > st.rawMaxWritableLength!) st.rawMaxWritableLength = raw.writableLength;
        return ok;
      };
      raw.on('drain', () => st.rawDrains!++);
      raw.on('data', (b: Buffer) => st.rawReads!.add(b.length));
    }
    if (perf) this.#kernel = new KernelCounts();
  }

  async prepare(): Promise<void> {
    await this.#kernel?.start();
  }

  /** Forget what happened so far (the handshake, the header) and start the window. */
  begin(): void {
    const st = this.st;
    st.appWrites = st.appWritesFalse = st.appDrainWaits = st.appDrainMs = 0;
    st.appData = new Sizes();
    if (st.rawWrites) {
      st.rawWrites = new Sizes();
      st.rawReads = new Sizes();
      st.rawWritesFalse = st.rawDrains = st.rawMaxWritableLength = 0;
    }
    this.#elu0 = performance.eventLoopUtilization();
    const u = process.cpuUsage();
    this.#cpu0 = u.user + u.system;
    this.#t0 = performance.now();
  }

  async end(): Promise<SideStats> {
    const st = this.st;
    st.ms = performance.now() - this.#t0;
    const u = process.cpuUsage();
    st.cpuMs = (u.user + u.system - this.#cpu0) / 1000;
    st.elu = performance.eventLoopUtilization(this.#elu0).utilization;
    const k = await this.#kernel?.stop();
    if (k) st.kernel = k;
    return st;
  }
}

/** 16 KiB writes, waiting for 'drain' whenever write() says so (as peer.ts sendBytes). */
async function sendBytes(s: BenchSocket, n: number, st: SideStats): Promise<void> {
  const payload = Buffer.alloc(CHUNK, 0x61);
  let sent = 0;
  while (sent < n) {
    const len = Math.min(CHUNK, n - sent);
    const ok = s.write(len === CHUNK ? payload : payload.subarray(0, len));
    sent += len;
    if (!ok && sent < n) {
      const t = performance.now();
      st.appDrainWaits++;
      await waitForDrain(s);
      st.appDrainMs += performance.now() - t;
    }
  }
}

// ---- child processes ---------------------------------------------------------------------------

type ChildReq =
  | { op: 'serve'; impl: Impl; pki: BenchPki }
  | { op: 'perf'; on: boolean }
  | { op: 'bulk'; impl: Impl; port: number; caPem: string; cipher: string; dir: 'up' | 'down'; bytes: number; perf: boolean }
  | { op: 'last' };

let lastServer: Promise<SideStats> | undefined;
/** Server: count syscalls with perf for the next connections. */
let serverPerf = false;

async function childHandle(req: ChildReq): Promise<unknown> {
  switch (req.op) {
    case 'serve': {
      const srv = await startServer({ impl: req.impl, cert: 'ecdsa' }, req.pki, (s) => {
        s.on('error', () => {});
        const probe = new Probe(s, req.impl, serverPerf);
        let resolveDone!: (v: SideStats) => void;
        lastServer = new Promise((r) => (resolveDone = r));
        void probe.prepare().then(() => s.write('R'));
        let header: Buffer | undefined = Buffer.alloc(0);
        let want = 0;
        let got = 0;
        s.on('data', (chunk: Buffer) => {
          if (header !== undefined) {
            header = Buffer.concat([header, chunk]);
            if (header.length < HEADER) return;
            const op = String.fromCharCode(header[0]!);
            want = header.readUIntBE(1, 6);
            const rest = header.subarray(HEADER);
            header = undefined;
            probe.begin();
            if (op === 'D') {
              void sendBytes(s, want, probe.st).then(() => probe.end().then(resolveDone), () => {});
              return;
            }
            chunk = rest;
          }
          got += chunk.length;
          if (want > 0 && got >= want) {
            want = 0;
            void probe.end().then(resolveDone);
            s.write('K');
          }
        });
        s.on('end', () => s.end());
      });
      return { port: srv.port };
    }
    case 'bulk': {
      const s = await connectClient({ impl: req.impl, port: req.port, caPem: req.caPem, version: 'TLSv1.3', cipher: req.cipher });
      s.on('error', () => {});
      let got = 0;
      let stage: 'R' | 'run' = 'R';
      let onR!: () => void;
      let onDone!: () => void;
      const ready = new Promise<void>((r) => (onR = r));
      const done = new Promise<void>((r) => (onDone = r));
      s.on('data', (b: Buffer) => {
        if (stage === 'R') {
          stage = 'run';
          onR();
          return;
        }
        got += b.length;
        if (req.dir === 'up' ? got >= 1 : got >= req.bytes) onDone();
      });
      const probe = new Probe(s, req.impl, req.perf);
      await ready;
      await probe.prepare();
      const header = Buffer.alloc(HEADER);
      header[0] = req.dir === 'up' ? 0x55 : 0x44;
      header.writeUIntBE(req.bytes, 1, 6);
      probe.begin();
      s.write(header);
      if (req.dir === 'up') await sendBytes(s, req.bytes, probe.st);
      await done;
      const st = await probe.end();
      s.end();
      s.destroy();
      return st;
    }
    case 'perf':
      serverPerf = req.on;
      return {};
    case 'last':
      return lastServer;
  }
}

// ---- parent ---------------------------------------------------------------------------------------

class Child {
  #c: ChildProcess;
  #next = 1;
  #waiting = new Map<number, (m: { ok: boolean; result?: unknown; error?: string }) => void>();
  constructor(prof?: string) {
    const execArgv = [
      ...(isTs ? ['--import', 'tsx'] : []),
      ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []),
      // e.g. --perf-basic-prof, to read JS frames in `perf record`
      ...(process.env.TIMELINE_NODE_ARGS ? process.env.TIMELINE_NODE_ARGS.split(' ') : []),
    ];
    this.#c = fork(here, ['--child'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#c.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      this.#waiting.get(m.id)?.(m);
      this.#waiting.delete(m.id);
    });
  }
  get pid(): number | undefined {
    return this.#c.pid;
  }
  call<T>(req: ChildReq): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, (m) => (m.ok ? resolve(m.result as T) : reject(new Error(m.error))));
      this.#c.send({ id, req });
    });
  }
  /** Ask the child to exit (a profile is written on a clean exit). */
  async stop(): Promise<void> {
    const exited = new Promise<void>((r) => this.#c.once('exit', () => r()));
    this.#c.disconnect();
    const t = setTimeout(() => this.#c.kill(), 5000);
    await exited;
    clearTimeout(t);
  }
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : dflt;
}

function summary(label: string, st: SideStats, bytes: number): string {
  const r: Record<string, unknown> = {
    MBps: Math.round(bytes / 1e6 / (st.ms / 1000)),
    cpuSperGB: +(st.cpuMs / 1000 / (bytes / 1e9)).toFixed(2),
    elu: +st.elu.toFixed(2),
    ms: Math.round(st.ms),
    appWrites: st.appWrites,
    appWritesFalse: st.appWritesFalse,
    drainWaits: st.appDrainWaits,
    drainMs: Math.round(st.appDrainMs),
    appData: st.appData,
    ...(st.rawWrites
      ? { rawWrites: st.rawWrites, rawWritesFalse: st.rawWritesFalse, rawDrains: st.rawDrains, rawMaxWritableLength: st.rawMaxWritableLength, rawReads: st.rawReads }
      : {}),
    ...(st.kernel ? { kernel: st.kernel } : {}),
  };
  return `  ${label}: ${JSON.stringify(r, (_k, v: unknown) => (v instanceof Sizes ? v.toJSON() : v))}`;
}

async function parent(): Promise<void> {
  const bytes = Number(arg('--mb', '256')) * 1024 * 1024;
  const impls = arg('--impl', 'hush,node').split(',') as Impl[];
  const dirs = arg('--dir', 'down,up').split(',') as ('down' | 'up')[];
  const cipher = arg('--suite', 'TLS_AES_128_GCM_SHA256');
  const warm = Number(arg('--warm', '1'));
  const perf = !process.argv.includes('--no-perf');
  const pki = makeBenchPki();
  for (const dir of dirs) {
    for (const impl of impls) {
      const prof = process.argv.includes('--prof') ? arg('--prof', '') : undefined;
      const server = new Child(prof && `${prof}/${impl}-${dir}-server`);
      const client = new Child(prof && `${prof}/${impl}-${dir}-client`);
      try {
        const { port } = await server.call<{ port: number }>({ op: 'serve', impl, pki });
        if (process.env.TIMELINE_NODE_ARGS) console.log(`  pids: server ${server.pid}, client ${client.pid}`);
        // Warm-up transfers (not reported; no perf), then the measured one in the same processes.
        for (let i = 0; i < warm; i++) {
          await client.call({ op: 'bulk', impl, port, caPem: pki.caPem, cipher, dir, bytes: Math.min(bytes, 64 << 20), perf: false });
          await server.call({ op: 'last' });
        }
        await server.call({ op: 'perf', on: perf });
        const c = await client.call<SideStats>({ op: 'bulk', impl, port, caPem: pki.caPem, cipher, dir, bytes, perf });
        const sv = await server.call<SideStats>({ op: 'last' });
        const arrow = dir === 'down' ? 'server→client' : 'client→server';
        console.log(`${impl} ${cipher} ${arrow}, ${bytes / 1048576} MiB`);
        const sender = dir === 'down' ? sv : c;
        const receiver = dir === 'down' ? c : sv;
        console.log(summary(`sender (${dir === 'down' ? 'server' : 'client'})`, sender, bytes));
        console.log(summary(`receiver (${dir === 'down' ? 'client' : 'server'})`, receiver, bytes));
      } finally {
        await Promise.all([server.stop(), client.stop()]);
      }
    }
  }
}

if (process.argv.includes('--child')) {
  process.on('message', (msg: { id: number; req: ChildReq }) => {
    childHandle(msg.req).then(
      (result) => process.send!({ id: msg.id, ok: true, result: JSON.parse(JSON.stringify(result ?? {}, (_k, v: unknown) => (v instanceof Sizes ? v.toJSON() : v))) }),
      (e: unknown) => process.send!({ id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
} else {
  parent().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
