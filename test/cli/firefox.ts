// Headless Firefox ESR for the CLI tests: `firefox-esr --headless --screenshot FILE URL` with a fresh
// profile (prefs in user.js, trusted CAs in its cert9.db via certutil) and a fresh HOME, bounded (90 s)
// and started as its own process group so that it and its content processes are killed by our PID.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, tempDir } from './helpers.js';
import { runBrowser } from './browser-process.js';

export const FIREFOX_TIMEOUT_MS = 90_000;

/** Prefs that keep a headless test run quiet and local (no updates, telemetry, first-run pages). */
const QUIET: Record<string, string | number | boolean> = {
  'app.update.enabled': false,
  'app.normandy.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.safebrowsing.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'extensions.update.enabled': false,
};

export interface FirefoxOptions {
  /** user.js prefs. */
  readonly prefs: Record<string, string | number | boolean>;
  /** PEM files of CAs to trust (added to the profile's cert9.db with certutil). */
  readonly trust?: readonly string[];
}

/** Load URL in headless Firefox (it exits once the page loaded and the screenshot is taken). */
export async function firefoxLoad(firefox: string, url: string, opts: FirefoxOptions): Promise<{ code: number | null; ms: number; stderr: string }> {
  const dir = tempDir('hush-firefox-');
  const profile = path.join(dir, 'profile');
  const home = path.join(dir, 'home');
  mkdirSync(profile);
  mkdirSync(home);
  const prefs = { ...QUIET, ...opts.prefs };
  writeFileSync(path.join(profile, 'user.js'), Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));
  if (opts.trust?.length) {
    const init = await run('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
    if (init.code !== 0) throw new Error(`certutil -N: ${init.stderr}`);
    for (const [i, pem] of opts.trust.entries()) {
      const add = await run('certutil', ['-A', '-d', `sql:${profile}`, '-n', `hush-test-ca-${i}`, '-t', 'C,,', '-i', pem]);
      if (add.code !== 0) throw new Error(`certutil -A: ${add.stderr}`);
    }
  }
  const args = ['--headless', '--no-remote', '--profile', profile, '--screenshot', path.join(dir, 'page.png'), url];
  const r = await runBrowser('firefox', firefox, args, { ...process.env, HOME: home, MOZ_HEADLESS: '1' }, FIREFOX_TIMEOUT_MS);
  return { code: r.code, ms: r.ms, stderr: r.stderr };
}
