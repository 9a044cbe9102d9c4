// Targets with planted faults, to test the harness itself (fuzz.test.ts): an input that hangs,
// one that eats memory and one that throws a TypeError. Only reachable with HUSH_FUZZ_SELFTEST=1.
import type { FuzzTarget } from './target.js';

/** The planted fault fires on inputs whose first byte is this. */
export const PLANTED = 7;

function planted(name: string, fault: () => void): FuzzTarget {
  return {
    name,
    kind: 'decoder',
    setup() {},
    generate: (rng) => Uint8Array.of(rng.int(16), rng.int(256)),
    run(input) {
      if (input[0] === PLANTED) fault();
      return 'accepted';
    },
  };
}

export function selftestTargets(): FuzzTarget[] {
  return [
    planted('selftest-hang', () => {
      // Spins until the watchdog terminates the worker (bounded at 10 minutes all the same).
      const end = performance.now() + 600_000;
      while (performance.now() < end);
    }),
    planted('selftest-memory', () => {
      // Grows until the worker's heap cap stops it (bounded all the same).
      const keep: number[][] = [];
      for (let i = 0; i < 1e5; i++) keep.push(new Array(1 << 20).fill(i));
    }),
    planted('selftest-exception', () => {
      const missing = undefined as unknown as { field: number };
      void missing.field;
    }),
  ];
}
