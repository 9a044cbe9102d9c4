// Runs fuzz jobs in a worker thread under a watchdog: the worker publishes each input in shared
// memory before running it; when its progress counter stands still longer than `hangMs` the
// worker is terminated and the input it was stuck on is reported as a hang. The worker's heap is
// capped (`heapMb`): running out is reported as unbounded memory, with the input. Remaining jobs
// continue in a fresh worker.
import { Worker } from 'node:worker_threads';
import type { Finding, TargetStats } from './engine.js';
import { HEARTBEAT, type WorkerJob, type WorkerMessage } from './protocol.js';
import { targetByName } from './targets.js';

export interface DriverOptions {
  readonly seed: number;
  /** No progress for this long on one input = a hang (default 10 s: generous on a busy machine). */
  readonly hangMs?: number;
  /** A target's setup (clean handshakes, key generation) may take this long (default 60 s). */
  readonly setupMs?: number;
  /** Heap cap of the worker in MB (default 768). */
  readonly heapMb?: number;
  /** Called as each job ends. */
  readonly onStats?: (stats: TargetStats, heapUsed: number | undefined) => void;
}

const WORKER = new URL('./worker.ts', import.meta.url).href;

function startWorker(jobs: readonly WorkerJob[], seed: number, shared: SharedArrayBuffer, heapMb: number): Worker {
  // The worker loads TypeScript through tsx's API (execArgv --import does not reach workers' ESM loader).
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); })`;
  return new Worker(code, {
    eval: true,
    workerData: { jobs, seed, shared },
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    stdout: false,
    stderr: false,
  });
}

function describe(targetName: string, input: Uint8Array): string | undefined {
  try {
    const t = targetByName(targetName);
    if (!t?.describe) return undefined;
    t.setup();
    return t.describe(input);
  } catch {
    return undefined;
  }
}

export async function runJobs(jobs: readonly WorkerJob[], opts: DriverOptions): Promise<TargetStats[]> {
  const hangMs = opts.hangMs ?? 10_000;
  const setupMs = opts.setupMs ?? 60_000;
  const heapMb = opts.heapMb ?? 768;
  const results: TargetStats[] = [];
  let next = 0;
  while (next < jobs.length) {
    const batch = jobs.slice(next);
    const shared = new SharedArrayBuffer(HEARTBEAT.words * 4 + HEARTBEAT.inputBytes);
    const words = new Int32Array(shared, 0, HEARTBEAT.words);
    const bytes = new Uint8Array(shared, HEARTBEAT.words * 4);
    const worker = startWorker(batch, opts.seed, shared, heapMb);
    const finished = new Set<number>();
    const crash = await new Promise<{ kind: 'hang' | 'memory' | 'exception'; message: string } | undefined>((resolve) => {
      let last = -1;
      let since = performance.now();
      let settled = false;
      const settle = (v: { kind: 'hang' | 'memory' | 'exception'; message: string } | undefined): void => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        resolve(v);
      };
      const timer = setInterval(() => {
        const counter = Atomics.load(words, HEARTBEAT.counter);
        const phase = Atomics.load(words, HEARTBEAT.phase);
        const now = performance.now();
        if (counter !== last || phase === HEARTBEAT.IDLE) {
          last = counter;
          since = now;
          return;
        }
        const bound = phase === HEARTBEAT.SETUP ? setupMs : hangMs;
        if (now - since > bound) {
          settle({ kind: 'hang', message: phase === HEARTBEAT.SETUP ? `setup made no progress for ${bound} ms` : `one input ran for more than ${bound} ms (watchdog)` });
          void worker.terminate();
        }
      }, 100);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'stats') {
          finished.add(m.job);
          results.push(m.stats);
          opts.onStats?.(m.stats, m.heapUsed);
        } else settle(undefined);
      });
      worker.on('error', (e: Error & { code?: string }) => {
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') settle({ kind: 'memory', message: `the worker ran out of its ${heapMb} MB heap` });
        else settle({ kind: 'exception', message: `the worker crashed: ${e.stack ?? e.message}` });
      });
      worker.on('exit', (code) => settle(finished.size === batch.length ? undefined : { kind: 'exception', message: `the worker exited with code ${code}` }));
    });
    await worker.terminate();
    if (!crash) break;
    const j = Atomics.load(words, HEARTBEAT.job);
    const job = batch[j]!;
    const phase = Atomics.load(words, HEARTBEAT.phase);
    const length = Atomics.load(words, HEARTBEAT.length);
    const iteration = Atomics.load(words, HEARTBEAT.iteration);
    const input = phase === HEARTBEAT.SETUP ? new Uint8Array(0) : bytes.slice(0, Math.min(length, bytes.length));
    const description = phase === HEARTBEAT.SETUP ? 'during setup' : describe(job.target, input);
    const finding: Finding = {
      target: job.target, kind: crash.kind, message: crash.message, input,
      ...(phase === HEARTBEAT.SETUP || iteration < 0 ? {} : { seed: opts.seed, iteration }),
      ...(description ? { description } : {}),
    };
    const stats: TargetStats = { target: job.target, iterations: Math.max(0, iteration), replayed: 0, ms: 0, outcomes: { [`FAIL:${crash.kind}`]: 1 }, findings: [finding] };
    results.push(stats);
    opts.onStats?.(stats, undefined);
    next += j + 1;
  }
  return results;
}
