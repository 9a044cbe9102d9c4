// A throwaway PKI for the benchmark, made in memory with hush's own certificate builder: a P-256
// CA and two localhost leaves (ECDSA P-256, RSA-2048). Nothing is written to disk; the PEM text
// is handed to the server process over IPC.
import { nodeCryptoProvider as provider } from '../crypto/node/index.js';
import type { PrivateKey } from '../crypto/provider.js';
import { toBase64 } from '../bytes/util.js';
import { issueCertificate } from '../x509/builder.js';

export type CertKind = 'ecdsa' | 'rsa';

export interface BenchPki {
  readonly caPem: string;
  /** Leaf then CA, and the PKCS#8 key, per certificate kind. */
  readonly leaves: Readonly<Record<CertKind, { readonly certPem: string; readonly keyPem: string }>>;
}

const DAY = 86_400_000;

function keyPem(key: PrivateKey): string {
  const b64 = toBase64(provider.exportPrivateKey(key)).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

export function makeBenchPki(now = Date.now()): BenchPki {
  const caKey = provider.generatePrivateKey({ type: 'ec', curve: 'P-256' });
  const ca = issueCertificate({
    provider,
    subject: 'CN=hush bench CA',
    key: caKey,
    notBefore: now - DAY,
    notAfter: now + 7 * DAY,
    ca: { pathLen: 0 },
  });
  const leaf = (key: PrivateKey): { certPem: string; keyPem: string } => {
    const cert = issueCertificate({
      provider,
      subject: 'CN=localhost',
      key: key.publicKey,
      issuer: { certificate: ca.der, key: caKey },
      notBefore: now - DAY,
      notAfter: now + 7 * DAY,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    return { certPem: cert.pem + ca.pem, keyPem: keyPem(key) };
  };
  return {
    caPem: ca.pem,
    leaves: {
      ecdsa: leaf(provider.generatePrivateKey({ type: 'ec', curve: 'P-256' })),
      rsa: leaf(provider.generatePrivateKey({ type: 'rsa', bits: 2048 })),
    },
  };
}
