// getPeerCertificateChain() hands out copies: connections that received the same chain share its
// parsed DER (memory per idle connection), so what one caller does with the buffers must not
// reach another connection, nor this one's next call, nor getPeerCertificate().
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { createServer } from '../../src/node/server.js';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { makeCerts } from './certs.js';

const certs = makeCerts();
after(() => certs.cleanup());

test('getPeerCertificateChain() returns copies: writing into them changes no connection', { timeout: 20_000 }, async () => {
  const serverSockets: TLSSocket[] = [];
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    serverSockets.push(s);
    s.on('error', () => {});
    s.write('x'); // the client waits for it: both ends are established
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const open = async (): Promise<TLSSocket> => {
    const c = connect({ host: 'localhost', port, ca: certs.caCert });
    c.on('error', () => {});
    await once(c, 'data');
    return c;
  };
  const a = await open();
  const b = await open();
  try {
    const expected = Buffer.from(new X509Certificate(certs.serverCert).raw);
    const chainA = a.getPeerCertificateChain();
    assert.equal(chainA.length, 1);
    assert.deepEqual(chainA[0], expected);
    assert.deepEqual(b.getPeerCertificateChain()[0], expected);

    chainA[0]!.fill(0);
    assert.deepEqual(a.getPeerCertificateChain()[0], expected, 'the same connection, asked again');
    assert.deepEqual(b.getPeerCertificateChain()[0], expected, 'another connection with the same chain');
    assert.deepEqual((a.getPeerCertificate() as { raw: Buffer }).raw, expected, 'getPeerCertificate().raw');
  } finally {
    a.destroy();
    b.destroy();
    for (const s of serverSockets) s.destroy();
    const closed = once(server, 'close');
    server.close();
    await closed;
  }
});
