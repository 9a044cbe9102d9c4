// Trust stores for Node: the Mozilla roots bundled with Node (tls.rootCertificates, the
// default) plus NODE_EXTRA_CA_CERTS like node, the operating system's bundle (`ca: 'system'`), or
// PEM files. All parse lazily (src/x509/trust-store.ts).
import { readFileSync } from 'node:fs';
import { rootCertificates as nodeRootCertificates } from 'node:tls';
import { UsageError } from '../errors/errors.js';
import { TrustStore } from '../x509/trust-store.js';
import { decodePem } from '../asn1/pem.js';

/** Where Debian/Ubuntu, Fedora/RHEL, Alpine, openSUSE and macOS (Homebrew) keep the system bundle. */
export const SYSTEM_BUNDLE_PATHS: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
  '/usr/local/etc/openssl/cert.pem',
];

/** Node's bundled Mozilla root certificates, as PEM (node's tls.rootCertificates; frozen). */
export const rootCertificates: readonly string[] = nodeRootCertificates;

let bundled: TrustStore | undefined;

/**
 * The roots used when no `ca` is given, like node's: the bundled Mozilla roots plus the
 * certificates of the file NODE_EXTRA_CA_CERTS names, read once, at first use. A file that cannot
 * be read or holds no certificate is ignored with a warning (as node does), not an error.
 */
export function defaultTrustStore(): TrustStore {
  if (bundled) return bundled;
  const store = new TrustStore(rootCertificates);
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra) addExtraCaCerts(store, extra);
  bundled = store;
  return store;
}

/**
 * Add the certificates of `path` that are not already roots (the file is often the system bundle,
 * which repeats most of them: a duplicate anchor would be tried twice in every path search).
 */
function addExtraCaCerts(store: TrustStore, path: string): void {
  let why: string;
  try {
    const blocks = decodePem(readFileSync(path, 'utf8')).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    if (blocks.length > 0) {
      const key = (der: Uint8Array): string => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
      const known = new Set(rootCertificates.flatMap((pem) => decodePem(pem).map((b) => key(b.der))));
      for (const b of blocks) {
        const k = key(b.der);
        if (known.has(k)) continue;
        known.add(k);
        store.add(b.der);
      }
      return;
    }
    why = 'the file holds no PEM CERTIFICATE block';
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    why = err.code === 'ENOENT' ? 'No such file or directory' : err.code === 'EACCES' ? 'Permission denied' : err.message;
  }
  process.emitWarning(`Ignoring extra certs from \`${path}\`, load failed: ${why}`, { code: 'HUSH_EXTRA_CA_CERTS' });
}

let system: TrustStore | undefined;

/** `ca: 'system'`: the operating system's bundle (systemTrustStore()), read once and shared. */
export function sharedSystemTrustStore(): TrustStore {
  system ??= systemTrustStore();
  return system;
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
    return TrustStore.fromPem(text);
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
