// Where `hush serve` gets the OCSP response it staples (#15): a file (--ocsp-staple FILE,
// reloaded when it changes), or the certificate's OCSP responder named in its authorityInfoAccess
// (--ocsp-fetch: HTTP POST, GET as a fallback, RFC 6960 Appendix A; refreshed halfway to
// nextUpdate). Every response is checked against the certificate before it is stapled: a
// response that would fail hush's own client is never sent.
import { readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { nodeCryptoProvider as provider } from '../../crypto/node/index.js';
import { equal } from '../../bytes/util.js';
import type { Certificate } from '../../x509/certificate.js';
import { checkOcspResponse, encodeOcspRequest, ocspResponderUrls } from '../../x509/ocsp.js';

export interface StapleSource {
  /** The current staple (DER OCSPResponse), or undefined when there is none to send. */
  get(): Uint8Array | undefined;
  stop(): void;
}

const RECHECK_FILE_MS = 1000;
const FETCH_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;
const MIN_REFRESH_MS = 60_000;
const MAX_REFRESH_MS = 24 * 3600_000;
const RETRY_MS = [5_000, 30_000, 120_000, 600_000];

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Why `der` cannot be stapled for `leaf`, or a description of it when it can. */
function judge(der: Uint8Array, leaf: Certificate, issuer: Certificate): { ok: true; text: string; nextUpdate: number | undefined; thisUpdate: number } | { ok: false; why: string } {
  const r = checkOcspResponse({ response: der, cert: leaf, issuer, at: Date.now(), provider });
  if (!r.ok) return { ok: false, why: r.why };
  const s = r.single;
  return {
    ok: true,
    text: `${s.certStatus.status}, this update ${iso(s.thisUpdate)}${s.nextUpdate !== undefined ? `, next update ${iso(s.nextUpdate)}` : ''}`,
    nextUpdate: s.nextUpdate,
    thisUpdate: s.thisUpdate,
  };
}

/** --ocsp-staple FILE: read now (it must be valid now), re-read when its size or mtime changes. */
export function fileStaple(path: string, leaf: Certificate, issuer: Certificate, log: (line: string) => void): StapleSource {
  let current: Uint8Array | undefined;
  let seen = '';
  let checked = 0;
  const load = (first: boolean): void => {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      if (first) throw new Error(`cannot read --ocsp-staple ${path}: ${(e as Error).message}`);
      return;
    }
    const sig = `${st.size}/${st.mtimeMs}`;
    if (sig === seen) return;
    seen = sig;
    const der = new Uint8Array(readFileSync(path));
    const v = judge(der, leaf, issuer);
    if (!v.ok) {
      if (first) throw new Error(`--ocsp-staple ${path} cannot be stapled: ${v.why}`);
      log(`OCSP staple ${path} changed but cannot be used (${v.why}); keeping the previous one`);
      return;
    }
    current = der;
    log(`OCSP staple ${first ? 'loaded' : 'reloaded'} from ${path} (${v.text})`);
  };
  load(true);
  return {
    get() {
      const now = Date.now();
      if (now - checked >= RECHECK_FILE_MS) {
        checked = now;
        try {
          load(false);
        } catch {
          // keep the previous staple
        }
      }
      return current;
    },
    stop() {},
  };
}

function fetchOnce(url: string, body: Uint8Array, method: 'POST' | 'GET', signal: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    if (u.protocol !== 'http:') {
      reject(new Error(`the OCSP responder ${url} is not an http:// URL (RFC 6960 responders speak plain HTTP)`));
      return;
    }
    const target =
      method === 'GET' ? new URL(`${u.pathname.replace(/\/?$/, '/')}${encodeURIComponent(Buffer.from(body).toString('base64'))}`, u) : u;
    const req = httpRequest(
      target,
      {
        method,
        timeout: FETCH_TIMEOUT_MS,
        signal,
        headers: method === 'POST' ? { 'content-type': 'application/ocsp-request', 'content-length': body.length } : {},
      },
      (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`the responder sent more than ${MAX_RESPONSE_BYTES} bytes`));
          else parts.push(d);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${method} ${url}: HTTP ${res.statusCode}`));
          else resolve(new Uint8Array(Buffer.concat(parts)));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in ${FETCH_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
}

/**
 * --ocsp-fetch: ask the certificate's OCSP responder, staple what it answers once it checks out,
 * and ask again halfway between thisUpdate and nextUpdate (between 1 minute and 1 day); after a
 * failure retry in 5 s, 30 s, 2 min, then every 10 min (the delay never grows past that, and
 * each try is one POST, then one GET, each bounded by FETCH_TIMEOUT_MS), keeping the previous
 * staple while it is still current. `ready` settles after the first attempt. `stop()` cancels
 * the next fetch and aborts one in flight.
 */
export function fetchedStaple(
  leaf: Certificate,
  issuer: Certificate,
  log: (line: string) => void,
  /** Tests shorten the refresh floor and the retry delays. */
  timing: { minRefreshMs?: number; retryMs?: readonly number[] } = {},
): StapleSource & { ready: Promise<void> } {
  const minRefresh = timing.minRefreshMs ?? MIN_REFRESH_MS;
  const retries = timing.retryMs ?? RETRY_MS;
  const urls = ocspResponderUrls(leaf);
  if (urls.length === 0) throw new Error('--ocsp-fetch: the certificate names no OCSP responder (authorityInfoAccess id-ad-ocsp)');
  const url = urls[0]!;
  const body = encodeOcspRequest(provider, leaf, issuer);
  let current: Uint8Array | undefined;
  let until = 0;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let stopped = false;
  const abort = new AbortController();
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void attempt(), ms);
    timer.unref();
  };
  const attempt = async (): Promise<void> => {
    let der: Uint8Array;
    try {
      try {
        der = await fetchOnce(url, body, 'POST', abort.signal);
      } catch (e) {
        if (stopped) return;
        der = await fetchOnce(url, body, 'GET', abort.signal).catch(() => Promise.reject(e));
      }
      if (stopped) return;
      const v = judge(der, leaf, issuer);
      if (!v.ok) throw new Error(`its response cannot be stapled: ${v.why}`);
      current = der;
      failures = 0;
      const next = v.nextUpdate ?? v.thisUpdate + 24 * 3600_000;
      until = next;
      const refresh = Math.min(MAX_REFRESH_MS, Math.max(minRefresh, (next - Date.now()) / 2));
      log(`OCSP staple fetched from ${url} (${v.text}); next fetch in ${Math.round(refresh / 1000)} s`);
      schedule(refresh);
    } catch (e) {
      if (stopped) return;
      const wait = retries[Math.min(failures, retries.length - 1)]!;
      failures++;
      log(`OCSP fetch from ${url} failed (${(e as Error).message}); retrying in ${wait / 1000} s`);
      schedule(wait);
    }
  };
  const ready = attempt();
  return {
    ready,
    get() {
      // A staple past its nextUpdate would fail the clients: send none instead.
      return current !== undefined && Date.now() <= until ? current : undefined;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
    },
  };
}

/** One certificate chain whose staple --ocsp-fetch keeps: `label` names it in the log lines. */
export interface StapledChain {
  readonly label: string;
  readonly leaf: Certificate;
  readonly issuer: Certificate;
}

/** The staples of several certificates, each found by its leaf's DER. */
export interface StapleSet {
  /** Settles once every certificate's first fetch has been tried. */
  readonly ready: Promise<void>;
  get(leaf: Uint8Array): Uint8Array | undefined;
  stop(): void;
}

/**
 * --ocsp-fetch for every --cert: one fetchedStaple per chain, each with its own responder,
 * refresh and retries (one failing responder never holds back another's staple).
 */
export function fetchedStaples(
  chains: readonly StapledChain[],
  log: (line: string) => void,
  timing: { minRefreshMs?: number; retryMs?: readonly number[] } = {},
): StapleSet {
  const sources: { leaf: Uint8Array; source: StapleSource & { ready: Promise<void> } }[] = [];
  try {
    for (const c of chains) {
      const prefixed = chains.length > 1 ? (line: string): void => log(`${c.label}: ${line}`) : log;
      let source;
      try {
        source = fetchedStaple(c.leaf, c.issuer, prefixed, timing);
      } catch (e) {
        throw new Error(chains.length > 1 ? `${c.label}: ${(e as Error).message}` : (e as Error).message);
      }
      sources.push({ leaf: c.leaf.raw, source });
    }
  } catch (e) {
    for (const s of sources) s.source.stop();
    throw e;
  }
  return {
    ready: Promise.all(sources.map((s) => s.source.ready)).then(() => undefined),
    get(leaf) {
      return sources.find((s) => equal(s.leaf, leaf))?.source.get();
    },
    stop() {
      for (const s of sources) s.source.stop();
    },
  };
}
