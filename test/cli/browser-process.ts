// A headless browser run for the CLI tests: its own process group (so its helper processes go
// with it), bounded in time, killed by group when it ends or times out; stdout kept, the stderr
// tail kept for the error message.
import { spawn } from 'node:child_process';

export interface BrowserRun {
  readonly code: number | null;
  readonly stdout: string;
  /** The last 4,000 characters of stderr. */
  readonly stderr: string;
  readonly ms: number;
}

export function runBrowser(name: string, bin: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<BrowserRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
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
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup(); // helpers that outlived the browser process
      if (timedOut) reject(new Error(`${name} did not finish within ${timeoutMs} ms; stderr tail:\n${err}`));
      else resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: err, ms: Date.now() - started });
    });
  });
}
