// Robust summaries for noisy, interleaved samples.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** (max - min) / median, as a fraction: how far apart the repetitions were. */
export function spread(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = median(xs);
  return m === 0 ? 0 : (Math.max(...xs) - Math.min(...xs)) / Math.abs(m);
}

/**
 * The ratio a/b from paired samples (rep i of A ran next to rep i of B): the median of the
 * per-repetition ratios, which cancels slow drifts of the machine's speed.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return NaN;
  const r: number[] = [];
  for (let i = 0; i < n; i++) if (b[i]! !== 0) r.push(a[i]! / b[i]!);
  return median(r);
}
