// Helpers for the SERVER interop tests: a hush server in this process that records what it saw on
// every connection, client programs (openssl s_client, gnutls-cli, curl, the Go client) run as
// children with bounded waits, and the Go client build.
//
// Everything started here is stopped by PID (never by name); every wait is bounded.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { createServer as netCreateServer } from 'node:net';
import { ServerConnection } from '../../src/connection/server.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import type { HandshakeInfo } from '../../src/handshake/events.js';
import path from 'node:path';
import { createServer, type Server, type ServerOptions } from '../../src/node/server.js';
import type { TLSSocket } from '../../src/node/socket.js';
import type { TraceEvent } from '../../src/handshake/trace.js';
import { buildGoProgram, Pump } from './peers.js';

// ---------------------------------------------------------------------------------------------
// A recording hush server

/** What the server saw on one connection. */
export interface SeenConnection {
  /** Set when the handshake completed. */
  cipher?: string;
  /** 'TLSv1.3' or 'TLSv1.2'. */
  version?: string;
  /** TLS 1.2: the extended master secret (RFC 7627) was used. */
  extendedMasterSecret?: boolean;
  group?: string;
  /** The scheme the server signed its CertificateVerify with (undefined when resumed). */
  signature?: string;
  resumed?: boolean;
  alpn?: string | false;
  /** The client certificate's subject (when one was sent and verified). */
  clientCertSubject?: string;
  authorized?: boolean;
  /** Trace event names, in order (the server runs with trace on). */
  traces: string[];
  keyUpdates: { sent: number; received: number };
  /** Application bytes echoed back (raw echo) or served (HTTP). */
  bytes: number;
  /** tlsClientError message, when the handshake failed. */
  error?: string;
  /** The alert the server sent or got, when the trace reported one. */
  alerts: string[];
}

export interface HushTestServer {
  readonly server: Server;
  readonly port: number;
  /** Every connection so far, in accept order. */
  readonly seen: SeenConnection[];
  /** Forget the connections seen so far (call before each client). */
  reset(): void;
  /** Connections that completed a handshake. */
  handshakes(): SeenConnection[];
  stop(): Promise<void>;
}

/**
 * A hush createServer() on 127.0.0.1:0. A connection that agreed ALPN 'http/1.1' is served by a
 * node:http handler (GET /api/connection: what the server negotiated, as JSON; POST /echo: the
 * body streamed back); any other connection echoes its bytes. With keyUpdateOnConnect the server
 * sends a KeyUpdate (update_requested) as soon as the handshake completes.
 */
export async function startHushServer(options: ServerOptions, behaviour: { keyUpdateOnConnect?: boolean } = {}): Promise<HushTestServer> {
  const seen: SeenConnection[] = [];
  const sockets = new Set<net.Socket | TLSSocket>();
  const httpServer = http.createServer((req, res) => {
    const socket = req.socket as unknown as TLSSocket;
    const rec = recordOf.get(socket);
    if (req.method === 'GET' && req.url === '/api/connection') {
      const info = socket.handshakeInfo;
      const body = JSON.stringify({
        version: info?.version,
        cipher: info?.cipherName,
        group: info?.groupName,
        signature: info?.localSignatureSchemeName,
        resumed: info?.resumed,
        alpn: info?.alpn,
      });
      if (rec) rec.bytes += body.length;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.end(body);
      return;
    }
    if (req.method === 'POST' && req.url === '/echo') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', ...(req.headers['content-length'] ? { 'content-length': req.headers['content-length'] } : {}) });
      req.on('data', (c: Buffer) => {
        if (rec) rec.bytes += c.length;
        if (!res.write(c)) {
          req.pause();
          res.once('drain', () => req.resume());
        }
      });
      req.on('end', () => res.end());
      return;
    }
    res.writeHead(404, { 'content-length': '0' });
    res.end();
  });
  httpServer.keepAliveTimeout = 2000;
  const recordOf = new WeakMap<TLSSocket, SeenConnection>();
  const server = createServer({ trace: true, ...options });
  server.on('connection', (raw: net.Socket) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
  });
  // 'trace' is emitted per socket before 'secureConnection': make the record on the first event.
  const recordFor = (socket: TLSSocket): SeenConnection => {
    let rec = recordOf.get(socket);
    if (!rec) {
      rec = { traces: [], keyUpdates: { sent: 0, received: 0 }, bytes: 0, alerts: [] };
      recordOf.set(socket, rec);
      seen.push(rec);
      socket.on('keyUpdate', (dir: 'sent' | 'received') => rec!.keyUpdates[dir]++);
    }
    return rec;
  };
  server.on('trace', (ev: TraceEvent, socket: TLSSocket) => {
    const rec = recordFor(socket);
    rec.traces.push(ev.event);
    if (ev.event === 'alert' || ev.event === 'failed') rec.alerts.push(String(ev['alert'] ?? ev['description'] ?? ev.message));
  });
  server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
    recordFor(socket).error = err.message;
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const rec = recordFor(socket);
    const info = socket.handshakeInfo!;
    rec.cipher = info.cipherName;
    rec.version = info.version;
    if (info.extendedMasterSecret !== undefined) rec.extendedMasterSecret = info.extendedMasterSecret;
    rec.group = info.groupName;
    rec.signature = info.localSignatureSchemeName;
    rec.resumed = info.resumed;
    rec.alpn = socket.alpnProtocol ?? false;
    rec.authorized = info.authorized;
    const leaf = info.peerCertificates[0];
    if (leaf) rec.clientCertSubject = leaf.subject.text;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => { /* the client went away; recorded by the test's assertions */ });
    // Server-initiated KeyUpdate asking the client to update too (RFC 8446 §4.6.3).
    if (behaviour.keyUpdateOnConnect) socket.updateKeys(true);
    if (socket.alpnProtocol === 'http/1.1') {
      httpServer.emit('connection', socket);
      return;
    }
    socket.on('data', (d: Buffer) => {
      rec.bytes += d.length;
    });
    socket.pipe(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    seen,
    reset: () => void seen.splice(0),
    handshakes: () => seen.filter((s) => s.cipher !== undefined),
    stop: async () => {
      for (const s of sockets) s.destroy();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Client programs

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Both, for failure messages. */
  output: string;
  ms: number;
}

export interface RunOptions {
  /** Hard limit; the child is SIGKILLed by PID after it (default 15 s). */
  timeoutMs?: number;
  /**
   * Talk to the child over stdin: called with `write`, `waitOut` (resolves once stdout+stderr
   * matches, bounded) and `end` (close stdin). When absent stdin is closed at once.
   */
  interact?: (io: {
    write(text: string): void;
    waitOut(re: RegExp, timeoutMs?: number): Promise<void>;
    end(): void;
  }) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

/** Run a client program to completion (bounded), optionally driving its stdin. */
export async function runTool(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<ToolResult> {
  const started = Date.now();
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  proc.stdout.setEncoding('latin1');
  proc.stderr.setEncoding('latin1');
  proc.stdout.on('data', (d: string) => {
    stdout += d;
    for (const w of [...waiters]) w();
  });
  proc.stderr.on('data', (d: string) => {
    stderr += d;
    for (const w of [...waiters]) w();
  });
  proc.stdin.on('error', () => { /* the child exited first */ });
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
    proc.once('error', (e) => {
      exited = true;
      stderr += `\nfailed to start: ${e.message}`;
      resolve({ code: -1, signal: null });
    });
  });
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const killer = setTimeout(() => {
    if (!exited && proc.pid !== undefined) try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ }
  }, timeoutMs);
  try {
    if (opts.interact) {
      await opts.interact({
        write: (text) => void proc.stdin.write(text),
        end: () => proc.stdin.end(),
        waitOut: (re, ms = 10_000) =>
          new Promise<void>((resolve, reject) => {
            const check = (): void => {
              if (re.test(stdout) || re.test(stderr)) done();
              else if (exited) done(new Error(`${cmd} exited before printing ${re}`));
            };
            const timer = setTimeout(() => done(new Error(`${cmd}: no ${re} after ${ms} ms`)), ms);
            const poll = setInterval(check, 50);
            const done = (e?: Error): void => {
              clearTimeout(timer);
              clearInterval(poll);
              waiters.delete(check);
              if (e) reject(e);
              else resolve();
            };
            waiters.add(check);
            check();
          }),
      });
    } else {
      proc.stdin.end();
    }
  } catch (e) {
    if (!exited && proc.pid !== undefined) try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ }
    await exit;
    clearTimeout(killer);
    throw new Error(`${(e as Error).message}\n--- ${cmd} output ---\n${(stdout + '\n' + stderr).slice(-3000)}`);
  }
  const { code, signal } = await exit;
  clearTimeout(killer);
  return { code, signal, stdout, stderr, output: stdout + '\n' + stderr, ms: Date.now() - started };
}

/** test/interop/go/client, built by buildGoProgram with the harness's Go (peers.ts goToolchain). */
export function buildGoClient(): Promise<string> {
  return buildGoProgram('client');
}

/** A clear failure for a missing client binary (peers.ts covers openssl, gnutls-serv and go). */
export function requireTool(bin: string): void {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, bin))) return;
  }
  throw new Error(`'${bin}' is not installed (CI installs it via .ci/run; set HUSH_SKIP_INTEROP=1 to skip interop tests)`);
}

export const OPENSSL_GROUP: Readonly<Record<string, string>> = { x25519: 'X25519', secp256r1: 'P-256', secp384r1: 'P-384' };
export const GNUTLS_GROUP: Readonly<Record<string, string>> = { x25519: 'GROUP-X25519', secp256r1: 'GROUP-SECP256R1', secp384r1: 'GROUP-SECP384R1' };
export const GNUTLS_SUITE: Readonly<Record<string, string>> = {
  TLS_AES_128_GCM_SHA256: 'AES-128-GCM',
  TLS_AES_256_GCM_SHA384: 'AES-256-GCM',
  TLS_CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
};

/** gnutls priority string: TLS 1.3 only, exactly these suites and groups (in order). */
export function gnutlsPriority(suites: readonly string[] | undefined, groups: readonly string[]): string {
  let p = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';
  if (suites) p += ':-CIPHER-ALL' + suites.map((s) => ':+' + GNUTLS_SUITE[s]!).join('');
  p += ':-GROUP-ALL' + groups.map((g) => ':+' + GNUTLS_GROUP[g]!).join('');
  return p;
}

// ---------------------------------------------------------------------------------------------
// A hush ServerConnection (the sans-I/O core, no node adapter) echoing over real sockets, for
// settings the node adapter does not expose (e.g. requireExtendedMasterSecret: false).

export interface CoreServer {
  readonly port: number;
  /** The handshake of each connection that completed one, in accept order. */
  readonly infos: HandshakeInfo[];
  /** Errors of failed connections. */
  readonly errors: string[];
  stop(): Promise<void>;
}

export async function startCoreServer(config: ServerConfig): Promise<CoreServer> {
  const infos: HandshakeInfo[] = [];
  const errors: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = netCreateServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pump: Pump | undefined;
    let reported = false;
    // Echo: data goes back on the next tick (not from inside the pump's own flush).
    pump = new Pump(new ServerConnection(config), socket, {
      keepData: false,
      onData: (d) => {
        const copy = d.slice();
        queueMicrotask(() => pump?.send(copy));
      },
    });
    const check = setInterval(() => {
      if (pump!.info && !reported) {
        reported = true;
        infos.push(pump!.info);
      }
      if (pump!.error) errors.push(pump!.error.message);
      if (pump!.closeNotify) pump!.close();
      if (pump!.error || pump!.socketClosed) {
        clearInterval(check);
        socket.destroy();
      }
    }, 5);
    socket.on('close', () => clearInterval(check));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    infos,
    errors,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
