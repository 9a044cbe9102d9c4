// HandshakeJoiner: reassembly across records, coalescing, size bound, partial detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, toHex } from '../../src/bytes/index.js';
import { TlsError, UsageError } from '../../src/errors/index.js';
import { HandshakeType } from '../../src/wire/index.js';
import * as m from '../../src/handshake/messages/index.js';
import { readVector } from '../vectors.js';

const inner = (name: string) => {
  const b = readVector(`illustrated-tls13/captures/caps/${name}`);
  return b.subarray(0, b.length - 1);
};
// The server's encrypted flight, as one byte stream of 4 messages.
const FLIGHT = [inner('serverextensions'), inner('servercert'), inner('servercertverify'), inner('serverfinished')];
const STREAM = concat(...FLIGHT);
const TYPES = [HandshakeType.encrypted_extensions, HandshakeType.certificate, HandshakeType.certificate_verify, HandshakeType.finished];

function drain(j: m.HandshakeJoiner): m.HandshakeMessage[] {
  const out: m.HandshakeMessage[] = [];
  for (let msg = j.next(); msg; msg = j.next()) out.push(msg);
  return out;
}

function alertOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlsError) return e.alertName;
    throw e;
  }
  return 'no error';
}

test('several messages in one fragment come out in order, with raw = header + body', () => {
  const j = new m.HandshakeJoiner();
  j.push(STREAM);
  const msgs = drain(j);
  assert.deepEqual(msgs.map((x) => x.type), TYPES);
  msgs.forEach((x, i) => {
    assert.equal(toHex(x.raw), toHex(FLIGHT[i]!));
    assert.equal(toHex(x.body), toHex(FLIGHT[i]!.subarray(4)));
  });
  assert.ok(j.isEmpty);
  assert.ok(!j.hasPartial);
  j.assertRecordBoundary();
});

test('one byte at a time: every message appears exactly when its last byte arrives', () => {
  const j = new m.HandshakeJoiner();
  const ends = FLIGHT.reduce<number[]>((acc, f) => [...acc, (acc.at(-1) ?? 0) + f.length], []);
  const got: m.HandshakeMessage[] = [];
  for (let i = 0; i < STREAM.length; i++) {
    j.push(STREAM.subarray(i, i + 1));
    const msgs = drain(j);
    if (ends.includes(i + 1)) {
      assert.equal(msgs.length, 1, `message ends at ${i + 1}`);
      assert.ok(!j.hasPartial);
    } else {
      assert.equal(msgs.length, 0);
      assert.ok(j.hasPartial);
      assert.equal(alertOf(() => j.assertRecordBoundary()), 'unexpected_message');
    }
    got.push(...msgs);
  }
  assert.equal(got.length, 4);
  assert.equal(toHex(concat(...got.map((x) => x.raw))), toHex(STREAM));
});

test('arbitrary split points, including inside headers', () => {
  for (const cut of [1, 2, 3, 5, 7, 100, 817, 1000]) {
    const j = new m.HandshakeJoiner();
    const got: m.HandshakeMessage[] = [];
    for (let i = 0; i < STREAM.length; i += cut) {
      j.push(STREAM.subarray(i, i + cut));
      got.push(...drain(j));
    }
    assert.deepEqual(got.map((x) => x.type), TYPES, `cut ${cut}`);
    assert.ok(j.isEmpty);
  }
});

test('messages are copies: reusing the pushed buffer does not change them', () => {
  const j = new m.HandshakeJoiner();
  const buf = new Uint8Array(FLIGHT[0]!);
  j.push(buf);
  const msg = j.next()!;
  buf.fill(0xff);
  assert.equal(toHex(msg.raw), toHex(FLIGHT[0]!));
});

test('complete but untaken messages count as buffered, not partial', () => {
  const j = new m.HandshakeJoiner();
  j.push(FLIGHT[0]!);
  assert.ok(!j.hasPartial);
  assert.ok(!j.isEmpty);
  assert.equal(j.buffered, FLIGHT[0]!.length);
  assert.equal(alertOf(() => j.assertRecordBoundary()), 'unexpected_message');
  j.next();
  assert.ok(j.isEmpty);
});

test('size bound: header over the limit fails with decode_error before the body arrives', () => {
  const j = new m.HandshakeJoiner({ maxMessageSize: 100 });
  assert.equal(alertOf(() => j.push(FLIGHT[1]!.subarray(0, 4))), 'decode_error');
  // exactly at the limit is fine
  const k = new m.HandshakeJoiner({ maxMessageSize: 100 });
  k.push(m.encodeHandshake(HandshakeType.finished, new Uint8Array(100)));
  assert.equal(k.next()!.body.length, 100);
  // a header split over two pushes is checked once complete
  const l = new m.HandshakeJoiner({ maxMessageSize: 100 });
  l.push(new Uint8Array([11, 0]));
  assert.equal(alertOf(() => l.push(new Uint8Array([0, 101]))), 'decode_error');
  // the default is 64 KiB; an oversize message after a good one in the same fragment fails too
  const d = new m.HandshakeJoiner();
  assert.equal(d.maxMessageSize, 65536);
  assert.equal(alertOf(() => d.push(concat(FLIGHT[0]!, new Uint8Array([11, 0x01, 0x00, 0x01])))), 'decode_error');
  // large certificate chains may raise it up to 2^24-1
  assert.equal(new m.HandshakeJoiner({ maxMessageSize: 0xffffff }).maxMessageSize, 0xffffff);
  assert.throws(() => new m.HandshakeJoiner({ maxMessageSize: 0x1000000 }), UsageError);
});

test('empty fragments are ignored; a zero-length body is a message', () => {
  const j = new m.HandshakeJoiner();
  j.push(new Uint8Array(0));
  assert.ok(j.isEmpty);
  j.push(m.encodeServerHelloDone());
  const msg = j.next()!;
  assert.equal(msg.type, HandshakeType.server_hello_done);
  assert.equal(msg.body.length, 0);
});

test('parseHandshake requires exactly one message', () => {
  assert.equal(alertOf(() => m.parseHandshake(concat(FLIGHT[0]!, new Uint8Array(1)))), 'decode_error');
  assert.equal(alertOf(() => m.parseHandshake(FLIGHT[1]!.subarray(0, 50))), 'decode_error');
});

test('random splits with delayed draining give the same messages (deterministic PRNG)', () => {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const big = concat(STREAM, STREAM, STREAM);
  for (let round = 0; round < 50; round++) {
    const j = new m.HandshakeJoiner({ maxMessageSize: 1000 });
    const got: m.HandshakeMessage[] = [];
    let i = 0;
    while (i < big.length) {
      const n = 1 + rnd(400);
      j.push(big.subarray(i, i + n));
      i += n;
      if (rnd(3) === 0) got.push(...drain(j));
    }
    got.push(...drain(j));
    assert.equal(got.length, 12);
    assert.equal(toHex(concat(...got.map((x) => x.raw))), toHex(big));
    assert.ok(j.isEmpty);
  }
});

test('an oversize header after compaction is still caught', () => {
  const j = new m.HandshakeJoiner({ maxMessageSize: 900 });
  j.push(concat(FLIGHT[1]!, new Uint8Array([20, 0])));
  assert.equal(j.next()!.type, HandshakeType.certificate);
  assert.ok(j.hasPartial);
  assert.equal(alertOf(() => j.push(new Uint8Array([0x03, 0x85]))), 'decode_error');
});

test('ClientHello bounds: its own size limit, and the records it may span (counted only while it is incomplete)', () => {
  const ch = m.encodeHandshake(HandshakeType.client_hello, new Uint8Array(1000));
  // maxClientHelloSize applies to ClientHello only; other types keep maxMessageSize.
  const j = new m.HandshakeJoiner({ maxMessageSize: 100, maxClientHelloSize: 1000 });
  j.push(ch);
  assert.equal(j.next()!.body.length, 1000);
  assert.equal(alertOf(() => j.push(m.encodeHandshake(HandshakeType.certificate, new Uint8Array(101)))), 'decode_error');
  const k = new m.HandshakeJoiner({ maxClientHelloSize: 999 });
  assert.throws(() => k.push(ch.subarray(0, 4)), /over the limit of 999 bytes \(maxClientHelloSize\)/);
  // Without the option a ClientHello gets maxMessageSize (a client never accepts one anyway).
  assert.equal(new m.HandshakeJoiner({ maxMessageSize: 500 }).maxClientHelloSize, 500);

  // Records: a hello in exactly 10 pieces passes a bound of 10, in 11 it fails at the 10th.
  const pieces = (n: number) => Array.from({ length: n }, (_, i) => ch.subarray(Math.floor((i * ch.length) / n), Math.floor(((i + 1) * ch.length) / n)));
  const ok = new m.HandshakeJoiner({ maxClientHelloSize: 1000, maxClientHelloRecords: 10 });
  for (const p of pieces(10)) ok.push(p);
  assert.equal(ok.next()!.type, HandshakeType.client_hello);
  const over = new m.HandshakeJoiner({ maxClientHelloSize: 1000, maxClientHelloRecords: 10 });
  const p11 = pieces(11);
  for (let i = 0; i < 9; i++) over.push(p11[i]!);
  assert.throws(() => over.push(p11[9]!), /ClientHello is still incomplete after 10 records \(maxClientHelloRecords\)/);
  // Other messages are not counted; a new hello after a complete one starts from zero; a piece
  // that completes one message and starts the next counts once for the new one.
  const other = new m.HandshakeJoiner({ maxClientHelloSize: 1000, maxClientHelloRecords: 3 });
  const cert = m.encodeHandshake(HandshakeType.certificate, new Uint8Array(50));
  for (let i = 0; i < cert.length; i++) other.push(cert.subarray(i, i + 1));
  assert.equal(other.next()!.type, HandshakeType.certificate);
  const two = concat(ch, ch);
  other.push(two.subarray(0, 500));
  other.push(two.subarray(500, 1200)); // completes the first hello, starts the second (piece 1)
  assert.equal(other.next()!.type, HandshakeType.client_hello);
  other.push(two.subarray(1200, 1600)); // piece 2
  assert.throws(() => other.push(two.subarray(1600, 1700)), /after 3 records/);
  // The count survives the buffer being compacted or grown.
  const grow = new m.HandshakeJoiner({ maxClientHelloSize: 100_000, maxClientHelloRecords: 4 });
  const big = m.encodeHandshake(HandshakeType.client_hello, new Uint8Array(90_000));
  grow.push(big.subarray(0, 10));
  grow.push(big.subarray(10, 50_000));
  grow.push(big.subarray(50_000, 80_000));
  assert.throws(() => grow.push(big.subarray(80_000, 80_001)), /after 4 records/);
  // takeBuffered hands over what is pending and starts over.
  const t = new m.HandshakeJoiner();
  t.push(ch.subarray(0, 10));
  assert.equal(t.takeBuffered().length, 10);
  assert.ok(t.isEmpty);
  assert.throws(() => new m.HandshakeJoiner({ maxClientHelloRecords: 0 }), UsageError);
});
