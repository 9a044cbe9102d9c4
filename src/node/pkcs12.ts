// node's `pfx` option: PKCS#12 (RFC 7292) files → certified keys. node:crypto has no PKCS#12
// reader, so the container, its MAC and its password-based encryption are read by node-forge
// (pinned; loaded on first use, only when a `pfx` is given): OpenSSL 3's default output (PBES2,
// PBKDF2-HMAC-SHA256, AES-256-CBC, SHA-256 MAC) and the legacy one (`-legacy`: 3DES and RC2-40,
// SHA-1 MAC, which node 20/24 themselves refuse). The key and certificates it yields are read by
// node:crypto and hush's X.509 parser as if given as `key` and `cert`.
import { createRequire } from 'node:module';
import type { CertifiedKey } from '../handshake/config.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { UsageError } from '../errors/errors.js';
import { equal } from '../bytes/util.js';
import { parseCertificates } from '../x509/certificate.js';

/** node's `pfx` shape: a PKCS#12 file, or a list of them, each possibly with its own passphrase. */
export type PfxInput = string | Uint8Array | readonly (string | Uint8Array | { buf: string | Uint8Array; passphrase?: string })[];

const CONVERT = 'convert it with `openssl pkcs12 -in file.p12 -nodes -out key-and-cert.pem` and pass key and cert';

// ------------------------------------------------------------------ the slice of node-forge used

interface ForgeAsn1 {
  readonly value: unknown;
}
interface ForgeBag {
  readonly type: string;
  readonly key?: unknown;
  readonly cert?: unknown;
  readonly asn1?: ForgeAsn1;
}
interface Forge {
  asn1: { fromDer(bytes: unknown, options: { strict: boolean; parseAllBytes: boolean }): ForgeAsn1; toDer(a: ForgeAsn1): { getBytes(): string } };
  util: { createBuffer(binary: string): unknown };
  pkcs12: { pkcs12FromAsn1(a: ForgeAsn1, strict: boolean, password: string | null): { safeContents: { safeBags: ForgeBag[] }[] } };
  pki: {
    oids: Record<string, string>;
    certificateToAsn1(cert: unknown): ForgeAsn1;
    privateKeyToAsn1(key: unknown): ForgeAsn1;
    wrapRsaPrivateKey(rsaKey: ForgeAsn1): ForgeAsn1;
  };
}

let forge: Forge | undefined;
function loadForge(): Forge {
  return (forge ??= createRequire(import.meta.url)('node-forge') as Forge);
}

// ------------------------------------------------------------------ errors as node gives them

/** node's error for a wrong passphrase (OpenSSL's reason, no code); hush's explanation in `hush`. */
function macVerifyFailure(): Error {
  return Object.assign(new Error('mac verify failure'), {
    hush: { message: 'the PKCS#12 MAC does not match: the passphrase is wrong (or the file is damaged)' },
  });
}

/** Names for OIDs forge does not name. */
const OID_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.5.14': 'PBMAC1 (RFC 9579)',
  '2.16.840.1.101.3.4.2.7': 'SHA3-224',
  '2.16.840.1.101.3.4.2.8': 'SHA3-256',
  '2.16.840.1.101.3.4.2.9': 'SHA3-384',
  '2.16.840.1.101.3.4.2.10': 'SHA3-512',
  '1.2.392.200011.61.1.1.1.2': 'Camellia-128-CBC',
  '1.2.392.200011.61.1.1.1.3': 'Camellia-192-CBC',
  '1.2.392.200011.61.1.1.1.4': 'Camellia-256-CBC',
};

function oidName(f: Forge, oid: string): string {
  const name = OID_NAMES[oid] ?? f.pki.oids[oid];
  return name === undefined ? oid : `${name} (${oid})`;
}

/** node's code for PKCS#12 data OpenSSL cannot read, naming what hush cannot read and how to convert it. */
function unsupported(what: string): Error {
  return Object.assign(new Error(`Unsupported PKCS12 PFX data: hush cannot read ${what}; ${CONVERT}`), { code: 'ERR_CRYPTO_UNSUPPORTED_OPERATION' });
}

/** forge's failure → node's error, or one that names the unsupported algorithm. */
function translate(f: Forge, e: unknown): Error {
  const err = e as Error & { oid?: string; contentType?: string };
  const m = typeof err?.message === 'string' ? err.message : String(e);
  if (/MAC could not be verified|wrong password|Failed to decrypt/i.test(m)) return macVerifyFailure();
  const mac = /unsupported MAC algorithm: ([\d.]+)/.exec(m);
  if (mac) return unsupported(`the MAC algorithm ${oidName(f, mac[1]!)}`);
  const oid = err.oid ?? err.contentType;
  if (oid !== undefined && /unsupported|only/i.test(m)) {
    const kind = /key derivation/i.test(m) ? 'the key derivation function' : /encryption|PBE/i.test(m) ? 'the encryption algorithm' : /integrity/i.test(m) ? 'the integrity mode' : /SafeBag/i.test(m) ? 'the bag type' : 'the content type';
    return unsupported(`${kind} ${oidName(f, oid)}`);
  }
  return new UsageError(`pfx is not a PKCS#12 file hush can read (${m}); ${CONVERT}`);
}

// ------------------------------------------------------------------ reading

/** The DER of a forge ASN.1 value. */
function der(f: Forge, a: ForgeAsn1): Uint8Array {
  return Buffer.from(f.asn1.toDer(a).getBytes(), 'binary');
}

/**
 * The private keys (PKCS#8 DER) and certificates (DER, file order) in one PKCS#12 file.
 * Passphrase undefined or '': like OpenSSL, both the empty password and no password are tried.
 */
export function readPkcs12(file: Uint8Array, passphrase: string | undefined): { keys: Uint8Array[]; certificates: Uint8Array[] } {
  const f = loadForge();
  let bags: ForgeBag[] | undefined;
  const passwords = passphrase === undefined || passphrase === '' ? ['', null] : [passphrase];
  let failure: Error | undefined;
  for (const password of passwords) {
    try {
      const asn1 = f.asn1.fromDer(f.util.createBuffer(Buffer.from(file).toString('binary')), { strict: true, parseAllBytes: true });
      bags = f.pkcs12.pkcs12FromAsn1(asn1, false, password).safeContents.flatMap((s) => s.safeBags);
      break;
    } catch (e) {
      failure = translate(f, e);
      if (failure.message !== 'mac verify failure') throw failure;
    }
  }
  if (bags === undefined) throw failure ?? macVerifyFailure();
  const oids = f.pki.oids;
  const keys: Uint8Array[] = [];
  const certificates: Uint8Array[] = [];
  for (const bag of bags) {
    if (bag.type === oids.certBag) {
      // forge parses RSA certificates (re-encoded to the same DER) and keeps the others as ASN.1.
      certificates.push(der(f, bag.cert ? f.pki.certificateToAsn1(bag.cert) : bag.asn1!));
    } else if (bag.type === oids.pkcs8ShroudedKeyBag || bag.type === oids.keyBag) {
      // forge parses RSA keys (PKCS#1 → PKCS#8 here) and keeps the others as PrivateKeyInfo.
      keys.push(der(f, bag.key ? f.pki.wrapRsaPrivateKey(f.pki.privateKeyToAsn1(bag.key)) : bag.asn1!));
    }
  }
  return { keys, certificates };
}

/** The list of (file, passphrase) node's `pfx` and `passphrase` give: an entry's own passphrase wins unless empty, like node. */
function pfxEntries(pfx: PfxInput, passphrase: string | undefined): { file: Uint8Array; passphrase: string | undefined }[] {
  const bytes = (v: unknown, what: string): Uint8Array => {
    if (typeof v === 'string') return Buffer.from(v);
    if (v instanceof Uint8Array) return v;
    throw new UsageError(`${what} must be a Buffer or a string (a PKCS#12 file), or { buf, passphrase }`);
  };
  const items = Array.isArray(pfx) ? (pfx as readonly unknown[]) : [pfx];
  return items.map((item, i) => {
    if (item !== null && typeof item === 'object' && !(item instanceof Uint8Array) && 'buf' in item) {
      const o = item as { buf: unknown; passphrase?: unknown };
      return { file: bytes(o.buf, `pfx[${i}].buf`), passphrase: typeof o.passphrase === 'string' && o.passphrase !== '' ? o.passphrase : passphrase };
    }
    return { file: bytes(item, Array.isArray(pfx) ? `pfx[${i}]` : 'pfx'), passphrase };
  });
}

/**
 * node's `pfx` (+ `passphrase`) → certified keys: in each file, each private key with the
 * certificate carrying its public key, followed by the file's other certificates (its CAs).
 */
export function pfxCertifiedKeys(provider: CryptoProvider, pfx: PfxInput | undefined, passphrase: string | undefined): CertifiedKey[] {
  if (pfx === undefined || pfx === null) return [];
  const out: CertifiedKey[] = [];
  for (const entry of pfxEntries(pfx, passphrase)) {
    const { keys, certificates } = readPkcs12(entry.file, entry.passphrase);
    if (keys.length === 0) throw new UsageError('pfx holds no private key');
    const spkis = certificates.map((c) => {
      try {
        return parseCertificates(c)[0]!.spki.raw;
      } catch (e) {
        throw new UsageError(`pfx: ${(e as Error).message}`);
      }
    });
    for (const k of keys) {
      let pk;
      try {
        pk = provider.importPrivateKey(k);
      } catch (e) {
        throw new UsageError(`pfx: ${(e as Error).message}`);
      }
      const i = spkis.findIndex((s) => equal(s, pk.publicKey.spki));
      if (i < 0) throw new UsageError("pfx: no certificate in it carries its private key's public key");
      out.push({ chain: [certificates[i]!, ...certificates.filter((_, j) => j !== i)], key: pk });
    }
  }
  return out;
}
