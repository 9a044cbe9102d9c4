// `hush serve [DIR]`: an HTTPS server on hush. With no DIR it serves the connection inspector.
import { appendFileSync, createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { createServer } from '../../node/server.js';
import type { TLSSocket } from '../../node/socket.js';
import { ensureLocalCa, ensureLocalhostCertificate, hushHome } from '../../node/local-ca.js';
import { ArgError, bool, helpText, list, parseArgs, splitList, str, tlsVersionFlag, type FlagSpec } from '../args.js';
import { TracePrinter } from '../trace-printer.js';
import { connectionReport, inspectorPage } from '../inspector.js';
import type { Command } from './command.js';

const FLAGS: FlagSpec[] = [
  { name: 'port', short: 'p', type: 'string', value: 'PORT', help: 'port to listen on (default 8443)' },
  { name: 'host', type: 'string', value: 'ADDR', help: 'address to listen on (default 127.0.0.1)' },
  { name: 'cert', type: 'list', value: 'FILE', help: 'certificate chain (PEM); repeat with --key for several certificates' },
  { name: 'key', type: 'list', value: 'FILE', help: 'private key (PEM) for the --cert at the same position' },
  { name: 'tls-min', type: 'string', value: '1.2|1.3', help: 'lowest TLS version to accept' },
  { name: 'tls-max', type: 'string', value: '1.2|1.3', help: 'highest TLS version to accept' },
  { name: 'ciphers', type: 'string', value: 'LIST', help: 'cipher suites in preference order, comma-separated IANA or OpenSSL names; naming TLS_RSA_WITH_AES_128_GCM_SHA256 turns on RSA key transport' },
  { name: 'groups', type: 'string', value: 'LIST', help: 'key exchange groups, comma-separated (x25519,secp256r1,secp384r1)' },
  { name: 'alpn', type: 'string', value: 'LIST', help: 'ALPN protocols to accept, comma-separated (default http/1.1)' },
  { name: 'client-ca', type: 'string', value: 'FILE', help: 'ask clients for a certificate and verify it against these CAs (PEM)' },
  { name: 'redirect-http', type: 'string', value: 'PORT', help: 'also answer plain HTTP on PORT with a redirect to HTTPS' },
  { name: 'keylog', type: 'string', value: 'FILE', help: 'append TLS secrets to FILE (NSS key log format; also SSLKEYLOGFILE)' },
  { name: 'trace', type: 'boolean', help: 'narrate every handshake on stderr' },
  { name: 'trace-json', type: 'boolean', help: 'the same as JSON lines on stderr' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const DESCRIPTION = `Serves HTTPS through hush's own TLS stack.

Without DIR it serves the connection inspector: / shows your browser the TLS connection it
just made, step by step; /api/connection returns it as JSON; POST /echo returns the body.
With DIR it serves the files in DIR.

Without --cert/--key it uses a local certificate authority created on first run in the hush
home folder ($HUSH_HOME, default ~/.hush) and a certificate for localhost, 127.0.0.1 and ::1.

Examples:
  hush serve                      # inspector on https://localhost:8443/
  hush serve ./public --port 9443
  hush serve --cert site.pem --key site-key.pem --tls-min 1.3 --trace
  hush serve --tls-max 1.2 --trace                  # watch a TLS 1.2 handshake

TLS 1.2 clients get forward-secret ECDHE + AEAD suites; RSA key transport only when named in
--ciphers (it has no forward secrecy); CBC suites are never served.`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

/** Largest POST /echo body we buffer. */
const MAX_ECHO_BODY = 256 * 1024 * 1024;
const HSTS = 'max-age=86400';



function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ArgError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve HTTPS (static files, or the connection inspector) over hush',
  async run(args) {
    let p;
    try {
      p = parseArgs(args, FLAGS);
    } catch (e) {
      console.error(`hush serve: ${(e as Error).message}\nRun 'hush serve --help' for usage.`);
      return 2;
    }
    if (bool(p, 'help')) {
      console.log(helpText('hush serve [DIR] [options]', DESCRIPTION, FLAGS));
      return 0;
    }
    try {
      return await serve(p);
    } catch (e) {
      if (e instanceof ArgError) {
        console.error(`hush serve: ${e.message}`);
        return 2;
      }
      throw e;
    }
  },
};

async function serve(p: ReturnType<typeof parseArgs>): Promise<number> {
  if (p.positional.length > 1) throw new ArgError('expected at most one folder to serve');
  const dir = p.positional[0] === undefined ? undefined : resolve(p.positional[0]);
  if (dir !== undefined) {
    try {
      if (!statSync(dir).isDirectory()) throw new ArgError(`${dir} is not a folder`);
    } catch (e) {
      if (e instanceof ArgError) throw e;
      throw new ArgError(`cannot serve ${dir}: ${(e as Error).message}`);
    }
  }
  const port = Number(str(p, 'port') ?? 8443);
  const host = str(p, 'host') ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgError(`--port must be 0..65535`);

  const certFiles = list(p, 'cert');
  const keyFiles = list(p, 'key');
  if (certFiles.length !== keyFiles.length) throw new ArgError('give one --key for every --cert, in the same order');
  let certs: string[];
  let keys: string[];
  let caNote: ((listening: number) => string) | undefined;
  if (certFiles.length > 0) {
    certs = certFiles.map((f) => readFile(f, '--cert'));
    keys = keyFiles.map((f) => readFile(f, '--key'));
  } else {
    const home = hushHome();
    const ca = ensureLocalCa(home);
    const leaf = ensureLocalhostCertificate(ca);
    certs = [leaf.chainPem];
    keys = [leaf.keyPem];
    caNote = (listening: number): string =>
      `${ca.created ? 'Created a local certificate authority' : 'Using the local certificate authority'} in ${home}\n` +
      `  CA certificate: ${ca.caCertPath}\n` +
      `  Trust it for this server, e.g.:\n` +
      `    curl --cacert ${ca.caCertPath} https://localhost:${listening}/\n` +
      `    npx hush get --cacert ${ca.caCertPath} https://localhost:${listening}/`;
  }
  const clientCa = str(p, 'client-ca');
  const traceMode = bool(p, 'trace-json') ? 'json' : bool(p, 'trace') ? 'text' : 'off';
  const keylogFile = str(p, 'keylog') ?? process.env.SSLKEYLOGFILE;
  const ciphers = splitList(str(p, 'ciphers'));
  const groups = splitList(str(p, 'groups'));
  const minVersion = tlsVersionFlag(str(p, 'tls-min'), 'tls-min');
  const maxVersion = tlsVersionFlag(str(p, 'tls-max'), 'tls-max');

  let tlsServer;
  try {
    tlsServer = createServer({
      cert: certs,
      key: keys,
      ALPNProtocols: splitList(str(p, 'alpn')) ?? ['http/1.1'],
      ...(ciphers ? { ciphers: ciphers.join(':') } : {}),
      ...(groups ? { ecdhCurve: groups.join(':') } : {}),
      ...(minVersion ? { minVersion } : {}),
      ...(maxVersion ? { maxVersion } : {}),
      ...(clientCa ? { ca: readFile(clientCa, '--client-ca'), requestCert: true, rejectUnauthorized: true } : {}),
      trace: traceMode !== 'off',
    });
  } catch (e) {
    throw new ArgError((e as Error).message);
  }

  const http = createHttpServer((req, res) => handle(req, res, dir));
  http.keepAliveTimeout = 5000;
  // One trace printer per connection, so concurrent handshakes stay readable: text lines are
  // prefixed with the connection number, JSON lines carry it as "connection".
  const printers = new WeakMap<object, TracePrinter>();
  let connections = 0;
  const printerFor = (socket: object): TracePrinter => {
    let pr = printers.get(socket);
    if (!pr) {
      const n = ++connections;
      pr = new TracePrinter(traceMode, traceMode === 'json' ? (l) => process.stderr.write(l.replace(/^\{/, `{"connection":${n},`) + '\n') : undefined, `[${n}] `);
      printers.set(socket, pr);
    }
    return pr;
  };
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    // The handshake's 'established' trace event (and the tickets after it) arrive after 'secure',
    // in the same batch of connection events: flush once that batch has been delivered.
    setImmediate(() => printers.get(socket)?.finish());
    http.emit('connection', socket);
  });
  tlsServer.on('tlsClientError', (err: Error, socket?: { remoteAddress?: string }) => {
    if (socket) printers.get(socket)?.finish();
    console.error(`TLS handshake from ${socket?.remoteAddress ?? '?'} failed: ${err.message}`);
  });
  if (traceMode !== 'off') {
    tlsServer.on('trace', (ev: import('../../handshake/trace.js').TraceEvent, socket: object) => printerFor(socket).event(ev));
  }
  if (keylogFile) tlsServer.on('keylog', (line: Buffer) => appendFileSync(keylogFile, line, { mode: 0o600 }));

  await new Promise<void>((ok, fail) => {
    tlsServer.once('error', fail);
    tlsServer.listen(port, host, () => ok());
  });
  const actual = (tlsServer.address() as { port: number }).port;
  const shown = host === '127.0.0.1' || host === '::1' || host === 'localhost' ? 'localhost' : host;

  let redirect: ReturnType<typeof createHttpServer> | undefined;
  const rport = str(p, 'redirect-http');
  if (rport !== undefined) {
    redirect = createHttpServer((req, res) => {
      const h = (req.headers.host ?? shown).replace(/:\d+$/, '');
      res.writeHead(301, { location: `https://${h}:${actual}${req.url ?? '/'}`, 'content-length': '0' });
      res.end();
    });
    await new Promise<void>((ok, fail) => {
      redirect!.once('error', fail);
      redirect!.listen(Number(rport), host, () => ok());
    });
  }

  if (caNote) console.log(caNote(actual));
  // With --port 0 / --redirect-http 0 the OS picks the ports: print the ones actually bound.
  const redirectPort = redirect ? (redirect.address() as { port: number }).port : undefined;
  console.log(`hush serving ${dir ?? 'the connection inspector'} on https://${shown}:${actual}/` + (redirect ? ` (plain HTTP on port ${redirectPort} redirects here)` : ''));
  console.log('Press Ctrl+C to stop.');

  await new Promise<void>((done) => {
    const stop = (): void => {
      tlsServer.close();
      http.close();
      redirect?.close();
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

function log(req: IncomingMessage, res: ServerResponse, bytes: number, started: number): void {
  const s = req.socket as unknown as TLSSocket;
  const info = s.connection?.handshakeInfo;
  const tls = info ? `${info.version} ${info.cipherName} ${info.groupName ?? '-'}${info.resumed ? ' resumed' : ''}` : '-';
  console.log(`${s.remoteAddress ?? '-'} ${req.method} ${req.url} ${res.statusCode} ${bytes}B ${tls} ${Date.now() - started}ms`);
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, started: number): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': type, 'content-length': String(buf.length), 'strict-transport-security': HSTS });
  res.end(buf);
  log(req, res, buf.length, started);
}

function handle(req: IncomingMessage, res: ServerResponse, dir: string | undefined): void {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'https://localhost');
  if (req.method === 'POST' && url.pathname === '/echo') return echo(req, res, started);
  if (dir === undefined) {
    const info = (req.socket as unknown as TLSSocket).connection?.handshakeInfo;
    if (!info) return send(req, res, 500, 'text/plain', 'no TLS connection information\n', started);
    const report = connectionReport(info);
    if (url.pathname === '/api/connection') return send(req, res, 200, 'application/json', JSON.stringify(report, null, 2) + '\n', started);
    if (url.pathname === '/') return send(req, res, 200, 'text/html; charset=utf-8', inspectorPage(report), started);
    return send(req, res, 404, 'text/plain; charset=utf-8', 'not found: the inspector serves /, /api/connection and POST /echo\n', started);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, 'text/plain', 'method not allowed\n', started);
  serveFile(req, res, dir, url.pathname, started);
}

function echo(req: IncomingMessage, res: ServerResponse, started: number): void {
  // Stream the body straight back: bounded memory whatever its size.
  const len = req.headers['content-length'];
  if (len !== undefined && Number(len) > MAX_ECHO_BODY) return send(req, res, 413, 'text/plain', 'body too large\n', started);
  res.writeHead(200, {
    'content-type': req.headers['content-type'] ?? 'application/octet-stream',
    ...(len !== undefined ? { 'content-length': len } : {}),
    'strict-transport-security': HSTS,
  });
  let bytes = 0;
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    if (!res.write(c)) {
      req.pause();
      res.once('drain', () => req.resume());
    }
  });
  req.on('end', () => {
    res.end();
    log(req, res, bytes, started);
  });
}

function serveFile(req: IncomingMessage, res: ServerResponse, root: string, pathname: string, started: number): void {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return send(req, res, 400, 'text/plain', 'bad path\n', started);
  }
  const full = normalize(join(root, rel));
  if (full !== root && !full.startsWith(root + sep)) return send(req, res, 403, 'text/plain', 'forbidden\n', started);
  let path = full;
  try {
    let st = statSync(path);
    if (st.isDirectory()) {
      path = join(path, 'index.html');
      st = statSync(path);
    }
    if (!st.isFile()) throw new Error('not a file');
    res.writeHead(200, {
      'content-type': MIME[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(st.size),
      'strict-transport-security': HSTS,
    });
    if (req.method === 'HEAD') {
      res.end();
      return log(req, res, 0, started);
    }
    createReadStream(path)
      .on('error', () => res.destroy())
      .on('end', () => log(req, res, st.size, started))
      .pipe(res);
  } catch {
    send(req, res, 404, 'text/plain; charset=utf-8', 'not found\n', started);
  }
}
