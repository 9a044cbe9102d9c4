// Found inputs kept as regression cases: test/fuzz/regressions/<target>/<hash>.hex, hex bytes
// (whitespace ignored) after '#' comment lines that say what failed. The test replays them all.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './engine.js';

export const REGRESSIONS_DIR = new URL('./regressions/', import.meta.url).pathname;

/** Regression inputs of a target, as hex. */
export function loadRegressions(target: string): string[] {
  const dir = join(REGRESSIONS_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => parseHexFile(readFileSync(join(dir, f), 'utf8'), `${target}/${f}`));
}

export function parseHexFile(text: string, name: string): string {
  const hex = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('')
    .replace(/\s+/g, '')
    .toLowerCase();
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error(`${name}: not hex`);
  return hex;
}

/** Save a finding's input; returns the file's path (the same input always gets the same name). */
export function saveRegression(f: Finding): string {
  const hex = Buffer.from(f.input).toString('hex');
  const name = createHash('sha256').update(f.target).update(f.input).digest('hex').slice(0, 16);
  const dir = join(REGRESSIONS_DIR, f.target);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.hex`);
  const comments = [
    `# ${f.target}: ${f.kind}${f.seed === undefined ? '' : ` (seed ${f.seed}, iteration ${f.iteration})`}`,
    ...(f.description ? [`# ${f.description}`] : []),
    `# ${f.message.split('\n')[0]}`,
  ];
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 64) lines.push(hex.slice(i, i + 64));
  writeFileSync(path, [...comments, ...lines, ''].join('\n'));
  return path;
}
