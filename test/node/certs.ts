// Test certificates made with openssl into a temp dir: a CA, a localhost server certificate
// (DNS:localhost, IP:127.0.0.1) and a client certificate, all ECDSA P-256.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
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
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'hush-node-test-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.crt', '-days', '30', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=hush test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  for (const [name, subj] of [['server', '/CN=localhost'], ['client', '/CN=hush test client']] as const) {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '30', '-extfile', `${name}.ext`]);
  }
  const r = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caCert: r('ca.crt'), caKey: r('ca.key'),
    selfCert: r('self.crt'), selfKey: r('self.key'),
    serverCert: r('server.crt'), serverKey: r('server.key'),
    clientCert: r('client.crt'), clientKey: r('client.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
