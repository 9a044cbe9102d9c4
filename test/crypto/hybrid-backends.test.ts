// The post-quantum hybrids in memory on every ML-KEM implementation this Node has, and across them:
// @noble/post-quantum always, node:crypto's own ML-KEM where the running Node has it (Node ≥ 24.7).
// Client on one backend, server on the other: the two implementations agree on every secret, so a
// hush on Node 20 (noble) and a hush on Node 24 (native) interoperate.
//
// Node 20 runs the noble pairs only; test/crypto/pq-node24.test.ts runs this file (and
// test/handshake/pq-hybrid.test.ts) again under Node 24 with HUSH_EXPECT_NATIVE_MLKEM=1, which makes a
// missing native path a failure rather than a skip: CI proves both implementations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeCryptoProvider } from '../../src/crypto/node/index.js';
import { hasNativeKem, type KemBackend } from '../../src/crypto/node/kem.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { assertEstablished, connect, dataOf, pump } from '../connection/helpers.js';

const native = hasNativeKem('ml-kem-768') && hasNativeKem('ml-kem-1024');
const expectNative = process.env.HUSH_EXPECT_NATIVE_MLKEM === '1';
const backends: KemBackend[] = native ? ['noble', 'node'] : ['noble'];
const HYBRIDS = ['X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024'] as const;

test(`the native ML-KEM path: ${native ? `present (Node ${process.version})` : `absent on Node ${process.version} (noble only)`}`, () => {
  if (expectNative) assert.equal(native, true, `HUSH_EXPECT_NATIVE_MLKEM=1 but node:crypto of ${process.version} has no working ML-KEM-768/1024`);
  // The default provider takes node:crypto exactly when it is there.
  const k = createNodeCryptoProvider().kem?.('ml-kem-768');
  assert.ok(k, 'the default provider has ML-KEM-768');
});

for (const client of backends) {
  for (const server of backends) {
    for (const name of HYBRIDS) {
      test(`${name} in memory: client ML-KEM ${client}, server ML-KEM ${server}`, () => {
        const group = NamedGroup[name];
        const p = connect(
          { provider: createNodeCryptoProvider({ kemBackend: client }), groups: [group] },
          { provider: createNodeCryptoProvider({ kemBackend: server }), groups: [group] },
        );
        assertEstablished(p);
        assert.equal(p.client.handshakeInfo?.groupName, name);
        assert.equal(p.server.handshakeInfo?.groupName, name);
        // Same secrets both ways: application data flows in both directions.
        p.client.write(new TextEncoder().encode('ping'));
        pump(p.client, p.server, { a: p.clientEvents, b: p.serverEvents });
        assert.equal(new TextDecoder().decode(dataOf(p.serverEvents)), 'ping');
        p.server.write(new TextEncoder().encode('pong'));
        pump(p.client, p.server, { a: p.clientEvents, b: p.serverEvents });
        assert.equal(new TextDecoder().decode(dataOf(p.clientEvents)), 'pong');
      });
    }
  }
}
