// Seal/open of many full 16 KiB records per TLS 1.3 suite: correctness at volume, with the rate
// printed as a diagnostic only (never asserted: speed is measured by a benchmark, not a test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { TLS13_SUITES } from '../../src/crypto/suites.js';
import { RecordDeframer } from '../../src/record/deframer.js';
import { RecordOpener13, RecordSealer13 } from '../../src/record/protection13.js';

const WRITE = 4 * 16384; // four full records per sealInto, as a coalescing writer would do
const ROUNDS = 160; // 10 MiB per suite and direction

for (const suite of TLS13_SUITES) {
  test(`seal/open throughput: ${suite.name}`, (t) => {
    const keys = { key: new Uint8Array(suite.keyLength).fill(1), iv: new Uint8Array(12).fill(2) };
    const sealer = new RecordSealer13(provider, suite, keys);
    const opener = new RecordOpener13(provider, suite, keys);
    const data = new Uint8Array(WRITE).fill(0x61);
    const out = new Uint8Array(sealer.sealedLength(23, WRITE));
    const wires: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) new RecordSealer13(provider, suite, keys).sealInto(23, data, out, 0); // warm-up
    let t0 = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      sealer.sealInto(23, data, out, 0);
      if (i < 8) wires.push(out.slice());
    }
    const sealMs = performance.now() - t0;
    // Open: deframe + open, records arriving in 64 KiB socket chunks.
    const d = new RecordDeframer();
    const opener2 = new RecordOpener13(provider, suite, keys);
    const sealer2 = new RecordSealer13(provider, suite, keys);
    const stream = sealer2.seal(23, new Uint8Array(ROUNDS * WRITE).fill(0x61));
    let bytes = 0;
    t0 = performance.now();
    for (let i = 0; i < stream.length; i += 65536) {
      d.push(stream.subarray(i, i + 65536));
      for (let r = d.next(); r; r = d.next()) bytes += opener2.open(r).content.length;
    }
    const openMs = performance.now() - t0;
    assert.equal(bytes, ROUNDS * WRITE);
    assert.equal(opener.open({ type: 23, version: 0x0303, fragment: wires[0]!.subarray(5, 5 + 16384 + 17) }).content.length, 16384);
    const mb = (ROUNDS * WRITE) / 1e6;
    const sealRate = mb / (sealMs / 1000);
    const openRate = mb / (openMs / 1000);
    t.diagnostic(`${suite.name}: seal ${sealRate.toFixed(0)} MB/s, deframe+open ${openRate.toFixed(0)} MB/s (16 KiB records)`);
  });
}
