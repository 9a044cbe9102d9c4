import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader, Writer, fromHex, toHex, constantTimeEqual, toBase64, fromBase64 } from '../src/bytes/index.js';
import { TlsError } from '../src/errors/index.js';

function decodeErr(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof TlsError && e.alertName === 'decode_error');
}

test('reader reads integers big-endian and tracks position', () => {
  const r = new Reader(fromHex('01 0203 040506 0708090a'));
  assert.equal(r.u8(), 1);
  assert.equal(r.u16(), 0x0203);
  assert.equal(r.u24(), 0x040506);
  assert.equal(r.u32(), 0x0708090a);
  assert.ok(r.atEnd);
  r.expectEnd();
});

test('u32 above 2^31 stays positive', () => {
  assert.equal(new Reader(fromHex('ffffffff')).u32(), 0xffffffff);
});

test('over-reads are decode_error, never RangeError', () => {
  decodeErr(() => new Reader(new Uint8Array(1)).u16());
  decodeErr(() => new Reader(new Uint8Array(2)).u24());
  decodeErr(() => new Reader(new Uint8Array(3)).u32());
  decodeErr(() => new Reader(new Uint8Array(0)).u8());
  decodeErr(() => new Reader(fromHex('0005 0102')).vector(2, 'v'));
});

test('vector bounds and leftover bytes are enforced', () => {
  decodeErr(() => new Reader(fromHex('00')).vector(1, 'v', 1));
  decodeErr(() => new Reader(fromHex('03 010203')).vector(1, 'v', 0, 2));
  const r = new Reader(fromHex('02 0102 ff'));
  assert.deepEqual([...r.vector(1, 'v')], [1, 2]);
  decodeErr(() => r.expectEnd());
  const sub = new Reader(fromHex('0003 000102')).sub(2, 's');
  sub.u16();
  decodeErr(() => sub.expectEnd());
  decodeErr(() => new Reader(fromHex('0003 000102')).u16List(2, 'l'));
  assert.deepEqual(new Reader(fromHex('04 1301 1302')).u16List(1, 'l'), [0x1301, 0x1302]);
});

test('sub-reader cannot read past its vector', () => {
  const r = new Reader(fromHex('02 0102 0304'));
  const s = r.sub(1, 'inner');
  s.u16();
  decodeErr(() => s.u8());
  assert.equal(r.u16(), 0x0304);
});

test('writer back-patches vector lengths', () => {
  const w = new Writer(1);
  w.u8(1).vector(2, (x) => x.u16(0x1301).vector(1, fromHex('aabb'))).u24(7).u32(0xdeadbeef);
  assert.equal(toHex(w.finish()), '01' + '0005' + '1301' + '02aabb' + '000007' + 'deadbeef');
  assert.throws(() => new Writer().vector(1, new Uint8Array(256)), TlsError);
});

test('constant-time equality and base64 round trip', () => {
  assert.ok(constantTimeEqual(fromHex('0102'), fromHex('0102')));
  assert.ok(!constantTimeEqual(fromHex('0102'), fromHex('0103')));
  assert.ok(!constantTimeEqual(fromHex('0102'), fromHex('01')));
  for (let n = 0; n < 20; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    assert.equal(toBase64(b), Buffer.from(b).toString('base64'));
    assert.deepEqual(fromBase64(toBase64(b)), b);
  }
  assert.throws(() => fromBase64('ab=c'));
});
