// The Illustrated TLS 1.3 client flight, reproduced byte for byte: with the recorded randomness
// and key share injected, hush's ClientConnection must emit exactly the recorded ClientHello,
// ChangeCipherSpec, encrypted Finished and "ping" record, and decrypt the server's "pong".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientConnection } from '../../src/connection/client.js';
import { createNodeCryptoProvider } from '../../src/crypto/node/index.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { decodeClientHello } from '../../src/handshake/messages/client-hello.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { concat, toHex } from '../../src/bytes/util.js';
import { readVector, readVectorText } from '../vectors.js';

const cap = (name: string): Uint8Array => readVector(`illustrated-tls13/captures/caps/${name}`);
const range = (from: number, n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => from + i);

test('Illustrated TLS 1.3: the client flight is byte-exact and the server flight is accepted', () => {
  const recordedHello = cap('clienthello');
  const hello = decodeClientHello(recordedHello.subarray(5 + 4), recordedHello.subarray(5));
  // Randomness in the order the client draws it: random, legacy_session_id, x25519 private key.
  const pool = [range(0x00, 32), range(0xe0, 32), range(0x20, 32)];
  const provider = createNodeCryptoProvider({
    randomBytes: (n) => {
      const next = pool.shift();
      assert.ok(next && next.length === n, `unexpected random draw of ${n} bytes`);
      return next;
    },
  });
  const trust = new TrustStore([readVectorText('illustrated-tls12/keys/ca.crt')]);
  const client = new ClientConnection({
    provider,
    now: () => Date.UTC(2019, 0, 1), // the certificate expired in 2019-10
    serverName: 'example.ulfheim.net',
    trust,
    // The 2018 certificate names its host only in the CN; RFC 9525 hostname checks use SANs only,
    // so verification reports it (asserted below) and we continue to reproduce the bytes.
    rejectUnauthorized: false,
    cipherSuites: hello.cipherSuites,
    // The recording has one x25519 key share (the default would add X25519MLKEM768 first).
    groups: [NamedGroup.x25519],
    keyLog: true,
    // The recorded hello is OpenSSL's: its extension set and order, with our SNI and key share.
    customizeHelloExtensions: (ours) =>
      hello.extensions.map((e) =>
        e.type === ExtensionType.key_share || e.type === ExtensionType.server_name ? ours.find((o) => o.type === e.type)! : e,
      ),
  });
  assert.equal(pool.length, 0, 'all injected randomness was used');
  const [first, ...restOut] = client.takeOutput();
  assert.equal(restOut.length, 0);
  // RFC 8446 §5.1 allows 0x0301 as the record version of an initial ClientHello; OpenSSL uses it.
  const expectedHello = recordedHello.slice();
  expectedHello[2] = first![2]!;
  assert.equal(toHex(first!), toHex(expectedHello));

  for (const rec of ['serverhello', 'serverccs', 'serverencextensions', 'serverenccert', 'serverenccertverify', 'serverencfinished']) {
    assert.equal(client.receive(cap(rec)), undefined, `record ${rec}`);
  }
  const events = client.takeEvents();
  const hs = events.find((e) => e.type === 'handshake');
  assert.ok(hs && hs.type === 'handshake');
  assert.equal(hs.info.cipherName, 'TLS_AES_256_GCM_SHA384');
  assert.equal(hs.info.groupName, 'x25519');
  assert.equal(hs.info.signatureSchemeName, 'rsa_pss_rsae_sha256');
  assert.equal(hs.info.authorized, false);
  assert.match(hs.info.authorizationError!.message, /no DNS or IP subjectAltName/);
  assert.deepEqual(hs.info.peerCertificates.map((c) => c.subject.text), ['CN=example.ulfheim.net, C=US']);

  // The key log matches the recorded one line for line.
  const keylog = readVectorText('illustrated-tls13/captures/keylog.txt').trim().split('\n').map((l) => l.trim()).sort();
  const ours = events.flatMap((e) => (e.type === 'keylog' ? [e.line] : [])).sort();
  assert.deepEqual(ours, keylog);

  client.write(new TextEncoder().encode('ping'));
  const flight = concat(...client.takeOutput());
  assert.equal(toHex(flight), toHex(concat(cap('clientccs'), cap('clientencfinished'), cap('clientencdata'))));

  for (const rec of ['serverencticket1', 'serverencticket2', 'serverencdata']) {
    assert.equal(client.receive(cap(rec)), undefined, `record ${rec}`);
  }
  const after = client.takeEvents();
  assert.equal(after.filter((e) => e.type === 'session').length, 2);
  const data = after.find((e) => e.type === 'data');
  assert.ok(data && data.type === 'data');
  assert.equal(new TextDecoder().decode(data.data), 'pong');
});
