// Package hygiene: what `npm pack` ships (no dist/bench, no source maps without their sources), a
// LICENSE that matches package.json, and README's `connect` snippet kept in a file the type-check covers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(new URL('..', import.meta.url).pathname);
const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { license: string; files: string[]; scripts: Record<string, string> };

test('LICENSE is the license package.json names', () => {
  assert.equal(pkg.license, 'MIT');
  const text = readFileSync(path.join(REPO, 'LICENSE'), 'utf8');
  assert.match(text, /^MIT License\n\nCopyright \(c\) \d{4} hush contributors\n/);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});

test('npm pack ships dist without dist/bench and without source maps; the build makes none', () => {
  // The build emits no maps (tsc's ES2022 output keeps the code and its comments nearly line for line,
  // so maps would double the size for little; shipping them without src/ would point at missing files).
  const tsconfig = readFileSync(path.join(REPO, 'tsconfig.json'), 'utf8');
  assert.match(tsconfig, /"sourceMap": false/);
  assert.doesNotMatch(tsconfig, /"(declarationMap|inlineSourceMap)": true/);

  // `files` applied by npm itself to a stand-in tree (dist may be missing or stale here; CI builds it).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hush-pack-'));
  try {
    const stub = { ...pkg, scripts: {} }; // no prepare/build during the dry run
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(stub, null, 2));
    for (const f of ['LICENSE', 'README.md']) copyFileSync(path.join(REPO, f), path.join(dir, f));
    const files = ['dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/node/index.js', 'dist/node/index.d.ts.map', 'dist/cli/main.js', 'dist/bench/main.js', 'dist/bench/micro.d.ts', 'src/index.ts', 'test/x.test.ts'];
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), '//\n');
    }
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const packed = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
    assert.deepEqual(packed, ['LICENSE', 'README.md', 'dist/cli/main.js', 'dist/index.d.ts', 'dist/index.js', 'dist/node/index.js', 'package.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("README's connect snippet is test/readme/connect.ts, which npm run typecheck compiles (strict)", () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((s) => s.includes("from 'hush/node'"));
  assert.equal(snippets.length, 1);
  const copy = readFileSync(path.join(REPO, 'test/readme/connect.ts'), 'utf8').replace(/^\/\/[^\n]*\n/, '');
  assert.equal(copy, snippets[0]);
  const tsconfig = readFileSync(path.join(REPO, 'tsconfig.test.json'), 'utf8');
  assert.match(tsconfig, /"hush\/node": \["\.\/src\/node\/index\.ts"\]/);
  assert.match(tsconfig, /"include": \["src", "test", "scripts"\]/);
  assert.match(readFileSync(path.join(REPO, 'tsconfig.json'), 'utf8'), /"strict": true/);
  assert.match(pkg.scripts.test!, /^npm run typecheck && /);
});
