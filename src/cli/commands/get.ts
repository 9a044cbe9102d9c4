// `hush get URL`: an HTTPS request over hush, like a small curl that can narrate its handshake.
// HTTP/1.1, or HTTP/2 when the server selects h2; the body is streamed as it arrives; -L follows
// redirects. Every argument is checked before the first packet; every failure is one line and an
// exit code (0 ok, 1 connection/TLS/output failure, 2 bad arguments, 3 HTTP error or redirect
// not followed).
import { appendFileSync, readFileSync } from 'node:fs';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import net, { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { connect } from '../../node/connect.js';
import type { TLSSocket } from '../../node/socket.js';
import {
  ArgError, bool, countFlag, helpText, list, parseArgs, secondsFlag, splitList, str, tlsVersionFlag, type FlagSpec, type ParsedArgs,
} from '../args.js';
import { BodyOutput, OutputError, checkWritablePath, fsReason } from '../body-output.js';
import { TracePrinter } from '../trace-printer.js';
import { explainFailure } from '../explain.js';
import { hushErrorOf } from '../../node/node-errors.js';
import { HttpExchangeError, http1Exchange, http2Exchange, type Exchange, type ResponseHead } from '../http-exchange.js';
import { followRedirect, type HopRequest } from '../redirect.js';
import type { Command } from './command.js';

const FLAGS: FlagSpec[] = [
  { name: 'request', short: 'X', type: 'string', value: 'METHOD', help: 'HTTP method (default GET, or POST with -d)' },
  { name: 'header', short: 'H', type: 'list', value: "'NAME: VALUE'", help: "add a request header (repeatable); 'NAME:' removes a default one" },
  { name: 'data', short: 'd', type: 'string', value: 'DATA', help: "request body; '@FILE' reads it from a file, '@-' from stdin" },
  { name: 'include', short: 'i', type: 'boolean', help: 'print the response status line and headers before the body' },
  { name: 'head', short: 'I', type: 'boolean', help: 'send HEAD and print only the status line and headers' },
  { name: 'output', short: 'o', type: 'string', value: 'FILE', help: "write the body to FILE instead of stdout ('-': stdout)" },
  { name: 'fail', short: 'f', type: 'boolean', help: 'on an HTTP error status (4xx/5xx) print no body (exit 3 either way)' },
  { name: 'location', short: 'L', type: 'boolean', help: 'follow redirects (301, 302, 303, 307, 308), https:// only' },
  { name: 'max-redirs', type: 'string', value: 'N', help: 'with -L, give up after N redirects (default 10)' },
  { name: 'allow-http-redirect', type: 'boolean', help: 'with -L, also follow a redirect to plain http:// (INSECURE: the rest travels unencrypted)' },
  { name: 'location-trusted', type: 'boolean', help: 'with -L, send Authorization and Cookie headers to other hosts too (like curl)' },
  { name: 'verbose', short: 'v', type: 'boolean', help: 'show the connection, the request and the response headers on stderr' },
  { name: 'http2', type: 'boolean', help: 'offer HTTP/2 (ALPN h2,http/1.1); HTTP/2 is used when the server selects h2' },
  { name: 'cacert', type: 'string', value: 'FILE', help: "trust the CA certificates in FILE (PEM) instead of Node's bundled roots" },
  { name: 'insecure', short: 'k', type: 'boolean', help: 'do not verify the server certificate (INSECURE: anyone can impersonate the server)' },
  { name: 'cert', type: 'string', value: 'FILE', help: 'client certificate chain (PEM), for servers that ask for one' },
  { name: 'key', type: 'string', value: 'FILE', help: "the client certificate's private key (PEM; default: the --cert file)" },
  { name: 'tls-min', type: 'string', value: '1.2|1.3', help: 'lowest TLS version to accept' },
  { name: 'tls-max', type: 'string', value: '1.2|1.3', help: 'highest TLS version to offer' },
  { name: 'ciphers', type: 'string', value: 'LIST', help: 'cipher suites, comma-separated IANA or OpenSSL names; naming a TLS 1.2 RSA key transport or CBC suite turns it on' },
  { name: 'groups', type: 'string', value: 'LIST', help: 'key exchange groups in order, comma-separated (x25519,secp256r1,secp384r1)' },
  { name: 'alpn', type: 'string', value: 'LIST', help: 'ALPN protocols to offer, comma-separated (default http/1.1; h2 speaks HTTP/2)' },
  { name: 'servername', type: 'string', value: 'NAME', help: 'name to send as SNI and to verify (default: the URL host)' },
  { name: 'resolve', type: 'list', value: 'HOST:PORT:ADDR', help: 'connect to ADDR when the URL names HOST:PORT (like curl)' },
  { name: 'keylog', type: 'string', value: 'FILE', help: 'append TLS secrets to FILE in NSS key log format (also: SSLKEYLOGFILE)' },
  { name: 'trace', type: 'boolean', help: 'narrate the handshake step by step on stderr' },
  { name: 'trace-json', type: 'boolean', help: 'the same as JSON lines on stderr (last line: established or failed)' },
  { name: 'timeout', type: 'string', value: 'SECONDS', help: 'give up when the server is silent this long: no response, or the body stalls (default 30)' },
  { name: 'max-time', short: 'm', type: 'string', value: 'SECONDS', help: 'give up after this long in all, however busy the server (default: no limit)' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const DESCRIPTION = `Sends an HTTPS request over hush's own TLS and prints the response body as it arrives.
HTTP/1.1, or HTTP/2 when the server selects h2 (offer it with --http2).

Examples:
  hush get https://localhost:8443/ --cacert ~/.hush/ca.pem
  hush get --trace https://localhost:8443/api/connection --cacert ca.pem
  hush get -d 'hello' https://localhost:8443/echo -k
  hush get -I https://example.test/                   # status line and headers only
  hush get -L -v https://example.test/old-page        # follow redirects, show the exchange
  hush get --http2 -i https://example.test/           # HTTP/2 if the server agrees
  hush get --cert me.pem --key me-key.pem https://localhost:8443/api/connection --cacert ca.pem
  hush get -f -o page.html https://example.test/page  # no file when the server answers 4xx/5xx
  hush get --tls-max 1.3 --groups secp256r1 --ciphers TLS_AES_256_GCM_SHA384 https://example.test/
  hush get --tls-max 1.2 --trace https://localhost:8443/ -k
  hush get --tls-max 1.2 --ciphers AES128-GCM-SHA256 https://old.example.test/   # RSA key transport: no forward secrecy

TLS 1.2 is offered beside TLS 1.3 with forward-secret ECDHE + AEAD suites only; RSA key transport
(TLS_RSA_WITH_AES_*_GCM_*) and ECDHE with AES-CBC are for legacy servers and used only when named.
-L follows at most --max-redirs redirects, to https:// only unless --allow-http-redirect; it drops
Authorization and Cookie headers when a redirect leaves the host (unless --location-trusted).

Exit status: 0 on success, 1 when the connection or TLS fails (or the output cannot be written),
2 for bad arguments, 3 when the server answers with an HTTP error status (4xx/5xx) or -L cannot
follow a redirect (too many, or to http:// without --allow-http-redirect).`;

const USER_AGENT = 'hush/0.1';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_REDIRS = 10;
const MAX_REDIRS_LIMIT = 1000;
/** Methods whose requests carry no body unless given one (node would otherwise send chunked). */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);
/** An HTTP method is a token (RFC 9110 §9.1, §5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A failure with its exit code and one-line message. */
class GetError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface UserHeader {
  readonly name: string;
  readonly value: string;
  /** 'NAME:' with no value: remove the default header of that name (as curl). */
  readonly remove: boolean;
}

interface GetOptions {
  readonly first: HopRequest;
  readonly removed: ReadonlySet<string>;
  readonly include: boolean;
  readonly head: boolean;
  readonly fail: boolean;
  readonly verbose: boolean;
  readonly location: boolean;
  readonly maxRedirs: number;
  readonly allowHttpRedirect: boolean;
  readonly locationTrusted: boolean;
  readonly ca: string | undefined;
  readonly insecure: boolean;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly ciphers: string[] | undefined;
  readonly groups: string[] | undefined;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3' | undefined;
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3' | undefined;
  readonly alpn: string[];
  readonly servername: string | undefined;
  readonly resolve: readonly { host: string; port: number; address: string }[];
  readonly keylog: { path: string; what: string } | undefined;
  readonly timeoutMs: number;
  readonly deadline: number | undefined;
  readonly maxTimeMs: number | undefined;
  readonly printer: TracePrinter;
}

export const getCommand: Command = {
  name: 'get',
  summary: 'send an HTTPS request over hush and print the response',
  async run(args) {
    let p: ParsedArgs;
    try {
      p = parseArgs(args, FLAGS);
    } catch (e) {
      console.error(`hush get: ${(e as Error).message} (see 'hush get --help')`);
      return 2;
    }
    if (bool(p, 'help')) {
      console.log(helpText('hush get [options] URL', DESCRIPTION, FLAGS));
      return 0;
    }
    let o: GetOptions;
    try {
      o = options(p);
    } catch (e) {
      if (!(e instanceof ArgError)) throw e;
      console.error(`hush get: ${e.message}`);
      return 2;
    }
    const output = str(p, 'output');
    const out = new BodyOutput(output === '-' ? undefined : output);
    try {
      return await get(o, out);
    } catch (e) {
      const [code, message] =
        e instanceof GetError || e instanceof OutputError ? [e.exitCode, e.message] : e instanceof ArgError ? [2, e.message] : [1, (e as Error).message];
      o.printer.finish();
      console.error(`hush get: ${message}`);
      return code;
    } finally {
      try {
        out.close();
      } catch {
        /* already reported, or nothing more to say */
      }
    }
  },
};

function readArgFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (e) {
    throw new ArgError(`cannot read ${what}: ${fsReason(e)}`);
  }
}

/** Every flag checked and read, before anything touches the network. */
function options(p: ParsedArgs): GetOptions {
  if (p.positional.length !== 1) throw new ArgError(`expected exactly one URL, got ${p.positional.length} (see 'hush get --help')`);
  let url: URL;
  try {
    url = new URL(p.positional[0]!);
  } catch {
    throw new ArgError(`'${p.positional[0]}' is not a URL (try https://host:port/path)`);
  }
  if (url.protocol !== 'https:') throw new ArgError(`only https:// URLs are supported (got ${url.protocol}//)`);

  const timeoutMs = secondsFlag(str(p, 'timeout'), 'timeout') ?? DEFAULT_TIMEOUT_MS;
  const maxTimeMs = secondsFlag(str(p, 'max-time'), 'max-time');
  const maxRedirs = countFlag(str(p, 'max-redirs'), 'max-redirs', MAX_REDIRS_LIMIT) ?? DEFAULT_MAX_REDIRS;

  const head = bool(p, 'head');
  const data = str(p, 'data');
  let explicit = str(p, 'request');
  if (explicit !== undefined && !TOKEN.test(explicit)) {
    throw new ArgError(`-X wants an HTTP method (letters, digits and !#$%&'*+-.^_\`|~, no spaces), not '${explicit}'`);
  }
  explicit = explicit?.toUpperCase();
  if (head && data !== undefined) throw new ArgError('-I sends HEAD, which has no body: drop -d or -I');
  if (head && explicit !== undefined && explicit !== 'HEAD') throw new ArgError(`-I sends HEAD: drop -X ${explicit} or -I`);
  let body: Buffer | undefined;
  if (data !== undefined) body = data.startsWith('@') ? readArgFile(data.slice(1), `-d @${data.slice(1)}`) : Buffer.from(data);
  const method = head ? 'HEAD' : explicit ?? (body ? 'POST' : 'GET');

  const headers: UserHeader[] = [];
  for (const h of list(p, 'header')) {
    // curl: 'Name: value' sends it, 'Name:' removes a default header, 'Name;' sends it empty.
    const semi = /^([^:;\s]+);\s*$/.exec(h);
    const i = h.indexOf(':');
    if (!semi && i <= 0) throw new ArgError(`-H wants 'Name: value', not '${h}'`);
    const name = semi ? semi[1]! : h.slice(0, i).trim();
    const value = semi ? '' : h.slice(i + 1).trim();
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw new ArgError(`-H '${h}': a header name is one word (letters, digits, -), and a value has no line breaks`);
    }
    headers.push({ name, value, remove: !semi && value === '' });
  }

  const cacert = str(p, 'cacert');
  const ca = cacert === undefined ? undefined : readArgFile(cacert, `--cacert ${cacert}`).toString('utf8');
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new ArgError(`--cacert ${cacert} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const certFile = str(p, 'cert');
  const keyFile = str(p, 'key');
  if (keyFile !== undefined && certFile === undefined) throw new ArgError('--key goes with --cert FILE (the client certificate)');
  const cert = certFile === undefined ? undefined : readArgFile(certFile, `--cert ${certFile}`).toString('utf8');
  let key = keyFile === undefined ? undefined : readArgFile(keyFile, `--key ${keyFile}`).toString('utf8');
  if (cert !== undefined && !cert.includes('-----BEGIN CERTIFICATE-----')) throw new ArgError(`--cert ${certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  if (cert !== undefined && key === undefined) {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(cert)) throw new ArgError(`--cert ${certFile} holds no private key: add --key FILE`);
    key = cert;
  }

  if (bool(p, 'http2') && str(p, 'alpn') !== undefined) throw new ArgError('--http2 offers h2,http/1.1: give --http2 or --alpn, not both');
  const alpn = bool(p, 'http2') ? ['h2', 'http/1.1'] : splitList(str(p, 'alpn')) ?? ['http/1.1'];
  if (alpn.length === 0) throw new ArgError('--alpn needs at least one protocol, e.g. h2,http/1.1');

  const resolve: { host: string; port: number; address: string }[] = [];
  for (const r of list(p, 'resolve')) {
    const m = /^(.+):(\d+):(.+)$/.exec(r);
    if (!m || Number(m[2]) > 65535) throw new ArgError(`--resolve wants HOST:PORT:ADDR, not '${r}'`);
    resolve.push({ host: m[1]!.toLowerCase(), port: Number(m[2]), address: m[3]!.replace(/^\[|\]$/g, '') });
  }

  const keylogPath = str(p, 'keylog') ?? (process.env.SSLKEYLOGFILE || undefined);
  const keylog = keylogPath === undefined ? undefined : { path: keylogPath, what: str(p, 'keylog') !== undefined ? '--keylog' : 'SSLKEYLOGFILE' };
  if (keylog) checkWritablePath(keylog.path, keylog.what);
  const output = str(p, 'output');
  if (output !== undefined && output !== '-') checkWritablePath(output, '-o');

  return {
    first: { url, method, body, headers: headers.filter((h) => !h.remove).map((h) => [h.name, h.value] as const) },
    removed: new Set(headers.filter((h) => h.remove).map((h) => h.name.toLowerCase())),
    include: bool(p, 'include') || head,
    head,
    fail: bool(p, 'fail'),
    verbose: bool(p, 'verbose'),
    location: bool(p, 'location'),
    maxRedirs,
    allowHttpRedirect: bool(p, 'allow-http-redirect'),
    locationTrusted: bool(p, 'location-trusted'),
    ca,
    insecure: bool(p, 'insecure'),
    cert,
    key,
    ciphers: splitList(str(p, 'ciphers')),
    groups: splitList(str(p, 'groups')),
    minVersion: tlsVersionFlag(str(p, 'tls-min'), 'tls-min'),
    maxVersion: tlsVersionFlag(str(p, 'tls-max'), 'tls-max'),
    alpn,
    servername: str(p, 'servername'),
    resolve,
    keylog,
    timeoutMs,
    maxTimeMs,
    deadline: maxTimeMs === undefined ? undefined : Date.now() + maxTimeMs,
    printer: new TracePrinter(bool(p, 'trace-json') ? 'json' : bool(p, 'trace') ? 'text' : 'off'),
  };
}

/** The request, then each redirect with -L; returns the exit code. */
async function get(o: GetOptions, out: BodyOutput): Promise<number> {
  let req = o.first;
  for (let redirects = 0; ; redirects++) {
    const result = await hop(o, req, out, redirects);
    if (result.next) {
      req = result.next;
      continue;
    }
    await out.end();
    if (result.status >= 400) throw new GetError(3, `the server answered HTTP ${result.status} ${result.statusText}`.trim());
    return 0;
  }
}

/** What the hop ended with: a request to follow, or the final status. */
interface HopResult {
  readonly next?: HopRequest;
  readonly status: number;
  readonly statusText: string;
}

function verbose(o: GetOptions, prefix: string, lines: readonly string[]): void {
  if (o.verbose) process.stderr.write(lines.map((l) => `${prefix} ${l}\n`).join(''));
}

/** The headers sent on this hop: defaults (minus those removed with 'NAME:'), the user's, then framing. */
function headersFor(o: GetOptions, req: HopRequest): [string, string][] {
  const user = new Set(req.headers.map(([n]) => n.toLowerCase()));
  const out: [string, string][] = [];
  const add = (name: string, value: string): void => {
    if (!user.has(name) && !o.removed.has(name)) out.push([name, value]);
  };
  add('host', req.url.host);
  add('user-agent', USER_AGENT);
  out.push(...req.headers.map(([n, v]) => [n, v] as [string, string]));
  if (req.body !== undefined) add('content-length', String(req.body.length));
  else if (!BODYLESS_METHODS.has(req.method)) add('content-length', '0');
  add('connection', 'close');
  return out;
}

/** node:tls option names in connect()'s messages, as the flags that set them. */
const OPTION_FLAGS: readonly [RegExp, string][] = [
  [/\becdhCurve\b/g, '--groups'],
  [/\bciphers\b/g, '--ciphers'],
  [/\bALPNProtocols\b/g, '--alpn'],
  [/\bservername\b/g, '--servername'],
  [/^key\b/, '--key'],
  [/\bin cert\b/g, 'in --cert'],
  [/^cert\b/, '--cert'],
  [/^ca\b/, '--cacert'],
];

function inFlagNames(message: string): string {
  return OPTION_FLAGS.reduce((m, [re, flag]) => m.replace(re, flag), message);
}

/** An error of the HTTP exchange (not of TLS or TCP) as one line. */
function httpFailure(err: Error & { code?: string }, where: string): string {
  if (err instanceof HttpExchangeError) return err.message;
  if (err.code?.startsWith('HPE_')) return `${where} did not answer in HTTP/1.1 (${err.message}): if it speaks HTTP/2, try --http2`;
  if (err.message === 'socket hang up') return `${where} closed the connection without answering`;
  if (err.code === 'ECONNRESET' && err.message === 'aborted') return `the response was cut off: ${where} closed the connection before the end of the body`;
  if (err.code?.startsWith('ERR_HTTP2_')) return `the HTTP/2 exchange with ${where} failed: ${err.message}`;
  if (err.code === 'ERR_STREAM_PREMATURE_CLOSE') return `the response was cut off: the stream from ${where} closed before the end of the body`;
  return `${err.message}${err.code ? ` (${err.code})` : ''}`;
}

/** One connection and one request. */
async function hop(o: GetOptions, req: HopRequest, out: BodyOutput, redirects: number): Promise<HopResult> {
  const url = req.url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  const where = `${host}:${port}`;
  const address = o.resolve.find((r) => r.host === host.toLowerCase() && r.port === port)?.address ?? host;
  // --servername is for the URL given; a redirect to another host verifies that host.
  const servername = o.servername !== undefined && host.toLowerCase() === o.first.url.hostname.replace(/^\[|\]$/g, '').toLowerCase() ? o.servername : host;
  const printer = o.printer;
  const tls = url.protocol === 'https:';

  let fail!: (e: GetError) => void;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  /** Wait for `p`, or the first failure of this hop. */
  const race = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => {});
    return Promise.race([p, failed]);
  };

  // The idle timer: armed while we wait for the server, reset by each sign of progress.
  let idle: NodeJS.Timeout | undefined;
  let waitingFor = `no response from ${where} within ${o.timeoutMs / 1000} s (try --timeout)`;
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => fail(new GetError(1, waitingFor)), o.timeoutMs);
  };
  const disarm = (): void => clearTimeout(idle);
  const overall =
    o.deadline === undefined
      ? undefined
      : setTimeout(() => fail(new GetError(1, `gave up after --max-time ${o.maxTimeMs! / 1000} s`)), Math.max(0, o.deadline - Date.now()));

  let socket: TLSSocket | net.Socket | undefined;
  let exchange: Exchange | undefined;
  try {
    printer.note('connect', `Connecting to ${address}:${port} over TCP${address !== host ? ` (for ${host})` : ''}.`, { address, port });
    arm();
    if (tls) {
      let s: TLSSocket;
      try {
        s = connect({
          host: address,
          port,
          // An IP literal that is also the address needs no servername (connect checks the IP itself).
          ...(isIP(servername) && servername === address ? {} : { servername }),
          ...(o.ca === undefined ? {} : { ca: o.ca }),
          ...(o.cert === undefined ? {} : { cert: o.cert, key: o.key }),
          rejectUnauthorized: !o.insecure,
          ALPNProtocols: o.alpn,
          ...(o.ciphers ? { ciphers: o.ciphers.join(':') } : {}),
          ...(o.groups ? { ecdhCurve: o.groups.join(':') } : {}),
          ...(o.minVersion ? { minVersion: o.minVersion } : {}),
          ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}),
          trace: printer.enabled,
          handshakeTimeout: o.timeoutMs,
        });
      } catch (e) {
        throw new ArgError(inFlagNames((e as Error).message));
      }
      socket = s;
      s.on('trace', (ev) => printer.event(ev));
      if (o.keylog) {
        const { path, what } = o.keylog;
        s.on('keylog', (line: Buffer) => {
          try {
            appendFileSync(path, line, { mode: 0o600 });
          } catch (e) {
            fail(new GetError(1, `cannot write ${what} ${path}: ${fsReason(e)}`));
          }
        });
      }
      s.on('error', (translated: Error) => {
        // hush/node gives node:tls's codes; the CLI explains with hush's own error behind them.
        const err = hushErrorOf(translated) as Error & { alert?: number };
        if (printer.enabled && !err.alert) printer.note('failed', `The connection failed: ${err.message}`, { alert: null, reason: err.message });
        fail(new GetError(1, explainFailure(err, { host, port, servername })));
      });
      await race(new Promise<void>((resolve) => s.once('secureConnect', () => resolve())));
      const cipher = s.getCipher();
      verbose(o, '*', [`Connected to ${host} (${address}) port ${port}: ${s.getProtocol()}, ${cipher?.standardName ?? cipher?.name ?? '?'}, ALPN ${s.alpnProtocol || 'none'}`]);
      if (o.verbose) {
        const peer = s.getPeerCertificate() as { subject?: Record<string, string>; issuer?: Record<string, string>; valid_to?: string; subjectaltname?: string };
        const dn = (n: Record<string, string> | undefined): string => (n ? Object.entries(n).map(([k, v]) => `${k}=${v}`).join(', ') : '?');
        if (peer?.subject) {
          verbose(o, '*', [
            `Server certificate: ${dn(peer.subject)}${peer.subjectaltname ? ` (${peer.subjectaltname})` : ''}, issued by ${dn(peer.issuer)}, valid until ${peer.valid_to ?? '?'}` +
              (o.insecure ? ' — NOT verified (-k)' : ''),
          ]);
        }
      }
    } else {
      const s = net.connect({ host: address, port });
      socket = s;
      s.on('error', (err) => fail(new GetError(1, explainFailure(hushErrorOf(err), { host, port, servername }))));
      await race(new Promise<void>((resolve) => s.once('connect', () => resolve())));
      verbose(o, '*', [`Connected to ${host} (${address}) port ${port}: plain HTTP, NOT encrypted`]);
    }

    const h2 = tls && (socket as TLSSocket).alpnProtocol === 'h2';
    if (tls) printer.note('application_data', `Sending the ${req.method} request for ${url.pathname}${url.search}${h2 ? ' over HTTP/2' : ''}, encrypted with the application key.`, { method: req.method, path: url.pathname + url.search });
    else printer.note('plain_http', `Sending the ${req.method} request for ${url.pathname}${url.search} over plain HTTP: NOT encrypted (--allow-http-redirect).`, { method: req.method, path: url.pathname + url.search });
    const sent = { url, method: req.method, headers: headersFor(o, req), body: req.body };
    try {
      exchange = h2 ? http2Exchange(socket, sent) : http1Exchange(socket, sent);
    } catch (e) {
      throw new GetError(1, httpFailure(e as Error, where));
    }
    const ex = exchange;
    ex.failed.catch((e: Error) => fail(new GetError(1, httpFailure(e, where))));
    verbose(o, '>', [...ex.requestLines, '']);

    const { head, body } = await race(ex.response);
    verbose(o, '<', [...statusLines(head), '']);
    if (o.include) await race(out.write(Buffer.from([...statusLines(head), ''].join('\r\n') + '\r\n')));

    // -L: a redirect is followed without reading its body (the connection is closed).
    if (o.location) {
      const location = head.headers.find(([n]) => n.toLowerCase() === 'location')?.[1];
      const decision = followRedirect(req, head.status, location, { allowHttp: o.allowHttpRedirect, trusted: o.locationTrusted });
      if (decision && !decision.follow) throw new GetError(3, decision.reason);
      if (decision?.follow) {
        if (redirects >= o.maxRedirs) throw new GetError(3, `stopped after ${o.maxRedirs} redirects (the next one to ${decision.next.url.href}): raise --max-redirs`);
        verbose(o, '*', [`Following the ${head.status} redirect to ${decision.next.url.href}${decision.next.method !== req.method ? ` (now ${decision.next.method})` : ''}`]);
        printer.note('redirect', `HTTP ${head.status}: redirected to ${decision.next.url.href}.`, { status: head.status, location: decision.next.url.href });
        return { next: decision.next, status: head.status, statusText: head.statusText };
      }
    }

    // -f: an HTTP error status prints no body. Otherwise the body streams out as it arrives.
    const printBody = !(o.fail && head.status >= 400) && !o.head;
    let bytes = 0;
    if (printBody) {
      out.open();
      waitingFor = `the response stalled: nothing from ${where} for ${o.timeoutMs / 1000} s (try --timeout)`;
      await race(pump(body, async (chunk) => {
        bytes += chunk.length;
        disarm();
        await out.write(chunk);
        arm();
      }));
    }
    printer.note(
      'response',
      `Received and decrypted the response: HTTP ${head.status} ${head.statusText}${head.version === '2' ? ' (HTTP/2)' : ''}, ${bytes} bytes of body.`,
      { status: head.status, bytes },
    );
    return { status: head.status, statusText: head.statusText };
  } catch (e) {
    // Report the first failure of the hop (a socket error often surfaces as an HTTP error too).
    if (e instanceof GetError || e instanceof OutputError || e instanceof ArgError) throw e;
    throw new GetError(1, httpFailure(e as Error, where));
  } finally {
    disarm();
    clearTimeout(overall);
    exchange?.close();
    socket?.destroy();
    printer.finish();
  }
}

/** The status line and headers as `-i` prints them. */
function statusLines(head: ResponseHead): string[] {
  const status = head.version === '2' ? `HTTP/2 ${head.status}` : `HTTP/${head.version} ${head.status} ${head.statusText}`;
  return [status, ...head.headers.map(([n, v]) => `${n}: ${v}`)];
}

/** Read `body` to its end, handing each chunk to `onChunk` (which may wait: backpressure). */
async function pump(body: Readable, onChunk: (chunk: Buffer) => Promise<void>): Promise<void> {
  for await (const chunk of body) await onChunk(chunk as Buffer);
}
