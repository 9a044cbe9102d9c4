// `hush ca issue --key ml-dsa-65`: an ML-DSA-65 certificate from the local (ECDSA) CA, its key in the
// PKCS#8 seed form; `hush serve` serves it and `hush get` negotiates mldsa65; the key type decides
// whether stored files are reused; bad --key values exit 2 with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { parseCertificates, TrustStore, verifyServerChain } from '../../src/x509/index.js';
import { hush, jsonLines, startServe, tempDir } from './helpers.js';

function freshHome(): { home: string; env: Record<string, string> } {
  const dir = tempDir('hush-ca-mldsa-');
  const home = path.join(dir, 'home');
  return { home, env: { HUSH_HOME: home, HOME: path.join(dir, 'user'), HUSH_SYSTEM_ROOT: path.join(dir, 'root') } };
}

test('hush ca issue --key ml-dsa-65 issues an ML-DSA-65 certificate; --key ml-dsa-87 --force replaces it; hush serve serves it and hush get sees mldsa87', async () => {
  const { home, env } = freshHome();
  const r = await hush(['ca', 'issue', '--key', 'ml-dsa-65', 'pq.test', '127.0.0.1'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Issued a certificate for pq\.test, 127\.0\.0\.1 \(ml-dsa-65 key\)$/m);
  const certPath = path.join(home, 'pq.test.pem');
  const keyPath = path.join(home, 'pq.test-key.pem');
  const [leaf, ca] = parseCertificates(readFileSync(certPath, 'utf8'));
  assert.equal(leaf!.spki.keyType, 'ml-dsa-65');
  assert.equal(leaf!.signatureAlgorithm.name, 'ecdsa-with-SHA256', 'the local CA stays ECDSA P-256');
  const v = verifyServerChain({ leaf: leaf!, roots: new TrustStore([ca!]), hostname: 'pq.test', at: new Date(), provider });
  assert.equal(v.ok, true);
  const key = provider.importPrivateKey(readFileSync(keyPath, 'utf8'));
  assert.equal(key.type, 'ml-dsa-65');
  assert.deepEqual(key.publicKey.spki, leaf!.spki.raw);
  assert.equal(provider.exportPrivateKey(key).length, 54, 'the PKCS#8 seed form');

  // Same names and key type: reused. Another key type: hush says so and wants --force.
  const again = await hush(['ca', 'issue', '--key', 'ml-dsa-65', 'pq.test', '127.0.0.1', '--json'], { env });
  assert.deepEqual(JSON.parse(again.stdout), { cert: certPath, key: keyPath, created: false });
  const other = await hush(['ca', 'issue', '--key', 'ml-dsa-87', 'pq.test', '127.0.0.1'], { env });
  assert.equal(other.code, 1);
  assert.match(other.stderr, /^hush ca: .*its key is not ml-dsa-87.*--force[^\n]*\n$/);
  const forced = await hush(['ca', 'issue', '--key', 'ml-dsa-87', 'pq.test', '127.0.0.1', '--force'], { env });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(parseCertificates(readFileSync(certPath, 'utf8'))[0]!.spki.keyType, 'ml-dsa-87');

  const s = await startServe(['--port', '0', '--cert', certPath, '--key', keyPath], { env });
  try {
    const get = await hush(['get', '--trace-json', '--cacert', path.join(home, 'ca.pem'), `https://127.0.0.1:${s.port}/api/connection`]);
    assert.equal(get.code, 0, get.stderr);
    const established = jsonLines(get.stderr).find((l) => l.event === 'established');
    assert.ok(established, get.stderr);
    assert.equal(established.signature, 'mldsa87', JSON.stringify(established));
  } finally {
    await s.stop();
  }
});

test('--key: unknown types and --key without issue exit 2 with one line; --help lists the types', async () => {
  const { env } = freshHome();
  for (const args of [['issue', '--key', 'ml-dsa-66', 'a.test'], ['--key', 'ml-dsa-65'], ['install', '--key', 'ml-dsa-65']]) {
    const r = await hush(['ca', ...args], { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^hush ca: [^\n]*--key[^\n]*\n$/);
  }
  const help = await hush(['ca', '--help'], { env });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--key TYPE/);
  for (const t of ['ecdsa-p256', 'ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87']) assert.ok(help.stdout.includes(t), t);
});
