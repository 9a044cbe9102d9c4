// Trust like node:tls (#16): NODE_EXTRA_CA_CERTS added to the default roots (read once, a bad file
// is a warning), `ca: 'system'` reading the OS bundle, and `rootCertificates`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootCertificates, sharedSystemTrustStore } from '../../src/node/trust.js';
import { connect } from '../../src/node/connect.js';
import { makePki, runOnce, startServer } from './compat-scenarios.js';

const pki = makePki();
const connectModule = fileURLToPath(new URL('../../src/node/connect.ts', import.meta.url));

/** Run a hush client (no `ca`) in a child process with `env`; its JSON outcome and stderr. */
function childConnect(port: number, env: Record<string, string>): Promise<{ out: { authorized?: boolean; code?: string; n?: number }; stderr: string }> {
  const script = `
    import { connect } from ${JSON.stringify(connectModule)};
    const s = connect({ host: 'localhost', port: ${port} });
    s.on('secureConnect', () => { console.log(JSON.stringify({ authorized: s.authorized })); s.destroy(); });
    s.on('error', (e) => console.log(JSON.stringify({ code: e.code })));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      try {
        resolve({ out: JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { authorized?: boolean; code?: string }, stderr });
      } catch {
        reject(new Error(`child printed ${JSON.stringify(stdout)}; stderr ${stderr}`));
      }
    });
  });
}

test('NODE_EXTRA_CA_CERTS is added to the default roots; a bad file is a warning, not a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hush-extra-ca-'));
  const srv = await startServer({ ...pki.server });
  try {
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, pki.ca);
    const trusted = await childConnect(srv.port, { NODE_EXTRA_CA_CERTS: caFile });
    assert.deepEqual(trusted.out, { authorized: true });

    const without = await childConnect(srv.port, { NODE_EXTRA_CA_CERTS: '' });
    assert.deepEqual(without.out, { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });

    const missing = await childConnect(srv.port, { NODE_EXTRA_CA_CERTS: join(dir, 'nope.pem') });
    assert.deepEqual(missing.out, { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'the bundled roots still work');
    assert.match(missing.stderr, /Ignoring extra certs from `.*nope\.pem`, load failed: No such file or directory/);

    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const bad = await childConnect(srv.port, { NODE_EXTRA_CA_CERTS: junk });
    assert.deepEqual(bad.out, { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    assert.match(bad.stderr, /Ignoring extra certs from `.*junk\.pem`, load failed: /);
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ca: 'system' reads the OS bundle: a private CA is not in it", { skip: !existsSync('/etc/ssl/certs/ca-certificates.crt') }, async () => {
  assert.ok(sharedSystemTrustStore().size > 50, 'the Debian bundle has the public roots');
  const srv = await startServer({ ...pki.server });
  try {
    const h = await runOnce(connect as never, { port: srv.port, ca: 'system' });
    assert.equal(h.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  } finally {
    await srv.close();
  }
});

test('rootCertificates is node:tls.rootCertificates', () => {
  assert.equal(rootCertificates, tls.rootCertificates);
  assert.ok(rootCertificates.length > 100);
});
