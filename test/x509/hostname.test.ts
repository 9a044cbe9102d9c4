// RFC 9525 identity checks: subjectAltName dNSName/iPAddress only, leftmost-label wildcards,
// case-insensitive ASCII, A-labels as bytes, IPs only against iPAddress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { UsageError } from '../../src/errors/index.js';
import {
  dnsNameMatches,
  issueCertificate,
  parseReferenceIdentity,
  verifyHostname,
  parseIp,
  formatIp,
  dnsInSubtree,
  ipInSubtree,
} from '../../src/x509/index.js';

const key = provider.generatePrivateKey({ type: 'ec', curve: 'P-256' });
const leaf = issueCertificate({
  provider,
  subject: 'CN=www.example.com',
  key,
  notBefore: Date.UTC(2025, 0, 1),
  notAfter: Date.UTC(2026, 0, 1),
  dnsNames: ['www.example.com', '*.wild.example.com', 'XN--BCHER-KVA.example', 'Mixed.Case.Example', '10.0.0.5', 'trailing.example.'],
  ipAddresses: ['192.0.2.1', '2001:db8::1'],
}).certificate;
const noSan = issueCertificate({ provider, subject: 'CN=www.example.com', key, notBefore: 0, notAfter: 1e12 }).certificate;

test('hostname table against one certificate', () => {
  const cases: [string, boolean][] = [
    ['www.example.com', true],
    ['WWW.EXAMPLE.COM', true], // case-insensitive
    ['www.example.com.', true], // trailing dot normalised
    ['example.com', false],
    ['a.www.example.com', false],
    ['a.wild.example.com', true], // wildcard covers one label
    ['A.WILD.example.com', true],
    ['wild.example.com', false], // not the bare domain
    ['a.b.wild.example.com', false], // not two labels
    ['xn--bcher-kva.example', true], // A-label compared as bytes (case-insensitively as ASCII)
    ['mixed.case.example', true],
    ['trailing.example', true],
    ['192.0.2.1', true], // IP SAN
    ['10.0.0.5', false], // only a dNSName spells it: IPs never match DNS names
    ['192.0.2.2', false],
    ['2001:db8::1', true],
    ['[2001:db8::1]', true], // bracketed
    ['2001:0db8:0:0:0:0:0:1', true], // any IPv6 spelling
    ['::ffff:192.0.2.1', false], // IPv4-mapped is a different address family
    ['[::1]', false],
  ];
  for (const [host, want] of cases) assert.equal(verifyHostname(leaf, host), want, host);
  assert.equal(cases.length, 20);
});

test('no CN fallback: a certificate without SAN matches nothing', () => {
  assert.equal(verifyHostname(noSan, 'www.example.com'), false);
});

test('wildcard patterns', () => {
  const cases: [string, string, boolean][] = [
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['f*o.example.com', 'foo.example.com', false], // partial wildcards are not supported
    ['*o.example.com', 'foo.example.com', false],
    ['a.*.example.com', 'a.b.example.com', false], // wildcard not leftmost
    ['*.*.example.com', 'a.b.example.com', false],
    ['*.com', 'example.com', false], // at least two labels after the wildcard
    ['*', 'localhost', false],
    ['*.example.com.', 'a.example.com', true],
    ['*.EXAMPLE.com', 'x.example.com', true],
    ['*.xn--bcher-kva.example', 'a.xn--bcher-kva.example', true],
    ['', 'example.com', false],
    ['exa mple.com', 'exa mple.com', false],
  ];
  for (const [p, h, want] of cases) assert.equal(dnsNameMatches(p, h), want, `${p} vs ${h}`);
});

test('reference identities: parsing and refusals', () => {
  assert.deepEqual(parseReferenceIdentity('Example.COM.'), { kind: 'dns', name: 'example.com' });
  assert.equal(parseReferenceIdentity('127.0.0.1').kind, 'ip');
  assert.equal(parseReferenceIdentity('[::1]').kind, 'ip');
  assert.equal(parseReferenceIdentity('localhost').kind, 'dns');
  const refused: [string, RegExp][] = [
    ['bücher.example', /not ASCII.*xn--bcher-kva\.example/],
    ['', /non-empty/],
    ['a..b', /not a valid hostname/],
    ['-a.example', /not a valid hostname/],
    ['a'.repeat(64) + '.example', /not a valid hostname/],
    ['127.1', /neither a DNS name nor an IP/],
    ['1.2.3.4.5', /neither/],
    ['*.example.com', /not a valid hostname/],
    ['[127.0.0.1]', /not a valid hostname/],
  ];
  for (const [h, re] of refused) assert.throws(() => parseReferenceIdentity(h), (e: unknown) => e instanceof UsageError && re.test(e.message), h);
});

test('IP literal parsing and formatting', () => {
  assert.deepEqual(parseIp('1.2.3.4'), Uint8Array.of(1, 2, 3, 4));
  for (const bad of ['01.2.3.4', '1.2.3', '256.1.1.1', '1.2.3.4 ', '::1::', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'g::1', '[1.2.3.4]']) {
    assert.equal(parseIp(bad), undefined, bad);
  }
  assert.equal(formatIp(parseIp('2001:db8:0:0:1:0:0:1')!), '2001:db8::1:0:0:1');
  assert.equal(formatIp(parseIp('::')!), '::');
  assert.equal(formatIp(parseIp('::ffff:1.2.3.4')!), '::ffff:102:304');
  assert.equal(formatIp(parseIp('1:2:3:4:5:6:7:8')!), '1:2:3:4:5:6:7:8');
});

test('name constraint subtree matching', () => {
  const dns: [string, string, boolean][] = [
    ['example.com', 'example.com', true],
    ['a.example.com', 'example.com', true],
    ['a.example.com', '.example.com', true],
    ['example.com', '.example.com', false],
    ['badexample.com', 'example.com', false],
    ['A.EXAMPLE.COM', 'example.com', true],
    ['anything', '', true],
  ];
  for (const [n, c, want] of dns) assert.equal(dnsInSubtree(n, c), want, `${n} in ${c}`);
  const v4 = Uint8Array.of(10, 0, 0, 0, 255, 0, 0, 0);
  assert.equal(ipInSubtree(Uint8Array.of(10, 1, 2, 3), v4), true);
  assert.equal(ipInSubtree(Uint8Array.of(11, 1, 2, 3), v4), false);
  assert.equal(ipInSubtree(parseIp('::1')!, v4), false);
});
