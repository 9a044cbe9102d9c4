// The deframer facing hostile framing (issue #11): record versions, plain HTTP, and a record that
// arrives a byte at a time (memory about the record's size, not an object per byte).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/bytes/index.js';
import { TlsError } from '../../src/errors/index.js';
import { RecordDeframer } from '../../src/record/deframer.js';
import { heapBytes } from '../heap.js';

function failure(d: RecordDeframer): TlsError {
  try {
    d.next();
  } catch (e) {
    assert.ok(e instanceof TlsError);
    return e;
  }
  assert.fail('expected a failure');
}

test('record versions: every {03,XX} on every record; other first bytes are not TLS', () => {
  const d = new RecordDeframer();
  // A stream mixing versions, as a peer may send (RFC 8446 §5.1: the field is ignored).
  for (const v of [0x0300, 0x0301, 0x0303, 0x0304, 0x03ff]) d.push(Uint8Array.of(22, v >> 8, v & 0xff, 0, 1, 1));
  const got: number[] = [];
  for (let r = d.next(); r; r = d.next()) got.push(r.version);
  assert.deepEqual(got, [0x0300, 0x0301, 0x0303, 0x0304, 0x03ff]);
  // Also after records went by: 0x0203 is not TLS framing.
  d.push(Uint8Array.of(23, 2, 3, 0, 1, 1));
  assert.equal(failure(d).alertName, 'protocol_version');
});

test('plain HTTP, request or response, is named as such', () => {
  const http = (text: string) => {
    const d = new RecordDeframer();
    d.push(new TextEncoder().encode(text));
    return failure(d).message;
  };
  assert.match(http('GET /index.html HTTP/1.1\r\n'), /plain HTTP request \("GET \/index\.html HTTP\/1\.1…"\), not TLS/);
  assert.match(http('PRI * HTTP/2.0\r\n'), /plain HTTP request/);
  assert.match(http('HTTP/1.1 400 Bad Request\r\n'), /answered in plain HTTP \("HTTP\/1\.1 400 Bad Request…"\)/);
  assert.match(http('SSH-2.0-OpenSSH\r\n'), /record of unknown content type 83/);
  // Only a stream's first record can be HTTP.
  const d = new RecordDeframer();
  d.push(Uint8Array.of(23, 3, 3, 0, 1, 1));
  d.next();
  d.push(new TextEncoder().encode('GET / HTTP/1.1\r\n'));
  assert.match(failure(d).message, /unknown content type 71/);
});

test('a 16 KiB record fed a byte per push is held in about its size (main: 3.6 MB), byte-exact', () => {
  const record = new Uint8Array(5 + 16640);
  record.set([23, 3, 3, 0x41, 0x00]);
  for (let i = 5; i < record.length; i++) record[i] = i & 0xff;
  const before = heapBytes();
  const pending: RecordDeframer[] = [];
  for (let k = 0; k < 8; k++) {
    const d = new RecordDeframer();
    // Fresh arrays, as a socket delivers them.
    for (let i = 0; i < record.length - 1; i++) {
      d.push(record.slice(i, i + 1));
      assert.equal(d.next(), undefined);
    }
    pending.push(d);
  }
  const each = (heapBytes() - before) / pending.length;
  assert.ok(each < 200_000, `a pending 16 KiB record holds ${Math.round(each / 1000)} KB`);
  for (const d of pending) {
    d.push(record.slice(record.length - 1));
    const r = d.next()!;
    assert.equal(toHex(r.fragment), toHex(record.subarray(5)));
    assert.equal(d.bufferedBytes, 0);
  }
  // Small pieces then a large chunk then small again, with records inside: order and bytes kept.
  const stream = new Uint8Array(3 * (5 + 3000));
  for (let k = 0; k < 3; k++) {
    stream.set([22, 3, 3, 3000 >> 8, 3000 & 0xff], k * 3005);
    for (let i = 0; i < 3000; i++) stream[k * 3005 + 5 + i] = (k * 7 + i) & 0xff;
  }
  const d = new RecordDeframer();
  const cuts = [1, 2, 3, 700, 701, 2500, 2501, 2502, 6000, 6001, 9015];
  const out: string[] = [];
  let prev = 0;
  for (const c of cuts) {
    d.push(stream.slice(prev, c));
    prev = c;
    for (let r = d.next(); r; r = d.next()) out.push(toHex(r.fragment));
  }
  assert.deepEqual(out, [0, 1, 2].map((k) => toHex(stream.subarray(k * 3005 + 5, (k + 1) * 3005))));
});

test('takeBuffered hands over every pending byte once', () => {
  const d = new RecordDeframer();
  d.push(Uint8Array.of(22, 3, 3, 0, 2, 1));
  d.push(Uint8Array.of(2));
  d.push(Uint8Array.of(20, 3));
  assert.equal(d.next()!.fragment.length, 2);
  assert.equal(toHex(d.takeBuffered()), '1403');
  assert.equal(d.bufferedBytes, 0);
  assert.equal(d.takeBuffered().length, 0);
});
