// The Go 1.24 ECH server (test/interop/go/ech-server) and its PKI, for the ECH client tests:
// certificates for the public name and the inner name from one throwaway CA.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { toHex } from '../../src/bytes/index.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { generateTestKey, privateKeyPem, testCa, testCert } from '../pki.js';
import type { TestEchKey } from '../handshake/ech/keys.js';
import { buildGoProgram, startProcess, tempDir } from './peers.js';

export const PUBLIC_NAME = 'public.example';
export const SECRET_NAME = 'secret.example';

export interface EchFiles {
  readonly trust: TrustStore;
  readonly caFile: string;
  readonly publicCert: string;
  readonly publicKey: string;
  readonly secretCert: string;
  readonly secretKey: string;
}

export function makeEchFiles(): EchFiles {
  const dir = tempDir('hush-ech-');
  const ca = testCa('CN=hush ECH interop CA');
  const leaf = (name: string) => testCert(generateTestKey('p256'), ca, { subject: `CN=${name}`, dnsNames: [name], extKeyUsage: ['serverAuth'] });
  const pub = leaf(PUBLIC_NAME);
  const sec = leaf(SECRET_NAME);
  const write = (n: string, t: string) => {
    const p = path.join(dir, n);
    writeFileSync(p, t);
    return p;
  };
  return {
    trust: new TrustStore([ca.pem]),
    caFile: write('ca.pem', ca.pem),
    publicCert: write('public.pem', pub.pem + ca.pem),
    publicKey: write('public.key', privateKeyPem(pub.key)),
    secretCert: write('secret.pem', sec.pem + ca.pem),
    secretKey: write('secret.key', privateKeyPem(sec.key)),
  };
}

export interface GoEchServer {
  readonly port: number;
  log(): string;
  stop(): Promise<void>;
}

/** Start the Go server with these ECH keys (`retry`: sent in retry_configs when it rejects). */
export async function startGoEchServer(
  files: EchFiles,
  keys: readonly { key: TestEchKey; retry?: boolean }[],
  o: { groups?: string; http?: boolean; tls12?: boolean } = {},
): Promise<GoEchServer> {
  const bin = await buildGoProgram('ech-server');
  const args = ['-addr', '127.0.0.1:0', '-cert', files.publicCert, '-key', files.publicKey, '-cert2', files.secretCert, '-key2', files.secretKey];
  for (const k of keys) args.push('-ech', `${toHex(k.key.config)}:${toHex(k.key.sk)}${k.retry ? ':retry' : ''}`);
  if (o.groups) args.push('-groups', o.groups);
  if (o.http) args.push('-http');
  if (o.tls12) args.push('-tls12');
  const p = await startProcess(bin, args, { readyRegex: /^LISTENING \d+$/m, timeoutMs: 10_000 });
  const port = Number(/^LISTENING (\d+)$/m.exec(p.stdout())![1]);
  return { port, log: () => p.stderr(), stop: () => p.stop() };
}

/** Wait (bounded, 5 s) until the Go server logged its n-th handshake line. */
export async function goHandshakes(srv: GoEchServer, n: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const lines = srv.log().split('\n').filter((l) => /handshake/.test(l));
    if (lines.length >= n) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the Go server logged fewer than ${n} handshakes:\n${srv.log()}`);
}
