// TLS 1.2 record protection: AEAD and CBC round trips, wire layout checked with node:crypto
// directly, fragmentation, sequence numbers, and every failure mode (one bad_record_mac message
// for all CBC authentication and padding failures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { concat, toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { HASH_BLOCK_LENGTH, HASH_LENGTH, type BlockCipherName, type CryptoProvider, type HashName } from '../../src/crypto/provider.js';
import { tls12SuiteById, type Tls12Suite } from '../../src/crypto/suites.js';
import { TlsError } from '../../src/errors/index.js';
import { CBC_PADDING_GOOD, checkCbcPadding } from '../../src/record/cbc12.js';
import { RecordDeframer, type TlsRecord } from '../../src/record/deframer.js';
import { MAX_CIPHERTEXT_LENGTH_12 } from '../../src/record/limits.js';
import { RecordOpener12, RecordSealer12, type RecordKeys12 } from '../../src/record/protection12.js';

const GCM128 = tls12SuiteById(0xc02f)!;
const GCM256 = tls12SuiteById(0xc030)!;
const CHACHA = tls12SuiteById(0xcca8)!;
const AEAD_SUITES = [GCM128, GCM256, CHACHA];

/** CBC suites for every MAC × cipher pair (the table has only four of the six). */
function cbcSuite(cipher: BlockCipherName, mac: HashName): Tls12Suite {
  return {
    id: 0, name: `test-${cipher}-${mac}`, opensslName: 'test', version: 'TLSv1.2', kx: 'ecdhe', auth: 'rsa', prfHash: 'sha256',
    cipher: { kind: 'cbc', cipher, keyLength: cipher === 'aes-128-cbc' ? 16 : 32, blockLength: 16, mac, macLength: HASH_LENGTH[mac] },
  };
}
const CBC_SUITES = (['sha1', 'sha256', 'sha384'] as const).flatMap((mac) => (['aes-128-cbc', 'aes-256-cbc'] as const).map((c) => cbcSuite(c, mac)));

function keysFor(suite: Tls12Suite, seed = 1): RecordKeys12 {
  const c = suite.cipher;
  const bytes = (n: number, k: number) => Uint8Array.from({ length: n }, (_, i) => (i * k + seed) & 0xff);
  return {
    macKey: bytes(c.kind === 'cbc' ? c.macLength : 0, 5),
    key: bytes(c.keyLength, 7),
    iv: bytes(c.kind === 'aead' ? c.fixedIvLength : 0, 13),
  };
}

function alert(name: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${String(e)}`);
    assert.equal(e.alertName, name, (e as Error).message);
    return true;
  };
}

function records(bytes: Uint8Array): TlsRecord[] {
  const d = new RecordDeframer({ maxCiphertextLength: MAX_CIPHERTEXT_LENGTH_12 });
  d.protectAllTypes = true;
  d.push(bytes);
  const out: TlsRecord[] = [];
  for (let r = d.next(); r; r = d.next()) out.push({ ...r, fragment: r.fragment.slice() });
  assert.equal(d.bufferedBytes, 0);
  return out;
}

const asRecord = (b: Uint8Array): TlsRecord => ({ type: b[0]!, version: (b[1]! << 8) | b[2]!, fragment: b.subarray(5) });
const u64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
};
/** seq_num || type || version || length (RFC 5246 §6.2.3.1 MAC prefix, §6.2.3.3 AAD). */
const prefix = (seq: bigint, type: number, length: number) => concat(u64(seq), Uint8Array.of(type, 3, 3, length >>> 8, length & 0xff));
const text = (n: number, salt = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + salt) & 0xff);

// ---------------------------------------------------------------- AEAD

/** Open an AEAD record with node:crypto directly (RFC 5288 §3 / RFC 7905 §2 layouts). */
function nodeOpenAead(suite: Tls12Suite, keys: RecordKeys12, seq: bigint, wire: Uint8Array): Uint8Array {
  const c = suite.cipher;
  assert.equal(c.kind, 'aead');
  if (c.kind !== 'aead') throw new Error();
  const f = wire.subarray(5);
  let nonce: Uint8Array;
  let body: Uint8Array;
  if (c.explicitNonceLength === 8) {
    nonce = concat(keys.iv, f.subarray(0, 8));
    body = f.subarray(8);
  } else {
    nonce = keys.iv.slice();
    const s = u64(seq);
    for (let i = 0; i < 8; i++) nonce[4 + i]! ^= s[i]!;
    body = f;
  }
  const n = body.length - 16;
  const algo = c.aead as 'aes-128-gcm';
  const d = createDecipheriv(algo, keys.key, nonce, { authTagLength: 16 });
  d.setAAD(prefix(seq, wire[0]!, n), { plaintextLength: n });
  d.setAuthTag(body.subarray(n));
  const pt = d.update(body.subarray(0, n));
  d.final();
  return new Uint8Array(pt);
}

test('AEAD: round trips across sequence numbers; wire layout matches node:crypto (explicit nonce = seq for GCM, none for ChaCha)', () => {
  let opened = 0;
  for (const suite of AEAD_SUITES) {
    const k = keysFor(suite);
    for (const start of [0n, 0xfffffffen, 0x123456789abcdef0n]) {
      const sealer = new RecordSealer12(provider, suite, k, { initialSequence: start });
      const opener = new RecordOpener12(provider, suite, k, { initialSequence: start });
      for (let i = 0; i < 4; i++) {
        const seq = start + BigInt(i);
        const type = [23, 22, 21, 23][i]!;
        const msg = text(1 + i * 37, i);
        const wire = sealer.seal(type, msg);
        const explicit = suite.cipher.kind === 'aead' ? suite.cipher.explicitNonceLength : 0;
        assert.equal(wire.length, 5 + explicit + msg.length + 16);
        assert.equal(toHex(wire.subarray(0, 5)), toHex(Uint8Array.of(type, 3, 3, (wire.length - 5) >>> 8, (wire.length - 5) & 0xff)));
        if (explicit === 8) assert.equal(toHex(wire.subarray(5, 13)), toHex(u64(seq)), 'GCM nonce_explicit is the sequence number');
        assert.equal(toHex(nodeOpenAead(suite, k, seq, wire)), toHex(msg), `${suite.name} seq ${seq}`);
        const o = opener.open(asRecord(wire));
        assert.equal(o.type, type);
        assert.equal(toHex(o.content), toHex(msg));
        opened++;
      }
      assert.equal(sealer.sequenceNumber, start + 4n);
      assert.equal(opener.sequenceNumber, start + 4n);
    }
  }
  assert.equal(opened, 36);
  // An empty application_data record is allowed (RFC 5246 §6.2.1 forbids it only for the other types).
  const s = new RecordSealer12(provider, GCM128, keysFor(GCM128));
  const empty = s.seal(23, new Uint8Array(0));
  assert.equal(empty.length, 5 + 8 + 16);
  assert.equal(new RecordOpener12(provider, GCM128, keysFor(GCM128)).open(asRecord(empty)).content.length, 0);
  assert.throws(() => s.seal(22, new Uint8Array(0)), alert('internal_error'));
  assert.throws(() => s.seal(24, new Uint8Array(1)), alert('internal_error'));
  assert.equal(s.needsKeyUpdate, false);
  assert.equal(new RecordOpener12(provider, GCM128, keysFor(GCM128)).protectsAllTypes, true);
});

test('fragmenting: more than 2^14 bytes become several records in one buffer (all suites, MtE and ETM)', () => {
  const data = text(40000, 3);
  for (const [suite, etm] of [...AEAD_SUITES.map((s) => [s, false] as const), ...CBC_SUITES.flatMap((s) => [[s, false], [s, true]] as const)]) {
    const k = keysFor(suite);
    const sealer = new RecordSealer12(provider, suite, k, { encryptThenMac: etm });
    const wire = sealer.seal(23, data);
    assert.equal(wire.length, sealer.sealedLength(23, data.length));
    const recs = records(wire);
    assert.equal(recs.length, 3, suite.name);
    const opener = new RecordOpener12(provider, suite, k, { encryptThenMac: etm });
    const parts = recs.map((r) => opener.open(r).content);
    assert.deepEqual(parts.map((p) => p.length), [16384, 16384, 40000 - 32768]);
    assert.equal(toHex(concat(...parts)), toHex(data), `${suite.name} etm=${etm}`);
    for (const r of recs) assert.ok(r.fragment.length <= MAX_CIPHERTEXT_LENGTH_12);
  }
  // A lower maxFragmentLength splits there; sealInto appends at an offset.
  const k = keysFor(CHACHA);
  const small = new RecordSealer12(provider, CHACHA, k, { maxFragmentLength: 1000 });
  const out = new Uint8Array(7 + small.sealedLength(23, 2500));
  assert.equal(small.sealInto(23, text(2500), out, 7), out.length);
  const recs = records(out.subarray(7));
  assert.deepEqual(recs.map((r) => r.fragment.length - 16), [1000, 1000, 500]);
  // An opener limited to 1000 refuses a 2^14 record with record_overflow.
  const big = new RecordSealer12(provider, CHACHA, k).seal(23, text(1001));
  assert.throws(() => new RecordOpener12(provider, CHACHA, k, { maxFragmentLength: 1000 }).open(asRecord(big)), alert('record_overflow'));
});

test('AEAD: tampering with any byte, a wrong sequence number or wrong keys → bad_record_mac', () => {
  let cases = 0;
  for (const suite of AEAD_SUITES) {
    const k = keysFor(suite);
    const wire = new RecordSealer12(provider, suite, k).seal(22, text(24));
    // Every header byte that is authenticated (type, version; the length is implied) and every body byte.
    for (let i = 0; i < wire.length; i++) {
      if (i === 3 || i === 4) continue;
      for (const bit of [0x01, 0x80]) {
        const b = wire.slice();
        b[i]! ^= bit;
        const r = asRecord(b);
        if (r.type < 20 || r.type > 23) continue; // not a record type the deframer would pass
        assert.throws(() => new RecordOpener12(provider, suite, k).open(r), alert('bad_record_mac'), `${suite.name} byte ${i}`);
        cases++;
      }
    }
    const opener = new RecordOpener12(provider, suite, k);
    opener.open(asRecord(wire));
    assert.throws(() => opener.open(asRecord(wire)), alert('bad_record_mac'), 'replayed at seq 1');
    assert.throws(() => new RecordOpener12(provider, suite, k, { initialSequence: 1n }).open(asRecord(wire)), alert('bad_record_mac'));
    assert.throws(() => new RecordOpener12(provider, suite, keysFor(suite, 2)).open(asRecord(wire)), alert('bad_record_mac'));
    // Truncated: shorter than explicit nonce + tag, and one byte short.
    const explicit = suite.cipher.kind === 'aead' ? suite.cipher.explicitNonceLength : 0;
    assert.throws(() => new RecordOpener12(provider, suite, k).open({ type: 23, version: 0x0303, fragment: new Uint8Array(explicit + 15) }), alert('bad_record_mac'));
    assert.throws(() => new RecordOpener12(provider, suite, k).open(asRecord(wire.subarray(0, wire.length - 1))), alert('bad_record_mac'));
  }
  assert.ok(cases > 150, `${cases}`);
});

/** An AEAD record with arbitrary content (bypassing the sealer's checks), via node:crypto. */
function rawAead(suite: Tls12Suite, keys: RecordKeys12, seq: bigint, type: number, content: Uint8Array): TlsRecord {
  const c = suite.cipher;
  if (c.kind !== 'aead' || c.explicitNonceLength !== 8) throw new Error('GCM only');
  const nonce = concat(keys.iv, u64(seq));
  const e = createCipheriv(c.aead as 'aes-128-gcm', keys.key, nonce, { authTagLength: 16 });
  e.setAAD(prefix(seq, type, content.length), { plaintextLength: content.length });
  const ct = e.update(content);
  e.final();
  return { type, version: 0x0303, fragment: concat(u64(seq), ct, e.getAuthTag()) };
}

test('AEAD: oversize records → record_overflow; empty handshake/alert/CCS content → unexpected_message', () => {
  const k = keysFor(GCM128);
  const open = (r: TlsRecord) => new RecordOpener12(provider, GCM128, k).open(r);
  // TLSCiphertext over 2^14 + 2048, before any decryption.
  assert.throws(() => open({ type: 23, version: 0x0303, fragment: new Uint8Array(MAX_CIPHERTEXT_LENGTH_12 + 1) }), alert('record_overflow'));
  // Authentic plaintext of 2^14 + 1 bytes.
  assert.throws(() => open(rawAead(GCM128, k, 0n, 23, text(16385))), alert('record_overflow'));
  assert.equal(open(rawAead(GCM128, k, 0n, 23, text(16384))).content.length, 16384);
  for (const type of [20, 21, 22]) {
    assert.throws(() => open(rawAead(GCM128, k, 0n, type, new Uint8Array(0))), alert('unexpected_message'), `type ${type}`);
  }
  assert.equal(open(rawAead(GCM128, k, 0n, 20, Uint8Array.of(1))).type, 20, 'a protected CCS keeps its outer type');
  assert.throws(() => open({ type: 24, version: 0x0303, fragment: new Uint8Array(40) }), alert('unexpected_message'));
});

test('sequence numbers: 64-bit, carry across 2^32, never wrap', () => {
  const k = keysFor(GCM128);
  const sealer = new RecordSealer12(provider, GCM128, k, { initialSequence: 0xffffffffn });
  const a = sealer.seal(23, text(5));
  const b = sealer.seal(23, text(5));
  assert.equal(toHex(a.subarray(5, 13)), '00000000ffffffff');
  assert.equal(toHex(b.subarray(5, 13)), '0000000100000000');
  const opener = new RecordOpener12(provider, GCM128, k, { initialSequence: 0xffffffffn });
  opener.open(asRecord(a));
  opener.open(asRecord(b));

  for (const suite of [GCM128, CHACHA, CBC_SUITES[0]!]) {
    const last = new RecordSealer12(provider, suite, keysFor(suite), { initialSequence: 0xfffffffffffffffdn });
    last.seal(23, text(3)); // seq 2^64 - 3
    last.seal(23, text(3)); // seq 2^64 - 2
    assert.throws(() => last.seal(23, text(3)), alert('internal_error'), 'seq 2^64 - 1 is never used');
    const o = new RecordOpener12(provider, suite, keysFor(suite), { initialSequence: 0xffffffffffffffffn });
    assert.throws(() => o.open({ type: 23, version: 0x0303, fragment: new Uint8Array(64) }), alert('internal_error'));
  }
  assert.throws(() => new RecordSealer12(provider, GCM128, k, { initialSequence: 1n << 64n }), alert('internal_error'));
});

test('constructor checks the key, IV and MAC key lengths and maxFragmentLength', () => {
  const k = keysFor(GCM128);
  assert.throws(() => new RecordSealer12(provider, GCM128, { ...k, key: new Uint8Array(32) }), alert('internal_error'));
  assert.throws(() => new RecordOpener12(provider, GCM128, { ...k, iv: new Uint8Array(12) }), alert('internal_error'));
  assert.throws(() => new RecordOpener12(provider, CHACHA, { ...keysFor(CHACHA), iv: new Uint8Array(4) }), alert('internal_error'));
  const cbc = CBC_SUITES[0]!;
  assert.throws(() => new RecordSealer12(provider, cbc, { ...keysFor(cbc), macKey: new Uint8Array(0) }), alert('internal_error'));
  assert.throws(() => new RecordSealer12(provider, GCM128, k, { maxFragmentLength: 16385 }), alert('internal_error'));
  assert.throws(() => new RecordSealer12(provider, GCM128, k, { maxFragmentLength: 0 }), alert('internal_error'));
});

// ---------------------------------------------------------------- CBC

function cbcOf(suite: Tls12Suite) {
  if (suite.cipher.kind !== 'cbc') throw new Error('not CBC');
  return suite.cipher;
}
const nodeMac = (suite: Tls12Suite, keys: RecordKeys12, ...parts: Uint8Array[]) => {
  const h = createHmac(cbcOf(suite).mac, keys.macKey);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const nodeCbc = (suite: Tls12Suite, keys: RecordKeys12, dir: 'enc' | 'dec', iv: Uint8Array, data: Uint8Array) => {
  const c = dir === 'enc' ? createCipheriv(cbcOf(suite).cipher, keys.key, iv) : createDecipheriv(cbcOf(suite).cipher, keys.key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(concat(c.update(data), c.final()));
};

test('CBC MtE and ETM: round trips for SHA-1/256/384 × AES-128/256 at every padding length; wire layout checked with node:crypto', () => {
  let checked = 0;
  for (const suite of CBC_SUITES) {
    const macLen = cbcOf(suite).macLength;
    const k = keysFor(suite);
    for (const etm of [false, true]) {
      const sealer = new RecordSealer12(provider, suite, k, { encryptThenMac: etm });
      const opener = new RecordOpener12(provider, suite, k, { encryptThenMac: etm });
      const ivs = new Set<string>();
      for (let n = 0; n <= 40; n++) {
        const seq = BigInt(n);
        const msg = text(n, n);
        const wire = sealer.seal(23, msg);
        assert.equal(wire.length, sealer.sealedLength(23, n));
        const f = wire.subarray(5);
        const iv = f.subarray(0, 16);
        ivs.add(toHex(iv));
        if (!etm) {
          // RFC 5246 §6.2.3.2: IV || E(content || MAC || padding || padding_length), minimal padding.
          const p = nodeCbc(suite, k, 'dec', iv, f.subarray(16));
          assert.equal(p.length, Math.ceil((n + macLen + 1) / 16) * 16);
          const pad = p[p.length - 1]!;
          assert.equal(pad, p.length - n - macLen - 1);
          assert.ok(p.subarray(p.length - 1 - pad).every((x) => x === pad));
          assert.equal(toHex(p.subarray(0, n)), toHex(msg));
          assert.equal(toHex(p.subarray(n, n + macLen)), toHex(nodeMac(suite, k, prefix(seq, 23, n), msg)));
        } else {
          // RFC 7366 §3: IV || E(content || padding || padding_length) || MAC(seq || hdr(len = IV + ciphertext) || IV || ciphertext).
          const encLen = f.length - 16 - macLen;
          assert.equal(encLen, Math.ceil((n + 1) / 16) * 16);
          assert.equal(toHex(f.subarray(16 + encLen)), toHex(nodeMac(suite, k, prefix(seq, 23, 16 + encLen), f.subarray(0, 16 + encLen))));
          const p = nodeCbc(suite, k, 'dec', iv, f.subarray(16, 16 + encLen));
          assert.equal(toHex(p.subarray(0, n)), toHex(msg));
          assert.equal(p[p.length - 1], encLen - n - 1);
        }
        const o = opener.open(asRecord(wire));
        assert.equal(toHex(o.content), toHex(msg), `${suite.name} etm=${etm} n=${n}`);
        checked++;
      }
      assert.equal(ivs.size, 41, 'a fresh explicit IV per record');
      // MtE and ETM records are not interchangeable.
      const other = new RecordOpener12(provider, suite, k, { encryptThenMac: !etm });
      assert.throws(() => other.open(asRecord(new RecordSealer12(provider, suite, k, { encryptThenMac: etm }).seal(23, text(20)))), alert('bad_record_mac'));
    }
  }
  assert.equal(checked, 6 * 2 * 41);
});

/** A MtE record whose CBC plaintext (content || MAC || padding) the test chooses byte for byte. */
function rawMte(suite: Tls12Suite, keys: RecordKeys12, plaintext: Uint8Array, type = 23, seq = 0n): TlsRecord {
  const iv = text(16, 99);
  return { type, version: 0x0303, fragment: concat(iv, nodeCbc(suite, keys, 'enc', iv, plaintext)) };
}
/** content || MAC(content) || padding, the MAC computed for `macLength` content bytes. */
function mtePlain(suite: Tls12Suite, keys: RecordKeys12, content: Uint8Array, padding: Uint8Array, seq = 0n, type = 23): Uint8Array {
  return concat(content, nodeMac(suite, keys, prefix(seq, type, content.length), content), padding);
}
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

test('CBC MtE: every kind of bad padding and a bad MAC give the same bad_record_mac error', () => {
  const messages = new Set<string>();
  let cases = 0;
  const reject = (suite: Tls12Suite, keys: RecordKeys12, r: TlsRecord, what: string, etm = false) => {
    assert.throws(() => new RecordOpener12(provider, suite, keys, { encryptThenMac: etm }).open(r), (e: unknown) => {
      assert.ok(e instanceof TlsError, what);
      assert.equal(e.alertName, 'bad_record_mac', `${suite.name}: ${what}: ${e.message}`);
      messages.add(e.message);
      return true;
    }, `${suite.name}: ${what}`);
    cases++;
  };
  for (const suite of CBC_SUITES) {
    const k = keysFor(suite);
    const macLen = cbcOf(suite).macLength;
    const content = text(16 + 16 - ((16 + macLen + 16) % 16)); // content + MAC + 16 padding bytes = whole blocks
    const good = mtePlain(suite, k, content, fill(16, 15));
    assert.equal(good.length % 16, 0);
    // The well-formed record opens (the control).
    assert.equal(toHex(new RecordOpener12(provider, suite, k).open(rawMte(suite, k, good)).content), toHex(content));

    // A wrong padding byte in each position (padding_length = 15: bytes -16..-2 must be 15).
    for (let i = 2; i <= 16; i++) {
      const p = good.slice();
      p[p.length - i] = 14;
      reject(suite, k, rawMte(suite, k, p), `padding byte -${i} wrong`);
    }
    // padding_length larger than the record.
    const big = good.slice();
    big[big.length - 1] = 255;
    reject(suite, k, rawMte(suite, k, big), 'padding_length 255 > record');
    // Padding bytes all equal to padding_length, but they leave no room for the MAC.
    const all = fill(good.length, good.length - macLen); // padding_length + 1 + macLen > length
    reject(suite, k, rawMte(suite, k, all), 'padding eats the MAC');
    const whole = fill(good.length, good.length - 1); // the whole plaintext is padding
    reject(suite, k, rawMte(suite, k, whole), 'all padding');
    // Exactly no content left after removing MAC and padding: fine, but with a bad MAC.
    const zero = concat(new Uint8Array(macLen), fill(16 - (macLen % 16), 15 - (macLen % 16)));
    reject(suite, k, rawMte(suite, k, zero), 'empty content, bad MAC');
    // A bad MAC with good padding, and a flipped ciphertext byte.
    const badMac = good.slice();
    badMac[content.length + 3]! ^= 1;
    reject(suite, k, rawMte(suite, k, badMac), 'bad MAC');
    const flipped = rawMte(suite, k, good);
    flipped.fragment[20]! ^= 1;
    reject(suite, k, flipped, 'flipped ciphertext');
    // MAC computed for the wrong sequence number, type or version.
    reject(suite, k, rawMte(suite, k, mtePlain(suite, k, content, fill(16, 15), 1n)), 'MAC for seq 1');
    reject(suite, k, rawMte(suite, k, mtePlain(suite, k, content, fill(16, 15), 0n, 22)), 'MAC for type 22');
    reject(suite, k, { ...rawMte(suite, k, good), version: 0x0301 }, 'version 0301 in the header');
    // Lucky 13 shape: bad padding, but a MAC that is valid for the content a "padding as zero"
    // reading implies: the padding flag alone must reject it.
    const lucky = mtePlain(suite, k, text(content.length + 15), Uint8Array.of(7));
    assert.equal(lucky.length % 16, 0);
    assert.notEqual(lucky[lucky.length - 2], 7);
    reject(suite, k, rawMte(suite, k, lucky), 'valid MAC over the zero-padding reading, bad padding');
    // Public shape errors: not whole blocks, only an IV, too short for MAC + padding_length.
    const g = rawMte(suite, k, good);
    reject(suite, k, { ...g, fragment: g.fragment.subarray(0, g.fragment.length - 1) }, 'not whole blocks');
    reject(suite, k, { ...g, fragment: g.fragment.subarray(0, 16) }, 'IV only');
    const minBlocks = Math.ceil((macLen + 1) / 16);
    reject(suite, k, { ...g, fragment: g.fragment.subarray(0, 16 + (minBlocks - 1) * 16) }, 'shorter than MAC + 1');
    // ETM: bad MAC, and a good MAC over a ciphertext whose padding is bad.
    const etmWire = new RecordSealer12(provider, suite, k, { encryptThenMac: true }).seal(23, text(20));
    const e1 = etmWire.slice();
    e1[e1.length - 1]! ^= 1;
    reject(suite, k, asRecord(e1), 'ETM bad MAC', true);
    const iv = text(16, 5);
    const ct = nodeCbc(suite, k, 'enc', iv, concat(text(20), fill(11, 0), Uint8Array.of(3))); // padding_length 3 but the bytes are 0
    reject(suite, k, { type: 23, version: 0x0303, fragment: concat(iv, ct, nodeMac(suite, k, prefix(0n, 23, 16 + ct.length), iv, ct)) }, 'ETM good MAC, bad padding', true);
    reject(suite, k, { type: 23, version: 0x0303, fragment: new Uint8Array(16 + macLen) }, 'ETM no ciphertext', true);
  }
  assert.equal(cases, 6 * 31);
  assert.equal(messages.size, 1, [...messages].join(' | '));
});

test('CBC MtE: the largest padding (255) and empty content are accepted', () => {
  for (const suite of CBC_SUITES) {
    const k = keysFor(suite);
    const macLen = cbcOf(suite).macLength;
    const content = text(32 - (macLen % 16) + 16);
    const p = mtePlain(suite, k, content, fill(256, 255));
    assert.equal(p.length % 16, 0);
    assert.equal(toHex(new RecordOpener12(provider, suite, k).open(rawMte(suite, k, p)).content), toHex(content));
    const e = mtePlain(suite, k, new Uint8Array(0), fill(16 - (macLen % 16), 15 - (macLen % 16)));
    assert.equal(new RecordOpener12(provider, suite, k).open(rawMte(suite, k, e)).content.length, 0);
    // Empty handshake content is authentic but still refused.
    const h = mtePlain(suite, k, new Uint8Array(0), fill(16 - (macLen % 16), 15 - (macLen % 16)), 0n, 22);
    assert.throws(() => new RecordOpener12(provider, suite, k).open(rawMte(suite, k, h, 22)), alert('unexpected_message'));
  }
});

test('checkCbcPadding agrees with a plain reference for every padding_length at several record lengths', () => {
  const reference = (p: Uint8Array, mac: number): number => {
    const pad = p[p.length - 1]!;
    if (pad + 1 + mac > p.length) return 1;
    for (let i = p.length - 1 - pad; i < p.length; i++) if (p[i] !== pad) return 1;
    return (pad + 1) | CBC_PADDING_GOOD;
  };
  let checked = 0;
  for (const len of [1, 16, 32, 48, 255, 256, 272, 320]) {
    for (const mac of [0, 20, 48]) {
      for (let pad = 0; pad < 256; pad++) {
        const good = fill(len, pad);
        const variants = [good];
        if (pad > 0 && pad < len) {
          const b = good.slice();
          b[len - 1 - pad] = pad ^ 1; // the first padding byte
          variants.push(b);
          const c = good.slice();
          c[len - 2] = pad ^ 0x80; // the last padding byte
          variants.push(c);
        }
        for (const v of variants) {
          assert.equal(checkCbcPadding(v, mac), reference(v, mac), `len ${len} mac ${mac} pad ${pad}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 8 * 3 * 256);
});

/** Counts compression-function calls of every hash and HMAC the opener asks the provider for. */
function countingProvider(): { provider: CryptoProvider; blocks: () => number; calls: () => string } {
  let blocks = 0;
  let hmacs = 0;
  let digests = 0;
  const lf = (h: HashName) => (HASH_BLOCK_LENGTH[h] === 128 ? 16 : 8);
  const compressions = (h: HashName, n: number) => Math.ceil((n + 1 + lf(h)) / HASH_BLOCK_LENGTH[h]);
  const p: CryptoProvider = {
    ...provider,
    hmac(h, key, data) {
      hmacs++;
      // Inner: (K xor ipad) || data; outer: (K xor opad) || inner digest.
      blocks += compressions(h, HASH_BLOCK_LENGTH[h] + data.length) + compressions(h, HASH_BLOCK_LENGTH[h] + HASH_LENGTH[h]);
      return provider.hmac(h, key, data);
    },
    digest(h, data) {
      digests++;
      blocks += compressions(h, data.length);
      return provider.digest(h, data);
    },
  };
  return { provider: p, blocks: () => blocks, calls: () => `${hmacs} hmac, ${digests} digest` };
}

test('CBC MtE: the hash work (compression blocks) and provider calls do not depend on the padding', () => {
  for (const suite of CBC_SUITES) {
    const k = keysFor(suite);
    const macLen = cbcOf(suite).macLength;
    const L = 320; // CBC plaintext length: room for every padding length 0..255 with the MAC
    const work = new Set<string>();
    let records = 0;
    for (let pad = 0; pad <= 255; pad += 1) {
      const n = L - macLen - pad - 1;
      if (n < 0) break;
      const plain = mtePlain(suite, k, text(n), fill(pad + 1, pad));
      assert.equal(plain.length, L);
      for (const bad of [false, true]) {
        const p = plain.slice();
        if (bad) p[L - 1 - pad] = pad ^ 1; // padding byte wrong (or, for pad 0, a different padding_length)
        const counter = countingProvider();
        const opener = new RecordOpener12(counter.provider, suite, k);
        const r = rawMte(suite, k, p);
        if (bad) assert.throws(() => opener.open(r), alert('bad_record_mac'));
        else assert.equal(opener.open(r).content.length, n);
        work.add(`${counter.blocks()} blocks, ${counter.calls()}`);
        records++;
      }
    }
    assert.equal(records, 2 * 256);
    assert.deepEqual([...work], [[...work][0]], `${suite.name}: ${[...work].join(' / ')}`);
    assert.match([...work][0]!, /1 hmac, 1 digest/);
  }
});
