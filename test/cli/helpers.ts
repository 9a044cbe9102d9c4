// Helpers for the CLI end-to-end tests: run `hush` as a child process, start `hush serve` and read the
// port it bound, run curl/openssl, temp folders removed at exit.
//
// The CLI is bundled once per test process with esbuild (tsx's own dependency) into a temp folder:
// ~0.6 s once, then ~0.2 s per `hush` run, against ~0.7 s per run through `node --import tsx` and
// ~10 s for a full `tsc` build into dist/ (which other work in the same tree may be rewriting).
// If esbuild cannot be loaded we fall back to tsx.
//
// Every child is started by us, waited for with a bound and stopped by its PID.
import { after } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { tempDir as interopTempDir } from '../interop/peers.js';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);

// ---------------------------------------------------------------------------------------------
// Temp folders

/** A fresh folder under the OS temp dir, removed when the test process exits (the interop harness's). */
export function tempDir(prefix = 'hush-cli-'): string {
  return interopTempDir(prefix);
}

// ---------------------------------------------------------------------------------------------
// The hush command

let hushCommand: Promise<string[]> | undefined;

/** argv prefix (after node) that runs the hush CLI from src/. */
export function hushArgv(): Promise<string[]> {
  hushCommand ??= (async () => {
    const out = path.join(tempDir('hush-cli-bundle-'), 'hush.mjs');
    try {
      const esbuild = (await import('esbuild')) as typeof import('esbuild');
      await esbuild.build({
        entryPoints: [path.join(REPO, 'src/cli/main.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outfile: out,
        logLevel: 'silent',
        // CommonJS dependencies (send) call require() for node's modules: give the ESM bundle one.
        banner: { js: "import { createRequire as __hushCreateRequire } from 'node:module'; const require = __hushCreateRequire(import.meta.url);" },
      });
      return [out];
    } catch {
      return ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts')];
    }
  })();
  return hushCommand;
}

/** The environment for a child: ours without SSLKEYLOGFILE (tests set it explicitly), plus `env`. */
export function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.SSLKEYLOGFILE;
  return { ...e, ...env };
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
  readonly ms: number;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly cwd?: string;
  readonly input?: string | Buffer;
}

/** Run a program to completion (killed by PID after timeoutMs, default 20 s). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: childEnv(opts.env),
      cwd: opts.cwd ?? REPO,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, opts.timeoutMs ?? 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 20_000} ms\nstderr: ${stderr}`));
        return;
      }
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr, ms: Date.now() - started });
    });
  });
}

/** Run `hush ARGS...`. */
export async function hush(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [...(await hushArgv()), ...args], opts);
}

// ---------------------------------------------------------------------------------------------
// hush serve

export interface Served {
  readonly port: number;
  /** The plain HTTP port with --redirect-http. */
  readonly redirectPort: number | undefined;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Wait (bounded) until stdout+stderr match. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM by PID, SIGKILL after 3 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const SERVING = /^hush serving .* on https:\/\/[^:/]+:(\d+)\/(?: \(plain HTTP on port (\d+) redirects here\))?$/m;

/** Start `hush serve ARGS...` (add --port 0 yourself) and wait for its "hush serving" line. */
export async function startServe(args: readonly string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Served> {
  const child = spawn(process.execPath, [...(await hushArgv()), 'serve', ...args], {
    env: childEnv(opts.env),
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exited: number | null | undefined;
  const waiters = new Set<() => void>();
  const poke = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    poke();
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
    poke();
  });
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      exited = code;
      poke();
      resolve(code);
    }),
  );
  const waitFor = (re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = re.exec(out + err) ?? re.exec(out) ?? re.exec(err);
        if (m) {
          done();
          resolve(m);
        } else if (exited !== undefined) {
          done();
          reject(new Error(`hush serve exited (${exited}) before ${re}\nstdout: ${out}\nstderr: ${err}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${re} from hush serve within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const stop = async (): Promise<number | null> => {
    if (exited !== undefined) return exited;
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (exited === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, 3000);
    const code = await closed;
    clearTimeout(timer);
    return code;
  };
  let m: RegExpExecArray;
  try {
    m = await waitFor(SERVING, opts.timeoutMs ?? 15_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port: Number(m[1]),
    redirectPort: m[2] === undefined ? undefined : Number(m[2]),
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor,
    stop,
  };
}

/**
 * For a test file's top level: a `serve(args)` that runs `hush serve --port 0 ARGS...` with `env`
 * and stops every server it started (by PID) in an after() hook of that file.
 */
export function serveForFile(env: Record<string, string>): (args: readonly string[]) => Promise<Served> {
  const started: Served[] = [];
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });
  return async (args) => {
    const s = await startServe(['--port', '0', ...args], { env });
    started.push(s);
    return s;
  };
}

// ---------------------------------------------------------------------------------------------
// Peers

/** The full path of a program on PATH, or undefined. */
export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** For node:test's `skip`: a reason when HUSH_SKIP_INTEROP=1. */
export function interopSkip(): string | false {
  return process.env.HUSH_SKIP_INTEROP === '1' ? 'HUSH_SKIP_INTEROP=1' : false;
}

/** Throw a clear error when a program the test needs is missing. */
export function requireProgram(cmd: string): string {
  const p = which(cmd);
  if (!p) throw new Error(`'${cmd}' is not installed (CI installs it via .ci/run; set HUSH_SKIP_INTEROP=1 to skip the tests that need it)`);
  return p;
}

/** The lines of `text` that are JSON objects (trace-json events), in order. */
export function jsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

/** A TCP port that was free a moment ago (listen on 0, close). */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
