// A small, strict argument parser for the CLI: known flags only, clear errors.

export interface FlagSpec {
  /** Long name without dashes, e.g. "cacert". */
  readonly name: string;
  /** One-letter alias without dash, e.g. "k". */
  readonly short?: string;
  /**
   * 'boolean' flags take no value; 'string' take one; 'list' may repeat; 'optional' takes a value
   * only as `--name=VALUE` (`--name` alone is true), so it never swallows the next argument.
   */
  readonly type: 'boolean' | 'string' | 'list' | 'optional';
  readonly help: string;
  /** Shown in help, e.g. "FILE". */
  readonly value?: string;
}

export interface ParsedArgs {
  readonly flags: Map<string, string | boolean | string[]>;
  readonly positional: string[];
}

export class ArgError extends Error {}

export function parseArgs(args: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags = new Map<string, string | boolean | string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) inline = a.slice(eq + 1);
      spec = byLong.get(name);
      if (!spec) throw new ArgError(`unknown option '--${name}'`);
    } else if (a.startsWith('-') && a.length > 1) {
      spec = byShort.get(a.slice(1, 2));
      if (!spec) throw new ArgError(`unknown option '${a}'`);
      if (a.length > 2) inline = a.slice(2);
    } else {
      positional.push(a);
      continue;
    }
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new ArgError(`option '--${spec.name}' takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    if (spec.type === 'optional') {
      if (inline === '') throw new ArgError(`option '--${spec.name}=' needs a value after '='${spec.value ? ` (${spec.value})` : ''}`);
      flags.set(spec.name, inline ?? true);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new ArgError(`option '--${spec.name}' needs a value${spec.value ? ` (${spec.value})` : ''}`);
    if (spec.type === 'list') {
      const prev = flags.get(spec.name);
      flags.set(spec.name, [...(Array.isArray(prev) ? prev : []), value]);
    } else {
      flags.set(spec.name, value);
    }
  }
  return { flags, positional };
}

export function str(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function bool(p: ParsedArgs, name: string): boolean {
  return p.flags.get(name) === true;
}

export function list(p: ParsedArgs, name: string): string[] {
  const v = p.flags.get(name);
  return Array.isArray(v) ? v : [];
}

/** Help text for a command: usage line, description, then one line per flag. */
export function helpText(usage: string, description: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const value = s.value ? (s.type === 'optional' ? `[=${s.value}]` : ` ${s.value}`) : '';
    const left = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${value}`;
    return `  ${left.padEnd(34)} ${s.help}`;
  });
  return [`Usage: ${usage}`, '', description, '', 'Options:', ...rows].join('\n');
}

/** `--tls-min/--tls-max` values: 1.2 or 1.3 (or Node's TLSv1.2 / TLSv1.3). */
export function tlsVersionFlag(v: string | undefined, flag: string): 'TLSv1.2' | 'TLSv1.3' | undefined {
  if (v === undefined) return undefined;
  if (v === '1.2' || v === 'TLSv1.2') return 'TLSv1.2';
  if (v === '1.3' || v === 'TLSv1.3') return 'TLSv1.3';
  throw new ArgError(`--${flag} takes 1.2 or 1.3, not '${v}'`);
}

/** A comma-separated flag value as a list (empty items dropped); undefined when absent. */
export function splitList(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Largest delay setTimeout honours (about 24.8 days); beyond it node fires at once. */
const MAX_TIMER_SECONDS = Math.floor(2 ** 31 / 1000) - 1;

/** A SECONDS flag value (> 0, fractions allowed) in milliseconds; undefined when absent. */
export function secondsFlag(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*\d*\.?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > MAX_TIMER_SECONDS) {
    throw new ArgError(`--${flag} takes a number of seconds greater than 0 (at most ${MAX_TIMER_SECONDS}), not '${v}'`);
  }
  return Math.max(1, Math.round(n * 1000));
}

/** A COUNT flag value: a whole number from 0 to `max`; undefined when absent. */
export function countFlag(v: string | undefined, flag: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > max) throw new ArgError(`--${flag} takes a whole number from 0 to ${max}, not '${v}'`);
  return Number(v);
}
