// The fuzz harness in `npm test`: every target replays its regression inputs
// (test/fuzz/regressions/<target>/*.hex) and then runs a fixed number of seeded inputs. Fixed
// seed, fixed counts: the same inputs on every run. The watchdog's bound is generous (a hang is
// an input that makes no progress for 30 s), so the outcome does not depend on machine speed.
// `npm run fuzz -- --seconds N` runs the same targets for longer (see DEVELOPERS.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTargets, targetByName } from './targets.js';
import { inputFor } from './engine.js';
import { PLANTED } from './selftest.js';
import { runJobs } from './driver.js';
import { loadRegressions } from './regressions.js';
import { flightKey } from './connection.js';

const SEED = 20261101;
const DECODER_INPUTS = 1500;
const CONNECTION_INPUTS = 60;

test('fuzz: regression inputs and seeded inputs of every target break no oracle', { timeout: 600_000 }, async () => {
  const targets = allTargets();
  assert.ok(targets.length >= 25, `only ${targets.length} targets`);
  const jobs = targets.map((t) => ({
    target: t.name,
    replay: loadRegressions(t.name),
    iterations: t.kind === 'decoder' ? DECODER_INPUTS : CONNECTION_INPUTS,
  }));
  const stats = await runJobs(jobs, { seed: SEED, hangMs: 30_000, setupMs: 120_000 });
  assert.deepEqual(stats.map((s) => s.target).sort(), targets.map((t) => t.name).sort(), 'every target ran');
  const findings = stats.flatMap((s) => s.findings);
  const report = findings.map((f) =>
    `${f.target}: ${f.kind}${f.iteration === undefined ? ' (regression input)' : ` (seed ${f.seed}, iteration ${f.iteration})`}\n` +
    `  ${f.description ?? ''}\n  ${f.message.split('\n').slice(0, 4).join('\n  ')}\n  input ${Buffer.from(f.input).toString('hex').slice(0, 200)}`,
  );
  assert.equal(findings.length, 0, report.join('\n'));
  const regressions = jobs.reduce((n, j) => n + j.replay.length, 0);
  assert.equal(stats.reduce((n, s) => n + s.replayed, 0), regressions, 'every regression input was replayed');
  for (const s of stats) {
    const t = targets.find((x) => x.name === s.target)!;
    assert.equal(s.iterations, t.kind === 'decoder' ? DECODER_INPUTS : CONNECTION_INPUTS, `${s.target} ran all its inputs`);
    // The mutations reach past the first check: some inputs are accepted (or handshakes complete)
    // and some are rejected.
    const kinds = Object.keys(s.outcomes);
    assert.ok(kinds.length >= 2, `${s.target}: only outcomes ${kinds.join(', ')}`);
  }
});

test('fuzz oracle: framing changes are told apart from transcript changes', () => {
  // A TLS 1.2 server flight: one plaintext handshake record with two messages.
  const hs = Uint8Array.from([2, 0, 0, 2, 3, 3, 14, 0, 0, 0]);
  const rec = (type: number, v: number, b: Uint8Array) => Uint8Array.from([type, 3, v, b.length >> 8, b.length & 0xff, ...b]);
  const flight = rec(22, 3, hs);
  const key = flightKey(flight, 12, true);
  // Split into two records: the same to the receiver (loose and strict).
  const split = Uint8Array.from([...rec(22, 3, hs.subarray(0, 3)), ...rec(22, 3, hs.subarray(3))]);
  assert.equal(flightKey(split, 12, true).strict, key.strict);
  // Another record version: may be ignored, but not a pure re-fragmentation.
  const v1 = rec(22, 1, hs);
  assert.equal(flightKey(v1, 12, true).loose, key.loose);
  assert.notEqual(flightKey(v1, 12, true).strict, key.strict);
  // A HelloRequest from the server is not in the transcript (RFC 5246 §7.4.1.1).
  const hr = Uint8Array.from([...rec(22, 3, Uint8Array.from([0, 0, 0, 0])), ...flight]);
  assert.equal(flightKey(hr, 12, true).loose, key.loose);
  // One handshake byte changed: covered by Finished.
  const changed = flight.slice();
  changed[9] = 4;
  assert.notEqual(flightKey(changed, 12, true).loose, key.loose);
  // A TLS 1.3 compatibility CCS is dropped; in TLS 1.2 it is significant.
  const ccs = Uint8Array.from([...flight, 20, 3, 3, 0, 1, 1]);
  assert.equal(flightKey(ccs, 13, true).loose, flightKey(flight, 13, true).loose);
  assert.notEqual(flightKey(ccs, 12, true).loose, key.loose);
  // Bytes still in flight (an incomplete record) are not acted on yet.
  assert.equal(flightKey(Uint8Array.from([...flight, 22, 3]), 12, true).trailing, 2);
});

test('fuzz harness: a hang, unbounded memory and a TypeError are caught, each with its seed, iteration and input', { timeout: 300_000 }, async () => {
  process.env.HUSH_FUZZ_SELFTEST = '1';
  try {
    const names = ['selftest-hang', 'selftest-memory', 'selftest-exception'];
    const job = (target: string) => ({ target, replay: [], iterations: 200 });
    // The planted hang never ends, so any watchdog bound finds it (15 s: the other inputs take
    // microseconds, but 5 s was once exceeded by a descheduled worker on a 2-core machine at load 30). Memory: a small heap cap, and a watchdog bound far beyond the time the heap
    // takes to fill even on a busy machine, so that GC pressure near the cap is not taken for a hang.
    const stats = [
      ...(await runJobs([job(names[0]!)], { seed: SEED, hangMs: 15_000 })),
      ...(await runJobs([job(names[1]!), job(names[2]!)], { seed: SEED, hangMs: 60_000, heapMb: 64 })),
    ];
    assert.deepEqual(stats.map((s) => s.target), names, 'the driver went on after the crashed worker');
    const kinds = { 'selftest-hang': 'hang', 'selftest-memory': 'memory', 'selftest-exception': 'exception' } as const;
    for (const s of stats) {
      const target = targetByName(s.target)!;
      let first = 0;
      while (inputFor(target, SEED, first)[0] !== PLANTED) first++;
      assert.equal(s.findings.length, 1, `${s.target}: ${JSON.stringify(s.findings.map((f) => f.message))}`);
      const f = s.findings[0]!;
      assert.equal(f.kind, kinds[s.target as keyof typeof kinds]);
      assert.equal(f.seed, SEED);
      assert.equal(f.iteration, first, `${s.target}: the first planted input`);
      assert.deepEqual([...f.input], [...inputFor(target, SEED, first)]);
    }
    assert.match(stats[2]!.findings[0]!.message, /TypeError/);
  } finally {
    delete process.env.HUSH_FUZZ_SELFTEST;
  }
});
