// The TLS 1.2 client against a scripted in-memory server (fake-server12.ts): a clean handshake, then
// one broken rule at a time, each answered with the alert RFC 5246 / 5746 / 7627 / 8446 names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertDescription, AlertLevel } from '../../src/errors/alert.js';
import { CipherSuite, ContentType, DOWNGRADE_TLS11, DOWNGRADE_TLS12, ExtensionType } from '../../src/wire/enums.js';
import { encodeEncryptThenMacExt, encodeExtendedMasterSecretExt, encodeRenegotiationInfoExt } from '../../src/handshake/messages/ext-misc.js';
import { makeExtension } from '../../src/handshake/messages/extensions.js';
import { runFakeServer12, type FakeRun } from './fake-server12.js';

function failedWith(run: FakeRun, alert: string, message?: RegExp): void {
  assert.ok(run.error, 'the client failed');
  assert.equal(run.error.alertName, alert, run.error.message);
  assert.equal(run.error.remote, false, 'detected by the client');
  if (message) assert.match(run.error.message, message);
  assert.equal(run.client.state, 'failed');
}

test('scripted server: a clean TLS 1.2 handshake completes, with EMS and a session id', () => {
  const run = runFakeServer12();
  assert.equal(run.error, undefined, run.error?.message);
  const hs = run.events.find((e) => e.type === 'handshake');
  assert.ok(hs && hs.type === 'handshake');
  assert.equal(hs.info.version, 'TLSv1.2');
  assert.equal(hs.info.cipherName, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  assert.equal(hs.info.extendedMasterSecret, true);
  assert.equal(hs.info.groupName, 'x25519');
  assert.equal(hs.info.signatureSchemeName, 'ecdsa_secp256r1_sha256');
  const sessions = run.events.filter((e) => e.type === 'session');
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0]!.type === 'session' && sessions[0]!.ticket.sessionId!.length, 32);
});

test('downgrade sentinel in a TLS 1.2 ServerHello while we offered TLS 1.3 → illegal_parameter (RFC 8446 §4.1.3)', () => {
  failedWith(runFakeServer12({ randomTail: DOWNGRADE_TLS12 }), 'illegal_parameter', /downgrade detected/);
  failedWith(runFakeServer12({ randomTail: DOWNGRADE_TLS11 }), 'illegal_parameter', /downgrade detected/);
  // Offering only TLS 1.2, the TLS 1.2 sentinel is what an honest TLS 1.3 server sends: no error.
  const run = runFakeServer12({ randomTail: DOWNGRADE_TLS12 }, { maxVersion: 'TLSv1.2' });
  assert.equal(run.error, undefined, run.error?.message);
  assert.equal(run.client.state, 'established');
});

test('no extended_master_secret → handshake_failure (RFC 7627), unless requireExtendedMasterSecret is false', () => {
  const noEms = { extensions: () => [encodeRenegotiationInfoExt()] };
  failedWith(runFakeServer12(noEms), 'handshake_failure', /RFC 7627/);
  const run = runFakeServer12(noEms, { requireExtendedMasterSecret: false });
  assert.equal(run.error, undefined, run.error?.message);
  const hs = run.events.find((e) => e.type === 'handshake');
  assert.ok(hs && hs.type === 'handshake');
  assert.equal(hs.info.extendedMasterSecret, false);
  assert.throws(() => run.client.exportKeyingMaterial(32, 'EXPORTER-test'), /extended master secret/);
});

test('no renegotiation_info, or a non-empty one → handshake_failure (RFC 5746 §3.4)', () => {
  failedWith(runFakeServer12({ extensions: () => [encodeExtendedMasterSecretExt()] }), 'handshake_failure', /RFC 5746/);
  failedWith(
    runFakeServer12({ extensions: () => [encodeRenegotiationInfoExt(new Uint8Array(12)), encodeExtendedMasterSecretExt()] }),
    'handshake_failure',
    /not empty/,
  );
});

test('bad ServerKeyExchange signature → decrypt_error', () => {
  failedWith(runFakeServer12({ badSignature: true }), 'decrypt_error', /ServerKeyExchange/);
});

test('a cipher suite we did not offer → illegal_parameter', () => {
  failedWith(runFakeServer12({ suite: CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256 }), 'illegal_parameter', /did not offer/);
  // Offered, but only for TLS 1.3.
  failedWith(runFakeServer12({}, { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] }), 'illegal_parameter', /did not offer/);
});

test('wrong server Finished → decrypt_error', () => {
  failedWith(runFakeServer12({ badFinished: true }), 'decrypt_error', /Finished/);
});

test('ServerHello extensions: unsolicited → unsupported_extension; TLS 1.3-only or ETM with AEAD → illegal_parameter', () => {
  const add = (e: ReturnType<typeof makeExtension>) => ({ extensions: (d: ReturnType<typeof makeExtension>[]) => [...d, e] });
  failedWith(runFakeServer12(add(makeExtension(ExtensionType.status_request, new Uint8Array(0)))), 'unsupported_extension');
  failedWith(runFakeServer12(add(makeExtension(ExtensionType.key_share, new Uint8Array([0, 29, 0, 1, 9])))), 'illegal_parameter', /not allowed/);
  // RFC 7366 §3: ETM with an AEAD suite (we offer ETM because a CBC suite is in the list).
  failedWith(
    runFakeServer12(add(encodeEncryptThenMacExt()), { cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256] }),
    'illegal_parameter',
    /encrypt_then_mac/,
  );
});

test('the server echoes our random session id as if resuming, but we offered no session → illegal_parameter', () => {
  failedWith(runFakeServer12({ sessionId: (ch) => ch.legacySessionId.slice() }), 'illegal_parameter', /no TLSv1.2 session/);
});

test('HelloRequest after the handshake → a no_renegotiation warning; the connection stays up', () => {
  const run = runFakeServer12();
  assert.equal(run.error, undefined);
  const answer = run.helloRequest!();
  assert.deepEqual(answer.map((r) => [r.type, [...r.content]]), [[ContentType.alert, [AlertLevel.warning, AlertDescription.no_renegotiation]]]);
  assert.equal(run.client.state, 'established');
  assert.equal(run.error, undefined);
});

test('HelloRequests are bounded by count: 64 answered with no_renegotiation, the 65th fails', () => {
  const run = runFakeServer12();
  let answered = 0;
  for (let i = 0; i < 100 && !run.client.error; i++) {
    const answer = run.helloRequest!();
    if (!run.client.error) answered += answer.length;
  }
  assert.equal(answered, 64);
  assert.equal(run.client.error?.alertName, 'unexpected_message');
  assert.match(run.client.error!.message, /too many HelloRequest/);
});
