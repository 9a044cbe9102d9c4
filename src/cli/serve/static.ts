// Static files for `hush serve DIR`. The HTTP side (Range → 206, ETag / Last-Modified → 304,
// If-Range, HEAD, MIME types, /sub → /sub/ redirect, index.html) is the `send` library's; what is
// ours is the policy in front of it:
//  - containment: the path's realpath must stay inside DIR's realpath, so a symlink in DIR that
//    points outside it is refused (send itself follows symlinks);
//  - dotfiles (.env, .git/...) are refused unless --dotfiles, also when a symlink leads to one;
//  - a folder without index.html gets a listing (send would answer 403).
import { readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { join, relative, sep } from 'node:path';
import send from 'send';

export type Request = IncomingMessage | Http2ServerRequest;
export type Response = ServerResponse | Http2ServerResponse;

export interface StaticOptions {
  /** The folder to serve; resolved to its realpath once. */
  readonly root: string;
  /** Serve files and folders whose name starts with a dot. */
  readonly dotfiles: boolean;
  /** Headers set on every response (HSTS when asked for). */
  readonly headers: Readonly<Record<string, string>>;
}

/** (req, res) handler serving `root`. */
export type StaticHandler = (req: Request, res: Response, pathname: string) => void;

const isDotSegment = (s: string): boolean => s.startsWith('.') && s !== '.' && s !== '..';

function text(res: Response, status: number, body: string, headers: Readonly<Record<string, string>>, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const buf = Buffer.from(body);
  res.writeHead(status, { ...headers, ...extra, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(buf.length) });
  res.end(buf);
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function listing(dir: string, pathname: string, dotfiles: boolean): Promise<string> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => dotfiles || !e.name.startsWith('.'))
    .map((e) => ({ name: e.name + (e.isDirectory() ? '/' : ''), dir: e.isDirectory() }))
    .sort((a, b) => (a.dir === b.dir ? a.name.localeCompare(b.name) : a.dir ? -1 : 1));
  const rows = pathname === '/' ? [] : ['<li><a href="../">../</a></li>'];
  for (const e of entries) rows.push(`<li><a href="${esc(encodeURIComponent(e.name.replace(/\/$/, '')) + (e.dir ? '/' : ''))}">${esc(e.name)}</a></li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Index of ${esc(pathname)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}a{font-family:ui-monospace,monospace}</style>
</head><body><h1>Index of ${esc(pathname)}</h1>
<ul>
${rows.join('\n')}
</ul></body></html>
`;
}

/** Where `pathname` leads inside `rootReal`, or why it may not be served. */
async function check(rootReal: string, pathname: string, dotfiles: boolean): Promise<{ real?: string; refuse?: [number, string] }> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { refuse: [400, 'bad path: invalid percent-encoding\n'] };
  }
  if (decoded.includes('\0')) return { refuse: [400, 'bad path\n'] };
  const segments = decoded.split(/[\\/]/);
  if (segments.includes('..')) return { refuse: [403, 'forbidden: the path leaves the served folder\n'] };
  if (!dotfiles && segments.some(isDotSegment)) return { refuse: [403, 'forbidden: dotfiles are not served (start hush serve with --dotfiles to serve them)\n'] };
  let real: string;
  try {
    real = await realpath(join(rootReal, decoded));
  } catch {
    return {}; // does not exist: send answers 404
  }
  if (real !== rootReal && !real.startsWith(rootReal + sep)) {
    return { refuse: [403, 'forbidden: this path is a symlink that leads outside the served folder\n'] };
  }
  if (!dotfiles && relative(rootReal, real).split(sep).some(isDotSegment)) {
    return { refuse: [403, 'forbidden: this path leads to a dotfile (start hush serve with --dotfiles to serve them)\n'] };
  }
  return { real };
}

export async function createStaticHandler(opts: StaticOptions): Promise<StaticHandler> {
  const rootReal = await realpath(opts.root);
  const { headers, dotfiles } = opts;
  return (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return text(res, 405, 'method not allowed: a folder is served with GET and HEAD\n', headers, { allow: 'GET, HEAD' });
    }
    void (async () => {
      const { real, refuse } = await check(rootReal, pathname, dotfiles);
      if (refuse) return text(res, refuse[0], refuse[1], headers);
      if (real !== undefined && pathname.endsWith('/')) {
        const st = await stat(real);
        if (st.isDirectory()) {
          let hasIndex = false;
          try {
            hasIndex = (await stat(join(real, 'index.html'))).isFile();
          } catch {
            // no index.html: list the folder
          }
          if (!hasIndex) {
            const body = Buffer.from(await listing(real, pathname, dotfiles));
            res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length), 'cache-control': 'no-cache' });
            if (req.method === 'HEAD') res.end();
            else res.end(body);
            return;
          }
        }
      }
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      // Our checks above decide about dots; send's own (URL-only) check would only repeat them.
      send(req as IncomingMessage, pathname, { root: rootReal, dotfiles: 'allow', index: ['index.html'], etag: true, lastModified: true })
        .on('error', (err: { status?: number; statusCode?: number; headers?: Record<string, string> }) => {
          const status = err.status ?? err.statusCode ?? 500;
          const body = status === 404 ? 'not found\n' : status === 416 ? 'range not satisfiable\n' : `error ${status}\n`;
          text(res, status, body, headers, err.headers ?? {});
        })
        .pipe(res as ServerResponse);
    })().catch(() => text(res, 500, 'could not read the file\n', headers));
  };
}
