// Frameworks over hush sockets (issue #16): node:https Agent keep-alive pooling, undici fetch
// (HTTP/1.1 and allowH2), node:http2 client and server, and the `ws` package, each on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import http2 from 'node:http2';
import type net from 'node:net';
import { once } from 'node:events';
import { Agent, fetch } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, createHttpsServer, createServer, undiciConnector, type ConnectOptions } from '../../src/node/index.js';
import { makeCerts } from './certs.js';
import { listen, shut } from './listen.js';

const certs = makeCerts();

test('node:https Agent keep-alive pools hush sockets: 5 requests, 1 connection', async () => {
  let handshakes = 0;
  const srv = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert }, (req, res) => res.end(`path ${req.url}`));
  srv.on('secureConnection', () => handshakes++);
  const port = await listen(srv);
  let created = 0;
  class HushAgent extends https.Agent {
    override createConnection(options: ConnectOptions): net.Socket {
      created++;
      return connect({ ...options, ca: certs.caCert }) as unknown as net.Socket;
    }
  }
  const agent = new HushAgent({ keepAlive: true, maxSockets: 1 });
  try {
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, servername: 'localhost', path: `/${i}`, agent }, (res) => {
            let b = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (b += d));
            res.on('end', () => resolve(b));
          })
          .on('error', reject);
      });
      bodies.push(body);
    }
    assert.deepEqual(bodies, ['path /0', 'path /1', 'path /2', 'path /3', 'path /4']);
    assert.equal(created, 1, 'one socket created');
    assert.equal(handshakes, 1, 'one handshake');
  } finally {
    agent.destroy();
    srv.close();
    srv.closeAllConnections();
    await once(srv, 'close');
  }
});

test('undici fetch over hush: HTTP/1.1, and HTTP/2 with allowH2 (node:http2 serving hush sockets)', async () => {
  const h1 = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert }, (_req, res) => res.end('h1 ok'));
  const port1 = await listen(h1);
  // An HTTP/2 server on hush: node:http2's cleartext server given each hush socket that agreed on h2.
  const h2 = http2.createServer((req, res) => res.end(`h2 ok ${req.httpVersion}`));
  const tlsForH2 = createServer({ key: certs.serverKey, cert: certs.serverCert, ALPNProtocols: ['h2'] }, (s) => h2.emit('connection', s));
  const port2 = await listen(tlsForH2);
  const d1 = new Agent({ connect: undiciConnector({ ca: certs.caCert }) });
  const d2 = new Agent({ allowH2: true, connect: undiciConnector({ ca: certs.caCert, ALPNProtocols: ['h2', 'http/1.1'] }) });
  try {
    const r1 = await fetch(`https://localhost:${port1}/`, { dispatcher: d1 });
    assert.equal(await r1.text(), 'h1 ok');
    const r2 = await fetch(`https://localhost:${port2}/`, { dispatcher: d2 });
    assert.equal(await r2.text(), 'h2 ok 2.0');
  } finally {
    await d1.close();
    await d2.close();
    h1.close();
    h1.closeAllConnections();
    await once(h1, 'close');
    h2.close();
    await shut(tlsForH2);
  }
});

test('http2.connect over a hush socket to node:http2 secure server', async () => {
  const srv = http2.createSecureServer({ key: certs.serverKey, cert: certs.serverCert }, (req, res) => res.end(`node h2 ${req.httpVersion}`));
  const port = await listen(srv);
  const session = http2.connect(`https://localhost:${port}`, {
    createConnection: () => connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert, ALPNProtocols: ['h2'] }) as unknown as net.Socket,
  });
  try {
    const req = session.request({ ':path': '/' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    await once(req, 'end');
    assert.equal(body, 'node h2 2.0');
  } finally {
    session.close();
    await shut(srv);
  }
});

test('ws: a WebSocket client and server, both over hush', async () => {
  const srv = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert });
  const wss = new WebSocketServer({ noServer: true });
  srv.httpServer.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo ${String(m)}`)));
  });
  const port = await listen(srv);
  const ws = new WebSocket(`wss://localhost:${port}/`, {
    createConnection: () => connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certs.caCert }) as unknown as net.Socket,
  } as never);
  try {
    await once(ws, 'open');
    ws.send('hello');
    const [msg] = (await once(ws, 'message')) as [Buffer];
    assert.equal(String(msg), 'echo hello');
    ws.close();
    await once(ws, 'close');
  } finally {
    wss.close();
    srv.close();
    srv.closeAllConnections();
    await once(srv, 'close');
  }
});
