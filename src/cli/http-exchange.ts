// One HTTP request and its response over a connected stream, in HTTP/1.1 (node:http) or HTTP/2
// (node:http2, when ALPN selected h2). Both give the same shape to `hush get`: the response head
// once it arrives, the body as a stream, and one promise that rejects on the first error.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as http2Connect, constants as h2, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';

export interface ExchangeRequest {
  readonly url: URL;
  readonly method: string;
  /** Every header to send, in order, Host first (HTTP/2 sends it as :authority). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array | undefined;
}

export interface ResponseHead {
  /** '1.0', '1.1' or '2'. */
  readonly version: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: readonly (readonly [string, string])[];
}

export interface Exchange {
  /** 'HTTP/1.1' or 'HTTP/2'. */
  readonly protocol: string;
  /** The request as sent, one line per element (request line or pseudo-headers first): for -v. */
  readonly requestLines: readonly string[];
  /** Resolves with the response head. */
  readonly response: Promise<{ head: ResponseHead; body: Readable }>;
  /** Rejects with the first error of the exchange (never resolves). */
  readonly failed: Promise<never>;
  close(): void;
}

/** An error of the HTTP layer, with a one-line message for users. */
export class HttpExchangeError extends Error {}

/** Headers that are about the HTTP/1.1 connection and have no place in HTTP/2 (RFC 9113 §8.2.2). */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

function deferredFailure(): { failed: Promise<never>; fail: (e: Error) => void } {
  let fail!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed by whoever races it; never unhandled
  return { failed, fail };
}

/** HTTP/1.1 over `stream`, sending exactly `req.headers` (plus nothing: Connection: close is in the list). */
export function http1Exchange(stream: Duplex, req: ExchangeRequest): Exchange {
  const { failed, fail } = deferredFailure();
  const target = req.url.pathname + req.url.search;
  // A flat [name, value, ...] list: node sends exactly these, in this order and spelling.
  const headers = req.headers.flatMap(([n, v]) => [n, v]);
  const cr = httpRequest({
    method: req.method,
    path: target,
    headers,
    createConnection: () => stream as Socket,
  });
  cr.on('error', (e) => fail(e));
  const response = new Promise<{ head: ResponseHead; body: Readable }>((resolve, reject) => {
    failed.catch(reject);
    cr.on('response', (res: IncomingMessage) => {
      res.on('error', (e) => fail(e));
      const hs: [string, string][] = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) hs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
      resolve({ head: { version: res.httpVersion, status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: hs }, body: res });
    });
  });
  response.catch(() => {});
  cr.end(req.body === undefined ? undefined : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength));
  return {
    protocol: 'HTTP/1.1',
    requestLines: [`${req.method} ${target} HTTP/1.1`, ...req.headers.map(([n, v]) => `${n}: ${v}`)],
    response,
    failed,
    close: () => cr.destroy(),
  };
}

/** HTTP/2 over `stream` (which negotiated h2 with ALPN): one stream on a new session. */
export function http2Exchange(stream: Duplex, req: ExchangeRequest): Exchange {
  const { failed, fail } = deferredFailure();
  const target = req.url.pathname + req.url.search;
  const authority = req.headers.find(([n]) => n.toLowerCase() === 'host')?.[1] ?? req.url.host;
  const out: Record<string, string | string[]> = { ':method': req.method, ':scheme': 'https', ':authority': authority, ':path': target };
  const lines = [`${req.method} ${target} HTTP/2`, `:authority: ${authority}`];
  for (const [n, v] of req.headers) {
    const name = n.toLowerCase();
    if (CONNECTION_HEADERS.has(name)) continue;
    const prev = out[name];
    out[name] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    lines.push(`${name}: ${v}`);
  }
  const session = http2Connect(req.url.origin, { createConnection: () => stream as Socket });
  session.on('error', (e) => fail(e));
  session.on('goaway', (code) => {
    if (code !== h2.NGHTTP2_NO_ERROR) fail(new HttpExchangeError(`the server ended the HTTP/2 session (GOAWAY, error code ${code})`));
  });
  let s: ClientHttp2Stream;
  try {
    s = session.request(out, { endStream: req.body === undefined });
  } catch (e) {
    session.destroy();
    throw e;
  }
  let ended = false;
  s.on('error', (e) => fail(e));
  s.once('end', () => {
    ended = true;
  });
  s.on('close', () => {
    if (!ended && s.rstCode !== h2.NGHTTP2_NO_ERROR) fail(new HttpExchangeError(`the server reset the HTTP/2 stream (error code ${s.rstCode})`));
  });
  if (req.body !== undefined) s.end(Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength));
  const response = new Promise<{ head: ResponseHead; body: Readable }>((resolve, reject) => {
    failed.catch(reject);
    s.once('response', (h: IncomingHttpHeaders) => {
      const hs: [string, string][] = [];
      for (const [name, value] of Object.entries(h)) {
        if (name.startsWith(':') || value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) hs.push([name, String(v)]);
      }
      resolve({ head: { version: '2', status: Number(h[':status']), statusText: '', headers: hs }, body: s });
    });
  });
  response.catch(() => {});
  return {
    protocol: 'HTTP/2',
    requestLines: lines,
    response,
    failed,
    close: () => {
      if (!s.destroyed) s.close(h2.NGHTTP2_CANCEL);
      session.destroy();
    },
  };
}
