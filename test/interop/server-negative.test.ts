// Bad clients against a running hush server over TCP on 127.0.0.1: garbage, an out-of-order
// first message, a truncated ClientHello then close, a wrong Finished (re-sealed with the real
// handshake key, so only verify_data is wrong), a corrupted Finished record, a bad PSK binder, a
// TLS 1.2-only client (openssl s_client -tls1_2), and a client that stalls mid-handshake (the
// server's handshakeTimeout closes it). Each gets the alert (or timeout) it deserves, and a
// well-behaved client completes a handshake after every one of them: the server keeps serving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { ClientConnection } from '../../src/connection/client.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { alertName } from '../../src/errors/alert.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import { connect } from '../../src/node/connect.js';
import { hkdfExpandLabel } from '../../src/schedule/hkdf-label.js';
import { CipherSuite } from '../../src/wire/enums.js';
import { connectTcp, interopSkip, Pump, requirePeer, runClient, testPki, testTrust, type Pki } from './peers.js';
import { runTool, startHushServer, type HushTestServer, type SeenConnection } from './server-peers.js';

const skip = interopSkip();
const HANDSHAKE_TIMEOUT = 500;
const results: string[] = [];

let pki: Pki;
let srv: HushTestServer;
const serverErrors: Error[] = [];


function client(extra: Partial<ClientConfig> = {}): ClientConnection {
  return new ClientConnection({ provider: nodeCryptoProvider, now: Date.now, serverName: 'localhost', trust: testTrust(), ...extra });
}

/** The first flight of a fresh hush client: one plaintext ClientHello record. */
function clientHelloRecord(): Uint8Array {
  const out = client().takeOutput();
  const all = Buffer.concat(out.map((b) => Buffer.from(b)));
  assert.equal(all[0], 22, 'a handshake record');
  return new Uint8Array(all.subarray(0, 5 + all.readUInt16BE(3)));
}

interface RawResult {
  received: Buffer;
  /** Plaintext alert records received: [level, name]. */
  alerts: string[];
  /** ms from the last write until the server closed the connection (undefined: still open at the end). */
  closedAfterMs: number | undefined;
}

/** Split received bytes into records and name the plaintext alerts. */
function plaintextAlerts(buf: Buffer): string[] {
  const out: string[] = [];
  let o = 0;
  while (o + 5 <= buf.length) {
    const len = buf.readUInt16BE(o + 3);
    if (buf[o] === 21 && len === 2 && o + 7 <= buf.length) out.push(`${buf[o + 5] === 2 ? 'fatal' : 'warning'} ${alertName(buf[o + 6]!)}`);
    o += 5 + len;
  }
  return out;
}

/** Write `bytes` on a raw TCP connection, optionally half-close, and collect what comes back (bounded). */
async function raw(bytes: Uint8Array, opts: { end?: boolean; waitMs?: number } = {}): Promise<RawResult> {
  const s: net.Socket = await connectTcp('127.0.0.1', srv.port);
  const chunks: Buffer[] = [];
  let closedAt: number | undefined;
  s.on('data', (d: Buffer) => chunks.push(d));
  s.on('error', () => { /* reset by the server: recorded as a close */ });
  // The server ending its side (FIN) counts as closing: connectTcp sockets allow half-open.
  const closed = new Promise<void>((resolve) => {
    const done = (): void => {
      closedAt ??= Date.now();
      resolve();
    };
    s.once('end', done);
    s.once('close', done);
  });
  s.write(bytes);
  if (opts.end) s.end();
  const wrote = Date.now();
  await Promise.race([closed, new Promise((r) => setTimeout(r, opts.waitMs ?? 3000))]);
  s.destroy();
  const received = Buffer.concat(chunks);
  return { received, alerts: plaintextAlerts(received), closedAfterMs: closedAt === undefined ? undefined : closedAt - wrote };
}

/** The server's record of the single connection since reset(). */
async function lastSeen(what: string): Promise<SeenConnection> {
  const end = Date.now() + 2000;
  while (Date.now() < end && !srv.seen.some((s) => s.error)) await new Promise((r) => setTimeout(r, 10));
  assert.equal(srv.seen.length, 1, `${what}: the server saw ${srv.seen.length} connections`);
  return srv.seen[0]!;
}

/** A well-behaved client: handshake + echo through the same server. */
async function goodClient(after: string): Promise<void> {
  srv.reset();
  const s = connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca: readFileSync(pki.ca.cert), handshakeTimeout: 5000 });
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`good client after ${after}: timed out`)), 5000);
      s.once('secureConnect', () => s.write('still serving\n'));
      s.on('data', (d: Buffer) => {
        if (d.toString().includes('still serving')) {
          clearTimeout(t);
          resolve();
        }
      });
      s.once('error', (e: Error) => {
        clearTimeout(t);
        reject(new Error(`good client after ${after}: ${e.message}`));
      });
    });
  } finally {
    s.destroy();
  }
  assert.equal(srv.handshakes().length, 1, `good client after ${after}: one handshake on the server`);
  assert.equal(srv.server.listening, true);
  assert.deepEqual(serverErrors, [], 'no server error events');
  srv.reset();
}

describe('hush server × bad clients over TCP', { skip }, () => {
  before(async () => {
    pki = testPki();
    srv = await startHushServer({
      cert: readFileSync(pki.server.ecdsa256.cert),
      key: readFileSync(pki.server.ecdsa256.key),
      minVersion: 'TLSv1.3',
      handshakeTimeout: HANDSHAKE_TIMEOUT,
    });
    srv.server.on('error', (e: Error) => serverErrors.push(e));
    await goodClient('start');
  });

  after(async () => {
    await srv?.stop();
    if (results.length) console.log(['hush server negative cases (client → what the server did):', ...results.map((r) => '  ' + r)].join('\n'));
  });

  test('garbage (an HTTP request on the TLS port) → alert, close', async () => {
    srv.reset();
    const r = await raw(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    const seen = await lastSeen('garbage');
    assert.equal(seen.cipher, undefined);
    assert.ok(r.closedAfterMs !== undefined, 'the server closed the connection');
    assert.deepEqual(r.alerts, ['fatal unexpected_message'], `alerts received: ${r.received.toString('hex').slice(0, 40)}`);
    assert.match(seen.error ?? '', /.+/, 'tlsClientError');
    results.push(`garbage "GET / HTTP/1.1"        → ${r.alerts.join(', ')}, closed in ${r.closedAfterMs} ms (tlsClientError: ${seen.error})`);
    await goodClient('garbage');
  });

  test('garbage inside a handshake record → decode_error', async () => {
    srv.reset();
    // A handshake record holding a "ClientHello" whose body is 40 bytes of 0xff.
    const body = Buffer.alloc(40, 0xff);
    const msg = Buffer.concat([Buffer.from([1, 0, 0, body.length]), body]);
    const rec = Buffer.concat([Buffer.from([22, 3, 1, 0, msg.length]), msg]);
    const r = await raw(rec);
    const seen = await lastSeen('garbage hello');
    assert.ok(r.closedAfterMs !== undefined, 'the server closed the connection');
    assert.deepEqual(r.alerts, ['fatal decode_error']);
    results.push(`ClientHello of 0xff bytes        → ${r.alerts.join(', ')}, closed in ${r.closedAfterMs} ms (tlsClientError: ${seen.error})`);
    await goodClient('garbage hello');
  });

  test('a Finished as the first message → unexpected_message', async () => {
    srv.reset();
    const msg = Buffer.concat([Buffer.from([20, 0, 0, 32]), Buffer.alloc(32, 7)]);
    const r = await raw(Buffer.concat([Buffer.from([22, 3, 1, 0, msg.length]), msg]));
    const seen = await lastSeen('out of order');
    assert.deepEqual(r.alerts, ['fatal unexpected_message']);
    assert.ok(r.closedAfterMs !== undefined, 'the server closed the connection');
    results.push(`Finished before ClientHello      → ${r.alerts.join(', ')}, closed in ${r.closedAfterMs} ms (tlsClientError: ${seen.error})`);
    await goodClient('out-of-order message');
  });

  test('truncated ClientHello, then the client closes → the server closes, no handshake', async () => {
    srv.reset();
    const hello = clientHelloRecord();
    const r = await raw(hello.subarray(0, Math.floor(hello.length / 2)), { end: true });
    const seen = await lastSeen('truncated hello');
    assert.equal(seen.cipher, undefined);
    assert.ok(r.closedAfterMs !== undefined && r.closedAfterMs < HANDSHAKE_TIMEOUT, `closed at once (${r.closedAfterMs} ms), not by the timeout`);
    assert.match(seen.error ?? '', /.+/, 'tlsClientError');
    results.push(`half a ClientHello, then FIN     → ${r.alerts.length ? r.alerts.join(', ') : 'no alert'}, closed in ${r.closedAfterMs} ms (tlsClientError: ${seen.error})`);
    await goodClient('truncated hello');
  });

  test('stall mid-handshake (half a ClientHello, then nothing) → closed by handshakeTimeout', async () => {
    srv.reset();
    const hello = clientHelloRecord();
    const r = await raw(hello.subarray(0, Math.floor(hello.length / 2)), { waitMs: 5000 });
    const seen = await lastSeen('stall');
    assert.ok(r.closedAfterMs !== undefined, 'the server closed the stalled connection');
    assert.ok(r.closedAfterMs >= HANDSHAKE_TIMEOUT - 50 && r.closedAfterMs < HANDSHAKE_TIMEOUT + 1500, `closed after ${r.closedAfterMs} ms (timeout ${HANDSHAKE_TIMEOUT})`);
    assert.match(seen.error ?? '', /timeout/i);
    results.push(`stall after half a ClientHello   → ${r.alerts.length ? r.alerts.join(', ') : 'no alert'}, closed after ${r.closedAfterMs} ms (handshakeTimeout ${HANDSHAKE_TIMEOUT}; tlsClientError: ${seen.error})`);
    await goodClient('stall');
  });

  /**
   * Drive a hush ClientConnection over TCP with its outgoing bytes passed through `tamper`
   * (called once per socket write with the records of that write).
   */
  async function tampered(conn: ClientConnection, tamper: (records: Buffer[], n: number) => Buffer[]): Promise<Pump> {
    const socket = await connectTcp('127.0.0.1', srv.port);
    const write = socket.write.bind(socket) as (b: Uint8Array) => boolean;
    let n = 0;
    (socket as { write: (b: Uint8Array) => boolean }).write = (b: Uint8Array): boolean => {
      const buf = Buffer.from(b);
      const records: Buffer[] = [];
      for (let o = 0; o + 5 <= buf.length; ) {
        const len = buf.readUInt16BE(o + 3);
        records.push(Buffer.from(buf.subarray(o, o + 5 + len)));
        o += 5 + len;
      }
      return write(Buffer.concat(tamper(records, n++)));
    };
    return new Pump(conn, socket);
  }

  test('wrong Finished (verify_data altered, record re-sealed with the real key) → decrypt_error', async () => {
    srv.reset();
    // AES-128-GCM so the test can re-seal the record with node:crypto; the client logs its
    // handshake secret (NSS key log), from which the record key and IV follow (RFC 8446 §7.3).
    const conn = client({ cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256], keyLog: true });
    let secret: Uint8Array | undefined;
    let flipped = false;
    // The pump sends output before it drains events, so the key log line of this very flight is
    // taken here first and handed to the pump afterwards.
    const early: ConnectionEvent[] = [];
    const takeEvents = conn.takeEvents.bind(conn);
    conn.takeEvents = (): ConnectionEvent[] => [...early.splice(0), ...takeEvents()];
    const pump = await tampered(conn, (records) =>
      records.map((rec) => {
        if (rec[0] !== 23 || flipped) return rec;
        // The client's first encrypted record is its Finished (no client certificate was asked).
        early.push(...takeEvents());
        const line = early.find((e) => e.type === 'keylog' && e.line.startsWith('CLIENT_HANDSHAKE_TRAFFIC_SECRET'));
        if (!line || line.type !== 'keylog') throw new Error('no CLIENT_HANDSHAKE_TRAFFIC_SECRET key log line');
        secret = Buffer.from(line.line.split(' ')[2]!, 'hex');
        const key = hkdfExpandLabel(nodeCryptoProvider, 'sha256', secret, 'key', new Uint8Array(0), 16);
        const iv = hkdfExpandLabel(nodeCryptoProvider, 'sha256', secret, 'iv', new Uint8Array(0), 12); // seq 0: nonce = iv
        const aad = rec.subarray(0, 5);
        const body = rec.subarray(5, rec.length - 16);
        const d = createDecipheriv('aes-128-gcm', key, iv);
        d.setAAD(aad);
        d.setAuthTag(rec.subarray(rec.length - 16));
        const inner = Buffer.concat([d.update(body), d.final()]);
        // TLSInnerPlaintext = Finished (type 20, 3-byte length, 32-byte verify_data) || content type 22.
        assert.equal(inner[0], 20, 'the first encrypted client record is a Finished');
        assert.equal(inner[inner.length - 1], 22);
        inner[10]! ^= 0x01; // a verify_data byte
        const c = createCipheriv('aes-128-gcm', key, iv);
        c.setAAD(aad);
        const sealed = Buffer.concat([c.update(inner), c.final(), c.getAuthTag()]);
        flipped = true;
        return Buffer.concat([aad, sealed]);
      }),
    );
    try {
      await pump.waitFor(() => pump.error !== undefined || pump.socketClosed, 'the server refuses the Finished', 5000, { allowError: true, allowClose: true });
    } finally {
      pump.destroy();
    }
    assert.ok(flipped && secret, 'the Finished was altered');
    const seen = await lastSeen('wrong Finished');
    assert.equal(seen.cipher, undefined, 'no handshake on the server');
    assert.deepEqual(seen.alerts, ['decrypt_error'], 'the server failed with decrypt_error');
    assert.equal(pump.error?.alertName, 'decrypt_error', `the client got: ${pump.error?.alertName}`);
    results.push(`wrong Finished verify_data       → server alert ${seen.alerts.join(', ')}; client received ${pump.error?.alertName} (tlsClientError: ${seen.error})`);
    await goodClient('wrong Finished');
  });

  test('corrupted Finished record (one ciphertext bit) → bad_record_mac', async () => {
    srv.reset();
    let flipped = false;
    const pump = await tampered(client(), (records) =>
      records.map((rec) => {
        if (rec[0] !== 23 || flipped) return rec;
        flipped = true;
        const r = Buffer.from(rec);
        r[8]! ^= 0x80;
        return r;
      }),
    );
    try {
      await pump.waitFor(() => pump.error !== undefined || pump.socketClosed, 'the server refuses the record', 5000, { allowError: true, allowClose: true });
    } finally {
      pump.destroy();
    }
    const seen = await lastSeen('bad record');
    assert.equal(seen.cipher, undefined);
    assert.deepEqual(seen.alerts, ['bad_record_mac']);
    assert.equal(pump.error?.alertName, 'bad_record_mac');
    results.push(`Finished record, 1 bit flipped   → server alert ${seen.alerts.join(', ')}; client received ${pump.error?.alertName}`);
    await goodClient('corrupted record');
  });

  test('bad PSK binder (a valid ticket, one binder bit flipped) → decrypt_error', async () => {
    srv.reset();
    // A real ticket from this server.
    const ticket: SessionTicket = await runClient(client(), '127.0.0.1', srv.port, async (pump) => {
      await pump.handshake();
      await pump.waitFor(() => pump.sessions.length > 0, 'a session ticket', 5000);
      return pump.sessions[0]!;
    });
    srv.reset();
    let flipped = false;
    const pump = await tampered(client({ session: ticket }), (records, n) => {
      if (n > 0 || flipped) return records;
      // The ClientHello ends with pre_shared_key (RFC 8446 §4.2.11: last), whose binders end it.
      const hello = Buffer.from(records[0]!);
      assert.equal(hello[5], 1, 'a ClientHello');
      hello[hello.length - 1]! ^= 0x01;
      flipped = true;
      return [hello, ...records.slice(1)];
    });
    try {
      await pump.waitFor(() => pump.error !== undefined || pump.socketClosed, 'the server refuses the binder', 5000, { allowError: true, allowClose: true });
    } finally {
      pump.destroy();
    }
    const seen = await lastSeen('bad binder');
    assert.equal(seen.cipher, undefined);
    assert.deepEqual(seen.alerts, ['decrypt_error']);
    assert.equal(pump.error?.alertName, 'decrypt_error');
    results.push(`PSK binder, 1 bit flipped        → server alert ${seen.alerts.join(', ')}; client received ${pump.error?.alertName} (tlsClientError: ${seen.error})`);
    await goodClient('bad binder');
  });

  test('TLS 1.2-only client (openssl s_client -tls1_2) → protocol_version', async () => {
    requirePeer('openssl');
    srv.reset();
    const r = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${srv.port}`, '-servername', 'localhost', '-tls1_2', '-CAfile', pki.ca.cert], { timeoutMs: 10_000 });
    const seen = await lastSeen('tls1.2 only');
    assert.notEqual(r.code, 0, 's_client fails');
    assert.match(r.output, /alert protocol version/, r.output.slice(-1500));
    assert.deepEqual(seen.alerts, ['protocol_version']);
    results.push(`openssl s_client -tls1_2         → s_client: "alert protocol version"; server alert ${seen.alerts.join(', ')}`);
    await goodClient('TLS 1.2-only client');
  });

  test('TLS 1.0-only client (openssl s_client -tls1, security level 0) → protocol_version', async () => {
    requirePeer('openssl');
    srv.reset();
    const r = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${srv.port}`, '-servername', 'localhost', '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-CAfile', pki.ca.cert], { timeoutMs: 10_000 });
    const seen = await lastSeen('tls1.0 only');
    assert.notEqual(r.code, 0, 's_client fails');
    assert.match(r.output, /alert protocol version/, r.output.slice(-1500));
    assert.deepEqual(seen.alerts, ['protocol_version']);
    results.push(`openssl s_client -tls1           → s_client: "alert protocol version"; server alert ${seen.alerts.join(', ')}`);
    await goodClient('TLS 1.0-only client');
  });

  test('SSL 2.0-format ClientHello → refused with an alert (RFC 8446 Appendix D.5)', async () => {
    srv.reset();
    // msg_length (high bit set), CLIENT-HELLO, version 3.1, 2 cipher specs, no session id, 16-byte challenge.
    const body = Buffer.concat([Buffer.from([1, 3, 1, 0, 6, 0, 0, 0, 16, 0, 0, 0x2f, 0, 0, 0xff]), Buffer.alloc(16, 0x5a)]);
    const r = await raw(Buffer.concat([Buffer.from([0x80, body.length]), body]));
    const seen = await lastSeen('sslv2 hello');
    assert.equal(seen.cipher, undefined);
    assert.ok(r.closedAfterMs !== undefined, 'the server closed the connection');
    results.push(`SSL 2.0 CLIENT-HELLO             → ${r.alerts.join(', ') || 'no alert'}, closed in ${r.closedAfterMs} ms (tlsClientError: ${seen.error})`);
    assert.deepEqual(r.alerts, ['fatal protocol_version']);
    await goodClient('SSL 2.0 hello');
  });

  test('after every bad client: several good handshakes in a row, the server object intact', async () => {
    for (let i = 0; i < 3; i++) await goodClient(`the end (${i + 1})`);
    assert.equal(srv.server.listening, true);
    results.push('good client after each case and 3× at the end → handshake + echo ok; no server error event');
  });
});
