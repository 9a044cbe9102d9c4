// `hush ca` / `hush ca issue` end to end (the CLI as a child process, a temp HUSH_HOME each):
// IDNs go into the SAN as A-labels, bad names exit 2 with one line and write nothing, and nothing
// is overwritten without --force — neither a certificate for an existing name nor a CA whose key is
// missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { hush, tempDir } from './helpers.js';

/** A temp HUSH_HOME; HOME and the system store point into temp folders too, so nothing real is touched. */
function freshHome(): { home: string; env: Record<string, string> } {
  const dir = tempDir('hush-ca-');
  const home = path.join(dir, 'home');
  return { home, env: { HUSH_HOME: home, HOME: path.join(dir, 'user'), HUSH_SYSTEM_ROOT: path.join(dir, 'root') } };
}

const san = (file: string): string | undefined => new X509Certificate(readFileSync(file)).subjectAltName;

test('hush ca issue bücher.example writes xn--bcher-kva.example into the SAN', async () => {
  const { home, env } = freshHome();
  const r = await hush(['ca', 'issue', 'bücher.example', '*.Bücher.example', '::1', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { cert: string; key: string; created: boolean };
  assert.deepEqual(out, { cert: path.join(home, 'xn--bcher-kva.example.pem'), key: path.join(home, 'xn--bcher-kva.example-key.pem'), created: true });
  assert.equal(san(out.cert), 'DNS:xn--bcher-kva.example, DNS:*.xn--bcher-kva.example, IP Address:0:0:0:0:0:0:0:1');
  const leaf = new X509Certificate(readFileSync(out.cert));
  assert.equal(leaf.subject, 'CN=xn--bcher-kva.example');
  assert.ok(leaf.checkHost('www.xn--bcher-kva.example'));
  assert.ok(leaf.verify(new X509Certificate(readFileSync(path.join(home, 'ca.pem'))).publicKey));

  // A wildcard's files are named _wildcard.… (no '*' in file names).
  const w = await hush(['ca', 'issue', '*.dev.test', '127.0.0.1'], { env });
  assert.equal(w.code, 0, w.stderr);
  assert.equal(san(path.join(home, '_wildcard.dev.test.pem')), 'DNS:*.dev.test, IP Address:127.0.0.1');
  assert.match(w.stdout, /^Issued a certificate for \*\.dev\.test, 127\.0\.0\.1$/m);
});

test('bad names exit 2 with a one-line message and write nothing', async () => {
  const { home, env } = freshHome();
  // (test/cli/ca-names.test.ts has every rule; these are the examples and one of each kind)
  for (const bad of ['', 'bad name!', '*.com', 'x_y.test', 'fe80::1%eth0']) {
    const r = await hush(['ca', 'issue', 'good.test', bad], { env });
    assert.equal(r.code, 2, `${JSON.stringify(bad)}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^hush ca: [^\n]+\n$/, JSON.stringify(bad));
    assert.ok(r.stderr.includes(`'${bad}'`) || bad.trim() === '', r.stderr);
    assert.equal(r.stdout, '');
  }
  assert.equal(existsSync(home), false, 'no CA, no certificate files');
  // Usage errors: exit 2 as well.
  for (const args of [['issue'], ['frobnicate'], ['--store', 'nss'], ['install', '--store', 'nope']]) {
    const r = await hush(['ca', ...args], { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^hush ca: [^\n]+\n$/);
  }
});

test('an existing certificate is reused when it fits and never overwritten without --force', async () => {
  const { home, env } = freshHome();
  const cert = path.join(home, 'foo.test.pem');
  const key = path.join(home, 'foo.test-key.pem');
  const first = await hush(['ca', 'issue', 'foo.test'], { env });
  assert.equal(first.code, 0, first.stderr);
  const before = [readFileSync(cert), readFileSync(key)];

  // Same name again: the files fit, they are reused as they are.
  const again = await hush(['ca', 'issue', 'FOO.test', '--json'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { created: boolean }).created, false);

  // More names under the same file name: refused, saying what exists; nothing changes.
  const more = await hush(['ca', 'issue', 'foo.test', 'api.foo.test'], { env });
  assert.equal(more.code, 1, more.stdout);
  assert.match(more.stderr, /^hush ca: [^\n]+\n$/);
  assert.ok(more.stderr.includes(`${cert} exists (foo.test, expires `), more.stderr);
  assert.match(more.stderr, /does not cover api\.foo\.test; add --force to replace it/);
  assert.deepEqual([readFileSync(cert), readFileSync(key)], before);

  // The key gone: refused too (the certificate alone is of no use, but it is not ours to delete).
  rmSync(key);
  const nokey = await hush(['ca', 'issue', 'foo.test'], { env });
  assert.equal(nokey.code, 1);
  assert.match(nokey.stderr, /its key .*foo\.test-key\.pem is missing; add --force/);
  assert.ok(readFileSync(cert).equals(before[0]!));

  // --force replaces both files.
  const forced = await hush(['ca', 'issue', 'foo.test', 'api.foo.test', '--force'], { env });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(san(cert), 'DNS:foo.test, DNS:api.foo.test');
  assert.ok(!readFileSync(key).equals(before[1]!));
});

test('a ca.pem without its key is not replaced by a new CA without --force', async () => {
  const { home, env } = freshHome();
  const caPem = path.join(home, 'ca.pem');
  const caKey = path.join(home, 'ca-key.pem');
  const made = await hush(['ca', '--json'], { env });
  assert.equal((JSON.parse(made.stdout) as { created: boolean }).created, true);
  const original = readFileSync(caPem);
  rmSync(caKey);

  for (const args of [['ca'], ['ca', 'issue', 'x.test'], ['ca', 'install', '--store', 'nss']]) {
    const r = await hush(args, { env });
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^hush ca: [^\n]+\n$/);
    assert.ok(r.stderr.includes(`${caPem} exists but its private key ${caKey} is missing`), r.stderr);
    assert.match(r.stderr, /hush ca --force/);
    assert.ok(readFileSync(caPem).equals(original), 'ca.pem unchanged');
    assert.equal(existsSync(caKey), false);
    assert.deepEqual(readdirSync(home).sort(), ['ca.pem']);
  }
  // The key without the certificate: the same.
  rmSync(caPem);
  const r = await hush(['ca'], { env });
  assert.equal(r.code, 0, 'an empty home gets a CA');
  rmSync(caPem);
  const keyOnly = await hush(['ca'], { env });
  assert.equal(keyOnly.code, 1);
  assert.match(keyOnly.stderr, /ca-key\.pem exists but its certificate .*ca\.pem is missing/);

  // --force makes a new CA.
  const forced = await hush(['ca', '--force', '--json'], { env });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((JSON.parse(forced.stdout) as { created: boolean }).created, true);
  assert.ok(!readFileSync(caPem).equals(original));
  assert.ok(existsSync(caKey));
});

test('a certificate from a replaced CA is not reused: issue refuses without --force', async () => {
  const { home, env } = freshHome();
  assert.equal((await hush(['ca', 'issue', 'old.test'], { env })).code, 0);
  rmSync(path.join(home, 'ca-key.pem'));
  assert.equal((await hush(['ca', '--force'], { env })).code, 0);
  const r = await hush(['ca', 'issue', 'old.test'], { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /old\.test\.pem exists .* but it was not issued by the CA in /);
  const f = await hush(['ca', 'issue', 'old.test', '--force'], { env });
  assert.equal(f.code, 0, f.stderr);
  const ca = new X509Certificate(readFileSync(path.join(home, 'ca.pem')));
  assert.ok(new X509Certificate(readFileSync(path.join(home, 'old.test.pem'))).verify(ca.publicKey));
});

test('hush ca --help lists every subcommand and option', async () => {
  const r = await hush(['ca', '--help']);
  assert.equal(r.code, 0);
  for (const s of ['hush ca issue NAME', 'hush ca install', 'hush ca uninstall', '--client', '--force', '--store LIST', '--json', '--help', 'system,nss,firefox', 'HUSH_HOME', 'HUSH_SYSTEM_ROOT']) {
    assert.ok(r.stdout.includes(s), `help mentions ${s}`);
  }
  const top = await hush(['--help']);
  assert.match(top.stdout, /^ {2}ca {8} .*install/m);
});
