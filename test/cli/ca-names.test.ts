// Names for `hush ca issue`: RFC 1123 host names with an optional leading `*.` label, IDNs as
// A-labels, IP literals in canonical form; everything else refused with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CertNameError, parseCertName, parseCertNames } from '../../src/cli/cert-names.js';

test('DNS names are lower-cased A-labels; a trailing dot is dropped; wildcards keep their *. label', () => {
  const cases: [string, string][] = [
    ['bücher.example', 'xn--bcher-kva.example'],
    ['Bücher.Example.', 'xn--bcher-kva.example'],
    ['*.bücher.example', '*.xn--bcher-kva.example'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['ｅxample.com', 'example.com'], // UTS #46 maps full-width letters
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['Dev.Test', 'dev.test'],
    ['localhost', 'localhost'],
    ['*.dev.test', '*.dev.test'],
    ['a-b.c0.test', 'a-b.c0.test'],
    ['0.example', '0.example'],
    [`${'a'.repeat(63)}.test`, `${'a'.repeat(63)}.test`],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseCertName(input), { type: 'dns', value: want }, input);
});

test('IP literals become iPAddress names in canonical form', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseCertName(input), { type: 'ip', value: want }, input);
});

test('bad names are refused with the reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty name/],
    ['  ', /empty name/],
    ['bad name!', /white space/],
    ['bad!.test', /letters, digits and hyphens/],
    ['under_score.test', /letters, digits and hyphens/],
    ['-lead.test', /hyphen/],
    ['trail-.test', /hyphen/],
    ['a..test', /empty label/],
    ['.test', /empty label/],
    [`${'a'.repeat(64)}.test`, /longer than 63/],
    [`${'abcdefghi.'.repeat(25)}test`, /longer than 253/],
    ['*.com', /at least two labels after/],
    ['*', /at least two labels after/],
    ['*.*.test', /only allowed as the whole first label/],
    ['a.*.test', /only allowed as the whole first label/],
    ['f*.dev.test', /only allowed as the whole first label/],
    ['1.2.3', /all digits/],
    ['01.2.3.4', /all digits/],
    ['256.1.1.1', /all digits/],
    ['fe80::1%eth0', /IPv6/],
    ['localhost:8443', /IPv6|ports/],
    ['xn--zz.test', /internationalised/],
    ['x/y.test', /letters, digits and hyphens/],
  ];
  for (const [input, re] of cases) {
    assert.throws(
      () => parseCertName(input),
      (e: unknown) => e instanceof CertNameError && re.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(input),
    );
  }
});

test('duplicates (after normalisation) are dropped, order kept', () => {
  assert.deepEqual(
    parseCertNames(['Dev.Test', 'dev.test.', '::1', '0::1', '127.0.0.1']).map((n) => n.value),
    ['dev.test', '::1', '127.0.0.1'],
  );
});
