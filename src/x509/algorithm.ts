// Signature AlgorithmIdentifiers (RFC 5280 §4.1.1.2) mapped to the provider's SignatureAlgorithm.
// RFC 4055 (RSA), RFC 5758 §3.2 (ECDSA: parameters absent), RFC 8410 §3 (Ed25519: absent),
// draft-ietf-lamps-dilithium-certificates §2-3 (ML-DSA: absent).
import { DerReader, Tag, der } from '../asn1/index.js';
import { ML_DSA, encodeMlDsaAlgorithm, isMlDsaKeyType, mlDsaTypeByOid } from '../crypto/ml-dsa.js';
import { HASH_LENGTH, type HashName, type SignatureAlgorithm } from '../crypto/provider.js';
import { OID } from './oids.js';

export interface SignatureAlgorithmInfo {
  readonly oid: string;
  /** e.g. "ecdsa-with-SHA256", "rsassa-pss(sha256, salt 32)", or the OID when unknown. */
  readonly name: string;
  /** What the provider verifies with; undefined when hush does not accept the algorithm. */
  readonly algorithm?: SignatureAlgorithm;
  /** The AlgorithmIdentifier DER (compared between the TBS and the outer certificate). */
  readonly raw: Uint8Array;
}

const RSA_PKCS1: Record<string, [HashName, string]> = {
  [OID.sha256WithRSAEncryption]: ['sha256', 'sha256WithRSAEncryption'],
  [OID.sha384WithRSAEncryption]: ['sha384', 'sha384WithRSAEncryption'],
  [OID.sha512WithRSAEncryption]: ['sha512', 'sha512WithRSAEncryption'],
};
const ECDSA: Record<string, [HashName, string]> = {
  [OID.ecdsaWithSHA256]: ['sha256', 'ecdsa-with-SHA256'],
  [OID.ecdsaWithSHA384]: ['sha384', 'ecdsa-with-SHA384'],
  [OID.ecdsaWithSHA512]: ['sha512', 'ecdsa-with-SHA512'],
};
const HASHES: Record<string, HashName> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};
const HASH_OIDS: Record<string, string> = { sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };
/** Known but refused (SHA-1 and friends): named in errors, never verified. */
const REFUSED: Record<string, string> = {
  [OID.sha1WithRSAEncryption]: 'sha1WithRSAEncryption',
  [OID.ecdsaWithSHA1]: 'ecdsa-with-SHA1',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  [OID.ed448]: 'Ed448',
};

/** A hash AlgorithmIdentifier: parameters NULL or absent (RFC 4055 §2.1 allows both). */
function readHash(r: DerReader, field: string): HashName {
  const seq = r.sequence(field);
  const oid = seq.oid('algorithm');
  if (!seq.atEnd) seq.null('parameters');
  seq.expectEnd();
  const h = HASHES[oid];
  if (!h) r.fail(`${field}: hash ${oid} is not supported for RSASSA-PSS`);
  return h;
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1). Strict: the hash must be SHA-256/384/512, MGF1 with the same
 * hash, trailerField 1; fields equal to their DEFAULT must be absent (X.690 §11.5) — since the
 * defaults are SHA-1, hashAlgorithm and maskGenAlgorithm are in practice always present.
 */
function readPssParams(r: DerReader): { hash: HashName; saltLength: number } {
  const p = r.sequence('RSASSA-PSS-params');
  const h0 = p.optional(0xa0, 'hashAlgorithm');
  if (!h0) return p.fail('RSASSA-PSS with the default SHA-1 hash is not supported');
  const hr = p.child(h0, 'hashAlgorithm');
  const hash = readHash(hr, 'hashAlgorithm');
  hr.expectEnd();
  const m1 = p.optional(0xa1, 'maskGenAlgorithm');
  if (!m1) return p.fail('RSASSA-PSS with the default MGF1-SHA-1 is not supported');
  const mr = p.child(m1, 'maskGenAlgorithm');
  const mgf = mr.sequence('MaskGenAlgorithm');
  if (mgf.oid('algorithm') !== OID.mgf1) mgf.fail('mask generation function is not MGF1');
  const mgfHash = readHash(mgf, 'MGF1 hash');
  mgf.expectEnd();
  mr.expectEnd();
  if (mgfHash !== hash) p.fail(`MGF1 uses ${mgfHash} but the signature hash is ${hash}`);
  let saltLength = 20;
  const s2 = p.optional(0xa2, 'saltLength');
  if (s2) {
    const sr = p.child(s2, 'saltLength');
    saltLength = sr.smallInteger('saltLength', 1024);
    sr.expectEnd();
    if (saltLength === 20) p.fail('saltLength 20 is the DEFAULT and must be absent in DER');
  }
  const t3 = p.optional(0xa3, 'trailerField');
  if (t3) {
    const tr = p.child(t3, 'trailerField');
    tr.smallInteger('trailerField');
    tr.expectEnd();
    // The only defined value is 1, which is the DEFAULT and so never encoded in DER.
    p.fail('trailerField must be absent');
  }
  p.expectEnd();
  return { hash, saltLength };
}

/** Read a signature AlgorithmIdentifier. Unknown algorithms parse, with `algorithm` undefined. */
export function readSignatureAlgorithm(r: DerReader, field: string): SignatureAlgorithmInfo {
  const el = r.expect(Tag.SEQUENCE, field);
  const s = r.child(el, field);
  const oid = s.oid('algorithm');
  const raw = el.raw;
  const rsa = RSA_PKCS1[oid];
  if (rsa) {
    // RFC 4055 §5: parameters MUST be NULL; some encoders omit them, which we also accept.
    if (!s.atEnd) s.null('parameters');
    s.expectEnd();
    return { oid, name: rsa[1], algorithm: { kind: 'rsa-pkcs1', hash: rsa[0] }, raw };
  }
  const ec = ECDSA[oid];
  if (ec) {
    s.expectEnd(); // RFC 5758 §3.2: parameters absent
    return { oid, name: ec[1], algorithm: { kind: 'ecdsa', hash: ec[0] }, raw };
  }
  if (oid === OID.ed25519) {
    s.expectEnd(); // RFC 8410 §3
    return { oid, name: 'Ed25519', algorithm: { kind: 'ed25519' }, raw };
  }
  const mlDsa = mlDsaTypeByOid(oid);
  if (mlDsa) {
    // Pure ML-DSA with an empty context; parameters MUST be absent (LAMPS ML-DSA-in-X.509 §3).
    if (!s.atEnd) s.fail(`${ML_DSA[mlDsa].name}: the AlgorithmIdentifier must have no parameters`);
    return { oid, name: ML_DSA[mlDsa].name, algorithm: { kind: 'ml-dsa', parameterSet: mlDsa }, raw };
  }
  if (oid === OID.rsassaPss) {
    const { hash, saltLength } = readPssParams(s);
    s.expectEnd();
    return { oid, name: `rsassa-pss(${hash}, salt ${saltLength})`, algorithm: { kind: 'rsa-pss', hash, saltLength }, raw };
  }
  // Unknown or refused: keep the parameters unparsed, they are never used.
  while (!s.atEnd) s.next('parameters');
  return { oid, name: REFUSED[oid] ?? oid, raw };
}

/** The AlgorithmIdentifier DER for a provider SignatureAlgorithm (the builder's side). */
export function encodeSignatureAlgorithm(alg: SignatureAlgorithm): Uint8Array {
  switch (alg.kind) {
    case 'ecdsa': {
      const oid = { sha256: OID.ecdsaWithSHA256, sha384: OID.ecdsaWithSHA384, sha512: OID.ecdsaWithSHA512 }[alg.hash as string];
      if (!oid) throw new RangeError(`ECDSA with ${alg.hash} is not supported`);
      return der.sequence(der.oid(oid));
    }
    case 'rsa-pkcs1': {
      const oid = { sha256: OID.sha256WithRSAEncryption, sha384: OID.sha384WithRSAEncryption, sha512: OID.sha512WithRSAEncryption }[
        alg.hash as string
      ];
      if (!oid) throw new RangeError(`RSA PKCS#1 with ${alg.hash} is not supported`);
      return der.sequence(der.oid(oid), der.nullValue());
    }
    case 'rsa-pss': {
      const h = HASH_OIDS[alg.hash];
      if (!h) throw new RangeError(`RSASSA-PSS with ${alg.hash} is not supported`);
      const hashId = der.sequence(der.oid(h), der.nullValue());
      const parts = [der.explicit(0, hashId), der.explicit(1, der.sequence(der.oid(OID.mgf1), hashId))];
      if (alg.saltLength !== 20) parts.push(der.explicit(2, der.integer(alg.saltLength)));
      return der.sequence(der.oid(OID.rsassaPss), der.sequence(...parts));
    }
    case 'ed25519':
      return der.sequence(der.oid(OID.ed25519));
    case 'ml-dsa':
      return encodeMlDsaAlgorithm(alg.parameterSet);
  }
}

/**
 * The usual signature algorithm for a key: ECDSA with the curve's hash, PKCS#1 SHA-256, PSS SHA-256,
 * Ed25519, ML-DSA of the key's parameter set.
 */
export function defaultSignatureAlgorithm(key: { type: string; curve?: string }): SignatureAlgorithm {
  switch (key.type) {
    case 'ec':
      return { kind: 'ecdsa', hash: key.curve === 'P-384' ? 'sha384' : key.curve === 'P-521' ? 'sha512' : 'sha256' };
    case 'rsa':
      return { kind: 'rsa-pkcs1', hash: 'sha256' };
    case 'rsa-pss':
      return { kind: 'rsa-pss', hash: 'sha256', saltLength: HASH_LENGTH.sha256 };
    case 'ed25519':
      return { kind: 'ed25519' };
    default:
      if (isMlDsaKeyType(key.type)) return { kind: 'ml-dsa', parameterSet: key.type };
      throw new RangeError(`no signature algorithm for ${key.type} keys`);
  }
}
