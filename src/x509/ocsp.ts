// OCSP (RFC 6960): the request and response codecs and the check of one response for one
// certificate. Strict DER; a response that does not parse is a bad_certificate_status_response.
//
// Decisions:
// - The responder must be the certificate's issuer, or a delegated responder certificate carried
//   in the response that the issuer signed directly and that lists id-kp-OCSPSigning (§4.2.2.2).
//   A delegated responder is checked for validity at the checking time and its signature; it is
//   not itself checked for revocation (id-pkix-ocsp-nocheck is the usual practice, §4.2.2.2.1).
// - thisUpdate must not be in the future and nextUpdate not in the past, each with a clock skew
//   (default 5 minutes). A response without nextUpdate is taken as valid for 24 hours after its
//   thisUpdate (RFC 6960 §4.2.2.1 leaves it open; caching it for ever would let a stale 'good'
//   live for ever).
// - The CertID may use SHA-1 (what OpenSSL and most responders use), SHA-256, SHA-384 or SHA-512.
// - Unknown critical extensions in the response or the SingleResponse make it unusable.
import { DerReader, Tag, der } from '../asn1/index.js';
import { equal, toHex } from '../bytes/util.js';
import { TlsError } from '../errors/errors.js';
import type { CryptoProvider, HashName, PublicKey } from '../crypto/provider.js';
import { readSignatureAlgorithm, type SignatureAlgorithmInfo } from './algorithm.js';
import { parseCertificate, type Certificate } from './certificate.js';
import { crlReasonName, type CrlReason } from './crl.js';
import { readAccessDescriptions, readExtensionList } from './extensions.js';
import { readName, type Name } from './name.js';
import { OID } from './oids.js';
import { readSpki } from './spki.js';

export const OCSP_OID = {
  basic: '1.3.6.1.5.5.7.48.1.1',
  nonce: '1.3.6.1.5.5.7.48.1.2',
  noCheck: '1.3.6.1.5.5.7.48.1.5',
  /** RFC 7633 TLS feature extension (must-staple when it lists status_request). */
  tlsFeature: '1.3.6.1.5.5.7.1.24',
} as const;

export const OCSP_RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
const STATUS_NAMES = new Map(Object.entries(OCSP_RESPONSE_STATUS).map(([k, v]) => [v, k]));

const HASH_OIDS: Record<HashName, string> = { sha1: OID.sha1, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };
const HASH_BY_OID: Record<string, HashName> = Object.fromEntries(Object.entries(HASH_OIDS).map(([k, v]) => [v, k as HashName]));

export interface OcspCertId {
  readonly hash: HashName;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  readonly serialHex: string;
  readonly raw: Uint8Array;
}

export type OcspCertStatus =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly revocationTime: number; readonly reason?: CrlReason }
  | { readonly status: 'unknown' };

export interface OcspSingleResponse {
  readonly certId: OcspCertId;
  readonly certStatus: OcspCertStatus;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
  readonly unsupported?: string;
}

export interface OcspResponse {
  readonly raw: Uint8Array;
  /** 'successful', 'tryLater', ... */
  readonly status: string;
  /** Present when status is 'successful'. */
  readonly basic?: BasicOcspResponse;
}

export interface BasicOcspResponse {
  readonly tbs: Uint8Array;
  readonly responderId: { readonly byName: Name } | { readonly byKey: Uint8Array };
  readonly producedAt: number;
  readonly responses: readonly OcspSingleResponse[];
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  readonly signature: Uint8Array;
  readonly certs: readonly Certificate[];
  readonly unsupported?: string;
}

const ALERT = 'bad_certificate_status_response' as const;
/** The DER reader's alert; parseOcspResponse re-raises its failures as ALERT. */
const DER_ALERT = 'bad_certificate' as const;
const MAX_RESPONSE_SIZE = 1024 * 1024;

function readCertId(r: DerReader): OcspCertId {
  const el = r.expect(Tag.SEQUENCE, 'CertID');
  const s = r.child(el, 'CertID');
  const alg = s.sequence('hashAlgorithm');
  const oid = alg.oid('algorithm');
  if (!alg.atEnd) alg.null('parameters');
  alg.expectEnd();
  const hash = HASH_BY_OID[oid];
  if (!hash) s.fail(`CertID hash ${oid} is not supported`);
  const issuerNameHash = s.octetString('issuerNameHash');
  const issuerKeyHash = s.octetString('issuerKeyHash');
  const serial = s.unsignedInteger('serialNumber', 20);
  s.expectEnd();
  return { hash, issuerNameHash, issuerKeyHash, serialHex: toHex(serial), raw: el.raw };
}

/** The first critical extension not in `allowed` (RFC 6960 §4.4: one we cannot process), as a reason. */
function unknownCritical(r: DerReader, allowed: readonly string[]): string | undefined {
  const unknown = readExtensionList(r, 'Extensions').list.find((x) => x.critical && !allowed.includes(x.oid));
  return unknown && `it has an unsupported critical extension ${unknown.oid}`;
}

function readSingle(r: DerReader): OcspSingleResponse {
  const s = r.sequence('SingleResponse');
  const certId = readCertId(s);
  const st = s.next('certStatus');
  let certStatus: OcspCertStatus;
  if (st.tag === 0x80) {
    if (st.contents.length !== 0) s.fail('good must be an empty NULL');
    certStatus = { status: 'good' };
  } else if (st.tag === 0xa1) {
    const ri = s.child(st, 'RevokedInfo');
    const revocationTime = ri.time('revocationTime');
    const rEl = ri.optional(0xa0, 'revocationReason');
    ri.expectEnd();
    let reason: CrlReason | undefined;
    if (rEl) {
      const rr = ri.child(rEl, 'revocationReason');
      const c = rr.expect(Tag.ENUMERATED, 'CRLReason').contents;
      rr.expectEnd();
      const name = c.length === 1 ? crlReasonName(c[0]!) : undefined;
      if (!name) rr.fail('CRLReason is not defined');
      reason = name;
    }
    certStatus = { status: 'revoked', revocationTime, ...(reason ? { reason } : {}) };
  } else if (st.tag === 0x82) {
    if (st.contents.length !== 0) s.fail('unknown must be an empty NULL');
    certStatus = { status: 'unknown' };
  } else {
    return s.fail(`certStatus: unexpected tag 0x${st.tag.toString(16)}`);
  }
  if (s.peekTag() !== Tag.GeneralizedTime) s.fail('thisUpdate must be a GeneralizedTime');
  const thisUpdate = s.time('thisUpdate');
  let nextUpdate: number | undefined;
  const n0 = s.optional(0xa0, 'nextUpdate');
  if (n0) {
    const nr = s.child(n0, 'nextUpdate');
    if (nr.peekTag() !== Tag.GeneralizedTime) nr.fail('nextUpdate must be a GeneralizedTime');
    nextUpdate = nr.time('nextUpdate');
    nr.expectEnd();
  }
  let unsupported: string | undefined;
  const x1 = s.optional(0xa1, 'singleExtensions');
  if (x1) unsupported = unknownCritical(s.child(x1, 'singleExtensions'), []);
  s.expectEnd();
  return {
    certId,
    certStatus,
    thisUpdate,
    ...(nextUpdate !== undefined ? { nextUpdate } : {}),
    ...(unsupported ? { unsupported } : {}),
  };
}

function readBasic(bytes: Uint8Array): BasicOcspResponse {
  const top = new DerReader(bytes, 'BasicOCSPResponse', DER_ALERT);
  const b = top.sequence('BasicOCSPResponse');
  top.expectEnd();
  const tbsEl = b.expect(Tag.SEQUENCE, 'tbsResponseData');
  const signatureAlgorithm = readSignatureAlgorithm(b, 'signatureAlgorithm');
  const signature = b.bitStringBytes('signature');
  const certs: Certificate[] = [];
  const cEl = b.optional(0xa0, 'certs');
  if (cEl) {
    const cr = b.child(cEl, 'certs');
    const list = cr.sequence('certs');
    cr.expectEnd();
    while (!list.atEnd && certs.length < 8) {
      const raw = list.next('Certificate').raw;
      try {
        certs.push(parseCertificate(raw.slice()));
      } catch (e) {
        list.fail(`a responder certificate does not parse: ${(e as Error).message}`);
      }
    }
    if (!list.atEnd) list.fail('more than 8 certificates');
  }
  b.expectEnd();

  const t = b.child(tbsEl, 'tbsResponseData');
  const v0 = t.optional(0xa0, 'version');
  if (v0) {
    // Version DEFAULT v1: an explicit v1 is not DER, and there is no other version.
    t.fail('version must be absent (v1 is the DEFAULT)');
  }
  const rid = t.next('responderID');
  let responderId: BasicOcspResponse['responderId'];
  if (rid.tag === 0xa1) {
    const rr = t.child(rid, 'byName');
    responderId = { byName: readName(rr, 'byName') };
    rr.expectEnd();
  } else if (rid.tag === 0xa2) {
    const rr = t.child(rid, 'byKey');
    const key = rr.octetString('byKey');
    rr.expectEnd();
    if (key.length !== 20) rr.fail('byKey must be a SHA-1 hash (20 bytes)');
    responderId = { byKey: key };
  } else {
    return t.fail(`responderID: unexpected tag 0x${rid.tag.toString(16)}`);
  }
  if (t.peekTag() !== Tag.GeneralizedTime) t.fail('producedAt must be a GeneralizedTime');
  const producedAt = t.time('producedAt');
  const list = t.sequence('responses');
  const responses: OcspSingleResponse[] = [];
  while (!list.atEnd) {
    if (responses.length >= 64) list.fail('more than 64 SingleResponses');
    responses.push(readSingle(list));
  }
  let unsupported: string | undefined;
  const x1 = t.optional(0xa1, 'responseExtensions');
  if (x1) unsupported = unknownCritical(t.child(x1, 'responseExtensions'), [OCSP_OID.nonce]);
  t.expectEnd();
  return {
    tbs: tbsEl.raw,
    responderId,
    producedAt,
    responses,
    signatureAlgorithm,
    signature,
    certs,
    ...(unsupported ? { unsupported } : {}),
  };
}

/** Parse an OCSPResponse (RFC 6960 §4.2.1). Throws TlsError('bad_certificate_status_response'). */
export function parseOcspResponse(bytes: Uint8Array): OcspResponse {
  if (bytes.length > MAX_RESPONSE_SIZE) throw new TlsError(ALERT, `OCSP response of ${bytes.length} bytes is too large`);
  try {
    return readOcspResponse(bytes);
  } catch (e) {
    if (e instanceof TlsError && e.alertName === 'bad_certificate') throw new TlsError(ALERT, e.message);
    throw e;
  }
}

function readOcspResponse(bytes: Uint8Array): OcspResponse {
  const top = new DerReader(bytes, 'OCSPResponse', DER_ALERT);
  const s = top.sequence('OCSPResponse');
  top.expectEnd();
  const st = s.expect(Tag.ENUMERATED, 'responseStatus').contents;
  if (st.length !== 1) s.fail('responseStatus out of range');
  const status = STATUS_NAMES.get(st[0]! as 0) ?? s.fail(`responseStatus ${st[0]} is not defined`);
  const rb = s.optional(0xa0, 'responseBytes');
  s.expectEnd();
  if (status !== 'successful') {
    if (rb) s.fail(`a ${status} response carries responseBytes`);
    return { raw: bytes, status };
  }
  if (!rb) return s.fail('a successful response has no responseBytes');
  const rr = s.child(rb, 'responseBytes');
  const rbs = rr.sequence('ResponseBytes');
  rr.expectEnd();
  const type = rbs.oid('responseType');
  const body = rbs.octetString('response');
  rbs.expectEnd();
  if (type !== OCSP_OID.basic) rbs.fail(`responseType ${type} is not id-pkix-ocsp-basic`);
  return { raw: bytes, status, basic: readBasic(body) };
}

/** The subjectPublicKey BIT STRING value (no unused-bits octet) of a certificate. */
function subjectPublicKeyBits(c: Certificate): Uint8Array {
  return readSpki(new DerReader(c.spki.raw, 'SubjectPublicKeyInfo', 'bad_certificate'), 'SubjectPublicKeyInfo').publicKey;
}

/** The CertID of `cert` issued by `issuer` (RFC 6960 §4.1.1). */
export function ocspCertId(provider: CryptoProvider, cert: Certificate, issuer: Certificate, hash: HashName = 'sha1'): OcspCertId {
  const issuerNameHash = provider.digest(hash, cert.issuer.raw);
  const issuerKeyHash = provider.digest(hash, subjectPublicKeyBits(issuer));
  const raw = der.sequence(
    der.sequence(der.oid(HASH_OIDS[hash]), der.nullValue()),
    der.octetString(issuerNameHash),
    der.octetString(issuerKeyHash),
    der.integer(cert.serialNumber),
  );
  return { hash, issuerNameHash, issuerKeyHash, serialHex: cert.serialHex, raw };
}

/** An OCSPRequest for one certificate, unsigned, without a nonce (RFC 6960 §4.1; cacheable, as RFC 5019 wants). */
export function encodeOcspRequest(provider: CryptoProvider, cert: Certificate, issuer: Certificate, hash: HashName = 'sha1'): Uint8Array {
  const id = ocspCertId(provider, cert, issuer, hash);
  return der.sequence(der.sequence(der.sequence(der.sequence(id.raw))));
}

export interface OcspCheckOptions {
  readonly response: Uint8Array | OcspResponse;
  readonly cert: Certificate;
  readonly issuer: Certificate;
  readonly at: number;
  readonly provider: CryptoProvider;
  /** Allowed clock difference in ms (default 5 minutes). */
  readonly clockSkew?: number;
}

export type OcspCheck =
  | { readonly ok: true; readonly single: OcspSingleResponse; readonly response: OcspResponse }
  /** The response cannot be used: it says nothing trustworthy about this certificate. */
  | { readonly ok: false; readonly why: string };

export const DEFAULT_OCSP_SKEW = 5 * 60_000;
/** Validity assumed for a response without nextUpdate. */
export const OCSP_NO_NEXT_UPDATE_LIFETIME = 24 * 3600_000;

function verifies(provider: CryptoProvider, key: Certificate, alg: SignatureAlgorithmInfo, tbs: Uint8Array, sig: Uint8Array): boolean {
  if (!alg.algorithm) return false;
  let pk: PublicKey;
  try {
    pk = provider.importPublicKey(key.spki.raw);
    return provider.verify(pk, alg.algorithm, tbs, sig);
  } catch {
    return false;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function responderMatches(provider: CryptoProvider, basic: BasicOcspResponse, c: Certificate): boolean {
  const id = basic.responderId;
  if ('byName' in id) return equal(id.byName.raw, c.subject.raw);
  return equal(id.byKey, provider.digest('sha1', subjectPublicKeyBits(c)));
}

/**
 * Check that a response is a valid statement about `cert` (signature by the issuer or a
 * delegated responder, CertID, time window). The certificate status itself is returned for the
 * caller to judge ('revoked' is fatal, 'unknown' per its policy).
 */
export function checkOcspResponse(o: OcspCheckOptions): OcspCheck {
  const { provider, cert, issuer, at } = o;
  const skew = o.clockSkew ?? DEFAULT_OCSP_SKEW;
  let resp: OcspResponse;
  try {
    resp = o.response instanceof Uint8Array ? parseOcspResponse(o.response) : o.response;
  } catch (e) {
    return { ok: false, why: `it does not parse: ${(e as Error).message}` };
  }
  const basic = resp.basic;
  if (!basic) return { ok: false, why: `the responder answered ${resp.status}` };
  if (basic.unsupported) return { ok: false, why: basic.unsupported };

  // §4.2.2.2: the issuer itself, or a responder certificate the issuer signed for OCSPSigning.
  let signer: Certificate | undefined;
  if (responderMatches(provider, basic, issuer) && verifies(provider, issuer, basic.signatureAlgorithm, basic.tbs, basic.signature)) {
    signer = issuer;
  }
  let delegateWhy: string | undefined;
  if (!signer) {
    for (const r of basic.certs) {
      if (!responderMatches(provider, basic, r)) continue;
      if (!verifies(provider, r, basic.signatureAlgorithm, basic.tbs, basic.signature)) {
        delegateWhy ??= `its signature does not verify with the key of the responder '${r.subject.text}'`;
        continue;
      }
      if (!equal(r.issuer.raw, issuer.subject.raw) || !verifies(provider, issuer, r.signatureAlgorithm, r.tbs, r.signature)) {
        delegateWhy = `the responder certificate '${r.subject.text}' is not issued by '${issuer.subject.text}'`;
        continue;
      }
      if (!r.extKeyUsage?.includes(OID.ocspSigning)) {
        delegateWhy = `the responder certificate '${r.subject.text}' is not authorized to sign OCSP responses (no id-kp-OCSPSigning extendedKeyUsage)`;
        continue;
      }
      if (at + skew < r.notBefore || at - skew > r.notAfter) {
        delegateWhy = `the responder certificate '${r.subject.text}' is not valid at ${iso(at)}`;
        continue;
      }
      if (r.unhandledCritical.length) {
        delegateWhy = `the responder certificate '${r.subject.text}' has an unsupported critical extension`;
        continue;
      }
      signer = r;
      break;
    }
  }
  if (!signer) {
    return {
      ok: false,
      why: delegateWhy ?? `it is not signed by the issuer '${issuer.subject.text}' nor by a responder the issuer authorized`,
    };
  }

  // §4.2.2.3 / §3.2(1): the CertID must identify this certificate.
  let single: OcspSingleResponse | undefined;
  for (const s of basic.responses) {
    if (s.certId.serialHex !== cert.serialHex) continue;
    const id = ocspCertId(provider, cert, issuer, s.certId.hash);
    if (equal(id.issuerNameHash, s.certId.issuerNameHash) && equal(id.issuerKeyHash, s.certId.issuerKeyHash)) {
      single = s;
      break;
    }
  }
  if (!single) return { ok: false, why: `it is about another certificate (no CertID matches serial ${cert.serialHex} of '${issuer.subject.text}')` };
  if (single.unsupported) return { ok: false, why: single.unsupported };

  // §3.2(4)(5): thisUpdate sufficiently recent, nextUpdate not passed.
  if (single.thisUpdate > at + skew) return { ok: false, why: `its thisUpdate ${iso(single.thisUpdate)} is in the future` };
  const until = single.nextUpdate ?? single.thisUpdate + OCSP_NO_NEXT_UPDATE_LIFETIME;
  if (until + skew < at) {
    return { ok: false, why: `it is stale: ${single.nextUpdate !== undefined ? 'nextUpdate' : 'thisUpdate + 24h (no nextUpdate)'} ${iso(until)} has passed` };
  }
  if (single.nextUpdate !== undefined && single.nextUpdate < single.thisUpdate) return { ok: false, why: 'its nextUpdate is before its thisUpdate' };
  return { ok: true, single, response: resp };
}

/** Whether the certificate carries the RFC 7633 TLS feature status_request (must-staple). */
export function hasMustStaple(cert: Certificate): boolean {
  const ext = cert.extensions.find((e) => e.oid === OCSP_OID.tlsFeature);
  if (!ext) return false;
  try {
    const r = new DerReader(ext.value, 'tlsfeature', 'bad_certificate');
    const s = r.sequence('Features');
    r.expectEnd();
    while (!s.atEnd) if (s.smallInteger('feature', 65535) === 5) return true;
  } catch {
    // A malformed TLS feature extension: fail closed, as if it asked for the staple.
    return true;
  }
  return false;
}

/** The OCSP responder URLs of a certificate's authorityInfoAccess (RFC 5280 §4.2.2.1). */
export function ocspResponderUrls(cert: Certificate): string[] {
  const ext = cert.extensions.find((e) => e.oid === OID.authorityInfoAccess);
  if (!ext) return [];
  return readAccessDescriptions(ext.value)
    .filter((d) => d.method === OID.adOcsp && d.location.tag === 0x86) // uniformResourceIdentifier [6]
    .map((d) => new TextDecoder().decode(d.location.contents));
}

/** The CertIDs of an OCSPRequest (RFC 6960 §4.1.1); a signature or extensions are skipped, not checked. */
export function parseOcspRequest(bytes: Uint8Array): OcspCertId[] {
  const top = new DerReader(bytes, 'OCSPRequest', 'decode_error');
  const s = top.sequence('OCSPRequest');
  top.expectEnd();
  const tbs = s.sequence('TBSRequest');
  s.optional(0xa0, 'optionalSignature');
  s.expectEnd();
  if (tbs.optional(0xa0, 'version')) tbs.fail('version must be absent (v1 is the DEFAULT)');
  tbs.optional(0xa1, 'requestorName');
  const list = tbs.sequence('requestList');
  tbs.optional(0xa2, 'requestExtensions');
  tbs.expectEnd();
  const out: OcspCertId[] = [];
  while (!list.atEnd) {
    if (out.length >= 64) list.fail('more than 64 requests');
    const req = list.sequence('Request');
    out.push(readCertId(req));
    req.optional(0xa0, 'singleRequestExtensions');
    req.expectEnd();
  }
  if (out.length === 0) list.fail('requestList is empty');
  return out;
}
