// `hush verify`: one JSON object on stdout, exit 0 (valid) / 1 (invalid) / 2 (usage).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkCa, mkLeaf } from './fixtures.js';
import { vectorPath } from '../vectors.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hush-verify-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hush(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const root = mkCa('CN=CLI Root');
const inter = mkCa('CN=CLI Inter', root);
const leaf = mkLeaf(inter);
const f = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const rootPem = f('root.pem', root.pem);
const interPem = f('inter.pem', inter.pem);
const leafPem = f('leaf.pem', leaf.pem);
const fullchain = f('fullchain.pem', leaf.pem + inter.pem);
const AT = '2026-01-01T00:00:00Z';

test('valid chain: exit 0 and the chain of subjects', () => {
  for (const files of [[leafPem, interPem], [fullchain]]) {
    const r = hush('--cafile', rootPem, '--host', 'www.example.com', '--at', AT, ...files);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, error: null, chain: ['CN=www.example.com', 'CN=CLI Inter', 'CN=CLI Root'] });
  }
});

test('invalid chains: exit 1 with the failing check in plain words', () => {
  const wrongHost = hush('--cafile', rootPem, '--host', 'localhost', '--at', AT, fullchain);
  assert.equal(wrongHost.code, 1);
  const j = JSON.parse(wrongHost.stdout);
  assert.equal(j.ok, false);
  assert.equal(j.error.message, "certificate for 'www.example.com' is not valid for 'localhost'");
  assert.equal(j.error.alert, 'bad_certificate');
  assert.deepEqual(j.chain, ['CN=www.example.com']);

  const missing = JSON.parse(hush('--cafile', rootPem, '--host', 'www.example.com', '--at', AT, leafPem).stdout);
  assert.equal(missing.error.alert, 'unknown_ca');
  assert.match(missing.error.message, /^no trusted root/);

  const expired = hush('--cafile', vectorPath('illustrated-tls12/keys/ca.crt'), '--host', 'example.ulfheim.net', '--at', '2020-01-01T00:00:00Z', vectorPath('illustrated-tls13/keys/server.crt'));
  assert.equal(expired.code, 1);
  assert.equal(JSON.parse(expired.stdout).error.message, "certificate 'CN=example.ulfheim.net, C=US' expired on 2019-10-05T01:38:17Z");
});

test('usage errors: exit 2 with a helpful message on stderr', () => {
  const cases: [string[], RegExp][] = [
    [['--cafile', rootPem, leafPem], /--host NAME is required/],
    [['--cafile', rootPem, '--host', 'x.example'], /give the leaf certificate/],
    [['--cafile', rootPem, '--host', 'x.example', '--at', 'tomorrow', leafPem], /--at takes an ISO time/],
    [['--cafile', join(dir, 'nope.pem'), '--host', 'x.example', leafPem], /cannot read CA file .*ENOENT/],
    [['--cafile', rootPem, '--host', 'x.example', join(dir, 'nope.pem')], /cannot read .*ENOENT/],
    [['--cafile', rootPem, '--host', 'bücher.example', leafPem], /not ASCII/],
    [['--bogus'], /unknown option '--bogus'/],
  ];
  for (const [args, re] of cases) {
    const r = hush(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
});

test('--help explains the command with an example', () => {
  const r = hush('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: hush verify --cafile ROOTS\.pem --host NAME \[--at ISO-TIME\] \[--profile webpki\|rfc5280\] LEAF\.pem/);
  // the profiles and what is not checked (#15)
  assert.match(r.stdout, /webpki +RFC 5280 plus the CA\/Browser Forum/);
  assert.match(r.stdout, /rfc5280 +RFC 5280 only/);
  assert.match(r.stdout, /Not checked: Certificate Transparency/);
  assert.match(r.stdout, /--crl FILE/);
  assert.match(r.stdout, /--profile webpki\|rfc5280/);
  assert.match(r.stdout, /Example/);
  assert.match(r.stdout, /Exit status: 0 when the chain is valid, 1 when it is not, 2/);
});
