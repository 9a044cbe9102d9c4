// `hush serve [DIR]`: an HTTPS server on hush. With no DIR it serves the connection inspector;
// with DIR the files in it (src/cli/serve/static.ts); with --proxy it forwards to a local app
// (src/cli/serve/proxy.ts). HTTP/2 and HTTP/1.1 by ALPN; stopping is src/cli/serve/lifecycle.ts.
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttp2Server, type Http2Session } from 'node:http2';
import { isIP, type Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { createServer } from '../../node/server.js';
import type { TLSSocket } from '../../node/socket.js';
import { ensureLocalCa, ensureLocalhostCertificate, hushHome, issueLocalCertificate } from '../local-ca.js';
import { advertisedConfigList, EchKeyError, ensureEchKeys, httpsRecordLine, serverEchKeys, type EchKeyStore } from '../ech-keys.js';
import { toBase64 } from '../../bytes/util.js';
import { verifyHostname } from '../../x509/hostname.js';
import { ArgError, bool, helpText, list, parseArgs, secondsFlag, splitList, str, tlsVersionFlag, type FlagSpec } from '../args.js';
import { TracePrinter } from '../trace-printer.js';
import { connectionReport, inspectorPage } from '../inspector.js';
import { DOH_PATH, handleDoh, type DnsZone } from '../dns/doh.js';
import { createStaticHandler, type Request, type Response, type StaticHandler } from '../serve/static.js';
import { forward, forwardUpgrade, proxyTarget, type ProxyTarget } from '../serve/proxy.js';
import { GRACE_MS, Lifecycle, onStopSignals } from '../serve/lifecycle.js';
import { handshakeFailureLine } from '../serve/handshake-failure.js';
import { hushErrorOf } from '../../node/node-errors.js';
import type { Command } from './command.js';
import { fetchedStaples, fileStaple, type StapleSet, type StapledChain } from '../serve/ocsp-staple.js';
import { parseCertificates } from '../../x509/certificate.js';
import { equal } from '../../bytes/util.js';

const FLAGS: FlagSpec[] = [
  { name: 'port', short: 'p', type: 'string', value: 'PORT', help: 'port to listen on (default 8443)' },
  { name: 'host', type: 'string', value: 'ADDR', help: 'address to listen on (default 127.0.0.1; anything else puts the server on the network, with a warning)' },
  { name: 'proxy', type: 'string', value: 'URL', help: 'forward every request to a local HTTP app, e.g. http://127.0.0.1:3000 (X-Forwarded-Proto/For/Host, WebSockets)' },
  { name: 'dotfiles', type: 'boolean', help: 'serve files and folders whose name starts with a dot (.env, .git/); refused by default' },
  { name: 'hsts', type: 'optional', value: 'SECONDS', help: `send Strict-Transport-Security (default max-age 86400 = one day); off by default: it binds the whole host, every port` },
  { name: 'cert', type: 'list', value: 'FILE', help: 'certificate chain (PEM); repeat with --key for several certificates' },
  { name: 'key', type: 'list', value: 'FILE', help: 'private key (PEM) for the --cert at the same position' },
  { name: 'tls-min', type: 'string', value: '1.2|1.3', help: 'lowest TLS version to accept' },
  { name: 'tls-max', type: 'string', value: '1.2|1.3', help: 'highest TLS version to accept' },
  { name: 'ciphers', type: 'string', value: 'LIST', help: 'cipher suites in preference order, comma-separated IANA or OpenSSL names; naming TLS_RSA_WITH_AES_128_GCM_SHA256 turns on RSA key transport' },
  { name: 'groups', type: 'string', value: 'LIST', help: 'key exchange groups in preference order, comma-separated (default X25519MLKEM768,x25519,secp256r1,secp384r1; also SecP256r1MLKEM768, SecP384r1MLKEM1024)' },
  { name: 'alpn', type: 'string', value: 'LIST', help: 'ALPN protocols to accept, comma-separated (default h2,http/1.1; --alpn http/1.1 turns HTTP/2 off)' },
  { name: 'ocsp-staple', type: 'string', value: 'FILE', help: 'staple this OCSP response (DER) for the first --cert to clients that ask; re-read when the file changes' },
  { name: 'ocsp-fetch', type: 'boolean', help: "fetch the OCSP response to staple for every --cert from its responder (its AIA URL) and refresh each halfway to its nextUpdate" },
  { name: 'client-ca', type: 'string', value: 'FILE', help: 'ask clients for a certificate and verify it against these CAs (PEM)' },
  { name: 'handshake-timeout', type: 'string', value: 'SECONDS', help: 'close clients that have not finished the TLS handshake after SECONDS (default 10; node:tls waits 120)' },
  { name: 'redirect-http', type: 'string', value: 'PORT', help: 'also answer plain HTTP on PORT with a redirect to HTTPS' },
  { name: 'ech', type: 'boolean', help: 'Encrypted Client Hello with the keys of `hush ech` (made on first use in $HUSH_HOME/ech); prints the ECHConfigList and the DNS HTTPS record to publish' },
  { name: 'keylog', type: 'string', value: 'FILE', help: 'append TLS secrets to FILE (NSS key log format; also SSLKEYLOGFILE)' },
  { name: 'trace', type: 'boolean', help: 'narrate every handshake on stderr' },
  { name: 'trace-json', type: 'boolean', help: 'the same as JSON lines on stderr' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const DESCRIPTION = `Serves HTTPS through hush's own TLS stack, HTTP/2 and HTTP/1.1.

Without DIR it serves the connection inspector: / shows your browser the TLS connection it
just made, step by step; /api/connection returns it as JSON; POST /echo returns the body;
/dns-query answers DNS-over-HTTPS (RFC 8484) for the server's own names (also with --ech in
every mode): A/AAAA the address the client reached (loopback locally) and the HTTPS record
with ech=, so a browser using it as its secure DNS resolver finds the ECH config.
With DIR it serves the files in DIR (Range, ETag/Last-Modified and 304, index.html or a
listing); symlinks that lead outside DIR and dotfiles are refused (--dotfiles serves dotfiles).
With --proxy URL it gives a local HTTP app HTTPS: TLS ends here, requests and WebSockets go on
to the app with X-Forwarded-Proto/For/Host.

Without --cert/--key it uses a local certificate authority created on first run in the hush
home folder ($HUSH_HOME, default ~/.hush) and a certificate for localhost, 127.0.0.1 and ::1.

Ctrl+C stops accepting and lets requests in flight finish (a few seconds at most; exit code 0);
a second Ctrl+C exits at once (exit code 130). A port that cannot be listened on exits with 1.

Examples:
  hush serve                      # inspector on https://localhost:8443/
  hush serve ./public --port 9443
  hush serve --proxy http://127.0.0.1:3000          # HTTPS in front of your dev server
  hush serve ./public --redirect-http 8080 --hsts   # http://localhost:8080 redirects, HSTS on
  hush serve --cert site.pem --key site-key.pem --tls-min 1.3 --trace
  hush serve --tls-max 1.2 --trace                  # watch a TLS 1.2 handshake
  hush serve --ech --trace                          # Encrypted Client Hello (see hush ech)

OCSP stapling: with --ocsp-staple FILE or --ocsp-fetch, clients that send status_request get the
response in the TLS 1.3 Certificate entry or the TLS 1.2 CertificateStatus message. Each --cert
file stapled (the first with --ocsp-staple, every one with --ocsp-fetch) must hold the issuer after the leaf (the response is checked against both before it is
stapled; a stale or foreign response is never sent).

TLS 1.2 clients get forward-secret ECDHE + AEAD suites; RSA key transport only when named in
--ciphers (it has no forward secrecy); CBC suites are never served.`;

/** Largest POST /echo body we buffer. */
const MAX_ECHO_BODY = 256 * 1024 * 1024;
/** hush serve's handshake deadline unless --handshake-timeout says otherwise. */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** --hsts without a value: one day. */
const DEFAULT_HSTS_SECONDS = 86400;

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
      if (e instanceof ListenError || e instanceof EchKeyError) {
        console.error(`hush serve: ${e.message}`);
        return 1;
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
  const port = portFlag(str(p, 'port') ?? '8443', 'port');
  const handshakeTimeout = secondsFlag(str(p, 'handshake-timeout'), 'handshake-timeout') ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const host = str(p, 'host') ?? '127.0.0.1';

  // Headers on every response: HSTS only when asked (it binds the whole host name in the browser,
  // every port: each http://localhost dev server would be forced to https).
  const hstsFlag = p.flags.get('hsts');
  const extraHeaders: Record<string, string> = {};
  if (hstsFlag !== undefined) {
    const seconds = hstsFlag === true ? DEFAULT_HSTS_SECONDS : Number(hstsFlag);
    if (!Number.isInteger(seconds) || seconds < 0) throw new ArgError(`--hsts takes a number of seconds (--hsts=86400), not '${String(hstsFlag)}'`);
    extraHeaders['strict-transport-security'] = `max-age=${seconds}`;
  }
  const proxyValue = str(p, 'proxy');
  if (proxyValue !== undefined && dir !== undefined) throw new ArgError('give either a folder to serve or --proxy, not both');
  let target: ProxyTarget | undefined;
  if (proxyValue !== undefined) {
    try {
      target = proxyTarget(proxyValue, extraHeaders);
    } catch (e) {
      throw new ArgError((e as Error).message);
    }
  }
  const alpn = splitList(str(p, 'alpn')) ?? ['h2', 'http/1.1'];
  const redirectValue = str(p, 'redirect-http');
  const redirectPortWanted = redirectValue === undefined ? undefined : portFlag(redirectValue, 'redirect-http');

  const certFiles = list(p, 'cert');
  const keyFiles = list(p, 'key');
  if (certFiles.length !== keyFiles.length) throw new ArgError('give one --key for every --cert, in the same order');
  let certs: string[];
  let keys: string[];
  let caNote: ((listening: number) => string) | undefined;
  // Encrypted Client Hello: the keys in $HUSH_HOME/ech, and the public names they show.
  const ech: EchKeyStore | undefined = bool(p, 'ech') ? ensureEchKeys(hushHome()) : undefined;
  const publicNames = [...new Set((ech?.keys ?? []).map((k) => k.config.contents.publicName))];
  if (certFiles.length > 0) {
    certs = certFiles.map((f) => readFile(f, '--cert'));
    keys = keyFiles.map((f) => readFile(f, '--key'));
    for (const name of publicNames) {
      if (!certs.some((pem) => certificateNames(pem, name))) {
        console.error(`Warning: no --cert is valid for the ECH public name ${name}: a client whose ECH is rejected cannot authenticate us and take the retry configs.`);
      }
    }
  } else {
    const home = hushHome();
    const ca = ensureLocalCa(home);
    const leaf = ensureLocalhostCertificate(ca);
    certs = [leaf.chainPem];
    keys = [leaf.keyPem];
    // RFC 9849 §6.1.6: a client whose ECH is rejected authenticates the outer handshake as the public name.
    for (const name of publicNames) {
      const pub = issueLocalCertificate(ca, [name], undefined, undefined, { label: name });
      certs.push(pub.chainPem);
      keys.push(pub.keyPem);
    }
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

  const staple = stapleSource(p, certs, certFiles);
  if (staple?.ready) await staple.ready;

  let tlsServer;
  try {
    tlsServer = createServer({
      ...(staple ? { ocspStaple: (leaf: Uint8Array) => staple.get(leaf) } : {}),
      cert: certs,
      key: keys,
      ALPNProtocols: alpn,
      ...(ciphers ? { ciphers: ciphers.join(':') } : {}),
      ...(groups ? { ecdhCurve: groups.join(':') } : {}),
      ...(minVersion ? { minVersion } : {}),
      ...(maxVersion ? { maxVersion } : {}),
      ...(clientCa ? { ca: readFile(clientCa, '--client-ca'), requestCert: true, rejectUnauthorized: true } : {}),
      trace: traceMode !== 'off',
      // Shorter than node's 120 s: a local server has no slow links to wait for, and an idle or
      // slow-drip client should not hold a connection for two minutes.
      handshakeTimeout,
      ...(ech ? { ech: { keys: serverEchKeys(ech) } } : {}),
    });
  } catch (e) {
    staple?.stop();
    throw new ArgError((e as Error).message);
  }
  // The staples' fetches end with the server (and so does every exit path below).
  tlsServer.on('close', () => staple?.stop());

  let staticHandler: StaticHandler | undefined;
  try {
    staticHandler = dir === undefined ? undefined : await createStaticHandler({ root: dir, dotfiles: bool(p, 'dotfiles'), headers: extraHeaders });
  } catch (e) {
    staple?.stop();
    throw e;
  }
  const life = new Lifecycle();
  // HTTP/2 sessions → the hush socket under them (node:http2 wraps a non-native stream in its own
  // socket object, so req.socket does not lead back to the TLSSocket).
  const sessionSockets = new WeakMap<object, TLSSocket>();
  let accepting: TLSSocket | undefined;
  const ctx: HandlerContext = { staticHandler, target, headers: extraHeaders, lifecycle: life, socketOf: () => undefined };
  ctx.socketOf = (req) => ('stream' in req && req.stream ? sessionSockets.get(req.stream.session as object) : (req.socket as unknown as TLSSocket));

  const http1 = createHttpServer((req, res) => handle(req, res, ctx));
  http1.keepAliveTimeout = 5000;
  // node:http tracks its connections (closeIdleConnections(), headersTimeout, requestTimeout) only
  // from its 'listening' event on; this server is fed sockets and never listens itself.
  http1.emit('listening');
  // HTTP/2 over hush sockets: node:http2's compatibility API on a plain server, fed the sockets
  // whose ALPN is h2 (createSecureServer would want node's own TLS).
  const h2 = createHttp2Server({}, (req, res) => handle(req, res, ctx));
  h2.on('session', (session: Http2Session) => {
    if (accepting) sessionSockets.set(session, accepting);
    life.trackSession(session);
    session.on('error', () => session.destroy());
  });
  if (target) {
    const t = target;
    http1.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const started = Date.now();
      const c = clientOf(req.socket as unknown as TLSSocket);
      forwardUpgrade(t, req, socket, head, c, (status) => logLine(req, status, 0, started, c));
    });
  }

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
  tlsServer.on('connection', (raw: Socket) => life.trackSocket(raw));
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    // The handshake's 'established' trace event (and the tickets after it) arrive after 'secure',
    // in the same batch of connection events: flush once that batch has been delivered.
    setImmediate(() => printers.get(socket)?.finish());
    if (life.stopping) {
      socket.destroy();
      return;
    }
    if (socket.alpnProtocol === 'h2') {
      accepting = socket;
      try {
        h2.emit('connection', socket);
      } finally {
        accepting = undefined;
      }
    } else {
      http1.emit('connection', socket);
    }
  });
  const failure = { localCa: caNote !== undefined };
  tlsServer.on('tlsClientError', (err: Error, socket?: TLSSocket) => {
    if (socket) printers.get(socket)?.finish();
    const who = socket?.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort ?? '?'}` : 'a client';
    console.error(handshakeFailureLine(who, hushErrorOf(err) as Error & { remote?: boolean; alert?: number; alertName?: string; code?: string }, failure));
  });
  if (traceMode !== 'off') {
    tlsServer.on('trace', (ev: import('../../handshake/trace.js').TraceEvent, socket: object) => printerFor(socket).event(ev));
  }
  if (keylogFile) tlsServer.on('keylog', (line: Buffer) => appendFileSync(keylogFile, line, { mode: 0o600 }));

  try {
    await listen(tlsServer, port, host);
  } catch (e) {
    staple?.stop();
    throw new ListenError(`cannot listen on ${host}:${port}: ${listenReason(e)}`);
  }
  const actual = (tlsServer.address() as { port: number }).port;
  const loopback = isLoopback(host);
  const shown = host === '127.0.0.1' || host === '::1' || host === 'localhost' ? 'localhost' : host;

  let redirect: ReturnType<typeof createHttpServer> | undefined;
  if (redirectPortWanted !== undefined) {
    redirect = createHttpServer((req, res) => {
      const h = (req.headers.host ?? shown).replace(/:\d+$/, '');
      res.writeHead(301, { location: `https://${h}:${actual}${req.url ?? '/'}`, 'content-length': '0' });
      res.end();
    });
    redirect.on('connection', (raw: Socket) => life.trackSocket(raw));
    try {
      await listen(redirect, redirectPortWanted, host);
    } catch (e) {
      tlsServer.close();
      staple?.stop();
      throw new ListenError(`--redirect-http: cannot listen on ${host}:${redirectPortWanted}: ${listenReason(e)}`);
    }
  }

  if (ech || (dir === undefined && target === undefined)) {
    const names = new Set<string>(publicNames);
    for (const pem of certs) for (const n of certificateDnsNames(pem)) names.add(n);
    ctx.dns = { names: [...names], port: actual, alpn, ...(ech ? { echConfigList: advertisedConfigList(ech) } : {}) };
  }
  if (caNote) console.log(caNote(actual));
  if (!loopback) {
    console.error(
      `Warning: --host ${host} puts ${dir ?? (target ? `your app at ${target.url.origin}` : 'the inspector')} on the network: ` +
        `anyone who can reach this machine on port ${actual} can read it. Use --host 127.0.0.1 to keep it local.`,
    );
  }
  // With --port 0 / --redirect-http 0 the OS picks the ports: print the ones actually bound.
  const redirectPort = redirect ? (redirect.address() as { port: number }).port : undefined;
  const what = dir ?? (target ? `a proxy to ${target.url.origin}` : 'the connection inspector');
  console.log(`hush serving ${what} on https://${shown}:${actual}/` + (redirect ? ` (plain HTTP on port ${redirectPort} redirects here)` : ''));
  if (ech) {
    const list = advertisedConfigList(ech);
    const current = ech.keys.at(-1)!.config.contents;
    console.log(
      `Encrypted Client Hello: on (public name ${current.publicName}, config_id ${current.configId}; keys in ${ech.dir}). Publish:\n` +
        `  ECHConfigList: ${toBase64(list)}\n` +
        // An HTTPS record needs a DNS name: for an address, say how to make one.
        (isIP(shown) ? `  DNS: hush ech --dns YOUR.NAME --port ${actual}` : `  DNS: ${httpsRecordLine(shown, list, { port: actual, alpn })}`),
    );
    // Browsers use ECH only with the HTTPS record from a secure resolver: we are one for our names.
    if (ctx.dns) console.log(`  Or use this server as a browser's secure DNS (DoH): https://${/^127\./.test(host) ? host : host === '::1' ? '[::1]' : shown}:${actual}/dns-query (answers ${ctx.dns.names.join(', ')})`);
  }
  console.log('Press Ctrl+C to stop.');

  await new Promise<void>((done) => {
    onStopSignals(() => {
      console.log(`Stopping: finishing requests in flight (up to ${GRACE_MS / 1000} s); press Ctrl+C again to exit now.`);
      void life.stop([tlsServer, redirect], http1).then((cut) => {
        if (cut > 0) console.log(`Closed ${cut} connection${cut === 1 ? '' : 's'} still busy after ${GRACE_MS / 1000} s.`);
        done();
      });
    });
  });
  // Everything is closed; should anything still hold the event loop, do not wait for it.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

/** A listener that could not start: one line, exit 1 (not a usage error). */
class ListenError extends Error {}

function portFlag(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) throw new ArgError(`--${flag} must be a port number 0..65535, not '${v}'`);
  return n;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** --ocsp-staple FILE (for the first certificate chain) or --ocsp-fetch (for every one) (#15). */
function stapleSource(p: ReturnType<typeof parseArgs>, chainPems: readonly string[], files: readonly string[]): StapleSet | undefined {
  const file = str(p, 'ocsp-staple');
  const fetch = bool(p, 'ocsp-fetch');
  if (file === undefined && !fetch) return undefined;
  if (file !== undefined && fetch) throw new ArgError('give either --ocsp-staple FILE or --ocsp-fetch, not both');
  const flag = file !== undefined ? '--ocsp-staple' : '--ocsp-fetch';
  const chains: StapledChain[] = (file !== undefined ? chainPems.slice(0, 1) : chainPems).map((pem, i) => {
    const label = files[i] !== undefined ? `--cert ${files[i]}` : 'the local certificate';
    let chain;
    try {
      chain = parseCertificates(pem);
    } catch (e) {
      throw new ArgError(`${label}: ${(e as Error).message}`);
    }
    const [leaf, issuer] = chain;
    if (!leaf || !issuer) throw new ArgError(`${flag} needs the issuer's certificate after the leaf in ${label} (to check the OCSP response)`);
    return { label, leaf, issuer };
  });
  const log = (line: string): void => console.error(`hush serve: ${line}`);
  try {
    if (file !== undefined) {
      const only = chains[0]!;
      const source = fileStaple(file, only.leaf, only.issuer, log);
      return { ready: Promise.resolve(), get: (leaf) => (equal(leaf, only.leaf.raw) ? source.get() : undefined), stop: () => source.stop() };
    }
    return fetchedStaples(chains, log);
  } catch (e) {
    throw new ArgError((e as Error).message);
  }
}

function listen(server: import('node:net').Server, port: number, host: string): Promise<void> {
  return new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.removeListener('error', fail);
      ok();
    });
  });
}

function listenReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'EADDRINUSE') return 'the port is in use by another program (pick another with --port / --redirect-http, or 0 for any free port)';
  if (code === 'EACCES') return 'permission denied (ports below 1024 need privileges; pick a higher one)';
  if (code === 'EADDRNOTAVAIL') return 'this machine has no such address (check --host)';
  return (e as Error).message;
}

interface HandlerContext {
  readonly staticHandler: StaticHandler | undefined;
  readonly target: ProxyTarget | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly lifecycle: Lifecycle;
  /** DNS-over-HTTPS at /dns-query for our own names (inspector mode, and every mode with --ech); set once listening. */
  dns?: DnsZone;
  socketOf: (req: Request) => TLSSocket | undefined;
}

/** What a log line says about the client; taken when the request starts (the socket may be gone by the end). */
interface Client {
  readonly remote: string | undefined;
  readonly localPort: number | undefined;
  readonly info: TLSSocket['handshakeInfo'];
}

function clientOf(s: TLSSocket | undefined): Client {
  return { remote: s?.remoteAddress, localPort: s?.localPort, info: s?.handshakeInfo };
}

function logLine(req: Request, status: number, bytes: number, started: number, c: Client): void {
  const info = c.info;
  const tls = info ? `${info.version} ${info.cipherName} ${info.groupName ?? '-'}${info.resumed ? ' resumed' : ''}${info.ech === 'accepted' ? ' ech' : ''}` : '-';
  const h2 = req.httpVersionMajor === 2 ? ' h2' : '';
  console.log(`${c.remote ?? '-'} ${req.method} ${req.url} ${status} ${bytes}B ${tls}${h2} ${Date.now() - started}ms`);
}

function sendText(res: Response, status: number, type: string, body: string, headers: Readonly<Record<string, string>>): number {
  const buf = Buffer.from(body);
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': String(buf.length) });
  res.end(buf);
  return buf.length;
}

function handle(req: Request, res: Response, ctx: HandlerContext): void {
  const started = Date.now();
  const socket = ctx.socketOf(req);
  const client = clientOf(socket);
  const url = new URL(req.url ?? '/', 'https://localhost');
  if (ctx.lifecycle.stopping && req.httpVersionMajor === 1) res.setHeader('connection', 'close');
  if (ctx.dns && url.pathname === DOH_PATH) return handleDoh(ctx.dns, req, res, ctx.headers, socket?.localAddress, (status, bytes) => logLine(req, status, bytes, started, client));
  if (ctx.target) {
    forward(ctx.target, req, res, client, (status, bytes) => logLine(req, status, bytes, started, client));
    return;
  }
  if (req.method === 'POST' && url.pathname === '/echo') return echo(req, res, ctx, client, started);
  if (ctx.staticHandler) {
    res.once('finish', () => logLine(req, res.statusCode, req.method === 'HEAD' ? 0 : Number(res.getHeader('content-length') ?? 0), started, client));
    ctx.staticHandler(req, res, url.pathname);
    return;
  }
  const info = socket?.handshakeInfo;
  let n: number;
  if (!info) {
    n = sendText(res, 500, 'text/plain', 'no TLS connection information\n', ctx.headers);
  } else if (url.pathname === '/api/connection') {
    n = sendText(res, 200, 'application/json', JSON.stringify(connectionReport(info), null, 2) + '\n', ctx.headers);
  } else if (url.pathname === '/') {
    n = sendText(res, 200, 'text/html; charset=utf-8', inspectorPage(connectionReport(info)), ctx.headers);
  } else {
    n = sendText(res, 404, 'text/plain; charset=utf-8', 'not found: the inspector serves /, /api/connection, /dns-query and POST /echo\n', ctx.headers);
  }
  logLine(req, res.statusCode, n, started, client);
}

function echo(req: Request, res: Response, ctx: HandlerContext, client: Client, started: number): void {
  // Stream the body straight back: bounded memory whatever its size.
  const len = req.headers['content-length'];
  if (len !== undefined && Number(len) > MAX_ECHO_BODY) {
    return logLine(req, 413, sendText(res, 413, 'text/plain', 'body too large\n', ctx.headers), started, client);
  }
  res.writeHead(200, {
    ...ctx.headers,
    'content-type': req.headers['content-type'] ?? 'application/octet-stream',
    ...(len !== undefined ? { 'content-length': len } : {}),
  });
  let bytes = 0;
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    if (!(res as NodeJS.WritableStream).write(c)) {
      req.pause();
      res.once('drain', () => req.resume());
    }
  });
  req.on('end', () => {
    res.end();
    logLine(req, 200, bytes, started, client);
  });
}

/** The DNS names (lower case) of the leaf of a PEM chain. */
function certificateDnsNames(pem: string): string[] {
  try {
    const leaf = parseCertificates(pem)[0];
    return (leaf?.subjectAltName ?? []).flatMap((g) => (g.type === 'dns' ? [g.value.toLowerCase()] : []));
  } catch {
    return [];
  }
}

/** Whether the leaf of a PEM chain is valid for `name`. */
function certificateNames(pem: string, name: string): boolean {
  try {
    const leaf = parseCertificates(pem)[0];
    return leaf !== undefined && verifyHostname(leaf, name);
  } catch {
    return false;
  }
}
