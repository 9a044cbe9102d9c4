// The validation profiles (#15), one rule at a time: a chain that breaks the rule fails with the
// rule's stable reason code, the same chain without the fault passes, and the 'rfc5280' profile
// accepts what only the Web PKI forbids. Every rule of RULES is asserted somewhere below (last test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { der } from '../../src/asn1/index.js';
import type { PublicKey } from '../../src/crypto/provider.js';
import { UsageError } from '../../src/errors/index.js';
import {
  MAX_NC_COMPARISONS,
  OID,
  RULES,
  TrustStore,
  issueCertificate,
  keyIdentifier,
  verifyClientChain,
  type VerifyReason,
  type VerifyResult,
} from '../../src/x509/index.js';
import { AT, NOT_AFTER, NOT_BEFORE, ecKey, mkCa, mkLeaf, provider, verify, type Issued } from './fixtures.js';

const root = mkCa('CN=Profile Root, O=Hush Test');
const inter = mkCa('CN=Profile Inter, O=Hush Test', root);
const base = { intermediates: [inter.pem], roots: [root.pem] };

const seen = new Set<VerifyReason>();

function ok(r: VerifyResult, what: string): void {
  if (!r.ok) assert.fail(`${what}: expected a valid chain, got ${r.error.reason}: ${r.error.message}`);
}

/** The chain fails with this rule (and the rule's check family and alert). */
function fails(r: VerifyResult, reason: VerifyReason, message?: RegExp): void {
  if (r.ok) assert.fail(`expected ${reason}, got a valid chain`);
  assert.equal(r.error.reason, reason, r.error.message);
  const info = RULES[reason as keyof typeof RULES];
  if (info) {
    assert.equal(r.error.check, info.check, reason);
    assert.equal(r.error.alertName, info.alert, reason);
    assert.equal(r.error.toJSON().reason, reason);
  }
  if (message) assert.match(r.error.message, message);
  seen.add(reason);
}

/** Leaf under `inter` with these options, verified with the default ('webpki') and 'rfc5280'. */
function leafCase(o: Parameters<typeof mkLeaf>[1], hostname: string | null = 'www.example.com'): { webpki: VerifyResult; rfc5280: VerifyResult } {
  const l = mkLeaf(inter, o);
  return {
    webpki: verify({ leaf: l.pem, ...base, hostname }),
    rfc5280: verify({ leaf: l.pem, ...base, hostname, profile: 'rfc5280' }),
  };
}

function spkiKey(type: string, spki: Uint8Array): PublicKey {
  return { type, spki } as unknown as PublicKey;
}

test('defaults: webpki for server chains, rfc5280 for client chains; a valid Web PKI chain passes both', () => {
  const l = mkLeaf(inter);
  ok(verify({ leaf: l.pem, ...base }), 'webpki');
  ok(verify({ leaf: l.pem, ...base, profile: 'rfc5280' }), 'rfc5280');
  const noEku = mkLeaf(inter, { extKeyUsage: null });
  fails(verify({ leaf: noEku.pem, ...base }), 'extKeyUsageMissing');
  ok(verify({ leaf: noEku.pem, ...base, purpose: 'clientAuth', hostname: null }), 'clientAuth defaults to rfc5280');
  assert.throws(() => verify({ leaf: l.pem, ...base, profile: 'strict' as never }), UsageError);
});

test('name constraints bind intermediates: their SANs and their subjects', () => {
  const ncRoot = mkCa('CN=NC Root, O=Hush Test', undefined, { nameConstraints: { permittedDns: ['example.com'] } });
  const badInter = mkCa('CN=Bad Inter, O=Hush Test', ncRoot, { dnsNames: ['ca.evil.com'] });
  fails(
    verify({ leaf: mkLeaf(badInter).pem, intermediates: [badInter.pem], roots: [ncRoot.pem] }),
    'nameConstraintsNotPermitted',
    /'CN=NC Root, O=Hush Test' does not permit DNS name 'ca.evil.com' .*on intermediate 'CN=Bad Inter/,
  );
  const goodInter = mkCa('CN=Good Inter, O=Hush Test', ncRoot, { dnsNames: ['ca.example.com'] });
  ok(verify({ leaf: mkLeaf(goodInter).pem, intermediates: [goodInter.pem], roots: [ncRoot.pem] }), 'intermediate SAN inside');
  // directoryName constraints against subjects (RFC 5280 §6.1.3(b))
  const dnRoot = mkCa('CN=DN Root, O=Hush Test', undefined, { nameConstraints: { permittedDirectoryNames: ['O=Hush Test'] } });
  const outside = mkCa('CN=Outside Inter, O=Elsewhere', dnRoot);
  const leafIn = (i: Issued) => mkLeaf(i, { subject: 'CN=www.example.com, O=Hush Test' });
  fails(verify({ leaf: leafIn(outside).pem, intermediates: [outside.pem], roots: [dnRoot.pem] }), 'nameConstraintsNotPermitted', /directory name 'CN=Outside Inter, O=Elsewhere'/);
  const inside = mkCa('CN=Inside Inter, O=Hush Test', dnRoot);
  ok(verify({ leaf: leafIn(inside).pem, intermediates: [inside.pem], roots: [dnRoot.pem] }), 'subjects inside');
  fails(verify({ leaf: mkLeaf(inside).pem, intermediates: [inside.pem], roots: [dnRoot.pem] }), 'nameConstraintsNotPermitted', /directory name 'CN=www.example.com'/);
  const exRoot = mkCa('CN=DN Excl Root', undefined, { nameConstraints: { excludedDirectoryNames: ['O=Elsewhere'] } });
  const ex = mkCa('CN=Excluded Inter, O=Elsewhere', exRoot);
  fails(verify({ leaf: mkLeaf(ex).pem, intermediates: [ex.pem], roots: [exRoot.pem] }), 'nameConstraintsExcluded', /excludes directory name/);
});

test('wildcard SANs must be permitted and not excluded for every name they can match (CVE-2025-61727 class)', () => {
  const wild = { subject: 'CN=*.example.com', dnsNames: ['*.example.com'] };
  const under = (nc: Parameters<typeof mkCa>[2]) => {
    const ca = mkCa('CN=Wildcard NC Inter', root, nc);
    return verify({ leaf: mkLeaf(ca, wild).pem, intermediates: [ca.pem], roots: [root.pem] });
  };
  fails(under({ nameConstraints: { excludedDns: ['bar.example.com'] } }), 'nameConstraintsWildcard', /excludes names that the wildcard DNS name '\*.example.com' can match \(excluded subtree 'bar.example.com'\)/);
  fails(under({ nameConstraints: { excludedDns: ['example.com'] } }), 'nameConstraintsWildcard');
  fails(under({ nameConstraints: { permittedDns: ['foo.example.com'] } }), 'nameConstraintsWildcard', /does not permit every name/);
  ok(under({ nameConstraints: { permittedDns: ['example.com'] } }), 'permitted parent');
  ok(under({ nameConstraints: { excludedDns: ['bar.example.org', 'a.b.example.com'] } }), 'excluded elsewhere or two labels down');
  // the plain name itself is still checked
  fails(under({ nameConstraints: { permittedDns: ['example.org'] } }), 'nameConstraintsWildcard');
});

test('name constraints: not in an end entity, critical, well formed; names under them valid; unsupported forms refused', () => {
  fails(leafCase({ nameConstraints: { permittedDns: ['example.com'] } }).rfc5280, 'nameConstraintsInEndEntity');
  const nonCritical = mkCa('CN=Non-critical NC', root, { nameConstraints: { permittedDns: ['example.com'], critical: false } });
  fails(verify({ leaf: mkLeaf(nonCritical).pem, intermediates: [nonCritical.pem], roots: [root.pem], profile: 'rfc5280' }), 'nameConstraintsNotCritical');
  for (const c of ['.example.com', '*.example.com', 'exa mple.com']) {
    const bad = mkCa('CN=Malformed NC', root, { nameConstraints: { excludedDns: [c] } });
    fails(verify({ leaf: mkLeaf(bad).pem, intermediates: [bad.pem], roots: [root.pem], profile: 'rfc5280' }), 'nameConstraintsMalformed', /malformed dNSName constraint/);
  }
  const nc = mkCa('CN=DNS NC', root, { nameConstraints: { permittedDns: ['example.com'] } });
  const under = mkLeaf(nc, { dnsNames: ['www.example.com', 'a_b.example.com'] });
  fails(verify({ leaf: under.pem, intermediates: [nc.pem], roots: [root.pem], profile: 'rfc5280' }), 'nameConstraintsInvalidName', /'a_b.example.com' is not a valid DNS name/);
  const mail = mkCa('CN=Mail NC', root, { nameConstraints: { permittedEmails: ['example.com'] } });
  const withEmail = mkLeaf(mail, { subject: [['CN', 'www.example.com'], ['1.2.840.113549.1.9.1', 'ops@example.com']] });
  fails(verify({ leaf: withEmail.pem, intermediates: [mail.pem], roots: [root.pem] }), 'nameConstraintsUnsupportedForm', /rfc822Name|email/);
  ok(verify({ leaf: mkLeaf(mail).pem, intermediates: [mail.pem], roots: [root.pem] }), 'no email name: fine');
});

test('name constraints: names × constraints is bounded and fails fast', () => {
  const many = Array.from({ length: 300 }, (_, i) => `n${i}.example.com`);
  const ca = mkCa('CN=Many Constraints', root, { nameConstraints: { permittedDns: ['example.com', ...many] } });
  const sans = Array.from({ length: 250 }, (_, i) => `h${i}.example.com`);
  const l = mkLeaf(ca, { subject: 'CN=h0.example.com', dnsNames: sans });
  const t0 = performance.now();
  const r = verify({ leaf: l.pem, intermediates: [ca.pem], roots: [root.pem], hostname: 'h0.example.com' });
  fails(r, 'nameConstraintsWorkLimit', new RegExp(`more than the limit of ${MAX_NC_COMPARISONS}`));
  assert.ok(performance.now() - t0 < 2000);
  const fewer = mkLeaf(ca, { subject: 'CN=h0.example.com', dnsNames: sans.slice(0, 100) });
  ok(verify({ leaf: fewer.pem, intermediates: [ca.pem], roots: [root.pem], hostname: 'h0.example.com' }), 'under the bound');
});

test('key identifiers (RFC 5280 §4.2.1.1-2, BR 7.1.2)', () => {
  const noSki = mkCa('CN=No SKI Inter', root, { subjectKeyIdentifier: false });
  const leafOf = (ca: Issued) => mkLeaf(ca, { authorityKeyIdentifier: keyIdentifier(provider, ca.key.publicKey.spki) });
  fails(verify({ leaf: leafOf(noSki).pem, intermediates: [noSki.pem], roots: [root.pem] }), 'subjectKeyIdentifierMissing', /'CN=No SKI Inter' has no subjectKeyIdentifier/);
  ok(verify({ leaf: leafOf(noSki).pem, intermediates: [noSki.pem], roots: [root.pem], profile: 'rfc5280' }), 'rfc5280: SKI not required');
  fails(leafCase({ authorityKeyIdentifier: false }).webpki, 'authorityKeyIdentifierMissing');
  ok(leafCase({ authorityKeyIdentifier: false }).rfc5280, 'rfc5280: AKI not required');
  fails(leafCase({ authorityKeyIdentifier: { keyIdentifier: false, issuer: 'CN=Profile Inter, O=Hush Test', serial: 7n } }).webpki, 'authorityKeyIdentifierMissing');
  fails(leafCase({ authorityKeyIdentifier: { critical: true } }).rfc5280, 'authorityKeyIdentifierCritical');
  // roots: AKI optional; when present no issuer/serial and equal to the SKI
  const rootWith = (aki: NonNullable<Parameters<typeof mkCa>[2]>['authorityKeyIdentifier']) => {
    const r = mkCa('CN=AKI Root', undefined, { authorityKeyIdentifier: aki });
    return { webpki: verify({ leaf: mkLeaf(r).pem, roots: [r.pem] }), rfc5280: verify({ leaf: mkLeaf(r).pem, roots: [r.pem], profile: 'rfc5280' }) };
  };
  ok(rootWith(false).webpki, 'root without AKI');
  ok(rootWith(undefined).webpki, 'root AKI = SKI');
  const withIssuer = rootWith({ issuer: 'CN=AKI Root', serial: 1n });
  fails(withIssuer.webpki, 'rootAuthorityKeyIdentifierIssuerSerial');
  ok(withIssuer.rfc5280, 'rfc5280: root AKI fields');
  fails(rootWith(new Uint8Array(20).fill(7)).webpki, 'rootAuthorityKeyIdentifierMismatch');
});

test('basicConstraints, keyUsage and policyConstraints', () => {
  const soft = mkCa('CN=Soft BC Inter', root, { basicConstraintsCritical: false });
  fails(verify({ leaf: mkLeaf(soft).pem, intermediates: [soft.pem], roots: [root.pem] }), 'basicConstraintsNotCritical');
  ok(verify({ leaf: mkLeaf(soft).pem, intermediates: [soft.pem], roots: [root.pem], profile: 'rfc5280' }), 'rfc5280');
  const softRoot = mkCa('CN=Soft BC Root', undefined, { basicConstraintsCritical: false });
  fails(verify({ leaf: mkLeaf(softRoot).pem, roots: [softRoot.pem] }), 'basicConstraintsNotCritical', /'CN=Soft BC Root'/);
  const caLeaf = leafCase({ ca: true, keyUsage: ['digitalSignature', 'keyCertSign'] });
  fails(caLeaf.webpki, 'endEntityIsCa');
  ok(caLeaf.rfc5280, 'rfc5280: a CA certificate may be the end entity');
  fails(leafCase({ keyUsage: ['digitalSignature', 'keyCertSign'] }).rfc5280, 'endEntityKeyCertSign');
  // policyConstraints: critical is required (and, being processed by the rules, it is no longer an unknown critical extension)
  const pc = (o: { critical?: boolean }) => {
    const ca = mkCa('CN=PC Inter', root, { policyConstraints: { requireExplicitPolicy: 0, ...o } });
    return verify({ leaf: mkLeaf(ca).pem, intermediates: [ca.pem], roots: [root.pem], profile: 'rfc5280' });
  };
  ok(pc({}), 'critical policyConstraints');
  fails(pc({ critical: false }), 'policyConstraintsNotCritical');
  const empty = mkCa('CN=PC Empty', root, { extensions: [{ oid: OID.policyConstraints, critical: true, value: der.sequence() }] });
  fails(verify({ leaf: mkLeaf(empty).pem, intermediates: [empty.pem], roots: [root.pem] }), 'policyConstraintsMalformed');
});

test('extendedKeyUsage (BR 7.1.2.7.10): required on the leaf, no anyExtendedKeyUsage, not critical; none on a root', () => {
  const any = leafCase({ extKeyUsage: ['serverAuth', 'anyExtendedKeyUsage'] });
  fails(any.webpki, 'extKeyUsageAnyInLeaf');
  ok(any.rfc5280, 'rfc5280');
  const crit = leafCase({ extKeyUsageCritical: true });
  fails(crit.webpki, 'extKeyUsageCriticalInLeaf');
  ok(crit.rfc5280, 'rfc5280');
  fails(leafCase({ extKeyUsage: null }).webpki, 'extKeyUsageMissing');
  const ekuRoot = mkCa('CN=EKU Root', undefined, { extKeyUsage: ['serverAuth'] });
  fails(verify({ leaf: mkLeaf(ekuRoot).pem, roots: [ekuRoot.pem] }), 'extKeyUsageOnRoot');
  ok(verify({ leaf: mkLeaf(ekuRoot).pem, roots: [ekuRoot.pem], profile: 'rfc5280' }), 'rfc5280');
  // an intermediate may carry an EKU (EKU chaining)
  const ekuInter = mkCa('CN=EKU Inter', root, { extKeyUsage: ['serverAuth'] });
  ok(verify({ leaf: mkLeaf(ekuInter).pem, intermediates: [ekuInter.pem], roots: [root.pem] }), 'intermediate EKU');
});

test('names: SAN criticality, DNS syntax, common name among the SANs, IP common names, wildcards on public suffixes', () => {
  const emptySubject = leafCase({ subject: '', subjectAltNameCritical: false });
  fails(emptySubject.rfc5280, 'subjectAltNameNotCritical');
  ok(leafCase({ subject: '' }).webpki, 'empty subject, critical SAN (the builder default)');
  fails(leafCase({ subjectAltNameCritical: true }).webpki, 'subjectAltNameCritical');
  ok(leafCase({ subjectAltNameCritical: true }).rfc5280, 'rfc5280: SHOULD NOT only');
  fails(leafCase({ dnsNames: [] }, null).webpki, 'subjectAltNameMissing');
  for (const bad of ['foo_bar.example.com', 'www.example.com.', 'a.*.example.com', 'f*o.example.com', '-a.example.com', 'ex ample.com']) {
    const r = leafCase({ dnsNames: ['www.example.com', bad] });
    fails(r.webpki, 'dnsNameSyntax', new RegExp(`DNS name '${bad.replace(/[.*]/g, '\\$&')}'`));
    ok(r.rfc5280, `rfc5280 ${bad}`);
  }
  const cn = leafCase({ subject: 'CN=other.example.com' });
  fails(cn.webpki, 'commonNameNotInSubjectAltName', /common name 'other.example.com'/);
  ok(cn.rfc5280, 'rfc5280');
  ok(leafCase({ subject: 'CN=WWW.Example.COM' }).webpki, 'CN compared without case');
  // IP common names: canonical and among the IP SANs
  ok(leafCase({ subject: 'CN=192.0.2.7', dnsNames: ['www.example.com'], ipAddresses: ['192.0.2.7'] }).webpki, 'IPv4 CN');
  ok(leafCase({ subject: 'CN=2001:db8::7', dnsNames: ['www.example.com'], ipAddresses: ['2001:db8::7'] }).webpki, 'IPv6 CN');
  for (const form of ['192.000.002.007', '3221226119', '0xc0.0.2.7', '192.0.2', '2001:DB8::7', '2001:db8:0:0:0:0:0:7']) {
    fails(leafCase({ subject: `CN=${form}`, dnsNames: ['www.example.com'], ipAddresses: ['192.0.2.7', '2001:db8::7'] }).webpki, form === '3221226119' ? 'commonNameNotInSubjectAltName' : 'commonNameIpForm');
  }
  fails(leafCase({ subject: 'CN=192.0.2.8', dnsNames: ['www.example.com'], ipAddresses: ['192.0.2.7'] }).webpki, 'commonNameNotInSubjectAltName');
  // wildcards on public suffixes (ICANN and private sections; unlisted TLDs count as suffixes)
  for (const w of ['*.com', '*.co.uk', '*.github.io', '*.s3.amazonaws.com', '*.internal']) {
    const host = `www.${w.slice(2)}`;
    const r = leafCase({ subject: `CN=${w}`, dnsNames: [w] }, host.split('.').length > 2 ? host : null);
    fails(r.webpki, 'wildcardOnPublicSuffix', new RegExp(`public suffix '${w.slice(2).replace(/\./g, '\\.')}'`));
  }
  ok(leafCase({ subject: 'CN=*.example.co.uk', dnsNames: ['*.example.co.uk'] }, 'www.example.co.uk').webpki, 'wildcard under a registrable domain');
  ok(leafCase({ subject: 'CN=*.corp.internal', dnsNames: ['*.corp.internal'] }, 'a.corp.internal').webpki, 'wildcard one label under an unlisted TLD');
});

test('serial numbers (RFC 5280 §4.1.2.2)', () => {
  const zero = leafCase({ serialNumber: 0n });
  fails(zero.webpki, 'serialNumberZero');
  ok(zero.rfc5280, 'rfc5280 tolerates zero');
  fails(leafCase({ serialNumber: -5n }).rfc5280, 'serialNumberNegative');
  const long = new Uint8Array(21).fill(0x11);
  fails(leafCase({ serialNumber: long }).rfc5280, 'serialNumberTooLong', /21 octets/);
  ok(leafCase({ serialNumber: new Uint8Array(20).fill(0x7f) }).webpki, '20 octets');
  // on issuers too
  const negInter = mkCa('CN=Negative Serial Inter', root, { serialNumber: -1n });
  fails(verify({ leaf: mkLeaf(negInter).pem, intermediates: [negInter.pem], roots: [root.pem] }), 'serialNumberNegative', /'CN=Negative Serial Inter'/);
});

test('keys and algorithms: RSA size, P-192, DSA, SHA-1, allowed signature algorithms, AIA', () => {
  const rsaSpki = (bits: number) => new Uint8Array(generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }));
  const small = leafCase({ key: spkiKey('rsa', rsaSpki(1024)) });
  fails(small.webpki, 'rsaKeyTooSmall', /1024-bit RSA key/);
  ok(small.rfc5280, 'rfc5280');
  fails(leafCase({ key: spkiKey('rsa', rsaSpki(2052)) }).webpki, 'rsaKeySizeNotMultipleOf8', /2052-bit/);
  const p192 = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime192v1' }).publicKey.export({ type: 'spki', format: 'der' }));
  fails(leafCase({ key: spkiKey('ec', p192) }).webpki, 'curveNotAllowed', /P-192/);
  const dsa = new Uint8Array(generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).publicKey.export({ type: 'spki', format: 'der' }));
  fails(leafCase({ key: spkiKey('dsa', dsa), keyUsage: ['digitalSignature'] }).webpki, 'dsaKey');
  // SHA-1: a real sha1WithRSAEncryption signature by an RSA intermediate
  const rsaInterKey = provider.generatePrivateKey({ type: 'rsa', bits: 2048 });
  const rsaInter = mkCa('CN=RSA Inter', root, { key: rsaInterKey });
  const pkcs8 = createPrivateKey({ key: Buffer.from(provider.exportPrivateKey(rsaInterKey)), format: 'der', type: 'pkcs8' });
  const sha1Leaf = mkLeaf(rsaInter, {
    signatureAlgorithmIdentifier: der.sequence(der.oid(OID.sha1WithRSAEncryption), der.nullValue()),
    signer: (tbs) => new Uint8Array(nodeSign('sha1', tbs, pkcs8)),
  });
  for (const profile of ['webpki', 'rfc5280'] as const) {
    fails(verify({ leaf: sha1Leaf.pem, intermediates: [rsaInter.pem], roots: [root.pem], profile }), 'sha1Signature', /sha1WithRSAEncryption/);
  }
  // the signatureAlgorithms option
  const l = mkLeaf(inter);
  ok(verify({ leaf: l.pem, ...base, signatureAlgorithms: ['ecdsa-with-SHA256'] }), 'allowed');
  fails(verify({ leaf: l.pem, ...base, signatureAlgorithms: ['ecdsa-with-SHA384', 'Ed25519'] }), 'signatureAlgorithmNotAllowed', /ecdsa-with-SHA256/);
  assert.throws(() => verify({ leaf: l.pem, ...base, signatureAlgorithms: ['sha1WithRSAEncryption' as never] }), UsageError);
  // authorityInfoAccess
  const aia = (value: Uint8Array, critical = false) => leafCase({ extensions: [{ oid: OID.authorityInfoAccess, critical, value }] });
  const uri = (s: string) => der.contextPrimitive(6, new TextEncoder().encode(s));
  const ad = (method: string, loc: Uint8Array) => der.sequence(der.oid(method), loc);
  ok(aia(der.sequence(ad('1.3.6.1.5.5.7.48.1', uri('http://ocsp.example.com')), ad('1.3.6.1.5.5.7.48.2', uri('http://ca.example.com/i.der')))).webpki, 'AIA');
  fails(aia(der.sequence()).webpki, 'authorityInfoAccessMalformed', /empty/);
  fails(aia(der.sequence(ad('1.3.6.1.5.5.7.48.1', der.contextPrimitive(2, new TextEncoder().encode('ocsp.example.com'))))).webpki, 'authorityInfoAccessMalformed', /not a URI/);
  fails(aia(der.sequence(ad('1.3.6.1.5.5.7.48.1', uri('ocsp')))).webpki, 'authorityInfoAccessMalformed', /absolute URI/);
  fails(aia(der.sequence(der.oid('1.3.6.1.5.5.7.48.1'))).webpki, 'authorityInfoAccessMalformed');
  // critical: refused in both profiles as an unsupported critical extension (RFC 5280 §4.2.2.1: MUST be non-critical)
  const critical = aia(der.sequence(ad('1.3.6.1.5.5.7.48.1', uri('http://ocsp.example.com'))), true);
  assert.equal(!critical.webpki.ok && critical.webpki.error.reason, 'criticalExtension');
  assert.equal(!critical.rfc5280.ok && critical.rfc5280.error.reason, 'criticalExtension');
});

test('required keyUsage bits and other extended key usages', () => {
  const l = mkLeaf(inter);
  ok(verify({ leaf: l.pem, ...base, requiredKeyUsage: ['digitalSignature'] }), 'has digitalSignature');
  fails(verify({ leaf: l.pem, ...base, requiredKeyUsage: ['digitalSignature', 'keyAgreement'] }), 'keyUsageRequired', /without the required keyAgreement/);
  fails(verify({ leaf: mkLeaf(inter, { keyUsage: null }).pem, ...base, requiredKeyUsage: ['digitalSignature'] }), 'keyUsageRequired', /no keyUsage extension/);
  const cs = mkLeaf(inter, { extKeyUsage: ['serverAuth', 'codeSigning'] });
  ok(verify({ leaf: cs.pem, ...base, requiredExtKeyUsage: ['codeSigning'] }), 'codeSigning by name');
  ok(verify({ leaf: cs.pem, ...base, requiredExtKeyUsage: [OID.codeSigning] }), 'by OID');
  fails(verify({ leaf: l.pem, ...base, requiredExtKeyUsage: ['codeSigning'] }), 'extKeyUsageRequired', /without the required codeSigning/);
  const serverOnlyInter = mkCa('CN=Server-only Inter', root, { extKeyUsage: ['serverAuth'] });
  fails(verify({ leaf: mkLeaf(serverOnlyInter, { extKeyUsage: ['serverAuth', 'codeSigning'] }).pem, intermediates: [serverOnlyInter.pem], roots: [root.pem], requiredExtKeyUsage: ['codeSigning'] }), 'extKeyUsageRequired', /issuer 'CN=Server-only Inter'/);
  assert.throws(() => verify({ leaf: l.pem, ...base, requiredExtKeyUsage: ['not an eku'] }), UsageError);
  assert.throws(() => verify({ leaf: l.pem, ...base, requiredKeyUsage: ['sign' as never] }), UsageError);
});

test('verifyClientChain: clientAuth, no host name, rfc5280 by default', () => {
  const client = mkLeaf(inter, { subject: 'CN=Alice', dnsNames: [], extKeyUsage: ['clientAuth'], authorityKeyIdentifier: false });
  const r = verifyClientChain({ leaf: client.pem, ...base, at: AT, provider });
  ok(r, 'client chain');
  assert.deepEqual(r.ok && r.chain.map((c) => c.subject.text), ['CN=Alice', 'CN=Profile Inter, O=Hush Test', 'CN=Profile Root, O=Hush Test']);
  fails(verifyClientChain({ leaf: client.pem, ...base, at: AT, provider, profile: 'webpki' }), 'authorityKeyIdentifierMissing');
  const serverOnly = mkLeaf(inter);
  const s = verifyClientChain({ leaf: serverOnly.pem, ...base, at: AT, provider });
  assert.equal(!s.ok && s.error.check, 'extKeyUsage');
});

test('a pinned leaf is checked with the rfc5280 rules; root-program anchors are not re-linted', () => {
  // like `openssl req -x509`: cA, no extendedKeyUsage
  const key = ecKey();
  const self = issueCertificate({ provider, subject: 'CN=www.example.com', key, notBefore: NOT_BEFORE, notAfter: NOT_AFTER, ca: true, dnsNames: ['www.example.com'], keyUsage: ['digitalSignature', 'keyCertSign'] });
  ok(verify({ leaf: self.pem, roots: [self.pem] }), 'pinned');
  const zeroRoot = mkCa('CN=Zero Serial Root', undefined, { serialNumber: 0n });
  fails(verify({ leaf: mkLeaf(zeroRoot).pem, roots: [zeroRoot.pem] }), 'serialNumberZero');
  ok(verify({ leaf: mkLeaf(zeroRoot).pem, roots: new TrustStore([zeroRoot.pem], { rootProgram: true }) }), 'root program');
  // the leaf under it is still checked in full
  fails(verify({ leaf: mkLeaf(zeroRoot, { serialNumber: 0n }).pem, roots: new TrustStore([zeroRoot.pem], { rootProgram: true }) }), 'serialNumberZero');
});

test('every rule of the table is exercised above', () => {
  const missing = (Object.keys(RULES) as VerifyReason[]).filter((r) => !seen.has(r));
  assert.deepEqual(missing, []);
});
