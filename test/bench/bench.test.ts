// Smoke tests of the benchmark (never its numbers): the harness runs end to end on a tiny
// workload and writes well-formed JSON lines; the micro-benchmarks run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, pairedRatio, spread } from '../../src/bench/stats.js';

const root = new URL('../..', import.meta.url).pathname;

test('stats: median, spread, paired ratio', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(spread([1, 2, 3]), 1);
  assert.equal(pairedRatio([2, 4, 9], [1, 2, 3]), 2);
  assert.ok(Number.isNaN(median([])));
});

test('npm run bench: a tiny run measures both implementations and writes JSON lines', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hush-bench-'));
  try {
    const json = join(dir, 'out.jsonl');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/bench/main.ts', '--quick', '--reps', '1', '--only', 'bulk,handshake', '--suites', '1.3 AES-128',
        '--bulk-mb', '1', '--hs-ms', '100', '--no-mixed', '--json', json],
      { cwd: root, encoding: 'utf8', timeout: 55_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0]!.type, 'run');
    const results = lines.filter((l) => l.type === 'result');
    const bulk = results.find((l) => l.name === '1.3 AES-128-GCM server→client');
    assert.ok(bulk, 'bulk row');
    const medians = bulk.medians as Record<string, number>;
    assert.ok(medians.hush! > 0 && medians.node! > 0, JSON.stringify(medians));
    const hs = results.find((l) => l.name === 'full ECDSA seq');
    assert.ok(hs && (hs.medians as Record<string, number>).hush! > 0, 'handshake row');
    assert.match(r.stdout, /hush\/node/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('micro-benchmarks run', { timeout: 30_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/bench/micro.ts', 'seal', 'schedule', '--ms', '20'], {
    cwd: root, encoding: 'utf8', timeout: 25_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /seal TLS_AES_128_GCM_SHA256 16384 B/);
  assert.match(r.stdout, /key schedule/);
});
