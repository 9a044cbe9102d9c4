// Negative and edge cases of TLS 1.3 record protection, the deframer and plaintext framing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { TLS13_SUITES, tls13SuiteById, type Tls13Suite } from '../../src/crypto/suites.js';
import { TlsError } from '../../src/errors/index.js';
import { RecordDeframer, type TlsRecord } from '../../src/record/deframer.js';
import { plaintextRecordsLength, writePlaintextRecords, writePlaintextRecordsInto } from '../../src/record/plaintext.js';
import { padToMultiple, RecordOpener13, RecordSealer13, type RecordKeys } from '../../src/record/protection13.js';

const aes128 = tls13SuiteById(0x1301)!;

function keysFor(suite: Tls13Suite, seed = 1): RecordKeys {
  return {
    key: Uint8Array.from({ length: suite.keyLength }, (_, i) => (i * 7 + seed) & 0xff),
    iv: Uint8Array.from({ length: 12 }, (_, i) => (0xa0 + i * 13 + seed) & 0xff),
  };
}

function alert(name: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${String(e)}`);
    assert.equal(e.alertName, name, (e as Error).message);
    return true;
  };
}

/** Split a buffer of consecutive records. */
function records(bytes: Uint8Array): TlsRecord[] {
  const d = new RecordDeframer();
  d.push(bytes);
  const out: TlsRecord[] = [];
  for (let r = d.next(); r; r = d.next()) out.push({ ...r, fragment: r.fragment.slice() });
  assert.equal(d.bufferedBytes, 0);
  return out;
}

const asRecord = (b: Uint8Array): TlsRecord => ({ type: b[0]!, version: (b[1]! << 8) | b[2]!, fragment: b.subarray(5) });

/** Seal an arbitrary TLSInnerPlaintext with seq 0, bypassing the sealer's checks. */
function rawSeal(suite: Tls13Suite, keys: RecordKeys, inner: Uint8Array): TlsRecord {
  const len = inner.length + 16;
  const header = Uint8Array.of(23, 3, 3, len >>> 8, len & 0xff);
  const ct = provider.aead(suite.aead, keys.key).seal(keys.iv, header, inner);
  return { type: 23, version: 0x0303, fragment: ct };
}

test('round trip per suite; tampered ciphertext, tag, header or key → bad_record_mac', () => {
  for (const suite of TLS13_SUITES) {
    const k = keysFor(suite);
    const sealer = new RecordSealer13(provider, suite, k);
    const opener = new RecordOpener13(provider, suite, k);
    const msg = new TextEncoder().encode('hello, record layer');
    const wire = sealer.seal(23, msg);
    assert.equal(wire.length, 5 + msg.length + 1 + 16);
    assert.equal(toHex(wire.subarray(0, 3)), '170303');
    const o = opener.open(asRecord(wire));
    assert.equal(o.type, 23);
    assert.equal(toHex(o.content), toHex(msg));

    const cases: [string, (b: Uint8Array) => void][] = [
      ['ciphertext', (b) => { b[7]! ^= 1; }],
      ['tag', (b) => { b[b.length - 1]! ^= 0x80; }],
      ['header version', (b) => { b[2] = 0x01; }],
    ];
    for (const [what, mutate] of cases) {
      const b = wire.slice();
      mutate(b);
      const fresh = new RecordOpener13(provider, suite, k);
      assert.throws(() => fresh.open(asRecord(b)), alert('bad_record_mac'), `${suite.name}: ${what}`);
    }
    // Wrong sequence number (a replayed or dropped record), wrong key.
    assert.throws(() => opener.open(asRecord(wire)), alert('bad_record_mac'), 'replay at seq 1');
    assert.throws(() => new RecordOpener13(provider, suite, keysFor(suite, 2)).open(asRecord(wire)), alert('bad_record_mac'));
    // Shorter than a tag.
    assert.throws(() => new RecordOpener13(provider, suite, k).open({ type: 23, version: 0x0303, fragment: new Uint8Array(15) }), alert('bad_record_mac'));
    // Outer type must be application_data.
    assert.throws(() => new RecordOpener13(provider, suite, k).open({ ...asRecord(wire), type: 22 }), alert('unexpected_message'));
  }
});

test('limits: ciphertext > 2^14+256 and TLSInnerPlaintext > 2^14+1 → record_overflow', () => {
  const k = keysFor(aes128);
  const opener = () => new RecordOpener13(provider, aes128, k);
  assert.throws(() => opener().open({ type: 23, version: 0x0303, fragment: new Uint8Array(16384 + 257) }), alert('record_overflow'));
  // A correctly authenticated record whose inner plaintext is 2^14 + 2 bytes.
  const big = new Uint8Array(16384 + 2);
  big[16384] = 23;
  assert.throws(() => opener().open(rawSeal(aes128, k, big)), alert('record_overflow'));
  // Exactly 2^14 content + type + 0 padding is fine.
  const max = new Uint8Array(16384 + 1);
  max[16384] = 23;
  assert.equal(opener().open(rawSeal(aes128, k, max)).content.length, 16384);
  // A lower limit (record_size_limit we advertised).
  const small = new RecordSealer13(provider, aes128, k).seal(23, new Uint8Array(200));
  assert.throws(() => new RecordOpener13(provider, aes128, k, { maxFragmentLength: 100 }).open(asRecord(small)), alert('record_overflow'));
});

test('inner plaintext: all zeros, protected change_cipher_spec, unknown or empty handshake → unexpected_message', () => {
  const k = keysFor(aes128);
  const open = (inner: Uint8Array) => new RecordOpener13(provider, aes128, k).open(rawSeal(aes128, k, inner));
  assert.throws(() => open(new Uint8Array(40)), alert('unexpected_message'));
  assert.throws(() => open(new Uint8Array(0)), alert('unexpected_message'));
  assert.throws(() => open(Uint8Array.of(1, 20, 0, 0)), alert('unexpected_message'));
  assert.throws(() => open(Uint8Array.of(1, 24)), alert('unexpected_message'));
  assert.throws(() => open(Uint8Array.of(22, 0, 0, 0)), alert('unexpected_message'));
  assert.throws(() => open(Uint8Array.of(21)), alert('unexpected_message'));
  // Padding is stripped; a zero byte inside the content stays.
  const o = open(Uint8Array.of(5, 0, 6, 22, 0, 0, 0, 0, 0));
  assert.deepEqual([o.type, toHex(o.content)], [22, '050006']);
  // Empty application data is allowed (RFC 8446 §5.4).
  const e = open(Uint8Array.of(23, 0, 0));
  assert.deepEqual([e.type, e.content.length], [23, 0]);
  const sealedEmpty = new RecordSealer13(provider, aes128, k).seal(23, new Uint8Array(0));
  assert.equal(sealedEmpty.length, 5 + 1 + 16);
});

test('fragmentation, many records into one buffer, padding', () => {
  const k = keysFor(aes128);
  const data = Uint8Array.from({ length: 40000 }, (_, i) => i & 0xff);
  const sealer = new RecordSealer13(provider, aes128, k);
  const wire = sealer.seal(23, data);
  assert.equal(wire.length, sealer.sealedLength(23, 40000) + 0);
  assert.equal(wire.length, 40000 + 3 * 22);
  const recs = records(wire);
  assert.deepEqual(recs.map((r) => r.fragment.length), [16384 + 17, 16384 + 17, 7232 + 17]);
  const opener = new RecordOpener13(provider, aes128, k);
  assert.equal(toHex(concat(...recs.map((r) => opener.open(r).content))), toHex(data));
  assert.equal(sealer.sequenceNumber, 3n);
  assert.equal(opener.recordCount, 3);

  // sealInto: two writes after an offset, into one buffer.
  const s2 = new RecordSealer13(provider, aes128, k);
  const a = Uint8Array.of(1, 2, 3);
  const b = new Uint8Array(20000).fill(9);
  const out = new Uint8Array(7 + s2.sealedLength(22, a.length) + s2.sealedLength(23, b.length));
  let o = s2.sealInto(22, a, out, 7);
  o = s2.sealInto(23, b, out, o);
  assert.equal(o, out.length);
  const o2 = new RecordOpener13(provider, aes128, k);
  const opened = records(out.subarray(7)).map((r) => o2.open(r));
  assert.deepEqual(opened.map((x) => [x.type, x.content.length]), [[22, 3], [23, 16384], [23, 3616]]);
  assert.throws(() => s2.sealInto(23, b, new Uint8Array(100), 0), /too small/);

  // Padding to a multiple of 256: every TLSInnerPlaintext is a multiple, removed on open.
  const padded = new RecordSealer13(provider, aes128, k, { padding: padToMultiple(256) });
  const pw = padded.seal(23, data);
  assert.equal(pw.length, padded.sealedLength(23, data.length));
  const pr = records(pw);
  for (const r of pr) assert.equal((r.fragment.length - 16) % 256 === 0 || r.fragment.length - 16 === 16385, true);
  const po = new RecordOpener13(provider, aes128, k);
  assert.equal(toHex(concat(...pr.map((r) => po.open(r).content))), toHex(data));
  // A policy may not push a record over the limit: clamped to maxFragmentLength - content.
  const greedy = new RecordSealer13(provider, aes128, k, { padding: () => 1e9 });
  const g = records(greedy.seal(22, Uint8Array.of(1)));
  assert.equal(g[0]!.fragment.length, 16384 + 1 + 16);
  assert.equal(new RecordOpener13(provider, aes128, k).open(g[0]!).content.length, 1);
  // A smaller fragment size (record_size_limit).
  const rsl = new RecordSealer13(provider, aes128, k, { maxFragmentLength: 1000 });
  assert.equal(records(rsl.seal(23, new Uint8Array(2500))).length, 3);
});

test('nonce = iv XOR 64-bit sequence number, across the 32-bit boundary; the last number is refused', () => {
  const k = keysFor(aes128);
  const aead = provider.aead(aes128.aead, k.key);
  const nonceFor = (seq: bigint) => {
    const n = k.iv.slice();
    for (let i = 0; i < 8; i++) n[11 - i]! ^= Number((seq >> BigInt(8 * i)) & 0xffn);
    return n;
  };
  const starts = [0n, 1n, 0xfffffffen, 0xffffffffn, 1n << 32n, (1n << 48n) + 5n, 0xfffffffffffffffcn];
  for (const start of starts) {
    const sealer = new RecordSealer13(provider, aes128, k, { initialSequence: start });
    const opener = new RecordOpener13(provider, aes128, k, { initialSequence: start });
    for (let i = 0n; i < 2n; i++) {
      const seq = start + i;
      const wire = sealer.seal(23, Uint8Array.of(Number(i)));
      // Independent check: the provider's AEAD with the nonce computed here.
      const pt = aead.open(nonceFor(seq), wire.subarray(0, 5), wire.subarray(5));
      assert.ok(pt, `seq ${seq}: nonce matches iv XOR seq`);
      assert.equal(toHex(pt), toHex(Uint8Array.of(Number(i), 23)));
      assert.equal(opener.open(asRecord(wire)).content[0], Number(i));
    }
    assert.equal(sealer.sequenceNumber, start + 2n);
    assert.equal(opener.sequenceNumber, start + 2n);
  }
  // 2^64 - 2 is the last usable number; 2^64 - 1 is refused (RFC 8446 §5.3: never wrap).
  const last = new RecordSealer13(provider, aes128, k, { initialSequence: 0xfffffffffffffffen });
  last.seal(23, Uint8Array.of(1));
  assert.throws(() => last.seal(23, Uint8Array.of(1)), /sequence number exhausted/);
  assert.throws(() => new RecordSealer13(provider, aes128, k, { initialSequence: 1n << 64n }), /out of range/);
});

test('needsKeyUpdate at the threshold; defaults per AEAD (RFC 8446 §5.5)', () => {
  const k = keysFor(aes128);
  const sealer = new RecordSealer13(provider, aes128, k, { keyUpdateThreshold: 3 });
  sealer.seal(23, new Uint8Array(10));
  sealer.seal(23, new Uint8Array(10));
  assert.equal(sealer.needsKeyUpdate, false);
  sealer.seal(23, new Uint8Array(10));
  assert.equal(sealer.needsKeyUpdate, true);
  assert.equal(sealer.recordCount, 3);
  // Counted in records, so one 40 KB write counts 3.
  const s2 = new RecordSealer13(provider, aes128, k, { keyUpdateThreshold: 3 });
  s2.seal(23, new Uint8Array(40000));
  assert.equal(s2.needsKeyUpdate, true);
  // Defaults: AES-GCM after 2^24 records, ChaCha20-Poly1305 never.
  const gcm = new RecordSealer13(provider, aes128, k, { initialSequence: 0n });
  assert.equal(gcm.needsKeyUpdate, false);
  const chacha = tls13SuiteById(0x1303)!;
  assert.equal(new RecordSealer13(provider, chacha, keysFor(chacha)).needsKeyUpdate, false);
  // Bad key material is a bug, not a protocol error.
  assert.throws(() => new RecordSealer13(provider, aes128, { key: new Uint8Array(32), iv: new Uint8Array(12) }), /key has 32 bytes/);
  assert.throws(() => new RecordSealer13(provider, aes128, { key: new Uint8Array(16), iv: new Uint8Array(8) }), /IV has 8 bytes/);
});

test('deframer: strict header checks, sticky failure, chunking', () => {
  const feed = (bytes: number[]) => {
    const d = new RecordDeframer();
    d.push(Uint8Array.from(bytes));
    return d.next();
  };
  assert.throws(() => feed([24, 3, 3, 0, 1, 0]), alert('unexpected_message'), 'heartbeat');
  assert.throws(() => feed([0, 3, 3, 0, 1, 0]), alert('unexpected_message'));
  assert.throws(() => feed([0x80, 0x2e, 1, 3, 1]), alert('protocol_version'), 'SSLv2 ClientHello');
  assert.throws(() => feed([0x80]), /SSLv2/);
  // legacy_record_version: any {03,XX} (RFC 5246 Appendix E.1; RFC 8446 §5.1 "MUST be ignored"),
  // nothing else (not TLS framing).
  for (const minor of [0, 1, 2, 3, 4, 0x7f, 0xff]) assert.equal(feed([22, 3, minor, 0, 1, 1])?.version, 0x0300 | minor);
  assert.throws(() => feed([22, 2, 0, 0, 1, 1]), alert('protocol_version'));
  assert.throws(() => feed([22, 4, 0, 0, 1, 1]), alert('protocol_version'));
  assert.throws(() => feed([23, 0, 3, 0, 1, 1]), /0x0003 is not TLS framing/);
  assert.throws(() => feed([22, 3, 3, 0, 0]), alert('unexpected_message'), 'empty handshake record');
  assert.throws(() => feed([21, 3, 3, 0, 0]), alert('unexpected_message'), 'empty alert record');
  assert.equal(feed([23, 3, 3, 0, 0])?.fragment.length, 0);
  // Lengths, from the header alone (no body needed).
  assert.throws(() => feed([22, 3, 3, 0x40, 0x01]), alert('record_overflow'), 'plaintext 2^14 + 1');
  assert.equal(feed([22, 3, 3, 0x40, 0x00]), undefined, 'plaintext 2^14: waits for the body');
  assert.equal(feed([23, 3, 3, 0x41, 0x00]), undefined, 'ciphertext 2^14 + 256: waits');
  assert.throws(() => feed([23, 3, 3, 0x41, 0x01]), alert('record_overflow'), 'ciphertext 2^14 + 257');
  const d12 = new RecordDeframer();
  d12.protectAllTypes = true;
  d12.setLimits({ maxCiphertextLength: 16384 + 2048 });
  d12.push(Uint8Array.of(22, 3, 3, 0x48, 0x00));
  assert.equal(d12.next(), undefined, 'TLS 1.2 protected handshake of 2^14 + 2048');
  // Sticky: once failed, always failed.
  const d = new RecordDeframer();
  d.push(Uint8Array.of(99, 3, 3, 0, 1, 0));
  assert.throws(() => d.next(), alert('unexpected_message'));
  assert.throws(() => d.next(), alert('unexpected_message'));
  assert.throws(() => d.push(Uint8Array.of(1)), alert('unexpected_message'));

  // A stream of records of many sizes, fed 1 byte at a time and in one piece.
  const sizes = [1, 2, 16384, 5, 16384 + 256, 300, 7];
  const recs = sizes.map((n, i) => {
    const t = n > 16384 ? 23 : i % 2 ? 22 : 23;
    return concat(Uint8Array.of(t, 3, 3, n >>> 8, n & 0xff), Uint8Array.from({ length: n }, (_, j) => (i + j) & 0xff));
  });
  const stream = concat(...recs);
  for (const chunk of [1, 3, 4096, stream.length]) {
    const df = new RecordDeframer();
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += chunk) {
      df.push(stream.subarray(i, i + chunk));
      for (let r = df.next(); r; r = df.next()) got.push(toHex(r.fragment));
      assert.ok(df.bufferedBytes <= 16384 + 256 + 5 + chunk);
    }
    assert.deepEqual(got, recs.map((r) => toHex(r.subarray(5))), `chunk ${chunk}`);
  }
  // A record inside one chunk is a view of it (no copy).
  const one = new RecordDeframer();
  one.push(recs[1]!);
  assert.equal(one.next()!.fragment.buffer, recs[1]!.buffer);
});

test('plaintext framing: fragmentation at 2^14, version, contiguous output', () => {
  const data = Uint8Array.from({ length: 40000 }, (_, i) => i & 0xff);
  const w = writePlaintextRecords(22, 0x0301, data);
  assert.equal(w.length, plaintextRecordsLength(40000));
  const recs = records(w);
  assert.deepEqual(recs.map((r) => [r.type, r.version, r.fragment.length]), [[22, 0x0301, 16384], [22, 0x0301, 16384], [22, 0x0301, 7232]]);
  assert.equal(toHex(concat(...recs.map((r) => r.fragment))), toHex(data));
  assert.equal(writePlaintextRecords(22, 0x0303, new Uint8Array(0)).length, 0);
  assert.equal(toHex(writePlaintextRecords(20, 0x0303, Uint8Array.of(1))), '140303000101');
  const out = new Uint8Array(12);
  assert.equal(writePlaintextRecordsInto(21, 0x0303, Uint8Array.of(2, 40), out, 3), 10);
  assert.equal(toHex(out.subarray(3, 10)), '15030300020228');
  assert.throws(() => writePlaintextRecordsInto(21, 0x0303, Uint8Array.of(2, 40), new Uint8Array(6), 0), /too small/);
  assert.equal(records(writePlaintextRecords(22, 0x0303, data, 1000)).length, 40);
});
