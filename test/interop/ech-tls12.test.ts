// hush's ECH client against real servers that answer in TLS 1.2 (RFC 9849 §6.1.4: a rejection):
// `openssl s_server -tls1_2` and Go 1.24's crypto/tls with MaxVersion TLS 1.2, each with a
// certificate for the public name. hush completes the TLS 1.2 handshake authenticated as the public
// name, then sends ech_required (the peer logs it) and reports EchRejectedError without retry
// configs; a server whose certificate covers only the inner name fails the public-name check.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ClientConnection } from '../../src/connection/client.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { EchRejectedError } from '../../src/errors/index.js';
import { makeEchKey } from '../handshake/ech/keys.js';
import { goHandshakes, makeEchFiles, PUBLIC_NAME, SECRET_NAME, startGoEchServer, type EchFiles } from './ech-peer.js';
import { interopSkip, prebuildGo, requirePeer, runClient, startProcess, type Pump } from './peers.js';

let files: EchFiles;
const key = makeEchKey(21, PUBLIC_NAME);

function client(): ClientConnection {
  return new ClientConnection({ provider, now: Date.now, serverName: SECRET_NAME, trust: files.trust, trace: true, echConfigList: key.list });
}

/** `openssl s_server -tls1_2` with one certificate (the chain file holds leaf then CA). */
async function startOpenssl12(cert: string, keyFile: string) {
  requirePeer('openssl');
  const p = await startProcess('openssl', ['s_server', '-tls1_2', '-accept', '127.0.0.1:0', '-cert', cert, '-cert_chain', cert, '-key', keyFile, '-naccept', '1', '-rev', '-msg'], {
    readyRegex: /^ACCEPT 127\.0\.0\.1:\d+$/m,
    timeoutMs: 10_000,
  });
  return { port: Number(/^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(p.stdout())![1]), log: () => p.stderr() + p.stdout(), stop: () => p.stop() };
}

/** Run hush against the port until it fails; returns the failure. */
async function failure(port: number): Promise<{ error: Error; pump: Pump }> {
  return runClient(client(), '127.0.0.1', port, async (p) => {
    await p.waitFor(() => p.error !== undefined, 'the failure', 10_000, { allowError: true, allowClose: true });
    return { error: p.error!, pump: p };
  });
}

function assertRejected(error: Error, pump: Pump): void {
  assert.ok(error instanceof EchRejectedError, `got ${error.message}`);
  assert.equal(error.alertName, 'ech_required');
  assert.equal(error.remote, false);
  assert.equal(error.publicName, PUBLIC_NAME);
  assert.equal(error.retryConfigs, undefined, 'TLS 1.2 carries no retry_configs');
  assert.equal(pump.info, undefined, 'never reported as established');
  assert.ok(pump.traces.some((t) => t.event === 'server_hello' && t.version === 'TLSv1.2'), 'the server answered in TLS 1.2');
  assert.ok(pump.traces.some((t) => t.event === 'ech' && t.ech === 'rejected' && t.retryConfigs === false));
}

describe(`ECH client ↔ TLS 1.2 servers (${interopSkip() ? 'skipped' : 'openssl, go'})`, { skip: interopSkip() }, () => {
  before(async () => {
    files = makeEchFiles();
    await prebuildGo('ech-server');
  });

  test('openssl s_server -tls1_2 (certificate for the public name): authenticated, then ech_required', { timeout: 60_000 }, async () => {
    const srv = await startOpenssl12(files.publicCert, files.publicKey);
    try {
      const { error, pump } = await failure(srv.port);
      assertRejected(error, pump);
      // The server finished the TLS 1.2 handshake (with the public name's certificate), then read our
      // fatal alert 121 (ech_required; -msg prints its two bytes, 02 79).
      for (let i = 0; i < 100 && !/CONNECTION CLOSED/.test(srv.log()); i++) await new Promise((r) => setTimeout(r, 50));
      const log = srv.log();
      assert.match(log, /Protocol version: TLSv1\.2/, log);
      assert.match(log, /1 server accepts that finished/, log);
      assert.match(log, /<<< TLS 1\.2, Alert \[length 0002\], fatal[^\n]*\n\s*02 79/, log);
    } finally {
      await srv.stop();
    }
  });

  test('openssl s_server -tls1_2 with a certificate for the inner name only: the public-name check fails (bad_certificate)', { timeout: 60_000 }, async () => {
    const srv = await startOpenssl12(files.secretCert, files.secretKey);
    try {
      const { error } = await failure(srv.port);
      assert.ok(!(error instanceof EchRejectedError), error.message);
      assert.equal((error as { alertName?: string }).alertName, 'bad_certificate');
      assert.match(error.message, /public\.example/);
    } finally {
      await srv.stop();
    }
  });

  test('Go crypto/tls with MaxVersion TLS 1.2: authenticated as the public name, then Go gets ech_required', { timeout: 660_000 }, async () => {
    const srv = await startGoEchServer(files, [], { tls12: true });
    try {
      const { error, pump } = await failure(srv.port);
      assertRejected(error, pump);
      // Go completed TLS 1.2 having seen only the public name, then read our ech_required.
      const lines = await goHandshakes(srv, 1);
      assert.match(lines[0]!, /handshake ok: ech=false sni=public\.example version=0x0303/, srv.log());
      for (let i = 0; i < 100 && !/encrypted client hello required/.test(srv.log()); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(srv.log(), /remote error: tls: encrypted client hello required/, srv.log());
    } finally {
      await srv.stop();
    }
  });
});
