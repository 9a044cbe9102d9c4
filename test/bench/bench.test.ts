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

test('npm run bench -- --only pq: ML-KEM candidates and X25519MLKEM768 vs x25519 handshakes, on Node 24 too when installed', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hush-bench-'));
  try {
    const json = join(dir, 'out.jsonl');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/bench/main.ts', '--quick', '--reps', '1', '--only', 'pq', '--hs-ms', '100', '--warmup-ms', '200', '--kem-ms', '50', '--json', json],
      { cwd: root, encoding: 'utf8', timeout: 170_000 },
    );
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(-3000));
    const lines = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const pq = lines.filter((l) => l.type === 'pq') as unknown as { impl: string; runtime: string; offer: string; group: string; mlkem: string; medians: { hsPerS: number; serverMs: number } }[];
    const kem = lines.filter((l) => l.type === 'kem') as unknown as { node: string; defaultCandidate: string; timings: { candidate: string; keygenUs: number }[] }[];
    // This runtime: hush with noble (Node 20) measured with both offers, each checked to negotiate what it offered.
    const here = pq.filter((l) => l.impl === 'hush' && l.runtime === process.version);
    assert.deepEqual(here.map((l) => l.offer), ['x25519', 'pq', 'default']);
    assert.equal(here.find((l) => l.offer === 'pq')!.group, 'X25519MLKEM768');
    for (const l of pq) assert.ok(l.medians.hsPerS > 0 && l.medians.serverMs > 0, JSON.stringify(l));
    assert.ok(kem.some((k) => k.node === process.version && k.timings.some((t) => t.candidate === 'noble' && t.keygenUs > 0)));
    // With Node 24 installed the same run measures node:tls on Node 24 and hush on native ML-KEM.
    const n24 = kem.find((k) => k.node.startsWith('v24.'));
    if (n24) {
      assert.equal(n24.defaultCandidate, 'node');
      assert.ok(pq.some((l) => l.impl === 'node' && l.runtime === n24.node && l.offer === 'pq' && l.group === 'X25519MLKEM768'));
      assert.ok(pq.some((l) => l.impl === 'hush' && l.runtime === n24.node && l.mlkem === 'node'));
    }
    assert.match(r.stdout, /post-quantum full handshakes/);
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
