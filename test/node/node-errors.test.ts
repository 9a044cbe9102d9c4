// node-errors.ts picks node's codes from structured data only: the alert, VerifyError's check and
// fault, TlsError's failure (set where each error is raised). Each case here would get another code
// if the code were read from the message: a name, subject or rewording that contains the words an
// old text match looked for ("excluded", "public key", "issuer ", "cipher", "suite", "group", ...)
// must not change it, and a reworded message must keep it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { TlsError } from '../../src/errors/index.js';
import { toNodeError, type NodeTlsError } from '../../src/node/node-errors.js';
import { RecordDeframer } from '../../src/record/deframer.js';
import { VerifyError } from '../../src/x509/verify-error.js';
import { verifyServerChain } from '../../src/x509/verify.js';
import { generateTestKey, testCa, testCert } from '../pki.js';

const codeOf = (e: Error): string => (toNodeError(e) as NodeTlsError).code;

test('name constraints: a permitted-subtree violation stays one when the failing name says "excluded"', () => {
  const root = testCa('CN=NC root');
  const ca = testCert(generateTestKey('p256'), root, { subject: 'CN=NC CA', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], nameConstraints: { permittedDns: ['example.com'], excludedDns: ['bad.example.com'] } });
  const outside = testCert(generateTestKey('p256'), ca, { subject: 'CN=excluded.test', dnsNames: ['excluded.test'] });
  const inside = testCert(generateTestKey('p256'), ca, { subject: 'CN=x.bad.example.com', dnsNames: ['x.bad.example.com'] });
  const verify = (leaf: typeof outside): VerifyError => {
    const r = verifyServerChain({ leaf: leaf.der, intermediates: [ca.der], roots: [root.der], at: Date.now(), provider, hostname: null });
    assert.equal(r.ok, false);
    return (r as { error: VerifyError }).error;
  };
  const permitted = verify(outside);
  assert.match(permitted.message, /excluded\.test/);
  assert.equal(permitted.fault, 'permittedSubtree');
  const n1 = toNodeError(permitted);
  assert.equal((n1 as NodeTlsError).code, 'UNSPECIFIED');
  assert.equal(n1.message, 'permitted subtree violation');
  const excluded = verify(inside);
  assert.equal(excluded.fault, 'excludedSubtree');
  assert.equal(toNodeError(excluded).message, 'excluded subtree violation');
});

test('VerifyError: the fault decides, whatever the message says', () => {
  // A refused signature algorithm on a certificate whose name mentions a public key.
  const alg = new VerifyError('unsupported_certificate', 'algorithm', "certificate 'CN=public key pinning test' is signed with md2WithRSAEncryption, which hush does not accept");
  assert.equal(codeOf(alg), 'CERT_SIGNATURE_FAILURE');
  const key = new VerifyError('unsupported_certificate', 'algorithm', 'cannot import the key of CN=Some CA', undefined, undefined, undefined, 'issuerPublicKey');
  assert.equal(codeOf(key), 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY');
  // keyUsage: an issuer without keyCertSign (reworded: no leading "issuer ") vs a leaf's keyUsage.
  const issuerKu = new VerifyError('bad_certificate', 'keyUsage', "the CA 'CN=x' may not sign certificates", undefined, undefined, undefined, 'issuerKeyCertSign');
  assert.equal(codeOf(issuerKu), 'UNSPECIFIED');
  assert.equal(toNodeError(issuerKu).message, 'key usage does not include certificate signing');
  const leafKu = new VerifyError('unsupported_certificate', 'keyUsage', "issuer of nothing: certificate 'CN=x' keyUsage (keyAgreement) does not include digitalSignature");
  assert.equal(codeOf(leafKu), 'INVALID_PURPOSE');
});

test('the issuer-keyUsage fault is set where path validation raises it', () => {
  const root = testCa('CN=KU root');
  const ca = testCert(generateTestKey('p256'), root, { subject: 'CN=KU CA', ca: true, keyUsage: ['digitalSignature'] });
  const leaf = testCert(generateTestKey('p256'), ca, { subject: 'CN=leaf.test', dnsNames: ['leaf.test'] });
  const r = verifyServerChain({ leaf: leaf.der, intermediates: [ca.der], roots: [root.der], at: Date.now(), provider, hostname: null });
  assert.equal(r.ok, false);
  const e = (r as { error: VerifyError }).error;
  assert.equal(e.check, 'keyUsage');
  assert.equal(e.fault, 'issuerKeyCertSign');
  assert.equal(codeOf(e), 'UNSPECIFIED');
});

test('TlsError: the failure decides, whatever the message says', () => {
  const cases: [TlsError, string][] = [
    [new TlsError('handshake_failure', 'nothing in common', { failure: 'noSharedCipherSuite' }), 'ERR_SSL_NO_SHARED_CIPHER'],
    [new TlsError('handshake_failure', 'nothing in common', { failure: 'noSharedGroup' }), 'ERR_SSL_NO_SUITABLE_KEY_SHARE'],
    [new TlsError('handshake_failure', 'no certificate from the client', { failure: 'noClientCertificate' }), 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'],
    // Words an old text match looked for, without the failure: no guess.
    [new TlsError('handshake_failure', 'the server resumed a session whose cipher suite and group differ'), 'ERR_TLS_HANDSHAKE_FAILURE'],
    [new TlsError('handshake_failure', 'the client sent no certificate status'), 'ERR_TLS_HANDSHAKE_FAILURE'],
    [new TlsError('protocol_version', 'header is not TLS framing', {}), 'ERR_SSL_UNSUPPORTED_PROTOCOL'],
    [new TlsError('protocol_version', 'bad record header', { failure: 'recordNotTls' }), 'ERR_SSL_WRONG_VERSION_NUMBER'],
    [new TlsError('unexpected_message', 'HTTP, not TLS', { failure: 'plainHttpRequest' }), 'ERR_SSL_HTTP_REQUEST'],
    [new TlsError('unexpected_message', 'HTTP, not TLS', { failure: 'plainHttpResponse' }), 'ERR_SSL_WRONG_VERSION_NUMBER'],
    [new TlsError('unexpected_message', 'odd record', { failure: 'unknownContentType' }), 'ERR_SSL_WRONG_VERSION_NUMBER'],
    [new TlsError('unexpected_message', 'a ServerHello after the plain HTTP request phase'), 'ERR_SSL_UNEXPECTED_MESSAGE'],
    [new TlsError('record_overflow', 'too long'), 'ERR_SSL_PACKET_LENGTH_TOO_LONG'],
  ];
  for (const [err, code] of cases) assert.equal(codeOf(err), code, err.message);
});

test('the deframer marks what it saw: plain HTTP either way, an unknown content type, a non-TLS record version', () => {
  const fail = (text: string | Uint8Array): TlsError => {
    const d = new RecordDeframer();
    d.push(typeof text === 'string' ? new TextEncoder().encode(text) : text);
    try {
      d.next();
    } catch (e) {
      return e as TlsError;
    }
    assert.fail('no error');
  };
  assert.equal(fail('GET / HTTP/1.1\r\nHost: x\r\n\r\n').failure, 'plainHttpRequest');
  assert.equal(fail('HTTP/1.1 400 Bad Request\r\n\r\n').failure, 'plainHttpResponse');
  assert.equal(fail(Uint8Array.of(99, 3, 3, 0, 1, 0)).failure, 'unknownContentType');
  assert.equal(fail(Uint8Array.of(22, 9, 3, 0, 1, 0)).failure, 'recordNotTls');
});
