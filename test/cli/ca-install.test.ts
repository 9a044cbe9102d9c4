// `hush ca install` / `uninstall` for real, in temp folders: HOME is a temp folder (Chromium reads
// $HOME/.pki/nssdb, Firefox profiles live in $HOME/.mozilla/firefox) and the Debian system store is a
// temp tree ($HUSH_SYSTEM_ROOT, handed to the real update-ca-certificates as --sysroot). The machine's
// own trust stores are never touched.
//
// After `hush ca install`, headless Chromium loads https://localhost:PORT/ from `hush serve` with no
// certificate flag at all; before it, and after `hush ca uninstall`, it refuses the certificate.
// Each Chromium run gets a fresh profile and no certificate flags; it is bounded and killed by process
// group (./chromium.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dumpDom } from './chromium.js';
import { hush, hushArgv, interopSkip, requireProgram, run, startServe, tempDir, type Served } from './helpers.js';

const TITLE = /<title>hush — your TLS connection<\/title>/;

/** An empty Debian-style system store under `root` holding one unrelated CA (so the bundle is rebuilt on removal). */
async function systemRoot(root: string, otherCaPem: string): Promise<void> {
  mkdirSync(path.join(root, 'etc/ssl/certs'), { recursive: true });
  mkdirSync(path.join(root, 'usr/local/share/ca-certificates'), { recursive: true });
  writeFileSync(path.join(root, 'etc/ca-certificates.conf'), '');
  writeFileSync(path.join(root, 'usr/local/share/ca-certificates/other-test-ca.crt'), otherCaPem);
}

interface InstallJson {
  id: string;
  stores: { store: string; location: string; action: string; undo?: string }[];
}

let server: Served | undefined;
after(async () => {
  await server?.stop();
});

test('hush ca install: Chromium trusts hush serve without flags; system store and Firefox too; uninstall undoes it', { skip: interopSkip() }, async (t) => {
  const chromium = requireProgram('chromium');
  const certutil = requireProgram('certutil');
  requireProgram('update-ca-certificates');
  const curl = requireProgram('curl');
  const dir = tempDir('hush-ca-install-');
  const home = path.join(dir, 'home');
  const hushHome = path.join(dir, 'hush');
  const root = path.join(dir, 'root');
  const other = await hush(['ca', '--json'], { env: { HUSH_HOME: path.join(dir, 'other') } });
  await systemRoot(root, readFileSync((JSON.parse(other.stdout) as { ca: string }).ca, 'utf8'));
  const profile = path.join(home, '.mozilla/firefox/abcd1234.default-release');
  mkdirSync(profile, { recursive: true });
  assert.equal(spawnSync(certutil, ['-d', `sql:${profile}`, '-N', '--empty-password']).status, 0);
  const env = { HOME: home, HUSH_HOME: hushHome, HUSH_SYSTEM_ROOT: root };

  server = await startServe(['--port', '0'], { env });
  const url = `https://localhost:${server.port}/`;
  const caPem = readFileSync(path.join(hushHome, 'ca.pem'), 'utf8');

  // Before: Chromium (same HOME, no flags) refuses the certificate.
  const before = await dumpDom(chromium, url, { env: { HOME: home } });
  t.diagnostic(`chromium before install: ${before.ms} ms`);
  assert.doesNotMatch(before.dom, TITLE);

  const inst = await hush(['ca', 'install', '--json'], { env });
  assert.equal(inst.code, 0, inst.stderr);
  const j = JSON.parse(inst.stdout) as InstallJson;
  const crt = path.join(root, 'usr/local/share/ca-certificates', `${j.id}.crt`);
  const nssdb = path.join(home, '.pki/nssdb');
  assert.deepEqual(
    j.stores.map((s) => [s.store, s.location, s.action]),
    [
      ['system', crt, 'added'],
      ['nss', nssdb, 'added'],
      ['firefox', profile, 'added'],
    ],
  );
  assert.ok(j.stores.every((s) => s.undo?.startsWith(`hush ca uninstall --store ${s.store}`)));
  assert.equal(readFileSync(crt, 'utf8'), caPem);
  const bundle = path.join(root, 'etc/ssl/certs/ca-certificates.crt');
  assert.ok(readFileSync(bundle, 'utf8').includes(caPem.trim()), 'the CA is in the rebuilt bundle');
  for (const db of [nssdb, profile]) {
    const l = spawnSync(certutil, ['-d', `sql:${db}`, '-L', '-n', j.id], { encoding: 'utf8' });
    assert.equal(l.status, 0, `${db}: ${l.stderr}`);
    assert.match(l.stdout, /Trusted CA/);
  }

  // The page, with no certificate flag: the trust comes from $HOME/.pki/nssdb.
  const page = await dumpDom(chromium, url, { env: { HOME: home } });
  t.diagnostic(`chromium after install: ${page.ms} ms`);
  assert.match(page.dom, TITLE, page.dom.slice(0, 300));
  assert.match(page.dom, /<p id="summary">TLSv1\.3 · /);
  // The system store's bundle works for OpenSSL-based tools.
  const c = await run(curl, ['-sS', '--cacert', bundle, url]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, TITLE);

  // Again: nothing new; the text output says what it did and how to undo it.
  const again = await hush(['ca', 'install'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^  system store: already trusted ${crt}`, 'm'));
  assert.match(again.stdout, new RegExp(`^  NSS \\(Chromium\\): already trusted ${nssdb}$`, 'm'));
  assert.match(again.stdout, /^Undo with: npx hush ca uninstall$/m);
  assert.ok(again.stdout.includes(`certutil -d sql:${nssdb} -D -n ${j.id}`));

  const un = await hush(['ca', 'uninstall', '--json'], { env });
  assert.equal(un.code, 0, un.stderr);
  assert.deepEqual(
    (JSON.parse(un.stdout) as InstallJson).stores.map((s) => [s.store, s.action]),
    [
      ['system', 'removed'],
      ['nss', 'removed'],
      ['firefox', 'removed'],
    ],
  );
  assert.equal(existsSync(crt), false);
  assert.ok(!readFileSync(bundle, 'utf8').includes(caPem.trim()), 'the CA left the bundle');
  assert.ok(existsSync(path.join(root, 'usr/local/share/ca-certificates/other-test-ca.crt')), 'other CAs stay');
  for (const db of [nssdb, profile]) assert.notEqual(spawnSync(certutil, ['-d', `sql:${db}`, '-L', '-n', j.id]).status, 0, db);
  const gone = await dumpDom(chromium, url, { env: { HOME: home } });
  assert.doesNotMatch(gone.dom, TITLE);
  const un2 = await hush(['ca', 'uninstall'], { env });
  assert.equal(un2.code, 0);
  assert.match(un2.stdout, /^ {2}system store: not there /m);
});

test('hush ca install refuses, changing nothing, when a store is missing or not writable', { skip: interopSkip() }, async (t) => {
  requireProgram('certutil');
  requireProgram('update-ca-certificates');
  const dir = tempDir('hush-ca-refuse-');
  chmodSync(dir, 0o755); // readable for the unprivileged user below
  const root = path.join(dir, 'root');
  await systemRoot(root, '');

  // An explicitly named store that is not here (no Firefox profile).
  const home = path.join(dir, 'home');
  const env = { HOME: home, HUSH_HOME: path.join(dir, 'hush'), HUSH_SYSTEM_ROOT: root };
  const ff = await hush(['ca', 'install', '--store', 'nss,firefox'], { env });
  assert.equal(ff.code, 1);
  assert.match(ff.stderr, /^hush ca: nothing changed: firefox: no Firefox profile with a cert9\.db under [^\n]+\n$/);
  assert.equal(existsSync(path.join(home, '.pki')), false);

  // A system store we may not write: as root, run hush as `nobody`; otherwise make it read-only.
  const argv = await hushArgv();
  if (argv.length !== 1) {
    t.diagnostic('no esbuild bundle to hand to another user: the not-writable case is not run');
    return;
  }
  const asRoot = process.getuid?.() === 0;
  const nobody = asRoot ? { uid: 65534, gid: 65534 } : {};
  if (asRoot && spawnSync(process.execPath, ['-e', ''], { cwd: dir, timeout: 30_000, ...nobody }).status !== 0) {
    t.diagnostic(`${process.execPath} cannot be run by uid 65534: the not-writable case is not run`);
    return;
  }
  const bundle = path.join(dir, 'hush.mjs');
  copyFileSync(argv[0]!, bundle);
  chmodSync(bundle, 0o644);
  const uhome = path.join(dir, 'user');
  mkdirSync(uhome);
  if (asRoot) chownSync(uhome, 65534, 65534);
  else chmodSync(path.join(root, 'usr/local/share/ca-certificates'), 0o555);
  const uenv: NodeJS.ProcessEnv = { ...process.env, HOME: uhome, HUSH_HOME: path.join(uhome, '.hush'), HUSH_SYSTEM_ROOT: root };
  delete uenv.SSLKEYLOGFILE;
  const r = spawnSync(process.execPath, [bundle, 'ca', 'install'], {
    env: uenv,
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    ...nobody,
  });
  t.diagnostic(`as ${asRoot ? 'nobody' : 'this user, store read-only'}: ${r.stderr.trim()}`);
  assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /^hush ca: nothing changed: cannot write the system store \([^)]*usr\/local\/share\/ca-certificates[^)]*\)[^\n]*--store\n$/);
  assert.equal(existsSync(path.join(uhome, '.pki')), false, 'NSS untouched');
  // Leaving the system store out works.
  const nss = spawnSync(process.execPath, [bundle, 'ca', 'install', '--store', 'nss'], {
    env: uenv,
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    ...nobody,
  });
  assert.equal(nss.status, 0, nss.stderr);
  assert.ok(existsSync(path.join(uhome, '.pki/nssdb/cert9.db')));
});
