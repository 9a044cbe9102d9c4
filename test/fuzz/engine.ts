// The fuzz loop for one target, in-process: input i comes from an Rng seeded by (seed, target,
// i), so a failure is named by its seed and iteration and its input is kept as bytes.
import { FuzzFailure, type FailureKind } from './failure.js';
import { Rng, hashString } from './prng.js';
import type { FuzzTarget } from './target.js';

export interface Finding {
  readonly target: string;
  readonly kind: FailureKind;
  readonly message: string;
  /** undefined for a replayed regression input. */
  readonly seed?: number;
  readonly iteration?: number;
  readonly input: Uint8Array;
  readonly description?: string;
}

export interface TargetStats {
  readonly target: string;
  iterations: number;
  replayed: number;
  ms: number;
  readonly outcomes: Record<string, number>;
  readonly findings: Finding[];
}

export interface RunOptions {
  readonly seed: number;
  /** Stop after this many generated inputs. */
  readonly iterations?: number;
  /** Stop at this performance.now() time. */
  readonly until?: number;
  /** Inputs replayed first (regression cases). */
  readonly replay?: readonly Uint8Array[];
  /** Called before each input runs (the worker's heartbeat). */
  readonly onInput?: (iteration: number, input: Uint8Array) => void;
  /** Stop the target after this many distinct findings (default 3). */
  readonly maxFindings?: number;
}

/** The input of iteration `i` of `target` under `seed`. */
export function inputFor(target: FuzzTarget, seed: number, i: number): Uint8Array {
  return target.generate(new Rng(seed, hashString(target.name), i));
}

/** Run one input: its outcome when every oracle holds, else the failure. */
export function check(target: FuzzTarget, input: Uint8Array): { outcome: string } | { failure: FuzzFailure } {
  try {
    return { outcome: target.run(input) };
  } catch (e) {
    return { failure: FuzzFailure.fromException(`${target.name} threw`, e) };
  }
}

export function runTarget(target: FuzzTarget, opts: RunOptions): TargetStats {
  const stats: TargetStats = { target: target.name, iterations: 0, replayed: 0, ms: 0, outcomes: {}, findings: [] };
  const t0 = performance.now();
  const seen = new Set<string>();
  const maxFindings = opts.maxFindings ?? 3;
  const record = (input: Uint8Array, r: ReturnType<typeof check>, iteration?: number): void => {
    if ('outcome' in r) {
      stats.outcomes[r.outcome] = (stats.outcomes[r.outcome] ?? 0) + 1;
      return;
    }
    const f = r.failure;
    // One finding per kind and first message line with numbers masked (the same bug, many inputs).
    const key = `${f.kind}:${f.message.split('\n')[0]!.replace(/\d+/g, '#')}`;
    stats.outcomes[`FAIL:${f.kind}`] = (stats.outcomes[`FAIL:${f.kind}`] ?? 0) + 1;
    if (seen.has(key)) return;
    seen.add(key);
    stats.findings.push({
      target: target.name, kind: f.kind, message: f.message, input: input.slice(),
      ...(iteration === undefined ? {} : { seed: opts.seed, iteration }),
      ...(target.describe ? { description: target.describe(input) } : {}),
    });
  };
  for (const input of opts.replay ?? []) {
    opts.onInput?.(-1, input);
    record(input, check(target, input));
    stats.replayed++;
  }
  for (let i = 0; ; i++) {
    if (opts.iterations !== undefined && i >= opts.iterations) break;
    if (opts.until !== undefined && (i & 15) === 0 && performance.now() >= opts.until) break;
    if (stats.findings.length >= maxFindings) break;
    const input = inputFor(target, opts.seed, i);
    opts.onInput?.(i, input);
    record(input, check(target, input), i);
    stats.iterations++;
  }
  stats.ms = performance.now() - t0;
  return stats;
}
