// Enforces the layering of DEVELOPERS.md: imports point down, and the portable core
// never touches node:* or Buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

/** Layer rank of a file under src/, by its folder. */
const RANKS: [prefix: string, rank: number][] = [
  ['errors/', 0],
  ['bytes/', 1],
  ['wire/', 2],
  ['asn1/', 2],
  ['crypto/node/', 3],
  ['crypto/', 3],
  ['schedule/', 4],
  ['record/', 4],
  ['x509/', 4],
  ['hpke/', 4],
  ['handshake/', 5],
  ['connection/', 6],
  ['node/', 7],
  ['web/', 7],
  ['cli/', 7],
  ['bench/', 7],
  ['index.ts', 8],
];
/** Folders allowed to use node:* and Buffer. */
const NODE_ONLY = ['crypto/node/', 'node/', 'cli/', 'bench/'];
/** Same-rank folders that must not import each other. */
const ISOLATED_PEERS = [['schedule/', 'record/', 'x509/', 'hpke/'], ['wire/', 'asn1/']];

function rankOf(rel: string): number {
  for (const [p, r] of RANKS) if (rel.startsWith(p)) return r;
  throw new Error(`no layer for src/${rel}: add its folder to DEVELOPERS.md and test/layers.test.ts`);
}
function folderOf(rel: string): string {
  return rel.includes('/') ? rel.slice(0, rel.indexOf('/') + 1) : rel;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = walk(src);
const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

test('every source file belongs to a layer', () => {
  assert.ok(files.length > 5);
  for (const f of files) rankOf(relative(src, f));
});

test('imports point down (or sideways within a folder)', () => {
  const violations: string[] = [];
  for (const f of files) {
    const rel = relative(src, f);
    const rank = rankOf(rel);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = relative(src, resolve(dirname(f), spec)).replace(/\.js$/, '.ts');
      if (target.startsWith('..')) {
        violations.push(`${rel} imports outside src: ${spec}`);
        continue;
      }
      const tRank = rankOf(target);
      const sameFolder = folderOf(target) === folderOf(rel) || target.startsWith(folderOf(rel));
      if (tRank > rank) violations.push(`${rel} (layer ${rank}) imports ${target} (layer ${tRank})`);
      if (tRank === rank && !sameFolder) {
        for (const group of ISOLATED_PEERS) {
          const a = group.find((g) => rel.startsWith(g));
          const b = group.find((g) => target.startsWith(g));
          if (a && b && a !== b) violations.push(`${rel} imports its peer layer ${target}`);
        }
      }
      // The portable crypto layer must not reach into the node provider.
      if (!NODE_ONLY.some((p) => rel.startsWith(p)) && target.startsWith('crypto/node/')) {
        violations.push(`${rel} is portable but imports the node provider ${target}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('the portable core uses no node:* modules, Buffer, ambient clock or ambient randomness', () => {
  const violations: string[] = [];
  for (const f of files) {
    const rel = relative(src, f);
    if (NODE_ONLY.some((p) => rel.startsWith(p))) continue;
    const code = stripComments(readFileSync(f, 'utf8'));
    if (/from\s+['"](node:|fs|path|crypto|net|tls|os|stream|events|http|https|buffer)['"/]/.test(code)) {
      violations.push(`${rel}: imports a Node module`);
    }
    if (/\bBuffer\b/.test(code)) violations.push(`${rel}: uses Buffer`);
    if (/\bDate\.now\(|new Date\(\)|performance\.now\(/.test(code)) violations.push(`${rel}: reads the clock`);
    if (/Math\.random\(|getRandomValues\(|\bprocess\./.test(code)) violations.push(`${rel}: ambient randomness or process`);
  }
  assert.deepEqual(violations, []);
});

/** Relative imports of each file under src/ (type-only imports count: they are dependencies too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets = new Set<string>();
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) targets.add(relative(src, resolve(dirname(f), spec)).replace(/\.js$/, '.ts'));
    }
    graph.set(relative(src, f), [...targets].sort());
  }
  return graph;
}

/** Every import cycle, each printed as `a.ts → b.ts → a.ts` (one per strongly connected group). */
function findCycles(graph: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  // Depth-first search; a back edge to a file on the current path closes a cycle.
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const s = state.get(next);
      if (s === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
      else if (s === undefined) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

test('the cycle finder finds a cycle (self-check)', () => {
  const g = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts', 'd.ts']],
    ['d.ts', []],
  ]);
  assert.deepEqual(findCycles(g), ['a.ts → b.ts → c.ts → a.ts']);
  assert.deepEqual(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
});

test('no import cycles inside src/', () => {
  assert.deepEqual(findCycles(importGraph()), []);
});

test('inside handshake/: the client and server states do not import each other, and nothing below them imports either', () => {
  const STATES = ['handshake/client/', 'handshake/server/'];
  const violations: string[] = [];
  for (const [file, targets] of importGraph()) {
    if (!file.startsWith('handshake/')) continue;
    const own = STATES.find((s) => file.startsWith(s));
    for (const t of targets) {
      const other = STATES.find((s) => t.startsWith(s));
      if (other && other !== own) violations.push(`${file} imports ${t}`);
    }
  }
  assert.deepEqual(violations, []);
});
