// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): kept raw for the provider, with the key type read.
import { DerReader, Tag } from '../asn1/index.js';
import { ML_DSA, mlDsaTypeByOid } from '../crypto/ml-dsa.js';
import type { CurveName, KeyType } from '../crypto/provider.js';
import { OID } from './oids.js';

export interface SubjectPublicKeyInfo {
  /** The DER of the SubjectPublicKeyInfo (what CryptoProvider.importPublicKey takes). */
  readonly raw: Uint8Array;
  readonly algorithmOid: string;
  /** undefined for algorithms hush does not know. */
  readonly keyType?: KeyType;
  readonly curve?: CurveName;
  /** The subjectPublicKey BIT STRING contents (used for key identifiers). */
  readonly publicKey: Uint8Array;
}

const CURVES: Record<string, CurveName> = {
  [OID.prime256v1]: 'P-256',
  [OID.secp384r1]: 'P-384',
  [OID.secp521r1]: 'P-521',
};

export function readSpki(r: DerReader, field: string): SubjectPublicKeyInfo {
  const el = r.expect(Tag.SEQUENCE, field);
  const s = r.child(el, field);
  const alg = s.sequence('algorithm');
  const algorithmOid = alg.oid('algorithm');
  let keyType: KeyType | undefined;
  let curve: CurveName | undefined;
  if (algorithmOid === OID.rsaEncryption) {
    keyType = 'rsa';
    alg.null('parameters'); // RFC 3279 §2.3.1: NULL
  } else if (algorithmOid === OID.ecPublicKey) {
    keyType = 'ec';
    // RFC 5480 §2.1.1: namedCurve only (implicit and explicit curves are forbidden)
    const c = alg.oid('namedCurve');
    curve = CURVES[c];
  } else if (algorithmOid === OID.ed25519) {
    keyType = 'ed25519';
  } else if (algorithmOid === OID.ed448) {
    keyType = 'ed448';
  } else if (mlDsaTypeByOid(algorithmOid)) {
    keyType = mlDsaTypeByOid(algorithmOid);
    // LAMPS ML-DSA-in-X.509 §2: parameters MUST be absent.
    if (!alg.atEnd) alg.fail(`${ML_DSA[keyType!].name}: the AlgorithmIdentifier must have no parameters`);
  } else if (algorithmOid === OID.rsassaPss) {
    keyType = 'rsa-pss';
    if (!alg.atEnd) alg.next('parameters');
  } else {
    while (!alg.atEnd) alg.next('parameters');
  }
  alg.expectEnd();
  const publicKey = s.bitStringBytes('subjectPublicKey');
  s.expectEnd();
  return {
    raw: el.raw,
    algorithmOid,
    ...(keyType ? { keyType } : {}),
    ...(curve ? { curve } : {}),
    publicKey,
  };
}
