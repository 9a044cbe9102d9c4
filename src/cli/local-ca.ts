// A local certificate authority for development, kept in the hush home folder (HUSH_HOME, default
// ~/.hush): created on first use, reused afterwards. Keys are written owner-only (0600).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { parseIp } from '../x509/ip.js';
import type { CryptoProvider, KeyGenSpec, PrivateKey } from '../crypto/provider.js';
import { nodeCryptoProvider } from '../crypto/node/index.js';
import { issueCertificate } from '../x509/builder.js';
import { parseCertificates, type Certificate } from '../x509/certificate.js';
import { equal, toBase64 } from '../bytes/util.js';

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

/** Key types `hush ca issue --key` makes, and what the provider generates for each. */
export const LEAF_KEY_TYPES: Readonly<Record<string, KeyGenSpec>> = {
  'ecdsa-p256': { type: 'ec', curve: 'P-256' },
  'ecdsa-p384': { type: 'ec', curve: 'P-384' },
  ed25519: { type: 'ed25519' },
  'rsa-2048': { type: 'rsa', bits: 2048 },
  'ml-dsa-44': { type: 'ml-dsa-44' },
  'ml-dsa-65': { type: 'ml-dsa-65' },
  'ml-dsa-87': { type: 'ml-dsa-87' },
};
export const DEFAULT_LEAF_KEY = 'ecdsa-p256';

/** Whether a certificate's key is of the kind `spec` generates. */
function keyIs(leaf: Certificate, spec: KeyGenSpec): boolean {
  if (leaf.spki.keyType !== spec.type) return false;
  if (spec.type === 'ec') return leaf.spki.curve === spec.curve;
  return true;
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

/**
 * Something in the hush home folder is in the way: an incomplete CA, or certificate files that cannot
 * be reused. `hint` says how to go on (e.g. which flag replaces it); the message says what exists.
 */
export class LocalCaError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(`${message}; ${hint}`);
  }
}

function caPaths(home: string): { caCertPath: string; caKeyPath: string } {
  return { caCertPath: join(home, 'ca.pem'), caKeyPath: join(home, 'ca-key.pem') };
}

/** Read the CA from `home`; undefined when neither file exists; LocalCaError when one is missing or unreadable. */
export function loadLocalCa(home = hushHome(), provider: CryptoProvider = nodeCryptoProvider): LocalCa | undefined {
  const { caCertPath, caKeyPath } = caPaths(home);
  const hasCert = existsSync(caCertPath);
  const hasKey = existsSync(caKeyPath);
  if (!hasCert && !hasKey) return undefined;
  const replace = "restore it, or replace the CA with 'hush ca --force' (certificates it issued will no longer be trusted)";
  if (!hasKey) throw new LocalCaError(`the CA certificate ${caCertPath} exists but its private key ${caKeyPath} is missing`, replace);
  if (!hasCert) throw new LocalCaError(`the CA key ${caKeyPath} exists but its certificate ${caCertPath} is missing`, replace);
  let caPem: string;
  let caCertificate: Certificate | undefined;
  let caKey: PrivateKey;
  try {
    caPem = readFileSync(caCertPath, 'utf8');
    caCertificate = parseCertificates(caPem)[0];
    caKey = provider.importPrivateKey(readFileSync(caKeyPath, 'utf8'));
  } catch (e) {
    throw new LocalCaError(`the CA in ${home} cannot be read (${(e as Error).message})`, "fix or remove ca.pem and ca-key.pem, or replace them with 'hush ca --force'");
  }
  if (!caCertificate) throw new LocalCaError(`${caCertPath} holds no certificate`, "fix or remove it, or replace the CA with 'hush ca --force'");
  return { home, caCertPath, caKeyPath, caPem, caCertificate, caKey, created: false };
}

/**
 * Load the local CA, creating it (and the home folder) on first use. An incomplete or unreadable CA
 * (a ca.pem without its key, …) is never replaced silently: LocalCaError, unless `force`.
 */
export function ensureLocalCa(
  home = hushHome(),
  provider: CryptoProvider = nodeCryptoProvider,
  now = Date.now(),
  opts: { force?: boolean } = {},
): LocalCa {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const { caCertPath, caKeyPath } = caPaths(home);
  try {
    const existing = loadLocalCa(home, provider);
    if (existing) return existing;
  } catch (e) {
    if (!(e instanceof LocalCaError) || !opts.force) throw e;
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

/** A file-name-safe label for a set of names: the first one, `*.` spelled `_wildcard.` (as mkcert does). */
function fileLabel(names: readonly string[]): string {
  return names[0]!.replace(/^\*\./, '_wildcard.').replace(/[^A-Za-z0-9.-]/g, '_');
}

function sanCovers(leaf: Certificate, name: string): boolean {
  const ip = parseIp(name);
  return (leaf.subjectAltName ?? []).some((g) =>
    ip ? g.type === 'ip' && equal(g.bytes, ip) : g.type === 'dns' && g.value.toLowerCase() === name.toLowerCase(),
  );
}

function sanText(leaf: Certificate): string {
  return (leaf.subjectAltName ?? []).map((g) => (g.type === 'ip' ? g.text : g.type === 'dns' ? g.value : g.type)).join(', ');
}

/**
 * Why the stored files at certPath/keyPath cannot serve `names` (undefined: they can): they must
 * both exist, be issued by this CA, cover every name and have more than 30 days left.
 */
function whyNotReusable(
  ca: LocalCa,
  names: readonly string[],
  certPath: string,
  keyPath: string,
  now: number,
  key: string | undefined,
): { what: string; why: string } | undefined {
  if (!existsSync(certPath)) return { what: `${keyPath} exists`, why: `its certificate ${certPath} is missing` };
  let chain: Certificate[];
  try {
    chain = parseCertificates(readFileSync(certPath, 'utf8'));
  } catch (e) {
    return { what: `${certPath} exists`, why: `it cannot be read (${(e as Error).message})` };
  }
  const leaf = chain[0];
  if (!leaf) return { what: `${certPath} exists`, why: 'it holds no certificate' };
  const what = `${certPath} exists (${sanText(leaf) || leaf.subject.text}, expires ${new Date(leaf.notAfter).toISOString().slice(0, 10)})`;
  if (!existsSync(keyPath)) return { what, why: `its key ${keyPath} is missing` };
  const issuer = chain[1];
  if (!issuer || !equal(issuer.raw, ca.caCertificate.raw)) return { what, why: `it was not issued by the CA in ${ca.caCertPath}` };
  const missing = names.filter((n) => !sanCovers(leaf, n));
  if (missing.length) return { what, why: `it does not cover ${missing.join(', ')}` };
  if (leaf.notBefore > now) return { what, why: 'it is not valid yet' };
  if (leaf.notAfter - now <= 30 * DAY) return { what, why: 'it expires within 30 days' };
  if (key !== undefined && !keyIs(leaf, LEAF_KEY_TYPES[key]!)) return { what, why: `its key is not ${key}` };
  return undefined;
}

/**
 * Issue (or reuse) a server certificate from the local CA for `names` (DNS names and IP literals,
 * already checked), stored as NAME.pem / NAME-key.pem in the home folder. Stored files are reused
 * while they come from this CA, cover the names and have more than 30 days left. Otherwise
 * `existing` decides: 'renew' replaces them (hush serve's own localhost certificate), 'refuse'
 * throws LocalCaError saying what exists, 'replace' always writes new files (--force).
 */
export function issueLocalCertificate(
  ca: LocalCa,
  names: readonly string[],
  provider: CryptoProvider = nodeCryptoProvider,
  now = Date.now(),
  opts: {
    label?: string;
    clientAuth?: boolean;
    existing?: 'renew' | 'refuse' | 'replace';
    /** A LEAF_KEY_TYPES name; stored files with another key type are not reused. Default ecdsa-p256. */
    key?: string;
  } = {},
): IssuedFiles {
  if (names.length === 0) throw new Error('at least one name is needed');
  const keySpec = LEAF_KEY_TYPES[opts.key ?? DEFAULT_LEAF_KEY];
  if (!keySpec || !Object.hasOwn(LEAF_KEY_TYPES, opts.key ?? DEFAULT_LEAF_KEY)) throw new Error(`unknown key type '${String(opts.key)}'`);
  const label = opts.label ?? fileLabel(names);
  const certPath = join(ca.home, `${label}.pem`);
  const keyPath = join(ca.home, `${label}-key.pem`);
  const existing = opts.existing ?? 'renew';
  if (existing !== 'replace' && (existsSync(certPath) || existsSync(keyPath))) {
    const no = whyNotReusable(ca, names, certPath, keyPath, now, opts.key);
    if (!no) return { certPath, keyPath, chainPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8'), created: false };
    if (existing === 'refuse') throw new LocalCaError(`${no.what}, but ${no.why}`, 'add --force to replace it');
  }
  const key = provider.generatePrivateKey(keySpec);
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
