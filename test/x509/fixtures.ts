// Shared helpers for the X.509 tests: keys, CAs and leaves built with hush's own builder.
import assert from 'node:assert/strict';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import type { PrivateKey } from '../../src/crypto/provider.js';
import {
  issueCertificate,
  verifyServerChain,
  type Certificate,
  type IssueCertificateOptions,
  type VerifyChainOptions,
  type VerifyResult,
} from '../../src/x509/index.js';

export const provider = nodeCryptoProvider;
/** Validity used by default: 2025-01-01 .. 2035-01-01; checks run at 2026-01-01. */
export const NOT_BEFORE = Date.UTC(2025, 0, 1);
export const NOT_AFTER = Date.UTC(2035, 0, 1);
export const AT = new Date(Date.UTC(2026, 0, 1));

export function ecKey(curve: 'P-256' | 'P-384' = 'P-256'): PrivateKey {
  return provider.generatePrivateKey({ type: 'ec', curve });
}

let rsa: PrivateKey | undefined;
/** One RSA-2048 key per process (generation is slow); reused wherever RSA is needed. */
export function rsaKey(): PrivateKey {
  rsa ??= provider.generatePrivateKey({ type: 'rsa', bits: 2048 });
  return rsa;
}

export interface Issued {
  readonly key: PrivateKey;
  readonly cert: Certificate;
  readonly pem: string;
  readonly der: Uint8Array;
}

type Opts = Partial<Omit<IssueCertificateOptions, 'issuer' | 'provider'>>;

/** A CA certificate: self-signed when `issuer` is omitted. */
export function mkCa(subject: string, issuer?: Issued, o: Opts = {}): Issued {
  const key = (o.key as PrivateKey | undefined) ?? ecKey();
  const r = issueCertificate({
    provider,
    subject,
    key,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    ca: true,
    ...o,
    ...(issuer ? { issuer: { certificate: issuer.cert, key: issuer.key } } : {}),
  });
  return { key, cert: r.certificate, pem: r.pem, der: r.der };
}

/** A server certificate for www.example.com (unless dnsNames says otherwise). */
export function mkLeaf(issuer: Issued | undefined, o: Opts = {}): Issued {
  const key = (o.key as PrivateKey | undefined) ?? ecKey();
  const r = issueCertificate({
    provider,
    subject: 'CN=www.example.com',
    key,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    dnsNames: ['www.example.com'],
    ...o,
    ...(issuer ? { issuer: { certificate: issuer.cert, key: issuer.key } } : {}),
  });
  return { key, cert: r.certificate, pem: r.pem, der: r.der };
}

export function verify(o: Partial<VerifyChainOptions> & Pick<VerifyChainOptions, 'leaf' | 'roots'>): VerifyResult {
  return verifyServerChain({ hostname: 'www.example.com', at: AT, provider, ...o });
}

export function assertOk(r: VerifyResult, chain?: string[]): void {
  if (!r.ok) assert.fail(`expected a valid chain, got: ${r.error.message}`);
  if (chain) assert.deepEqual(r.chain.map((c) => c.subject.text), chain);
}

/** Assert a failure with this check, alert and message. */
export function assertFail(r: VerifyResult, check: string, alert: string, message: RegExp | string): void {
  if (r.ok) assert.fail(`expected failure (${check}), got a valid chain: ${r.chain.map((c) => c.subject.text).join(' <- ')}`);
  assert.equal(r.error.check, check, r.error.message);
  assert.equal(r.error.alertName, alert, r.error.message);
  if (typeof message === 'string') assert.equal(r.error.message, message);
  else assert.match(r.error.message, message);
}
