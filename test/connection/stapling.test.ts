// OCSP stapling in memory (#15): RFC 6066 status_request, the TLS 1.3 CertificateEntry staple
// (RFC 8446 §4.4.2.1), the TLS 1.2 CertificateStatus message, must-staple (RFC 7633) and CRLs
// given to the handshake, in both versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrustStore } from '../../src/x509/trust-store.js';
import { issueCrl, issueOcspResponse, mustStapleExtension } from '../../src/x509/index.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { HandshakeInfo } from '../../src/handshake/events.js';
import { ExtensionType } from '../../src/wire/enums.js';
import { DAY, generateTestKey, testCa, testCert, type TestCert } from '../pki.js';
import { assertEstablished, assertFailed, connect, provider, type Pair } from './helpers.js';

const ca = testCa('CN=Staple CA');
const trust = new TrustStore([ca.pem]);
const leaf = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', dnsNames: ['localhost'] });
const mustLeaf = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', dnsNames: ['localhost'], extensions: [mustStapleExtension()] });
const now = Date.now();

function staple(cert: TestCert, status: Parameters<typeof issueOcspResponse>[0]['status'] = { status: 'good' }, o: { nextUpdate?: number } = {}): Uint8Array {
  return issueOcspResponse({
    provider,
    certificate: cert.certificate,
    issuer: ca.certificate,
    signer: { certificate: ca.certificate, key: ca.key },
    status,
    thisUpdate: now - 3600_000,
    nextUpdate: o.nextUpdate ?? now + DAY,
  }).der;
}

function certified(cert: TestCert, ocspStaple?: CertifiedKey['ocspStaple']): CertifiedKey {
  return { chain: [cert.der, ca.der], key: cert.key, ...(ocspStaple ? { ocspStaple } : {}) };
}

const VERSIONS = ['TLSv1.3', 'TLSv1.2'] as const;

function run(version: (typeof VERSIONS)[number], client: Partial<ClientConfig>, server: Partial<ServerConfig>): Pair {
  return connect({ trust, maxVersion: version, ...client }, { maxVersion: version, ...server });
}

function info(p: Pair): HandshakeInfo {
  const e = p.clientEvents.find((x) => x.type === 'handshake');
  assert.ok(e && e.type === 'handshake');
  return e.info;
}

for (const v of VERSIONS) {
  test(`${v}: a good staple is delivered and verified when the client asks`, () => {
    const resp = staple(leaf);
    const p = run(v, { requestOCSP: true }, { certificates: [certified(leaf, resp)] });
    assertEstablished(p);
    assert.deepEqual(info(p).ocspResponse, resp);
    assert.equal(info(p).version, v);
    assert.equal(info(p).authorized, true);
  });

  test(`${v}: no status_request → no staple (and the server's staple function is not asked)`, () => {
    let asked = 0;
    const p = run(v, {}, { certificates: [certified(leaf, () => (asked++, staple(leaf)))] });
    assertEstablished(p);
    assert.equal(info(p).ocspResponse, undefined);
    assert.equal(asked, 0);
  });

  test(`${v}: a revoked staple fails the handshake with certificate_revoked, date and reason`, () => {
    const resp = staple(leaf, { status: 'revoked', date: now - DAY, reason: 'keyCompromise' });
    const p = run(v, { requestOCSP: true }, { certificates: [certified(leaf, resp)] });
    assertFailed(p.client, 'certificate_revoked');
    assert.match(p.client.error!.message, /was revoked on .*, reason keyCompromise \(OCSP\)/);
  });

  test(`${v}: a stale staple or one for another certificate fails with bad_certificate_status_response`, () => {
    const stale = staple(leaf, { status: 'good' }, { nextUpdate: now - 3 * 3600_000 });
    const p = run(v, { requestOCSP: true }, { certificates: [certified(leaf, stale)] });
    assertFailed(p.client, 'bad_certificate_status_response');
    const other = staple(mustLeaf);
    const p2 = run(v, { requestOCSP: true }, { certificates: [certified(leaf, other)] });
    assertFailed(p2.client, 'bad_certificate_status_response');
    assert.match(p2.client.error!.message, /another certificate/);
    // rejectUnauthorized false: reported, not fatal.
    const p3 = run(v, { requestOCSP: true, rejectUnauthorized: false }, { certificates: [certified(leaf, stale)] });
    assertEstablished(p3);
    assert.equal(info(p3).authorized, false);
    assert.match(info(p3).authorizationError!.message, /stale/);
  });

  test(`${v}: must-staple without a staple is refused; with a good one accepted`, () => {
    const p = run(v, { requestOCSP: true }, { certificates: [certified(mustLeaf)] });
    assertFailed(p.client, 'bad_certificate_status_response');
    assert.match(p.client.error!.message, /must-staple/);
    assertEstablished(run(v, { requestOCSP: true }, { certificates: [certified(mustLeaf, staple(mustLeaf))] }));
  });

  test(`${v}: CRLs in the client config: a revoked server certificate fails the handshake`, () => {
    const crl = issueCrl({
      provider,
      issuer: { certificate: ca.certificate, key: ca.key },
      thisUpdate: now - DAY,
      nextUpdate: now + DAY,
      revoked: [{ serial: leaf.certificate, date: now - DAY, reason: 'superseded' }],
    });
    const p = run(v, { crls: [crl.pem] }, { certificates: [certified(leaf)] });
    assertFailed(p.client, 'certificate_revoked');
    assert.match(p.client.error!.message, /reason superseded \(CRL\)/);
    const clean = issueCrl({ provider, issuer: { certificate: ca.certificate, key: ca.key }, thisUpdate: now - DAY, nextUpdate: now + DAY });
    assertEstablished(run(v, { crls: [clean.pem], crlCheck: 'leaf' }, { certificates: [certified(leaf)] }));
  });
}

test('TLS 1.3: an unsolicited staple in the CertificateEntry is unsupported_extension', () => {
  // requestOCSP is off; a status_request forced into the hello makes the server staple anyway.
  const p = connect(
    { trust, customizeHelloExtensions: (e) => [...e, { type: ExtensionType.status_request, data: Uint8Array.of(1, 0, 0, 0, 0) }] },
    { certificates: [certified(leaf, staple(leaf))] },
  );
  assertFailed(p.client, 'unsupported_extension');
});

for (const v of VERSIONS) {
  test(`${v}: server crls reject a revoked client certificate (certificate_revoked)`, () => {
    const alice = testCert(generateTestKey('p256'), ca, { subject: 'CN=Alice', extKeyUsage: ['clientAuth'] });
    const crl = issueCrl({
      provider, issuer: { certificate: ca.certificate, key: ca.key }, thisUpdate: now - DAY, nextUpdate: now + DAY,
      revoked: [{ serial: alice.certificate, date: now - DAY, reason: 'affiliationChanged' }],
    });
    const server = { certificates: [certified(leaf)], clientAuth: 'required' as const, clientTrust: trust };
    const client = { clientCertificate: { chain: [alice.der, ca.der], key: alice.key } };
    const p = run(v, client, { ...server, crls: [crl.der] });
    assertFailed(p.server, 'certificate_revoked');
    assert.match(p.server.error!.message, /'CN=Alice'.*reason affiliationChanged \(CRL\)/);
    assertEstablished(run(v, client, server));
  });
}

test('trace: the client narrates the staple it asked for (certificate_status)', () => {
  const traces = (p: Pair) => p.clientEvents.flatMap((e) => (e.type === 'trace' && e.trace.event === 'certificate_status' ? [e.trace] : []));
  const good = run('TLSv1.3', { requestOCSP: true, trace: true }, { certificates: [certified(leaf, staple(leaf))] });
  assertEstablished(good);
  assert.deepEqual(traces(good).map((t) => [t.stapled, t.error]), [[true, null]]);
  assert.match(traces(good)[0]!.message, /it says 'good'/);
  const none = run('TLSv1.2', { requestOCSP: true, trace: true }, { certificates: [certified(leaf)] });
  assertEstablished(none);
  assert.match(traces(none)[0]!.message, /stapled no OCSP response \(it may choose not to\)/);
  const bad = run('TLSv1.3', { requestOCSP: true, trace: true }, { certificates: [certified(mustLeaf)] });
  assertFailed(bad.client, 'bad_certificate_status_response');
  assert.match(traces(bad)[0]!.message, /requires one: .*must-staple/);
});
