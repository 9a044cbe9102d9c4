// A local certificate authority for development, kept in the hush home folder (HUSH_HOME, default
// ~/.hush): created on first use, reused afterwards. Keys are written owner-only (0600).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { CryptoProvider, PrivateKey } from '../crypto/provider.js';
import { nodeCryptoProvider } from '../crypto/node/index.js';
import { issueCertificate } from '../x509/builder.js';
import { parseCertificates, type Certificate } from '../x509/certificate.js';
import { toBase64 } from '../bytes/util.js';

const DAY = 86_400_000;
/** CA lifetime: long enough not to bother anyone; it never leaves this machine. */
const CA_DAYS = 3650;
/** Leaf lifetime: under the 398 days browsers accept for server certificates. */
const LEAF_DAYS = 397;

export interface LocalCa {
  readonly home: string;
  readonly caCertPath: string;
  readonly caKeyPath: string;
  readonly caPem: string;
  readonly caCertificate: Certificate;
  readonly caKey: PrivateKey;
  /** True when this call created the CA. */
  readonly created: boolean;
}

export interface IssuedFiles {
  readonly certPath: string;
  readonly keyPath: string;
  /** Leaf followed by the CA certificate. */
  readonly chainPem: string;
  readonly keyPem: string;
  readonly created: boolean;
}

/** The hush home folder: $HUSH_HOME, or ~/.hush. */
export function hushHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.HUSH_HOME && env.HUSH_HOME.length > 0 ? env.HUSH_HOME : join(homedir(), '.hush');
}

function pemKey(provider: CryptoProvider, key: PrivateKey): string {
  const b64 = toBase64(provider.exportPrivateKey(key)).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync keeps the mode of an existing file
}

/** Load the local CA, creating it (and the home folder) on first use. */
export function ensureLocalCa(home = hushHome(), provider: CryptoProvider = nodeCryptoProvider, now = Date.now()): LocalCa {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const caCertPath = join(home, 'ca.pem');
  const caKeyPath = join(home, 'ca-key.pem');
  if (existsSync(caCertPath) && existsSync(caKeyPath)) {
    const caPem = readFileSync(caCertPath, 'utf8');
    const caKey = provider.importPrivateKey(readFileSync(caKeyPath, 'utf8'));
    return { home, caCertPath, caKeyPath, caPem, caCertificate: parseCertificates(caPem)[0]!, caKey, created: false };
  }
  const caKey = provider.generatePrivateKey({ type: 'ec', curve: 'P-256' });
  const user = process.env.USER ?? 'local';
  const ca = issueCertificate({
    provider,
    subject: [
      ['O', 'hush local development CA'],
      ['CN', `hush local CA (${user})`],
    ],
    key: caKey,
    notBefore: now - DAY,
    notAfter: now + CA_DAYS * DAY,
    ca: { pathLen: 0 },
  });
  writePrivate(caKeyPath, pemKey(provider, caKey));
  writeFileSync(caCertPath, ca.pem);
  return { home, caCertPath, caKeyPath, caPem: ca.pem, caCertificate: ca.certificate, caKey, created: true };
}

/** A file-name-safe label for a set of names. */
function fileLabel(names: readonly string[]): string {
  return names[0]!.replace(/[^A-Za-z0-9.-]/g, '_').replace(/^\*/, 'wildcard');
}

/**
 * Issue (or reuse) a server certificate from the local CA for `names` (DNS names and IP
 * literals), stored as NAME.pem / NAME-key.pem in the home folder. A stored certificate is reused
 * while it covers the names and has more than 30 days left.
 */
export function issueLocalCertificate(
  ca: LocalCa,
  names: readonly string[],
  provider: CryptoProvider = nodeCryptoProvider,
  now = Date.now(),
  opts: { label?: string; clientAuth?: boolean } = {},
): IssuedFiles {
  if (names.length === 0) throw new Error('at least one name is needed');
  const label = opts.label ?? fileLabel(names);
  const certPath = join(ca.home, `${label}.pem`);
  const keyPath = join(ca.home, `${label}-key.pem`);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const chainPem = readFileSync(certPath, 'utf8');
    const leaf = parseCertificates(chainPem)[0];
    const sans = leaf?.subjectAltName ?? [];
    const covers = names.every((n) => sans.some((g) => (isIP(n) ? g.type === 'ip' && g.text === n : g.type === 'dns' && g.value === n.toLowerCase())));
    if (leaf && covers && leaf.notAfter - now > 30 * DAY && leaf.notBefore <= now) {
      return { certPath, keyPath, chainPem, keyPem: readFileSync(keyPath, 'utf8'), created: false };
    }
  }
  const key = provider.generatePrivateKey({ type: 'ec', curve: 'P-256' });
  const dnsNames = names.filter((n) => !isIP(n));
  const ipAddresses = names.filter((n) => isIP(n));
  const leaf = issueCertificate({
    provider,
    subject: [['CN', names[0]!]],
    key,
    issuer: { certificate: ca.caCertificate, key: ca.caKey },
    notBefore: now - DAY,
    notAfter: now + LEAF_DAYS * DAY,
    dnsNames,
    ipAddresses,
    extKeyUsage: opts.clientAuth ? ['serverAuth', 'clientAuth'] : ['serverAuth'],
  });
  const chainPem = leaf.pem + ca.caPem;
  const keyPem = pemKey(provider, key);
  writePrivate(keyPath, keyPem);
  writeFileSync(certPath, chainPem);
  return { certPath, keyPath, chainPem, keyPem, created: true };
}

/** The localhost certificate `hush serve` uses by default. */
export function ensureLocalhostCertificate(ca: LocalCa, provider: CryptoProvider = nodeCryptoProvider, now = Date.now()): IssuedFiles {
  return issueLocalCertificate(ca, ['localhost', '127.0.0.1', '::1'], provider, now, { label: 'localhost' });
}

/** SHA-256 of the CA's SubjectPublicKeyInfo, base64 (for Chromium's --ignore-certificate-errors-spki-list). */
export function spkiHash(cert: Certificate, provider: CryptoProvider = nodeCryptoProvider): string {
  return toBase64(provider.digest('sha256', cert.spki.raw));
}
