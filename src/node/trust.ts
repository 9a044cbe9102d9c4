// Trust stores for Node: the Mozilla roots bundled with Node (tls.rootCertificates, the
// default), the operating system's bundle, or PEM files. All parse lazily (src/x509/trust-store.ts).
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { UsageError } from '../errors/errors.js';
import { TrustStore } from '../x509/trust-store.js';

/** Where Debian/Ubuntu, Fedora/RHEL, Alpine, openSUSE and macOS (Homebrew) keep the system bundle. */
export const SYSTEM_BUNDLE_PATHS: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
  '/usr/local/etc/openssl/cert.pem',
];

let bundled: TrustStore | undefined;

/** Node's bundled Mozilla root certificates (shared, parsed on first use). */
export function defaultTrustStore(): TrustStore {
  bundled ??= new TrustStore(rootCertificates, { rootProgram: true });
  return bundled;
}

/** The operating system's CA bundle: the first existing file of SYSTEM_BUNDLE_PATHS, or `path`. */
export function systemTrustStore(path?: string): TrustStore {
  const paths = path ? [path] : SYSTEM_BUNDLE_PATHS;
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch {
      continue;
    }
    return TrustStore.fromPem(text, { rootProgram: true });
  }
  throw new UsageError(`no system CA bundle found (looked in ${paths.join(', ')})`);
}

/** A trust store from PEM files (each may hold many certificates). */
export function trustStoreFromFiles(...files: readonly string[]): TrustStore {
  const store = new TrustStore();
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read CA file '${f}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const before = store.size;
    store.add(text);
    if (store.size === before) throw new UsageError(`CA file '${f}' has no PEM CERTIFICATE blocks`);
  }
  return store;
}
