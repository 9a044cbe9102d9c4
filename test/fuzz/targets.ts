// Every fuzz target, by name.
import { decoderTargets } from './decoders.js';
import { connectionTargets } from './connection.js';
import type { FuzzTarget } from './target.js';

let all: FuzzTarget[] | undefined;

export function allTargets(): FuzzTarget[] {
  return (all ??= [...decoderTargets(), ...connectionTargets()]);
}

export function targetByName(name: string): FuzzTarget | undefined {
  return allTargets().find((t) => t.name === name);
}
