// Messages and shared-memory layout between the fuzz driver and its worker.
import type { TargetStats } from './engine.js';

export interface WorkerJob {
  readonly target: string;
  /** Regression inputs to replay first (hex). */
  readonly replay: readonly string[];
  readonly iterations?: number;
  readonly seconds?: number;
}

export type WorkerMessage =
  | { readonly type: 'stats'; readonly job: number; readonly stats: TargetStats; readonly heapUsed: number; readonly description: readonly string[] }
  | { readonly type: 'done' };

/** Int32 slots at the start of the shared buffer; the current input's bytes follow. */
export const HEARTBEAT = {
  words: 8,
  job: 0,
  iteration: 1,
  length: 2,
  phase: 3,
  /** Incremented before every input: the watchdog's sign of progress. */
  counter: 4,
  SETUP: 0,
  RUNNING: 1,
  IDLE: 2,
  /** Bytes of the current input kept for reports (inputs are at most ~70 KB). */
  inputBytes: 256 * 1024,
} as const;
