// Clients for the `hush serve` tests: node:https (HTTP/1.1) and node:http2, trusting a given CA,
// every request bounded in time.
import https from 'node:https';
import http2 from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

export interface ReplyOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly agent?: https.Agent;
  readonly timeoutMs?: number;
}

/** One HTTPS/1.1 request to `url`, trusting `ca` (PEM). */
export function httpsRequest(url: string, ca: string | Buffer, opts: ReplyOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers ?? {}, ca, agent: opts.agent ?? false, timeout: opts.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** One HTTP/2 request over a fresh session (ALPN h2), trusting `ca`. */
export function http2Request(origin: string, path: string, ca: string | Buffer, opts: ReplyOptions = {}): Promise<Reply & { alpn: string | false | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, { ca });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`HTTP/2 request to ${origin}${path} timed out`));
    }, opts.timeoutMs ?? 10_000);
    session.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    const req = session.request({ ':method': opts.method ?? 'GET', ':path': path, ...(opts.headers ?? {}) });
    let headers: IncomingHttpHeaders = {};
    let status = 0;
    req.on('response', (h) => {
      status = Number(h[':status']);
      headers = h as IncomingHttpHeaders;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      clearTimeout(timer);
      const alpn = (session.socket as unknown as { alpnProtocol?: string | false }).alpnProtocol;
      session.close();
      const body = Buffer.concat(chunks);
      resolve({ status, headers, body, text: body.toString('utf8'), alpn });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      session.destroy();
      reject(e);
    });
    req.end(opts.body);
  });
}
