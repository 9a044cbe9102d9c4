// The hush TLS 1.2 client against a real `openssl s_server` on 127.0.0.1: every default TLS 1.2
// suite with ECDSA and RSA certificates, RSA key transport and CBC (with and without
// encrypt-then-MAC) when named, resumption by session id and by ticket, client certificates, ALPN,
// a server HelloRequest answered with no_renegotiation, version negotiation, and a downgrade that a
// proxy forces by stripping supported_versions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ClientConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import { DEFAULT_TLS12_SUITES } from '../../src/handshake/shared/negotiation-options.js';
import { decodeClientHello, encodeClientHello } from '../../src/handshake/messages/client-hello.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import { CipherSuite, ContentType, ExtensionType, ProtocolVersion } from '../../src/wire/enums.js';
import { interopSkip, pemCertificates, runClient, startProxy, testPki, type PeerServer, type Pump } from '../interop/peers.js';
import { client12, startOpenssl12, type Openssl12Options } from './openssl12.js';

const dec = new TextDecoder();
const enc = new TextEncoder();

async function echo(pump: Pump, line: string): Promise<void> {
  pump.send(line + '\n');
  const expected = [...line].reverse().join('') + '\n';
  assert.equal(dec.decode(await pump.read(enc.encode(expected).length, 5000)), expected);
}

async function withServer<T>(opts: Openssl12Options, fn: (srv: PeerServer) => Promise<T>): Promise<T> {
  const srv = await startOpenssl12(opts);
  try {
    return await fn(srv);
  } catch (e) {
    if (e instanceof Error) e.message += `\n--- openssl log (tail) ---\n${srv.log().slice(-1500)}`;
    throw e;
  } finally {
    await srv.stop();
  }
}

/** One handshake and one echoed line; returns the handshake info, sessions and traces. */
async function connect(srv: PeerServer, config: Partial<ClientConfig> = {}) {
  return runClient(client12(config), srv.host, srv.port, async (pump) => {
    const info = await pump.handshake(8000);
    await echo(pump, 'hello over TLS 1.2');
    // Close cleanly: OpenSSL drops a session from its cache when the connection ends without close_notify.
    pump.close();
    await pump.waitFor(() => pump.eof || pump.socketClosed, 'openssl closes after our close_notify', 5000, { allowClose: true });
    return { info, sessions: pump.sessions, traces: pump.traces };
  });
}

describe('hush TLS 1.2 client × openssl s_server', { skip: interopSkip(), concurrency: 1 }, () => {
  let pki: ReturnType<typeof testPki>;
  const servers: Partial<Record<'ecdsa' | 'rsa', PeerServer>> = {};
  before(async () => {
    pki = testPki();
    servers.ecdsa = await startOpenssl12({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key });
    servers.rsa = await startOpenssl12({ cert: pki.server.rsa2048.cert, key: pki.server.rsa2048.key });
  });
  after(async () => {
    await servers.ecdsa?.stop();
    await servers.rsa?.stop();
  });

  test('every default TLS 1.2 suite (ECDHE + AEAD), with the matching ECDSA or RSA certificate', async () => {
    const done: string[] = [];
    for (const suite of DEFAULT_TLS12_SUITES) {
      const srv = servers[suite.auth]!;
      const { info, traces } = await connect(srv, { cipherSuites: [suite.id] });
      assert.equal(info.version, 'TLSv1.2');
      assert.equal(info.cipherName, suite.name);
      assert.equal(info.extendedMasterSecret, true);
      assert.equal(info.resumed, false);
      assert.equal(info.authorized, true);
      assert.equal(info.groupName, 'x25519');
      assert.match(info.signatureSchemeName!, suite.auth === 'ecdsa' ? /^ecdsa_secp256r1_sha256$/ : /^rsa_pss_rsae_sha256$/);
      assert.ok(traces.some((t) => t.event === 'server_key_exchange'));
      done.push(suite.name);
    }
    assert.equal(done.length, 6);
  });

  test('Ed25519 server certificate with an ECDHE_ECDSA suite (RFC 8422 §5.3)', async () => {
    await withServer({ cert: pki.server.ed25519.cert, key: pki.server.ed25519.key }, async (srv) => {
      const { info } = await connect(srv, { maxVersion: 'TLSv1.2' });
      assert.equal(info.cipherName, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
      assert.equal(info.signatureSchemeName, 'ed25519');
    });
  });

  test('offering TLS 1.3 and 1.2 to a TLS 1.2-only server: TLS 1.2 with the default suites, no downgrade alarm', async () => {
    const { info } = await connect(servers.rsa!);
    assert.equal(info.version, 'TLSv1.2');
    assert.equal(info.cipherName, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  });

  test('RSA key transport when named; the trace warns that there is no forward secrecy', async () => {
    await withServer({ cert: pki.server.rsa2048.cert, key: pki.server.rsa2048.key, cipher: 'AES128-GCM-SHA256' }, async (srv) => {
      const { info, traces } = await connect(srv, { cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] });
      assert.equal(info.cipherName, 'TLS_RSA_WITH_AES_128_GCM_SHA256');
      assert.equal(info.group, undefined);
      assert.equal(info.signatureScheme, undefined);
      const cke = traces.find((t) => t.event === 'client_key_exchange');
      assert.equal(cke?.forwardSecrecy, false);
      assert.match(cke!.message, /NO forward secrecy.*RSA private key can decrypt/s);
    });
  });

  test('CBC suite with encrypt-then-MAC, and without (-no_etm)', async () => {
    const cbc = { cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256] };
    const etm = (traces: { event: string; encryptThenMac?: unknown }[]) => traces.find((t) => t.event === 'server_hello')?.encryptThenMac;
    const withEtm = await connect(servers.ecdsa!, cbc);
    assert.equal(withEtm.info.cipherName, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256');
    assert.equal(etm(withEtm.traces), true);
    await withServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, extraArgs: ['-no_etm'] }, async (srv) => {
      const noEtm = await connect(srv, { ...cbc, cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA] });
      assert.equal(noEtm.info.cipherName, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA');
      assert.equal(etm(noEtm.traces), false);
    });
  });

  test('resumption by ticket (RFC 5077): resumed, same suite and certificates, no key exchange', async () => {
    const first = await connect(servers.ecdsa!, { maxVersion: 'TLSv1.2' });
    const session = first.sessions.find((s) => s.version === 'TLSv1.2');
    assert.ok(session, 'a TLS 1.2 session');
    assert.ok(session.ticket.length > 0, 'with a ticket');
    assert.equal(session.extendedMasterSecret, true);
    const second = await connect(servers.ecdsa!, { maxVersion: 'TLSv1.2', session });
    assert.equal(second.info.resumed, true);
    assert.equal(second.info.cipherSuite, session.cipherSuite);
    assert.equal(second.info.peerCertificates.length, first.info.peerCertificates.length);
    assert.ok(!second.traces.some((t) => t.event === 'server_key_exchange'));
    // Offered alongside TLS 1.3 too: openssl picks TLS 1.2 here (it is 1.2-only) and resumes.
    const third = await connect(servers.ecdsa!, { session });
    assert.equal(third.info.resumed, true);
  });

  test('resumption by session id (-no_ticket)', async () => {
    await withServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, extraArgs: ['-no_ticket'] }, async (srv) => {
      const first = await connect(srv);
      const session = first.sessions.find((s) => s.version === 'TLSv1.2') as SessionTicket;
      assert.ok(session);
      assert.equal(session.ticket.length, 0);
      assert.equal(session.sessionId!.length, 32);
      const second = await connect(srv, { session });
      assert.equal(second.info.resumed, true);
      assert.equal(second.sessions.length, 0, 'no new session after an id-based resumption');
      // A stale session is not offered: full handshake.
      const third = await connect(srv, { session: { ...session, receivedAt: Date.now() - 3 * 3600_000 } });
      assert.equal(third.info.resumed, false);
    });
  });

  test('client certificate (-Verify 1): ECDSA and RSA client keys', async () => {
    await withServer(
      { cert: pki.server.rsa2048.cert, key: pki.server.rsa2048.key, extraArgs: ['-Verify', '1', '-CAfile', pki.ca.cert, '-verify_return_error'] },
      async (srv) => {
        for (const kind of ['ecdsa256', 'rsa2048'] as const) {
          const files = pki.clients[kind];
          const clientCertificate = { chain: pemCertificates(files.cert), key: nodeCryptoProvider.importPrivateKey(readFileSync(files.key, 'utf8')) };
          const { info, traces } = await connect(srv, { maxVersion: 'TLSv1.2', clientCertificate });
          assert.equal(info.version, 'TLSv1.2');
          assert.ok(traces.some((t) => t.event === 'certificate_request'));
          assert.ok(traces.some((t) => t.event === 'client_certificate' && /CertificateVerify/.test(t.message)), kind);
        }
        // Without a certificate the server refuses (we send an empty Certificate).
        const err = await runClient(client12({ maxVersion: 'TLSv1.2' }), srv.host, srv.port, async (pump) => {
          await pump.waitFor(() => pump.error !== undefined, 'alert', 8000, { allowError: true, allowClose: true });
          return pump.error!;
        });
        assert.equal(err.remote, true);
        assert.match(err.alertName, /handshake_failure|certificate_required/);
      },
    );
  });

  test('ALPN', async () => {
    await withServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, extraArgs: ['-alpn', 'h2,http/1.1'] }, async (srv) => {
      const { info } = await connect(srv, { alpnProtocols: ['http/1.1'] });
      assert.equal(info.version, 'TLSv1.2');
      assert.equal(info.alpn, 'http/1.1');
    });
  });

  test('HelloRequest (s_server "r") is answered with a no_renegotiation warning', async () => {
    await withServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, mode: 'stdio' }, async (srv) => {
      await runClient(client12(), srv.host, srv.port, async (pump) => {
        await pump.handshake(8000);
        pump.send('before\n');
        await pump.waitFor(() => srv.stdout!().includes('before'), 'openssl printed our line', 5000);
        srv.stdin!('r\n');
        await pump.waitFor(() => pump.traces.some((t) => t.event === 'renegotiation_refused'), 'HelloRequest refused', 8000, { allowError: true, allowClose: true });
        // OpenSSL ends the connection when its renegotiation is refused (handshake_failure); we never fail on our side.
        await pump.waitFor(() => pump.error !== undefined || pump.socketClosed, 'openssl reacts', 8000, { allowError: true, allowClose: true });
        if (pump.error) assert.equal(pump.error.remote, true, pump.error.message);
        await pump.waitFor(() => /no renegotiation/i.test(srv.log()), 'openssl logs the refused renegotiation', 5000, { allowError: true, allowClose: true });
        assert.equal(pump.traces.filter((t) => t.event === 'renegotiation_refused').length, 1);
      });
    });
  });

  test('version negotiation: a TLS 1.3-capable server picks 1.3 when we offer both, 1.2 with maxVersion TLSv1.2', async () => {
    await withServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, versions: [] }, async (srv) => {
      assert.equal((await connect(srv)).info.version, 'TLSv1.3');
      const { info } = await connect(srv, { maxVersion: 'TLSv1.2' });
      assert.equal(info.version, 'TLSv1.2');
      assert.equal(info.cipherName, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    });
  });

  test('a proxy strips supported_versions from our ClientHello: the server falls back to 1.2 with the sentinel, we refuse (RFC 8446 §4.1.3)', async () => {
    await withServer({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, versions: [] }, async (srv) => {
      const proxy = await startProxy(srv, () => ({
        toServer: (rec, i) => {
          if (i !== 0 || rec[0] !== ContentType.handshake) return [rec];
          const raw = rec.subarray(5);
          const ch = decodeClientHello(raw.subarray(4), raw);
          const stripped = encodeClientHello({ ...ch, extensions: ch.extensions.filter((e) => e.type !== ExtensionType.supported_versions) });
          return [writePlaintextRecords(ContentType.handshake, ProtocolVersion.TLSv1_2, stripped)];
        },
      }));
      try {
        const err = await runClient(client12(), '127.0.0.1', proxy.port, async (pump) => {
          await pump.waitFor(() => pump.error !== undefined, 'downgrade refused', 8000, { allowError: true, allowClose: true });
          return pump.error!;
        });
        assert.equal(err.remote, false);
        assert.equal(err.alertName, 'illegal_parameter');
        assert.match(err.message, /downgrade detected/);
      } finally {
        await proxy.stop();
      }
    });
  });
});
