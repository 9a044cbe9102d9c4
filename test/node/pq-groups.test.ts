// The post-quantum hybrid groups through the node adapter (hush server ↔ hush client on 127.0.0.1):
// ecdhCurve takes the IANA names, and getEphemeralKeyInfo() reports a hybrid as Node 24 does
// ({ type: 'TLSGroup', name }, checked against Node 24.22 / OpenSSL 3.5).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type ServerOptions } from '../../src/node/server.js';
import { connect, type ConnectOptions } from '../../src/node/connect.js';
import { parseCurves } from '../../src/node/options.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { makeCerts } from './certs.js';

const certs = makeCerts();
after(() => certs.cleanup());

test('ecdhCurve: the IANA hybrid names, any case, beside the classical ones', () => {
  assert.deepEqual(parseCurves('X25519MLKEM768:X25519:P-256'), [NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1]);
  assert.deepEqual(parseCurves('secp256r1mlkem768:SecP384r1MLKEM1024'), [NamedGroup.SecP256r1MLKEM768, NamedGroup.SecP384r1MLKEM1024]);
  assert.throws(() => parseCurves('X25519Kyber768Draft00'), /is not a group hush knows; use X25519MLKEM768/);
});

async function handshake(server: Partial<ServerOptions>, client: Partial<ConnectOptions>): Promise<{ info: unknown; serverGroup: string | undefined }> {
  let serverGroup: string | undefined;
  const srv = createServer({ key: certs.serverKey, cert: certs.serverCert, ...server }, (s) => {
    serverGroup = s.getEphemeralKeyInfo() === null ? 'null' : 'not null';
    s.end();
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  try {
    const sock = connect({ host: 'localhost', port: (srv.address() as AddressInfo).port, ca: certs.caCert, ...client });
    await once(sock, 'secureConnect');
    const info = sock.getEphemeralKeyInfo();
    sock.resume();
    await once(sock, 'end');
    return { info, serverGroup };
  } finally {
    srv.close();
    await once(srv, 'close');
  }
}

test('hush ↔ hush by default: X25519MLKEM768, reported like Node 24 does', async () => {
  const r = await handshake({}, {});
  assert.deepEqual(r.info, { type: 'TLSGroup', name: 'X25519MLKEM768' });
  assert.equal(r.serverGroup, 'null'); // node: null on a server socket
});

test('ecdhCurve picks SecP256r1MLKEM768 / SecP384r1MLKEM1024 on both sides; a classical choice still reports ECDH', async () => {
  const all = 'SecP384r1MLKEM1024:SecP256r1MLKEM768:X25519MLKEM768:X25519';
  assert.deepEqual((await handshake({ ecdhCurve: all }, { ecdhCurve: 'SecP256r1MLKEM768' })).info, { type: 'TLSGroup', name: 'SecP256r1MLKEM768' });
  assert.deepEqual((await handshake({ ecdhCurve: all }, { ecdhCurve: 'secp384r1mlkem1024:x25519' })).info, { type: 'TLSGroup', name: 'SecP384r1MLKEM1024' });
  assert.deepEqual((await handshake({ ecdhCurve: 'X25519' }, {})).info, { type: 'ECDH', name: 'X25519', size: 253 });
});
