// One benchmark process (started by main.ts with child_process.fork). It answers requests over
// IPC: serve (start a hush or node:tls server), the client workloads (bulk, handshakes, idle
// connections), and measurements of its own CPU time and memory. Client and server always run
// in two different peer processes, so each side's process.cpuUsage() is its own.
//
// Wire protocol between client and server, after the TLS handshake:
//   server → client: 'R' (ready; also proves the server completed the handshake)
//   client → server: op (1 byte: 'U' upload | 'D' download) + length (6 bytes, big-endian)
//   'U': the client sends length bytes; the server answers 'K' once it counted them all.
//   'D': the server sends length bytes.
import { Buffer } from 'node:buffer';
import { connectClient, startServer, waitForDrain, type BenchSocket, type Impl, type RunningServer, type TlsVersion } from './endpoints.js';
import { measureKems } from './kem.js';
import type { BenchPki, CertKind } from './pki.js';

export const CHUNK = 16 * 1024;
const HEADER = 7;

export interface Cpu {
  /** µs of user + system time. */
  readonly us: number;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Peak RSS while a workload runs, sampled every 10 ms. */
class PeakRss {
  peak = process.memoryUsage.rss();
  #timer = setInterval(() => this.sample(), 10);
  sample(): void {
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
  }
  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.peak;
  }
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

function memory(): MemorySample {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

// ---- server side ----------------------------------------------------------------------------

const servers = new Map<number, RunningServer>();
const serverStats = { handshakes: 0, transferCpuUs: 0, transferBytes: 0 };
let markCpu = cpuNow();
let peakRss: PeakRss | undefined;
const payload = Buffer.alloc(CHUNK, 0x61);

function serveSocket(s: BenchSocket): void {
  serverStats.handshakes++;
  s.on('error', () => {});
  s.write('R');
  let header: Buffer | undefined = Buffer.alloc(0);
  let want = 0;
  let got = 0;
  let cpu0 = 0;
  s.on('data', (chunk: Buffer) => {
    if (header !== undefined) {
      header = Buffer.concat([header, chunk]);
      if (header.length < HEADER) return;
      const op = String.fromCharCode(header[0]!);
      want = header.readUIntBE(1, 6);
      const rest = header.subarray(HEADER);
      header = undefined;
      cpu0 = cpuNow();
      if (op === 'D') {
        void sendBytes(s, want).then(() => {
          serverStats.transferCpuUs = cpuNow() - cpu0;
          serverStats.transferBytes = want;
        }, () => {});
        return;
      }
      chunk = rest;
    }
    got += chunk.length;
    if (want > 0 && got >= want) {
      serverStats.transferCpuUs = cpuNow() - cpu0;
      serverStats.transferBytes = got;
      want = 0;
      s.write('K');
    }
  });
  s.on('end', () => s.end());
}

/** Write `n` bytes in 16 KiB writes, waiting for 'drain' whenever write() says so. */
async function sendBytes(s: BenchSocket, n: number): Promise<void> {
  let sent = 0;
  while (sent < n) {
    const len = Math.min(CHUNK, n - sent);
    const ok = s.write(len === CHUNK ? payload : payload.subarray(0, len));
    sent += len;
    if (!ok && sent < n) {
      await waitForDrain(s);
    }
  }
}

// ---- client side ----------------------------------------------------------------------------

export interface ClientTarget {
  readonly impl: Impl;
  readonly port: number;
  readonly caPem: string;
  readonly version: TlsVersion;
  readonly cipher?: string | undefined;
  /** The client's ecdhCurve (endpoints.ts ClientSpec). */
  readonly ecdhCurve?: string | undefined;
}

/** Connect and wait for the server's 'R'. */
async function open(t: ClientTarget, session?: Buffer, onSession?: (b: Buffer) => void): Promise<BenchSocket> {
  const s = await connectClient({ ...t, session }, onSession);
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer): void => {
      if (b.length === 0) return;
      cleanup();
      if (b.length > 1 || b[0] !== 0x52) reject(new Error('unexpected bytes instead of R'));
      else resolve();
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error('closed before R'));
    };
    const cleanup = (): void => {
      s.off('data', onData);
      s.off('error', onEnd);
      s.off('close', onEnd);
    };
    s.on('data', onData);
    s.once('error', onEnd);
    s.once('close', onEnd);
  });
  // Flowing with no 'data' listener until the caller adds one: idle and handshake-only
  // sockets drain whatever arrives, and end cleanly after end().
  s.on('error', () => {});
  return s;
}

export interface BulkResult {
  readonly ms: number;
  readonly cpuUs: number;
  readonly peakRss: number;
  readonly protocol: string | null;
  readonly cipher: string | undefined;
}

/** `peakRss`: sample RSS during the transfer (costs CPU; the memory section asks for it). */
async function bulk(t: ClientTarget, dir: 'up' | 'down', bytes: number, peakRss = false): Promise<BulkResult> {
  const s = await open(t);
  const protocol = s.getProtocol();
  const c = s.getCipher();
  const cipher = c?.standardName ?? c?.name;
  const header = Buffer.alloc(HEADER);
  header[0] = dir === 'up' ? 0x55 : 0x44;
  header.writeUIntBE(bytes, 1, 6);
  const peak = peakRss ? new PeakRss() : undefined;
  const cpu0 = cpuNow();
  const t0 = performance.now();
  const done = new Promise<void>((resolve, reject) => {
    let got = 0;
    s.on('data', (b: Buffer) => {
      got += b.length;
      if (dir === 'up' ? got >= 1 : got >= bytes) resolve();
    });
    s.once('close', () => reject(new Error('closed during the transfer')));
  });
  s.write(header);
  if (dir === 'up') await sendBytes(s, bytes);
  await done;
  const ms = performance.now() - t0;
  const cpuUs = cpuNow() - cpu0;
  const peakRssBytes = peak?.stop() ?? 0;
  s.end();
  s.destroy();
  return { ms, cpuUs, peakRss: peakRssBytes, protocol, cipher };
}

export interface HandshakeResult {
  readonly count: number;
  readonly resumed: number;
  readonly ms: number;
  readonly cpuUs: number;
  readonly errors: number;
  readonly firstError?: string;
}

async function handshakes(t: ClientTarget, concurrency: number, durationMs: number, resume: boolean): Promise<HandshakeResult> {
  let initial: Buffer | undefined;
  if (resume) {
    const s = await open(t, undefined, (b) => (initial = b));
    // A ticket may follow the handshake by a few ms.
    for (let i = 0; i < 50 && !initial; i++) await new Promise((r) => setTimeout(r, 10));
    s.end();
    if (!initial) throw new Error(`${t.impl} client: no session ticket from the server`);
  }
  let count = 0;
  let resumed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const cpu0 = cpuNow();
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const loop = async (): Promise<void> => {
    let session = initial;
    while (performance.now() < deadline) {
      try {
        const s = await open(t, session, resume ? (b) => (session = b) : undefined);
        count++;
        if (s.isSessionReused()) resumed++;
        s.end();
      } catch (e) {
        errors++;
        firstError ??= (e as Error).message;
        if (errors > 20) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const ms = performance.now() - t0;
  return { count, resumed, ms, cpuUs: cpuNow() - cpu0, errors, ...(firstError ? { firstError } : {}) };
}

/** One connection: the group it negotiated (getEphemeralKeyInfo().name), to check what a row measures. */
async function negotiatedGroup(t: ClientTarget): Promise<{ group: string | null; protocol: string | null }> {
  const s = await open(t);
  const info = (s as unknown as { getEphemeralKeyInfo(): { name?: string } | null }).getEphemeralKeyInfo();
  const r = { group: info?.name ?? null, protocol: s.getProtocol() };
  s.end();
  return r;
}

let idleSockets: BenchSocket[] = [];

async function idleOpen(t: ClientTarget, count: number): Promise<{ before: MemorySample; after: MemorySample }> {
  const before = memory();
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < count) {
      next++;
      idleSockets.push(await open(t));
    }
  };
  await Promise.all(Array.from({ length: 16 }, loop));
  await new Promise((r) => setTimeout(r, 200));
  return { before, after: memory() };
}

async function idleClose(): Promise<void> {
  const list = idleSockets;
  idleSockets = [];
  await Promise.all(
    list.map((s) => new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    })),
  );
}

// ---- requests -------------------------------------------------------------------------------

export type Request =
  | { op: 'serve'; impl: Impl; cert: CertKind; pki: BenchPki; ecdhCurve?: string }
  | { op: 'unserve'; port: number }
  | { op: 'mark'; peakRss?: boolean }
  | { op: 'measure' }
  | { op: 'memory' }
  | { op: 'bulk'; target: ClientTarget; dir: 'up' | 'down'; bytes: number; peakRss?: boolean }
  | { op: 'handshakes'; target: ClientTarget; concurrency: number; durationMs: number; resume: boolean }
  | { op: 'idleOpen'; target: ClientTarget; count: number }
  | { op: 'idleClose' }
  | { op: 'kem'; ms: number }
  | { op: 'group'; target: ClientTarget }
  | { op: 'exit' };

export interface Measure {
  readonly cpuUs: number;
  readonly handshakes: number;
  readonly transferCpuUs: number;
  readonly transferBytes: number;
  readonly peakRss: number;
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'serve': {
      const srv = await startServer({ impl: req.impl, cert: req.cert, ecdhCurve: req.ecdhCurve }, req.pki, serveSocket);
      servers.set(srv.port, srv);
      return { port: srv.port };
    }
    case 'unserve': {
      const srv = servers.get(req.port);
      servers.delete(req.port);
      await srv?.close();
      return {};
    }
    case 'mark':
      markCpu = cpuNow();
      serverStats.handshakes = 0;
      serverStats.transferCpuUs = 0;
      serverStats.transferBytes = 0;
      peakRss?.stop();
      // Sampling RSS every 10 ms costs CPU (~5% of a bulk transfer's): only when asked for.
      peakRss = req.peakRss === true ? new PeakRss() : undefined;
      return {};
    case 'measure': {
      const m: Measure = {
        cpuUs: cpuNow() - markCpu,
        handshakes: serverStats.handshakes,
        transferCpuUs: serverStats.transferCpuUs,
        transferBytes: serverStats.transferBytes,
        peakRss: peakRss?.stop() ?? process.memoryUsage.rss(),
      };
      peakRss = undefined;
      return m;
    }
    case 'memory':
      return memory();
    case 'bulk':
      return bulk(req.target, req.dir, req.bytes, req.peakRss === true);
    case 'handshakes':
      return handshakes(req.target, req.concurrency, req.durationMs, req.resume);
    case 'idleOpen':
      return idleOpen(req.target, req.count);
    case 'idleClose':
      await idleClose();
      return {};
    case 'kem':
      return measureKems(req.ms);
    case 'group':
      return negotiatedGroup(req.target);
    case 'exit':
      setImmediate(() => process.exit(0));
      return {};
  }
}

if (process.send) {
  process.on('message', (msg: { id: number; req: Request }) => {
    handle(msg.req).then(
      (result) => process.send!({ id: msg.id, ok: true, result }),
      (e: unknown) => process.send!({ id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
