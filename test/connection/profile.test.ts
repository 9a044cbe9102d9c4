// Validation profiles in a handshake (#15): ClientConfig.verify and ServerConfig.clientVerify
// reach the peer-chain check; connect() and createServer() take `profile`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors/index.js';
import { clientConfigFromOptions } from '../../src/node/connect.js';
import { createServer } from '../../src/node/server.js';
import { VerifyError } from '../../src/x509/verify-error.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { generateTestKey, privateKeyPem, testCa, testCert } from '../pki.js';
import { assertEstablished, assertFailed, connect, pki } from './helpers.js';

test('a server certificate without extendedKeyUsage: refused by the default webpki profile, accepted with rfc5280', () => {
  const ca = testCa('CN=Profile Test CA');
  const trust = new TrustStore([ca.pem]);
  const key = generateTestKey('p256');
  const noEku = testCert(key, ca, { subject: 'CN=localhost', dnsNames: ['localhost'], extKeyUsage: null });
  const certificates = [{ chain: [noEku.der], key }];
  const strict = connect({ trust }, { certificates });
  assertFailed(strict.client, 'unsupported_certificate');
  assert.ok(strict.client.error instanceof VerifyError);
  assert.equal((strict.client.error as VerifyError).reason, 'extKeyUsageMissing');
  const lax = connect({ trust, verify: { profile: 'rfc5280' } }, { certificates });
  assertEstablished(lax);
  // other policy options travel the same way
  const depth = connect({ verify: { maxDepth: 1 } });
  assertFailed(depth.client, 'unknown_ca');
});

test('client certificates: rfc5280 by default, webpki when asked', () => {
  const t = pki();
  // Alice has no subjectAltName and no common-name-as-SAN: fine for a client certificate under rfc5280
  const base = { clientAuth: 'required' as const, clientTrust: t.trust };
  assertEstablished(connect({ clientCertificate: t.client }, base));
  const strict = connect({ clientCertificate: t.client }, { ...base, clientVerify: { requiredExtKeyUsage: ['codeSigning'] } });
  assertFailed(strict.server, 'unsupported_certificate');
  assert.equal((strict.server.error as VerifyError).reason, 'extKeyUsageRequired');
});

test('node adapter: connect({ profile }) and createServer({ profile }) are checked and passed on', () => {
  assert.equal(clientConfigFromOptions({ host: 'localhost' }).config.verify?.profile, 'webpki');
  assert.equal(clientConfigFromOptions({ host: 'localhost', profile: 'rfc5280' }).config.verify?.profile, 'rfc5280');
  assert.throws(() => clientConfigFromOptions({ host: 'localhost', profile: 'strict' as never }), (e: unknown) => e instanceof UsageError && /profile must be 'webpki' or 'rfc5280'/.test(e.message));
  const c = testCa('CN=Adapter Test CA');
  const leaf = testCert(generateTestKey('p256'), c, { subject: 'CN=localhost', dnsNames: ['localhost'] });
  const keyPem = privateKeyPem(leaf.key);
  assert.throws(() => createServer({ cert: leaf.pem, key: keyPem, profile: 'x509' as never }), (e: unknown) => e instanceof UsageError && /createServer\(\): profile must be/.test(e.message));
  createServer({ cert: leaf.pem, key: keyPem, profile: 'webpki' }).close();
});
