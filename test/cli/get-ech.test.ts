// `hush get --ech` (#14) against Go 1.24's ECH server (test/interop/go/ech-server, HTTP mode):
// accepted (the --trace-json established line has "ech":"accepted", "sni" = the inner name,
// "outerSni" = the public name; --trace narrates it); a stale config is rejected with retry
// configs and hush get retries once with them (saying so on stderr); GREASE without --ech;
// bad --ech values are argument errors.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { makeEchKey } from '../handshake/ech/keys.js';
import { goHandshakes, makeEchFiles, PUBLIC_NAME, SECRET_NAME, startGoEchServer, type EchFiles } from '../interop/ech-peer.js';
import { prebuildGo } from '../interop/peers.js';
import { hush, interopSkip, jsonLines, tempDir } from './helpers.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('hush get --ech (Go 1.24 ECH server)', { skip: interopSkip() }, () => {
  let files: EchFiles;
  before(async () => {
    files = makeEchFiles();
    await prebuildGo('ech-server');
  });
  const args = (port: number, ...extra: string[]) => ['get', '--cacert', files.caFile, '--resolve', `${SECRET_NAME}:${port}:127.0.0.1`, ...extra, `https://${SECRET_NAME}:${port}/`];

  test('accepted: the server saw the inner name; the established line says so; --trace narrates it', { timeout: 660_000 }, async () => {
    const key = makeEchKey(21, PUBLIC_NAME);
    const srv = await startGoEchServer(files, [{ key }], { http: true });
    try {
      const r = await hush(args(srv.port, '--ech', b64(key.list), '--trace-json'));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ech=true sni=${SECRET_NAME}\n`);
      const events = jsonLines(r.stderr);
      const est = events.at(-1)!;
      assert.equal(est.event, 'established');
      assert.equal(est.ech, 'accepted');
      assert.equal(est.sni, SECRET_NAME);
      assert.equal(est.outerSni, PUBLIC_NAME);
      assert.deepEqual((est.peer as string[])[0], `CN=${SECRET_NAME}`);
      // @FILE, and the plain-words trace.
      const dir = tempDir('hush-ech-cli-');
      const file = path.join(dir, 'ech.b64');
      writeFileSync(file, b64(key.list) + '\n');
      const t = await hush(args(srv.port, '--ech', `@${file}`, '--trace'));
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stderr, /the site name 'secret\.example' travelled encrypted; an observer saw only 'public\.example'/);
      assert.match(t.stderr, /inside an encrypted ClientHello \(ECH\)/);
      assert.match(t.stderr, /Secure connection established: TLSv1\.3, .*, Encrypted Client Hello\./);
      // A raw (binary) file works too.
      writeFileSync(file, key.list);
      assert.equal((await hush(args(srv.port, '--ech', `@${file}`))).code, 0);
    } finally {
      await srv.stop();
    }
  });

  test('a stale config: rejected with retry configs, retried once with them (said on stderr), then accepted', { timeout: 660_000 }, async () => {
    const stale = makeEchKey(1, PUBLIC_NAME);
    const current = makeEchKey(2, PUBLIC_NAME);
    const srv = await startGoEchServer(files, [{ key: current, retry: true }], { http: true });
    try {
      const r = await hush(args(srv.port, '--ech', b64(stale.list)));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ech=true sni=${SECRET_NAME}\n`);
      assert.equal(r.stderr, 'hush get: the server rejected Encrypted Client Hello and sent new ECH configs: retrying once with them\n');
      const lines = await goHandshakes(srv, 2);
      assert.match(lines[0]!, /encrypted client hello required/);
      assert.match(lines[1]!, /handshake ok: ech=true sni=secret\.example/);
      // --trace-json: the first attempt fails, a note, the second is established (accepted).
      const j = await hush(args(srv.port, '--ech', b64(stale.list), '--trace-json'));
      assert.equal(j.code, 0, j.stderr);
      const events = jsonLines(j.stderr);
      assert.equal(events.length, j.stderr.trimEnd().split('\n').length, 'every stderr line is JSON');
      const names = events.map((e) => e.event);
      assert.ok(names.indexOf('failed') < names.indexOf('ech_retry') && names.indexOf('ech_retry') < names.indexOf('established'), names.join(' '));
      assert.equal(events.find((e) => e.event === 'failed')!.alert, 'ech_required');
      assert.equal(events.at(-1)!.ech, 'accepted');
    } finally {
      await srv.stop();
    }
  });

  test('rejected without retry configs: exit 1, one line naming ech_required; the name was never sent in the clear', { timeout: 660_000 }, async () => {
    const stale = makeEchKey(1, PUBLIC_NAME);
    const srv = await startGoEchServer(files, [{ key: makeEchKey(3, PUBLIC_NAME) }], { http: true });
    try {
      const r = await hush(args(srv.port, '--ech', b64(stale.list)));
      assert.equal(r.code, 1);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^hush get: TLS failed \(ech_required\): the server \(authenticated as 'public\.example'\) rejected Encrypted Client Hello and sent no new ECH configs/);
      assert.match((await goHandshakes(srv, 1))[0]!, /encrypted client hello required/);
      assert.ok(!srv.log().includes('sni=secret.example'));
    } finally {
      await srv.stop();
    }
  });

  test('without --ech: GREASE ("ech":"grease"); bad --ech values are argument errors (exit 2)', { timeout: 660_000 }, async () => {
    const srv = await startGoEchServer(files, [{ key: makeEchKey(4, PUBLIC_NAME) }], { http: true });
    try {
      const r = await hush(args(srv.port, '--trace-json'));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ech=false sni=${SECRET_NAME}\n`);
      const est = jsonLines(r.stderr).at(-1)!;
      assert.equal(est.ech, 'grease');
      assert.equal(est.sni, undefined);
    } finally {
      await srv.stop();
    }
    for (const [value, re] of [
      ['not base64!', /--ech wants the ECHConfigList in base64/],
      ['AAEC', /--ech: not an ECHConfigList/],
    ] as const) {
      const r = await hush(['get', '--ech', value, 'https://localhost:1/']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
    }
    const unusable = makeEchKey(1, PUBLIC_NAME, { suites: [{ kdf: 1, aead: 0xffff }] });
    const u = await hush(['get', '--ech', b64(unusable.list), 'https://localhost:1/']);
    assert.equal(u.code, 2, u.stderr);
    assert.match(u.stderr, /no usable ECH config/);
  });
});
