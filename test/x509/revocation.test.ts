// Revocation: CRLs (RFC 5280 §5, §6.3) and OCSP (RFC 6960), must-staple (RFC 7633), each rule
// valid and invalid, on CRLs and responses issued by hush's builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { der } from '../../src/asn1/index.js';
import {
  RevokedError,
  checkOcspResponse,
  crlDistributionPointsExtension,
  encodeOcspRequest,
  hasMustStaple,
  issueCrl,
  issueOcspResponse,
  mustStapleExtension,
  ocspAiaExtension,
  ocspCertId,
  ocspErrorResponse,
  ocspResponderUrls,
  parseCrl,
  parseCrls,
  parseOcspRequest,
  parseOcspResponse,
  verifyResultToJSON,
} from '../../src/x509/index.js';
import { AT, assertFail, assertOk, mkCa, mkLeaf, provider, verify } from './fixtures.js';

const DAY = 86_400_000;
const T = AT.getTime();
const root = mkCa('CN=Rev Root');
const inter = mkCa('CN=Rev Inter', root);
const leaf = mkLeaf(inter);
const FULL = ['CN=www.example.com', 'CN=Rev Inter', 'CN=Rev Root'];

function crl(issuer = inter, o: Partial<Parameters<typeof issueCrl>[0]> = {}) {
  return issueCrl({ provider, issuer: { certificate: issuer.cert, key: issuer.key }, thisUpdate: T - DAY, nextUpdate: T + 6 * DAY, ...o });
}

const base = { leaf: leaf.pem, intermediates: [inter.pem], roots: [root.pem] };

test('CRL: parse round trip (entries, reason, number, AKI) and PEM/DER inputs', () => {
  const c = crl(inter, { revoked: [{ serial: leaf.cert, date: T - 2 * DAY, reason: 'keyCompromise' }], crlNumber: 7 });
  assert.equal(c.crl.version, 2);
  assert.equal(c.crl.issuer.text, 'CN=Rev Inter');
  assert.equal(c.crl.crlNumber, '07');
  assert.deepEqual(c.crl.authorityKeyIdentifier, inter.cert.subjectKeyIdentifier);
  const e = c.crl.revoked.get(leaf.cert.serialHex);
  assert.equal(e?.reason, 'keyCompromise');
  assert.equal(e?.revocationDate, T - 2 * DAY);
  assert.equal(parseCrls(c.pem + crl(root).pem).length, 2);
  assert.equal(parseCrls(c.der).length, 1);
});

test('CRL: strict DER (trailing bytes, empty revoked list, v1 with extensions, removeFromCRL)', () => {
  const c = crl(inter);
  const trailing = new Uint8Array([...c.der, 0]);
  assert.throws(() => parseCrl(trailing), /trailing/);
  // a CRL whose revokedCertificates SEQUENCE is present but empty
  const tbs = der.sequence(der.integer(1), der.sequence(der.oid('1.2.840.10045.4.3.2')), inter.cert.subject.raw, der.time(T), der.time(T + DAY), der.sequence());
  const bad = der.sequence(tbs, der.sequence(der.oid('1.2.840.10045.4.3.2')), der.bitString(new Uint8Array(8)));
  assert.throws(() => parseCrl(bad), /revokedCertificates is present but empty/);
  assert.throws(
    () => crl(inter, { revoked: [{ serial: 5n, date: T, reason: 'removeFromCRL' }] }),
    /removeFromCRL in a complete CRL/,
  );
});

test('CRL: not revoked → ok; revoked leaf → certificate_revoked with date and reason', () => {
  assertOk(verify({ ...base, crls: [crl(inter).pem, crl(root).pem] }), FULL);
  const revoked = crl(inter, { revoked: [{ serial: leaf.cert, date: Date.UTC(2025, 11, 24), reason: 'keyCompromise' }] });
  const r = verify({ ...base, crls: [revoked.pem] });
  assertFail(
    r,
    'revoked',
    'certificate_revoked',
    "certificate 'CN=www.example.com' (serial " + leaf.cert.serialHex + ') was revoked on 2025-12-24T00:00:00Z, reason keyCompromise (CRL)',
  );
  assert.ok(!r.ok && r.error instanceof RevokedError);
  if (!r.ok && r.error instanceof RevokedError) {
    assert.equal(r.error.revocationReason, 'keyCompromise');
    assert.equal(r.error.revocationDate, Date.UTC(2025, 11, 24));
    assert.equal(r.error.code, 'ERR_TLS_CERTIFICATE_REVOKED');
  }
  const json = verifyResultToJSON(r);
  assert.equal((json.error as { revocationReason?: string }).revocationReason, 'keyCompromise');
  // No reasonCode → 'unspecified'
  const noReason = crl(inter, { revoked: [{ serial: leaf.cert, date: T - DAY }] });
  assertFail(verify({ ...base, crls: [noReason.der] }), 'revoked', 'certificate_revoked', /reason unspecified/);
});

test('CRL: a revoked intermediate anywhere in the path is rejected', () => {
  const rootCrl = crl(root, { revoked: [{ serial: inter.cert, date: T - 3 * DAY, reason: 'cACompromise' }] });
  assertFail(verify({ ...base, crls: [crl(inter).pem, rootCrl.pem] }), 'revoked', 'certificate_revoked', /issuer 'CN=Rev Inter'.*reason cACompromise/);
});

test('CRL: expired and not-yet-valid CRLs cannot be used', () => {
  const expired = crl(inter, { thisUpdate: T - 10 * DAY, nextUpdate: T - 2 * DAY });
  assertFail(verify({ ...base, crls: [expired.pem] }), 'crl', 'bad_certificate', /cannot be used: it has expired \(nextUpdate 2025-12-30T00:00:00Z\)/);
  const future = crl(inter, { thisUpdate: T + DAY, nextUpdate: T + 8 * DAY });
  assertFail(verify({ ...base, crls: [future.pem] }), 'crl', 'bad_certificate', /not valid yet/);
  const noNext = crl(inter, { nextUpdate: null });
  assertFail(verify({ ...base, crls: [noNext.pem] }), 'crl', 'bad_certificate', /no nextUpdate/);
  // Within the clock skew (5 min) it is still current.
  const justExpired = crl(inter, { thisUpdate: T - DAY, nextUpdate: T - 60_000 });
  assertOk(verify({ ...base, crls: [justExpired.pem] }), FULL);
  // A fresh CRL next to the expired one covers the certificate.
  assertOk(verify({ ...base, crls: [expired.pem, crl(inter).pem] }), FULL);
});

test('CRL: signed by the wrong key, or by an issuer without cRLSign', () => {
  const impostor = mkCa('CN=Rev Inter', root);
  const forged = crl(impostor, { authorityKeyIdentifier: false, revoked: [{ serial: leaf.cert, date: T }] });
  assertFail(verify({ ...base, crls: [forged.pem] }), 'crl', 'bad_certificate', /its signature does not verify with the public key of 'CN=Rev Inter'/);
  // With the impostor's AKI the CRL is recognised as another key's and does not apply.
  assertOk(verify({ ...base, crls: [crl(impostor).pem] }), FULL);
  const noCrlSign = mkCa('CN=No cRLSign', root, { keyUsage: ['keyCertSign'] });
  const l2 = mkLeaf(noCrlSign);
  assertFail(
    verify({ leaf: l2.pem, intermediates: [noCrlSign.pem], roots: [root.pem], crls: [crl(noCrlSign).pem] }),
    'crl',
    'bad_certificate',
    /keyUsage does not include cRLSign/,
  );
});

test('CRL: required coverage (crlCheck leaf / chain) and issuer match', () => {
  assertFail(verify({ ...base, crlCheck: 'leaf' }), 'crl', 'bad_certificate', /no CRL from 'CN=Rev Inter' covers certificate/);
  assertOk(verify({ ...base, crlCheck: 'leaf', crls: [crl(inter).pem] }), FULL);
  assertFail(verify({ ...base, crlCheck: 'chain', crls: [crl(inter).pem] }), 'crl', 'bad_certificate', /no CRL from 'CN=Rev Root' covers issuer 'CN=Rev Inter'/);
  assertOk(verify({ ...base, crlCheck: 'chain', crls: [crl(inter).pem, crl(root).pem] }), FULL);
  // A CRL of another issuer (listing the same serial) does not apply.
  const other = mkCa('CN=Other CA', root);
  assertOk(verify({ ...base, crls: [crl(other, { revoked: [{ serial: leaf.cert, date: T }] }).pem] }), FULL);
});

test('CRL: scope (onlyContainsUserCerts / CACerts, distribution point), delta and indirect CRLs', () => {
  const users = crl(root, { scope: { onlyContainsUserCerts: true }, revoked: [{ serial: inter.cert, date: T - DAY }] });
  // A user-certs-only CRL does not speak for the intermediate (a CA).
  assertOk(verify({ ...base, crls: [users.pem] }), FULL);
  assertFail(verify({ ...base, crls: [crl(inter).pem, users.pem], crlCheck: 'chain' }), 'crl', 'bad_certificate', /no CRL from 'CN=Rev Root'/);
  const cas = crl(root, { scope: { onlyContainsCACerts: true }, revoked: [{ serial: inter.cert, date: T - DAY }] });
  assertFail(verify({ ...base, crls: [cas.pem] }), 'revoked', 'certificate_revoked', /issuer 'CN=Rev Inter'/);
  const casOnly = crl(inter, { scope: { onlyContainsCACerts: true } });
  assertFail(verify({ ...base, crls: [casOnly.pem], crlCheck: 'leaf' }), 'crl', 'bad_certificate', /no CRL/);
  // Distribution point: must match the certificate's cRLDistributionPoints.
  const dpLeaf = mkLeaf(inter, { extensions: [crlDistributionPointsExtension('http://crl.example/a.crl')] });
  const dpBase = { leaf: dpLeaf.pem, intermediates: [inter.pem], roots: [root.pem], crlCheck: 'leaf' as const };
  assertOk(verify({ ...dpBase, crls: [crl(inter, { scope: { distributionPointUri: 'http://crl.example/a.crl' } }).pem] }));
  assertFail(verify({ ...dpBase, crls: [crl(inter, { scope: { distributionPointUri: 'http://crl.example/b.crl' } }).pem] }), 'crl', 'bad_certificate', /no CRL/);
  assertFail(verify({ ...base, crls: [crl(inter, { deltaOf: 1 }).pem] }), 'crl', 'bad_certificate', /delta CRL/);
  assertFail(verify({ ...base, crls: [crl(inter, { scope: { indirectCRL: true } }).pem] }), 'crl', 'bad_certificate', /indirect CRL/);
  assertFail(
    verify({ ...base, crls: [crl(inter, { extensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: der.nullValue() }] }).pem] }),
    'crl',
    'bad_certificate',
    /unsupported critical extension 1\.3\.6\.1\.4\.1\.99999\.1/,
  );
});

test('CRL: a CRL that does not parse fails the verification (parse)', () => {
  assertFail(verify({ ...base, crls: ['-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n'] }), 'parse', 'bad_certificate', /cannot parse the CRLs/);
});

// --- OCSP ---

function ocsp(o: Partial<Parameters<typeof issueOcspResponse>[0]> = {}) {
  return issueOcspResponse({
    provider,
    certificate: leaf.cert,
    issuer: inter.cert,
    signer: { certificate: inter.cert, key: inter.key },
    status: { status: 'good' },
    thisUpdate: T - 3600_000,
    nextUpdate: T + 3 * DAY,
    ...o,
  }).der;
}

test('OCSP: request codec round trip; CertID hashes of issuer name and key', () => {
  const req = encodeOcspRequest(provider, leaf.cert, inter.cert);
  const ids = parseOcspRequest(req);
  assert.equal(ids.length, 1);
  const id = ocspCertId(provider, leaf.cert, inter.cert);
  assert.deepEqual(ids[0]!.issuerNameHash, id.issuerNameHash);
  assert.deepEqual(ids[0]!.issuerKeyHash, id.issuerKeyHash);
  assert.equal(ids[0]!.serialHex, leaf.cert.serialHex);
  assert.equal(id.issuerNameHash.length, 20);
  const r = parseOcspResponse(ocsp());
  assert.equal(r.status, 'successful');
  assert.equal(r.basic?.responses[0]?.certStatus.status, 'good');
  assert.equal(parseOcspResponse(ocspErrorResponse(3)).status, 'tryLater');
});

test('OCSP: good staple → ok; revoked → certificate_revoked with date and reason; unknown per option', () => {
  assertOk(verify({ ...base, ocspResponse: ocsp() }), FULL);
  assertOk(verify({ ...base, ocspResponse: ocsp({ hash: 'sha256', responderId: 'byName' }) }), FULL);
  const rev = ocsp({ status: { status: 'revoked', date: Date.UTC(2025, 11, 1, 12), reason: 'superseded' } });
  assertFail(verify({ ...base, ocspResponse: rev }), 'revoked', 'certificate_revoked', /revoked on 2025-12-01T12:00:00Z, reason superseded \(OCSP\)/);
  const unk = ocsp({ status: { status: 'unknown' } });
  assertFail(verify({ ...base, ocspResponse: unk }), 'ocsp', 'bad_certificate_status_response', /status unknown/);
  assertOk(verify({ ...base, ocspResponse: unk, ocspUnknown: 'allow' }), FULL);
  assertFail(verify({ ...base, ocspResponse: ocspErrorResponse(3) }), 'ocsp', 'bad_certificate_status_response', /answered tryLater/);
});

test('OCSP: response for another certID is refused', () => {
  assertFail(verify({ ...base, ocspResponse: ocsp({ serial: 12345n }) }), 'ocsp', 'bad_certificate_status_response', /about another certificate/);
  const other = mkLeaf(inter);
  assertFail(verify({ ...base, ocspResponse: ocsp({ certificate: other.cert }) }), 'ocsp', 'bad_certificate_status_response', /about another certificate/);
  // Same serial, another issuer (the name/key hashes differ).
  const otherCa = mkCa('CN=Other OCSP CA', root);
  const r = issueOcspResponse({
    provider, certificate: leaf.cert, issuer: otherCa.cert, signer: { certificate: inter.cert, key: inter.key },
    status: { status: 'good' }, thisUpdate: T - 60_000, nextUpdate: T + DAY,
  }).der;
  assertFail(verify({ ...base, ocspResponse: r }), 'ocsp', 'bad_certificate_status_response', /about another certificate/);
});

test('OCSP: delegated responder needs id-kp-OCSPSigning from the issuer; wrong signer refused', () => {
  const resp = mkLeaf(inter, { subject: 'CN=OCSP Responder', dnsNames: [], extKeyUsage: ['OCSPSigning'] });
  const good = ocsp({ signer: { certificate: resp.cert, key: resp.key } });
  assertOk(verify({ ...base, ocspResponse: good }), FULL);
  const noEku = mkLeaf(inter, { subject: 'CN=OCSP Responder', dnsNames: [], extKeyUsage: ['serverAuth'] });
  assertFail(
    verify({ ...base, ocspResponse: ocsp({ signer: { certificate: noEku.cert, key: noEku.key } }) }),
    'ocsp',
    'bad_certificate_status_response',
    /not authorized to sign OCSP responses \(no id-kp-OCSPSigning/,
  );
  // A responder with the EKU but issued by another CA (here the root) is not the issuer's delegate.
  const rootResp = mkLeaf(root, { subject: 'CN=Root Responder', dnsNames: [], extKeyUsage: ['OCSPSigning'] });
  assertFail(
    verify({ ...base, ocspResponse: ocsp({ signer: { certificate: rootResp.cert, key: rootResp.key } }) }),
    'ocsp',
    'bad_certificate_status_response',
    /is not issued by 'CN=Rev Inter'/,
  );
  // Signed by an unrelated key that claims to be the issuer.
  const impostor = mkCa('CN=Rev Inter', root);
  assertFail(
    verify({ ...base, ocspResponse: ocsp({ signer: { certificate: impostor.cert, key: impostor.key }, includeSigner: false, responderId: 'byName' }) }),
    'ocsp',
    'bad_certificate_status_response',
    /not signed by the issuer/,
  );
});

test('OCSP: thisUpdate/nextUpdate with a small clock skew', () => {
  assertFail(verify({ ...base, ocspResponse: ocsp({ thisUpdate: T - 3 * DAY, nextUpdate: T - DAY }) }), 'ocsp', 'bad_certificate_status_response', /stale: nextUpdate/);
  assertOk(verify({ ...base, ocspResponse: ocsp({ thisUpdate: T - DAY, nextUpdate: T - 4 * 60_000 }) }), FULL);
  assertFail(verify({ ...base, ocspResponse: ocsp({ thisUpdate: T + 10 * 60_000, nextUpdate: T + DAY }) }), 'ocsp', 'bad_certificate_status_response', /in the future/);
  assertOk(verify({ ...base, ocspResponse: ocsp({ thisUpdate: T + 2 * 60_000, nextUpdate: T + DAY }) }), FULL);
  assertOk(verify({ ...base, ocspResponse: ocsp({ thisUpdate: T - 3600_000, nextUpdate: null }) }), FULL);
  assertFail(verify({ ...base, ocspResponse: ocsp({ thisUpdate: T - 2 * DAY, nextUpdate: null }) }), 'ocsp', 'bad_certificate_status_response', /no nextUpdate/);
  assertFail(verify({ ...base, ocspResponse: ocsp(), revocationClockSkew: 0, at: T + 3 * DAY + 1000 }), 'ocsp', 'bad_certificate_status_response', /stale/);
});

test('OCSP: must-staple (RFC 7633) without a staple is refused when enforced', () => {
  const ms = mkLeaf(inter, { extensions: [mustStapleExtension(), ocspAiaExtension('http://127.0.0.1:9/ocsp')] });
  assert.equal(hasMustStaple(ms.cert), true);
  assert.equal(hasMustStaple(leaf.cert), false);
  assert.deepEqual(ocspResponderUrls(ms.cert), ['http://127.0.0.1:9/ocsp']);
  const msBase = { leaf: ms.pem, intermediates: [inter.pem], roots: [root.pem] };
  assertOk(verify(msBase));
  assertFail(verify({ ...msBase, enforceMustStaple: true }), 'ocsp', 'bad_certificate_status_response', /requires a stapled OCSP response \(must-staple, RFC 7633\)/);
  assertOk(verify({ ...msBase, enforceMustStaple: true, ocspResponse: ocsp({ certificate: ms.cert }) }));
  // A staple for another certificate does not satisfy must-staple.
  assertFail(verify({ ...msBase, enforceMustStaple: true, ocspResponse: ocsp() }), 'ocsp', 'bad_certificate_status_response', /another certificate/);
});

test('OCSP: checkOcspResponse rejects garbage and unknown critical extensions', () => {
  const r = checkOcspResponse({ response: new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x00]), cert: leaf.cert, issuer: inter.cert, at: T, provider });
  assert.equal(r.ok, false);
  assert.throws(() => parseOcspResponse(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x00])), (e: Error & { alertName?: string }) => e.alertName === 'bad_certificate_status_response');
});

test('OCSP: a leaf trusted by itself (pinned) has no issuer to check a response against', () => {
  const pinned = mkLeaf(undefined);
  assertOk(verify({ leaf: pinned.pem, roots: [pinned.pem], ocspResponse: ocsp() }), ['CN=www.example.com']);
  const pinnedMs = mkLeaf(undefined, { extensions: [mustStapleExtension()] });
  assertFail(
    verify({ leaf: pinnedMs.pem, roots: [pinnedMs.pem], ocspResponse: ocsp(), enforceMustStaple: true }),
    'ocsp',
    'bad_certificate_status_response',
    /trusted by itself, without its issuer/,
  );
});
