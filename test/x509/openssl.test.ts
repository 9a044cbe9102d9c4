// Agreement with `openssl verify` on the same chains, and chains made by the openssl CLI parsed
// and verified by hush (a second, independent DER encoder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { der } from '../../src/asn1/index.js';
import { parseCertificates, fingerprintHex } from '../../src/x509/index.js';
import { AT, assertOk, mkCa, mkLeaf, provider, verify, type Issued } from './fixtures.js';
import { readVectorText, vectorPath } from '../vectors.js';

const dir = mkdtempSync(join(tmpdir(), 'hush-x509-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** true when `openssl verify` accepts the chain at AT for www.example.com (or the IP). */
function opensslVerify(name: string, leaf: string, inters: string[], roots: string[], host: string): boolean {
  const args = ['verify', '-attime', String(Math.floor(AT.getTime() / 1000)), '-purpose', 'sslserver'];
  args.push('-CAfile', write(`${name}-roots.pem`, roots.join('')));
  if (inters.length) args.push('-untrusted', write(`${name}-inters.pem`, inters.join('')));
  args.push(/^[0-9.]+$|:/.test(host) ? '-verify_ip' : '-verify_hostname', host);
  args.push(write(`${name}-leaf.pem`, leaf));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0;
}

test('hush and openssl verify agree on generated chains', () => {
  const root = mkCa('CN=Agree Root');
  const inter = mkCa('CN=Agree Inter', root);
  const otherRoot = mkCa('CN=Other Root');
  const cases: { name: string; leaf: Issued; inters: Issued[]; roots: Issued[]; host?: string; ok: boolean }[] = [];
  const add = (name: string, ok: boolean, leaf: Issued, inters: Issued[] = [inter], roots: Issued[] = [root], host?: string) =>
    cases.push({ name, leaf, inters, roots, ok, ...(host ? { host } : {}) });

  add('valid', true, mkLeaf(inter));
  add('valid, unordered with extras', true, mkLeaf(inter), [mkCa('CN=Extra', root), inter, root]);
  add('valid, IP SAN', true, mkLeaf(inter, { ipAddresses: ['192.0.2.7'] }), [inter], [root], '192.0.2.7');
  add('wrong IP', false, mkLeaf(inter, { ipAddresses: ['192.0.2.7'] }), [inter], [root], '192.0.2.8');
  add('wrong host', false, mkLeaf(inter, { dnsNames: ['other.example.com'] }));
  add('wildcard host', true, mkLeaf(inter, { subject: 'CN=*.example.com', dnsNames: ['*.example.com'] }));
  add('expired leaf', false, mkLeaf(inter, { notAfter: Date.UTC(2025, 5, 1) }));
  add('not yet valid leaf', false, mkLeaf(inter, { notBefore: Date.UTC(2026, 5, 1) }));
  add('missing intermediate', false, mkLeaf(inter), []);
  add('untrusted root', false, mkLeaf(inter), [inter], [otherRoot]);
  add('self-signed leaf', false, mkLeaf(undefined), []);
  const notCa = mkCa('CN=Not CA', root, { ca: false });
  add('intermediate not a CA', false, mkLeaf(notCa), [notCa]);
  const noSign = mkCa('CN=No keyCertSign', root, { keyUsage: ['digitalSignature'] });
  add('intermediate without keyCertSign', false, mkLeaf(noSign), [noSign]);
  const expired = mkCa('CN=Expired Inter', root, { notAfter: Date.UTC(2025, 6, 1) });
  add('expired intermediate', false, mkLeaf(expired), [expired]);
  const r0 = mkCa('CN=pathLen 0 Root', undefined, { ca: { pathLen: 0 } });
  const i0 = mkCa('CN=Under pathLen 0', r0);
  add('pathLen exceeded', false, mkLeaf(i0), [i0], [r0]);
  add('pathLen respected', true, mkLeaf(r0), [], [r0]);
  add('leaf EKU clientAuth only', false, mkLeaf(inter, { extKeyUsage: ['clientAuth'] }));
  const clientCa = mkCa('CN=Client CA', root, { extKeyUsage: ['clientAuth'] });
  add('intermediate EKU clientAuth only', false, mkLeaf(clientCa), [clientCa]);
  const nc = mkCa('CN=NC Inter', root, { nameConstraints: { permittedDns: ['example.com'] } });
  add('name constraints satisfied', true, mkLeaf(nc), [nc]);
  add('name constraints violated', false, mkLeaf(nc, { dnsNames: ['www.example.com', 'www.example.net'] }), [nc]);
  const ex = mkCa('CN=NC Excl', root, { nameConstraints: { excludedIps: ['192.0.2.0/24'] } });
  add('excluded IP', false, mkLeaf(ex, { dnsNames: ['www.example.com'], ipAddresses: ['192.0.2.9'] }), [ex]);
  add('unknown critical extension', false, mkLeaf(inter, { extensions: [{ oid: '1.3.6.1.4.1.99999.7', critical: true, value: der.nullValue() }] }));
  const impostor = mkCa('CN=Agree Inter', root, { subjectKeyIdentifier: false });
  add('impostor intermediate (bad signature)', false, mkLeaf(inter, { authorityKeyIdentifier: false }), [impostor]);

  let agreed = 0;
  for (const c of cases) {
    const host = c.host ?? 'www.example.com';
    const hush = verify({ leaf: c.leaf.pem, intermediates: c.inters.map((i) => i.pem), roots: c.roots.map((r) => r.pem), hostname: host });
    const ossl = opensslVerify(
      c.name.replace(/\W+/g, '-'),
      c.leaf.pem,
      c.inters.map((i) => i.pem),
      c.roots.map((r) => r.pem),
      host,
    );
    assert.equal(hush.ok, c.ok, `${c.name}: hush ${hush.ok ? 'accepted' : `rejected (${hush.error.message})`}`);
    assert.equal(ossl, c.ok, `${c.name}: openssl ${ossl ? 'accepted' : 'rejected'}`);
    agreed++;
  }
  assert.equal(agreed, 23);
});

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('chains made by the openssl CLI (ECDSA and RSA-PSS) parse and verify', () => {
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  writeFileSync(
    join(dir, 'leaf.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:www.example.com,DNS:*.example.net,IP:127.0.0.1\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  const days = ['-days', '3650'];
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key');
  openssl('req', '-x509', '-new', '-key', 'root.key', '-subj', '/C=US/O=OpenSSL Test/CN=OpenSSL Root', ...days, '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem');
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'inter.key');
  openssl('req', '-new', '-key', 'inter.key', '-subj', '/O=OpenSSL Test/CN=OpenSSL RSA Inter', '-out', 'inter.csr');
  openssl('x509', '-req', '-in', 'inter.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', ...days, '-sha384', '-extfile', 'ca.ext', '-out', 'inter.pem');
  openssl('ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'leaf.key');
  openssl('req', '-new', '-key', 'leaf.key', '-subj', '/CN=www.example.com', '-out', 'leaf.csr');
  // The intermediate signs the leaf with RSASSA-PSS (explicit parameters, salt = digest length).
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'inter.pem', '-CAkey', 'inter.key', '-CAcreateserial', '-days', '365', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest', '-extfile', 'leaf.ext', '-out', 'leaf.pem');

  const rootPem = readFileSync(join(dir, 'root.pem'), 'utf8');
  const interPem = readFileSync(join(dir, 'inter.pem'), 'utf8');
  const leafPem = readFileSync(join(dir, 'leaf.pem'), 'utf8');
  const [leaf] = parseCertificates(leafPem);
  assert.equal(leaf!.signatureAlgorithm.name, 'rsassa-pss(sha256, salt 32)');
  assert.deepEqual(leaf!.subjectAltName?.map((n) => (n.type === 'dns' ? n.value : n.type === 'ip' ? n.text : '')), ['www.example.com', '*.example.net', '127.0.0.1']);
  assert.equal(parseCertificates(interPem)[0]!.signatureAlgorithm.name, 'ecdsa-with-SHA384');
  const at = new Date();
  for (const hostname of ['www.example.com', 'a.example.net', '127.0.0.1']) {
    assertOk(verify({ leaf: leafPem, intermediates: [interPem], roots: [rootPem], hostname, at }), ['CN=www.example.com', 'CN=OpenSSL RSA Inter, O=OpenSSL Test', 'CN=OpenSSL Root, O=OpenSSL Test, C=US']);
  }
  const bad = verify({ leaf: leafPem, intermediates: [interPem], roots: [rootPem], hostname: 'example.net', at });
  assert.equal(bad.ok, false);
  // fingerprints agree with openssl
  const fp = openssl('x509', '-in', 'leaf.pem', '-noout', '-fingerprint', '-sha256').trim().split('=')[1];
  assert.equal(fingerprintHex(leaf!, provider), fp);
});

test('openssl agrees on the Illustrated chain (test/vectors): valid in 2019-01, expired after 2019-10-05; same fingerprint', () => {
  const caPath = vectorPath('illustrated-tls12/keys/ca.crt');
  const leafPath = vectorPath('illustrated-tls13/keys/server.crt');
  const ca = readVectorText('illustrated-tls12/keys/ca.crt');
  const leaf = readVectorText('illustrated-tls13/keys/server.crt');
  for (const [at, ok] of [[new Date('2019-01-01T00:00:00Z'), true], [new Date('2019-10-06T00:00:00Z'), false]] as const) {
    const hush = verify({ leaf, roots: [ca], hostname: null, at, profile: 'rfc5280' }); // no SAN: not a Web PKI certificate
    assert.equal(hush.ok, ok, `hush at ${at.toISOString()}`);
    const r = spawnSync('openssl', ['verify', '-attime', String(at.getTime() / 1000), '-CAfile', caPath, leafPath], { encoding: 'utf8' });
    if (r.error) throw r.error;
    assert.equal(r.status === 0, ok, `openssl at ${at.toISOString()}: ${r.stdout}${r.stderr}`);
  }
  const fp = openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', caPath).trim().split('=')[1];
  assert.equal(fingerprintHex(parseCertificates(ca)[0]!, provider), fp);
});
