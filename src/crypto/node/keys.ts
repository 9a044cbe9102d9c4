// Public and private keys on node:crypto KeyObjects. The KeyObject handle stays out of the plain
// PublicKey/PrivateKey objects (a WeakMap), so they print and compare as data.
import { Buffer } from 'node:buffer';
import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { TlsError, UsageError } from '../../errors/index.js';
import type { CurveName, KeyGenSpec, KeyType, PrivateKey, PublicKey } from '../provider.js';
import { parseRsaPublicKey, parseSpki, type SpkiParts } from './der.js';
import type { RandomSource } from './kx.js';
import { b64url, buf, toHexKey, u8 } from './util.js';

const publicHandles = new WeakMap<PublicKey, KeyObject>();
const privateHandles = new WeakMap<PrivateKey, KeyObject>();

const OID = {
  rsaEncryption: '2a864886f70d010101',
  rsassaPss: '2a864886f70d01010a',
  ecPublicKey: '2a8648ce3d0201',
  ed25519: '2b6570',
  ed448: '2b6571',
} as const;
const KNOWN_OIDS = new Set<string>(Object.values(OID));
const P256_PARAMS = '06082a8648ce3d030107';
const DER_NULL = '0500';

const CURVES: Readonly<Record<string, CurveName>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

interface KeyInfo {
  readonly type: KeyType;
  readonly curve?: CurveName;
  readonly bits?: number;
}

/** The hush description of a KeyObject, or undefined for key types hush does not sign with. */
function describe(ko: KeyObject): KeyInfo | undefined {
  const t = ko.asymmetricKeyType;
  const d = ko.asymmetricKeyDetails ?? {};
  switch (t) {
    case 'rsa':
    case 'rsa-pss':
      return d.modulusLength === undefined ? undefined : { type: t, bits: d.modulusLength };
    case 'ec': {
      const curve = d.namedCurve === undefined ? undefined : CURVES[d.namedCurve];
      return curve === undefined ? undefined : { type: 'ec', curve };
    }
    case 'ed25519':
    case 'ed448':
      return { type: t };
    default:
      return undefined;
  }
}

function makePublic(info: KeyInfo, spki: Uint8Array, ko: KeyObject): PublicKey {
  const key: PublicKey = Object.freeze({ ...info, spki });
  publicHandles.set(key, ko);
  return key;
}

/** Fast imports through JWK where node's JWK path is cheaper than its DER decoder. */
function importFast(parts: SpkiParts): KeyObject | undefined {
  const oid = toHexKey(parts.oid);
  const params = parts.params ? toHexKey(parts.params) : undefined;
  let jwk: JsonWebKey | undefined;
  if (oid === OID.rsaEncryption && params === DER_NULL) {
    const rsa = parseRsaPublicKey(parts.key);
    if (rsa) jwk = { kty: 'RSA', n: b64url(rsa.n), e: b64url(rsa.e) };
  } else if (oid === OID.ecPublicKey && params === P256_PARAMS && parts.key.length === 65 && parts.key[0] === 4) {
    // P-256 only: for P-384 node's JWK import is slower than DER (it runs a full key check).
    jwk = { kty: 'EC', crv: 'P-256', x: b64url(parts.key.subarray(1, 33)), y: b64url(parts.key.subarray(33)) };
  } else if (oid === OID.ed25519 && params === undefined && parts.key.length === 32) {
    jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(parts.key) };
  }
  return jwk && createPublicKey({ key: jwk, format: 'jwk' });
}

/** Import a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
export function importPublicKey(spki: Uint8Array): PublicKey {
  const copy = spki.slice();
  // Our own check of the outer structure first: node's decoder ignores trailing bytes.
  const parts = parseSpki(copy);
  if (!parts) throw new TlsError('bad_certificate', 'malformed SubjectPublicKeyInfo');
  let ko: KeyObject;
  try {
    ko = importFast(parts) ?? createPublicKey({ key: buf(copy), format: 'der', type: 'spki' });
  } catch (e) {
    if (!KNOWN_OIDS.has(toHexKey(parts.oid))) {
      throw new TlsError('unsupported_certificate', 'unsupported public key algorithm', { cause: e });
    }
    throw new TlsError('bad_certificate', `malformed public key: ${(e as Error).message}`, { cause: e });
  }
  const info = describe(ko);
  if (!info) {
    const what = ko.asymmetricKeyType === 'ec' ? `curve ${ko.asymmetricKeyDetails?.namedCurve ?? '?'}` : ko.asymmetricKeyType;
    throw new TlsError('unsupported_certificate', `unsupported public key type (${what ?? 'unknown'})`);
  }
  return makePublic(info, copy, ko);
}

/** The KeyObject behind a PublicKey; keys from another provider are re-imported from their SPKI. */
export function publicHandle(key: PublicKey): KeyObject {
  return publicHandles.get(key) ?? publicHandles.get(importPublicKey(key.spki))!;
}

export function privateHandle(key: PrivateKey): KeyObject {
  const ko = privateHandles.get(key);
  if (!ko) throw new UsageError('this private key was not created by the node crypto provider');
  return ko;
}

function makePrivate(ko: KeyObject): PrivateKey {
  const info = describe(ko);
  if (!info) throw new UsageError(`unsupported private key type '${ko.asymmetricKeyType ?? 'unknown'}'`);
  const pub = createPublicKey(ko);
  const publicKey = makePublic(info, u8(pub.export({ type: 'spki', format: 'der' })), pub);
  const key: PrivateKey = Object.freeze({ ...info, publicKey });
  privateHandles.set(key, ko);
  return key;
}

function looksLikePem(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  return b[i] === 0x2d; // '-'
}

/** PEM (PKCS#8, encrypted PKCS#8, PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY") or DER PKCS#8. */
export function importPrivateKey(key: string | Uint8Array, passphrase?: string): PrivateKey {
  let ko: KeyObject;
  const pw = passphrase === undefined ? {} : { passphrase };
  try {
    if (typeof key === 'string') {
      ko = createPrivateKey({ key, format: 'pem', ...pw });
    } else if (looksLikePem(key)) {
      ko = createPrivateKey({ key: Buffer.from(key).toString('latin1'), format: 'pem', ...pw });
    } else {
      ko = createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8', ...pw });
    }
  } catch (e) {
    const err = e as { code?: string; message: string };
    const hint =
      err.code === 'ERR_MISSING_PASSPHRASE'
        ? 'the key is encrypted and needs a passphrase'
        : typeof key === 'string'
          ? 'expected a PEM private key (PKCS#8, "RSA PRIVATE KEY" or "EC PRIVATE KEY")'
          : 'expected a DER PKCS#8 private key or PEM text';
    throw new UsageError(`cannot read private key: ${hint} (${err.message})`);
  }
  if (ko.type !== 'private') throw new UsageError('cannot read private key: not a private key');
  return makePrivate(ko);
}

/** RFC 8410 PKCS#8 prefix of an Ed25519 private key (the 32-byte seed follows). */
const ED25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);

const EC_GEN: Readonly<Record<CurveName, { openssl: string; bytes: number; topMask: number }>> = {
  'P-256': { openssl: 'prime256v1', bytes: 32, topMask: 0xff },
  'P-384': { openssl: 'secp384r1', bytes: 48, topMask: 0xff },
  'P-521': { openssl: 'secp521r1', bytes: 66, topMask: 0x01 },
};

/**
 * A new key. EC and Ed25519 keys come from the provider's random source (deterministic when it is
 * injected); RSA keys come from OpenSSL's generator.
 */
export function generatePrivateKey(spec: KeyGenSpec, random: RandomSource): PrivateKey {
  switch (spec.type) {
    case 'ed25519': {
      const seed = random(32);
      const d = b64url(seed);
      try {
        // Node 20 derives the public key from d (RFC 8032 §5.1.5); x only has to be present.
        return makePrivate(createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d, x: d }, format: 'jwk' }));
      } catch {
        // Node 24 checks x against d: import the seed as RFC 8410 PKCS#8 instead.
        const der = new Uint8Array(ED25519_PKCS8_PREFIX.length + 32);
        der.set(ED25519_PKCS8_PREFIX);
        der.set(seed, ED25519_PKCS8_PREFIX.length);
        return makePrivate(createPrivateKey({ key: buf(der), format: 'der', type: 'pkcs8' }));
      }
    }
    case 'ec': {
      const g = EC_GEN[spec.curve];
      if (!g) throw new UsageError(`unsupported curve '${String(spec.curve)}'`);
      for (let tries = 0; tries < 64; tries++) {
        const r = random(g.bytes).slice();
        r[0]! &= g.topMask;
        const ecdh = createECDH(g.openssl);
        try {
          ecdh.setPrivateKey(r); // rejects 0 and values >= n: redraw
        } catch {
          continue;
        }
        const pub = ecdh.getPublicKey();
        const jwk: JsonWebKey = {
          kty: 'EC',
          crv: spec.curve,
          d: b64url(r),
          x: b64url(pub.subarray(1, 1 + g.bytes)),
          y: b64url(pub.subarray(1 + g.bytes)),
        };
        r.fill(0);
        return makePrivate(createPrivateKey({ key: jwk, format: 'jwk' }));
      }
      throw new Error('the random source keeps producing invalid EC scalars');
    }
    case 'rsa': {
      const bits = spec.bits;
      if (!Number.isInteger(bits) || bits < 2048 || bits > 16384 || bits % 8 !== 0) {
        throw new UsageError(`RSA key size must be a multiple of 8 in 2048..16384, got ${bits}`);
      }
      // As DER, then imported: a KeyObject made by generateKeyPairSync can deadlock Node 20 when a GC
      // runs while it is being exported (the KeyGenJob's destructor waits for the export's mutex).
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: bits,
        publicExponent: 0x10001,
        publicKeyEncoding: { type: 'spki', format: 'der' },
        privateKeyEncoding: { type: 'pkcs8', format: 'der' },
      });
      return makePrivate(createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }));
    }
    default:
      throw new UsageError(`unsupported key type '${(spec as { type: string }).type}'`);
  }
}

export function exportPrivateKey(key: PrivateKey): Uint8Array {
  return u8(privateHandle(key).export({ type: 'pkcs8', format: 'der' }));
}
