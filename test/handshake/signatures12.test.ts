// TLS 1.2 handshake signatures: ServerKeyExchange and CertificateVerify round trips for every key
// type, the alerts for a wrong scheme and a bad signature, and choosing a scheme.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import type { KeyGenSpec, PrivateKey } from '../../src/crypto/provider.js';
import { DEFAULT_SIGNATURE_SCHEMES } from '../../src/crypto/signature.js';
import { TlsError } from '../../src/errors/index.js';
import { encodeEcdheParams } from '../../src/handshake/messages/server-key-exchange.js';
import {
  chooseSignatureScheme12,
  signCertificateVerify12,
  signServerKeyExchange12,
  verifyCertificateVerify12,
  verifyServerKeyExchange12,
} from '../../src/handshake/shared/signatures12.js';
import { NamedGroup, SignatureScheme as S } from '../../src/wire/enums.js';

const keys = new Map<string, PrivateKey>();
function key(spec: KeyGenSpec): PrivateKey {
  const id = JSON.stringify(spec);
  let k = keys.get(id);
  if (!k) keys.set(id, (k = P.generatePrivateKey(spec)));
  return k;
}
const P256 = () => key({ type: 'ec', curve: 'P-256' });
const P384 = () => key({ type: 'ec', curve: 'P-384' });
const RSA = () => key({ type: 'rsa', bits: 2048 });
const ED = () => key({ type: 'ed25519' });

const CR = P.randomBytes(32);
const SR = P.randomBytes(32);
const PARAMS = encodeEcdheParams(NamedGroup.x25519, P.randomBytes(32));
const MESSAGES = P.randomBytes(700); // stands in for ClientHello … ClientKeyExchange
const ALL = DEFAULT_SIGNATURE_SCHEMES;

function alert(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlsError) return `${e.alertName}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

const CASES: [string, () => PrivateKey, number][] = [
  ['ECDSA P-256 / SHA-256', P256, S.ecdsa_secp256r1_sha256],
  ['ECDSA P-384 / SHA-384', P384, S.ecdsa_secp384r1_sha384],
  ['ECDSA P-384 / SHA-256 (TLS 1.2 does not bind the curve)', P384, S.ecdsa_secp256r1_sha256],
  ['RSA PKCS#1 SHA-256', RSA, S.rsa_pkcs1_sha256],
  ['RSA PKCS#1 SHA-384', RSA, S.rsa_pkcs1_sha384],
  ['RSA PKCS#1 SHA-512', RSA, S.rsa_pkcs1_sha512],
  ['RSA-PSS (rsae) SHA-256', RSA, S.rsa_pss_rsae_sha256],
  ['RSA-PSS (rsae) SHA-512', RSA, S.rsa_pss_rsae_sha512],
  ['Ed25519', ED, S.ed25519],
];

describe('ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4)', () => {
  for (const [name, k, scheme] of CASES) {
    test(`round trip: ${name}`, () => {
      const sig = signServerKeyExchange12(P, k(), scheme, CR, SR, PARAMS);
      verifyServerKeyExchange12(P, k().publicKey, scheme, ALL, CR, SR, PARAMS, sig);
      // The signature covers both randoms and the params: any change is decrypt_error.
      const swapped = alert(() => verifyServerKeyExchange12(P, k().publicKey, scheme, ALL, SR, CR, PARAMS, sig));
      assert.match(swapped, /^decrypt_error: the server's ServerKeyExchange signature .* is invalid/);
      const otherParams = encodeEcdheParams(NamedGroup.x25519, P.randomBytes(32));
      assert.match(alert(() => verifyServerKeyExchange12(P, k().publicKey, scheme, ALL, CR, SR, otherParams, sig)), /^decrypt_error/);
      const tampered = sig.slice();
      tampered[tampered.length >> 1] ^= 0x04;
      assert.match(alert(() => verifyServerKeyExchange12(P, k().publicKey, scheme, ALL, CR, SR, PARAMS, tampered)), /^decrypt_error/);
    });
  }

  test('a scheme we did not offer is illegal_parameter', () => {
    const sig = signServerKeyExchange12(P, RSA(), S.rsa_pkcs1_sha256, CR, SR, PARAMS);
    const offered = [S.ecdsa_secp256r1_sha256, S.rsa_pss_rsae_sha256];
    assert.match(
      alert(() => verifyServerKeyExchange12(P, RSA().publicKey, S.rsa_pkcs1_sha256, offered, CR, SR, PARAMS, sig)),
      /^illegal_parameter: the peer signed its ServerKeyExchange with rsa_pkcs1_sha256, which we did not offer/,
    );
  });

  test('a scheme that does not fit the certificate key is illegal_parameter', () => {
    const sig = signServerKeyExchange12(P, P256(), S.ecdsa_secp256r1_sha256, CR, SR, PARAMS);
    assert.match(
      alert(() => verifyServerKeyExchange12(P, P256().publicKey, S.rsa_pss_rsae_sha256, ALL, CR, SR, PARAMS, sig)),
      /^illegal_parameter: .*rsa_pss_rsae_sha256, which does not fit its ECDSA P-256 certificate key/,
    );
    assert.match(alert(() => verifyServerKeyExchange12(P, RSA().publicKey, S.ed25519, ALL, CR, SR, PARAMS, sig)), /^illegal_parameter/);
    // rsa_pss_pss_* needs an id-RSASSA-PSS key, not an rsaEncryption one.
    assert.match(alert(() => verifyServerKeyExchange12(P, RSA().publicKey, S.rsa_pss_pss_sha256, ALL, CR, SR, PARAMS, sig)), /^illegal_parameter/);
    // An unknown code point (here SHA-1) is never offered by hush.
    assert.match(alert(() => verifyServerKeyExchange12(P, RSA().publicKey, S.rsa_pkcs1_sha1, [...ALL, S.rsa_pkcs1_sha1], CR, SR, PARAMS, sig)), /^illegal_parameter/);
  });

  test('a valid signature by another key is decrypt_error', () => {
    const other = P.generatePrivateKey({ type: 'ec', curve: 'P-256' });
    const sig = signServerKeyExchange12(P, other, S.ecdsa_secp256r1_sha256, CR, SR, PARAMS);
    assert.match(alert(() => verifyServerKeyExchange12(P, P256().publicKey, S.ecdsa_secp256r1_sha256, ALL, CR, SR, PARAMS, sig)), /^decrypt_error/);
  });
});

describe('CertificateVerify (RFC 5246 §7.4.8)', () => {
  for (const [name, k, scheme] of CASES) {
    test(`round trip: ${name}`, () => {
      const sig = signCertificateVerify12(P, k(), scheme, MESSAGES);
      verifyCertificateVerify12(P, k().publicKey, scheme, ALL, MESSAGES, sig);
      const moreMessages = new Uint8Array([...MESSAGES, 0]);
      assert.match(
        alert(() => verifyCertificateVerify12(P, k().publicKey, scheme, ALL, moreMessages, sig)),
        /^decrypt_error: the client's CertificateVerify signature .* is invalid/,
      );
      const tampered = sig.slice();
      tampered[tampered.length - 1] ^= 0x01;
      assert.match(alert(() => verifyCertificateVerify12(P, k().publicKey, scheme, ALL, MESSAGES, tampered)), /^decrypt_error/);
      assert.match(alert(() => verifyCertificateVerify12(P, k().publicKey, scheme, ALL, MESSAGES, new Uint8Array(0))), /^decrypt_error/);
    });
  }

  test('wrong scheme: not in CertificateRequest, or not fitting the key → illegal_parameter', () => {
    const sig = signCertificateVerify12(P, ED(), S.ed25519, MESSAGES);
    assert.match(alert(() => verifyCertificateVerify12(P, ED().publicKey, S.ed25519, [S.ecdsa_secp256r1_sha256], MESSAGES, sig)), /^illegal_parameter: .*CertificateVerify with ed25519, which we did not offer/);
    assert.match(alert(() => verifyCertificateVerify12(P, ED().publicKey, S.ecdsa_secp256r1_sha256, ALL, MESSAGES, sig)), /^illegal_parameter: .*does not fit its Ed25519 certificate key/);
  });

  test('the scheme decides the hash: a PKCS#1 SHA-256 signature does not verify as SHA-384', () => {
    const sig = signCertificateVerify12(P, RSA(), S.rsa_pkcs1_sha256, MESSAGES);
    assert.match(alert(() => verifyCertificateVerify12(P, RSA().publicKey, S.rsa_pkcs1_sha384, ALL, MESSAGES, sig)), /^decrypt_error/);
    assert.match(alert(() => verifyCertificateVerify12(P, RSA().publicKey, S.rsa_pss_rsae_sha256, ALL, MESSAGES, sig)), /^decrypt_error/);
  });
});

describe('chooseSignatureScheme12 (RFC 5246 §7.4.1.4.1)', () => {
  test('no signature_algorithms from the peer means SHA-1, which hush does not do: undefined', () => {
    for (const k of [P256, RSA, ED]) assert.equal(chooseSignatureScheme12(k(), undefined, ALL), undefined);
  });

  test('RSA keys prefer RSA-PSS (rsae) and fall back to PKCS#1 v1.5', () => {
    assert.equal(chooseSignatureScheme12(RSA(), ALL, ALL), S.rsa_pss_rsae_sha256);
    // Even when our own list puts PKCS#1 first.
    assert.equal(chooseSignatureScheme12(RSA(), ALL, [S.rsa_pkcs1_sha256, S.rsa_pss_rsae_sha384]), S.rsa_pss_rsae_sha384);
    assert.equal(chooseSignatureScheme12(RSA(), [S.rsa_pkcs1_sha384, S.rsa_pkcs1_sha256], ALL), S.rsa_pkcs1_sha256);
    assert.equal(chooseSignatureScheme12(RSA(), [S.rsa_pkcs1_sha512], ALL), S.rsa_pkcs1_sha512);
    // rsa_pss_pss_* needs an RSASSA-PSS key; SHA-1 is not ours.
    assert.equal(chooseSignatureScheme12(RSA(), [S.rsa_pss_pss_sha256, S.rsa_pkcs1_sha1, S.ecdsa_secp256r1_sha256], ALL), undefined);
  });

  test('ECDSA keys prefer the curve\'s own hash but take any hash the peer offers', () => {
    assert.equal(chooseSignatureScheme12(P256(), ALL, ALL), S.ecdsa_secp256r1_sha256);
    assert.equal(chooseSignatureScheme12(P384(), ALL, ALL), S.ecdsa_secp384r1_sha384);
    assert.equal(chooseSignatureScheme12(P384(), [S.ecdsa_secp256r1_sha256, S.rsa_pss_rsae_sha256], ALL), S.ecdsa_secp256r1_sha256);
    assert.equal(chooseSignatureScheme12(P256(), [S.ecdsa_secp521r1_sha512], ALL), S.ecdsa_secp521r1_sha512);
    assert.equal(chooseSignatureScheme12(P256(), [S.ecdsa_sha1, S.ed25519, S.rsa_pkcs1_sha256], ALL), undefined);
  });

  test('Ed25519 is allowed in TLS 1.2 (RFC 8422 §5.1.3)', () => {
    assert.equal(chooseSignatureScheme12(ED(), ALL, ALL), S.ed25519);
    assert.equal(chooseSignatureScheme12(ED(), [S.ecdsa_secp256r1_sha256], ALL), undefined);
  });

  test('only schemes on both lists: ours limits too', () => {
    assert.equal(chooseSignatureScheme12(P256(), ALL, [S.ed25519, S.rsa_pss_rsae_sha256]), undefined);
    assert.equal(chooseSignatureScheme12(P256(), [], ALL), undefined);
    assert.equal(chooseSignatureScheme12(RSA(), ALL, [S.rsa_pkcs1_sha384]), S.rsa_pkcs1_sha384);
  });

  test('the chosen scheme signs and verifies for every key', () => {
    for (const k of [P256, P384, RSA, ED]) {
      const scheme = chooseSignatureScheme12(k(), ALL, ALL)!;
      const sig = signServerKeyExchange12(P, k(), scheme, CR, SR, PARAMS);
      verifyServerKeyExchange12(P, k().publicKey, scheme, ALL, CR, SR, PARAMS, sig);
    }
  });
});
