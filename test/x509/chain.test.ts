// Path validation, one rule at a time, valid and invalid, on chains built with hush's builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors/index.js';
import { der } from '../../src/asn1/index.js';
import { TrustStore, keyIdentifier, verifyServerChain, verifyResultToJSON, parseCertificates } from '../../src/x509/index.js';
import { AT, NOT_AFTER, assertFail, assertOk, ecKey, mkCa, mkLeaf, provider, rsaKey, verify } from './fixtures.js';

const root = mkCa('CN=Root CA, O=Hush Test');
const inter = mkCa('CN=Inter CA, O=Hush Test', root);
const leaf = mkLeaf(inter);
const FULL = ['CN=www.example.com', 'CN=Inter CA, O=Hush Test', 'CN=Root CA, O=Hush Test'];

test('valid chain: PEM, DER and parsed inputs; TrustStore or certificate list', () => {
  assertOk(verify({ leaf: leaf.pem, intermediates: [inter.pem], roots: [root.pem] }), FULL);
  assertOk(verify({ leaf: leaf.der, intermediates: inter.der, roots: root.der }), FULL);
  assertOk(verify({ leaf: leaf.cert, intermediates: [inter.cert], roots: new TrustStore([root.cert]) }), FULL);
  // leaf PEM followed by its intermediates (fullchain.pem)
  assertOk(verify({ leaf: leaf.pem + inter.pem, roots: TrustStore.fromPem(root.pem) }), FULL);
});

test('unordered, duplicated and superfluous intermediates', () => {
  const other = mkCa('CN=Unrelated CA', root);
  const r = verify({ leaf: leaf.pem, intermediates: [other.pem, root.pem, inter.pem, inter.pem, leaf.pem], roots: [root.pem] });
  assertOk(r, FULL);
});

test('missing intermediate → unknown_ca naming where the chain ends', () => {
  assertFail(
    verify({ leaf: leaf.pem, roots: [root.pem] }),
    'trust',
    'unknown_ca',
    "no trusted root: the chain ends at 'CN=www.example.com', whose issuer 'CN=Inter CA, O=Hush Test' is not in the trust store",
  );
  const otherRoot = mkCa('CN=Other Root');
  const r = verify({ leaf: leaf.pem, intermediates: [inter.pem], roots: [otherRoot.pem] });
  assertFail(r, 'trust', 'unknown_ca', /chain ends at 'CN=Inter CA, O=Hush Test', whose issuer 'CN=Root CA, O=Hush Test'/);
  assert.equal(r.chain.length, 2);
});

test('self-signed leaf: unknown_ca unless it is itself trusted', () => {
  const ss = mkLeaf(undefined);
  assertFail(
    verify({ leaf: ss.pem, roots: [root.pem] }),
    'trust',
    'unknown_ca',
    "no trusted root: the chain ends at 'CN=www.example.com', which is self-signed and not in the trust store",
  );
  assertOk(verify({ leaf: ss.pem, roots: [ss.pem, root.pem] }), ['CN=www.example.com']);
});

test('signatures: an impostor intermediate with the right name but another key', () => {
  // Without key identifiers (the 'rfc5280' profile: 'webpki' requires them), only signatures tell the CAs apart.
  const impostor = mkCa('CN=Inter CA, O=Hush Test', root, { subjectKeyIdentifier: false });
  const leaf2 = mkLeaf(inter, { authorityKeyIdentifier: false });
  assertFail(
    verify({ leaf: leaf2.pem, intermediates: [impostor.pem], roots: [root.pem], profile: 'rfc5280' }),
    'signature',
    'bad_certificate',
    "the signature on 'CN=www.example.com' does not verify with the public key of 'CN=Inter CA, O=Hush Test'",
  );
  // with the real one also present, the search finds it
  assertOk(verify({ leaf: leaf2.pem, intermediates: [impostor.pem, inter.pem], roots: [root.pem], profile: 'rfc5280' }), FULL);
  // a corrupted signature byte
  const bad = leaf.der.slice();
  bad[bad.length - 5]! ^= 0x01;
  assertFail(verify({ leaf: bad, intermediates: [inter.pem], roots: [root.pem] }), 'signature', 'bad_certificate', /does not verify/);
});

test('key identifiers pick the right root among two with the same name', () => {
  const r1 = mkCa('CN=Twin Root');
  const r2 = mkCa('CN=Twin Root');
  const l = mkLeaf(r2);
  assertOk(verify({ leaf: l.pem, roots: [r1.pem, r2.pem] }), ['CN=www.example.com', 'CN=Twin Root']);
  // without key identifiers ('rfc5280' profile) both are tried by signature
  const l2 = mkLeaf(r2, { authorityKeyIdentifier: false });
  const r = verify({ leaf: l2.pem, roots: [r1.pem, r2.pem], profile: 'rfc5280' });
  assertOk(r);
  assert.deepEqual(r.ok && r.chain[1]!.raw, r2.cert.raw);
});

test('cross-signed intermediates: the path through the trusted root is found', () => {
  const oldRoot = mkCa('CN=Old Root');
  const newRoot = mkCa('CN=New Root');
  // The new root's key, certified by the old root (a cross-certificate).
  const cross = mkCa('CN=New Root', oldRoot, { key: newRoot.key });
  const i = mkCa('CN=Issuing CA', newRoot);
  const l = mkLeaf(i);
  const base = ['CN=www.example.com', 'CN=Issuing CA'];
  // Clients that trust only the old root go through the cross-certificate.
  assertOk(verify({ leaf: l.pem, intermediates: [i.pem, cross.pem], roots: [oldRoot.pem] }), [...base, 'CN=New Root', 'CN=Old Root']);
  // Clients that trust the new root stop there, even when the server sends the cross-certificate.
  assertOk(verify({ leaf: l.pem, intermediates: [cross.pem, i.pem], roots: [newRoot.pem] }), [...base, 'CN=New Root']);
  // Trusting neither: unknown_ca.
  assertFail(verify({ leaf: l.pem, intermediates: [cross.pem, i.pem], roots: [root.pem] }), 'trust', 'unknown_ca', /Old Root/);
  // An expired cross-certificate does not hide the valid path.
  const expiredCross = mkCa('CN=New Root', oldRoot, { key: newRoot.key, notAfter: Date.UTC(2025, 5, 1) });
  assertOk(verify({ leaf: l.pem, intermediates: [expiredCross.pem, i.pem], roots: [oldRoot.pem, newRoot.pem] }), [...base, 'CN=New Root']);
});

test('loops terminate: two CAs that certify each other', () => {
  const a = mkCa('CN=Loop A');
  const b = mkCa('CN=Loop B', a);
  const a2 = mkCa('CN=Loop A', b, { key: a.key });
  const l = mkLeaf(b);
  assertFail(verify({ leaf: l.pem, intermediates: [b.pem, a2.pem, a.pem], roots: [root.pem] }), 'trust', 'unknown_ca', /Loop/);
});

test('validity: leaf, intermediate and root, before and after', () => {
  const expired = mkLeaf(inter, { notBefore: Date.UTC(2024, 0, 1), notAfter: Date.UTC(2025, 4, 1, 12) });
  assertFail(
    verify({ leaf: expired.pem, intermediates: [inter.pem], roots: [root.pem] }),
    'validity',
    'certificate_expired',
    "certificate 'CN=www.example.com' expired on 2025-05-01T12:00:00Z",
  );
  const future = mkLeaf(inter, { notBefore: Date.UTC(2027, 0, 1) });
  assertFail(
    verify({ leaf: future.pem, intermediates: [inter.pem], roots: [root.pem] }),
    'validity',
    'certificate_expired',
    "certificate 'CN=www.example.com' is not valid before 2027-01-01T00:00:00Z",
  );
  // boundaries are inclusive (RFC 5280 §4.1.2.5)
  assertOk(verify({ leaf: leaf.pem, intermediates: [inter.pem], roots: [root.pem], at: NOT_AFTER }));
  const ei = mkCa('CN=Expired Inter', root, { notAfter: Date.UTC(2025, 6, 1) });
  assertFail(
    verify({ leaf: mkLeaf(ei).pem, intermediates: [ei.pem], roots: [root.pem] }),
    'validity',
    'certificate_expired',
    "issuer 'CN=Expired Inter' expired on 2025-07-01T00:00:00Z",
  );
  const er = mkCa('CN=Expired Root', undefined, { notAfter: Date.UTC(2025, 6, 1) });
  assertFail(verify({ leaf: mkLeaf(er).pem, roots: [er.pem] }), 'validity', 'certificate_expired', /issuer 'CN=Expired Root' expired on 2025-07-01/);
});

test('basicConstraints: every issuer must be a CA', () => {
  const notCa = mkCa('CN=Not A CA', root, { ca: false });
  assertFail(
    verify({ leaf: mkLeaf(notCa).pem, intermediates: [notCa.pem], roots: [root.pem] }),
    'basicConstraints',
    'bad_certificate',
    "issuer 'CN=Not A CA' is not a CA (basicConstraints cA is false)",
  );
  const noBc = mkCa('CN=No BC', root, { ca: undefined as unknown as boolean, keyUsage: ['keyCertSign'] });
  assertFail(
    verify({ leaf: mkLeaf(noBc).pem, intermediates: [noBc.pem], roots: [root.pem] }),
    'basicConstraints',
    'bad_certificate',
    "issuer 'CN=No BC' is not a CA (it has no basicConstraints extension)",
  );
  // a leaf used as an issuer
  const l2 = mkLeaf(leaf, { dnsNames: ['www.example.com'] });
  assertFail(verify({ leaf: l2.pem, intermediates: [leaf.pem, inter.pem], roots: [root.pem] }), 'basicConstraints', 'bad_certificate', /issuer 'CN=www.example.com' is not a CA/);
  // a v1 root (no extensions) is accepted as an anchor, a v3 root without cA is not
  const v1 = mkCa('CN=V1 Root', undefined, { version: 1, ca: undefined as unknown as boolean, keyUsage: null });
  assert.equal(v1.cert.version, 1);
  assertOk(verify({ leaf: mkLeaf(v1, { authorityKeyIdentifier: keyIdentifier(provider, v1.key.publicKey.spki) }).pem, roots: [v1.pem] }));
  const v3NoCa = mkCa('CN=V3 Root', undefined, { ca: false });
  assertFail(verify({ leaf: mkLeaf(v3NoCa).pem, roots: [v3NoCa.pem] }), 'basicConstraints', 'bad_certificate', /'CN=V3 Root' is not a CA/);
});

test('pathLenConstraint', () => {
  const r0 = mkCa('CN=Root pathLen 0', undefined, { ca: { pathLen: 0 } });
  const i0 = mkCa('CN=Inter under pathLen 0', r0);
  assertOk(verify({ leaf: mkLeaf(r0).pem, roots: [r0.pem] })); // leaf directly under: fine
  assertFail(
    verify({ leaf: mkLeaf(i0).pem, intermediates: [i0.pem], roots: [r0.pem] }),
    'pathLen',
    'bad_certificate',
    "issuer 'CN=Root pathLen 0' allows 0 intermediate CA certificates below it (pathLenConstraint 0) but the chain has 1",
  );
  const r1 = mkCa('CN=Root pathLen 1', undefined, { ca: { pathLen: 1 } });
  const i1 = mkCa('CN=Inter A', r1);
  const i2 = mkCa('CN=Inter B', i1);
  assertOk(verify({ leaf: mkLeaf(i1).pem, intermediates: [i1.pem], roots: [r1.pem] }));
  assertFail(verify({ leaf: mkLeaf(i2).pem, intermediates: [i1.pem, i2.pem], roots: [r1.pem] }), 'pathLen', 'bad_certificate', /pathLenConstraint 1\) but the chain has 2/);
  // on an intermediate
  const ip = mkCa('CN=Inter pathLen 0', root, { ca: { pathLen: 0 } });
  const sub = mkCa('CN=Sub CA', ip);
  assertFail(verify({ leaf: mkLeaf(sub).pem, intermediates: [ip.pem, sub.pem], roots: [root.pem] }), 'pathLen', 'bad_certificate', /issuer 'CN=Inter pathLen 0'/);
});

test('keyUsage: keyCertSign on issuers, digitalSignature on the leaf', () => {
  const noSign = mkCa('CN=No keyCertSign', root, { keyUsage: ['cRLSign', 'digitalSignature'] });
  assertFail(
    verify({ leaf: mkLeaf(noSign).pem, intermediates: [noSign.pem], roots: [root.pem] }),
    'keyUsage',
    'bad_certificate',
    "issuer 'CN=No keyCertSign' keyUsage (digitalSignature, cRLSign) does not include keyCertSign",
  );
  // no keyUsage extension at all: allowed
  const noKuCa = mkCa('CN=No KU CA', undefined, { keyUsage: null });
  assertOk(verify({ leaf: mkLeaf(noKuCa).pem, roots: [noKuCa.pem] }));
  // ECDSA leaf with keyEncipherment only
  const ecEnc = mkLeaf(inter, { keyUsage: ['keyEncipherment'] });
  assertFail(
    verify({ leaf: ecEnc.pem, intermediates: [inter.pem], roots: [root.pem] }),
    'keyUsage',
    'unsupported_certificate',
    "certificate 'CN=www.example.com' keyUsage (keyEncipherment) does not include digitalSignature, which an ECDSA key needs",
  );
  // RSA leaf: keyEncipherment alone is acceptable (TLS 1.2 RSA key transport)
  const rsaEnc = mkLeaf(inter, { key: rsaKey(), keyUsage: ['keyEncipherment'] });
  assertOk(verify({ leaf: rsaEnc.pem, intermediates: [inter.pem], roots: [root.pem] }));
  const rsaNone = mkLeaf(inter, { key: rsaKey(), keyUsage: ['dataEncipherment'] });
  assertFail(verify({ leaf: rsaNone.pem, intermediates: [inter.pem], roots: [root.pem] }), 'keyUsage', 'unsupported_certificate', /digitalSignature or keyEncipherment/);
  // Ed25519 leaf
  const ed = mkLeaf(inter, { key: provider.generatePrivateKey({ type: 'ed25519' }) });
  assertOk(verify({ leaf: ed.pem, intermediates: [inter.pem], roots: [root.pem] }));
  const edEnc = mkLeaf(inter, { key: provider.generatePrivateKey({ type: 'ed25519' }), keyUsage: ['keyAgreement'] });
  assertFail(verify({ leaf: edEnc.pem, intermediates: [inter.pem], roots: [root.pem] }), 'keyUsage', 'unsupported_certificate', /an Ed25519 key needs/);
});

test('extendedKeyUsage on the leaf and on intermediates', () => {
  const base = { intermediates: [inter.pem], roots: [root.pem] };
  assertOk(verify({ leaf: mkLeaf(inter, { extKeyUsage: null }).pem, ...base, profile: 'rfc5280' })); // absent: any use (RFC 5280)
  assertFail(verify({ leaf: mkLeaf(inter, { extKeyUsage: null }).pem, ...base }), 'extKeyUsage', 'unsupported_certificate', /has no extendedKeyUsage/); // BR: required
  assertOk(verify({ leaf: mkLeaf(inter, { extKeyUsage: ['clientAuth', 'serverAuth'] }).pem, ...base }));
  const clientOnly = mkLeaf(inter, { extKeyUsage: ['clientAuth'] });
  assertFail(
    verify({ leaf: clientOnly.pem, ...base }),
    'extKeyUsage',
    'unsupported_certificate',
    "certificate 'CN=www.example.com' extendedKeyUsage (clientAuth) does not allow serverAuth",
  );
  assertOk(verify({ leaf: clientOnly.pem, ...base, purpose: 'clientAuth', hostname: null }));
  assertFail(verify({ leaf: mkLeaf(inter).pem, ...base, purpose: 'clientAuth' }), 'extKeyUsage', 'unsupported_certificate', /does not allow clientAuth/);
  // anyExtendedKeyUsage alone is not enough on a leaf
  assertFail(verify({ leaf: mkLeaf(inter, { extKeyUsage: ['anyExtendedKeyUsage'] }).pem, ...base, profile: 'rfc5280' }), 'extKeyUsage', 'unsupported_certificate', /anyExtendedKeyUsage\) does not allow serverAuth/);
  // intermediates: EKU chaining
  const ic = mkCa('CN=Client-only CA', root, { extKeyUsage: ['clientAuth'] });
  assertFail(
    verify({ leaf: mkLeaf(ic).pem, intermediates: [ic.pem], roots: [root.pem] }),
    'extKeyUsage',
    'unsupported_certificate',
    "issuer 'CN=Client-only CA' extendedKeyUsage (clientAuth) does not allow serverAuth",
  );
  const is = mkCa('CN=Server CA', root, { extKeyUsage: ['serverAuth'] });
  assertOk(verify({ leaf: mkLeaf(is).pem, intermediates: [is.pem], roots: [root.pem] }));
  const ia = mkCa('CN=Any CA', root, { extKeyUsage: ['anyExtendedKeyUsage'] });
  assertOk(verify({ leaf: mkLeaf(ia).pem, intermediates: [ia.pem], roots: [root.pem] }));
});

test('name constraints: dNSName and iPAddress, permitted and excluded', () => {
  const nc = mkCa('CN=Constrained CA', root, {
    nameConstraints: { permittedDns: ['example.com'], excludedDns: ['secret.example.com'], permittedIps: ['10.0.0.0/8'], excludedIps: ['10.9.0.0/16'] },
  });
  const v = (o: { dnsNames?: string[]; ipAddresses?: string[] }, host = 'www.example.com') =>
    verify({ leaf: mkLeaf(nc, o).pem, intermediates: [nc.pem], roots: [root.pem], hostname: host });
  assertOk(v({ dnsNames: ['www.example.com', 'example.com'] }));
  assertOk(v({ dnsNames: ['www.example.com'], ipAddresses: ['10.1.2.3'] }));
  assertFail(v({ dnsNames: ['www.example.com', 'www.evil.com'] }), 'nameConstraints', 'bad_certificate', "issuer 'CN=Constrained CA' does not permit DNS name 'www.evil.com' (permitted: 'example.com')");
  assertFail(v({ dnsNames: ['www.example.com', 'badexample.com'] }), 'nameConstraints', 'bad_certificate', /does not permit DNS name 'badexample.com'/);
  assertFail(v({ dnsNames: ['www.example.com', 'a.secret.example.com'] }), 'nameConstraints', 'bad_certificate', "issuer 'CN=Constrained CA' excludes DNS name 'a.secret.example.com' (excluded subtree 'secret.example.com')");
  assertFail(v({ dnsNames: ['www.example.com'], ipAddresses: ['192.168.1.1'] }), 'nameConstraints', 'bad_certificate', /does not permit IP address 192.168.1.1 \(permitted: 10.0.0.0\/8\)/);
  assertFail(v({ dnsNames: ['www.example.com'], ipAddresses: ['10.9.1.1'] }), 'nameConstraints', 'bad_certificate', /excludes IP address 10.9.1.1 \(excluded subtree 10.9.0.0\/16\)/);
  assertFail(v({ dnsNames: ['www.example.com'], ipAddresses: ['::1'] }), 'nameConstraints', 'bad_certificate', /does not permit IP address ::1/);
  // excluded only: everything else allowed
  const ex = mkCa('CN=Excluding CA', root, { nameConstraints: { excludedDns: ['internal'] } });
  assertOk(verify({ leaf: mkLeaf(ex).pem, intermediates: [ex.pem], roots: [root.pem] }));
  assertFail(verify({ leaf: mkLeaf(ex, { dnsNames: ['www.example.com', 'db.internal'] }).pem, intermediates: [ex.pem], roots: [root.pem] }), 'nameConstraints', 'bad_certificate', /excludes DNS name 'db.internal'/);
  // constraints on the root apply too
  const cr = mkCa('CN=Constrained Root', undefined, { nameConstraints: { permittedDns: ['example.org'] } });
  assertFail(verify({ leaf: mkLeaf(cr).pem, roots: [cr.pem] }), 'nameConstraints', 'bad_certificate', /'CN=Constrained Root' does not permit DNS name 'www.example.com'/);
});

test('unknown critical extensions are refused on every certificate; known or non-critical ones are not', () => {
  const unknown = { oid: '1.3.6.1.4.1.99999.1', critical: true, value: der.nullValue() };
  assertFail(
    verify({ leaf: mkLeaf(inter, { extensions: [unknown] }).pem, intermediates: [inter.pem], roots: [root.pem] }),
    'criticalExtension',
    'unsupported_certificate',
    "certificate 'CN=www.example.com' has an unsupported critical extension 1.3.6.1.4.1.99999.1",
  );
  assertOk(verify({ leaf: mkLeaf(inter, { extensions: [{ ...unknown, critical: false }] }).pem, intermediates: [inter.pem], roots: [root.pem] }));
  const ci = mkCa('CN=Critical Inter', root, { extensions: [unknown] });
  assertFail(verify({ leaf: mkLeaf(ci).pem, intermediates: [ci.pem], roots: [root.pem] }), 'criticalExtension', 'unsupported_certificate', /issuer 'CN=Critical Inter' has an unsupported critical extension/);
  const cr = mkCa('CN=Critical Root', undefined, { extensions: [unknown] });
  assertFail(verify({ leaf: mkLeaf(cr).pem, roots: [cr.pem] }), 'criticalExtension', 'unsupported_certificate', /issuer 'CN=Critical Root'/);
  // a critical certificatePolicies is recognised (and ignored)
  const policies = { oid: '2.5.29.32', critical: true, value: der.sequence(der.sequence(der.oid('2.23.140.1.2.1'))) };
  assertOk(verify({ leaf: mkLeaf(inter, { extensions: [policies] }).pem, intermediates: [inter.pem], roots: [root.pem] }));
});

test('hostname: names the certificate and the host', () => {
  assertFail(
    verify({ leaf: leaf.pem, intermediates: [inter.pem], roots: [root.pem], hostname: 'localhost' }),
    'hostname',
    'bad_certificate',
    "certificate for 'www.example.com' is not valid for 'localhost'",
  );
  const many = mkLeaf(inter, { subject: 'CN=a.example', dnsNames: ['a.example', 'b.example', 'c.example', 'd.example', 'e.example', 'f.example'], ipAddresses: ['127.0.0.1'] });
  assertFail(verify({ leaf: many.pem, intermediates: [inter.pem], roots: [root.pem], hostname: '127.0.0.2' }), 'hostname', 'bad_certificate', "certificate for 'a.example', 'b.example', 'c.example', 'd.example' and 3 more is not valid for '127.0.0.2'");
  assertOk(verify({ leaf: many.pem, intermediates: [inter.pem], roots: [root.pem], hostname: '127.0.0.1' }));
  // hostname omitted (or null): no identity check
  assertOk(verify({ leaf: leaf.pem, intermediates: [inter.pem], roots: [root.pem], hostname: null }));
});

test('maximum depth and the work limit', () => {
  let ca = mkCa('CN=Deep Root');
  const r = ca;
  const inters: string[] = [];
  for (let i = 1; i <= 7; i++) {
    ca = mkCa(`CN=Deep ${i}`, ca);
    inters.push(ca.pem);
  }
  const l = mkLeaf(ca);
  // leaf + 7 intermediates + root = 9 certificates > 8
  assertFail(verify({ leaf: l.pem, intermediates: inters, roots: [r.pem] }), 'depth', 'unknown_ca', 'no path of at most 8 certificates reaches a trusted root');
  assertOk(verify({ leaf: l.pem, intermediates: inters, roots: [r.pem], maxDepth: 9 }));
  // 70 impostors with the issuer's name and no key identifiers: the search gives up
  const impostors = Array.from({ length: 70 }, () => mkCa('CN=Inter CA, O=Hush Test', root, { subjectKeyIdentifier: false }).pem);
  const l2 = mkLeaf(inter, { authorityKeyIdentifier: false });
  const t0 = performance.now();
  const res = verify({ leaf: l2.pem, intermediates: [...impostors, inter.pem], roots: [root.pem], profile: 'rfc5280' });
  assert.equal(res.ok, false);
  assert.ok(performance.now() - t0 < 2000);
});

test('RSA PKCS#1, RSASSA-PSS and Ed25519 signatures', () => {
  const rsaRoot = mkCa('CN=RSA Root', undefined, { key: rsaKey() });
  assert.equal(rsaRoot.cert.signatureAlgorithm.name, 'sha256WithRSAEncryption');
  const pssInter = mkCa('CN=PSS Inter', rsaRoot, { signatureAlgorithm: { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 } });
  assert.equal(pssInter.cert.signatureAlgorithm.name, 'rsassa-pss(sha384, salt 48)');
  const edInter = mkCa('CN=Ed25519 Inter', pssInter, { key: provider.generatePrivateKey({ type: 'ed25519' }) });
  const l = mkLeaf(edInter);
  assertOk(verify({ leaf: l.pem, intermediates: [edInter.pem, pssInter.pem], roots: [rsaRoot.pem] }), ['CN=www.example.com', 'CN=Ed25519 Inter', 'CN=PSS Inter', 'CN=RSA Root']);
  const sha512 = mkLeaf(rsaRoot, { signatureAlgorithm: { kind: 'rsa-pkcs1', hash: 'sha512' } });
  assertOk(verify({ leaf: sha512.pem, roots: [rsaRoot.pem] }));
  const p384 = mkCa('CN=P-384 Root', undefined, { key: ecKey('P-384') });
  assert.equal(p384.cert.signatureAlgorithm.name, 'ecdsa-with-SHA384');
  assertOk(verify({ leaf: mkLeaf(p384).pem, roots: [p384.pem] }));
});

test('parse failures are results, API misuse throws UsageError', () => {
  const r = verify({ leaf: 'not a certificate', roots: [root.pem] });
  assertFail(r, 'parse', 'bad_certificate', /cannot parse the leaf certificate/);
  assertFail(verify({ leaf: leaf.pem, intermediates: [new Uint8Array([0x30, 0x03, 1])], roots: [root.pem] }), 'parse', 'bad_certificate', /intermediate/);
  assert.throws(
    () => verifyServerChain({ leaf: leaf.pem, roots: [root.pem], hostname: 'www.example.com', at: AT }),
    (e: unknown) => e instanceof UsageError && /pass a CryptoProvider as `provider`/.test(e.message),
  );
  assert.throws(() => verifyServerChain({ leaf: leaf.pem, roots: [root.pem], hostname: 'x', provider } as never), UsageError);
  assert.throws(() => verify({ leaf: leaf.pem, roots: [root.pem], at: new Date(NaN) }), UsageError);
  assert.throws(() => verify({ leaf: leaf.pem, roots: [root.pem], hostname: 'bücher.example' }), UsageError);
  assert.throws(() => verify({ leaf: leaf.pem, roots: [root.pem], purpose: 'codeSigning' as never }), UsageError);
});

test('JSON form', () => {
  const ok = verifyResultToJSON(verify({ leaf: leaf.pem, intermediates: [inter.pem], roots: [root.pem] }));
  assert.deepEqual(ok, { ok: true, error: null, chain: FULL });
  const bad = verifyResultToJSON(verify({ leaf: leaf.pem, intermediates: [inter.pem], roots: [root.pem], hostname: 'localhost' }));
  assert.deepEqual(JSON.parse(JSON.stringify(bad)), {
    ok: false,
    error: {
      alert: 'bad_certificate',
      code: 'ERR_TLS_BAD_CERTIFICATE',
      check: 'hostname',
      reason: 'hostname',
      message: "certificate for 'www.example.com' is not valid for 'localhost'",
      certificate: 'CN=www.example.com',
    },
    chain: ['CN=www.example.com'],
  });
});

test('trust store: lazy, indexed by subject, skips unparsable entries', () => {
  const store = new TrustStore();
  store.add(root.pem + inter.pem).add(new Uint8Array([0x30, 0x00]));
  assert.equal(store.size, 3);
  assert.equal(store.findBySubject(root.cert.subject.raw).length, 1);
  assert.equal(store.has(root.cert), true);
  assert.equal(store.has(leaf.cert), false);
  assert.equal(store.certificates().length, 2);
  assert.equal(store.rejected().length, 1);
  assert.equal(parseCertificates(root.pem + inter.pem).length, 2);
});

test('signature algorithms hush does not accept are named (unsupported_certificate)', () => {
  // Turn ecdsa-with-SHA256 (…04 03 02) into ecdsa-with-SHA224 (…04 03 01) in both places.
  const l = mkLeaf(inter).der.slice();
  const pattern = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
  let n = 0;
  for (let i = 0; i + pattern.length <= l.length; i++) {
    if (pattern.every((b, k) => l[i + k] === b)) {
      l[i + 7] = 0x01;
      n++;
    }
  }
  assert.equal(n, 2);
  assertFail(
    verify({ leaf: l, intermediates: [inter.pem], roots: [root.pem] }),
    'algorithm',
    'unsupported_certificate',
    "certificate 'CN=www.example.com' is signed with 1.2.840.10045.4.3.1, which hush does not accept",
  );
});

test('the failing path is reported: chain on failure, anchor checks, leaf in the store', () => {
  const r = verify({ leaf: leaf.pem, intermediates: [inter.pem], roots: [root.pem], hostname: 'localhost' });
  assert.equal(r.ok, false);
  assert.deepEqual(r.chain.map((c) => c.subject.text), ['CN=www.example.com']);
  // a CA leaf pinned directly in the store is a one-certificate chain
  assertOk(verify({ leaf: leaf.pem, roots: [leaf.pem] }), ['CN=www.example.com']);
  // the leaf's own checks still apply when it is pinned
  const exp = mkLeaf(undefined, { notAfter: Date.UTC(2025, 1, 1) });
  assertFail(verify({ leaf: exp.pem, roots: [exp.pem] }), 'validity', 'certificate_expired', /expired on 2025-02-01/);
});
