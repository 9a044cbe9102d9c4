// `hush get URL`: an HTTP/1.1 request over hush, like a small curl that can narrate its handshake.
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { connect } from '../../node/connect.js';
import type { TLSSocket } from '../../node/socket.js';
import { ArgError, bool, helpText, list, parseArgs, splitList, str, tlsVersionFlag, type FlagSpec } from '../args.js';
import { TracePrinter } from '../trace-printer.js';
import { explainFailure } from '../explain.js';
import type { Command } from './command.js';

const FLAGS: FlagSpec[] = [
  { name: 'request', short: 'X', type: 'string', value: 'METHOD', help: 'HTTP method (default GET, or POST with -d)' },
  { name: 'header', short: 'H', type: 'list', value: "'NAME: VALUE'", help: 'add a request header (repeatable)' },
  { name: 'data', short: 'd', type: 'string', value: 'DATA', help: "request body; '@FILE' reads it from a file" },
  { name: 'include', short: 'i', type: 'boolean', help: 'print the response status line and headers before the body' },
  { name: 'output', short: 'o', type: 'string', value: 'FILE', help: 'write the body to FILE instead of stdout' },
  { name: 'cacert', type: 'string', value: 'FILE', help: "trust the CA certificates in FILE (PEM) instead of Node's bundled roots" },
  { name: 'insecure', short: 'k', type: 'boolean', help: 'do not verify the server certificate (INSECURE: anyone can impersonate the server)' },
  { name: 'tls-min', type: 'string', value: '1.2|1.3', help: 'lowest TLS version to accept' },
  { name: 'tls-max', type: 'string', value: '1.2|1.3', help: 'highest TLS version to offer' },
  { name: 'ciphers', type: 'string', value: 'LIST', help: 'cipher suites, comma-separated IANA or OpenSSL names; naming a TLS 1.2 RSA key transport or CBC suite turns it on' },
  { name: 'groups', type: 'string', value: 'LIST', help: 'key exchange groups in order, comma-separated (x25519,secp256r1,secp384r1)' },
  { name: 'alpn', type: 'string', value: 'LIST', help: 'ALPN protocols to offer, comma-separated (default http/1.1)' },
  { name: 'servername', type: 'string', value: 'NAME', help: 'name to send as SNI and to verify (default: the URL host)' },
  { name: 'resolve', type: 'list', value: 'HOST:PORT:ADDR', help: 'connect to ADDR when the URL names HOST:PORT (like curl)' },
  { name: 'keylog', type: 'string', value: 'FILE', help: 'append TLS secrets to FILE in NSS key log format (also: SSLKEYLOGFILE)' },
  { name: 'trace', type: 'boolean', help: 'narrate the handshake step by step on stderr' },
  { name: 'trace-json', type: 'boolean', help: 'the same as JSON lines on stderr (last line: established or failed)' },
  { name: 'timeout', type: 'string', value: 'SECONDS', help: 'give up after this long (default 30)' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const DESCRIPTION = `Sends one HTTP/1.1 request over hush's own TLS and prints the response body.

Examples:
  hush get https://localhost:8443/ --cacert ~/.hush/ca.pem
  hush get --trace https://localhost:8443/api/connection --cacert ca.pem
  hush get -d 'hello' https://localhost:8443/echo -k
  hush get --tls-max 1.3 --groups secp256r1 --ciphers TLS_AES_256_GCM_SHA384 https://example.test/
  hush get --tls-max 1.2 --trace https://localhost:8443/ -k
  hush get --tls-max 1.2 --ciphers AES128-GCM-SHA256 https://old.example.test/   # RSA key transport: no forward secrecy

TLS 1.2 is offered beside TLS 1.3 with forward-secret ECDHE + AEAD suites only; RSA key transport
(TLS_RSA_WITH_AES_*_GCM_*) and ECDHE with AES-CBC are for legacy servers and used only when named.

Exit status: 0 on success, 1 when the connection or TLS fails, 2 for bad arguments,
3 when the server answers with an HTTP error status (4xx/5xx).`;



export const getCommand: Command = {
  name: 'get',
  summary: 'send an HTTPS request over hush and print the response',
  async run(args) {
    let p;
    try {
      p = parseArgs(args, FLAGS);
    } catch (e) {
      console.error(`hush get: ${(e as Error).message}\nRun 'hush get --help' for usage.`);
      return 2;
    }
    if (bool(p, 'help')) {
      console.log(helpText('hush get [options] URL', DESCRIPTION, FLAGS));
      return 0;
    }
    if (p.positional.length !== 1) {
      console.error(`hush get: expected exactly one URL, got ${p.positional.length}.\nRun 'hush get --help' for usage.`);
      return 2;
    }
    let url: URL;
    try {
      url = new URL(p.positional[0]!);
    } catch {
      console.error(`hush get: '${p.positional[0]}' is not a URL (try https://host:port/path)`);
      return 2;
    }
    if (url.protocol !== 'https:') {
      console.error(`hush get: only https:// URLs are supported (got ${url.protocol}//)`);
      return 2;
    }
    const printer = new TracePrinter(bool(p, 'trace-json') ? 'json' : bool(p, 'trace') ? 'text' : 'off');
    try {
      return await get(url, p, printer);
    } catch (e) {
      if (e instanceof ArgError) {
        console.error(`hush get: ${e.message}`);
        return 2;
      }
      throw e;
    }
  },
};

async function get(url: URL, p: ReturnType<typeof parseArgs>, printer: TracePrinter): Promise<number> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  let address = host;
  for (const r of list(p, 'resolve')) {
    const m = /^(.+):(\d+):(.+)$/.exec(r);
    if (!m) throw new ArgError(`--resolve wants HOST:PORT:ADDR, not '${r}'`);
    if (m[1]!.toLowerCase() === host.toLowerCase() && Number(m[2]) === port) address = m[3]!.replace(/^\[|\]$/g, '');
  }
  const cacert = str(p, 'cacert');
  let ca: string | undefined;
  if (cacert !== undefined) {
    try {
      ca = readFileSync(cacert, 'utf8');
    } catch (e) {
      throw new ArgError(`cannot read --cacert ${cacert}: ${(e as Error).message}`);
    }
  }
  let body: Buffer | undefined;
  const data = str(p, 'data');
  if (data !== undefined) body = data === '@-' ? readFileSync(0) : data.startsWith('@') ? readFileSync(data.slice(1)) : Buffer.from(data);
  const method = (str(p, 'request') ?? (body ? 'POST' : 'GET')).toUpperCase();
  const headers: Record<string, string> = {};
  for (const h of list(p, 'header')) {
    const i = h.indexOf(':');
    if (i <= 0) throw new ArgError(`-H wants 'Name: value', not '${h}'`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const keylogFile = str(p, 'keylog') ?? process.env.SSLKEYLOGFILE;
  const timeoutMs = Number(str(p, 'timeout') ?? 30) * 1000;
  const servername = str(p, 'servername') ?? host;
  const ciphers = splitList(str(p, 'ciphers'));
  const groups = splitList(str(p, 'groups'));
  const minVersion = tlsVersionFlag(str(p, 'tls-min'), 'tls-min');
  const maxVersion = tlsVersionFlag(str(p, 'tls-max'), 'tls-max');

  printer.note('connect', `Connecting to ${address}:${port} over TCP${address !== host ? ` (for ${host})` : ''}.`, { address, port });

  let socket: TLSSocket;
  try {
    socket = connect({
      host: address,
      port,
      // An IP literal that is also the address needs no servername (connect checks the IP itself).
      ...(isIP(servername) && servername === address ? {} : { servername }),
      ...(ca === undefined ? {} : { ca }),
      rejectUnauthorized: !bool(p, 'insecure'),
      ALPNProtocols: splitList(str(p, 'alpn')) ?? ['http/1.1'],
      ...(ciphers ? { ciphers: ciphers.join(':') } : {}),
      ...(groups ? { ecdhCurve: groups.join(':') } : {}),
      ...(minVersion ? { minVersion } : {}),
      ...(maxVersion ? { maxVersion } : {}),
      trace: printer.enabled,
      handshakeTimeout: timeoutMs,
    });
  } catch (e) {
    throw new ArgError((e as Error).message);
  }
  socket.on('trace', (ev) => printer.event(ev));
  if (keylogFile) socket.on('keylog', (line: Buffer) => appendFileSync(keylogFile, line, { mode: 0o600 }));

  return await new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number, message?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      printer.finish();
      if (message) process.stderr.write(`hush get: ${message}\n`);
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => finish(1, `no complete response within ${timeoutMs / 1000} s (try --timeout)`), timeoutMs);
    socket.on('error', (err: Error & { alert?: number }) => {
      if (printer.enabled && !(err as { alert?: number }).alert) {
        printer.note('failed', `The connection failed: ${err.message}`, { alert: null, reason: err.message });
      }
      finish(1, explainFailure(err, { host, port, servername }));
    });
    socket.once('secureConnect', () => {
      printer.note('application_data', `Sending the ${method} request for ${url.pathname}${url.search}, encrypted with the application key.`, { method, path: url.pathname + url.search });
    });
    const req = httpRequest({
      host,
      port,
      method,
      path: url.pathname + url.search,
      headers: { host: url.host, 'user-agent': 'hush/0.1', ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      createConnection: () => socket as unknown as import('node:net').Socket,
    });
    req.on('error', (err) => finish(1, explainFailure(err, { host, port, servername })));
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => finish(1, `the response was cut off: ${err.message}`));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        printer.note('response', `Received and decrypted the response: HTTP ${res.statusCode} ${res.statusMessage ?? ''}, ${all.length} bytes of body.`, { status: res.statusCode, bytes: all.length });
        if (bool(p, 'include')) {
          let head = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
          for (let i = 0; i < res.rawHeaders.length; i += 2) head += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
          process.stdout.write(head + '\r\n');
        }
        const out = str(p, 'output');
        if (out) writeFileSync(out, all);
        else process.stdout.write(all);
        const status = res.statusCode ?? 0;
        if (status >= 400) finish(3, `the server answered HTTP ${status} ${res.statusMessage ?? ''}`.trim());
        else finish(0);
      });
    });
    if (body) req.write(body);
    req.end();
  });
}
