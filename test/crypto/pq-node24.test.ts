// The native ML-KEM path (node:crypto, OpenSSL 3.5) runs only on Node ≥ 24.7, and `npm test` runs on
// Node 20 — where the provider takes @noble/post-quantum. So this test runs the in-memory hybrid
// handshakes again under Node 24 (tools/node24, as a child process: node24 --import tsx --test ...):
// test/handshake/pq-hybrid.test.ts (defaults, HelloRetryRequest rules, TLS 1.2, bad shares → the right
// alert) and test/crypto/hybrid-backends.test.ts (the three hybrids across both implementations, with
// HUSH_EXPECT_NATIVE_MLKEM=1: failing if the native path is not taken). The ML-KEM vectors run under
// Node 24 too: test/crypto/mlkem.test.ts's last test runs that file there. CI thus proves both.
// Skips with the reason when Node 24 is missing (fails in CI, which installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { node24Skip, node24Tool } from '../interop/node24.js';
import { runTool } from '../interop/server-peers.js';

const files = [path.join('test', 'handshake', 'pq-hybrid.test.ts'), path.join('test', 'crypto', 'hybrid-backends.test.ts')];

test('under Node 24: the in-memory hybrid handshakes pass on the native ML-KEM path, and across both implementations', { skip: node24Skip(), timeout: 600_000 }, async (t) => {
  const n = node24Tool();
  assert.equal(n.nativeMlKem, true, `Node ${n.version} (OpenSSL ${n.openssl}) has no crypto.encapsulate: Node ≥ 24.7 needed`);
  const r = await runTool(n.bin, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    timeoutMs: 590_000,
    // Without NODE_TEST_CONTEXT, which our own runner set: with it the child's --test would not run files.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), HUSH_TEST: '1', HUSH_EXPECT_NATIVE_MLKEM: '1', NODE_OPTIONS: '' },
  });
  const out = Buffer.from(r.stdout, 'latin1').toString('utf8'); // runTool keeps bytes as latin1
  const count = (label: string): number => Number(new RegExp(`^ℹ ${label} (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
  t.diagnostic(`Node ${n.version} (OpenSSL ${n.openssl}): ${files.join(', ')} — pass ${count('pass')}, fail ${count('fail')}, skipped ${count('skipped')}`);
  assert.equal(r.code, 0, r.output.slice(-6000));
  assert.equal(count('fail'), 0, r.output.slice(-6000));
  assert.ok(count('pass') > 0, r.output.slice(-3000));
  // The native path ran: hybrid-backends names it in a test title, and its node↔noble pairs ran.
  assert.match(out, /the native ML-KEM path: present \(Node v24\./);
  assert.match(out, /X25519MLKEM768 in memory: client ML-KEM node, server ML-KEM noble/);
  assert.match(out, /X25519MLKEM768 in memory: client ML-KEM noble, server ML-KEM node/);
});
