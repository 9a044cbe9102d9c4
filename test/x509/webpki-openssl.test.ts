// `openssl verify` (OpenSSL 3.0) agrees with the 'webpki' profile wherever OpenSSL implements the
// rule: -x509_strict for the RFC 5280 encoding rules, -auth_level 2 (112-bit security) for keys
// and signature hashes. One openssl process per case, each bounded by a timeout.
//
// Rules OpenSSL 3.0 does not implement, so not in the table (hush-only, tested in webpki.test.ts):
// wildcard SANs against excluded subtrees (it compares the '*.' name as a string), a leading
// period in a dNSName constraint (it accepts it), nameConstraints in an end entity or not
// critical, SAN syntax and criticality with a subject, CN among the SANs, wildcards on public
// suffixes, extendedKeyUsage presence/criticality/anyExtendedKeyUsage in a leaf and on a root,
// a CA certificate as end entity, serial numbers, RSA moduli not a multiple of 8, DSA keys of
// 2048 bits and more, policyConstraints criticality, authorityInfoAccess syntax.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { der } from '../../src/asn1/index.js';
import type { PublicKey } from '../../src/crypto/provider.js';
import { OID, keyIdentifier, type VerifyReason } from '../../src/x509/index.js';
import { AT, mkCa, mkLeaf, provider, verify, type Issued } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'hush-webpki-openssl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  readonly leaf: Issued;
  readonly inters: readonly Issued[];
  readonly roots: readonly Issued[];
  /** undefined: valid; else the rule hush names. */
  readonly reason?: VerifyReason;
}

function opensslAccepts(i: number, c: Case): { ok: boolean; out: string } {
  const file = (n: string, pems: readonly Issued[]) => {
    const p = join(dir, `${i}-${n}.pem`);
    writeFileSync(p, pems.map((x) => x.pem).join(''));
    return p;
  };
  const args = ['verify', '-x509_strict', '-auth_level', '2', '-attime', String(Math.floor(AT.getTime() / 1000)), '-purpose', 'sslserver'];
  args.push('-verify_hostname', 'www.example.com', '-CAfile', file('roots', c.roots));
  if (c.inters.length) args.push('-untrusted', file('inters', c.inters));
  args.push(file('leaf', [c.leaf]));
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

function spkiKey(type: string, spki: Buffer): PublicKey {
  return { type, spki: new Uint8Array(spki) } as unknown as PublicKey;
}

test('openssl verify -x509_strict -auth_level 2 agrees with the webpki profile where it implements the rule', () => {
  const root = mkCa('CN=Strict Root');
  const inter = mkCa('CN=Strict Inter', root);
  const cases: Case[] = [];
  const add = (name: string, reason: VerifyReason | undefined, leaf: Issued, inters: readonly Issued[] = [inter], roots: readonly Issued[] = [root]) =>
    cases.push({ name, leaf, inters, roots, ...(reason ? { reason } : {}) });

  add('valid', undefined, mkLeaf(inter));
  // name constraints on intermediates: their SANs and their subjects
  const ncRoot = mkCa('CN=NC Root, O=Hush Test', undefined, { nameConstraints: { permittedDns: ['example.com'] } });
  const sanOut = mkCa('CN=SAN Outside, O=Hush Test', ncRoot, { dnsNames: ['ca.example.net'] });
  add('intermediate SAN outside the root constraint', 'nameConstraintsNotPermitted', mkLeaf(sanOut), [sanOut], [ncRoot]);
  const sanIn = mkCa('CN=SAN Inside, O=Hush Test', ncRoot, { dnsNames: ['ca.example.com'] });
  add('intermediate SAN inside the root constraint', undefined, mkLeaf(sanIn), [sanIn], [ncRoot]);
  const dnRoot = mkCa('CN=DN Root, O=Hush Test', undefined, { nameConstraints: { permittedDirectoryNames: ['O=Hush Test'] } });
  const dnOut = mkCa('CN=DN Outside, O=Elsewhere', dnRoot);
  add('intermediate subject outside a directoryName constraint', 'nameConstraintsNotPermitted', mkLeaf(dnOut, { subject: 'CN=www.example.com, O=Hush Test' }), [dnOut], [dnRoot]);
  const dnIn = mkCa('CN=DN Inside, O=Hush Test', dnRoot);
  add('subjects inside a directoryName constraint', undefined, mkLeaf(dnIn, { subject: 'CN=www.example.com, O=Hush Test' }), [dnIn], [dnRoot]);
  add('leaf subject outside a directoryName constraint', 'nameConstraintsNotPermitted', mkLeaf(dnIn), [dnIn], [dnRoot]);
  // key identifiers and criticality (-x509_strict)
  add('leaf without authorityKeyIdentifier', 'authorityKeyIdentifierMissing', mkLeaf(inter, { authorityKeyIdentifier: false }));
  const noSki = mkCa('CN=No SKI', root, { subjectKeyIdentifier: false });
  add('CA without subjectKeyIdentifier', 'subjectKeyIdentifierMissing', mkLeaf(noSki, { authorityKeyIdentifier: keyIdentifier(provider, noSki.key.publicKey.spki) }), [noSki]);
  add('critical authorityKeyIdentifier', 'authorityKeyIdentifierCritical', mkLeaf(inter, { authorityKeyIdentifier: { critical: true } }));
  const softBc = mkCa('CN=Soft BC', root, { basicConstraintsCritical: false });
  add('CA with non-critical basicConstraints', 'basicConstraintsNotCritical', mkLeaf(softBc), [softBc]);
  add('empty subject with a non-critical SAN', 'subjectAltNameNotCritical', mkLeaf(inter, { subject: '', subjectAltNameCritical: false }));
  add('empty subject with a critical SAN', undefined, mkLeaf(inter, { subject: '' }));
  // a root's authorityKeyIdentifier (OpenSSL refuses these roots as not self-signed: it matches AKI against the root itself)
  const akiIssuer = mkCa('CN=AKI Issuer Root', undefined, { authorityKeyIdentifier: { issuer: 'CN=AKI Issuer Root', serial: 1n } });
  add('root AKI with authorityCertIssuer/SerialNumber', 'rootAuthorityKeyIdentifierIssuerSerial', mkLeaf(akiIssuer), [], [akiIssuer]);
  const akiOther = mkCa('CN=AKI Mismatch Root', undefined, { authorityKeyIdentifier: new Uint8Array(20).fill(7) });
  add('root AKI differing from its SKI', 'rootAuthorityKeyIdentifierMismatch', mkLeaf(akiOther), [], [akiOther]);
  add('keyCertSign in a non-CA leaf', 'endEntityKeyCertSign', mkLeaf(inter, { keyUsage: ['digitalSignature', 'keyCertSign'] }));
  // keys and hashes (-auth_level 2)
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
  add('RSA-1024 leaf key', 'rsaKeyTooSmall', mkLeaf(inter, { key: spkiKey('rsa', rsa1024) }));
  const p192 = generateKeyPairSync('ec', { namedCurve: 'prime192v1' }).publicKey.export({ type: 'spki', format: 'der' });
  add('P-192 leaf key', 'curveNotAllowed', mkLeaf(inter, { key: spkiKey('ec', p192) }));
  const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).publicKey.export({ type: 'spki', format: 'der' });
  add('DSA-1024 leaf key', 'dsaKey', mkLeaf(inter, { key: spkiKey('dsa', dsa), keyUsage: ['digitalSignature'] }));
  const rsaInterKey = provider.generatePrivateKey({ type: 'rsa', bits: 2048 });
  const rsaInter = mkCa('CN=RSA Inter', root, { key: rsaInterKey });
  const pkcs8 = createPrivateKey({ key: Buffer.from(provider.exportPrivateKey(rsaInterKey)), format: 'der', type: 'pkcs8' });
  const sha1 = mkLeaf(rsaInter, {
    signatureAlgorithmIdentifier: der.sequence(der.oid(OID.sha1WithRSAEncryption), der.nullValue()),
    signer: (tbs) => new Uint8Array(nodeSign('sha1', tbs, pkcs8)),
  });
  add('SHA-1 signature', 'sha1Signature', sha1, [rsaInter]);
  add('SHA-256 signature by the same RSA intermediate', undefined, mkLeaf(rsaInter), [rsaInter]);

  assert.ok(cases.length <= 40);
  const disagreements: string[] = [];
  cases.forEach((c, i) => {
    const h = verify({ leaf: c.leaf.pem, intermediates: c.inters.map((x) => x.pem), roots: c.roots.map((x) => x.pem) });
    const hushReason = h.ok ? undefined : h.error.reason;
    assert.equal(hushReason, c.reason, `${c.name}: hush ${h.ok ? 'accepted' : `rejected: ${h.error.message}`}`);
    const o = opensslAccepts(i, c);
    if (o.ok !== (c.reason === undefined)) disagreements.push(`${c.name}: openssl ${o.ok ? 'accepted' : `rejected: ${o.out.split('\n').slice(-3).join(' | ')}`}`);
  });
  assert.deepEqual(disagreements, []);
  assert.equal(cases.length, 20);
});
