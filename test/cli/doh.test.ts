// DNS-over-HTTPS (RFC 8484) in hush serve: the query codec on hand-built messages (strict: one
// question, at most an OPT record, bounded names, no compression in the question), the zone's
// answers (A/AAAA loopback, HTTPS with alpn and ech = hush ech's list, _PORT._https.NAME, NXDOMAIN),
// and end to end with curl: GET ?dns=, POST application/dns-message, bad requests, and curl
// resolving a name through --doh-url.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { addressesFor, answerDnsMessage, decodeBase64Url, type DnsZone } from '../../src/cli/dns/doh.js';
import { DnsFormatError, parseDnsQuery } from '../../src/cli/dns/message.js';
import { fromBase64 } from '../../src/bytes/util.js';
import { hush, requireProgram, run, serveForFile, tempDir } from './helpers.js';

/** A query as a resolver sends it: id, RD, one question, optionally an EDNS OPT (4096, no options). */
function query(name: string, type: number, opts: { id?: number; opt?: boolean } = {}): Uint8Array {
  const id = opts.id ?? 0xbeef;
  const out = [id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, opts.opt ? 1 : 0];
  for (const l of name.split('.').filter((x) => x)) out.push(l.length, ...Buffer.from(l));
  out.push(0, type >> 8, type & 0xff, 0, 1);
  if (opts.opt) out.push(0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0);
  return Uint8Array.from(out);
}

interface Rr {
  type: number;
  ttl: number;
  rdata: Uint8Array;
}
/** Read a response (test-side decoder, independent of the codec under test). */
function response(msg: Uint8Array): { id: number; flags: number; rcode: number; qname: string; answers: Rr[] } {
  const b = Buffer.from(msg);
  const name = (off: number): [string, number] => {
    const labels: string[] = [];
    for (;;) {
      const len = b[off]!;
      if (len === 0) return [labels.join('.'), off + 1];
      if (len >= 0xc0) return [labels.concat(name(b.readUInt16BE(off) & 0x3fff)[0]).filter((l) => l).join('.'), off + 2];
      labels.push(b.subarray(off + 1, off + 1 + len).toString('latin1'));
      off += 1 + len;
    }
  };
  assert.equal(b.readUInt16BE(4), 1);
  const [qname, q] = name(12);
  let off = q + 4;
  const answers: Rr[] = [];
  for (let i = 0; i < b.readUInt16BE(6); i++) {
    const [, o] = name(off);
    const rdlen = b.readUInt16BE(o + 8);
    answers.push({ type: b.readUInt16BE(o), ttl: b.readUInt32BE(o + 4), rdata: new Uint8Array(b.subarray(o + 10, o + 10 + rdlen)) });
    off = o + 10 + rdlen;
  }
  assert.equal(off, b.length, 'no bytes after the answers');
  return { id: b.readUInt16BE(0), flags: b.readUInt16BE(2), rcode: b.readUInt16BE(2) & 0xf, qname, answers };
}

/** An HTTPS RDATA (RFC 9460 §2.2): priority, target, params by key. */
function svcb(rdata: Uint8Array): { priority: number; target: string; params: Map<number, Buffer> } {
  const b = Buffer.from(rdata);
  let off = 2;
  const labels: string[] = [];
  while (b[off] !== 0) {
    labels.push(b.subarray(off + 1, off + 1 + b[off]!).toString());
    off += 1 + b[off]!;
  }
  off += 1;
  const params = new Map<number, Buffer>();
  let last = -1;
  while (off < b.length) {
    const key = b.readUInt16BE(off);
    assert.ok(key > last, 'SvcParams in increasing key order');
    last = key;
    const len = b.readUInt16BE(off + 2);
    params.set(key, b.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return { priority: b.readUInt16BE(0), target: labels.join('.') || '.', params };
}

const ECH = Uint8Array.from([0, 4, 0xfe, 0x0d, 0, 0]);
const zone: DnsZone = { names: ['secret.hush.test', 'public.hush.test', '*.wild.test'], port: 8443, alpn: ['h2', 'http/1.1'], echConfigList: ECH };

test('DoH zone: A and AAAA are loopback, case-insensitive names, the id and RD echoed, AA set', () => {
  const a = response(answerDnsMessage(zone, query('Secret.HUSH.test', 1, { id: 7 })));
  assert.equal(a.id, 7);
  assert.equal(a.rcode, 0);
  assert.equal(a.flags & 0x8000, 0x8000, 'QR');
  assert.equal(a.flags & 0x0400, 0x0400, 'AA');
  assert.equal(a.flags & 0x0100, 0x0100, 'RD copied');
  assert.equal(a.qname, 'secret.hush.test');
  assert.deepEqual(a.answers.map((r) => [r.type, [...r.rdata]]), [[1, [127, 0, 0, 1]]]);
  const aaaa = response(answerDnsMessage(zone, query('secret.hush.test', 28, { opt: true })));
  assert.deepEqual([...aaaa.answers[0]!.rdata], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(response(answerDnsMessage(zone, query('x.wild.test', 1))).answers.length, 1);
  assert.equal(response(answerDnsMessage(zone, query('a.b.wild.test', 1))).rcode, 3, 'a wildcard covers one label');
});

test('DoH zone: HTTPS (type 65) carries alpn and ech (RFC 9460); _PORT._https.NAME for the listening port names NAME as target', () => {
  const r = response(answerDnsMessage(zone, query('secret.hush.test', 65)));
  assert.equal(r.answers.length, 1);
  const s = svcb(r.answers[0]!.rdata);
  assert.equal(s.priority, 1);
  assert.equal(s.target, '.');
  assert.deepEqual([...s.params.keys()], [1, 5]);
  assert.deepEqual(s.params.get(1), Buffer.from('\x02h2\x08http/1.1'));
  assert.deepEqual(new Uint8Array(s.params.get(5)!), ECH);
  const p = svcb(response(answerDnsMessage(zone, query('_8443._https.secret.hush.test', 65))).answers[0]!.rdata);
  assert.equal(p.target, 'secret.hush.test');
  assert.equal(response(answerDnsMessage(zone, query('_9999._https.secret.hush.test', 65))).rcode, 3, 'another port: NXDOMAIN');
  const noEch = svcb(response(answerDnsMessage({ ...zone, echConfigList: undefined }, query('secret.hush.test', 65))).answers[0]!.rdata);
  assert.deepEqual([...noEch.params.keys()], [1]);
});

test('DoH zone: a client that reached us on a LAN address gets that address (A or AAAA), a local one loopback', () => {
  assert.deepEqual(addressesFor(undefined), addressesFor('127.0.0.1'));
  assert.deepEqual([...addressesFor('::ffff:127.0.0.1').a!], [127, 0, 0, 1]);
  assert.deepEqual([...addressesFor('::1').aaaa!], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(addressesFor('::ffff:192.168.1.20'), { a: Uint8Array.of(192, 168, 1, 20) });
  const lan = response(answerDnsMessage(zone, query('secret.hush.test', 1), '192.168.1.20'));
  assert.deepEqual([...lan.answers[0]!.rdata], [192, 168, 1, 20]);
  assert.equal(response(answerDnsMessage(zone, query('secret.hush.test', 28), '192.168.1.20')).answers.length, 0, 'no AAAA for a client on IPv4');
  const v6 = response(answerDnsMessage(zone, query('secret.hush.test', 28), 'fd00::5'));
  assert.deepEqual([...v6.answers[0]!.rdata], [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
});

test('DoH zone: other names NXDOMAIN, other types of our names an empty NOERROR', () => {
  const nx = response(answerDnsMessage(zone, query('example.com', 1)));
  assert.equal(nx.rcode, 3);
  assert.equal(nx.answers.length, 0);
  const txt = response(answerDnsMessage(zone, query('secret.hush.test', 16)));
  assert.equal(txt.rcode, 0);
  assert.equal(txt.answers.length, 0);
});

test('DNS query parsing is strict and bounded: each malformed query is refused with a reason, FORMERR/NOTIMP/REFUSED echoing the id', () => {
  const good = query('a.test', 1);
  const cases: [string, Uint8Array, RegExp, number | undefined][] = [
    ['short header', good.subarray(0, 11), /12-byte header/, undefined],
    ['a response', Uint8Array.from([...good.subarray(0, 2), 0x81, 0x00, ...good.subarray(4)]), /response/, 1],
    ['opcode 2', Uint8Array.from([...good.subarray(0, 2), 0x10, 0x00, ...good.subarray(4)]), /opcode 2/, 4],
    ['two questions', Uint8Array.from([...good.subarray(0, 5), 2, ...good.subarray(6)]), /exactly one question/, 1],
    ['an answer', Uint8Array.from([...good.subarray(0, 7), 1, ...good.subarray(8)]), /no answer or authority/, 1],
    ['compression pointer', Uint8Array.from([...good.subarray(0, 12), 0xc0, 0x0c, 0, 1, 0, 1]), /no compression/, 1],
    ['label past the end', Uint8Array.from([...good.subarray(0, 12), 9, 0x61]), /runs past/, 1],
    ['no type/class', Uint8Array.from([...good.subarray(0, 12), 1, 0x61, 0, 0, 1]), /type and class run past/, 1],
    ['class CH', Uint8Array.from([...good.subarray(0, good.length - 1), 3]), /class 3/, 5],
    ['trailing byte', Uint8Array.from([...good, 0]), /bytes after/, 1],
    ['additional not OPT', Uint8Array.from([...query('a.test', 1, { opt: true }).subarray(0, 25), 0, 16, ...query('a.test', 1, { opt: true }).subarray(27)]), /not an EDNS OPT/, 1],
    ['name over 255', query(Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.'), 1), /at most 255/, 1],
    ['dot inside a label', Uint8Array.from([...good.subarray(0, 12), 3, 0x61, 0x2e, 0x62, 0, 0, 1, 0, 1]), /byte hush does not answer/, 5],
  ];
  for (const [what, msg, re, rcode] of cases) {
    assert.throws(() => parseDnsQuery(msg), (e: unknown) => e instanceof DnsFormatError && re.test(e.message), what);
    if (rcode === undefined) assert.throws(() => answerDnsMessage(zone, msg), DnsFormatError, what);
    else {
      const r = Buffer.from(answerDnsMessage(zone, msg));
      assert.equal(r.length, 12, what);
      assert.equal(r.readUInt16BE(0), 0xbeef, what);
      assert.equal(r.readUInt16BE(2) & 0xf, rcode, what);
    }
  }
  assert.equal(decodeBase64Url('AA=='), undefined, 'padding is not base64url as RFC 8484 §4.1 wants it');
  assert.equal(decodeBase64Url('A'), undefined);
});

test('hush serve --ech /dns-query with curl: GET ?dns= and POST application/dns-message answer HTTPS with hush ech\'s list; bad requests are 4xx; curl --doh-url resolves a served name through it', async () => {
  const curl = requireProgram('curl');
  const home = tempDir('hush-doh-');
  // A certificate for a name under a non-special TLD: the served names are the zone.
  const issued = await hush(['ca', 'issue', 'secret.hush.test', 'localhost', '127.0.0.1'], { env: { HUSH_HOME: home } });
  assert.equal(issued.code, 0, issued.stderr);
  const cert = /certificate chain: (\S+)/.exec(issued.stdout)![1]!;
  const key = /private key: +(\S+)/.exec(issued.stdout)![1]!;
  const serve = serveForFile({ HUSH_HOME: home });
  const s = await serve(['--ech', '--cert', cert, '--key', key]);
  try {
    const list = (await hush(['ech'], { env: { HUSH_HOME: home } })).stdout.trim();
    await s.waitFor(new RegExp(`Or use this server as a browser's secure DNS \\(DoH\\): https://127\\.0\\.0\\.1:${s.port}/dns-query \\(answers public\\.localhost, secret\\.hush\\.test, localhost\\)`));
    const ca = path.join(home, 'ca.pem');
    const doh = `https://localhost:${s.port}/dns-query`;
    const q = query('secret.hush.test', 65, { opt: true });
    const get = await run(curl, ['-sS', '--cacert', ca, '-H', 'accept: application/dns-message', '-o', '-', '-w', '\n%{http_code} %{content_type}', `${doh}?dns=${Buffer.from(q).toString('base64url')}`]);
    const getOut = get.stdoutBytes;
    const tail = getOut.subarray(getOut.lastIndexOf(0x0a) + 1).toString();
    assert.equal(tail, '200 application/dns-message');
    const r = response(new Uint8Array(getOut.subarray(0, getOut.lastIndexOf(0x0a))));
    assert.equal(r.rcode, 0);
    assert.deepEqual(new Uint8Array(svcb(r.answers[0]!.rdata).params.get(5)!), fromBase64(list));

    const file = path.join(home, 'q.bin');
    writeFileSync(file, query('nothere.hush.test', 1));
    const post = await run(curl, ['-sS', '--cacert', ca, '-H', 'content-type: application/dns-message', '--data-binary', `@${file}`, '-o', path.join(home, 'r.bin'), '-w', '%{http_code}', doh]);
    assert.equal(post.stdout, '200');
    assert.equal(response(new Uint8Array(readFileSync(path.join(home, 'r.bin')))).rcode, 3);

    for (const [args, code] of [
      [[doh], '400'],
      [[`${doh}?dns=AAAA%3D`], '400'],
      [['-X', 'PUT', doh], '405'],
      [['-H', 'content-type: text/plain', '--data-binary', 'x', doh], '415'],
    ] as const) {
      const r2 = await run(curl, ['-sS', '--cacert', ca, '-o', '/dev/null', '-w', '%{http_code}', ...args]);
      assert.equal(r2.stdout, code, args.join(' '));
    }

    // curl resolves secret.hush.test through hush's DoH and reaches the same server by that name.
    const via = await run(curl, ['-sS', '--cacert', ca, '--doh-url', doh, `https://secret.hush.test:${s.port}/api/connection`]);
    assert.equal(via.code, 0, via.stderr);
    assert.equal((JSON.parse(via.stdout) as { sni: string }).sni, 'secret.hush.test');
    assert.match(s.stdout(), /GET \/dns-query\?dns=\S+ 200/);
  } finally {
    await s.stop();
  }
});
