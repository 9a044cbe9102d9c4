// hush's ECH client (RFC 9849) against Go 1.24's crypto/tls server with EncryptedClientHelloKeys
// (test/interop/go/ech-server), on 127.0.0.1: accepted (Go reports ECHAccepted and the inner SNI),
// rejected with retry configs (a stale config: EchRejectedError carries Go's retry configs, and a
// new connection with them is accepted), ECH through a HelloRetryRequest, and GREASE.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { toHex } from '../../src/bytes/index.js';
import { ClientConnection } from '../../src/connection/client.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { EchRejectedError } from '../../src/errors/index.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import { decodeEchConfigList, echConfigsOf } from '../../src/handshake/ech/ech-config.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { makeEchKey, type TestEchKey } from '../handshake/ech/keys.js';
import { goHandshakes, makeEchFiles, PUBLIC_NAME, SECRET_NAME, startGoEchServer as startEchServer, type EchFiles, type GoEchServer } from './ech-peer.js';
import { goLabel, interopSkip, prebuildGo, runClient, type Pump } from './peers.js';

const PUBLIC = PUBLIC_NAME;
const SECRET = SECRET_NAME;

let files: EchFiles;

const startGoEchServer = (keys: readonly { key: TestEchKey; retry?: boolean }[], groups?: string): Promise<GoEchServer> =>
  startEchServer(files, keys, groups ? { groups } : {});

function client(over: Partial<ClientConfig>): ClientConnection {
  return new ClientConnection({ provider, now: Date.now, serverName: SECRET, trust: files.trust, trace: true, ...over });
}

async function echo(p: Pump, text: string): Promise<void> {
  p.send(text);
  assert.equal(new TextDecoder().decode(await p.read(text.length, 5000)), text);
}

/** The ClientHello record hush put on the wire (the first record out). */
function captureFirstFlight(conn: ClientConnection): Uint8Array {
  const out = conn.takeOutput();
  const all = new Uint8Array(out.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of out) {
    all.set(c, o);
    o += c.length;
  }
  return all;
}

describe(`ECH client ↔ Go server (${interopSkip() ? 'skipped' : 'go'})`, { skip: interopSkip() }, () => {
  before(async () => {
    files = makeEchFiles();
    await prebuildGo('ech-server');
  });

  test('accepted: Go sees ECHAccepted and the inner SNI; the outer ClientHello names only the public name', { timeout: 660_000 }, async () => {
    const key = makeEchKey(7, PUBLIC);
    const srv = await startGoEchServer([{ key }]);
    try {
      const conn = client({ echConfigList: key.list });
      // What an observer sees: the first flight names public.example, never secret.example.
      const hello = captureFirstFlight(conn);
      const ascii = Buffer.from(hello).toString('latin1');
      assert.ok(ascii.includes(PUBLIC), 'the outer ClientHello names the public name');
      assert.ok(!ascii.includes(SECRET), 'the real name is not in the clear');
      // A fresh connection for the real exchange (the captured one only showed its hello).
      const conn2 = client({ echConfigList: key.list });
      await runClient(conn2, '127.0.0.1', srv.port, async (p) => {
        const info = await p.handshake(10_000);
        assert.equal(info.ech, 'accepted');
        assert.equal(info.serverName, SECRET);
        assert.equal(info.outerServerName, PUBLIC);
        assert.equal(info.authorized, true);
        assert.deepEqual(info.peerCertificates.map((c) => c.subject.text)[0], `CN=${SECRET}`);
        await echo(p, 'ech accepted');
        const est = p.traces.find((t) => t.event === 'established')!;
        assert.equal(est.ech, 'accepted');
        assert.equal(est.sni, SECRET);
        assert.equal(est.outerSni, PUBLIC);
        assert.ok(p.traces.some((t) => t.event === 'ech' && /travelled encrypted; an observer saw only 'public\.example'/.test(t.message)));
        p.close();
      });
      const lines = await goHandshakes(srv, 1);
      assert.match(lines.at(-1)!, new RegExp(`handshake ok: ech=true sni=${SECRET.replace('.', '\\.')}`), srv.log());
    } finally {
      await srv.stop();
    }
  });

  test('rejected (stale config): EchRejectedError with Go\'s retry configs, then a retry with them is accepted', { timeout: 660_000 }, async () => {
    const stale = makeEchKey(1, PUBLIC);
    const current = makeEchKey(2, PUBLIC);
    const srv = await startGoEchServer([{ key: current, retry: true }]);
    try {
      let rejected: EchRejectedError | undefined;
      await runClient(client({ echConfigList: stale.list }), '127.0.0.1', srv.port, async (p) => {
        await p.waitFor(() => p.error !== undefined, 'the rejection', 10_000, { allowError: true, allowClose: true });
        assert.ok(p.error instanceof EchRejectedError, `got ${p.error?.message}`);
        rejected = p.error;
        assert.equal(p.error.alertName, 'ech_required');
        assert.equal(p.error.remote, false);
        assert.equal(p.error.publicName, PUBLIC);
        assert.equal(p.info, undefined, 'never reported as established');
        assert.ok(p.traces.some((t) => t.event === 'ech' && t.ech === 'rejected' && t.retryConfigs === true));
      });
      const retry = rejected!.retryConfigs!;
      assert.ok(retry, 'retry configs');
      const configs = echConfigsOf(decodeEchConfigList(retry));
      assert.deepEqual(configs.map((c) => toHex(c.raw)), [toHex(current.config)]);
      // Go saw the outer hello only (the public name) and our ech_required alert.
      const lines = await goHandshakes(srv, 1);
      assert.match(lines[0]!, /handshake: remote error: tls: encrypted client hello required/, srv.log());
      await runClient(client({ echConfigList: retry }), '127.0.0.1', srv.port, async (p) => {
        const info = await p.handshake(10_000);
        assert.equal(info.ech, 'accepted');
        await echo(p, 'retried');
        p.close();
      });
      assert.match((await goHandshakes(srv, 2))[1]!, /handshake ok: ech=true sni=secret\.example/, srv.log());
    } finally {
      await srv.stop();
    }
  });

  test('rejected without retry configs: EchRejectedError with retryConfigs undefined', { timeout: 660_000 }, async () => {
    const stale = makeEchKey(1, PUBLIC);
    const other = makeEchKey(3, PUBLIC);
    const srv = await startGoEchServer([{ key: other }]);
    try {
      await runClient(client({ echConfigList: stale.list }), '127.0.0.1', srv.port, async (p) => {
        await p.waitFor(() => p.error !== undefined, 'the rejection', 10_000, { allowError: true, allowClose: true });
        assert.ok(p.error instanceof EchRejectedError, `got ${p.error?.message}`);
        assert.equal(p.error.retryConfigs, undefined);
      });
    } finally {
      await srv.stop();
    }
  });

  test('HelloRetryRequest: Go wants secp256r1, hush sent x25519 first; ECH accepted through HRR', { timeout: 660_000 }, async () => {
    const key = makeEchKey(9, PUBLIC, { maximumNameLength: 40 });
    const srv = await startGoEchServer([{ key }], 'secp256r1');
    try {
      const conn = client({ echConfigList: key.list, groups: [NamedGroup.x25519, NamedGroup.secp256r1] });
      await runClient(conn, '127.0.0.1', srv.port, async (p) => {
        const info = await p.handshake(10_000);
        assert.equal(info.ech, 'accepted');
        assert.equal(info.groupName, 'secp256r1');
        assert.equal(p.traces.filter((t) => t.event === 'client_hello').length, 2, 'a second ClientHello');
        assert.ok(p.traces.some((t) => t.event === 'ech' && t.ech === 'accepted' && t.hrr === true), 'accepted at HRR');
        await echo(p, 'after hrr');
        p.close();
      });
      assert.match((await goHandshakes(srv, 1))[0]!, /handshake ok: ech=true sni=secret\.example/, srv.log());
    } finally {
      await srv.stop();
    }
  });

  test('resumption inside ECH: the ticket is offered only in ClientHelloInner (the outer hello has a GREASE pre_shared_key, RFC 9849 §6.1.2); Go resumes, and a rejecting Go does not take the GREASE PSK', { timeout: 660_000 }, async () => {
    const key = makeEchKey(6, PUBLIC);
    const stale = makeEchKey(8, PUBLIC);
    const srv = await startGoEchServer([{ key }]);
    try {
      let session: ClientConfig['session'];
      await runClient(client({ echConfigList: key.list }), '127.0.0.1', srv.port, async (p) => {
        await p.handshake(10_000);
        await echo(p, 'first');
        await p.waitFor(() => p.sessions.length > 0, 'a ticket', 5000);
        session = p.sessions.at(-1);
        p.close();
      });
      await runClient(client({ echConfigList: key.list, session }), '127.0.0.1', srv.port, async (p) => {
        const info = await p.handshake(10_000);
        assert.equal(info.ech, 'accepted');
        assert.equal(info.resumed, true);
        await echo(p, 'resumed');
        p.close();
      });
      await runClient(client({ echConfigList: stale.list, session }), '127.0.0.1', srv.port, async (p) => {
        await p.waitFor(() => p.error !== undefined, 'the rejection', 10_000, { allowError: true, allowClose: true });
        assert.ok(p.error instanceof EchRejectedError, `got ${p.error?.message}`);
      });
      const lines = await goHandshakes(srv, 3);
      assert.match(lines[1]!, /handshake ok: ech=true sni=secret\.example/, srv.log());
    } finally {
      await srv.stop();
    }
  });

  test('GREASE (no config): the handshake succeeds with ech "grease"; Go sees the real SNI', { timeout: 660_000 }, async () => {
    const key = makeEchKey(5, PUBLIC);
    const srv = await startGoEchServer([{ key }]);
    try {
      await runClient(client({}), '127.0.0.1', srv.port, async (p) => {
        const info = await p.handshake(10_000);
        assert.equal(info.ech, 'grease');
        assert.equal(p.traces.find((t) => t.event === 'established')!.ech, 'grease');
        await echo(p, 'grease');
        p.close();
      });
      assert.match((await goHandshakes(srv, 1))[0]!, /handshake ok: ech=false sni=secret\.example/, srv.log());
    } finally {
      await srv.stop();
    }
  });

  test('the Go used', () => {
    console.log(`ECH interop against ${goLabel()}`);
  });
});
