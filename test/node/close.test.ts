// How a hush socket closes (issue #11): what was written before destroy() is still sent, with
// close_notify (node:http answers a malformed request with write(400) then destroy()), and after
// a fatal alert the server keeps reading and discarding until the peer closes (a lingering close),
// so that a peer still sending reads our alert instead of a TCP reset.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { createHttpsServer } from '../../src/node/https.js';
import { createServer } from '../../src/node/server.js';
import { connect } from '../../src/node/connect.js';
import { makeCerts } from './certs.js';
import { closed, listen, shut } from './listen.js';

const certs = makeCerts();
after(() => certs.cleanup());

/** Send `request` over a hush client; what came back, whether close_notify ended it, and any error. */
async function exchange(port: number, request: string | undefined): Promise<{ text: string; closeNotify: boolean; error?: string }> {
  const c = connect({ host: 'localhost', port, ca: certs.caCert, ALPNProtocols: ['http/1.1'] });
  let text = '';
  let error: string | undefined;
  c.on('data', (d: Buffer) => (text += d.toString('latin1')));
  c.on('error', (e: Error & { code?: string }) => (error = e.code ?? e.message));
  c.once('secureConnect', () => {
    if (request !== undefined) c.write(request);
  });
  await closed(c);
  // truncated is set when TCP closed without close_notify.
  return { text, closeNotify: c.handshakeInfo !== undefined && !c.truncated && error === undefined, ...(error ? { error } : {}) };
}

test('node:http over hush answers a bare-LF request with 400 and oversized headers with 431, then close_notify', async () => {
  const server = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert }, (_req, res) => res.end('ok'));
  const port = await listen(server);
  try {
    const bad = await exchange(port, 'GET / HTTP/1.0\n\n');
    assert.match(bad.text, /^HTTP\/1\.1 400 Bad Request\r\n/, JSON.stringify(bad));
    assert.equal(bad.closeNotify, true, JSON.stringify(bad));

    const big = await exchange(port, `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(big.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/, JSON.stringify(big.text.slice(0, 100)));
    assert.equal(big.closeNotify, true, JSON.stringify({ ...big, text: big.text.slice(0, 100) }));

    const good = await exchange(port, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    assert.match(good.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
  } finally {
    server.closeAllConnections();
    await shut(server);
  }
});

test('write() then destroy() on a hush TLSSocket: the bytes arrive, then close_notify', async () => {
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert }, (s) => {
    s.on('error', () => {});
    s.on('data', () => {
      s.write('small reply');
      s.write(Buffer.alloc(20_000, 0x62));
      s.destroy();
    });
  });
  const port = await listen(server);
  try {
    const r = await exchange(port, 'hello');
    const expected = 'small reply' + 'b'.repeat(20_000);
    assert.ok(r.text === expected, `received ${r.text.length} of ${expected.length} bytes`);
    assert.equal(r.closeNotify, true, JSON.stringify({ ...r, text: r.text.length }));
  } finally {
    await shut(server);
  }
});

test('after a fatal alert the server reads and discards what the client still sends, so the client reads the alert', async () => {
  const server = createServer({ key: certs.serverKey, cert: certs.serverCert }, () => assert.fail('no handshake expected'));
  const failures: string[] = [];
  server.on('tlsClientError', (e: Error & { code?: string }) => failures.push(e.code ?? e.message));
  let serverFinished: Promise<unknown> | undefined;
  server.on('connection', (raw: net.Socket) => (serverFinished = once(raw, 'finish')));
  const port = await listen(server);
  try {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await once(c, 'connect');
    c.pause(); // the client is busy sending; it reads only afterwards
    let error: string | undefined;
    c.on('error', (e: Error & { code?: string }) => (error ??= e.code ?? e.message));
    // A record of an unknown content type (RFC 8446 §5: unexpected_message): the server fails at once.
    c.write(Buffer.from([0x63, 0x03, 0x03, 0x00, 0x01, 0x00]));
    while (serverFinished === undefined) await new Promise((r) => setImmediate(r));
    await serverFinished; // the server's alert and FIN are out
    // The client goes on sending (the rest of a request body, say): 64 KiB in 4 KiB writes.
    const garbage = Buffer.alloc(4096, 0x17);
    for (let i = 0; i < 16 && error === undefined; i++) {
      await new Promise<void>((resolve) => c.write(garbage, () => resolve()));
      await new Promise((r) => setImmediate(r));
    }
    // Now it reads: the alert, then EOF — not a reset.
    const parts: Buffer[] = [];
    c.on('data', (d: Buffer) => parts.push(d));
    c.resume();
    if (!c.readableEnded && error === undefined) await Promise.race([once(c, 'end'), closed(c)]);
    c.end();
    const got = Buffer.concat(parts);
    assert.equal(error, undefined, `the client saw ${error} instead of the alert`);
    assert.ok(got.length >= 7, `received ${got.toString('hex')}`);
    assert.equal(got[0], 21, 'an alert record'); // RFC 8446 §5.1 ContentType.alert
    assert.equal(got.readUInt16BE(3), 2);
    assert.equal(got[5], 2, 'fatal'); // AlertLevel.fatal
    assert.equal(failures.length, 1, failures.join());
    await closed(c);
  } finally {
    await shut(server);
  }
});
