// Keys and certificates for the tests, made in memory: keys from node:crypto (through the node
// provider), certificates issued by hush's own builder (src/x509/builder.ts). No openssl CLI, so
// the in-memory tests run wherever node does; the interop harness writes these as files for its peers.
import { generateKeyPairSync } from 'node:crypto';
import { toBase64 } from '../src/bytes/util.js';
import { nodeCryptoProvider as provider } from '../src/crypto/node/index.js';
import type { PrivateKey } from '../src/crypto/provider.js';
import { issueCertificate, type IssueCertificateOptions, type IssuedCertificate } from '../src/x509/builder.js';

export const DAY = 86_400_000;

export type TestKeyKind = 'p256' | 'p384' | 'rsa2048' | 'rsaPss2048' | 'ed25519' | 'mldsa44' | 'mldsa65' | 'mldsa87';

/** A fresh private key of the given kind. rsaPss2048 is an id-RSASSA-PSS key (RFC 4055), unrestricted. */
export function generateTestKey(kind: TestKeyKind): PrivateKey {
  switch (kind) {
    case 'p256':
      return provider.generatePrivateKey({ type: 'ec', curve: 'P-256' });
    case 'p384':
      return provider.generatePrivateKey({ type: 'ec', curve: 'P-384' });
    case 'rsa2048':
      return provider.generatePrivateKey({ type: 'rsa', bits: 2048 });
    case 'ed25519':
      return provider.generatePrivateKey({ type: 'ed25519' });
    case 'mldsa44':
      return provider.generatePrivateKey({ type: 'ml-dsa-44' });
    case 'mldsa65':
      return provider.generatePrivateKey({ type: 'ml-dsa-65' });
    case 'mldsa87':
      return provider.generatePrivateKey({ type: 'ml-dsa-87' });
    case 'rsaPss2048': {
      // As DER, never as an exported KeyObject (the Node 20 KeyGenJob/export deadlock, see src/crypto/node/keys.ts).
      const { privateKey } = generateKeyPairSync('rsa-pss', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'der' },
        privateKeyEncoding: { type: 'pkcs8', format: 'der' },
      });
      return provider.importPrivateKey(new Uint8Array(privateKey));
    }
  }
}

/** PKCS#8 PEM ("PRIVATE KEY") of a key, as peers and key files expect it. */
export function privateKeyPem(key: PrivateKey): string {
  const b64 = toBase64(provider.exportPrivateKey(key)).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

export interface TestCert extends IssuedCertificate {
  readonly key: PrivateKey;
}

type CertOptions = Omit<IssueCertificateOptions, 'provider' | 'key' | 'issuer' | 'notBefore' | 'notAfter'> & {
  readonly notBefore?: Date | number;
  readonly notAfter?: Date | number;
};

/** Validity by default: from a day ago for 30 days. */
function validity(o: { readonly notBefore?: Date | number; readonly notAfter?: Date | number }): { notBefore: Date | number; notAfter: Date | number } {
  const now = Date.now();
  return { notBefore: o.notBefore ?? now - DAY, notAfter: o.notAfter ?? now + 30 * DAY };
}

/** A self-signed CA (basicConstraints CA:TRUE, keyUsage keyCertSign + cRLSign), P-256 unless `key` is given. */
export function testCa(subject: string, o: Partial<CertOptions> & { readonly key?: PrivateKey } = {}): TestCert {
  const { key = generateTestKey('p256'), ...rest } = o;
  return { key, ...issueCertificate({ provider, ca: true, ...rest, ...validity(o), subject, key }) };
}

/**
 * A certificate for `key` issued by `issuer` (self-signed when issuer is undefined), end-entity
 * (basicConstraints CA:FALSE) unless `ca` says otherwise.
 */
export function testCert(key: PrivateKey, issuer: TestCert | undefined, o: CertOptions): TestCert {
  return {
    key,
    ...issueCertificate({
      provider,
      ca: false,
      ...o,
      ...validity(o),
      key: issuer ? key.publicKey : key,
      ...(issuer ? { issuer: { certificate: issuer.der, key: issuer.key } } : {}),
    }),
  };
}
