// Every fuzz target, by name.
import { decoderTargets } from './decoders.js';
import { connectionTargets } from './connection.js';
import { recordTargets } from './records.js';
import { selftestTargets } from './selftest.js';
import type { FuzzTarget } from './target.js';

let all: FuzzTarget[] | undefined;

export function allTargets(): FuzzTarget[] {
  return (all ??= [...decoderTargets(), ...recordTargets(), ...connectionTargets()]);
}

/** A target by name; the harness's own planted-fault targets only with HUSH_FUZZ_SELFTEST=1. */
export function targetByName(name: string): FuzzTarget | undefined {
  const extra = process.env.HUSH_FUZZ_SELFTEST === '1' ? selftestTargets() : [];
  return [...allTargets(), ...extra].find((t) => t.name === name);
}
