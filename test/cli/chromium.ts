// Headless Chromium for the CLI tests: `chromium --headless --dump-dom URL` with a fresh profile folder,
// bounded (60 s) and started as its own process group so that it and its helper processes (zygote,
// renderer, network service) are killed by our PID.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './helpers.js';
import { runBrowser } from './browser-process.js';

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
  return runBrowser('chromium', chromium, args, { ...process.env, ...opts.env }, CHROMIUM_TIMEOUT_MS).then((r) => ({ code: r.code, dom: r.stdout, ms: r.ms }));
}
