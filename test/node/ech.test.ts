// The node adapter with ECH (#14): connect({ echConfigList }) against Go 1.24's ECH server:
// socket.ech is 'accepted' (and handshakeInfo names both names); a stale config makes the socket
// emit an EchRejectedError carrying Go's retry configs (socket.ech 'rejected'), and connecting
// again with them is accepted; without a config socket.ech is 'grease'.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { EchRejectedError } from '../../src/errors/index.js';
import { makeEchKey } from '../handshake/ech/keys.js';
import { makeEchFiles, PUBLIC_NAME, SECRET_NAME, startGoEchServer, type EchFiles } from '../interop/ech-peer.js';
import { interopSkip, prebuildGo } from '../interop/peers.js';

function open(files: EchFiles, port: number, echConfigList?: Uint8Array | string): TLSSocket {
  return connect({ host: '127.0.0.1', port, servername: SECRET_NAME, ca: files.trust, ...(echConfigList ? { echConfigList } : {}), handshakeTimeout: 10_000 });
}

/** Resolves with the 'secureConnect' or the 'error' of a socket (bounded by its handshakeTimeout). */
function outcome(s: TLSSocket): Promise<Error | undefined> {
  return new Promise((resolve) => {
    s.once('secureConnect', () => resolve(undefined));
    s.once('error', (e: Error) => resolve(e));
  });
}

describe('node adapter: connect({ echConfigList }) and socket.ech', { skip: interopSkip() }, () => {
  let files: EchFiles;
  before(async () => {
    files = makeEchFiles();
    await prebuildGo('ech-server');
  });

  test('accepted, rejected with retry configs (then accepted with them), grease', { timeout: 660_000 }, async () => {
    const current = makeEchKey(8, PUBLIC_NAME);
    const stale = makeEchKey(9, PUBLIC_NAME);
    const srv = await startGoEchServer(files, [{ key: current, retry: true }]);
    try {
      const a = open(files, srv.port, Buffer.from(current.list).toString('base64'));
      assert.equal(a.ech, null, 'null before the handshake');
      assert.equal(await outcome(a), undefined);
      assert.equal(a.ech, 'accepted');
      assert.equal(a.handshakeInfo?.serverName, SECRET_NAME);
      assert.equal(a.handshakeInfo?.outerServerName, PUBLIC_NAME);
      a.destroy();

      const r = open(files, srv.port, stale.list);
      const err = await outcome(r);
      assert.ok(err instanceof EchRejectedError, `got ${err?.message}`);
      assert.equal(err.code, 'ERR_TLS_ECH_REQUIRED');
      assert.equal(Buffer.from(err.retryConfigs!).toString('hex'), Buffer.from(current.list).toString('hex'));
      assert.equal(r.ech, 'rejected');

      const again = open(files, srv.port, err.retryConfigs);
      assert.equal(await outcome(again), undefined);
      assert.equal(again.ech, 'accepted');
      again.destroy();

      const g = open(files, srv.port);
      assert.equal(await outcome(g), undefined);
      assert.equal(g.ech, 'grease');
      g.destroy();
    } finally {
      await srv.stop();
    }
  });

  test('a bad echConfigList is a UsageError at connect()', () => {
    assert.throws(() => connect({ host: '127.0.0.1', port: 1, echConfigList: 'not base64 !' }), /echConfigList must be bytes or a base64 string/);
  });
});
