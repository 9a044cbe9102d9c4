// TLS 1.2 through hush's node adapter against node:tls on 127.0.0.1, both directions: getProtocol /
// getCipher in node's shapes, RFC 5705 exporters equal on both ends (with, without and with an
// empty context, which differ in TLS 1.2), session resumption through getSession()/`session`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { once } from 'node:events';
import { constants } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from '../../src/node/server.js';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { makeCerts } from './certs.js';

const certs = makeCerts();
after(() => certs.cleanup());

type Ekm = (length: number, label: string, context?: Buffer) => Buffer;

function exporters(s: { exportKeyingMaterial: Ekm }): string[] {
  return [
    s.exportKeyingMaterial(32, 'EXPORTER-hush-test', Buffer.from('context value')),
    s.exportKeyingMaterial(20, 'EXPORTER-hush-test'),
    s.exportKeyingMaterial(20, 'EXPORTER-hush-test', Buffer.alloc(0)),
  ].map((b) => Buffer.from(b).toString('hex'));
}

async function listen(server: Server | tls.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

test('node:tls client (maxVersion TLSv1.2) ↔ hush server: TLS 1.2, node names, exporters equal', async () => {
  let serverSide: TLSSocket | undefined;
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    serverSide = s;
    s.pipe(s);
  });
  const port = await listen(server);
  try {
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, maxVersion: 'TLSv1.2' });
    await once(c, 'secureConnect');
    assert.equal(c.authorized, true, String(c.authorizationError));
    assert.equal(c.getProtocol(), 'TLSv1.2');
    const cipher = c.getCipher();
    assert.ok(serverSide);
    assert.equal(serverSide.getProtocol(), 'TLSv1.2');
    assert.deepEqual(serverSide.getCipher(), { name: cipher.name, standardName: cipher.standardName, version: 'TLSv1.2' });
    const ekm = c.exportKeyingMaterial.bind(c) as Ekm;
    const theirs = exporters({ exportKeyingMaterial: ekm });
    assert.deepEqual(exporters(serverSide as unknown as { exportKeyingMaterial: Ekm }), theirs);
    assert.notEqual(theirs[1], theirs[2], 'RFC 5705: no context and an empty context differ');
    c.end();
    await once(c, 'close');
  } finally {
    server.close();
  }
});

test('hush client (maxVersion TLSv1.2) ↔ node:tls server: TLS 1.2 each suite, exporters equal, resumption by ticket and by session ID', async () => {
  for (const ticket of [true, false]) {
    // Without tickets (SSL_OP_NO_TICKET) node:tls resumes by session ID from the store below.
    let serverSide: tls.TLSSocket | undefined;
    const server = tls.createServer(
      { key: certs.serverKey, cert: certs.serverCert, maxVersion: 'TLSv1.2', ...(ticket ? {} : { secureOptions: constants.SSL_OP_NO_TICKET }) },
      (s) => {
        serverSide = s;
        s.pipe(s);
      },
    );
    if (!ticket) {
      // node:tls keeps no session ID cache of its own: the application stores sessions.
      const store = new Map<string, Buffer>();
      server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
        store.set(id.toString('hex'), data);
        cb();
      });
      server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => cb(null, store.get(id.toString('hex')) ?? null));
    }
    const port = await listen(server);
    try {
      let session: Buffer | undefined;
      const ciphers = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'];
      for (const [i, name] of ciphers.entries()) {
        const c = connect({
          host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert,
          maxVersion: 'TLSv1.2', ciphers: name,
          ...(i > 0 && session ? { session } : {}),
        });
        c.on('session', (s: Buffer) => {
          session = s;
        });
        await once(c, 'secureConnect');
        assert.equal(c.getProtocol(), 'TLSv1.2');
        assert.equal(c.getCipher()?.name, name);
        if (i === 0) assert.equal(c.isSessionReused(), false);
        const line = Buffer.from('ping\n');
        c.write(line);
        const [echo] = (await once(c, 'data')) as [Buffer];
        assert.equal(echo.toString(), 'ping\n');
        assert.ok(serverSide);
        assert.deepEqual(exporters(c as unknown as { exportKeyingMaterial: Ekm }), exporters({ exportKeyingMaterial: serverSide.exportKeyingMaterial.bind(serverSide) as Ekm }));
        c.end();
        await once(c, 'close');
      }
      // Resume the last session with its own suite.
      assert.ok(session, 'a session was delivered');
      const again = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.caCert, maxVersion: 'TLSv1.2', ciphers: ciphers[2], session });
      await once(again, 'secureConnect');
      assert.equal(again.isSessionReused(), true, `resumed (${ticket ? 'ticket' : 'session ID'})`);
      again.end();
      await once(again, 'close');
    } finally {
      server.close();
    }
  }
});
