// hush as the transport of node:https requests (createConnection, a custom Agent) and of undici
// (Client with `connect`), against a node:https server on 127.0.0.1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { Agent, Client, fetch } from 'undici';
import { undiciConnector } from '../../src/node/undici.js';
import { connect, type ConnectOptions } from '../../src/node/connect.js';
import { TLSSocket } from '../../src/node/socket.js';
import { makeCerts } from './certs.js';

const certs = makeCerts();
after(() => certs.cleanup());

async function httpsServer(): Promise<{ port: number; close: () => Promise<void>; seen: string[] }> {
  const seen: string[] = [];
  const server = https.createServer({ key: certs.serverKey, cert: certs.serverCert, ALPNProtocols: ['http/1.1'] }, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${Buffer.concat(parts).length}`);
      res.setHeader('content-type', 'text/plain');
      res.end(`hello ${req.method} ${req.url} ${Buffer.concat(parts).length}`);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function body(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  res.on('data', (d: Buffer) => parts.push(d));
  return once(res, 'end').then(() => Buffer.concat(parts).toString());
}

test('node:https.request with createConnection: hush', async () => {
  const srv = await httpsServer();
  try {
    let used: TLSSocket | undefined;
    const req = https.request({
      host: 'localhost', port: srv.port, path: '/a?b=1', method: 'POST',
      createConnection: (opts: ConnectOptions) => (used = connect({ ...opts, ca: certs.caCert })),
    });
    req.end('payload');
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    assert.equal(res.statusCode, 200);
    assert.equal(await body(res), 'hello POST /a?b=1 7');
    assert.ok(used instanceof TLSSocket && used.authorized);
    assert.equal(used.getProtocol(), 'TLSv1.3');
  } finally {
    await srv.close();
  }
});

test('node:https with a custom Agent whose createConnection returns hush sockets (keep-alive reuse)', async () => {
  const srv = await httpsServer();
  class HushAgent extends https.Agent {
    made = 0;
    override createConnection(opts: ConnectOptions): TLSSocket {
      this.made++;
      return connect({ ...opts, ca: certs.caCert });
    }
  }
  const agent = new HushAgent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 3; i++) {
      const req = https.request({ host: 'localhost', port: srv.port, path: `/r${i}`, agent });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      assert.equal(await body(res), `hello GET /r${i} 0`);
    }
    assert.equal(agent.made, 1, 'one hush connection served the three requests');
    assert.deepEqual(srv.seen, ['GET /r0 0', 'GET /r1 0', 'GET /r2 0']);
  } finally {
    agent.destroy();
    await srv.close();
  }
});

test('undici Client with connect: hush', async () => {
  const srv = await httpsServer();
  const client = new Client(`https://localhost:${srv.port}`, {
    connect: (opts, cb) => {
      const s = connect({ host: opts.hostname, port: Number(opts.port), servername: opts.servername ?? undefined, ca: certs.caCert, ALPNProtocols: ['http/1.1'] });
      s.once('secureConnect', () => cb(null, s as unknown as Socket));
      s.once('error', (e: Error) => cb(e, null));
      return s as unknown as Socket;
    },
  });
  try {
    const r1 = await client.request({ path: '/u1', method: 'GET' });
    assert.equal(r1.statusCode, 200);
    assert.equal(await r1.body.text(), 'hello GET /u1 0');
    const big = Buffer.alloc(1 << 20, 0x61);
    const r2 = await client.request({ path: '/u2', method: 'PUT', body: big });
    assert.equal(await r2.body.text(), `hello PUT /u2 ${big.length}`);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('undici fetch through an Agent with undiciConnector: hush', async () => {
  const srv = await httpsServer();
  const dispatcher = new Agent({ connect: undiciConnector({ ca: certs.caCert }) as never });
  try {
    const res = await fetch(`https://localhost:${srv.port}/f?x=1`, { dispatcher, method: 'POST', body: 'abc' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello POST /f?x=1 3');
    // A certificate failure reaches fetch as a rejected promise with our TlsError as the cause.
    const strict = new Agent({ connect: undiciConnector({}) as never });
    await assert.rejects(fetch(`https://localhost:${srv.port}/`, { dispatcher: strict }), (e: Error & { cause?: { code?: string } }) => {
      assert.equal(String(e.cause?.code), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      return true;
    });
    await strict.close();
  } finally {
    await dispatcher.close();
    await srv.close();
  }
});
