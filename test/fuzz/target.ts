// The shape of a fuzz target. Every input is bytes, so that one format (hex files) keeps the
// regression cases of every target; connection targets put a small header before the bytes.
import type { Rng } from './prng.js';

export interface FuzzTarget {
  readonly name: string;
  readonly kind: 'decoder' | 'connection';
  /** Build the seed corpus (deterministic; may run clean handshakes). Called once before inputs. */
  setup(): void;
  /** The input of one iteration, from an Rng seeded by (seed, target, iteration). */
  generate(rng: Rng): Uint8Array;
  /**
   * Process one input. Returns a short outcome name for the statistics ('rejected', 'accepted',
   * 'established', ...). Throws FuzzFailure when an oracle is violated.
   */
  run(input: Uint8Array): string;
  /** A one-line description of an input (for failure reports). */
  describe?(input: Uint8Array): string;
}
