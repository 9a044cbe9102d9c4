// The fuzz worker thread: runs jobs (one target each) and publishes the input it is working on in
// shared memory before each run, so that the parent's watchdog can name the input of a hang or of
// an out-of-memory crash even when this thread never comes back.
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { runTarget } from './engine.js';
import { selftestTargets } from './selftest.js';
import type { FuzzTarget } from './target.js';
import { HEARTBEAT, type WorkerJob, type WorkerMessage } from './protocol.js';

interface Data {
  readonly jobs: readonly WorkerJob[];
  readonly seed: number;
  readonly shared: SharedArrayBuffer;
}

const { jobs, seed, shared } = workerData as Data;
const words = new Int32Array(shared, 0, HEARTBEAT.words);
const bytes = new Uint8Array(shared, HEARTBEAT.words * 4);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
// The harness's self-test targets load without the rest (a worker start compiles what it imports).
const selftestOnly = jobs.every((j) => j.target.startsWith('selftest-'));
const targetByName: (name: string) => FuzzTarget | undefined = selftestOnly
  ? (name) => selftestTargets().find((t) => t.name === name)
  : (await import('./targets.js')).targetByName;

for (let j = 0; j < jobs.length; j++) {
  const job = jobs[j]!;
  const target = targetByName(job.target);
  if (!target) throw new Error(`no fuzz target '${job.target}'`);
  Atomics.store(words, HEARTBEAT.job, j);
  Atomics.store(words, HEARTBEAT.phase, HEARTBEAT.SETUP);
  target.setup();
  Atomics.store(words, HEARTBEAT.phase, HEARTBEAT.RUNNING);
  const stats = runTarget(target, {
    seed,
    ...(job.iterations === undefined ? {} : { iterations: job.iterations }),
    ...(job.seconds === undefined ? {} : { until: performance.now() + job.seconds * 1000 }),
    replay: job.replay.map((h) => Uint8Array.from(Buffer.from(h, 'hex'))),
    onInput(i, input) {
      const n = Math.min(input.length, bytes.length);
      bytes.set(input.subarray(0, n));
      Atomics.store(words, HEARTBEAT.length, input.length);
      Atomics.store(words, HEARTBEAT.iteration, i);
      Atomics.add(words, HEARTBEAT.counter, 1);
    },
  });
  Atomics.store(words, HEARTBEAT.phase, HEARTBEAT.IDLE);
  post({ type: 'stats', job: j, stats, heapUsed: getHeapStatistics().used_heap_size, description: stats.findings.map((f) => f.description ?? '') });
}
post({ type: 'done' });
