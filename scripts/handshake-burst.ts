// Handshake burst investigation (issue #11): N TLS clients connect at once to a hush or node:tls
// server on 127.0.0.1 (separate processes); every client's outcome is counted, with the phase it
// failed in (before TCP connect, after TCP connect before the handshake completed), together with
// the kernel's TCP counters (ListenOverflows, ListenDrops, syncookies, resets sent) per burst.
//
//   node --import tsx scripts/handshake-burst.ts [--server hush|node] [--clients 2000]
//        [--bursts 5] [--backlog N] [--client node|hush]
//
// Not a test (slow, load-dependent); every burst is bounded (60 s) and the server is a child process
// this script starts and stops.
import tls from 'node:tls';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { makeBenchPki, type BenchPki } from '../src/bench/pki.js';
import { connect as hushConnect, createServer as hushCreateServer } from '../src/node/index.js';

const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: 'hush' },
    client: { type: 'string', default: 'node' },
    clients: { type: 'string', default: '2000' },
    bursts: { type: 'string', default: '5' },
    backlog: { type: 'string' },
    serve: { type: 'boolean', default: false },
  },
});

const BURST_TIMEOUT_MS = 60_000;

// ---- the server process ----------------------------------------------------------------------

type ServerStats = {
  connections: number;
  secure: number;
  errors: Record<string, number>;
  /** ms from the first to the last accepted connection of the burst. */
  acceptSpanMs: number;
  /** The longest the event loop was blocked (ms): the accept queue is not drained meanwhile. */
  maxLoopDelayMs: number;
  /** Server CPU (user + system) during the burst, ms. */
  cpuMs: number;
};

async function serve(): Promise<void> {
  const [msg] = (await once(process, 'message')) as [{ pki: BenchPki; impl: string; backlog?: number }];
  const leaf = msg.pki.leaves.ecdsa;
  const options = { key: leaf.keyPem, cert: leaf.certPem };
  const stats: ServerStats = { connections: 0, secure: 0, errors: {}, acceptSpanMs: 0, maxLoopDelayMs: 0, cpuMs: 0 };
  let cpu = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let firstAccept = 0;
  const onSecure = (s: import('node:stream').Duplex): void => {
    stats.secure++;
    s.on('error', () => {});
    s.resume();
    s.end('x'); // the client waits for it: the server finished its handshake too
  };
  const server = msg.impl === 'hush' ? hushCreateServer(options, onSecure) : tls.createServer(options, onSecure);
  server.on('connection', () => {
    const now = performance.now();
    if (stats.connections++ === 0) firstAccept = now;
    stats.acceptSpanMs = Math.round(now - firstAccept);
  });
  server.on('tlsClientError', (err: Error & { code?: string }) => {
    const k = err.code ?? err.message;
    stats.errors[k] = (stats.errors[k] ?? 0) + 1;
  });
  server.on('error', (e) => {
    console.error('server error', e);
    process.exit(1);
  });
  process.on('message', (m: string) => {
    if (m === 'stats') {
      stats.maxLoopDelayMs = Math.round(loop.max / 1e6);
      const used = process.cpuUsage(cpu);
      stats.cpuMs = Math.round((used.user + used.system) / 1000);
      cpu = process.cpuUsage();
      process.send!({ stats });
      loop.reset();
      stats.connections = 0;
      stats.secure = 0;
      stats.errors = {};
      stats.acceptSpanMs = 0;
    } else if (m === 'exit') {
      server.close();
      process.exit(0);
    }
  });
  if (msg.backlog !== undefined) server.listen(0, '127.0.0.1', msg.backlog);
  else server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send!({ port: (server.address() as AddressInfo).port });
}

// ---- kernel counters ---------------------------------------------------------------------------

const COUNTERS = [
  'TcpExt.ListenOverflows', 'TcpExt.ListenDrops', 'TcpExt.SyncookiesSent', 'TcpExt.SyncookiesRecv',
  'TcpExt.SyncookiesFailed', 'TcpExt.TCPReqQFullDoCookies', 'TcpExt.TCPReqQFullDrop', 'TcpExt.TCPAbortOnData',
  'TcpExt.TCPAbortOnClose', 'TcpExt.EmbryonicRsts', 'Tcp.OutRsts', 'Tcp.AttemptFails', 'Tcp.EstabResets',
];

function kernelCounters(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const file of ['/proc/net/netstat', '/proc/net/snmp']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const lines = text.trim().split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i]!.split(/\s+/);
      const values = lines[i + 1]!.split(/\s+/);
      const prefix = names[0]!.replace(/:$/, '');
      for (let j = 1; j < names.length; j++) out[`${prefix}.${names[j]}`] = Number(values[j]);
    }
  }
  return out;
}

// ---- the client side ---------------------------------------------------------------------------

type Outcome = 'ok' | `before-connect ${string}` | `after-connect ${string}` | 'timeout';

function oneClient(port: number, ca: string, impl: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let tcp = false;
    let done = false;
    const finish = (o: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const options = { host: '127.0.0.1', port, servername: 'localhost', ca };
    const socket = impl === 'hush' ? hushConnect(options) : tls.connect(options);
    const timer = setTimeout(() => finish('timeout'), BURST_TIMEOUT_MS);
    // node:tls: the TLSSocket is the TCP socket; hush: its .socket is.
    const rawSocket = (impl === 'hush' ? (socket as unknown as { socket: import('node:net').Socket }).socket : socket) as import('node:net').Socket;
    rawSocket.once('connect', () => (tcp = true));
    socket.once('data', () => finish('ok'));
    socket.on('error', (e: Error & { code?: string }) => finish(`${tcp ? 'after' : 'before'}-connect ${e.code ?? e.message}`));
    socket.on('close', () => finish(`${tcp ? 'after' : 'before'}-connect closed`));
  });
}

async function main(): Promise<void> {
  const clients = Number(args.clients);
  const bursts = Number(args.bursts);
  const pki = makeBenchPki();
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['--serve'], { execArgv: ['--import', 'tsx'] });
  child.send({ pki, impl: args.server, ...(args.backlog !== undefined ? { backlog: Number(args.backlog) } : {}) });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const somaxconn = readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim();
  console.log(`server ${args.server} on port ${port} (backlog ${args.backlog ?? "listen()'s default"}, somaxconn ${somaxconn}); ` +
    `${bursts} bursts of ${clients} ${args.client} clients`);
  try {
    for (let b = 0; b < bursts; b++) {
      const before = kernelCounters();
      const t0 = performance.now();
      const outcomes = await Promise.all(Array.from({ length: clients }, () => oneClient(port, pki.caPem, args.client!)));
      const ms = Math.round(performance.now() - t0);
      const after = kernelCounters();
      child.send('stats');
      const [{ stats }] = (await once(child, 'message')) as [{ stats: ServerStats }];
      const counts: Record<string, number> = {};
      for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
      const kernel = COUNTERS.map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)] as const).filter(([, v]) => v !== 0);
      console.log(JSON.stringify({ burst: b + 1, ms, clients: counts, server: stats, kernel: Object.fromEntries(kernel) }));
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    child.send('exit');
    await once(child, 'exit');
  }
}

if (args.serve) void serve();
else await main();
