// Test certificates made in memory with hush's own builder (test/pki.ts): a CA, a localhost server
// certificate (DNS:localhost, IP:127.0.0.1) and a client certificate, all ECDSA P-256. PEM text.
import { generateTestKey, privateKeyPem, testCa, testCert } from '../pki.js';

export interface TestCerts {
  caCert: string;
  caKey: string;
  /** Self-signed localhost certificate (its own CA). */
  selfCert: string;
  selfKey: string;
  /** Issued by caCert. */
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Nothing to remove (kept so callers need not care). */
  cleanup(): void;
}

export function makeCerts(): TestCerts {
  const localhost = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
  // Self-signed like `openssl req -x509`: a CA certificate that also names localhost.
  const self = testCa('CN=localhost', { ...localhost, keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'] });
  const ca = testCa('CN=hush test CA');
  const server = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', ...localhost, extKeyUsage: ['serverAuth'] });
  const client = testCert(generateTestKey('p256'), ca, { subject: 'CN=hush test client', extKeyUsage: ['clientAuth'] });
  return {
    caCert: ca.pem, caKey: privateKeyPem(ca.key),
    selfCert: self.pem, selfKey: privateKeyPem(self.key),
    serverCert: server.pem, serverKey: privateKeyPem(server.key),
    clientCert: client.pem, clientKey: privateKeyPem(client.key),
    cleanup: () => {},
  };
}
