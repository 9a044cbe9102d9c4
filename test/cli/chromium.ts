// Headless Chromium for the CLI tests: `chromium --headless --dump-dom URL` with a fresh profile folder,
// bounded (60 s) and started as its own process group so that it and its helper processes (zygote,
// renderer, network service) are killed by our PID.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './helpers.js';

export const CHROMIUM_TIMEOUT_MS = 60_000;

export interface DumpResult {
  readonly code: number | null;
  readonly dom: string;
  readonly ms: number;
}

export interface DumpOptions {
  /** Flags placed before --dump-dom (e.g. --ignore-certificate-errors-spki-list=...). */
  readonly flags?: readonly string[];
  /** Added to our environment (e.g. HOME, whose .pki/nssdb Chromium reads). */
  readonly env?: Record<string, string>;
  /** Written as the profile's "Local State" before the start (browser-wide prefs, e.g. dns_over_https). */
  readonly localState?: Record<string, unknown>;
}

/** `chromium --headless --dump-dom URL` with a fresh profile; killed (process group) after 60 s. */
export function dumpDom(chromium: string, url: string, opts: DumpOptions = {}): Promise<DumpResult> {
  const profile = tempDir('hush-chromium-profile-');
  if (opts.localState) writeFileSync(path.join(profile, 'Local State'), JSON.stringify(opts.localState));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    `--user-data-dir=${profile}`,
    ...(opts.flags ?? []),
    '--dump-dom',
    url,
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(chromium, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...opts.env } });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      err = (err + s).slice(-4000);
    });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL'); // the group we created with detached: true
      } catch {
        /* already gone */
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, CHROMIUM_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup(); // helpers that outlived the browser process
      if (timedOut) reject(new Error(`chromium did not finish within ${CHROMIUM_TIMEOUT_MS} ms; stderr tail:\n${err}`));
      else resolve({ code, dom: Buffer.concat(out).toString('utf8'), ms: Date.now() - started });
    });
  });
}
