// `hush serve --proxy http://127.0.0.1:3000`: TLS ends here and requests go on as plain HTTP/1.1
// to a local app. Written on node:http (about what http-proxy does, without its dead weight):
// bodies stream both ways with backpressure (pipe), the app sees X-Forwarded-Proto/For/Host/Port,
// hop-by-hop headers are dropped (RFC 9110 §7.6.1), and an HTTP/1.1 Upgrade (WebSocket) is
// forwarded and then spliced both ways as raw bytes. HTTP/2 requests from the browser are sent to
// the app as HTTP/1.1 (pseudo-headers become the request line and Host).
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response } from './static.js';

export interface ProxyTarget {
  readonly url: URL;
  /** Headers added to every response (HSTS when asked for). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Hop-by-hop headers: they describe one connection and are never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'http2-settings']);

/** Parse and check the --proxy value. */
export function proxyTarget(value: string, headers: Readonly<Record<string, string>>): ProxyTarget {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new Error(`--proxy takes a URL like http://127.0.0.1:3000, not '${value}'`);
  }
  if (url.protocol !== 'http:') throw new Error(`--proxy forwards to a plain HTTP app (http://HOST:PORT), not ${url.protocol}`);
  if (url.pathname !== '/' || url.search !== '') throw new Error('--proxy takes http://HOST:PORT without a path');
  return { url, headers };
}

function requestHeaders(req: Request, remote: string | undefined, localPort: number | undefined, upgrade: boolean): OutgoingHttpHeaders {
  const src = req.headers as IncomingHttpHeaders;
  const named = new Set(String(src.connection ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined || k.startsWith(':') || HOP_BY_HOP.has(k) || named.has(k)) continue;
    out[k] = v;
  }
  const host = (src[':authority'] as string | undefined) ?? src.host ?? '';
  out.host = host;
  const prior = src['x-forwarded-for'];
  out['x-forwarded-for'] = [prior, remote].flat().filter(Boolean).join(', ');
  out['x-forwarded-proto'] = 'https';
  out['x-forwarded-host'] = host;
  if (localPort !== undefined) out['x-forwarded-port'] = String(localPort);
  if (upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = src.upgrade;
  }
  return out;
}

function responseHeaders(res: IncomingMessage, extra: Readonly<Record<string, string>>): OutgoingHttpHeaders {
  const named = new Set(String(res.headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || named.has(k)) continue;
    out[k] = v;
  }
  return { ...out, ...extra };
}

function unreachable(target: ProxyTarget, err: Error): string {
  const code = (err as { code?: string }).code;
  const why = code === 'ECONNREFUSED' ? 'nothing is listening there — is your app running?' : (code ?? err.message);
  return `hush serve: cannot reach the app at ${target.url.origin}: ${why}\n`;
}

/** The request to the app for `req`: same method and path, headers from requestHeaders (Host kept). */
function appRequest(
  target: ProxyTarget,
  req: Request,
  client: { remote: string | undefined; localPort: number | undefined },
  upgrade: boolean,
): http.ClientRequest {
  return http.request({
    host: target.url.hostname.replace(/^\[|\]$/g, ''),
    port: target.url.port || 80,
    method: req.method,
    path: req.url,
    headers: requestHeaders(req, client.remote, client.localPort, upgrade),
    setHost: false,
  });
}

/** Forward one request; `done` is called with the status and body bytes sent back. */
export function forward(
  target: ProxyTarget,
  req: Request,
  res: Response,
  client: { remote: string | undefined; localPort: number | undefined },
  done: (status: number, bytes: number) => void,
): void {
  const up = appRequest(target, req, client, false);
  up.on('response', (ur) => {
    ur.on('error', () => res.destroy()); // the app went away mid-response
    let bytes = 0;
    ur.on('data', (c: Buffer) => (bytes += c.length));
    ur.on('end', () => done(ur.statusCode ?? 502, bytes));
    try {
      res.writeHead(ur.statusCode ?? 502, responseHeaders(ur, target.headers));
    } catch {
      res.destroy();
      ur.destroy();
      return;
    }
    ur.pipe(res as NodeJS.WritableStream);
  });
  up.on('error', (err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = Buffer.from(unreachable(target, err));
    res.writeHead(502, { ...target.headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) });
    res.end(body);
    done(502, body.length);
  });
  // The browser went away: stop the app's request too.
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  (req as NodeJS.ReadableStream).on('error', () => up.destroy());
  (req as NodeJS.ReadableStream).pipe(up);
}

/** Forward an HTTP/1.1 Upgrade request (WebSocket); then splice the two sockets. */
export function forwardUpgrade(
  target: ProxyTarget,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  client: { remote: string | undefined; localPort: number | undefined },
  done: (status: number) => void,
): void {
  const up = appRequest(target, req, client, true);
  socket.on('error', () => up.destroy());
  up.on('upgrade', (ur, upSocket, upHead) => {
    const lines = [`HTTP/1.1 ${ur.statusCode ?? 101} ${ur.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < ur.rawHeaders.length; i += 2) lines.push(`${ur.rawHeaders[i]}: ${ur.rawHeaders[i + 1]}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    if (upHead.length > 0) socket.write(upHead);
    if (head.length > 0) upSocket.write(head);
    upSocket.on('error', () => socket.destroy());
    socket.on('close', () => upSocket.destroy());
    upSocket.on('close', () => socket.destroy());
    upSocket.pipe(socket).pipe(upSocket);
    done(ur.statusCode ?? 101);
  });
  // The app answered without switching protocols: pass its answer on and close.
  up.on('response', (ur) => {
    ur.on('error', () => socket.destroy());
    const lines = [`HTTP/1.1 ${ur.statusCode ?? 502} ${ur.statusMessage ?? ''}`];
    for (let i = 0; i < ur.rawHeaders.length; i += 2) {
      const k = ur.rawHeaders[i]!.toLowerCase();
      if (k !== 'connection' && k !== 'transfer-encoding' && k !== 'keep-alive') lines.push(`${ur.rawHeaders[i]}: ${ur.rawHeaders[i + 1]}`);
    }
    lines.push('connection: close');
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    ur.pipe(socket);
    done(ur.statusCode ?? 502);
  });
  up.on('error', (err) => {
    const body = unreachable(target, err);
    socket.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    done(502);
  });
  up.end();
}
