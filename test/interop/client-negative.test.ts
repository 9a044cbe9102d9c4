// The hush TLS 1.3 client must refuse what it should refuse, against real peers on 127.0.0.1:
//  - bad server certificates (expired, not yet valid, wrong host, self-signed, unknown CA, issuer not
//    a CA, wrong EKU) → the X.509 module's alert, sent to the peer;
//  - a server that does not prove it holds the certificate's key: a man in the middle that knows the
//    server's handshake keys (from node:tls's key log) re-encrypts the server's flight with the
//    CertificateVerify dropped, its signature changed, or another valid certificate substituted;
//  - a tampered application data record → bad_record_mac;
//  - a connection cut without close_notify → reported as truncated, distinct from a clean close.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ClientConnection } from '../../src/connection/client.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { tls13SuiteById, type Tls13Suite } from '../../src/crypto/suites.js';
import { trafficKeys } from '../../src/schedule/tls13.js';
import { RecordOpener13, RecordSealer13 } from '../../src/record/protection13.js';
import { decodeCertificate13, encodeCertificate13 } from '../../src/handshake/messages/certificate.js';
import { ContentType, HandshakeType } from '../../src/wire/enums.js';
import { TLSSocket } from '../../src/node/socket.js';
import {
  concat,
  interopSkip,
  requirePeer,
  prebuildGo,
  runClient,
  sleep,
  startGoServer,
  startNodeServer,
  startProxy,
  testPki,
  type NegativeCertKind,
  type PeerServer,
  type Pump,
  type RecordHook,
  pemCertificates,
  testTrust,
} from './peers.js';


function client(extra: Partial<ClientConfig> = {}): ClientConnection {
  return new ClientConnection({ provider: nodeCryptoProvider, now: Date.now, serverName: 'localhost', trust: testTrust(), trace: true, ...extra });
}

const dec = new TextDecoder();

/** Run a client that is expected to fail during the handshake; returns the error and the pump. */
async function expectFailure(port: number, conn = client()): Promise<{ alert: string; message: string; remote: boolean; pump: Pump }> {
  return runClient(conn, '127.0.0.1', port, async (p) => {
    await p.waitFor(() => p.error !== undefined, 'the client to fail', 5000, { allowError: true });
    assert.equal(p.info, undefined, 'no handshake event');
    assert.equal(conn.state, 'failed');
    // The alert went out: give the peer a moment to read it before the socket is destroyed.
    await sleep(20);
    return { alert: p.error!.alertName, message: p.error!.message, remote: p.error!.remote, pump: p };
  });
}

const observed: string[] = [];

describe('TLS 1.3 client negative interop', { skip: interopSkip(), concurrency: 1 }, () => {
  // The Go server is built here, not inside the 15 s Go tests below.
  before(() => prebuildGo('server'));
  after(() => {
    if (observed.length) console.log('hush client negative cases (observed):\n' + observed.map((o) => '  ' + o).join('\n'));
  });

  // ---------------------------------------------------------------------------------------------
  // Bad certificates, served by node:tls (which serves whatever it is given).
  const CASES: readonly { kind: NegativeCertKind; alert: string; peerSays: RegExp }[] = [
    { kind: 'expired', alert: 'certificate_expired', peerSays: /certificate expired/i },
    { kind: 'notYetValid', alert: 'certificate_expired', peerSays: /certificate expired/i },
    { kind: 'wrongHost', alert: 'bad_certificate', peerSays: /bad certificate/i },
    { kind: 'selfSigned', alert: 'unknown_ca', peerSays: /unknown ca/i },
    { kind: 'unknownCa', alert: 'unknown_ca', peerSays: /unknown ca/i },
    { kind: 'issuerNotCa', alert: 'bad_certificate', peerSays: /bad certificate/i },
    { kind: 'wrongEku', alert: 'unsupported_certificate', peerSays: /unsupported certificate/i },
  ];
  for (const c of CASES) {
    test(`server certificate ${c.kind} → ${c.alert}`, { timeout: 15_000 }, async () => {
      const pki = testPki();
      const files = pki.negative[c.kind];
      const srv = await startNodeServer({ cert: files.cert, key: files.key });
      try {
        const r = await expectFailure(srv.port);
        assert.equal(r.remote, false, 'we detected it');
        assert.equal(r.alert, c.alert, `${c.kind}: ${r.message}`);
        // The peer received our alert.
        for (let i = 0; i < 50 && srv.errors.length === 0; i++) await sleep(10);
        const peerSaw = srv.errors.join(' | ');
        assert.match(peerSaw, c.peerSays, `node:tls should report our alert, saw: ${peerSaw}`);
        observed.push(`${c.kind}: ${r.alert} (${r.message}); node:tls saw "${/alert [a-z ]+/.exec(peerSaw)?.[0] ?? peerSaw}"`);

        // With rejectUnauthorized: false the same chain is accepted and reported as unauthorized.
        await runClient(client({ rejectUnauthorized: false }), '127.0.0.1', srv.port, async (p) => {
          const info = await p.handshake(5000);
          assert.equal(info.authorized, false);
          assert.equal(info.authorizationError?.alertName, c.alert);
          p.send('still works\n');
          assert.equal(dec.decode(await p.read(12, 5000)), 'still works\n');
          p.close();
        });
      } finally {
        await srv.stop();
      }
    });
  }

  test('wrong host: the same certificate is fine for its own name', { timeout: 15_000 }, async () => {
    const pki = testPki();
    const srv = await startNodeServer({ cert: pki.negative.wrongHost.cert, key: pki.negative.wrongHost.key });
    try {
      await runClient(client({ serverName: 'wrong.example' }), '127.0.0.1', srv.port, async (p) => {
        const info = await p.handshake(5000);
        assert.equal(info.authorized, true);
        p.close();
      });
    } finally {
      await srv.stop();
    }
  });

  // ---------------------------------------------------------------------------------------------
  // A server that does not prove its key. node:tls gives us its handshake traffic secrets (key log),
  // so a proxy can decrypt the server's encrypted flight, edit the handshake messages and seal them
  // again under the same keys: the client sees well-formed, correctly protected records.

  type Edit = (msg: Uint8Array) => Uint8Array[];

  async function withMitm<T>(edit: Edit, fn: (port: number) => Promise<T>): Promise<T> {
    const pki = testPki();
    const secrets = new Map<string, Uint8Array>();
    const srv = await startNodeServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key });
    const onKeylog = (line: Buffer): void => {
      const [label, random, secret] = line.toString('latin1').trim().split(' ');
      if (label === 'SERVER_HANDSHAKE_TRAFFIC_SECRET') secrets.set(random!.toLowerCase(), Buffer.from(secret!, 'hex'));
    };
    srv.server.on('keylog', onKeylog);
    const proxy = await startProxy({ host: '127.0.0.1', port: srv.port }, () => {
      let clientRandom = '';
      let suite: Tls13Suite | undefined;
      let opener: RecordOpener13 | undefined;
      let sealer: RecordSealer13 | undefined;
      let phase: 'hello' | 'flight' | 'done' = 'hello';
      let pending: Uint8Array = new Uint8Array(0);
      const toServer: RecordHook = (rec) => {
        if (!clientRandom && rec[0] === ContentType.handshake && rec[5] === HandshakeType.client_hello) {
          clientRandom = Buffer.from(rec.subarray(11, 43)).toString('hex');
        }
        return [rec];
      };
      const toClient: RecordHook = async (rec) => {
        if (phase === 'done') return [rec];
        if (phase === 'hello') {
          if (rec[0] === ContentType.handshake && rec[5] === HandshakeType.server_hello) {
            const sidLen = rec[43]!;
            const id = (rec[44 + sidLen]! << 8) | rec[45 + sidLen]!;
            suite = tls13SuiteById(id);
            assert.ok(suite, `suite ${id}`);
            phase = 'flight';
          }
          return [rec];
        }
        if (rec[0] !== ContentType.application_data) return [rec]; // change_cipher_spec
        if (!opener) {
          for (let i = 0; i < 200 && !secrets.has(clientRandom); i++) await sleep(10);
          const secret = secrets.get(clientRandom);
          assert.ok(secret, 'the server handshake traffic secret from the key log');
          const keys = trafficKeys(nodeCryptoProvider, suite!, secret);
          opener = new RecordOpener13(nodeCryptoProvider, suite!, keys);
          sealer = new RecordSealer13(nodeCryptoProvider, suite!, keys);
        }
        const opened = opener.open({ type: rec[0], version: (rec[1]! << 8) | rec[2]!, fragment: rec.subarray(5) });
        assert.equal(opened.type, ContentType.handshake);
        pending = concat([pending, opened.content]);
        const out: Uint8Array[] = [];
        while (pending.length >= 4) {
          const len = (pending[1]! << 16) | (pending[2]! << 8) | pending[3]!;
          if (pending.length < 4 + len) break;
          const msg = pending.slice(0, 4 + len);
          pending = pending.slice(4 + len);
          for (const m of edit(msg)) out.push(sealer!.seal(ContentType.handshake, m));
          if (msg[0] === HandshakeType.finished) phase = 'done';
        }
        return out;
      };
      return { toServer, toClient };
    });
    try {
      return await fn(proxy.port);
    } finally {
      await proxy.stop();
      srv.server.off('keylog', onKeylog);
      await srv.stop();
    }
  }

  test('MITM control: the re-encrypting proxy with no edits is transparent', { timeout: 15_000 }, async () => {
    await withMitm((m) => [m], async (port) => {
      await runClient(client(), '127.0.0.1', port, async (p) => {
        const info = await p.handshake(5000);
        assert.equal(info.authorized, true);
        p.send('through the mitm\n');
        assert.equal(dec.decode(await p.read(17, 5000)), 'through the mitm\n');
        p.close();
      });
    });
  });

  const MITM_CASES: readonly { name: string; alert: string; edit: Edit }[] = [
    {
      // RFC 8446 §4.4.1/§4.4.3: a server authenticating with a certificate MUST send CertificateVerify;
      // Finished arrives where CertificateVerify is due.
      name: 'CertificateVerify dropped',
      alert: 'unexpected_message',
      edit: (m) => (m[0] === HandshakeType.certificate_verify ? [] : [m]),
    },
    {
      // §4.4.3: "If the verification fails, the receiver MUST terminate the handshake with a decrypt_error alert."
      name: 'CertificateVerify signature altered',
      alert: 'decrypt_error',
      edit: (m) => {
        if (m[0] !== HandshakeType.certificate_verify) return [m];
        const c = m.slice();
        c[c.length - 1]! ^= 0x01;
        return [c];
      },
    },
    {
      // Another certificate, valid for localhost and issued by the trusted CA, whose key the server
      // does not hold: the chain verifies, the CertificateVerify cannot.
      name: 'another valid certificate substituted (key not held)',
      alert: 'decrypt_error',
      edit: (m) => {
        if (m[0] !== HandshakeType.certificate) return [m];
        const cert = decodeCertificate13(m.subarray(4));
        const other = pemCertificates(testPki().endEntity.leaf)[0]!;
        return [encodeCertificate13({ context: cert.context, entries: [{ certData: other, extensions: [] }, ...cert.entries.slice(1)] })];
      },
    },
    {
      // §4.4.4: a wrong server Finished → decrypt_error.
      name: 'server Finished altered',
      alert: 'decrypt_error',
      edit: (m) => {
        if (m[0] !== HandshakeType.finished) return [m];
        const c = m.slice();
        c[4]! ^= 0x80;
        return [c];
      },
    },
    {
      // §4.4.2.4: an empty Certificate from the server → decode_error.
      name: 'empty server Certificate',
      alert: 'decode_error',
      edit: (m) => (m[0] === HandshakeType.certificate ? [encodeCertificate13({ context: new Uint8Array(0), entries: [] })] : [m]),
    },
    {
      // Certificate and CertificateVerify both dropped: Finished arrives where Certificate is due.
      name: 'Certificate and CertificateVerify dropped',
      alert: 'unexpected_message',
      edit: (m) => (m[0] === HandshakeType.certificate || m[0] === HandshakeType.certificate_verify ? [] : [m]),
    },
  ];
  for (const c of MITM_CASES) {
    test(`MITM: ${c.name} → ${c.alert}`, { timeout: 15_000 }, async () => {
      await withMitm(c.edit, async (port) => {
        const r = await expectFailure(port);
        assert.equal(r.remote, false);
        assert.equal(r.alert, c.alert, r.message);
        observed.push(`${c.name}: ${r.alert} (${r.message})`);
      });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // A tampered application data record: one bit flipped inside the ciphertext of the echo.
  for (const peer of ['node', 'go'] as const) {
    test(`${peer}: a tampered application data record → bad_record_mac`, { timeout: 15_000 }, async () => {
      requirePeer(peer);
      const pki = testPki();
      const start = peer === 'node' ? startNodeServer : startGoServer;
      const srv: PeerServer = await start({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key });
      let armed = false;
      let flipped = 0;
      const proxy = await startProxy({ host: '127.0.0.1', port: srv.port }, () => ({
        toClient: (rec) => {
          if (armed && rec[0] === ContentType.application_data && flipped === 0) {
            const c = rec.slice();
            c[5 + ((c.length - 5) >> 1)]! ^= 0x10; // middle of the encrypted record
            flipped++;
            return [c];
          }
          return [rec];
        },
      }));
      try {
        const r = await runClient(client(), '127.0.0.1', proxy.port, async (p) => {
          await p.handshake(5000);
          p.send('first\n');
          assert.equal(dec.decode(await p.read(6, 5000)), 'first\n');
          // Wait out the session tickets so the flipped record is the echo.
          await p.waitFor(() => p.sessions.length > 0, 'tickets', 5000);
          await sleep(50);
          armed = true;
          p.send('second\n');
          await p.waitFor(() => p.error !== undefined, 'the client to fail', 5000, { allowError: true });
          return p.error!;
        });
        assert.equal(flipped, 1);
        assert.equal(r.alertName, 'bad_record_mac');
        assert.equal(r.remote, false);
        observed.push(`${peer}: tampered record: ${r.alertName} (${r.message})`);
      } finally {
        await proxy.stop();
        await srv.stop();
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Truncation: the Go server process is killed after the echo. The transport ends without a
  // close_notify: the pump sees EOF and no 'closed' event, unlike a clean close.
  test('go: clean close (close_notify) vs truncation (server killed)', { timeout: 20_000 }, async () => {
    requirePeer('go');
    const pki = testPki();
    const srv = await startGoServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key });
    let stopped = false;
    try {
      // Clean: we send close_notify; the Go server answers with its own, then FIN.
      const clean = await runClient(client(), srv.host, srv.port, async (p) => {
        await p.handshake(5000);
        p.send('bye\n');
        await p.read(4, 5000);
        p.close();
        await p.waitFor(() => p.eof, 'EOF', 5000, { allowClose: true });
        return { closeNotify: p.closeNotify, truncated: p.truncated, closedEvents: p.events.filter((e) => e.type === 'closed').length, peerClosed: p.conn.peerClosed, state: p.conn.state };
      });
      assert.deepEqual(clean, { closeNotify: true, truncated: false, closedEvents: 1, peerClosed: true, state: 'closed' });

      // Truncated: the server dies while we are connected.
      const cut = await runClient(client(), srv.host, srv.port, async (p) => {
        await p.handshake(5000);
        p.send('hello\n');
        await p.read(6, 5000);
        await srv.stop();
        stopped = true;
        await p.waitFor(() => p.eof || p.socketClosed, 'EOF', 5000, { allowClose: true });
        return { eof: p.eof, closeNotify: p.closeNotify, truncated: p.truncated, closedEvents: p.events.filter((e) => e.type === 'closed').length, peerClosed: p.conn.peerClosed, state: p.conn.state, error: p.error?.alertName };
      });
      assert.deepEqual(cut, { eof: true, closeNotify: false, truncated: true, closedEvents: 0, peerClosed: false, state: 'established', error: undefined });
      observed.push(`truncation: EOF without close_notify → pump.truncated, no 'closed' event, connection still '${cut.state}'`);
    } finally {
      if (!stopped) await srv.stop();
    }
  });

  // The server closes first (node:tls socket.end() sends close_notify): a 'closed' event, then our
  // own close_notify completes the closure.
  test('node: server-initiated close_notify is reported as a clean close', { timeout: 15_000 }, async () => {
    const pki = testPki();
    const srv = await startNodeServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key });
    srv.server.on('secureConnection', (s) => s.on('data', (d: Buffer) => d.includes('CLOSE') && s.end()));
    try {
      const r = await runClient(client(), srv.host, srv.port, async (p) => {
        await p.handshake(5000);
        p.send('CLOSE\n');
        await p.waitFor(() => p.closeNotify, 'close_notify from the server', 5000, { allowClose: true });
        const atClose = { state: p.conn.state, peerClosed: p.conn.peerClosed, closedEvents: p.events.filter((e) => e.type === 'closed').length };
        p.close();
        return { ...atClose, afterOurClose: p.conn.state, truncated: p.truncated, echoed: dec.decode(p.takeReceived()) };
      });
      assert.deepEqual(r, { state: 'established', peerClosed: true, closedEvents: 1, afterOurClose: 'closed', truncated: false, echoed: 'CLOSE\n' });
      observed.push(`server-initiated close: 'closed' event, peerClosed, our close → '${r.afterOurClose}'`);
    } finally {
      await srv.stop();
    }
  });

  // The node adapter over the real client reports the same thing as node:tls-style truncation.
  test('go: TLSSocket adapter marks a cut connection as truncated (rejectTruncation → ERR_TLS_TRUNCATED)', { timeout: 20_000 }, async () => {
    requirePeer('go');
    const pki = testPki();
    for (const rejectTruncation of [false, true]) {
      const srv = await startGoServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key });
      try {
        const raw = net.connect({ host: srv.host, port: srv.port, allowHalfOpen: true });
        const sock = new TLSSocket(raw, { connection: client(), rejectTruncation });
        const outcome = await new Promise<string>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('TLSSocket: no outcome in 5 s')), 5000);
          let got = '';
          sock.on('secureConnect', () => sock.write('ping\n'));
          sock.on('data', (d: Buffer) => {
            got += d.toString();
            if (got === 'ping\n') void srv.stop();
          });
          sock.on('error', (e: Error & { code?: string }) => {
            clearTimeout(t);
            resolve(`error ${e.code}`);
          });
          sock.on('end', () => {
            clearTimeout(t);
            resolve(`end truncated=${sock.truncated}`);
          });
          sock.resume();
        });
        sock.destroy();
        assert.equal(outcome, rejectTruncation ? 'error ERR_TLS_TRUNCATED' : 'end truncated=true');
        observed.push(`TLSSocket rejectTruncation=${rejectTruncation}: ${outcome}`);
      } finally {
        await srv.stop();
      }
    }
  });
});
