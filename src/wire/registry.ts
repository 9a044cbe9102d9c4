/**
 * A name ↔ number table for one IANA registry. Unknown numbers stay numbers:
 * `name(n)` falls back to a hex form, `byName` returns undefined.
 */
export interface Registry<T extends Record<string, number>> {
  readonly values: T;
  name(value: number): string;
  byName(name: string): number | undefined;
  has(value: number): boolean;
}

export function registry<T extends Record<string, number>>(values: T, unknownPrefix: string): Registry<T> {
  const names = new Map<number, string>();
  for (const [k, v] of Object.entries(values)) if (!names.has(v)) names.set(v, k);
  const lower = new Map<string, number>(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    values,
    name: (v) => names.get(v) ?? `${unknownPrefix}0x${v.toString(16).padStart(4, '0')}`,
    byName: (n) => lower.get(n.toLowerCase()),
    has: (v) => names.has(v),
  };
}

/** RFC 8701 §2: GREASE code points are 0x?A?A with both high nibbles equal (0x0A0A, 0x1A1A, … 0xFAFA). */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 12 === ((value >> 4) & 0x0f);
}
